//! Publishing to the library: an item from one of the author's rooms or
//! plans, its new versions, and its withdrawal (the author, the académie's
//! admins, the national role for national items).

use super::*;

/// The metadata fields of a publication or a new version (all optional for
/// a version: what is absent stays).
#[derive(Default)]
pub(super) struct MetaFields {
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
pub(super) struct Publication {
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

pub(super) fn text(value: Option<String>, field: &str, max: usize) -> Result<Option<String>, ApiError> {
    match value.map(|v| v.trim().to_string()) {
        Some(v) if v.chars().count() > max => {
            Err(bad(ErrorCode::OutOfRange, format!("`{field}` must have at most {max} characters")))
        }
        other => Ok(other),
    }
}

pub(super) fn words(
    values: Option<Vec<String>>,
    field: &str,
    most: usize,
    max: usize,
) -> Result<Option<Vec<String>>, ApiError> {
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
pub(super) fn checked_meta(app: &AppState, fields: MetaFields, base: LibraryMeta) -> Result<LibraryMeta, ApiError> {
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

pub(super) fn note(value: Option<String>) -> Result<String, ApiError> {
    Ok(text(value, "note", MAX_NOTE_CHARS)?.unwrap_or_default())
}

// ----- sources ---------------------------------------------------------------

/// The current definition and title of the author's `source` of `kind`.
pub(super) async fn source_content(
    app: &AppState,
    member: &Member,
    kind: LibraryKind,
    source: &str,
) -> Result<(String, String), ApiError> {
    let missing = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no room or plan of yours has this id");
    let id = Uuid::parse_str(source.trim()).map_err(|_| missing())?;
    let (owner, title, content) = match kind {
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
            (room.created_by, room.title, content)
        }
        LibraryKind::Plan => {
            let plan = app.store.plan(&member.tenant, id).await.map_err(ApiError::internal)?.ok_or_else(missing)?;
            (plan.owner, plan.title, plan.definition)
        }
    };
    if owner != member.id {
        return Err(forbidden("only its author may publish a quiz, board or plan"));
    }
    super::files::check_owned(app, member, &super::files::blobs_of(kind, &content)).await?;
    Ok((content, title))
}

// ----- JSON ---------------------------------------------------------------

/// `POST /api/v1/library/items`
pub async fn publish(State(app): State<AppState>, Bearer(member): Bearer, body: Bytes) -> Result<Response, ApiError> {
    counted(&app, publish_inner(&app, &member, &body).await)
}

pub(super) async fn publish_inner(app: &AppState, member: &Member, body: &[u8]) -> Result<Response, ApiError> {
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
    super::files::hold(app, item.id, &item.tenant, &super::files::blobs_of(kind, &content)).await?;
    app.store.publish_library_item(&item, &content, &note, &index).await.map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(item_json(member, &item))).into_response())
}

// ----- search ---------------------------------------------------------------

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
            let previous = super::copies::latest_version(&app, &item).await?;
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
            super::files::hold(&app, item.id, &item.tenant, &super::files::blobs_of(item.kind, &version.content))
                .await?;
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
        if !may_withdraw(&member, &item) {
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
