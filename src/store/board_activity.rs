//! A board's activity log, read from its input journal (nothing more is
//! written for it): the room's accepted board commands, newest first, a
//! page at a time, and how many posts the journal created before a place
//! (post ids follow the order of creation).

use std::time::Instant;

use sqlx::Row;
use uuid::Uuid;

use super::{InputKind, InputRecord, Pool, Store, StoreError};

impl Store {
    /// Up to `limit` board commands of `room` journaled before `before`
    /// (a journal position), newest first.
    pub async fn board_activity(&self, room: Uuid, before: i64, limit: u32) -> Result<Vec<InputRecord>, StoreError> {
        let started = Instant::now();
        let sql = "SELECT position, at, member, member_name, role, guest, kind, action, client_id, body FROM room_inputs \
                   WHERE room = $1 AND position < $2 AND kind = $3 ORDER BY position DESC LIMIT $4";
        let records = on_pool!(self, pool => {
            let rows = sqlx::query(sql)
                .bind(room.to_string())
                .bind(before)
                .bind(InputKind::Board.as_str())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| input_record!(row, room))
                .collect::<Result<Vec<_>, _>>()?
        });
        self.observe("board_activity", started);
        Ok(records)
    }

    /// How many `post` commands `room`'s journal holds before `position`.
    pub async fn board_posts_before(&self, room: Uuid, position: i64) -> Result<i64, StoreError> {
        let sql =
            "SELECT COUNT(*) FROM room_inputs WHERE room = $1 AND position < $2 AND kind = $3 AND action = 'post'";
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(sql)
                .bind(room.to_string())
                .bind(position)
                .bind(InputKind::Board.as_str())
                .fetch_one(pool)
                .await?
        }))
    }
}
