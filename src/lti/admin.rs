//! The LTI part of the REST API: platforms of the admin's tenant
//! (`/api/v1/admin/lti/platforms`, manual registration), one-time Dynamic
//! Registration links (`/api/v1/admin/lti/registrations`), and a session's
//! course roster (`/api/v1/sessions/{id}/roster`: who is enrolled, who is
//! here now, who has not come), read through the platform's NRPS, and
//! ateliers pre-assigned from it (`/api/v1/sessions/{id}/roster/assignments`).

use std::collections::HashMap;

use amphi_protocol::{ErrorCode, Role};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::services::SCOPE_MEMBERSHIPS;
use super::{member_id, now_ms, public_url};
use crate::api::{ApiError, Bearer, parse_json, visible_room};
use crate::app::AppState;
use crate::auth::Member;
use crate::store::PlatformRecord;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/admin/lti/platforms", get(list).post(create))
        .route("/admin/lti/platforms/{id}", put(update).delete(delete))
        .route("/admin/lti/registrations", post(registration_link))
        .route("/sessions/{id}/roster", get(roster))
        .route("/sessions/{id}/roster/assignments", post(assign_from_roster))
}

fn require_admin(member: &Member) -> Result<(), ApiError> {
    if member.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only an admin manages LTI platforms"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFields {
    #[serde(default)]
    name: Option<String>,
    issuer: String,
    client_id: String,
    deployment_ids: Vec<String>,
    auth_url: String,
    token_url: String,
    jwks_url: String,
}

impl PlatformFields {
    fn check(&self) -> Result<(), ApiError> {
        let bad = |message: String| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, message);
        if self.issuer.trim().is_empty() || self.client_id.trim().is_empty() {
            return Err(bad("`issuer` and `client_id` must not be empty".into()));
        }
        if self.deployment_ids.is_empty() || self.deployment_ids.iter().any(|d| d.trim().is_empty()) {
            return Err(bad("`deployment_ids` lists at least one non-empty deployment id".into()));
        }
        for (name, value) in
            [("auth_url", &self.auth_url), ("token_url", &self.token_url), ("jwks_url", &self.jwks_url)]
        {
            match url::Url::parse(value) {
                Ok(url) if url.scheme() == "https" || url.scheme() == "http" => {}
                _ => return Err(bad(format!("`{name}` must be an http(s) URL"))),
            }
        }
        Ok(())
    }
}

fn platform_json(p: &PlatformRecord) -> Value {
    json!({
        "id": p.id,
        "tenant": p.tenant,
        "name": p.name,
        "issuer": p.issuer,
        "client_id": p.client_id,
        "deployment_ids": p.deployment_ids,
        "auth_url": p.auth_url,
        "token_url": p.token_url,
        "jwks_url": p.jwks_url,
        "created_at": p.created_at,
    })
}

/// `GET /api/v1/admin/lti/platforms`
async fn list(State(app): State<AppState>, Bearer(member): Bearer) -> Result<Json<Value>, ApiError> {
    require_admin(&member)?;
    let platforms = app.store.lti_platforms_of(&member.tenant).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "platforms": platforms.iter().map(platform_json).collect::<Vec<_>>() })))
}

/// `POST /api/v1/admin/lti/platforms`: a manual registration.
async fn create(State(app): State<AppState>, Bearer(member): Bearer, body: Bytes) -> Result<Response, ApiError> {
    require_admin(&member)?;
    let fields: PlatformFields = parse_json(&body)?;
    fields.check()?;
    let platform = PlatformRecord {
        id: uuid::Uuid::new_v4().simple().to_string()[..12].to_string(),
        tenant: member.tenant.clone(),
        name: fields.name.unwrap_or_else(|| fields.issuer.clone()),
        issuer: fields.issuer,
        client_id: fields.client_id,
        deployment_ids: fields.deployment_ids,
        auth_url: fields.auth_url,
        token_url: fields.token_url,
        jwks_url: fields.jwks_url,
        created_at: now_ms(),
    };
    app.store.insert_lti_platform(&platform).await.map_err(|error| {
        if error.is_unique_violation() {
            ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::InvalidState,
                "this issuer and client id are registered already",
            )
        } else {
            ApiError::internal(error)
        }
    })?;
    app.lti.frames.refresh();
    tracing::info!(tenant = %member.tenant, issuer = %platform.issuer, "LTI platform registered");
    Ok((StatusCode::CREATED, Json(platform_json(&platform))).into_response())
}

