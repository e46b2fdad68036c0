//! Breakout commands on their way to their room, and what follows one the
//! room accepted, with BigBlueButton when it is configured: opening
//! ateliers creates one meeting per atelier (`amphi-{session}-{atelier}`,
//! linked to the session by `meta_` parameters, with the atelier's files as
//! pre-uploaded documents and, when amphi's public address is configured,
//! the analytics callback and a way back to the session on leaving) and
//! gives each atelier its video link; a broadcast also goes to the open ateliers' public chats
//! (BigBlueButton 3.0+; older servers answer `unsupported` and the message
//! goes through amphi only). The room itself never waits on BigBlueButton.
//! A meeting BigBlueButton could not create is tried again with backoff
//! ([`CREATE_ATTEMPTS`]), the atelier showing why it has no video room
//! meanwhile (a [`VideoProblem`]), and a leader can try again at once
//! ([`retry_meeting`]).

use std::sync::Arc;

use amphi_protocol::ErrorCode;
use amphi_protocol::breakout::{BreakoutCommand, ProductionContent};

use crate::activity::Refusal;
use crate::activity::breakout::BreakoutDefinition;
use crate::app::AppState;
use crate::bbb::{Bbb, BbbError, ChatMessage, CreateMeeting, Document};
use crate::hub::{RoomCommand, RoomHandle, Who};
use amphi_protocol::breakout::{Atelier, VideoProblem};

/// How many times an atelier's meeting is asked of BigBlueButton before a
/// leader has to retry (the pauses double from `bbb.retry_backoff_ms`).
pub const CREATE_ATTEMPTS: u32 = 5;

/// Fills in an uploaded production file's type and size from the store;
/// claims the files of a production or a plan for the member's tenant. A
/// video problem is the server's to tell, never a client's.
pub async fn prepare(app: &AppState, tenant: &str, command: BreakoutCommand) -> Result<BreakoutCommand, Refusal> {
    Ok(match command {
        BreakoutCommand::SetVideo { problem: Some(_), .. } => {
            return Err(Refusal::new(ErrorCode::InvalidField, "`problem` is set by the server only"));
        }
        BreakoutCommand::SubmitProduction { content: ProductionContent { text, link, file: Some(mut file) } } => {
            crate::media::uploads::claim(app, tenant, [file.blob.as_str()]).await?;
            let meta = app.blobs.meta(&file.blob).await.ok_or_else(|| {
                Refusal::new(ErrorCode::NotFound, "no upload has this blob id: upload the file first")
            })?;
            file.name = file.name.trim().to_string();
            file.content_type = meta.content_type;
            file.size = meta.size;
            BreakoutCommand::SubmitProduction { content: ProductionContent { text, link, file: Some(file) } }
        }
        BreakoutCommand::SetPlan { plan } => {
            let blobs = crate::media::uploads::blobs_of_plan(&plan);
            crate::media::uploads::claim(app, tenant, blobs.iter().map(String::as_str)).await?;
            BreakoutCommand::SetPlan { plan }
        }
        other => other,
    })
}

/// How long the links to an atelier's files given to BigBlueButton work.
const DOCUMENT_LINK_SECONDS: u64 = 24 * 3600;

/// The meeting of an atelier.
pub fn meeting_id(room: uuid::Uuid, atelier: &str) -> String {
    format!("{}-{atelier}", crate::bbb::attendance::meeting_prefix(&room.to_string()))
}

/// The link a member follows to their atelier's video room (it answers with
/// their own signed join URL).
pub fn video_link(room: uuid::Uuid, atelier: &str) -> String {
    format!("/api/v1/sessions/{room}/ateliers/{atelier}/video")
}

/// Starts what follows an accepted command in BigBlueButton, if configured.
pub fn after_accepted(app: &AppState, handle: &RoomHandle, who: &Who, command: &BreakoutCommand) {
    let Some(bbb) = app.bbb.clone() else { return };
    let ateliers = planned_ateliers(handle);
    match command {
        BreakoutCommand::Open { ateliers: chosen } => {
            let opened: Vec<&Atelier> = ateliers
                .iter()
                .filter(|atelier| chosen.as_ref().is_none_or(|chosen| chosen.contains(&atelier.id)))
                .collect();
            start_creating(app, bbb, handle, who, &opened);
        }
        BreakoutCommand::Broadcast { text, atelier } => {
            let targets: Vec<String> = match atelier {
                Some(atelier) => vec![atelier.clone()],
                None => ateliers.into_iter().map(|atelier| atelier.id).collect(),
            };
            let meetings = targets.iter().map(|atelier| meeting_id(handle.id(), atelier)).collect();
            tokio::spawn(send_chat(bbb, meetings, text.clone(), who.name.to_string()));
        }
        _ => {}
    }
}

/// The ateliers of the room's stored plan.
fn planned_ateliers(handle: &RoomHandle) -> Vec<Atelier> {
    let definition = handle.record.activity.as_deref().map(serde_json::from_str::<BreakoutDefinition>);
    match definition {
        Some(Ok(definition)) => definition.plan.ateliers,
        _ => Vec::new(),
    }
}

