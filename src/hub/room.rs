//! The room actor: one tokio task per live room, owning its state and fed by
//! a bounded mailbox. Requests are answered over oneshot channels. The actor
//! numbers events, keeps a bounded history for replay, answers retried
//! commands from a per-member record of recent results, coalesces presence,
//! and publishes through the bus. It never awaits a member nor the store:
//! what must last goes to the store's writer, and a durable command is
//! answered with a receipt that resolves once its write is committed. A quiz
//! room journals every input it accepts and is rebuilt from that journal.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use amphi_protocol::server::{RoomInfo, RoomSnapshot};
use amphi_protocol::{ClientMsgId, ErrorCode, Role, RoomKind, ServerMessage};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::envelope::Envelope;
use crate::activity::CompletionChange;
use crate::activity::board::{BoardDefinition, BoardEmit, BoardSession, ExportRow};
use crate::activity::breakout::participation::Participation;
use crate::activity::breakout::{BreakoutDefinition, BreakoutEffect, BreakoutEmit, BreakoutSession};
use crate::activity::lobby::{Lobby, LobbyCommand, LobbySettings};
use crate::activity::quiz::{QuizDefinition, QuizEmit, QuizSession, ResultRow};
use crate::activity::{Actor, Emit, Millis, Refusal};
use crate::bus::Bus;
use crate::cluster::RemoteRoom;
use crate::metrics::Metrics;
use crate::quiz::Quiz;
use crate::store::{AttendanceRecord, CompletionRecord, InputKind, InputRecord, RoomRecord, Write, Writer};
use amphi_protocol::board::{BoardCommand, BoardPage};
use amphi_protocol::breakout::{BreakoutCommand, VideoProblem};
use amphi_protocol::quiz::QuizCommand;
use amphi_protocol::quiz::{QuestionStats, QuizSettings, Summary};
use amphi_protocol::server::EventBody;

/// How many results per member are remembered to answer retries.
const RECENT_RESULTS_PER_MEMBER: usize = 64;

/// How many more of a member's applied command ids (beyond the recent
/// results) are remembered, as 64-bit hashes, so that a retry is answered
/// `ack` rather than applied again: 8 bytes each, 32 KiB a member at most.
const APPLIED_IDS_PER_MEMBER: usize = 4096;

/// Room settings, from config.
#[derive(Debug, Clone, Copy)]
pub struct RoomSettings {
    pub mailbox: usize,
    pub history: usize,
    pub max_members: usize,
    pub lobby: LobbySettings,
}

/// Who sends a request, as the room needs to know them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Who {
    pub id: Arc<str>,
    pub name: Arc<str>,
    pub role: Role,
    pub guest: bool,
}

impl Who {
    fn actor(&self) -> Actor<'_> {
        Actor { id: &self.id, name: &self.name, role: self.role }
    }
}

/// The member id prefix of a leader on whose behalf the server itself sends
/// a command (the REST API's pre-assignment of registrants): such a leader
/// is not attached to the room, and is let through without joining. Only
/// server code makes these ids: `Keys::verify` refuses a token whose
/// subject starts with it.
pub const SERVICE_MEMBER_PREFIX: &str = "service:";

/// A command for a room's activity.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RoomCommand {
    Lobby(LobbyCommand),
    Quiz(QuizCommand),
    Board(Box<BoardCommand>),
    Breakout(Box<BreakoutCommand>),
    /// A leader's "try again now" for an atelier's video room.
    RetryVideo {
        atelier: String,
    },
}

/// The identity under which the effects runner's outcomes (an atelier's
/// video link, or why it has none) are applied and journaled.
pub const VIDEO_SERVICE: &str = "service:video";

/// What an applied command asks of the world outside the room, for the
/// effects runner (`src/effects.rs`), with the way back to the room.
pub struct EffectJob {
    pub room: Arc<RoomRecord>,
    pub effect: BreakoutEffect,
    pub back: RoomBack,
}

/// The bounded queue to the effects runner (`None`: no BigBlueButton, the
/// effects have nothing to act on).
pub type EffectSink = mpsc::Sender<EffectJob>;

/// How an effect's outcome goes back to its room: a typed input in its
/// mailbox, not a command under someone's id. Holds the room weakly: a
/// room whose handles are all gone stops, and its outcomes are dropped.
#[derive(Clone)]
pub struct RoomBack(mpsc::WeakSender<Request>);

impl RoomBack {
    /// Gives an atelier its video link, or says why it has none. `false`:
    /// the room went away.
    pub async fn video(&self, atelier: String, url: Option<String>, problem: Option<VideoProblem>) -> bool {
        let Some(tx) = self.0.upgrade() else { return false };
        tx.send(Request::Video { atelier, url, problem }).await.is_ok()
    }
}

/// What a connection gets when it attaches: the seq its view is current at,
/// and either a snapshot or the events it missed.
#[derive(Debug)]
pub struct Attached {
    pub seq: u64,
    pub snapshot: Option<RoomSnapshot>,
    pub replay: Vec<Arc<Envelope>>,
}

/// A command's id and what it got, kept to answer its retries.
type Remembered = (ClientMsgId, Result<Accepted, Refusal>);

/// Resolves once a durable command's write is settled: `true` when it is
/// committed, `false` when it never will be (or its owner node went away).
pub type Receipt = Shared<BoxFuture<'static, bool>>;

/// A command the room accepted.
#[derive(Debug, Clone)]
pub enum Accepted {
    /// Applied; nothing to wait for.
    Applied,
    /// Applied; durable once the receipt resolves. Acknowledge it then.
    Committing(Receipt),
    /// A board's page of posts, the answer to `load_more`.
    Page(Box<BoardPage>),
}

/// A room that stopped or cannot answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the room is not available")]
pub struct RoomGone;

