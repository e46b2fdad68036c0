//! The node's tasks on Redis: the publisher (pipelines queued messages), the
//! subscriber (room events from other nodes, checked for gaps and fanned
//! out; calls and replies on this node's channel), and the lease keeper
//! (renews this node's leases, notices rooms that changed owner). Each
//! reconnects with backoff; losing the subscription resyncs every room this
//! node follows from elsewhere.
//!
//! A node listens to the channel of a room run elsewhere only while it has
//! local connections in it ([`follow`], [`unfollow`]): a connection attaching
//! to such a room is in the fan-out table first, then the node subscribes
//! (waiting for Redis to confirm), then the owner takes the connection's
//! view; so every event after that view reaches this node, and a lost one is
//! a gap, never silent. When a room's last local connection leaves, the node
//! unsubscribes. The subscriptions live on one Redis connection: when it
//! drops, they are gone with it, and the resync sends the rooms' connections
//! to resume, which subscribes again on the new connection.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use amphi_protocol::CloseCode;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::wire::{self, NodeMessage, WireEvent};
use super::{Cluster, LocalNode, Outgoing, lease};
use crate::backoff::Backoff;
use crate::bus::Envelope;

/// Messages sent in one pipeline.
const PUBLISH_BATCH: usize = 256;

/// Rooms emptied and not yet unfollowed that are queued; beyond, the lease
/// keeper's sweep (every turn) finds them.
const EMPTIED_QUEUE: usize = 4096;

/// How long Redis may take to confirm a subscription change.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The room channels this node's subscription listens to, and the sink
/// that changes them (none while the subscription is down). Changed under
/// the lock of `Cluster::follows`, one change at a time.
#[derive(Default)]
pub(super) struct Follows {
    sink: Option<redis::aio::PubSubSink>,
    /// Rooms whose subscription Redis confirmed.
    rooms: HashSet<Uuid>,
    /// Rooms Redis may or may not listen to for this node (a change it did
    /// not confirm): unsubscribed once unused, subscribed again if needed.
    unsure: HashSet<Uuid>,
}

impl Follows {
    /// A new subscription connection (or none): it listens to no room yet.
    fn reset(&mut self, cluster: &Cluster, sink: Option<redis::aio::PubSubSink>) {
        self.sink = sink;
        for room in self.rooms.drain().chain(self.unsure.drain()) {
            cluster.seen.remove(&room);
        }
        cluster.metrics.bus_rooms_followed.set(0);
    }
}

/// Runs the cluster tasks of this node until shutdown. (The leases are given up
/// later, once the store has taken every write: see [`Cluster::release`].)
pub async fn run(node: LocalNode, cluster: Arc<Cluster>) {
    let Some(outgoing) = cluster.outgoing_rx.lock().ok().and_then(|mut rx| rx.take()) else {
        tracing::error!("the cluster tasks run once");
        return;
    };
    let stop = node.stop.clone();
    // Told of emptied rooms before any room can be followed.
    let (emptied, emptied_rx) = tokio::sync::mpsc::channel(EMPTIED_QUEUE);
    node.fanout.on_emptied(emptied);
    let publisher = tokio::spawn(publish(Arc::clone(&cluster), outgoing));
    let subscriber = tokio::spawn(subscribe(node.clone(), Arc::clone(&cluster), stop.clone()));
    let unfollower = tokio::spawn(unfollow_emptied(node.clone(), Arc::clone(&cluster), emptied_rx));
    keep_leases(&node, &cluster, &stop).await;
    unfollower.abort();
    subscriber.abort();
    publisher.abort();
}

