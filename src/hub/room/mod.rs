//! A live room: one tokio task per room (its actor, `actor.rs`), owning its
//! lobby and its activity (`activity.rs`: one trait for quiz, board,
//! ateliers and the plain lobby), fed by a bounded mailbox of [`Request`]s
//! answered over oneshot channels. The actor numbers events, keeps a
//! bounded history for replay, answers retried commands from memory
//! (`retries.rs`), coalesces presence, and publishes through the bus. It
//! never awaits a member nor the store: what must last goes to the store's
//! writer, and a durable command is answered with a receipt that resolves
//! once its write is committed. A room that journals is rebuilt from its
//! journal (`journal.rs`). This file: the types rooms are spoken to with,
//! and [`RoomHandle`], the same for a local actor and one on another node.

mod activity;
pub(crate) use activity::stored;
mod actor;
mod call;
mod journal;
mod retries;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use amphi_protocol::board::{BoardCommand, BoardPage};
use amphi_protocol::breakout::{BreakoutCommand, VideoProblem};
use amphi_protocol::quiz::{QuestionStats, QuizCommand, QuizSettings, Summary};
use amphi_protocol::server::{RoomInfo, RoomSnapshot};
use amphi_protocol::{ClientMsgId, ErrorCode, Role, RoomKind};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use self::activity::{LobbyOnly, QuizRoom, RoomActivity, board_of, breakout_of};
use self::actor::RoomActor;
pub use self::call::{Call, Reply};
use self::retries::Retries;
use crate::activity::board::{BoardDefinition, ExportRow};
use crate::activity::breakout::BreakoutEffect;
use crate::activity::breakout::participation::Participation;
use crate::activity::lobby::{Lobby, LobbyCommand, LobbySettings};
use crate::activity::quiz::ResultRow;
use crate::activity::{Actor, Millis, Refusal};
use crate::bus::{Bus, Envelope};
use crate::cluster::RemoteRoom;
use crate::metrics::Metrics;
use crate::quiz::Quiz;
use crate::store::{InputRecord, RoomRecord, Writer};

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
    /// The way back to the room whose mailbox `tx` feeds.
    pub(crate) fn to(tx: &mpsc::Sender<Request>) -> RoomBack {
        RoomBack(tx.downgrade())
    }

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

/// What a room's mailbox takes.
pub(crate) enum Request {
    /// A call, answered on `reply` (none for a detach: nobody waits).
    Call { call: Call, reply: Option<oneshot::Sender<Reply>> },
    /// An effect's outcome: an atelier's video link, or why it has none.
    Video { atelier: String, url: Option<String>, problem: Option<VideoProblem> },
    /// Stop now: every request before this one is handled (its writes
    /// queued), none after.
    Retire { reply: oneshot::Sender<()> },
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
        let parts = Parts { settings, bus, writer, metrics, effects, back: RoomBack::to(&tx), rx };
        let record = Arc::new(record);
        let span = tracing::info_span!("room", room = %record.id, tenant = %record.tenant);
        let actor = span.in_scope(|| match record.kind {
            RoomKind::Quiz => start(QuizRoom::from_record(&record), &record, journal, parts),
            RoomKind::Board => start(board_of(&record), &record, journal, parts),
            RoomKind::Breakout => start(breakout_of(&record), &record, journal, parts),
            RoomKind::Lobby => start(Some(LobbyOnly), &record, journal, parts),
        });
        tokio::spawn(tracing::Instrument::instrument(actor, span));
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

    /// Sends `call` to the room, here or on its owner node, and waits for
    /// the reply.
    pub async fn call(&self, call: Call) -> Result<Reply, RoomGone> {
        let tx = match &self.target {
            Target::Local(tx) => tx,
            Target::Remote(remote) => return remote.call(call).await,
        };
        let (reply, answer) = oneshot::channel();
        match tokio::time::timeout(MAILBOX_WAIT, tx.send(Request::Call { call, reply: Some(reply) })).await {
            Ok(Ok(())) => answer.await.map_err(|_| RoomGone),
            _ => Err(RoomGone),
        }
    }

    /// Attaches a connection of `who`; `since` is the last seq it saw.
    pub async fn attach(&self, who: Who, since: Option<u64>) -> Result<Result<Attached, Refusal>, RoomGone> {
        match self.call(Call::Attach { who, since }).await? {
            Reply::Attached { outcome } => Ok(outcome),
            other => Err(mismatched(&other)),
        }
    }

    /// A connection of `member` went away. Never waits.
    pub fn detach(&self, member: Arc<str>) {
        let tx = match &self.target {
            Target::Local(tx) => tx,
            Target::Remote(remote) => return remote.detach(member),
        };
        let request = || Request::Call { call: Call::Detach { member: member.clone() }, reply: None };
        if tx.try_send(request()).is_err() {
            // Mailbox full: deliver it later rather than leave a ghost online.
            let (tx, request) = (tx.clone(), request());
            tokio::spawn(async move {
                let _ = tx.send(request).await;
            });
        }
    }