/// What the exports need of a quiz room.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct QuizResults {
    pub quiz: Quiz,
    pub settings: QuizSettings,
    /// One row per answer and round, names per the anonymity mode.
    pub rows: Vec<ResultRow>,
    pub summary: Summary,
    /// The latest round's figures of each question (`None`: never asked).
    pub stats: Vec<Option<QuestionStats>>,
}

pub(crate) enum Request {
    Attach {
        who: Who,
        since: Option<u64>,
        reply: oneshot::Sender<Result<Attached, Refusal>>,
    },
    Detach {
        member: Arc<str>,
    },
    Leave {
        member: Arc<str>,
        reply: oneshot::Sender<()>,
    },
    Command {
        who: Who,
        id: ClientMsgId,
        command: RoomCommand,
        reply: oneshot::Sender<Result<Accepted, Refusal>>,
    },
    Results {
        reply: oneshot::Sender<Option<QuizResults>>,
    },
    BoardExport {
        reply: oneshot::Sender<Option<BoardExport>>,
    },
    Participation {
        reply: oneshot::Sender<Option<Participation>>,
    },
    Ateliers {
        member: Arc<str>,
        reply: oneshot::Sender<Option<AtelierAccess>>,
    },
    /// An effect's outcome: an atelier's video link, or why it has none.
    Video {
        atelier: String,
        url: Option<String>,
        problem: Option<VideoProblem>,
    },
    /// Stop now: every request before this one is handled (its writes
    /// queued), none after.
    Retire {
        reply: oneshot::Sender<()>,
    },
}

/// The ateliers of a breakout room's plan, and the one a member is
/// assigned to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AtelierAccess {
    pub planned: Vec<String>,
    pub assigned: Option<String>,
}

/// What the exports need of a board room.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BoardExport {
    /// The board as a definition: sections, settings, visible posts.
    pub definition: BoardDefinition,
    /// Every post in board order with its section's title.
    pub rows: Vec<ExportRow>,
}

/// The handle to a room actor, on this node or on the room's owner node:
/// cheap to clone. A local actor stops when every handle is dropped.
#[derive(Clone)]
pub struct RoomHandle {
    pub record: Arc<RoomRecord>,
    target: Target,
}

#[derive(Clone)]
enum Target {
    Local(mpsc::Sender<Request>),
    Remote(Arc<RemoteRoom>),
}

/// Requests wait this long for a place in a full mailbox before the sender
/// is told the room is unavailable.
const MAILBOX_WAIT: Duration = Duration::from_secs(5);

impl RoomHandle {
    /// Spawns the actor for `record`, rebuilt from its `journal` (empty for
    /// a new room).
    pub fn spawn(
        record: RoomRecord,
        journal: Vec<InputRecord>,
        settings: RoomSettings,
        bus: Arc<dyn Bus>,
        writer: Writer,
        metrics: Arc<Metrics>,
        effects: Option<EffectSink>,
    ) -> RoomHandle {
        let (tx, rx) = mpsc::channel(settings.mailbox);
        let quiz = quiz_of(&record);
        let board = board_of(&record);
        let breakout = breakout_of(&record);
        let record = Arc::new(record);
        let mut actor = RoomActor {
            id: record.id,
            record: Arc::clone(&record),
            effects,
            back: RoomBack(tx.downgrade()),
            tenant: record.tenant.clone(),
            writer,
            position: 0,
            online_since: HashMap::new(),
            completions_handed: false,
            rx,
            settings,
            lobby: Lobby::new(settings.lobby),
            quiz,
            board,
            breakout,
            seq: first_seq(),
            history: VecDeque::with_capacity(settings.history.min(64)),
            recent: HashMap::new(),
            applied: HashMap::new(),
            bus,
            metrics,
        };
        let span = tracing::info_span!("room", room = %record.id, tenant = %record.tenant);
        span.in_scope(|| actor.rebuild(journal));
        tokio::spawn(tracing::Instrument::instrument(actor.run(), span));
        RoomHandle { record, target: Target::Local(tx) }
    }

    /// The handle to a room whose actor runs on another node.
    pub fn remote(record: RoomRecord, remote: RemoteRoom) -> RoomHandle {
        RoomHandle { record: Arc::new(record), target: Target::Remote(Arc::new(remote)) }
    }

    pub fn id(&self) -> Uuid {
        self.record.id
    }

    /// Whether the actor runs on this node.
    pub fn is_local(&self) -> bool {
        matches!(self.target, Target::Local(_))
    }

    /// The node running the actor, when it is another one.
    pub fn owner(&self) -> Option<&str> {
        match &self.target {
            Target::Local(_) => None,
            Target::Remote(remote) => Some(remote.owner()),
        }
    }

    /// What `joined` says about the room.
    pub fn info(&self) -> RoomInfo {
        RoomInfo {
            id: self.record.id.to_string(),
            kind: self.record.kind,
            title: self.record.title.clone(),
            join_code: self.record.join_code.clone(),
        }
    }

    /// Attaches a connection of `who`; `since` is the last seq it saw.
    pub async fn attach(&self, who: Who, since: Option<u64>) -> Result<Result<Attached, Refusal>, RoomGone> {
        match &self.target {
            Target::Local(_) => self.ask(|reply| Request::Attach { who, since, reply }).await,
            Target::Remote(remote) => remote.attach(who, since).await,
        }
    }

    /// A connection of `member` went away. Never waits.
    pub fn detach(&self, member: Arc<str>) {
        let tx = match &self.target {
            Target::Local(tx) => tx,
            Target::Remote(remote) => return remote.detach(member),
        };
        if tx.try_send(Request::Detach { member: member.clone() }).is_err() {
            // Mailbox full: deliver it later rather than leave a ghost online.
            let tx = tx.clone();
            tokio::spawn(async move {
                let _ = tx.send(Request::Detach { member }).await;
            });
        }
    }

