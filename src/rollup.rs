//! The statistics' rollup task: every `statistics.rollup_interval_s`, the
//! journal's new inputs are counted into the store's rollup
//! (`Store::roll_up_inputs`), off the live path.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::Store;

/// Runs until `stop` is cancelled.
pub async fn run(store: Store, every: Duration, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = stop.cancelled() => return,
        }
        match store.roll_up_inputs().await {
            Ok(0) => {}
            Ok(rooms) => tracing::debug!(rooms, "journal rolled up for the statistics"),
            Err(error) => tracing::warn!(%error, "the statistics' rollup failed; it runs again later"),
        }
    }
}
