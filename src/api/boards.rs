//! Board files and exports: `POST /api/v1/boards/{id}/uploads` (streamed,
//! bounded, type sniffed), `GET /api/v1/blobs/{blob}` (served so that
//! nothing in it can run), `GET /api/v1/boards/{id}/export.csv` and
//! `export.zip` (JSON and attachments), and `POST /api/v1/boards/import`,
//! which makes a new board from such a ZIP (an export reused as a template).

use std::collections::BTreeMap;
use std::io::{Read, Write as _};

use amphi_protocol::board::Post;
use amphi_protocol::{ErrorCode, Role, RoomKind};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::download;
use super::rooms::{require_leader, visible_room};
use super::spreadsheet::{Dialect, DialectParams, Sheet};
use super::{ApiError, Bearer};
use crate::activity::board::BoardDefinition;
use crate::app::AppState;
use crate::hub::{BoardExport, RoomHandle};
use crate::media::UploadError;
use crate::media::uploads::{self, Exceeded};
use crate::store::UploadRecord;

/// What `Content-Security-Policy` allows a served file: nothing runs.
const BLOB_CSP: &str = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/// A file's name given in the query (`?name=`).
#[derive(Deserialize)]
pub struct Named {
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/v1/boards/{id}/uploads?name=FILE`: the raw file as the body.
pub async fn upload(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    Query(named): Query<Named>,
    body: Body,
) -> Result<Response, ApiError> {
    if member.role == Role::Observer {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "observers do not upload"));
    }
    // A board's posts, and a breakout room's atelier files and productions.
    let handle = visible_room(&app, &member, &id).await?;
    if !matches!(handle.record.kind, RoomKind::Board | RoomKind::Breakout) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this room takes no uploads"));
    }
    let abuse = |kind: &str| app.metrics.abuse.with_label_values(&[kind]).inc();
    if !app.upload_rate.take(&member.id, std::time::Instant::now()) {
        abuse("upload_rate");
        let message = "too many uploads: retry in a minute";
        return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, message));
    }
    let (tenant, room) = (handle.record.tenant.clone(), handle.id().to_string());
    let usage = app.store.upload_usage(&tenant, &room, &member.id).await.map_err(ApiError::internal)?;
    let allowance = uploads::allowance(&app.config.board, usage).map_err(|exceeded| {
        abuse(exceeded.kind());
        quota_error(exceeded)
    })?;
    let (blob, meta) = match (app.blobs.put(body.into_data_stream(), allowance.bytes).await, allowance.quota) {
        (Ok(stored), _) => stored,
        (Err(UploadError::TooLarge(_)), Some(exceeded)) => {
            abuse(exceeded.kind());
            return Err(quota_error(exceeded));
        }
        (Err(error), _) => return Err(upload_error(error)),
    };
    let now = crate::hub::now_ms() as i64;
    let record = UploadRecord {
        blob: blob.clone(),
        tenant,
        room,
        member: member.id.clone(),
        size: meta.size,
        created_at: now,
        referenced_at: None,
    };
    uploads::record(&app, &record).await.map_err(ApiError::internal)?;
    tracing::info!(room = %handle.id(), %blob, content_type = %meta.content_type, size = meta.size, "upload stored");
    let name = file_name(named.name.as_deref(), &blob);
    let created = json!({ "blob": blob, "content_type": meta.content_type, "size": meta.size, "name": name });
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

fn quota_error(exceeded: Exceeded) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::QuotaExceeded, exceeded.message())
}

fn upload_error(error: UploadError) -> ApiError {
    match error {
        UploadError::TooLarge(limit) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::FileTooLarge,
            format!("files are limited to {limit} bytes"),
        ),
        UploadError::TypeRefused(what) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::FileTypeRefused,
            format!(
                "this file's content is {what}: accepted are pdf, odt, ods, odp, docx, xlsx, pptx, png, jpeg, gif, \
                 webp, mp3 and mp4"
            ),
        ),
        UploadError::Interrupted(why) => ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, why),
        UploadError::Io(error) => ApiError::internal(error),
    }
}

#[derive(Deserialize)]
pub struct BlobQuery {
    #[serde(default)]
    name: Option<String>,
    /// A blob token (`welcome.blob_token`, or a link given to BigBlueButton).
    #[serde(default)]
    access: Option<String>,
}

/// `GET /api/v1/blobs/{blob}?name=FILE[&access=TOKEN]`: to members of the
/// blob's tenant only, by their bearer token or a blob token; a blob of
/// another tenant is not found.
pub async fn blob(
    State(app): State<AppState>,
    Path(blob): Path<String>,
    Query(query): Query<BlobQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let tenant = match (&query.access, headers.contains_key(header::AUTHORIZATION)) {
        (Some(access), false) => app.blobs_access(access).ok_or_else(|| {
            app.metrics.abuse.with_label_values(&["blob_link_refused"]).inc();
            ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, "this file link is forged or has expired")
        })?,
        _ => Bearer::from_headers(&app, &headers).await?.0.tenant,
    };
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such file");
    // A blob stored before uploads were recorded (no row names it) is
    // served to any member until a post of a tenant adopts it.
    let store = &app.store;
    if !store.upload_in_tenant(&tenant, &blob).await.map_err(ApiError::internal)?
        && store.upload_kept(&blob).await.map_err(ApiError::internal)?
    {
        return Err(not_found());
    }
    serve_blob(&app, &blob, query.name.as_deref()).await
}

/// Body of `POST /api/v1/boards/{id}/link-preview`.
#[derive(Deserialize)]
pub struct PreviewRequest {
    url: String,
}

/// `POST /api/v1/boards/{id}/link-preview` `{"url"}`: the link's card
/// (title, description, site, image stored as the caller's upload), read
/// by the server from the linked page, for a post the caller is writing.
/// Members who may post; within the upload rate and quotas (the card's
/// image is an upload).
pub async fn link_preview(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    use crate::media::preview::{self, PreviewError};
    if member.role == Role::Observer {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "observers do not post"));
    }
    let request: PreviewRequest = super::parse_json(&body)?;
    let handle = board_room(&app, &member, &id).await?;
    let outcome = |name: &str| app.metrics.link_previews.with_label_values(&[name]).inc();
    if !app.upload_rate.take(&member.id, std::time::Instant::now()) {
        app.metrics.abuse.with_label_values(&["upload_rate"]).inc();
        outcome("rate_limited");
        let message = "too many uploads and link cards: retry in a minute";
        return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, message));
    }
    let (tenant, room) = (handle.record.tenant.clone(), handle.id().to_string());
    let usage = app.store.upload_usage(&tenant, &room, &member.id).await.map_err(ApiError::internal)?;
    if let Err(exceeded) = uploads::allowance(&app.config.board, usage) {
        app.metrics.abuse.with_label_values(&[exceeded.kind()]).inc();
        outcome("quota_exceeded");
        return Err(quota_error(exceeded));
    }
    match preview::preview(&app, &tenant, &room, &member.id, &request.url).await {
        Ok(card) => {
            outcome("ok");
            Ok(Json(json!({ "url": request.url.trim(), "link_preview": card })).into_response())
        }
        Err(PreviewError::Invalid(why)) => {
            outcome("invalid");
            Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, why))
        }
        Err(PreviewError::Refused(why)) => {
            outcome("refused");
            app.metrics.abuse.with_label_values(&["link_refused"]).inc();
            tracing::info!(room = %handle.id(), reason = %why, "link card refused");
            Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::LinkRefused, why))
        }
        Err(PreviewError::Unreachable(why)) => {
            outcome("unreachable");
            Err(ApiError::new(StatusCode::BAD_GATEWAY, ErrorCode::Unavailable, why))
        }
    }
}

/// The stored blob as a response: its type, inline or as an attachment
/// under `name` (the blob id when none), locked down (no sniffing, a
/// sandboxing CSP), cached for a year (a blob never changes).
pub async fn serve_blob(app: &AppState, blob: &str, name: Option<&str>) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such file");
    let path = app.blobs.path(blob).ok_or_else(not_found)?;
    let meta = app.blobs.meta(blob).await.ok_or_else(not_found)?;
    let bytes = tokio::fs::read(&path).await.map_err(|_| not_found())?;
    let name = file_name(name, blob);
    let disposition = if meta.is_inline() { "inline" } else { "attachment" };
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    let value = |v: &str| HeaderValue::from_str(v).map_err(ApiError::internal);
    headers.insert(header::CONTENT_TYPE, value(&meta.content_type)?);
    headers.insert(header::CONTENT_DISPOSITION, value(&self::disposition(disposition, &name))?);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(BLOB_CSP));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    Ok(response)
}

/// The file's name as given (trimmed, at most 120 characters, no control
/// characters or path separators), or the blob id when none is given.
fn file_name(name: Option<&str>, blob: &str) -> String {
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(blob);
    name.chars().take(120).map(|c| if c.is_control() || matches!(c, '/' | '\\') { '_' } else { c }).collect()
}

/// `Content-Disposition` for `name`: an ASCII fallback in `filename` and
/// the exact name in `filename*` (RFC 6266 / RFC 5987).
fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ';') || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The board room `id`, if this member may enter it.
pub(super) async fn board_room(app: &AppState, member: &crate::auth::Member, id: &str) -> Result<RoomHandle, ApiError> {
    let handle = visible_room(app, member, id).await?;
    if handle.record.kind != RoomKind::Board {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this room runs no board"));
    }
    Ok(handle)
}

async fn export_of(
    app: &AppState,
    member: &crate::auth::Member,
    id: &str,
) -> Result<(RoomHandle, BoardExport), ApiError> {
    require_leader(member)?;
    let handle = board_room(app, member, id).await?;
    let export = handle.board_export().await.ok().flatten().ok_or_else(|| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the board is not available")
    })?;
    Ok((handle, export))
}

/// `GET /api/v1/boards/{id}/export.csv?dialect=en|fr`: one row per post,
/// leaders only, named after the board's title and date.
pub async fn export_csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    params: Result<Query<DialectParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let dialect = DialectParams::read(params)?;
    let (handle, export) = export_of(&app, &member, &id).await?;
    let sheet = Sheet::new(dialect, app.config.time.zone_name(&handle.record.tenant));
    let name = download::file_name(
        &handle.record.title,
        &sheet.date(handle.record.created_at),
        sheet.say("board", "tableau"),
        "csv",
    );
    download::csv(&name, board_csv(&export, &sheet)?)
}

/// The board's posts as CSV: one row per post (in `export.csv`, and in
/// English in the ZIP).
fn board_csv(export: &BoardExport, sheet: &Sheet) -> Result<download::CsvExport, ApiError> {
    let mut writer = sheet.writer();
    writer.write_record([
        sheet.say("section", "Section").to_string(),
        sheet.say("post", "Message").into(),
        sheet.say("author", "Auteur").into(),
        sheet.say("status", "État").into(),
        sheet.say("title", "Titre").into(),
        sheet.say("text", "Texte").into(),
        sheet.say("link", "Lien").into(),
        sheet.say("media", "Médias").into(),
        sheet.say("likes", "J’aime").into(),
        sheet.say("comments", "Commentaires").into(),
        sheet.time_header("created_at", "Publié le"),
        sheet.time_header("edited_at", "Modifié le"),
        sheet.say("ratings", "Notes").into(),
        sheet.say("average_stars", "Moyenne (étoiles)").into(),
    ])?;
    for row in &export.rows {
        let post = &row.post;
        let comments: Vec<String> = post
            .comments
            .iter()
            .map(|c| format!("{}: {}", c.author_name.as_deref().unwrap_or_default(), c.text))
            .collect();
        writer.write_record([
            row.section.as_str(),
            post.id.as_str(),
            post.author_name.as_deref().unwrap_or_default(),
            status_name(post, sheet),
            post.content.title.as_str(),
            post.content.text.as_str(),
            post.content.link.as_deref().unwrap_or_default(),
            &media_of(post),
            &post.likes.to_string(),
            &comments.join("\n"),
            &sheet.time(i64::try_from(post.created_at).unwrap_or(i64::MAX)),
            &post.edited_at.map(|at| sheet.time(i64::try_from(at).unwrap_or(i64::MAX))).unwrap_or_default(),
            &post.rating.count.to_string(),
            &average_stars(post, sheet),
        ])?;
    }
    Ok(writer)
}

/// A post's average stars to one decimal (in the sheet's decimal mark),
/// empty while nobody rated it.
fn average_stars(post: &Post, sheet: &Sheet) -> String {
    if post.rating.count == 0 {
        return String::new();
    }
    let tenths = (u64::from(post.rating.sum) * 10 + u64::from(post.rating.count) / 2) / u64::from(post.rating.count);
    let mark = sheet.say(".", ",");
    format!("{}{mark}{}", tenths / 10, tenths % 10)
}

fn status_name(post: &Post, sheet: &Sheet) -> &'static str {
    use amphi_protocol::board::PostStatus;
    match post.status {
        PostStatus::Visible => sheet.say("visible", "visible"),
        PostStatus::Pending => sheet.say("pending", "à valider"),
        PostStatus::Unrevealed => sheet.say("unrevealed", "à dévoiler"),
        PostStatus::Hidden => sheet.say("hidden", "masqué"),
    }
}

/// The post's media in words: image, video and file, with their addresses.
fn media_of(post: &Post) -> String {
    let content = &post.content;
    let mut media = Vec::new();
    if let Some(image) = &content.image {
        media.push(format!("image: /api/v1/blobs/{} ({})", image.blob, image.alt));
    }
    if let Some(video) = &content.video {
        media.push(format!("video: {}", video.url));
    }
    if let Some(file) = &content.file {
        media.push(format!("file: {} /api/v1/blobs/{}", file.name, file.blob));
    }
    if let Some(card) = &content.link_preview {
        media.push(format!("link card: {} ({})", card.title, card.site));
    }
    media.join("\n")
}

/// `GET /api/v1/boards/{id}/export.zip`: `board.json` (the board as a
/// definition, which `POST /api/v1/boards/import` reads back), `board.csv`
/// (what `export.csv` gives) and `files/<blob>` for every attachment.
pub async fn export_zip(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (handle, export) = export_of(&app, &member, &id).await?;
    let mut files = BTreeMap::new();
    for seed in &export.definition.posts {
        for blob in &uploads::blobs_of_post(&seed.content) {
            if let Some(path) = app.blobs.path(blob)
                && let Ok(bytes) = tokio::fs::read(path).await
            {
                files.insert(blob.clone(), bytes);
            }
        }
    }
    let json = serde_json::to_vec_pretty(&export.definition).map_err(ApiError::internal)?;
    let csv =
        board_csv(&export, &Sheet::new(Dialect::En, app.config.time.zone_name(&handle.record.tenant)))?.finish()?;
    let zip = tokio::task::spawn_blocking(move || write_zip(json, csv, files))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(download::download("application/zip", &format!("board-{id}.zip"), zip))
}

fn write_zip(json: Vec<u8>, csv: Vec<u8>, files: BTreeMap<String, Vec<u8>>) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("board.json", options)?;
    zip.write_all(&json)?;
    zip.start_file("board.csv", options)?;
    zip.write_all(&csv)?;
    for (blob, bytes) in files {
        zip.start_file(format!("files/{blob}"), options)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Largest `board.json` read from an imported ZIP.
const MAX_BOARD_JSON: u64 = 4 * 1024 * 1024;
/// Entries smaller than this are not held to the compression ratio (small
/// text compresses very well).
const RATIO_FLOOR: u64 = 1024 * 1024;

/// `POST /api/v1/boards/import?title=...`: a new board room from an
/// `export.zip` (its sections, settings and visible posts; attachments
/// stored again). Leaders only.
///
/// Against ZIP bombs, only `board.json` and the `files/<blob>` entries its
/// posts reference are decompressed, one at a time, each within
/// `board.max_upload_bytes`, all within `board.max_import_bytes`, and none
/// inflating more than `board.max_import_ratio` times its compressed size;
/// past a limit the file is refused with `file_too_large`.
pub async fn import(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Query(titled): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let bad = |message: String| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, message);
    let config = &app.config.board;
    let mut budget = Budget { remaining: config.max_import_bytes, ratio: config.max_import_ratio };
    let refused = |refusal: Refused| refusal.into_api_error(&app);
    let json = read_entry(&body, "board.json", MAX_BOARD_JSON, &mut budget).await.map_err(refused)?;
    let mut definition: BoardDefinition = serde_json::from_slice(&json).map_err(|e| bad(format!("board.json: {e}")))?;
    drop(json);
    if let Some(title) = titled.get("title").map(|t| t.trim()).filter(|t| !t.is_empty()) {
        definition.title = title.to_string();
    }
    definition.validate().map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::OutOfRange, e))?;
    // Attachments are stored again (sniffed again); a post whose file is
    // missing from the archive is refused rather than left broken.
    let limit = config.max_upload_bytes;
    let mut stored: BTreeMap<String, (String, crate::media::BlobMeta)> = BTreeMap::new();
    for seed in &mut definition.posts {
        for blob in uploads::blobs_of_post(&seed.content) {
            if stored.contains_key(&blob) {
                continue;
            }
            let bytes = read_entry(&body, &format!("files/{blob}"), limit, &mut budget).await.map_err(refused)?;
            let put = app.blobs.put_bytes(bytes, limit).await.map_err(upload_error)?;
            stored.insert(blob, put);
        }
        if let Some(image) = &mut seed.content.image {
            let (blob, meta) = &stored[&image.blob];
            if !meta.is_image() {
                return Err(upload_error(UploadError::TypeRefused(meta.content_type.clone())));
            }
            image.blob = blob.clone();
        }
        if let Some(file) = &mut seed.content.file {
            let (blob, meta) = &stored[&file.blob];
            (file.blob, file.content_type, file.size) = (blob.clone(), meta.content_type.clone(), meta.size);
        }
        if let Some(card_image) = seed.content.link_preview.as_mut().and_then(|p| p.image.as_mut()) {
            let (blob, meta) = &stored[&*card_image];
            if !meta.is_image() {
                return Err(upload_error(UploadError::TypeRefused(meta.content_type.clone())));
            }
            *card_image = blob.clone();
        }
    }
    let title = definition.title.clone();
    let activity = serde_json::to_string(&definition).map_err(ApiError::internal)?;
    let handle = app
        .hub
        .create_room(&member.tenant, &title, &member.id, RoomKind::Board, Some(activity))
        .await
        .map_err(ApiError::internal)?;
    // The board's posts refer to its files: they count in the quotas and
    // are kept.
    let now = crate::hub::now_ms() as i64;
    for (blob, meta) in stored.into_values() {
        let record = UploadRecord {
            blob,
            tenant: member.tenant.clone(),
            room: handle.id().to_string(),
            member: member.id.clone(),
            size: meta.size,
            created_at: now,
            referenced_at: Some(now),
        };
        uploads::record(&app, &record).await.map_err(ApiError::internal)?;
    }
    Ok((StatusCode::CREATED, Json(super::rooms::room_json(&handle.record))).into_response())
}

/// What an import may still decompress.
#[derive(Debug, Clone, Copy)]
struct Budget {
    /// Bytes left of `board.max_import_bytes`.
    remaining: u64,
    /// `board.max_import_ratio`.
    ratio: u64,
}

/// Why an entry of an imported ZIP was not read.
#[derive(Debug)]
enum Refused {
    /// Not a ZIP, or a damaged one.
    NotZip(String),
    Missing(String),
    /// Over a limit (the message says which).
    TooLarge(String),
}

impl Refused {
    fn into_api_error(self, app: &AppState) -> ApiError {
        match self {
            Refused::NotZip(why) => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, format!("not a board export: {why}"))
            }
            Refused::Missing(name) => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, format!("{name} is missing"))
            }
            Refused::TooLarge(why) => {
                app.metrics.abuse.with_label_values(&["zip_bomb"]).inc();
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::FileTooLarge, why)
            }
        }
    }
}

/// Decompresses entry `name` of the ZIP in `archive`, off the async
/// threads, within `limit` bytes, the budget and its ratio; the budget is
/// charged with what was read.
async fn read_entry(archive: &Bytes, name: &str, limit: u64, budget: &mut Budget) -> Result<Vec<u8>, Refused> {
    let (archive, name, start) = (archive.clone(), name.to_string(), *budget);
    let (content, left) = tokio::task::spawn_blocking(move || read_entry_blocking(&archive, &name, limit, start))
        .await
        .map_err(|e| Refused::NotZip(e.to_string()))??;
    *budget = left;
    Ok(content)
}

fn read_entry_blocking(archive: &[u8], name: &str, limit: u64, budget: Budget) -> Result<(Vec<u8>, Budget), Refused> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(archive)).map_err(|e| Refused::NotZip(e.to_string()))?;
    let mut entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Err(Refused::Missing(name.to_string())),
        Err(error) => return Err(Refused::NotZip(error.to_string())),
    };
    let cap = limit.min(budget.remaining);
    let over = |read: u64| {
        if read > limit {
            Refused::TooLarge(format!("{name}: files are limited to {limit} bytes"))
        } else {
            Refused::TooLarge(format!("the archive holds more than {} bytes once decompressed", budget.remaining))
        }
    };
    if entry.size() > cap {
        return Err(over(entry.size()));
    }
    let compressed = entry.compressed_size().max(1);
    let mut content = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = entry.read(&mut chunk).map_err(|e| Refused::NotZip(format!("{name}: {e}")))?;
        if read == 0 {
            break;
        }
        let total = (content.len() + read) as u64;
        if total > cap {
            return Err(over(total));
        }
        if total > RATIO_FLOOR && total / compressed > budget.ratio {
            return Err(Refused::TooLarge(format!(
                "{name} inflates more than {} times its compressed size",
                budget.ratio
            )));
        }
        content.extend_from_slice(&chunk[..read]);
    }
    let left = Budget { remaining: budget.remaining - content.len() as u64, ..budget };
    Ok((content, left))
}
