//! `/api/v1/rooms`: create a room (trainers, facilitators, admins), read it,
//! start a new session of its activity, and mint a projector (observer)
//! token scoped to it.

use amphi_protocol::{ErrorCode, Role, RoomKind};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{ApiError, Bearer, parse_json};
use crate::activity::board::BoardDefinition;
use crate::activity::breakout::BreakoutDefinition;
use crate::activity::quiz::QuizDefinition;
use crate::app::AppState;
use crate::auth::{Member, claims_for};
use crate::hub::RoomHandle;
use crate::quiz::Quiz;
use crate::store::{MarkedRoom, RoomFilter, RoomRecord};
use amphi_protocol::quiz::QuizSettings;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRoom {
    title: String,
    /// `lobby` (default), `quiz`, `board` or `breakout` (a string: an
    /// unknown kind gets its own error).
    #[serde(default)]
    kind: Option<String>,
    /// A quiz room: the quiz, in the native format.
    #[serde(default)]
    quiz: Option<serde_json::Value>,
    /// A quiz room: how it runs (defaults for what is absent).
    #[serde(default)]
    settings: Option<serde_json::Value>,
    /// A board room: its sections, settings and first posts (the board's
    /// title is the room's).
    #[serde(default)]
    board: Option<serde_json::Value>,
    /// A breakout room: its plan of ateliers and settings (the session's
    /// title is the room's).
    #[serde(default)]
    breakout: Option<serde_json::Value>,
    /// A breakout room: a saved plan's id, instead of `breakout`.
    #[serde(default)]
    plan_id: Option<String>,
}

/// Checks a breakout room's definition; returns it as stored.
pub(crate) fn breakout_definition(title: &str, breakout: Option<serde_json::Value>) -> Result<String, ApiError> {
    let bad = |code, message: String| ApiError::new(StatusCode::BAD_REQUEST, code, message);
    let value = breakout.ok_or_else(|| bad(ErrorCode::InvalidField, "a breakout room needs `breakout`".into()))?;
    let mut definition: BreakoutDefinition =
        serde_json::from_value(value).map_err(|e| bad(ErrorCode::InvalidField, format!("`breakout`: {e}")))?;
    definition.title = title.to_string();
    definition.validate().map_err(|message| bad(ErrorCode::OutOfRange, format!("`breakout`: {message}")))?;
    serde_json::to_string(&definition).map_err(ApiError::internal)
}

/// Checks a board room's definition; returns it as stored.
pub(crate) fn board_definition(title: &str, board: Option<serde_json::Value>) -> Result<String, ApiError> {
    let bad = |code, message: String| ApiError::new(StatusCode::BAD_REQUEST, code, message);
    let mut definition: BoardDefinition = match board {
        Some(value) => {
            serde_json::from_value(value).map_err(|e| bad(ErrorCode::InvalidField, format!("`board`: {e}")))?
        }
        None => BoardDefinition::default(),
    };
    definition.title = title.to_string();
    definition.validate().map_err(|message| bad(ErrorCode::OutOfRange, format!("`board`: {message}")))?;
    serde_json::to_string(&definition).map_err(ApiError::internal)
}

/// Checks a quiz room's definition; returns it as stored.
pub(crate) fn quiz_definition(
    quiz: Option<serde_json::Value>,
    settings: Option<serde_json::Value>,
) -> Result<String, ApiError> {
    let bad = |code, message: String| ApiError::new(StatusCode::BAD_REQUEST, code, message);
    let quiz = quiz.ok_or_else(|| bad(ErrorCode::InvalidField, "a quiz room needs `quiz`".into()))?;
    let mut quiz: Quiz =
        serde_json::from_value(quiz).map_err(|e| bad(ErrorCode::InvalidField, format!("`quiz`: {e}")))?;
    quiz.assign_ids();
    quiz.validate().map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        bad(ErrorCode::OutOfRange, format!("`quiz`: {}", messages.join("; ")))
    })?;
    if let Some(serde_json::Value::Object(given)) = &settings {
        let known = serde_json::to_value(QuizSettings { pass_mark: Some(0.0), ..QuizSettings::default() })
            .map_err(ApiError::internal)?;
        if let Some(unknown) = given.keys().find(|key| known.get(key.as_str()).is_none()) {
            return Err(bad(ErrorCode::InvalidField, format!("`settings`: unknown field `{unknown}`")));
        }
    }
    let settings = match settings {
        Some(value) => {
            serde_json::from_value(value).map_err(|e| bad(ErrorCode::InvalidField, format!("`settings`: {e}")))?
        }
        None => Default::default(),
    };
    let definition = QuizDefinition { quiz, settings };
    definition.validate_settings().map_err(|message| bad(ErrorCode::OutOfRange, message))?;
    serde_json::to_string(&definition).map_err(ApiError::internal)
}

