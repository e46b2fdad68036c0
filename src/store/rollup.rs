//! The statistics' rollup of the journal: the participants' answers and
//! posts and the ateliers openings of each room, counted per member, action
//! and quarter of an hour into `input_rollups`, up to a mark per room. The
//! statistics read the rollup plus the journal's tail beyond the marks, so
//! that a year's figures read about one row per member and session instead
//! of every input, and the live path writes nothing more.

use std::time::Instant;

use sqlx::Row;

use super::{Pool, Store, StoreError};

/// The rollup's time slot: a quarter of an hour, on which every time zone's
/// midnight falls (a period's bounds never split a slot).
pub const SLOT_MS: i64 = 15 * 60 * 1000;

/// The journal's inputs the statistics count, as an SQL condition on the
/// journal aliased `i`.
pub const COUNTED_INPUTS: &str =
    "i.action IN ('answer', 'post', 'open') AND (i.role = 'participant' OR i.action = 'open')";

/// A transaction rolls rooms up until it holds about this many inputs (the
/// write lock is held that long on SQLite).
const INPUTS_PER_TRANSACTION: i64 = 20_000;

/// A room behind: its mark (-1: none yet) and its last journal position.
struct Behind {
    room: String,
    tenant: String,
    kind: String,
    mark: i64,
    last: i64,
}

impl Store {
    /// Rolls every room's journal up to its last position. Safe to run on
    /// several nodes at once: a room's mark moves from the value read
    /// (compare and set) in the transaction that adds its counts, so a
    /// range is counted once.
    /// Returns how many rooms it rolled up.
    pub async fn roll_up_inputs(&self) -> Result<u64, StoreError> {
        let started = Instant::now();
        let behind = self.rooms_behind().await?;
        let mut done = 0;
        let mut batch: Vec<&Behind> = Vec::new();
        let mut pending = 0;
        for room in &behind {
            batch.push(room);
            pending += room.last - room.mark;
            if pending >= INPUTS_PER_TRANSACTION {
                self.roll_up(&batch, &mut done).await?;
                batch.clear();
                pending = 0;
            }
        }
        if !batch.is_empty() {
            self.roll_up(&batch, &mut done).await?;
        }
        self.observe("roll_up_inputs", started);
        Ok(done)
    }

    /// The rooms whose journal goes beyond their mark.
    async fn rooms_behind(&self) -> Result<Vec<Behind>, StoreError> {
        let sql = "SELECT x.room, x.tenant, x.kind, x.mark, x.last FROM (SELECT r.id AS room, r.tenant, r.kind, \
                   COALESCE((SELECT m.position FROM input_rollup_marks m WHERE m.room = r.id), -1) AS mark, \
                   (SELECT MAX(i.position) FROM room_inputs i WHERE i.room = r.id) AS last FROM rooms r) x \
                   WHERE x.last > x.mark";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    Ok(Behind {
                        room: row.try_get(0)?,
                        tenant: row.try_get(1)?,
                        kind: row.try_get(2)?,
                        mark: row.try_get(3)?,
                        last: row.try_get(4)?,
                    })
                })
                .collect()
        })
    }

    /// Rolls `rooms` up to their `last` in one transaction; a room whose
    /// mark moved meanwhile (another node rolled it) is left to the next
    /// round.
    async fn roll_up(&self, rooms: &[&Behind], done: &mut u64) -> Result<(), StoreError> {
        let first_mark =
            "INSERT INTO input_rollup_marks (room, position) VALUES ($1, $2) ON CONFLICT (room) DO NOTHING";
        let next_mark = "UPDATE input_rollup_marks SET position = $3 WHERE room = $1 AND position = $2";
        let counts = format!(
            "INSERT INTO input_rollups (room, tenant, kind, member, action, slot, inputs) \
             SELECT i.room, $4, $5, i.member, i.action, i.at - i.at % {SLOT_MS}, COUNT(*) FROM room_inputs i \
             WHERE i.room = $1 AND i.position > $2 AND i.position <= $3 AND {COUNTED_INPUTS} \
             GROUP BY i.room, i.member, i.action, i.at - i.at % {SLOT_MS} \
             ON CONFLICT (room, member, action, slot) DO UPDATE SET inputs = input_rollups.inputs + excluded.inputs"
        );
        on_pool!(self, pool => {
            let mut transaction = pool.begin_with(self.begin_writing()).await?;
            let mut moved = 0;
            for room in rooms {
                let mark = if room.mark < 0 {
                    sqlx::query(first_mark).bind(&room.room).bind(room.last)
                } else {
                    sqlx::query(next_mark).bind(&room.room).bind(room.mark).bind(room.last)
                };
                let marked = mark.execute(&mut *transaction).await?.rows_affected();
                if marked == 0 {
                    continue;
                }
                sqlx::query(&counts)
                    .bind(&room.room)
                    .bind(room.mark)
                    .bind(room.last)
                    .bind(&room.tenant)
                    .bind(&room.kind)
                    .execute(&mut *transaction)
                    .await?;
                moved += 1;
            }
            transaction.commit().await?;
            *done += moved;
        });
        Ok(())
    }
}