    /// `member` leaves the room for good.
    pub async fn leave(&self, member: Arc<str>) -> Result<(), RoomGone> {
        match &self.target {
            Target::Local(_) => self.ask(|reply| Request::Leave { member, reply }).await,
            Target::Remote(remote) => remote.leave(member).await,
        }
    }

    /// Applies a command (or answers its retry with the original result).
    pub async fn command(
        &self,
        who: Who,
        id: ClientMsgId,
        command: RoomCommand,
    ) -> Result<Result<Accepted, Refusal>, RoomGone> {
        match &self.target {
            Target::Local(_) => self.ask(|reply| Request::Command { who, id, command, reply }).await,
            Target::Remote(remote) => remote.command(who, id, command).await,
        }
    }

    /// The board's content (`None` in a room without a board).
    pub async fn board_export(&self) -> Result<Option<BoardExport>, RoomGone> {
        match &self.target {
            Target::Local(_) => self.ask(|reply| Request::BoardExport { reply }).await,
            Target::Remote(remote) => remote.board_export().await,
        }
    }

    /// Stops this node's actor of the room once the requests before are
    /// handled (the erasure of a member's data: the next use rebuilds the
    /// room from its journal). Rooms run by another node are not reached.
    pub async fn retire(&self) -> Result<(), RoomGone> {
        self.ask(|reply| Request::Retire { reply }).await
    }

    /// The plan's ateliers and `member`'s own (`None` in a room without
    /// ateliers): whose video rooms the member may join.
    pub async fn ateliers(&self, member: Arc<str>) -> Result<Option<AtelierAccess>, RoomGone> {
        match &self.target {
            Target::Local(_) => self.ask(|reply| Request::Ateliers { member, reply }).await,
            Target::Remote(remote) => remote.ateliers(member).await,
        }
    }

    /// The ateliers' participation so far (`None` in a room without them).
    pub async fn participation(&self) -> Result<Option<Participation>, RoomGone> {
        match &self.target {
            Target::Local(_) => self.ask(|reply| Request::Participation { reply }).await,
            Target::Remote(remote) => remote.participation().await,
        }
    }

    /// The quiz's results so far (`None` in a room without a quiz).
    pub async fn results(&self) -> Result<Option<QuizResults>, RoomGone> {
        match &self.target {
            Target::Local(_) => self.ask(|reply| Request::Results { reply }).await,
            Target::Remote(remote) => remote.results().await,
        }
    }

    async fn ask<T>(&self, request: impl FnOnce(oneshot::Sender<T>) -> Request) -> Result<T, RoomGone> {
        let Target::Local(tx) = &self.target else { return Err(RoomGone) };
        let (reply, answer) = oneshot::channel();
        match tokio::time::timeout(MAILBOX_WAIT, tx.send(request(reply))).await {
            Ok(Ok(())) => answer.await.map_err(|_| RoomGone),
            _ => Err(RoomGone),
        }
    }
}

struct RoomActor {
    id: Uuid,
    record: Arc<RoomRecord>,
    /// Where the activities' effects go, and how their outcomes come back.
    effects: Option<EffectSink>,
    back: RoomBack,
    tenant: String,
    /// Where the journal, attendance and completions go.
    writer: Writer,
    /// The position of the last journaled input.
    position: i64,
    /// When each online member's current stretch of attendance began.
    online_since: HashMap<Arc<str>, i64>,
    completions_handed: bool,
    rx: mpsc::Receiver<Request>,
    settings: RoomSettings,
    lobby: Lobby,
    /// The quiz, in a quiz room.
    quiz: Option<QuizSession>,
    /// The board, in a board room.
    board: Option<BoardSession>,
    /// The ateliers, in a breakout room.
    breakout: Option<BreakoutSession>,
    seq: u64,
    history: VecDeque<Arc<Envelope>>,
    /// Recent command results per member, to answer retries.
    recent: HashMap<Arc<str>, VecDeque<Remembered>>,
    /// The ids of older applied commands, per member (see
    /// [`APPLIED_IDS_PER_MEMBER`]).
    applied: HashMap<Arc<str>, AppliedIds>,
    bus: Arc<dyn Bus>,
    metrics: Arc<Metrics>,
}

impl RoomActor {
    async fn run(mut self) {
        self.metrics.rooms.inc();
        loop {
            let wait = self.next_deadline().map(|due| Duration::from_millis(due.saturating_sub(now_ms())));
            let request = match wait {
                Some(wait) => tokio::select! {
                    request = self.rx.recv() => request,
                    () = tokio::time::sleep(wait) => {
                        self.run_due();
                        self.hand_completions();
                        continue;
                    }
                },
                None => self.rx.recv().await,
            };
            let Some(request) = request else { break };
            if let Request::Retire { reply } = request {
                let _ = reply.send(());
                break;
            }
            self.metrics.mailbox_depth.observe(self.rx.len() as f64);
            // What came due before this input applies first, as it does when
            // the journal is replayed (which ticks the quiz before each input).
            self.tick_quiz();
            self.handle(request);
            self.run_due();
            self.hand_completions();
        }
        self.metrics.rooms.dec();
        tracing::debug!(room = %self.id, "room actor stopped");
    }

    /// When something time-based is due next: coalesced presence, a quiz
    /// deadline or live figures.
    fn next_deadline(&self) -> Option<Millis> {
        let quiz = self.quiz.as_ref().and_then(QuizSession::next_deadline);
        let breakout = self.breakout.as_ref().and_then(BreakoutSession::next_deadline);
        [self.lobby.presence_due(), quiz, breakout].into_iter().flatten().min()
    }

