//! One numbered room event on its way to members: the message, who may see
//! it, and its encodings, made at most once per wire format and shared by
//! every recipient.

use std::sync::OnceLock;
use std::time::Instant;

use amphi_protocol::{Format, ServerMessage};
use bytes::Bytes;
use uuid::Uuid;

use crate::activity::Audience;

/// A sequenced room event.
#[derive(Debug)]
pub struct Envelope {
    pub room: Uuid,
    pub seq: u64,
    pub audience: Audience,
    /// Always a [`ServerMessage::Event`].
    pub message: ServerMessage,
    /// When the room created it (fan-out latency is measured from here).
    pub created: Instant,
    json: OnceLock<Bytes>,
    msgpack: OnceLock<Bytes>,
}

impl Envelope {
    pub fn new(room: Uuid, seq: u64, audience: Audience, message: ServerMessage) -> Envelope {
        Envelope {
            room,
            seq,
            audience,
            message,
            created: Instant::now(),
            json: OnceLock::new(),
            msgpack: OnceLock::new(),
        }
    }

    /// The frame in `format`, encoded by the first recipient that needs it.
    pub fn encoded(&self, format: Format) -> Bytes {
        let cell = match format {
            Format::Json => &self.json,
            Format::MsgPack => &self.msgpack,
        };
        cell.get_or_init(|| match format.encode(&self.message) {
            Ok(bytes) => Bytes::from(bytes),
            Err(error) => {
                // Unreachable for our types (string keys only); an empty frame
                // is skipped by the connection rather than crashing the room.
                tracing::error!(%error, "cannot encode an event");
                Bytes::new()
            }
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use amphi_protocol::server::{Announcement, EventBody};

    use super::*;

    #[test]
    fn an_event_is_encoded_once_per_format_and_shared() {
        let room = Uuid::new_v4();
        let announcement = Announcement { from: "t".into(), from_name: "Mme D".into(), text: "Pause".into(), at: 7 };
        let message = ServerMessage::Event {
            room: room.to_string(),
            seq: 1,
            at: 7,
            event: EventBody::Announcement { announcement },
        };
        let envelope = Envelope::new(room, 1, Audience::Everyone, message.clone());
        let (first, again) = (envelope.encoded(Format::Json), envelope.encoded(Format::Json));
        assert_eq!(first.as_ptr(), again.as_ptr(), "the second recipient gets the first one's bytes");
        let packed = envelope.encoded(Format::MsgPack);
        assert_eq!(packed.as_ptr(), envelope.encoded(Format::MsgPack).as_ptr());
        assert_ne!(first, packed, "one encoding per format");
        assert_eq!(first.as_ref(), Format::Json.encode(&message).unwrap().as_slice());
    }
}
