//! Recordings of a session's BigBlueButton meetings. `POST
//! /api/v1/bbb/recordings/ready`: BigBlueButton's recording-ready callback
//! (`signed_parameters`, a JWT signed HS256 with the shared secret, naming
//! the meeting and the recording), after which the recording's playback
//! link is asked of `getRecordings`. `GET /api/v1/sessions/{id}/recordings`
//! (leaders): the session's recordings per atelier, asked of
//! `getRecordings` first (the fallback when a callback was lost, or the
//! server sends none) and answered from the store when BigBlueButton
//! cannot be reached. `DELETE /api/v1/sessions/{id}/recordings[/{record}]`
//! (leaders): deleted on BigBlueButton (`deleteRecordings`) and here.

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::rooms::{require_leader, visible_room};
use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::bbb::recordings::verify_recording_ready;
use crate::bbb::request::{META_ATELIER, META_SESSION};
use crate::bbb::{Recording, RecordingsQuery};
use crate::hub::RoomHandle;
use crate::store::RecordingRecord;

/// `POST /api/v1/bbb/recordings/ready` (and `GET`, with `signed_parameters`
/// in the query, as Moodle's mock sends it). Answered at once (202): the
/// recording's details are asked of `getRecordings` in the background, as a
/// server may wait for this answer before it answers anything else.
pub async fn ready(
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let config = &app.config.bbb;
    if app.bbb.is_none() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "BigBlueButton is not configured"));
    }
    let form = if body.is_empty() { Bytes::from(query.unwrap_or_default()) } else { body };
    let ready = verify_recording_ready(&config.secret, &form).map_err(|error| {
        tracing::warn!(%error, "a BigBlueButton recording-ready callback failed authentication");
        app.bbb_refusals.record("recording_ready", error.reason(), crate::hub::now_ms() as i64);
        ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, error.to_string())
    })?;
    let mut atelier = None;
    if !ready.meeting_id.is_empty() {
        // The meeting is told: the announcement is stored now.
        let Some((room, of)) = session_of(&ready.meeting_id) else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "this meeting is not one of amphi's",
            ));
        };
        if app.store.room(room).await.map_err(ApiError::internal)?.is_none() {
            return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound, "no session has this meeting"));
        }
        let announced = RecordingRecord {
            record_id: ready.record_id.clone(),
            room: room.to_string(),
            atelier: of.clone(),
            meeting: ready.meeting_id.clone(),
            name: String::new(),
            state: "ready".into(),
            published: true,
            started_at: 0,
            ended_at: 0,
            participants: 0,
            playback_format: String::new(),
            playback_url: String::new(),
            length_minutes: 0,
        };
        app.store.upsert_recordings(std::slice::from_ref(&announced)).await.map_err(ApiError::internal)?;
        atelier = Some(of);
    }
    tracing::info!(record = %ready.record_id, meeting = %ready.meeting_id, "a recording is ready");
    tokio::spawn(complete(app.clone(), ready.record_id.clone()));
    Ok((StatusCode::ACCEPTED, Json(json!({ "record_id": ready.record_id, "atelier": atelier }))))
}

/// Asks `getRecordings` for an announced recording and stores it, if it is
/// a recording of one of amphi's sessions.
async fn complete(app: AppState, record_id: String) {
    let Some(bbb) = &app.bbb else { return };
    let query = RecordingsQuery { record_ids: vec![record_id.clone()], ..RecordingsQuery::default() };
    let listed = match bbb.get_recordings(&query).await {
        Ok(listed) => listed.into_iter().find(|r| r.record_id == record_id),
        Err(error) => {
            tracing::warn!(%error, record = %record_id, "cannot ask BigBlueButton for a recording it announced");
            return;
        }
    };
    let Some(listed) = listed else {
        tracing::warn!(record = %record_id, "BigBlueButton does not list a recording it announced");
        return;
    };
    let Some((room, _)) = session_of(&listed.meeting_id) else {
        tracing::warn!(record = %record_id, meeting = %listed.meeting_id, "an announced recording is not of amphi's");
        return;
    };
    match app.store.room(room).await {
        Ok(Some(_)) => {}
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "cannot check an announced recording's session");
            return;
        }
    }
    if let Err(error) = app.store.upsert_recordings(&[record_of(&room.to_string(), &listed)]).await {
        tracing::warn!(%error, record = %record_id, "cannot store an announced recording");
    }
}

