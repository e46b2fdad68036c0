//! Badges and certificates end to end: a trainer attaches badges to a quiz,
//! the quiz runs to its end over real WebSockets, the awards appear once
//! (also when the completions are committed again, as after a crash, and
//! from two nodes on PostgreSQL), the issued credential is verified by the
//! server and by an independent verifier in Python (joserfc), revocation
//! reaches both, and the certificate's text is read back from the PDF.

use amphi::store::{AttendanceRecord, CompletionRecord, RoomRecord, Store, Write};
use amphi_protocol::board::{BoardCommand, Image, PostContent};
use amphi_protocol::quiz::{AnswerValue, QuizCommand, QuizEvent};
use amphi_protocol::{ClientMessage, Format, Role, RoomKind, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

/// Runs the independent verifier (`tests/python/verify_badge.py`) from the
/// venv `.ci/setup` makes; its JSON answer.
pub async fn python(args: &[&str]) -> Value {
    let root = env!("CARGO_MANIFEST_DIR");
    let interpreter = format!("{root}/tests/python/.venv/bin/python");
    assert!(
        std::path::Path::new(&interpreter).exists(),
        "the Python verifier is not installed at {interpreter}: run `bash .ci/setup`"
    );
    let output = tokio::process::Command::new(&interpreter)
        .arg(format!("{root}/tests/python/verify_badge.py"))
        .args(args)
        .output()
        .await
        .expect("the Python verifier runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "verify_badge.py {args:?} failed: {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("verify_badge.py printed {stdout:?}: {e}"))
}

fn one_question() -> Value {
    json!({
        "title": "Sécurité numérique",
        "questions": [{
            "type": "single_choice",
            "prompt": "Un mot de passe se partage-t-il ?",
            "time_limit_s": 600,
            "choices": [{ "id": "c1", "text": "Jamais", "correct": true }, { "id": "c2", "text": "Entre amis" }]
        }]
    })
}

async fn post(server: &TestServer, path: &str, token: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new().post(server.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn create_badge(server: &TestServer, token: &str, room: &str, name: &str, rule: &str) -> (u16, Value) {
    let body = json!({
        "activity": room,
        "name": name,
        "description": format!("A suivi « {name} »."),
        "criteria": "Terminer le quiz.",
        "rule": rule,
        "valid_days": 365,
    });
    post(server, "/api/v1/badges", token, body).await
}

fn answer(client: &mut Client, room: &str, choice: &str) -> ClientMessage {
    let command =
        QuizCommand::Answer { question: 0, answer: AnswerValue::Choice { choice: choice.into() }, confidence: None };
    ClientMessage::Quiz { id: client.id(), room: room.into(), command }
}

/// The awards of a badge once there are `count`, or what there is after 5 s.
async fn awards(server: &TestServer, token: &str, badge: &str, count: usize) -> Vec<Value> {
    let mut awards = Vec::new();
    for _ in 0..100 {
        let listed = server.get_json(&format!("/api/v1/badges/{badge}/awards"), token).await;
        awards = listed["awards"].as_array().cloned().unwrap_or_default();
        if awards.len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    awards
}

async fn text(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn verify(server: &TestServer, body: String) -> Value {
    let response = reqwest::Client::new().post(server.url("/badges/verify")).body(body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_quiz_run_to_its_end_awards_its_badges_once_verifiably() {
    let server = TestServer::start_with(|config| {
        config.badges.issuers.insert(
            "default".into(),
            amphi::badges::config::IssuerConfig {
                name: "Académie de test".into(),
                url: "https://www.ac-test.fr".into(),
                email: "formation@ac-test.fr".into(),
            },
        );
    })
    .await;
    let trainer_token = server.token(Role::Trainer, "Mme Durand");
    let body = json!({ "title": "Sécurité numérique", "kind": "quiz", "quiz": one_question(),
                       "settings": { "pass_mark": 0.5 } });
    let (status, room) = post(&server, "/api/v1/rooms", &trainer_token, body).await;
    assert_eq!(status, 201, "{room}");
    let room = room_id(&room);
    let (status, completed) = create_badge(&server, &trainer_token, &room, "Participation", "complete").await;
    assert_eq!(status, 201, "{completed}");
    let (status, passed) = create_badge(&server, &trainer_token, &room, "Réussite", "passed").await;
    assert_eq!(status, 201, "{passed}");
    let (completed, passed) = (completed["id"].as_str().unwrap(), passed["id"].as_str().unwrap());

    // The quiz, over real WebSockets: Alice (a platform user) is right, a
    // guest is wrong.
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&trainer_token).await;
    trainer.join(&room).await;
    let alice_sub = format!("participant-{}", uuid::Uuid::new_v4());
    let alice_token = server.sign(amphi::auth::Claims {
        sub: alice_sub.clone(),
        name: "Alice Lefèvre".into(),
        tenant: "default".into(),
        role: Role::Participant,
        exp: amphi::auth::unix_seconds() + 3600,
        iat: amphi::auth::unix_seconds(),
        room: None,
        guest: false,
    });
    let mut alice = server.connect(Format::Json).await;
    alice.hello_token(&alice_token).await;
    alice.join(&room).await;
    let code = join_code(&server.get_json(&format!("/api/v1/rooms/{room}"), &trainer_token).await);
    let mut guest = server.connect(Format::Json).await;
    guest.hello_guest(&code, "Bruno").await;
    let start = ClientMessage::Quiz { id: trainer.id(), room: room.clone(), command: QuizCommand::Start };
    trainer.ok(start).await;
    for (phone, choice) in [(&mut alice, "c1"), (&mut guest, "c2")] {
        quiz_event(phone, |e| matches!(e, QuizEvent::QuestionOpened { .. })).await;
        let command = answer(phone, &room, choice);
        phone.ok(command).await;
    }
    let end = ClientMessage::Quiz { id: trainer.id(), room: room.clone(), command: QuizCommand::End };
    trainer.ok(end).await;

    let participation = awards(&server, &trainer_token, completed, 2).await;
    assert_eq!(participation.len(), 2, "both completed: {participation:?}");
    let success = awards(&server, &trainer_token, passed, 1).await;
    assert_eq!(success.len(), 1, "only Alice passed: {success:?}");
    assert_eq!(success[0]["recipient"], alice_sub.as_str());
    assert_eq!(success[0]["recipient_name"], "Alice Lefèvre");

    // Committing the completions again (a replay after a crash) and a new
    // completion with the same state issue nothing more.
    let store = &server.app.store;
    let room_uuid = uuid::Uuid::parse_str(&room).unwrap();
    let completions = store.completions("default", room_uuid).await.unwrap();
    assert_eq!(completions.len(), 2);
    store.commit(&[Write::Completions(completions.clone())]).await.unwrap();
    let changed: Vec<CompletionRecord> =
        completions.iter().map(|c| CompletionRecord { updated_at: c.updated_at + 1, ..c.clone() }).collect();
    store.upsert_completions(&changed).await.unwrap();
    assert_eq!(awards(&server, &trainer_token, completed, 3).await.len(), 2, "still one award each");
    assert_eq!(awards(&server, &trainer_token, passed, 2).await.len(), 1);

    // Alice sees her two badges.
    let mine = server.get_json("/api/v1/me/badges", &alice_token).await;
    assert_eq!(mine["awards"].as_array().unwrap().len(), 2, "{mine}");
    assert_eq!(mine["awards"][0]["activity"], room.as_str(), "each award names its activity: {mine}");
    assert!(mine["awards"][0]["badge_description"].is_string(), "{mine}");
    let here = server.get_json(&format!("/api/v1/me/badges?activity={room}"), &alice_token).await;
    assert_eq!(here["awards"].as_array().unwrap().len(), 2, "{here}");
    let elsewhere =
        server.get_json(&format!("/api/v1/me/badges?activity={}", uuid::Uuid::new_v4()), &alice_token).await;
    assert_eq!(elsewhere["awards"], json!([]), "another activity's filter: {elsewhere}");
    let refused = reqwest::Client::new()
        .get(server.url("/api/v1/me/badges?activity=nope"))
        .bearer_auth(&alice_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);

    // The credential, verified by the server and by Python.
    let award = &success[0];
    let (status, jwt) = text(award["credential_jwt"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let (_, again) = text(award["credential_jwt"].as_str().unwrap()).await;
    assert_eq!(jwt, again, "the same file at every download");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("badge.jwt");
    std::fs::write(&file, &jwt).unwrap();
    let file = file.to_str().unwrap();
    let checked = python(&["credential", file, "--recipient", &alice_sub]).await;
    assert_eq!(checked["verdict"], "valid", "{checked}");
    assert_eq!(checked["achievement"], "Réussite");
    assert_eq!(checked["issuer"], "Académie de test");
    let wrong = python(&["credential", file, "--recipient", "someone-else"]).await;
    assert_eq!(wrong["verdict"], "malformed", "another recipient's hash does not match: {wrong}");

    let page: Value = reqwest::get(award["credential"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(page["verdict"], "valid", "{page}");
    assert_eq!(page["award"]["recipient_name"], "Alice Lefèvre", "{page}");
    let evidence = page["credential"]["evidence"].as_array().unwrap();
    let said: Vec<(&str, &str)> =
        evidence.iter().map(|e| (e["name"].as_str().unwrap(), e["narrative"].as_str().unwrap())).collect();
    assert_eq!(said[0], ("Activité terminée", "«\u{a0}Sécurité numérique\u{a0}»"), "{said:?}");
    assert_eq!(said[1], ("Résultat", "1000\u{a0}/\u{a0}1000\u{a0}points"), "{said:?}");
    assert!(evidence.iter().all(|e| e["type"] == json!(["Evidence"])));
    assert!(page["award"].get("recipient").is_none(), "the public page keeps the platform id: {page}");
    // Opened in a browser (the certificate's QR code): the web client's page.
    let browser = reqwest::Client::new()
        .get(award["credential"].as_str().unwrap())
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), 200);
    assert!(browser.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(browser.headers().contains_key("content-security-policy"), "the page's policy applies");
    assert_eq!(page["credential"]["credentialSubject"]["achievement"]["name"], "Réussite");
    assert_eq!(verify(&server, jwt.clone()).await["verdict"], "valid");
    assert_eq!(verify(&server, json!({ "jwt": jwt }).to_string()).await["verdict"], "valid");
    let credential = page["credential"].clone();
    assert_eq!(verify(&server, credential.to_string()).await["verdict"], "valid", "the credential as JSON");
    let mut changed = credential.clone();
    changed["credentialSubject"]["achievement"]["name"] = json!("Expert");
    let tampered = verify(&server, changed.to_string()).await;
    assert_eq!(tampered["verdict"], "tampered", "{tampered}");
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut signature: Vec<char> = parts[2].chars().collect();
    signature[10] = if signature[10] == 'A' { 'B' } else { 'A' };
    let forged = format!("{}.{}.{}", parts[0], parts[1], signature.into_iter().collect::<String>());
    assert_eq!(verify(&server, forged).await["verdict"], "tampered");
    let garbage = verify(&server, "not a credential".into()).await;
    assert_eq!(garbage["verdict"], "malformed", "{garbage}");

    // The certificate of participation.
    let pdf = reqwest::get(award["certificate_pdf"].as_str().unwrap()).await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf_file = dir.path().join("attestation.pdf");
    std::fs::write(&pdf_file, pdf.bytes().await.unwrap()).unwrap();
    let extracted = python(&["pdf-text", pdf_file.to_str().unwrap()]).await;
    let certificate = extracted["text"].as_str().unwrap().replace('\u{a0}', " ");
    for expected in [
        "Attestation de participation",
        "Alice Lefèvre",
        "« Sécurité numérique »",
        "Badge obtenu : Réussite",
        "Résultat : 1000 / 1000",
        "Académie de test",
        "heure de Paris",
        "Durée de présence",
    ] {
        assert!(certificate.contains(expected), "the certificate says {expected:?}: {certificate}");
    }

    // Another tenant sees none of it.
    let other = server.token_in(Role::Trainer, "Intrus", "other");
    let response =
        reqwest::Client::new().get(server.url(&format!("/api/v1/badges/{passed}"))).bearer_auth(&other).send().await;
    assert_eq!(response.unwrap().status(), 404);
    let revoke = format!("/api/v1/badges/awards/{}/revoke", award["id"].as_str().unwrap());
    assert_eq!(post(&server, &revoke, &other, json!({ "reason": "x" })).await.0, 404);

    // Revoked: both verifiers say so, the server with the reason.
    let (status, revoked) = post(&server, &revoke, &trainer_token, json!({ "reason": "Fraude constatée" })).await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(post(&server, &revoke, &trainer_token, json!({ "reason": "encore" })).await.0, 409);
    let answer = verify(&server, jwt.clone()).await;
    assert_eq!(answer["verdict"], "revoked", "{answer}");
    assert!(answer["reason"].as_str().unwrap().contains("Fraude constatée"), "{answer}");
    assert_eq!(python(&["credential", file]).await["verdict"], "revoked");

    // A retired badge is listed no more; its awards stay verifiable.
    let response = reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/badges/{completed}")))
        .bearer_auth(&trainer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let listed = server.get_json(&format!("/api/v1/badges?activity={room}"), &trainer_token).await;
    assert_eq!(listed["badges"].as_array().unwrap().len(), 1, "{listed}");
    let kept: Value =
        reqwest::get(participation[0]["credential"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(kept["verdict"], "valid");
    let response = reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/badges/{passed}")))
        .bearer_auth(&trainer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (_, kept_jwt) = text(participation[0]["credential_jwt"].as_str().unwrap()).await;
    std::fs::write(dir.path().join("kept.jwt"), &kept_jwt).unwrap();
    let kept = python(&["credential", dir.path().join("kept.jwt").to_str().unwrap()]).await;
    assert_eq!(kept["verdict"], "valid", "keys stay published once every badge is retired: {kept}");
}

#[tokio::test]
async fn the_known_answer_vector_verifies_in_python_too() {
    let root = env!("CARGO_MANIFEST_DIR");
    let vector = format!("{root}/tests/fixtures/badges/credential.jwt");
    // RFC 8032's first test key; 2026-12-02, within the validity.
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let checked = python(&["vector", &vector, "--x", x, "--now", "1796200000"]).await;
    assert_eq!(checked["verdict"], "valid", "{checked}");
    assert_eq!(checked["achievement"], "Sécurité numérique");
    let expired = python(&["vector", &vector, "--x", x, "--now", "1827649800"]).await;
    assert_eq!(expired["verdict"], "expired", "{expired}");
    let other =
        python(&["vector", &vector, "--x", "_sD3VEmZz6X8TPzc1QfFwI1Zy0bbkxLv7Qw9sVL0Ro8", "--now", "1796200000"]).await;
    assert_eq!(other["verdict"], "tampered", "another key does not verify it: {other}");
}

#[tokio::test]
async fn badges_refuse_what_their_activity_cannot_meet_and_take_only_images() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let body = json!({ "title": "Quiz", "kind": "quiz", "quiz": one_question() });
    let (_, room) = post(&server, "/api/v1/rooms", &token, body).await;
    let room = room_id(&room);
    let (status, refused) = create_badge(&server, &token, &room, "Réussite", "passed").await;
    assert_eq!((status, refused["code"].as_str()), (409, Some("invalid_state")), "no pass mark: {refused}");
    let (status, refused) = create_badge(&server, &token, &room, "Présence", "attendance").await;
    assert_eq!(status, 409, "{refused}");
    let (status, refused) = create_badge(&server, &token, &room, "X", "whatever").await;
    assert_eq!((status, refused["code"].as_str()), (400, Some("out_of_range")), "{refused}");
    let (status, _) = create_badge(&server, &token, &uuid::Uuid::new_v4().to_string(), "X", "complete").await;
    assert_eq!(status, 404);
    let participant = server.token(Role::Participant, "Alice");
    assert_eq!(create_badge(&server, &participant, &room, "X", "complete").await.0, 403);
    let lobby = room_id(&server.create_room(&token, "Accueil").await);
    assert_eq!(create_badge(&server, &token, &lobby, "X", "complete").await.0, 409);
    let (status, badge) = create_badge(&server, &token, &room, "Participation", "complete").await;
    assert_eq!(status, 201, "{badge}");
    let image = server.url(&format!("/api/v1/badges/{}/image", badge["id"].as_str().unwrap()));
    let http = reqwest::Client::new();
    let refused = http.put(&image).bearer_auth(&token).body("<svg onload=alert(1)>").send().await.unwrap();
    assert_eq!(refused.status(), 415);
    let png = include_bytes!("fixtures/badges/badge.png").to_vec();
    let stored = http.put(&image).bearer_auth(&token).body(png.clone()).send().await.unwrap();
    assert_eq!(stored.status(), 200);
    let stored: Value = stored.json().await.unwrap();
    let served = reqwest::get(stored["image"].as_str().unwrap()).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), png);
    let achievement: Value = reqwest::get(stored["achievement"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(achievement["type"], json!(["Achievement"]));
    assert_eq!(achievement["image"]["id"], stored["image"]);
}

#[tokio::test]
async fn awards_are_issued_once_on_postgresql_even_from_two_nodes() {
    let database = PgDatabase::create().await;
    let metrics = || std::sync::Arc::new(amphi::metrics::Metrics::new());
    let (one, two) = (
        Store::connect(&database.url, metrics()).await.unwrap(),
        Store::connect(&database.url, metrics()).await.unwrap(),
    );
    let room = RoomRecord {
        id: uuid::Uuid::new_v4(),
        tenant: "ac-lyon".into(),
        kind: RoomKind::Quiz,
        title: "Quiz".into(),
        join_code: None,
        created_by: "trainer".into(),
        created_at: 1,
        activity: None,
    };
    one.insert_room(&room).await.unwrap();
    let badge = amphi::store::BadgeRecord {
        id: uuid::Uuid::new_v4(),
        tenant: "ac-lyon".into(),
        activity: room.id,
        name: "Participation".into(),
        description: "d".into(),
        criteria: "c".into(),
        image: None,
        rule: "complete".into(),
        min_percent: 0,
        valid_days: None,
        created_by: "trainer".into(),
        created_at: 1,
        retired_at: None,
    };
    assert_eq!(one.insert_badge(&badge, &[]).await.unwrap(), 0);
    let completions: Vec<CompletionRecord> = (0..20)
        .map(|i| CompletionRecord {
            tenant: "ac-lyon".into(),
            activity: room.id,
            user: format!("user-{i}"),
            state: if i % 4 == 0 { 0 } else { 1 },
            score: 1,
            max_score: 1,
            updated_at: 2,
        })
        .collect();
    let batch = [Write::Completions(completions)];
    let (a, b) = tokio::join!(one.commit(&batch), two.commit(&batch));
    a.unwrap();
    b.unwrap();
    one.commit(&batch).await.unwrap();
    let awards = one.awards_of_badge(badge.id).await.unwrap();
    assert_eq!(awards.len(), 15, "one award per completed recipient, none for the incomplete");
    let mut indices: Vec<i64> = awards.iter().map(|a| a.status_index).collect();
    indices.sort();
    indices.dedup();
    assert_eq!(indices.len(), 15, "each award has its own revocation bit");
    // A badge attached afterwards recognises the completions already there.
    let later = amphi::store::BadgeRecord { id: uuid::Uuid::new_v4(), ..badge };
    assert_eq!(two.insert_badge(&later, &[]).await.unwrap(), 15);
}

/// A completion of `activity` for `user`, in state `state`.
fn completion(tenant: &str, activity: uuid::Uuid, user: &str, state: u8) -> CompletionRecord {
    CompletionRecord {
        tenant: tenant.into(),
        activity,
        user: user.into(),
        state,
        score: 1,
        max_score: 1,
        updated_at: 2,
    }
}

#[tokio::test]
async fn a_series_badge_waits_for_every_activity_of_the_series() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let mut rooms = Vec::new();
    for title in ["Module 1", "Module 2", "Module 3"] {
        let body = json!({ "title": title, "kind": "quiz", "quiz": one_question() });
        let (status, room) = post(&server, "/api/v1/rooms", &token, body).await;
        assert_eq!(status, 201, "{room}");
        rooms.push(room_id(&room));
    }
    let series_body = |rule: &str, series: Value| {
        json!({ "activity": rooms[0], "name": "Parcours complet", "description": "Trois micro-modules.",
                "criteria": "Terminer les trois modules.", "rule": rule, "series": series })
    };
    // What a series refuses: a rule a module cannot meet, an unknown room, a lobby.
    let (status, refused) = post(&server, "/api/v1/badges", &token, series_body("attendance", json!([rooms[1]]))).await;
    assert_eq!(status, 409, "{refused}");
    let (status, refused) = post(&server, "/api/v1/badges", &token, series_body("passed", json!([rooms[1]]))).await;
    assert_eq!((status, refused["code"].as_str()), (409, Some("invalid_state")), "no pass mark: {refused}");
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(post(&server, "/api/v1/badges", &token, series_body("complete", json!([unknown]))).await.0, 404);
    let lobby = room_id(&server.create_room(&token, "Accueil").await);
    assert_eq!(post(&server, "/api/v1/badges", &token, series_body("complete", json!([lobby]))).await.0, 409);

    // Bea completed module 1 before the badge was attached.
    let store = &server.app.store;
    let ids: Vec<uuid::Uuid> = rooms.iter().map(|r| uuid::Uuid::parse_str(r).unwrap()).collect();
    store.commit(&[Write::Completions(vec![completion("default", ids[0], "bea", 1)])]).await.unwrap();
    let (status, badge) =
        post(&server, "/api/v1/badges", &token, series_body("complete", json!([rooms[1], rooms[2], rooms[1]]))).await;
    assert_eq!(status, 201, "{badge}");
    assert_eq!(badge["awarded_now"], 0, "one module of three is not the series: {badge}");
    assert_eq!(badge["series"].as_array().unwrap().len(), 3, "the three modules, once each: {badge}");
    let id = badge["id"].as_str().unwrap();
    // Each module's console lists it.
    for room in &rooms {
        let listed = server.get_json(&format!("/api/v1/badges?activity={room}"), &token).await;
        assert_eq!(listed["badges"][0]["id"], id, "{listed}");
    }
    // Bea was present 10 minutes in module 1, 5 in module 2, 3 in module 3.
    let stretch = |room: uuid::Uuid, minutes: i64| {
        Write::Joined(AttendanceRecord {
            room,
            member: "bea".into(),
            member_name: "Béa".into(),
            role: Role::Participant,
            guest: false,
            joined_at: 1_000,
            left_at: Some(1_000 + minutes * 60_000),
        })
    };
    store.commit(&[stretch(ids[0], 10), stretch(ids[1], 5), stretch(ids[2], 3)]).await.unwrap();
    // Module 2, then an incomplete module 3: still nothing; module 3 complete: the badge.
    store.commit(&[Write::Completions(vec![completion("default", ids[1], "bea", 2)])]).await.unwrap();
    store.commit(&[Write::Completions(vec![completion("default", ids[2], "bea", 0)])]).await.unwrap();
    assert_eq!(awards(&server, &token, id, 1).await.len(), 0, "module 3 is not complete yet");
    store.commit(&[Write::Completions(vec![completion("default", ids[2], "bea", 1)])]).await.unwrap();
    let awarded = awards(&server, &token, id, 1).await;
    assert_eq!(awarded.len(), 1, "{awarded:?}");
    assert_eq!(awarded[0]["recipient"], "bea");
    assert_eq!(awarded[0]["attended_minutes"], 18, "the time present in the three modules: {awarded:?}");
    let certificate = format!("/badges/credentials/{}/certificate.pdf", awarded[0]["id"].as_str().unwrap());
    let pdf = reqwest::get(server.url(&certificate)).await.unwrap().bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf_file = dir.path().join("attestation.pdf");
    std::fs::write(&pdf_file, pdf).unwrap();
    let extracted = python(&["pdf-text", pdf_file.to_str().unwrap()]).await;
    let text = extracted["text"].as_str().unwrap().replace('\u{a0}', " ");
    assert!(text.contains("18 minutes"), "the certificate counts all three: {text}");
    // Completing a module again awards nothing more.
    store.commit(&[Write::Completions(vec![completion("default", ids[0], "bea", 2)])]).await.unwrap();
    assert_eq!(awards(&server, &token, id, 2).await.len(), 1);
}

#[tokio::test]
async fn a_series_badge_on_postgresql_is_issued_once_when_the_last_module_is_completed_on_two_nodes() {
    let database = PgDatabase::create().await;
    let metrics = || std::sync::Arc::new(amphi::metrics::Metrics::new());
    let (one, two) = (
        Store::connect(&database.url, metrics()).await.unwrap(),
        Store::connect(&database.url, metrics()).await.unwrap(),
    );
    let mut modules = Vec::new();
    for title in ["M1", "M2"] {
        let room = RoomRecord {
            id: uuid::Uuid::new_v4(),
            tenant: "ac-lyon".into(),
            kind: RoomKind::Quiz,
            title: title.into(),
            join_code: None,
            created_by: "trainer".into(),
            created_at: 1,
            activity: None,
        };
        one.insert_room(&room).await.unwrap();
        modules.push(room.id);
    }
    let badge = amphi::store::BadgeRecord {
        id: uuid::Uuid::new_v4(),
        tenant: "ac-lyon".into(),
        activity: modules[0],
        name: "Parcours".into(),
        description: "d".into(),
        criteria: "c".into(),
        image: None,
        rule: "passed".into(),
        min_percent: 0,
        valid_days: None,
        created_by: "trainer".into(),
        created_at: 1,
        retired_at: None,
    };
    assert_eq!(one.insert_badge(&badge, &modules).await.unwrap(), 0);
    assert_eq!(one.badge_series(badge.id).await.unwrap().len(), 2);
    // Passed the first module, only completed (not passed) the second: nothing.
    one.commit(&[Write::Completions(vec![completion("ac-lyon", modules[0], "u", 2)])]).await.unwrap();
    one.commit(&[Write::Completions(vec![completion("ac-lyon", modules[1], "u", 1)])]).await.unwrap();
    assert!(one.awards_of_badge(badge.id).await.unwrap().is_empty(), "`passed` needs both passed");
    // Passed the second, committed on two nodes at once: one award.
    let batch = [Write::Completions(vec![completion("ac-lyon", modules[1], "u", 2)])];
    let (a, b) = tokio::join!(one.commit(&batch), two.commit(&batch));
    a.unwrap();
    b.unwrap();
    assert_eq!(one.awards_of_badge(badge.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_award_is_an_open_badges_2_hosted_assertion_with_a_baked_png_when_the_email_is_known() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let body = json!({ "title": "Quiz", "kind": "quiz", "quiz": one_question() });
    let (_, room) = post(&server, "/api/v1/rooms", &token, body).await;
    let room = room_id(&room);
    let (status, badge) = create_badge(&server, &token, &room, "Participation", "complete").await;
    assert_eq!(status, 201, "{badge}");
    let id = badge["id"].as_str().unwrap().to_string();
    let png = include_bytes!("fixtures/badges/badge.png").to_vec();
    let http = reqwest::Client::new();
    let image = server.url(&format!("/api/v1/badges/{id}/image"));
    assert_eq!(http.put(&image).bearer_auth(&token).body(png.clone()).send().await.unwrap().status(), 200);

    // Sam came from Moodle, which shared his e-mail; Léa's is not known.
    let store = &server.app.store;
    store.remember_email("default", "lti:p1:4", "student1@example.com", 1).await.unwrap();
    let activity = uuid::Uuid::parse_str(&room).unwrap();
    let done = [completion("default", activity, "lti:p1:4", 1), completion("default", activity, "lti:p1:5", 1)];
    store.commit(&[Write::Completions(done.to_vec())]).await.unwrap();
    let listed = awards(&server, &token, &id, 2).await;
    let sam = listed.iter().find(|a| a["recipient"] == "lti:p1:4").unwrap().clone();
    let lea = listed.iter().find(|a| a["recipient"] == "lti:p1:5").unwrap().clone();
    assert!(lea["open_badges_2"].is_null(), "no e-mail, no 2.0 assertion: {lea}");
    let v2 = &sam["open_badges_2"];
    let lea_assertion = sam["open_badges_2"]["assertion"]
        .as_str()
        .unwrap()
        .replace(sam["id"].as_str().unwrap(), lea["id"].as_str().unwrap());
    assert_eq!(reqwest::get(&lea_assertion).await.unwrap().status(), 404);

    // The hosted assertion, its badge class and issuer, as a 2.0 backpack reads them.
    let assertion: Value = reqwest::get(v2["assertion"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(assertion["@context"], "https://w3id.org/openbadges/v2");
    assert_eq!(assertion["type"], "Assertion");
    assert_eq!(assertion["id"], v2["assertion"]);
    assert_eq!(assertion["verification"]["type"], "hosted");
    let salt = assertion["recipient"]["salt"].as_str().unwrap();
    use sha2::Digest;
    let expected = format!("sha256${}", hex::encode(sha2::Sha256::digest(format!("student1@example.com{salt}"))));
    assert_eq!(assertion["recipient"]["identity"], expected.as_str());
    assert_eq!(assertion["recipient"]["type"], "email");
    let class: Value = reqwest::get(assertion["badge"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!((class["type"].as_str(), class["name"].as_str()), (Some("BadgeClass"), Some("Participation")));
    assert!(class["image"].as_str().unwrap().ends_with("/image"), "{class}");
    let issuer: Value = reqwest::get(class["issuer"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(issuer["type"], "Issuer");
    assert!(issuer["url"].as_str().unwrap().starts_with("http"), "a 2.0 issuer has a url: {issuer}");

    // The baked PNG carries the assertion's URL, the pixels unchanged.
    let baked = reqwest::get(v2["baked_png"].as_str().unwrap()).await.unwrap();
    assert_eq!(baked.headers()["content-type"], "image/png");
    let baked = baked.bytes().await.unwrap().to_vec();
    let decode = |bytes: Vec<u8>| {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(frame.buffer_size());
        let texts: Vec<(String, String)> =
            reader.info().utf8_text.iter().map(|t| (t.keyword.clone(), t.get_text().unwrap())).collect();
        (pixels, texts)
    };
    let (pixels, texts) = decode(baked);
    assert_eq!(texts, vec![("openbadges".to_string(), v2["assertion"].as_str().unwrap().to_string())]);
    assert_eq!(pixels, decode(png).0, "the same image");

    // Revoked: 410 Gone with the reason, as OB 2.0 hosted verification says.
    let revoke = format!("/api/v1/badges/awards/{}/revoke", sam["id"].as_str().unwrap());
    assert_eq!(post(&server, &revoke, &token, json!({ "reason": "Erreur" })).await.0, 200);
    let gone = reqwest::get(v2["assertion"].as_str().unwrap()).await.unwrap();
    assert_eq!(gone.status(), 410);
    let gone: Value = gone.json().await.unwrap();
    assert_eq!((gone["revoked"].as_bool(), gone["revocationReason"].as_str()), (Some(true), Some("Erreur")));

    // Erasure takes the e-mail with the rest.
    let admin = server.token(Role::Admin, "Admin");
    let erased = http.delete(server.url("/api/v1/admin/users/lti:p1:4")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(erased.status(), 200);
    assert_eq!(store.email_of("default", "lti:p1:4").await.unwrap(), None);
}

fn board_post(client: &mut Client, room: &str, content: PostContent) -> ClientMessage {
    let command = BoardCommand::Post { section: None, before: None, content };
    ClientMessage::Board { id: client.id(), room: room.into(), command: Box::new(command) }
}

#[tokio::test]
async fn a_board_badge_links_the_recipients_posts_as_evidence_with_their_files_only() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let body = json!({ "title": "Mur des idées", "kind": "board",
                       "board": { "sections": ["Idées"], "settings": { "completion_posts": 1 } } });
    let (status, room) = post(&server, "/api/v1/rooms", &token, body).await;
    assert_eq!(status, 201, "{room}");
    let (room_id, code) = (room_id(&room), join_code(&room));
    let (status, badge) = create_badge(&server, &token, &room_id, "Contributrice", "complete").await;
    assert_eq!(status, 201, "{badge}");
    let badge = badge["id"].as_str().unwrap().to_string();

    // Camille posts an image and a text; Dominique posts too.
    let mut camille = server.connect(Format::Json).await;
    let (welcome, _) = camille.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    let uploaded = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/boards/{room_id}/uploads?name=schema.png")))
        .bearer_auth(&resume_token)
        .body(include_bytes!("fixtures/badges/badge.png").to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let blob = uploaded.json::<Value>().await.unwrap()["blob"].as_str().unwrap().to_string();
    let image = Image { blob: blob.clone(), alt: "Le schéma du cycle de l'eau".into() };
    let content = PostContent {
        title: "Le cycle de l'eau".into(),
        text: "Évaporation, condensation.".into(),
        image: Some(image),
        ..PostContent::default()
    };
    let message = board_post(&mut camille, &room_id, content);
    camille.ok(message).await;
    let content = PostContent {
        title: "Une source".into(),
        link: Some("https://eduscol.education.fr/".into()),
        ..PostContent::default()
    };
    let message = board_post(&mut camille, &room_id, content);
    camille.ok(message).await;
    let mut dominique = server.connect(Format::Json).await;
    dominique.hello_guest(&code, "Dominique").await;
    let message =
        board_post(&mut dominique, &room_id, PostContent { title: "Autre idée".into(), ..PostContent::default() });
    dominique.ok(message).await;

    let awarded = awards(&server, &token, &badge, 2).await;
    assert_eq!(awarded.len(), 2, "one post completes the board: {awarded:?}");
    let award = awarded.iter().find(|a| a["recipient_name"] == "Camille").expect("Camille's award");
    let url = server.url(&format!("/badges/credentials/{}", award["id"].as_str().unwrap()));

    // The credential links each of Camille's posts, and no one else's.
    let answer = public_json(&url).await;
    let evidence = answer["credential"]["evidence"].as_array().expect("evidence");
    let linked: Vec<&Value> = evidence.iter().filter(|e| e.get("id").is_some()).collect();
    assert_eq!(linked.len(), 2, "{evidence:?}");
    assert_eq!(linked[0]["name"], "Contribution au mur «\u{a0}Mur des idées\u{a0}»");
    assert_eq!(linked[0]["narrative"], "Le cycle de l'eau\u{a0}: Évaporation, condensation.");
    let page = format!("{url}/evidence");
    assert!(linked.iter().all(|e| e["id"].as_str().unwrap().starts_with(&format!("{page}#post-"))), "{linked:?}");

    // The evidence page shows them, each at the anchor the credential names.
    let shown = public_json(&page).await;
    let items = shown["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{shown}");
    assert_eq!(items[0]["title"], "Le cycle de l'eau");
    assert_eq!(items[1]["link"], "https://eduscol.education.fr/");
    for (item, linked) in items.iter().zip(&linked) {
        assert_eq!(format!("{page}#{}", item["anchor"].as_str().unwrap()), linked["id"].as_str().unwrap());
    }
    // Its image is served from the award's address, without a token; no other file is.
    let file_url = items[0]["files"][0]["url"].as_str().expect("the image's URL");
    assert_eq!(items[0]["files"][0]["alt"], "Le schéma du cycle de l'eau");
    let served = reqwest::get(file_url).await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert!(served.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(served.bytes().await.unwrap().as_ref(), include_bytes!("fixtures/badges/badge.png"));
    let other_award = awarded.iter().find(|a| a["recipient_name"] == "Dominique").unwrap()["id"].as_str().unwrap();
    let elsewhere = server.url(&format!("/badges/credentials/{other_award}/evidence/files/{blob}"));
    assert_eq!(reqwest::get(elsewhere).await.unwrap().status(), 404, "not in Dominique's evidence");
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("amphi_abuse_total{kind=\"evidence_file_refused\"} 1"), "counted");
    // A browser gets the web client's page.
    let html = reqwest::Client::new().get(&page).header("accept", "text/html").send().await.unwrap();
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));

    // Revoked: the evidence is withdrawn.
    let revoke = format!("/api/v1/badges/awards/{}/revoke", award["id"].as_str().unwrap());
    assert_eq!(post(&server, &revoke, &token, json!({ "reason": "Erreur" })).await.0, 200);
    let gone = reqwest::Client::new().get(&page).header("accept", "application/json").send().await.unwrap();
    assert_eq!(gone.status(), 410);
    assert_eq!(reqwest::get(file_url).await.unwrap().status(), 410);
}
