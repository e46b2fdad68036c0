//! `POST /api/v1/first-run`: the first run's one-time code (printed by
//! `amphi serve`, see `crate::first_run`) exchanged for a trainer token of
//! the default tenant. Any other code, or the same code a second time: 401
//! `unauthorized`.

use amphi_protocol::{ErrorCode, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{ApiError, parse_json};
use crate::app::AppState;
use crate::auth::{Claims, unix_seconds};
use crate::first_run::FIRST_TRAINER_NAME;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Exchange {
    code: String,
}

pub(super) async fn exchange(State(app): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let Exchange { code } = parse_json(&body)?;
    if !app.first_run.redeem(code.trim()) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "this sign-in code is not valid or was already used",
        ));
    }
    let now = unix_seconds();
    let claims = Claims {
        sub: uuid::Uuid::new_v4().to_string(),
        name: FIRST_TRAINER_NAME.into(),
        tenant: "default".into(),
        role: Role::Trainer,
        exp: now + app.config.auth.token_ttl_hours * 3600,
        iat: now,
        room: None,
        guest: false,
    };
    tracing::info!("the first run's sign-in code was used: a trainer token was issued");
    Ok(Json(json!({ "token": app.keys.sign(&claims), "name": FIRST_TRAINER_NAME })).into_response())
}
