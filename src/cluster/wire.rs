//! What nodes say to each other over Redis, in MessagePack with named
//! fields: room events on `amphi:room:{id}`, and calls to a room's owner
//! (with their replies) on `amphi:node:{node}`.

use amphi_protocol::ServerMessage;
use amphi_protocol::board::BoardPage;
use amphi_protocol::server::RoomSnapshot;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::activity::Audience;
use crate::hub::{Call, Reply};

/// The channel of a room's events (its owner publishes there; the nodes with
/// local connections in the room subscribe to it).
pub fn room_channel(room: Uuid) -> String {
    format!("amphi:room:{room}")
}

/// The room of an event channel's name.
pub fn room_of_channel(channel: &str) -> Option<Uuid> {
    channel.strip_prefix("amphi:room:").and_then(|id| Uuid::parse_str(id).ok())
}

/// The channel a node receives its calls and replies on.
pub fn node_channel(node: &str) -> String {
    format!("amphi:node:{node}")
}

/// A room event as published by its owner.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireEvent {
    /// The publishing node (it delivered the event locally already).
    pub node: String,
    pub seq: u64,
    pub audience: Audience,
    /// Always a [`ServerMessage::Event`].
    pub message: ServerMessage,
}

/// A message on a node's channel.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeMessage {
    /// A request for a room this node owns; answer on `from`'s channel.
    Call { from: String, call: u64, room: Uuid, request: WireCall },
    /// The answer to a call.
    Reply { call: u64, reply: WireReply },
    /// A durable command's write is committed (`ok`) or never will be.
    Committed { call: u64, ok: bool },
}

/// What a node asks of a room's owner: a room's own [`Call`], or the erasure
/// of a user (which also reaches the store).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum WireCall {
    /// Erase `user` of `tenant` from the room (and the store).
    Erase { tenant: String, user: String },
    /// The room went to the trash: stop it and close its connections.
    Close,
    #[serde(untagged)]
    Room(Call),
}

/// The owner's answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum WireReply {
    /// This node does not run the room (any more): find its owner again.
    NotOwner,
    Erased {
        deletion: crate::store::Deletion,
    },
    Closed,
    #[serde(untagged)]
    Room(Reply<WireAttached, WireAccepted>),
}

/// [`crate::hub::Attached`] on the wire.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireAttached {
    pub seq: u64,
    pub snapshot: Option<Box<RoomSnapshot>>,
    pub replay: Vec<WireEvent>,
}

/// [`crate::hub::Accepted`] on the wire: a receipt becomes `Committing`,
/// followed later by [`NodeMessage::Committed`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "accepted", rename_all = "snake_case")]
pub enum WireAccepted {
    Applied,
    Committing,
    Page { page: Box<BoardPage> },
}

/// Encodes a message for Redis.
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, rmp_serde::encode::Error> {
    rmp_serde::to_vec_named(message)
}

/// Decodes a message from Redis.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, rmp_serde::decode::Error> {
    rmp_serde::from_slice(bytes)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use amphi_protocol::quiz::{AnswerValue, QuizCommand};
    use amphi_protocol::server::{Announcement, EventBody};
    use amphi_protocol::{ErrorCode, Role};

    use super::*;
    use crate::activity::Refusal;
    use crate::hub::{RoomCommand, Who};

    fn who() -> Who {
        Who { id: Arc::from("m-1"), name: Arc::from("Camille"), role: Role::Participant, guest: true }
    }

    #[test]
    fn room_events_round_trip_with_their_audience() {
        let room = Uuid::new_v4();
        let announcement = Announcement { from: "t".into(), from_name: "Mme D".into(), text: "Pause".into(), at: 7 };
        let event = WireEvent {
            node: "node-a".into(),
            seq: 42,
            audience: Audience::NonLeadersBut("m-2".into()),
            message: ServerMessage::Event {
                room: room.to_string(),
                seq: 42,
                at: 7,
                event: EventBody::Announcement { announcement },
            },
        };
        let decoded: WireEvent = decode(&encode(&event).unwrap()).unwrap();
        assert_eq!((decoded.seq, decoded.audience, decoded.message), (event.seq, event.audience, event.message));
        assert_eq!(room_of_channel(&room_channel(room)), Some(room));
        assert_eq!(room_of_channel(&node_channel("node-a")), None);
    }

    #[test]
    fn calls_and_replies_round_trip() {
        let room = Uuid::new_v4();
        let command = RoomCommand::Quiz(QuizCommand::Answer {
            question: 0,
            answer: AnswerValue::Choice { choice: "c1".into() },
            confidence: Some(2),
        });
        let call = NodeMessage::Call {
            from: "node-b".into(),
            call: 9,
            room,
            request: WireCall::Room(Call::Command { who: who(), id: "a-1".into(), command: command.clone() }),
        };
        let NodeMessage::Call { request: WireCall::Room(Call::Command { who: got, command: got_command, .. }), .. } =
            decode(&encode(&call).unwrap()).unwrap()
        else {
            panic!("a call decodes as a call");
        };
        assert_eq!((&*got.id, got.role, got.guest, got_command), ("m-1", Role::Participant, true, command));

        let refused = WireReply::Room(Reply::Command { outcome: Err(Refusal::new(ErrorCode::AnswerLate, "too late")) });
        let reply = NodeMessage::Reply { call: 9, reply: refused };
        let NodeMessage::Reply { call: 9, reply: WireReply::Room(Reply::Command { outcome: Err(refusal) }) } =
            decode(&encode(&reply).unwrap()).unwrap()
        else {
            panic!("a refusal decodes as a refusal");
        };
        assert_eq!(refusal.code, ErrorCode::AnswerLate);
        let committing = NodeMessage::Reply {
            call: 3,
            reply: WireReply::Room(Reply::Command { outcome: Ok(WireAccepted::Committing) }),
        };
        assert!(matches!(
            decode(&encode(&committing).unwrap()).unwrap(),
            NodeMessage::Reply {
                call: 3,
                reply: WireReply::Room(Reply::Command { outcome: Ok(WireAccepted::Committing) })
            }
        ));
        // The node-only calls and replies sit beside the room's, under the same tags.
        let erase = NodeMessage::Call {
            from: "node-b".into(),
            call: 4,
            room,
            request: WireCall::Erase { tenant: "ac-lyon".into(), user: "u-1".into() },
        };
        assert!(matches!(
            decode(&encode(&erase).unwrap()).unwrap(),
            NodeMessage::Call { request: WireCall::Erase { tenant, user }, .. } if tenant == "ac-lyon" && user == "u-1"
        ));
        let detach = NodeMessage::Call {
            from: "node-b".into(),
            call: 5,
            room,
            request: WireCall::Room(Call::Detach { member: "m-1".into() }),
        };
        assert!(matches!(
            decode(&encode(&detach).unwrap()).unwrap(),
            NodeMessage::Call { request: WireCall::Room(Call::Detach { member }), .. } if &*member == "m-1"
        ));
        let not_owner = NodeMessage::Reply { call: 6, reply: WireReply::NotOwner };
        assert!(matches!(
            decode(&encode(&not_owner).unwrap()).unwrap(),
            NodeMessage::Reply { call: 6, reply: WireReply::NotOwner }
        ));
        let done = NodeMessage::Reply { call: 7, reply: WireReply::Room(Reply::Done) };
        assert!(matches!(
            decode(&encode(&done).unwrap()).unwrap(),
            NodeMessage::Reply { call: 7, reply: WireReply::Room(Reply::Done) }
        ));
    }
}
