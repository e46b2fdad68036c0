//! The attendance report and the erasure of a user's data over HTTP: joins
//! and leaves become stretches of presence in `attendance.csv`; an admin
//! deletes one member's data everywhere; other roles may not.

use std::time::Duration;

use amphi_protocol::{Format, Role};
use serde_json::Value;

use crate::util::*;

async fn attendance_csv(server: &TestServer, token: &str, room: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/sessions/{room}/attendance.csv")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The CSV's rows (header skipped) once it has `rows` of them.
async fn rows_when(server: &TestServer, token: &str, room: &str, rows: usize) -> Vec<Vec<String>> {
    let mut last = Vec::new();
    for _ in 0..100 {
        let (status, body) = attendance_csv(server, token, room).await;
        assert_eq!(status, 200, "{body}");
        let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
        last = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        if last.len() == rows && last.iter().all(|row: &Vec<String>| !row[6].is_empty() || row[2] == "trainer") {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("attendance never had {rows} rows: {last:?}");
}

#[tokio::test]
async fn attendance_is_reported_and_a_user_can_be_erased() {
    let server = TestServer::start().await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&trainer, "Atelier numérique").await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut leader = server.connect(Format::Json).await;
    leader.hello_token(&trainer).await;
    leader.join(&room_id).await;

    let mut phone = server.connect(Format::Json).await;
    let (welcome, _) = phone.hello_guest(&code, "Camille").await;
    let amphi_protocol::ServerMessage::Welcome { member, .. } = welcome else { unreachable!() };
    drop(phone); // the phone sleeps: the stretch ends
    let rows = rows_when(&server, &trainer, &room_id, 2).await;
    let camille = rows.iter().find(|row| row[1] == "Camille").expect("the guest is reported");
    assert_eq!(camille[0], member.id);
    assert_eq!(
        (camille[2].as_str(), camille[3].as_str(), camille[4].as_str()),
        ("participant", "yes", "Atelier numérique")
    );
    assert!(!camille[5].is_empty() && !camille[6].is_empty(), "joined and left: {camille:?}");
    let minutes: f64 = camille[7].parse().unwrap();
    assert!(minutes >= 0.0);
    let lead = rows.iter().find(|row| row[1] == "Mme Durand").unwrap();
    assert!(lead[6].is_empty(), "still present: no end yet");

    // The French dialect: `;`, French headers, the tenant's clock, decimal
    // commas; the file named after the room.
    let french = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/sessions/{room_id}/attendance.csv?dialect=fr")))
        .bearer_auth(&trainer)
        .send()
        .await
        .unwrap();
    assert_eq!(french.status(), 200);
    let disposition = french.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.contains("pr%C3%A9sences.csv") && disposition.contains("Atelier%20num%C3%A9rique"),
        "{disposition}"
    );
    let body = french.text().await.unwrap();
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..4], ["Membre", "Nom", "Rôle", "Invité"]);
    assert_eq!(header[5], "Arrivée (heure de Paris)");
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    let camille_fr = rows.iter().find(|row| row[1] == "Camille").expect("the guest, in French");
    assert_eq!(camille_fr[3], "oui");
    // `02/12/2026 09:30:05` on Paris's clock: the English row's instant, an hour or two later.
    let joined_utc: jiff::Timestamp = camille[5].parse().unwrap();
    let paris = joined_utc.to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap());
    assert_eq!(camille_fr[5], paris.strftime("%d/%m/%Y %H:%M:%S").to_string());
    assert!(camille_fr[7].contains(',') && !camille_fr[7].contains('.'), "a decimal comma: {}", camille_fr[7]);
    let unknown = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/sessions/{room_id}/attendance.csv?dialect=de")))
        .bearer_auth(&trainer)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert_eq!(unknown.json::<Value>().await.unwrap()["code"], "invalid_field");

    // Only leaders read it.
    let participant = server.token(Role::Participant, "Léa");
    assert_eq!(attendance_csv(&server, &participant, &room_id).await.0, 403);

    // Erasure: admins only.
    let http = reqwest::Client::new();
    let url = server.url(&format!("/api/v1/admin/users/{}", member.id));
    let refused = http.delete(&url).bearer_auth(&trainer).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let admin = server.token(Role::Admin, "DANE");
    let response = http.delete(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let deletion: Value = response.json().await.unwrap();
    assert_eq!(deletion["attendance"], 1, "{deletion}");
    let (_, body) = attendance_csv(&server, &trainer, &room_id).await;
    assert!(!body.contains("Camille") && !body.contains(&member.id), "erased: {body}");
}

async fn erasure_reaches_a_live_room(database: Option<&PgDatabase>) {
    let url = database.map(|d| d.url.clone());
    let server = TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
    })
    .await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let quiz = serde_json::json!({
        "title": "Fleuves",
        "questions": [{ "type": "true_false", "prompt": "La Loire est un fleuve.", "answer": true, "time_limit_s": 600 }]
    });
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&trainer)
        .json(&serde_json::json!({ "title": "Quiz", "kind": "quiz", "quiz": quiz, "settings": {} }))
        .send()
        .await
        .unwrap();
    let room: Value = response.json().await.unwrap();
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut leader = server.connect(Format::Json).await;
    leader.hello_token(&trainer).await;
    leader.join(&room_id).await;
    let mut phone = server.connect(Format::Json).await;
    let (welcome, _) = phone.hello_guest(&code, "Camille").await;
    let amphi_protocol::ServerMessage::Welcome { member, .. } = welcome else { unreachable!() };
    let id = leader.id();
    let open = amphi_protocol::quiz::QuizCommand::OpenQuestion { index: Some(0) };
    leader.ok(amphi_protocol::ClientMessage::Quiz { id, room: room_id.clone(), command: open }).await;
    let answer = amphi_protocol::quiz::QuizCommand::Answer {
        question: 0,
        answer: amphi_protocol::quiz::AnswerValue::Bool { value: true },
        confidence: None,
    };
    let id = phone.id();
    phone.ok(amphi_protocol::ClientMessage::Quiz { id, room: room_id.clone(), command: answer }).await;
    let results = |token: String| {
        let url = server.url(&format!("/api/v1/sessions/{room_id}/results.csv"));
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap().text().await.unwrap() }
    };
    assert!(results(trainer.clone()).await.contains("Camille"), "the live room lists her");

    let admin = server.token(Role::Admin, "DANE");
    let url = server.url(&format!("/api/v1/admin/users/{}", member.id));
    let response = reqwest::Client::new().delete(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let deletion: Value = response.json().await.unwrap();
    assert!(deletion["inputs"].as_u64().unwrap() >= 2, "her attach and answer: {deletion}");
    assert_eq!(leader.closed().await, Some(4012), "the room's connections are sent to resume");
    let after = results(trainer.clone()).await;
    assert!(!after.contains("Camille") && !after.contains(&member.id), "erased from the room too: {after}");
    // The room goes on: the trainer comes back to it.
    let mut back = server.connect(Format::Json).await;
    back.hello_token(&trainer).await;
    back.join(&room_id).await;
}

#[tokio::test]
async fn erasure_reaches_a_room_live_on_this_node_sqlite() {
    erasure_reaches_a_live_room(None).await;
}

#[tokio::test]
async fn erasure_reaches_a_room_live_on_this_node_postgres() {
    let database = PgDatabase::create().await;
    erasure_reaches_a_live_room(Some(&database)).await;
}
