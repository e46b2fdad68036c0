//! Several nodes over the real Redis, each a server process of its own on
//! one PostgreSQL database: a quiz whose members are spread over three nodes
//! is one room (questions in order, totals right, exports from any node);
//! `kill -9` of the room's owner: another node takes the room over from the
//! store, everyone resumes, nothing acknowledged is lost nor counted twice;
//! Redis cut and restored: local rooms go on, `/readyz` says why, cross-node
//! rooms converge by themselves; a gap in a room's events sends the node's
//! members to resume; a frozen node does not hold up the others; a node
//! subscribes to a room's events only while it has members in it; a room
//! trashed through any node stops on its owner and its followers.

use std::time::Duration;

use amphi_protocol::quiz::{QuizCommand, QuizEvent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, Format, Role, ServerMessage};

use crate::durability::{answer, answers_per_member, create_quiz_room, get_json, outcome, results};
use crate::util::*;

const REDIS: &str = "redis://127.0.0.1:6379/";

/// `count` nodes on one database and the Redis at `redis`.
async fn nodes(count: usize, database: &PgDatabase, redis: &str) -> (Vec<ServerProcess>, Vec<tempfile::TempDir>) {
    let mut nodes = Vec::new();
    let mut dirs = Vec::new();
    for _ in 0..count {
        let dir = tempfile::tempdir().unwrap();
        let env = [("AMPHI_REDIS_URL", redis), ("AMPHI_CLUSTER__LEASE_MS", "1500")];
        nodes.push(ServerProcess::start_with_env(dir.path(), Some(&database.url), &env).await);
        dirs.push(dir);
    }
    (nodes, dirs)
}

fn is_question_opened(message: &ServerMessage, index: usize) -> bool {
    matches!(message, ServerMessage::Event { event: EventBody::Quiz { event: QuizEvent::QuestionOpened { question, .. } }, .. } if question.index == index)
}

fn seq_of(message: &ServerMessage) -> Option<u64> {
    match message {
        ServerMessage::Event { seq, .. } => Some(*seq),
        _ => None,
    }
}

/// Reads until `want`, checking that event seqs only go up.
async fn until_in_order(client: &mut Client, last: &mut u64, want: impl Fn(&ServerMessage) -> bool) {
    loop {
        let message = client.recv().await;
        if let Some(seq) = seq_of(&message) {
            assert!(seq > *last, "events in order: {seq} after {last}");
            *last = seq;
        }
        if want(&message) {
            return;
        }
    }
}

struct Phone {
    client: Client,
    member: String,
    resume: String,
    answer_id: String,
    last_seq: u64,
}

async fn guest(node: &ServerProcess, code: &str, name: &str) -> Phone {
    let mut client = node.connect(Format::MsgPack).await;
    let (welcome, _) = client.hello_guest(code, name).await;
    let ServerMessage::Welcome { member, resume_token, .. } = welcome else { unreachable!() };
    let answer_id = client.id();
    Phone { client, member: member.id, resume: resume_token, answer_id, last_seq: 0 }
}

/// Resumes `phone` on `node` and joins `room` again, in one try: a join that
/// arrives while the room moves to another node waits for it (the server
/// retries), it does not fail.
async fn resume(phone: &mut Phone, node: &ServerProcess, room: &str) {
    let mut client = node.connect(Format::MsgPack).await;
    client.send(&hello(Auth::Resume { token: phone.resume.clone() })).await;
    assert!(matches!(client.recv().await, ServerMessage::Welcome { .. }), "the resume token works on any node");
    let id = client.id();
    client.send(&ClientMessage::Join { id: id.clone(), room: Some(room.into()), code: None }).await;
    assert_eq!(outcome(&mut client, &id).await, Ok(()), "{} rejoins {room} at the first try", phone.member);
    phone.client = client;
}

