//! A session's participants registered ahead and their e-mails:
//! `POST /api/v1/sessions/{id}/registrations` imports a CSV file (all or
//! nothing), `GET` lists the registrants with their personal join links and
//! where their invitation and reminders stand, and
//! `POST /api/v1/sessions/{id}/invitations` queues an invitation (and its
//! reminders) for everyone not yet invited. Leaders only.
//!
//! A registrant pre-assigned to an atelier (the CSV's `atelier` column) is
//! assigned in the breakout session at import, with the same `assign`
//! command a facilitator sends, under their stable member id: the
//! assignment is journaled with the session, shown to the leaders at once,
//! and honoured when the registrant joins with their link.

use std::collections::BTreeSet;

use amphi_protocol::breakout::BreakoutCommand;
use amphi_protocol::{ErrorCode, RoomKind};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::rooms::{require_leader, visible_room};
use super::{ApiError, Bearer, parse_json};
use crate::activity::breakout::BreakoutDefinition;
use crate::app::AppState;
use crate::auth::Member;
use crate::hub::{Accepted, RoomCommand, RoomHandle, SERVICE_MEMBER_PREFIX, Who};
use crate::invitations::csv::{self, CsvError, Limits};
use crate::invitations::mail::Lang;
use crate::invitations::{format_datetime, join_link, parse_datetime};
use crate::store::{MailRecord, RegistrationRecord, ScheduleRecord};

/// Largest registration file read.
pub const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;
/// Longest session, in minutes.
const MAX_DURATION_MIN: i64 = 24 * 60;

/// A refused file: `invalid_field` with the reason and line.
fn csv_refused(error: CsvError) -> Response {
    let body = json!({
        "code": ErrorCode::InvalidField,
        "reason": error.reason,
        "line": error.line,
        "message": error.to_string(),
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// `POST /api/v1/sessions/{id}/registrations` (`text/csv`)
pub async fn import(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !["text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"].contains(&essence.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::InvalidField,
            "send the participants as `Content-Type: text/csv`",
        ));
    }
    let limits =
        Limits { max_name_chars: app.config.limits.max_name_chars, max_rows: app.config.invitations.max_registrations };
    let parsed = match csv::parse(&body, limits) {
        Ok(parsed) => parsed,
        Err(error) => return Ok(csv_refused(error)),
    };
    // Pre-assignments must name ateliers of the session's plan.
    let ateliers = plan_ateliers(&handle);
    for (person, &line) in parsed.people.iter().zip(&parsed.lines) {
        let Some(atelier) = &person.atelier else { continue };
        let message = match &ateliers {
            None => "this room runs no ateliers: leave the `atelier` column empty".to_string(),
            Some(ids) if !ids.contains(atelier) => format!("no atelier of this session has the id {atelier:?}"),
            Some(_) => continue,
        };
        return Ok(csv_refused(CsvError { reason: "csv_atelier", line, message }));
    }
    let existing = app.store.registrations(handle.id()).await.map_err(ApiError::internal)?.len();
    let emails: BTreeSet<&str> = parsed.people.iter().map(|p| p.email.as_str()).collect();
    if existing + emails.len() > 2 * app.config.invitations.max_registrations {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::OutOfRange,
            format!("a session registers at most {} participants", 2 * app.config.invitations.max_registrations),
        ));
    }
    let saved = app
        .store
        .upsert_registrations(handle.id(), &handle.record.tenant, &parsed.people)
        .await
        .map_err(ApiError::internal)?;
    // What the file says of each (académie, department, discipline), for the statistics.
    let profiles: Vec<(String, crate::store::MemberProfile)> = saved
        .iter()
        .filter_map(|r| {
            parsed.people.iter().find(|p| p.email == r.email).map(|p| (r.member.clone(), p.profile.clone()))
        })
        .collect();
    app.store
        .record_profiles(&handle.record.tenant, &profiles, crate::store::now_ms())
        .await
        .map_err(ApiError::internal)?;
    let mut assigned = 0;
    let mut not_assigned = Vec::new();
    for registration in saved.iter().filter(|r| parsed.people.iter().any(|p| p.email == r.email && p.atelier.is_some()))
    {
        let Some(atelier) = &registration.atelier else { continue };
        match assign(&handle, &member, &registration.member, atelier).await {
            Ok(()) => assigned += 1,
            Err(message) => not_assigned.push(json!({ "email": registration.email, "message": message })),
        }
    }
    let schedule = app.store.schedule(handle.id()).await.map_err(ApiError::internal)?;
    let listed: Vec<Value> =
        saved.iter().map(|r| registration_json(&app, &handle, r, schedule.as_ref(), &[])).collect();
    tracing::info!(room = %handle.id(), by = %member.id, count = saved.len(), "participants registered");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "imported": saved.len(),
            "merged": parsed.merged,
            "assigned": assigned,
            "not_assigned": not_assigned,
            "registrations": listed,
        })),
    )
        .into_response())
}

