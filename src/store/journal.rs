//! What rooms write while they run: the input journal (every input a quiz,
//! board or ateliers room accepted, in order, each of an [`InputKind`], to
//! rebuild the room after a restart), attendance
//! stretches, and completions with their outbox rows. [`Store::commit`]
//! writes a batch of them in one transaction (the group commit of
//! `writer.rs`); the readers here serve rebuilds and exports.

use std::time::Instant;

use amphi_protocol::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use super::{CompletionRecord, Pool, Store, StoreError, now_ms};

/// One accepted input of a room, as journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRecord {
    pub room: Uuid,
    /// The input's place in its room's journal, from 1.
    pub position: i64,
    /// When the room applied it, in milliseconds since the Unix epoch.
    pub at: i64,
    pub member: String,
    pub member_name: String,
    /// The member's role; none for the entries that record no one's action
    /// (a connection gone: `detach`, `leave`), stored as an empty string.
    pub role: Option<Role>,
    pub guest: bool,
    pub kind: InputKind,
    /// The command's action (`answer`, `open_question`...), for commands.
    pub action: Option<String>,
    pub client_id: Option<String>,
    /// The command as JSON, for commands.
    pub body: Option<String>,
}

/// What a journal entry records, stored as its serde name (`attach`,
/// `quiz`...: the strings the journal has always held).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// A member's connection attached (quiz and ateliers rooms).
    Attach,
    /// A member's connection went away (quiz and ateliers rooms).
    Detach,
    /// A member left a quiz room for good (`leave`): not waited for any more.
    Leave,
    /// The room started again: every connection of its earlier life is
    /// gone (quiz and ateliers rooms).
    Restart,
    /// A quiz command; its body is the command's JSON.
    Quiz,
    /// A board command; its body is the command's JSON.
    Board,
    /// A breakout command; its body is the command's JSON.
    Breakout,
}

impl InputKind {
    /// The kind's name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Attach => "attach",
            InputKind::Detach => "detach",
            InputKind::Leave => "leave",
            InputKind::Restart => "restart",
            InputKind::Quiz => "quiz",
            InputKind::Board => "board",
            InputKind::Breakout => "breakout",
        }
    }

    /// Every kind.
    pub const ALL: [InputKind; 7] = [
        InputKind::Attach,
        InputKind::Detach,
        InputKind::Leave,
        InputKind::Restart,
        InputKind::Quiz,
        InputKind::Board,
        InputKind::Breakout,
    ];
}

impl std::fmt::Display for InputKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for InputKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InputKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| format!("unknown journal entry kind `{s}`"))
    }
}

/// A stretch of presence of a member in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRecord {
    pub room: Uuid,
    pub member: String,
    pub member_name: String,
    pub role: Role,
    pub guest: bool,
    pub joined_at: i64,
    /// `None` while present.
    pub left_at: Option<i64>,
}

/// One write handed to the store by a room.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Input(InputRecord),
    /// A member came online: a new attendance stretch.
    Joined(AttendanceRecord),
    /// A member went offline: the stretch that began at `joined_at` ends.
    Left {
        room: Uuid,
        member: String,
        joined_at: i64,
        at: i64,
    },
    /// A quiz's completions; each one that changes writes an outbox row.
    Completions(Vec<CompletionRecord>),
}

/// Rows per multi-row INSERT (under SQLite's and PostgreSQL's limits on
/// bound parameters).
const INSERT_CHUNK: usize = 400;

