//! Finding in the library: the search (folded prefixes, filters, visibility,
//! cursor pages), an item's preview, and its content for leaders.

use super::*;

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
    /// Recency: items published or updated in the last this many days.
    #[serde(default)]
    since_days: Option<i64>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: Option<String>,
}

pub(super) fn cursor_of(item: &LibraryItem) -> String {
    format!("{}_{}", item.published_at, item.id)
}

/// `GET /api/v1/library/items?q=&discipline=&level=&kind=&academie=&scope=&since_days=&limit=&cursor=`
pub async fn search(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    counted(&app, search_inner(&app, &member, params).await)
}

pub(super) async fn search_inner(
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
    let since = match params.since_days {
        None => None,
        Some(days) if (1..=MAX_SINCE_DAYS).contains(&days) => Some(crate::hub::now_ms() as i64 - days * 86_400_000),
        Some(_) => {
            return Err(bad(ErrorCode::OutOfRange, format!("`since_days` must be 1 to {MAX_SINCE_DAYS}")));
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
        since,
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

/// `GET /api/v1/library/mine`: the items the caller published (withdrawn
/// ones included), newest first, each with how many copies were made.
pub async fn mine(State(app): State<AppState>, Bearer(member): Bearer) -> Result<Response, ApiError> {
    counted(
        &app,
        async {
            require_leader(&member)?;
            let items = app.store.library_items_of(&member.tenant, &member.id).await.map_err(ApiError::internal)?;
            let items: Vec<Value> = items.iter().map(|item| item_json(&member, item)).collect();
            Ok(Json(json!({ "items": items })).into_response())
        }
        .await,
    )
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
