//! Ateliers over real WebSockets, with the BigBlueButton simulator: 30
//! participants in 5 ateliers — balanced assignment honoured, one video
//! meeting per atelier created with valid checksums and linked, a broadcast
//! reaching every atelier once (and each video chat), a help call seen by
//! the facilitator only, productions shared back to the plenary, a
//! reconnecting member landing in their atelier, the participation report,
//! and a BigBlueButton that fails without harming the session.

use std::collections::BTreeMap;
use std::time::Duration;

use amphi::bbb::ChecksumAlgorithm;
use amphi::bbb::simulator::BbbSimulator;
use amphi_protocol::breakout::{BreakoutCommand, BreakoutEvent, ProductionContent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

const BBB_SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";

fn plan() -> Value {
    let ateliers: Vec<Value> = (1..=5)
        .map(|i| {
            json!({ "id": format!("a{i}"), "name": format!("Atelier {i}"), "duration_s": 900,
                    "instructions": "Lisez le document puis échangez.",
                    "resources": [{ "title": "Document", "url": "https://eduscol.education.fr/" }] })
        })
        .collect();
    json!({ "plan": { "ateliers": ateliers, "mode": "balanced" }, "settings": { "completion_percent": 75 } })
}

async fn create_breakout(server: &TestServer, token: &str) -> Value {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Ateliers du matin", "kind": "breakout", "breakout": plan() }))
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

/// Reads what arrives within `wait`.
async fn drain(client: &mut Client, wait: Duration) -> Vec<ServerMessage> {
    let mut seen = Vec::new();
    while let Ok(Ok(message)) = tokio::time::timeout(wait, client.next_message_or_close()).await {
        seen.push(message);
    }
    seen
}

#[tokio::test]
async fn thirty_participants_in_five_ateliers() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    let bbb = simulator.config();
    let server = TestServer::start_with(move |config| {
        config.bbb = bbb;
        config.bbb.callback_base_url = "https://amphi.example.org".into();
    })
    .await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room = create_breakout(&server, &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;

    let mut phones = Vec::new();
    for i in 0..30 {
        let mut phone = server.connect(if i % 2 == 0 { Format::Json } else { Format::MsgPack }).await;
        let (welcome, _) = phone.hello_guest(&code, &format!("P{i}")).await;
        let ServerMessage::Welcome { member, resume_token, .. } = welcome else { unreachable!() };
        phones.push((phone, member.id, resume_token));
    }

    // Balanced: 6 per atelier, each participant told theirs.
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Distribute);
    facilitator.ok(message).await;
    let mut atelier_of = BTreeMap::new();
    for (phone, member, _) in &mut phones {
        let assignment =
            phone.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::Assignment { atelier: Some(_) }))).await;
        let Some(BreakoutEvent::Assignment { atelier: Some(view) }) = breakout(&assignment) else { unreachable!() };
        assert_eq!(view.atelier.resources.len(), 1, "the atelier comes with its resources");
        atelier_of.insert(member.clone(), view.atelier.id.clone());
    }
    let mut sizes = BTreeMap::new();
    for atelier in atelier_of.values() {
        *sizes.entry(atelier.clone()).or_insert(0) += 1;
    }
    assert_eq!(sizes.values().copied().collect::<Vec<_>>(), vec![6; 5], "{sizes:?}");

    // Opening: every atelier's members hear of theirs, and get its video
    // link once its meeting exists.
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Open { ateliers: None });
    facilitator.ok(message).await;
    for (phone, member, _) in &mut phones {
        let mine = atelier_of[member].clone();
        let opened = phone.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::Opened { .. }))).await;
        assert!(matches!(breakout(&opened), Some(BreakoutEvent::Opened { atelier, .. }) if *atelier == mine));
        let video = phone.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::Video { .. }))).await;
        let Some(BreakoutEvent::Video { atelier, video_url: Some(url), .. }) = breakout(&video) else { unreachable!() };
        assert_eq!(*atelier, mine, "only one's own atelier's link");
        assert_eq!(url, &format!("/api/v1/sessions/{room_id}/ateliers/{mine}/video"));
    }
    let created = simulator.calls_named("create");
    assert_eq!(created.len(), 5, "one meeting per atelier");
    for call in &created {
        let param = |name: &str| call.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert!(param("meetingID").is_some_and(|id| id.starts_with(&format!("amphi-{room_id}-a"))));
        assert_eq!(param("meta_amphi-session-id"), Some(room_id.clone()), "linked to the session");
        let analytics = param("meta_analytics-callback-url");
        assert_eq!(analytics.as_deref(), Some("https://amphi.example.org/api/v1/bbb/analytics"));
        assert_eq!(param("logoutURL"), Some(format!("https://amphi.example.org/j/{code}")), "back to the session");
    }
    // A member's own join URL, signed for the simulator.
    let (phone_member, phone_atelier) = atelier_of.iter().next().map(|(m, a)| (m.clone(), a.clone())).unwrap();
    let resume = phones.iter().find(|(_, member, _)| *member == phone_member).unwrap().2.clone();
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/sessions/{room_id}/ateliers/{phone_atelier}/video")))
        .bearer_auth(&resume)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let join: Value = response.json().await.unwrap();
    let url = join["url"].as_str().unwrap();
    assert!(url.contains(&format!("meetingID=amphi-{room_id}-{phone_atelier}")) && url.contains("checksum="));
    assert!(url.contains(&format!("userID={phone_member}")) && url.contains("role=VIEWER"), "{url}");
    // Not another atelier's, nor one the plan does not have; a leader, any of the plan's.
    let video = |atelier: &str, token: &str| {
        reqwest::Client::new()
            .get(server.url(&format!("/api/v1/sessions/{room_id}/ateliers/{atelier}/video")))
            .bearer_auth(token.to_string())
            .send()
    };
    let other_atelier = atelier_of.values().find(|a| **a != phone_atelier).unwrap().clone();
    let response = video(&other_atelier, &resume).await.unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(response.json::<Value>().await.unwrap()["code"], "forbidden");
    assert_eq!(video("a99", &resume).await.unwrap().status(), 404);
    assert_eq!(video(&other_atelier, &token).await.unwrap().status(), 200);
    assert_eq!(video("a99", &token).await.unwrap().status(), 404);

    // A broadcast reaches every atelier once, and every video chat.
    let text = "Il vous reste dix minutes".to_string();
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Broadcast { text: text.clone(), atelier: None });
    facilitator.ok(message).await;
    // A second broadcast marks the end: events arrive in order, so whatever
    // came before it is all there is of the first.
    let marker = "Fin des consignes".to_string();
    let message =
        command(&mut facilitator, &room_id, BreakoutCommand::Broadcast { text: marker.clone(), atelier: None });
    facilitator.ok(message).await;
    for (phone, _, _) in &mut phones {
        let mut count = 0;
        loop {
            let message = phone.next_message_or_close().await.expect("the broadcasts, then the marker");
            match breakout(&message) {
                Some(BreakoutEvent::Broadcast { broadcast }) if broadcast.text == text => count += 1,
                Some(BreakoutEvent::Broadcast { broadcast }) if broadcast.text == marker => break,
                _ => {}
            }
        }
        assert_eq!(count, 1, "exactly once per participant");
    }
    let firsts = |meeting: String| simulator.chat_messages(&meeting).iter().filter(|(_, m)| *m == text).count();
    let mut chats = 0;
    for _ in 0..50 {
        chats = (1..=5).map(|i| firsts(format!("amphi-{room_id}-a{i}"))).sum::<usize>();
        if chats == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(chats, 5, "one chat message per video room");

    // A help call: the facilitator sees it, the other participants do not.
    let (caller, _, _) = &mut phones[0];
    let message = command(caller, &room_id, BreakoutCommand::CallHelp { text: Some("On bloque".into()) });
    caller.ok(message).await;
    let call = facilitator.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::HelpCall { .. }))).await;
    assert!(
        matches!(breakout(&call), Some(BreakoutEvent::HelpCall { call }) if call.text.as_deref() == Some("On bloque"))
    );
    let others = drain(&mut phones[1].0, Duration::from_millis(200)).await;
    assert!(!others.iter().any(|m| matches!(breakout(m), Some(BreakoutEvent::HelpCall { .. }))));

    // Each atelier hands in a production; publishing shows them all,
    // labelled, to everyone.
    let mut done = std::collections::BTreeSet::new();
    for (phone, member, _) in &mut phones {
        if done.insert(atelier_of[member].clone()) {
            let content = ProductionContent { text: Some(format!("Synthèse de {member}")), link: None, file: None };
            let message = command(phone, &room_id, BreakoutCommand::SubmitProduction { content });
            phone.ok(message).await;
        }
    }
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Close { atelier: None });
    facilitator.ok(message).await;
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Publish { atelier: None });
    facilitator.ok(message).await;
    // Every atelier closed: present throughout, everyone completed the
    // session (Moodle state 1, 100 %), in the course store.
    let activity = uuid::Uuid::parse_str(&room_id).unwrap();
    let mut completions = Vec::new();
    for _ in 0..100 {
        completions = server.app.store.completions("default", activity).await.unwrap();
        if completions.len() == 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(completions.len(), 30, "one completion per participant");
    assert!(completions.iter().all(|c| (c.state, c.score, c.max_score) == (1, 100, 100)), "{completions:?}");
    let (phone, _, _) = &mut phones[29];
    let published = phone.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::Published { .. }))).await;
    let Some(BreakoutEvent::Published { productions }) = breakout(&published) else { unreachable!() };
    let names: Vec<&str> = productions.iter().map(|p| p.atelier_name.as_str()).collect();
    assert_eq!(names, ["Atelier 1", "Atelier 2", "Atelier 3", "Atelier 4", "Atelier 5"]);

    // A member reconnecting finds the session where it is.
    let (_, _, resume) = &phones[3];
    let mut back = server.connect(Format::MsgPack).await;
    back.send(&hello(Auth::Resume { token: resume.clone() })).await;
    assert!(matches!(back.recv().await, ServerMessage::Welcome { .. }));
    let snapshot = back.join(&room_id).await.breakout.expect("a breakout snapshot");
    assert_eq!(snapshot.published.len(), 5, "the plenary shows the productions");

    // The participation report.
    let report = server.get_json(&format!("/api/v1/sessions/{room_id}/participation.json"), &token).await;
    let ateliers = report["ateliers"].as_array().expect("ateliers");
    assert_eq!(ateliers.len(), 5);
    for atelier in ateliers {
        assert_eq!(atelier["members"], 6, "{atelier}");
        assert_eq!(atelier["broadcasts"], 2, "the broadcast and its marker: {atelier}");
        assert_eq!(atelier["productions"], 1, "{atelier}");
        let text = atelier["production"]["text"].as_str().expect("its production");
        let submitter = text.strip_prefix("Synthèse de ").unwrap();
        assert_eq!(atelier_of[submitter], atelier["id"].as_str().unwrap(), "its own: {atelier}");
    }

    // A badge attached now is awarded to the 30 completions; each award's
    // evidence is its atelier's production, linked from the credential.
    let badge = json!({ "activity": room_id, "name": "Atelier mené", "description": "A travaillé en atelier.",
                        "criteria": "Participer aux ateliers.", "rule": "complete" });
    let created: Value = reqwest::Client::new()
        .post(server.url("/api/v1/badges"))
        .bearer_auth(&token)
        .json(&badge)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["awarded_now"], 30, "{created}");
    let listed = server.get_json(&format!("/api/v1/badges/{}/awards", created["id"].as_str().unwrap()), &token).await;
    let award = listed["awards"].as_array().unwrap().iter().find(|a| a["recipient"] == phone_member.as_str()).unwrap();
    let url = server.url(&format!("/badges/credentials/{}", award["id"].as_str().unwrap()));
    let evidence = public_json(&url).await["credential"]["evidence"].clone();
    let linked: Vec<&Value> = evidence.as_array().unwrap().iter().filter(|e| e.get("id").is_some()).collect();
    assert_eq!(linked.len(), 1, "{evidence}");
    assert_eq!(linked[0]["id"], format!("{url}/evidence#atelier-{phone_atelier}"));
    let number = phone_atelier.trim_start_matches('a');
    assert_eq!(linked[0]["name"], format!("Production de l’atelier «\u{a0}Atelier {number}\u{a0}»"));
    let items = public_json(&format!("{url}/evidence")).await["items"].clone();
    assert_eq!(items[0]["kind"], "atelier_production", "{items}");
    assert!(items[0]["text"].as_str().unwrap().starts_with("Synthèse de "), "{items}");
    let calls: u64 = ateliers.iter().map(|a| a["help_calls"].as_u64().unwrap()).sum();
    assert_eq!(calls, 1);

    // attendance.csv, one row per member: the plenary, each atelier, video.
    let attendance = |per: &str| {
        reqwest::Client::new()
            .get(server.url(&format!("/api/v1/sessions/{room_id}/attendance.csv?per={per}")))
            .bearer_auth(&token)
            .send()
    };
    let response = attendance("member").await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let ateliers: Vec<String> = (1..=5).map(|i| format!("minutes_atelier_a{i}")).collect();
    assert_eq!(
        header[..8],
        ["member", "name", "role", "guest", "first_join", "last_leave", "minutes_present", "minutes_plenary"]
    );
    assert_eq!(header[8..13], ateliers[..]);
    assert_eq!(header[13], "minutes_video");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 31, "30 participants (one reconnected: still one row) and the facilitator");
    assert_eq!(rows.iter().filter(|row| &row[2] == "participant").count(), 30);
    assert!(rows.iter().all(|row| !row[4].is_empty() && row[6].parse::<f64>().is_ok()));
    let bad = attendance("day").await.unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn a_failing_video_server_leaves_the_ateliers_running() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    // A secret the simulator does not know: every call is refused.
    let mut bbb = simulator.config();
    bbb.secret = "not the secret".into();
    let server = TestServer::start_with(move |config| config.bbb = bbb).await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room = create_breakout(&server, &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;
    let mut phone = server.connect(Format::Json).await;
    phone.hello_guest(&code, "Zoé").await;
    let message = command(&mut phone, &room_id, BreakoutCommand::Open { ateliers: None });
    assert_eq!(phone.refused(message).await, ErrorCode::Forbidden, "participants cannot open ateliers");
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Distribute);
    facilitator.ok(message).await;
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Open { ateliers: None });
    facilitator.ok(message).await;
    phone.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::Opened { .. }))).await;
    // No video link (the meetings could not be made), but the session goes on.
    let message =
        command(&mut facilitator, &room_id, BreakoutCommand::Broadcast { text: "Bonjour".into(), atelier: None });
    facilitator.ok(message).await;
    phone.recv_until(|m| matches!(breakout(m), Some(BreakoutEvent::Broadcast { .. }))).await;
    assert!(!simulator.calls_named("create").is_empty(), "the creation was tried");
}

