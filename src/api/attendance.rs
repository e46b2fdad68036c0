//! `/api/v1/sessions/{id}/attendance.csv`: the participation report of a
//! room, read from the store (so it works during the session, after it and
//! after a restart): one row per stretch of presence, with its minutes, then
//! one per stretch in the session's BigBlueButton meetings (role `video`,
//! room the meeting id), from their webhooks or, for what webhooks do not
//! tell, the analytics callback; the `source` column says which. With
//! `?per=member`, one row per member instead ([`super::attendance_summary`]),
//! with their engagement in video rooms (analytics). Both come in the two
//! dialects of [`super::spreadsheet`] (`?dialect=fr`: French headers, `;`,
//! decimal commas, times on the tenant's clock) and are named after the
//! room's title and date.

use std::collections::BTreeSet;

use amphi_protocol::{ErrorCode, RoomKind};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::attendance_summary::{MemberSummary, summarize};
use super::rooms::{require_leader, visible_room};
use super::spreadsheet::{Dialect, Sheet};
use super::{ApiError, Bearer, download};
use crate::activity::breakout::participation::Participation;
use crate::app::AppState;
use crate::bbb::attendance::{VideoEngagement, VideoReport};
use crate::hub::RoomHandle;
use crate::store::AttendanceRecord;

#[derive(Debug, Deserialize)]
pub struct Shape {
    /// `stretch` (default) or `member`.
    #[serde(default)]
    per: Option<String>,
    /// `en` (default) or `fr`.
    #[serde(default)]
    dialect: Dialect,
}

/// `GET /api/v1/sessions/{id}/attendance.csv`
pub async fn csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    shape: Result<Query<Shape>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(shape) = shape
        .map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, rejection.body_text()))?;
    require_leader(&member)?;
    let handle = visible_room(&app, &member, &id).await?;
    let stretches = app.store.attendance(&[handle.id()]).await.map_err(ApiError::internal)?;
    let now = crate::hub::now_ms() as i64;
    let sheet = Sheet::new(shape.dialect, app.config.time.zone_name(&handle.record.tenant));
    match shape.per.as_deref() {
        None | Some("stretch") => per_stretch(&app, &handle, &sheet, &stretches, now).await,
        Some("member") => per_member(&app, &handle, &sheet, &stretches, now).await,
        Some(_) => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, "`per` is `stretch` or `member`"))
        }
    }
}

/// What the stored BigBlueButton events tell of the session's video rooms.
pub(super) async fn video_report(app: &AppState, handle: &RoomHandle) -> Result<VideoReport, ApiError> {
    let prefix = crate::bbb::attendance::meeting_prefix(&handle.id().to_string());
    let events = app.store.bbb_events(&prefix).await.map_err(ApiError::internal)?;
    Ok(crate::bbb::attendance::video_report(&events))
}

/// One row per member: first join, last leave, minutes present, in the
/// plenary, in each atelier (`minutes_atelier_<id>`), in video rooms.
async fn per_member(
    app: &AppState,
    handle: &RoomHandle,
    sheet: &Sheet,
    stretches: &[AttendanceRecord],
    now: i64,
) -> Result<Response, ApiError> {
    let video = video_report(app, handle).await?;
    let participation = atelier_participation(handle).await?;
    let ateliers: Vec<String> = participation.iter().flat_map(|p| p.ateliers.iter().map(|a| a.id.clone())).collect();
    let rows = summarize(stretches, &video.stretches, participation.as_ref(), &ateliers, now);
    let mut writer = sheet.writer();
    writer.write_record(member_header(sheet, &ateliers))?;
    for row in rows {
        writer.write_record(member_record(sheet, row, &video))?;
    }
    let what = sheet.say("attendance per member", "présences par personne");
    download::csv(
        &download::file_name(&handle.record.title, &sheet.date(handle.record.created_at), what, "csv"),
        writer,
    )
}

/// Who was in which atelier when, for a breakout room (asked of the room);
/// `None` for other rooms.
async fn atelier_participation(handle: &RoomHandle) -> Result<Option<Participation>, ApiError> {
    if handle.record.kind != RoomKind::Breakout {
        return Ok(None);
    }
    handle.participation().await.map_err(|_| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the room is not reachable")
    })
}