/// `PUT /api/v1/admin/lti/platforms/{id}`
async fn update(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    require_admin(&member)?;
    let fields: PlatformFields = parse_json(&body)?;
    fields.check()?;
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such platform in this tenant");
    let mut platform = app
        .store
        .lti_platform(&id)
        .await
        .map_err(ApiError::internal)?
        .filter(|p| p.tenant == member.tenant)
        .ok_or_else(not_found)?;
    platform.name = fields.name.unwrap_or(platform.name);
    platform.issuer = fields.issuer;
    platform.client_id = fields.client_id;
    platform.deployment_ids = fields.deployment_ids;
    platform.auth_url = fields.auth_url;
    platform.token_url = fields.token_url;
    platform.jwks_url = fields.jwks_url;
    if !app.store.update_lti_platform(&platform).await.map_err(ApiError::internal)? {
        return Err(not_found());
    }
    app.lti.keysets.forget(&platform.id);
    app.lti.services.forget_tokens(&platform.id);
    app.lti.frames.refresh();
    Ok(Json(platform_json(&platform)))
}

/// `DELETE /api/v1/admin/lti/platforms/{id}`: launches from it are refused
/// from now on; sessions and grades already given stay.
async fn delete(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_admin(&member)?;
    if app.store.delete_lti_platform(&member.tenant, &id).await.map_err(ApiError::internal)? {
        app.lti.keysets.forget(&id);
        app.lti.frames.refresh();
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such platform in this tenant"))
    }
}

/// `POST /api/v1/admin/lti/registrations`: a one-time Dynamic Registration
/// link into the admin's tenant.
async fn registration_link(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_admin(&member)?;
    let code = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let expires_at = now_ms() + (app.config.lti.registration_ttl_hours as i64) * 3_600_000;
    app.store.insert_lti_registration_code(&code, &member.tenant, expires_at).await.map_err(ApiError::internal)?;
    let url = format!("{}/lti/register?code={code}", public_url(&app, &headers));
    Ok((StatusCode::CREATED, Json(json!({ "url": url, "expires_at": expires_at }))).into_response())
}

/// A session's course members as its platform lists them (NRPS), each
/// with its amphi member id.
struct CourseMember {
    member: String,
    user_id: String,
    name: Value,
    email: Value,
    status: Value,
    role: Role,
}

async fn course_members(app: &AppState, room: uuid::Uuid) -> Result<(Value, Vec<CourseMember>), ApiError> {
    let unavailable = |message: String| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, message);
    let links = app.store.lti_links_of_room(room).await.map_err(ApiError::internal)?;
    let Some((link, url)) = links.iter().find_map(|l| l.memberships_url.clone().map(|url| (l, url))) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "this session was not opened from a course with a roster",
        ));
    };
    let platform = app.store.lti_platform(&link.platform_id).await.map_err(ApiError::internal)?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "the course's platform was removed")
    })?;
    let lti = &app.lti;
    let token =
        lti.services.token(&lti.keys, &platform, SCOPE_MEMBERSHIPS).await.map_err(|e| unavailable(e.to_string()))?;
    let container = lti.services.memberships(&token, &url).await.map_err(|e| unavailable(e.to_string()))?;
    let members = container["members"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            let user = m["user_id"].as_str()?;
            let roles: Vec<String> =
                m["roles"].as_array()?.iter().filter_map(|r| r.as_str().map(String::from)).collect();
            Some(CourseMember {
                member: member_id(&platform.id, user),
                user_id: user.to_string(),
                name: m["name"].clone(),
                email: m["email"].clone(),
                status: m["status"].clone(),
                role: super::role_of(&roles),
            })
        })
        .collect();
    Ok((container["context"].clone(), members))
}

