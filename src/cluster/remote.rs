//! A room owned by another node, as this node's connections use it: each
//! request is a call over the owner's node channel, answered on this node's.
//! A durable command's receipt resolves when the owner reports the commit.
//! Also the owner's side: [`serve`] answers a call from its local actor.

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::wire::{NodeMessage, WireAccepted, WireAttached, WireCall, WireEvent, WireReply};
use super::{Cluster, LocalNode, link};
use crate::bus::Envelope;
use crate::hub::{Accepted, Attached, Call, Reply, RoomGone};

/// A room whose actor runs on `owner`.
pub struct RemoteRoom {
    room: Uuid,
    owner: String,
    cluster: Arc<Cluster>,
}

impl RemoteRoom {
    pub fn new(room: Uuid, owner: String, cluster: Arc<Cluster>) -> RemoteRoom {
        RemoteRoom { room, owner, cluster }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Sends a call and waits for its reply; also returns the receiver of
    /// its commit, for durable commands.
    async fn send(&self, request: WireCall) -> Result<(WireReply, (u64, oneshot::Receiver<bool>)), RoomGone> {
        if self.cluster.readiness().is_err() {
            return Err(RoomGone);
        }
        let (id, reply, committed) = self.cluster.register_call();
        let message = NodeMessage::Call { from: self.cluster.node.clone(), call: id, room: self.room, request };
        self.cluster.send_to(&self.owner, &message);
        let timeout = Duration::from_millis(self.cluster.settings.call_timeout_ms);
        match tokio::time::timeout(timeout, reply).await {
            Ok(Ok(WireReply::NotOwner)) => {
                self.cluster.forget_call(id);
                tracing::info!(room = %self.room, owner = %self.owner, "the room is no longer on its known owner");
                Err(RoomGone)
            }
            Ok(Ok(reply)) => {
                // Only a durable command's call waits on, for its commit.
                if !matches!(&reply, WireReply::Room(Reply::Command { outcome: Ok(WireAccepted::Committing) })) {
                    self.cluster.forget_call(id);
                }
                Ok((reply, (id, committed)))
            }
            _ => {
                self.cluster.forget_call(id);
                Err(RoomGone)
            }
        }
    }

    /// Sends a room's call to its owner. An attach is preceded by following
    /// the room's events (so that none after the view the owner returns is
    /// missed); a durable command's receipt resolves when the owner reports
    /// its commit.
    pub async fn call(&self, call: Call) -> Result<Reply, RoomGone> {
        if matches!(call, Call::Attach { .. }) && !link::follow(&self.cluster, self.room).await {
            return Err(RoomGone);
        }
        let (reply, (id, committed)) = self.send(WireCall::Room(call)).await?;
        let WireReply::Room(reply) = reply else { return Err(RoomGone) };
        Ok(reply.map(
            |attached| {
                link::observed(&self.cluster, self.room, attached.seq);
                Attached {
                    seq: attached.seq,
                    snapshot: attached.snapshot.map(|snapshot| *snapshot),
                    replay: attached
                        .replay
                        .into_iter()
                        .map(|event| Arc::new(Envelope::new(self.room, event.seq, event.audience, event.message)))
                        .collect(),
                }
            },
            |accepted| match accepted {
                WireAccepted::Applied => Accepted::Applied,
                WireAccepted::Page { page } => Accepted::Page(page),
                WireAccepted::Committing => {
                    let timeout = Duration::from_millis(self.cluster.settings.commit_timeout_ms);
                    let cluster = Arc::clone(&self.cluster);
                    let receipt = async move {
                        let ok = matches!(tokio::time::timeout(timeout, committed).await, Ok(Ok(true)));
                        cluster.forget_call(id);
                        ok
                    };
                    Accepted::Committing(receipt.boxed().shared())
                }
            },
        ))
    }

    /// Tells the owner a connection went away. Never waits.
    pub fn detach(self: &Arc<Self>, member: Arc<str>) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let _ = this.send(WireCall::Room(Call::Detach { member })).await;
        });
    }

    /// Has the owner erase `user` from the room it runs (see
    /// [`Erase`](super::Erase)).
    pub async fn erase(&self, tenant: &str, user: &str) -> Result<crate::store::Deletion, RoomGone> {
        match self.send(WireCall::Erase { tenant: tenant.into(), user: user.into() }).await? {
            (WireReply::Erased { deletion }, _) => Ok(deletion),
            _ => Err(RoomGone),
        }
    }
}

