//! Limits on joining by code (`hello` with `join_code`), shared by every
//! connection of the node: new guests per source address and per room
//! (token buckets), and failed code guesses per source address, answered
//! with a lockout that doubles with each further failure. A refusal is
//! `rate_limited`; each one is counted in `amphi_abuse_total`.
//!
//! Addresses are keyed as seen by the server (behind a reverse proxy, every
//! client is the proxy's address: raise the limits there); an IPv6 address
//! counts as its /64, which one attacker usually holds whole.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::config::Limits;

/// Entries kept per table before idle ones are pruned.
const PRUNE_ABOVE: usize = 4096;
/// Failures older than this are forgotten.
const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);
/// The longest lockout after failed code guesses.
const MAX_LOCKOUT: Duration = Duration::from_secs(300);

/// Why a join by code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// Too many new guests from this address.
    Address,
    /// Too many new guests in this room.
    Room,
    /// Too many wrong codes from this address: retry after this long.
    Guessing(Duration),
}

impl Limited {
    /// The `amphi_abuse_total` kind.
    pub fn kind(self) -> &'static str {
        match self {
            Limited::Address => "guest_joins_per_address",
            Limited::Room => "guest_joins_per_room",
            Limited::Guessing(_) => "join_code_guessing",
        }
    }

    /// The message of the `rate_limited` refusal.
    pub fn message(self) -> String {
        match self {
            Limited::Address => "too many guests joined from your network: retry in a minute".into(),
            Limited::Room => "too many guests are joining this room: retry in a few seconds".into(),
            Limited::Guessing(wait) => {
                format!("too many wrong codes from your network: retry in {} s", wait.as_secs().max(1))
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Rate {
    burst: f64,
    per_second: f64,
}

impl Rate {
    fn new(burst: u32, per_minute: u32) -> Option<Rate> {
        (burst > 0).then(|| Rate { burst: f64::from(burst), per_second: f64::from(per_minute) / 60.0 })
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// The bucket refilled up to `now`.
    fn refilled(self, rate: Rate, now: Instant) -> Bucket {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        Bucket { tokens: (self.tokens + elapsed * rate.per_second).min(rate.burst), last: now }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Default)]
struct Tables {
    addresses: HashMap<IpAddr, Bucket>,
    rooms: HashMap<Uuid, Bucket>,
    failures: HashMap<IpAddr, Failures>,
}

/// The node's join-by-code limits.
pub struct JoinLimits {
    per_address: Option<Rate>,
    per_room: Option<Rate>,
    /// Wrong codes allowed per address before lockouts start (0: none).
    failures_allowed: u32,
    tables: Mutex<Tables>,
}

impl JoinLimits {
    pub fn new(limits: &Limits) -> JoinLimits {
        JoinLimits {
            per_address: Rate::new(limits.guest_join_burst_per_address, limits.guest_joins_per_minute_per_address),
            per_room: Rate::new(limits.guest_join_burst_per_room, limits.guest_joins_per_minute_per_room),
            failures_allowed: limits.failed_join_codes_per_address,
            tables: Mutex::new(Tables::default()),
        }
    }

    /// Before a code is looked up: refused while `address` is locked out.
    pub fn check_guessing(&self, address: Option<IpAddr>, now: Instant) -> Result<(), Limited> {
        let (Some(address), true) = (address, self.failures_allowed > 0) else { return Ok(()) };
        let tables = self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match tables.failures.get(&address_key(address)).and_then(|f| f.locked_until) {
            Some(until) if until > now => Err(Limited::Guessing(until - now)),
            _ => Ok(()),
        }
    }

    /// A code from `address` matched no room. Past the allowance, each
    /// failure locks the address out for twice as long as the previous one
    /// (1 s, 2 s, 4 s, … up to 5 min); 15 minutes without failure forget it.
    pub fn failed_code(&self, address: Option<IpAddr>, now: Instant) {
        let (Some(address), true) = (address, self.failures_allowed > 0) else { return };
        let mut tables = self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if tables.failures.len() > PRUNE_ABOVE {
            tables.failures.retain(|_, f| now.saturating_duration_since(f.last) < FAILURE_MEMORY);
        }
        let failures =
            tables.failures.entry(address_key(address)).or_insert(Failures { count: 0, last: now, locked_until: None });
        if now.saturating_duration_since(failures.last) >= FAILURE_MEMORY {
            *failures = Failures { count: 0, last: now, locked_until: None };
        }
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
        if let Some(beyond) = failures.count.checked_sub(self.failures_allowed + 1) {
            let lockout = Duration::from_secs(1u64 << beyond.min(16)).min(MAX_LOCKOUT);
            failures.locked_until = Some(now + lockout);
        }
    }

    /// A new guest from `address` joins `room`: takes a token from both
    /// buckets, or neither when one is empty.
    pub fn take_guest_join(&self, address: Option<IpAddr>, room: Uuid, now: Instant) -> Result<(), Limited> {
        let mut tables = self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tables = &mut *tables;
        let by_address = match (self.per_address, address) {
            (Some(rate), Some(address)) => Some((rate, address_key(address))),
            _ => None,
        };
        let address_bucket = by_address.map(|(rate, address)| {
            let bucket = tables.addresses.get(&address).copied().unwrap_or(Bucket { tokens: rate.burst, last: now });
            bucket.refilled(rate, now)
        });
        let room_bucket = self.per_room.map(|rate| {
            let bucket = tables.rooms.get(&room).copied().unwrap_or(Bucket { tokens: rate.burst, last: now });
            bucket.refilled(rate, now)
        });
        if address_bucket.is_some_and(|b| b.tokens < 1.0) {
            return Err(Limited::Address);
        }
        if room_bucket.is_some_and(|b| b.tokens < 1.0) {
            return Err(Limited::Room);
        }
        if let (Some((rate, address)), Some(bucket)) = (by_address, address_bucket) {
            prune(&mut tables.addresses, rate, now);
            tables.addresses.insert(address, Bucket { tokens: bucket.tokens - 1.0, last: now });
        }
        if let (Some(rate), Some(bucket)) = (self.per_room, room_bucket) {
            prune(&mut tables.rooms, rate, now);
            tables.rooms.insert(room, Bucket { tokens: bucket.tokens - 1.0, last: now });
        }
        Ok(())
    }
}

/// Drops the buckets that have refilled (they equal a new one) once a
/// table is large.
fn prune<K>(table: &mut HashMap<K, Bucket>, rate: Rate, now: Instant) {
    if table.len() > PRUNE_ABOVE {
        table.retain(|_, bucket| bucket.refilled(rate, now).tokens < rate.burst);
    }
}

/// The key of an address: IPv4 as is, IPv6 as its /64.
pub fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(burst_address: u32, burst_room: u32, failures: u32) -> JoinLimits {
        let mut limits = crate::config::Config::defaults().limits;
        limits.guest_join_burst_per_address = burst_address;
        limits.guest_joins_per_minute_per_address = 60;
        limits.guest_join_burst_per_room = burst_room;
        limits.guest_joins_per_minute_per_room = 60;
        limits.failed_join_codes_per_address = failures;
        JoinLimits::new(&limits)
    }

    const A: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));
    const B: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2)));

    #[test]
    fn guests_per_address_pass_a_burst_then_one_per_refill() {
        let (joins, room, now) = (limits(3, 0, 0), Uuid::new_v4(), Instant::now());
        for _ in 0..3 {
            assert_eq!(joins.take_guest_join(A, room, now), Ok(()));
        }
        assert_eq!(joins.take_guest_join(A, room, now), Err(Limited::Address));
        assert_eq!(joins.take_guest_join(B, room, now), Ok(()), "another address has its own bucket");
        assert_eq!(joins.take_guest_join(A, room, now + Duration::from_secs(1)), Ok(()), "one per second at 60/min");
        assert_eq!(joins.take_guest_join(A, room, now + Duration::from_secs(1)), Err(Limited::Address));
    }

    #[test]
    fn guests_per_room_are_limited_whatever_their_address() {
        let (joins, room, now) = (limits(0, 2, 0), Uuid::new_v4(), Instant::now());
        assert_eq!(joins.take_guest_join(A, room, now), Ok(()));
        assert_eq!(joins.take_guest_join(B, room, now), Ok(()));
        assert_eq!(joins.take_guest_join(None, room, now), Err(Limited::Room));
        assert_eq!(joins.take_guest_join(A, Uuid::new_v4(), now), Ok(()), "another room has its own bucket");
    }

    #[test]
    fn a_refusal_by_the_room_takes_nothing_from_the_address() {
        let (joins, room, now) = (limits(2, 1, 0), Uuid::new_v4(), Instant::now());
        assert_eq!(joins.take_guest_join(A, room, now), Ok(()));
        assert_eq!(joins.take_guest_join(A, room, now), Err(Limited::Room));
        assert_eq!(joins.take_guest_join(A, Uuid::new_v4(), now), Ok(()), "the address still had one token");
    }

    #[test]
    fn wrong_codes_past_the_allowance_lock_the_address_out_for_doubling_times() {
        let (joins, now) = (limits(0, 0, 2), Instant::now());
        joins.failed_code(A, now);
        joins.failed_code(A, now);
        assert_eq!(joins.check_guessing(A, now), Ok(()), "within the allowance");
        joins.failed_code(A, now);
        assert_eq!(joins.check_guessing(A, now), Err(Limited::Guessing(Duration::from_secs(1))));
        assert_eq!(joins.check_guessing(B, now), Ok(()), "other addresses are not locked");
        let later = now + Duration::from_secs(1);
        assert_eq!(joins.check_guessing(A, later), Ok(()));
        joins.failed_code(A, later);
        assert_eq!(joins.check_guessing(A, later), Err(Limited::Guessing(Duration::from_secs(2))));
        let much_later = later + FAILURE_MEMORY + Duration::from_secs(2);
        joins.failed_code(A, much_later);
        assert_eq!(joins.check_guessing(A, much_later), Ok(()), "old failures are forgotten");
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_prefix() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let two: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(one), address_key(two));
        assert_ne!(address_key(one), address_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(address_key(mapped), A.unwrap());
    }
}
