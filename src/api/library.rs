//! `/api/v1/library`: the shared library (mutualisation). A leader publishes
//! one of their quizzes (a quiz room), board templates (a board room) or
//! ateliers plans (a saved plan) for their académie, or, with the
//! `national` role, for every académie; members search what they may see
//! (national items, their académie's), preview it (the content, answers
//! included, for leaders only), copy it into their own tenant through the
//! same code paths that create rooms and plans, and follow its new versions
//! (what changed, an explicit update). Académie admins withdraw their
//! tenant's items, the national role national ones. Limits are in
//! README.md ("Shared library"); refusals are counted in
//! `amphi_abuse_total{kind="library_input"|"library_forbidden"}`.

use amphi_protocol::{ErrorCode, Role, RoomKind};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::rooms::{board_definition, claim_blobs, quiz_definition, room_json};
use super::{ApiError, Bearer, parse_json};
use crate::app::AppState;
use crate::auth::Member;
use crate::store::{
    LibraryCopy, LibraryIndex, LibraryItem, LibraryKind, LibraryMeta, LibraryQuery, LibraryVersion, NATIONAL,
};
use crate::text_fold::{fold, terms};

/// The licences an item may be published under; the first is the default.
pub const LICENCES: [&str; 2] = ["etalab-2.0", "cc-by-sa-4.0"];
/// Most characters of a description.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Most disciplines, and characters of each.
pub const MAX_DISCIPLINES: usize = 5;
pub const MAX_DISCIPLINE_CHARS: usize = 60;
/// Most characters of the level (public).
pub const MAX_LEVEL_CHARS: usize = 60;
/// Most tags, and characters of each.
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 40;
/// Longest duration, in minutes.
pub const MAX_DURATION_MIN: i64 = 600;
/// Most characters of a version's note.
pub const MAX_NOTE_CHARS: usize = 500;
/// Most characters of a search, and prefixes used of it.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_QUERY_TERMS: usize = 8;
/// Items per page: by default, and at most.
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 50;

fn bad(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no library item has this id")
}

fn invalid_state(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, ErrorCode::InvalidState, message)
}

/// Counts a refusal (bad input, or a role or tenant that may not) in the
/// abuse metric.
fn counted<T>(app: &AppState, result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(error) = &result {
        let kind = match error.status {
            StatusCode::BAD_REQUEST => Some("library_input"),
            StatusCode::FORBIDDEN => Some("library_forbidden"),
            _ => None,
        };
        if let Some(kind) = kind {
            app.metrics.abuse.with_label_values(&[kind]).inc();
        }
    }
    result
}

/// Library calls need a member of a tenant, not a room's capability (a
/// guest, a projector).
fn require_member(member: &Member) -> Result<(), ApiError> {
    if member.room_scope.is_some() || member.guest {
        return Err(forbidden("a token scoped to one room cannot use the library"));
    }
    if member.tenant == NATIONAL {
        // The audience of national items is no tenant's name.
        return Err(forbidden("this tenant name is reserved"));
    }
    Ok(())
}

fn require_leader(member: &Member) -> Result<(), ApiError> {
    require_member(member)?;
    if member.role.leads() {
        Ok(())
    } else {
        Err(forbidden("only a trainer, facilitator, admin or national curator may do this"))
    }
}

fn visible(member: &Member, item: &LibraryItem) -> bool {
    item.audience == NATIONAL || item.audience == member.tenant
}

fn is_author(member: &Member, item: &LibraryItem) -> bool {
    item.author == member.id && item.tenant == member.tenant
}

/// The item if `member` may see it (withdrawn ones included); others are
/// not found.
async fn find(app: &AppState, member: &Member, id: &str) -> Result<LibraryItem, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let item = app.store.library_item(id).await.map_err(ApiError::internal)?.ok_or_else(not_found)?;
    if !visible(member, &item) {
        return Err(not_found());
    }
    Ok(item)
}

// ----- metadata ------------------------------------------------------------

/// The metadata fields of a publication or a new version (all optional for
/// a version: what is absent stays).
#[derive(Default)]
struct MetaFields {
    title: Option<String>,
    description: Option<String>,
    disciplines: Option<Vec<String>>,
    level: Option<String>,
    duration_min: Option<i64>,
    tags: Option<Vec<String>>,
    licence: Option<String>,
}