impl RemoteRoom {
    /// Has the owner stop the room (moved to the trash) and close its
    /// connections there.
    pub async fn close(&self) -> Result<(), RoomGone> {
        match self.send(WireCall::Close).await? {
            (WireReply::Closed, _) => Ok(()),
            _ => Err(RoomGone),
        }
    }
}

/// Stops this node's actor of `room`, gone to the trash: its code and handle
/// forgotten, its queued writes handled, its connections closed (4012, they
/// resume into `room_not_found`), its lease released so that the nodes
/// following it resync at once.
pub async fn close_here(hub: &crate::hub::Hub, fanout: &crate::bus::Fanout, room: Uuid, code: Option<&str>) {
    if let Some(actor) = hub.drop_room(room, code) {
        let _ = actor.retire().await;
        if let Some(cluster) = hub.cluster() {
            cluster.release(&[room]).await;
        }
    }
    fanout.close_room(room, amphi_protocol::CloseCode::Resync);
}

/// Answers a call from another node with this node's actor of `room`.
pub async fn serve(node: LocalNode, from: String, call: u64, room: Uuid, request: WireCall) {
    let Some(cluster) = node.hub.cluster() else { return };
    let reply = |reply: WireReply| cluster.send_to(&from, &NodeMessage::Reply { call, reply });
    let handle = match node.hub.room(room).await {
        Ok(Some(handle)) if handle.is_local() => handle,
        _ => return reply(WireReply::NotOwner),
    };
    let request = match request {
        WireCall::Room(request) => request,
        WireCall::Close => {
            close_here(&node.hub, &node.fanout, room, handle.record.join_code.as_deref()).await;
            return reply(WireReply::Closed);
        }
        WireCall::Erase { tenant, user } => {
            return reply(match node.erase.erase(&[room], &tenant, &user).await {
                Ok(deletion) => WireReply::Erased { deletion },
                Err(error) => {
                    tracing::warn!(%error, %room, "cannot erase a user for another node");
                    WireReply::NotOwner
                }
            });
        }
    };
    // Who is attached here through `from`, to detach them if that node goes.
    let members = &cluster.remote_members;
    let attaching = match &request {
        Call::Attach { who, .. } => Some(Arc::clone(&who.id)),
        Call::Detach { member } => {
            members.detached(&from, room, member, false);
            None
        }
        Call::Leave { member } => {
            members.detached(&from, room, member, true);
            None
        }
        _ => None,
    };
    if let Call::Detach { member } = request {
        // Never waits: the actor takes it when it can.
        handle.detach(member);
        return reply(WireReply::Room(Reply::Done));
    }
    let answer = match handle.call(request).await {
        Ok(answer) => answer,
        Err(RoomGone) => return reply(WireReply::NotOwner),
    };
    let mut receipt = None;
    let answer = answer.map(
        |attached| {
            if let Some(member) = attaching {
                members.attached(&from, room, member);
            }
            WireAttached {
                seq: attached.seq,
                snapshot: attached.snapshot.map(Box::new),
                replay: attached.replay.iter().map(|envelope| wire_event(&cluster.node, envelope)).collect(),
            }
        },
        |accepted| match accepted {
            Accepted::Applied => WireAccepted::Applied,
            Accepted::Page(page) => WireAccepted::Page { page },
            Accepted::Committing(committing) => {
                receipt = Some(committing);
                WireAccepted::Committing
            }
        },
    );
    reply(WireReply::Room(answer));
    if let Some(receipt) = receipt {
        let ok = receipt.await;
        cluster.send_to(&from, &NodeMessage::Committed { call, ok });
    }
}

fn wire_event(node: &str, envelope: &Envelope) -> WireEvent {
    WireEvent {
        node: node.to_string(),
        seq: envelope.seq,
        audience: envelope.audience.clone(),
        message: envelope.message.clone(),
    }
}