/// The atelier ids of a breakout room's plan (as created).
pub(crate) fn plan_ateliers(handle: &RoomHandle) -> Option<BTreeSet<String>> {
    if handle.record.kind != RoomKind::Breakout {
        return None;
    }
    let definition: BreakoutDefinition = serde_json::from_str(handle.record.activity.as_deref()?).ok()?;
    Some(definition.plan.ateliers.into_iter().map(|a| a.id).collect())
}

/// Sends `assign` for `registrant` on behalf of `leader` (who need not be in
/// the room: the server sends it as `service:<leader id>`), and waits for
/// it to be committed.
pub(crate) async fn assign(
    handle: &RoomHandle,
    leader: &Member,
    registrant: &str,
    atelier: &str,
) -> Result<(), String> {
    let who = Who {
        id: format!("{SERVICE_MEMBER_PREFIX}{}", leader.id).into(),
        name: leader.name.as_str().into(),
        role: leader.role,
        guest: leader.guest,
    };
    let command = RoomCommand::Breakout(Box::new(BreakoutCommand::Assign {
        member: registrant.to_string(),
        atelier: atelier.to_string(),
    }));
    let id = format!("registration-{}", uuid::Uuid::new_v4().simple());
    match handle.command(who, id, command).await {
        Ok(Ok(Accepted::Committing(receipt))) => {
            if receipt.await {
                Ok(())
            } else {
                Err("the assignment could not be saved; assign again".into())
            }
        }
        Ok(Ok(_)) => Ok(()),
        Ok(Err(refusal)) => Err(refusal.message),
        Err(_) => Err("the room is not available right now".into()),
    }
}

fn registration_json(
    app: &AppState,
    handle: &RoomHandle,
    registration: &RegistrationRecord,
    schedule: Option<&ScheduleRecord>,
    mails: &[MailRecord],
) -> Value {
    let config = &app.config.invitations;
    let code = handle.record.join_code.clone().unwrap_or_default();
    let link = join_link(&app.keys, &config.public_url, &code, registration, schedule, config.link_grace_hours);
    let status = |mail: &MailRecord| {
        json!({
            "state": mail.state,
            "attempts": mail.attempts,
            "due_at": mail.next_attempt_at,
            "sent_at": mail.sent_at,
            "last_error": mail.last_error,
        })
    };
    let mine: Vec<&MailRecord> = mails.iter().filter(|m| m.registration == registration.id).collect();
    let invitation = mine.iter().find(|m| m.kind == "invitation").map(|m| status(m));
    let reminders: Vec<Value> = mine
        .iter()
        .filter(|m| m.kind == "reminder")
        .map(|m| {
            let mut value = status(m);
            value["before_s"] = json!(m.offset_s);
            value
        })
        .collect();
    json!({
        "id": registration.id,
        "member": registration.member,
        "name": registration.name,
        "email": registration.email,
        "atelier": registration.atelier,
        "link": link,
        "created_at": registration.created_at,
        "invited_at": registration.invited_at,
        "invitation": invitation,
        "reminders": reminders,
    })
}

