//! Activities: pure, synchronous state machines, `(state, input, now) ->
//! events`. Architecture invariant: nothing in this module does I/O, reads a
//! clock or spawns a task; the room actor feeds them and publishes what they
//! emit.

pub mod board;
pub mod breakout;
pub mod lobby;
pub mod quiz;
pub mod shuffle;

use std::sync::Arc;

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
    /// These members (all of their connections), whatever their role, and
    /// every leader when `leaders` is set: "everyone in atelier X".
    Members {
        members: Arc<[String]>,
        leaders: bool,
    },
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
            Audience::Members { members, leaders } => (*leaders && role.leads()) || members.iter().any(|m| m == member),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_include_the_listed_members_and_leaders_when_asked() {
        let listed: Arc<[String]> = Arc::from(vec!["p1".to_string(), "p2".to_string()]);
        let with = Audience::Members { members: Arc::clone(&listed), leaders: true };
        let without = Audience::Members { members: listed, leaders: false };
        assert!(with.includes("p1", Role::Participant) && without.includes("p2", Role::Participant));
        assert!(!with.includes("p3", Role::Participant) && !without.includes("p3", Role::Participant));
        assert!(!with.includes("o1", Role::Observer) && !without.includes("o1", Role::Observer));
        for role in [Role::Trainer, Role::Facilitator, Role::Admin] {
            assert!(with.includes("t1", role));
            assert!(!without.includes("t1", role));
        }
        let nobody = Audience::Members { members: Arc::from(Vec::new()), leaders: false };
        assert!(!nobody.includes("p1", Role::Participant));
        // It crosses nodes like any audience (MessagePack, named fields).
        let bytes = rmp_serde::to_vec_named(&with).unwrap();
        assert_eq!(rmp_serde::from_slice::<Audience>(&bytes).unwrap(), with);
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

/// A change of a participant's completion (Moodle states), for the
/// course store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionChange {
    pub member: String,
    /// 0 incomplete, 1 complete.
    pub state: u8,
    /// Board: posts and comments counted towards the requirement;
    /// ateliers: the percentage of their ateliers' open time attended.
    pub score: u32,
    pub max_score: u32,
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
