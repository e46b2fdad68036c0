//! Administration: `DELETE /api/v1/admin/users/{id}` erases everything the
//! store holds about one user of the admin's tenant (RGPD right to erasure):
//! their journaled inputs and answers, attendance, completions and outbox
//! messages. It reaches the rooms running now, on this node or another of
//! the cluster (asked through Redis): those that hold the user are stopped
//! first (their connections told to resync with 4012) and the writes they
//! queued committed, then the store is erased, and the next use of such a
//! room rebuilds it from its erased journal.

use amphi_protocol::{ErrorCode, Role};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::store::{Deletion, Write};
use amphi_protocol::CloseCode;
use std::sync::Arc;

/// `DELETE /api/v1/admin/users/{id}`: admins only.
pub async fn delete_user(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(user): Path<String>,
) -> Result<Json<Deletion>, ApiError> {
    if member.role != Role::Admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only an admin deletes a user's data"));
    }
    let rooms = app.store.rooms_of_member(&member.tenant, &user).await.map_err(ApiError::internal)?;
    let mut deletion = Deletion::default();
    // The rooms other nodes run erase there first.
    if let Some(cluster) = app.hub.cluster() {
        let owners = cluster.owners(&rooms).await.map_err(|error| {
            tracing::warn!(%error, "cannot tell which nodes run the user's rooms");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "Redis is unreachable: retry later")
        })?;
        for (room, owner) in rooms.iter().zip(owners) {
            let Some(owner) = owner.filter(|owner| *owner != cluster.node) else { continue };
            let remote = crate::cluster::RemoteRoom::new(*room, owner, Arc::clone(cluster));
            match remote.erase(&member.tenant, &user).await {
                Ok(there) => deletion.add(&there),
                Err(_) => {
                    let message = "a node running one of the user's rooms did not answer: retry later";
                    return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, message));
                }
            }
        }
    }
    let here = erase_here(&app, &rooms, &member.tenant, &user).await.map_err(ApiError::internal)?;
    deletion.add(&here);
    tracing::info!(tenant = %member.tenant, %user, by = %member.id, ?deletion, "user data deleted");
    Ok(Json(deletion))
}

/// Erases `user` of `tenant`: this node's live actors of `rooms` stop
/// first (their writes committed), then the store; a room used again
/// meanwhile (rebuilt from the journal not yet erased) is stopped and the
/// store erased once more.
pub async fn erase_here(
    app: &AppState,
    rooms: &[uuid::Uuid],
    tenant: &str,
    user: &str,
) -> Result<Deletion, crate::store::StoreError> {
    stop_local(app, rooms).await;
    let mut deletion = app.store.delete_user(tenant, user).await?;
    if stop_local(app, rooms).await > 0 {
        deletion.add(&app.store.delete_user(tenant, user).await?);
    }
    // Their files, unless someone else stored the same content.
    for blob in &deletion.blobs {
        if !app.store.upload_kept(blob).await?
            && let Err(error) = app.blobs.remove(blob, std::time::SystemTime::now()).await
        {
            tracing::warn!(%error, %blob, "cannot delete an erased member's file");
        }
    }
    crate::media::sweep::refresh_figures(app).await;
    Ok(deletion)
}

/// [`erase_here`] on this node's app, for the cluster's calls from other
/// nodes.
pub struct Eraser(pub AppState);

impl crate::cluster::Erase for Eraser {
    fn erase<'a>(
        &'a self,
        rooms: &'a [uuid::Uuid],
        tenant: &'a str,
        user: &'a str,
    ) -> futures_util::future::BoxFuture<'a, Result<Deletion, crate::store::StoreError>> {
        Box::pin(erase_here(&self.0, rooms, tenant, user))
    }
}

/// Stops this node's actors of `rooms` (their connections told to resync)
/// and waits until what they queued is committed. Returns how many ran.
async fn stop_local(app: &AppState, rooms: &[uuid::Uuid]) -> usize {
    let mut stopped = 0;
    for room in rooms {
        let Some(handle) = app.hub.local(*room) else { continue };
        app.hub.evict(*room);
        let _ = handle.retire().await;
        app.fanout.close_room(*room, CloseCode::Resync);
        stopped += 1;
    }
    if stopped > 0 {
        // The writer commits in order: once this is, so is all before it.
        let _ = app.writer.submit_durable(Write::Completions(Vec::new())).await;
    }
    stopped
}
