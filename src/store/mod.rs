//! The course store: SQLite (embedded default, WAL, a file under the data
//! directory) or PostgreSQL (production), one schema and one set of portable
//! migrations for both, applied at start. Every call is async; no database
//! call blocks the runtime.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use amphi_protocol::RoomKind;
use sqlx::Row;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

use crate::metrics::Metrics;

/// Runs the same query code against whichever pool the store holds: the SQL
/// is portable, the binding is type-checked for each backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// A `RoomRecord` from a row of `SELECT id, tenant, kind, title, join_code,
/// created_by, created_at, activity FROM rooms` (either backend's row type).
macro_rules! room_record {
    ($row:expr) => {
        (|| -> Result<RoomRecord, StoreError> {
            let row = $row;
            let id: String = row.try_get("id")?;
            Ok(RoomRecord {
                id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("room id {id:?}: {e}")))?,
                tenant: row.try_get("tenant")?,
                kind: room_kind(row.try_get("kind")?)?,
                title: row.try_get("title")?,
                join_code: row.try_get("join_code")?,
                created_by: row.try_get("created_by")?,
                created_at: row.try_get("created_at")?,
                activity: row.try_get("activity")?,
            })
        })()
    };
}

/// An `InputRecord` of `room` from a row of `SELECT position, at, member,
/// member_name, role, guest, kind, action, client_id, body FROM room_inputs`
/// (either backend's row type).
macro_rules! input_record {
    ($row:expr, $room:expr) => {
        (|| -> Result<InputRecord, StoreError> {
            let row = $row;
            Ok(InputRecord {
                room: $room,
                position: row.try_get("position")?,
                at: row.try_get("at")?,
                member: row.try_get("member")?,
                member_name: row.try_get("member_name")?,
                role: $crate::store::journal::journal_role(row.try_get("role")?)?,
                guest: row.try_get("guest")?,
                kind: $crate::store::journal::input_kind(row.try_get("kind")?)?,
                action: row.try_get("action")?,
                client_id: row.try_get("client_id")?,
                body: row.try_get("body")?,
            })
        })()
    };
}

#[macro_use]
mod badges;
mod bbb;
mod board_activity;
mod bulk;
mod ended;
mod folders;
mod invitations;
mod journal;
mod library;
mod lti;
mod migrations;
mod outbox;
mod privacy;
mod profiles;
mod recordings;
mod rollup;
mod statistics;
#[cfg(test)]
mod stored_forms;
mod trash;
mod uploads;
mod writer;

pub use badges::{AwardRecord, BadgeRecord};
pub use bbb::BbbEventRecord;
pub use bulk::{Load, LoadedAward};
pub use folders::{FolderRecord, MarkedRoom, RoomFilter};
pub use invitations::{MailRecord, NewRegistration, PlanRecord, RegistrationRecord, ScheduleRecord};
pub use journal::{AttendanceRecord, InputKind, InputRecord, Write};
pub use library::{
    LibraryCopy, LibraryIndex, LibraryItem, LibraryKind, LibraryMeta, LibraryQuery, LibraryVersion, NATIONAL,
};
pub use lti::{LinkRecord, LoginClaim, PlatformRecord};
pub use outbox::OutboxRecord;
pub use privacy::Deletion;
pub use profiles::MemberProfile;
pub use recordings::RecordingRecord;
pub use statistics::{Breakdown, CellKey, Level, Levels, RawCell, StatisticsQuery};
pub use trash::TrashedRoom;
pub use uploads::{UploadRecord, UploadUsage};
pub use writer::{Durable, Writer, WriterSettings};

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Database(#[from] sqlx::Error),
    #[error("store migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("store: stored data is invalid: {0}")]
    Corrupt(String),
    /// Another node journaled a different input at this position: the room
    /// moved (this node's lease ran out) and this node's copy is stale.
    #[error("store: room {room} position {position} was journaled by another node (the room moved)")]
    Fenced { room: Uuid, position: i64 },
}

impl StoreError {
    /// Whether the error is a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRecord {
    pub id: Uuid,
    pub tenant: String,
    pub kind: RoomKind,
    pub title: String,
    pub join_code: Option<String>,
    pub created_by: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The activity's definition as JSON (a quiz room: its quiz and
    /// settings); `None` for a plain lobby.
    pub activity: Option<String>,
}

/// One user's completion of one activity, in Moodle's states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRecord {
    pub tenant: String,
    /// The room the activity ran in.
    pub activity: Uuid,
    pub user: String,
    /// 0 incomplete, 1 complete, 2 complete and passed, 3 complete and failed.
    pub state: u8,
    pub score: u32,
    pub max_score: u32,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The store handle: cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    metrics: Arc<Metrics>,
}

