//! Recordings of ateliers' video rooms, with the BigBlueButton simulator
//! recording like BigBlueButton: the recording-ready callback (its signed
//! JWT) announces a recording, `getRecordings` gives its player link (and
//! is the fallback when no callback comes), the facilitator lists it per
//! atelier (and the participation report does), publishes it to the
//! plenary like a production, and deletes the session's recordings, on
//! BigBlueButton too. A forged callback is refused and counted.

use std::time::Duration;

use amphi::bbb::ChecksumAlgorithm;
use amphi::bbb::recordings::{RecordingReady, sign_recording_ready};
use amphi::bbb::simulator::BbbSimulator;
use amphi_protocol::breakout::{BreakoutCommand, BreakoutEvent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

const BBB_SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";

async fn create_breakout(server: &TestServer, token: &str) -> Value {
    let ateliers: Vec<Value> =
        (1..=2).map(|i| json!({ "id": format!("a{i}"), "name": format!("Atelier {i}"), "duration_s": 900 })).collect();
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Ateliers", "kind": "breakout", "breakout": { "plan": { "ateliers": ateliers } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
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

/// Opens atelier a1 and waits for its video room.
async fn open_a1(facilitator: &mut Client, room_id: &str) {
    let message = command(facilitator, room_id, BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) });
    let linked = |m: &ServerMessage| matches!(breakout(m), Some(BreakoutEvent::Video { atelier, video_url: Some(_), .. }) if atelier == "a1");
    if !facilitator.ok(message).await.iter().any(linked) {
        facilitator.recv_until(linked).await;
    }
}

