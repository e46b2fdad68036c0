//! The retention purge: once an hour, guests' names older than
//! `store.guest_retention_days` are blanked in the store.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::Store;

const PERIOD: Duration = Duration::from_secs(3600);
const DAY_MS: i64 = 24 * 3600 * 1000;

/// Runs until `stop` is cancelled (at once when `days` is 0: keep forever).
pub async fn run(store: Store, days: u64, stop: CancellationToken) {
    if days == 0 {
        return;
    }
    while !stop.is_cancelled() {
        let before = crate::hub::now_ms() as i64 - i64::try_from(days).unwrap_or(i64::MAX / DAY_MS) * DAY_MS;
        match store.purge_guests(before).await {
            Ok(0) => {}
            Ok(rows) => tracing::info!(rows, days, "guests' names past retention blanked"),
            Err(error) => tracing::warn!(%error, "the retention purge failed; it runs again within the hour"),
        }
        tokio::select! {
            () = tokio::time::sleep(PERIOD) => {}
            () = stop.cancelled() => {}
        }
    }
}