/// The body of a publication (`kind`, `source`, `scope`) or of a new
/// version (`source` only), with the metadata and the note.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Publication {
    /// Publication only.
    #[serde(default)]
    kind: Option<String>,
    /// The room (quiz, board) or plan to publish; for a new version,
    /// another of the author's, of the item's kind (default: the last one
    /// published).
    #[serde(default)]
    source: Option<String>,
    /// Publication only: `academie` (default) or `national`.
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    disciplines: Option<Vec<String>>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    duration_min: Option<i64>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    licence: Option<String>,
}

impl Publication {
    fn meta(&mut self) -> MetaFields {
        MetaFields {
            title: self.title.take(),
            description: self.description.take(),
            disciplines: self.disciplines.take(),
            level: self.level.take(),
            duration_min: self.duration_min.take(),
            tags: self.tags.take(),
            licence: self.licence.take(),
        }
    }
}

fn text(value: Option<String>, field: &str, max: usize) -> Result<Option<String>, ApiError> {
    match value.map(|v| v.trim().to_string()) {
        Some(v) if v.chars().count() > max => {
            Err(bad(ErrorCode::OutOfRange, format!("`{field}` must have at most {max} characters")))
        }
        other => Ok(other),
    }
}

fn words(values: Option<Vec<String>>, field: &str, most: usize, max: usize) -> Result<Option<Vec<String>>, ApiError> {
    let Some(values) = values else { return Ok(None) };
    if values.len() > most {
        return Err(bad(ErrorCode::OutOfRange, format!("`{field}` has at most {most} entries")));
    }
    let mut kept: Vec<String> = Vec::new();
    for value in values {
        let value = value.trim().to_string();
        if value.is_empty() || value.chars().count() > max {
            return Err(bad(ErrorCode::OutOfRange, format!("each of `{field}` must have 1 to {max} characters")));
        }
        if !kept.iter().any(|k| fold(k) == fold(&value)) {
            kept.push(value);
        }
    }
    Ok(Some(kept))
}

/// `fields` checked and laid over `base` (a new version's previous
/// metadata), or over defaults with `title` for a publication.
fn checked_meta(app: &AppState, fields: MetaFields, base: LibraryMeta) -> Result<LibraryMeta, ApiError> {
    let max_title = app.config.limits.max_title_chars;
    let title = text(fields.title, "title", max_title)?.unwrap_or(base.title);
    if title.is_empty() || title.chars().count() > max_title {
        return Err(bad(ErrorCode::OutOfRange, format!("`title` must have 1 to {max_title} characters")));
    }
    let licence = match fields.licence {
        Some(licence) if LICENCES.contains(&licence.trim()) => licence.trim().to_string(),
        Some(licence) => {
            return Err(bad(
                ErrorCode::OutOfRange,
                format!("unknown licence `{licence}`: `licence` must be \"etalab-2.0\" (default) or \"cc-by-sa-4.0\""),
            ));
        }
        None => base.licence,
    };
    let duration_min = match fields.duration_min {
        Some(minutes) if !(1..=MAX_DURATION_MIN).contains(&minutes) => {
            return Err(bad(ErrorCode::OutOfRange, format!("`duration_min` must be 1 to {MAX_DURATION_MIN}")));
        }
        Some(minutes) => Some(minutes),
        None => base.duration_min,
    };
    Ok(LibraryMeta {
        title,
        description: text(fields.description, "description", MAX_DESCRIPTION_CHARS)?.unwrap_or(base.description),
        disciplines: words(fields.disciplines, "disciplines", MAX_DISCIPLINES, MAX_DISCIPLINE_CHARS)?
            .unwrap_or(base.disciplines),
        level: text(fields.level, "level", MAX_LEVEL_CHARS)?.unwrap_or(base.level),
        duration_min,
        tags: words(fields.tags, "tags", MAX_TAGS, MAX_TAG_CHARS)?.unwrap_or(base.tags),
        licence,
    })
}

fn note(value: Option<String>) -> Result<String, ApiError> {
    Ok(text(value, "note", MAX_NOTE_CHARS)?.unwrap_or_default())
}

// ----- sources ---------------------------------------------------------------