/// `GET /api/v1/sessions/{id}/registrations`
pub async fn list(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    let store = &app.store;
    let registrations = store.registrations(handle.id()).await.map_err(ApiError::internal)?;
    let schedule = store.schedule(handle.id()).await.map_err(ApiError::internal)?;
    let mails = store.mails(handle.id()).await.map_err(ApiError::internal)?;
    let listed: Vec<Value> =
        registrations.iter().map(|r| registration_json(&app, &handle, r, schedule.as_ref(), &mails)).collect();
    Ok(Json(json!({
        "schedule": schedule.as_ref().map(schedule_json),
        "registrations": listed,
    })))
}

fn schedule_json(schedule: &ScheduleRecord) -> Value {
    json!({
        "starts_at": format_datetime(schedule.starts_at),
        "duration_min": schedule.duration_min,
        "organizer": schedule.organizer_name,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitationRequest {
    /// RFC 3339; may be left out once the session has a schedule.
    #[serde(default)]
    starts_at: Option<String>,
    #[serde(default)]
    duration_min: Option<i64>,
    /// `fr` (default) or `en`.
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /api/v1/sessions/{id}/invitations`
pub async fn invite(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    if !app.config.smtp.is_enabled() {
        let body = json!({
            "code": ErrorCode::Unavailable,
            "reason": "smtp_disabled",
            "message": "this server sends no e-mail: configure [smtp] host",
        });
        return Ok((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response());
    }
    let request: InvitationRequest = if body.iter().all(u8::is_ascii_whitespace) {
        InvitationRequest { starts_at: None, duration_min: None, lang: None }
    } else {
        parse_json(&body)?
    };
    let bad = |code, message: &str| ApiError::new(StatusCode::BAD_REQUEST, code, message);
    let lang = match request.lang.as_deref() {
        None | Some("fr") => Lang::Fr,
        Some("en") => Lang::En,
        Some(_) => return Err(bad(ErrorCode::OutOfRange, "`lang` is \"fr\" or \"en\"")),
    };
    let known = app.store.schedule(handle.id()).await.map_err(ApiError::internal)?;
    let starts_at = match (&request.starts_at, &known) {
        (Some(text), _) => parse_datetime(text).ok_or_else(|| {
            bad(ErrorCode::InvalidField, "`starts_at` is an RFC 3339 date-time, e.g. 2026-12-01T09:30:00+01:00")
        })?,
        (None, Some(known)) => known.starts_at,
        (None, None) => return Err(bad(ErrorCode::InvalidField, "the session needs `starts_at` and `duration_min`")),
    };
    let duration_min = match (request.duration_min, &known) {
        (Some(minutes), _) => minutes,
        (None, Some(known)) => known.duration_min,
        (None, None) => return Err(bad(ErrorCode::InvalidField, "the session needs `starts_at` and `duration_min`")),
    };
    if !(1..=MAX_DURATION_MIN).contains(&duration_min) {
        return Err(bad(ErrorCode::OutOfRange, "`duration_min` is 1 to 1440"));
    }
    let invited_before =
        app.store.registrations(handle.id()).await.map_err(ApiError::internal)?.iter().any(|r| r.invited_at.is_some());
    if let Some(known) = &known
        && invited_before
        && (known.starts_at != starts_at || known.duration_min != duration_min)
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            format!(
                "invitations were sent for {} ({} minutes); the session's time cannot change",
                format_datetime(known.starts_at),
                known.duration_min
            ),
        ));
    }
    let schedule = ScheduleRecord {
        room: handle.id(),
        starts_at,
        duration_min,
        organizer_name: known
            .as_ref()
            .filter(|_| invited_before)
            .map_or(member.name.clone(), |k| k.organizer_name.clone()),
    };
    let offsets = app.config.invitations.reminder_offsets_s();
    let (invitations, reminders) =
        app.store.queue_invitations(&schedule, lang.code(), &offsets).await.map_err(ApiError::internal)?;
    tracing::info!(room = %handle.id(), by = %member.id, invitations, reminders, "invitations queued");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "queued": invitations,
            "reminders": reminders,
            "schedule": schedule_json(&schedule),
        })),
    )
        .into_response())
}
