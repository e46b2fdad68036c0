//! Administration: `DELETE /api/v1/admin/users/{id}` erases everything the
//! store holds about one user of the admin's tenant (RGPD right to erasure):
//! their journaled inputs and answers, attendance, completions and outbox
//! messages. Rooms running on this node keep what they hold in memory until
//! they are started again.

use amphi_protocol::{ErrorCode, Role};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::store::Deletion;

/// `DELETE /api/v1/admin/users/{id}`: admins only.
pub async fn delete_user(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(user): Path<String>,
) -> Result<Json<Deletion>, ApiError> {
    if member.role != Role::Admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "only an admin deletes a user's data"));
    }
    let deletion = app.store.delete_user(&member.tenant, &user).await.map_err(ApiError::internal)?;
    tracing::info!(tenant = %member.tenant, %user, by = %member.id, ?deletion, "user data deleted");
    Ok(Json(deletion))
}
