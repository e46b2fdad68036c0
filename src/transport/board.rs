//! What a board command needs before it reaches its room, where nothing may
//! wait on I/O or depend on config: a video link becomes its host's embed
//! URL (allowed hosts only), and an uploaded image or file is looked up in
//! the blob store, whose sniffed type and size replace whatever the client
//! said, and claimed for the member's tenant (another tenant's upload is
//! unknown here). The room then journals the prepared command.

use amphi_protocol::ErrorCode;
use amphi_protocol::board::{BoardCommand, PostContent};

use crate::activity::Refusal;
use crate::app::AppState;

/// `command`, ready for its room.
pub async fn prepare(app: &AppState, tenant: &str, command: BoardCommand) -> Result<BoardCommand, Refusal> {
    Ok(match command {
        BoardCommand::Post { section, before, content } => {
            BoardCommand::Post { section, before, content: prepare_content(app, tenant, content).await? }
        }
        BoardCommand::Edit { post, version, content } => {
            BoardCommand::Edit { post, version, content: prepare_content(app, tenant, content).await? }
        }
        BoardCommand::CopyPost { .. } => {
            return Err(Refusal::new(
                ErrorCode::InvalidField,
                "posts are copied with POST /api/v1/boards/{board}/posts/{post}/copy",
            ));
        }
        other => other,
    })
}

async fn prepare_content(app: &AppState, tenant: &str, mut content: PostContent) -> Result<PostContent, Refusal> {
    if let Some(video) = &mut content.video {
        let hosts = &app.config.board.video_hosts;
        video.url = crate::media::video::embed_url(&video.url, hosts).ok_or_else(|| {
            Refusal::new(
                ErrorCode::InvalidField,
                format!("videos are embedded from these hosts only: {}", hosts.join(", ")),
            )
        })?;
    }
    // The tenant first: nothing is said of another tenant's upload.
    crate::media::uploads::claim(
        app,
        tenant,
        crate::media::uploads::blobs_of_post(&content).iter().map(String::as_str),
    )
    .await?;
    if let Some(image) = &content.image {
        let meta = app.blobs.meta(&image.blob).await.ok_or_else(unknown_blob)?;
        if !meta.is_image() {
            return Err(Refusal::new(
                ErrorCode::FileTypeRefused,
                format!("this upload is {}, not an image", meta.content_type),
            ));
        }
    }
    if let Some(blob) = content.link_preview.as_ref().and_then(|p| p.image.as_ref()) {
        let meta = app.blobs.meta(blob).await.ok_or_else(unknown_blob)?;
        if !meta.is_image() {
            return Err(Refusal::new(
                ErrorCode::FileTypeRefused,
                format!("a link card's image is {}, not an image", meta.content_type),
            ));
        }
    }
    if let Some(file) = &mut content.file {
        let meta = app.blobs.meta(&file.blob).await.ok_or_else(unknown_blob)?;
        file.name = file.name.trim().to_string();
        file.content_type = meta.content_type;
        file.size = meta.size;
    }
    Ok(content)
}

fn unknown_blob() -> Refusal {
    Refusal::new(ErrorCode::NotFound, "no upload has this blob id: upload the file first")
}
