//! `GET /api/v1/boards/{id}/activity?before=&limit=`: a board's activity
//! log for its trainers — who posted, edited, moved, deleted, commented,
//! liked or rated what, and when, and every leader's command — read from
//! the room's input journal (accepted commands only), newest first, a page
//! at a time; and `activity.csv` (all of it, oldest first, up to
//! [`MAX_CSV_ENTRIES`]). Leaders of the board's tenant only; nothing is
//! written for it.

use std::collections::BTreeMap;

use amphi_protocol::{ErrorCode, RoomKind};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::download;
use super::rooms::require_leader;
use super::spreadsheet::{DialectParams, Sheet};
use super::{ApiError, Bearer};
use crate::activity::board::BoardDefinition;
use crate::app::AppState;
use crate::hub::RoomHandle;
use crate::store::InputRecord;

/// Entries per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
/// Most entries per page.
pub const MAX_LIMIT: u32 = 200;
/// Most entries in `activity.csv` (the newest ones).
pub const MAX_CSV_ENTRIES: usize = 20_000;
/// Longest comment text and post title quoted in an entry, in characters.
const QUOTED_CHARS: usize = 200;

#[derive(Deserialize)]
pub struct Paging {
    /// A journal position: entries before it (from a page's `next`).
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    limit: Option<u32>,
}

/// The fields of a command an entry repeats (ids and small values; never a
/// post's whole content).
const KEPT: [&str; 10] =
    ["post", "comment", "section", "stars", "mode", "reactions", "contribution", "on", "locked", "deadline"];

pub async fn activity(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    params: Result<Query<Paging>, QueryRejection>,
) -> Result<Response, ApiError> {
    let handle = board_of(&app, &member, &id).await?;
    let Query(paging) =
        params.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, e.body_text()))?;
    let limit = paging.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        let message = format!("`limit` is 1 to {MAX_LIMIT}");
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::OutOfRange, message));
    }
    let (entries, next) = page(&app, &handle, paging.before.unwrap_or(i64::MAX), limit).await?;
    Ok(Json(json!({ "entries": entries, "next": next })).into_response())
}

/// `GET /api/v1/boards/{id}/activity.csv?dialect=en|fr`: the log, oldest
/// first (its newest [`MAX_CSV_ENTRIES`] entries), named after the board.
pub async fn activity_csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    params: Result<Query<DialectParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let dialect = DialectParams::read(params)?;
    let handle = board_of(&app, &member, &id).await?;
    let mut entries = Vec::new();
    let mut before = i64::MAX;
    while entries.len() < MAX_CSV_ENTRIES {
        let (page, next) = page(&app, &handle, before, MAX_LIMIT).await?;
        entries.extend(page);
        match next {
            Some(next) => before = next,
            None => break,
        }
    }
    entries.truncate(MAX_CSV_ENTRIES);
    let sheet = Sheet::new(dialect, app.config.time.zone_name(&handle.record.tenant));
    let mut writer = sheet.writer();
    writer.write_record([
        sheet.time_header("at", "Quand"),
        sheet.say("member", "Qui").into(),
        sheet.say("role", "Rôle").into(),
        sheet.say("action", "Action").into(),
        sheet.say("post", "Message").into(),
        sheet.say("post_title", "Titre du message").into(),
        sheet.say("details", "Détails").into(),
    ])?;
    let text = |entry: &Value, field: &str| entry.get(field).and_then(Value::as_str).unwrap_or_default().to_string();
    for entry in entries.iter().rev() {
        let details: Vec<String> = DETAILS
            .iter()
            .filter_map(|field| {
                entry.get(*field).map(|v| format!("{field}: {}", v.as_str().map_or(v.to_string(), String::from)))
            })
            .collect();
        writer.write_record([
            sheet.time(entry["at"].as_i64().unwrap_or(0)),
            text(entry, "member_name"),
            text(entry, "role"),
            text(entry, "action"),
            text(entry, "post"),
            text(entry, "post_title"),
            details.join("\n"),
        ])?;
    }
    let name = download::file_name(
        &handle.record.title,
        &sheet.date(handle.record.created_at),
        sheet.say("board-activity", "activite-tableau"),
        "csv",
    );
    download::csv(&name, writer)
}

/// The fields `activity.csv` gathers in its last column.
const DETAILS: [&str; 8] = ["text", "stars", "section", "mode", "reactions", "contribution", "on", "locked"];