/// `GET /api/v1/sessions/{id}/recordings`
pub async fn list(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    if app.bbb.is_none() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "BigBlueButton is not configured"));
    }
    let refreshed = refresh(&app, &handle).await;
    let recordings = app.store.recordings(&handle.id().to_string()).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "recordings": recordings, "refreshed": refreshed })))
}

/// `DELETE /api/v1/sessions/{id}/recordings`: every recording of the session.
pub async fn delete_all(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    // Those BigBlueButton has and no callback told of are deleted too.
    refresh(&app, &handle).await;
    let ids: Vec<String> = app
        .store
        .recordings(&handle.id().to_string())
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|r| r.record_id)
        .collect();
    delete(&app, &handle, ids).await
}

/// `DELETE /api/v1/sessions/{id}/recordings/{record}`
pub async fn delete_one(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path((id, record)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    let known = app.store.recordings(&handle.id().to_string()).await.map_err(ApiError::internal)?;
    if !known.iter().any(|r| r.record_id == record) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this session has no such recording"));
    }
    delete(&app, &handle, vec![record]).await
}

/// Deletes recordings on BigBlueButton, then here, one by one. One
/// BigBlueButton no longer has counts as deleted there.
async fn delete(app: &AppState, handle: &RoomHandle, ids: Vec<String>) -> Result<Json<Value>, ApiError> {
    if ids.is_empty() {
        return Ok(Json(json!({ "deleted": 0 })));
    }
    let Some(bbb) = &app.bbb else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "BigBlueButton is not configured"));
    };
    let mut done = Vec::new();
    // One call per recording: Moodle's mock reads one `recordID` only (a
    // real server takes a list), and a `notFound` then means that one.
    for id in &ids {
        match bbb.delete_recordings(std::slice::from_ref(id)).await {
            Ok(()) => {}
            Err(error) if error.message_key() == Some("notFound") => {}
            Err(error) => {
                tracing::warn!(%error, record = %id, "cannot delete a recording on BigBlueButton");
                let deleted =
                    app.store.delete_recordings(&handle.id().to_string(), &done).await.map_err(ApiError::internal)?;
                tracing::info!(room = %handle.id(), deleted, "recordings deleted before BigBlueButton failed");
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "BigBlueButton could not delete every recording: those it did not delete are kept, try again later",
                ));
            }
        }
        done.push(id.clone());
    }
    let deleted = app.store.delete_recordings(&handle.id().to_string(), &ids).await.map_err(ApiError::internal)?;
    tracing::info!(room = %handle.id(), deleted, "recordings deleted");
    Ok(Json(json!({ "deleted": deleted })))
}

/// Asks BigBlueButton for the recordings of the session's meetings and
/// stores what it says. `false`: BigBlueButton is not configured or could
/// not answer (what is stored is all there is).
pub async fn refresh(app: &AppState, handle: &RoomHandle) -> bool {
    refresh_session(app, handle.id()).await
}

/// [`refresh`] for a session known by its id.
async fn refresh_session(app: &AppState, session: uuid::Uuid) -> bool {
    let Some(bbb) = &app.bbb else { return false };
    let room = session.to_string();
    let prefix = crate::bbb::attendance::meeting_prefix(&room);
    // By the session's metadata, which every meeting of the session carries
    // (a meetingID list fails on servers that refuse an unknown meeting);
    // only the session's own meetings are kept, whatever the server's
    // filters do.
    let query =
        RecordingsQuery { metadata: vec![(META_SESSION.to_string(), room.clone())], ..RecordingsQuery::default() };
    match bbb.get_recordings(&query).await {
        Ok(listed) => {
            let records: Vec<RecordingRecord> = listed
                .iter()
                .filter(|r| r.meeting_id == prefix || r.meeting_id.starts_with(&format!("{prefix}-")))
                .map(|r| record_of(&room, r))
                .collect();
            if let Err(error) = app.store.upsert_recordings(&records).await {
                tracing::warn!(%error, "cannot store the session's recordings");
                return false;
            }
            true
        }
        Err(error) => {
            tracing::warn!(%error, %room, "cannot list the session's recordings");
            false
        }
    }
}