/// A transaction on either backend, open for one [`Store::commit`].
enum Transaction {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same query code in whichever transaction `$transaction` (a
/// `&mut Transaction`) holds, as `on_pool!` does for pools: `$tx` is the
/// backend's `&mut sqlx::Transaction`.
macro_rules! on_transaction {
    ($transaction:expr, $tx:ident => $body:expr) => {
        match $transaction {
            Transaction::Sqlite($tx) => $body,
            Transaction::Postgres($tx) => $body,
        }
    };
}

impl Transaction {
    async fn commit(self) -> Result<(), StoreError> {
        match self {
            Transaction::Sqlite(tx) => tx.commit().await?,
            Transaction::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Store {
    /// Writes `batch` in one transaction: all of it or nothing. Replaying a
    /// batch that did commit changes nothing (inputs are keyed by room and
    /// position, stretches by their start, completions are upserts). The
    /// journal's inputs go first, then the stretches opened, then the
    /// stretches ended and the completions in the batch's order.
    pub async fn commit(&self, batch: &[Write]) -> Result<(), StoreError> {
        let started = Instant::now();
        let now = now_ms();
        let mut transaction = self.begin_transaction().await?;
        journal_inputs(&mut transaction, batch).await?;
        open_stretches(&mut transaction, batch).await?;
        let awarded = end_stretches_and_record_completions(&mut transaction, batch, now).await?;
        transaction.commit().await?;
        self.metrics.badge_awards.inc_by(awarded);
        self.observe("commit", started);
        Ok(())
    }

    async fn begin_transaction(&self) -> Result<Transaction, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Transaction::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Transaction::Postgres(pool.begin().await?),
        })
    }

    /// A room's journal, in order.
    pub async fn inputs(&self, room: Uuid) -> Result<Vec<InputRecord>, StoreError> {
        let started = Instant::now();
        let sql = "SELECT position, at, member, member_name, role, guest, kind, action, client_id, body \
                   FROM room_inputs WHERE room = $1 ORDER BY position";
        let inputs = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(room.to_string()).fetch_all(pool).await?;
            rows.iter()
                .map(|row| input_record!(row, room))
                .collect::<Result<Vec<_>, _>>()?
        });
        self.observe("inputs", started);
        Ok(inputs)
    }

    /// The attendance stretches of the given rooms, by room, member and
    /// start.
    pub async fn attendance(&self, rooms: &[Uuid]) -> Result<Vec<AttendanceRecord>, StoreError> {
        let mut records = Vec::new();
        for &room in rooms {
            let sql = "SELECT member, member_name, role, guest, joined_at, left_at FROM attendance \
                       WHERE room = $1 ORDER BY member, joined_at";
            on_pool!(self, pool => {
                let rows = sqlx::query(sql).bind(room.to_string()).fetch_all(pool).await?;
                for row in &rows {
                    records.push(AttendanceRecord {
                        room,
                        member: row.try_get("member")?,
                        member_name: row.try_get("member_name")?,
                        role: stored_role("attendance", row.try_get("role")?)?,
                        guest: row.try_get("guest")?,
                        joined_at: row.try_get("joined_at")?,
                        left_at: row.try_get("left_at")?,
                    });
                }
            });
        }
        Ok(records)
    }

    /// Ends the stretches of `room` still open from an earlier life of the
    /// room (the node stopped without closing them) at the last moment the
    /// store knew of the room: its last input or attendance change, or
    /// `last_input_at` if later.
    pub async fn close_stale_attendance(&self, room: Uuid, last_input_at: i64) -> Result<u64, StoreError> {
        let last =
            "SELECT MAX(CASE WHEN left_at IS NULL THEN joined_at ELSE left_at END) FROM attendance WHERE room = $1";
        let close = "UPDATE attendance SET left_at = CASE WHEN joined_at > $1 THEN joined_at ELSE $1 END \
                     WHERE room = $2 AND left_at IS NULL";
        let room_id = room.to_string();
        Ok(on_pool!(self, pool => {
            let last_change: Option<i64> = sqlx::query_scalar(last).bind(&room_id).fetch_one(pool).await?;
            let at = last_change.unwrap_or(0).max(last_input_at);
            sqlx::query(close).bind(at).bind(&room_id).execute(pool).await?.rows_affected()
        }))
    }
}

