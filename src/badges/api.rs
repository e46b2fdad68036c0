//! `/api/v1/badges`: trainers attach badges to their activities (a leader's
//! token, within their tenant: another tenant's badge or room is not
//! found), give them an image (sniffed and bounded like board uploads),
//! list, retire, see who was awarded, revoke an award with a reason; a
//! member lists their own awards (`/api/v1/me/badges`); an admin exports
//! every award of the tenant as CSV.

use amphi_protocol::{ErrorCode, Role, RoomKind};
use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Urls;
use crate::api::{ApiError, Bearer, parse_json, require_leader, visible_room};
use crate::app::AppState;
use crate::auth::Member;
use crate::media::UploadError;
use crate::store::{AwardRecord, BadgeRecord, UploadRecord};

/// Longest badge name, description and criteria, in characters.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest revocation reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Longest validity, in days (about 100 years).
pub const MAX_VALID_DAYS: i32 = 36_500;
/// Most activities in a series badge, its own included.
pub const MAX_SERIES: usize = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/badges", post(create).get(list))
        .route("/badges/{id}", get(one).delete(retire))
        .route("/badges/{id}/image", put(image).layer(DefaultBodyLimit::disable()))
        .route("/badges/{id}/awards", get(awards))
        .route("/badges/awards/{award}/revoke", post(revoke))
        .route("/me/badges", get(mine))
        .route("/admin/badges/awards.csv", get(export))
}

fn bad(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no badge has this id")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBadge {
    /// The room of the activity (quiz, board, ateliers).
    activity: String,
    name: String,
    description: String,
    criteria: String,
    /// `complete` (default), `passed` or `attendance`.
    #[serde(default)]
    rule: Option<String>,
    /// For `attendance`: the share of the ateliers' open time, in percent.
    #[serde(default)]
    min_percent: Option<i32>,
    #[serde(default)]
    valid_days: Option<i32>,
    /// The other activities of a series ("complete these three
    /// micro-modules"): rooms of the tenant the caller sees, each recording
    /// a completion the rule can read (`complete` or `passed`).
    #[serde(default)]
    series: Vec<String>,
}

fn text(name: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(bad(ErrorCode::OutOfRange, format!("`{name}` must have 1 to {max} characters")));
    }
    Ok(value.to_string())
}

/// Whether the activity's definition can meet `rule`: a quiz for `passed`
/// (with a pass mark), ateliers counting attendance for `attendance`, a
/// board counting posts or comments.
fn check_rule(kind: RoomKind, activity: Option<&str>, rule: &str, min_percent: i32) -> Result<(), ApiError> {
    let definition: Value = activity.and_then(|a| serde_json::from_str(a).ok()).unwrap_or(Value::Null);
    let refuse = |message: &str| Err(ApiError::new(StatusCode::CONFLICT, ErrorCode::InvalidState, message));
    match (rule, kind) {
        ("complete", RoomKind::Quiz) => Ok(()),
        ("complete", RoomKind::Board) => {
            let settings = definition.get("settings");
            let counts = |name: &str| settings.and_then(|s| s.get(name)).and_then(Value::as_u64).unwrap_or(0) > 0;
            if counts("completion_posts") || counts("completion_comments") {
                Ok(())
            } else {
                refuse("this board counts no completion: set its completion_posts or completion_comments first")
            }
        }
        ("complete" | "attendance", RoomKind::Breakout) => {
            let counts = definition.pointer("/settings/completion_percent").is_some_and(|v| !v.is_null());
            if !counts {
                return refuse("these ateliers count no attendance: set their completion_percent first");
            }
            if rule == "attendance" && !(1..=100).contains(&min_percent) {
                return Err(bad(ErrorCode::OutOfRange, "`min_percent` must be between 1 and 100"));
            }
            Ok(())
        }
        ("passed", RoomKind::Quiz) => {
            if definition.pointer("/settings/pass_mark").is_some_and(|v| v.is_number()) {
                Ok(())
            } else {
                refuse("this quiz has no pass mark: set settings.pass_mark, or use the rule `complete`")
            }
        }
        ("complete" | "passed" | "attendance", RoomKind::Lobby) => refuse("a plain lobby records no completion"),
        ("passed", _) => refuse("the rule `passed` needs a quiz"),
        ("attendance", _) => refuse("the rule `attendance` needs ateliers"),
        _ => Err(bad(ErrorCode::OutOfRange, "`rule` must be \"complete\", \"passed\" or \"attendance\"")),
    }
}