/// Sends queued messages in pipelines, in queue order.
async fn publish(cluster: Arc<Cluster>, mut outgoing: tokio::sync::mpsc::Receiver<Outgoing>) {
    let mut redis = cluster.redis.clone();
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    while outgoing.recv_many(&mut batch, PUBLISH_BATCH).await > 0 {
        let mut pipe = redis::pipe();
        for message in &batch {
            pipe.cmd("PUBLISH").arg(&message.channel).arg(&message.payload).ignore();
        }
        match pipe.query_async::<()>(&mut redis).await {
            Ok(()) => {
                cluster.publishing.store(true, Ordering::Release);
                for message in &batch {
                    cluster.metrics.bus_publish_seconds.observe(message.queued.elapsed().as_secs_f64());
                }
            }
            Err(error) => {
                if cluster.publishing.swap(false, Ordering::AcqRel) {
                    tracing::warn!(%error, "cannot publish to Redis: other nodes will resync");
                }
                cluster.metrics.bus_dropped.inc_by(batch.len() as u64);
            }
        }
        batch.clear();
    }
}

/// Keeps a subscription to this node's channel (and the rooms it follows),
/// forever.
async fn subscribe(node: LocalNode, cluster: Arc<Cluster>, stop: CancellationToken) {
    let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut failures = 0;
    loop {
        failures += 1;
        match open_subscription(&cluster).await {
            Ok((sink, mut messages)) => {
                failures = 1;
                cluster.follows.lock().await.reset(&cluster, Some(sink));
                cluster.subscribed.store(true, Ordering::Release);
                tracing::info!(node = %cluster.node, "subscribed to Redis");
                // Whatever was published while we were away is lost to us.
                resync_followed_rooms(&node, &cluster);
                while let Some(message) = messages.next().await {
                    on_message(&node, &cluster, message.get_channel_name(), message.get_payload_bytes());
                }
                cluster.subscribed.store(false, Ordering::Release);
                cluster.follows.lock().await.reset(&cluster, None);
                tracing::warn!("the Redis subscription dropped: reconnecting");
                resync_followed_rooms(&node, &cluster);
            }
            Err(error) => {
                cluster.subscribed.store(false, Ordering::Release);
                tracing::warn!(%error, failures, "cannot subscribe to Redis");
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(backoff.delay(failures)) => {}
        }
    }
}

/// A subscription connection listening to this node's channel: the sink
/// (to follow rooms) and the stream of messages.
async fn open_subscription(
    cluster: &Cluster,
) -> redis::RedisResult<(redis::aio::PubSubSink, redis::aio::PubSubStream)> {
    let connect = cluster.client.get_async_pubsub();
    let mut pubsub = tokio::time::timeout(Duration::from_secs(2), connect)
        .await
        .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "connection timed out")))??;
    pubsub.subscribe(wire::node_channel(&cluster.node)).await?;
    Ok(pubsub.split())
}

/// Subscribes to `room`'s events unless this node does already. Called for
/// a connection attaching to a room another node runs, once it is in the
/// fan-out table and before the owner takes its view: when this returns
/// `true`, Redis has confirmed, so every event after that view reaches this
/// node. `false`: no subscription (Redis away or silent); the attach fails.
pub(super) async fn follow(cluster: &Cluster, room: Uuid) -> bool {
    let mut follows = cluster.follows.lock().await;
    if follows.rooms.contains(&room) {
        return true;
    }
    let Some(sink) = follows.sink.as_mut() else { return false };
    let outcome = tokio::time::timeout(SUBSCRIBE_TIMEOUT, sink.subscribe(wire::room_channel(room))).await;
    let followed = match outcome {
        Ok(Ok(())) => {
            follows.unsure.remove(&room);
            follows.rooms.insert(room);
            true
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, %room, "cannot subscribe to a room's events");
            follows.unsure.insert(room);
            false
        }
        Err(_) => {
            tracing::warn!(%room, "Redis did not confirm a room's subscription in time");
            follows.unsure.insert(room);
            false
        }
    };
    cluster.metrics.bus_rooms_followed.set(follows.rooms.len() as i64);
    followed
}