/// The journal: the batch's inputs, in multi-row INSERTs. A position
/// already taken is fine when it holds the same input (this batch replayed
/// after a commit whose answer was lost); another input there means
/// another node wrote it (the room moved): the batch is refused.
async fn journal_inputs(transaction: &mut Transaction, batch: &[Write]) -> Result<(), StoreError> {
    let inputs: Vec<&InputRecord> =
        batch.iter().filter_map(|w| if let Write::Input(i) = w { Some(i) } else { None }).collect();
    for chunk in inputs.chunks(INSERT_CHUNK) {
        let written = on_transaction!(transaction, tx => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO room_inputs (room, position, at, member, member_name, role, guest, kind, action, \
                 client_id, body) ",
            );
            insert.push_values(chunk, |mut row, i| {
                row.push_bind(i.room.to_string())
                    .push_bind(i.position)
                    .push_bind(i.at)
                    .push_bind(&i.member)
                    .push_bind(&i.member_name)
                    .push_bind(i.role.map_or("", Role::as_str))
                    .push_bind(i.guest)
                    .push_bind(i.kind.as_str())
                    .push_bind(&i.action)
                    .push_bind(&i.client_id)
                    .push_bind(&i.body);
            });
            insert.push(" ON CONFLICT (room, position) DO NOTHING");
            insert.build().execute(&mut **tx).await?.rows_affected()
        });
        if written < chunk.len() as u64 {
            refuse_if_fenced(transaction, chunk).await?;
        }
    }
    Ok(())
}

/// [`StoreError::Fenced`] if a position of `inputs` holds another input than
/// the one this node journals there.
async fn refuse_if_fenced(transaction: &mut Transaction, inputs: &[&InputRecord]) -> Result<(), StoreError> {
    for input in inputs {
        let stored: Option<(i64, String, String, Option<String>)> = on_transaction!(transaction, tx => {
            sqlx::query_as("SELECT at, member, kind, client_id FROM room_inputs WHERE room = $1 AND position = $2")
                .bind(input.room.to_string())
                .bind(input.position)
                .fetch_optional(&mut **tx)
                .await?
        });
        let ours = (input.at, input.member.clone(), input.kind.as_str().to_string(), input.client_id.clone());
        if stored.is_some_and(|stored| stored != ours) {
            return Err(StoreError::Fenced { room: input.room, position: input.position });
        }
    }
    Ok(())
}

/// Attendance: the stretches the batch opens, in multi-row INSERTs (one
/// already stored is kept).
async fn open_stretches(transaction: &mut Transaction, batch: &[Write]) -> Result<(), StoreError> {
    let joined: Vec<&AttendanceRecord> =
        batch.iter().filter_map(|w| if let Write::Joined(a) = w { Some(a) } else { None }).collect();
    for chunk in joined.chunks(INSERT_CHUNK) {
        on_transaction!(transaction, tx => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO attendance (room, member, member_name, role, guest, joined_at, left_at) ",
            );
            insert.push_values(chunk, |mut row, a| {
                row.push_bind(a.room.to_string())
                    .push_bind(&a.member)
                    .push_bind(&a.member_name)
                    .push_bind(a.role.as_str())
                    .push_bind(a.guest)
                    .push_bind(a.joined_at)
                    .push_bind(a.left_at);
            });
            insert.push(" ON CONFLICT (room, member, joined_at) DO NOTHING");
            insert.build().execute(&mut **tx).await?;
        });
    }
    Ok(())
}

/// The batch's ends of stretches and its completions, in the batch's order
/// (a badge's attended time counts the stretches ended before its
/// completion). Returns how many badge awards the completions issued.
async fn end_stretches_and_record_completions(
    transaction: &mut Transaction,
    batch: &[Write],
    now: i64,
) -> Result<u64, StoreError> {
    let mut awarded = 0;
    for write in batch {
        match write {
            Write::Left { room, member, joined_at, at } => {
                end_stretch(transaction, *room, member, *joined_at, *at).await?;
            }
            Write::Completions(completions) => {
                for completion in completions {
                    awarded += record_completion(transaction, completion, now).await?;
                }
            }
            Write::Input(_) | Write::Joined(_) => {}
        }
    }
    Ok(awarded)
}

