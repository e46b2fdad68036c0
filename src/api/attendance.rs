//! `/api/v1/sessions/{id}/attendance.csv`: the participation report of a
//! room, read from the store (so it works during the session, after it and
//! after a restart): one row per stretch of presence, with its minutes, then
//! one per stretch in the session's BigBlueButton meetings (role `video`,
//! room the meeting id), from their webhooks.

use axum::extract::{Path, State};
use axum::response::Response;

use super::rooms::{require_leader, visible_room};
use super::{ApiError, Bearer, download};
use crate::app::AppState;

/// `GET /api/v1/sessions/{id}/attendance.csv`
pub async fn csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    let stretches = app.store.attendance(&[handle.id()]).await.map_err(ApiError::internal)?;
    let now = crate::hub::now_ms() as i64;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["member", "name", "role", "guest", "room", "joined_at", "left_at", "minutes"])
        .map_err(ApiError::internal)?;
    for stretch in &stretches {
        // A stretch still open counts until now.
        let end = stretch.left_at.unwrap_or(now);
        let minutes = (end - stretch.joined_at).max(0) as f64 / 60_000.0;
        writer
            .write_record([
                stretch.member.as_str(),
                stretch.member_name.as_str(),
                stretch.role.as_str(),
                if stretch.guest { "yes" } else { "no" },
                handle.record.title.as_str(),
                &timestamp(stretch.joined_at),
                &stretch.left_at.map(timestamp).unwrap_or_default(),
                &format!("{minutes:.1}"),
            ])
            .map_err(ApiError::internal)?;
    }
    // Time in the session's video rooms, from BigBlueButton's webhooks.
    let prefix = crate::bbb::attendance::meeting_prefix(&handle.id().to_string());
    let events = app.store.bbb_events(&prefix).await.map_err(ApiError::internal)?;
    for stretch in crate::bbb::attendance::video_stretches(&events) {
        let end = stretch.left_at.unwrap_or(now);
        let minutes = (end - stretch.joined_at).max(0) as f64 / 60_000.0;
        writer
            .write_record([
                stretch.member.as_str(),
                stretch.name.as_str(),
                "video",
                "",
                stretch.meeting.as_str(),
                &timestamp(stretch.joined_at),
                &stretch.left_at.map(timestamp).unwrap_or_default(),
                &format!("{minutes:.1}"),
            ])
            .map_err(ApiError::internal)?;
    }
    download::csv(&format!("attendance-{id}.csv"), writer)
}

fn timestamp(ms: i64) -> String {
    download::timestamp(u64::try_from(ms).unwrap_or(0))
}