async fn get(server: &TestServer, path: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new().get(server.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn recorded_ateliers_are_announced_listed_published_and_deleted(database_url: Option<String>) {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    let bbb = simulator.config();
    let server = TestServer::start_at(move |config, addr| {
        config.bbb = bbb;
        config.bbb.callback_base_url = format!("http://{addr}");
        if let Some(url) = database_url {
            config.database_url = url;
        }
    })
    .await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room = create_breakout(&server, &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;
    open_a1(&mut facilitator, &room_id).await;

    // The meeting may be recorded, and tells BigBlueButton where to say so.
    let meeting = format!("amphi-{room_id}-a1");
    let create = simulator.calls_named("create").pop().unwrap();
    let param = |name: &str| create.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(param("record").as_deref(), Some("true"));
    assert_eq!(param("meta_bbb-recording-ready-url"), Some(server.url("/api/v1/bbb/recordings/ready")));

    // Nothing recorded yet.
    let listed: Value =
        get(&server, &format!("/api/v1/sessions/{room_id}/recordings"), &token).await.json().await.unwrap();
    assert_eq!(listed, json!({ "recordings": [], "refreshed": true }));

    // A moderator records, the meeting ends: BigBlueButton calls back with its signed JWT.
    assert!(simulator.start_recording(&meeting));
    let record_id = simulator.end_meeting(&meeting).expect("a recording");
    let mut answered = None;
    for _ in 0..200 {
        answered = simulator.recording_callbacks().first().and_then(|c| c.answer.clone().ok());
        if answered.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(answered, Some(202), "{:?}", simulator.recording_callbacks());
    // Stored by the callback itself, then told more by getRecordings (in the background).
    let mut stored = Vec::new();
    for _ in 0..200 {
        stored = server.app.store.recordings(&room_id).await.unwrap();
        if stored.first().is_some_and(|r| !r.playback_url.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].record_id.as_str(), stored[0].atelier.as_str()), (record_id.as_str(), "a1"));
    assert!(!stored[0].playback_url.is_empty(), "asked of getRecordings for its link: {stored:?}");

    // Listed per atelier, with BigBlueButton's player.
    let participant = server.token(Role::Participant, "Zoé");
    let refused = get(&server, &format!("/api/v1/sessions/{room_id}/recordings"), &participant).await;
    assert_eq!(refused.status(), 403, "leaders only");
    let listed: Value =
        get(&server, &format!("/api/v1/sessions/{room_id}/recordings"), &token).await.json().await.unwrap();
    let recordings = listed["recordings"].as_array().unwrap();
    assert_eq!(recordings.len(), 1, "{listed}");
    let recording = &recordings[0];
    assert_eq!(recording["record_id"], record_id.as_str());
    assert_eq!(recording["atelier"], "a1");
    assert_eq!(recording["meeting"], meeting.as_str());
    assert_eq!(recording["state"], "published");
    assert_eq!(recording["playback_format"], "presentation");
    let player = recording["playback_url"].as_str().unwrap().to_string();
    assert!(player.ends_with(&format!("/playback/presentation/2.3/{record_id}")), "{player}");

    // The participation report lists it too.
    let report: Value = server.get_json(&format!("/api/v1/sessions/{room_id}/participation.json"), &token).await;
    assert_eq!(report["recordings"][0]["record_id"], record_id.as_str());
    assert_eq!(report["recordings"][0]["atelier"], "a1");

    // Published to the plenary: everyone sees it, a participant joining later too.
    let forged = command(
        &mut facilitator,
        &room_id,
        BreakoutCommand::PublishRecording {
            record_id: record_id.clone(),
            recording: Some(amphi_protocol::breakout::SharedRecording {
                record_id: record_id.clone(),
                atelier: "a1".into(),
                atelier_name: "x".into(),
                url: "https://elsewhere.example.org/".into(),
                started_at: 0,
                length_minutes: 0,
                at: 0,
            }),
        },
    );
    assert_eq!(facilitator.refused(forged).await, ErrorCode::InvalidField, "the link is the server's to fill");
    let unknown = command(
        &mut facilitator,
        &room_id,
        BreakoutCommand::PublishRecording { record_id: "nope".into(), recording: None },
    );
    assert_eq!(facilitator.refused(unknown).await, ErrorCode::NotFound);
    let publish = command(
        &mut facilitator,
        &room_id,
        BreakoutCommand::PublishRecording { record_id: record_id.clone(), recording: None },
    );
    let events = facilitator.ok(publish).await;
    let published = |m: &ServerMessage| match breakout(m) {
        Some(BreakoutEvent::RecordingPublished { recording }) => Some(recording.clone()),
        _ => None,
    };
    let shown = match events.iter().find_map(published) {
        Some(shown) => shown,
        None => published(&facilitator.recv_until(|m| published(m).is_some()).await).unwrap(),
    };
    assert_eq!((shown.atelier.as_str(), shown.atelier_name.as_str()), ("a1", "Atelier 1"));
    assert_eq!(shown.url, player);
    let mut phone = server.connect(Format::MsgPack).await;
    let (_, snapshot) = phone.hello_guest(&code, "Zoé").await;
    let plenary = snapshot.breakout.expect("a breakout snapshot");
    assert_eq!(plenary.recordings, vec![shown.clone()], "shown to the plenary");

    // Withdrawn.
    let unpublish =
        command(&mut facilitator, &room_id, BreakoutCommand::UnpublishRecording { record_id: record_id.clone() });
    facilitator.ok(unpublish).await;
    let gone = phone.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::RecordingUnpublished { .. }))).await;
    assert!(matches!(breakout(&gone), Some(BreakoutEvent::RecordingUnpublished { record_id: r }) if *r == record_id));

    // Deleted with the session's recordings, on BigBlueButton too.
    let delete = |bearer: &str| {
        reqwest::Client::new()
            .delete(server.url(&format!("/api/v1/sessions/{room_id}/recordings")))
            .bearer_auth(bearer)
            .send()
    };
    assert_eq!(delete(&participant).await.unwrap().status(), 403);
    let deleted: Value = delete(&token).await.unwrap().json().await.unwrap();
    assert_eq!(deleted, json!({ "deleted": 1 }));
    assert!(simulator.recording_ids().is_empty(), "deleted on BigBlueButton");
    let call = simulator.calls_named("deleteRecordings").pop().unwrap();
    assert!(call.checksum_valid);
    assert_eq!(call.params, vec![("recordID".to_string(), record_id.clone())]);
    let listed: Value =
        get(&server, &format!("/api/v1/sessions/{room_id}/recordings"), &token).await.json().await.unwrap();
    assert_eq!(listed["recordings"], json!([]));
}

