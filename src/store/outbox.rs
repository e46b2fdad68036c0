//! The outbox's rows: written with the change they announce (see
//! `journal.rs`), read and marked by the delivery worker (`crate::outbox`).

use serde_json::json;
use sqlx::Row;

use super::{CompletionRecord, Pool, Store, StoreError};

/// One message waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecord {
    /// The stable delivery id: receivers deduplicate on it.
    pub id: String,
    pub tenant: String,
    pub topic: String,
    pub user: String,
    /// The JSON body to deliver.
    pub payload: String,
    pub created_at: i64,
    pub attempts: i32,
}

/// The JSON announcing a completion change.
pub fn completion_payload(c: &CompletionRecord) -> String {
    json!({
        "tenant": c.tenant,
        "activity": c.activity,
        "user": c.user,
        "state": c.state,
        "score": c.score,
        "max_score": c.max_score,
        "updated_at": c.updated_at,
    })
    .to_string()
}

impl Store {
    /// Undelivered rows of `topic` due at `now`, oldest first.
    pub async fn outbox_due(&self, topic: &str, now: i64, limit: i64) -> Result<Vec<OutboxRecord>, StoreError> {
        let sql = "SELECT id, tenant, topic, user_id, payload, created_at, attempts FROM outbox \
                   WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND topic = $3 ORDER BY created_at, id LIMIT $2";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(now).bind(limit).bind(topic).fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<OutboxRecord, StoreError> {
                    Ok(OutboxRecord {
                        id: row.try_get("id")?,
                        tenant: row.try_get("tenant")?,
                        topic: row.try_get("topic")?,
                        user: row.try_get("user_id")?,
                        payload: row.try_get("payload")?,
                        created_at: row.try_get("created_at")?,
                        attempts: row.try_get("attempts")?,
                    })
                })
                .collect()
        })
    }

    pub async fn outbox_delivered(&self, id: &str, at: i64) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2";
        on_pool!(self, pool => sqlx::query(sql).bind(at).bind(id).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Records a failed attempt; the row is tried again at `next_attempt_at`.
    pub async fn outbox_failed(&self, id: &str, next_attempt_at: i64, error: &str) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3";
        on_pool!(self, pool => sqlx::query(sql).bind(next_attempt_at).bind(error).bind(id).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Marks a row settled without a delivery (the receiver refused it for
    /// good, e.g. a platform's 409 for a grade older than the one it has).
    pub async fn outbox_settled(&self, id: &str, at: i64, why: &str) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = $2 WHERE id = $3";
        on_pool!(self, pool => sqlx::query(sql).bind(at).bind(why).bind(id).execute(pool).await.map(drop))?;
        Ok(())
    }

    /// How many rows wait for delivery.
    pub async fn outbox_pending(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL";
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
    }
}
