//! An award's evidence: what the recipient made in the badge's activity
//! (or each activity of its series): their visible board posts and the
//! productions of the ateliers they worked in. The credential links each
//! one (`…/evidence#post-ID`, `…/evidence#atelier-ID`); the evidence page
//! shows them as they are now (a post deleted since is gone from it), and
//! their files are served from the award's URL, those files only.

use amphi_protocol::RoomKind;
use amphi_protocol::board::{PostContent, PostStatus};
use amphi_protocol::breakout::ProductionContent;
use serde::Serialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::store::{AwardRecord, BadgeRecord, StoreError};

/// Most contributions one award lists (a prolific poster's first ones).
pub const MAX_CONTRIBUTIONS: usize = 20;

/// What a contribution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    BoardPost,
    AtelierProduction,
}

/// How a file of a contribution is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileRole {
    /// Shown.
    Image,
    /// Downloaded.
    File,
}

/// One thing the recipient made.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// Its anchor on the evidence page: `post-ID` or `atelier-ID`.
    pub anchor: String,
    pub kind: ContributionKind,
    /// The activity's title.
    pub activity: String,
    /// The post's title, or the atelier's name.
    pub title: String,
    pub text: String,
    pub link: Option<String>,
    /// An embedded video's URL.
    pub video: Option<String>,
    /// The post's image or the file attached, served from the award's URL.
    pub files: Vec<EvidenceFile>,
    /// When it was posted or handed in (ms since the Unix epoch).
    pub at: u64,
}

/// A file of a contribution.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceFile {
    pub blob: String,
    pub name: String,
    pub role: FileRole,
    pub alt: String,
}

impl Contribution {
    /// The credential's `Evidence` name for it, in French.
    pub fn evidence_name(&self) -> String {
        match self.kind {
            ContributionKind::BoardPost => format!("Contribution au mur «\u{a0}{}\u{a0}»", self.activity),
            ContributionKind::AtelierProduction => format!("Production de l’atelier «\u{a0}{}\u{a0}»", self.title),
        }
    }

    /// The credential's `Evidence` narrative: its title and the start of
    /// its text.
    pub fn narrative(&self) -> String {
        let excerpt: String = self.text.chars().take(200).collect();
        let ellipsis = if self.text.chars().count() > 200 { "…" } else { "" };
        match (self.kind, excerpt.is_empty()) {
            (ContributionKind::BoardPost, true) => self.title.clone(),
            (ContributionKind::BoardPost, false) => format!("{}\u{a0}: {excerpt}{ellipsis}", self.title),
            (ContributionKind::AtelierProduction, true) => {
                self.link.clone().unwrap_or_else(|| "Production remise".into())
            }
            (ContributionKind::AtelierProduction, false) => format!("{excerpt}{ellipsis}"),
        }
    }
}

/// What the recipient of `award` made in the badge's activities, in
/// activity order, then board order, at most [`MAX_CONTRIBUTIONS`]. An
/// activity whose room cannot be reached now (its node down) gives none.
pub async fn contributions(
    app: &AppState,
    award: &AwardRecord,
    badge: &BadgeRecord,
) -> Result<Vec<Contribution>, StoreError> {
    let series = app.store.badge_series(badge.id).await?;
    let activities = if series.is_empty() { vec![badge.activity] } else { series };
    let mut found = Vec::new();
    for activity in activities {
        found.extend(of_activity(app, activity, &award.recipient).await?);
        if found.len() >= MAX_CONTRIBUTIONS {
            found.truncate(MAX_CONTRIBUTIONS);
            break;
        }
    }
    Ok(found)
}

async fn of_activity(app: &AppState, activity: Uuid, recipient: &str) -> Result<Vec<Contribution>, StoreError> {
    let Some(record) = app.store.room(activity).await? else { return Ok(Vec::new()) };
    if !matches!(record.kind, RoomKind::Board | RoomKind::Breakout) {
        return Ok(Vec::new());
    }
    let handle = match app.hub.room(activity).await {
        Ok(Some(handle)) => handle,
        Ok(None) => return Ok(Vec::new()),
        Err(error) => {
            tracing::warn!(%error, %activity, "evidence: the activity's room is unavailable");
            return Ok(Vec::new());
        }
    };
    let title = record.title.clone();
    let found = match record.kind {
        RoomKind::Board => match handle.board_export().await {
            Ok(Some(export)) => export
                .rows
                .into_iter()
                .filter(|row| row.post.status == PostStatus::Visible && row.post.author.as_deref() == Some(recipient))
                .map(|row| board_post(&title, row.post.id, row.post.content, row.post.created_at))
                .collect(),
            _ => Vec::new(),
        },
        _ => match handle.participation().await {
            Ok(Some(participation)) => {
                let worked_in = participation
                    .members
                    .iter()
                    .find(|m| m.member == recipient)
                    .map(|m| m.ateliers.keys().cloned().collect::<Vec<_>>())
                    .unwrap_or_default();
                participation
                    .ateliers
                    .into_iter()
                    .filter(|a| worked_in.contains(&a.id))
                    .filter_map(|a| a.production.map(|p| production(&title, &a.id, &a.name, p.content, p.at)))
                    .collect()
            }
            _ => Vec::new(),
        },
    };
    Ok(found)
}

fn board_post(activity: &str, id: String, content: PostContent, at: u64) -> Contribution {
    let mut files = Vec::new();
    if let Some(image) = content.image {
        files.push(EvidenceFile { name: image.blob.clone(), blob: image.blob, role: FileRole::Image, alt: image.alt });
    }
    if let Some(file) = content.file {
        files.push(EvidenceFile { blob: file.blob, name: file.name, role: FileRole::File, alt: String::new() });
    }
    Contribution {
        anchor: format!("post-{id}"),
        kind: ContributionKind::BoardPost,
        activity: activity.to_string(),
        title: content.title,
        text: content.text,
        link: content.link,
        video: content.video.map(|v| v.url),
        files,
        at,
    }
}

fn production(activity: &str, atelier: &str, name: &str, content: ProductionContent, at: u64) -> Contribution {
    let files = content
        .file
        .into_iter()
        .map(|file| EvidenceFile { blob: file.blob, name: file.name, role: FileRole::File, alt: String::new() })
        .collect();
    Contribution {
        anchor: format!("atelier-{atelier}"),
        kind: ContributionKind::AtelierProduction,
        activity: activity.to_string(),
        title: name.to_string(),
        text: content.text.unwrap_or_default(),
        link: content.link,
        video: None,
        files,
        at,
    }
}
