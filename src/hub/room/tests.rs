//! The room actor on its own: a real SQLite store behind the writer, and a
//! bus that records what the room publishes.

use std::sync::Mutex;

use amphi_protocol::board::{BoardCommand, PostContent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{ErrorCode, Role, RoomKind, ServerMessage};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::activity::lobby::LobbySettings;
use crate::store::{InputKind, Store, WriterSettings};

/// Keeps every envelope published.
#[derive(Default)]
struct RecordingBus(Mutex<Vec<Arc<Envelope>>>);

impl RecordingBus {
    fn events(&self) -> Vec<EventBody> {
        let published = self.0.lock().unwrap();
        published
            .iter()
            .map(|envelope| match &envelope.message {
                ServerMessage::Event { event, .. } => event.clone(),
                other => panic!("a room publishes events only, not {other:?}"),
            })
            .collect()
    }

    fn seqs(&self) -> Vec<u64> {
        self.0.lock().unwrap().iter().map(|envelope| envelope.seq).collect()
    }
}

impl Bus for RecordingBus {
    fn publish(&self, envelope: Arc<Envelope>) {
        self.0.lock().unwrap().push(envelope);
    }

    fn readiness(&self) -> Result<(), String> {
        Ok(())
    }

    fn name(&self) -> &'static str {
        "recording"
    }
}

struct Room {
    store: Store,
    writer: Writer,
    bus: Arc<RecordingBus>,
    record: RoomRecord,
    _dir: tempfile::TempDir,
}

const SETTINGS: RoomSettings = RoomSettings {
    mailbox: 64,
    history: 100,
    max_members: 10,
    lobby: LobbySettings { announcements_kept: 10, coalesce_ms: 0 },
};

async fn room(kind: RoomKind, activity: Option<&str>) -> Room {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("amphi.db").display());
    let metrics = Arc::new(Metrics::new());
    let store = Store::connect(&url, Arc::clone(&metrics)).await.unwrap();
    let settings = WriterSettings { batch_writes: 16, batch_ms: 1, queue_writes: 1000 };
    let (writer, _task) = Writer::spawn(store.clone(), settings, metrics, CancellationToken::new());
    let record = RoomRecord {
        id: Uuid::new_v4(),
        tenant: "ac-lyon".into(),
        kind,
        title: "Salle".into(),
        join_code: None,
        created_by: "t1".into(),
        created_at: 1_790_000_000_000,
        activity: activity.map(String::from),
    };
    store.insert_room(&record).await.unwrap();
    Room { store, writer, bus: Arc::default(), record, _dir: dir }
}

impl Room {
    fn spawn(&self, journal: Vec<InputRecord>) -> RoomHandle {
        let bus: Arc<dyn Bus> = self.bus.clone();
        let metrics = Arc::new(Metrics::new());
        RoomHandle::spawn(self.record.clone(), journal, SETTINGS, bus, self.writer.clone(), metrics, None)
    }
}

fn member(id: &str, role: Role) -> Who {
    Who { id: id.into(), name: format!("Nom {id}").into(), role, guest: role == Role::Participant }
}

fn post(title: &str) -> RoomCommand {
    let content = PostContent { title: title.into(), ..PostContent::default() };
    RoomCommand::Board(Box::new(BoardCommand::Post { section: None, before: None, content }))
}

async fn committed(accepted: Accepted) {
    let Accepted::Committing(receipt) = accepted else { panic!("a board post is durable: {accepted:?}") };
    assert!(receipt.await, "the post's journal entry is committed");
}

fn posts(events: &[EventBody]) -> usize {
    events.iter().filter(|event| matches!(event, EventBody::Board { .. })).count()
}

#[tokio::test]
async fn a_retried_command_is_answered_and_not_applied_again() {
    let room = room(RoomKind::Board, Some("{}")).await;
    let handle = room.spawn(Vec::new());
    let alice = member("p1", Role::Participant);
    handle.attach(alice.clone(), None).await.unwrap().unwrap();
    committed(handle.command(alice.clone(), "c-1".into(), post("Idée")).await.unwrap().unwrap()).await;
    let after_first = posts(&room.bus.events());
    committed(handle.command(alice.clone(), "c-1".into(), post("Idée")).await.unwrap().unwrap()).await;
    assert_eq!(after_first, 1);
    assert_eq!(posts(&room.bus.events()), 1, "the retry publishes nothing");
    let seqs = room.bus.seqs();
    assert!(seqs.windows(2).all(|pair| pair[1] == pair[0] + 1), "events are numbered without gaps: {seqs:?}");
}

