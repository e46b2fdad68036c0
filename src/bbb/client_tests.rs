//! [`HttpBbb`] against the [`BbbSimulator`]: every call signed and checked
//! like BigBlueButton does, refusals mapped to errors with their
//! messageKey, time limits, retries, and older servers.

use std::sync::Arc;
use std::time::Duration;

use super::simulator::{BbbSimulator, Fault};
use super::*;

const SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";

async fn simulator(algorithm: ChecksumAlgorithm) -> BbbSimulator {
    BbbSimulator::start(SECRET, algorithm).await.expect("the simulator starts")
}

fn client(config: BbbConfig) -> HttpBbb {
    HttpBbb::new(&config).expect("the simulator's config is usable")
}

fn join(meeting_id: &str, user_id: &str, name: &str, role: JoinRole) -> JoinRequest {
    JoinRequest { meeting_id: meeting_id.into(), full_name: name.into(), user_id: user_id.into(), role, password: None }
}

/// Opens a join URL as a browser would, without following the redirect.
async fn open(url: &str) -> reqwest::Response {
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    browser.get(url).send().await.unwrap()
}

fn atelier() -> CreateMeeting {
    CreateMeeting {
        amphi_atelier_id: Some("atelier-3".into()),
        logout_url: Some("https://amphi.example.org/s/9".into()),
        end_callback_url: Some("https://amphi.example.org/bbb/end?meeting=amphi-s9-a3".into()),
        analytics_callback_url: Some("https://amphi.example.org/bbb/analytics".into()),
        ..CreateMeeting::new("amphi-s9-a3", "Atelier 3: didactique & pratique", "session-9")
    }
}