#[tokio::test]
async fn a_quiz_spread_over_three_nodes_is_one_room() {
    let database = PgDatabase::create().await;
    let (nodes, _dirs) = nodes(3, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-spread", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    // The trainer drives the room owned by node 0 from node 1.
    let mut trainer = nodes[1].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut phones = Vec::new();
    for i in 0..9 {
        phones.push(guest(&nodes[i % 3], &code, &format!("P{i}")).await);
    }
    let start = ClientMessage::Quiz { id: trainer.id(), room: room_id.clone(), command: QuizCommand::Start };
    trainer.ok(start).await;
    for phone in &mut phones {
        until_in_order(&mut phone.client, &mut phone.last_seq, |m| is_question_opened(m, 0)).await;
        let message = answer(phone.answer_id.clone(), &room_id, "c1");
        phone.client.send(&message).await;
        assert_eq!(outcome(&mut phone.client, &phone.answer_id).await, Ok(()), "acknowledged across nodes");
    }
    // Everyone answered: the question closes; the next one reaches all.
    let closed = |m: &ServerMessage| {
        matches!(m, ServerMessage::Event { event: EventBody::Quiz { event: QuizEvent::QuestionClosed { .. } }, .. })
    };
    trainer.recv_until(closed).await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: QuizCommand::Next }).await;
    for phone in &mut phones {
        until_in_order(&mut phone.client, &mut phone.last_seq, |m| is_question_opened(m, 1)).await;
    }
    // The results, read through node 2, count each answer once.
    let stored = answers_per_member(&results(&nodes[2].url(""), &token, &room_id).await, 0);
    assert_eq!(stored.len(), 9, "{stored:?}");
    assert!(stored.values().all(|count| *count == 1));
    // Presence is the whole room's, on any node.
    let mut observer = nodes[2].connect(Format::Json).await;
    observer.hello_token(&nodes[2].token(Role::Trainer, "trainer-watch", "M. Petit")).await;
    let snapshot = observer.join(&room_id).await;
    assert_eq!(snapshot.counts.participants_connected, 9, "presence is the whole room's, wherever members connect");
    assert_eq!(snapshot.counts.connected, 11, "9 participants and 2 trainers");
}

#[tokio::test]
async fn when_the_owner_dies_another_node_takes_the_room_over() {
    let database = PgDatabase::create().await;
    let (mut nodes, _dirs) = nodes(3, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-failover", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = nodes[1].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut phones = Vec::new();
    for i in 0..6 {
        phones.push(guest(&nodes[i % 3], &code, &format!("P{i}")).await);
    }
    let id = trainer.id();
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: QuizCommand::Start }).await;
    for phone in &mut phones[..3] {
        let message = answer(phone.answer_id.clone(), &room_id, "c1");
        phone.client.send(&message).await;
        assert_eq!(outcome(&mut phone.client, &phone.answer_id).await, Ok(()));
    }
    let owner = nodes.remove(0);
    owner.kill();

    // The members on the live nodes are sent to resume once the lease
    // expires and their node notices.
    let code_seen = tokio::time::timeout(Duration::from_secs(15), trainer.closed()).await;
    assert_eq!(code_seen.ok().flatten(), Some(4012), "the trainer's node sent it to resume");

    // Everyone resumes on a live node (the dead node's phones too) and
    // retries or sends their answer with the same id: counted once.
    for (i, phone) in phones.iter_mut().enumerate() {
        resume(phone, &nodes[i % 2], &room_id).await;
    }
    for phone in &mut phones {
        let message = answer(phone.answer_id.clone(), &room_id, "c1");
        phone.client.send(&message).await;
        assert_eq!(outcome(&mut phone.client, &phone.answer_id).await, Ok(()), "{}", phone.member);
    }
    let stored = answers_per_member(&results(&nodes[1].url(""), &token, &room_id).await, 0);
    assert_eq!(stored.len(), 6, "{stored:?}");
    assert!(stored.values().all(|count| *count == 1), "none counted twice: {stored:?}");
    let takeovers: u64 = futures_util::future::join_all(nodes.iter().map(|n| metric(n, "amphi_lease_takeovers_total")))
        .await
        .into_iter()
        .sum();
    assert_eq!(takeovers, 1, "exactly one node took the room over");
}