/// The meeting of an atelier: linked to its session and atelier, recordable
/// by its moderators, its files as documents (signed links, `access`), and,
/// when amphi's public address `base` is known, the analytics and
/// recording-ready callbacks and the session's join page as the logout URL.
fn meeting_for(handle: &RoomHandle, atelier: &Atelier, base: &str, access: &str) -> CreateMeeting {
    let mut meeting =
        CreateMeeting::new(meeting_id(handle.id(), &atelier.id), atelier.name.clone(), handle.id().to_string());
    meeting.amphi_atelier_id = Some(atelier.id.clone());
    // A moderator may record; nothing is recorded unless one starts it.
    meeting.record = Some(true);
    if !base.is_empty() {
        meeting.analytics_callback_url = Some(format!("{base}/api/v1/bbb/analytics"));
        meeting.recording_ready_url = Some(format!("{base}/api/v1/bbb/recordings/ready"));
        meeting.logout_url = handle.record.join_code.as_ref().map(|code| format!("{base}/j/{code}"));
        meeting.documents = atelier
            .files
            .iter()
            .map(|file| Document {
                url: format!("{base}/api/v1/blobs/{}?access={access}", file.blob),
                filename: Some(file.name.clone()),
            })
            .collect();
    }
    meeting
}

/// A leader's "try again now" for an atelier of the plan: its meeting is
/// asked of BigBlueButton again (in the background). `false`: no
/// BigBlueButton, or no such atelier.
pub fn retry_meeting(app: &AppState, handle: &RoomHandle, who: &Who, atelier: &str) -> bool {
    let Some(bbb) = app.bbb.clone() else { return false };
    let Some(planned) = planned_ateliers(handle).into_iter().find(|a| a.id == atelier) else { return false };
    start_creating(app, bbb, handle, who, &[&planned]);
    true
}

/// Starts creating these ateliers' meetings, in the background.
fn start_creating(app: &AppState, bbb: Arc<dyn Bbb>, handle: &RoomHandle, who: &Who, ateliers: &[&Atelier]) {
    let base = app.config.bbb.callback_base_url.trim_end_matches('/').to_string();
    // BigBlueButton fetches the ateliers' files as the meetings start.
    let expires = crate::auth::unix_seconds() + DOCUMENT_LINK_SECONDS;
    let access = app.blob_links.token(&handle.record.tenant, expires);
    let meetings: Vec<(String, CreateMeeting)> =
        ateliers.iter().map(|atelier| (atelier.id.clone(), meeting_for(handle, atelier, &base, &access))).collect();
    let pause = std::time::Duration::from_millis(app.config.bbb.retry_backoff_ms.max(1));
    tokio::spawn(create_meetings(bbb, handle.clone(), who.clone(), meetings, pause));
}

/// Creates each atelier's meeting (creating an existing one is harmless),
/// then gives the atelier its video link through the room, on behalf of
/// the facilitator who opened it. A failed create is tried again up to
/// [`CREATE_ATTEMPTS`] times, `pause` doubling between tries, the atelier
/// telling why it has no video room meanwhile.
async fn create_meetings(
    bbb: Arc<dyn Bbb>,
    handle: RoomHandle,
    who: Who,
    meetings: Vec<(String, CreateMeeting)>,
    pause: std::time::Duration,
) {
    let backoff = crate::backoff::Backoff::new(pause, pause.saturating_mul(1 << (CREATE_ATTEMPTS - 1)));
    for (atelier, meeting) in meetings {
        let mut attempt = 1;
        let created = loop {
            match bbb.create(&meeting).await {
                Ok(_) => break true,
                Err(error) => {
                    let retrying = attempt < CREATE_ATTEMPTS;
                    tracing::warn!(%error, %atelier, attempt, retrying, "cannot create the atelier's video room");
                    set_video(&handle, &who, &atelier, None, Some(problem_of(&error, retrying))).await;
                    if !retrying {
                        break false;
                    }
                    tokio::time::sleep(backoff.delay(attempt)).await;
                    attempt += 1;
                }
            }
        };
        if created {
            set_video(&handle, &who, &atelier, Some(video_link(handle.id(), &atelier)), None).await;
        }
    }
}

/// Tells the room an atelier's video link, or why it has none.
async fn set_video(handle: &RoomHandle, who: &Who, atelier: &str, url: Option<String>, problem: Option<VideoProblem>) {
    let id = format!("amphi-video-{}", uuid::Uuid::new_v4().simple());
    let command = BreakoutCommand::SetVideo { atelier: atelier.to_string(), url, problem };
    match handle.command(who.clone(), id, RoomCommand::Breakout(Box::new(command))).await {
        Ok(Ok(_)) => {}
        Ok(Err(refusal)) => tracing::warn!(%atelier, message = %refusal.message, "the video link was refused"),
        Err(_) => tracing::warn!(%atelier, "the room went away before its video link was set"),
    }
}

/// What the facilitator is told of a failed create.
fn problem_of(error: &BbbError, retrying: bool) -> VideoProblem {
    let code = match error {
        BbbError::Unreachable { .. } => "unreachable",
        BbbError::Timeout { .. } => "timeout",
        BbbError::Failed { .. } => "refused",
        BbbError::Http { .. } => "http",
        _ => "invalid_answer",
    };
    VideoProblem { code: code.into(), detail: error.to_string(), retrying }
}

/// Posts a broadcast to the meetings' public chats; a server older than 3.0
/// cannot: the message went through amphi only.
async fn send_chat(bbb: Arc<dyn Bbb>, meetings: Vec<String>, text: String, from: String) {
    for meeting_id in meetings {
        let message = ChatMessage { meeting_id, message: text.clone(), user_name: Some(from.clone()) };
        match bbb.send_chat_message(&message).await {
            Ok(()) => {}
            Err(BbbError::Unsupported { .. }) => {
                tracing::info!("BigBlueButton before 3.0: broadcasts reach the ateliers through amphi only");
                return;
            }
            Err(error) => tracing::debug!(%error, meeting = %message.meeting_id, "a broadcast missed a video chat"),
        }
    }
}
