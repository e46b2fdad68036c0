//! The hub: this node's registry of live rooms (each an actor, here or, with
//! several nodes, on the room's owner node) and of join codes.

mod room;

use std::sync::Arc;

use amphi_protocol::RoomKind;
use dashmap::DashMap;
use rand::Rng;
use uuid::Uuid;

#[cfg(test)]
pub(crate) use room::Request;
pub(crate) use room::stored;
pub use room::{
    Accepted, AtelierAccess, Attached, BoardExport, Call, EffectJob, EffectSink, QuizResults, Receipt, Reply, RoomBack,
    RoomCommand, RoomGone, RoomHandle, RoomSettings, SERVICE_MEMBER_PREFIX, VIDEO_SERVICE, Who, now_ms, session_ended,
};

use crate::bus::Bus;
use crate::cluster::{Cluster, ClusterError, Owner, RemoteRoom};
use crate::metrics::Metrics;
use crate::store::{InputRecord, RoomRecord, Store, StoreError, Writer};

/// Join codes use letters and digits that cannot be misread or misheard
/// (no 0/O, 1/I/L, 5/S, 2/Z).
const JOIN_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRTUVWXY346789";
pub const JOIN_CODE_LEN: usize = 6;

/// Why a room could not be found or started.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// Redis came back empty a moment ago and the room's earlier owner has
    /// not renewed its lease yet.
    #[error("the room's owner is not known yet (Redis is settling)")]
    Settling,
}

/// The live rooms of this node.
pub struct Hub {
    /// Rooms in use here: local actors, and handles to rooms owned by
    /// other nodes.
    rooms: DashMap<Uuid, RoomHandle>,
    codes: DashMap<String, Uuid>,
    store: Store,
    writer: Writer,
    /// The stored rooms being started, each once (its first caller starts
    /// it, the others wait for that one room only).
    starting: DashMap<Uuid, Arc<tokio::sync::OnceCell<RoomHandle>>>,
    bus: Arc<dyn Bus>,
    settings: RoomSettings,
    metrics: Arc<Metrics>,
    /// With several nodes: leases and calls to other nodes.
    cluster: Option<Arc<Cluster>>,
    /// The effects runner's queue, given to every room started here.
    effects: Option<EffectSink>,
}

