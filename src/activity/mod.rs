//! Activities: pure, synchronous state machines, `(state, input, now) ->
//! events`. Architecture invariant: nothing in this module does I/O, reads a
//! clock or spawns a task; the room actor feeds them and publishes what they
//! emit.

pub mod board;
pub mod lobby;
pub mod quiz;

use amphi_protocol::server::EventBody;
use amphi_protocol::{ErrorCode, Role};

/// Milliseconds since the Unix epoch: the time input of every activity.
pub type Millis = u64;

/// Who sent a command, as an activity sees them.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub role: Role,
}

/// Who receives an event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    Everyone,
    /// Leaders and observers: those who see the member list.
    RosterViewers,
    /// Everyone else: participants.
    Participants,
    /// Trainers, facilitators and admins.
    Leaders,
    /// Everyone else: participants and observers.
    NonLeaders,
    /// Participants and observers but this member.
    NonLeadersBut(String),
    /// One member (all of their connections).
    Member(String),
}

impl Audience {
    /// Whether a member with this id and role receives the event.
    pub fn includes(&self, member: &str, role: Role) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::RosterViewers => role.sees_roster(),
            Audience::Participants => !role.sees_roster(),
            Audience::Leaders => role.leads(),
            Audience::NonLeaders => !role.leads(),
            Audience::NonLeadersBut(id) => !role.leads() && id != member,
            Audience::Member(id) => id == member,
        }
    }
}

/// An event an activity wants published.
#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    pub audience: Audience,
    pub body: EventBody,
}

impl Emit {
    pub fn everyone(body: EventBody) -> Emit {
        Emit { audience: Audience::Everyone, body }
    }
}

/// A command an activity refused: the code and message sent back in `error`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal { code, message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Refusal {
        Refusal::new(ErrorCode::Forbidden, message)
    }
}