    /// Once the quiz has ended, hands its completions to the store's writer
    /// (which retries until they are committed).
    fn hand_completions(&mut self) {
        let Some(quiz) = self.quiz.as_ref().filter(|quiz| quiz.is_ended()) else { return };
        if std::mem::replace(&mut self.completions_handed, true) {
            return;
        }
        let now = now_ms() as i64;
        let records: Vec<CompletionRecord> = quiz
            .completions()
            .into_iter()
            .map(|c| CompletionRecord {
                tenant: self.tenant.clone(),
                activity: self.id,
                user: c.member,
                state: c.state as u8,
                score: c.score,
                max_score: c.max_score,
                updated_at: now,
            })
            .collect();
        self.writer.submit(Write::Completions(records));
    }

    /// Runs the quiz's timers due now (deadlines, the closing rule).
    fn tick_quiz(&mut self) {
        if let Some(quiz) = &mut self.quiz {
            let emits = quiz.tick(now_ms());
            self.publish(emits.into_iter().map(quiz_emit).collect());
        }
    }

    /// Runs whatever is due now.
    fn run_due(&mut self) {
        let now = now_ms();
        let mut emits = self.lobby.flush_presence(now);
        if let Some(quiz) = &mut self.quiz {
            emits.extend(quiz.tick(now).into_iter().map(quiz_emit));
        }
        let mut completions = Vec::new();
        if let Some(breakout) = &mut self.breakout {
            emits.extend(breakout.tick(now).into_iter().map(breakout_emit));
            completions = breakout.take_completion_changes(now);
        }
        self.publish(emits);
        self.hand_completion_changes(completions, now);
    }

    fn handle(&mut self, request: Request) {
        match request {
            Request::Attach { who, since, reply } => {
                let _ = reply.send(self.attach(&who, since));
            }
            Request::Detach { member } => self.detach(&member, false),
            Request::Leave { member, reply } => {
                self.detach(&member, true);
                let emits = self.lobby.leave(&member);
                self.recent.remove(&member);
                self.applied.remove(&member);
                self.publish(emits);
                let _ = reply.send(());
            }
            Request::Command { who, id, command, reply } => {
                let _ = reply.send(self.command(&who, id, command));
            }
            Request::Video { atelier, url, problem } => self.video_outcome(atelier, url, problem),
            Request::Results { reply } => {
                let results = self.quiz.as_ref().map(|quiz| QuizResults {
                    quiz: quiz.quiz().clone(),
                    settings: quiz.settings().clone(),
                    rows: quiz.results(),
                    summary: quiz.summary(),
                    stats: (0..quiz.quiz().questions.len()).map(|q| quiz.current_stats(q)).collect(),
                });
                let _ = reply.send(results);
            }
            Request::Ateliers { member, reply } => {
                let _ = reply.send(self.breakout.as_ref().map(|breakout| AtelierAccess {
                    planned: breakout.plan().ateliers.iter().map(|atelier| atelier.id.clone()).collect(),
                    assigned: breakout.atelier_of(&member).map(String::from),
                }));
            }
            Request::Participation { reply } => {
                let _ = reply.send(self.breakout.as_ref().map(|breakout| breakout.participation(now_ms())));
            }
            // Taken by the loop before it gets here.
            Request::Retire { reply } => {
                let _ = reply.send(());
            }
            Request::BoardExport { reply } => {
                let export = self
                    .board
                    .as_ref()
                    .map(|board| BoardExport { definition: board.as_definition(), rows: board.export_rows() });
                let _ = reply.send(export);
            }
        }
    }

    fn attach(&mut self, who: &Who, since: Option<u64>) -> Result<Attached, Refusal> {
        if self.lobby.is_removed(&who.id) {
            self.metrics.abuse.with_label_values(&["removed_member_back"]).inc();
            return Err(Refusal::forbidden("a leader removed you from this room"));
        }
        // Leaders and observers are never refused by the cap; returning
        // members neither. Offline guests hold no seat.
        let new = !self.lobby.is_member(&who.id);
        if new && who.guest && self.lobby.is_locked() {
            self.metrics.abuse.with_label_values(&["room_locked"]).inc();
            return Err(Refusal::new(ErrorCode::RoomLocked, "this room is locked: ask the trainer to unlock it"));
        }
        if new && who.guest && self.quiz.as_ref().is_some_and(|quiz| quiz.is_ended()) {
            self.metrics.abuse.with_label_values(&["ended_session_code"]).inc();
            return Err(session_ended());
        }
        if new && who.role == Role::Participant && self.lobby.seats_taken() >= self.settings.max_members {
            self.metrics.abuse.with_label_values(&["room_full"]).inc();
            return Err(Refusal::new(ErrorCode::RoomFull, "this room is full"));
        }
        if !self.writer.has_room() {
            return Err(store_full());
        }
        let now = now_ms();
        if let Some(quiz) = &mut self.quiz {
            quiz.join(who.actor(), now)?;
            let input = self.input(who, now, InputKind::Attach, None);
            self.writer.submit(Write::Input(input));
        }
        if let Some(breakout) = &mut self.breakout {
            breakout.join(who.actor(), now);
            let input = self.input(who, now, InputKind::Attach, None);
            self.writer.submit(Write::Input(input));
        }
        if self.lobby.attach_as(who.actor(), who.guest) {
            self.online_since.insert(who.id.clone(), now as i64);
            self.writer.submit(Write::Joined(AttendanceRecord {
                room: self.id,
                member: who.id.to_string(),
                member_name: who.name.to_string(),
                role: who.role,
                guest: who.guest,
                joined_at: now as i64,
                left_at: None,
            }));
        }
        // A client with no state (seq 0) gets a snapshot rather than a replay of
        // the whole history.
        let replay = since.filter(|since| *since > 0).and_then(|since| self.replay_since(since, who));
        Ok(match replay {
            Some(replay) => Attached { seq: self.seq, snapshot: None, replay },
            None => Attached { seq: self.seq, snapshot: Some(self.snapshot(who)), replay: Vec::new() },
        })
    }

