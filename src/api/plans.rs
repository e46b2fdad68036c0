//! `/api/v1/plans`: saved breakout plans. A leader saves a plan (the
//! ateliers and settings that POST /rooms accepts for a breakout room,
//! checked the same way) with a title; every leader of the tenant lists and
//! reads them, and creates breakout rooms from them (`plan_id`); the owner
//! or an admin changes or deletes one.

use amphi_protocol::{ErrorCode, Role, RoomKind};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::rooms::{breakout_definition, claim_blobs, require_leader};
use super::{ApiError, Bearer, parse_json};
use crate::app::AppState;
use crate::auth::Member;
use crate::store::PlanRecord;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPlan {
    title: String,
    /// The breakout definition: `plan` (ateliers, mode) and `settings`.
    breakout: Value,
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no plan has this id")
}

/// Checks a plan's title and definition; returns them as stored.
fn checked(app: &AppState, new: NewPlan) -> Result<(String, String), ApiError> {
    let title = new.title.trim().to_string();
    let max = app.config.limits.max_title_chars;
    if title.is_empty() || title.chars().count() > max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::OutOfRange,
            format!("`title` must have 1 to {max} characters"),
        ));
    }
    let definition = breakout_definition(&title, Some(new.breakout))?;
    Ok((title, definition))
}

pub(super) fn plan_json(plan: &PlanRecord) -> Value {
    let mut breakout: Value = serde_json::from_str(&plan.definition).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut breakout {
        map.remove("title");
    }
    json!({
        "id": plan.id,
        "title": plan.title,
        "owner": plan.owner,
        "breakout": breakout,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    })
}

/// The tenant's plan with this id.
async fn find(app: &AppState, member: &Member, id: &str) -> Result<PlanRecord, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    app.store.plan(&member.tenant, id).await.map_err(ApiError::internal)?.ok_or_else(not_found)
}

fn require_owner(member: &Member, plan: &PlanRecord) -> Result<(), ApiError> {
    if plan.owner == member.id || member.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only its owner or an admin changes a plan"))
    }
}

/// The stored definition of a saved plan, for POST /rooms `plan_id`.
pub(super) async fn definition_of(app: &AppState, member: &Member, id: &str) -> Result<Value, ApiError> {
    let plan = find(app, member, id).await?;
    serde_json::from_str(&plan.definition).map_err(ApiError::internal)
}

/// `POST /api/v1/plans`
pub async fn create(State(app): State<AppState>, Bearer(member): Bearer, body: Bytes) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let new: NewPlan = parse_json(&body)?;
    let plan = save_new(&app, &member, &new.title, new.breakout).await?;
    Ok((StatusCode::CREATED, Json(plan_json(&plan))).into_response())
}

/// Checks and saves a new plan of `member`'s (POST /plans, and a copy from
/// the library).
pub(super) async fn save_new(
    app: &AppState,
    member: &Member,
    title: &str,
    breakout: Value,
) -> Result<PlanRecord, ApiError> {
    let (title, definition) = checked(app, NewPlan { title: title.to_string(), breakout })?;
    claim_blobs(app, &member.tenant, crate::media::uploads::blobs_of_activity(RoomKind::Breakout, &definition)).await?;
    let now = crate::hub::now_ms() as i64;
    let plan = PlanRecord {
        id: Uuid::new_v4(),
        tenant: member.tenant.clone(),
        owner: member.id.clone(),
        title,
        definition,
        created_at: now,
        updated_at: now,
    };
    app.store.insert_plan(&plan).await.map_err(ApiError::internal)?;
    Ok(plan)
}

/// Checks and replaces the title and definition of `member`'s plan `id`
/// (a library copy brought to a new version); `None` when it is gone.
pub(super) async fn replace(
    app: &AppState,
    member: &Member,
    id: Uuid,
    title: &str,
    breakout: Value,
) -> Result<Option<PlanRecord>, ApiError> {
    let Some(mut plan) = app.store.plan(&member.tenant, id).await.map_err(ApiError::internal)? else {
        return Ok(None);
    };
    require_owner(member, &plan)?;
    let (title, definition) = checked(app, NewPlan { title: title.to_string(), breakout })?;
    claim_blobs(app, &member.tenant, crate::media::uploads::blobs_of_activity(RoomKind::Breakout, &definition)).await?;
    let now = crate::hub::now_ms() as i64;
    if !app.store.update_plan(&member.tenant, plan.id, &title, &definition, now).await.map_err(ApiError::internal)? {
        return Ok(None);
    }
    (plan.title, plan.definition, plan.updated_at) = (title, definition, now);
    Ok(Some(plan))
}

/// `GET /api/v1/plans`
pub async fn list(State(app): State<AppState>, Bearer(member): Bearer) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let plans = app.store.plans(&member.tenant).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "plans": plans.iter().map(plan_json).collect::<Vec<_>>() })))
}

/// `GET /api/v1/plans/{id}`
pub async fn get(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let plan = find(&app, &member, &id).await?;
    let mut body = plan_json(&plan);
    if let Some(library) = super::library::provenance(&app, &member.tenant, &plan.id.to_string()).await? {
        body["library"] = library;
    }
    Ok(Json(body))
}

/// `PUT /api/v1/plans/{id}`: replaces the title and the definition.
pub async fn update(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let mut plan = find(&app, &member, &id).await?;
    require_owner(&member, &plan)?;
    let (title, definition) = checked(&app, parse_json(&body)?)?;
    claim_blobs(&app, &member.tenant, crate::media::uploads::blobs_of_activity(RoomKind::Breakout, &definition))
        .await?;
    let now = crate::hub::now_ms() as i64;
    if !app.store.update_plan(&member.tenant, plan.id, &title, &definition, now).await.map_err(ApiError::internal)? {
        return Err(not_found());
    }
    (plan.title, plan.definition, plan.updated_at) = (title, definition, now);
    Ok(Json(plan_json(&plan)))
}

/// `DELETE /api/v1/plans/{id}`: rooms made from it keep their copy.
pub async fn delete(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_leader(&member)?;
    let plan = find(&app, &member, &id).await?;
    require_owner(&member, &plan)?;
    app.store.delete_plan(&member.tenant, plan.id).await.map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}
