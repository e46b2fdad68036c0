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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use amphi_protocol::RoomKind;
    use uuid::Uuid;

    use super::*;
    use crate::bbb::{
        BbbFuture, HookCreated, HookRegistration, JoinRequest, MeetingCreated, MeetingInfo, Recording, RecordingsQuery,
    };
    use crate::hub::Request;

    /// A BigBlueButton that fails the first `failures` creates and records
    /// every create and chat message.
    #[derive(Default)]
    struct FakeBbb {
        failures: Mutex<u32>,
        created: Mutex<Vec<CreateMeeting>>,
        chats: Mutex<Vec<ChatMessage>>,
        chat_unsupported: bool,
    }

    fn unsupported<'a, T: Send + 'a>(call: &str) -> BbbFuture<'a, T> {
        let call = call.to_string();
        Box::pin(async move { Err(BbbError::Unsupported { call }) })
    }

    impl Bbb for FakeBbb {
        fn create<'a>(&'a self, meeting: &'a CreateMeeting) -> BbbFuture<'a, MeetingCreated> {
            Box::pin(async move {
                self.created.lock().unwrap().push(meeting.clone());
                let mut failures = self.failures.lock().unwrap();
                if *failures > 0 {
                    *failures -= 1;
                    return Err(BbbError::Unreachable { call: "create".into(), attempts: 1, reason: "refused".into() });
                }
                Ok(MeetingCreated { meeting_id: meeting.meeting_id.clone(), ..MeetingCreated::default() })
            })
        }
        fn join_url(&self, _join: &JoinRequest) -> Result<String, BbbError> {
            Err(BbbError::Unsupported { call: "join".into() })
        }
        fn end<'a>(&'a self, _meeting_id: &'a str) -> BbbFuture<'a, ()> {
            unsupported("end")
        }
        fn get_meeting_info<'a>(&'a self, _meeting_id: &'a str) -> BbbFuture<'a, MeetingInfo> {
            unsupported("getMeetingInfo")
        }
        fn is_meeting_running<'a>(&'a self, _meeting_id: &'a str) -> BbbFuture<'a, bool> {
            unsupported("isMeetingRunning")
        }
        fn get_recordings<'a>(&'a self, _query: &'a RecordingsQuery) -> BbbFuture<'a, Vec<Recording>> {
            unsupported("getRecordings")
        }
        fn delete_recordings<'a>(&'a self, _record_ids: &'a [String]) -> BbbFuture<'a, ()> {
            unsupported("deleteRecordings")
        }
        fn send_chat_message<'a>(&'a self, message: &'a ChatMessage) -> BbbFuture<'a, ()> {
            Box::pin(async move {
                if self.chat_unsupported {
                    return Err(BbbError::Unsupported { call: "sendChatMessage".into() });
                }
                self.chats.lock().unwrap().push(message.clone());
                Ok(())
            })
        }
        fn insert_document<'a>(&'a self, _meeting_id: &'a str, _documents: &'a [Document]) -> BbbFuture<'a, ()> {
            unsupported("insertDocument")
        }
        fn hooks_create<'a>(&'a self, _hook: &'a HookRegistration) -> BbbFuture<'a, HookCreated> {
            unsupported("hooks/create")
        }
    }

    fn room() -> Arc<RoomRecord> {
        Arc::new(RoomRecord {
            id: Uuid::new_v4(),
            tenant: "ac-lyon".into(),
            kind: RoomKind::Breakout,
            title: "Ateliers".into(),
            join_code: Some("KM7R4P".into()),
            created_by: "t1".into(),
            created_at: 0,
            activity: None,
        })
    }

    fn atelier(id: &str) -> Atelier {
        let file = amphi_protocol::board::File {
            blob: "b".repeat(64),
            name: "consigne.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1000,
        };
        let files = vec![file];
        Atelier {
            id: id.into(),
            name: format!("Atelier {id}"),
            instructions: String::new(),
            duration_s: 600,
            resources: Vec::new(),
            files,
            capacity: None,
            video_url: None,
            video_problem: None,
            board: false,
            quiz: None,
        }
    }

    /// Runs one effect and returns what came back to the room, in order.
    async fn run(bbb: Arc<FakeBbb>, room: Arc<RoomRecord>, effect: BreakoutEffect) -> Vec<Request> {
        let runner = EffectsRunner {
            bbb,
            base: "https://amphi.example".into(),
            blob_links: BlobLinks::new(b"secret"),
            pause: Duration::from_millis(1),
        };
        let sink = runner.spawn();
        let (tx, mut rx) = mpsc::channel(64);
        sink.send(EffectJob { room, effect, back: RoomBack::to(&tx) }).await.unwrap();
        drop(sink);
        let mut back = Vec::new();
        // The job is done once nothing more comes for a while (its pauses
        // between attempts are a millisecond or so).
        while let Ok(Some(request)) = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
            back.push(request);
            if back.len() > 32 {
                break;
            }
        }
        drop(tx);
        back
    }

    fn videos(back: &[Request]) -> Vec<(String, Option<String>, Option<bool>)> {
        back.iter()
            .filter_map(|request| match request {
                Request::Video { atelier, url, problem } => {
                    Some((atelier.clone(), url.clone(), problem.as_ref().map(|problem| problem.retrying)))
                }
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn each_opened_atelier_gets_its_meeting_then_its_video_link() {
        let bbb = Arc::new(FakeBbb::default());
        let room = room();
        let effect = BreakoutEffect::OpenMeetings { ateliers: vec![atelier("a1"), atelier("a2")] };
        let back = run(Arc::clone(&bbb), Arc::clone(&room), effect).await;
        let created = bbb.created.lock().unwrap().clone();
        let ids: Vec<&str> = created.iter().map(|meeting| meeting.meeting_id.as_str()).collect();
        assert_eq!(ids, [meeting_id(room.id, "a1"), meeting_id(room.id, "a2")]);
        let first = &created[0];
        assert_eq!(first.logout_url.as_deref(), Some("https://amphi.example/j/KM7R4P"));
        assert_eq!(first.documents.len(), 1);
        assert!(
            first.documents[0]
                .url
                .starts_with(&format!("https://amphi.example/api/v1/blobs/{}?access=", "b".repeat(64)))
        );
        assert_eq!(
            videos(&back),
            [
                ("a1".to_string(), Some(video_link(room.id, "a1")), None),
                ("a2".to_string(), Some(video_link(room.id, "a2")), None)
            ]
        );
    }

    #[tokio::test]
    async fn a_failed_create_is_said_and_tried_again_until_it_gives_up() {
        let bbb = Arc::new(FakeBbb { failures: Mutex::new(2), ..FakeBbb::default() });
        let room = room();
        let back =
            run(Arc::clone(&bbb), Arc::clone(&room), BreakoutEffect::OpenMeetings { ateliers: vec![atelier("a1")] })
                .await;
        assert_eq!(
            videos(&back),
            [
                ("a1".to_string(), None, Some(true)),
                ("a1".to_string(), None, Some(true)),
                ("a1".to_string(), Some(video_link(room.id, "a1")), None)
            ],
            "two problems said while retrying, then the link"
        );

        let bbb = Arc::new(FakeBbb { failures: Mutex::new(u32::MAX), ..FakeBbb::default() });
        let back = run(Arc::clone(&bbb), room, BreakoutEffect::OpenMeetings { ateliers: vec![atelier("a1")] }).await;
        let said = videos(&back);
        assert_eq!(said.len(), CREATE_ATTEMPTS as usize);
        assert!(said[..said.len() - 1].iter().all(|(_, url, retrying)| url.is_none() && *retrying == Some(true)));
        assert_eq!(said.last().unwrap().2, Some(false), "the last problem says it stopped trying");
        assert_eq!(bbb.created.lock().unwrap().len(), CREATE_ATTEMPTS as usize);
    }

    #[tokio::test]
    async fn a_broadcast_reaches_each_open_ateliers_chat_and_stops_on_an_old_server() {
        let bbb = Arc::new(FakeBbb::default());
        let room = room();
        let effect = BreakoutEffect::PostToChats {
            ateliers: vec!["a1".into(), "a2".into()],
            text: "Pause".into(),
            from: "Mme D".into(),
        };
        let back = run(Arc::clone(&bbb), Arc::clone(&room), effect).await;
        assert!(back.is_empty(), "a broadcast changes nothing in the room");
        let chats = bbb.chats.lock().unwrap().clone();
        let sent: Vec<(&str, &str, Option<&str>)> = chats
            .iter()
            .map(|chat| (chat.meeting_id.as_str(), chat.message.as_str(), chat.user_name.as_deref()))
            .collect();
        let (a1, a2) = (meeting_id(room.id, "a1"), meeting_id(room.id, "a2"));
        assert_eq!(sent, [(a1.as_str(), "Pause", Some("Mme D")), (a2.as_str(), "Pause", Some("Mme D"))]);

        let old = Arc::new(FakeBbb { chat_unsupported: true, ..FakeBbb::default() });
        let effect =
            BreakoutEffect::PostToChats { ateliers: vec!["a1".into()], text: "Pause".into(), from: "Mme D".into() };
        assert!(run(Arc::clone(&old), room, effect).await.is_empty());
        assert!(old.chats.lock().unwrap().is_empty());
    }
}
