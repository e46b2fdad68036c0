//! The effects runner: what an applied command asks of the world outside
//! its room ([`BreakoutEffect`]: the ateliers' BigBlueButton meetings, the
//! broadcasts to their chats), worked out by the activity from its live
//! state and handed over by the room once per applied command. It runs each
//! on a tracked task set with its explicit dependencies (the BigBlueButton
//! client, amphi's public address, the blob link signer) and feeds the
//! outcome back to the room as a typed input ([`RoomBack::video`]). The room
//! itself never waits on BigBlueButton.
//!
//! Opening ateliers creates one meeting per atelier (`amphi-{session}-{atelier}`,
//! linked to the session by `meta_` parameters, with the atelier's files as
//! pre-uploaded documents and, when amphi's public address is configured,
//! the analytics and recording-ready callbacks and a way back to the session
//! on leaving), then gives each atelier its video link. A meeting
//! BigBlueButton could not create is tried again with backoff
//! ([`CREATE_ATTEMPTS`]), the atelier showing why it has no video room
//! meanwhile (a [`VideoProblem`]). A broadcast goes to the open ateliers'
//! public chats (BigBlueButton 3.0+; older servers answer `unsupported` and
//! the message goes through amphi only).

use std::sync::Arc;
use std::time::Duration;

use amphi_protocol::breakout::{Atelier, VideoProblem};
use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use crate::activity::breakout::BreakoutEffect;
use crate::backoff::Backoff;
use crate::bbb::{Bbb, BbbError, ChatMessage, CreateMeeting, Document};
use crate::hub::{EffectJob, EffectSink, RoomBack};
use crate::media::links::BlobLinks;
use crate::store::RoomRecord;
use crate::transport::breakout::{meeting_id, video_link};

/// How many times an atelier's meeting is asked of BigBlueButton before a
/// leader has to retry (the pauses double from `bbb.retry_backoff_ms`).
pub const CREATE_ATTEMPTS: u32 = 5;

/// Effects waiting for the runner; beyond, they are dropped and counted
/// (`amphi_effects_dropped_total`).
pub const QUEUE: usize = 1024;

/// How long the links to an atelier's files given to BigBlueButton work.
const DOCUMENT_LINK_SECONDS: u64 = 24 * 3600;

/// Runs effects with what they need.
pub struct EffectsRunner {
    pub bbb: Arc<dyn Bbb>,
    /// amphi's public address (`bbb.callback_base_url`), without a final `/`;
    /// empty: no callbacks, no documents, no way back.
    pub base: String,
    pub blob_links: BlobLinks,
    /// The first pause between two creates of a meeting.
    pub pause: Duration,
}

impl EffectsRunner {
    /// Starts the runner; the queue rooms hand their effects to.
    pub fn spawn(self) -> EffectSink {
        let (sink, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(self.run(jobs));
        sink
    }

    async fn run(self, mut jobs: mpsc::Receiver<EffectJob>) {
        let runner = Arc::new(self);
        let tasks = TaskTracker::new();
        while let Some(job) = jobs.recv().await {
            tasks.spawn(Arc::clone(&runner).run_one(job));
        }
        tasks.close();
        tasks.wait().await;
    }

    async fn run_one(self: Arc<Self>, job: EffectJob) {
        match job.effect {
            BreakoutEffect::OpenMeetings { ateliers } => self.create_meetings(&job.room, &ateliers, &job.back).await,
            BreakoutEffect::PostToChats { ateliers, text, from } => {
                let meetings = ateliers.iter().map(|atelier| meeting_id(job.room.id, atelier)).collect();
                send_chat(&*self.bbb, meetings, text, from).await;
            }
        }
    }

    /// Creates each atelier's meeting (creating an existing one is
    /// harmless), then gives the atelier its video link. A failed create
    /// is tried again up to [`CREATE_ATTEMPTS`] times, the atelier telling
    /// why it has no video room meanwhile.
    async fn create_meetings(&self, room: &RoomRecord, ateliers: &[Atelier], back: &RoomBack) {
        // BigBlueButton fetches the ateliers' files as the meetings start.
        let access = self.blob_links.token(&room.tenant, crate::auth::unix_seconds() + DOCUMENT_LINK_SECONDS);
        let backoff = Backoff::new(self.pause, self.pause.saturating_mul(1 << (CREATE_ATTEMPTS - 1)));
        for atelier in ateliers {
            let meeting = meeting_for(room, atelier, &self.base, &access);
            let mut attempt = 1;
            let created = loop {
                match self.bbb.create(&meeting).await {
                    Ok(_) => break true,
                    Err(error) => {
                        let retrying = attempt < CREATE_ATTEMPTS;
                        tracing::warn!(%error, atelier = %atelier.id, attempt, retrying, "cannot create the atelier's video room");
                        if !back.video(atelier.id.clone(), None, Some(problem_of(&error, retrying))).await {
                            return; // the room went away
                        }
                        if !retrying {
                            break false;
                        }
                        tokio::time::sleep(backoff.delay(attempt)).await;
                        attempt += 1;
                    }
                }
            };
            if created && !back.video(atelier.id.clone(), Some(video_link(room.id, &atelier.id)), None).await {
                return;
            }
        }
    }
}

/// The meeting of an atelier: linked to its session and atelier, recordable
/// by its moderators, its files as documents (signed links, `access`), and,
/// when amphi's public address `base` is known, the analytics and
/// recording-ready callbacks and the session's join page as the logout URL.
fn meeting_for(room: &RoomRecord, atelier: &Atelier, base: &str, access: &str) -> CreateMeeting {
    let mut meeting = CreateMeeting::new(meeting_id(room.id, &atelier.id), atelier.name.clone(), room.id.to_string());
    meeting.amphi_atelier_id = Some(atelier.id.clone());
    // A moderator may record; nothing is recorded unless one starts it.
    meeting.record = Some(true);
    if !base.is_empty() {
        meeting.analytics_callback_url = Some(format!("{base}/api/v1/bbb/analytics"));
        meeting.recording_ready_url = Some(format!("{base}/api/v1/bbb/recordings/ready"));
        meeting.logout_url = room.join_code.as_ref().map(|code| format!("{base}/j/{code}"));
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
async fn send_chat(bbb: &dyn Bbb, meetings: Vec<String>, text: String, from: String) {
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
