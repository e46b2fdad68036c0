//! Messages the server sends: the handshake answer (`welcome`), room
//! attachment (`joined`, with a snapshot or followed by replayed events),
//! numbered room events, and the answers to commands (`ack`, `error`,
//! `pong`).

use serde::{Deserialize, Serialize};

use crate::board::{BoardEvent, BoardPage, BoardSnapshot};
use crate::breakout::{BreakoutEvent, BreakoutSnapshot};
use crate::quiz::{QuizEvent, QuizSnapshot};
use crate::{ClientMsgId, ErrorCode, MemberId, Role, RoomId, RoomKind};

/// A frame sent by the server.
///
/// `joined` (with its snapshot) is much larger than the other variants; a
/// message lives only until it is encoded (events are encoded once and fanned
/// out as bytes), so its size is not worth a box on every snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[expect(clippy::large_enum_variant, reason = "short-lived: encoded once, then sent as bytes")]
pub enum ServerMessage {
    /// The answer to a successful `hello`. `joined` frames for the rooms
    /// re-attached by `hello` follow it.
    Welcome {
        v: u16,
        member: MemberIdentity,
        /// Present it in a later `hello` (`auth.method = "resume"`) to come
        /// back as the same member after a reconnect.
        resume_token: String,
        /// The server's clock (milliseconds since the Unix epoch), so that
        /// every screen counts down to the same deadline.
        server_time_ms: u64,
        /// How often the client should `ping`. The server closes a connection
        /// silent for its idle timeout (three heartbeats by default).
        heartbeat_ms: u64,
        /// Opens the tenant's uploaded files to what cannot send a bearer
        /// token (`<img src>`, download links): add `?access=<blob_token>`
        /// to `/api/v1/blobs/{blob}`. It expires with `resume_token`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blob_token: Option<String>,
    },
    /// You are in this room. With `snapshot`, replace what you knew of the
    /// room; without it, the events after your last `seq` follow, in order.
    Joined {
        room: RoomInfo,
        /// The room's sequence number this view is current at.
        seq: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snapshot: Option<Box<RoomSnapshot>>,
    },
    /// Something happened in a room. `seq` grows by one per room event;
    /// events not meant for you are skipped, so your `seq` may jump.
    Event {
        room: RoomId,
        seq: u64,
        /// Server time of the event, in milliseconds since the Unix epoch.
        at: u64,
        event: EventBody,
    },
    /// The command with this id was applied (or had already been).
    Ack { id: ClientMsgId },
    /// The command with this id (or the frame, when `id` is absent) was
    /// refused. The connection stays usable.
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<ClientMsgId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomId>,
        code: ErrorCode,
        message: String,
    },
    /// The answer to `ping`.
    Pong { id: ClientMsgId, server_time_ms: u64 },
    /// The answer to a board's `load_more` (instead of an `ack`): the next
    /// page of posts.
    BoardPage {
        id: ClientMsgId,
        room: RoomId,
        #[serde(flatten)]
        page: Box<BoardPage>,
    },
}

impl ServerMessage {
    /// The `type` field of this message (a metrics label).
    pub fn type_name(&self) -> &'static str {
        match self {
            ServerMessage::Welcome { .. } => "welcome",
            ServerMessage::Joined { .. } => "joined",
            ServerMessage::Event { .. } => "event",
            ServerMessage::Ack { .. } => "ack",
            ServerMessage::Error { .. } => "error",
            ServerMessage::Pong { .. } => "pong",
            ServerMessage::BoardPage { .. } => "board_page",
        }
    }
}

/// Who you are on this connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberIdentity {
    pub id: MemberId,
    pub name: String,
    pub role: Role,
    /// The académie (tenant) this member belongs to.
    pub tenant: String,
    /// True for a guest who joined with a code and a nickname.
    pub guest: bool,
}

/// What a room is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomInfo {
    pub id: RoomId,
    pub kind: RoomKind,
    pub title: String,
    /// The code participants type to join (absent for rooms joined only by
    /// invitation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_code: Option<String>,
}

/// The whole state of a room as one member may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomSnapshot {
    /// The member list (leaders and observers only; empty for participants,
    /// who see the counts).
    pub members: Vec<MemberView>,
    pub counts: PresenceCounts,
    /// Raised hands, oldest first.
    pub hands: Vec<RaisedHand>,
    /// The most recent announcements, oldest first.
    pub announcements: Vec<Announcement>,
    /// The quiz as this member sees it, in a quiz room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiz: Option<QuizSnapshot>,
    /// The board as this member sees it, in a board room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<BoardSnapshot>,
    /// The breakout session as this member sees it, in a breakout room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakout: Option<BreakoutSnapshot>,
    /// The room is locked to new guests (`lock`). Absent when it is not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

/// One member as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: MemberId,
    pub name: String,
    pub role: Role,
    /// At least one of the member's connections is attached to the room.
    pub connected: bool,
}

/// How many are in a room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceCounts {
    /// Members who joined and have not left (connected or not).
    pub members: u32,
    /// Members with at least one connection attached.
    pub connected: u32,
    /// Participants among `members`.
    pub participants: u32,
    /// Participants among `connected`.
    pub participants_connected: u32,
}

/// A raised hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedHand {
    pub member: MemberId,
    pub name: String,
    /// When it was raised (ms since the Unix epoch).
    pub at: u64,
}

/// A message from a trainer to the whole room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub from: MemberId,
    pub from_name: String,
    pub text: String,
    /// When it was sent (ms since the Unix epoch).
    pub at: u64,
}

/// What happened, inside an `event` frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(
    clippy::large_enum_variant,
    reason = "one per event, shared behind an Arc<Envelope> by every recipient and the replay buffer: the size is paid once per event, and a box would cost an allocation per event and nested patterns everywhere"
)]
pub enum EventBody {
    /// Presence changed. Coalesced: at most one flush per room per period
    /// (200 ms by default). Each flush is two events with their own `seq`:
    /// leaders and observers get the members that changed and those that
    /// left; participants get the counts only.
    Presence {
        counts: PresenceCounts,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        changed: Vec<MemberView>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        left: Vec<MemberId>,
    },
    /// A trainer spoke to the room.
    Announcement { announcement: Announcement },
    /// A member raised their hand.
    HandRaised { hand: RaisedHand },
    /// A hand was lowered, by its owner or by a trainer (`by`).
    HandLowered { member: MemberId, by: MemberId },
    /// Something happened in the room's quiz.
    Quiz { event: QuizEvent },
    /// Something happened on the room's board.
    Board { event: BoardEvent },
    /// Something happened in the room's breakout session.
    Breakout { event: BreakoutEvent },
    /// A leader locked the room to new guests, or unlocked it (everyone).
    RoomLocked { locked: bool, by: MemberId },
    /// A leader removed this member from the room (sent to that member only,
    /// whose connections are then closed with 4011).
    MemberRemoved { member: MemberId, by: MemberId },
}

impl EventBody {
    /// The `kind` field of this body (a metrics label).
    pub fn kind_name(&self) -> &'static str {
        match self {
            EventBody::Presence { .. } => "presence",
            EventBody::Announcement { .. } => "announcement",
            EventBody::HandRaised { .. } => "hand_raised",
            EventBody::HandLowered { .. } => "hand_lowered",
            EventBody::Quiz { .. } => "quiz",
            EventBody::Board { .. } => "board",
            EventBody::Breakout { .. } => "breakout",
            EventBody::RoomLocked { .. } => "room_locked",
            EventBody::MemberRemoved { .. } => "member_removed",
        }
    }
}
