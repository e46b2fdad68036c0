//! Messages a client sends: `hello` once, then commands. Every command
//! carries a client message id (`id`) that the server answers with an `ack`
//! or an `error` bearing the same id; a retry with the same id is answered
//! with the original result and never applied twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::board::BoardCommand;
use crate::breakout::BreakoutCommand;
use crate::quiz::QuizCommand;
use crate::{ClientMsgId, MemberId, RoomId};

/// A frame sent by a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Opens the session: who I am, and which rooms to re-attach.
    Hello {
        /// Protocol version spoken by the client (1).
        v: u16,
        auth: Auth,
        /// Rooms to re-attach after a reconnect, with the last `seq` seen in
        /// each (0 if none). Missed events are replayed, or a fresh snapshot
        /// is sent when the gap is too old.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        last_seq: BTreeMap<RoomId, u64>,
    },
    /// Joins a room by id or by join code (token holders; guests are joined
    /// to their room by `hello`).
    Join {
        id: ClientMsgId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// Leaves a room for good (a dropped connection does not leave).
    Leave { id: ClientMsgId, room: RoomId },
    /// Trainer: a message shown to everyone in the room.
    Announce { id: ClientMsgId, room: RoomId, text: String },
    /// Participant: raise my hand.
    RaiseHand { id: ClientMsgId, room: RoomId },
    /// Lower my hand, or (trainer) someone else's.
    LowerHand {
        id: ClientMsgId,
        room: RoomId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberId>,
    },
    /// Liveness and clock check; answered by `pong`.
    Ping { id: ClientMsgId },
    /// Leader: close the room to new guests (those joining with its code);
    /// members already in it stay.
    Lock { id: ClientMsgId, room: RoomId },
    /// Leader: open a locked room to new guests again.
    Unlock { id: ClientMsgId, room: RoomId },
    /// Leader: remove a participant (a guest or not) from the room for good:
    /// their connections are closed (4011) and they cannot come back.
    RemoveMember { id: ClientMsgId, room: RoomId, member: MemberId },
    /// A command of the room's quiz (see [`crate::quiz::QuizCommand`]).
    Quiz { id: ClientMsgId, room: RoomId, command: QuizCommand },
    /// A command of the room's board (see [`crate::board::BoardCommand`]).
    Board { id: ClientMsgId, room: RoomId, command: Box<BoardCommand> },
    /// A command of the room's breakout session (see
    /// [`crate::breakout::BreakoutCommand`]).
    Breakout { id: ClientMsgId, room: RoomId, command: Box<BreakoutCommand> },
}

/// How a `hello` authenticates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Auth {
    /// A signed JWT from the platform (or minted by `amphi token`).
    Token { token: String },
    /// A guest: the room's join code and a display name. The guest gets a
    /// capability for that room only.
    JoinCode { code: String, name: String },
    /// The resume token from an earlier `welcome`.
    Resume { token: String },
}

impl ClientMessage {
    /// Every `type` value a client may send.
    pub const TYPES: [&'static str; 13] = [
        "hello",
        "join",
        "leave",
        "announce",
        "raise_hand",
        "lower_hand",
        "ping",
        "quiz",
        "board",
        "breakout",
        "lock",
        "unlock",
        "remove_member",
    ];

    /// The `type` field of this message.
    pub fn type_name(&self) -> &'static str {
        match self {
            ClientMessage::Hello { .. } => "hello",
            ClientMessage::Join { .. } => "join",
            ClientMessage::Leave { .. } => "leave",
            ClientMessage::Announce { .. } => "announce",
            ClientMessage::RaiseHand { .. } => "raise_hand",
            ClientMessage::LowerHand { .. } => "lower_hand",
            ClientMessage::Ping { .. } => "ping",
            ClientMessage::Quiz { .. } => "quiz",
            ClientMessage::Board { .. } => "board",
            ClientMessage::Breakout { .. } => "breakout",
            ClientMessage::Lock { .. } => "lock",
            ClientMessage::Unlock { .. } => "unlock",
            ClientMessage::RemoveMember { .. } => "remove_member",
        }
    }

    /// The client message id, for every message but `hello`.
    pub fn id(&self) -> Option<&ClientMsgId> {
        match self {
            ClientMessage::Hello { .. } => None,
            ClientMessage::Join { id, .. }
            | ClientMessage::Leave { id, .. }
            | ClientMessage::Announce { id, .. }
            | ClientMessage::RaiseHand { id, .. }
            | ClientMessage::LowerHand { id, .. }
            | ClientMessage::Ping { id }
            | ClientMessage::Quiz { id, .. }
            | ClientMessage::Board { id, .. }
            | ClientMessage::Breakout { id, .. }
            | ClientMessage::Lock { id, .. }
            | ClientMessage::Unlock { id, .. }
            | ClientMessage::RemoveMember { id, .. } => Some(id),
        }
    }
}
