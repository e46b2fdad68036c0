//! A room owned by another node, as this node's connections use it: each
//! request is a call over the owner's node channel, answered on this node's.
//! A durable command's receipt resolves when the owner reports the commit.
//! Also the owner's side: [`serve`] answers a call from its local actor.

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::wire::{Call, NodeMessage, Reply, WireAccepted, WireAttached, WireEvent};
use super::{Cluster, link};
use crate::activity::Refusal;
use crate::activity::breakout::participation::Participation;
use crate::app::AppState;
use crate::hub::{Accepted, Attached, BoardExport, Envelope, QuizResults, RoomCommand, RoomGone, Who};
use amphi_protocol::ClientMsgId;

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
    async fn call(&self, request: Call) -> Result<(Reply, (u64, oneshot::Receiver<bool>)), RoomGone> {
        if self.cluster.readiness().is_err() {
            return Err(RoomGone);
        }
        let (id, reply, committed) = self.cluster.register_call();
        let message = NodeMessage::Call { from: self.cluster.node.clone(), call: id, room: self.room, request };
        self.cluster.send_to(&self.owner, &message);
        let timeout = Duration::from_millis(self.cluster.settings.call_timeout_ms);
        match tokio::time::timeout(timeout, reply).await {
            Ok(Ok(Reply::NotOwner)) => {
                self.cluster.forget_call(id);
                tracing::info!(room = %self.room, owner = %self.owner, "the room is no longer on its known owner");
                Err(RoomGone)
            }
            Ok(Ok(reply)) => {
                // Only a durable command's call waits on, for its commit.
                if !matches!(&reply, Reply::Command { outcome: Ok(WireAccepted::Committing) }) {
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

    /// Attaches a connection (already in this node's fan-out table) through
    /// the owner. This node subscribes to the room's events first, so that
    /// none after the view the owner returns is missed.
    pub async fn attach(&self, who: Who, since: Option<u64>) -> Result<Result<Attached, Refusal>, RoomGone> {
        if !link::follow(&self.cluster, self.room).await {
            return Err(RoomGone);
        }
        let (reply, _) = self.call(Call::Attach { who, since }).await?;
        let Reply::Attached { outcome } = reply else { return Err(RoomGone) };
        Ok(outcome.map(|attached| {
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
        }))
    }

    /// Tells the owner a connection went away. Never waits.
    pub fn detach(self: &Arc<Self>, member: Arc<str>) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let _ = this.call(Call::Detach { member: member.to_string() }).await;
        });
    }

    pub async fn leave(&self, member: Arc<str>) -> Result<(), RoomGone> {
        self.call(Call::Leave { member: member.to_string() }).await.map(drop)
    }

    pub async fn command(
        &self,
        who: Who,
        id: ClientMsgId,
        command: RoomCommand,
    ) -> Result<Result<Accepted, Refusal>, RoomGone> {
        let (reply, (call, committed)) = self.call(Call::Command { who, id, command }).await?;
        let Reply::Command { outcome } = reply else { return Err(RoomGone) };
        Ok(outcome.map(|accepted| match accepted {
            WireAccepted::Applied => Accepted::Applied,
            WireAccepted::Page { page } => Accepted::Page(page),
            WireAccepted::Committing => {
                let timeout = Duration::from_millis(self.cluster.settings.commit_timeout_ms);
                let cluster = Arc::clone(&self.cluster);
                let receipt = async move {
                    let ok = matches!(tokio::time::timeout(timeout, committed).await, Ok(Ok(true)));
                    cluster.forget_call(call);
                    ok
                };
                Accepted::Committing(receipt.boxed().shared())
            }
        }))
    }

    pub async fn results(&self) -> Result<Option<QuizResults>, RoomGone> {
        match self.call(Call::Results).await? {
            (Reply::Results { results }, _) => Ok(results.map(|results| *results)),
            _ => Err(RoomGone),
        }
    }

    pub async fn participation(&self) -> Result<Option<Participation>, RoomGone> {
        match self.call(Call::Participation).await? {
            (Reply::Participation { participation }, _) => Ok(participation.map(|p| *p)),
            _ => Err(RoomGone),
        }
    }

    pub async fn ateliers(&self, member: Arc<str>) -> Result<Option<crate::hub::AtelierAccess>, RoomGone> {
        match self.call(Call::Ateliers { member: member.to_string() }).await? {
            (Reply::Ateliers { access }, _) => Ok(access),
            _ => Err(RoomGone),
        }
    }

    /// Has the owner erase `user` from the room it runs (see
    /// [`crate::api::erase_here`]).
    pub async fn erase(&self, tenant: &str, user: &str) -> Result<crate::store::Deletion, RoomGone> {
        match self.call(Call::Erase { tenant: tenant.into(), user: user.into() }).await? {
            (Reply::Erased { deletion }, _) => Ok(deletion),
            _ => Err(RoomGone),
        }
    }

    pub async fn board_export(&self) -> Result<Option<BoardExport>, RoomGone> {
        match self.call(Call::BoardExport).await? {
            (Reply::BoardExport { export }, _) => Ok(export.map(|export| *export)),
            _ => Err(RoomGone),
        }
    }
}

