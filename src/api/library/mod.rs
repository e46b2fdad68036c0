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

use crate::api::rooms::{board_definition, claim_blobs, quiz_definition, room_json};
use crate::api::{ApiError, Bearer, parse_json};
use crate::app::AppState;
use crate::auth::Member;
use crate::store::{
    LibraryCopy, LibraryIndex, LibraryItem, LibraryKind, LibraryMeta, LibraryQuery, LibraryVersion, NATIONAL,
};
use crate::text_fold::{fold, terms};

mod changes;
mod copies;
mod files;
mod publish;
mod search;

pub use changes::changes;
pub use copies::{copies, copy, get_copy, update_copy};
pub(crate) use copies::{make_copy, provenance};
pub use publish::{new_version, publish, withdraw};
pub use search::{content, mine, preview, search};

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
/// The longest recency filter, in days (ten years).
pub const MAX_SINCE_DAYS: i64 = 3650;
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

/// Whether `member` may withdraw `item`: its author, an admin of its
/// académie, or (a national item) the national role.
fn may_withdraw(member: &Member, item: &LibraryItem) -> bool {
    is_author(member, item)
        || (member.role == Role::Admin && member.tenant == item.tenant)
        || (member.role == Role::National && item.is_national())
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

fn item_json(member: &Member, item: &LibraryItem) -> Value {
    json!({
        "id": item.id,
        "kind": item.kind,
        "scope": if item.is_national() { "national" } else { "academie" },
        "academie": item.tenant,
        "author_name": item.author_name,
        "mine": is_author(member, item),
        "can_withdraw": item.withdrawn_at.is_none() && may_withdraw(member, item),
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

#[cfg(test)]
mod tests {
    use super::*;

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
