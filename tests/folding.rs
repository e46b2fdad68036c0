//! Protocol 2 over real WebSockets: a phone that answers gets two frames per
//! question (the question and its answer's ack), while a protocol 1 phone in
//! the same room still gets all four; what is folded for one connection is
//! still sent to the others that need it; versions outside 1..=2 are
//! refused.

use amphi_protocol::quiz::{AnswerValue, QuizCommand, QuizEvent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::json;

use crate::util::*;

fn hello_v(v: u16, auth: Auth) -> ClientMessage {
    ClientMessage::Hello { v, auth, last_seq: Default::default() }
}

/// A guest saying hello with protocol `v`; returns its resume token.
async fn guest(client: &mut Client, v: u16, code: &str, name: &str) -> String {
    client.send(&hello_v(v, Auth::JoinCode { code: code.into(), name: name.into() })).await;
    let ServerMessage::Welcome { v: echoed, resume_token, .. } = client.recv().await else { panic!("welcome") };
    assert_eq!(echoed, v, "welcome speaks the client's version");
    assert!(matches!(client.recv().await, ServerMessage::Joined { .. }));
    resume_token
}

fn answer(client: &mut Client, room: &str, question: usize) -> ClientMessage {
    let command =
        QuizCommand::Answer { question, answer: AnswerValue::Choice { choice: "c1".into() }, confidence: None };
    ClientMessage::Quiz { id: client.id(), room: room.into(), command }
}

fn command(client: &mut Client, room: &str, command: QuizCommand) -> ClientMessage {
    ClientMessage::Quiz { id: client.id(), room: room.into(), command }
}

/// The quiz events among `messages`, by kind.
fn quiz_kinds(messages: &[ServerMessage]) -> Vec<&'static str> {
    messages
        .iter()
        .filter_map(|m| match m {
            ServerMessage::Event { event: EventBody::Quiz { event }, .. } => Some(kind(event)),
            _ => None,
        })
        .collect()
}

fn kind(event: &QuizEvent) -> &'static str {
    match event {
        QuizEvent::QuestionOpened { .. } => "question_opened",
        QuizEvent::QuestionClosed { .. } => "question_closed",
        QuizEvent::AnswerAccepted { .. } => "answer_accepted",
        QuizEvent::Revealed { .. } => "revealed",
        QuizEvent::Ended { .. } => "ended",
        _ => "other",
    }
}

/// Every message up to and including the `question_opened` of `index`.
async fn until_opened(client: &mut Client, index: usize) -> Vec<ServerMessage> {
    let mut seen = Vec::new();
    loop {
        let message = client.recv().await;
        let done = matches!(&message, ServerMessage::Event {
            event: EventBody::Quiz { event: QuizEvent::QuestionOpened { question, .. } }, ..
        } if question.index == index);
        seen.push(message);
        if done {
            return seen;
        }
    }
}

/// A room with a two-question quiz: its id, its join code, and its trainer
/// connected to it.
async fn two_question_room(server: &TestServer) -> (String, String, Client) {
    let trainer_token = server.token(Role::Trainer, "Mme Durand");
    let quiz = json!({
        "title": "Deux questions",
        "questions": [
            { "type": "single_choice", "prompt": "Capitale ?", "choices": [
                { "id": "c1", "text": "Paris", "correct": true }, { "id": "c2", "text": "Lyon" } ] },
            { "type": "single_choice", "prompt": "Fleuve ?", "choices": [
                { "id": "c1", "text": "Loire", "correct": true }, { "id": "c2", "text": "Rhône" } ] }
        ]
    });
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&trainer_token)
        .json(&json!({ "title": "Quiz", "kind": "quiz", "quiz": quiz }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let room: serde_json::Value = response.json().await.unwrap();
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&trainer_token).await;
    trainer.join(&room_id(&room)).await;
    (room_id(&room), join_code(&room), trainer)
}

