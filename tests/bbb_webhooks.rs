//! bbb-webhooks callbacks over real HTTP: recorded v3 payloads authenticated
//! by checksum (and by bearer token), stored once each however often they
//! are delivered, typed or kept whole; a wrong checksum, a missing one and a
//! broken body are refused with stable codes, and nothing is stored.

use amphi::bbb::checksum::webhook_checksum;
use amphi::bbb::{ChecksumAlgorithm, WebhookAuthMode};
use serde_json::Value;

use crate::util::*;

const SECRET: &str = "bbb-shared-secret";
const BASE: &str = "https://amphi.example.org";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/bbb/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A form body carrying these events, as bbb-webhooks posts it.
fn form(events: &str) -> String {
    let encoded: String = url_encode(events);
    format!("domain=bbb.example.org&event={encoded}&timestamp=1715261734755")
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn server(mode: WebhookAuthMode) -> TestServer {
    TestServer::start_with(move |config| {
        config.bbb.url = "https://bbb.example.org/bigbluebutton/".into();
        config.bbb.secret = SECRET.into();
        config.bbb.checksum_algorithm = ChecksumAlgorithm::Sha256;
        config.bbb.callback_base_url = BASE.into();
        config.bbb.webhook_auth = mode;
        config.bbb.webhook_bearer_token = "hook-token".into();
    })
    .await
}

/// Posts `body` as bbb-webhooks does, signed for the registered URL.
async fn deliver(server: &TestServer, body: &str, checksum: Option<String>) -> (u16, Value) {
    let path = "/api/v1/bbb/webhooks?session=s9";
    let checksum = checksum.unwrap_or_else(|| {
        webhook_checksum(ChecksumAlgorithm::Sha256, &format!("{BASE}{path}"), body.as_bytes(), SECRET)
    });
    let response = reqwest::Client::new()
        .post(server.url(&format!("{path}&checksum={checksum}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn webhook_events_are_authenticated_and_stored_once() {
    let server = server(WebhookAuthMode::Checksum).await;
    let body = form(&fixture("webhook_events.json"));
    let (status, answer) = deliver(&server, &body, None).await;
    assert_eq!((status, answer["received"].as_u64(), answer["new"].as_u64()), (200, Some(5), Some(5)), "{answer}");
    // bbb-webhooks redelivers until it gets a 2xx: nothing is doubled.
    let (status, answer) = deliver(&server, &body, None).await;
    assert_eq!((status, answer["new"].as_u64()), (200, Some(0)), "{answer}");
    // The same join in a callback of its own (recorded form body): known.
    let (status, answer) = deliver(&server, fixture("webhook_user_joined.form").trim(), None).await;
    assert_eq!((status, answer["received"].as_u64(), answer["new"].as_u64()), (200, Some(1), Some(0)), "{answer}");

    let stored = server.app.store.bbb_events("amphi-").await.unwrap();
    let kinds: Vec<&str> = stored.iter().map(|event| event.event.as_str()).collect();
    for kind in ["meeting-created", "user-joined", "user-left", "meeting-ended", "user-raise-hand-changed"] {
        assert!(kinds.contains(&kind), "{kind} is kept: {kinds:?}");
    }
    let joined = stored.iter().find(|e| e.event == "user-joined" && e.member == "member-42").expect("typed join");
    assert_eq!(joined.member_name, "Zoé Martin");

    // Refused, and nothing stored: a wrong checksum, none, a broken body.
    let other = form(&fixture("webhook_events.json").replace("user-left", "user-gone"));
    let (status, answer) = deliver(&server, &other, Some("0".repeat(64))).await;
    assert_eq!((status, answer["code"].as_str()), (401, Some("unauthorized")));
    let response =
        reqwest::Client::new().post(server.url("/api/v1/bbb/webhooks")).body(other.clone()).send().await.unwrap();
    assert_eq!(response.status(), 401, "no checksum");
    let (status, answer) = deliver(&server, "domain=x&event=%5Bnot-json", None).await;
    assert_eq!((status, answer["code"].as_str()), (400, Some("malformed_frame")));
    assert_eq!(server.app.store.bbb_events("amphi-").await.unwrap().len(), stored.len());
}

#[tokio::test]
async fn time_in_video_rooms_joins_the_attendance_report() {
    let server = server(WebhookAuthMode::Checksum).await;
    let token = server.token(amphi_protocol::Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Ateliers").await;
    let session = room_id(&room);
    // The recorded events, as if their meeting were this session's atelier a3.
    let events = fixture("webhook_events.json").replace("amphi-s9", &format!("amphi-{session}"));
    assert_eq!(deliver(&server, &form(&events), None).await.0, 200);
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/sessions/{session}/attendance.csv")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csv = response.text().await.unwrap();
    let video: Vec<&str> = csv.lines().filter(|line| line.contains(",video,")).collect();
    assert_eq!(video.len(), 1, "{csv}");
    assert!(video[0].starts_with("member-42,Zoé Martin,video,,amphi-"), "{}", video[0]);
    assert!(video[0].contains(&format!("amphi-{session}-a3")), "{}", video[0]);
}

#[tokio::test]
async fn webhooks_can_authenticate_with_a_bearer_token() {
    let server = server(WebhookAuthMode::Bearer).await;
    let body = fixture("webhook_user_joined.form");
    let post = |token: &'static str| {
        reqwest::Client::new()
            .post(server.url("/api/v1/bbb/webhooks"))
            .bearer_auth(token)
            .body(body.trim().to_string())
            .send()
    };
    assert_eq!(post("wrong").await.unwrap().status(), 401);
    assert_eq!(post("hook-token").await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_mode_set_differently_on_both_sides_loses_nothing_and_refusals_are_told() {
    // amphi expects a bearer token; bbb-webhooks was left in checksum mode.
    let server = server(WebhookAuthMode::Bearer).await;
    let (status, answer) = deliver(&server, &form(&fixture("webhook_events.json")), None).await;
    assert_eq!((status, answer["new"].as_u64()), (200, Some(5)), "a valid checksum is a valid proof: {answer}");
    let ready: Value = reqwest::get(server.url("/readyz")).await.unwrap().json().await.unwrap();
    assert_eq!(ready["warnings"], Value::Null, "nothing refused yet: {ready}");

    // A callback with neither proof right is refused, counted and told by /readyz.
    let (status, _) = deliver(&server, &form("[]"), Some("0".repeat(64))).await;
    assert_eq!(status, 401);
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("amphi_bbb_callbacks_refused_total{callback=\"webhooks\",reason=\"missing_bearer\"} 1"),
        "{metrics}"
    );
    let ready = reqwest::get(server.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200, "a warning, the node still serves");
    let ready: Value = ready.json().await.unwrap();
    assert!(ready["warnings"][0].as_str().unwrap().contains("BigBlueButton callbacks were refused"), "{ready}");
}

#[tokio::test]
async fn the_webhook_endpoint_is_registered_at_start() {
    let simulator = amphi::bbb::simulator::BbbSimulator::start(SECRET, ChecksumAlgorithm::Sha256).await.unwrap();
    let bbb = simulator.config();
    let server = TestServer::start_with(move |config| {
        config.bbb = bbb;
        config.bbb.callback_base_url = format!("{BASE}/");
    })
    .await;
    for _ in 0..100 {
        if !simulator.calls_named("hooks/create").is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // A refused registration would be tried again after a second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let registered = simulator.calls_named("hooks/create");
    assert_eq!(registered.len(), 1, "registered once: the simulator took its checksum");
    let callback = registered[0].params.iter().find(|(name, _)| name == "callbackURL").map(|(_, url)| url.as_str());
    assert_eq!(callback, Some("https://amphi.example.org/api/v1/bbb/webhooks"));
    drop(server);
}

#[tokio::test]
async fn the_analytics_callback_is_verified_and_stored_once_per_attendee() {
    let server = server(WebhookAuthMode::Checksum).await;
    let body = fixture("analytics_callback.json");
    let exp = amphi::auth::unix_seconds() + 3600;
    let token = amphi::bbb::analytics::sign_analytics_token(SECRET, exp, jsonwebtoken::Algorithm::HS512).unwrap();
    let post = |authorization: Option<String>, body: String| {
        let mut request = reqwest::Client::new().post(server.url("/api/v1/bbb/analytics")).body(body);
        if let Some(token) = authorization {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Refused, and nothing stored: no token, a token signed with another
    // secret, an expired one, a body that is not the callback.
    assert_eq!(post(None, body.clone()).await.0, 401);
    let forged = amphi::bbb::analytics::sign_analytics_token("other", exp, jsonwebtoken::Algorithm::HS512).unwrap();
    let (status, answer) = post(Some(forged), body.clone()).await;
    assert_eq!((status, answer["code"].as_str()), (401, Some("unauthorized")));
    let expired = amphi::bbb::analytics::sign_analytics_token(SECRET, 1, jsonwebtoken::Algorithm::HS512).unwrap();
    assert_eq!(post(Some(expired), body.clone()).await.0, 401);
    let (status, answer) = post(Some(token.clone()), "{\"data\": {}}".into()).await;
    assert_eq!((status, answer["code"].as_str()), (400, Some("malformed_frame")), "no meeting_id");
    assert!(server.app.store.bbb_events("amphi-").await.unwrap().is_empty());

    let (status, answer) = post(Some(token.clone()), body.clone()).await;
    assert_eq!((status, answer["received"].as_u64(), answer["new"].as_u64()), (200, Some(3), Some(3)), "{answer}");
    let (status, answer) = post(Some(token), body).await;
    assert_eq!((status, answer["new"].as_u64()), (200, Some(0)), "a redelivery changes nothing");

    let stored = server.app.store.bbb_events("amphi-s9-a3").await.unwrap();
    let meeting = stored.iter().find(|e| e.event == "analytics-meeting").expect("the meeting's figures");
    assert!(!meeting.body.contains("Zoé"), "attendees are kept apart: {}", meeting.body);
    let attendee = stored.iter().find(|e| e.member == "42").expect("one row per attendee, by amphi member id");
    assert_eq!((attendee.event.as_str(), attendee.member_name.as_str()), ("analytics-attendee", "Zoé Martin"));
    let figures: Value = serde_json::from_str(&attendee.body).unwrap();
    assert!(figures["duration"].is_number(), "{figures}");
}

#[tokio::test]
async fn an_analytics_callback_with_odd_fields_is_kept_and_says_what_it_could_not_read() {
    let server = server(WebhookAuthMode::Checksum).await;
    let exp = amphi::auth::unix_seconds() + 3600;
    let token = amphi::bbb::analytics::sign_analytics_token(SECRET, exp, jsonwebtoken::Algorithm::HS512).unwrap();
    let mut body: Value = serde_json::from_str(&fixture("analytics_callback.json")).unwrap();
    body["internal_meeting_id"] = serde_json::json!(1_715_261_728_123u64);
    body["data"]["start"] = serde_json::json!({ "at": "2024-05-09" });
    body["data"]["finish"] = Value::Null;
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/bbb/analytics"))
        .bearer_auth(token)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "one odd field does not lose the callback");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["new"], 3);
    assert_eq!(answer["unread"], serde_json::json!(["data.start"]));
    let stored = server.app.store.bbb_events("amphi-s9-a3").await.unwrap();
    let meeting = stored.iter().find(|e| e.event == "analytics-meeting").unwrap();
    assert!(meeting.body.contains("2024-05-09"), "the raw body is kept: {}", meeting.body);
    assert_eq!(stored.iter().filter(|e| e.event == "analytics-attendee").count(), 2);
}

#[tokio::test]
async fn a_burst_of_distinct_events_in_one_millisecond_is_all_kept() {
    let server = server(WebhookAuthMode::Checksum).await;
    // bbb-webhooks stamps a burst with one timestamp: 65 distinct events of
    // one type, meeting and user, in one millisecond.
    let events: Vec<Value> = (0..65)
        .map(|i| {
            serde_json::json!({ "data": { "type": "event", "id": "user-emoji-changed", "attributes": {
                "meeting": { "internal-meeting-id": "internal-burst", "external-meeting-id": "amphi-s9-a3" },
                "user": { "internal-user-id": "w_1", "external-user-id": "member-42", "emoji": format!("e{i}") } },
                "event": { "ts": 1_715_261_800_000u64 } } })
        })
        .collect();
    let body = form(&Value::Array(events).to_string());
    let (status, answer) = deliver(&server, &body, None).await;
    assert_eq!((status, answer["new"].as_u64()), (200, Some(65)), "{answer}");
    let (_, again) = deliver(&server, &body, None).await;
    assert_eq!(again["new"].as_u64(), Some(0), "the redelivery is recognised");
    assert_eq!(server.app.store.bbb_events("amphi-s9-a3").await.unwrap().len(), 65);
}

#[tokio::test]
async fn events_without_an_external_meeting_id_are_mapped_through_the_meeting_created() {
    let server = server(WebhookAuthMode::Checksum).await;
    let token = server.token(amphi_protocol::Role::Trainer, "Mme Durand");
    let session = room_id(&server.create_room(&token, "Ateliers").await);
    let meeting = format!("amphi-{session}-a3");
    let mut events: Vec<Value> =
        serde_json::from_str(&fixture("webhook_events.json").replace("amphi-s9-a3", &meeting)).unwrap();
    // During a burst bbb-webhooks leaves the external meeting id empty.
    for event in &mut events[1..] {
        event["data"]["attributes"]["meeting"]["external-meeting-id"] = Value::String(String::new());
    }
    // The join comes before the meeting-created; the rest after.
    let created = events.remove(0);
    let joined = events.remove(0);
    for batch in [vec![joined], vec![created], events] {
        assert_eq!(deliver(&server, &form(&Value::Array(batch).to_string()), None).await.0, 200);
    }
    let stored = server.app.store.bbb_events(&meeting).await.unwrap();
    let kinds: Vec<&str> = stored.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(kinds.len(), 5, "every event is the meeting's: {kinds:?}");
    let csv = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/sessions/{session}/attendance.csv")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let video: Vec<&str> = csv.lines().filter(|line| line.contains(",video,")).collect();
    assert_eq!(video.len(), 1, "the video stretch is reported: {csv}");
    assert!(video[0].starts_with("member-42,Zoé Martin,video,"), "{}", video[0]);
}

#[tokio::test]
async fn without_webhooks_the_analytics_tell_the_video_time_and_never_double_it() {
    let server = server(WebhookAuthMode::Checksum).await;
    let facilitator = server.token(amphi_protocol::Role::Facilitator, "Mme Leroy");
    let created: Value = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&facilitator)
        .json(&serde_json::json!({ "title": "Ateliers", "kind": "breakout", "breakout": { "plan": {
            "mode": "manual", "ateliers": [{ "id": "a3", "name": "Atelier 3", "duration_s": 900 }] } } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = created["id"].as_str().unwrap().to_string();
    let meeting = format!("amphi-{session}-a3");
    let read = |path: String| {
        let request = reqwest::Client::new().get(server.url(&path)).bearer_auth(&facilitator);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let video_rows = |csv: &str| -> Vec<Vec<String>> {
        csv.lines()
            .filter(|line| line.contains(",video,"))
            .map(|line| line.split(',').map(String::from).collect())
            .collect()
    };

    // A BigBlueButton without bbb-webhooks: only the analytics callback.
    let exp = amphi::auth::unix_seconds() + 3600;
    let token = amphi::bbb::analytics::sign_analytics_token(SECRET, exp, jsonwebtoken::Algorithm::HS512).unwrap();
    let analytics = fixture("analytics_callback.json").replace("amphi-s9-a3", &meeting);
    let posted = reqwest::Client::new()
        .post(server.url("/api/v1/bbb/analytics"))
        .bearer_auth(token)
        .body(analytics)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let csv = read(format!("/api/v1/sessions/{session}/attendance.csv")).await;
    let rows = video_rows(&csv);
    assert_eq!(rows.len(), 3, "the trainer once, Zoé twice: {csv}");
    assert!(rows.iter().all(|r| r[8] == "bigbluebutton_analytics"), "{csv}");
    let zoe: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "42").collect();
    assert_eq!((zoe[0][7].as_str(), zoe[1][7].as_str()), ("12.0", "29.8"), "13:36:02–13:48:00, 13:50:10–14:20:00");

    // Webhooks for Zoé in the same meeting: they tell her time, the analytics no longer do.
    let events = fixture("webhook_events.json").replace("amphi-s9-a3", &meeting).replace("member-42", "42");
    assert_eq!(deliver(&server, &form(&events), None).await.0, 200);
    let csv = read(format!("/api/v1/sessions/{session}/attendance.csv")).await;
    let rows = video_rows(&csv);
    let zoe: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "42").collect();
    assert_eq!(zoe.len(), 1, "one source for one member in one meeting: {csv}");
    assert_eq!(zoe[0][8], "bigbluebutton_webhooks");
    assert!(rows.iter().any(|r| r[0] == "trainer-1" && r[8] == "bigbluebutton_analytics"), "{csv}");

    // participation.json: time and engagement in the video rooms, with their sources.
    let report: Value =
        serde_json::from_str(&read(format!("/api/v1/sessions/{session}/participation.json")).await).unwrap();
    let engagement = report["video"]["engagement"].as_array().unwrap();
    let zoe = engagement.iter().find(|e| e["member"] == "42").expect("Zoé's engagement");
    assert_eq!((zoe["chats"].as_u64(), zoe["talk_seconds"].as_u64()), (Some(5), Some(26)));
    assert_eq!((zoe["atelier"].as_str(), zoe["source"].as_str()), (Some("a3"), Some("bigbluebutton_analytics")));
    let stretches = report["video"]["stretches"].as_array().unwrap();
    assert_eq!(stretches.iter().filter(|s| s["member"] == "42").count(), 1);
}
