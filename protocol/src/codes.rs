//! Stable error codes (the `code` of an `error` frame) and WebSocket close
//! codes with their reconnect advice. Codes never change meaning once
//! published; new ones are only added.

use serde::{Deserialize, Serialize};

/// The `code` of an `error` frame. After an error the connection stays
/// usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON / MessagePack, or not a map.
    MalformedFrame,
    /// The `type` field names no known message.
    UnknownType,
    /// A field is missing or has the wrong type.
    InvalidField,
    /// A value is outside its allowed range (too long, too many, too big).
    OutOfRange,
    /// The frame is larger than `limits.max_frame_bytes`.
    FrameTooLarge,
    /// `hello` asked for a protocol version this server does not speak.
    UnsupportedProtocol,
    /// A command arrived before a successful `hello`.
    NotAuthenticated,
    /// A second `hello` on an authenticated connection.
    AlreadyAuthenticated,
    /// The token is missing, malformed, forged or of the wrong kind.
    Unauthorized,
    /// The token has expired: get a new one.
    TokenExpired,
    /// Your role may not do this.
    Forbidden,
    /// No room has this id or join code (or it belongs to another tenant).
    RoomNotFound,
    /// No such resource or route (HTTP API).
    NotFound,
    /// You have not joined this room on this connection.
    NotInRoom,
    /// The room cannot take more members.
    RoomFull,
    /// The command does not apply in the room's current state.
    InvalidState,
    /// An answer arrived after its question closed (deadline plus the grace
    /// for network delay): it was not recorded.
    AnswerLate,
    /// Too many commands per second on this connection.
    RateLimited,
    /// The server is overloaded or a dependency is down; retry later with
    /// the same client message id.
    Unavailable,
    /// A bug on the server side; retry later.
    Internal,
    /// An edit was based on a version that is no longer the current one;
    /// the current one was sent to the editor.
    Conflict,
    /// An upload is larger than the configured limit.
    FileTooLarge,
    /// An upload's content is not of an accepted type (whatever its name
    /// or declared type says).
    FileTypeRefused,
    /// The room is locked to new guests by its trainer.
    RoomLocked,
    /// An upload would pass a storage quota (of the member, the room or the
    /// tenant); the message names the limit.
    QuotaExceeded,
    /// The room's session has ended: its join code no longer works.
    SessionEnded,
    /// The server will not fetch this link (a link preview): it leads to a
    /// loopback, private, link-local or otherwise non-public address, or
    /// previews are off.
    LinkRefused,
    /// The board does not take this kind of contribution: a leader
    /// switched it off (files, audio, links, documents, comments), or it
    /// takes another kind of reaction (likes, stars, none).
    SwitchedOff,
}

impl ErrorCode {
    /// Every code, for documentation and metrics.
    pub const ALL: [ErrorCode; 28] = [
        ErrorCode::MalformedFrame,
        ErrorCode::UnknownType,
        ErrorCode::InvalidField,
        ErrorCode::OutOfRange,
        ErrorCode::FrameTooLarge,
        ErrorCode::UnsupportedProtocol,
        ErrorCode::NotAuthenticated,
        ErrorCode::AlreadyAuthenticated,
        ErrorCode::Unauthorized,
        ErrorCode::TokenExpired,
        ErrorCode::Forbidden,
        ErrorCode::RoomNotFound,
        ErrorCode::NotFound,
        ErrorCode::NotInRoom,
        ErrorCode::RoomFull,
        ErrorCode::InvalidState,
        ErrorCode::AnswerLate,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::Conflict,
        ErrorCode::FileTooLarge,
        ErrorCode::FileTypeRefused,
        ErrorCode::RoomLocked,
        ErrorCode::QuotaExceeded,
        ErrorCode::SessionEnded,
        ErrorCode::LinkRefused,
        ErrorCode::SwitchedOff,
    ];