/// The current definition and title of the author's `source` of `kind`.
async fn source_content(
    app: &AppState,
    member: &Member,
    kind: LibraryKind,
    source: &str,
) -> Result<(String, String), ApiError> {
    let missing = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no room or plan of yours has this id");
    let id = Uuid::parse_str(source.trim()).map_err(|_| missing())?;
    let (owner, title, content, room_kind) = match kind {
        LibraryKind::Quiz | LibraryKind::Board => {
            let room = app.store.room(id).await.map_err(ApiError::internal)?.ok_or_else(missing)?;
            if room.tenant != member.tenant {
                return Err(missing());
            }
            let wanted = if kind == LibraryKind::Quiz { RoomKind::Quiz } else { RoomKind::Board };
            if room.kind != wanted {
                return Err(bad(
                    ErrorCode::InvalidField,
                    format!("`source` is a {} room, not a {} room", room.kind.as_str(), wanted.as_str()),
                ));
            }
            let content = room.activity.ok_or_else(|| bad(ErrorCode::InvalidField, "this room has no activity"))?;
            (room.created_by, room.title, content, wanted)
        }
        LibraryKind::Plan => {
            let plan = app.store.plan(&member.tenant, id).await.map_err(ApiError::internal)?.ok_or_else(missing)?;
            (plan.owner, plan.title, plan.definition, RoomKind::Breakout)
        }
    };
    if owner != member.id {
        return Err(forbidden("only its author may publish a quiz, board or plan"));
    }
    if !crate::media::uploads::blobs_of_activity(room_kind, &content).is_empty() {
        return Err(bad(
            ErrorCode::InvalidField,
            "activities carrying uploaded files cannot be published to the library yet: remove the files first",
        ));
    }
    Ok((content, title))
}

// ----- JSON ---------------------------------------------------------------

fn item_json(member: &Member, item: &LibraryItem) -> Value {
    json!({
        "id": item.id,
        "kind": item.kind,
        "scope": if item.is_national() { "national" } else { "academie" },
        "academie": item.tenant,
        "author_name": item.author_name,
        "mine": is_author(member, item),
        "title": item.meta.title,
        "description": item.meta.description,
        "disciplines": item.meta.disciplines,
        "level": item.meta.level,
        "duration_min": item.meta.duration_min,
        "tags": item.meta.tags,
        "licence": item.meta.licence,
        "version": item.version,
        "published_at": item.published_at,
        "updated_at": item.updated_at,
        "withdrawn": item.withdrawn_at.is_some(),
        "withdrawn_at": item.withdrawn_at,
    })
}

// ----- publish ---------------------------------------------------------------

/// `POST /api/v1/library/items`
pub async fn publish(State(app): State<AppState>, Bearer(member): Bearer, body: Bytes) -> Result<Response, ApiError> {
    counted(&app, publish_inner(&app, &member, &body).await)
}

async fn publish_inner(app: &AppState, member: &Member, body: &[u8]) -> Result<Response, ApiError> {
    require_leader(member)?;
    let mut publication: Publication = parse_json(body)?;
    let (Some(kind), Some(source)) = (publication.kind.take(), publication.source.take()) else {
        return Err(bad(ErrorCode::InvalidField, "a publication needs `kind` and `source`"));
    };
    let kind: LibraryKind = kind.parse().map_err(|message: String| bad(ErrorCode::OutOfRange, message))?;
    let national = match publication.scope.as_deref() {
        None | Some("academie") => false,
        Some("national") => true,
        Some(other) => {
            return Err(bad(
                ErrorCode::OutOfRange,
                format!("`scope` must be \"academie\" or \"national\", not `{other}`"),
            ));
        }
    };
    if national && member.role != Role::National {
        return Err(forbidden("only the national role publishes for every académie"));
    }
    let note = note(publication.note.take())?;
    let (content, source_title) = source_content(app, member, kind, &source).await?;
    let base = LibraryMeta {
        title: source_title,
        description: String::new(),
        disciplines: Vec::new(),
        level: String::new(),
        duration_min: None,
        tags: Vec::new(),
        licence: LICENCES[0].into(),
    };
    let meta = checked_meta(app, publication.meta(), base)?;
    let now = crate::hub::now_ms() as i64;
    let item = LibraryItem {
        id: Uuid::new_v4(),
        tenant: member.tenant.clone(),
        audience: if national { NATIONAL.into() } else { member.tenant.clone() },
        kind,
        source: source.trim().to_string(),
        author: member.id.clone(),
        author_name: member.name.clone(),
        meta,
        version: 1,
        published_at: now,
        updated_at: now,
        withdrawn_at: None,
        withdrawn_by: None,
    };
    let index = LibraryIndex::of(&item.meta, &item.author_name);
    app.store.publish_library_item(&item, &content, &note, &index).await.map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(item_json(member, &item))).into_response())
}