/// The board room `id`, for a leader of its tenant.
async fn board_of(app: &AppState, member: &crate::auth::Member, id: &str) -> Result<RoomHandle, ApiError> {
    require_leader(member)?;
    super::boards::board_room(app, member, id).await
}

/// Up to `limit` entries before `before`, newest first, and the `before`
/// of the next page.
async fn page(
    app: &AppState,
    handle: &RoomHandle,
    before: i64,
    limit: u32,
) -> Result<(Vec<Value>, Option<i64>), ApiError> {
    let room = handle.id();
    let mut records = app.store.board_activity(room, before, limit + 1).await.map_err(ApiError::internal)?;
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    // A `post` entry's post: ids are numbered in order of creation, after
    // the posts the board started with.
    let mut created = 0;
    if let Some(oldest) = records.iter().filter(|r| r.action.as_deref() == Some("post")).map(|r| r.position).min() {
        let seeds = crate::hub::stored::<BoardDefinition>(&handle.record, RoomKind::Board).map_or(0, |d| d.posts.len());
        created = seeds as i64 + app.store.board_posts_before(room, oldest).await.map_err(ApiError::internal)?;
    }
    // The posts' titles as they are now; a deleted post's, the last its
    // post or edit command gave (on this page).
    let live: BTreeMap<String, String> = match handle.board_export().await {
        Ok(Some(export)) => {
            export.rows.into_iter().map(|row| (row.post.id.clone(), heading(&row.post.content))).collect()
        }
        _ => BTreeMap::new(),
    };
    let mut titles = Titles { live, given: BTreeMap::new() };
    let mut entries: Vec<Value> = Vec::with_capacity(records.len());
    for record in records.iter().rev() {
        let created_post = (record.action.as_deref() == Some("post")).then(|| {
            created += 1;
            format!("p{created}")
        });
        entries.push(entry(record, created_post, &mut titles));
    }
    entries.reverse();
    let next = if more { records.last().map(|r| r.position) } else { None };
    Ok((entries, next))
}

/// One journaled command as an entry of the log.
/// Post titles: as they are now, and as the page's commands gave them.
struct Titles {
    live: BTreeMap<String, String>,
    given: BTreeMap<String, String>,
}

fn entry(record: &InputRecord, created_post: Option<String>, titles: &mut Titles) -> Value {
    let body: Value = record.body.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    let mut entry = Map::new();
    entry.insert("position".into(), json!(record.position));
    entry.insert("at".into(), json!(record.at));
    entry.insert("member".into(), json!(record.member));
    entry.insert("member_name".into(), json!(record.member_name));
    entry.insert("role".into(), json!(record.role));
    entry.insert("action".into(), json!(record.action));
    for field in KEPT {
        if let Some(value) = body.get(field).filter(|v| !v.is_null()) {
            entry.insert(field.into(), value.clone());
        }
    }
    if let Some(post) = created_post {
        entry.insert("post".into(), json!(post));
    }
    if let Some(text) = body.get("text").and_then(Value::as_str)
        && matches!(record.action.as_deref(), Some("comment" | "edit_comment"))
    {
        entry.insert("text".into(), json!(quoted(text)));
    }
    let post = entry.get("post").and_then(Value::as_str).map(String::from);
    let given = matches!(record.action.as_deref(), Some("post" | "edit"))
        .then(|| serde_json::from_value::<amphi_protocol::board::PostContent>(content_of(&body)).ok())
        .flatten()
        .map(|content| heading(&content))
        .filter(|h| !h.is_empty());
    if let (Some(post), Some(given)) = (&post, &given) {
        titles.given.insert(post.clone(), given.clone());
    }
    let title = post.as_ref().and_then(|post| titles.live.get(post).or_else(|| titles.given.get(post))).cloned();
    if let Some(title) = title {
        entry.insert("post_title".into(), json!(title));
    }
    Value::Object(entry)
}

/// A post or edit command's content fields (the command's other fields
/// left out).
fn content_of(body: &Value) -> Value {
    let mut content = body.as_object().cloned().unwrap_or_default();
    for field in ["action", "post", "section", "before", "version"] {
        content.remove(field);
    }
    Value::Object(content)
}

/// A post's title, or its text's first line.
fn heading(content: &amphi_protocol::board::PostContent) -> String {
    let title = content.title.trim();
    let heading = if title.is_empty() { content.text.trim().lines().next().unwrap_or_default() } else { title };
    quoted(heading)
}

fn quoted(text: &str) -> String {
    if text.chars().count() <= QUOTED_CHARS {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(QUOTED_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}