/// Attendance: the stretch of `member` that began at `joined_at` ends `at`.
async fn end_stretch(
    transaction: &mut Transaction,
    room: Uuid,
    member: &str,
    joined_at: i64,
    at: i64,
) -> Result<(), StoreError> {
    on_transaction!(transaction, tx => {
        sqlx::query("UPDATE attendance SET left_at = $1 WHERE room = $2 AND member = $3 AND joined_at = $4")
            .bind(at)
            .bind(room.to_string())
            .bind(member)
            .bind(joined_at)
            .execute(&mut **tx)
            .await?;
    });
    Ok(())
}

/// Completions: writes `c` if it changes what is stored, announces the
/// change in the outbox, then issues the badges it earns. Returns how many
/// awards it issued.
async fn record_completion(transaction: &mut Transaction, c: &CompletionRecord, now: i64) -> Result<u64, StoreError> {
    if upsert_completion(transaction, c).await? {
        announce_completion(transaction, c, now).await?;
    }
    // The badges it earns, once each (a replay finds them issued). After
    // the completion's write: on SQLite the transaction holds the write
    // lock by then (a read first could not upgrade to it).
    Ok(on_transaction!(transaction, tx => award_completion!(*tx, c, now).await?))
}

/// Writes `c` unless the same completion is stored; says whether it wrote.
async fn upsert_completion(transaction: &mut Transaction, c: &CompletionRecord) -> Result<bool, StoreError> {
    let changed = on_transaction!(transaction, tx => {
        sqlx::query(
            "INSERT INTO completions (tenant, activity, user_id, state, score, max_score, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant, activity, user_id) DO UPDATE SET \
             state = excluded.state, score = excluded.score, max_score = excluded.max_score, \
             updated_at = excluded.updated_at \
             WHERE completions.state <> excluded.state OR completions.score <> excluded.score \
             OR completions.max_score <> excluded.max_score",
        )
        .bind(&c.tenant)
        .bind(c.activity.to_string())
        .bind(&c.user)
        .bind(i32::from(c.state))
        .bind(i64::from(c.score))
        .bind(i64::from(c.max_score))
        .bind(c.updated_at)
        .execute(&mut **tx)
        .await?
        .rows_affected()
    });
    Ok(changed > 0)
}

/// The outbox rows of a changed completion: one for the completion's
/// endpoint and, for a member who came from an LTI launch of this
/// session's link, one to send the grade to the platform.
async fn announce_completion(transaction: &mut Transaction, c: &CompletionRecord, now: i64) -> Result<(), StoreError> {
    on_transaction!(transaction, tx => {
        sqlx::query(
            "INSERT INTO outbox (id, tenant, topic, user_id, payload, created_at, next_attempt_at) \
             VALUES ($1, $2, 'completion', $3, $4, $5, $5)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(&c.tenant)
        .bind(&c.user)
        .bind(super::outbox::completion_payload(c))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if let Some(platform) = crate::lti::platform_of_member(&c.user) {
            sqlx::query(
                "INSERT INTO outbox (id, tenant, topic, user_id, payload, created_at, next_attempt_at) \
                 SELECT $1, $2, 'lti_score', $3, $4, $5, $5 WHERE EXISTS \
                 (SELECT 1 FROM lti_links WHERE room_id = $6 AND platform_id = $7)",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(&c.tenant)
            .bind(&c.user)
            .bind(super::outbox::completion_payload(c))
            .bind(now)
            .bind(c.activity.to_string())
            .bind(platform)
            .execute(&mut **tx)
            .await?;
        }
    });
    Ok(())
}

/// A stored journal entry's kind, read back.
/// A stored member role (`participant`, `trainer`…: protocol names); anything else is corruption.
fn stored_role(table: &str, stored: String) -> Result<Role, StoreError> {
    stored.parse().map_err(|_| StoreError::Corrupt(format!("{table}: unknown role `{stored}`")))
}

/// A journal entry's role: empty for the entries without one.
pub(super) fn journal_role(stored: String) -> Result<Option<Role>, StoreError> {
    if stored.is_empty() { Ok(None) } else { stored_role("journal", stored).map(Some) }
}

pub(super) fn input_kind(stored: String) -> Result<InputKind, StoreError> {
    stored.parse().map_err(|e| StoreError::Corrupt(format!("journal: {e}")))
}
