//! Live quizzes over real WebSockets: a trainer-paced session with 50
//! participants in both formats (one of them dropping mid-question and
//! resuming, its retried answer counted once), late answers, roles, and
//! quiz rooms refused when their quiz is broken.

use std::collections::BTreeMap;

use amphi_protocol::quiz::{AnswerValue, CloseReason, Distribution, QuizCommand, QuizEvent, QuizPhase};
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

fn geography() -> Value {
    json!({
        "title": "Géographie",
        "questions": [
            {
                "type": "single_choice",
                "prompt": "Quelle est la capitale de la France ?",
                "time_limit_s": 120,
                "explanation": "Paris est la capitale depuis 987.",
                "choices": [
                    { "id": "c1", "text": "Paris", "correct": true },
                    { "id": "c2", "text": "Lyon" }
                ]
            },
            {
                "type": "true_false",
                "prompt": "La Loire est le plus long fleuve de France.",
                "time_limit_s": 120,
                "answer": true
            }
        ]
    })
}

async fn create_quiz_room(server: &TestServer, token: &str, quiz: Value, settings: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Quiz", "kind": "quiz", "quiz": quiz, "settings": settings }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn quiz(client: &mut Client, room: &str, command: QuizCommand) -> ClientMessage {
    ClientMessage::Quiz { id: client.id(), room: room.into(), command }
}