#[tokio::test]
async fn a_video_room_that_cannot_be_made_is_told_retried_and_never_signed() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    simulator.inject("create", amphi::bbb::simulator::Fault::Status(500));
    let bbb = simulator.config();
    let server = TestServer::start_with(move |config| config.bbb = bbb).await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room = create_breakout(&server, &token).await;
    let room_id = room_id(&room);
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) });
    facilitator.ok(message).await;

    // The facilitator is told why a1 has no video room, while it is tried again, then when it no longer is.
    let problem_of = |m: &ServerMessage| match breakout(m) {
        Some(BreakoutEvent::Video { atelier, video_url: None, video_problem: Some(problem) }) if atelier == "a1" => {
            Some(problem.clone())
        }
        _ => None,
    };
    let first = facilitator.recv_until(|m| problem_of(m).is_some()).await;
    let first = problem_of(&first).unwrap();
    assert_eq!((first.code.as_str(), first.retrying), ("http", true), "{first:?}");
    assert!(first.detail.contains("HTTP 500"), "{first:?}");
    let last = facilitator.recv_until(|m| problem_of(m).is_some_and(|p| !p.retrying)).await;
    assert!(!problem_of(&last).unwrap().retrying);
    let creates = simulator.calls_named("create").len() as u32;
    assert_eq!(creates, amphi::effects::CREATE_ATTEMPTS, "tried again with backoff, then stopped");

    // No join URL is signed for a meeting that does not exist.
    let video = |atelier: &str| {
        reqwest::Client::new()
            .get(server.url(&format!("/api/v1/sessions/{room_id}/ateliers/{atelier}/video")))
            .bearer_auth(&token)
            .send()
    };
    let refused = video("a1").await.unwrap();
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "invalid_state");

    // "Try again now", BigBlueButton back: the video link comes, the problem goes.
    simulator.clear_faults();
    let retry = |atelier: &str, bearer: &str| {
        reqwest::Client::new()
            .post(server.url(&format!("/api/v1/sessions/{room_id}/ateliers/{atelier}/video/retry")))
            .bearer_auth(bearer)
            .send()
    };
    let guest = server.token(Role::Participant, "Zoé");
    assert_eq!(retry("a1", &guest).await.unwrap().status(), 403, "leaders only");
    assert_eq!(retry("a99", &token).await.unwrap().status(), 404);
    assert_eq!(retry("a1", &token).await.unwrap().status(), 202);
    let fixed = facilitator
        .recv_until(|m| {
            matches!(breakout(m), Some(BreakoutEvent::Video { atelier, video_url: Some(_), video_problem: None }) if atelier == "a1")
        })
        .await;
    assert!(breakout(&fixed).is_some());
    assert_eq!(video("a1").await.unwrap().status(), 200, "signed once the meeting exists");
}

