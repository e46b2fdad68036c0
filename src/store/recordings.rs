//! Recordings of BigBlueButton meetings, per session and atelier: upserted
//! as BigBlueButton tells of them (the recording-ready callback, then
//! `getRecordings`), listed for the facilitator and the participation
//! report, deleted with the session's recordings.

use serde::Serialize;
use sqlx::Row;

use super::{Pool, Store, StoreError, now_ms};

/// One recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordingRecord {
    pub record_id: String,
    /// The session (room id).
    pub room: String,
    /// The atelier whose meeting was recorded (empty: the session's own
    /// meeting).
    pub atelier: String,
    /// The BigBlueButton meeting id amphi gave.
    pub meeting: String,
    pub name: String,
    /// `processing`, `processed`, `published`, `unpublished`, or `ready`
    /// (announced by the callback, not yet listed by `getRecordings`).
    pub state: String,
    pub published: bool,
    /// Milliseconds since the epoch (0: not known yet).
    pub started_at: i64,
    pub ended_at: i64,
    pub participants: i64,
    /// `presentation`, `video`, ... (empty: not known yet).
    pub playback_format: String,
    /// Where BigBlueButton's player plays it (empty: not known yet).
    pub playback_url: String,
    pub length_minutes: i64,
}

impl Store {
    /// Stores recordings, or what is new about them. A recording only
    /// announced (no playback link) does not overwrite what `getRecordings`
    /// told already.
    pub async fn upsert_recordings(&self, recordings: &[RecordingRecord]) -> Result<(), StoreError> {
        let updated_at = now_ms();
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            for r in recordings {
                sqlx::query(
                    "INSERT INTO bbb_recordings (record_id, room, atelier, meeting, name, state, published, started_at, \
                     ended_at, participants, playback_format, playback_url, length_minutes, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                     ON CONFLICT (record_id) DO UPDATE SET name = excluded.name, state = excluded.state, \
                     published = excluded.published, started_at = excluded.started_at, ended_at = excluded.ended_at, \
                     participants = excluded.participants, playback_format = excluded.playback_format, \
                     playback_url = excluded.playback_url, length_minutes = excluded.length_minutes, \
                     updated_at = excluded.updated_at WHERE excluded.playback_url <> ''",
                )
                .bind(&r.record_id)
                .bind(&r.room)
                .bind(&r.atelier)
                .bind(&r.meeting)
                .bind(&r.name)
                .bind(&r.state)
                .bind(r.published)
                .bind(r.started_at)
                .bind(r.ended_at)
                .bind(r.participants)
                .bind(&r.playback_format)
                .bind(&r.playback_url)
                .bind(r.length_minutes)
                .bind(updated_at)
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await?;
            Ok(())
        })
    }

    /// A session's recordings, oldest first.
    pub async fn recordings(&self, room: &str) -> Result<Vec<RecordingRecord>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT record_id, room, atelier, meeting, name, state, published, started_at, ended_at, \
                 participants, playback_format, playback_url, length_minutes FROM bbb_recordings \
                 WHERE room = $1 ORDER BY started_at, record_id",
            )
            .bind(room)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(RecordingRecord {
                        record_id: row.try_get("record_id")?,
                        room: row.try_get("room")?,
                        atelier: row.try_get("atelier")?,
                        meeting: row.try_get("meeting")?,
                        name: row.try_get("name")?,
                        state: row.try_get("state")?,
                        published: row.try_get("published")?,
                        started_at: row.try_get("started_at")?,
                        ended_at: row.try_get("ended_at")?,
                        participants: row.try_get("participants")?,
                        playback_format: row.try_get("playback_format")?,
                        playback_url: row.try_get("playback_url")?,
                        length_minutes: row.try_get("length_minutes")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// Deletes these recordings of a session; returns how many rows went.
    pub async fn delete_recordings(&self, room: &str, record_ids: &[String]) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let mut deleted = 0;
            for id in record_ids {
                deleted += sqlx::query("DELETE FROM bbb_recordings WHERE room = $1 AND record_id = $2")
                    .bind(room)
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?
                    .rows_affected();
            }
            transaction.commit().await?;
            Ok(deleted)
        })
    }
}