// ----- search ---------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    discipline: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    academie: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: Option<String>,
}

fn cursor_of(item: &LibraryItem) -> String {
    format!("{}_{}", item.published_at, item.id)
}

/// `GET /api/v1/library/items?q=&discipline=&level=&kind=&academie=&scope=&limit=&cursor=`
pub async fn search(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    counted(&app, search_inner(&app, &member, params).await)
}

async fn search_inner(
    app: &AppState,
    member: &Member,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    require_member(member)?;
    let Query(params) = params.map_err(|rejection| bad(ErrorCode::InvalidField, rejection.body_text()))?;
    let q = params.q.unwrap_or_default();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(bad(ErrorCode::OutOfRange, format!("`q` must have at most {MAX_QUERY_CHARS} characters")));
    }
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad(ErrorCode::OutOfRange, format!("`limit` must be 1 to {MAX_LIMIT}")));
    }
    let kind = match params.kind.as_deref() {
        None | Some("") => None,
        Some(kind) => Some(kind.parse::<LibraryKind>().map_err(|message| bad(ErrorCode::OutOfRange, message))?),
    };
    let national = match params.scope.as_deref() {
        None | Some("") => None,
        Some("national") => Some(true),
        Some("academie") => Some(false),
        Some(other) => {
            return Err(bad(
                ErrorCode::OutOfRange,
                format!("`scope` must be \"academie\" or \"national\", not `{other}`"),
            ));
        }
    };
    let after = match params.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => {
            let parsed = cursor
                .split_once('_')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, Uuid::parse_str(id).ok()?.to_string())));
            Some(parsed.ok_or_else(|| bad(ErrorCode::InvalidField, "`cursor` is not one this API returned"))?)
        }
    };
    let folded = |value: Option<String>| value.map(|v| fold(&v)).filter(|v| !v.is_empty());
    let mut prefixes = terms(&q);
    prefixes.truncate(MAX_QUERY_TERMS);
    let query = LibraryQuery {
        tenant: member.tenant.clone(),
        prefixes,
        discipline: folded(params.discipline),
        level_key: folded(params.level),
        kind,
        academie: params.academie.filter(|a| !a.trim().is_empty()),
        national,
        after,
        limit: limit + 1,
    };
    let mut items = app.store.search_library(&query).await.map_err(ApiError::internal)?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(cursor_of) } else { None };
    let items: Vec<Value> = items.iter().map(|item| item_json(member, item)).collect();
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })).into_response())
}

// ----- preview -------------------------------------------------------------

/// `GET /api/v1/library/items/{id}`: the metadata, for everyone who can see
/// the item.
pub async fn preview(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_member(&member)?;
            let item = find(&app, &member, &id).await?;
            Ok(Json(item_json(&member, &item)).into_response())
        }
        .await,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionParam {
    #[serde(default)]
    version: Option<i64>,
}

/// `GET /api/v1/library/items/{id}/content?version=N`: the activity itself
/// (a quiz's questions with their right answers): leaders only.
pub async fn content(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    params: Result<Query<VersionParam>, QueryRejection>,
) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_member(&member)?;
            let item = find(&app, &member, &id).await?;
            if !member.role.leads() {
                return Err(forbidden(
                    "only trainers, facilitators, admins and national curators see an item's content (its answers)",
                ));
            }
            if item.withdrawn_at.is_some() && !is_author(&member, &item) {
                return Err(not_found());
            }
            let Query(params) = params.map_err(|rejection| bad(ErrorCode::InvalidField, rejection.body_text()))?;
            let version = params.version.unwrap_or(item.version);
            let stored =
                app.store.library_version(item.id, version).await.map_err(ApiError::internal)?.ok_or_else(|| {
                    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this item has no such version")
                })?;
            let content: Value = serde_json::from_str(&stored.content).map_err(ApiError::internal)?;
            Ok(Json(json!({
                "item": item.id,
                "kind": item.kind,
                "version": stored.version,
                "note": stored.note,
                "published_at": stored.published_at,
                "content": content,
            }))
            .into_response())
        }
        .await,
    )
}

