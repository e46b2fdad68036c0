//! Administration: `DELETE /api/v1/admin/users/{id}` erases everything the
//! store holds about one user of the admin's tenant (RGPD right to erasure):
//! their journaled inputs and answers, attendance, completions and outbox
//! messages. It reaches the rooms running on this node: those that hold
//! the user are stopped first (their connections told to resync with 4012)
//! and the writes they queued committed, then the store is erased, and the
//! next use of such a room rebuilds it from its erased journal. A room run
//! by another node of a cluster keeps what it holds in memory until it is
//! started again (send the erasure to its node, or restart it).

use amphi_protocol::{ErrorCode, Role};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::store::{Deletion, Write};
use amphi_protocol::CloseCode;

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
    let restarted = stop_local(&app, &rooms).await;
    let mut deletion = app.store.delete_user(&member.tenant, &user).await.map_err(ApiError::internal)?;
    // A room used again meanwhile was rebuilt from the journal not yet
    // erased: once more, now that it is.
    if stop_local(&app, &rooms).await > 0 {
        let again = app.store.delete_user(&member.tenant, &user).await.map_err(ApiError::internal)?;
        deletion.inputs += again.inputs;
        deletion.attendance += again.attendance;
    }
    tracing::info!(tenant = %member.tenant, %user, by = %member.id, ?deletion, restarted, "user data deleted");
    Ok(Json(deletion))
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