    /// The whole room as `who` sees it.
    fn snapshot(&self, who: &Who) -> RoomSnapshot {
        let mut snapshot = self.lobby.snapshot(who.role);
        snapshot.quiz = self.quiz.as_ref().map(|quiz| quiz.snapshot(who.actor()));
        snapshot.board = self.board.as_ref().map(|board| board.snapshot(who.actor()));
        snapshot.breakout = self.breakout.as_ref().map(|breakout| breakout.snapshot(who.actor()));
        snapshot
    }

    /// The events after `since` that `who` may see, if the history still
    /// holds all of them.
    fn replay_since(&self, since: u64, who: &Who) -> Option<Vec<Arc<Envelope>>> {
        if since > self.seq {
            return None; // a seq from an earlier life of this room
        }
        let oldest = self.history.front().map_or(self.seq + 1, |e| e.seq);
        if since + 1 < oldest {
            return None;
        }
        Some(self.history.iter().filter(|e| e.seq > since && e.audience.includes(&who.id, who.role)).cloned().collect())
    }

    /// A connection of `member` went away (`leaving`: the member left for
    /// good): journaled in a quiz room, and the end of their attendance
    /// stretch when it was their last connection.
    fn detach(&mut self, member: &Arc<str>, leaving: bool) {
        let now = now_ms();
        let went_offline = if leaving { self.lobby.is_online(member) } else { self.lobby.detach(member) };
        if went_offline && let Some(joined_at) = self.online_since.remove(member) {
            self.writer.submit(Write::Left { room: self.id, member: member.to_string(), joined_at, at: now as i64 });
        }
        let journaled = match (&mut self.quiz, &mut self.breakout) {
            (Some(quiz), _) if leaving => {
                quiz.leave(member, now);
                true
            }
            (Some(quiz), _) => {
                quiz.detach(member, now);
                true
            }
            (None, Some(breakout)) => {
                breakout.detach(member, now);
                true
            }
            (None, None) => false,
        };
        if journaled {
            self.position += 1;
            self.writer.submit(Write::Input(InputRecord {
                room: self.id,
                position: self.position,
                at: now as i64,
                member: member.to_string(),
                member_name: String::new(),
                role: None,
                guest: false,
                kind: if leaving && self.quiz.is_some() { InputKind::Leave } else { InputKind::Detach },
                action: None,
                client_id: None,
                body: None,
            }));
        }
    }

    fn command(&mut self, who: &Who, id: ClientMsgId, command: RoomCommand) -> Result<Accepted, Refusal> {
        if let Some(recent) = self.recent.get(&who.id)
            && let Some((_, result)) = recent.iter().find(|(seen, _)| *seen == id)
        {
            return result.clone();
        }
        if self.applied.get(&who.id).is_some_and(|applied| applied.contains(&id)) {
            return Ok(Accepted::Applied); // applied long ago, and committed since
        }
        let service = who.role.leads() && who.id.starts_with(SERVICE_MEMBER_PREFIX);
        if !self.lobby.is_member(&who.id) && !service {
            return Err(Refusal::new(ErrorCode::NotInRoom, "join the room first"));
        }
        let now = now_ms();
        let result = match (command, &mut self.quiz) {
            (RoomCommand::Lobby(LobbyCommand::RemoveMember { member }), _) => self.remove_member(who, member, now),
            (RoomCommand::Lobby(command), _) => {
                self.lobby.apply(who.actor(), command, now).map(|emits| self.publish(emits)).map(|()| Accepted::Applied)
            }
            (RoomCommand::Quiz(command), Some(quiz)) => {
                // Not taken on when its write could not be queued: the store
                // is down and the queue full (nothing is remembered: a retry
                // may succeed later).
                if !self.writer.has_room() {
                    return Err(store_full());
                }
                let journaled = serde_json::to_value(&command);
                match quiz.apply(who.actor(), command, now) {
                    Ok(emits) => {
                        self.publish(emits.into_iter().map(quiz_emit).collect());
                        let input = self.input(who, now, InputKind::Quiz, Some((&id, journaled)));
                        Ok(Accepted::Committing(self.receipt(Write::Input(input))))
                    }
                    Err(refusal) => Err(refusal),
                }
            }
            (RoomCommand::Quiz(_), None) => Err(Refusal::new(ErrorCode::InvalidState, "this room runs no quiz")),
            (RoomCommand::Board(command), _) if matches!(*command, BoardCommand::LoadMore { .. }) => {
                let BoardCommand::LoadMore { cursor } = *command else { unreachable!("matched above") };
                // A read: answered at once, neither journaled nor remembered.
                let Some(board) = &self.board else {
                    return Err(Refusal::new(ErrorCode::InvalidState, "this room runs no board"));
                };
                return Ok(Accepted::Page(Box::new(board.page_after(who.actor(), Some(&cursor)))));
            }
            (RoomCommand::Board(command), _) => self.board_command(who, &id, *command, now),
            (RoomCommand::Breakout(command), _) => self.breakout_command(who, &id, *command, now),
            (RoomCommand::RetryVideo { atelier }, _) => self.retry_video(who, &atelier),
        };
        self.remember(who.id.clone(), id, result.clone());
        result
    }

    /// A leader removes a participant: their attendance stretch ends (and a
    /// quiz or ateliers room journals their detach), they leave the lobby
    /// and may not attach again; their connections get `member_removed`
    /// and close with 4011.
    fn remove_member(&mut self, who: &Who, member: String, now: Millis) -> Result<Accepted, Refusal> {
        self.lobby.removable(who.actor(), &member)?;
        let id: Arc<str> = member.as_str().into();
        self.detach(&id, true);
        self.recent.remove(&id);
        self.applied.remove(&id);
        let emits = self.lobby.apply(who.actor(), LobbyCommand::RemoveMember { member }, now)?;
        self.metrics.abuse.with_label_values(&["member_removed"]).inc();
        self.publish(emits);
        Ok(Accepted::Applied)
    }

