//! The trash of rooms: a leader moves a room there (it is then found neither
//! by id nor by join code), restores it, or deletes it for good — its
//! journal (and its statistics' rollup), attendance, invitations and marks, and the row itself, with its
//! uploads unreferenced so that the upload sweep removes their files.

use std::time::Instant;

use sqlx::Row;
use uuid::Uuid;

use super::{Pool, RoomRecord, Store, StoreError, room_kind};

/// A room in the trash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashedRoom {
    pub room: RoomRecord,
    /// When it was trashed (milliseconds since the Unix epoch).
    pub deleted_at: i64,
}

/// What deleting a room for good removes, room by room, in this order (the
/// uploads first: their rows stay for the sweep, unreferenced).
const ERASE_ROOM: [&str; 10] = [
    "UPDATE uploads SET referenced_at = NULL WHERE room = $1",
    "DELETE FROM room_inputs WHERE room = $1",
    "DELETE FROM input_rollups WHERE room = $1",
    "DELETE FROM input_rollup_marks WHERE room = $1",
    "DELETE FROM attendance WHERE room = $1",
    "DELETE FROM mail_queue WHERE room = $1",
    "DELETE FROM registrations WHERE room = $1",
    "DELETE FROM session_schedules WHERE room = $1",
    "DELETE FROM room_marks WHERE room = $1",
    "DELETE FROM rooms WHERE id = $1 AND deleted_at IS NOT NULL",
];

impl Store {
    /// Moves room `id` of `tenant` created by `member` to the trash at `at`;
    /// `false` when there is no such room out of the trash.
    pub async fn trash_room(&self, tenant: &str, member: &str, id: Uuid, at: i64) -> Result<bool, StoreError> {
        let started = Instant::now();
        let sql = "UPDATE rooms SET deleted_at = $4 \
                   WHERE id = $1 AND tenant = $2 AND created_by = $3 AND deleted_at IS NULL";
        let changed = on_pool!(self, pool => sqlx::query(sql)
            .bind(id.to_string()).bind(tenant).bind(member).bind(at)
            .execute(pool).await?.rows_affected());
        self.observe("trash_room", started);
        Ok(changed > 0)
    }

    /// Brings room `id` back from `member`'s trash; `false` when it is not
    /// there.
    pub async fn restore_room(&self, tenant: &str, member: &str, id: Uuid) -> Result<bool, StoreError> {
        let started = Instant::now();
        let sql = "UPDATE rooms SET deleted_at = NULL \
                   WHERE id = $1 AND tenant = $2 AND created_by = $3 AND deleted_at IS NOT NULL";
        let changed = on_pool!(self, pool => sqlx::query(sql)
            .bind(id.to_string()).bind(tenant).bind(member)
            .execute(pool).await?.rows_affected());
        self.observe("restore_room", started);
        Ok(changed > 0)
    }

    /// The rooms in `member`'s trash, most recently trashed first, at most
    /// `limit`.
    pub async fn trashed_rooms(&self, tenant: &str, member: &str, limit: u32) -> Result<Vec<TrashedRoom>, StoreError> {
        let started = Instant::now();
        let sql = "SELECT id, tenant, kind, title, join_code, created_by, created_at, activity, deleted_at \
                   FROM rooms WHERE tenant = $1 AND created_by = $2 AND deleted_at IS NOT NULL \
                   ORDER BY deleted_at DESC, id LIMIT $3";
        let rooms = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(tenant).bind(member).bind(i64::from(limit)).fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<TrashedRoom, StoreError> {
                    Ok(TrashedRoom { room: room_record!(row)?, deleted_at: row.try_get("deleted_at")? })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        self.observe("trashed_rooms", started);
        Ok(rooms)
    }

    /// Deletes for good room `id` of `member`'s trash, or every room of it
    /// when `id` is `None`; returns the rooms deleted.
    pub async fn delete_trashed(&self, tenant: &str, member: &str, id: Option<Uuid>) -> Result<Vec<Uuid>, StoreError> {
        let sql = "SELECT id FROM rooms WHERE tenant = $1 AND created_by = $2 AND deleted_at IS NOT NULL \
                   AND ($3 = '' OR id = $3)";
        let wanted = id.map(|id| id.to_string()).unwrap_or_default();
        let ids: Vec<String> = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(tenant).bind(member).bind(&wanted).fetch_all(pool).await?;
            rows.iter().map(|row| row.try_get::<String, _>("id")).collect::<Result<_, _>>()?
        });
        self.erase_rooms(&ids).await
    }

    /// Deletes for good every room trashed before `before` (the retention
    /// purge); returns the rooms deleted.
    pub async fn purge_trash(&self, before: i64) -> Result<Vec<Uuid>, StoreError> {
        let sql = "SELECT id FROM rooms WHERE deleted_at IS NOT NULL AND deleted_at < $1";
        let ids: Vec<String> = on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(before).fetch_all(pool).await?;
            rows.iter().map(|row| row.try_get::<String, _>("id")).collect::<Result<_, _>>()?
        });
        self.erase_rooms(&ids).await
    }

    /// Erases trashed rooms, each in its own transaction.
    async fn erase_rooms(&self, ids: &[String]) -> Result<Vec<Uuid>, StoreError> {
        let started = Instant::now();
        let mut erased = Vec::with_capacity(ids.len());
        for id in ids {
            on_pool!(self, pool => {
                let mut transaction = pool.begin().await?;
                for sql in ERASE_ROOM {
                    sqlx::query(sql).bind(id).execute(&mut *transaction).await?;
                }
                transaction.commit().await?;
            });
            erased.push(Uuid::parse_str(id).map_err(|e| StoreError::Corrupt(format!("room id {id:?}: {e}")))?);
        }
        self.observe("erase_rooms", started);
        Ok(erased)
    }
}