// ----- copies ---------------------------------------------------------------

/// Makes the room or plan of `version` in `member`'s tenant, owned by them,
/// through the paths that create them; its id and JSON.
async fn materialise(
    app: &AppState,
    member: &Member,
    kind: LibraryKind,
    version: &LibraryVersion,
) -> Result<(String, Value), ApiError> {
    let content: Value = serde_json::from_str(&version.content).map_err(ApiError::internal)?;
    let title = version.meta.title.as_str();
    let (room_kind, activity) = match kind {
        LibraryKind::Quiz => {
            (RoomKind::Quiz, quiz_definition(content.get("quiz").cloned(), content.get("settings").cloned())?)
        }
        LibraryKind::Board => (RoomKind::Board, board_definition(title, Some(content))?),
        LibraryKind::Plan => {
            let plan = super::plans::save_new(app, member, title, content).await?;
            return Ok((plan.id.to_string(), super::plans::plan_json(&plan)));
        }
    };
    claim_blobs(app, &member.tenant, crate::media::uploads::blobs_of_activity(room_kind, &activity)).await?;
    let handle = app
        .hub
        .create_room(&member.tenant, title, &member.id, room_kind, Some(activity))
        .await
        .map_err(ApiError::internal)?;
    Ok((handle.id().to_string(), room_json(&handle.record)))
}

/// `POST /api/v1/library/items/{id}/copies`: a copy in the caller's tenant.
pub async fn copy(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_leader(&member)?;
            let item = find(&app, &member, &id).await?;
            if item.withdrawn_at.is_some() {
                return Err(invalid_state("this item was withdrawn from the library"));
            }
            let version = latest_version(&app, &item).await?;
            let (target, made) = materialise(&app, &member, item.kind, &version).await?;
            let now = crate::hub::now_ms() as i64;
            let copy = LibraryCopy {
                id: Uuid::new_v4(),
                item: item.id,
                version: version.version,
                tenant: member.tenant.clone(),
                owner: member.id.clone(),
                kind: item.kind,
                target,
                created_at: now,
                updated_at: now,
            };
            app.store.insert_library_copy(&copy).await.map_err(ApiError::internal)?;
            let mut body = copy_json(&app, &copy, Some(&item)).await?;
            body["made"] = made;
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        .await,
    )
}

async fn latest_version(app: &AppState, item: &LibraryItem) -> Result<LibraryVersion, ApiError> {
    app.store
        .library_version(item.id, item.version)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal(format!("library item {} lacks its version {}", item.id, item.version)))
}

/// A copy, with whether a newer version exists and what changed since the
/// copied one.
async fn copy_json(app: &AppState, copy: &LibraryCopy, item: Option<&LibraryItem>) -> Result<Value, ApiError> {
    let fetched;
    let item = match item {
        Some(item) => Some(item),
        None => {
            fetched = app.store.library_item(copy.item).await.map_err(ApiError::internal)?;
            fetched.as_ref()
        }
    };
    let latest = item.map_or(copy.version, |item| item.version);
    let mut body = json!({
        "id": copy.id,
        "item": copy.item,
        "kind": copy.kind,
        "version": copy.version,
        "target": copy.target,
        "created_at": copy.created_at,
        "updated_at": copy.updated_at,
        "latest_version": latest,
        "update_available": latest > copy.version,
        "item_title": item.map(|item| item.meta.title.clone()),
        "item_withdrawn": item.is_none_or(|item| item.withdrawn_at.is_some()),
    });
    if let Some(item) = item.filter(|item| item.version > copy.version) {
        let old = app.store.library_version(item.id, copy.version).await.map_err(ApiError::internal)?;
        let new = app.store.library_version(item.id, item.version).await.map_err(ApiError::internal)?;
        if let (Some(old), Some(new)) = (old, new) {
            body["changes"] = changes(item.kind, &old, &new);
        }
    }
    Ok(body)
}

/// The caller's own copy: another tenant's is not found, another member's
/// of the same tenant forbidden.
async fn own_copy(app: &AppState, member: &Member, id: &str) -> Result<LibraryCopy, ApiError> {
    let missing = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no copy has this id");
    let id = Uuid::parse_str(id).map_err(|_| missing())?;
    let copy = app.store.library_copy(id).await.map_err(ApiError::internal)?.ok_or_else(missing)?;
    if copy.tenant != member.tenant {
        return Err(missing());
    }
    if copy.owner != member.id {
        return Err(forbidden("only the member who made a copy may see or update it"));
    }
    Ok(copy)
}

