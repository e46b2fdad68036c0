//! Copies of library items in the caller's tenant: making one through the
//! code paths that create rooms and plans, listing them with their
//! provenance and whether a newer version exists, updating on request.

use super::*;

/// Makes the room or plan of `version` in `member`'s tenant, owned by them,
/// through the paths that create them; its id and JSON.
pub(super) async fn materialise(
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
            let plan = crate::api::plans::save_new(app, member, title, content).await?;
            return Ok((plan.id.to_string(), crate::api::plans::plan_json(&plan)));
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
            let (item, copy, made) = make_copy(&app, &member, &id).await?;
            let mut body = copy_json(&app, &copy, Some(&item)).await?;
            body["made"] = made;
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        .await,
    )
}

/// Makes a copy of item `id` (its latest version) for `member`, a leader,
/// in their tenant, and records it: the item, the copy and the room or
/// plan made (as JSON). For the REST API and Moodle's activity picker.
pub(crate) async fn make_copy(
    app: &AppState,
    member: &Member,
    id: &str,
) -> Result<(LibraryItem, LibraryCopy, Value), ApiError> {
    require_leader(member)?;
    let item = find(app, member, id).await?;
    if item.withdrawn_at.is_some() {
        return Err(invalid_state("this item was withdrawn from the library"));
    }
    let version = latest_version(app, &item).await?;
    super::files::hold(app, item.id, &member.tenant, &super::files::blobs_of(item.kind, &version.content)).await?;
    let (target, made) = materialise(app, member, item.kind, &version).await?;
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
    Ok((item, copy, made))
}

pub(super) async fn latest_version(app: &AppState, item: &LibraryItem) -> Result<LibraryVersion, ApiError> {
    app.store
        .library_version(item.id, item.version)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal(format!("library item {} lacks its version {}", item.id, item.version)))
}

/// A copy, with whether a newer version exists and what changed since the
/// copied one.
pub(super) async fn copy_json(
    app: &AppState,
    copy: &LibraryCopy,
    item: Option<&LibraryItem>,
) -> Result<Value, ApiError> {
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
pub(super) async fn own_copy(app: &AppState, member: &Member, id: &str) -> Result<LibraryCopy, ApiError> {
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
            super::files::hold(&app, item.id, &member.tenant, &super::files::blobs_of(item.kind, &version.content))
                .await?;
            let previous = copy.target.clone();
            let (target, made) = match item.kind {
                LibraryKind::Plan => {
                    let replaced = match Uuid::parse_str(&copy.target) {
                        Ok(plan) => {
                            let content: Value = serde_json::from_str(&version.content).map_err(ApiError::internal)?;
                            crate::api::plans::replace(&app, &member, plan, &version.meta.title, content).await?
                        }
                        Err(_) => None,
                    };
                    match replaced {
                        Some(plan) => (plan.id.to_string(), crate::api::plans::plan_json(&plan)),
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
