//! What BigBlueButton calls back. `POST /api/v1/bbb/webhooks`:
//! bbb-webhooks callbacks, authenticated as configured (a checksum over the
//! registered callback URL, the body and the shared secret, or a bearer
//! token), parsed, and stored once per event (keyed by a digest of its
//! content: redeliveries change nothing, distinct events of one millisecond
//! are all kept; an event naming its meeting by internal id only is mapped
//! through the meeting's `meeting-created`);
//! `meeting-created`, `meeting-ended`, `user-joined` and `user-left` are
//! typed, every other event is kept as received. `POST
//! /api/v1/bbb/analytics`: the learning-analytics callback at a meeting's
//! end (a JWT signed with the shared secret), read leniently (only
//! `meeting_id` is essential; what could not be read is answered in
//! `unread`), stored once as one row for the meeting and one per attendee,
//! so that erasing a member erases their figures.

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

use super::ApiError;
use crate::app::AppState;
use crate::bbb::analytics::{read_attendee, receive_analytics};
use crate::bbb::attendance::{ANALYTICS_ATTENDEE, ANALYTICS_MEETING};
use crate::bbb::checksum::{split_callback_checksum, verify_webhook};
use crate::bbb::webhooks::{ReceivedEvent, WebhookEvent, parse_callback};
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
        return Err(not_configured());
    }
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let received = format!("{}{path}", config.callback_base_url.trim_end_matches('/'));
    let (callback_url, checksum) = split_callback_checksum(&received);
    let authorization = headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok());
    match verify_webhook(config, callback_url, &body, checksum, authorization) {
        Ok(mode) if mode != config.webhook_auth => {
            tracing::debug!(?mode, configured = ?config.webhook_auth, "a BigBlueButton callback proved itself in the other mode");
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, "a BigBlueButton callback failed authentication");
            app.bbb_refusals.record("webhooks", refusal_reason(&error), crate::hub::now_ms() as i64);
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, error.to_string()));
        }
    }
    let callback = parse_callback(&body)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedFrame, error.to_string()))?;
    let records: Vec<BbbEventRecord> = callback.events.iter().map(record).collect();
    let new = app.store.record_bbb_events(&records).await.map_err(ApiError::internal)?;
    // A meeting that ended may have been recorded.
    for ended in records.iter().filter(|r| r.event == "meeting-ended" && !r.meeting.is_empty()) {
        super::recordings::poll_after_end(&app, &ended.meeting);
    }
    Ok(Json(json!({ "received": records.len(), "new": new })))
}

/// `POST /api/v1/bbb/analytics`
pub async fn analytics(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, ApiError> {
    let config = &app.config.bbb;
    if !config.is_enabled() {
        return Err(not_configured());
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok());
    let callback = receive_analytics(&config.secret, authorization, &body).map_err(|error| {
        use crate::bbb::analytics::AnalyticsError;
        match error {
            AnalyticsError::BadBody(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedFrame, error.to_string())
            }
            _ => {
                tracing::warn!(%error, "a BigBlueButton analytics callback failed authentication");
                let reason = match error {
                    AnalyticsError::MissingToken => "missing_token",
                    AnalyticsError::Expired => "expired_token",
                    _ => "invalid_token",
                };
                app.bbb_refusals.record("analytics", reason, crate::hub::now_ms() as i64);
                ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, error.to_string())
            }
        }
    })?;
    let mut raw: Value = serde_json::from_slice(&body)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedFrame, error.to_string()))?;
    let attendees = raw.pointer_mut("/data/attendees").map(Value::take).unwrap_or(Value::Null);
    let row = |event: &str, member: &str, name: &str, body: &Value| BbbEventRecord {
        // Stored once per meeting and attendee, however often it is sent.
        key: format!("{event}:{}:{member}", callback.internal_meeting_id),
        event: event.to_string(),
        at: 0,
        internal_meeting: callback.internal_meeting_id.clone(),
        internal_user: member.to_string(),
        meeting: callback.meeting_id.clone(),
        member: member.to_string(),
        member_name: name.to_string(),
        body: body.to_string(),
    };
    let mut records = vec![row(ANALYTICS_MEETING, "", "", &raw)];
    let mut skipped = Vec::new();
    for (index, raw) in attendees.as_array().into_iter().flatten().enumerate() {
        // Read again one by one, so that each row keeps its own attendee.
        if let Some(attendee) = read_attendee(raw, &format!("data.attendees[{index}]"), &mut skipped) {
            records.push(row(ANALYTICS_ATTENDEE, &attendee.ext_user_id, &attendee.name, raw));
        }
    }
    if !callback.unread.is_empty() {
        tracing::warn!(meeting = %callback.meeting_id, unread = ?callback.unread,
            "parts of a BigBlueButton analytics callback could not be read; the rest is kept");
    }
    let new = app.store.record_bbb_events(&records).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "received": records.len(), "new": new, "unread": callback.unread })))
}

fn refusal_reason(error: &crate::bbb::checksum::WebhookAuthError) -> &'static str {
    use crate::bbb::checksum::WebhookAuthError;
    match error {
        WebhookAuthError::MissingChecksum => "missing_checksum",
        WebhookAuthError::ChecksumMismatch => "checksum_mismatch",
        WebhookAuthError::MissingBearer => "missing_bearer",
        WebhookAuthError::BearerMismatch => "bearer_mismatch",
    }
}

fn not_configured() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "BigBlueButton is not configured")
}

/// An event as stored.
fn record(received: &ReceivedEvent) -> BbbEventRecord {
    let event = &received.event;
    let event_id = event.id().to_string();
    let (meeting, member, member_name, body) = match event {
        WebhookEvent::MeetingCreated { meeting, name, metadata, .. } => (
            meeting.external_id.clone(),
            String::new(),
            String::new(),
            json!({ "event": event_id, "meeting": meeting.external_id, "name": name, "metadata": metadata }),
        ),
        WebhookEvent::MeetingEnded { meeting, .. } => (
            meeting.external_id.clone(),
            String::new(),
            String::new(),
            json!({ "event": event_id, "meeting": meeting.external_id }),
        ),
        WebhookEvent::UserJoined { meeting, user, .. } | WebhookEvent::UserLeft { meeting, user, .. } => (
            meeting.external_id.clone(),
            user.external_id.clone(),
            user.name.clone().unwrap_or_default(),
            json!({ "event": event_id, "meeting": meeting.external_id, "user": user.external_id,
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
        key: received.digest.clone(),
        at: event.at_ms().map_or(0, |at| at as i64),
        internal_meeting: event.internal_meeting_id().unwrap_or_default().to_string(),
        internal_user: event.internal_user_id().unwrap_or_default().to_string(),
        event: event_id,
        meeting,
        member,
        member_name,
        body: body.to_string(),
    }
}
