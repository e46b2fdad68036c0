//! The trash of a leader's rooms: `DELETE /api/v1/rooms/{id}` moves one of
//! their rooms there (its live room closed, its join code no longer found),
//! `GET /api/v1/trash` lists it, `POST /api/v1/trash/{id}/restore` brings a
//! room back, `DELETE /api/v1/trash/{id}` and `DELETE /api/v1/trash`
//! delete for good (what is left of the files goes with the upload sweep).
//! Rooms stay `store.trash_retention_days` in the trash.

use std::sync::Arc;

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use super::rooms::{require_leader, room_json};
use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::auth::Member;
use crate::store::TrashedRoom;

/// Most rooms `GET /api/v1/trash` lists.
pub const TRASH_LIMIT: u32 = 200;

const DAY_MS: i64 = 24 * 3600 * 1000;

fn room_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound, "no room has this id in your trash")
}

fn room_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| room_not_found())
}

/// `DELETE /api/v1/rooms/{id}`: the caller's room goes to their trash.
/// Another tenant's room is not found; another leader's is `forbidden`.
pub async fn trash(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound, "no room has this id");
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let record = app.store.room(id).await.map_err(ApiError::internal)?.ok_or_else(not_found)?;
    if !member.may_enter(&record.tenant, id) {
        return Err(not_found());
    }
    if record.created_by != member.id {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only its creator trashes a room"));
    }
    let now = crate::hub::now_ms() as i64;
    if !app.store.trash_room(&member.tenant, &member.id, id, now).await.map_err(ApiError::internal)? {
        return Err(not_found());
    }
    // Found by neither id nor code from now on: the live room stops where
    // it runs (its owner, when another node runs it) and here, its
    // connections are closed (4012; they resume into `room_not_found`).
    if let Some(cluster) = app.hub.cluster() {
        match cluster.owners(&[id]).await.map(|mut owners| owners.pop().flatten()) {
            Ok(Some(owner)) if owner != cluster.node => {
                let remote = crate::cluster::RemoteRoom::new(id, owner, Arc::clone(cluster));
                if remote.close().await.is_err() {
                    tracing::warn!(room = %id, "the node running a trashed room did not answer: it stops with its lease");
                }
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, room = %id, "cannot tell which node runs a trashed room"),
        }
    }
    crate::cluster::close_here(&app.hub, &app.fanout, id, record.join_code.as_deref()).await;
    tracing::info!(room = %id, by = %member.id, "room moved to the trash");
    let trashed = TrashedRoom { room: record, deleted_at: now };
    Ok(Json(trashed_json(&app, &trashed)).into_response())
}

/// `GET /api/v1/trash`: the caller's trashed rooms, last trashed first.
pub async fn list(State(app): State<AppState>, Bearer(member): Bearer) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let rooms = app.store.trashed_rooms(&member.tenant, &member.id, TRASH_LIMIT).await.map_err(ApiError::internal)?;
    let rooms: Vec<serde_json::Value> = rooms.iter().map(|room| trashed_json(&app, room)).collect();
    Ok(Json(json!({ "rooms": rooms, "retention_days": app.config.store.trash_retention_days })).into_response())
}

/// `POST /api/v1/trash/{id}/restore`: the room is back, with its code.
pub async fn restore(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let id = room_id(&id)?;
    if !app.store.restore_room(&member.tenant, &member.id, id).await.map_err(ApiError::internal)? {
        return Err(room_not_found());
    }
    let record = app.store.room(id).await.map_err(ApiError::internal)?.ok_or_else(room_not_found)?;
    Ok(Json(room_json(&record)).into_response())
}

/// `DELETE /api/v1/trash/{id}`: deleted for good.
pub async fn delete_one(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let id = room_id(&id)?;
    let deleted = delete(&app, &member, Some(id)).await?;
    if deleted == 0 {
        return Err(room_not_found());
    }
    Ok(Json(json!({ "deleted": deleted })).into_response())
}

/// `DELETE /api/v1/trash`: the trash emptied.
pub async fn empty(State(app): State<AppState>, Bearer(member): Bearer) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let deleted = delete(&app, &member, None).await?;
    Ok(Json(json!({ "deleted": deleted })).into_response())
}

async fn delete(app: &AppState, member: &Member, id: Option<Uuid>) -> Result<usize, ApiError> {
    let deleted = app.store.delete_trashed(&member.tenant, &member.id, id).await.map_err(ApiError::internal)?;
    if !deleted.is_empty() {
        tracing::info!(rooms = deleted.len(), by = %member.id, "rooms deleted for good");
    }
    Ok(deleted.len())
}

fn trashed_json(app: &AppState, trashed: &TrashedRoom) -> serde_json::Value {
    let days = i64::try_from(app.config.store.trash_retention_days).unwrap_or(i64::MAX / DAY_MS);
    let mut room = room_json(&trashed.room);
    room["deleted_at"] = json!(trashed.deleted_at);
    room["purge_at"] = if days == 0 { json!(null) } else { json!(trashed.deleted_at + days * DAY_MS) };
    room
}
