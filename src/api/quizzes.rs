//! `/api/v1/quizzes/import`: turns a GIFT, Moodle XML or native JSON file
//! into amphi's quiz JSON (trainers, facilitators, admins). Nothing is
//! stored: the client keeps the quiz it gets back.

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{ApiError, Bearer, MAX_IMPORT_BYTES};
use crate::quiz::{ImportFormat, import as import_quiz};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `gift`, `moodlexml` or `json`; guessed from the content when absent.
    format: Option<String>,
}

/// `POST /api/v1/quizzes/import?format=…` with the file's text as the body.
pub async fn import(
    Bearer(member): Bearer,
    params: Result<Query<ImportParams>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if !member.role.leads() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "only a trainer, facilitator or admin may import a quiz",
        ));
    }
    let Query(params) = params
        .map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, rejection.body_text()))?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::FrameTooLarge,
                format!("the file is larger than {} KiB", MAX_IMPORT_BYTES / 1024),
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, rejection.body_text())
        }
    })?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidField,
            "the file is not UTF-8 text: save it as UTF-8 and try again",
        )
    })?;
    let format = match params.format.as_deref() {
        Some(name) => name
            .parse::<ImportFormat>()
            .map_err(|message| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::OutOfRange, message))?,
        None => ImportFormat::guess(None, text),
    };
    let imported = import_quiz(text, format).map_err(|error| {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, format!("{format} import failed: {error}"))
    })?;
    Ok(Json(imported).into_response())
}
