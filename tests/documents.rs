//! The facilitator's files in the ateliers' video rooms, with the
//! BigBlueButton simulator: an atelier's files go with its meeting's
//! `create` (the `<modules>` body, signed expiring links BigBlueButton can
//! fetch), a file added while the meeting runs goes with `insertDocument`
//! (2.5+), and BigBlueButton 2.4, which has no `insertDocument`, leaves it
//! on the atelier's page, which the facilitator is told.

use amphi::bbb::ChecksumAlgorithm;
use amphi::bbb::simulator::BbbSimulator;
use amphi_protocol::board::File;
use amphi_protocol::breakout::{BreakoutCommand, BreakoutEvent, DocumentDelivery};
use amphi_protocol::server::EventBody;
use amphi_protocol::{ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

const BBB_SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";

fn pdf(seed: u8) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.7\n%{seed}\n").into_bytes();
    bytes.resize(300, b'a' + seed % 26);
    bytes
}

async fn post_json(server: &TestServer, token: &str, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new().post(server.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Uploads a file (through a board of the tenant) → its blob id.
async fn upload(server: &TestServer, token: &str, board: &str, bytes: Vec<u8>) -> String {
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/boards/{board}/uploads?name=f.pdf")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["blob"].as_str().unwrap().to_string()
}

fn breakout(message: &ServerMessage) -> Option<&BreakoutEvent> {
    match message {
        ServerMessage::Event { event: EventBody::Breakout { event }, .. } => Some(event),
        _ => None,
    }
}

fn command(client: &mut Client, room: &str, command: BreakoutCommand) -> ClientMessage {
    ClientMessage::Breakout { id: client.id(), room: room.into(), command: Box::new(command) }
}

/// Adds a file to an atelier → what became of it in the video room.
async fn add_file(facilitator: &mut Client, room: &str, atelier: &str, blob: &str) -> Option<DocumentDelivery> {
    let file = File { blob: blob.into(), name: "suite.pdf".into(), content_type: String::new(), size: 0 };
    let message = command(facilitator, room, BreakoutCommand::AddFile { atelier: atelier.into(), file, video: None });
    let added = |m: &ServerMessage| match breakout(m) {
        Some(BreakoutEvent::FileAdded { atelier: a, file, video }) if a == atelier && file.blob == blob => {
            assert_eq!(file.content_type, "application/pdf", "described from the store");
            Some(*video)
        }
        _ => None,
    };
    let others = facilitator.ok(message).await;
    match others.iter().find_map(added) {
        Some(video) => video,
        None => added(&facilitator.recv_until(|m| added(m).is_some()).await).unwrap(),
    }
}

#[tokio::test]
async fn files_reach_the_video_rooms_at_creation_and_while_they_run() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    let bbb = simulator.config();
    let server = TestServer::start_at(move |config, addr| {
        config.bbb = bbb;
        config.bbb.callback_base_url = format!("http://{addr}");
    })
    .await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let board = room_id(
        &post_json(
            &server,
            &token,
            "/api/v1/rooms",
            json!({ "title": "Fichiers", "kind": "board", "board": { "sections": ["A"] } }),
        )
        .await,
    );
    let first = upload(&server, &token, &board, pdf(1)).await;
    let ateliers = json!([
        { "id": "a1", "name": "Lecture", "duration_s": 900, "files": [{ "blob": first, "name": "texte.pdf" }] },
        { "id": "a2", "name": "Écriture", "duration_s": 900 },
    ]);
    let room = post_json(
        &server,
        &token,
        "/api/v1/rooms",
        json!({ "title": "Ateliers", "kind": "breakout", "breakout": { "plan": { "ateliers": ateliers } } }),
    )
    .await;
    let room_id = room_id(&room);
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;

    // Opening: the atelier's file goes with create, by a link BigBlueButton can fetch without a token.
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) });
    let linked = |m: &ServerMessage| matches!(breakout(m), Some(BreakoutEvent::Video { atelier, video_url: Some(_), .. }) if atelier == "a1");
    if !facilitator.ok(message).await.iter().any(linked) {
        facilitator.recv_until(linked).await;
    }
    let meeting = format!("amphi-{room_id}-a1");
    let create = simulator.calls_named("create").pop().unwrap();
    assert_eq!(create.method, "POST", "the documents go in the body");
    assert!(create.body.as_deref().is_some_and(|b| b.contains(r#"filename="texte.pdf""#)), "{:?}", create.body);
    let documents = simulator.documents(&meeting);
    assert_eq!(documents.len(), 1);
    assert!(documents[0].starts_with(&server.url(&format!("/api/v1/blobs/{first}?access="))), "{documents:?}");
    let fetched = reqwest::get(&documents[0]).await.unwrap();
    assert_eq!(fetched.status(), 200, "a signed link on amphi's public address");
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), pdf(1));

    // Added while the meeting runs: insertDocument.
    let second = upload(&server, &token, &board, pdf(2)).await;
    assert_eq!(add_file(&mut facilitator, &room_id, "a1", &second).await, Some(DocumentDelivery::Inserted));
    let documents = simulator.documents(&meeting);
    assert_eq!(documents.len(), 2);
    assert!(documents[1].contains(&format!("/api/v1/blobs/{second}?access=")));
    let insert = simulator.calls_named("insertDocument").pop().unwrap();
    assert!(insert.checksum_valid);
    assert!(insert.body.as_deref().is_some_and(|b| b.contains(r#"filename="suite.pdf""#)));

    // An atelier whose meeting does not exist yet: its page only, nothing sent.
    let third = upload(&server, &token, &board, pdf(3)).await;
    assert_eq!(add_file(&mut facilitator, &room_id, "a2", &third).await, None);
    assert_eq!(simulator.calls_named("insertDocument").len(), 1);

    // BigBlueButton 2.4 has no insertDocument: the facilitator is told it is on the atelier's page only.
    simulator.pretend_bbb_2_4();
    let fourth = upload(&server, &token, &board, pdf(4)).await;
    assert_eq!(add_file(&mut facilitator, &room_id, "a1", &fourth).await, Some(DocumentDelivery::Unsupported));
    assert_eq!(simulator.documents(&meeting).len(), 2);

    // The server says what became of the file, never a client.
    let file = File { blob: fourth.clone(), name: "x.pdf".into(), content_type: String::new(), size: 0 };
    let forged = command(
        &mut facilitator,
        &room_id,
        BreakoutCommand::AddFile { atelier: "a1".into(), file, video: Some(DocumentDelivery::Inserted) },
    );
    assert_eq!(facilitator.refused(forged).await, ErrorCode::InvalidField);
    let file = File { blob: "f".repeat(64), name: "x.pdf".into(), content_type: String::new(), size: 0 };
    let missing =
        command(&mut facilitator, &room_id, BreakoutCommand::AddFile { atelier: "a1".into(), file, video: None });
    assert_eq!(facilitator.refused(missing).await, ErrorCode::NotFound, "upload the file first");
}