/// After a meeting of a session ended (its `meeting-ended` webhook), when
/// its recording may come: BigBlueButton processes a recording for minutes
/// after the meeting, so `getRecordings` is asked at once and then after
/// each of these pauses, until the meeting's recording is stored.
const AFTER_END_PAUSES: [std::time::Duration; 3] =
    [std::time::Duration::from_secs(120), std::time::Duration::from_secs(600), std::time::Duration::from_secs(1800)];

/// Polls `getRecordings` for a meeting that ended, in the background (a
/// recording-ready callback may never come: no public address, or a server
/// without the post-publish script). Stops when the node shuts down.
pub fn poll_after_end(app: &AppState, meeting_id: &str) {
    let Some((session, _)) = session_of(meeting_id) else { return };
    if app.bbb.is_none() {
        return;
    }
    let (app, meeting) = (app.clone(), meeting_id.to_string());
    tokio::spawn(async move {
        let room = session.to_string();
        for pause in std::iter::once(std::time::Duration::ZERO).chain(AFTER_END_PAUSES) {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = app.shutdown.cancelled() => return,
            }
            if !matches!(app.store.room(session).await, Ok(Some(_))) {
                return;
            }
            refresh_session(&app, session).await;
            let found = app.store.recordings(&room).await.is_ok_and(|r| r.iter().any(|r| r.meeting == meeting));
            if found {
                return;
            }
        }
    });
}

/// The session and atelier of an amphi meeting id
/// (`amphi-{session}-{atelier}`, or `amphi-{session}` for the session's own).
fn session_of(meeting_id: &str) -> Option<(uuid::Uuid, String)> {
    let rest = meeting_id.strip_prefix("amphi-")?;
    let session = uuid::Uuid::parse_str(rest.get(..36)?).ok()?;
    let atelier = match rest.get(36..)? {
        "" => String::new(),
        tail => tail.strip_prefix('-')?.to_string(),
    };
    Some((session, atelier))
}

/// A recording as stored: the first playback format BigBlueButton lists
/// (the presentation player where there is one).
fn record_of(room: &str, recording: &Recording) -> RecordingRecord {
    let atelier = recording
        .metadata
        .get(META_ATELIER)
        .cloned()
        .or_else(|| session_of(&recording.meeting_id).map(|(_, atelier)| atelier))
        .unwrap_or_default();
    let playback =
        recording.playback.iter().find(|format| format.format == "presentation").or_else(|| recording.playback.first());
    let number = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    RecordingRecord {
        record_id: recording.record_id.clone(),
        room: room.to_string(),
        atelier,
        meeting: recording.meeting_id.clone(),
        name: recording.name.clone(),
        state: recording.state.clone(),
        published: recording.published,
        started_at: number(recording.start_time_ms),
        ended_at: number(recording.end_time_ms),
        participants: number(recording.participants),
        playback_format: playback.map(|p| p.format.clone()).unwrap_or_default(),
        playback_url: playback.map(|p| p.url.clone()).unwrap_or_default(),
        length_minutes: playback.map_or(0, |p| number(p.length_minutes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_ids_name_their_session_and_atelier() {
        let id = "7f9c1f0e-6a38-4c41-9b1e-2f1d8f3f5b10";
        let session = uuid::Uuid::parse_str(id).unwrap();
        assert_eq!(session_of(&format!("amphi-{id}-a-1")), Some((session, "a-1".into())));
        assert_eq!(session_of(&format!("amphi-{id}")), Some((session, String::new())));
        assert_eq!(session_of(&format!("amphi-{id}x")), None);
        assert_eq!(session_of("amphi-short"), None);
        assert_eq!(session_of("other-meeting"), None);
    }
}
