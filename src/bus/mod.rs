//! The event bus: every room event goes through it, and every node
//! (including the room's own) delivers it to its local members. One node and
//! many nodes share this one path; only the transport between nodes differs.
//! Here too: the envelope an event travels in (encoded once per format) and
//! this node's fan-out table of local connections per room, and what
//! protocol 2 leaves out for each.

mod envelope;
mod fanout;
mod folding;
mod local;
mod redis;

use std::sync::Arc;

pub use envelope::Envelope;
pub use fanout::{Closer, ConnId, Fanout, Subscriber};
pub use folding::Folding;
pub use local::LocalBus;
pub use redis::RedisBus;

/// Carries room events to every node's [`Fanout`].
pub trait Bus: Send + Sync + 'static {
    /// Publishes an event. Never waits: a room actor calls it.
    fn publish(&self, envelope: Arc<Envelope>);

    /// `Ok` when the bus can carry events, else why not (for `/readyz`).
    fn readiness(&self) -> Result<(), String>;

    /// The bus's name, for logs.
    fn name(&self) -> &'static str;
}