#[tokio::test]
async fn a_room_is_rebuilt_from_its_journal_and_knows_the_ids_it_applied() {
    let room = room(RoomKind::Board, Some("{}")).await;
    let handle = room.spawn(Vec::new());
    let alice = member("p1", Role::Participant);
    handle.attach(alice.clone(), None).await.unwrap().unwrap();
    committed(handle.command(alice.clone(), "c-1".into(), post("Première")).await.unwrap().unwrap()).await;
    committed(handle.command(alice.clone(), "c-2".into(), post("Seconde")).await.unwrap().unwrap()).await;
    handle.retire().await.unwrap();

    let journal = room.store.inputs(room.record.id).await.unwrap();
    assert_eq!(journal.iter().filter(|input| input.kind == InputKind::Board).count(), 2);
    let published = room.bus.seqs().len();
    let again = room.spawn(journal);
    assert_eq!(room.bus.seqs().len(), published, "a replay publishes nothing");
    let attached = again.attach(alice.clone(), None).await.unwrap().unwrap();
    let published = room.bus.seqs().len();
    let board = attached.snapshot.and_then(|snapshot| snapshot.board).expect("a board room's snapshot has its board");
    let titles: Vec<&str> = board.posts.iter().map(|post| post.content.title.as_str()).collect();
    assert_eq!(titles, ["Première", "Seconde"]);
    let retried = again.command(alice, "c-2".into(), post("Seconde")).await.unwrap().unwrap();
    assert!(matches!(retried, Accepted::Applied), "a replayed id is answered: {retried:?}");
    assert_eq!(room.bus.seqs().len(), published, "and not applied again");
}

#[tokio::test]
async fn a_command_for_another_activity_is_refused_and_a_lobby_journals_nothing() {
    let room = room(RoomKind::Lobby, None).await;
    let handle = room.spawn(Vec::new());
    let trainer = member("t1", Role::Trainer);
    handle.attach(trainer.clone(), None).await.unwrap().unwrap();
    let refused = handle.command(trainer.clone(), "c-1".into(), post("Hors sujet")).await.unwrap().unwrap_err();
    assert_eq!((refused.code, refused.message.as_str()), (ErrorCode::InvalidState, "this room runs no board"));
    let announce = RoomCommand::Lobby(LobbyCommand::Announce { text: "Pause".into() });
    let accepted = handle.command(trainer, "c-2".into(), announce).await.unwrap().unwrap();
    assert!(matches!(accepted, Accepted::Applied));
    assert!(room.bus.events().iter().any(|event| matches!(event, EventBody::Announcement { .. })));
    handle.retire().await.unwrap();
    assert!(room.store.inputs(room.record.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_stored_activity_that_no_longer_reads_leaves_a_plain_lobby() {
    let room = room(RoomKind::Quiz, Some("{\"not\": \"a quiz\"}")).await;
    let handle = room.spawn(Vec::new());
    let trainer = member("t1", Role::Trainer);
    let attached = handle.attach(trainer.clone(), None).await.unwrap().unwrap();
    assert!(attached.snapshot.is_some_and(|snapshot| snapshot.quiz.is_none()));
    let next = RoomCommand::Quiz(amphi_protocol::quiz::QuizCommand::Start);
    let refused = handle.command(trainer, "c-1".into(), next).await.unwrap().unwrap_err();
    assert_eq!((refused.code, refused.message.as_str()), (ErrorCode::InvalidState, "this room runs no quiz"));
}

#[tokio::test]
async fn a_member_who_missed_events_gets_those_meant_for_them() {
    let room = room(RoomKind::Board, Some("{}")).await;
    let handle = room.spawn(Vec::new());
    let alice = member("p1", Role::Participant);
    let trainer = member("t1", Role::Trainer);
    let seen = handle.attach(alice.clone(), None).await.unwrap().unwrap().seq;
    handle.attach(trainer.clone(), None).await.unwrap().unwrap();
    committed(handle.command(trainer.clone(), "c-1".into(), post("Consigne")).await.unwrap().unwrap()).await;
    let announce = RoomCommand::Lobby(LobbyCommand::Announce { text: "Pause".into() });
    handle.command(trainer, "c-2".into(), announce).await.unwrap().unwrap();
    let back = handle.attach(alice, Some(seen)).await.unwrap().unwrap();
    assert!(back.snapshot.is_none(), "the history holds what was missed: a replay, not a snapshot");
    let replayed: Vec<u64> = back.replay.iter().map(|envelope| envelope.seq).collect();
    let expected: Vec<u64> = room
        .bus
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|envelope| envelope.seq > seen && envelope.audience.includes("p1", Role::Participant))
        .map(|envelope| envelope.seq)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(replayed, expected);
}