#[tokio::test]
async fn ateliers_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), None).await;
    let token = server.token(Role::Facilitator, "facilitator-1", "Mme Leroy");
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&json!({ "title": "Ateliers", "kind": "breakout", "breakout": plan() }))
        .send()
        .await
        .unwrap();
    let room: Value = response.json().await.unwrap();
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;
    let mut phones = Vec::new();
    for i in 0..10 {
        let mut phone = server.connect(Format::Json).await;
        let (welcome, _) = phone.hello_guest(&code, &format!("P{i}")).await;
        let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
        phones.push((phone, resume_token));
    }
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Distribute);
    facilitator.ok(message).await;
    let message = command(&mut facilitator, &room_id, BreakoutCommand::Open { ateliers: None });
    facilitator.ok(message).await;
    let (phone, _) = &mut phones[0];
    let content = ProductionContent { text: Some("Notre synthèse".into()), link: None, file: None };
    let message = command(phone, &room_id, BreakoutCommand::SubmitProduction { content });
    phone.ok(message).await;
    let before = facilitator.join(&room_id).await.breakout.expect("breakout");
    server.kill();

    let server = ServerProcess::start(dir.path(), None).await;
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    let after = facilitator.join(&room_id).await.breakout.expect("breakout");
    let states = |s: &amphi_protocol::breakout::BreakoutSnapshot| {
        s.ateliers.iter().map(|a| (a.id.clone(), a.state)).collect::<Vec<_>>()
    };
    assert_eq!(states(&after), states(&before), "the ateliers are as they were: open");
    assert_eq!(after.productions, before.productions, "the acknowledged production is kept");
    // A participant resumes into their atelier.
    let mut back = server.connect(Format::Json).await;
    back.send(&hello(Auth::Resume { token: phones[0].1.clone() })).await;
    assert!(matches!(back.recv().await, ServerMessage::Welcome { .. }));
    let mine = back.join(&room_id).await.breakout.expect("breakout").atelier.expect("in an atelier");
    assert_eq!(mine.production.map(|p| p.content.text), Some(Some("Notre synthèse".to_string())));
}

