//! BigBlueButton webhook events as stored: written once each (a redelivery
//! changes nothing), read back per meeting for the attendance report. An
//! event that names its meeting by internal id only (bbb-webhooks sends
//! some during a burst) gets amphi's meeting id from that meeting's
//! `meeting-created`, whichever of the two arrives first.

use sqlx::Row;

use super::{Pool, Store, StoreError, now_ms};

/// One webhook event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BbbEventRecord {
    /// What makes a redelivery the same event (a webhook event's content
    /// digest; the analytics callback's meeting and attendee).
    pub key: String,
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
                // One statement (a read first would make SQLite's deferred
                // transaction fail to take the write lock under load): an
                // event naming no meeting of amphi takes it from the
                // meeting's events already stored.
                let inserted = sqlx::query(
                    "INSERT INTO bbb_events (dedup_key, event, at, internal_meeting, internal_user, meeting, member, \
                     member_name, body, received_at) VALUES ($1, $2, $3, $4, $5, \
                     CASE WHEN $6 = '' AND $4 <> '' THEN COALESCE((SELECT meeting FROM bbb_events \
                     WHERE internal_meeting = $4 AND meeting <> '' LIMIT 1), '') ELSE $6 END, $7, $8, $9, $10) \
                     ON CONFLICT (dedup_key) DO NOTHING",
                )
                .bind(&event.key)
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
                new += inserted;
                if inserted > 0
                    && event.event == "meeting-created"
                    && !event.meeting.is_empty()
                    && !event.internal_meeting.is_empty()
                {
                    // Events that came before this meeting was known by amphi's id.
                    sqlx::query("UPDATE bbb_events SET meeting = $1 WHERE internal_meeting = $2 AND meeting = ''")
                        .bind(&event.meeting)
                        .bind(&event.internal_meeting)
                        .execute(&mut *transaction)
                        .await?;
                }
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
                "SELECT dedup_key, event, at, internal_meeting, internal_user, meeting, member, member_name, body \
                 FROM bbb_events WHERE meeting LIKE $1 ESCAPE '\\' ORDER BY at, event, dedup_key",
            )
            .bind(pattern)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(BbbEventRecord {
                        key: row.try_get("dedup_key")?,
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