#[tokio::test]
async fn create_is_signed_links_the_meeting_and_is_idempotent() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    let meeting = CreateMeeting {
        documents: vec![Document { url: "https://files.example.org/cours.pdf?v=2&x=1".into(), filename: None }],
        breakout_groups: vec![BreakoutGroup { id: "1".into(), name: Some("A".into()), roster: vec!["m-1".into()] }],
        ..atelier()
    };
    let created = bbb.create(&meeting).await.unwrap();
    assert_eq!(created.meeting_id, "amphi-s9-a3");
    assert!(!created.internal_meeting_id.is_empty());
    assert!(!created.duplicate);

    let calls = sim.calls_named("create");
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert!(call.checksum_valid);
    assert_eq!(call.method, "POST");
    assert!(call.body.as_deref().unwrap().contains(r#"url="https://files.example.org/cours.pdf?v=2&amp;x=1""#));
    let param = |name: &str| call.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    assert_eq!(param("name"), Some("Atelier 3: didactique & pratique"));
    assert_eq!(param("meta_amphi-session-id"), Some("session-9"));
    assert_eq!(param("meta_amphi-atelier-id"), Some("atelier-3"));
    assert_eq!(param("meta_endCallbackUrl"), Some("https://amphi.example.org/bbb/end?meeting=amphi-s9-a3"));
    assert_eq!(param("meta_analytics-callback-url"), Some("https://amphi.example.org/bbb/analytics"));
    assert_eq!(param("logoutURL"), Some("https://amphi.example.org/s/9"));
    assert_eq!(param("groups"), Some(r#"[{"id":"1","name":"A","roster":["m-1"]}]"#));
    assert_eq!(sim.documents("amphi-s9-a3"), ["https://files.example.org/cours.pdf?v=2&x=1"]);

    let again = bbb.create(&atelier()).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.internal_meeting_id, created.internal_meeting_id);
    assert_eq!(sim.calls_named("create")[1].method, "GET", "no documents, no body");
}

#[tokio::test]
async fn every_checksum_algorithm_is_accepted_by_a_server_configured_for_it() {
    for algorithm in
        [ChecksumAlgorithm::Sha1, ChecksumAlgorithm::Sha256, ChecksumAlgorithm::Sha384, ChecksumAlgorithm::Sha512]
    {
        let sim = simulator(algorithm).await;
        let bbb = client(sim.config());
        bbb.create(&atelier()).await.unwrap_or_else(|error| panic!("{algorithm:?}: {error}"));
        assert!(!bbb.is_meeting_running("amphi-s9-a3").await.unwrap());
        assert!(sim.calls().iter().all(|call| call.checksum_valid), "{algorithm:?}");
    }
}

#[tokio::test]
async fn a_wrong_secret_or_algorithm_is_a_checksum_error() {
    let sim = simulator(ChecksumAlgorithm::Sha256).await;
    for config in [
        BbbConfig { secret: "not the secret".into(), ..sim.config() },
        BbbConfig { checksum_algorithm: ChecksumAlgorithm::Sha1, ..sim.config() },
    ] {
        let error = client(config).create(&atelier()).await.unwrap_err();
        assert_eq!(error.message_key(), Some("checksumError"));
        assert_eq!(
            error.to_string(),
            "BigBlueButton refused `create`: checksumError: You did not pass the checksum security check"
        );
    }
    assert!(sim.calls().iter().all(|call| !call.checksum_valid));
}

#[tokio::test]
async fn members_join_with_signed_urls_and_appear_in_the_meeting_info() {
    let sim = simulator(ChecksumAlgorithm::Sha256).await;
    let bbb = client(sim.config());
    bbb.create(&atelier()).await.unwrap();

    let trainer = bbb.join_url(&join("amphi-s9-a3", "trainer-1", "Anne Formatrice", JoinRole::Moderator)).unwrap();
    let member = bbb.join_url(&join("amphi-s9-a3", "member-42", "Zoé Martin", JoinRole::Viewer)).unwrap();
    for url in [&trainer, &member] {
        let response = open(url).await;
        assert_eq!(response.status(), reqwest::StatusCode::FOUND);
        let location = response.headers().get(reqwest::header::LOCATION).unwrap().to_str().unwrap();
        assert!(location.contains("/html5client/join?sessionToken="), "{location}");
    }
    assert!(sim.calls_named("join").iter().all(|call| call.checksum_valid));

    let info = bbb.get_meeting_info("amphi-s9-a3").await.unwrap();
    assert!(info.running);
    assert_eq!(info.meeting_name, "Atelier 3: didactique & pratique");
    assert_eq!((info.participant_count, info.moderator_count), (2, 1));
    let people: Vec<_> =
        info.attendees.iter().map(|a| (a.user_id.as_str(), a.full_name.as_str(), a.is_moderator())).collect();
    assert_eq!(people, [("trainer-1", "Anne Formatrice", true), ("member-42", "Zoé Martin", false)]);
    assert_eq!(info.metadata.get("amphi-session-id").map(String::as_str), Some("session-9"));
    assert_eq!(info.metadata.get("amphi-atelier-id").map(String::as_str), Some("atelier-3"));
    assert!(bbb.is_meeting_running("amphi-s9-a3").await.unwrap());

    // A tampered join URL is refused like BigBlueButton does.
    let tampered = member.replace("VIEWER", "MODERATOR");
    let body = open(&tampered).await.text().await.unwrap();
    assert!(body.contains("checksumError"), "{body}");
}

#[tokio::test]
async fn ending_a_meeting_stops_it_and_a_missing_meeting_is_not_found() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    bbb.create(&atelier()).await.unwrap();
    open(&bbb.join_url(&join("amphi-s9-a3", "trainer-1", "Anne", JoinRole::Moderator)).unwrap()).await;
    bbb.end("amphi-s9-a3").await.unwrap();
    assert!(!bbb.is_meeting_running("amphi-s9-a3").await.unwrap());

    let error = bbb.get_meeting_info("amphi-s9-a3").await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    let error = bbb.end("amphi-s9-a3").await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn recordings_of_ended_meetings_are_listed() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    bbb.create(&CreateMeeting { record: Some(true), ..atelier() }).await.unwrap();
    open(&bbb.join_url(&join("amphi-s9-a3", "trainer-1", "Anne", JoinRole::Moderator)).unwrap()).await;
    assert!(sim.start_recording("amphi-s9-a3"), "record=true lets a moderator record");
    assert_eq!(bbb.get_recordings(&RecordingsQuery::meeting("amphi-s9-a3")).await.unwrap(), []);
    bbb.end("amphi-s9-a3").await.unwrap();

    let recordings = bbb.get_recordings(&RecordingsQuery::meeting("amphi-s9-a3")).await.unwrap();
    assert_eq!(recordings.len(), 1);
    assert_eq!(recordings[0].meeting_id, "amphi-s9-a3");
    assert!(recordings[0].published);
    assert_eq!(recordings[0].participants, 1);
    assert_eq!(recordings[0].metadata.get("amphi-atelier-id").map(String::as_str), Some("atelier-3"));
    assert_eq!(recordings[0].playback[0].format, "presentation");
    assert_eq!(bbb.get_recordings(&RecordingsQuery::meeting("another")).await.unwrap(), []);

    // Deleted for good: listed no more; deleting again is refused.
    let ids = vec![recordings[0].record_id.clone()];
    bbb.delete_recordings(&ids).await.unwrap();
    assert_eq!(bbb.get_recordings(&RecordingsQuery::meeting("amphi-s9-a3")).await.unwrap(), []);
    let error = bbb.delete_recordings(&ids).await.unwrap_err();
    assert_eq!(error.message_key(), Some("notFound"));
    assert!(sim.calls_named("deleteRecordings").iter().all(|call| call.checksum_valid));
}

#[tokio::test]
async fn a_meeting_created_without_record_is_not_recorded() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    bbb.create(&atelier()).await.unwrap();
    assert!(!sim.start_recording("amphi-s9-a3"));
    assert_eq!(sim.end_meeting("amphi-s9-a3"), None);
    assert_eq!(bbb.get_recordings(&RecordingsQuery::default()).await.unwrap(), []);
}