/// The room's completions once `count` of them are stored (they are written
/// off the room, just after the end), or what is there after 5 s.
async fn stored_completions(server: &TestServer, room: &str, count: usize) -> Vec<amphi::store::CompletionRecord> {
    let room = uuid::Uuid::parse_str(room).unwrap();
    let mut completions = Vec::new();
    for _ in 0..50 {
        completions = server.app.store.completions("default", room).await.unwrap();
        if completions.len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    completions
}

fn answer(question: usize, choice: &str) -> QuizCommand {
    QuizCommand::Answer { question, answer: AnswerValue::Choice { choice: choice.into() }, confidence: None }
}

#[tokio::test]
async fn a_trainer_paced_session_with_50_participants() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let (status, room) = create_quiz_room(&server, &token, geography(), json!({})).await;
    assert_eq!(status, 201, "{room}");
    assert_eq!(room["kind"], "quiz");
    let (room_id, code) = (room_id(&room), join_code(&room));

    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(&room_id).await;
    assert!(matches!(snapshot.quiz.expect("a quiz snapshot").phase, QuizPhase::Lobby));

    let mut phones = Vec::new();
    let mut resume = Vec::new();
    for i in 0..50 {
        let format = if i % 2 == 0 { Format::Json } else { Format::MsgPack };
        let mut phone = server.connect(format).await;
        let (welcome, snapshot) = phone.hello_guest(&code, &format!("P{i}")).await;
        let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
        assert_eq!(snapshot.quiz.expect("participants see the quiz").question_count, 2);
        resume.push(resume_token);
        phones.push(phone);
    }

    let start = quiz(&mut trainer, &room_id, QuizCommand::Start);
    trainer.ok(start).await;
    for phone in &mut phones {
        match quiz_event(phone, |e| matches!(e, QuizEvent::QuestionOpened { .. })).await {
            QuizEvent::QuestionOpened { question, deadline_ms, .. } => {
                assert_eq!(question.index, 0);
                assert!(deadline_ms.is_some(), "every screen counts down to the server's deadline");
            }
            _ => unreachable!(),
        }
    }

    // A participant answers and loses the network before the ack.
    const DROPPER: usize = 7;
    let retried = ClientMessage::Quiz { id: "answer-7".into(), room: room_id.clone(), command: answer(0, "c2") };
    phones[DROPPER].send(&retried).await;
    let participant = phones[DROPPER].id();
    assert!(!participant.is_empty());

    // Everyone else answers: even participants right, odd ones wrong.
    for (i, phone) in phones.iter_mut().enumerate().filter(|(i, _)| *i != DROPPER) {
        let choice = if i % 2 == 0 { "c1" } else { "c2" };
        let command = quiz(phone, &room_id, answer(0, choice));
        phone.ok(command).await;
    }

    // The dropped phone comes back and retries with the same id.
    let mut back = server.connect(Format::MsgPack).await;
    back.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::Resume { token: resume[DROPPER].clone() },
        last_seq: BTreeMap::from([(room_id.clone(), 1)]),
    })
    .await;
    assert!(matches!(back.recv().await, ServerMessage::Welcome { .. }));
    match back.recv().await {
        ServerMessage::Joined { snapshot: Some(snapshot), .. } => {
            let quiz = snapshot.quiz.expect("quiz state on resume");
            assert!(quiz.current.is_some(), "the current question is there");
        }
        other => panic!("expected a snapshot, got {other:?}"),
    }
    back.ok(retried.clone()).await;
    back.ok(retried).await;
    phones[DROPPER] = back;

    // All 50 answered: the question closes by itself, for everyone.
    match quiz_event(&mut trainer, |e| matches!(e, QuizEvent::QuestionClosed { .. })).await {
        QuizEvent::QuestionClosed { reason, answered, .. } => {
            assert_eq!(reason, CloseReason::AllAnswered);
            assert_eq!(answered, 50, "the retried answer counted once");
        }
        _ => unreachable!(),
    }

    // A participant cannot drive the quiz.
    let reveal = quiz(&mut phones[0], &room_id, QuizCommand::Reveal);
    assert_eq!(phones[0].refused(reveal).await, ErrorCode::Forbidden);

    let reveal = quiz(&mut trainer, &room_id, QuizCommand::Reveal);
    trainer.ok(reveal).await;
    for phone in phones.iter_mut().step_by(10) {
        match quiz_event(phone, |e| matches!(e, QuizEvent::Revealed { .. })).await {
            QuizEvent::Revealed { stats, explanation, .. } => {
                assert_eq!(explanation.as_deref(), Some("Paris est la capitale depuis 987."));
                let Distribution::Choices { counts } = stats.distribution else { panic!("choices") };
                let count = |id: &str| counts.iter().find(|c| c.choice == id).map_or(0, |c| c.count);
                assert_eq!((count("c1"), count("c2")), (25, 25));
            }
            _ => unreachable!(),
        }
    }

    let leaderboard = quiz(&mut trainer, &room_id, QuizCommand::ShowLeaderboard);
    trainer.ok(leaderboard).await;
    match quiz_event(&mut phones[1], |e| matches!(e, QuizEvent::Leaderboard { .. })).await {
        QuizEvent::Leaderboard { entries } => {
            assert_eq!(entries[0].rank, 1);
            assert_eq!(entries[0].score, 1000, "a right answer is worth the question's points");
        }
        _ => unreachable!(),
    }

    let next = quiz(&mut trainer, &room_id, QuizCommand::Next);
    trainer.ok(next).await;
    quiz_event(&mut phones[2], |e| matches!(e, QuizEvent::QuestionOpened { question, .. } if question.index == 1))
        .await;
    let truth = QuizCommand::Answer { question: 1, answer: AnswerValue::Bool { value: true }, confidence: None };
    let command = quiz(&mut phones[2], &room_id, truth);
    phones[2].ok(command).await;
    let end = quiz(&mut trainer, &room_id, QuizCommand::End);
    trainer.ok(end).await;
    for phone in phones.iter_mut().step_by(7) {
        quiz_event(phone, |e| matches!(e, QuizEvent::Ended { .. })).await;
    }

    // Completions reach the course store, in Moodle's states.
    let completions = stored_completions(&server, &room_id, 50).await;
    assert_eq!(completions.len(), 50, "one completion per participant");
    assert!(completions.iter().all(|c| c.state == 1), "present at the end, half the questions answered: complete");
    assert!(completions.iter().all(|c| c.max_score == 2000));

    // The exports: one row per answer, names as the quiz shows them.
    let http = reqwest::Client::new();
    let csv = http
        .get(server.url(&format!("/api/v1/sessions/{room_id}/results.csv")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("participant,question,question_id,round,answer,correct,points"));
    assert_eq!(lines.len(), 1 + 50 + 1, "a header, 50 answers to the first question, one to the second");
    assert!(lines.iter().any(|l| l.starts_with("P7,") && l.contains(",Lyon,false,0,")), "the retried answer, once");
    assert_eq!(lines.iter().filter(|l| l.starts_with("P7,")).count(), 1);
    let json = server.get_json(&format!("/api/v1/sessions/{room_id}/results.json"), &token).await;
    assert_eq!(json["questions"][0]["answered"], 50);
    assert_eq!(json["questions"][0]["percent_correct"], 50.0);
    assert!(json["questions"][0]["median_response_ms"].is_u64());
    assert_eq!(json["rows"].as_array().unwrap().len(), 51);
    let participant = server.token(Role::Participant, "P0");
    let refused = http
        .get(server.url(&format!("/api/v1/sessions/{room_id}/results.csv")))
        .bearer_auth(&participant)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn an_anonymous_session_exports_no_names() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let (status, room) = create_quiz_room(&server, &token, geography(), json!({ "anonymity": "anonymous" })).await;
    assert_eq!(status, 201, "{room}");
    let room = room_id(&room);
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room).await;
    let code = join_code(&server.get_json(&format!("/api/v1/rooms/{room}"), &token).await);
    let mut phones = Vec::new();
    for name in ["Camille Martin", "Léa Dubois"] {
        let mut phone = server.connect(Format::Json).await;
        phone.hello_guest(&code, name).await;
        phones.push(phone);
    }
    let start = quiz(&mut trainer, &room, QuizCommand::Start);
    trainer.ok(start).await;
    for phone in &mut phones {
        quiz_event(phone, |e| matches!(e, QuizEvent::QuestionOpened { .. })).await;
        let command = quiz(phone, &room, answer(0, "c1"));
        phone.ok(command).await;
    }
    let end = quiz(&mut trainer, &room, QuizCommand::End);
    trainer.ok(end).await;
    let http = reqwest::Client::new();
    for export in ["results.csv", "results.json"] {
        let body = http
            .get(server.url(&format!("/api/v1/sessions/{room}/{export}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("Paris"), "{export} has the answers");
        for name in ["Camille", "Martin", "Léa", "Dubois"] {
            assert!(!body.contains(name), "{export} leaks {name}");
        }
    }
}

#[tokio::test]
async fn an_answer_after_the_deadline_is_refused_as_late() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let mut quick = geography();
    quick["questions"][0]["time_limit_s"] = json!(5);
    let (status, room) = create_quiz_room(&server, &token, quick, json!({ "late_grace_ms": 0 })).await;
    assert_eq!(status, 201, "{room}");
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id(&room)).await;
    let mut phone = server.connect(Format::MsgPack).await;
    phone.hello_guest(&join_code(&room), "Lent").await;
    let start = quiz(&mut trainer, &room_id(&room), QuizCommand::Start);
    trainer.ok(start).await;
    // The server closes the question at its deadline, by itself.
    match quiz_event(&mut phone, |e| matches!(e, QuizEvent::QuestionClosed { .. })).await {
        QuizEvent::QuestionClosed { reason, answered, .. } => {
            assert_eq!((reason, answered), (CloseReason::Deadline, 0));
        }
        _ => unreachable!(),
    }
    let late = quiz(&mut phone, &room_id(&room), answer(0, "c1"));
    assert_eq!(phone.refused(late).await, ErrorCode::AnswerLate);
}