/// Unsubscribes from those of `rooms` this node listens to and has no local
/// connection in any more (checked under the lock: a connection attaching
/// meanwhile is in the fan-out table before it asks to [`follow`], so it
/// either keeps the subscription or subscribes again after this).
async fn unfollow(node: &LocalNode, cluster: &Cluster, rooms: &[Uuid]) {
    let mut follows = cluster.follows.lock().await;
    let mut unused = Vec::new();
    for &room in rooms {
        if node.fanout.local_count(room) > 0 {
            continue;
        }
        let listed = follows.rooms.remove(&room) | follows.unsure.remove(&room);
        if listed {
            cluster.seen.remove(&room);
            unused.push(room);
        }
    }
    cluster.metrics.bus_rooms_followed.set(follows.rooms.len() as i64);
    let Some(sink) = follows.sink.as_mut() else { return };
    if unused.is_empty() {
        return;
    }
    let channels: Vec<String> = unused.iter().map(|room| wire::room_channel(*room)).collect();
    match tokio::time::timeout(SUBSCRIBE_TIMEOUT, sink.unsubscribe(channels)).await {
        Ok(Ok(())) => {}
        outcome => {
            if let Ok(Err(error)) = outcome {
                tracing::warn!(%error, "cannot unsubscribe from rooms' events");
            }
            // Maybe still listened to: tried again at the next lease turn.
            follows.unsure.extend(unused);
        }
    }
}

/// Unfollows each room whose last local connection left, as the fan-out
/// table reports them.
async fn unfollow_emptied(node: LocalNode, cluster: Arc<Cluster>, mut emptied: tokio::sync::mpsc::Receiver<Uuid>) {
    let mut rooms = Vec::new();
    while emptied.recv_many(&mut rooms, PUBLISH_BATCH).await > 0 {
        unfollow(&node, &cluster, &rooms).await;
        rooms.clear();
    }
}

/// Unfollows every followed room without local connections (those whose
/// unsubscription was not confirmed, mostly).
async fn unfollow_unused(node: &LocalNode, cluster: &Cluster) {
    let unused: Vec<Uuid> = {
        let follows = cluster.follows.lock().await;
        follows
            .rooms
            .iter()
            .chain(&follows.unsure)
            .copied()
            .filter(|room| node.fanout.local_count(*room) == 0)
            .collect()
    };
    if !unused.is_empty() {
        unfollow(node, cluster, &unused).await;
    }
}

fn on_message(node: &LocalNode, cluster: &Cluster, channel: &str, payload: &[u8]) {
    if let Some(room) = wire::room_of_channel(channel) {
        cluster.metrics.bus_events_received.inc();
        return on_event(node, cluster, room, payload);
    }
    match wire::decode::<NodeMessage>(payload) {
        Ok(NodeMessage::Call { from, call, room, request }) => {
            cluster.metrics.forwarded_commands.inc();
            tokio::spawn(super::remote::serve(node.clone(), from, call, room, request));
        }
        Ok(NodeMessage::Reply { call, reply }) => {
            let waiting = cluster.calls.get_mut(&call).and_then(|mut pending| pending.reply.take());
            if let Some(waiting) = waiting {
                let _ = waiting.send(reply);
            }
        }
        Ok(NodeMessage::Committed { call, ok }) => {
            if let Some((_, mut pending)) = cluster.calls.remove(&call)
                && let Some(committed) = pending.committed.take()
            {
                let _ = committed.send(ok);
            }
        }
        Err(error) => tracing::warn!(%error, "an unreadable message on this node's channel"),
    }
}

/// A room event from another node: fanned out to this node's members of the
/// room, unless a `seq` is missing (then the room is resynced). (An event of
/// a room just left may still come, before the unsubscription.)
fn on_event(node: &LocalNode, cluster: &Cluster, room: Uuid, payload: &[u8]) {
    if node.hub.is_local(room) {
        return; // ours: delivered already
    }
    if node.fanout.local_count(room) == 0 {
        cluster.seen.remove(&room);
        return;
    }
    let event: WireEvent = match wire::decode(payload) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, %room, "an unreadable room event");
            return resync(node, cluster, room);
        }
    };
    let fresh = match cluster.seen.entry(room) {
        dashmap::Entry::Vacant(entry) => {
            entry.insert(event.seq);
            true
        }
        dashmap::Entry::Occupied(mut entry) => {
            let last = *entry.get();
            if event.seq <= last {
                false
            } else if event.seq == last + 1 {
                entry.insert(event.seq);
                true
            } else {
                drop(entry);
                cluster.metrics.bus_gaps.inc();
                tracing::info!(%room, last, next = event.seq, "a gap in a room's events: resync");
                return resync(node, cluster, room);
            }
        }
    };
    if fresh {
        let envelope = Envelope::new(room, event.seq, event.audience, event.message);
        node.fanout.deliver(&Arc::new(envelope));
    }
}

