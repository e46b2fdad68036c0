//! Data protection: the retention purge of guests' personal data and the
//! deletion of one user's data everywhere (RGPD right to erasure).

use serde::{Deserialize, Serialize};

use super::{Pool, Store, StoreError};

/// What a deletion removed, by kind of record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    pub inputs: u64,
    pub attendance: u64,
    pub completions: u64,
    pub outbox: u64,
    /// BigBlueButton events naming them in the tenant's video rooms.
    pub video_events: u64,
    /// Registrations ahead of a session (name, e-mail address, link).
    pub registrations: u64,
    /// Their queued or sent invitations and reminders.
    pub mails: u64,
    /// Their uploads (the files go once no other upload names them).
    pub uploads: u64,
    /// Their badge awards (files already downloaded cannot be recalled).
    #[serde(default)]
    pub badge_awards: u64,
    /// Library items they published (kept, licensed for reuse: their name
    /// is removed) and the copies they made (the records only).
    #[serde(default)]
    pub library: u64,
    /// The blobs of those uploads.
    #[serde(skip)]
    pub blobs: Vec<String>,
}

impl Deletion {
    /// Adds what another deletion removed.
    pub fn add(&mut self, other: &Deletion) {
        self.inputs += other.inputs;
        self.attendance += other.attendance;
        self.completions += other.completions;
        self.outbox += other.outbox;
        self.video_events += other.video_events;
        self.registrations += other.registrations;
        self.mails += other.mails;
        self.uploads += other.uploads;
        self.badge_awards += other.badge_awards;
        self.library += other.library;
        self.blobs.extend(other.blobs.iter().cloned());
    }
}