/// `POST /api/v1/rooms`
pub async fn create(State(app): State<AppState>, Bearer(member): Bearer, body: Bytes) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let new: NewRoom = parse_json(&body)?;
    let title = new.title.trim();
    let max = app.config.limits.max_title_chars;
    if title.is_empty() || title.chars().count() > max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::OutOfRange,
            format!("`title` must have 1 to {max} characters"),
        ));
    }
    // Parsed once here; an unknown kind is refused after the fields that
    // need another kind.
    let kind = new.kind.as_deref().unwrap_or("lobby").parse::<RoomKind>().ok();
    if (kind != Some(RoomKind::Quiz) && (new.quiz.is_some() || new.settings.is_some()))
        || (kind != Some(RoomKind::Board) && new.board.is_some())
        || (kind != Some(RoomKind::Breakout) && (new.breakout.is_some() || new.plan_id.is_some()))
        || (new.breakout.is_some() && new.plan_id.is_some())
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidField,
            "`quiz` and `settings` need `kind: \"quiz\"`, `board` needs `kind: \"board\"`, `breakout` (or \
             `plan_id`, not both) needs `kind: \"breakout\"`",
        ));
    }
    let Some(kind) = kind else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::OutOfRange,
            "`kind` must be \"lobby\", \"quiz\", \"board\" or \"breakout\"",
        ));
    };
    let activity = match kind {
        RoomKind::Lobby => None,
        RoomKind::Quiz => Some(quiz_definition(new.quiz, new.settings)?),
        RoomKind::Board => Some(board_definition(title, new.board)?),
        RoomKind::Breakout => {
            let breakout = match &new.plan_id {
                Some(plan) => Some(super::plans::definition_of(&app, &member, plan).await?),
                None => new.breakout,
            };
            Some(breakout_definition(title, breakout)?)
        }
    };
    if let Some(activity) = &activity {
        claim_blobs(&app, &member.tenant, crate::media::uploads::blobs_of_activity(kind, activity)).await?;
    }
    let handle =
        app.hub.create_room(&member.tenant, title, &member.id, kind, activity).await.map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(room_json(&handle.record))).into_response())
}

