//! One exponential backoff with jitter for every retry loop (the outbox,
//! mails and grades, the BigBlueButton client, its webhook registration and
//! meeting creation, the cluster's Redis subscription, the store writer):
//! the ceiling doubles from `first` up to `max`, and each pause is drawn in
//! the upper half of it ("equal jitter"), so that nodes and rooms that
//! failed together do not all come back in the same instant.

use std::time::Duration;

use rand::Rng;

/// A doubling ceiling between `first` and `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    pub const fn new(first: Duration, max: Duration) -> Backoff {
        Backoff { first, max }
    }

    /// The longest pause after `failures` failed attempts in a row (1 for
    /// the first failure): `first`, doubling, capped at `max`.
    pub fn ceiling(&self, failures: u32) -> Duration {
        let factor = 1u32.checked_shl(failures.saturating_sub(1)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }

    /// The pause after `failures` failed attempts: between half the
    /// ceiling and the ceiling, at random.
    pub fn delay(&self, failures: u32) -> Duration {
        let ceiling = self.ceiling(failures);
        let half = ceiling / 2;
        half + rand::rng().random_range(Duration::ZERO..=ceiling - half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: Backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));

    #[test]
    fn the_ceiling_doubles_up_to_its_cap() {
        let ceilings: Vec<u128> = (0..=8).map(|n| BACKOFF.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        assert_eq!(BACKOFF.ceiling(u32::MAX), Duration::from_secs(5));
    }

    #[test]
    fn pauses_are_jittered_within_the_upper_half() {
        let pauses: Vec<Duration> = (0..200).map(|_| BACKOFF.delay(4)).collect();
        assert!(pauses.iter().all(|p| (Duration::from_millis(400)..=Duration::from_millis(800)).contains(p)));
        let distinct: std::collections::BTreeSet<_> = pauses.iter().collect();
        assert!(distinct.len() > 50, "not spread: {} distinct pauses of 200", distinct.len());
    }
}