    /// `member` leaves the room for good.
    pub async fn leave(&self, member: Arc<str>) -> Result<(), RoomGone> {
        match self.call(Call::Leave { member }).await? {
            Reply::Done => Ok(()),
            other => Err(mismatched(&other)),
        }
    }

    /// Applies a command (or answers its retry with the original result).
    pub async fn command(
        &self,
        who: Who,
        id: ClientMsgId,
        command: RoomCommand,
    ) -> Result<Result<Accepted, Refusal>, RoomGone> {
        match self.call(Call::Command { who, id, command }).await? {
            Reply::Command { outcome } => Ok(outcome),
            other => Err(mismatched(&other)),
        }
    }

    /// The board's content (`None` in a room without a board).
    pub async fn board_export(&self) -> Result<Option<BoardExport>, RoomGone> {
        match self.call(Call::BoardExport).await? {
            Reply::BoardExport { export } => Ok(export.map(|export| *export)),
            other => Err(mismatched(&other)),
        }
    }

    /// Stops this node's actor of the room once the requests before are
    /// handled (the erasure of a member's data: the next use rebuilds the
    /// room from its journal). Rooms run by another node are not reached.
    pub async fn retire(&self) -> Result<(), RoomGone> {
        let Target::Local(tx) = &self.target else { return Err(RoomGone) };
        let (reply, done) = oneshot::channel();
        match tokio::time::timeout(MAILBOX_WAIT, tx.send(Request::Retire { reply })).await {
            Ok(Ok(())) => done.await.map_err(|_| RoomGone),
            _ => Err(RoomGone),
        }
    }

    /// The plan's ateliers and `member`'s own (`None` in a room without
    /// ateliers): whose video rooms the member may join.
    pub async fn ateliers(&self, member: Arc<str>) -> Result<Option<AtelierAccess>, RoomGone> {
        match self.call(Call::Ateliers { member }).await? {
            Reply::Ateliers { access } => Ok(access),
            other => Err(mismatched(&other)),
        }
    }

    /// The ateliers' participation so far (`None` in a room without them).
    pub async fn participation(&self) -> Result<Option<Participation>, RoomGone> {
        match self.call(Call::Participation).await? {
            Reply::Participation { participation } => Ok(participation.map(|participation| *participation)),
            other => Err(mismatched(&other)),
        }
    }

    /// The quiz's results so far (`None` in a room without a quiz).
    pub async fn results(&self) -> Result<Option<QuizResults>, RoomGone> {
        match self.call(Call::Results).await? {
            Reply::Results { results } => Ok(results.map(|results| *results)),
            other => Err(mismatched(&other)),
        }
    }
}

/// A reply of another kind than its call's: a node speaking another version
/// of the vocabulary. Logged; the caller finds the room unavailable.
fn mismatched(reply: &Reply) -> RoomGone {
    tracing::error!(?reply, "a room answered a call with a reply of another kind");
    RoomGone
}

/// What every actor is made of besides its activity.
struct Parts {
    settings: RoomSettings,
    bus: Arc<dyn Bus>,
    writer: Writer,
    metrics: Arc<Metrics>,
    effects: Option<EffectSink>,
    back: RoomBack,
    rx: mpsc::Receiver<Request>,
}

/// Builds the actor of `activity` (a plain lobby when its stored definition
/// did not read), rebuilt from its `journal`: the future that runs it.
fn start<A: RoomActivity>(
    activity: Option<A>,
    record: &Arc<RoomRecord>,
    journal: Vec<InputRecord>,
    parts: Parts,
) -> BoxFuture<'static, ()> {
    let Some(activity) = activity else { return start(Some(LobbyOnly), record, journal, parts) };
    let Parts { settings, bus, writer, metrics, effects, back, rx } = parts;
    let mut actor = RoomActor {
        id: record.id,
        record: Arc::clone(record),
        activity,
        lobby: Lobby::new(settings.lobby),
        effects,
        back,
        writer,
        position: 0,
        online_since: HashMap::new(),
        rx,
        settings,
        seq: first_seq(),
        history: VecDeque::with_capacity(settings.history.min(64)),
        retries: Retries::default(),
        bus,
        metrics,
    };
    actor.rebuild(journal);
    actor.run().boxed()
}

/// A new guest in a room whose session has ended (its quiz ended, or its
/// schedule's end is past).
pub fn session_ended() -> Refusal {
    Refusal::new(ErrorCode::SessionEnded, "this session has ended: its join code no longer works")
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
