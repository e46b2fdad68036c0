//! Quiz results for French spreadsheets and the projector's settings: a
//! quiz with a graded question, a numeric one and a poll (rating scale),
//! answered by two phones over real WebSockets; `results.csv` in both
//! dialects (`;`, French headers, decimal commas, BOM), files named after the
//! room's title and date (ASCII `filename` and UTF-8 `filename*`), the poll
//! never "correct" or "wrong" in the exports and the end summary; the live
//! histogram toggled on the projector by the trainer only; a Moodle short
//! answer that becomes accent-insensitive on import is warned about.

use amphi_protocol::quiz::{AnswerValue, QuizCommand, QuizEvent};
use amphi_protocol::{ClientMessage, ErrorCode, Format, Role};
use serde_json::{Value, json};

use crate::util::*;

const TITLE: &str = "Géographie d’été";

fn quiz_json() -> Value {
    json!({
        "title": "Géographie",
        "questions": [
            {
                "type": "single_choice",
                "prompt": "Quelle est la capitale de la France ?",
                "time_limit_s": 120,
                "choices": [
                    { "id": "c1", "text": "Paris", "correct": true },
                    { "id": "c2", "text": "Lyon" }
                ]
            },
            {
                "type": "numeric",
                "prompt": "Combien de kilomètres entre Paris et Orléans, en centaines ?",
                "time_limit_s": 120,
                "answers": [{ "value": 1.3, "tolerance": 0.1 }]
            },
            {
                "type": "rating_scale",
                "prompt": "Ce quiz vous a-t-il plu ?",
                "time_limit_s": 120,
                "min": 1,
                "max": 5
            }
        ]
    })
}

fn quiz(client: &mut Client, room: &str, command: QuizCommand) -> ClientMessage {
    ClientMessage::Quiz { id: client.id(), room: room.into(), command }
}

async fn get(server: &TestServer, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new().get(server.url(path)).bearer_auth(token).send().await.unwrap()
}

/// The CSV's lines, after checking it starts with a UTF-8 byte-order mark.
fn csv_lines(body: &str) -> Vec<String> {
    assert!(body.starts_with('\u{feff}'), "a BOM, so that Excel reads UTF-8");
    body.trim_start_matches('\u{feff}').lines().map(str::to_string).collect()
}

