//! Quiz session tests: every transition of both modes with time passed in.

use amphi_protocol::quiz::*;
use amphi_protocol::{ErrorCode, Role};

use super::*;

const T0: Millis = 1_000_000;

fn quiz() -> Quiz {
    serde_json::from_value(serde_json::json!({
        "title": "Didactique",
        "questions": [
            {"id": "q1", "prompt": "Capitale ?", "time_limit_s": 20, "points": 1000,
             "explanation": "Paris depuis longtemps.",
             "type": "single_choice", "choices": [
                {"id": "c1", "text": "Paris", "correct": true, "feedback": "Oui"},
                {"id": "c2", "text": "Lyon"},
                {"id": "c3", "text": "Lille"}]},
            {"id": "q2", "prompt": "Vrai ?", "time_limit_s": 10, "points": 1000,
             "type": "true_false", "answer": true},
            {"id": "q3", "prompt": "Mots", "type": "word_cloud", "max_words": 2},
            {"id": "q4", "prompt": "Ordre", "points": 1000, "type": "ordering",
             "items": ["a", "b", "c"]}
        ]
    }))
    .unwrap()
}

fn trainer() -> Actor<'static> {
    Actor { id: "t1", name: "Mme Durand", role: Role::Trainer }
}
fn projector() -> Actor<'static> {
    Actor { id: "o1", name: "Projecteur", role: Role::Observer }
}
fn camille() -> Actor<'static> {
    Actor { id: "p1", name: "Camille", role: Role::Participant }
}
fn lea() -> Actor<'static> {
    Actor { id: "p2", name: "Léa", role: Role::Participant }
}
fn hugo() -> Actor<'static> {
    Actor { id: "p3", name: "Hugo", role: Role::Participant }
}

