//! The outbox delivery worker: sends each outbox message (a completion
//! change) to the configured endpoint as a JSON POST, signed with
//! HMAC-SHA256, until the endpoint answers 2xx. Delivery is at least once;
//! the `X-Amphi-Delivery` header carries the message's stable id for the
//! receiver to deduplicate on. Failed messages are retried with exponential
//! backoff, for as long as it takes: an endpoint down for hours loses
//! nothing.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::config::OutboxConfig;
use crate::metrics::Metrics;
use crate::store::{OutboxRecord, Store};

/// The topic of completion changes, delivered to `outbox.endpoint` (grades
/// for LTI platforms have their own, `lti_score`, delivered by
/// [`crate::lti::grades`]).
pub const COMPLETION_TOPIC: &str = "completion";

/// Messages fetched per poll.
const BATCH: i64 = 100;

/// The header carrying the stable delivery id.
pub const DELIVERY_HEADER: &str = "x-amphi-delivery";
/// The header carrying `sha256=<hex>` of the body's HMAC.
pub const SIGNATURE_HEADER: &str = "x-amphi-signature";
/// The header carrying the message's topic (`completion`).
pub const TOPIC_HEADER: &str = "x-amphi-topic";

/// Runs until `stop` is cancelled. Does nothing without an endpoint.
pub async fn run(store: Store, config: OutboxConfig, metrics: std::sync::Arc<Metrics>, stop: CancellationToken) {
    if config.endpoint.is_empty() {
        return;
    }
    let client = match reqwest::Client::builder().timeout(Duration::from_millis(config.timeout_ms)).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the outbox's HTTP client: completions will not be delivered");
            return;
        }
    };
    let poll = Duration::from_millis(config.poll_ms);
    tracing::info!(endpoint = %config.endpoint, "outbox delivery started");
    while !stop.is_cancelled() {
        let due = match store.outbox_due(COMPLETION_TOPIC, now_ms(), BATCH).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "cannot read the outbox");
                Vec::new()
            }
        };
        let idle = due.is_empty();
        for message in due {
            if stop.is_cancelled() {
                break;
            }
            deliver(&store, &client, &config, &metrics, message).await;
        }
        if idle {
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = stop.cancelled() => {}
            }
        }
    }
}

async fn deliver(
    store: &Store,
    client: &reqwest::Client,
    config: &OutboxConfig,
    metrics: &Metrics,
    message: OutboxRecord,
) {
    let mut request = client
        .post(&config.endpoint)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(DELIVERY_HEADER, &message.id)
        .header(TOPIC_HEADER, &message.topic);
    if !config.secret.is_empty() {
        request = request.header(SIGNATURE_HEADER, signature(&config.secret, message.payload.as_bytes()));
    }
    let outcome = match request.body(message.payload.clone()).send().await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("the endpoint answered {}", response.status())),
        Err(error) => Err(format!("cannot reach the endpoint: {error}")),
    };
    let recorded = match outcome {
        Ok(()) => {
            metrics.outbox_deliveries.with_label_values(&["delivered"]).inc();
            store.outbox_delivered(&message.id, now_ms()).await
        }
        Err(error) => {
            metrics.outbox_deliveries.with_label_values(&["failed"]).inc();
            let delay = backoff_ms(message.attempts.into(), config.max_backoff_ms);
            tracing::debug!(id = %message.id, attempts = message.attempts + 1, %error, delay_ms = delay, "delivery failed");
            store.outbox_failed(&message.id, now_ms() + delay as i64, &error).await
        }
    };
    if let Err(error) = recorded {
        // Delivered but not marked: it will be sent again (at least once).
        tracing::warn!(%error, id = %message.id, "cannot record a delivery attempt");
    }
}

/// `sha256=<hex>` of the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The delay before the next attempt after `attempts` failed ones (the
/// mail worker's and the grades' too): up to 1 s, doubling, capped at
/// `max_ms`, jittered (see [`crate::backoff`]).
pub(crate) fn backoff_ms(attempts: i64, max_ms: u64) -> u64 {
    let failures = u32::try_from(attempts.clamp(0, 30)).unwrap_or(30) + 1;
    let backoff = Backoff::new(Duration::from_secs(1), Duration::from_millis(max_ms));
    u64::try_from(backoff.delay(failures).as_millis()).unwrap_or(max_ms)
}

fn now_ms() -> i64 {
    crate::hub::now_ms() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let within = |attempts, low, high| {
            let delay = backoff_ms(attempts, 60_000);
            assert!((low..=high).contains(&delay), "{attempts} attempts: {delay} ms");
        };
        within(0, 500, 1000);
        within(1, 1000, 2000);
        within(5, 16_000, 32_000);
        within(6, 30_000, 60_000);
        within(1000, 30_000, 60_000);
    }

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231 test case 2.
        let mac = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(mac, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