/// `GET /api/v1/library/copies`: the caller's copies.
pub async fn copies(State(app): State<AppState>, Bearer(member): Bearer) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_leader(&member)?;
            let mut listed = Vec::new();
            for copy in app.store.library_copies(&member.tenant, &member.id).await.map_err(ApiError::internal)? {
                listed.push(copy_json(&app, &copy, None).await?);
            }
            Ok(Json(json!({ "copies": listed })).into_response())
        }
        .await,
    )
}

/// `GET /api/v1/library/copies/{id}`
pub async fn get_copy(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_leader(&member)?;
            let copy = own_copy(&app, &member, &id).await?;
            Ok(Json(copy_json(&app, &copy, None).await?).into_response())
        }
        .await,
    )
}

/// `POST /api/v1/library/copies/{id}/update`: brings the copy to the
/// item's latest version. A plan is replaced in place; a quiz or a board
/// becomes a new room (a room's activity never changes under its journal),
/// the old room and its results staying as they are.
pub async fn update_copy(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_leader(&member)?;
            let mut copy = own_copy(&app, &member, &id).await?;
            let item = app.store.library_item(copy.item).await.map_err(ApiError::internal)?.ok_or_else(not_found)?;
            if item.withdrawn_at.is_some() {
                return Err(invalid_state("this item was withdrawn from the library: the copy stays as it is"));
            }
            if item.version <= copy.version {
                return Err(invalid_state("the copy is already at the latest version"));
            }
            let version = latest_version(&app, &item).await?;
            let previous = copy.target.clone();
            let (target, made) = match item.kind {
                LibraryKind::Plan => {
                    let replaced = match Uuid::parse_str(&copy.target) {
                        Ok(plan) => {
                            let content: Value = serde_json::from_str(&version.content).map_err(ApiError::internal)?;
                            super::plans::replace(&app, &member, plan, &version.meta.title, content).await?
                        }
                        Err(_) => None,
                    };
                    match replaced {
                        Some(plan) => (plan.id.to_string(), super::plans::plan_json(&plan)),
                        // The copied plan was deleted meanwhile: a new one.
                        None => materialise(&app, &member, item.kind, &version).await?,
                    }
                }
                _ => materialise(&app, &member, item.kind, &version).await?,
            };
            let now = crate::hub::now_ms() as i64;
            app.store.update_library_copy(copy.id, version.version, &target, now).await.map_err(ApiError::internal)?;
            let old_version = copy.version;
            (copy.version, copy.target, copy.updated_at) = (version.version, target, now);
            let mut body = copy_json(&app, &copy, Some(&item)).await?;
            body["previous_version"] = json!(old_version);
            body["previous_target"] = json!(previous);
            body["made"] = made;
            Ok(Json(body).into_response())
        }
        .await,
    )
}

/// Where a room or plan came from, when it is a library copy: for
/// `GET /rooms/{id}` and `GET /plans/{id}`.
pub(crate) async fn provenance(app: &AppState, tenant: &str, target: &str) -> Result<Option<Value>, ApiError> {
    let Some(copy) = app.store.library_copy_of(tenant, target).await.map_err(ApiError::internal)? else {
        return Ok(None);
    };
    let latest = app.store.library_item(copy.item).await.map_err(ApiError::internal)?.map(|item| item.version);
    Ok(Some(json!({
        "copy": copy.id,
        "item": copy.item,
        "version": copy.version,
        "latest_version": latest,
        "update_available": latest.is_some_and(|latest| latest > copy.version),
    })))
}

// ----- versions and withdrawal ---------------------------------------------------

