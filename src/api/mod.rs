//! The REST API under `/api/v1`: what is not live (creating rooms, minting
//! projector tokens, importing quizzes, exports, data deletion), described by
//! the OpenAPI document at `/api/v1/openapi.json`. Errors are JSON
//! `{"code", "message"}` with a stable code and a 4xx/5xx status.

mod admin;
mod ateliers;
mod attendance;
mod attendance_summary;
mod bbb;
mod board_activity;
mod boards;
pub(crate) mod download;
mod duplicate;
mod first_run;
mod folders;
mod library;
mod plans;
mod post_copy;
mod quizzes;
mod recordings;
mod registrations;
mod results;
mod rooms;
mod spreadsheet;
mod statistics;
mod statistics_csv;
mod statistics_periods;
mod statistics_privacy;
mod statistics_report;
mod trash;

use amphi_protocol::ErrorCode;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::app::AppState;
use crate::auth::{Member, TokenError};

pub use admin::{Eraser, erase_here};
pub(crate) use boards::{Named, serve_blob};
pub(crate) use library::{MAX_QUERY_TERMS as LIBRARY_MAX_QUERY_TERMS, make_copy as make_library_copy};
pub(crate) use recordings::refresh as refresh_recordings;
pub(crate) use registrations::{assign, plan_ateliers};
pub(crate) use rooms::{board_definition, breakout_definition, quiz_definition, require_leader, visible_room};

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Largest JSON body the API reads.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest quiz file imported (Moodle XML exports embed their images).
pub(crate) const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

/// Largest board export imported (with its attachments).
const MAX_BOARD_IMPORT_BYTES: usize = 256 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/first-run", post(first_run::exchange))
        .route("/rooms", post(rooms::create).get(rooms::list))
        .route("/rooms/{id}", get(rooms::get).delete(trash::trash))
        .route("/rooms/{id}/duplicate", post(duplicate::duplicate))
        .route("/rooms/{id}/mark", put(folders::mark))
        .route("/trash", get(trash::list).delete(trash::empty))
        .route("/trash/{id}", delete(trash::delete_one))
        .route("/trash/{id}/restore", post(trash::restore))
        .route("/folders", get(folders::list).post(folders::create))
        .route("/folders/{id}", put(folders::rename).delete(folders::delete))
        .route("/rooms/{id}/observer-token", post(rooms::observer_token))
        .route("/rooms/{id}/next-session", post(rooms::next_session))
        .route("/plans", post(plans::create).get(plans::list))
        .route("/plans/{id}", get(plans::get).put(plans::update).delete(plans::delete))
        .route(
            "/sessions/{id}/registrations",
            post(registrations::import)
                .layer(DefaultBodyLimit::max(registrations::MAX_CSV_BYTES))
                .get(registrations::list),
        )
        .route("/sessions/{id}/invitations", post(registrations::invite))
        .route("/sessions/{id}/results.csv", get(results::csv))
        .route("/sessions/{id}/results.json", get(results::json))
        .route("/sessions/{id}/attendance.csv", get(attendance::csv))
        .route("/sessions/{id}/participation.json", get(ateliers::participation))
        .route("/sessions/{id}/ateliers/{atelier}/video", get(ateliers::video))
        .route("/sessions/{id}/ateliers/{atelier}/video/retry", post(ateliers::retry_video))
        .route("/sessions/{id}/recordings", get(recordings::list).delete(recordings::delete_all))
        .route("/sessions/{id}/recordings/{record}", delete(recordings::delete_one))
        .route("/admin/users/{id}", delete(admin::delete_user))
        .route("/admin/statistics", get(statistics::json))
        .route("/admin/statistics.csv", get(statistics::csv))
        .route("/boards/{id}/uploads", post(boards::upload).layer(DefaultBodyLimit::disable()))
        .route("/boards/{id}/link-preview", post(boards::link_preview))
        .route("/boards/{id}/posts/{post}/copy", post(post_copy::copy))
        .route("/boards/{id}/export.csv", get(boards::export_csv))
        .route("/boards/{id}/export.zip", get(boards::export_zip))
        .route("/boards/{id}/activity", get(board_activity::activity))
        .route("/boards/{id}/activity.csv", get(board_activity::activity_csv))
        .route("/boards/import", post(boards::import).layer(DefaultBodyLimit::max(MAX_BOARD_IMPORT_BYTES)))
        .route("/blobs/{id}", get(boards::blob))
        .route("/bbb/webhooks", post(bbb::webhooks))
        .route("/bbb/analytics", post(bbb::analytics))
        .route("/bbb/recordings/ready", post(recordings::ready).get(recordings::ready))
        .merge(crate::lti::api_router())
        .merge(crate::badges::api::router())
        .route("/library/items", post(library::publish).get(library::search))
        .route("/library/items/{id}", get(library::preview))
        .route("/library/items/{id}/content", get(library::content))
        .route("/library/items/{id}/copies", post(library::copy))
        .route("/library/items/{id}/versions", post(library::new_version))
        .route("/library/items/{id}/withdraw", post(library::withdraw))
        .route("/library/mine", get(library::mine))
        .route("/library/copies", get(library::copies))
        .route("/library/copies/{id}", get(library::get_copy))
        .route("/library/copies/{id}/update", post(library::update_copy))
        .route("/quizzes/import", post(quizzes::import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such API route") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// An API failure: status, stable code, human message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "API request failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(json!({ "code": self.code, "message": self.message }))).into_response()
    }
}

/// The member behind a request's `Authorization: Bearer` token.
pub struct Bearer(pub Member);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        Bearer::from_headers(app, &parts.headers).await
    }
}

impl Bearer {
    /// The member of the `Authorization: Bearer` header of `headers`.
    /// A guest's token issued before they left their room or were removed
    /// is refused.
    pub async fn from_headers(app: &AppState, headers: &axum::http::HeaderMap) -> Result<Bearer, ApiError> {
        let unauthorized = |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message);
        let header = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .ok_or_else(|| unauthorized("missing `Authorization: Bearer <token>` header"))?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| unauthorized("expected a Bearer token"))?;
        match app.keys.verify(token.trim()) {
            Ok(claims) if claims.guest => match crate::transport::ended::check(app, &claims).await {
                Ok(()) => Ok(Bearer(Member::from(claims))),
                Err(refusal) if refusal.code == ErrorCode::Unavailable => {
                    Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, refusal.code, refusal.message))
                }
                Err(refusal) => Err(unauthorized(&refusal.message)),
            },
            Ok(claims) => Ok(Bearer(Member::from(claims))),
            Err(TokenError::Expired) => {
                Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::TokenExpired, "the token has expired"))
            }
            Err(TokenError::Invalid(why)) => Err(unauthorized(&why)),
        }
    }
}

/// Parses a JSON body, turning every failure into a coded 400.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        let code =
            if error.is_syntax() || error.is_eof() { ErrorCode::MalformedFrame } else { ErrorCode::InvalidField };
        ApiError::new(StatusCode::BAD_REQUEST, code, error.to_string())
    })
}