fn session(settings: QuizSettings, actors: &[Actor<'_>]) -> QuizSession {
    let mut s = QuizSession::new(quiz(), settings, 42);
    for a in actors {
        s.join(*a, T0).unwrap();
    }
    s
}

fn trainer_paced() -> QuizSession {
    session(QuizSettings::default(), &[trainer(), camille(), lea()])
}

fn choice(id: &str) -> AnswerValue {
    AnswerValue::Choice { choice: id.into() }
}

fn answer(q: usize, value: AnswerValue) -> QuizCommand {
    QuizCommand::Answer { question: q, answer: value, confidence: None }
}

fn cmd(s: &mut QuizSession, c: QuizCommand, now: Millis) -> Vec<QuizEmit> {
    s.apply(trainer(), c, now).unwrap()
}

fn code(r: Result<Vec<QuizEmit>, Refusal>) -> ErrorCode {
    r.expect_err("refused").code
}

fn kinds(emits: &[QuizEmit]) -> Vec<String> {
    emits.iter().map(|e| serde_json::to_value(&e.event).unwrap()["kind"].as_str().unwrap().to_string()).collect()
}

fn find<'a>(emits: &'a [QuizEmit], kind: &str) -> &'a QuizEmit {
    emits
        .iter()
        .find(|e| serde_json::to_value(&e.event).unwrap()["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(emits)))
}

fn phase(s: &QuizSession) -> QuizPhase {
    s.snapshot(trainer()).phase
}

#[test]
fn trainer_paced_full_cycle() {
    let mut s = trainer_paced();
    assert_eq!(s.next_deadline(), None, "nothing pending in the lobby");
    let emits = cmd(&mut s, QuizCommand::Start, T0);
    let QuizEvent::QuestionOpened { question, deadline_ms, round, .. } = &emits[0].event else { panic!("{emits:?}") };
    assert_eq!(emits[0].audience, Audience::Everyone);
    assert_eq!((question.index, *round, *deadline_ms), (0, 1, Some(T0 + 20_000)));
    let json = serde_json::to_string(&emits[0].event).unwrap();
    assert!(!json.contains("correct") && !json.contains("Oui"), "no answer while open: {json}");
    assert_eq!(phase(&s), QuizPhase::Open { index: 0 });

    let emits = s.apply(camille(), answer(0, choice("c1")), T0 + 2_000).unwrap();
    assert_eq!(emits.len(), 1);
    assert_eq!(emits[0].audience, Audience::Member("p1".into()));
    assert!(matches!(&emits[0].event, QuizEvent::AnswerAccepted { result: None, .. }));

    // The close is due at deadline + grace; the aggregate right away.
    assert_eq!(s.next_deadline(), Some(0));
    let agg = s.tick(T0 + 2_000);
    assert_eq!(kinds(&agg), ["aggregate"]);
    assert_eq!(agg[0].audience, Audience::RosterViewers);
    assert_eq!(s.next_deadline(), Some(T0 + 21_500));
    assert!(s.tick(T0 + 21_499).is_empty());
    let emits = s.tick(T0 + 21_500);
    assert_eq!(kinds(&emits)[0], "question_closed");
    assert!(matches!(emits[0].event, QuizEvent::QuestionClosed { reason: CloseReason::Deadline, answered: 1, .. }));
    assert_eq!(phase(&s), QuizPhase::Closed { index: 0 });

    let emits = cmd(&mut s, QuizCommand::Reveal, T0 + 22_000);
    let QuizEvent::Revealed { correct, explanation, stats, previous, .. } = &emits[0].event else { panic!() };
    assert_eq!(correct, &CorrectAnswer::Choices { choices: vec!["c1".into()] });
    assert_eq!(explanation.as_deref(), Some("Paris depuis longtemps."));
    assert_eq!(stats.answered, 1);
    assert!(previous.is_none());
    // One private score per participant.
    let scores: Vec<_> = emits[1..]
        .iter()
        .map(|e| match (&e.audience, &e.event) {
            (Audience::Member(m), QuizEvent::YourScore { score, results }) => {
                (m.clone(), score.score, score.rank, results.len())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(scores, [("p1".into(), 1000, 1, 1), ("p2".into(), 0, 2, 0)]);

    let emits = cmd(&mut s, QuizCommand::ShowLeaderboard, T0 + 23_000);
    let QuizEvent::Leaderboard { entries } = &emits[0].event else { panic!() };
    assert_eq!(entries[0].name.as_deref(), Some("Camille"));
    assert_eq!(phase(&s), QuizPhase::Leaderboard { index: 0 });

    let emits = cmd(&mut s, QuizCommand::Next, T0 + 30_000);
    assert!(matches!(&emits[0].event, QuizEvent::QuestionOpened { question, .. } if question.index == 1));
    cmd(&mut s, QuizCommand::CloseQuestion, T0 + 31_000);
    cmd(&mut s, QuizCommand::Next, T0 + 32_000);
    assert_eq!(phase(&s), QuizPhase::Open { index: 2 });
    assert_eq!(
        s.next_deadline(),
        Some(T0 + 21_700),
        "no time limit: only the pending aggregate (200 ms after the last)"
    );
    s.tick(T0 + 32_000);
    assert_eq!(s.next_deadline(), None);
    cmd(&mut s, QuizCommand::CloseQuestion, T0 + 33_000);
    cmd(&mut s, QuizCommand::Next, T0 + 34_000);
    cmd(&mut s, QuizCommand::Reveal, T0 + 35_000);
    let emits = cmd(&mut s, QuizCommand::Next, T0 + 36_000);
    assert_eq!(kinds(&emits)[0], "ended", "next after the last question ends");
    assert_eq!(phase(&s), QuizPhase::Ended);
    assert!(s.is_ended());
    assert_eq!(code(s.apply(trainer(), QuizCommand::Start, T0)), ErrorCode::InvalidState);
    let snap = s.snapshot(camille());
    assert_eq!(snap.summary.unwrap().questions.len(), 4);
    assert_eq!(snap.your_score.unwrap().score, 1000);
}

#[test]
fn invalid_trainer_transitions_are_refused_with_codes() {
    let mut s = trainer_paced();
    use QuizCommand::*;
    for c in [CloseQuestion, Reveal, ShowLeaderboard, Skip, Reopen, Extend { seconds: 5 }] {
        assert_eq!(code(s.apply(trainer(), c.clone(), T0)), ErrorCode::InvalidState, "{c:?}");
    }
    assert_eq!(code(s.apply(trainer(), OpenWindow { opens_at: None, closes_at: None }, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(camille(), NextQuestion, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(camille(), answer(0, choice("c1")), T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(trainer(), OpenQuestion { index: Some(9) }, T0)), ErrorCode::OutOfRange);
    cmd(&mut s, OpenQuestion { index: Some(1) }, T0);
    assert_eq!(code(s.apply(trainer(), Start, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(trainer(), Next, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(trainer(), OpenQuestion { index: None }, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(trainer(), ShowLeaderboard, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(trainer(), Reopen, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(trainer(), Extend { seconds: 0 }, T0)), ErrorCode::OutOfRange);
    assert_eq!(code(s.apply(trainer(), Extend { seconds: 3601 }, T0)), ErrorCode::OutOfRange);
    assert_eq!(code(s.apply(camille(), answer(0, choice("c1")), T0)), ErrorCode::InvalidState, "not the open question");
    assert_eq!(code(s.apply(camille(), answer(7, choice("c1")), T0)), ErrorCode::OutOfRange);
    cmd(&mut s, CloseQuestion, T0 + 1);
    assert_eq!(code(s.apply(trainer(), CloseQuestion, T0)), ErrorCode::InvalidState);
    assert_eq!(
        code(s.apply(trainer(), OpenQuestion { index: Some(1) }, T0)),
        ErrorCode::InvalidState,
        "asked questions are reopened, not opened"
    );
    cmd(&mut s, Reveal, T0 + 2);
    assert_eq!(code(s.apply(trainer(), Reveal, T0)), ErrorCode::InvalidState);
    assert_eq!(code(s.apply(trainer(), Skip, T0)), ErrorCode::InvalidState);
    // Any other question may be opened from a revealed one.
    cmd(&mut s, OpenQuestion { index: Some(0) }, T0 + 3);
    assert_eq!(phase(&s), QuizPhase::Open { index: 0 });
    assert_eq!(code(s.apply(trainer(), RemoveParticipant { member: "zz".into() }, T0)), ErrorCode::NotFound);
    cmd(&mut s, End, T0 + 4);
    for c in [Start, End, Next, Reveal] {
        assert_eq!(code(s.apply(trainer(), c, T0)), ErrorCode::InvalidState);
    }
}

#[test]
fn roles_are_enforced() {
    let mut s = trainer_paced();
    assert_eq!(code(s.apply(camille(), QuizCommand::Start, T0)), ErrorCode::Forbidden);
    assert_eq!(code(s.apply(projector(), QuizCommand::Start, T0)), ErrorCode::Forbidden);
    cmd(&mut s, QuizCommand::Start, T0);
    assert_eq!(code(s.apply(trainer(), answer(0, choice("c1")), T0)), ErrorCode::Forbidden);
    assert_eq!(code(s.apply(projector(), answer(0, choice("c1")), T0)), ErrorCode::Forbidden);
    assert_eq!(code(s.apply(camille(), QuizCommand::CloseQuestion, T0)), ErrorCode::Forbidden);
    let admin = Actor { id: "a", name: "A", role: Role::Admin };
    assert!(s.apply(admin, QuizCommand::CloseQuestion, T0).is_ok());
    let stranger = Actor { id: "p9", name: "X", role: Role::Participant };
    cmd(&mut s, QuizCommand::Reopen, T0);
    assert_eq!(
        code(s.apply(stranger, answer(0, choice("c1")), T0)),
        ErrorCode::InvalidState,
        "a participant who never joined"
    );
}

#[test]
fn late_answers_are_refused_and_the_grace_period_accepts() {
    let mut s = session(QuizSettings::default(), &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    let deadline = T0 + 20_000;
    assert!(s.apply(camille(), answer(0, choice("c1")), deadline).is_ok());
    assert!(s.apply(lea(), answer(0, choice("c2")), deadline + 1_500).is_ok(), "within grace");
    let late = s.apply(hugo(), answer(0, choice("c1")), deadline + 1_501).unwrap_err();
    assert_eq!(late.code, ErrorCode::AnswerLate);
    assert!(late.message.contains("question closed"), "{}", late.message);
    // After the tick closed it, also refused.
    s.tick(deadline + 1_600);
    assert_eq!(code(s.apply(hugo(), answer(0, choice("c1")), deadline + 1_600)), ErrorCode::AnswerLate);
}

#[test]
fn extend_moves_the_deadline() {
    let mut s = trainer_paced();
    cmd(&mut s, QuizCommand::Start, T0);
    let emits = cmd(&mut s, QuizCommand::Extend { seconds: 10 }, T0 + 5_000);
    assert_eq!(emits[0].event, QuizEvent::DeadlineExtended { index: 0, deadline_ms: T0 + 30_000 });
    s.tick(T0);
    assert_eq!(s.next_deadline(), Some(T0 + 31_500));
    // A question without a limit gets one from now.
    cmd(&mut s, QuizCommand::CloseQuestion, T0 + 6_000);
    cmd(&mut s, QuizCommand::OpenQuestion { index: Some(2) }, T0 + 7_000);
    let emits = cmd(&mut s, QuizCommand::Extend { seconds: 30 }, T0 + 8_000);
    assert_eq!(emits[0].event, QuizEvent::DeadlineExtended { index: 2, deadline_ms: T0 + 38_000 });
    assert_eq!(s.snapshot(camille()).current.unwrap().deadline_ms, Some(T0 + 38_000));
}

#[test]
fn answers_change_only_when_allowed() {
    let mut s = trainer_paced();
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c2")), T0 + 1).unwrap();
    let again = s.apply(camille(), answer(0, choice("c1")), T0 + 2).unwrap_err();
    assert_eq!(again.code, ErrorCode::InvalidState);

    let settings = QuizSettings { allow_change: true, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille(), lea()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c2")), T0 + 1).unwrap();
    s.apply(camille(), answer(0, choice("c1")), T0 + 2).unwrap();
    let snap = s.snapshot(camille());
    assert_eq!(snap.your_answer.unwrap().answer, choice("c1"));
    cmd(&mut s, QuizCommand::Reveal, T0 + 3);
    assert_eq!(s.snapshot(camille()).your_score.unwrap().score, 1000);
}

#[test]
fn invalid_answers_carry_the_scoring_codes() {
    let settings = QuizSettings { confidence: true, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille()]);
    cmd(&mut s, QuizCommand::Start, T0);
    let wrong_type = s.apply(camille(), answer(0, AnswerValue::Bool { value: true }), T0).unwrap_err();
    assert_eq!(wrong_type.code, ErrorCode::InvalidField);
    assert_eq!(code(s.apply(camille(), answer(0, choice("zz")), T0)), ErrorCode::InvalidField);
    let bad_confidence = QuizCommand::Answer { question: 0, answer: choice("c1"), confidence: Some(4) };
    assert_eq!(code(s.apply(camille(), bad_confidence, T0)), ErrorCode::OutOfRange);
    let zero = QuizCommand::Answer { question: 0, answer: choice("c1"), confidence: Some(0) };
    assert_eq!(code(s.apply(camille(), zero, T0)), ErrorCode::OutOfRange);
    // A refused answer does not count as answered.
    assert!(s.apply(camille(), answer(0, choice("c1")), T0).is_ok());
}

#[test]
fn closes_when_everyone_connected_answered_unless_disabled() {
    let mut s = session(QuizSettings::default(), &[trainer(), projector(), camille(), lea(), hugo()]);
    s.detach("p3", T0); // Hugo went away longer than the grace ago: not waited for.
    let opened = T0 + 30_000;
    cmd(&mut s, QuizCommand::Start, opened);
    assert_eq!(s.apply(camille(), answer(0, choice("c1")), opened + 1).unwrap().len(), 1);
    let emits = s.apply(lea(), answer(0, choice("c3")), opened + 2).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted", "question_closed"]);
    assert!(matches!(emits[1].event, QuizEvent::QuestionClosed { reason: CloseReason::AllAnswered, answered: 2, .. }));

    let settings = QuizSettings { close_when_all_answered: false, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille()]);
    cmd(&mut s, QuizCommand::Start, T0);
    assert_eq!(s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap().len(), 1);
    assert_eq!(phase(&s), QuizPhase::Open { index: 0 });
}

#[test]
fn a_participant_who_lost_the_network_is_waited_for_during_the_grace() {
    let mut s = session(QuizSettings::default(), &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.detach("p3", T0 + 1_000); // Hugo's phone loses the network.
    s.apply(camille(), answer(0, choice("c1")), T0 + 2_000).unwrap();
    let emits = s.apply(lea(), answer(0, choice("c2")), T0 + 3_000).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted"], "Hugo is still expected");
    assert!(kinds(&s.tick(T0 + 5_000)).iter().all(|k| k != "question_closed"));
    assert_eq!(phase(&s), QuizPhase::Open { index: 0 });
    // Ten seconds later he is back with his queued answer: taken, and the
    // question closes on it.
    s.join(hugo(), T0 + 11_000).unwrap();
    let emits = s.apply(hugo(), answer(0, choice("c1")), T0 + 11_001).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted", "question_closed"]);
    assert!(matches!(emits[1].event, QuizEvent::QuestionClosed { reason: CloseReason::AllAnswered, answered: 3, .. }));
}

#[test]
fn a_participant_who_left_the_room_is_not_waited_for() {
    let mut s = session(QuizSettings::default(), &[trainer(), camille(), lea(), hugo()]);
    // Hugo leaves before the start: not expected on the question.
    s.leave("p3", T0 - 1_000);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap();
    // Léa leaves while it is open: the last answer closes it at once.
    s.leave("p2", T0 + 2);
    let emits = s.tick(T0 + 2);
    let closed = find(&emits, "question_closed");
    assert!(matches!(closed.event, QuizEvent::QuestionClosed { reason: CloseReason::AllAnswered, answered: 1, .. }));

    // Back in the room, a participant who left is waited for again.
    let mut s = session(QuizSettings::default(), &[trainer(), camille(), lea()]);
    s.leave("p2", T0 - 1_000);
    s.join(lea(), T0 - 500).unwrap();
    cmd(&mut s, QuizCommand::Start, T0);
    let emits = s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted"], "Léa is expected");
}

#[test]
fn a_participant_away_longer_than_the_grace_is_no_longer_waited_for() {
    let settings = QuizSettings { reconnect_grace_ms: 5_000, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap();
    s.detach("p3", T0 + 1_000);
    s.apply(lea(), answer(0, choice("c2")), T0 + 2_000).unwrap();
    s.tick(T0 + 2_000); // the live figures
    // The grace running out is a deadline (before the question's own).
    assert_eq!(s.next_deadline(), Some(T0 + 6_000));
    s.tick(T0 + 5_999);
    assert_eq!(phase(&s), QuizPhase::Open { index: 0 });
    let emits = s.tick(T0 + 6_000);
    let closed = find(&emits, "question_closed");
    assert!(matches!(closed.event, QuizEvent::QuestionClosed { reason: CloseReason::AllAnswered, answered: 2, .. }));
    assert_eq!(s.next_deadline(), None, "nothing left to wait for");

    // With no grace, a departure is at once not waited for.
    let settings = QuizSettings { reconnect_grace_ms: 0, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille(), lea()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap();
    s.tick(T0 + 1);
    s.detach("p2", T0 + 2);
    assert_eq!(s.next_deadline(), Some(T0 + 2));
    assert_eq!(kinds(&s.tick(T0 + 2)), ["question_closed"]);
}

#[test]
fn a_participant_away_at_the_opening_within_the_grace_is_expected() {
    let settings = QuizSettings { reconnect_grace_ms: 5_000, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille(), lea()]);
    s.detach("p2", T0 + 1_000);
    cmd(&mut s, QuizCommand::Start, T0 + 2_000);
    let emits = s.apply(camille(), answer(0, choice("c1")), T0 + 3_000).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted"], "Léa left 1 s before the opening: expected");
    s.tick(T0 + 3_000);
    assert_eq!(s.next_deadline(), Some(T0 + 6_000));
    let emits = s.tick(T0 + 6_000);
    assert_eq!(
        find(&emits, "question_closed").event,
        QuizEvent::QuestionClosed { index: 0, reason: CloseReason::AllAnswered, answered: 1 }
    );
}

#[test]
fn nothing_closes_early_during_a_rebuild_grace() {
    let settings = QuizSettings { reconnect_grace_ms: 10_000, ..QuizSettings::default() };
    let mut s = session(settings.clone(), &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 1_000).unwrap();
    // The node crashed; the room is rebuilt with nobody connected.
    let rebuilt = T0 + 5_000;
    s.disconnect_all(rebuilt);
    // The first phone back answers: the others are still expected.
    s.join(lea(), rebuilt + 100).unwrap();
    let emits = s.apply(lea(), answer(0, choice("c2")), rebuilt + 200).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted"]);
    // Everyone is back and has answered: still open, the grace is running.
    s.join(camille(), rebuilt + 300).unwrap();
    s.join(hugo(), rebuilt + 400).unwrap();
    let emits = s.apply(hugo(), answer(0, choice("c2")), rebuilt + 500).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted"], "never closed during a rebuild's grace");
    s.tick(rebuilt + 500);
    assert_eq!(s.next_deadline(), Some(rebuilt + 10_000));
    s.tick(rebuilt + 9_999);
    assert_eq!(phase(&s), QuizPhase::Open { index: 0 });
    let emits = s.tick(rebuilt + 10_000);
    assert!(matches!(
        find(&emits, "question_closed").event,
        QuizEvent::QuestionClosed { reason: CloseReason::AllAnswered, answered: 3, .. }
    ));

    // After the grace, a participant who never came back is not waited for.
    let mut s = session(settings, &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.disconnect_all(rebuilt);
    s.join(lea(), rebuilt + 100).unwrap();
    s.join(camille(), rebuilt + 100).unwrap();
    s.apply(lea(), answer(0, choice("c2")), rebuilt + 200).unwrap();
    s.apply(camille(), answer(0, choice("c2")), rebuilt + 300).unwrap();
    assert_eq!(phase(&s), QuizPhase::Open { index: 0 });
    s.tick(rebuilt + 300);
    assert_eq!(s.next_deadline(), Some(rebuilt + 10_000));
    let emits = s.tick(rebuilt + 10_000);
    assert!(matches!(
        find(&emits, "question_closed").event,
        QuizEvent::QuestionClosed { reason: CloseReason::AllAnswered, answered: 2, .. }
    ));
}

#[test]
fn the_reconnect_grace_is_bounded() {
    let mut definition = QuizDefinition { quiz: quiz(), settings: QuizSettings::default() };
    assert_eq!(definition.settings.reconnect_grace_ms, 30_000, "the default");
    definition.settings.reconnect_grace_ms = MAX_RECONNECT_GRACE_MS;
    assert!(definition.validate_settings().is_ok());
    definition.settings.reconnect_grace_ms = MAX_RECONNECT_GRACE_MS + 1;
    assert!(definition.validate_settings().unwrap_err().contains("reconnect_grace_ms"));
}

#[test]
fn a_revote_keeps_both_distributions() {
    let mut s = session(QuizSettings::default(), &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c2")), T0 + 1).unwrap();
    s.apply(lea(), answer(0, choice("c2")), T0 + 2).unwrap();
    cmd(&mut s, QuizCommand::Reveal, T0 + 3);
    let emits = cmd(&mut s, QuizCommand::Reopen, T0 + 10_000);
    let QuizEvent::QuestionOpened { round, deadline_ms, .. } = &emits[0].event else { panic!() };
    assert_eq!((*round, *deadline_ms), (2, Some(T0 + 30_000)));
    assert!(s.snapshot(camille()).your_answer.is_none(), "a fresh vote");
    s.apply(camille(), answer(0, choice("c1")), T0 + 10_001).unwrap();
    s.apply(hugo(), answer(0, choice("c1")), T0 + 10_002).unwrap();
    let emits = cmd(&mut s, QuizCommand::Reveal, T0 + 10_003);
    assert_eq!(kinds(&emits)[..2], ["question_closed", "revealed"], "reveal closes first");
    let revealed = &find(&emits, "revealed").event;
    let QuizEvent::Revealed { stats, previous, .. } = revealed else { panic!() };
    let counts = |d: &Distribution| match d {
        Distribution::Choices { counts } => counts.iter().map(|c| c.count).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!((stats.round, counts(&stats.distribution)), (2, vec![2, 0, 0]));
    let previous = previous.as_ref().expect("first vote kept");
    assert_eq!((previous.round, counts(&previous.distribution)), (1, vec![0, 2, 0]));
    // Scores use each participant's last vote: Léa keeps her first (wrong) one.
    let scores = s.score_views();
    assert_eq!((scores["p1"].score, scores["p2"].score, scores["p3"].score), (1000, 0, 1000));
    // The snapshot of a late joiner shows the same reveal.
    assert_eq!(s.snapshot(projector()).revealed.as_ref(), Some(revealed));
    assert_eq!(s.results().iter().filter(|r| r.question == 0).count(), 4, "both rounds exported");
}

#[test]
fn skip_drops_the_question_and_moves_on() {
    let mut s = trainer_paced();
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap();
    let emits = cmd(&mut s, QuizCommand::Skip, T0 + 2);
    assert_eq!(kinds(&emits), ["question_closed", "question_opened"]);
    assert!(matches!(emits[0].event, QuizEvent::QuestionClosed { reason: CloseReason::Skipped, .. }));
    assert_eq!(phase(&s), QuizPhase::Open { index: 1 });
    assert_eq!(s.score_views()["p1"].score, 0, "a skipped question earns nothing");
    // A skipped question may be opened again later (fresh).
    cmd(&mut s, QuizCommand::CloseQuestion, T0 + 3);
    cmd(&mut s, QuizCommand::OpenQuestion { index: Some(0) }, T0 + 4);
    assert!(s.apply(camille(), answer(0, choice("c1")), T0 + 5).is_ok());
    // Skipping the last unasked question ends the quiz.
    let mut s = trainer_paced();
    cmd(&mut s, QuizCommand::OpenQuestion { index: Some(3) }, T0);
    for _ in 0..3 {
        cmd(&mut s, QuizCommand::Skip, T0 + 1);
    }
    let emits = cmd(&mut s, QuizCommand::Skip, T0 + 2);
    assert_eq!(kinds(&emits), ["question_closed", "ended", "your_score", "your_score"]);
}

#[test]
fn removed_participants_lose_their_answers_and_cannot_come_back() {
    let mut s = session(QuizSettings::default(), &[trainer(), camille(), lea()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap();
    let emits = cmd(&mut s, QuizCommand::RemoveParticipant { member: "p2".into() }, T0 + 2);
    assert_eq!(emits[0].audience, Audience::Member("p2".into()));
    assert_eq!(emits[1].audience, Audience::RosterViewers);
    assert_eq!(kinds(&emits)[2], "question_closed", "everyone left has answered");
    assert_eq!(code(s.apply(lea(), answer(0, choice("c1")), T0 + 3)), ErrorCode::Forbidden);
    assert_eq!(s.join(lea(), T0 + 4).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(
        code(s.apply(trainer(), QuizCommand::RemoveParticipant { member: "p2".into() }, T0)),
        ErrorCode::NotFound
    );
    assert_eq!(s.completions().len(), 1);
    let snap = s.snapshot(lea());
    assert!(snap.your_score.is_none());
}

#[test]
fn late_joiners_get_the_exact_state_without_the_answer() {
    let mut s = trainer_paced();
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c2")), T0 + 1).unwrap();
    s.join(hugo(), T0 + 5).unwrap();
    let snap = s.snapshot(hugo());
    assert_eq!(snap.phase, QuizPhase::Open { index: 0 });
    let current = snap.current.unwrap();
    assert_eq!((current.question.index, current.deadline_ms), (0, Some(T0 + 20_000)));
    assert!(snap.your_answer.is_none() && snap.revealed.is_none() && snap.stats.is_empty());
    let json = serde_json::to_string(&s.snapshot(camille())).unwrap();
    assert!(!json.contains("\"correct\""), "{json}");
    let mine = s.snapshot(camille());
    assert_eq!(mine.your_answer.unwrap().answer, choice("c2"));
    assert_eq!(mine.your_score.unwrap().participants, 3);
    let board = s.snapshot(projector());
    assert_eq!(board.stats.len(), 1);
    assert!(board.your_score.is_none());
    cmd(&mut s, QuizCommand::Reveal, T0 + 6);
    let after = s.snapshot(camille());
    let result = after.your_answer.unwrap().result.unwrap();
    assert_eq!((result.correct, result.points), (Some(false), 0));
    assert_eq!(after.your_score.unwrap().rank, 1, "all tied at 0");
}

#[test]
fn aggregates_are_coalesced_to_one_per_period() {
    let mut s = session(
        QuizSettings { close_when_all_answered: false, ..QuizSettings::default() },
        &[trainer(), camille(), lea(), hugo()],
    );
    cmd(&mut s, QuizCommand::Start, T0);
    assert_eq!(kinds(&s.tick(T0)), ["aggregate"]);
    let mut sent = Vec::new();
    for (i, who) in [camille(), lea(), hugo()].into_iter().enumerate() {
        let now = T0 + 10 + 50 * i as u64;
        s.apply(who, answer(0, choice("c1")), now).unwrap();
        let emits = s.tick(now);
        sent.extend(emits.into_iter().map(|e| (now, e)));
    }
    assert!(sent.is_empty(), "within 200 ms of the last flush");
    assert_eq!(s.next_deadline(), Some(T0 + 200));
    let emits = s.flush(T0 + 200);
    assert_eq!(emits.len(), 1);
    let QuizEvent::Aggregate { questions, connected } = &emits[0].event else { panic!() };
    assert_eq!((questions[0].answered, *connected), (3, 3));
    assert!(s.flush(T0 + 1_000).is_empty(), "nothing new");
    // Simulated second by second over many answers: never two within 200 ms.
    let mut s = QuizSession::new(quiz(), QuizSettings { close_when_all_answered: false, ..QuizSettings::default() }, 1);
    let ids: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
    for id in &ids {
        s.join(Actor { id, name: id, role: Role::Participant }, T0).unwrap();
    }
    cmd(&mut s, QuizCommand::Start, T0);
    let mut at = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let now = T0 + 37 * i as u64;
        s.apply(Actor { id, name: id, role: Role::Participant }, answer(0, choice("c2")), now).unwrap();
        if s.next_deadline().is_some_and(|d| d <= now) {
            for e in s.tick(now) {
                if matches!(e.event, QuizEvent::Aggregate { .. }) {
                    at.push(now);
                }
            }
        }
    }
    assert!(at.len() >= 5);
    assert!(at.windows(2).all(|w| w[1] - w[0] >= 200), "{at:?}");
}

#[test]
fn fifty_participants_trainer_paced() {
    let settings = QuizSettings { speed_bonus: true, streak_bonus: true, ..QuizSettings::default() };
    let mut s = QuizSession::new(quiz(), settings, 7);
    let ids: Vec<String> = (0..50).map(|i| format!("m{i:02}")).collect();
    let names: Vec<String> = (0..50).map(|i| format!("Stagiaire {i}")).collect();
    let actor = |i: usize| Actor { id: &ids[i], name: &names[i], role: Role::Participant };
    s.join(trainer(), T0).unwrap();
    for i in 0..50 {
        s.join(actor(i), T0).unwrap();
    }
    let mut now = T0;
    let mut events = 0;
    // Q1: everyone answers, the quiz closes itself on the last answer.
    cmd(&mut s, QuizCommand::Start, now);
    for i in 0..50 {
        now += 100;
        let pick = if i % 5 == 0 { "c2" } else { "c1" };
        let emits = s.apply(actor(i), answer(0, choice(pick)), now).unwrap();
        events += emits.len() + s.tick(now).len();
    }
    assert_eq!(phase(&s), QuizPhase::Closed { index: 0 });
    let emits = cmd(&mut s, QuizCommand::Reveal, now);
    assert_eq!(emits.len(), 51, "the reveal and one private score each");
    // Q2: ten disconnect, the deadline closes it.
    for id in &ids[40..50] {
        s.detach(id, now);
    }
    cmd(&mut s, QuizCommand::Next, now);
    let opened = now;
    for i in 0..30 {
        s.apply(actor(i), answer(1, AnswerValue::Bool { value: i % 2 == 0 }), opened + 1_000 * (i as u64 % 10))
            .unwrap();
    }
    let due = s.next_deadline().unwrap();
    s.tick(due);
    now = opened + 11_500;
    assert_eq!(s.next_deadline(), Some(now));
    let emits = s.tick(now);
    assert_eq!(kinds(&emits)[0], "question_closed");
    cmd(&mut s, QuizCommand::Reveal, now);
    let board = cmd(&mut s, QuizCommand::ShowLeaderboard, now);
    let QuizEvent::Leaderboard { entries } = &board[0].event else { panic!() };
    assert_eq!(entries.len(), LEADERBOARD_SIZE);
    assert!(entries.windows(2).all(|w| w[0].score >= w[1].score && w[0].rank <= w[1].rank));
    let emits = cmd(&mut s, QuizCommand::End, now + 1_000);
    assert_eq!(emits.len(), 51);
    let QuizEvent::Ended { summary } = &emits[0].event else { panic!() };
    assert_eq!(summary.participants, 50);
    assert_eq!(summary.questions[0].answered, 50);
    assert_eq!(summary.questions[0].correct, 40);
    assert_eq!(summary.questions[1].answered, 30);
    let completions = s.completions();
    assert_eq!(completions.len(), 50);
    let complete = completions.iter().filter(|c| c.state == CompletionState::Complete).count();
    assert_eq!(complete, 40, "the 10 who left are incomplete");
    assert_eq!(s.results().len(), 80);
    assert!(events > 0);
}

fn names_absent(text: &str) {
    for name in ["Camille", "Léa", "Hugo", "p1", "p2", "p3"] {
        assert!(!text.contains(name), "{name} in {text}");
    }
}

#[test]
fn anonymous_mode_names_nobody() {
    for mode in [QuizMode::TrainerPaced, QuizMode::SelfPaced] {
        let settings = QuizSettings { mode, anonymity: Anonymity::Anonymous, ..QuizSettings::default() };
        let mut s = session(settings, &[trainer(), projector(), camille(), lea(), hugo()]);
        let mut all = Vec::new();
        all.extend(cmd(&mut s, QuizCommand::Start, T0));
        for (i, who) in [camille(), lea(), hugo()].into_iter().enumerate() {
            all.extend(s.apply(who, answer(0, choice(["c1", "c2", "c1"][i])), T0 + 10).unwrap());
        }
        all.extend(s.tick(T0 + 500));
        if mode == QuizMode::TrainerPaced {
            all.extend(cmd(&mut s, QuizCommand::Reveal, T0 + 600));
            all.extend(cmd(&mut s, QuizCommand::ShowLeaderboard, T0 + 700));
        } else {
            all.extend(s.apply(camille(), QuizCommand::NextQuestion, T0 + 650).unwrap());
            all.extend(cmd(&mut s, QuizCommand::ShowLeaderboard, T0 + 700));
            all.extend(s.tick(T0 + 900));
        }
        let snapshots: Vec<String> =
            [trainer(), projector()].into_iter().map(|v| serde_json::to_string(&s.snapshot(v)).unwrap()).collect();
        for text in &snapshots {
            names_absent(text);
        }
        all.extend(cmd(&mut s, QuizCommand::End, T0 + 1_000));
        for emit in all.iter().filter(|e| e.audience != Audience::Member("p1".into())) {
            // Private events go to member ids by audience, never inside.
            names_absent(&serde_json::to_string(&emit.event).unwrap());
        }
        for emit in &all {
            let text = serde_json::to_string(&emit.event).unwrap();
            assert!(!text.contains("Camille") && !text.contains("Léa"), "{text}");
        }
        names_absent(&serde_json::to_string(&s.snapshot(trainer())).unwrap());
        assert!(s.results().iter().all(|r| r.member.is_none() && r.participant.is_none()));
    }
}

#[test]
fn pseudonyms_and_ranks_only_boards() {
    let settings = QuizSettings { anonymity: Anonymity::Pseudonym, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille(), lea()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(lea(), answer(0, choice("c1")), T0 + 1).unwrap();
    cmd(&mut s, QuizCommand::Reveal, T0 + 2);
    let emits = cmd(&mut s, QuizCommand::ShowLeaderboard, T0 + 3);
    let QuizEvent::Leaderboard { entries } = &emits[0].event else { panic!() };
    assert_eq!(entries[0].name.as_deref(), Some("Participant 2"));
    assert_eq!(s.results()[0].participant.as_deref(), Some("Participant 2"));

    let settings = QuizSettings { leaderboard: LeaderboardMode::RanksOnly, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille()]);
    cmd(&mut s, QuizCommand::Start, T0);
    cmd(&mut s, QuizCommand::Reveal, T0 + 1);
    let emits = cmd(&mut s, QuizCommand::ShowLeaderboard, T0 + 2);
    assert_eq!(
        emits[0].event,
        QuizEvent::Leaderboard { entries: vec![LeaderboardEntry { rank: 1, name: None, score: 0 }] }
    );

    let settings = QuizSettings { leaderboard: LeaderboardMode::Off, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille()]);
    cmd(&mut s, QuizCommand::Start, T0);
    cmd(&mut s, QuizCommand::Reveal, T0 + 1);
    assert_eq!(code(s.apply(trainer(), QuizCommand::ShowLeaderboard, T0)), ErrorCode::InvalidState);
}

#[test]
fn speed_and_streak_bonuses() {
    let settings = QuizSettings { speed_bonus: true, streak_bonus: true, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 10_000).unwrap(); // half time: 750
    cmd(&mut s, QuizCommand::Next, T0 + 20_000);
    s.apply(camille(), answer(1, AnswerValue::Bool { value: true }), T0 + 20_000).unwrap(); // 1000 + 10 %
    assert_eq!(s.score_views()["p1"].score, 750, "an unrevealed answer does not count yet");
    cmd(&mut s, QuizCommand::Reveal, T0 + 20_500);
    assert_eq!(s.score_views()["p1"].score, 750 + 1000 + 100);
    cmd(&mut s, QuizCommand::Next, T0 + 21_000);
    s.apply(camille(), answer(2, AnswerValue::Words { words: vec!["x".into()] }), T0 + 21_001).unwrap();
    cmd(&mut s, QuizCommand::Next, T0 + 22_000);
    // Ordering: the shown order is never the correct one; answering with
    // the shown indices of a, b, c in that order is right. No time limit:
    // no speed bonus. The word cloud did not break the run: +20 %.
    let snap = s.snapshot(camille());
    let QuestionKindView::Ordering { items } = snap.current.unwrap().question.kind else { panic!() };
    assert_ne!(items, ["a", "b", "c"]);
    let shown = |t: &str| items.iter().position(|i| i == t).unwrap();
    let order = AnswerValue::Order { items: vec![shown("a"), shown("b"), shown("c")] };
    s.apply(camille(), answer(3, order), T0 + 22_001).unwrap();
    cmd(&mut s, QuizCommand::Reveal, T0 + 22_500);
    assert_eq!(s.score_views()["p1"].score, 1850 + 1000 + 200);
    let completions = s.completions();
    assert_eq!((completions[0].score, completions[0].max_score), (3000, 3000), "grades carry no bonus");
    assert_eq!(score::streak_bonus(1000, 1), 0);
    assert_eq!(score::streak_bonus(1000, 9), 500, "capped at 50 %");
}

#[test]
fn confidence_and_confidently_wrong() {
    let settings = QuizSettings { confidence: true, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    let sure = |c: &str, level| QuizCommand::Answer { question: 0, answer: choice(c), confidence: Some(level) };
    s.apply(camille(), sure("c2", 3), T0 + 1).unwrap();
    s.apply(lea(), sure("c3", 1), T0 + 2).unwrap();
    s.apply(hugo(), sure("c1", 3), T0 + 3).unwrap();
    let emits = cmd(&mut s, QuizCommand::Reveal, T0 + 4);
    assert!(matches!(emits[0].event, QuizEvent::Revealed { confidently_wrong: 1, .. }));
    assert_eq!(s.results()[0].confidence, Some(3));
    // Without the setting, a confidence level is dropped.
    let mut s = trainer_paced();
    cmd(&mut s, QuizCommand::Start, T0);
    let emits = s.apply(camille(), sure("c1", 2), T0 + 1).unwrap();
    assert!(matches!(emits[0].event, QuizEvent::AnswerAccepted { confidence: None, .. }));
}

fn completion_states(settings: QuizSettings) -> Vec<(String, CompletionState)> {
    let mut s = session(settings, &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    s.apply(camille(), answer(0, choice("c1")), T0 + 1).unwrap();
    s.apply(lea(), answer(0, choice("c2")), T0 + 2).unwrap();
    cmd(&mut s, QuizCommand::CloseQuestion, T0 + 3);
    cmd(&mut s, QuizCommand::Next, T0 + 4);
    s.apply(camille(), answer(1, AnswerValue::Bool { value: true }), T0 + 5).unwrap();
    s.apply(lea(), answer(1, AnswerValue::Bool { value: true }), T0 + 6).unwrap();
    s.apply(hugo(), answer(1, AnswerValue::Bool { value: true }), T0 + 7).unwrap();
    s.detach("p3", T0 + 7);
    cmd(&mut s, QuizCommand::End, T0 + 8);
    s.completions().into_iter().map(|c| (c.member, c.state)).collect()
}

#[test]
fn completions_in_every_state() {
    use CompletionState::*;
    let plain = completion_states(QuizSettings { completion_share: 1.0, ..QuizSettings::default() });
    assert_eq!(plain, [("p1".into(), Complete), ("p2".into(), Complete), ("p3".into(), Incomplete)]);
    let graded =
        completion_states(QuizSettings { completion_share: 1.0, pass_mark: Some(0.75), ..QuizSettings::default() });
    assert_eq!(graded, [("p1".into(), CompletePassed), ("p2".into(), CompleteFailed), ("p3".into(), Incomplete)]);
    assert_eq!([Incomplete, Complete, CompletePassed, CompleteFailed].map(|s| s as u8), [0, 1, 2, 3]);
}

fn self_paced(feedback: Feedback, order: QuestionOrder) -> QuizSettings {
    QuizSettings { mode: QuizMode::SelfPaced, feedback, order, ..QuizSettings::default() }
}

#[test]
fn self_paced_window_scheduled_then_opened_by_tick_then_closed() {
    let mut s = session(self_paced(Feedback::Immediate, QuestionOrder::Fixed), &[trainer(), camille()]);
    use QuizCommand::*;
    for c in [OpenQuestion { index: None }, CloseQuestion, Reveal, Next, Skip, Reopen, Extend { seconds: 5 }] {
        assert_eq!(code(s.apply(trainer(), c, T0)), ErrorCode::InvalidState);
    }
    assert_eq!(code(s.apply(camille(), NextQuestion, T0)), ErrorCode::InvalidState);
    assert_eq!(
        code(s.apply(trainer(), OpenWindow { opens_at: Some(T0 + 10), closes_at: Some(T0 + 5) }, T0)),
        ErrorCode::OutOfRange
    );
    let emits = cmd(&mut s, OpenWindow { opens_at: Some(T0 + 60_000), closes_at: Some(T0 + 120_000) }, T0);
    assert_eq!(kinds(&emits), ["window_scheduled"]);
    assert_eq!(phase(&s), QuizPhase::Scheduled { opens_at: T0 + 60_000 });
    assert_eq!(code(s.apply(camille(), answer(0, choice("c1")), T0)), ErrorCode::InvalidState);
    assert_eq!(s.next_deadline(), Some(T0 + 60_000));
    assert!(s.tick(T0 + 59_999).is_empty());
    let emits = s.tick(T0 + 60_000);
    assert_eq!(kinds(&emits), ["window_opened", "question_opened", "progress"]);
    assert_eq!(emits[1].audience, Audience::Member("p1".into()));
    assert_eq!(
        code(s.apply(trainer(), OpenWindow { opens_at: None, closes_at: None }, T0 + 60_001)),
        ErrorCode::InvalidState
    );
    assert_eq!(s.next_deadline(), Some(T0 + 121_500));
    s.apply(camille(), answer(0, choice("c1")), T0 + 121_400).unwrap();
    let emits = s.tick(T0 + 121_500);
    assert_eq!(kinds(&emits)[0], "ended");
    let complete = s.completions();
    assert_eq!(complete[0].state, CompletionState::Incomplete);
}

#[test]
fn self_paced_navigation_feedback_and_leave_and_continue() {
    let mut s =
        session(self_paced(Feedback::Immediate, QuestionOrder::Fixed), &[trainer(), projector(), camille(), lea()]);
    let emits = cmd(&mut s, QuizCommand::Start, T0);
    assert_eq!(kinds(&emits), ["window_opened", "question_opened", "question_opened"]);
    assert_eq!(code(s.apply(camille(), QuizCommand::PreviousQuestion, T0)), ErrorCode::InvalidState);
    assert_eq!(
        code(s.apply(camille(), answer(1, AnswerValue::Bool { value: true }), T0)),
        ErrorCode::InvalidState,
        "not the current question"
    );
    let emits = s.apply(camille(), answer(0, choice("c2")), T0 + 4_000).unwrap();
    let QuizEvent::AnswerAccepted { result: Some(result), .. } = &emits[0].event else { panic!() };
    assert_eq!(result.correct, Some(false));
    assert_eq!(result.correct_answer, Some(CorrectAnswer::Choices { choices: vec!["c1".into()] }));
    assert_eq!(
        code(s.apply(camille(), answer(0, choice("c1")), T0 + 4_001)),
        ErrorCode::InvalidState,
        "no change after immediate feedback"
    );
    let emits = s.apply(camille(), QuizCommand::NextQuestion, T0 + 5_000).unwrap();
    assert!(matches!(&emits[0].event, QuizEvent::QuestionOpened { position: Some(1), .. }));
    s.apply(camille(), answer(1, AnswerValue::Bool { value: true }), T0 + 6_000).unwrap();
    // Camille leaves, comes back: same place, her answer and result shown.
    s.detach("p1", T0 + 6_000);
    s.join(camille(), T0 + 100_000).unwrap();
    let snap = s.snapshot(camille());
    let current = snap.current.unwrap();
    assert_eq!((current.question.index, current.position), (1, Some(1)));
    assert!(snap.your_answer.unwrap().result.unwrap().correct == Some(true));
    assert_eq!(snap.your_score.unwrap().answered, 2);
    // Trainer grid.
    s.tick(T0 + 100_000);
    let progress = s.snapshot(trainer()).progress.unwrap();
    assert_eq!(progress.rows[0].cells, [Cell::Wrong, Cell::Correct, Cell::NotReached, Cell::NotReached]);
    assert_eq!(progress.rows[1].cells[0], Cell::Seen, "Léa sees question 1");
    assert_eq!(progress.questions[1], ProgressCount { answered: 1, correct: 1 });
    assert!(s.snapshot(lea()).progress.is_none(), "participants do not see the grid");
    // Finishing: the last answer brings the score.
    s.apply(camille(), QuizCommand::NextQuestion, T0 + 100_001).unwrap();
    s.apply(camille(), answer(2, AnswerValue::Words { words: vec!["écoute".into()] }), T0 + 100_002).unwrap();
    s.apply(camille(), QuizCommand::NextQuestion, T0 + 100_003).unwrap();
    assert_eq!(code(s.apply(camille(), QuizCommand::NextQuestion, T0 + 100_004)), ErrorCode::InvalidState);
    let emits = s.apply(camille(), answer(3, AnswerValue::Order { items: vec![0, 1, 2] }), T0 + 100_005).unwrap();
    assert_eq!(kinds(&emits), ["answer_accepted", "your_score"]);
    cmd(&mut s, QuizCommand::End, T0 + 200_000);
    let states: Vec<_> = s.completions().into_iter().map(|c| c.state).collect();
    assert_eq!(states, [CompletionState::Complete, CompletionState::Incomplete]);
}

#[test]
fn self_paced_at_end_feedback_allows_changes_and_hides_results() {
    let mut settings = self_paced(Feedback::AtEnd, QuestionOrder::Fixed);
    settings.allow_change = true;
    let mut s = session(settings, &[trainer(), camille()]);
    cmd(&mut s, QuizCommand::Start, T0);
    let emits = s.apply(camille(), answer(0, choice("c2")), T0 + 1).unwrap();
    assert!(matches!(emits[0].event, QuizEvent::AnswerAccepted { result: None, .. }));
    s.apply(camille(), answer(0, choice("c1")), T0 + 2).unwrap();
    assert!(s.snapshot(camille()).your_answer.unwrap().result.is_none());
    let emits = cmd(&mut s, QuizCommand::End, T0 + 3);
    let QuizEvent::YourScore { score, results } = &emits[1].event else { panic!() };
    assert_eq!(score.score, 1000);
    assert_eq!(results[0].correct_answer, Some(CorrectAnswer::Choices { choices: vec!["c1".into()] }));
    assert_eq!(results[0].feedback.as_deref(), Some("Oui"));
}

#[test]
fn self_paced_shuffle_is_deterministic_per_member() {
    let settings = self_paced(Feedback::Immediate, QuestionOrder::Shuffled);
    let paths = |seed| {
        let mut s = QuizSession::new(quiz(), settings.clone(), seed);
        let ids: Vec<String> = (0..8).map(|i| format!("m{i}")).collect();
        for id in &ids {
            s.join(Actor { id, name: id, role: Role::Participant }, T0).unwrap();
        }
        ids.iter().map(|id| s.participants[id].path.clone()).collect::<Vec<_>>()
    };
    let a = paths(5);
    assert_eq!(a, paths(5), "same seed, same orders");
    assert!(a.iter().any(|p| p != &a[0]), "orders differ between members");
    for p in &a {
        let mut sorted = p.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3]);
    }
    let mut s = session(settings, &[trainer(), camille()]);
    cmd(&mut s, QuizCommand::Start, T0);
    let first = s.participants["p1"].path[0];
    assert_eq!(s.snapshot(camille()).current.unwrap().question.index, first);
}

#[test]
fn shown_orders_are_never_correct() {
    for key in 0..200 {
        let order = view::shown_order(3, key);
        assert_ne!(order, [0, 1, 2]);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2]);
    }
    assert_eq!(view::shown_order(1, 3), [0]);
}

#[test]
fn distributions_by_kind() {
    let mut s = session(
        QuizSettings { close_when_all_answered: false, ..QuizSettings::default() },
        &[trainer(), camille(), lea(), hugo()],
    );
    cmd(&mut s, QuizCommand::OpenQuestion { index: Some(2) }, T0);
    let words = |w: &[&str]| AnswerValue::Words { words: w.iter().map(|x| x.to_string()).collect() };
    s.apply(camille(), answer(2, words(&["Écoute", "respect"])), T0).unwrap();
    s.apply(lea(), answer(2, words(&["ecoute"])), T0).unwrap();
    assert_eq!(code(s.apply(hugo(), answer(2, words(&["a", "b", "c"])), T0)), ErrorCode::OutOfRange);
    let stats = &s.snapshot(trainer()).stats[0];
    assert_eq!(
        stats.distribution,
        Distribution::Words {
            words: vec![TextCount { text: "ecoute".into(), count: 2 }, TextCount { text: "respect".into(), count: 1 },]
        }
    );
    cmd(&mut s, QuizCommand::CloseQuestion, T0);
    cmd(&mut s, QuizCommand::OpenQuestion { index: Some(1) }, T0);
    s.apply(camille(), answer(1, AnswerValue::Bool { value: true }), T0).unwrap();
    s.apply(lea(), answer(1, AnswerValue::Bool { value: false }), T0).unwrap();
    assert_eq!(s.snapshot(trainer()).stats[0].distribution, Distribution::Bool { yes: 1, no: 1 });
}

#[test]
fn kept_ranks_always_match_a_fresh_ranking() {
    let settings = QuizSettings { mode: QuizMode::SelfPaced, ..QuizSettings::default() };
    let mut s = session(settings, &[trainer(), camille(), lea(), hugo()]);
    cmd(&mut s, QuizCommand::Start, T0);
    let fresh = |s: &QuizSession| {
        s.forget_ranks();
        s.score_views()
    };
    // Each answer refreshes only its author; every view must equal a full
    // recomputation.
    for (who, pick) in [(camille(), "c1"), (lea(), "c2"), (hugo(), "c1")] {
        s.score_views(); // fill the kept ranks
        s.apply(who, answer(0, choice(pick)), T0 + 1_000).unwrap();
        let kept = s.score_views();
        assert_eq!(kept, fresh(&s), "after {}'s answer", who.name);
    }
    let views = s.score_views();
    assert_eq!(views["p1"].rank, 1);
    assert_eq!(views["p3"].rank, 1, "a tie shares the rank");
    assert_eq!(views["p2"].rank, 3);
}
