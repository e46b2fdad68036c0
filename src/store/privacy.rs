//! Data protection: the retention purge of guests' personal data and the
//! deletion of one user's data everywhere (RGPD right to erasure).

use serde::Serialize;

use super::{Pool, Store, StoreError};

/// What a deletion removed, by kind of record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Deletion {
    pub inputs: u64,
    pub attendance: u64,
    pub completions: u64,
    pub outbox: u64,
    /// BigBlueButton events naming them in the tenant's video rooms.
    pub video_events: u64,
}

impl Store {
    /// Blanks the names of guests recorded before `before` (milliseconds
    /// since the epoch), in the journal, the attendance and the
    /// BigBlueButton events (whose body, holding the name too, is emptied).
    /// Guests are known by nothing else; their answers and video time stay,
    /// anonymous. Returns the rows changed.
    pub async fn purge_guests(&self, before: i64) -> Result<u64, StoreError> {
        let inputs = "UPDATE room_inputs SET member_name = '' WHERE guest = $1 AND at < $2 AND member_name <> ''";
        let attendance =
            "UPDATE attendance SET member_name = '' WHERE guest = $1 AND joined_at < $2 AND member_name <> ''";
        let video = "UPDATE bbb_events SET member_name = '', body = '{}' WHERE received_at < $2 AND body <> '{}' \
                     AND member IN (SELECT member FROM attendance WHERE guest = $1)";
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let mut changed = 0;
            for sql in [inputs, attendance, video] {
                changed += sqlx::query(sql).bind(true).bind(before).execute(&mut *transaction).await?.rows_affected();
            }
            transaction.commit().await?;
            Ok(changed)
        })
    }

    /// Deletes everything stored about `user` in the rooms and activities of
    /// `tenant`: their inputs (answers included), attendance, completions
    /// outbox messages, and the BigBlueButton events naming them in the
    /// tenant's video rooms (meetings `amphi-{room}...`). One transaction.
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
            transaction.commit().await?;
            let [inputs, attendance, completions, outbox, video_events] = counts;
            Ok(Deletion { inputs, attendance, completions, outbox, video_events })
        })
    }
}
