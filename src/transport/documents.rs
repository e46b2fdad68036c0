//! A file added to an atelier while it runs (`add_file`): its upload is
//! claimed for the tenant and described from the store, and, when the
//! atelier's BigBlueButton meeting runs, handed to it with `insertDocument`
//! (BigBlueButton 2.5+), BigBlueButton fetching it by a signed, expiring
//! link on amphi's public address. The command then says what became of
//! it (`video`): inserted, or, on an older server (2.4 has no
//! `insertDocument`) or a failure, on the atelier's page only. A meeting
//! not created yet gets the atelier's files when it is.

use amphi_protocol::ErrorCode;
use amphi_protocol::breakout::{BreakoutCommand, DocumentDelivery};

use crate::activity::Refusal;
use crate::app::AppState;
use crate::bbb::{BbbError, Document};

/// How long the link given to BigBlueButton works.
const DOCUMENT_LINK_SECONDS: u64 = 24 * 3600;

/// Fills an `add_file` command; any other passes unchanged.
pub async fn prepare(
    app: &AppState,
    tenant: &str,
    room: &str,
    command: BreakoutCommand,
) -> Result<BreakoutCommand, Refusal> {
    let BreakoutCommand::AddFile { atelier, mut file, video } = command else {
        return Ok(command);
    };
    if video.is_some() {
        return Err(Refusal::new(ErrorCode::InvalidField, "`video` is set by the server only"));
    }
    crate::media::uploads::claim(app, tenant, [file.blob.as_str()]).await?;
    let meta = app
        .blobs
        .meta(&file.blob)
        .await
        .ok_or_else(|| Refusal::new(ErrorCode::NotFound, "no upload has this blob id: upload the file first"))?;
    file.name = file.name.trim().to_string();
    file.content_type = meta.content_type;
    file.size = meta.size;
    let video = match uuid::Uuid::parse_str(room) {
        Ok(room) => deliver(app, tenant, room, &atelier, &file).await,
        Err(_) => None,
    };
    Ok(BreakoutCommand::AddFile { atelier, file, video })
}

/// Hands the file to the atelier's running meeting, if there is one.
async fn deliver(
    app: &AppState,
    tenant: &str,
    room: uuid::Uuid,
    atelier: &str,
    file: &amphi_protocol::board::File,
) -> Option<DocumentDelivery> {
    let bbb = app.bbb.as_ref()?;
    let base = app.config.bbb.callback_base_url.trim_end_matches('/');
    if base.is_empty() {
        return None; // BigBlueButton could not fetch it
    }
    let meeting = super::breakout::meeting_id(room, atelier);
    match bbb.get_meeting_info(&meeting).await {
        Ok(_) => {}
        Err(error) if error.is_not_found() => return None, // created later, with the file
        Err(error) => {
            tracing::warn!(%error, %meeting, "cannot check an atelier's video room for a new file");
            return Some(DocumentDelivery::Failed);
        }
    }
    let access = app.blob_links.token(tenant, crate::auth::unix_seconds() + DOCUMENT_LINK_SECONDS);
    let document = Document {
        url: format!("{base}/api/v1/blobs/{}?access={access}", file.blob),
        filename: Some(file.name.clone()),
    };
    match bbb.insert_document(&meeting, std::slice::from_ref(&document)).await {
        Ok(()) => Some(DocumentDelivery::Inserted),
        Err(BbbError::Unsupported { .. }) => {
            tracing::info!(%meeting, "BigBlueButton before 2.5: a file added later is on the atelier's page only");
            Some(DocumentDelivery::Unsupported)
        }
        Err(error) => {
            tracing::warn!(%error, %meeting, "BigBlueButton did not take an atelier's new file");
            Some(DocumentDelivery::Failed)
        }
    }
}