#[tokio::test]
async fn a_redis_outage_keeps_local_rooms_going_and_heals_by_itself() {
    let database = PgDatabase::create().await;
    let proxy = Proxy::start("127.0.0.1:6379".parse().unwrap()).await;
    let redis = format!("redis://{}/", proxy.addr);
    let (nodes, _dirs) = nodes(2, &database, &redis).await;
    let token = nodes[0].token(Role::Trainer, "trainer-outage", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut local = guest(&nodes[0], &code, "Local").await;
    let mut remote = guest(&nodes[1], &code, "Remote").await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: QuizCommand::Start }).await;

    proxy.cut();
    for node in &nodes {
        let mut ready = 200;
        for _ in 0..100 {
            let (status, body) = get_json(&node.url("/readyz")).await;
            ready = status;
            if status == 503 {
                assert!(body["reasons"].to_string().contains("redis"), "{body}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(ready, 503, "not ready without Redis");
    }
    // The room's own node goes on.
    let message = answer(local.answer_id.clone(), &room_id, "c1");
    local.client.send(&message).await;
    assert_eq!(outcome(&mut local.client, &local.answer_id).await, Ok(()), "a local room goes on");

    proxy.restore();
    for node in &nodes {
        let mut ready = 0;
        for _ in 0..150 {
            ready = get_json(&node.url("/readyz")).await.0;
            if ready == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(ready, 200, "ready again once Redis is back");
    }
    // The remote member's node lost the room's events meanwhile: it was sent
    // to resume, and does; then it answers and hears the trainer again.
    assert_eq!(tokio::time::timeout(Duration::from_secs(15), remote.client.closed()).await.ok().flatten(), Some(4012));
    resume(&mut remote, &nodes[1], &room_id).await;
    let message = answer(remote.answer_id.clone(), &room_id, "c1");
    remote.client.send(&message).await;
    assert_eq!(outcome(&mut remote.client, &remote.answer_id).await, Ok(()));
    // The trainer may have been sent to resume too, if the lease moved.
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Announce { id, room: room_id.clone(), text: "De retour".into() }).await;
    remote
        .client
        .recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::Announcement { announcement }, .. } if announcement.text == "De retour"))
        .await;
    let stored = answers_per_member(&results(&nodes[1].url(""), &token, &room_id).await, 0);
    assert_eq!(stored.len(), 2, "{stored:?}");
}

#[tokio::test]
async fn when_redis_comes_back_empty_the_rooms_stay_with_their_owners() {
    // Each node reaches Redis through its own proxy, on a database of its
    // own (pub/sub channels are shared, keys are not): this test empties it.
    const DB: &str = "11";
    let database = PgDatabase::create().await;
    let proxies =
        [Proxy::start("127.0.0.1:6379".parse().unwrap()).await, Proxy::start("127.0.0.1:6379".parse().unwrap()).await];
    let mut nodes = Vec::new();
    let mut dirs = Vec::new();
    for proxy in &proxies {
        let dir = tempfile::tempdir().unwrap();
        let redis = format!("redis://{}/{DB}", proxy.addr);
        let env = [("AMPHI_REDIS_URL", redis.as_str()), ("AMPHI_CLUSTER__LEASE_MS", "3000")];
        nodes.push(ServerProcess::start_with_env(dir.path(), Some(&database.url), &env).await);
        dirs.push(dir);
    }
    let token = nodes[0].token(Role::Trainer, "trainer-flush", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut remote = guest(&nodes[1], &code, "Remote").await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: QuizCommand::Start }).await;

    // Redis restarts empty; node 1 sees it first, node 0 (the owner) a
    // moment later.
    for proxy in &proxies {
        proxy.cut();
    }
    let redis = redis::Client::open(format!("redis://127.0.0.1:6379/{DB}")).unwrap();
    let mut connection = redis.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("FLUSHDB").query_async(&mut connection).await.unwrap();
    assert_eq!(tokio::time::timeout(Duration::from_secs(15), remote.client.closed()).await.ok().flatten(), Some(4012));
    proxies[1].restore();
    let mut ready = 0;
    for _ in 0..150 {
        ready = get_json(&nodes[1].url("/readyz")).await.0;
        if ready == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ready, 200, "node 1 is ready again once Redis is back");
    // The member resumes on node 1 while the owner is still away from Redis:
    // the room's lease is free, yet node 1 must not take the room over.
    let (_, ()) = tokio::join!(resume(&mut remote, &nodes[1], &room_id), async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        proxies[0].restore();
    });
    let message = answer(remote.answer_id.clone(), &room_id, "c1");
    remote.client.send(&message).await;
    assert_eq!(outcome(&mut remote.client, &remote.answer_id).await, Ok(()), "answered through the owner");
    for node in &nodes {
        assert_eq!(metric(node, "amphi_lease_takeovers_total").await, 0, "nobody took the room from its owner");
    }
    // The owner never let go: its trainer's connection is the same one.
    let id = trainer.id();
    trainer.ok(ClientMessage::Announce { id, room: room_id.clone(), text: "Toujours là".into() }).await;
    let stored = answers_per_member(&results(&nodes[0].url(""), &token, &room_id).await, 0);
    assert_eq!(stored.values().sum::<usize>(), 1, "{stored:?}");
}