/// `GET /api/v1/sessions/{id}/roster`: the course's members (leaders of the
/// session only), each with `present` (connected now) and `came` (has
/// joined the session at least once).
async fn roster(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    crate::api::require_leader(&member)?;
    let room = visible_room(&app, &member, &id).await?;
    let (context, course) = course_members(&app, room.id()).await?;
    let attendance = app.store.attendance(&[room.id()]).await.map_err(ApiError::internal)?;
    let mut seen: HashMap<&str, bool> = HashMap::new();
    for stretch in &attendance {
        let present = seen.entry(stretch.member.as_str()).or_insert(false);
        *present |= stretch.left_at.is_none();
    }
    let members: Vec<Value> = course
        .iter()
        .map(|m| {
            json!({
                "member": m.member,
                "user_id": m.user_id,
                "name": m.name,
                "email": m.email,
                "status": m.status,
                "role": m.role,
                "came": seen.contains_key(m.member.as_str()),
                "present": seen.get(m.member.as_str()).copied().unwrap_or(false),
            })
        })
        .collect();
    Ok(Json(json!({ "context": context, "members": members })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterAssignments {
    /// The course's user id → the atelier they go to.
    #[serde(default)]
    assignments: HashMap<String, String>,
    /// Spreads the course's participants not named in `assignments` over
    /// the plan's ateliers in turn.
    #[serde(default)]
    distribute: bool,
}

/// `POST /api/v1/sessions/{id}/roster/assignments`: ateliers pre-assigned
/// from the course roster, as the registrations CSV does: each one with
/// the `assign` a facilitator sends, under the member's stable id, honoured
/// when they open the activity from the course.
async fn assign_from_roster(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    crate::api::require_leader(&member)?;
    let request: RosterAssignments = parse_json(&body)?;
    let room = visible_room(&app, &member, &id).await?;
    let Some(ateliers) = crate::api::plan_ateliers(&room) else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidState, "this room runs no ateliers"));
    };
    if let Some(unknown) = request.assignments.values().find(|a| !ateliers.contains(*a)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidField,
            format!("no atelier of this session has the id {unknown:?}"),
        ));
    }
    let (_, course) = course_members(&app, room.id()).await?;
    let mut not_assigned = Vec::new();
    let mut wanted: Vec<(&CourseMember, String)> = Vec::new();
    for (user, atelier) in &request.assignments {
        match course.iter().find(|m| &m.user_id == user) {
            Some(person) => wanted.push((person, atelier.clone())),
            None => not_assigned.push(json!({ "user_id": user, "message": "not a member of the course" })),
        }
    }
    if request.distribute {
        let order: Vec<&String> = ateliers.iter().collect();
        let rest =
            course.iter().filter(|m| m.role == Role::Participant && !request.assignments.contains_key(&m.user_id));
        for (index, person) in rest.enumerate() {
            wanted.push((person, order[index % order.len()].clone()));
        }
    }
    let mut assigned = Vec::new();
    for (person, atelier) in wanted {
        match crate::api::assign(&room, &member, &person.member, &atelier).await {
            Ok(()) => assigned.push(json!({ "user_id": person.user_id, "name": person.name, "atelier": atelier })),
            Err(message) => not_assigned.push(json!({ "user_id": person.user_id, "message": message })),
        }
    }
    tracing::info!(room = %room.id(), by = %member.id, count = assigned.len(), "ateliers assigned from the roster");
    Ok(Json(json!({ "assigned": assigned, "not_assigned": not_assigned })).into_response())
}
