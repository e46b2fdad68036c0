//! What the room actor needs of the activity it runs: one trait, implemented
//! by the quiz, the board, the ateliers, and the plain lobby (a room with no
//! activity of its own). The actor is generic over it, so the mailbox, the
//! numbering, the retries, the journal and attendance are written once.

use amphi_protocol::board::{BoardCommand, BoardPage};
use amphi_protocol::breakout::{BreakoutCommand, VideoProblem};
use amphi_protocol::quiz::QuizCommand;
use amphi_protocol::server::{EventBody, RoomSnapshot};
use amphi_protocol::{ErrorCode, RoomKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{AtelierAccess, BoardExport, QuizResults, RoomCommand};
use crate::activity::board::{BoardDefinition, BoardSession};
use crate::activity::breakout::participation::Participation;
use crate::activity::breakout::{BreakoutDefinition, BreakoutEffect, BreakoutSession};
use crate::activity::quiz::{QuizDefinition, QuizSession};
use crate::activity::{Actor, CompletionChange, Emit, Millis, Refusal};
use crate::store::{InputKind, RoomRecord};

/// What an applied command (or a timer) produced: events to publish, and
/// what it asks of the world outside the room.
#[derive(Debug, Default)]
pub struct Outcome {
    pub events: Vec<Emit>,
    pub effects: Vec<BreakoutEffect>,
}

impl Outcome {
    fn events(events: Vec<Emit>) -> Outcome {
        Outcome { events, effects: Vec::new() }
    }
}

/// A refused command, and what it still publishes (a board's current post to
/// the editor whose edit conflicted).
#[derive(Debug)]
pub struct Refused {
    pub refusal: Refusal,
    pub events: Vec<Emit>,
}

impl From<Refusal> for Refused {
    fn from(refusal: Refusal) -> Refused {
        Refused { refusal, events: Vec::new() }
    }
}

/// A room's activity, as its actor drives it. Every method is pure: time is
/// an input, and nothing does I/O.
pub trait RoomActivity: Send + Sized + 'static {
    /// Its commands, as journaled (their JSON is the journal entry's body).
    type Command: Serialize + DeserializeOwned;

    /// The journal kind of its commands; `None`: nothing is journaled (the
    /// lobby lives in memory only).
    const JOURNAL: Option<InputKind>;
    /// Whether arrivals and departures change what it computes, and so are
    /// journaled (with the room's restarts).
    const JOURNALS_PRESENCE: bool = false;
    /// The journal kind of a member leaving for good.
    const LEAVE: InputKind = InputKind::Detach;

    /// Its command inside a room command, or the room command back when it is
    /// for another kind of activity.
    fn command_of(command: RoomCommand) -> Result<Self::Command, RoomCommand>;

    /// Applies a command of `who` at `now`.
    fn apply(&mut self, who: Actor<'_>, command: Self::Command, now: Millis) -> Result<Outcome, Refused>;

    /// A command that only reads: answered at once with a page, neither
    /// journaled nor remembered.
    fn read(&self, _who: Actor<'_>, _command: &Self::Command) -> Option<BoardPage> {
        None
    }

    /// A connection of `who` attaches (the lobby took it already).
    fn join(&mut self, _who: Actor<'_>, _now: Millis) -> Result<(), Refusal> {
        Ok(())
    }

    /// One connection of `member` went away.
    fn detach(&mut self, _member: &str, _now: Millis) {}

    /// `member` left for good.
    fn leave(&mut self, member: &str, now: Millis) {
        self.detach(member, now);
    }

    /// Every connection is gone (the room restarted).
    fn disconnect_all(&mut self, _now: Millis) {}

    /// What comes due before an input at `now` is applied.
    fn before_input(&mut self, _now: Millis) -> Vec<Emit> {
        Vec::new()
    }

    /// Its timers due at `now`.
    fn tick(&mut self, _now: Millis) -> Outcome {
        Outcome::default()
    }

    /// When a timer is due next.
    fn next_deadline(&self) -> Option<Millis> {
        None
    }

    /// Completions that changed since last taken.
    fn take_completions(&mut self, _now: Millis) -> Vec<CompletionChange> {
        Vec::new()
    }

    /// After its journal is replayed: the last input was at `last_at`, the
    /// room starts again at `restarted_at`. Returns nothing: what the earlier
    /// life did outside the room is not done again.
    fn restarted(&mut self, _last_at: Millis, _restarted_at: Millis) {}

    /// The session ended: its join code takes no new guests.
    fn is_ended(&self) -> bool {
        false
    }

    /// Its part of `who`'s snapshot.
    fn snapshot(&self, _who: Actor<'_>, _into: &mut RoomSnapshot) {}

    /// A leader's "try again now" for an atelier's video room: the effects to
    /// run.
    fn retry_video(&mut self, _who: Actor<'_>, _atelier: &str) -> Result<Vec<BreakoutEffect>, Refusal> {
        Err(not_run_here(&RoomCommand::RetryVideo { atelier: String::new() }))
    }

    /// The command recording an effect's outcome for an atelier's video room.
    fn video_outcome(_atelier: String, _url: Option<String>, _problem: Option<VideoProblem>) -> Option<Self::Command> {
        None
    }

    fn results(&self) -> Option<QuizResults> {
        None
    }

    fn board_export(&self) -> Option<BoardExport> {
        None
    }

    fn participation(&self, _now: Millis) -> Option<Participation> {
        None
    }

    fn ateliers(&self, _member: &str) -> Option<AtelierAccess> {
        None
    }
}

/// The refusal of a command for an activity this room does not run.
pub fn not_run_here(command: &RoomCommand) -> Refusal {
    let what = match command {
        RoomCommand::Quiz(_) => "no quiz",
        RoomCommand::Board(_) => "no board",
        RoomCommand::Breakout(_) | RoomCommand::RetryVideo { .. } => "no ateliers",
        RoomCommand::Lobby(_) => "no such command",
    };
    Refusal::new(ErrorCode::InvalidState, format!("this room runs {what}"))
}

/// The activity of a room kind, read from its stored definition: the one
/// parser of `RoomRecord::activity`. `None` (logged) when a definition that
/// was validated when stored no longer reads: the room is then a plain lobby.
pub fn stored<D: DeserializeOwned>(record: &RoomRecord, kind: RoomKind) -> Option<D> {
    if record.kind != kind {
        return None;
    }
    let Some(json) = record.activity.as_deref() else {
        tracing::error!(room = %record.id, kind = ?record.kind, "a room without its stored activity");
        return None;
    };
    serde_json::from_str(json)
        .map_err(|error| tracing::error!(room = %record.id, kind = ?record.kind, %error, "the stored activity does not read"))
        .ok()
}

/// The seed of a room's deterministic draws and shuffles.
fn seed_of(record: &RoomRecord) -> u64 {
    u64::from_le_bytes(record.id.as_bytes()[..8].try_into().unwrap_or_default())
}

/// A room with nothing but its lobby.
pub struct LobbyOnly;

impl RoomActivity for LobbyOnly {
    type Command = ();
    const JOURNAL: Option<InputKind> = None;

    fn command_of(command: RoomCommand) -> Result<(), RoomCommand> {
        Err(command)
    }

    fn apply(&mut self, _who: Actor<'_>, (): (), _now: Millis) -> Result<Outcome, Refused> {
        Ok(Outcome::default())
    }
}

/// A quiz room's session, and whether its completions were handed over.
pub struct QuizRoom {
    session: QuizSession,
    completions_taken: bool,
}

impl QuizRoom {
    pub fn from_record(record: &RoomRecord) -> Option<QuizRoom> {
        let definition: QuizDefinition = stored(record, RoomKind::Quiz)?;
        let session = QuizSession::new(definition.quiz, definition.settings, seed_of(record));
        Some(QuizRoom { session, completions_taken: false })
    }
}

fn quiz_events(emits: Vec<crate::activity::quiz::QuizEmit>) -> Vec<Emit> {
    emits
        .into_iter()
        .map(|emit| Emit { audience: emit.audience, body: EventBody::Quiz { event: emit.event } })
        .collect()
}

impl RoomActivity for QuizRoom {
    type Command = QuizCommand;
    const JOURNAL: Option<InputKind> = Some(InputKind::Quiz);
    const JOURNALS_PRESENCE: bool = true;
    const LEAVE: InputKind = InputKind::Leave;

    fn command_of(command: RoomCommand) -> Result<QuizCommand, RoomCommand> {
        match command {
            RoomCommand::Quiz(command) => Ok(command),
            other => Err(other),
        }
    }

    fn apply(&mut self, who: Actor<'_>, command: QuizCommand, now: Millis) -> Result<Outcome, Refused> {
        Ok(Outcome::events(quiz_events(self.session.apply(who, command, now)?)))
    }

    fn join(&mut self, who: Actor<'_>, now: Millis) -> Result<(), Refusal> {
        self.session.join(who, now)
    }

    fn detach(&mut self, member: &str, now: Millis) {
        self.session.detach(member, now);
    }

    fn leave(&mut self, member: &str, now: Millis) {
        self.session.leave(member, now);
    }

    fn disconnect_all(&mut self, now: Millis) {
        self.session.disconnect_all(now);
    }

    /// Deadlines and the closing rule apply before the input does, live as
    /// in a replay.
    fn before_input(&mut self, now: Millis) -> Vec<Emit> {
        quiz_events(self.session.tick(now))
    }

    fn tick(&mut self, now: Millis) -> Outcome {
        Outcome::events(quiz_events(self.session.tick(now)))
    }

    fn next_deadline(&self) -> Option<Millis> {
        self.session.next_deadline()
    }

    /// Once, when the quiz has ended.
    fn take_completions(&mut self, _now: Millis) -> Vec<CompletionChange> {
        if !self.session.is_ended() || std::mem::replace(&mut self.completions_taken, true) {
            return Vec::new();
        }
        let completions = self.session.completions().into_iter();
        completions
            .map(|c| CompletionChange {
                member: c.member,
                state: c.state as u8,
                score: c.score,
                max_score: c.max_score,
            })
            .collect()
    }

    /// Everyone is away from the restart on (the closing rule's grace starts
    /// then).
    fn restarted(&mut self, _last_at: Millis, restarted_at: Millis) {
        self.session.disconnect_all(restarted_at);
    }

    fn is_ended(&self) -> bool {
        self.session.is_ended()
    }

    fn snapshot(&self, who: Actor<'_>, into: &mut RoomSnapshot) {
        into.quiz = Some(self.session.snapshot(who));
    }

    fn results(&self) -> Option<QuizResults> {
        let quiz = &self.session;
        Some(QuizResults {
            quiz: quiz.quiz().clone(),
            settings: quiz.settings().clone(),
            rows: quiz.results(),
            summary: quiz.summary(),
            stats: (0..quiz.quiz().questions.len()).map(|q| quiz.current_stats(q)).collect(),
        })
    }
}

/// The board of a board room, from its stored definition.
pub fn board_of(record: &RoomRecord) -> Option<BoardSession> {
    let definition: BoardDefinition = stored(record, RoomKind::Board)?;
    Some(BoardSession::new(definition, &record.created_by, u64::try_from(record.created_at).unwrap_or(0)))
}

fn board_events(emits: Vec<crate::activity::board::BoardEmit>) -> Vec<Emit> {
    emits
        .into_iter()
        .map(|emit| Emit { audience: emit.audience, body: EventBody::Board { event: emit.event } })
        .collect()
}

impl RoomActivity for BoardSession {
    type Command = BoardCommand;
    const JOURNAL: Option<InputKind> = Some(InputKind::Board);

    fn command_of(command: RoomCommand) -> Result<BoardCommand, RoomCommand> {
        match command {
            RoomCommand::Board(command) => Ok(*command),
            other => Err(other),
        }
    }

    /// A conflicting edit sends the editor the current post along with the
    /// refusal.
    fn apply(&mut self, who: Actor<'_>, command: BoardCommand, now: Millis) -> Result<Outcome, Refused> {
        let edited = match &command {
            BoardCommand::Edit { post, .. } => Some(post.clone()),
            _ => None,
        };
        match BoardSession::apply(self, who, command, now) {
            Ok(emits) => Ok(Outcome::events(board_events(emits))),
            Err(refusal) => {
                let current = match edited {
                    Some(post) if refusal.code == ErrorCode::Conflict => self.conflict_emit(who, &post),
                    _ => None,
                };
                Err(Refused { refusal, events: board_events(current.into_iter().collect()) })
            }
        }
    }

    fn read(&self, who: Actor<'_>, command: &BoardCommand) -> Option<BoardPage> {
        match command {
            BoardCommand::LoadMore { cursor } => Some(self.page_after(who, Some(cursor))),
            _ => None,
        }
    }

    fn take_completions(&mut self, _now: Millis) -> Vec<CompletionChange> {
        self.take_completion_changes()
    }

    fn snapshot(&self, who: Actor<'_>, into: &mut RoomSnapshot) {
        into.board = Some(BoardSession::snapshot(self, who));
    }

    fn board_export(&self) -> Option<BoardExport> {
        Some(BoardExport { definition: self.as_definition(), rows: self.export_rows() })
    }
}

/// The ateliers of a breakout room, from their stored definition.
pub fn breakout_of(record: &RoomRecord) -> Option<BreakoutSession> {
    let definition: BreakoutDefinition = stored(record, RoomKind::Breakout)?;
    Some(BreakoutSession::new(definition, seed_of(record)))
}

fn breakout_events(emits: Vec<crate::activity::breakout::BreakoutEmit>) -> Vec<Emit> {
    emits
        .into_iter()
        .map(|emit| Emit { audience: emit.audience, body: EventBody::Breakout { event: emit.event } })
        .collect()
}

impl RoomActivity for BreakoutSession {
    type Command = BreakoutCommand;
    const JOURNAL: Option<InputKind> = Some(InputKind::Breakout);
    const JOURNALS_PRESENCE: bool = true;

    fn command_of(command: RoomCommand) -> Result<BreakoutCommand, RoomCommand> {
        match command {
            RoomCommand::Breakout(command) => Ok(*command),
            other => Err(other),
        }
    }

    fn apply(&mut self, who: Actor<'_>, command: BreakoutCommand, now: Millis) -> Result<Outcome, Refused> {
        let events = breakout_events(BreakoutSession::apply(self, who, command, now)?);
        Ok(Outcome { events, effects: self.take_effects() })
    }

    fn join(&mut self, who: Actor<'_>, now: Millis) -> Result<(), Refusal> {
        BreakoutSession::join(self, who, now);
        Ok(())
    }

    fn detach(&mut self, member: &str, now: Millis) {
        BreakoutSession::detach(self, member, now);
    }

    fn disconnect_all(&mut self, now: Millis) {
        BreakoutSession::disconnect_all(self, now);
    }

    fn tick(&mut self, now: Millis) -> Outcome {
        let events = breakout_events(BreakoutSession::tick(self, now));
        Outcome { events, effects: self.take_effects() }
    }

    fn next_deadline(&self) -> Option<Millis> {
        BreakoutSession::next_deadline(self)
    }

    fn take_completions(&mut self, now: Millis) -> Vec<CompletionChange> {
        self.take_completion_changes(now)
    }

    /// Attendance stops at the last input: the time the room was down is
    /// nobody's.
    fn restarted(&mut self, last_at: Millis, _restarted_at: Millis) {
        BreakoutSession::disconnect_all(self, last_at);
        drop(self.take_effects());
    }

    fn snapshot(&self, who: Actor<'_>, into: &mut RoomSnapshot) {
        into.breakout = Some(BreakoutSession::snapshot(self, who));
    }

    fn retry_video(&mut self, who: Actor<'_>, atelier: &str) -> Result<Vec<BreakoutEffect>, Refusal> {
        BreakoutSession::retry_video(self, who, atelier)?;
        Ok(self.take_effects())
    }

    fn video_outcome(atelier: String, url: Option<String>, problem: Option<VideoProblem>) -> Option<BreakoutCommand> {
        Some(BreakoutCommand::SetVideo { atelier, url, problem })
    }

    fn participation(&self, now: Millis) -> Option<Participation> {
        Some(BreakoutSession::participation(self, now))
    }

    fn ateliers(&self, member: &str) -> Option<AtelierAccess> {
        Some(AtelierAccess {
            planned: self.plan().ateliers.iter().map(|atelier| atelier.id.clone()).collect(),
            assigned: self.atelier_of(member).map(String::from),
        })
    }
}
