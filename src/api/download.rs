//! What the exports share: RFC 3339 timestamps, and files sent as
//! downloads (CSV in UTF-8 with a byte-order mark, which spreadsheets need).

use std::time::{Duration, UNIX_EPOCH};

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::ApiError;

/// RFC 3339, UTC, milliseconds.
pub fn timestamp(ms: u64) -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// `body` as an attachment named `name`.
pub fn download(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// A finished CSV as an attachment named `name`, with a BOM.
pub fn csv(name: &str, writer: csv::Writer<Vec<u8>>) -> Result<Response, ApiError> {
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(writer.into_inner().map_err(ApiError::internal)?);
    Ok(download("text/csv; charset=utf-8", name, body))
}
