//! Upload quotas and rate: how many bytes a member, a room and a tenant may
//! keep in the blob store and how often a member may upload; and the claims
//! that tie a blob to the tenant that uploaded it when a post, an atelier
//! file or a production refers to it (which also keeps it from the sweep).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use amphi_protocol::{ErrorCode, RoomKind};

use crate::activity::Refusal;
use crate::app::AppState;
use crate::config::BoardConfig;
use crate::store::{StoreError, UploadRecord, UploadUsage};

/// Buckets kept before the full ones are pruned.
const PRUNE_ABOVE: usize = 4096;

/// A quota an upload would pass: the scope and its limit in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Member(u64),
    Room(u64),
    Tenant(u64),
}

impl Exceeded {
    /// The `amphi_abuse_total` kind.
    pub fn kind(self) -> &'static str {
        match self {
            Exceeded::Member(_) => "upload_quota_member",
            Exceeded::Room(_) => "upload_quota_room",
            Exceeded::Tenant(_) => "upload_quota_tenant",
        }
    }

    /// The message of the `quota_exceeded` refusal, naming the limit.
    pub fn message(self) -> String {
        match self {
            Exceeded::Member(limit) => format!("your files are limited to {limit} bytes in all"),
            Exceeded::Room(limit) => format!("this room's files are limited to {limit} bytes in all"),
            Exceeded::Tenant(limit) => format!("your organisation's files are limited to {limit} bytes in all"),
        }
    }
}

/// How large the next upload may be: `bytes`, and the quota that sets it
/// when a quota is tighter than `board.max_upload_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub bytes: u64,
    pub quota: Option<Exceeded>,
}

/// What `usage` leaves of the quotas of `config`; refused when one is
/// spent.
pub fn allowance(config: &BoardConfig, usage: UploadUsage) -> Result<Allowance, Exceeded> {
    let mut allowance = Allowance { bytes: config.max_upload_bytes, quota: None };
    for (quota, used, scope) in [
        (config.upload_quota_per_member, usage.member, Exceeded::Member as fn(u64) -> Exceeded),
        (config.upload_quota_per_room, usage.room, Exceeded::Room),
        (config.upload_quota_per_tenant, usage.tenant, Exceeded::Tenant),
    ] {
        if quota == 0 {
            continue;
        }
        let left = quota.saturating_sub(used);
        if left == 0 {
            return Err(scope(quota));
        }
        if left < allowance.bytes {
            allowance = Allowance { bytes: left, quota: Some(scope(quota)) };
        }
    }
    Ok(allowance)
}

/// The per-member upload rate: a token bucket per member id.
pub struct UploadRate {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl UploadRate {
    pub fn new(config: &BoardConfig) -> UploadRate {
        UploadRate {
            burst: f64::from(config.upload_burst_per_member),
            per_second: f64::from(config.uploads_per_minute_per_member) / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one upload from `member`'s bucket; `false` when it is empty.
    pub fn take(&self, member: &str, now: Instant) -> bool {
        if self.burst == 0.0 {
            return true;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, (tokens, last)| {
                *tokens + now.saturating_duration_since(*last).as_secs_f64() * rate < burst
            });
        }
        let (tokens, last) = buckets.get(member).copied().unwrap_or((self.burst, now));
        let tokens = (tokens + now.saturating_duration_since(last).as_secs_f64() * self.per_second).min(self.burst);
        if tokens < 1.0 {
            buckets.insert(member.to_string(), (tokens, now));
            return false;
        }
        buckets.insert(member.to_string(), (tokens - 1.0, now));
        true
    }
}

/// `blobs` are referred to in `tenant` (a post, an atelier file, a
/// production): each must have been uploaded in that tenant, and is kept
/// from now on.
pub async fn claim<'b>(app: &AppState, tenant: &str, blobs: impl IntoIterator<Item = &'b str>) -> Result<(), Refusal> {
    let now = crate::hub::now_ms() as i64;
    for blob in blobs {
        match app.store.reference_upload(tenant, blob, now).await {
            Ok(true) => {}
            Ok(false) => {
                let owned = app.store.upload_kept(blob).await.unwrap_or(true);
                if !owned && adopt(app, tenant, blob, now).await {
                    continue;
                }
                if owned {
                    app.metrics.abuse.with_label_values(&["foreign_blob"]).inc();
                }
                return Err(Refusal::new(ErrorCode::NotFound, "no upload has this blob id: upload the file first"));
            }
            Err(error) => {
                tracing::warn!(%error, "cannot record a blob reference");
                return Err(Refusal::new(ErrorCode::Unavailable, "the store is unreachable: retry later"));
            }
        }
    }
    Ok(())
}

/// Records an upload; a blob new to the store adds to the disk figures
/// (the sweep recounts them from the store).
pub async fn record(app: &AppState, upload: &UploadRecord) -> Result<(), StoreError> {
    let new = !app.store.upload_kept(&upload.blob).await?;
    app.store.record_upload(upload).await?;
    if new {
        app.metrics.blobs.inc();
        app.metrics.blob_bytes.add(i64::try_from(upload.size).unwrap_or(i64::MAX));
    }
    Ok(())
}

/// Records that `room` of `tenant` refers to the stored `blobs` too
/// (shared, not copied: a duplicate, a copied post): they count in its
/// quotas, and deleting the other room for good leaves them to this one.
pub async fn share(
    app: &AppState,
    tenant: &str,
    room: &str,
    member: &str,
    mut blobs: Vec<String>,
) -> Result<(), StoreError> {
    blobs.sort();
    blobs.dedup();
    let now = crate::hub::now_ms() as i64;
    for blob in blobs {
        let size = app.blobs.meta(&blob).await.map_or(0, |meta| meta.size);
        let upload = UploadRecord {
            blob,
            tenant: tenant.to_string(),
            room: room.to_string(),
            member: member.to_string(),
            size,
            created_at: now,
            referenced_at: Some(now),
        };
        record(app, &upload).await?;
    }
    Ok(())
}

/// A blob stored before uploads were recorded (no row names it) becomes
/// the referring tenant's, so that the boards made then still edit.
async fn adopt(app: &AppState, tenant: &str, blob: &str, now: i64) -> bool {
    let Some(meta) = app.blobs.meta(blob).await else { return false };
    let upload = UploadRecord {
        blob: blob.to_string(),
        tenant: tenant.to_string(),
        room: String::new(),
        member: String::new(),
        size: meta.size,
        created_at: now,
        referenced_at: Some(now),
    };
    match record(app, &upload).await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, %blob, "cannot adopt an earlier upload");
            false
        }
    }
}

