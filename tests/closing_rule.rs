//! The closing rule over real WebSockets: a phone that lost the network is
//! still waited for and its queued answer taken, and a room rebuilt after a
//! restart does not close its open question on the first answer back.

use amphi_protocol::quiz::{AnswerValue, CloseReason, QuizCommand, QuizEvent, QuizPhase};
use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::durability::outcome;
use crate::util::*;

fn one_question() -> Value {
    json!({
        "title": "Fermeture",
        "questions": [{
            "type": "single_choice",
            "prompt": "Quelle est la capitale de la France ?",
            "time_limit_s": 600,
            "choices": [{ "id": "c1", "text": "Paris", "correct": true }, { "id": "c2", "text": "Lyon" }]
        }]
    })
}

async fn create_quiz(server: &TestServer, token: &str) -> Value {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Fermeture", "kind": "quiz", "quiz": one_question(), "settings": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn answer(id: String, room: &str) -> ClientMessage {
    let command =
        QuizCommand::Answer { question: 0, answer: AnswerValue::Choice { choice: "c1".into() }, confidence: None };
    ClientMessage::Quiz { id, room: room.into(), command }
}

fn is_closed(m: &ServerMessage) -> bool {
    matches!(m, ServerMessage::Event { event: EventBody::Quiz { event: QuizEvent::QuestionClosed { .. } }, .. })
}

struct Phone {
    client: Client,
    resume: String,
}

async fn phones(server: &TestServer, code: &str, count: usize) -> Vec<Phone> {
    let mut phones = Vec::new();
    for i in 0..count {
        let mut client = server.connect(Format::Json).await;
        let (welcome, _) = client.hello_guest(code, &format!("P{i}")).await;
        let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
        phones.push(Phone { client, resume: resume_token });
    }
    phones
}

async fn resume(server: &TestServer, phone: &mut Phone, room: &str) {
    let mut client = server.connect(Format::Json).await;
    client.send(&hello(Auth::Resume { token: phone.resume.clone() })).await;
    assert!(matches!(client.recv().await, ServerMessage::Welcome { .. }));
    client.join(room).await;
    phone.client = client;
}

#[tokio::test]
async fn a_phone_back_from_a_network_loss_is_waited_for_and_its_answer_taken() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_quiz(&server, &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut phones = phones(&server, &code, 3).await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: QuizCommand::Start }).await;

    // The third phone loses the network: the server sees it go.
    let lost = phones.pop().unwrap();
    drop(lost.client);
    trainer
        .recv_until(|m| {
            matches!(m, ServerMessage::Event { event: EventBody::Presence { counts, .. }, .. }
                if counts.participants_connected == 2)
        })
        .await;
    // The two others answer meanwhile.
    for phone in &mut phones {
        let id = phone.client.id();
        phone.client.send(&answer(id.clone(), &room_id)).await;
        assert_eq!(outcome(&mut phone.client, &id).await, Ok(()));
    }
    // Back ten seconds later (here: at once) with its queued answer: taken,
    // not `answer_late`, and the question closes on it.
    let mut back = Phone { client: server.connect(Format::Json).await, resume: lost.resume };
    resume(&server, &mut back, &room_id).await;
    let id = back.client.id();
    back.client.send(&answer(id.clone(), &room_id)).await;
    assert_eq!(outcome(&mut back.client, &id).await, Ok(()), "the phone back from the network loss is not late");
    let closed = trainer.recv_until(is_closed).await;
    let ServerMessage::Event {
        event: EventBody::Quiz { event: QuizEvent::QuestionClosed { reason, answered, .. } },
        ..
    } = closed
    else {
        unreachable!()
    };
    assert_eq!((reason, answered), (CloseReason::AllAnswered, 3));
}

#[tokio::test]
async fn a_rebuilt_room_does_not_close_on_the_first_answer_back() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_path_buf();
    let mut server = TestServer::start_with(|c| c.data_dir = data_dir.clone()).await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_quiz(&server, &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut phones = phones(&server, &code, 3).await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: QuizCommand::Start }).await;
    drop(trainer);
    server.shutdown().await.unwrap();
    drop(server);

    // The room is rebuilt from its journal on the next node to use it.
    let server = TestServer::start_with(|c| c.data_dir = data_dir.clone()).await;
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(&room_id).await;
    assert!(matches!(snapshot.quiz.unwrap().phase, QuizPhase::Open { index: 0 }));
    // The phones come back one after the other and answer: the first
    // answers back do not close the question for the others.
    for (i, phone) in phones.iter_mut().enumerate() {
        resume(&server, phone, &room_id).await;
        let id = phone.client.id();
        phone.client.send(&answer(id.clone(), &room_id)).await;
        assert_eq!(outcome(&mut phone.client, &id).await, Ok(()), "phone {i}'s answer is taken");
    }
    let mut watcher = server.connect(Format::Json).await;
    watcher.hello_token(&token).await;
    let quiz = watcher.join(&room_id).await.quiz.unwrap();
    assert!(matches!(quiz.phase, QuizPhase::Open { index: 0 }), "still open during the rebuild's grace");
    assert_eq!(quiz.stats[0].answered, 3);
    // The trainer goes on.
    let id = trainer.id();
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: QuizCommand::Reveal }).await;
}