#[tokio::test]
async fn chat_messages_reach_a_3_0_server_and_older_servers_are_detected() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    bbb.create(&atelier()).await.unwrap();
    let message = ChatMessage {
        meeting_id: "amphi-s9-a3".into(),
        message: "Question 3 est ouverte sur amphi !".into(),
        user_name: Some("amphi".into()),
    };
    bbb.send_chat_message(&message).await.unwrap();
    assert_eq!(sim.chat_messages("amphi-s9-a3"), [("amphi".to_string(), message.message.clone())]);

    // BigBlueButton 2.x has no such call: a 404.
    sim.pretend_bbb_2x(true);
    let error = bbb.send_chat_message(&message).await.unwrap_err();
    assert_eq!(error, BbbError::Unsupported { call: "sendChatMessage".into() });
    assert_eq!(
        error.to_string(),
        "the BigBlueButton server does not support `sendChatMessage` (it is older than the version that added it)"
    );
    sim.pretend_bbb_2x(false);

    // Or an XML refusal naming an unknown call.
    sim.inject_times(
        "sendChatMessage",
        Fault::Failed { message_key: "unsupportedRequest".into(), message: "This request is not supported.".into() },
        1,
    );
    assert_eq!(
        bbb.send_chat_message(&message).await.unwrap_err(),
        BbbError::Unsupported { call: "sendChatMessage".into() }
    );
    // A refusal for another reason stays a refusal.
    let missing = ChatMessage { meeting_id: "nope".into(), ..message.clone() };
    let error = bbb.send_chat_message(&missing).await.unwrap_err();
    assert_eq!(error.message_key(), Some("meetingNotFound"));
    assert!(error.is_not_found());
    assert_eq!(sim.calls_named("sendChatMessage").len(), 4, "a chat message is never retried");
}

#[tokio::test]
async fn documents_are_inserted_into_a_running_meeting() {
    let sim = simulator(ChecksumAlgorithm::Sha512).await;
    let bbb = client(sim.config());
    bbb.create(&atelier()).await.unwrap();
    let documents = [
        Document { url: "https://files.example.org/a.pdf".into(), filename: None },
        Document { url: "https://files.example.org/b".into(), filename: Some("b.pptx".into()) },
    ];
    bbb.insert_document("amphi-s9-a3", &documents).await.unwrap();
    assert_eq!(sim.documents("amphi-s9-a3"), ["https://files.example.org/a.pdf", "https://files.example.org/b"]);
    let call = &sim.calls_named("insertDocument")[0];
    assert!(call.checksum_valid);
    assert_eq!(call.method, "POST");

    let error = bbb.insert_document("amphi-s9-a3", &[]).await.unwrap_err();
    assert_eq!(error.to_string(), "cannot send `insertDocument`: no document to insert");
    assert_eq!(sim.calls_named("insertDocument").len(), 1, "refused before any HTTP call");
    assert!(bbb.insert_document("nope", &documents).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn hooks_are_registered_once_and_a_server_without_webhooks_is_detected() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    let hook = HookRegistration {
        callback_url: "https://amphi.example.org/bbb/hooks?atelier=3".into(),
        meeting_id: Some("amphi-s9-a3".into()),
        event_ids: vec!["meeting-created".into(), "meeting-ended".into(), "user-joined".into(), "user-left".into()],
        get_raw: false,
    };
    let created = bbb.hooks_create(&hook).await.unwrap();
    assert_eq!(created, HookCreated { hook_id: "1".into(), duplicate: false, permanent: false, raw_data: false });
    let again = bbb.hooks_create(&hook).await.unwrap();
    assert_eq!((again.hook_id.as_str(), again.duplicate), ("1", true));
    let call = &sim.calls_named("hooks/create")[0];
    assert!(call.checksum_valid, "signed with the call name `hooks/create`");
    assert!(call.params.contains(&("eventID".into(), "meeting-created,meeting-ended,user-joined,user-left".into())));

    sim.inject("hooks/create", Fault::Status(404));
    let error = bbb.hooks_create(&hook).await.unwrap_err();
    assert_eq!(error, BbbError::Unsupported { call: "hooks/create".into() });
}

#[tokio::test]
async fn a_refusal_carries_its_message_key() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    sim.inject(
        "create",
        Fault::Failed { message_key: "maxConcurrent".into(), message: "Too many meetings are running.".into() },
    );
    let error = bbb.create(&atelier()).await.unwrap_err();
    assert_eq!(
        error,
        BbbError::Failed {
            call: "create".into(),
            message_key: "maxConcurrent".into(),
            message: "Too many meetings are running.".into(),
        }
    );
    assert_eq!(error.to_string(), "BigBlueButton refused `create`: maxConcurrent: Too many meetings are running.");
}

