//! The ateliers of a breakout room: the participation report
//! (`participation.json`: per atelier and per member, from the room's
//! journal; `video`: time and engagement in the BigBlueButton rooms, each
//! with its source; `recordings`: the meetings' recordings, per atelier) and
//! each atelier's video room, where a member gets their
//! own signed BigBlueButton join URL (leaders as moderators): for an atelier
//! of the plan whose meeting exists, and for a participant their own atelier
//! only.

use amphi_protocol::{ErrorCode, RoomKind};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::rooms::{require_leader, visible_room};
use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::bbb::{JoinRequest, JoinRole};
use crate::hub::{RoomCommand, SERVICE_MEMBER_PREFIX, Who};
use crate::transport::breakout::meeting_id;

/// `GET /api/v1/sessions/{id}/participation.json`
pub async fn participation(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    let participation = handle.participation().await.map_err(|_| unavailable())?.ok_or_else(no_ateliers)?;
    let mut report = serde_json::to_value(participation).map_err(ApiError::internal)?;
    // The video rooms, from BigBlueButton, each figure with its source.
    let video = super::attendance::video_report(&app, &handle).await?;
    let now = crate::hub::now_ms() as i64;
    let prefix = format!("{}-", crate::bbb::attendance::meeting_prefix(&handle.id().to_string()));
    let stretches: Vec<Value> = video
        .stretches
        .iter()
        .map(|s| {
            json!({
                "member": s.member,
                "name": s.name,
                "meeting": s.meeting,
                "atelier": s.meeting.strip_prefix(&prefix),
                "joined_at": s.joined_at,
                "left_at": s.left_at,
                "ms": (s.left_at.unwrap_or(now) - s.joined_at).max(0),
                "source": s.source,
            })
        })
        .collect();
    let engagement: Vec<Value> = video
        .engagement
        .iter()
        .map(|e| {
            let mut value = serde_json::to_value(e).unwrap_or_default();
            value["atelier"] = json!(e.meeting.strip_prefix(&prefix));
            value
        })
        .collect();
    report["video"] = json!({ "stretches": stretches, "engagement": engagement });
    // The recordings of the ateliers' meetings, asked of BigBlueButton first.
    super::refresh_recordings(&app, &handle).await;
    let recordings = app.store.recordings(&handle.id().to_string()).await.map_err(ApiError::internal)?;
    report["recordings"] = serde_json::to_value(recordings).map_err(ApiError::internal)?;
    Ok(Json(report))
}

/// `GET /api/v1/sessions/{id}/ateliers/{atelier}/video`
pub async fn video(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path((id, atelier)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let handle = visible_room(&app, &member, &id).await?;
    if handle.record.kind != RoomKind::Breakout {
        return Err(no_ateliers());
    }
    let Some(bbb) = &app.bbb else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no video rooms: BigBlueButton is not configured",
        ));
    };
    let valid = !atelier.is_empty()
        && atelier.len() <= 64
        && atelier.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, "not an atelier id"));
    }
    // Ateliers of the plan only; a participant, their own atelier only.
    let access =
        handle.ateliers(member.id.as_str().into()).await.map_err(|_| unavailable())?.ok_or_else(no_ateliers)?;
    if !access.planned.contains(&atelier) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "the plan has no such atelier"));
    }
    if !member.role.leads() && access.assigned.as_deref() != Some(atelier.as_str()) {
        app.metrics.abuse.with_label_values(&["other_atelier_video"]).inc();
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "this is not your atelier"));
    }
    // A meeting that was never created (or has ended) cannot be joined.
    let meeting = meeting_id(handle.id(), &atelier);
    match bbb.get_meeting_info(&meeting).await {
        Ok(_) => {}
        Err(error) if error.is_not_found() => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::InvalidState,
                "this atelier has no video room yet (BigBlueButton has not created it)",
            ));
        }
        Err(error) => {
            tracing::warn!(%error, %meeting, "cannot check an atelier's video room");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "BigBlueButton cannot be reached right now",
            ));
        }
    }
    let join = JoinRequest {
        meeting_id: meeting,
        full_name: member.name.clone(),
        user_id: member.id.clone(),
        role: if member.role.leads() { JoinRole::Moderator } else { JoinRole::Viewer },
        password: None,
    };
    let url = bbb.join_url(&join).map_err(ApiError::internal)?;
    Ok(Json(json!({ "url": url })))
}

/// `POST /api/v1/sessions/{id}/ateliers/{atelier}/video/retry`: a leader
/// asks BigBlueButton for the atelier's meeting again, now (in the
/// background; the atelier's video link or problem follows in the room).
pub async fn retry_video(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path((id, atelier)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    if handle.record.kind != RoomKind::Breakout {
        return Err(no_ateliers());
    }
    if app.bbb.is_none() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "BigBlueButton is not configured"));
    }
    let who = Who {
        id: format!("{SERVICE_MEMBER_PREFIX}{}", member.id).into(),
        name: member.name.as_str().into(),
        role: member.role,
        guest: member.guest,
    };
    let id = format!("amphi-retry-{}", uuid::Uuid::new_v4().simple());
    match handle.command(who, id, RoomCommand::RetryVideo { atelier }).await {
        Ok(Ok(_)) => Ok((StatusCode::ACCEPTED, Json(json!({ "retrying": true })))),
        Ok(Err(refusal)) if refusal.code == ErrorCode::NotFound => {
            Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "the plan has no such atelier"))
        }
        Ok(Err(refusal)) => Err(ApiError::new(StatusCode::CONFLICT, refusal.code, refusal.message)),
        Err(_) => Err(unavailable()),
    }
}

fn no_ateliers() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this room runs no ateliers")
}

fn unavailable() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the room is not available right now")
}
