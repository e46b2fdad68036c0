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
