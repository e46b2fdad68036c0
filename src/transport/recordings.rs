//! Publishing a recording to the plenary: a leader names it by
//! `record_id`, and the server fills in what BigBlueButton told of it (its
//! atelier, BigBlueButton's player link, start and length) from the store,
//! asking `getRecordings` first when the store does not know its link yet.
//! The room then shows it like a production. A client never supplies the
//! link itself.

use amphi_protocol::ErrorCode;
use amphi_protocol::breakout::{BreakoutCommand, SharedRecording};

use crate::activity::Refusal;
use crate::app::AppState;

/// Fills a `publish_recording` command; any other passes unchanged.
pub async fn prepare(
    app: &AppState,
    tenant: &str,
    room: &str,
    command: BreakoutCommand,
) -> Result<BreakoutCommand, Refusal> {
    let BreakoutCommand::PublishRecording { record_id, recording } = command else {
        return Ok(command);
    };
    if recording.is_some() {
        return Err(Refusal::new(
            ErrorCode::InvalidField,
            "`recording` is filled by the server: send `record_id` only",
        ));
    }
    let not_found = || Refusal::new(ErrorCode::NotFound, "this session has no such recording ready to play");
    let unavailable = |error: crate::store::StoreError| {
        tracing::warn!(%error, "cannot read the session's recordings");
        Refusal::new(ErrorCode::Unavailable, "the recordings cannot be read right now")
    };
    let id = uuid::Uuid::parse_str(room).map_err(|_| not_found())?;
    let Ok(Some(handle)) = app.hub.room(id).await else { return Err(not_found()) };
    if handle.record.tenant != tenant {
        return Err(not_found());
    }
    let playable = |records: Vec<crate::store::RecordingRecord>| {
        records.into_iter().find(|r| r.record_id == record_id && !r.playback_url.is_empty())
    };
    let mut found = playable(app.store.recordings(room).await.map_err(unavailable)?);
    if found.is_none() {
        crate::api::refresh_recordings(app, &handle).await;
        found = playable(app.store.recordings(room).await.map_err(unavailable)?);
    }
    let record = found.ok_or_else(not_found)?;
    let recording = SharedRecording {
        record_id: record.record_id.clone(),
        atelier: record.atelier,
        atelier_name: String::new(),
        url: record.playback_url,
        started_at: u64::try_from(record.started_at).unwrap_or(0),
        length_minutes: u32::try_from(record.length_minutes).unwrap_or(u32::MAX),
        at: 0,
    };
    Ok(BreakoutCommand::PublishRecording { record_id, recording: Some(recording) })
}
