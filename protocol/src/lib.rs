//! amphi wire protocol, version 1: every message exchanged over `/ws`, their
//! JSON and MessagePack codecs, and the stable error and close codes.
//!
//! # Layout
//!
//! - [`client`]: what a client sends (`hello` and commands, each command with
//!   a client message id).
//! - [`server`]: what the server sends (`welcome`, `joined`, `event`, `ack`,
//!   `error`, `pong`) and the room snapshots and event bodies they carry.
//! - [`codes`]: [`ErrorCode`] (the `code` of an `error` frame) and
//!   [`CloseCode`] (WebSocket close codes, with reconnect advice).
//! - [`quiz`], [`board`], [`breakout`]: each activity's commands, events
//!   and snapshot.
//! - [`codec`]: [`Format`] negotiation by WebSocket subprotocol, encoding and
//!   decoding with error classification.
//!
//! Every message is a map with a `type` field. MessagePack uses named fields
//! (`rmp_serde::to_vec_named`), so both formats carry exactly the same maps.
//!
//! This crate depends on serde, serde_json and rmp-serde only: the load tool
//! and any Rust client can use it without pulling in the server.

pub mod board;
pub mod breakout;
pub mod client;
pub mod codec;
pub mod codes;
pub mod quiz;
pub mod server;

pub use client::{Auth, ClientMessage};
pub use codec::{DecodeError, EncodeError, Format, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK};
pub use codes::{CloseCode, ErrorCode};
pub use server::{EventBody, ServerMessage};

use serde::{Deserialize, Serialize};

/// The newest protocol version, carried by `hello` and `welcome`. Version 2
/// is version 1 with fewer frames: a connection is not sent the
/// `answer_accepted` of its own answer (its `ack` says it) nor the
/// `question_closed` of a question it answered (the next event says it).
pub const PROTOCOL_VERSION: u16 = 2;
/// The oldest version still spoken; `welcome` echoes the client's.
pub const OLDEST_PROTOCOL_VERSION: u16 = 1;

/// A room's id: a UUID in its hyphenated text form.
pub type RoomId = String;
/// A member's id: stable for a platform user, a UUID for a guest.
pub type MemberId = String;
/// A client message id: chosen by the client, unique for its member (a retry
/// reuses it; a new command never reuses an old one, even on a new
/// connection: random ids are simplest). At most 64 characters.
pub type ClientMsgId = String;

/// What a member may do. Every command checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Answers, posts, raises a hand. Guests are participants.
    Participant,
    /// Runs activities: opens questions, announces, moderates.
    Trainer,
    /// Runs ateliers; has the trainer's rights in the rooms of its tenant.
    Facilitator,
    /// A projector or a watcher: sees what the room shows, never acts.
    Observer,
    /// Everything, in every room of its tenant.
    Admin,
    /// A national curator: a trainer's rights in the rooms of its tenant,
    /// and, in the shared library (`/api/v1/library`), publishes for every
    /// académie and withdraws national items. Never given by an LTI launch.
    National,
}

impl Role {
    /// Trainers, facilitators, admins and national curators lead a room.
    pub fn leads(self) -> bool {
        matches!(self, Role::Trainer | Role::Facilitator | Role::Admin | Role::National)
    }

    /// Leaders and observers see the full member list.
    pub fn sees_roster(self) -> bool {
        self.leads() || self == Role::Observer
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Participant => "participant",
            Role::Trainer => "trainer",
            Role::Facilitator => "facilitator",
            Role::Observer => "observer",
            Role::Admin => "admin",
            Role::National => "national",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "participant" => Ok(Role::Participant),
            "trainer" => Ok(Role::Trainer),
            "facilitator" => Ok(Role::Facilitator),
            "observer" => Ok(Role::Observer),
            "admin" => Ok(Role::Admin),
            "national" => Ok(Role::National),
            other => Err(format!(
                "unknown role `{other}` (expected participant, trainer, facilitator, observer, admin or national)"
            )),
        }
    }
}

/// What kind of live activity a room runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// Presence, announcements and raised hands only.
    Lobby,
    /// A live quiz (the interactive test), on top of the lobby.
    Quiz,
    /// A collaborative board, on top of the lobby.
    Board,
    /// Breakout ateliers run by a facilitator, on top of the lobby.
    Breakout,
}

impl RoomKind {
    /// The kind's name: its serde name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Lobby => "lobby",
            RoomKind::Quiz => "quiz",
            RoomKind::Board => "board",
            RoomKind::Breakout => "breakout",
        }
    }
}

impl std::fmt::Display for RoomKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RoomKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lobby" => Ok(RoomKind::Lobby),
            "quiz" => Ok(RoomKind::Quiz),
            "board" => Ok(RoomKind::Board),
            "breakout" => Ok(RoomKind::Breakout),
            other => Err(format!("unknown room kind `{other}` (expected lobby, quiz, board or breakout)")),
        }
    }
}

#[cfg(test)]
mod tests;
