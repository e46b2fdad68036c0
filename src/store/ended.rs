//! Members whose earlier tokens were ended (a guest who left their room, a
//! member a leader removed): their resume tokens stop working.

use std::time::Instant;

use sqlx::Row;

use super::{Pool, Store, StoreError};

impl Store {
    /// Ends the tokens of `member` issued up to `at` (ms since the epoch).
    pub async fn end_member(&self, member: &str, at: i64) -> Result<(), StoreError> {
        let started = Instant::now();
        let sql = "INSERT INTO ended_members (member, ended_at) VALUES ($1, $2) \
                   ON CONFLICT (member) DO UPDATE SET ended_at = excluded.ended_at";
        on_pool!(self, pool => sqlx::query(sql).bind(member).bind(at).execute(pool).await.map(drop))?;
        self.observe("end_member", started);
        Ok(())
    }

    /// When the tokens of `member` were last ended, if ever.
    pub async fn member_ended_at(&self, member: &str) -> Result<Option<i64>, StoreError> {
        let started = Instant::now();
        let sql = "SELECT ended_at FROM ended_members WHERE member = $1";
        let at = on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(member).fetch_optional(pool).await?;
            row.map(|row| row.try_get::<i64, _>("ended_at")).transpose()?
        });
        self.observe("member_ended_at", started);
        Ok(at)
    }
}