#[tokio::test]
async fn an_answer_that_is_not_bigbluebutton_xml_is_a_clear_error() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    sim.inject("getMeetingInfo", Fault::Body("<html><body>Bad gateway</body></html>".into()));
    let error = bbb.get_meeting_info("amphi-s9-a3").await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "BigBlueButton's answer to `getMeetingInfo` is not understood: the root element is <html>, not <response>"
    );
    sim.inject("isMeetingRunning", Fault::Status(403));
    assert_eq!(
        bbb.is_meeting_running("m").await.unwrap_err(),
        BbbError::Http { call: "isMeetingRunning".into(), status: 403 }
    );
}

#[tokio::test]
async fn a_slow_server_is_a_timeout_and_a_write_is_not_sent_twice() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(BbbConfig { timeout_ms: 300, ..sim.config() });
    bbb.create(&atelier()).await.unwrap();
    sim.inject("end", Fault::Delay(Duration::from_secs(2)));
    let started = std::time::Instant::now();
    let error = bbb.end("amphi-s9-a3").await.unwrap_err();
    assert_eq!(error, BbbError::Timeout { call: "end".into(), timeout_ms: 300, attempts: 1 });
    assert_eq!(error.to_string(), "BigBlueButton did not answer `end` within 300 ms (1 attempt(s))");
    assert!(started.elapsed() < Duration::from_millis(1_500), "gave up at the time limit, before the answer");
    assert_eq!(sim.calls_named("end").len(), 1);
}

#[tokio::test]
async fn reads_are_retried_after_a_timeout_or_a_server_error() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(BbbConfig { timeout_ms: 300, retries: 2, retry_backoff_ms: 5, ..sim.config() });
    bbb.create(&atelier()).await.unwrap();

    sim.inject_times("getMeetingInfo", Fault::Delay(Duration::from_secs(2)), 1);
    let info = bbb.get_meeting_info("amphi-s9-a3").await.unwrap();
    assert_eq!(info.meeting_id, "amphi-s9-a3");
    assert_eq!(sim.calls_named("getMeetingInfo").len(), 2);

    sim.inject_times("isMeetingRunning", Fault::Status(503), 2);
    assert!(!bbb.is_meeting_running("amphi-s9-a3").await.unwrap());
    assert_eq!(sim.calls_named("isMeetingRunning").len(), 3);

    sim.inject("getRecordings", Fault::Status(502));
    let error = bbb.get_recordings(&RecordingsQuery::default()).await.unwrap_err();
    assert_eq!(error, BbbError::Http { call: "getRecordings".into(), status: 502 });
    assert_eq!(sim.calls_named("getRecordings").len(), 3, "one try and two retries");

    sim.inject("getMeetingInfo", Fault::Delay(Duration::from_secs(2)));
    let error = bbb.get_meeting_info("amphi-s9-a3").await.unwrap_err();
    assert_eq!(error, BbbError::Timeout { call: "getMeetingInfo".into(), timeout_ms: 300, attempts: 3 });

    // A refusal is an answer: it is not retried.
    sim.clear_faults();
    sim.inject("isMeetingRunning", Fault::Failed { message_key: "busy".into(), message: "Busy".into() });
    let before = sim.calls_named("isMeetingRunning").len();
    assert_eq!(bbb.is_meeting_running("amphi-s9-a3").await.unwrap_err().message_key(), Some("busy"));
    assert_eq!(sim.calls_named("isMeetingRunning").len(), before + 1);
}