    /// The wire name, e.g. `"malformed_frame"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedFrame => "malformed_frame",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::UnsupportedProtocol => "unsupported_protocol",
            ErrorCode::NotAuthenticated => "not_authenticated",
            ErrorCode::AlreadyAuthenticated => "already_authenticated",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::RoomNotFound => "room_not_found",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NotInRoom => "not_in_room",
            ErrorCode::RoomFull => "room_full",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::AnswerLate => "answer_late",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Conflict => "conflict",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::FileTypeRefused => "file_type_refused",
            ErrorCode::RoomLocked => "room_locked",
            ErrorCode::QuotaExceeded => "quota_exceeded",
            ErrorCode::SessionEnded => "session_ended",
            ErrorCode::LinkRefused => "link_refused",
            ErrorCode::SwitchedOff => "switched_off",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the server closed a WebSocket. The numeric value is the close code;
/// [`CloseCode::reconnect`] tells a client whether to reconnect and resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseCode {
    /// 1000: the client asked to close.
    Normal,
    /// 1001: the server is shutting down or restarting. Reconnect (another
    /// node, or this one once it is back) and resume.
    GoingAway,
    /// 1009: a frame was far over the transport limit. Reconnect and resume;
    /// do not send that frame again.
    MessageTooBig,
    /// 1011: an unexpected server error. Reconnect with backoff and resume.
    InternalError,
    /// 4002: no valid `hello` within the handshake timeout. Reconnect.
    HandshakeTimeout,
    /// 4008: the connection could not keep up with its room (its outbound
    /// queue was full). Reconnect and resume: missed events are replayed.
    SlowConsumer,
    /// 4010: nothing was received within the idle timeout (a dead phone).
    /// Reconnect and resume.
    IdleTimeout,
    /// 4011: a trainer removed this member. Do not reconnect.
    Removed,
    /// 4012: this node lost its view of a room the connection is in: the
    /// room moved to another node (its owner died or lost its lease), or
    /// events from another node were lost. Reconnect and resume: missed
    /// events are replayed, or a snapshot is sent.
    Resync,
    /// 4029: the connection sent far more commands than allowed. Reconnect
    /// after a backoff of a few seconds.
    RateLimited,
}

impl CloseCode {
    /// Every close code, for documentation.
    pub const ALL: [CloseCode; 10] = [
        CloseCode::Normal,
        CloseCode::GoingAway,
        CloseCode::MessageTooBig,
        CloseCode::InternalError,
        CloseCode::HandshakeTimeout,
        CloseCode::SlowConsumer,
        CloseCode::IdleTimeout,
        CloseCode::Removed,
        CloseCode::Resync,
        CloseCode::RateLimited,
    ];

    /// The numeric WebSocket close code.
    pub fn code(self) -> u16 {
        match self {
            CloseCode::Normal => 1000,
            CloseCode::GoingAway => 1001,
            CloseCode::MessageTooBig => 1009,
            CloseCode::InternalError => 1011,
            CloseCode::HandshakeTimeout => 4002,
            CloseCode::SlowConsumer => 4008,
            CloseCode::IdleTimeout => 4010,
            CloseCode::Removed => 4011,
            CloseCode::Resync => 4012,
            CloseCode::RateLimited => 4029,
        }
    }

    /// The close frame's reason text.
    pub fn reason(self) -> &'static str {
        match self {
            CloseCode::Normal => "normal",
            CloseCode::GoingAway => "server going away, reconnect",
            CloseCode::MessageTooBig => "message too big",
            CloseCode::InternalError => "internal error",
            CloseCode::HandshakeTimeout => "no hello in time",
            CloseCode::SlowConsumer => "too slow, reconnect and resume",
            CloseCode::IdleTimeout => "idle timeout",
            CloseCode::Removed => "removed by a trainer",
            CloseCode::Resync => "room moved or events lost, reconnect and resume",
            CloseCode::RateLimited => "too many messages",
        }
    }

    /// Whether a client should reconnect (and resume) after this close.
    pub fn reconnect(self) -> bool {
        !matches!(self, CloseCode::Normal | CloseCode::Removed)
    }

    /// The close code with this numeric value, if it is one of ours.
    pub fn from_code(code: u16) -> Option<CloseCode> {
        CloseCode::ALL.into_iter().find(|c| c.code() == code)
    }
}
