//! This node's delivery table: for each room, the local connections attached
//! to it. The bus hands every event to [`Fanout::deliver`], which filters by
//! audience and `try_send`s into each connection's bounded queue; a full
//! queue closes that connection as a slow consumer. The room never waits for
//! a member. With several nodes, the cluster hears of every room whose last
//! local connection left ([`Fanout::on_emptied`]): it stops following the
//! room's events on Redis.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, OnceLock};

use amphi_protocol::{CloseCode, Role};
use dashmap::DashMap;
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

use super::envelope::Envelope;
use super::folding::Folding;
use crate::activity::Audience;
use crate::metrics::Metrics;

/// A connection's id, unique on this node.
pub type ConnId = u64;

/// Asks a connection to close itself with a code (from any task).
#[derive(Debug, Default)]
pub struct Closer {
    code: AtomicU16,
    notify: Notify,
}

impl Closer {
    /// Requests the close; the first code requested wins. Every task
    /// waiting in [`Closer::closed`] wakes up.
    pub fn close(&self, code: CloseCode) {
        if self.code.compare_exchange(0, code.code(), Ordering::AcqRel, Ordering::Acquire).is_ok() {
            self.notify.notify_waiters();
        }
    }

    /// The code requested so far, if any.
    pub fn requested(&self) -> Option<CloseCode> {
        CloseCode::from_code(self.code.load(Ordering::Acquire))
    }

    /// Resolves with the requested code once [`Closer::close`] is called.
    /// Several tasks may wait at once.
    pub async fn closed(&self) -> CloseCode {
        loop {
            // Register before checking, so that a close between the check
            // and the wait is not missed.
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(code) = self.requested() {
                return code;
            }
            notified.await;
        }
    }
}

/// A local connection attached to a room.
#[derive(Debug, Clone)]
pub struct Subscriber {
    pub member: Arc<str>,
    pub role: Role,
    pub queue: mpsc::Sender<Arc<Envelope>>,
    pub closer: Arc<Closer>,
    /// What protocol 2 leaves out for this connection in this room.
    pub folding: Arc<Folding>,
}

/// The per-node delivery table.
pub struct Fanout {
    rooms: DashMap<Uuid, RoomSubscribers>,
    metrics: Arc<Metrics>,
    /// Told each room whose last local connection left (bounded: when
    /// full, the cluster finds the room at its next sweep instead).
    emptied: OnceLock<mpsc::Sender<Uuid>>,
}

/// The local connections of one room, also indexed by member: an event for
/// one member (an answer's acceptance, a score) reaches their connections
/// without a walk through the whole room.
#[derive(Default)]
struct RoomSubscribers {
    connections: HashMap<ConnId, Subscriber>,
    by_member: HashMap<Arc<str>, Vec<ConnId>>,
}

impl RoomSubscribers {
    fn insert(&mut self, conn: ConnId, subscriber: Subscriber) {
        let member = Arc::clone(&subscriber.member);
        if self.connections.insert(conn, subscriber).is_none() {
            self.by_member.entry(member).or_default().push(conn);
        }
    }

    fn remove(&mut self, conn: ConnId) {
        let Some(subscriber) = self.connections.remove(&conn) else { return };
        if let Some(conns) = self.by_member.get_mut(&subscriber.member) {
            conns.retain(|c| *c != conn);
            if conns.is_empty() {
                self.by_member.remove(&subscriber.member);
            }
        }
    }
}

impl Fanout {
    pub fn new(metrics: Arc<Metrics>) -> Fanout {
        Fanout { rooms: DashMap::new(), metrics, emptied: OnceLock::new() }
    }

    /// From now on, sends `emptied` each room whose last local connection
    /// leaves (once per time it empties). Set once.
    pub fn on_emptied(&self, emptied: mpsc::Sender<Uuid>) {
        let _ = self.emptied.set(emptied);
    }

    fn emptied(&self, room: Uuid) {
        if let Some(emptied) = self.emptied.get() {
            let _ = emptied.try_send(room); // full: the lease keeper's sweep unfollows it
        }
    }

    pub fn subscribe(&self, room: Uuid, conn: ConnId, subscriber: Subscriber) {
        self.rooms.entry(room).or_default().insert(conn, subscriber);
    }

    pub fn unsubscribe(&self, room: Uuid, conn: ConnId) {
        let mut emptied = false;
        if let dashmap::Entry::Occupied(mut entry) = self.rooms.entry(room) {
            entry.get_mut().remove(conn);
            if entry.get().connections.is_empty() {
                entry.remove();
                emptied = true;
            }
        }
        if emptied {
            self.emptied(room);
        }
    }

    /// Asks every local connection attached to `room` to close with `code`.
    pub fn close_room(&self, room: Uuid, code: CloseCode) {
        if let Some((_, subscribers)) = self.rooms.remove(&room) {
            for subscriber in subscribers.connections.values() {
                subscriber.closer.close(code);
            }
            self.emptied(room);
        }
    }

    /// Local connections attached to `room`.
    pub fn local_count(&self, room: Uuid) -> usize {
        self.rooms.get(&room).map_or(0, |subscribers| subscribers.connections.len())
    }