#[tokio::test]
async fn a_server_that_is_down_is_unreachable() {
    // A port that was free a moment ago and that nobody listens on.
    let port = {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = BbbConfig {
        url: format!("http://127.0.0.1:{port}/bigbluebutton/"),
        secret: SECRET.into(),
        retries: 1,
        retry_backoff_ms: 1,
        ..BbbConfig::default()
    };
    match client(config).is_meeting_running("m").await {
        Err(BbbError::Unreachable { call, attempts, .. }) => {
            assert_eq!((call.as_str(), attempts), ("isMeetingRunning", 2))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn breakout_rooms_from_groups_are_reported_by_their_parent_and_themselves() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb = client(sim.config());
    let meeting = CreateMeeting {
        breakout_groups: vec![
            BreakoutGroup { id: "1".into(), name: Some("Groupe A".into()), roster: vec!["member-42".into()] },
            BreakoutGroup { id: "2".into(), name: None, roster: vec![] },
        ],
        ..atelier()
    };
    let created = bbb.create(&meeting).await.unwrap();
    let rooms = sim.start_breakout_rooms("amphi-s9-a3");
    assert_eq!(rooms.len(), 2);

    let parent = bbb.get_meeting_info("amphi-s9-a3").await.unwrap();
    assert!(!parent.is_breakout);
    assert_eq!(parent.breakout_rooms, rooms);
    let room = bbb.get_meeting_info(&rooms[1]).await.unwrap();
    assert!(room.is_breakout);
    assert_eq!(
        room.breakout,
        Some(BreakoutInfo { parent_meeting_id: created.internal_meeting_id, sequence: 2, free_join: false })
    );
}

#[tokio::test]
async fn the_client_works_as_a_shared_trait_object() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    let bbb: Arc<dyn Bbb> = Arc::new(client(sim.config()));
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let bbb = bbb.clone();
            tokio::spawn(async move { bbb.create(&CreateMeeting::new(format!("m-{n}"), "Atelier", "s")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(sim.calls_named("create").len(), 4);
}

#[tokio::test]
async fn meetings_carry_passwords_so_joins_work_before_bigbluebutton_2_6() {
    let sim = simulator(ChecksumAlgorithm::Sha1).await;
    sim.pretend_bbb_before_2_6(true);
    let bbb = client(sim.config());
    bbb.create(&atelier()).await.unwrap();
    let create = &sim.calls_named("create")[0];
    let param = |name: &str| create.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let (attendee, moderator) = (param("attendeePW").unwrap(), param("moderatorPW").unwrap());
    assert_ne!(attendee, moderator);
    assert_eq!(attendee.len(), 24);

    // A join URL works on a server that reads only the password, with the right role.
    let viewer = open(&bbb.join_url(&join("amphi-s9-a3", "m-1", "Zoé", JoinRole::Viewer)).unwrap()).await;
    assert_eq!(viewer.status(), 302, "the attendee's password lets a participant in");
    let lead = open(&bbb.join_url(&join("amphi-s9-a3", "m-2", "Mme Leroy", JoinRole::Moderator)).unwrap()).await;
    assert_eq!(lead.status(), 302);
    let info = bbb.get_meeting_info("amphi-s9-a3").await.unwrap();
    let role_of = |id: &str| info.attendees.iter().find(|a| a.user_id == id).map(|a| a.role.clone());
    assert_eq!(role_of("m-1").as_deref(), Some("VIEWER"));
    assert_eq!(role_of("m-2").as_deref(), Some("MODERATOR"), "the moderator's password makes a moderator");

    // Another node (same secret) signs the same passwords; another secret cannot.
    let other_node = client(sim.config());
    assert_eq!(
        other_node.join_url(&join("amphi-s9-a3", "m-1", "Zoé", JoinRole::Viewer)).unwrap(),
        bbb.join_url(&join("amphi-s9-a3", "m-1", "Zoé", JoinRole::Viewer)).unwrap()
    );
    let stranger = HttpBbb::new(&BbbConfig { secret: "another-secret".into(), ..sim.config() }).unwrap();
    let refused = stranger.join_url(&join("amphi-s9-a3", "m-3", "X", JoinRole::Moderator)).unwrap();
    assert!(!refused.contains(&moderator), "the password depends on the secret");
}
