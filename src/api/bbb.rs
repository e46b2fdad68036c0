//! `POST /api/v1/bbb/webhooks`: bbb-webhooks callbacks. Authenticated as
//! configured (a checksum over the registered callback URL, the body and the
//! shared secret, or a bearer token), parsed, and stored once per event
//! (redeliveries change nothing). `meeting-created`, `meeting-ended`,
//! `user-joined` and `user-left` are typed; every other event is kept as
//! received.

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

use super::ApiError;
use crate::app::AppState;
use crate::bbb::checksum::{split_callback_checksum, verify_webhook};
use crate::bbb::webhooks::{WebhookEvent, parse_callback};
use crate::store::BbbEventRecord;

/// `POST /api/v1/bbb/webhooks`
pub async fn webhooks(
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let config = &app.config.bbb;
    if !config.is_enabled() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "BigBlueButton is not configured"));
    }
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let received = format!("{}{path}", config.callback_base_url.trim_end_matches('/'));
    let (callback_url, checksum) = split_callback_checksum(&received);
    let authorization = headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok());
    if let Err(error) = verify_webhook(config, callback_url, &body, checksum, authorization) {
        tracing::warn!(%error, "a BigBlueButton callback failed authentication");
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, error.to_string()));
    }
    let callback = parse_callback(&body)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedFrame, error.to_string()))?;
    let records: Vec<BbbEventRecord> = callback.events.iter().map(record).collect();
    let new = app.store.record_bbb_events(&records).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "received": records.len(), "new": new })))
}

/// An event as stored.
fn record(event: &WebhookEvent) -> BbbEventRecord {
    let key = event.dedup_key();
    let (meeting, member, member_name, body) = match event {
        WebhookEvent::MeetingCreated { meeting, name, metadata, .. } => (
            meeting.external_id.clone(),
            String::new(),
            String::new(),
            json!({ "event": key.event_id, "meeting": meeting.external_id, "name": name, "metadata": metadata }),
        ),
        WebhookEvent::MeetingEnded { meeting, .. } => (
            meeting.external_id.clone(),
            String::new(),
            String::new(),
            json!({ "event": key.event_id, "meeting": meeting.external_id }),
        ),
        WebhookEvent::UserJoined { meeting, user, .. } | WebhookEvent::UserLeft { meeting, user, .. } => (
            meeting.external_id.clone(),
            user.external_id.clone(),
            user.name.clone().unwrap_or_default(),
            json!({ "event": key.event_id, "meeting": meeting.external_id, "user": user.external_id,
                    "name": user.name, "role": user.role }),
        ),
        WebhookEvent::Other { raw, .. } => {
            let text = |pointer: &str| raw.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string();
            (
                text("/data/attributes/meeting/external-meeting-id"),
                text("/data/attributes/user/external-user-id"),
                text("/data/attributes/user/name"),
                raw.clone(),
            )
        }
    };
    BbbEventRecord {
        event: key.event_id,
        at: key.at_ms.map_or(0, |at| at as i64),
        internal_meeting: key.meeting_id,
        internal_user: key.user_id,
        meeting,
        member,
        member_name,
        body: body.to_string(),
    }
}
