//! The uploaded files (blobs) a library item's content refers to: a board
//! template's post images and files, an ateliers plan's documents. The blob
//! store is content-addressed and its blobs never change, so a copy refers
//! to the same blobs as the item (never duplicated): what a tenant may read
//! is decided by the `uploads` rows of that tenant (`media::uploads`). A
//! published version holds its blobs for the author's tenant, and a copy
//! for the copier's, with rows `room = "library:<item>"`, `member =
//! "library:<tenant>"` (never a room or member id: a room's sweep or a
//! member's erasure leaves them). A tenant that has not copied the item has
//! no such row: its members are not served the blobs.

use super::*;

/// The blobs `content` (a version's definition of `kind`) refers to.
pub(super) fn blobs_of(kind: LibraryKind, content: &str) -> Vec<String> {
    let room_kind = match kind {
        LibraryKind::Quiz => RoomKind::Quiz,
        LibraryKind::Board => RoomKind::Board,
        LibraryKind::Plan => RoomKind::Breakout,
    };
    let mut blobs = crate::media::uploads::blobs_of_activity(room_kind, content);
    blobs.sort();
    blobs.dedup();
    blobs
}

/// The pseudo-room and pseudo-member of the rows holding `item`'s blobs
/// for `tenant`.
pub(super) fn holder(item: Uuid, tenant: &str) -> (String, String) {
    (format!("library:{item}"), format!("library:{tenant}"))
}

/// Checks that each of `blobs` was uploaded in the author's tenant and is
/// still stored (a content may name only the tenant's own files).
pub(super) async fn check_owned(app: &AppState, member: &Member, blobs: &[String]) -> Result<(), ApiError> {
    for blob in blobs {
        let owned = app.store.upload_in_tenant(&member.tenant, blob).await.map_err(ApiError::internal)?;
        if !owned || app.blobs.meta(blob).await.is_none() {
            return Err(bad(
                ErrorCode::InvalidField,
                format!("the activity refers to the file {blob}, which is not an upload of your académie"),
            ));
        }
    }
    Ok(())
}

/// Records that `tenant` holds `blobs` through library item `item` (the
/// author's at publication, a copier's before the copy is made), so that
/// its members are served them and the copy's own checks find them.
pub(super) async fn hold(app: &AppState, item: Uuid, tenant: &str, blobs: &[String]) -> Result<(), ApiError> {
    let (room, member) = holder(item, tenant);
    let now = crate::hub::now_ms() as i64;
    for blob in blobs {
        let meta = app.blobs.meta(blob).await.ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("the file {blob} of this item is gone"))
        })?;
        let upload = crate::store::UploadRecord {
            blob: blob.clone(),
            tenant: tenant.to_string(),
            room: room.clone(),
            member: member.clone(),
            size: meta.size,
            created_at: now,
            referenced_at: Some(now),
        };
        crate::media::uploads::record(app, &upload).await.map_err(ApiError::internal)?;
    }
    Ok(())
}
