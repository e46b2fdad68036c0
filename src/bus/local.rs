//! The in-process bus (one node): publishing is delivering to this node's
//! fan-out table, synchronously, in the order the room published.

use std::sync::Arc;

use super::Bus;
use super::{Envelope, Fanout};

pub struct LocalBus {
    fanout: Arc<Fanout>,
}

impl LocalBus {
    pub fn new(fanout: Arc<Fanout>) -> LocalBus {
        LocalBus { fanout }
    }
}

impl Bus for LocalBus {
    fn publish(&self, envelope: Arc<Envelope>) {
        self.fanout.deliver(&envelope);
    }

    fn readiness(&self) -> Result<(), String> {
        Ok(())
    }

    fn name(&self) -> &'static str {
        "local"
    }
}
