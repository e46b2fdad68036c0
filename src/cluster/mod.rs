//! Many nodes over Redis. Each room's actor runs on one node, its owner,
//! which holds the room's lease in Redis ([`lease`]); every event is
//! delivered to the owner's own connections and published on the room's
//! channel, where the other nodes pick it up for theirs ([`link`]), checking
//! that no `seq` is missing. A node subscribes to the channel of a room run
//! elsewhere only while it has local connections in it (subscribed before
//! the first one's view is taken from the owner), so each node's Redis
//! traffic follows its own members, not the whole cluster's rooms. Other nodes reach the actor through a
//! [`RemoteRoom`]: calls over the owner's node channel, answered on theirs.
//! A node that loses track of a room (a gap, a lost subscription, an owner
//! gone) closes its connections in that room with 4012: they resume at once,
//! through whichever node owns the room now.

mod lease;
mod link;
mod members;
mod remote;
#[cfg(test)]
mod tests;
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

pub use lease::Owner;
pub use link::run;
pub use remote::{RemoteRoom, close_here};

use crate::bus::{Envelope, Fanout};
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::store::{Deletion, StoreError};
use wire::{NodeMessage, WireEvent, WireReply};

/// Messages waiting for the publisher; beyond this, events are dropped (the
/// other nodes see the gap and resync).
const OUTGOING_QUEUE: usize = 100_000;

/// This node as the cluster's tasks see it (not the whole app): its rooms,
/// its local connections, the shutdown signal, and the erasure of a user
/// another node asks for.
#[derive(Clone)]
pub struct LocalNode {
    pub hub: Arc<Hub>,
    pub fanout: Arc<Fanout>,
    pub stop: tokio_util::sync::CancellationToken,
    pub erase: Arc<dyn Erase>,
}

/// Erases `user` of `tenant` from `rooms` run on this node and from the
/// store (and their files), for another node.
pub trait Erase: Send + Sync + 'static {
    fn erase<'a>(
        &'a self,
        rooms: &'a [Uuid],
        tenant: &'a str,
        user: &'a str,
    ) -> futures_util::future::BoxFuture<'a, Result<Deletion, StoreError>>;
}

/// The `[cluster]` settings.
#[derive(Debug, Clone)]
pub struct ClusterSettings {
    pub redis_url: String,
    /// How long a room's lease lasts without renewal: a dead owner's rooms
    /// are taken over after at most this long.
    pub lease_ms: u64,
    /// How long a call to a room's owner may take.
    pub call_timeout_ms: u64,
    /// How long a forwarded durable command may wait for its commit.
    pub commit_timeout_ms: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("Redis: {0}")]
