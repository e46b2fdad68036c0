//! `GET /api/v1/boards/{id}/activity?before=&limit=`: a board's activity
//! log for its trainers — who posted, edited, moved, deleted, commented,
//! liked or rated what, and when, and every leader's command — read from
//! the room's input journal (accepted commands only), newest first, a page
//! at a time. Leaders of the board's tenant only; nothing is written for it.

use std::collections::BTreeMap;

use amphi_protocol::{ErrorCode, RoomKind};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::rooms::{require_leader, visible_room};
use super::{ApiError, Bearer};
use crate::activity::board::BoardDefinition;
use crate::app::AppState;
use crate::store::InputRecord;

/// Entries per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
/// Most entries per page.
pub const MAX_LIMIT: u32 = 200;
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
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    if handle.record.kind != RoomKind::Board {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this room runs no board"));
    }
    let Query(paging) =
        params.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, e.body_text()))?;
    let limit = paging.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        let message = format!("`limit` is 1 to {MAX_LIMIT}");
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::OutOfRange, message));
    }
    let room = handle.id();
    let mut records = app
        .store
        .board_activity(room, paging.before.unwrap_or(i64::MAX), limit + 1)
        .await
        .map_err(ApiError::internal)?;
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
    Ok(Json(json!({ "entries": entries, "next": next })).into_response())
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
