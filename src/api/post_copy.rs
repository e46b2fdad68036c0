//! `POST /api/v1/boards/{board}/posts/{post}/copy` `{"to", "section"?}`: a
//! copy of a post on another board of the same tenant. Leaders copy any post
//! they see; participants copy a visible post (or their own) when the source
//! board's `copying` switch is on, into a board they joined and may post to.
//! The target board's room applies it (`copy_post`, journaled: its live
//! viewers see it) and the answer comes once it is committed. The copy
//! shares the post's files by reference and says where it came from
//! (`copied_from`); likes and comments are not copied.

use amphi_protocol::board::{BoardCommand, PostOrigin, PostStatus};
use amphi_protocol::{ErrorCode, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::boards::board_room;
use super::{ApiError, Bearer, parse_json};
use crate::app::AppState;
use crate::hub::{Accepted, RoomCommand, SERVICE_MEMBER_PREFIX, Who};
use crate::media::uploads;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopyRequest {
    /// The target board's room id.
    to: String,
    /// A section of the target board (its first when absent).
    #[serde(default)]
    section: Option<String>,
}

fn unavailable() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the board is not available right now")
}

pub async fn copy(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path((board, post)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if member.role == Role::Observer {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "observers do not copy posts"));
    }
    let request: CopyRequest = parse_json(&body)?;
    // Both boards are of the caller's tenant (another's is not found).
    let source = board_room(&app, &member, &board).await?;
    let target = board_room(&app, &member, &request.to).await?;
    let export = source.board_export().await.ok().flatten().ok_or_else(unavailable)?;
    let no_post = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such post on this board");
    let row = export.rows.into_iter().find(|row| row.post.id == post).ok_or_else(no_post)?;
    if !member.role.leads() {
        if !export.definition.settings.copying {
            app.metrics.abuse.with_label_values(&["post_copy_refused"]).inc();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "this board's trainer has not let participants copy its posts",
            ));
        }
        if row.post.status != PostStatus::Visible && row.post.author.as_deref() != Some(member.id.as_str()) {
            return Err(no_post());
        }
    }
    let content = row.post.content;
    let origin = PostOrigin { board: source.id().to_string(), post, title: export.definition.title };
    // The copy's own references to the shared files.
    uploads::share(&app, &member.tenant, &target.id().to_string(), &member.id, uploads::blobs_of_post(&content))
        .await
        .map_err(ApiError::internal)?;
    // A leader need not be in the target room: the server sends it as
    // `service:<id>`; a participant must have joined it.
    let who_id = if member.role.leads() { format!("{SERVICE_MEMBER_PREFIX}{}", member.id) } else { member.id.clone() };
    let who = Who { id: who_id.into(), name: member.name.as_str().into(), role: member.role, guest: member.guest };
    let command = RoomCommand::Board(Box::new(BoardCommand::CopyPost {
        section: request.section,
        author: member.id.clone(),
        origin: origin.clone(),
        content,
    }));
    let id = format!("copy-{}", uuid::Uuid::new_v4().simple());
    match target.command(who, id, command).await {
        Ok(Ok(Accepted::Committing(receipt))) => {
            if !receipt.await {
                return Err(unavailable());
            }
        }
        Ok(Ok(_)) => {}
        Ok(Err(refusal)) => {
            let status = match refusal.code {
                ErrorCode::Forbidden | ErrorCode::NotInRoom => StatusCode::FORBIDDEN,
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                ErrorCode::InvalidState => StatusCode::CONFLICT,
                ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            };
            return Err(ApiError::new(status, refusal.code, refusal.message));
        }
        Err(_) => return Err(unavailable()),
    }
    tracing::info!(from = %origin.board, to = %target.id(), by = %member.id, "post copied");
    Ok((StatusCode::CREATED, Json(json!({ "board": target.id(), "copied_from": origin }))).into_response())
}