/// Answers a call from another node with this node's actor of `room`.
pub async fn serve(app: AppState, from: String, call: u64, room: Uuid, request: Call) {
    let Some(cluster) = app.hub.cluster() else { return };
    let reply = |reply: Reply| cluster.send_to(&from, &NodeMessage::Reply { call, reply });
    let handle = match app.hub.room(room).await {
        Ok(Some(handle)) if handle.is_local() => handle,
        _ => return reply(Reply::NotOwner),
    };
    let members = &cluster.remote_members;
    let outcome = match request {
        Call::Attach { who, since } => {
            let member = Arc::clone(&who.id);
            handle.attach(who, since).await.map(|outcome| Reply::Attached {
                outcome: outcome.map(|attached| {
                    members.attached(&from, room, member);
                    WireAttached {
                        seq: attached.seq,
                        snapshot: attached.snapshot.map(Box::new),
                        replay: attached.replay.iter().map(|envelope| wire_event(&cluster.node, envelope)).collect(),
                    }
                }),
            })
        }
        Call::Detach { member } => {
            members.detached(&from, room, &member, false);
            handle.detach(member.into());
            Ok(Reply::Done)
        }
        Call::Leave { member } => {
            members.detached(&from, room, &member, true);
            handle.leave(member.into()).await.map(|()| Reply::Done)
        }
        Call::Command { who, id, command } => match handle.command(who, id, command).await {
            Ok(Ok(Accepted::Committing(receipt))) => {
                reply(Reply::Command { outcome: Ok(WireAccepted::Committing) });
                let ok = receipt.await;
                cluster.send_to(&from, &NodeMessage::Committed { call, ok });
                return;
            }
            Ok(outcome) => Ok(Reply::Command {
                outcome: outcome.map(|accepted| match accepted {
                    Accepted::Page(page) => WireAccepted::Page { page },
                    Accepted::Applied | Accepted::Committing(_) => WireAccepted::Applied,
                }),
            }),
            Err(gone) => Err(gone),
        },
        Call::Results => handle.results().await.map(|results| Reply::Results { results: results.map(Box::new) }),
        Call::Participation => handle
            .participation()
            .await
            .map(|participation| Reply::Participation { participation: participation.map(Box::new) }),
        Call::Erase { tenant, user } => match crate::api::erase_here(&app, &[room], &tenant, &user).await {
            Ok(deletion) => Ok(Reply::Erased { deletion }),
            Err(error) => {
                tracing::warn!(%error, %room, "cannot erase a user for another node");
                Err(RoomGone)
            }
        },
        Call::Ateliers { member } => handle.ateliers(member.into()).await.map(|access| Reply::Ateliers { access }),
        Call::BoardExport => {
            handle.board_export().await.map(|export| Reply::BoardExport { export: export.map(Box::new) })
        }
    };
    reply(outcome.unwrap_or(Reply::NotOwner));
}

fn wire_event(node: &str, envelope: &Envelope) -> WireEvent {
    WireEvent {
        node: node.to_string(),
        seq: envelope.seq,
        audience: envelope.audience.clone(),
        message: envelope.message.clone(),
    }
}
