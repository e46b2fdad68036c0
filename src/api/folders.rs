//! A leader's folders and favourites for their rooms ("Mes sessions"):
//! `GET`/`POST /api/v1/folders`, `PUT`/`DELETE /api/v1/folders/{id}` (a
//! deleted folder's rooms go back to the root), and `PUT
//! /api/v1/rooms/{id}/mark` to move a room to a folder or star it. Per
//! member: nobody else sees or uses them.

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::rooms::require_leader;
use super::{ApiError, Bearer, parse_json};
use crate::app::AppState;
use crate::auth::Member;
use crate::store::FolderRecord;

/// Longest folder name, in characters.
pub const MAX_FOLDER_NAME_CHARS: usize = 80;
/// Folders one member has.
pub const MAX_FOLDERS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    name: String,
}

fn folder_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "you have no folder with this id")
}

fn folder_name(body: &Bytes) -> Result<String, ApiError> {
    let named: Named = parse_json(body)?;
    let name = named.name.trim();
    if name.is_empty() || name.chars().count() > MAX_FOLDER_NAME_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::OutOfRange,
            format!("a folder's `name` has 1 to {MAX_FOLDER_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_string())
}

fn folder_json(folder: &FolderRecord) -> serde_json::Value {
    json!({ "id": folder.id, "name": folder.name, "rooms": folder.rooms, "created_at": folder.created_at })
}

/// `GET /api/v1/folders`: the caller's folders by name, with their counts.
pub async fn list(State(app): State<AppState>, Bearer(member): Bearer) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let folders = app.store.folders(&member.tenant, &member.id).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "folders": folders.iter().map(folder_json).collect::<Vec<_>>() })).into_response())
}

/// `POST /api/v1/folders` `{"name"}`.
pub async fn create(State(app): State<AppState>, Bearer(member): Bearer, body: Bytes) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let name = folder_name(&body)?;
    let count = app.store.folders(&member.tenant, &member.id).await.map_err(ApiError::internal)?.len();
    if count >= MAX_FOLDERS {
        app.metrics.abuse.with_label_values(&["folders_full"]).inc();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::OutOfRange,
            format!("you have {MAX_FOLDERS} folders already: delete one first"),
        ));
    }
    let folder =
        FolderRecord { id: Uuid::new_v4().to_string(), name, created_at: crate::hub::now_ms() as i64, rooms: 0 };
    app.store.create_folder(&member.tenant, &member.id, &folder).await.map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(folder_json(&folder))).into_response())
}

/// `PUT /api/v1/folders/{id}` `{"name"}`: renamed.
pub async fn rename(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let name = folder_name(&body)?;
    if !app.store.rename_folder(&member.tenant, &member.id, &id, &name).await.map_err(ApiError::internal)? {
        return Err(folder_not_found());
    }
    Ok(Json(json!({ "id": id, "name": name })).into_response())
}

/// `DELETE /api/v1/folders/{id}`: its rooms go back to the root.
pub async fn delete(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    if !app.store.delete_folder(&member.tenant, &member.id, &id).await.map_err(ApiError::internal)? {
        return Err(folder_not_found());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /api/v1/rooms/{id}/mark` `{"folder": id | null, "favourite": bool}`
/// (either may be left out: it stays): where the caller keeps one of their
/// rooms.
pub async fn mark(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let bad = |message: &str| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, message);
    let serde_json::Value::Object(fields) = parse_json::<serde_json::Value>(&body)? else {
        return Err(bad("expected an object with `folder` and/or `favourite`"));
    };
    if let Some(unknown) = fields.keys().find(|key| !matches!(key.as_str(), "folder" | "favourite")) {
        return Err(bad(&format!("unknown field `{unknown}`")));
    }
    let room = own_room(&app, &member, &id).await?;
    let (mut folder, mut favourite) =
        app.store.room_mark(&member.tenant, &member.id, room).await.map_err(ApiError::internal)?;
    match fields.get("folder") {
        None => {}
        Some(serde_json::Value::Null) => folder = None,
        Some(serde_json::Value::String(wanted)) => {
            if !app.store.has_folder(&member.tenant, &member.id, wanted).await.map_err(ApiError::internal)? {
                return Err(folder_not_found());
            }
            folder = Some(wanted.clone());
        }
        Some(_) => return Err(bad("`folder` is a folder's id or null")),
    }
    match fields.get("favourite") {
        None => {}
        Some(serde_json::Value::Bool(starred)) => favourite = *starred,
        Some(_) => return Err(bad("`favourite` is true or false")),
    }
    let now = crate::hub::now_ms() as i64;
    app.store
        .mark_room(&member.tenant, &member.id, room, folder.as_deref(), favourite, now)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({ "id": room, "folder": folder, "favourite": favourite })).into_response())
}

/// Room `id` if the caller created it (and it is out of the trash):
/// another tenant's is not found, another leader's `forbidden`.
async fn own_room(app: &AppState, member: &Member, id: &str) -> Result<Uuid, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound, "no room has this id");
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let record = app.store.room(id).await.map_err(ApiError::internal)?.ok_or_else(not_found)?;
    if !member.may_enter(&record.tenant, id) {
        return Err(not_found());
    }
    if record.created_by != member.id {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only its creator files a room"));
    }
    Ok(id)
}
