//! The Redis bus (several nodes): an event is delivered to this node's
//! members at once, as with the local bus, and published on the room's Redis
//! channel for the other nodes (see [`crate::cluster`]).

use std::sync::Arc;

use super::Bus;
use super::{Envelope, Fanout};
use crate::cluster::Cluster;

pub struct RedisBus {
    fanout: Arc<Fanout>,
    cluster: Arc<Cluster>,
}

impl RedisBus {
    pub fn new(fanout: Arc<Fanout>, cluster: Arc<Cluster>) -> RedisBus {
        RedisBus { fanout, cluster }
    }
}

impl Bus for RedisBus {
    fn publish(&self, envelope: Arc<Envelope>) {
        self.fanout.deliver(&envelope);
        self.cluster.publish_event(&envelope);
    }

    fn readiness(&self) -> Result<(), String> {
        self.cluster.readiness()
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}