#[tokio::test]
async fn quiz_commands_need_a_quiz_room_and_quiz_rooms_a_valid_quiz() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let lobby = server.create_room(&token, "Salle").await;
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id(&lobby)).await;
    let start = quiz(&mut trainer, &room_id(&lobby), QuizCommand::Start);
    assert_eq!(trainer.refused(start).await, ErrorCode::InvalidState);

    let no_right_answer = json!({ "title": "Q", "questions": [
        { "type": "single_choice", "prompt": "?", "choices": [{ "text": "a" }, { "text": "b" }] }
    ]});
    let (status, body) = create_quiz_room(&server, &token, no_right_answer, json!({})).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("out_of_range")), "{body}");
    let (status, body) = create_quiz_room(&server, &token, json!({ "title": "Q" }), json!({})).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")), "{body}");
    let (status, body) = create_quiz_room(&server, &token, geography(), json!({ "pass_mark": 2.0 })).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("out_of_range")), "{body}");
    let (status, body) = create_quiz_room(&server, &token, geography(), json!({ "anonymat": "anonymous" })).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")), "a typo in settings is refused: {body}");
}

#[tokio::test]
async fn a_re_vote_keeps_both_distributions() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let (_, room) = create_quiz_room(&server, &token, geography(), json!({})).await;
    let (room, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room).await;
    let mut phones = Vec::new();
    for name in ["Camille", "Léa"] {
        let mut phone = server.connect(Format::MsgPack).await;
        phone.hello_guest(&code, name).await;
        phones.push(phone);
    }
    let start = quiz(&mut trainer, &room, QuizCommand::Start);
    trainer.ok(start).await;
    // First vote: one right, one wrong.
    for (phone, choice) in phones.iter_mut().zip(["c1", "c2"]) {
        quiz_event(phone, |e| matches!(e, QuizEvent::QuestionOpened { round: 1, .. })).await;
        let command = quiz(phone, &room, answer(0, choice));
        phone.ok(command).await;
    }
    quiz_event(&mut trainer, |e| matches!(e, QuizEvent::QuestionClosed { .. })).await;
    // Re-vote after discussion: both right.
    let reopen = quiz(&mut trainer, &room, QuizCommand::Reopen);
    trainer.ok(reopen).await;
    for phone in &mut phones {
        quiz_event(phone, |e| matches!(e, QuizEvent::QuestionOpened { round: 2, .. })).await;
        let command = quiz(phone, &room, answer(0, "c1"));
        phone.ok(command).await;
    }
    let reveal = quiz(&mut trainer, &room, QuizCommand::Reveal);
    trainer.ok(reveal).await;
    let count = |stats: &amphi_protocol::quiz::QuestionStats, id: &str| match &stats.distribution {
        Distribution::Choices { counts } => counts.iter().find(|c| c.choice == id).map_or(0, |c| c.count),
        other => panic!("{other:?}"),
    };
    match quiz_event(&mut phones[1], |e| matches!(e, QuizEvent::Revealed { .. })).await {
        QuizEvent::Revealed { stats, previous, .. } => {
            let previous = previous.expect("the first vote, side by side");
            assert_eq!((count(&previous, "c1"), count(&previous, "c2")), (1, 1));
            assert_eq!((count(&stats, "c1"), count(&stats, "c2")), (2, 0));
            assert_eq!((previous.round, stats.round), (1, 2));
        }
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_self_paced_participant_leaves_and_continues_where_they_were() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let (status, room) = create_quiz_room(&server, &token, geography(), json!({ "mode": "self_paced" })).await;
    assert_eq!(status, 201, "{room}");
    let (room, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room).await;
    let mut phone = server.connect(Format::Json).await;
    let (welcome, _) = phone.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    let start = quiz(&mut trainer, &room, QuizCommand::Start);
    trainer.ok(start).await;

    // At her own pace: the first question, then on to the second, then away.
    quiz_event(&mut phone, |e| matches!(e, QuizEvent::QuestionOpened { question, .. } if question.index == 0)).await;
    let first = quiz(&mut phone, &room, answer(0, "c1"));
    phone.ok(first).await;
    let next = quiz(&mut phone, &room, QuizCommand::NextQuestion);
    phone.ok(next).await;
    drop(phone);

    // The trainer's progress grid shows her first answer.
    let progress = quiz_event(&mut trainer, |e| {
        matches!(e, QuizEvent::Progress { progress } if progress.questions.first().is_some_and(|q| q.answered == 1))
    })
    .await;
    let QuizEvent::Progress { progress } = progress else { unreachable!() };
    assert_eq!(progress.rows.len(), 1);

    // Later, on another connection: exactly where she was.
    let mut phone = server.connect(Format::MsgPack).await;
    phone
        .send(&ClientMessage::Hello {
            v: 1,
            auth: Auth::Resume { token: resume_token },
            last_seq: BTreeMap::from([(room.clone(), 1)]),
        })
        .await;
    assert!(matches!(phone.recv().await, ServerMessage::Welcome { .. }));
    let snapshot = match phone.recv().await {
        ServerMessage::Joined { snapshot: Some(snapshot), .. } => snapshot.quiz.expect("the quiz"),
        other => panic!("expected a snapshot, got {other:?}"),
    };
    let current = snapshot.current.expect("her current question");
    assert_eq!(current.question.index, 1, "she continues with the second question");
    let truth = QuizCommand::Answer { question: 1, answer: AnswerValue::Bool { value: true }, confidence: None };
    let second = quiz(&mut phone, &room, truth);
    phone.ok(second).await;
    let end = quiz(&mut trainer, &room, QuizCommand::End);
    trainer.ok(end).await;
    let completions = stored_completions(&server, &room, 1).await;
    assert_eq!(completions.len(), 1);
    let results = server.get_json(&format!("/api/v1/sessions/{room}/results.json"), &token).await;
    assert_eq!(completions[0].state, 1, "every question answered: complete: {completions:?} {results}");
}