impl Store {
    /// Blanks the names of guests recorded before `before` (milliseconds
    /// since the epoch), in the journal, the attendance and the
    /// BigBlueButton events (whose body, holding the name too, is emptied).
    /// Guests are known by nothing else; their answers and video time stay,
    /// anonymous. Registrations (names and e-mail addresses of participants
    /// registered ahead, who join as guests) are deleted with their e-mails
    /// once their session ended before `before` (or, never scheduled, were
    /// made before it). Returns the rows changed.
    pub async fn purge_guests(&self, before: i64) -> Result<u64, StoreError> {
        let inputs = "UPDATE room_inputs SET member_name = '' WHERE guest = $1 AND at < $2 AND member_name <> ''";
        let attendance =
            "UPDATE attendance SET member_name = '' WHERE guest = $1 AND joined_at < $2 AND member_name <> ''";
        let video = "UPDATE bbb_events SET member_name = '', body = '{}' WHERE received_at < $2 AND body <> '{}' \
                     AND member IN (SELECT member FROM attendance WHERE guest = $1)";
        let awards =
            "UPDATE badge_awards SET recipient_name = '' WHERE guest = $1 AND issued_at < $2 AND recipient_name <> ''";
        let expired = "SELECT r.id FROM registrations r LEFT JOIN session_schedules s ON s.room = r.room \
                       WHERE (s.room IS NULL AND r.created_at < $1) \
                       OR (s.room IS NOT NULL AND s.starts_at + s.duration_min * 60000 < $1)";
        let mails = format!("DELETE FROM mail_queue WHERE registration IN ({expired})");
        let registrations = format!("DELETE FROM registrations WHERE id IN ({expired})");
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let mut changed = 0;
            for sql in [inputs, attendance, video, awards] {
                changed += sqlx::query(sql).bind(true).bind(before).execute(&mut *transaction).await?.rows_affected();
            }
            for sql in [mails.as_str(), registrations.as_str()] {
                changed += sqlx::query(sql).bind(before).execute(&mut *transaction).await?.rows_affected();
            }
            transaction.commit().await?;
            Ok(changed)
        })
    }

    /// The rooms of `tenant` that hold something of `user` (inputs or
    /// attendance).
    pub async fn rooms_of_member(&self, tenant: &str, user: &str) -> Result<Vec<uuid::Uuid>, StoreError> {
        let sql = "SELECT room FROM attendance WHERE member = $1 UNION SELECT room FROM room_inputs WHERE member = $1";
        let rooms: Vec<String> = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(user).fetch_all(pool).await?;
            rows.iter().map(|row| sqlx::Row::try_get::<String, _>(row, "room")).collect::<Result<_, _>>()?
        });
        let mut found = Vec::new();
        for room in rooms {
            let Ok(id) = uuid::Uuid::parse_str(&room) else { continue };
            if self.room(id).await?.is_some_and(|record| record.tenant == tenant) {
                found.push(id);
            }
        }
        Ok(found)
    }

    /// Deletes everything stored about `user` in the rooms and activities of
    /// `tenant`: their inputs (answers included) and the statistics' rollup of them, attendance, completions
    /// outbox messages, the BigBlueButton events naming them in the tenant's
    /// video rooms (meetings `amphi-{room}...`), and their registrations
    /// (`user` is then their member id or their e-mail address) with their
    /// e-mails, the e-mail a platform gave for them, their uploads, their
    /// name on the library items they published and the records of the
    /// copies they made. One transaction.
    pub async fn delete_user(&self, tenant: &str, user: &str) -> Result<Deletion, StoreError> {
        let in_tenant = "room IN (SELECT id FROM rooms WHERE tenant = $2)";
        let inputs = format!("DELETE FROM room_inputs WHERE member = $1 AND {in_tenant}");
        let attendance = format!("DELETE FROM attendance WHERE member = $1 AND {in_tenant}");
        let completions = "DELETE FROM completions WHERE user_id = $1 AND tenant = $2";
        let outbox = "DELETE FROM outbox WHERE user_id = $1 AND tenant = $2";
        let video = "DELETE FROM bbb_events WHERE member = $1 AND EXISTS \
                     (SELECT 1 FROM rooms WHERE tenant = $2 AND bbb_events.meeting LIKE 'amphi-' || rooms.id || '%')";
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let mut counts = [0u64; 5];
            let statements = [inputs.as_str(), attendance.as_str(), completions, outbox, video];
            for (count, sql) in counts.iter_mut().zip(statements) {
                *count = sqlx::query(sql).bind(user).bind(tenant).execute(&mut *transaction).await?.rows_affected();
            }
            let registered = "SELECT id FROM registrations WHERE tenant = $2 AND (member = $1 OR email = $3)";
            let email = user.trim().to_lowercase();
            let mails = sqlx::query(&format!("DELETE FROM mail_queue WHERE registration IN ({registered})"))
                .bind(user).bind(tenant).bind(&email).execute(&mut *transaction).await?.rows_affected();
            let registrations = sqlx::query(&format!("DELETE FROM registrations WHERE id IN ({registered})"))
                .bind(user).bind(tenant).bind(&email).execute(&mut *transaction).await?.rows_affected();
            let badge_awards = sqlx::query("DELETE FROM badge_awards WHERE recipient = $1 AND tenant = $2")
                .bind(user).bind(tenant).execute(&mut *transaction).await?.rows_affected();
            sqlx::query("DELETE FROM member_emails WHERE member = $1 AND tenant = $2")
                .bind(user).bind(tenant).execute(&mut *transaction).await?;
            sqlx::query("DELETE FROM member_profiles WHERE member = $1 AND tenant = $2")
                .bind(user).bind(tenant).execute(&mut *transaction).await?;
            sqlx::query("DELETE FROM input_rollups WHERE member = $1 AND tenant = $2")
                .bind(user).bind(tenant).execute(&mut *transaction).await?;
            let uploaded = sqlx::query("DELETE FROM uploads WHERE member = $1 AND tenant = $2 RETURNING blob")
                .bind(user).bind(tenant).fetch_all(&mut *transaction).await?;
            let mut blobs =
                uploaded.iter().map(|row| sqlx::Row::try_get::<String, _>(row, "blob")).collect::<Result<Vec<_>, _>>()?;
            transaction.commit().await?;
            // Then the library (idempotent, as the whole erasure is).
            let library = self.forget_library_member(tenant, user).await?;
            let uploads = blobs.len() as u64;
            blobs.sort();
            blobs.dedup();
            let [inputs, attendance, completions, outbox, video_events] = counts;
            Ok(Deletion {
                inputs,
                attendance,
                completions,
                outbox,
                video_events,
                registrations,
                mails,
                uploads,
                badge_awards,
                library,
                blobs,
            })
        })
    }
}