/// Notes the seq a connection's view of a remote room starts at.
pub(super) fn observed(cluster: &Cluster, room: Uuid, seq: u64) {
    cluster.seen.entry(room).or_insert(seq);
}

/// This node lost track of `room`: forget its owner and send its local
/// connections to resume (they find the room's current owner).
fn resync(node: &LocalNode, cluster: &Cluster, room: Uuid) {
    cluster.metrics.resyncs.inc();
    cluster.seen.remove(&room);
    node.hub.forget(room);
    node.fanout.close_room(room, CloseCode::Resync);
}

/// Resyncs every room this node follows from another node.
fn resync_followed_rooms(node: &LocalNode, cluster: &Cluster) {
    for (room, _) in node.hub.remote_rooms() {
        if node.fanout.local_count(room) > 0 {
            resync(node, cluster, room);
        } else {
            node.hub.forget(room);
        }
    }
}

/// Renews this node's leases and checks the owners of followed rooms, every
/// third of the lease time, until shutdown.
async fn keep_leases(node: &LocalNode, cluster: &Cluster, stop: &CancellationToken) {
    let period = Duration::from_millis((cluster.settings.lease_ms / 3).max(50));
    let mut redis = cluster.redis.clone();
    let mut failing = false;
    // Nodes found silent once: dead if still silent at the next turn (a
    // node needs a turn to say it is alive after a Redis outage).
    let mut silent: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut first = true;
    loop {
        // The first turn at once: this node says it is alive before any of
        // its members can attach elsewhere.
        if !std::mem::take(&mut first) {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(period) => {}
            }
        }
        let result = async {
            lease::beat(&mut redis, &cluster.node, cluster.settings.lease_ms).await?;
            let nodes = cluster.remote_members.nodes();
            let alive = lease::alive(&mut redis, &nodes).await?;
            let was_silent = std::mem::take(&mut silent);
            for (peer, alive) in nodes.into_iter().zip(alive) {
                if alive {
                    continue;
                }
                if !was_silent.contains(&peer) {
                    silent.insert(peer);
                    continue;
                }
                let attachments = cluster.remote_members.take_node(&peer);
                tracing::warn!(node = %peer, members = attachments.len(), "a node is gone: its members are detached");
                for (room, member, count) in attachments {
                    if let Some(handle) = node.hub.local(room) {
                        for _ in 0..count {
                            handle.detach(Arc::clone(&member));
                        }
                    }
                }
            }
            let lost =
                lease::renew(&mut redis, &cluster.node, &node.hub.local_rooms(), cluster.settings.lease_ms).await?;
            for room in lost {
                tracing::warn!(%room, "this node lost a room's lease: its members resume elsewhere");
                node.hub.evict(room);
                node.fanout.close_room(room, CloseCode::Resync);
            }
            let followed = node.hub.remote_rooms();
            let rooms: Vec<Uuid> = followed.iter().map(|(room, _)| *room).collect();
            let owners = lease::owners(&mut redis, &rooms).await?;
            for ((room, known), owner) in followed.into_iter().zip(owners) {
                if node.fanout.local_count(room) == 0 {
                    node.hub.forget(room);
                } else if owner.as_deref() != Some(known.as_str()) {
                    tracing::info!(%room, old = %known, new = ?owner, "a followed room changed owner: resync");
                    resync(node, cluster, room);
                }
            }
            Ok::<(), redis::RedisError>(())
        }
        .await;
        unfollow_unused(node, cluster).await;
        match result {
            Ok(()) if failing => {
                failing = false;
                tracing::info!("leases renewed again");
            }
            Ok(()) => {}
            Err(error) => {
                if !failing {
                    tracing::warn!(%error, "cannot renew leases: local rooms go on, remote ones wait for Redis");
                }
                failing = true;
            }
        }
    }
}
