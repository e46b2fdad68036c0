//! Fast loading of history into the store (benchmarks, tests, imports of
//! past sessions): rooms, attendance stretches, journal inputs, completions
//! and badge awards written as they are, in multi-row statements within one
//! transaction. Nothing else happens: no outbox row, no badge rule, no
//! journal fencing; use [`Store::commit`] for what rooms write.

use amphi_protocol::Role;
use sqlx::QueryBuilder;

use super::{AttendanceRecord, CompletionRecord, InputRecord, Pool, RoomRecord, Store, StoreError};

/// A badge award as loaded: its badge, recipient and when it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedAward {
    pub tenant: String,
    pub badge: String,
    pub recipient: String,
    pub issued_at: i64,
    /// Its place in the tenant's revocation list (unique per tenant).
    pub status_index: i64,
}

/// What [`Store::load`] writes.
#[derive(Debug, Clone, Default)]
pub struct Load {
    pub rooms: Vec<RoomRecord>,
    pub attendance: Vec<AttendanceRecord>,
    pub inputs: Vec<InputRecord>,
    pub completions: Vec<CompletionRecord>,
    pub awards: Vec<LoadedAward>,
}

/// Rows per statement (under both backends' bound-parameter limits).
const CHUNK: usize = 2_500;

impl Store {
    /// Writes `load` in one transaction.
    pub async fn load(&self, load: &Load) -> Result<(), StoreError> {
        macro_rules! insert {
            ($tx:expr, $db:ty, $rows:expr, $head:expr, |$row:ident, $r:ident| $push:expr) => {
                for chunk in $rows.chunks(CHUNK) {
                    let mut sql: QueryBuilder<$db> = QueryBuilder::new($head);
                    sql.push_values(chunk, |mut $row, $r| {
                        $push;
                    });
                    sql.build().execute(&mut *$tx).await?;
                }
            };
        }
        macro_rules! all {
            ($pool:expr, $db:ty) => {{
                let mut tx = $pool.begin().await?;
                insert!(tx, $db, load.rooms, "INSERT INTO rooms (id, tenant, kind, title, join_code, created_by, created_at, activity) ",
                    |row, r| row.push_bind(r.id.to_string()).push_bind(&r.tenant).push_bind(r.kind.as_str())
                        .push_bind(&r.title).push_bind(&r.join_code).push_bind(&r.created_by)
                        .push_bind(r.created_at).push_bind(&r.activity));
                insert!(tx, $db, load.attendance, "INSERT INTO attendance (room, member, member_name, role, guest, joined_at, left_at) ",
                    |row, a| row.push_bind(a.room.to_string()).push_bind(&a.member).push_bind(&a.member_name)
                        .push_bind(a.role.as_str()).push_bind(a.guest).push_bind(a.joined_at).push_bind(a.left_at));
                insert!(tx, $db, load.inputs, "INSERT INTO room_inputs (room, position, at, member, member_name, role, guest, kind, action, client_id, body) ",
                    |row, i| row.push_bind(i.room.to_string()).push_bind(i.position).push_bind(i.at)
                        .push_bind(&i.member).push_bind(&i.member_name).push_bind(i.role.map_or("", Role::as_str))
                        .push_bind(i.guest).push_bind(i.kind.as_str()).push_bind(&i.action)
                        .push_bind(&i.client_id).push_bind(&i.body));
                insert!(tx, $db, load.completions, "INSERT INTO completions (tenant, activity, user_id, state, score, max_score, updated_at) ",
                    |row, c| row.push_bind(&c.tenant).push_bind(c.activity.to_string()).push_bind(&c.user)
                        .push_bind(i32::from(c.state)).push_bind(i64::from(c.score))
                        .push_bind(i64::from(c.max_score)).push_bind(c.updated_at));
                insert!(tx, $db, load.awards, "INSERT INTO badge_awards (id, badge_id, tenant, recipient, recipient_name, guest, salt, score, max_score, attended_ms, issued_at, status_index) ",
                    |row, w| row.push_bind(uuid::Uuid::new_v4().to_string()).push_bind(&w.badge).push_bind(&w.tenant)
                        .push_bind(&w.recipient).push_bind("").push_bind(false).push_bind("")
                        .push_bind(0i64).push_bind(0i64).push_bind(0i64).push_bind(w.issued_at).push_bind(w.status_index));
                tx.commit().await?;
            }};
        }
        match &self.pool {
            Pool::Sqlite(pool) => all!(pool, sqlx::Sqlite),
            Pool::Postgres(pool) => all!(pool, sqlx::Postgres),
        }
        Ok(())
    }

    /// Refreshes the planner's statistics (`ANALYZE`) after a large load, as
    /// PostgreSQL's autovacuum would in time.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("ANALYZE").execute(pool).await.map(drop))?;
        Ok(())
    }
}
