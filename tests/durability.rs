//! Durable acknowledgements on both backends: an acknowledged answer
//! survives `kill -9` of the server (a separate process) and is counted once
//! when its participant retries after the restart; the trainer finds the
//! session where it was. During a PostgreSQL outage (a proxy the test cuts)
//! rooms keep running, answers wait unacknowledged, `/readyz` says why, a
//! full queue refuses new answers with `unavailable`, and everything queued
//! is committed and acknowledged once the database is back.

use std::collections::BTreeMap;
use std::time::Duration;

use amphi_protocol::quiz::{AnswerValue, QuizCommand, QuizEvent, QuizPhase};
use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

pub fn quiz_json() -> Value {
    json!({
        "title": "Reprise",
        "questions": [
            {
                "type": "single_choice",
                "prompt": "Quelle est la capitale de la France ?",
                "time_limit_s": 600,
                "choices": [
                    { "id": "c1", "text": "Paris", "correct": true },
                    { "id": "c2", "text": "Lyon" }
                ]
            },
            { "type": "true_false", "prompt": "La Loire est un fleuve.", "time_limit_s": 600, "answer": true }
        ]
    })
}

pub async fn create_quiz_room(base: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Reprise", "kind": "quiz", "quiz": quiz_json(), "settings": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

pub async fn results(base: &str, token: &str, room: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{base}/api/v1/sessions/{room}/results.json"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// How many answers each member has for question `q` in the results.
pub fn answers_per_member(results: &Value, q: u64) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for row in results["rows"].as_array().unwrap() {
        if row["question"] == q {
            *counts.entry(row["member"].as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    counts
}

pub fn answer(id: String, room: &str, choice: &str) -> ClientMessage {
    ClientMessage::Quiz {
        id,
        room: room.into(),
        command: QuizCommand::Answer {
            question: 0,
            answer: AnswerValue::Choice { choice: choice.into() },
            confidence: None,
        },
    }
}

/// Reads until the answer to `id`: `Ok(())` for an ack, the code of an error.
pub async fn outcome(client: &mut Client, id: &str) -> Result<(), ErrorCode> {
    loop {
        match client.recv().await {
            ServerMessage::Ack { id: got } if got == id => return Ok(()),
            ServerMessage::Error { id: Some(got), code, .. } if got == id => return Err(code),
            _ => {}
        }
    }
}

struct Phone {
    client: Client,
    member: String,
    resume: String,
    answer_id: String,
}

async fn acknowledged_answers_survive_kill_9(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), database_url).await;
    let base = server.url("");
    let trainer_token = server.token(Role::Trainer, "trainer-1", "Mme Durand");
    let room = create_quiz_room(&base, &trainer_token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&trainer_token).await;
    trainer.join(&room_id).await;

    let mut phones = Vec::new();
    for i in 0..24 {
        let format = if i % 2 == 0 { Format::Json } else { Format::MsgPack };
        let mut client = server.connect(format).await;
        let (welcome, _) = client.hello_guest(&code, &format!("P{i}")).await;
        let ServerMessage::Welcome { member, resume_token, .. } = welcome else { unreachable!() };
        let answer_id = client.id();
        phones.push(Phone { client, member: member.id, resume: resume_token, answer_id });
    }
    let start = ClientMessage::Quiz { id: trainer.id(), room: room_id.clone(), command: QuizCommand::Start };
    trainer.ok(start).await;

    // The first half answer and are acknowledged; the second half answer as
    // the server dies.
    let (acked, in_flight) = phones.split_at_mut(12);
    for phone in acked.iter_mut() {
        let message = answer(phone.answer_id.clone(), &room_id, "c1");
        phone.client.send(&message).await;
    }
    for phone in acked.iter_mut() {
        assert_eq!(outcome(&mut phone.client, &phone.answer_id).await, Ok(()), "acknowledged");
    }
    for phone in in_flight.iter_mut() {
        let message = answer(phone.answer_id.clone(), &room_id, "c2");
        phone.client.send(&message).await;
    }
    server.kill();

    let server = ServerProcess::start(dir.path(), database_url).await;
    let base = server.url("");
    // Every acknowledged answer is in the store (and so in the export).
    let stored = answers_per_member(&results(&base, &trainer_token, &room_id).await, 0);
    for phone in &phones[..12] {
        assert_eq!(stored.get(&phone.member), Some(&1), "{} was acknowledged, so it was stored", phone.member);
    }

    // The trainer finds the session where it was.
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&trainer_token).await;
    let snapshot = trainer.join(&room_id).await;
    assert!(matches!(snapshot.quiz.unwrap().phase, QuizPhase::Open { index: 0 }), "still on the first question");

    // Every participant resumes with their resume token (all of them first,
    // as phones do after an outage) and retries their answer with the same
    // id: acknowledged, and counted once.
    for phone in &mut phones {
        let mut client = server.connect(Format::MsgPack).await;
        client.send(&hello(Auth::Resume { token: phone.resume.clone() })).await;
        let welcome = client.recv().await;
        assert!(matches!(welcome, ServerMessage::Welcome { .. }), "the resume token still works: {welcome:?}");
        client.join(&room_id).await;
        phone.client = client;
    }
    for phone in &mut phones {
        // A retry is answered from the journal when the first attempt was
        // committed, and applied when it never was.
        let retry = answer(phone.answer_id.clone(), &room_id, "c2");
        phone.client.send(&retry).await;
        assert_eq!(outcome(&mut phone.client, &phone.answer_id).await, Ok(()), "a retry is acknowledged");
    }
    let stored = answers_per_member(&results(&base, &trainer_token, &room_id).await, 0);
    assert_eq!(stored.len(), 24, "every participant's answer is there");
    assert!(stored.values().all(|count| *count == 1), "none counted twice: {stored:?}");

    // The session goes on: the rebuilt room does not close the question by
    // itself during the rebuild's grace; the trainer reveals the answer and
    // everyone hears of it.
    let reveal = ClientMessage::Quiz { id: trainer.id(), room: room_id.clone(), command: QuizCommand::Reveal };
    trainer.ok(reveal).await;
    let phone = &mut phones[0].client;
    phone
        .recv_until(|m| {
            matches!(m, ServerMessage::Event { event: EventBody::Quiz { event: QuizEvent::Revealed { .. } }, .. })
        })
        .await;
}

#[tokio::test]
async fn sqlite_acknowledged_answers_survive_kill_9() {
    acknowledged_answers_survive_kill_9(None).await;
}

#[tokio::test]
async fn postgres_acknowledged_answers_survive_kill_9() {
    let database = PgDatabase::create().await;
    acknowledged_answers_survive_kill_9(Some(&database.url)).await;
}

#[tokio::test]
async fn a_postgres_outage_holds_acknowledgements_until_commit() {
    let database = PgDatabase::create().await;
    let target: std::net::SocketAddr = "127.0.0.1:5432".parse().unwrap();
    let proxy = Proxy::start(target).await;
    let proxied = database.url.replace("127.0.0.1:5432", &proxy.addr.to_string());
    let server = TestServer::start_with(|config| {
        config.database_url = proxied;
        config.store.batch_writes = 1;
        config.store.queue_writes = 3;
    })
    .await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let base = server.url("");
    let room = create_quiz_room(&base, &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut phones = Vec::new();
    for i in 0..6 {
        // One at a time: the queue is tiny, and a join writes too.
        wait_until(|| server.app.writer.queued() == 0).await;
        let mut phone = server.connect(Format::Json).await;
        phone.hello_guest(&code, &format!("P{i}")).await;
        phones.push(phone);
    }
    wait_until(|| server.app.writer.queued() == 0).await;
    let start = ClientMessage::Quiz { id: trainer.id(), room: room_id.clone(), command: QuizCommand::Start };
    trainer.ok(start).await;
    // Let the writer drain what the joins queued.
    wait_until(|| server.app.writer.queued() == 0).await;

    proxy.cut();
    // Up to the queue's size, answers are applied and wait for their commit;
    // then the queue is full and answers are refused.
    let mut waiting = Vec::new();
    let mut refused = Vec::new();
    for (i, phone) in phones.iter_mut().enumerate() {
        let id = phone.id();
        phone.send(&answer(id.clone(), &room_id, "c1")).await;
        if i < 3 {
            waiting.push((i, id));
        } else {
            assert_eq!(outcome(phone, &id).await, Err(ErrorCode::Unavailable), "the queue is full");
            refused.push((i, id));
        }
    }
    for (i, id) in &waiting {
        let early = tokio::time::timeout(Duration::from_millis(300), outcome(&mut phones[*i], id)).await;
        assert!(early.is_err(), "no acknowledgement without a commit: {early:?}");
    }
    let (status, body) = get_json(&server.url("/readyz")).await;
    assert_eq!(status, 503);
    assert!(body["reasons"].to_string().contains("store"), "{body}");
    // The room keeps running: the trainer still gets answers to commands
    // that need no write... and the live count of answers moved.
    let ask = ClientMessage::Announce { id: trainer.id(), room: room_id.clone(), text: "Patience".into() };
    trainer.ok(ask).await;

    proxy.restore();
    for (i, id) in &waiting {
        assert_eq!(outcome(&mut phones[*i], id).await, Ok(()), "committed once the database is back");
    }
    for (i, id) in &refused {
        let phone = &mut phones[*i];
        phone.send(&answer(id.clone(), &room_id, "c1")).await;
        assert_eq!(outcome(phone, id).await, Ok(()), "a refused answer retried later is taken");
    }
    let stored = answers_per_member(&results(&base, &token, &room_id).await, 0);
    assert_eq!(stored.len(), 6);
    assert!(stored.values().all(|count| *count == 1));
    let journal = server.app.store.inputs(uuid::Uuid::parse_str(&room_id).unwrap()).await.unwrap();
    let answers = journal.iter().filter(|input| input.action.as_deref() == Some("answer")).count();
    assert_eq!(answers, 6, "every answer journaled once");
    wait_until(|| server.app.writer.readiness().is_ok()).await;
}

/// Polls `condition` for up to 10 s.
pub async fn wait_until(condition: impl Fn() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not met in time");
}

pub async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}
