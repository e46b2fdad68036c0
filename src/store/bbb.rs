//! BigBlueButton webhook events as stored: written once each (a redelivery
//! changes nothing), read back per meeting for the attendance report.

use sqlx::Row;

use super::{Pool, Store, StoreError, now_ms};

/// One webhook event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BbbEventRecord {
    /// `meeting-created`, `user-joined`, `user-left`, `meeting-ended`, ...
    pub event: String,
    pub at: i64,
    pub internal_meeting: String,
    pub internal_user: String,
    /// The meetingID amphi gave (empty when the event names no meeting).
    pub meeting: String,
    /// The userID amphi gave (its member id; empty when none).
    pub member: String,
    pub member_name: String,
    /// The event's JSON as received.
    pub body: String,
}

impl Store {
    /// Stores events not seen before; returns how many were new.
    pub async fn record_bbb_events(&self, events: &[BbbEventRecord]) -> Result<u64, StoreError> {
        let received_at = now_ms();
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let mut new = 0;
            for event in events {
                new += sqlx::query(
                    "INSERT INTO bbb_events (event, at, internal_meeting, internal_user, meeting, member, \
                     member_name, body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (event, at, internal_meeting, internal_user) DO NOTHING",
                )
                .bind(&event.event)
                .bind(event.at)
                .bind(&event.internal_meeting)
                .bind(&event.internal_user)
                .bind(&event.meeting)
                .bind(&event.member)
                .bind(&event.member_name)
                .bind(&event.body)
                .bind(received_at)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            }
            transaction.commit().await?;
            Ok(new)
        })
    }

    /// The events of meetings whose id starts with `prefix`, oldest first.
    pub async fn bbb_events(&self, prefix: &str) -> Result<Vec<BbbEventRecord>, StoreError> {
        let pattern = format!("{}%", prefix.replace('%', "").replace('_', "\\_"));
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT event, at, internal_meeting, internal_user, meeting, member, member_name, body \
                 FROM bbb_events WHERE meeting LIKE $1 ESCAPE '\\' ORDER BY at, event",
            )
            .bind(pattern)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(BbbEventRecord {
                        event: row.try_get("event")?,
                        at: row.try_get("at")?,
                        internal_meeting: row.try_get("internal_meeting")?,
                        internal_user: row.try_get("internal_user")?,
                        meeting: row.try_get("meeting")?,
                        member: row.try_get("member")?,
                        member_name: row.try_get("member_name")?,
                        body: row.try_get("body")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }
}
