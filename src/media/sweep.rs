//! The upload sweep: every `board.upload_sweep_interval_s`, uploads that
//! nothing refers to and older than `board.unreferenced_upload_grace_s` are
//! forgotten, and a blob's file is deleted once no upload names it; then
//! the disk figures (`amphi_blobs`, `amphi_blob_bytes`) are refreshed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::store::StoreError;

/// Runs until `stop` is cancelled.
pub async fn run(app: AppState, stop: CancellationToken) {
    let board = &app.config.board;
    let period = Duration::from_secs(board.upload_sweep_interval_s);
    let grace = i64::try_from(board.unreferenced_upload_grace_s.saturating_mul(1000)).unwrap_or(i64::MAX);
    refresh_figures(&app).await;
    loop {
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            () = stop.cancelled() => return,
        }
        let before = (crate::hub::now_ms() as i64).saturating_sub(grace);
        match sweep(&app, before).await {
            Ok(0) => {}
            Ok(files) => tracing::info!(files, "unreferenced uploads removed"),
            Err(error) => tracing::warn!(%error, "the upload sweep failed; it runs again later"),
        }
    }
}

/// Forgets the uploads never referenced and stored before `before`
/// (milliseconds since the epoch) and deletes the files no upload names
/// any more (unless written since `before`: the same content uploaded
/// again meanwhile). Returns the files deleted.
pub async fn sweep(app: &AppState, before: i64) -> Result<usize, StoreError> {
    let blobs = app.store.remove_unreferenced_uploads(before).await?;
    let cutoff = UNIX_EPOCH + Duration::from_millis(u64::try_from(before).unwrap_or(0));
    let mut removed = 0;
    for blob in blobs {
        if app.store.upload_kept(&blob).await? {
            continue;
        }
        match app.blobs.remove(&blob, cutoff.min(SystemTime::now())).await {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, %blob, "cannot delete an unreferenced upload"),
        }
    }
    refresh_figures(app).await;
    Ok(removed)
}

/// Sets `amphi_blobs` and `amphi_blob_bytes` from the store.
pub async fn refresh_figures(app: &AppState) {
    match app.store.upload_figures().await {
        Ok((blobs, bytes)) => {
            app.metrics.blobs.set(i64::try_from(blobs).unwrap_or(i64::MAX));
            app.metrics.blob_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
        Err(error) => tracing::debug!(%error, "cannot read the upload figures"),
    }
}