impl Hub {
    pub fn new(
        store: Store,
        writer: Writer,
        bus: Arc<dyn Bus>,
        settings: RoomSettings,
        metrics: Arc<Metrics>,
        cluster: Option<Arc<Cluster>>,
        effects: Option<EffectSink>,
    ) -> Hub {
        Hub {
            rooms: DashMap::new(),
            codes: DashMap::new(),
            store,
            writer,
            starting: DashMap::new(),
            bus,
            settings,
            metrics,
            cluster,
            effects,
        }
    }

    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.cluster.as_ref()
    }

    /// Whether `room`'s actor runs on this node.
    pub fn is_local(&self, room: Uuid) -> bool {
        self.rooms.get(&room).is_some_and(|handle| handle.is_local())
    }

    /// This node's actor of `room`, if it runs here.
    pub fn local(&self, room: Uuid) -> Option<RoomHandle> {
        self.rooms.get(&room).filter(|handle| handle.is_local()).map(|handle| handle.clone())
    }

    /// Whether `room` is in use on this node (its actor runs here, or this
    /// node follows it for members connected here).
    pub fn is_live(&self, room: Uuid) -> bool {
        self.rooms.contains_key(&room)
    }

    /// The rooms whose actor runs here.
    pub fn local_rooms(&self) -> Vec<Uuid> {
        self.rooms.iter().filter(|entry| entry.is_local()).map(|entry| *entry.key()).collect()
    }

    /// The rooms used here whose actor runs elsewhere, with their owner.
    pub fn remote_rooms(&self) -> Vec<(Uuid, String)> {
        self.rooms.iter().filter_map(|entry| entry.owner().map(|owner| (*entry.key(), owner.to_string()))).collect()
    }

    /// Forgets the owner of a room run elsewhere: the next use finds it again.
    pub fn forget(&self, room: Uuid) {
        self.rooms.remove_if(&room, |_, handle| !handle.is_local());
    }

    /// Drops this node's actor of a room another node owns now. (The actor
    /// stops once its connections, told to resume, let go of it.)
    pub fn evict(&self, room: Uuid) {
        self.rooms.remove_if(&room, |_, handle| handle.is_local());
    }

    /// Stops using a room that left (moved to the trash): its join code and
    /// handle are forgotten here. Returns this node's actor, if it ran here,
    /// for the caller to retire.
    pub fn drop_room(&self, room: Uuid, code: Option<&str>) -> Option<RoomHandle> {
        if let Some(code) = code {
            self.codes.remove_if(&normalize_join_code(code), |_, id| *id == room);
        }
        self.rooms.remove(&room).map(|(_, handle)| handle).filter(RoomHandle::is_local)
    }

    /// Creates and stores a room with a fresh join code, and starts it.
    pub async fn create_room(
        &self,
        tenant: &str,
        title: &str,
        created_by: &str,
        kind: RoomKind,
        activity: Option<String>,
    ) -> Result<RoomHandle, HubError> {
        let mut attempts = 0;
        loop {
            let record = RoomRecord {
                id: Uuid::new_v4(),
                tenant: tenant.to_string(),
                kind,
                title: title.to_string(),
                join_code: Some(new_join_code()),
                created_by: created_by.to_string(),
                created_at: now_ms() as i64,
                activity: activity.clone(),
            };
            match self.store.insert_room(&record).await {
                Ok(()) => {
                    if let Some(cluster) = &self.cluster {
                        cluster.acquire_new(record.id).await?;
                    }
                    return Ok(self.start(record, Vec::new()));
                }
                Err(error) if error.is_unique_violation() && attempts < 5 => attempts += 1,
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// The live room with this id, started from the store if needed.
    pub async fn room(&self, id: Uuid) -> Result<Option<RoomHandle>, HubError> {
        if let Some(handle) = self.rooms.get(&id) {
            return Ok(Some(handle.clone()));
        }
        match self.store.room(id).await? {
            Some(record) => self.restart(record).await.map(Some),
            None => Ok(None),
        }
    }

    /// The live room with this join code (any case, spaces and dashes
    /// ignored), started from the store if needed.
    pub async fn room_by_code(&self, code: &str) -> Result<Option<RoomHandle>, HubError> {
        let code = normalize_join_code(code);
        if code.len() != JOIN_CODE_LEN {
            return Ok(None);
        }
        let cached = self.codes.get(&code).map(|id| *id);
        if let Some(id) = cached {
            return self.room(id).await;
        }
        match self.store.room_by_code(&code).await? {
            Some(record) => self.restart(record).await.map(Some),
            None => Ok(None),
        }
    }

    /// Starts a stored room again (after a restart of this node, on first
    /// use here, or taking it over from a dead owner): a quiz or board room
    /// replays its journal; attendance left open by the earlier life is
    /// closed. With several nodes, only the node that holds the room's lease
    /// starts it; the others get a handle to it on its owner.
    async fn restart(&self, record: RoomRecord) -> Result<RoomHandle, HubError> {
        if let Some(handle) = self.rooms.get(&record.id) {
            return Ok(handle.clone());
        }
        let id = record.id;
        let once = Arc::clone(&self.starting.entry(id).or_default());
        let started = once.get_or_try_init(|| self.start_stored(record)).await.cloned();
        self.starting.remove_if(&id, |_, cell| Arc::ptr_eq(cell, &once));
        started
    }

    /// [`Hub::restart`]'s work, done once per room at a time.
    async fn start_stored(&self, record: RoomRecord) -> Result<RoomHandle, HubError> {
        if let Some(handle) = self.rooms.get(&record.id) {
            return Ok(handle.clone());
        }
        if let Some(cluster) = &self.cluster {
            match cluster.acquire_stored(record.id).await? {
                Owner::Me => {}
                Owner::Other(owner) => {
                    let id = record.id;
                    let handle = RoomHandle::remote(record, RemoteRoom::new(id, owner, Arc::clone(cluster)));
                    self.rooms.insert(id, handle.clone());
                    return Ok(handle);
                }
                Owner::Settling => return Err(HubError::Settling),
            }
        }
        let journaled = matches!(record.kind, RoomKind::Quiz | RoomKind::Board | RoomKind::Breakout);
        let journal = if journaled { self.store.inputs(record.id).await? } else { Vec::new() };
        let last_input_at = journal.last().map_or(0, |input| input.at);
        self.store.close_stale_attendance(record.id, last_input_at).await?;
        if self.cluster.is_some() && !journal.is_empty() {
            self.metrics.lease_takeovers.inc();
        }
        Ok(self.start(record, journal))
    }

    /// Starts the actor for `record` unless it runs already. The journal is
    /// replayed before the room is listed, outside any lock of the map (a
    /// new room's id is fresh; a stored one is started once, by
    /// [`Hub::restart`]).
    fn start(&self, record: RoomRecord, journal: Vec<InputRecord>) -> RoomHandle {
        let id = record.id;
        if let Some(handle) = self.rooms.get(&id) {
            return handle.clone();
        }
        let code = record.join_code.clone();
        let handle = RoomHandle::spawn(
            record,
            journal,
            self.settings,
            Arc::clone(&self.bus),
            self.writer.clone(),
            Arc::clone(&self.metrics),
            self.effects.clone(),
        );
        if let Some(code) = code {
            self.codes.insert(code, id);
        }
        self.rooms.entry(id).or_insert(handle).clone()
    }
}

/// A random join code.
pub fn new_join_code() -> String {
    let mut rng = rand::rng();
    (0..JOIN_CODE_LEN).map(|_| JOIN_CODE_ALPHABET[rng.random_range(0..JOIN_CODE_ALPHABET.len())] as char).collect()
}

/// Uppercases a typed code and drops spaces and dashes.
pub fn normalize_join_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_codes_use_the_unambiguous_alphabet() {
        for _ in 0..100 {
            let code = new_join_code();
            assert_eq!(code.len(), JOIN_CODE_LEN);
            assert!(code.bytes().all(|b| JOIN_CODE_ALPHABET.contains(&b)), "{code}");
        }
        assert_eq!(normalize_join_code(" km7-r4p "), "KM7R4P");
    }
}
