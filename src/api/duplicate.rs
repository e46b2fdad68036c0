//! `POST /api/v1/rooms/{id}/duplicate`: a copy of a room in the same tenant,
//! owned by the caller, titled « … (copie) ». A board is copied as it is now
//! (sections, settings and visible posts; not likes nor comments), sharing
//! its files by reference: the blobs are not copied, the new room records
//! them as its own uploads so that each board keeps them. Other rooms copy
//! their activity's definition (a quiz, a plan of ateliers), nothing
//! answered.

use amphi_protocol::{ErrorCode, RoomKind};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::rooms::{claim_blobs, require_leader, room_json, visible_room};
use super::{ApiError, Bearer};
use crate::activity::board::MAX_TITLE_CHARS;
use crate::app::AppState;
use crate::media::uploads;

/// What a copy's title ends with.
pub const COPY_SUFFIX: &str = " (copie)";

/// `title` with [`COPY_SUFFIX`], cut to `max` characters in all.
pub fn copy_title(title: &str, max: usize) -> String {
    let keep = max.saturating_sub(COPY_SUFFIX.chars().count());
    let mut copy: String = title.chars().take(keep).collect::<String>().trim_end().to_string();
    copy.push_str(COPY_SUFFIX);
    copy
}

pub async fn duplicate(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_leader(&member)?;
    let original = visible_room(&app, &member, &id).await?;
    let record = &original.record;
    let title = copy_title(&record.title, app.config.limits.max_title_chars.min(MAX_TITLE_CHARS));
    let activity = match record.kind {
        RoomKind::Board => {
            let export = original.board_export().await.ok().flatten().ok_or_else(|| {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the board is not available")
            })?;
            let mut definition = export.definition;
            definition.title = title.clone();
            // A duplicate starts without reactions (an export keeps their counts).
            for post in &mut definition.posts {
                (post.likes, post.rating) = (0, Default::default());
            }
            Some(serde_json::to_string(&definition).map_err(ApiError::internal)?)
        }
        RoomKind::Breakout => match &record.activity {
            Some(stored) => {
                let mut definition: crate::activity::breakout::BreakoutDefinition =
                    serde_json::from_str(stored).map_err(ApiError::internal)?;
                definition.title = title.clone();
                Some(serde_json::to_string(&definition).map_err(ApiError::internal)?)
            }
            None => None,
        },
        RoomKind::Lobby | RoomKind::Quiz => record.activity.clone(),
    };
    let blobs = match &activity {
        Some(activity) => uploads::blobs_of_activity(record.kind, activity),
        None => Vec::new(),
    };
    claim_blobs(&app, &member.tenant, blobs.clone()).await?;
    let copy = app
        .hub
        .create_room(&member.tenant, &title, &member.id, record.kind, activity)
        .await
        .map_err(ApiError::internal)?;
    // The copy's own references to the shared files: deleting either board
    // for good leaves the other's.
    uploads::share(&app, &member.tenant, &copy.id().to_string(), &member.id, blobs)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(from = %record.id, room = %copy.id(), by = %member.id, "room duplicated");
    Ok((StatusCode::CREATED, Json(room_json(&copy.record))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_title_fits_its_limit() {
        assert_eq!(copy_title("Mur", 200), "Mur (copie)");
        let long = "é".repeat(200);
        let copy = copy_title(&long, 200);
        assert_eq!(copy.chars().count(), 200);
        assert!(copy.ends_with(" (copie)"));
    }
}