    /// Applies a board command: published at once, acknowledged once its
    /// journal entry is committed. A conflicting edit sends the editor the
    /// current post along with the refusal.
    fn board_command(
        &mut self,
        who: &Who,
        id: &ClientMsgId,
        command: BoardCommand,
        now: Millis,
    ) -> Result<Accepted, Refusal> {
        let Some(board) = &mut self.board else {
            return Err(Refusal::new(ErrorCode::InvalidState, "this room runs no board"));
        };
        if !self.writer.has_room() {
            return Err(store_full());
        }
        let edited = match &command {
            BoardCommand::Edit { post, .. } => Some(post.clone()),
            _ => None,
        };
        let journaled = serde_json::to_value(&command);
        match board.apply(who.actor(), command, now) {
            Ok(emits) => {
                let changes = board.take_completion_changes();
                self.publish(emits.into_iter().map(board_emit).collect());
                self.hand_completion_changes(changes, now);
                let input = self.input(who, now, InputKind::Board, Some((id, journaled)));
                Ok(Accepted::Committing(self.receipt(Write::Input(input))))
            }
            Err(refusal) => {
                if refusal.code == ErrorCode::Conflict
                    && let Some(current) = edited.and_then(|post| board.conflict_emit(who.actor(), &post))
                {
                    self.publish(vec![board_emit(current)]);
                }
                Err(refusal)
            }
        }
    }

    /// Applies a breakout command: published at once, acknowledged once its
    /// journal entry is committed.
    fn breakout_command(
        &mut self,
        who: &Who,
        id: &ClientMsgId,
        command: BreakoutCommand,
        now: Millis,
    ) -> Result<Accepted, Refusal> {
        let Some(breakout) = &mut self.breakout else {
            return Err(Refusal::new(ErrorCode::InvalidState, "this room runs no ateliers"));
        };
        if !self.writer.has_room() {
            return Err(store_full());
        }
        let journaled = serde_json::to_value(&command);
        let emits = breakout.apply(who.actor(), command, now)?;
        let completions = breakout.take_completion_changes(now);
        let effects = breakout.take_effects();
        self.publish(emits.into_iter().map(breakout_emit).collect());
        self.hand_completion_changes(completions, now);
        let input = self.input(who, now, InputKind::Breakout, Some((id, journaled)));
        let receipt = self.receipt(Write::Input(input));
        self.hand_effects(effects);
        Ok(Accepted::Committing(receipt))
    }

    /// A leader's "try again now": the atelier's meeting is asked for again.
    fn retry_video(&mut self, who: &Who, atelier: &str) -> Result<Accepted, Refusal> {
        let Some(breakout) = &mut self.breakout else {
            return Err(Refusal::new(ErrorCode::InvalidState, "this room runs no ateliers"));
        };
        if self.effects.is_none() {
            return Err(Refusal::new(ErrorCode::NotFound, "BigBlueButton is not configured"));
        }
        breakout.retry_video(who.actor(), atelier)?;
        let effects = breakout.take_effects();
        self.hand_effects(effects);
        Ok(Accepted::Applied)
    }

    /// Hands effects to the runner, once per applied command (a retried id
    /// answered from memory applies nothing and hands nothing). A full queue
    /// drops them, counted: the facilitator can retry.
    fn hand_effects(&self, effects: Vec<BreakoutEffect>) {
        let Some(sink) = &self.effects else { return };
        for effect in effects {
            let job = EffectJob { room: Arc::clone(&self.record), effect, back: self.back.clone() };
            if sink.try_send(job).is_err() {
                self.metrics.effects_dropped.inc();
                tracing::warn!("the effects queue is full: an effect was dropped");
            }
        }
    }

    /// An effect's outcome for an atelier's video room, applied and
    /// journaled as the video service's own input.
    fn video_outcome(&mut self, atelier: String, url: Option<String>, problem: Option<VideoProblem>) {
        let who = Who { id: VIDEO_SERVICE.into(), name: "BigBlueButton".into(), role: Role::Admin, guest: false };
        let id = format!("amphi-video-{}", Uuid::new_v4().simple());
        let command = BreakoutCommand::SetVideo { atelier: atelier.clone(), url, problem };
        if let Err(refusal) = self.breakout_command(&who, &id, command, now_ms()) {
            tracing::warn!(%atelier, message = %refusal.message, "an atelier's video outcome was refused");
        }
    }

    /// Hands a board's or ateliers' completion changes to the store's writer.
    fn hand_completion_changes(&self, changes: Vec<CompletionChange>, now: Millis) {
        if changes.is_empty() {
            return;
        }
        let records = changes
            .into_iter()
            .map(|change| CompletionRecord {
                tenant: self.tenant.clone(),
                activity: self.id,
                user: change.member,
                state: change.state,
                score: change.score,
                max_score: change.max_score,
                updated_at: now as i64,
            })
            .collect();
        self.writer.submit(Write::Completions(records));
    }

    /// Queues a durable write; its receipt says when it is committed.
    fn receipt(&self, write: Write) -> Receipt {
        self.writer.submit_durable(write).map(|committed| committed.is_ok()).boxed().shared()
    }

    fn remember(&mut self, member: Arc<str>, id: ClientMsgId, result: Result<Accepted, Refusal>) {
        let recent = self.recent.entry(Arc::clone(&member)).or_default();
        let evicted = if recent.len() == RECENT_RESULTS_PER_MEMBER { recent.pop_front() } else { None };
        recent.push_back((id, result));
        // An applied command leaving the recent results keeps its id once
        // committed; a refused one is simply forgotten (its retry is judged
        // afresh).
        let committed = |result: &Result<Accepted, Refusal>| match result {
            Ok(Accepted::Committing(receipt)) => receipt.peek() == Some(&true),
            Ok(_) => true,
            Err(_) => false,
        };
        if let Some((old, result)) = evicted
            && committed(&result)
        {
            self.applied.entry(member).or_default().insert(&old);
        }
    }