#[tokio::test]
async fn a_gap_in_a_rooms_events_sends_the_nodes_members_to_resume() {
    let database = PgDatabase::create().await;
    let (nodes, _dirs) = nodes(2, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-gap", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut phone = guest(&nodes[1], &code, "Loin").await;
    // An event that skips seqs, as if Redis had dropped some.
    let forged = rmp_serde::to_vec_named(&serde_json::json!({
        "node": "elsewhere",
        "seq": u64::MAX / 4,
        "audience": "Everyone",
        "message": { "type": "event", "room": room_id, "seq": u64::MAX / 4, "at": 0,
                     "event": { "kind": "announcement",
                                "announcement": { "from": "x", "from_name": "x", "text": "forged", "at": 0 } } },
    }))
    .unwrap();
    let client = redis::Client::open(REDIS).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    // Published after the member's node knows the room's seq: a gap.
    {
        let _: i64 = redis::cmd("PUBLISH")
            .arg(format!("amphi:room:{room_id}"))
            .arg(&forged)
            .query_async(&mut connection)
            .await
            .unwrap();
    }
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Announce { id, room: room_id.clone(), text: "Vrai".into() }).await;
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(10), phone.client.closed()).await.ok().flatten(),
        Some(4012),
        "a gap sends the member to resume"
    );
    assert!(metric(&nodes[1], "amphi_bus_gaps_total").await >= 1);
    resume(&mut phone, &nodes[1], &room_id).await;
}

#[tokio::test]
async fn the_members_of_a_dead_node_are_no_longer_connected() {
    let database = PgDatabase::create().await;
    let (mut nodes, _dirs) = nodes(2, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-dead-node", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let _phones = [guest(&nodes[1], &code, "A").await, guest(&nodes[1], &code, "B").await];
    let connected = |n: u32| {
        move |m: &ServerMessage| {
            matches!(m, ServerMessage::Event { event: EventBody::Presence { counts, .. }, .. }
                if counts.participants_connected == n)
        }
    };
    trainer.recv_until(connected(2)).await;
    nodes.remove(1).kill();
    let gone = tokio::time::timeout(Duration::from_secs(15), trainer.recv_until(connected(0))).await;
    assert!(gone.is_ok(), "the owner noticed the node's death and detached its members");
}

#[tokio::test]
async fn a_frozen_node_does_not_hold_up_the_others() {
    let database = PgDatabase::create().await;
    let (nodes, _dirs) = nodes(3, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-frozen", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut awake = guest(&nodes[1], &code, "Eveille").await;
    let mut frozen = guest(&nodes[2], &code, "Fige").await;
    nodes[2].freeze(true);
    let mut seqs = Vec::new();
    for i in 0..20 {
        let text = format!("annonce {i}");
        let id = trainer.id();
        // Acknowledged, and delivered on the node that is awake, while node 2 is frozen.
        trainer.ok(ClientMessage::Announce { id, room: room_id.clone(), text: text.clone() }).await;
        let seen = awake
            .client
            .recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::Announcement { announcement }, .. } if announcement.text == text))
            .await;
        let ServerMessage::Event { seq, .. } = seen else { unreachable!() };
        seqs.push(seq);
    }
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "in order on the awake node: {seqs:?}");
    // Thawed, node 2's member catches up to the last one.
    nodes[2].freeze(false);
    frozen
        .client
        .recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::Announcement { announcement }, .. } if announcement.text == "annonce 19"))
        .await;
}