/// `POST /api/v1/badges`
async fn create(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let new: NewBadge = parse_json(&body)?;
    let room = visible_room(&app, &member, &new.activity).await?;
    let rule = new.rule.as_deref().unwrap_or("complete").to_string();
    let min_percent = if rule == "attendance" { new.min_percent.unwrap_or(0) } else { 0 };
    if new.min_percent.is_some() && rule != "attendance" {
        return Err(bad(ErrorCode::InvalidField, "`min_percent` goes with the rule `attendance` only"));
    }
    check_rule(room.record.kind, room.record.activity.as_deref(), &rule, min_percent)?;
    let series = series_of(&app, &member, room.id(), &new.series, &rule).await?;
    if new.valid_days.is_some_and(|days| !(1..=MAX_VALID_DAYS).contains(&days)) {
        return Err(bad(ErrorCode::OutOfRange, format!("`valid_days` must be between 1 and {MAX_VALID_DAYS}")));
    }
    let badge = BadgeRecord {
        id: Uuid::new_v4(),
        tenant: member.tenant.clone(),
        activity: room.id(),
        name: text("name", &new.name, MAX_NAME_CHARS)?,
        description: text("description", &new.description, MAX_TEXT_CHARS)?,
        criteria: text("criteria", &new.criteria, MAX_TEXT_CHARS)?,
        image: None,
        rule,
        min_percent,
        valid_days: new.valid_days,
        created_by: member.id.clone(),
        created_at: crate::hub::now_ms() as i64,
        retired_at: None,
    };
    let issued = app.store.insert_badge(&badge, &series).await.map_err(ApiError::internal)?;
    tracing::info!(badge = %badge.id, activity = %badge.activity, series = series.len(), issued, "badge created");
    let base = super::base_url(&app, &headers);
    let mut created = badge_json(&base, &badge, &series);
    created["awarded_now"] = json!(issued);
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// The activities of a series badge, `activity` first then the others in
/// the order given, each checked like the badge's own; empty when there
/// are no others.
async fn series_of(
    app: &AppState,
    member: &Member,
    activity: Uuid,
    others: &[String],
    rule: &str,
) -> Result<Vec<Uuid>, ApiError> {
    if others.is_empty() {
        return Ok(Vec::new());
    }
    if rule == "attendance" {
        return Err(bad(ErrorCode::InvalidField, "a series is for the rules `complete` and `passed`"));
    }
    let mut series = vec![activity];
    for other in others {
        let room = visible_room(app, member, other).await?;
        if series.contains(&room.id()) {
            continue;
        }
        check_rule(room.record.kind, room.record.activity.as_deref(), rule, 0)?;
        series.push(room.id());
    }
    if series.len() > MAX_SERIES {
        return Err(bad(ErrorCode::OutOfRange, format!("a series has at most {MAX_SERIES} activities")));
    }
    Ok(if series.len() > 1 { series } else { Vec::new() })
}

fn badge_json(base: &str, badge: &BadgeRecord, series: &[Uuid]) -> Value {
    let urls = Urls(base);
    json!({
        "id": badge.id,
        "activity": badge.activity,
        "series": series,
        "name": badge.name,
        "description": badge.description,
        "criteria": badge.criteria,
        "rule": badge.rule,
        "min_percent": (badge.rule == "attendance").then_some(badge.min_percent),
        "valid_days": badge.valid_days,
        "image": badge.image.as_ref().map(|_| urls.image(badge.id)),
        "achievement": urls.achievement(badge.id),
        "created_by": badge.created_by,
        "created_at": badge.created_at,
    })
}

/// The badge if it exists in `member`'s tenant.
async fn badge_of(app: &AppState, member: &Member, id: &str) -> Result<BadgeRecord, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let badge = app.store.badge(id).await.map_err(ApiError::internal)?.ok_or_else(not_found)?;
    if badge.tenant != member.tenant || badge.retired_at.is_some() {
        return Err(not_found());
    }
    Ok(badge)
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    activity: Option<String>,
}

/// `GET /api/v1/badges[?activity=ROOM]`
async fn list(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let activity = match query.activity.as_deref() {
        Some(room) => Some(visible_room(&app, &member, room).await?.id()),
        None => None,
    };
    let badges = app.store.badges(&member.tenant, activity).await.map_err(ApiError::internal)?;
    let base = super::base_url(&app, &headers);
    let mut listed = Vec::with_capacity(badges.len());
    for badge in &badges {
        let series = app.store.badge_series(badge.id).await.map_err(ApiError::internal)?;
        listed.push(badge_json(&base, badge, &series));
    }
    let badges = listed;
    Ok(Json(json!({ "badges": badges })).into_response())
}