#[tokio::test]
async fn a_removed_participant_is_told_closed_with_4011_and_kept_out() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let (_, room) = create_quiz_room(&server, &token, geography(), json!({})).await;
    let (room, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room).await;
    let mut phone = server.connect(Format::MsgPack).await;
    let (welcome, _) = phone.hello_guest(&code, "Perturbateur").await;
    let ServerMessage::Welcome { member, resume_token, .. } = welcome else { unreachable!() };

    let remove = quiz(&mut trainer, &room, QuizCommand::RemoveParticipant { member: member.id.clone() });
    trainer.ok(remove).await;
    match quiz_event(&mut phone, |e| matches!(e, QuizEvent::ParticipantRemoved { .. })).await {
        QuizEvent::ParticipantRemoved { member: removed } => assert_eq!(removed, member.id),
        _ => unreachable!(),
    }
    assert_eq!(phone.closed().await, Some(4011), "removed: do not reconnect");

    // Coming back with the resume token does not get them in again.
    let mut again = server.connect(Format::Json).await;
    again
        .send(&ClientMessage::Hello {
            v: 1,
            auth: Auth::Resume { token: resume_token },
            last_seq: BTreeMap::from([(room.clone(), 1)]),
        })
        .await;
    assert!(matches!(again.recv().await, ServerMessage::Welcome { .. }));
    match again.recv().await {
        ServerMessage::Error { code, room: Some(refused), .. } => {
            assert_eq!((code, refused), (ErrorCode::Forbidden, room.clone()));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_leaders_command_retried_long_after_is_acknowledged_not_applied_again() {
    let server = TestServer::start_with(|config| config.limits.command_burst = 1000).await;
    let token = server.token(Role::Trainer, "Mme Martin");
    let (status, room) = create_quiz_room(&server, &token, geography(), json!({})).await;
    assert_eq!(status, 201);
    let room_id = room["id"].as_str().unwrap().to_string();
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let message = quiz(&mut trainer, &room_id, QuizCommand::Start);
    trainer.ok(message).await;
    let message = quiz(&mut trainer, &room_id, QuizCommand::CloseQuestion);
    trainer.ok(message).await;
    let next = ClientMessage::Quiz { id: "next-1".into(), room: room_id.clone(), command: QuizCommand::Next };
    trainer.ok(next.clone()).await;
    // Many more commands than the recent results kept (64).
    for i in 0..100 {
        let message = ClientMessage::Announce { id: trainer.id(), room: room_id.clone(), text: format!("Note {i}") };
        trainer.ok(message).await;
    }
    // The retry is answered as the original was; question 2 stays open.
    let seen = trainer.ok(next).await;
    assert!(
        !seen
            .iter()
            .any(|m| matches!(m, ServerMessage::Event { event: amphi_protocol::server::EventBody::Quiz { .. }, .. })),
        "the retried next changed the quiz: {seen:?}"
    );
    let message = quiz(&mut trainer, &room_id, QuizCommand::Next);
    assert_eq!(trainer.refused(message).await, ErrorCode::InvalidState, "question 2 is still open");
}
