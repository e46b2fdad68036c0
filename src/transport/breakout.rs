//! Breakout commands on their way to their room (files claimed and
//! described from the store, a video problem refused from clients), and
//! the names of an atelier's meeting and video link. What an accepted
//! command does with BigBlueButton is the effects runner's (`src/effects.rs`).

use amphi_protocol::ErrorCode;
use amphi_protocol::breakout::{BreakoutCommand, ProductionContent};

use crate::activity::Refusal;
use crate::app::AppState;

/// Fills in an uploaded production file's type and size from the store;
/// claims the files of a production or a plan for the member's tenant. A
/// video problem is the server's to tell, never a client's.
pub async fn prepare(app: &AppState, tenant: &str, command: BreakoutCommand) -> Result<BreakoutCommand, Refusal> {
    Ok(match command {
        BreakoutCommand::SetVideo { problem: Some(_), .. } => {
            return Err(Refusal::new(ErrorCode::InvalidField, "`problem` is set by the server only"));
        }
        BreakoutCommand::SubmitProduction { content: ProductionContent { text, link, file: Some(mut file) } } => {
            crate::media::uploads::claim(app, tenant, [file.blob.as_str()]).await?;
            let meta = app.blobs.meta(&file.blob).await.ok_or_else(|| {
                Refusal::new(ErrorCode::NotFound, "no upload has this blob id: upload the file first")
            })?;
            file.name = file.name.trim().to_string();
            file.content_type = meta.content_type;
            file.size = meta.size;
            BreakoutCommand::SubmitProduction { content: ProductionContent { text, link, file: Some(file) } }
        }
        BreakoutCommand::SetPlan { plan } => {
            let blobs = crate::media::uploads::blobs_of_plan(&plan);
            crate::media::uploads::claim(app, tenant, blobs.iter().map(String::as_str)).await?;
            BreakoutCommand::SetPlan { plan }
        }
        other => other,
    })
}

/// The meeting of an atelier.
pub fn meeting_id(room: uuid::Uuid, atelier: &str) -> String {
    format!("{}-{atelier}", crate::bbb::attendance::meeting_prefix(&room.to_string()))
}

/// The link a member follows to their atelier's video room (it answers with
/// their own signed join URL).
pub fn video_link(room: uuid::Uuid, atelier: &str) -> String {
    format!("/api/v1/sessions/{room}/ateliers/{atelier}/video")
}