/// Waits until `count()` reaches `want` (the effects run in the background).
async fn settles(want: usize, count: impl Fn() -> usize) -> usize {
    for _ in 0..100 {
        if count() >= want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    count()
}

#[tokio::test]
async fn video_effects_follow_the_live_plan_and_run_once_per_command() {
    let simulator = BbbSimulator::start(BBB_SECRET, ChecksumAlgorithm::Sha1).await.unwrap();
    let bbb = simulator.config();
    let server = TestServer::start_with(move |config| config.bbb = bbb).await;
    let token = server.token(Role::Facilitator, "Mme Leroy");
    let room = create_breakout(&server, &token).await;
    let room_id = room_id(&room);
    let mut facilitator = server.connect(Format::Json).await;
    facilitator.hello_token(&token).await;
    facilitator.join(&room_id).await;

    // A live plan change adds a6; opening it makes its meeting and gives its link.
    let mut live = plan()["plan"].clone();
    live["ateliers"].as_array_mut().unwrap().push(json!({ "id": "a6", "name": "Atelier 6", "duration_s": 600 }));
    let message =
        command(&mut facilitator, &room_id, BreakoutCommand::SetPlan { plan: serde_json::from_value(live).unwrap() });
    facilitator.ok(message).await;
    let open = ClientMessage::Breakout {
        id: "open-a6".into(),
        room: room_id.clone(),
        command: Box::new(BreakoutCommand::Open { ateliers: Some(vec!["a6".into()]) }),
    };
    let linked = |m: &ServerMessage| matches!(breakout(m), Some(BreakoutEvent::Video { atelier, video_url: Some(_), .. }) if atelier == "a6");
    // The link may come before the opening's ack (which waits for its commit).
    if !facilitator.ok(open.clone()).await.iter().any(linked) {
        facilitator.recv_until(linked).await;
    }
    let meeting = format!("amphi-{room_id}-a6");
    let creates_of = |id: &str| {
        simulator
            .calls_named("create")
            .iter()
            .filter(|call| call.params.iter().any(|(n, v)| n == "meetingID" && v == id))
            .count()
    };
    assert_eq!(creates_of(&meeting), 1, "the new atelier's meeting, made once");

    // A broadcast to all goes to the open ateliers' chats only, as the room normalised it.
    let broadcast = ClientMessage::Breakout {
        id: "pause".into(),
        room: room_id.clone(),
        command: Box::new(BreakoutCommand::Broadcast { text: "  Pause café  ".into(), atelier: None }),
    };
    facilitator.ok(broadcast.clone()).await;
    assert_eq!(settles(1, || simulator.chat_messages(&meeting).len()).await, 1);
    assert_eq!(simulator.chat_messages(&meeting)[0].1, "Pause café", "{:?}", simulator.chat_messages(&meeting));
    let closed_chats: usize = (1..=5).map(|i| simulator.chat_messages(&format!("amphi-{room_id}-a{i}")).len()).sum();
    assert_eq!(closed_chats, 0, "no chat message to an atelier that is not open");

    // Retried ids are answered from memory: nothing is sent or made again.
    facilitator.ok(broadcast).await;
    facilitator.ok(open).await;
    let stable = settles(2, || simulator.chat_messages(&meeting).len()).await;
    assert_eq!(stable, 1, "a retried broadcast is not posted again");
    assert_eq!(creates_of(&meeting), 1, "a retried opening makes no meeting again");
}