/// `GET /api/v1/badges/{id}`
async fn one(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let badge = badge_of(&app, &member, &id).await?;
    let series = app.store.badge_series(badge.id).await.map_err(ApiError::internal)?;
    Ok(Json(badge_json(&super::base_url(&app, &headers), &badge, &series)).into_response())
}

/// `DELETE /api/v1/badges/{id}`: retired (awarded no more; what it awarded
/// stays valid until revoked).
async fn retire(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let badge = badge_of(&app, &member, &id).await?;
    app.store.retire_badge(badge.id, crate::hub::now_ms() as i64).await.map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /api/v1/badges/{id}/image`: the raw image as the body (PNG, JPEG,
/// GIF or WebP, sniffed; within the board's upload size and quotas).
async fn image(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let badge = badge_of(&app, &member, &id).await?;
    let abuse = |kind: &str| app.metrics.abuse.with_label_values(&[kind]).inc();
    if !app.upload_rate.take(&member.id, std::time::Instant::now()) {
        abuse("upload_rate");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many uploads: retry in a minute",
        ));
    }
    let room = badge.activity.to_string();
    let usage = app.store.upload_usage(&member.tenant, &room, &member.id).await.map_err(ApiError::internal)?;
    let quota = |exceeded: crate::media::uploads::Exceeded| {
        abuse(exceeded.kind());
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::QuotaExceeded, exceeded.message())
    };
    let allowance = crate::media::uploads::allowance(&app.config.board, usage).map_err(quota)?;
    let (blob, meta) = match (app.blobs.put(body.into_data_stream(), allowance.bytes).await, allowance.quota) {
        (Ok(stored), _) => stored,
        (Err(UploadError::TooLarge(_)), Some(exceeded)) => return Err(quota(exceeded)),
        (Err(UploadError::TooLarge(limit)), None) => {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::FileTooLarge,
                format!("files are limited to {limit} bytes"),
            ));
        }
        (Err(UploadError::TypeRefused(what)), _) => return Err(not_an_image(&what)),
        (Err(UploadError::Interrupted(why)), _) => return Err(bad(ErrorCode::InvalidField, why)),
        (Err(UploadError::Io(error)), _) => return Err(ApiError::internal(error)),
    };
    if !meta.is_image() {
        abuse("badge_image_type");
        return Err(not_an_image(&meta.content_type));
    }
    let now = crate::hub::now_ms() as i64;
    let record = UploadRecord {
        blob: blob.clone(),
        tenant: member.tenant.clone(),
        room,
        member: member.id.clone(),
        size: meta.size,
        created_at: now,
        referenced_at: Some(now),
    };
    crate::media::uploads::record(&app, &record).await.map_err(ApiError::internal)?;
    crate::media::uploads::claim(&app, &member.tenant, [blob.as_str()])
        .await
        .map_err(|refusal| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, refusal.code, refusal.message))?;
    app.store.set_badge_image(badge.id, &blob).await.map_err(ApiError::internal)?;
    let badge = BadgeRecord { image: Some(blob), ..badge };
    let series = app.store.badge_series(badge.id).await.map_err(ApiError::internal)?;
    Ok(Json(badge_json(&super::base_url(&app, &headers), &badge, &series)).into_response())
}

fn not_an_image(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::FileTypeRefused,
        format!("this file's content is {what}: a badge's image is a png, jpeg, gif or webp image"),
    )
}

/// An award as the API lists it, with what a recipient's screen shows of
/// its badge (name, description, image, the activity it recognises), and
/// its Open Badges 2.0 files when `ob2` (see [`super::ob2_email`]).
pub fn award_json(base: &str, award: &AwardRecord, badge: &BadgeRecord, ob2: bool) -> Value {
    let urls = Urls(base);
    let credential = urls.credential(award.id);
    let v2 = super::ob2::Urls2(base);
    let open_badges_2 = ob2.then(|| json!({ "assertion": v2.assertion(award.id), "baked_png": v2.baked(award.id) }));
    json!({
        "open_badges_2": open_badges_2,
        "id": award.id,
        "badge": award.badge,
        "badge_name": badge.name,
        "badge_description": badge.description,
        "badge_image": badge.image.as_ref().map(|_| urls.image(badge.id)),
        "activity": badge.activity,
        "recipient": award.recipient,
        "recipient_name": award.recipient_name,
        "issued_at": award.issued_at,
        "expires_at": award.expires_at,
        "score": award.score,
        "max_score": award.max_score,
        "attended_minutes": award.attended_ms / 60_000,
        "revoked_at": award.revoked_at,
        "revocation_reason": award.revocation_reason,
        "credential": credential,
        "credential_jwt": format!("{credential}/credential.jwt"),
        "certificate_pdf": format!("{credential}/certificate.pdf"),
    })
}

/// `GET /api/v1/badges/{id}/awards`
async fn awards(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let badge = badge_of(&app, &member, &id).await?;
    let awards = app.store.awards_of_badge(badge.id).await.map_err(ApiError::internal)?;
    let base = super::base_url(&app, &headers);
    // The badge's image is read once; each recipient's e-mail is looked up.
    let png = super::has_png_image(&app, &badge).await;
    let mut listed = Vec::with_capacity(awards.len());
    for award in &awards {
        let ob2 =
            png && app.store.email_of(&award.tenant, &award.recipient).await.map_err(ApiError::internal)?.is_some();
        listed.push(award_json(&base, award, &badge, ob2));
    }
    let awards = listed;
    Ok(Json(json!({ "awards": awards })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revocation {
    reason: String,
}

/// `POST /api/v1/badges/awards/{award}/revoke` `{"reason"}`: the award's
/// bit is set in the tenant's revocation list; verifiers say `revoked`
/// with the reason.
async fn revoke(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(award): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let revocation: Revocation = parse_json(&body)?;
    let reason = text("reason", &revocation.reason, MAX_REASON_CHARS)?;
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no award has this id");
    let id = Uuid::parse_str(&award).map_err(|_| unknown())?;
    let award = app.store.award(id).await.map_err(ApiError::internal)?.ok_or_else(unknown)?;
    if award.tenant != member.tenant {
        return Err(unknown());
    }
    let now = crate::hub::now_ms() as i64;
    if !app.store.revoke_award(id, now, &reason).await.map_err(ApiError::internal)? {
        return Err(ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, "this award is revoked already"));
    }
    tracing::info!(award = %id, by = %member.id, "badge award revoked");
    Ok(Json(json!({ "id": id, "revoked_at": now, "revocation_reason": reason })).into_response())
}

/// `GET /api/v1/me/badges[?activity=ROOM]`: the caller's own awards in
/// their tenant (a guest's with their resume token), newest first.
async fn mine(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let activity = match query.activity.as_deref() {
        Some(room) => Some(Uuid::parse_str(room).map_err(|_| bad(ErrorCode::InvalidField, "`activity` is a room id"))?),
        None => None,
    };
    let awards = app.store.awards_of_recipient(&member.tenant, &member.id).await.map_err(ApiError::internal)?;
    let base = super::base_url(&app, &headers);
    let mut listed = Vec::new();
    for award in &awards {
        let Some(badge) = app.store.badge(award.badge).await.map_err(ApiError::internal)? else { continue };
        if activity.is_none_or(|room| badge.activity == room) {
            let ob2 = super::ob2_email(&app, award, &badge).await.map_err(ApiError::internal)?.is_some();
            listed.push(award_json(&base, award, &badge, ob2));
        }
    }
    Ok(Json(json!({ "awards": listed })).into_response())
}

/// `GET /api/v1/admin/badges/awards.csv`: every award of the admin's
/// tenant (who, which badge, when, revoked).
async fn export(State(app): State<AppState>, Bearer(member): Bearer, headers: HeaderMap) -> Result<Response, ApiError> {
    if member.role != Role::Admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only an admin may export awards"));
    }
    let awards = app.store.awards_of_tenant(&member.tenant).await.map_err(ApiError::internal)?;
    let base = super::base_url(&app, &headers);
    let zone = app.config.time.zone_name(&member.tenant).to_string();
    let local = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC)))
            .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let mut csv = crate::api::download::CsvExport::new();
    csv.write_record([
        "award",
        "badge",
        "badge_name",
        "recipient",
        "recipient_name",
        "issued_at",
        "expires_at",
        "revoked_at",
        "revocation_reason",
        "credential",
    ])?;
    for (award, badge_name) in &awards {
        csv.write_record([
            award.id.to_string(),
            award.badge.to_string(),
            badge_name.clone(),
            award.recipient.clone(),
            award.recipient_name.clone(),
            local(award.issued_at),
            award.expires_at.map(local).unwrap_or_default(),
            award.revoked_at.map(local).unwrap_or_default(),
            award.revocation_reason.clone().unwrap_or_default(),
            Urls(&base).credential(award.id),
        ])?;
    }
    crate::api::download::csv("awards.csv", csv)
}