impl Store {
    /// The statement that opens a transaction which reads, then writes:
    /// on SQLite it takes the write lock at once (`BEGIN IMMEDIATE`, which
    /// waits out `busy_timeout`), since a read transaction that later
    /// writes fails at once (`SQLITE_BUSY`) when another connection wrote
    /// in between.
    fn begin_writing(&self) -> &'static str {
        match &self.pool {
            Pool::Sqlite(_) => "BEGIN IMMEDIATE",
            Pool::Postgres(_) => "BEGIN",
        }
    }

    /// Connects to `url` (`sqlite:...` or `postgres://...`) and applies the
    /// migrations.
    pub async fn connect(url: &str, metrics: Arc<Metrics>) -> Result<Store, StoreError> {
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5));
            Pool::Sqlite(SqlitePoolOptions::new().max_connections(4).connect_with(options).await?)
        } else {
            Pool::Postgres(
                PgPoolOptions::new().max_connections(8).acquire_timeout(Duration::from_secs(5)).connect(url).await?,
            )
        };
        let store = Store { pool, metrics };
        let migrator = migrations::migrator().await?;
        on_pool!(store, pool => migrator.run(pool).await?);
        Ok(store)
    }

    /// The backend's name, for logs.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Whether the database answers, within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> Result<(), String> {
        let ping = async { on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ())) };
        match tokio::time::timeout(timeout, ping).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("{} store: {e}", self.backend())),
            Err(_) => Err(format!("{} store: no answer within {timeout:?}", self.backend())),
        }
    }

    pub async fn insert_room(&self, room: &RoomRecord) -> Result<(), StoreError> {
        let started = Instant::now();
        let sql = "INSERT INTO rooms (id, tenant, kind, title, join_code, created_by, created_at, activity) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(room.id.to_string())
            .bind(&room.tenant)
            .bind(room.kind.as_str())
            .bind(&room.title)
            .bind(&room.join_code)
            .bind(&room.created_by)
            .bind(room.created_at)
            .bind(&room.activity)
            .execute(pool)
            .await
            .map(drop))?;
        self.observe("insert_room", started);
        Ok(())
    }

    /// The room with this id, unless it is in the trash.
    pub async fn room(&self, id: Uuid) -> Result<Option<RoomRecord>, StoreError> {
        self.room_where("id", &id.to_string()).await
    }

    /// The room with this join code, unless it is in the trash.
    pub async fn room_by_code(&self, code: &str) -> Result<Option<RoomRecord>, StoreError> {
        self.room_where("join_code", code).await
    }

    async fn room_where(&self, column: &'static str, value: &str) -> Result<Option<RoomRecord>, StoreError> {
        let started = Instant::now();
        let sql = format!(
            "SELECT id, tenant, kind, title, join_code, created_by, created_at, activity FROM rooms \
             WHERE {column} = $1 AND deleted_at IS NULL"
        );
        let record = on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(value).fetch_optional(pool).await?;
            row.map(|row| room_record!(row)).transpose()?
        });
        self.observe("room", started);
        Ok(record)
    }

    /// The rooms of `tenant` that `member` created and did not trash,
    /// newest first, at most `limit`.
    pub async fn rooms_created_by(
        &self,
        tenant: &str,
        member: &str,
        limit: u32,
    ) -> Result<Vec<RoomRecord>, StoreError> {
        let started = Instant::now();
        let sql = "SELECT id, tenant, kind, title, join_code, created_by, created_at, activity FROM rooms \
                   WHERE tenant = $1 AND created_by = $2 AND deleted_at IS NULL ORDER BY created_at DESC, id LIMIT $3";
        let records = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(tenant).bind(member).bind(i64::from(limit)).fetch_all(pool).await?;
            rows.iter().map(|row| room_record!(row)).collect::<Result<Vec<_>, _>>()?
        });
        self.observe("rooms_created_by", started);
        Ok(records)
    }

    /// Writes completions in one transaction; a user's earlier completion
    /// of the same activity is replaced (idempotent), and each change writes
    /// an outbox row.
    pub async fn upsert_completions(&self, completions: &[CompletionRecord]) -> Result<(), StoreError> {
        self.commit(&[Write::Completions(completions.to_vec())]).await
    }

    /// The completions of one activity, by user.
    pub async fn completions(&self, tenant: &str, activity: Uuid) -> Result<Vec<CompletionRecord>, StoreError> {
        let sql = "SELECT tenant, activity, user_id, state, score, max_score, updated_at FROM completions \
                   WHERE tenant = $1 AND activity = $2 ORDER BY user_id";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(tenant).bind(activity.to_string()).fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<CompletionRecord, StoreError> {
                    let number = |name: &str| -> Result<i64, StoreError> { Ok(row.try_get::<i64, _>(name)?) };
                    let state: i32 = row.try_get("state")?;
                    Ok(CompletionRecord {
                        tenant: row.try_get("tenant")?,
                        activity,
                        user: row.try_get("user_id")?,
                        state: u8::try_from(state).map_err(|_| StoreError::Corrupt(format!("completion state {state}")))?,
                        score: u32::try_from(number("score")?).unwrap_or(u32::MAX),
                        max_score: u32::try_from(number("max_score")?).unwrap_or(u32::MAX),
                        updated_at: number("updated_at")?,
                    })
                })
                .collect()
        })
    }

    fn observe(&self, op: &str, started: Instant) {
        self.metrics.store_seconds.with_label_values(&[op]).observe(started.elapsed().as_secs_f64());
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}

/// A stored room kind, read back (the kind's serde name, as written).
fn room_kind(stored: String) -> Result<RoomKind, StoreError> {
    stored.parse().map_err(|e| StoreError::Corrupt(format!("room kind: {e}")))
}

/// Wall-clock milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