#[tokio::test]
async fn the_load_tool_spreads_a_quiz_and_broadcasts_over_nodes() {
    let database = PgDatabase::create().await;
    let (nodes, _dirs) = nodes(2, &database, REDIS).await;
    let ws = |node: &ServerProcess| format!("ws://{}/ws", node.addr);
    for scenario in [amphi_load::Scenario::Broadcast, amphi_load::Scenario::Quiz] {
        let options = amphi_load::Options {
            scenario,
            // The room on node 0, every participant on node 1, then on both.
            trainer_url: Some(ws(&nodes[0])),
            urls: vec![ws(&nodes[1]), ws(&nodes[0])],
            participants: 20,
            format: Format::MsgPack,
            protocol: amphi_protocol::PROTOCOL_VERSION,
            token: nodes[0].token(Role::Trainer, "amphi-load", "amphi-load"),
            server_pid: None,
            source_ips: Vec::new(),
            ramp: 0,
            broadcasts: 5,
            interval_ms: 50,
            hold_s: 0,
            questions: 2,
            think_ms: 50,
            self_paced: false,
            posts: 0,
            rate: 100,
            groups: 1,
            floods: 0,
        };
        let report = amphi_load::run(&options).await.expect("the run completes");
        assert_eq!(report.errors_total, 0, "{scenario:?}: {:?}", report.errors);
        assert_eq!(report.missed_broadcasts, 0, "{scenario:?}: every participant saw every broadcast, in order");
        if scenario == amphi_load::Scenario::Quiz {
            assert_eq!((report.answers_sent, report.answers_acked), (40, 40), "acknowledged once, across nodes");
        }
    }
}

/// The value of a counter in a node's `/metrics`.
async fn metric(node: &ServerProcess, name: &str) -> u64 {
    let text = reqwest::get(node.url("/metrics")).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.trim().parse::<f64>().ok()))
        .map_or(0, |value| value as u64)
}

