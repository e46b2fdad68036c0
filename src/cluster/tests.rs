//! The remote handle on its own: two nodes in one process, each with its
//! hub, fan-out and cluster link on the real Redis, sharing one SQLite
//! store; a room owned by node A is used through node B's `RemoteRoom`.

use std::sync::Arc;
use std::time::Duration;

use amphi_protocol::board::{BoardCommand, PostContent};
use amphi_protocol::{ErrorCode, Role, RoomKind};
use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Cluster, ClusterSettings, Erase, LocalNode};
use crate::activity::lobby::LobbySettings;
use crate::bus::{Fanout, RedisBus};
use crate::hub::{Accepted, Hub, RoomCommand, RoomHandle, RoomSettings, Who};
use crate::metrics::Metrics;
use crate::store::{Deletion, Store, StoreError, Writer, WriterSettings};

/// Erasure is another test's business.
struct NoErase;

impl Erase for NoErase {
    fn erase<'a>(&'a self, _: &'a [Uuid], _: &'a str, _: &'a str) -> BoxFuture<'a, Result<Deletion, StoreError>> {
        Box::pin(async { Ok(Deletion::default()) })
    }
}

struct Node {
    hub: Arc<Hub>,
    cluster: Arc<Cluster>,
}

async fn node(name: &str, store: &Store, stop: &CancellationToken) -> Node {
    let metrics = Arc::new(Metrics::new());
    let settings = WriterSettings { batch_writes: 16, batch_ms: 1, queue_writes: 1000 };
    let (writer, _task) = Writer::spawn(store.clone(), settings, Arc::clone(&metrics), stop.clone());
    let cluster_settings = ClusterSettings {
        redis_url: "redis://127.0.0.1:6379/".into(),
        lease_ms: 3000,
        call_timeout_ms: 3000,
        commit_timeout_ms: 10_000,
    };
    let cluster = Cluster::new(name, cluster_settings, Arc::clone(&metrics)).unwrap();
    let fanout = Arc::new(Fanout::new(Arc::clone(&metrics)));
    let bus = Arc::new(RedisBus::new(Arc::clone(&fanout), Arc::clone(&cluster)));
    let rooms = RoomSettings {
        mailbox: 64,
        history: 100,
        max_members: 10,
        lobby: LobbySettings { announcements_kept: 10, coalesce_ms: 0 },
    };
    let hub = Arc::new(Hub::new(store.clone(), writer, bus, rooms, metrics, Some(Arc::clone(&cluster)), None));
    let local = LocalNode { hub: Arc::clone(&hub), fanout, stop: stop.clone(), erase: Arc::new(NoErase) };
    tokio::spawn(super::run(local, Arc::clone(&cluster)));
    for _ in 0..100 {
        if cluster.readiness().is_ok() {
            return Node { hub, cluster };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("node {name} never reached Redis: {:?}", cluster.readiness());
}

fn post(title: &str) -> RoomCommand {
    let content = PostContent { title: title.into(), ..PostContent::default() };
    RoomCommand::Board(Box::new(BoardCommand::Post { section: None, before: None, content }))
}

#[tokio::test]
async fn a_room_owned_by_another_node_is_used_through_its_remote_handle() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("amphi.db").display());
    let store = Store::connect(&url, Arc::new(Metrics::new())).await.unwrap();
    let stop = CancellationToken::new();
    let (a, b) = (node("node-a", &store, &stop).await, node("node-b", &store, &stop).await);
    let owned = a.hub.create_room("ac-lyon", "Mur", "t1", RoomKind::Board, Some("{}".into())).await.unwrap();
    assert!(owned.is_local());

    let remote: RoomHandle = b.hub.room(owned.id()).await.unwrap().expect("the room, found on node B");
    assert!(!remote.is_local(), "node B reaches it on its owner");
    assert_eq!(remote.owner(), Some(a.cluster.node.as_str()));
    let who = Who { id: "p1".into(), name: "Camille".into(), role: Role::Participant, guest: true };
    let attached = remote.attach(who.clone(), None).await.unwrap().unwrap();
    assert!(attached.snapshot.and_then(|snapshot| snapshot.board).is_some(), "a snapshot from the owner");

    // A durable command: its receipt resolves when the owner reports the commit.
    let Accepted::Committing(receipt) = remote.command(who.clone(), "c-1".into(), post("Idée")).await.unwrap().unwrap()
    else {
        panic!("a board post is durable");
    };
    assert!(receipt.await, "committed on the owner");
    let retried = remote.command(who.clone(), "c-1".into(), post("Idée")).await.unwrap().unwrap();
    assert!(matches!(retried, Accepted::Committing(_) | Accepted::Applied), "a retry is answered: {retried:?}");
    let export = remote.board_export().await.unwrap().expect("a board room's export");
    assert_eq!(export.rows.len(), 1, "posted once");

    // A refusal crosses too, with its code; queries of another activity answer none.
    let off_kind = RoomCommand::Quiz(amphi_protocol::quiz::QuizCommand::Start);
    let refused = remote.command(who.clone(), "c-2".into(), off_kind).await.unwrap().unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
    assert!(remote.results().await.unwrap().is_none());
    assert!(remote.participation().await.unwrap().is_none());
    remote.leave(who.id.clone()).await.unwrap();
    stop.cancel();
}
