//! Registering amphi's webhook endpoint with BigBlueButton at start
//! (`hooks/create`, idempotent on the server), retried with backoff while the
//! server is unreachable; a server without bbb-webhooks is reported once.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Bbb, BbbError, HookRegistration};

/// Where amphi receives callbacks, under its public base URL.
pub fn callback_url(base: &str) -> String {
    format!("{}/api/v1/bbb/webhooks", base.trim_end_matches('/'))
}

/// Registers `callback_url` for every meeting's events, until it is done,
/// refused for good, or the node stops.
pub async fn register(bbb: Arc<dyn Bbb>, callback_url: String, stop: CancellationToken) {
    let hook = HookRegistration { callback_url, meeting_id: None, event_ids: Vec::new(), get_raw: false };
    let backoff = crate::backoff::Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
    let mut failures = 0;
    loop {
        match bbb.hooks_create(&hook).await {
            Ok(created) => {
                tracing::info!(hook = %created.hook_id, duplicate = created.duplicate, url = %hook.callback_url,
                    "BigBlueButton webhooks registered");
                return;
            }
            Err(error @ BbbError::Unsupported { .. }) => {
                tracing::warn!(%error, "BigBlueButton has no bbb-webhooks: video attendance will be missing");
                return;
            }
            Err(error) => {
                tracing::warn!(%error, failures = failures + 1, "cannot register BigBlueButton webhooks yet");
            }
        }
        failures += 1;
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(backoff.delay(failures)) => {}
        }
    }
}