#[tokio::test]
async fn recorded_ateliers_are_announced_listed_published_and_deleted_sqlite() {
    recorded_ateliers_are_announced_listed_published_and_deleted(None).await;
}

#[tokio::test]
async fn recorded_ateliers_are_announced_listed_published_and_deleted_postgres() {
    let database = PgDatabase::create().await;
    recorded_ateliers_are_announced_listed_published_and_deleted(Some(database.url.clone())).await;
}

#[tokio::test]
async fn get_recordings_is_the_fallback_when_no_callback_comes() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    let bbb = simulator.config();
    // No public address: BigBlueButton is given no callback.
    let server = TestServer::start_with(move |config| config.bbb = bbb).await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room = create_breakout(&server, &token).await;
    let room_id = room_id(&room);
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;
    open_a1(&mut facilitator, &room_id).await;
    let meeting = format!("amphi-{room_id}-a1");
    assert!(simulator.start_recording(&meeting));
    let record_id = simulator.end_meeting(&meeting).unwrap();
    assert!(simulator.recording_callbacks().is_empty());

    // A callback naming the recording only (as Moodle's mock sends it, by GET): found through getRecordings.
    let only_record = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({ "record_id": record_id }),
        &jsonwebtoken::EncodingKey::from_secret(BBB_SECRET.as_bytes()),
    )
    .unwrap();
    let url = server.url(&format!("/api/v1/bbb/recordings/ready?signed_parameters={only_record}"));
    assert_eq!(reqwest::get(url).await.unwrap().status(), 202);
    let mut stored = Vec::new();
    for _ in 0..200 {
        stored = server.app.store.recordings(&room_id).await.unwrap();
        if !stored.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(stored.len(), 1, "the recording-only callback found its session");
    assert_eq!(stored[0].atelier, "a1");

    let listed: Value =
        get(&server, &format!("/api/v1/sessions/{room_id}/recordings"), &token).await.json().await.unwrap();
    assert_eq!(listed["refreshed"], true);
    assert_eq!(listed["recordings"][0]["record_id"], record_id.as_str());
    assert_eq!(listed["recordings"][0]["atelier"], "a1");
    let asked = simulator.calls_named("getRecordings").pop().unwrap();
    assert_eq!(asked.params, vec![("meta_amphi-session-id".to_string(), room_id.clone())], "the session's meetings");

    // BigBlueButton unreachable: what is stored is answered, said not refreshed.
    simulator.inject("getRecordings", amphi::bbb::simulator::Fault::Status(502));
    let listed: Value =
        get(&server, &format!("/api/v1/sessions/{room_id}/recordings"), &token).await.json().await.unwrap();
    assert_eq!(listed["refreshed"], false);
    assert_eq!(listed["recordings"][0]["record_id"], record_id.as_str());
    // And nothing is deleted here while BigBlueButton cannot delete it there.
    simulator.inject("deleteRecordings", amphi::bbb::simulator::Fault::Status(502));
    let refused = reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/sessions/{room_id}/recordings/{record_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(simulator.recording_ids(), vec![record_id.clone()]);
    simulator.clear_faults();
    let deleted = reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/sessions/{room_id}/recordings/{record_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    assert!(simulator.recording_ids().is_empty());
}

#[tokio::test]
async fn a_forged_recording_ready_callback_is_refused_and_counted() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    let bbb = simulator.config();
    let server = TestServer::start_with(move |config| config.bbb = bbb).await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room_id = room_id(&create_breakout(&server, &token).await);
    let post = |body: String| {
        reqwest::Client::new()
            .post(server.url("/api/v1/bbb/recordings/ready"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let ready = RecordingReady { meeting_id: format!("amphi-{room_id}-a1"), record_id: "r-1".into() };
    let forged = sign_recording_ready("not the secret", &ready).unwrap();
    assert_eq!(post(format!("signed_parameters={forged}")).await.unwrap().status(), 401);
    assert_eq!(post("other=1".into()).await.unwrap().status(), 401);
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("amphi_bbb_callbacks_refused_total{callback=\"recording_ready\",reason=\"invalid_token\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("amphi_bbb_callbacks_refused_total{callback=\"recording_ready\",reason=\"missing_token\"} 1")
    );
    // Without BigBlueButton, a session has no recordings to list.
    let plain = TestServer::start().await;
    let plain_token = plain.token(Role::Facilitator, "Mme Leroy");
    let plain_room = crate::util::room_id(&create_breakout(&plain, &plain_token).await);
    let listed = get(&plain, &format!("/api/v1/sessions/{plain_room}/recordings"), &plain_token).await;
    assert_eq!(listed.status(), 404);

    // A genuine one for a meeting that is not amphi's is answered 404.
    let other = RecordingReady { meeting_id: "someone-else".into(), record_id: "r-2".into() };
    let signed = sign_recording_ready(BBB_SECRET, &other).unwrap();
    assert_eq!(post(format!("signed_parameters={signed}")).await.unwrap().status(), 404);
    // One for a meeting of the session BigBlueButton cannot list yet is kept as announced.
    let signed = sign_recording_ready(BBB_SECRET, &ready).unwrap();
    assert_eq!(post(format!("signed_parameters={signed}")).await.unwrap().status(), 202);
    let stored = server.app.store.recordings(&room_id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].state.as_str(), stored[0].atelier.as_str()), ("ready", "a1"));
    assert_eq!(stored[0].playback_url, "");
}

#[tokio::test]
async fn a_meeting_ended_webhook_looks_for_its_recording() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    let bbb = simulator.config();
    // No public address: the meeting has no recording-ready callback.
    let server = TestServer::start_with(move |config| config.bbb = bbb).await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room_id = room_id(&create_breakout(&server, &token).await);
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;
    open_a1(&mut facilitator, &room_id).await;
    let meeting = format!("amphi-{room_id}-a1");
    assert!(simulator.start_recording(&meeting));
    let record_id = simulator.end_meeting(&meeting).unwrap();
    // Only bbb-webhooks says the meeting ended.
    assert!(simulator.recording_callbacks().is_empty());
    let event = json!([{ "data": { "type": "event", "id": "meeting-ended", "attributes": { "meeting": {
        "internal-meeting-id": record_id, "external-meeting-id": meeting } }, "event": { "ts": 1_715_261_806_899_u64 } } }]);
    let encoded: String = url::form_urlencoded::byte_serialize(event.to_string().as_bytes()).collect();
    let body = format!("domain=bbb.example.org&event={encoded}&timestamp=1715261734755");
    // Signed over the URL as amphi knows it (no public address: the path).
    let checksum = amphi::bbb::checksum::webhook_checksum(
        ChecksumAlgorithm::Sha1,
        "/api/v1/bbb/webhooks",
        body.as_bytes(),
        BBB_SECRET,
    );
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/bbb/webhooks?checksum={checksum}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut stored = Vec::new();
    for _ in 0..200 {
        // Looked for by getRecordings, without anyone listing them.
        stored = server.app.store.recordings(&room_id).await.unwrap();
        if stored.iter().any(|r| r.record_id == record_id && !r.playback_url.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(stored.iter().any(|r| r.record_id == record_id && !r.playback_url.is_empty()), "{stored:?}");
}