    /// The journal entry of an input of `who` at `now`: the next position,
    /// and for a command its id, action and JSON.
    fn input(
        &mut self,
        who: &Who,
        now: Millis,
        kind: InputKind,
        command: Option<(&ClientMsgId, serde_json::Result<serde_json::Value>)>,
    ) -> InputRecord {
        self.position += 1;
        let (client_id, action, body) = match command {
            Some((id, Ok(json))) => {
                let action = json.get("action").and_then(|a| a.as_str()).map(String::from);
                (Some(id.clone()), action, Some(json.to_string()))
            }
            Some((id, Err(error))) => {
                tracing::error!(%error, "a command does not serialize: journaled without its body");
                (Some(id.clone()), None, None)
            }
            None => (None, None, None),
        };
        InputRecord {
            room: self.id,
            position: self.position,
            at: now as i64,
            member: who.id.to_string(),
            member_name: who.name.to_string(),
            role: Some(who.role),
            guest: who.guest,
            kind,
            action,
            client_id,
            body,
        }
    }

    /// Replays the journal of an earlier life of this room through the same
    /// state machine, with each input's own time, then journals the restart
    /// itself: every connection of that life is gone. Completions are handed
    /// again (unchanged ones write nothing): the earlier life may have
    /// stopped before committing them.
    fn rebuild(&mut self, journal: Vec<InputRecord>) {
        if journal.is_empty() {
            return;
        }
        let count = journal.len();
        // The time of this rebuild: the restart journaled below and the
        // closing rule's grace both start then.
        let restarted_at = now_ms();
        let position = &mut self.position;
        let outcome = if let Some(quiz) = &mut self.quiz {
            let outcome = replay(journal, position, |input, actor, at| {
                // What came due before this input, at its own time, as the
                // live room's timers had it.
                for _ in 0..64 {
                    match quiz.next_deadline() {
                        Some(due) if due < at => drop(quiz.tick(due)),
                        _ => break,
                    }
                }
                let _ = quiz.tick(at);
                match input.kind {
                    InputKind::Attach => quiz.join(actor, at).map(drop),
                    InputKind::Detach => {
                        quiz.detach(&input.member, at);
                        Ok(())
                    }
                    InputKind::Leave => {
                        quiz.leave(&input.member, at);
                        Ok(())
                    }
                    InputKind::Restart => {
                        quiz.disconnect_all(at);
                        Ok(())
                    }
                    InputKind::Quiz => quiz.apply(actor, journaled(input)?, at).map(drop),
                    other @ (InputKind::Board | InputKind::Breakout) => Err(unknown_input(other)),
                }
            });
            quiz.disconnect_all(restarted_at);
            outcome
        } else if let Some(board) = &mut self.board {
            let outcome = replay(journal, position, |input, actor, at| match input.kind {
                InputKind::Board => board.apply(actor, journaled(input)?, at).map(drop),
                _ => Ok(()),
            });
            let changes = board.take_completion_changes();
            self.hand_completion_changes(changes, outcome.last_at);
            outcome
        } else if let Some(breakout) = &mut self.breakout {
            let outcome = replay(journal, position, |input, actor, at| {
                for _ in 0..64 {
                    match breakout.next_deadline() {
                        Some(due) if due < at => drop(breakout.tick(due)),
                        _ => break,
                    }
                }
                match input.kind {
                    InputKind::Attach => {
                        breakout.join(actor, at);
                        Ok(())
                    }
                    InputKind::Detach => {
                        breakout.detach(&input.member, at);
                        Ok(())
                    }
                    InputKind::Restart => {
                        breakout.disconnect_all(at);
                        Ok(())
                    }
                    InputKind::Breakout => breakout.apply(actor, journaled(input)?, at).map(drop),
                    other @ (InputKind::Leave | InputKind::Quiz | InputKind::Board) => Err(unknown_input(other)),
                }
            });
            breakout.disconnect_all(outcome.last_at);
            // What happened outside the room then is not done again.
            drop(breakout.take_effects());
            let changes = breakout.take_completion_changes(outcome.last_at);
            self.hand_completion_changes(changes, outcome.last_at);
            outcome
        } else {
            return;
        };
        for (member, id) in outcome.answered {
            self.remember(member.as_str().into(), id, Ok(Accepted::Applied));
        }
        if self.board.is_none() {
            let restart = Who { id: "".into(), name: "".into(), role: Role::Observer, guest: false };
            let input = self.input(&restart, restarted_at, InputKind::Restart, None);
            self.writer.submit(Write::Input(input));
        }
        tracing::info!(inputs = count, refused = outcome.refused, "room rebuilt from its journal");
    }

    /// Numbers, records and publishes what the activity emitted.
    fn publish(&mut self, emits: Vec<Emit>) {
        let at = now_ms();
        for emit in emits {
            self.seq += 1;
            let message = ServerMessage::Event { room: self.id.to_string(), seq: self.seq, at, event: emit.body };
            let envelope = Arc::new(Envelope::new(self.id, self.seq, emit.audience, message));
            if self.history.len() == self.settings.history {
                self.history.pop_front();
            }
            self.history.push_back(Arc::clone(&envelope));
            self.bus.publish(envelope);
        }
    }
}

/// A member's older applied command ids, as hashes, oldest dropped first.
#[derive(Default)]
struct AppliedIds {
    order: VecDeque<u64>,
    set: std::collections::HashSet<u64>,
}

impl AppliedIds {
    fn hash(id: &str) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(id)
    }

    fn insert(&mut self, id: &str) {
        let hash = Self::hash(id);
        if !self.set.insert(hash) {
            return;
        }
        self.order.push_back(hash);
        if self.order.len() > APPLIED_IDS_PER_MEMBER
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(&Self::hash(id))
    }
}

