//! The retention purges: once an hour, guests' names older than
//! `store.guest_retention_days` are blanked in the store, and rooms trashed
//! more than `store.trash_retention_days` ago are deleted for good.

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

/// Deletes for good, once an hour, the rooms trashed more than `days` ago,
/// until `stop` is cancelled (at once when `days` is 0: kept until the
/// trash is emptied).
pub async fn run_trash(store: Store, days: u64, stop: CancellationToken) {
    if days == 0 {
        return;
    }
    while !stop.is_cancelled() {
        let before = crate::hub::now_ms() as i64 - i64::try_from(days).unwrap_or(i64::MAX / DAY_MS) * DAY_MS;
        match store.purge_trash(before).await {
            Ok(rooms) if rooms.is_empty() => {}
            Ok(rooms) => tracing::info!(rooms = rooms.len(), days, "rooms past the trash retention deleted"),
            Err(error) => tracing::warn!(%error, "the trash purge failed; it runs again within the hour"),
        }
        tokio::select! {
            () = tokio::time::sleep(PERIOD) => {}
            () = stop.cancelled() => {}
        }
    }
}