/// Claims `blobs` for `tenant` (a definition's posts or atelier files):
/// another tenant's upload is unknown (404 `not_found`).
pub(crate) async fn claim_blobs(app: &AppState, tenant: &str, blobs: Vec<String>) -> Result<(), ApiError> {
    crate::media::uploads::claim(app, tenant, blobs.iter().map(String::as_str)).await.map_err(|refusal| {
        let status = match refusal.code {
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError::new(status, refusal.code, refusal.message)
    })
}

/// Most rooms `GET /api/v1/rooms?mine=1` lists.
pub const MINE_LIMIT: u32 = 100;

/// `GET /api/v1/rooms?mine=1[&folder=ID|root]`: "Mes sessions", the rooms
/// of the caller's tenant that they created (a leader's token only) and did
/// not trash, all of them or those of one of their folders (`root`: in none);
/// favourites first, then live ones, then newest first; each with `live` (in
/// use on this node now), `folder` and `favourite`.
pub async fn list(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    if !matches!(query.get("mine").map(String::as_str), Some("1" | "true")) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidField,
            "list your own rooms with `?mine=1` (no other listing is offered)",
        ));
    }
    let filter = match query.get("folder").map(String::as_str) {
        None | Some("") => RoomFilter::All,
        Some("root") => RoomFilter::Root,
        Some(folder) => {
            if !app.store.has_folder(&member.tenant, &member.id, folder).await.map_err(ApiError::internal)? {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NotFound,
                    "you have no folder with this id",
                ));
            }
            RoomFilter::Folder(folder.to_string())
        }
    };
    let records =
        app.store.my_rooms(&member.tenant, &member.id, &filter, MINE_LIMIT).await.map_err(ApiError::internal)?;
    let mut rooms: Vec<(bool, &MarkedRoom)> = records.iter().map(|r| (app.hub.is_live(r.room.id), r)).collect();
    // Stable: newest first within favourites and live rooms and the others.
    rooms.sort_by_key(|(live, marked)| (!marked.favourite, !*live));
    let rooms: Vec<serde_json::Value> = rooms
        .into_iter()
        .map(|(live, marked)| {
            let mut room = room_json(&marked.room);
            room["live"] = json!(live);
            room["folder"] = json!(marked.folder);
            room["favourite"] = json!(marked.favourite);
            room
        })
        .collect();
    Ok(Json(json!({ "rooms": rooms })).into_response())
}

/// `GET /api/v1/rooms/{id}`
pub async fn get(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let handle = visible_room(&app, &member, &id).await?;
    let mut body = room_json(&handle.record);
    if let Some(library) = super::library::provenance(&app, &handle.record.tenant, &handle.id().to_string()).await? {
        body["library"] = library;
    }
    Ok(Json(body).into_response())
}

/// `POST /api/v1/rooms/{id}/next-session`: a new session of the room's
/// activity (a fresh room with its own code, nothing answered yet; the old
/// one and its results stay). The course links (LTI) that led to the old
/// room lead to the new one from now on.
pub async fn next_session(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let old = visible_room(&app, &member, &id).await?;
    let record = &old.record;
    let new = app
        .hub
        .create_room(&record.tenant, &record.title, &member.id, record.kind, record.activity.clone())
        .await
        .map_err(ApiError::internal)?;
    for mut link in app.store.lti_links_of_room(record.id).await.map_err(ApiError::internal)? {
        link.room_id = new.id();
        link.updated_at = crate::hub::now_ms() as i64;
        app.store.upsert_lti_link(&link).await.map_err(ApiError::internal)?;
    }
    Ok((StatusCode::CREATED, Json(room_json(&new.record))).into_response())
}

/// `POST /api/v1/rooms/{id}/observer-token`: a token for a projector, good
/// for this room only.
pub async fn observer_token(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    let observer = Member {
        id: format!("projector-{}", Uuid::new_v4()),
        name: "Projecteur".into(),
        role: Role::Observer,
        tenant: member.tenant.clone(),
        room_scope: Some(handle.id()),
        guest: false,
        expires_at: None,
    };
    let claims = claims_for(&observer, app.config.auth.token_ttl_hours);
    Ok(Json(json!({ "token": app.keys.sign(&claims), "expires_at": claims.exp })).into_response())
}

pub(crate) fn require_leader(member: &Member) -> Result<(), ApiError> {
    if member.role.leads() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "only a trainer, facilitator, admin or national curator may do this",
        ))
    }
}

/// The room if it exists and `member` may enter it; rooms of other tenants
/// are reported as not found.
pub(crate) async fn visible_room(app: &AppState, member: &Member, id: &str) -> Result<RoomHandle, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound, "no room has this id");
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let handle = app.hub.room(id).await.map_err(ApiError::internal)?.ok_or_else(not_found)?;
    if !member.may_enter(&handle.record.tenant, id) {
        return Err(not_found());
    }
    Ok(handle)
}

pub(super) fn room_json(record: &RoomRecord) -> serde_json::Value {
    json!({
        "id": record.id,
        "kind": record.kind,
        "title": record.title,
        "join_code": record.join_code,
        "tenant": record.tenant,
        "created_by": record.created_by,
        "created_at": record.created_at,
    })
}
