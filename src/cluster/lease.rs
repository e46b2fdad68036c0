//! Room ownership: a lease per room in Redis (`amphi:owner:{id}` holds the
//! owning node's name and expires unless renewed). Taking a lease is
//! `SET NX PX`; renewing and releasing are scripts that act only when the
//! lease is still this node's, so a node can never extend or drop another's.

use redis::aio::ConnectionManager;
use uuid::Uuid;

/// Who owns a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// This node (it just took the lease, or held it already).
    Me,
    /// Another node, by name.
    Other(String),
}

fn key(room: Uuid) -> String {
    format!("amphi:owner:{room}")
}

/// Held by us already, or free (then taken): ours. Else: the holder.
const ACQUIRE: &str = r"local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return '' end
if owner then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''";

/// Ours: extended. Expired while nobody took it: taken again. Else: lost (0).
const RENEW: &str = r"local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not owner then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0";

/// Dropped only if ours.
const RELEASE: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// Takes the room's lease unless another node holds it.
pub async fn acquire(
    redis: &mut ConnectionManager,
    node: &str,
    room: Uuid,
    lease_ms: u64,
) -> redis::RedisResult<Owner> {
    let owner: String =
        redis::cmd("EVAL").arg(ACQUIRE).arg(1).arg(key(room)).arg(node).arg(lease_ms).query_async(redis).await?;
    Ok(if owner.is_empty() { Owner::Me } else { Owner::Other(owner) })
}

fn alive_key(node: &str) -> String {
    format!("amphi:alive:{node}")
}

/// Says this node is alive for `lease_ms`.
pub async fn beat(redis: &mut ConnectionManager, node: &str, lease_ms: u64) -> redis::RedisResult<()> {
    redis::cmd("SET").arg(alive_key(node)).arg(1).arg("PX").arg(lease_ms).query_async(redis).await
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