#[tokio::test]
async fn erasure_reaches_a_room_run_by_another_node() {
    let database = PgDatabase::create().await;
    let (nodes, _dirs) = nodes(2, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-erasure", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    // The room runs on node 0, where everyone is.
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut camille = guest(&nodes[0], &code, "Camille").await;
    let start = ClientMessage::Quiz { id: trainer.id(), room: room_id.clone(), command: QuizCommand::Start };
    trainer.ok(start).await;
    until_in_order(&mut camille.client, &mut camille.last_seq, |m| is_question_opened(m, 0)).await;
    let message = answer(camille.answer_id.clone(), &room_id, "c1");
    camille.client.send(&message).await;
    assert_eq!(outcome(&mut camille.client, &camille.answer_id).await, Ok(()));
    let listed = |results: &serde_json::Value| results.to_string().contains(&camille.member);
    assert!(listed(&results(&nodes[0].url(""), &token, &room_id).await), "the live room lists her");

    // The erasure goes to node 1, which runs nothing of the room.
    let admin = nodes[1].token(Role::Admin, "admin-erasure", "DANE");
    let url = nodes[1].url(&format!("/api/v1/admin/users/{}", camille.member));
    let response = reqwest::Client::new().delete(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let deletion: serde_json::Value = response.json().await.unwrap();
    assert!(deletion["inputs"].as_u64().unwrap() >= 2, "her attach and answer: {deletion}");
    assert_eq!(trainer.closed().await, Some(4012), "node 0's connections are sent to resume");
    for node in &nodes {
        let after = results(&node.url(""), &token, &room_id).await;
        assert!(!listed(&after), "erased from the room on every node: {after}");
    }
}

#[tokio::test]
async fn a_room_trashed_through_another_node_stops_everywhere() {
    let database = PgDatabase::create().await;
    let (nodes, _dirs) = nodes(3, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-trash", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    // Run by node 0; followed by node 1, whose guest came by code.
    let owner_side = guest(&nodes[0], &code, "Camille").await;
    let follower_side = guest(&nodes[1], &code, "Léa").await;
    // Trashed through node 2, which runs nothing of it.
    let url = nodes[2].url(&format!("/api/v1/rooms/{room_id}"));
    let response = reqwest::Client::new().delete(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (mut on_owner, mut on_follower) = (owner_side.client, follower_side.client);
    assert_eq!(on_owner.closed().await, Some(4012), "the owner closes its connections");
    assert_eq!(on_follower.closed().await, Some(4012), "the follower resyncs once the owner lets the room go");
    // Its code lets nobody in, on any node (node 1 had it cached).
    for node in &nodes {
        let mut phone = node.connect(Format::Json).await;
        phone.send(&hello(Auth::JoinCode { code: code.clone(), name: "Noé".into() })).await;
        let refused =
            phone.recv_until(|m| matches!(m, ServerMessage::Error { .. } | ServerMessage::Welcome { .. })).await;
        assert!(
            matches!(refused, ServerMessage::Error { code: amphi_protocol::ErrorCode::RoomNotFound, .. }),
            "{refused:?}"
        );
    }
}

/// How many Redis connections subscribe to `channel` (`PUBSUB NUMSUB`).
async fn subscribers(channel: &str) -> i64 {
    let client = redis::Client::open(REDIS).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let (_, count): (String, i64) =
        redis::cmd("PUBSUB").arg("NUMSUB").arg(channel).query_async(&mut connection).await.unwrap();
    count
}

fn is_announcement(text: &str) -> impl Fn(&ServerMessage) -> bool + '_ {
    move |m| matches!(m, ServerMessage::Event { event: EventBody::Announcement { announcement }, .. } if announcement.text == text)
}

#[tokio::test]
async fn a_node_receives_the_events_of_the_rooms_it_has_members_in_only() {
    let database = PgDatabase::create().await;
    let (nodes, _dirs) = nodes(2, &database, REDIS).await;
    let token = nodes[0].token(Role::Trainer, "trainer-follow", "Mme Durand");
    let room = create_quiz_room(&nodes[0].url(""), &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let channel = format!("amphi:room:{room_id}");
    let mut trainer = nodes[0].connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut near = guest(&nodes[0], &code, "Ici").await;
    let announce = async |trainer: &mut Client, text: &str| {
        let id = trainer.id();
        trainer.ok(ClientMessage::Announce { id, room: room_id.clone(), text: text.into() }).await;
    };

    // Everyone on the owner: no node subscribes to the room, and node 1
    // receives no room's events at all (neither these nor other tests').
    announce(&mut trainer, "un").await;
    near.client.recv_until(is_announcement("un")).await;
    assert_eq!(subscribers(&channel).await, 0, "the owner delivers to its own members without Redis");
    assert_eq!(metric(&nodes[1], "amphi_bus_events_received_total").await, 0, "node 1 follows no room");

    // Members on node 1: it subscribes once, and their events come.
    let mut far = guest(&nodes[1], &code, "Loin").await;
    let mut farther = guest(&nodes[1], &code, "Plus loin").await;
    assert_eq!(subscribers(&channel).await, 1, "one subscription for node 1, however many members");
    assert_eq!(metric(&nodes[1], "amphi_bus_rooms_followed").await, 1);
    announce(&mut trainer, "deux").await;
    far.client.recv_until(is_announcement("deux")).await;
    farther.client.recv_until(is_announcement("deux")).await;
    assert!(metric(&nodes[1], "amphi_bus_events_received_total").await >= 1);

    // The last one gone (one leaves, one drops), node 1 unsubscribes.
    let id = farther.client.id();
    farther.client.ok(ClientMessage::Leave { id, room: room_id.clone() }).await;
    assert_eq!(subscribers(&channel).await, 1, "still a member on node 1");
    drop(far);
    let mut left = false;
    for _ in 0..100 {
        if subscribers(&channel).await == 0 {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(left, "node 1 unsubscribed once its last member left");
    assert_eq!(metric(&nodes[1], "amphi_bus_rooms_followed").await, 0);
    // (Events published before the unsubscription may still be on their way.)
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = metric(&nodes[1], "amphi_bus_events_received_total").await;
    announce(&mut trainer, "trois").await;
    near.client.recv_until(is_announcement("trois")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(metric(&nodes[1], "amphi_bus_events_received_total").await, received, "nothing more for node 1");

    // A member back on node 1 follows the room again from where it is.
    let mut back = guest(&nodes[1], &code, "De retour").await;
    announce(&mut trainer, "quatre").await;
    back.client.recv_until(is_announcement("quatre")).await;
    assert_eq!(subscribers(&channel).await, 1);
}