#[tokio::test]
async fn a_protocol_2_phone_gets_the_question_and_its_ack_and_a_protocol_1_phone_everything() {
    let server = TestServer::start().await;
    let (room, code, mut trainer) = two_question_room(&server).await;
    let mut lean = server.connect(Format::Json).await;
    guest(&mut lean, 2, &code, "Camille").await;
    let mut full = server.connect(Format::MsgPack).await;
    guest(&mut full, 1, &code, "Dominique").await;

    let start = command(&mut trainer, &room, QuizCommand::Start);
    trainer.ok(start).await;
    until_opened(&mut lean, 0).await;
    until_opened(&mut full, 0).await;

    let mine = answer(&mut lean, &room, 0);
    let around_ack = lean.ok(mine).await;
    assert!(!quiz_kinds(&around_ack).contains(&"answer_accepted"), "the ack says it: {around_ack:?}");
    let theirs = answer(&mut full, &room, 0);
    let mut full_saw = full.ok(theirs).await;

    // Everyone answered: the room closed the question; the trainer goes on.
    quiz_event(&mut trainer, |e| matches!(e, QuizEvent::QuestionClosed { index: 0, .. })).await;
    let next = command(&mut trainer, &room, QuizCommand::Next);
    trainer.ok(next).await;
    let lean_saw = until_opened(&mut lean, 1).await;
    assert_eq!(quiz_kinds(&lean_saw), ["question_opened"], "the next question says the close: {lean_saw:?}");
    // The last answer closed the question: its close may come before its ack.
    full_saw.extend(until_opened(&mut full, 1).await);
    let kinds = quiz_kinds(&full_saw);
    assert_eq!(kinds, ["answer_accepted", "question_closed", "question_opened"], "protocol 1: {full_saw:?}");

    let folded = server.app.metrics.frames_folded.get();
    assert_eq!(folded, 2, "one acceptance and one close left out");
}

#[tokio::test]
async fn what_one_connection_folds_its_members_other_connections_and_the_silent_still_get() {
    let server = TestServer::start().await;
    let (room, code, mut trainer) = two_question_room(&server).await;
    let mut phone = server.connect(Format::Json).await;
    let resume = guest(&mut phone, 2, &code, "Camille").await;
    // The same member on a second device, protocol 2 too.
    let mut tablet = server.connect(Format::Json).await;
    let last_seq = [(room.clone(), 0)].into();
    tablet.send(&ClientMessage::Hello { v: 2, auth: Auth::Resume { token: resume }, last_seq }).await;
    assert!(matches!(tablet.recv().await, ServerMessage::Welcome { v: 2, .. }));
    tablet.recv_until(|m| matches!(m, ServerMessage::Joined { .. })).await;
    let mut silent = server.connect(Format::Json).await;
    guest(&mut silent, 2, &code, "Sacha").await;

    let start = command(&mut trainer, &room, QuizCommand::Start);
    trainer.ok(start).await;
    for client in [&mut phone, &mut tablet, &mut silent] {
        until_opened(client, 0).await;
    }
    let mine = answer(&mut phone, &room, 0);
    phone.ok(mine).await;
    let accepted = quiz_event(&mut tablet, |e| matches!(e, QuizEvent::AnswerAccepted { .. })).await;
    assert!(matches!(accepted, QuizEvent::AnswerAccepted { question: 0, .. }), "the other device learns it");

    let close = command(&mut trainer, &room, QuizCommand::CloseQuestion);
    trainer.ok(close).await;
    quiz_event(&mut silent, |e| matches!(e, QuizEvent::QuestionClosed { index: 0, .. })).await;
    quiz_event(&mut tablet, |e| matches!(e, QuizEvent::QuestionClosed { index: 0, .. })).await;
    // A change of mind after the close: the refusal is how a protocol 2
    // phone that answered learns a close it was not sent.
    let late = answer(&mut phone, &room, 0);
    let (refusal, before) = phone.request(late).await;
    assert!(matches!(refusal, ServerMessage::Error { code: ErrorCode::AnswerLate, .. }), "{refusal:?}");
    assert!(quiz_kinds(&before).is_empty(), "no close was sent to it: {before:?}");
    let next = command(&mut trainer, &room, QuizCommand::Next);
    trainer.ok(next).await;
    let phone_saw = until_opened(&mut phone, 1).await;
    assert_eq!(quiz_kinds(&phone_saw), ["question_opened"], "{phone_saw:?}");
}

#[tokio::test]
async fn versions_outside_one_to_two_are_refused() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    for v in [0, 3] {
        let mut client = server.connect(Format::Json).await;
        client.send(&hello_v(v, Auth::Token { token: token.clone() })).await;
        match client.recv().await {
            ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::UnsupportedProtocol, "v{v}"),
            other => panic!("v{v}: expected unsupported_protocol, got {other:?}"),
        }
    }
    let mut client = server.connect(Format::Json).await;
    client.send(&hello_v(1, Auth::Token { token })).await;
    assert!(matches!(client.recv().await, ServerMessage::Welcome { v: 1, .. }), "protocol 1 still spoken");
}