pub struct ClusterError(#[from] redis::RedisError);

/// A call waiting for the owner's answer (and, for a durable command, its
/// commit).
struct PendingCall {
    reply: Option<oneshot::Sender<WireReply>>,
    committed: Option<oneshot::Sender<bool>>,
}

/// Something to publish.
struct Outgoing {
    channel: String,
    payload: Vec<u8>,
    queued: Instant,
}

/// This node's side of the cluster.
pub struct Cluster {
    /// This node's name on Redis: unique per process run.
    pub node: String,
    settings: ClusterSettings,
    client: redis::Client,
    redis: ConnectionManager,
    outgoing: mpsc::Sender<Outgoing>,
    outgoing_rx: std::sync::Mutex<Option<mpsc::Receiver<Outgoing>>>,
    /// The subscription to room events and this node's channel is live.
    subscribed: AtomicBool,
    /// The last publish reached Redis.
    publishing: AtomicBool,
    calls: DashMap<u64, PendingCall>,
    next_call: AtomicU64,
    /// The last seq received from another node, per room with local members.
    seen: DashMap<Uuid, u64>,
    /// The room channels this node's subscription listens to.
    follows: tokio::sync::Mutex<link::Follows>,
    /// Members attached to rooms owned here through other nodes.
    remote_members: members::RemoteMembers,
    metrics: Arc<Metrics>,
}

impl Cluster {
    /// Prepares the cluster link. Connects lazily: a node starts while Redis
    /// is away, and says so at `/readyz`.
    pub fn new(node: &str, settings: ClusterSettings, metrics: Arc<Metrics>) -> Result<Arc<Cluster>, ClusterError> {
        let client = redis::Client::open(settings.redis_url.as_str())?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let redis = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        let (outgoing, outgoing_rx) = mpsc::channel(OUTGOING_QUEUE);
        let suffix = &Uuid::new_v4().simple().to_string()[..8];
        Ok(Arc::new(Cluster {
            node: format!("{node}-{suffix}"),
            settings,
            client,
            redis,
            outgoing,
            outgoing_rx: std::sync::Mutex::new(Some(outgoing_rx)),
            subscribed: AtomicBool::new(false),
            publishing: AtomicBool::new(true),
            calls: DashMap::new(),
            next_call: AtomicU64::new(1),
            seen: DashMap::new(),
            follows: tokio::sync::Mutex::default(),
            remote_members: members::RemoteMembers::default(),
            metrics,
        }))
    }

    /// `Ok` when Redis carries this node's events and calls.
    pub fn readiness(&self) -> Result<(), String> {
        if !self.subscribed.load(Ordering::Acquire) {
            return Err("redis: not subscribed (Redis unreachable, reconnecting)".into());
        }
        if !self.publishing.load(Ordering::Acquire) {
            return Err("redis: publishing fails (Redis unreachable, retrying)".into());
        }
        Ok(())
    }

    pub fn lease_ms(&self) -> u64 {
        self.settings.lease_ms
    }

    /// Takes a new room's lease.
    pub async fn acquire_new(&self, room: Uuid) -> Result<Owner, ClusterError> {
        let mut redis = self.redis.clone();
        Ok(lease::acquire(&mut redis, &self.node, room, self.settings.lease_ms, false).await?)
    }

    /// Takes a stored room's lease, or names its owner. While Redis settles
    /// after coming back empty, waits (asking again every 100 ms, for at most
    /// a lease time and a second) for the room's earlier owner to renew it.
    pub async fn acquire_stored(&self, room: Uuid) -> Result<Owner, ClusterError> {
        let mut redis = self.redis.clone();
        let patience = Duration::from_millis(self.settings.lease_ms) + Duration::from_secs(1);
        let started = Instant::now();
        loop {
            match lease::acquire(&mut redis, &self.node, room, self.settings.lease_ms, true).await? {
                Owner::Settling if started.elapsed() < patience => {
                    self.metrics.lease_settling_waits.inc();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                owner => return Ok(owner),
            }
        }
    }

    /// Who holds each room's lease, if anyone.
    pub async fn owners(&self, rooms: &[Uuid]) -> Result<Vec<Option<String>>, ClusterError> {
        let mut redis = self.redis.clone();
        Ok(lease::owners(&mut redis, rooms).await?)
    }

    /// Gives up this node's leases, at shutdown once every write is committed,
    /// so that other nodes take the rooms over at once.
    pub async fn release(&self, rooms: &[Uuid]) {
        let mut redis = self.redis.clone();
        if let Err(error) = lease::release(&mut redis, &self.node, rooms).await {
            tracing::warn!(%error, "could not release this node's leases: they expire by themselves");
        }
    }

    /// Publishes a room event for the other nodes. Never waits.
    pub fn publish_event(&self, envelope: &Envelope) {
        let event = WireEvent {
            node: self.node.clone(),
            seq: envelope.seq,
            audience: envelope.audience.clone(),
            message: envelope.message.clone(),
        };
        self.send(wire::room_channel(envelope.room), &event);
    }

    /// Sends a message to another node's channel. Never waits.
    fn send_to(&self, node: &str, message: &NodeMessage) {
        self.send(wire::node_channel(node), message);
    }

    fn send<T: serde::Serialize>(&self, channel: String, message: &T) {
        let payload = match wire::encode(message) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::error!(%error, "cannot encode a message for Redis");
                return;
            }
        };
        let outgoing = Outgoing { channel, payload, queued: Instant::now() };
        if self.outgoing.try_send(outgoing).is_err() {
            self.metrics.bus_dropped.inc();
        }
    }

    /// A new call id, registered to receive its reply and commit.
    fn register_call(&self) -> (u64, oneshot::Receiver<WireReply>, oneshot::Receiver<bool>) {
        let id = self.next_call.fetch_add(1, Ordering::Relaxed);
        let (reply, reply_rx) = oneshot::channel();
        let (committed, committed_rx) = oneshot::channel();
        self.calls.insert(id, PendingCall { reply: Some(reply), committed: Some(committed) });
        (id, reply_rx, committed_rx)
    }

    fn forget_call(&self, id: u64) {
        self.calls.remove(&id);
    }
}
