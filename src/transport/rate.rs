//! Per-connection command rate limit: a token bucket. Past the bucket a
//! frame is refused with `rate_limited`; a client that keeps sending through
//! another full burst of refusals is abusive and gets closed.

use std::time::Instant;

/// What to do with one incoming frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused,
    Abuse,
}

#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
    refused_in_a_row: u32,
}

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32, now: Instant) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_second),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            last: now,
            refused_in_a_row: 0,
        }
    }

    pub fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.refused_in_a_row = 0;
            return Verdict::Allowed;
        }
        self.refused_in_a_row += 1;
        if f64::from(self.refused_in_a_row) > self.burst { Verdict::Abuse } else { Verdict::Refused }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_passes_then_frames_are_refused_then_abuse_closes() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 20, start);
        for _ in 0..20 {
            assert_eq!(limiter.check(start), Verdict::Allowed);
        }
        for _ in 0..20 {
            assert_eq!(limiter.check(start), Verdict::Refused);
        }
        assert_eq!(limiter.check(start), Verdict::Abuse);
    }

    #[test]
    fn tokens_come_back_at_the_sustained_rate() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 10, start);
        for _ in 0..10 {
            limiter.check(start);
        }
        assert_eq!(limiter.check(start), Verdict::Refused);
        let later = start + Duration::from_millis(250);
        assert_eq!(limiter.check(later), Verdict::Allowed);
        assert_eq!(limiter.check(later), Verdict::Allowed);
        assert_eq!(limiter.check(later), Verdict::Refused, "2.5 tokens came back in 250 ms");
    }
}
