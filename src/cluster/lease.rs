//! Room ownership: a lease per room in Redis (`amphi:owner:{id}` holds the
//! owning node's name and expires unless renewed). Taking a lease is
//! `SET NX PX`; renewing and releasing are scripts that act only when the
//! lease is still this node's, so a node can never extend or drop another's.
//!
//! When Redis comes back empty (restarted without persistence), every lease
//! is gone at once while the rooms' owners still run them. So for one lease
//! time after Redis is first seen empty (`amphi:epoch` missing: `amphi:settling`
//! is set for `lease_ms`), a stored room's free lease is not taken
//! ([`Owner::Settling`]): its earlier owner renews it meanwhile (renewals
//! come every third of the lease time) and keeps the room; a room whose
//! owner died is taken after that lease time, as after any expiry. A room
//! just created has no earlier owner and is taken at once.

use redis::aio::ConnectionManager;
use uuid::Uuid;

/// Who owns a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// This node (it just took the lease, or held it already).
    Me,
    /// Another node, by name.
    Other(String),
    /// Nobody, but Redis came back empty less than a lease time ago: the
    /// room's earlier owner may still run it and renew. Ask again shortly.
    Settling,
}

fn key(room: Uuid) -> String {
    format!("amphi:owner:{room}")
}

const EPOCH: &str = "amphi:epoch";
const SETTLING: &str = "amphi:settling";

/// Held by us already, or free (then taken): ours (''). Else: the holder.
/// A stored room's free lease while Redis settles: '*'. (KEYS: the lease,
/// the epoch, the settling mark; ARGV: node, lease_ms, "1" for a stored
/// room.)
const ACQUIRE: &str = r"local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return '' end
if owner then return owner end
if redis.call('SET', KEYS[2], '1', 'NX') then redis.call('SET', KEYS[3], '1', 'PX', ARGV[2]) end
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return '*' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''";

/// Says the node is alive; notices an empty Redis first. (KEYS: the
/// node's alive key, the epoch, the settling mark; ARGV: lease_ms.)
const BEAT: &str = r"if redis.call('SET', KEYS[2], '1', 'NX') then redis.call('SET', KEYS[3], '1', 'PX', ARGV[1]) end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1";

/// Ours: extended. Expired while nobody took it: taken again. Else: lost (0).
const RENEW: &str = r"local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not owner then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0";

/// Dropped only if ours.
const RELEASE: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// Takes the room's lease unless another node holds it (or, for a `stored`
/// room, while Redis settles after coming back empty).
pub async fn acquire(
    redis: &mut ConnectionManager,
    node: &str,
    room: Uuid,
    lease_ms: u64,
    stored: bool,
) -> redis::RedisResult<Owner> {
    let owner: String = redis::cmd("EVAL")
        .arg(ACQUIRE)
        .arg(3)
        .arg(key(room))
        .arg(EPOCH)
        .arg(SETTLING)
        .arg(node)
        .arg(lease_ms)
        .arg(if stored { "1" } else { "0" })
        .query_async(redis)
        .await?;
    Ok(match owner.as_str() {
        "" => Owner::Me,
        "*" => Owner::Settling,
        _ => Owner::Other(owner),
    })
}

fn alive_key(node: &str) -> String {
    format!("amphi:alive:{node}")
}

/// Says this node is alive for `lease_ms` (and marks an empty Redis as
/// settling).
pub async fn beat(redis: &mut ConnectionManager, node: &str, lease_ms: u64) -> redis::RedisResult<()> {
    let _: i64 = redis::cmd("EVAL")
        .arg(BEAT)
        .arg(3)
        .arg(alive_key(node))
        .arg(EPOCH)
        .arg(SETTLING)
        .arg(lease_ms)
        .query_async(redis)
        .await?;
    Ok(())
}

/// Which of these nodes said they were alive within the lease time.
pub async fn alive(redis: &mut ConnectionManager, nodes: &[String]) -> redis::RedisResult<Vec<bool>> {
    if nodes.is_empty() {
        return Ok(Vec::new()); // an empty pipeline is an error
    }
    let mut pipe = redis::pipe();
    for node in nodes {
        pipe.cmd("EXISTS").arg(alive_key(node));
    }
    pipe.query_async(redis).await
}

/// The owners of these rooms, in order.
pub async fn owners(redis: &mut ConnectionManager, rooms: &[Uuid]) -> redis::RedisResult<Vec<Option<String>>> {
    // (Chunks of an empty list: no pipeline is sent.)
    let mut found = Vec::with_capacity(rooms.len());
    for chunk in rooms.chunks(256) {
        let mut pipe = redis::pipe();
        for room in chunk {
            pipe.cmd("GET").arg(key(*room));
        }
        let owners: Vec<Option<String>> = pipe.query_async(redis).await?;
        found.extend(owners);
    }
    Ok(found)
}

/// Renews this node's leases; returns the rooms whose lease another node
/// holds now (lost). A lease that expired while nobody took it (Redis was
/// away, or restarted empty) is taken again.
pub async fn renew(
    redis: &mut ConnectionManager,
    node: &str,
    rooms: &[Uuid],
    lease_ms: u64,
) -> redis::RedisResult<Vec<Uuid>> {
    let mut lost = Vec::new();
    for chunk in rooms.chunks(256) {
        let mut pipe = redis::pipe();
        for room in chunk {
            pipe.cmd("EVAL").arg(RENEW).arg(1).arg(key(*room)).arg(node).arg(lease_ms);
        }
        let kept: Vec<i64> = pipe.query_async(redis).await?;
        lost.extend(chunk.iter().zip(kept).filter(|(_, kept)| *kept == 0).map(|(room, _)| *room));
    }
    Ok(lost)
}

/// Gives up this node's leases (at shutdown), so that another node can take
/// the rooms over at once rather than after the lease time.
pub async fn release(redis: &mut ConnectionManager, node: &str, rooms: &[Uuid]) -> redis::RedisResult<()> {
    for chunk in rooms.chunks(256) {
        let mut pipe = redis::pipe();
        for room in chunk {
            pipe.cmd("EVAL").arg(RELEASE).arg(1).arg(key(*room)).arg(node);
        }
        let _: Vec<i64> = pipe.query_async(redis).await?;
    }
    Ok(())
}