/// The blobs an activity definition refers to (a board's posts, a
/// breakout plan's atelier files), by the room's `kind`.
pub fn blobs_of_activity(kind: RoomKind, activity: &str) -> Vec<String> {
    match kind {
        RoomKind::Board => serde_json::from_str::<crate::activity::board::BoardDefinition>(activity)
            .map(|definition| definition.posts.iter().flat_map(|seed| blobs_of_post(&seed.content)).collect())
            .unwrap_or_default(),
        RoomKind::Breakout => serde_json::from_str::<crate::activity::breakout::BreakoutDefinition>(activity)
            .map(|definition| blobs_of_plan(&definition.plan))
            .unwrap_or_default(),
        RoomKind::Lobby | RoomKind::Quiz => Vec::new(),
    }
}

/// The blobs a post carries (its image, its file, its link card's image).
pub fn blobs_of_post(content: &amphi_protocol::board::PostContent) -> Vec<String> {
    let card = content.link_preview.iter().filter_map(|p| p.image.clone());
    content
        .image
        .iter()
        .map(|i| i.blob.clone())
        .chain(content.file.iter().map(|f| f.blob.clone()))
        .chain(card)
        .collect()
}

/// The files of a plan's ateliers.
pub fn blobs_of_plan(plan: &amphi_protocol::breakout::BreakoutPlan) -> Vec<String> {
    plan.ateliers.iter().flat_map(|atelier| atelier.files.iter().map(|f| f.blob.clone())).collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn config() -> BoardConfig {
        let mut config = crate::config::Config::defaults().board;
        config.max_upload_bytes = 1000;
        config.upload_quota_per_member = 2500;
        config.upload_quota_per_room = 10_000;
        config.upload_quota_per_tenant = 0;
        config
    }

    #[test]
    fn the_tightest_quota_sets_the_allowance() {
        let config = config();
        let usage = |member, room| UploadUsage { member, room, tenant: 1 << 40 };
        assert_eq!(allowance(&config, usage(0, 0)), Ok(Allowance { bytes: 1000, quota: None }));
        assert_eq!(
            allowance(&config, usage(2000, 2000)),
            Ok(Allowance { bytes: 500, quota: Some(Exceeded::Member(2500)) })
        );
        assert_eq!(
            allowance(&config, usage(0, 9800)),
            Ok(Allowance { bytes: 200, quota: Some(Exceeded::Room(10_000)) })
        );
        assert_eq!(allowance(&config, usage(2500, 2500)), Err(Exceeded::Member(2500)));
        assert!(Exceeded::Member(2500).message().contains("2500 bytes"));
    }

    #[test]
    fn uploads_are_limited_per_member() {
        let mut config = config();
        (config.upload_burst_per_member, config.uploads_per_minute_per_member) = (2, 60);
        let rate = UploadRate::new(&config);
        let now = Instant::now();
        assert!(rate.take("a", now) && rate.take("a", now));
        assert!(!rate.take("a", now), "the burst is spent");
        assert!(rate.take("b", now), "another member has their own");
        assert!(rate.take("a", now + Duration::from_secs(1)), "one per second comes back");
    }
}