#[tokio::test]
async fn results_for_french_spreadsheets_named_after_the_room_and_polls_never_graded() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&json!({ "title": TITLE, "kind": "quiz", "quiz": quiz_json(), "settings": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let room: Value = response.json().await.unwrap();
    let (room_id, code) = (room_id(&room), join_code(&room));
    let created_at = room["created_at"].as_i64().expect("created_at");
    let date = jiff::Timestamp::from_millisecond(created_at)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap())
        .strftime("%Y-%m-%d")
        .to_string();

    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(&room_id).await;
    assert!(!snapshot.quiz.expect("quiz").settings.live_on_projector, "off by default");

    // The projector, signed in with the room's observer token.
    let observer = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/rooms/{room_id}/observer-token")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let mut projector = server.connect(Format::MsgPack).await;
    projector.hello_token(observer["token"].as_str().unwrap()).await;
    projector.join(&room_id).await;

    let mut phones = Vec::new();
    for name in ["Camille", "Léa"] {
        let mut phone = server.connect(Format::Json).await;
        phone.hello_guest(&code, name).await;
        phones.push(phone);
    }

    // The live histogram on the projector: the trainer's to toggle.
    let toggle = quiz(&mut phones[0], &room_id, QuizCommand::ShowLiveOnProjector { on: true });
    assert_eq!(phones[0].refused(toggle).await, ErrorCode::Forbidden);
    let toggle = quiz(&mut trainer, &room_id, QuizCommand::ShowLiveOnProjector { on: true });
    trainer.ok(toggle).await;
    match quiz_event(&mut projector, |e| matches!(e, QuizEvent::LiveOnProjector { .. })).await {
        QuizEvent::LiveOnProjector { on } => assert!(on),
        _ => unreachable!(),
    }
    let mut late = server.connect(Format::Json).await;
    late.hello_token(observer["token"].as_str().unwrap()).await;
    let snapshot = late.join(&room_id).await;
    assert!(snapshot.quiz.expect("quiz").settings.live_on_projector, "a projector that comes later sees it on");

    // Three questions, two answers each; each closes once both answered.
    let answers = [
        [AnswerValue::Choice { choice: "c1".into() }, AnswerValue::Choice { choice: "c2".into() }],
        [AnswerValue::Number { value: 1.25 }, AnswerValue::Number { value: -2.5 }],
        [AnswerValue::Rating { value: 4 }, AnswerValue::Rating { value: 2 }],
    ];
    let start = quiz(&mut trainer, &room_id, QuizCommand::Start);
    trainer.ok(start).await;
    for (index, pair) in answers.into_iter().enumerate() {
        if index > 0 {
            let next = quiz(&mut trainer, &room_id, QuizCommand::Next);
            trainer.ok(next).await;
        }
        for (phone, answer) in phones.iter_mut().zip(pair) {
            quiz_event(phone, |e| matches!(e, QuizEvent::QuestionOpened { question, .. } if question.index == index))
                .await;
            let command = quiz(phone, &room_id, QuizCommand::Answer { question: index, answer, confidence: None });
            phone.ok(command).await;
        }
        quiz_event(&mut trainer, |e| matches!(e, QuizEvent::QuestionClosed { index: i, .. } if *i == index)).await;
    }
    let end = quiz(&mut trainer, &room_id, QuizCommand::End);
    trainer.ok(end).await;
    match quiz_event(&mut projector, |e| matches!(e, QuizEvent::Ended { .. })).await {
        QuizEvent::Ended { summary } => {
            let graded: Vec<bool> = summary.questions.iter().map(|q| q.graded).collect();
            assert_eq!(graded, [true, true, false], "the poll is not graded");
        }
        _ => unreachable!(),
    }

    // The English CSV, as before: `,`, English headers, the poll's
    // `correct` empty.
    let csv = get(&server, &token, &format!("/api/v1/sessions/{room_id}/results.csv")).await;
    assert_eq!(csv.status(), 200);
    let disposition = csv.headers()["content-disposition"].to_str().unwrap().to_string();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"Geographie d_ete - {date} - results.csv\"; \
             filename*=UTF-8''G%C3%A9ographie%20d%E2%80%99%C3%A9t%C3%A9%20-%20{date}%20-%20results.csv"
        )
    );
    let lines = csv_lines(&csv.text().await.unwrap());
    assert_eq!(
        lines[0],
        "participant,question,question_id,round,answer,correct,points,confidence,response_ms,answered_at"
    );
    assert_eq!(lines.len(), 1 + 6);
    let camille: Vec<&String> = lines.iter().filter(|l| l.starts_with("Camille,")).collect();
    assert!(camille[0].contains(",Paris,true,1000,"), "{}", camille[0]);
    assert!(camille[1].contains(",1.25,true,"), "{}", camille[1]);
    assert!(camille[2].contains(",4,,0,"), "the poll is neither right nor wrong: {}", camille[2]);
    let lea: Vec<&String> = lines.iter().filter(|l| l.starts_with("Léa,")).collect();
    assert!(lea[1].contains(",-2.5,false,0,"), "{}", lea[1]);

    // The French CSV: `;`, French headers, decimal commas, oui/non,
    // seconds, local times.
    let csv = get(&server, &token, &format!("/api/v1/sessions/{room_id}/results.csv?dialect=fr")).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv; charset=utf-8"));
    let disposition = csv.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains(&format!("filename=\"Geographie d_ete - {date} - resultats.csv\"")), "{disposition}");
    assert!(disposition.ends_with(&format!("%20-%20{date}%20-%20r%C3%A9sultats.csv")), "{disposition}");
    let lines = csv_lines(&csv.text().await.unwrap());
    assert_eq!(
        lines[0],
        "Participant;Question;Identifiant de la question;Tour;Réponse;Juste;Points;Confiance;\
         Temps de réponse (s);Répondu le (heure de Paris)"
    );
    let camille: Vec<Vec<&str>> =
        lines.iter().filter(|l| l.starts_with("Camille;")).map(|l| l.split(';').collect()).collect();
    assert_eq!((camille[0][4], camille[0][5], camille[0][6]), ("Paris", "oui", "1000"));
    assert_eq!((camille[1][4], camille[1][5]), ("1,25", "oui"), "a decimal comma");
    assert_eq!((camille[2][4], camille[2][5], camille[2][6]), ("4", "", "0"), "the poll: no oui/non");
    let lea: Vec<Vec<&str>> = lines.iter().filter(|l| l.starts_with("Léa;")).map(|l| l.split(';').collect()).collect();
    assert_eq!((lea[1][4], lea[1][5]), ("-2,5", "non"), "a negative decimal is a number, not a formula");
    for row in camille.iter().chain(&lea) {
        let seconds = row[8];
        assert!(seconds.chars().all(|c| c.is_ascii_digit() || c == ','), "seconds with a decimal comma: {seconds}");
        let at = row[9];
        assert!(
            at.len() == 19 && &at[2..3] == "/" && &at[5..6] == "/" && &at[10..11] == " ",
            "dd/mm/yyyy hh:mm:ss: {at}"
        );
    }

    let refused = get(&server, &token, &format!("/api/v1/sessions/{room_id}/results.csv?dialect=de")).await;
    assert_eq!(refused.status(), 400);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["code"], "invalid_field", "{error}");

    // The JSON: named too; the poll has no `correct` and no percentage.
    let response = get(&server, &token, &format!("/api/v1/sessions/{room_id}/results.json")).await;
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.ends_with(&format!("%20-%20{date}%20-%20results.json")), "{disposition}");
    let json: Value = response.json().await.unwrap();
    let questions = json["questions"].as_array().unwrap();
    assert_eq!((questions[0]["graded"].clone(), questions[0]["correct"].clone()), (json!(true), json!(1)));
    assert_eq!(questions[0]["percent_correct"], 50.0);
    assert_eq!(questions[2]["graded"], false);
    assert_eq!(questions[2]["correct"], Value::Null, "a poll counts no right answers");
    assert_eq!(questions[2]["percent_correct"], Value::Null, "nor a share of them");
    let poll_rows: Vec<&Value> = json["rows"].as_array().unwrap().iter().filter(|r| r["question"] == 2).collect();
    assert_eq!(poll_rows.len(), 2);
    assert!(poll_rows.iter().all(|r| r["correct"].is_null()));
}

#[tokio::test]
async fn a_moodle_short_answer_that_becomes_accent_insensitive_is_warned_about() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="shortanswer">
    <name><text>Ville</text></name>
    <questiontext format="html"><text>Dans quelle ville siège l’ONU en Suisse ?</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>Genève</text></answer>
    <answer fraction="100"><text>Geneva</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>Capitale</text></name>
    <questiontext format="html"><text>Capitale de la France ?</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>Paris</text></answer>
  </question>
</quiz>"#;
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/quizzes/import?format=moodlexml"))
        .bearer_auth(&token)
        .body(xml)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let warnings = body["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["title"], "Ville");
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(message.contains("ignoring accents too, which Moodle does not"), "{message}");
    assert!(message.contains("`Genève` also accepts `geneve`"), "{message}");
    assert_eq!(body["quiz"]["questions"][0]["accepted"], json!(["Genève", "Geneva"]));
}
