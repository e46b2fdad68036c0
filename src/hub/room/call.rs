//! What is asked of a room and what it answers: one vocabulary for the
//! local mailbox and the calls between nodes. A call is sent as it is; a
//! reply carries an attachment and an acceptance as values here, and in
//! their wire form between nodes (`Reply<WireAttached, WireAccepted>` in
//! `cluster/wire.rs`): adding a request means a variant here, its handling
//! in the actor, and its typed helper on [`super::RoomHandle`].

use std::sync::Arc;

use amphi_protocol::ClientMsgId;
use serde::{Deserialize, Serialize};

use super::{Accepted, AtelierAccess, Attached, BoardExport, QuizResults, RoomCommand, Who};
use crate::activity::Refusal;
use crate::activity::breakout::participation::Participation;

/// A request for a room, from a connection of this node or another one.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Call {
    /// Attaches a connection of `who`; `since` is the last seq it saw.
    Attach { who: Who, since: Option<u64> },
    /// A connection of `member` went away.
    Detach { member: Arc<str> },
    /// `member` leaves the room for good.
    Leave { member: Arc<str> },
    /// Applies a command (or answers its retry with the original result).
    Command { who: Who, id: ClientMsgId, command: RoomCommand },
    /// The quiz's results so far.
    Results,
    /// The board's content.
    BoardExport,
    /// The ateliers' participation so far.
    Participation,
    /// The plan's ateliers and `member`'s own.
    Ateliers { member: Arc<str> },
}

/// A room's answer to a [`Call`]; `T` is how an attachment travels, `C` how
/// an accepted command does.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply<T = Attached, C = Accepted> {
    Attached {
        outcome: Result<T, Refusal>,
    },
    /// Detached, or left.
    Done,
    Command {
        outcome: Result<C, Refusal>,
    },
    /// `None`: the room runs no quiz (and so on below).
    Results {
        results: Option<Box<QuizResults>>,
    },
    BoardExport {
        export: Option<Box<BoardExport>>,
    },
    Participation {
        participation: Option<Box<Participation>>,
    },
    Ateliers {
        access: Option<AtelierAccess>,
    },
}

impl<T, C> Reply<T, C> {
    /// The same reply with its attachment and acceptance in another form.
    pub fn map<T2, C2>(self, attached: impl FnOnce(T) -> T2, accepted: impl FnOnce(C) -> C2) -> Reply<T2, C2> {
        match self {
            Reply::Attached { outcome } => Reply::Attached { outcome: outcome.map(attached) },
            Reply::Done => Reply::Done,
            Reply::Command { outcome } => Reply::Command { outcome: outcome.map(accepted) },
            Reply::Results { results } => Reply::Results { results },
            Reply::BoardExport { export } => Reply::BoardExport { export },
            Reply::Participation { participation } => Reply::Participation { participation },
            Reply::Ateliers { access } => Reply::Ateliers { access },
        }
    }
}
