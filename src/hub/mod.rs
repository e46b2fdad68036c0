//! The hub: this node's registry of live rooms (each an actor), the
//! per-node fan-out table, and the envelopes events travel in.

mod envelope;
mod fanout;
mod room;

use std::sync::Arc;

use dashmap::DashMap;
use rand::Rng;
use uuid::Uuid;

pub use envelope::Envelope;
pub use fanout::{Closer, ConnId, Fanout, Subscriber};
pub use room::{
    Accepted, Attached, BoardExport, QuizResults, Receipt, RoomCommand, RoomGone, RoomHandle, RoomSettings, Who, now_ms,
};

use crate::bus::Bus;
use crate::metrics::Metrics;
use crate::store::{InputRecord, RoomRecord, Store, StoreError, Writer};

/// Join codes use letters and digits that cannot be misread or misheard
/// (no 0/O, 1/I/L, 5/S, 2/Z).
const JOIN_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRTUVWXY346789";
pub const JOIN_CODE_LEN: usize = 6;

/// The live rooms of this node.
pub struct Hub {
    rooms: DashMap<Uuid, RoomHandle>,
    codes: DashMap<String, Uuid>,
    store: Store,
    writer: Writer,
    /// Held while a stored room is started, so that it is started once.
    starting: tokio::sync::Mutex<()>,
    bus: Arc<dyn Bus>,
    settings: RoomSettings,
    metrics: Arc<Metrics>,
}

impl Hub {
    pub fn new(store: Store, writer: Writer, bus: Arc<dyn Bus>, settings: RoomSettings, metrics: Arc<Metrics>) -> Hub {
        Hub {
            rooms: DashMap::new(),
            codes: DashMap::new(),
            store,
            writer,
            starting: tokio::sync::Mutex::new(()),
            bus,
            settings,
            metrics,
        }
    }

    /// Creates and stores a room with a fresh join code, and starts it.
    pub async fn create_room(
        &self,
        tenant: &str,
        title: &str,
        created_by: &str,
        kind: &str,
        activity: Option<String>,
    ) -> Result<RoomHandle, StoreError> {
        let mut attempts = 0;
        loop {
            let record = RoomRecord {
                id: Uuid::new_v4(),
                tenant: tenant.to_string(),
                kind: kind.to_string(),
                title: title.to_string(),
                join_code: Some(new_join_code()),
                created_by: created_by.to_string(),
                created_at: now_ms() as i64,
                activity: activity.clone(),
            };
            match self.store.insert_room(&record).await {
                Ok(()) => return Ok(self.start(record, Vec::new())),
                Err(error) if error.is_unique_violation() && attempts < 5 => attempts += 1,
                Err(error) => return Err(error),
            }
        }
    }

    /// The live room with this id, started from the store if needed.
    pub async fn room(&self, id: Uuid) -> Result<Option<RoomHandle>, StoreError> {
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
    pub async fn room_by_code(&self, code: &str) -> Result<Option<RoomHandle>, StoreError> {
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

    /// Starts a stored room again (after a restart of this node, or on first
    /// use here): a quiz or board room replays its journal; attendance left
    /// open by the earlier life is closed.
    async fn restart(&self, record: RoomRecord) -> Result<RoomHandle, StoreError> {
        let _starting = self.starting.lock().await;
        if let Some(handle) = self.rooms.get(&record.id) {
            return Ok(handle.clone());
        }
        let journaled = matches!(record.kind.as_str(), "quiz" | "board");
        let journal = if journaled { self.store.inputs(record.id).await? } else { Vec::new() };
        let last_input_at = journal.last().map_or(0, |input| input.at);
        self.store.close_stale_attendance(record.id, last_input_at).await?;
        Ok(self.start(record, journal))
    }

    /// Starts the actor for `record` unless it runs already.
    fn start(&self, record: RoomRecord, journal: Vec<InputRecord>) -> RoomHandle {
        let id = record.id;

        self.rooms
            .entry(id)
            .or_insert_with(|| {
                if let Some(code) = &record.join_code {
                    self.codes.insert(code.clone(), id);
                }
                RoomHandle::spawn(
                    record,
                    journal,
                    self.settings,
                    Arc::clone(&self.bus),
                    self.writer.clone(),
                    Arc::clone(&self.metrics),
                )
            })
            .clone()
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