/// `POST /api/v1/library/items/{id}/versions`: the author publishes new
/// content (from the same or another of their rooms or plans) and metadata.
pub async fn new_version(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_leader(&member)?;
            let item = find(&app, &member, &id).await?;
            if !is_author(&member, &item) {
                return Err(forbidden("only its author publishes a new version of an item"));
            }
            if item.withdrawn_at.is_some() {
                return Err(invalid_state("this item was withdrawn from the library"));
            }
            let mut request: Publication =
                if body.iter().all(u8::is_ascii_whitespace) { Publication::default() } else { parse_json(&body)? };
            if request.kind.is_some() || request.scope.is_some() {
                return Err(bad(ErrorCode::InvalidField, "a version keeps its item's `kind` and `scope`"));
            }
            let note = note(request.note.take())?;
            let source = request.source.take().map(|s| s.trim().to_string()).unwrap_or_else(|| item.source.clone());
            let (content, _) = source_content(&app, &member, item.kind, &source).await?;
            let meta = checked_meta(&app, request.meta(), item.meta.clone())?;
            let previous = latest_version(&app, &item).await?;
            if previous.content == content && previous.meta == meta {
                return Err(invalid_state("nothing changed since the latest version"));
            }
            let version = LibraryVersion {
                item: item.id,
                version: item.version + 1,
                content,
                meta,
                note,
                published_at: crate::hub::now_ms() as i64,
            };
            let index = LibraryIndex::of(&version.meta, &item.author_name);
            if !app.store.publish_library_version(&version, &source, &index).await.map_err(ApiError::internal)? {
                return Err(invalid_state("another version was published meanwhile: try again"));
            }
            let updated = LibraryItem {
                meta: version.meta.clone(),
                version: version.version,
                updated_at: version.published_at,
                source,
                ..item
            };
            let mut body = item_json(&member, &updated);
            body["changes"] = changes(updated.kind, &previous, &version);
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        .await,
    )
}

/// `POST /api/v1/library/items/{id}/withdraw`: hidden from search from now
/// on; copies keep working. Its author, an admin of its académie, or (a
/// national item) the national role.
pub async fn withdraw(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    counted(&app, async {
        require_member(&member)?;
        let item = find(&app, &member, &id).await?;
        let may = is_author(&member, &item)
            || (member.role == Role::Admin && member.tenant == item.tenant)
            || (member.role == Role::National && item.is_national());
        if !may {
            return Err(forbidden(
                "only its author, an admin of its académie or (a national item) the national role withdraws an item",
            ));
        }
        let now = crate::hub::now_ms() as i64;
        if !app.store.withdraw_library_item(item.id, &member.id, now).await.map_err(ApiError::internal)? {
            return Err(invalid_state("this item was already withdrawn"));
        }
        let withdrawn = LibraryItem { withdrawn_at: Some(now), withdrawn_by: Some(member.id.clone()), ..item };
        Ok(Json(item_json(&member, &withdrawn)).into_response())
    }
    .await)
}

// ----- what changed ---------------------------------------------------------

/// What changed from `old` to `new`: the metadata fields, and the
/// content's parts (a quiz's questions, a plan's ateliers, a board's
/// sections and posts) added, removed or edited.
pub fn changes(kind: LibraryKind, old: &LibraryVersion, new: &LibraryVersion) -> Value {
    let (a, b) = (&old.meta, &new.meta);
    let mut metadata = Vec::new();
    for (field, same) in [
        ("title", a.title == b.title),
        ("description", a.description == b.description),
        ("disciplines", a.disciplines == b.disciplines),
        ("level", a.level == b.level),
        ("duration_min", a.duration_min == b.duration_min),
        ("tags", a.tags == b.tags),
        ("licence", a.licence == b.licence),
    ] {
        if !same {
            metadata.push(field);
        }
    }
    let before: Value = serde_json::from_str(&old.content).unwrap_or(Value::Null);
    let after: Value = serde_json::from_str(&new.content).unwrap_or(Value::Null);
    let mut summary = json!({
        "from_version": old.version,
        "to_version": new.version,
        "note": new.note,
        "metadata": metadata,
        "content_changed": before != after,
    });
    match kind {
        LibraryKind::Quiz => {
            summary["questions"] = diff_list(&before["quiz"]["questions"], &after["quiz"]["questions"], "id", "prompt");
            summary["settings_changed"] = json!(before["settings"] != after["settings"]);
        }
        LibraryKind::Plan => {
            summary["ateliers"] = diff_list(&before["plan"]["ateliers"], &after["plan"]["ateliers"], "id", "name");
            summary["settings_changed"] =
                json!(before["settings"] != after["settings"] || before["plan"]["mode"] != after["plan"]["mode"]);
        }
        LibraryKind::Board => {
            summary["sections"] = diff_list(&before["sections"], &after["sections"], "", "");
            summary["posts"] = diff_list(&before["posts"], &after["posts"], "", "");
            summary["settings_changed"] = json!(before["settings"] != after["settings"]);
        }
    }
    summary
}