/// The header of the per-member sheet: one column per atelier of `ateliers`
/// between the session's minutes and the video rooms'.
fn member_header(sheet: &Sheet, ateliers: &[String]) -> Vec<String> {
    let mut header: Vec<String> = vec![
        sheet.say("member", "Membre").into(),
        sheet.say("name", "Nom").into(),
        sheet.say("role", "Rôle").into(),
        sheet.say("guest", "Invité").into(),
        sheet.time_header("first_join", "Première arrivée"),
        sheet.time_header("last_leave", "Dernier départ"),
        sheet.say("minutes_present", "Minutes de présence").into(),
        sheet.say("minutes_plenary", "Minutes en plénière").into(),
    ];
    header.extend(ateliers.iter().map(|atelier| {
        if sheet.french() {
            format!("Minutes dans l’atelier {atelier}")
        } else {
            format!("minutes_atelier_{atelier}")
        }
    }));
    header.extend(
        [
            ("minutes_video", "Minutes en visio"),
            ("video_source", "Source visio"),
            ("video_talk_seconds", "Parole en visio (s)"),
            ("video_chats", "Messages du chat"),
            ("video_raised_hands", "Mains levées"),
            ("video_emojis", "Réactions"),
            ("video_poll_votes", "Votes aux sondages"),
        ]
        .map(|(en, fr)| sheet.say(en, fr).to_string()),
    );
    header
}

/// One member's row of the per-member sheet.
fn member_record(sheet: &Sheet, row: MemberSummary, video: &VideoReport) -> Vec<String> {
    let minutes = |ms: u64| sheet.decimal1(ms as f64 / 60_000.0);
    let video_columns = video_columns(video, &row.member);
    let mut record = vec![
        row.member,
        row.name,
        row.role.as_str().to_string(),
        sheet.yes_no(row.guest).to_string(),
        sheet.time(row.first_join),
        row.last_leave.map(|at| sheet.time(at)).unwrap_or_default(),
        minutes(row.present_ms),
        minutes(row.plenary_ms),
    ];
    record.extend(row.ateliers_ms.into_iter().map(minutes));
    record.push(minutes(row.video_ms));
    record.extend(video_columns);
    record
}

/// A member's video columns after their minutes: the sources of their
/// stretches (`webhook+analytics`…), then their engagement summed over the
/// meetings (empty when analytics told nothing of them).
fn video_columns(video: &VideoReport, member: &str) -> [String; 6] {
    let sources: BTreeSet<&str> =
        video.stretches.iter().filter(|s| s.member == member).map(|s| s.source.as_str()).collect();
    let engaged: Vec<&VideoEngagement> = video.engagement.iter().filter(|e| e.member == member).collect();
    let sum = |field: fn(&VideoEngagement) -> u64| {
        if engaged.is_empty() { String::new() } else { engaged.iter().map(|e| field(e)).sum::<u64>().to_string() }
    };
    [
        sources.into_iter().collect::<Vec<_>>().join("+"),
        sum(|e| e.talk_seconds),
        sum(|e| e.chats),
        sum(|e| e.raised_hands),
        sum(|e| e.emojis),
        sum(|e| e.poll_votes),
    ]
}

/// One row per stretch of presence, then one per stretch in video rooms.
async fn per_stretch(
    app: &AppState,
    handle: &RoomHandle,
    sheet: &Sheet,
    stretches: &[AttendanceRecord],
    now: i64,
) -> Result<Response, ApiError> {
    let mut writer = sheet.writer();
    writer.write_record([
        sheet.say("member", "Membre").to_string(),
        sheet.say("name", "Nom").into(),
        sheet.say("role", "Rôle").into(),
        sheet.say("guest", "Invité").into(),
        sheet.say("room", "Salle").into(),
        sheet.time_header("joined_at", "Arrivée"),
        sheet.time_header("left_at", "Départ"),
        sheet.say("minutes", "Minutes").into(),
        sheet.say("source", "Source").into(),
    ])?;
    for stretch in stretches {
        // A stretch still open counts until now.
        let end = stretch.left_at.unwrap_or(now);
        let minutes = (end - stretch.joined_at).max(0) as f64 / 60_000.0;
        writer.write_record([
            stretch.member.as_str(),
            stretch.member_name.as_str(),
            stretch.role.as_str(),
            sheet.yes_no(stretch.guest),
            handle.record.title.as_str(),
            &sheet.time(stretch.joined_at),
            &stretch.left_at.map(|at| sheet.time(at)).unwrap_or_default(),
            &sheet.decimal1(minutes),
            "amphi",
        ])?;
    }
    // Time in the session's video rooms, from BigBlueButton.
    for stretch in video_report(app, handle).await?.stretches {
        let end = stretch.left_at.unwrap_or(now);
        let minutes = (end - stretch.joined_at).max(0) as f64 / 60_000.0;
        writer.write_record([
            stretch.member.as_str(),
            stretch.name.as_str(),
            "video",
            "",
            stretch.meeting.as_str(),
            &sheet.time(stretch.joined_at),
            &stretch.left_at.map(|at| sheet.time(at)).unwrap_or_default(),
            &sheet.decimal1(minutes),
            stretch.source.as_str(),
        ])?;
    }
    let what = sheet.say("attendance", "présences");
    download::csv(
        &download::file_name(&handle.record.title, &sheet.date(handle.record.created_at), what, "csv"),
        writer,
    )
}
