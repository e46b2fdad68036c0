//! Callbacks from BigBlueButton that amphi refused (a wrong checksum or
//! token, an expired analytics JWT): counted in
//! `amphi_bbb_callbacks_refused_total{callback, reason}`, and told by
//! `/readyz` for [`RECENT_MS`] after the last one, since bbb-webhooks counts
//! a 401 as delivered and would otherwise lose every event silently.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use prometheus::{IntCounterVec, Opts, Registry};

/// How long `/readyz` mentions the last refusal.
pub const RECENT_MS: i64 = 15 * 60 * 1000;

pub struct CallbackRefusals {
    counter: IntCounterVec,
    last_ms: AtomicI64,
    total: AtomicU64,
}

impl CallbackRefusals {
    pub fn new(registry: &Registry) -> CallbackRefusals {
        let counter = IntCounterVec::new(
            Opts::new("bbb_callbacks_refused_total", "BigBlueButton callbacks refused, by callback and reason"),
            &["callback", "reason"],
        )
        .expect("valid metric");
        if let Err(error) = registry.register(Box::new(counter.clone())) {
            tracing::warn!(%error, "cannot register the BigBlueButton callbacks metric");
        }
        CallbackRefusals { counter, last_ms: AtomicI64::new(0), total: AtomicU64::new(0) }
    }

    /// Counts one refusal of `callback` (`webhooks`, `analytics`).
    pub fn record(&self, callback: &str, reason: &str, now_ms: i64) {
        self.counter.with_label_values(&[callback, reason]).inc();
        self.total.fetch_add(1, Ordering::Relaxed);
        self.last_ms.store(now_ms, Ordering::Relaxed);
    }

    /// What `/readyz` says while a refusal is recent.
    pub fn warning(&self, now_ms: i64) -> Option<String> {
        let last = self.last_ms.load(Ordering::Relaxed);
        (last > 0 && now_ms - last < RECENT_MS).then(|| {
            format!(
                "BigBlueButton callbacks were refused ({} since start, the last {} s ago): check bbb.secret, \
                 bbb.checksum_algorithm and bbb.webhook_auth against the BigBlueButton server",
                self.total.load(Ordering::Relaxed),
                (now_ms - last) / 1000
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_counted_and_told_for_a_while() {
        let registry = Registry::new();
        let refusals = CallbackRefusals::new(&registry);
        assert_eq!(refusals.warning(1_000_000), None);
        refusals.record("webhooks", "checksum_mismatch", 1_000_000);
        assert!(refusals.warning(1_000_000 + 60_000).unwrap().contains("1 since start"));
        assert_eq!(refusals.warning(1_000_000 + RECENT_MS), None, "forgotten after a quarter of an hour");
        let families = registry.gather();
        assert_eq!(families[0].get_metric()[0].get_counter().get_value(), 1.0);
    }
}