/// Pairs `old` and `new` entries by `id_key`, then the unpaired ones by
/// `label_key` (by the whole value when both keys are empty): paired ones
/// that differ are edited, the rest added or removed. Each listed entry is
/// `{"id", "label"}`.
fn diff_list(old: &Value, new: &Value, id_key: &str, label_key: &str) -> Value {
    let empty = Vec::new();
    let old = old.as_array().unwrap_or(&empty);
    let new = new.as_array().unwrap_or(&empty);
    let field = |value: &Value, key: &str| -> Option<String> {
        if key.is_empty() {
            return None;
        }
        value.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
    };
    let describe = |value: &Value| {
        let label = match value {
            Value::String(text) => Some(text.clone()),
            _ => field(value, label_key).or_else(|| field(value, "text")),
        };
        json!({ "id": field(value, id_key), "label": label })
    };
    let mut paired = vec![false; old.len()];
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::new();
    for (n, entry) in new.iter().enumerate() {
        let by = |key: &str| {
            let wanted = field(entry, key)?;
            (0..old.len()).find(|&o| !paired[o] && field(&old[o], key).as_deref() == Some(wanted.as_str()))
        };
        let found =
            by(id_key).or_else(|| by(label_key)).or_else(|| (0..old.len()).find(|&o| !paired[o] && old[o] == *entry));
        if let Some(o) = found {
            paired[o] = true;
        }
        pairs.push((n, found));
    }
    let added: Vec<Value> = pairs.iter().filter(|(_, o)| o.is_none()).map(|(n, _)| describe(&new[*n])).collect();
    let edited: Vec<Value> =
        pairs.iter().filter_map(|(n, o)| o.filter(|&o| old[o] != new[*n]).map(|_| describe(&new[*n]))).collect();
    let removed: Vec<Value> = (0..old.len()).filter(|&o| !paired[o]).map(|o| describe(&old[o])).collect();
    json!({ "added": added, "removed": removed, "edited": edited })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_paired_by_id_then_by_prompt() {
        let old = json!([
            {"id": "q1", "prompt": "2 + 2 ?", "answer": 4},
            {"id": "q2", "prompt": "Capitale ?", "answer": "Paris"},
            {"id": "q3", "prompt": "Retirée", "answer": 0},
        ]);
        let new = json!([
            {"id": "q1", "prompt": "2 + 2 ?", "answer": 4},
            {"id": "q9", "prompt": "Capitale ?", "answer": "Lyon"},
            {"id": "q4", "prompt": "Nouvelle", "answer": 1},
        ]);
        let diff = diff_list(&old, &new, "id", "prompt");
        assert_eq!(diff["added"], json!([{"id": "q4", "label": "Nouvelle"}]));
        assert_eq!(diff["removed"], json!([{"id": "q3", "label": "Retirée"}]));
        assert_eq!(diff["edited"], json!([{"id": "q9", "label": "Capitale ?"}]));
    }

    #[test]
    fn plain_lists_are_compared_by_value() {
        let diff = diff_list(&json!(["A", "B"]), &json!(["B", "C"]), "", "");
        assert_eq!(diff["added"], json!([{"id": null, "label": "C"}]));
        assert_eq!(diff["removed"], json!([{"id": null, "label": "A"}]));
        assert_eq!(diff["edited"], json!([]));
    }

    #[test]
    fn the_index_folds_every_searchable_field() {
        let meta = LibraryMeta {
            title: "Les Fractions".into(),
            description: "Égalité".into(),
            disciplines: vec!["Mathématiques".into()],
            level: "Cycle 3".into(),
            duration_min: Some(20),
            tags: vec!["Révision".into()],
            licence: LICENCES[0].into(),
        };
        let index = LibraryIndex::of(&meta, "Mme Durand");
        assert_eq!(index.disciplines, ["mathematiques"]);
        assert_eq!(index.level_key, "cycle 3");
        for term in ["fractions", "egalite", "mathematiques", "cycle", "3", "revision", "mme", "durand"] {
            assert!(index.terms.contains(&term.to_string()), "{term} in {:?}", index.terms);
        }
        assert!(!index.terms.contains(&"les".to_string()));
    }
}
