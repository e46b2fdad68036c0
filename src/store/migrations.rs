//! The schema migrations, compiled into the binary from `src/store/sql/*.sql`
//! and applied with sqlx's migrator (which records them and refuses a
//! changed one).

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

/// `(version, description, sql)`, in order. Append only; never edit one that
/// has shipped.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "rooms", include_str!("sql/0001_rooms.sql")),
    (2, "room activity", include_str!("sql/0002_room_activity.sql")),
    (3, "completions", include_str!("sql/0003_completions.sql")),
    (4, "durable inputs, attendance, outbox", include_str!("sql/0004_durable_inputs.sql")),
    (5, "bigbluebutton events", include_str!("sql/0005_bbb_events.sql")),
    (6, "plans, registrations, invitations", include_str!("sql/0006_invitations.sql")),
    (7, "lti", include_str!("sql/0007_lti.sql")),
    (8, "uploads", include_str!("sql/0008_uploads.sql")),
    (9, "ended members", include_str!("sql/0009_ended_members.sql")),
    (10, "bigbluebutton event keys", include_str!("sql/0010_bbb_event_keys.sql")),
    (11, "bigbluebutton recordings", include_str!("sql/0011_bbb_recordings.sql")),
    (12, "badges", include_str!("sql/0012_badges.sql")),
    (13, "badge series", include_str!("sql/0013_badge_series.sql")),
    (14, "member emails", include_str!("sql/0014_member_emails.sql")),
    (15, "library", include_str!("sql/0015_library.sql")),
    (16, "statistics", include_str!("sql/0016_statistics.sql")),
    (17, "room trash, folders, favourites", include_str!("sql/0017_room_trash_folders.sql")),
    (18, "input rollups", include_str!("sql/0018_input_rollups.sql")),
];

#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

pub async fn migrator() -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(Embedded).await
}