    /// Queues `envelope` for every local connection of its room that its
    /// audience includes.
    pub fn deliver(&self, envelope: &Arc<Envelope>) {
        let mut gone = Vec::new();
        let (mut delivered, mut folded) = (0u64, 0u64);
        if let Some(room) = self.rooms.get(&envelope.room) {
            let mut send = |conn: &ConnId, subscriber: &Subscriber| {
                if !subscriber.folding.queues(&envelope.message) {
                    folded += 1;
                    return;
                }
                match subscriber.queue.try_send(Arc::clone(envelope)) {
                    Ok(()) => delivered += 1,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        self.metrics.slow_consumers.inc();
                        subscriber.closer.close(CloseCode::SlowConsumer);
                        gone.push(*conn);
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => gone.push(*conn),
                }
            };
            match &envelope.audience {
                Audience::Member(member) => {
                    let conns = room.by_member.get(member.as_str()).map(Vec::as_slice).unwrap_or_default();
                    for conn in conns {
                        if let Some(subscriber) = room.connections.get(conn) {
                            send(conn, subscriber);
                        }
                    }
                }
                audience => {
                    for (conn, subscriber) in &room.connections {
                        if audience.includes(&subscriber.member, subscriber.role) {
                            send(conn, subscriber);
                        }
                    }
                }
            }
        }
        for conn in gone {
            self.unsubscribe(envelope.room, conn);
        }
        self.metrics.frames_out.with_label_values(&["event"]).inc_by(delivered);
        self.metrics.frames_folded.inc_by(folded);
        self.metrics.fanout_seconds.observe(envelope.created.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_waiter_sees_the_first_close_code() {
        let closer = Arc::new(Closer::default());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let closer = Arc::clone(&closer);
                tokio::spawn(async move { closer.closed().await })
            })
            .collect();
        tokio::task::yield_now().await;
        closer.close(CloseCode::SlowConsumer);
        closer.close(CloseCode::GoingAway);
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap(), CloseCode::SlowConsumer);
        }
        assert_eq!(closer.closed().await, CloseCode::SlowConsumer, "a late waiter returns at once");
    }

    #[test]
    fn an_event_for_one_member_reaches_all_their_connections_and_no_one_else() {
        use amphi_protocol::ServerMessage;
        use amphi_protocol::server::EventBody;

        let fanout = Fanout::new(Arc::new(Metrics::new()));
        let room = Uuid::new_v4();
        let mut queues = Vec::new();
        for (conn, member) in [(1, "camille"), (2, "camille"), (3, "lea")] {
            let (queue, rx) = mpsc::channel(4);
            let subscriber = Subscriber {
                member: member.into(),
                role: Role::Participant,
                queue,
                closer: Arc::default(),
                folding: Arc::default(),
            };
            fanout.subscribe(room, conn, subscriber);
            queues.push(rx);
        }
        let event = |audience| {
            let body = EventBody::HandLowered { member: "camille".into(), by: "t".into() };
            let message = ServerMessage::Event { room: room.to_string(), seq: 1, at: 0, event: body };
            Arc::new(Envelope::new(room, 1, audience, message))
        };
        fanout.deliver(&event(Audience::Member("camille".into())));
        let received: Vec<usize> = queues.iter_mut().map(|q| q.try_recv().map_or(0, |_| 1)).collect();
        assert_eq!(received, [1, 1, 0]);
        fanout.unsubscribe(room, 1);
        fanout.deliver(&event(Audience::Member("camille".into())));
        fanout.deliver(&event(Audience::Everyone));
        let received: Vec<usize> =
            queues.iter_mut().map(|q| std::iter::from_fn(|| q.try_recv().ok()).count()).collect();
        assert_eq!(received, [0, 2, 1], "an unsubscribed connection gets nothing more");
        assert_eq!(fanout.local_count(room), 2);
    }

    #[test]
    fn the_cluster_hears_of_each_room_whose_last_connection_left() {
        let fanout = Fanout::new(Arc::new(Metrics::new()));
        let (emptied, mut heard) = mpsc::channel(16);
        fanout.on_emptied(emptied);
        let room = Uuid::new_v4();
        let subscriber = || {
            let (queue, _) = mpsc::channel(1);
            Subscriber {
                member: "camille".into(),
                role: Role::Participant,
                queue,
                closer: Arc::default(),
                folding: Arc::default(),
            }
        };
        fanout.subscribe(room, 1, subscriber());
        fanout.subscribe(room, 2, subscriber());
        fanout.unsubscribe(room, 1);
        assert!(heard.try_recv().is_err(), "one connection is still there");
        fanout.unsubscribe(room, 2);
        assert_eq!(heard.try_recv().ok(), Some(room));
        fanout.unsubscribe(room, 2);
        fanout.subscribe(room, 3, subscriber());
        fanout.close_room(room, CloseCode::Resync);
        fanout.close_room(room, CloseCode::Resync);
        assert_eq!(heard.try_recv().ok(), Some(room), "closing the room empties it");
        assert!(heard.try_recv().is_err(), "once per time it empties");
    }
}