/// What replaying a journal found.
struct Replayed {
    /// The client ids of replayed commands, by member: their retries are
    /// answered rather than applied.
    answered: Vec<(String, ClientMsgId)>,
    /// Inputs that no longer applied (logged).
    refused: usize,
    /// The time of the last input.
    last_at: Millis,
}

/// Feeds each journaled input to `apply` with its actor and time, keeping
/// the room's journal position.
fn replay(
    journal: Vec<InputRecord>,
    position: &mut i64,
    mut apply: impl FnMut(&InputRecord, Actor<'_>, Millis) -> Result<(), Refusal>,
) -> Replayed {
    let mut replayed = Replayed { answered: Vec::new(), refused: 0, last_at: 0 };
    for input in journal {
        *position = input.position;
        let at = u64::try_from(input.at).unwrap_or(0);
        replayed.last_at = at;
        // An entry without a role records no one's action (a connection gone).
        let actor = Actor { id: &input.member, name: &input.member_name, role: input.role.unwrap_or(Role::Observer) };
        match apply(&input, actor, at) {
            Ok(()) => {
                if let Some(id) = input.client_id {
                    replayed.answered.push((input.member, id));
                }
            }
            Err(refusal) => {
                replayed.refused += 1;
                tracing::error!(position = input.position, code = %refusal.code, message = %refusal.message,
                    "a journaled input no longer applies");
            }
        }
    }
    replayed
}

/// A journaled command's body, read back.
fn journaled<T: serde::de::DeserializeOwned>(input: &InputRecord) -> Result<T, Refusal> {
    input
        .body
        .as_deref()
        .and_then(|body| serde_json::from_str(body).ok())
        .ok_or_else(|| Refusal::new(ErrorCode::Internal, "the journaled command does not read"))
}

/// A journal entry of a kind this room's activity does not journal.
fn unknown_input(kind: InputKind) -> Refusal {
    Refusal::new(ErrorCode::Internal, format!("unknown journal entry {:?}", kind.as_str()))
}

/// Refusal of work whose write the store's queue cannot take.
fn store_full() -> Refusal {
    Refusal::new(
        ErrorCode::Unavailable,
        "the course store is not reachable and its queue is full: retry later with the same id",
    )
}

/// A breakout event as a room event.
fn breakout_emit(emit: BreakoutEmit) -> Emit {
    Emit { audience: emit.audience, body: EventBody::Breakout { event: emit.event } }
}

/// The ateliers of a breakout room, built from their stored definition.
fn breakout_of(record: &RoomRecord) -> Option<BreakoutSession> {
    if record.kind != RoomKind::Breakout {
        return None;
    }
    match record.activity.as_deref().map(serde_json::from_str::<BreakoutDefinition>) {
        Some(Ok(definition)) => {
            let seed = u64::from_le_bytes(record.id.as_bytes()[..8].try_into().unwrap_or_default());
            Some(BreakoutSession::new(definition, seed))
        }
        Some(Err(error)) => {
            tracing::error!(room = %record.id, %error, "the stored ateliers do not read");
            None
        }
        None => {
            tracing::error!(room = %record.id, "a breakout room without its plan");
            None
        }
    }
}

/// A new guest in a room whose session has ended (its quiz ended, or its
/// schedule's end is past).
pub fn session_ended() -> Refusal {
    Refusal::new(ErrorCode::SessionEnded, "this session has ended: its join code no longer works")
}

/// A board event as a room event.
fn board_emit(emit: BoardEmit) -> Emit {
    Emit { audience: emit.audience, body: EventBody::Board { event: emit.event } }
}

/// The board of a board room, built from its stored definition.
fn board_of(record: &RoomRecord) -> Option<BoardSession> {
    if record.kind != RoomKind::Board {
        return None;
    }
    match record.activity.as_deref().map(serde_json::from_str::<BoardDefinition>) {
        Some(Ok(definition)) => {
            Some(BoardSession::new(definition, &record.created_by, u64::try_from(record.created_at).unwrap_or(0)))
        }
        Some(Err(error)) => {
            tracing::error!(room = %record.id, %error, "the stored board does not read");
            None
        }
        None => {
            tracing::error!(room = %record.id, "a board room without its board");
            None
        }
    }
}

/// A quiz event as a room event.
fn quiz_emit(emit: QuizEmit) -> Emit {
    Emit { audience: emit.audience, body: EventBody::Quiz { event: emit.event } }
}

/// The quiz session of a quiz room, built from its stored definition. A
/// definition that no longer reads (it was validated when stored) leaves
/// the room a plain lobby, and says so in the log.
fn quiz_of(record: &RoomRecord) -> Option<QuizSession> {
    if record.kind != RoomKind::Quiz {
        return None;
    }
    let definition = record.activity.as_deref().map(serde_json::from_str::<QuizDefinition>);
    match definition {
        Some(Ok(definition)) => {
            let seed = u64::from_le_bytes(record.id.as_bytes()[..8].try_into().unwrap_or_default());
            Some(QuizSession::new(definition.quiz, definition.settings, seed))
        }
        Some(Err(error)) => {
            tracing::error!(room = %record.id, %error, "the stored quiz does not read");
            None
        }
        None => {
            tracing::error!(room = %record.id, "a quiz room without its quiz");
            None
        }
    }
}

/// Where a room's numbering starts: the start time in microseconds. A room
/// started again (after a restart, or on another node) thus numbers its
/// events above anything its earlier life sent, so a client's old `last_seq`
/// can never be mistaken for a position in the new history: it gets a
/// snapshot. Stays below 2^53 (exact in JavaScript) until the year 2255.
fn first_seq() -> u64 {
    now_ms() * 1000
}

/// Wall-clock milliseconds since the Unix epoch: the activities' time input.
pub fn now_ms() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
