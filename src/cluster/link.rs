//! The node's tasks on Redis: the publisher (pipelines queued messages), the
//! subscriber (room events from other nodes, checked for gaps and fanned
//! out; calls and replies on this node's channel), and the lease keeper
//! (renews this node's leases, notices rooms that changed owner). Each
//! reconnects with backoff; losing the subscription resyncs every room this
//! node follows from elsewhere.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use amphi_protocol::CloseCode;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::wire::{self, NodeMessage, WireEvent};
use super::{Cluster, Outgoing, lease};
use crate::app::AppState;
use crate::backoff::Backoff;
use crate::hub::Envelope;

/// Messages sent in one pipeline.
const PUBLISH_BATCH: usize = 256;

/// Runs the cluster tasks of `app` until shutdown. (The leases are given up
/// later, once the store has taken every write: see [`Cluster::release`].)
pub async fn run(app: AppState, cluster: Arc<Cluster>) {
    let Some(outgoing) = cluster.outgoing_rx.lock().ok().and_then(|mut rx| rx.take()) else {
        tracing::error!("the cluster tasks run once");
        return;
    };
    let stop = app.shutdown.clone();
    let publisher = tokio::spawn(publish(Arc::clone(&cluster), outgoing));
    let subscriber = tokio::spawn(subscribe(app.clone(), Arc::clone(&cluster), stop.clone()));
    keep_leases(&app, &cluster, &stop).await;
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

/// Keeps a subscription to room events and this node's channel, forever.
async fn subscribe(app: AppState, cluster: Arc<Cluster>, stop: CancellationToken) {
    let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut failures = 0;
    loop {
        failures += 1;
        match open_subscription(&cluster).await {
            Ok(mut messages) => {
                failures = 1;
                cluster.subscribed.store(true, Ordering::Release);
                tracing::info!(node = %cluster.node, "subscribed to Redis");
                // Whatever was published while we were away is lost to us.
                resync_followed_rooms(&app, &cluster);
                while let Some(message) = messages.next().await {
                    on_message(&app, &cluster, message.get_channel_name(), message.get_payload_bytes());
                }
                cluster.subscribed.store(false, Ordering::Release);
                tracing::warn!("the Redis subscription dropped: reconnecting");
                resync_followed_rooms(&app, &cluster);
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

async fn open_subscription(cluster: &Cluster) -> redis::RedisResult<redis::aio::PubSubStream> {
    let connect = cluster.client.get_async_pubsub();
    let mut pubsub = tokio::time::timeout(Duration::from_secs(2), connect)
        .await
        .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "connection timed out")))??;
    pubsub.psubscribe(wire::ROOM_PATTERN).await?;
    pubsub.subscribe(wire::node_channel(&cluster.node)).await?;
    Ok(pubsub.into_on_message())
}

fn on_message(app: &AppState, cluster: &Cluster, channel: &str, payload: &[u8]) {
    if let Some(room) = wire::room_of_channel(channel) {
        cluster.metrics.bus_events_received.inc();
        return on_event(app, cluster, room, payload);
    }
    match wire::decode::<NodeMessage>(payload) {
        Ok(NodeMessage::Call { from, call, room, request }) => {
            cluster.metrics.forwarded_commands.inc();
            tokio::spawn(super::remote::serve(app.clone(), from, call, room, request));
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
/// room, unless a `seq` is missing (then the room is resynced).
fn on_event(app: &AppState, cluster: &Cluster, room: Uuid, payload: &[u8]) {
    if app.hub.is_local(room) {
        return; // ours: delivered already
    }
    if app.fanout.local_count(room) == 0 {
        cluster.seen.remove(&room);
        return;
    }
    let event: WireEvent = match wire::decode(payload) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, %room, "an unreadable room event");
            return resync(app, cluster, room);
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
                return resync(app, cluster, room);
            }
        }
    };
    if fresh {
        let envelope = Envelope::new(room, event.seq, event.audience, event.message);
        app.fanout.deliver(&Arc::new(envelope));
    }
}

/// Notes the seq a connection's view of a remote room starts at.
pub(super) fn observed(cluster: &Cluster, room: Uuid, seq: u64) {
    cluster.seen.entry(room).or_insert(seq);
}

/// This node lost track of `room`: forget its owner and send its local
/// connections to resume (they find the room's current owner).
fn resync(app: &AppState, cluster: &Cluster, room: Uuid) {
    cluster.metrics.resyncs.inc();
    cluster.seen.remove(&room);
    app.hub.forget(room);
    app.fanout.close_room(room, CloseCode::Resync);
}

/// Resyncs every room this node follows from another node.
fn resync_followed_rooms(app: &AppState, cluster: &Cluster) {
    for (room, _) in app.hub.remote_rooms() {
        if app.fanout.local_count(room) > 0 {
            resync(app, cluster, room);
        } else {
            app.hub.forget(room);
        }
    }
}

/// Renews this node's leases and checks the owners of followed rooms, every
/// third of the lease time, until shutdown.
async fn keep_leases(app: &AppState, cluster: &Cluster, stop: &CancellationToken) {
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
            for (node, alive) in nodes.into_iter().zip(alive) {
                if alive {
                    continue;
                }
                if !was_silent.contains(&node) {
                    silent.insert(node);
                    continue;
                }
                let attachments = cluster.remote_members.take_node(&node);
                tracing::warn!(%node, members = attachments.len(), "a node is gone: its members are detached");
                for (room, member, count) in attachments {
                    if let Some(handle) = app.hub.local(room) {
                        for _ in 0..count {
                            handle.detach(Arc::clone(&member));
                        }
                    }
                }
            }
            let lost =
                lease::renew(&mut redis, &cluster.node, &app.hub.local_rooms(), cluster.settings.lease_ms).await?;
            for room in lost {
                tracing::warn!(%room, "this node lost a room's lease: its members resume elsewhere");
                app.hub.evict(room);
                app.fanout.close_room(room, CloseCode::Resync);
            }
            let followed = app.hub.remote_rooms();
            let rooms: Vec<Uuid> = followed.iter().map(|(room, _)| *room).collect();
            let owners = lease::owners(&mut redis, &rooms).await?;
            for ((room, known), owner) in followed.into_iter().zip(owners) {
                if app.fanout.local_count(room) == 0 {
                    app.hub.forget(room);
                } else if owner.as_deref() != Some(known.as_str()) {
                    tracing::info!(%room, old = %known, new = ?owner, "a followed room changed owner: resync");
                    resync(app, cluster, room);
                }
            }
            Ok::<(), redis::RedisError>(())
        }
        .await;
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
