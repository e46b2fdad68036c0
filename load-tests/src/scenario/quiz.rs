//! `quiz`: one trainer runs a generated quiz of Q single-choice questions
//! for N participants, who answer each question after a random think time.
//! Trainer-paced (default): the trainer starts, each question closes when
//! everyone has answered, the trainer reveals and moves on. Self-paced
//! (`--self-paced`): the window opens and each participant goes through the
//! questions alone. Measures answer acknowledgements (every answer must be
//! acknowledged exactly once) and, trainer-paced, the time from a question's
//! opening to the last participant seeing it.

use std::time::{Duration, Instant};

use amphi_protocol::quiz::{AnswerValue, QuizCommand, QuizEvent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{ClientMessage, ServerMessage};
use serde_json::json;
use tokio::sync::watch;

use super::{
    GRACE, Room, ServerWatch, classify, collect, create_room_with, join_as_guest, lost, new_report, start_participants,
    trainer,
};
use crate::client::{Conn, now_ms};
use crate::options::Options;
use crate::report::{Percentiles, Report};
use crate::shard::Shard;

/// What one participant saw and measured.
#[derive(Default)]
struct Answered {
    /// Per question: when its opening reached this participant, from the
    /// server's stamp (`None`: never seen).
    opened_ms: Vec<Option<f64>>,
    ack_ms: Vec<f64>,
    /// Per question: when this participant sent its answer and when the
    /// acknowledgement came (wall clock, ms).
    answer_window: Vec<Option<(f64, f64)>>,
    sent: u64,
    acked: u64,
    errors: Vec<String>,
}

/// A quiz of `count` single-choice questions, `c1` right.
fn generated_quiz(count: usize) -> serde_json::Value {
    let questions: Vec<_> = (0..count)
        .map(|n| {
            json!({
                "type": "single_choice",
                "prompt": format!("Question {}", n + 1),
                "time_limit_s": 600,
                "choices": [
                    { "id": "c1", "text": "A", "correct": true },
                    { "id": "c2", "text": "B" },
                    { "id": "c3", "text": "C" },
                    { "id": "c4", "text": "D" }
                ]
            })
        })
        .collect();
    json!({ "title": "amphi-load", "questions": questions })
}

/// A small deterministic generator (think times, choices).
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *state >> 33
}

pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mode = if options.self_paced { "self_paced" } else { "trainer_paced" };
    let body = json!({
        "title": "amphi-load quiz",
        "kind": "quiz",
        "quiz": generated_quiz(options.questions),
        "settings": { "mode": mode },
    });
    let room = create_room_with(options, body).await?;
    let mut report = new_report(options, std::slice::from_ref(&room));
    report.broadcasts = if options.self_paced { 0 } else { options.questions };
    let memory = ServerWatch::start(options.server_pid);
    let (stop, stopped) = watch::channel(false);
    let (tasks, _, joins) = start_participants(options, Shard::ALONE, started, |i, ready| {
        let (options, code, room_id, mut stopped) =
            (options.clone(), room.code.clone(), room.id.clone(), stopped.clone());
        async move {
            let mut answered = Answered { opened_ms: vec![None; options.questions], ..Answered::default() };
            match join_as_guest(&options, i, &code).await {
                Ok((mut conn, _, _)) => {
                    let _ = ready.send(Ok(())).await;
                    tokio::select! {
                        () = participate(&mut conn, &options, i, &room_id, &mut answered) => {}
                        _ = stopped.wait_for(|stop| *stop) => answered.errors.push("unfinished".into()),
                    }
                }
                Err(error) => {
                    let _ = ready.send(Err(error.to_string())).await;
                }
            }
            answered
        }
    })
    .await;
    joins.count_into(&mut report);
    let idle = memory.now();
    let mut trainer = trainer(options, &room).await?;
    let outcome = if options.self_paced {
        drive_self_paced(&mut trainer, &room).await
    } else {
        drive_trainer_paced(&mut trainer, &room, options).await
    };
    if let Err(error) = outcome {
        report.error(classify(&error.to_string()));
    }
    let (answered, stuck) = collect(tasks, GRACE, &stop).await;
    report.add_errors("stuck_participant", stuck);
    if options.self_paced
        && let Err(error) = command(&mut trainer, &room, QuizCommand::End).await
    {
        report.error(classify(&error.to_string()));
    }
    tally(&mut report, &answered, options);
    memory.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// One participant's quiz: wait for each question, think, answer, wait for
/// the acknowledgement (self-paced: then ask for the next question).
async fn participate(conn: &mut Conn, options: &Options, i: usize, room: &str, answered: &mut Answered) {
    let mut random = i as u64 + 1;
    for n in 0..options.questions {
        let index = loop {
            match conn.recv().await {
                Ok(Some(ServerMessage::Event {
                    event: EventBody::Quiz { event: QuizEvent::QuestionOpened { question, opened_at, .. } },
                    ..
                })) => {
                    if let Some(slot) = answered.opened_ms.get_mut(question.index) {
                        slot.get_or_insert(now_ms() - opened_at as f64);
                    }
                    break question.index;
                }
                Ok(Some(_)) => {}
                Ok(None) => return answered.errors.push(conn.close_error()),
                Err(error) => return answered.errors.push(lost(&error)),
            }
        };
        if !options.self_paced && index != n {
            answered.errors.push("out_of_order".into());
        }
        if options.think_ms > 0 {
            tokio::time::sleep(Duration::from_millis(next_random(&mut random) % options.think_ms)).await;
        }
        let choice = if next_random(&mut random).is_multiple_of(2) { "c1" } else { "c2" };
        let id = conn.id();
        let answer = QuizCommand::Answer {
            question: index,
            answer: AnswerValue::Choice { choice: choice.into() },
            confidence: None,
        };
        let sent_at = now_ms();
        if conn.send(&ClientMessage::Quiz { id: id.clone(), room: room.into(), command: answer }).await.is_err() {
            return answered.errors.push("connection_failed".into());
        }
        answered.sent += 1;
        let reply = conn
            .recv_until(|m| match m {
                ServerMessage::Ack { id: got } => *got == id,
                ServerMessage::Error { id: Some(got), .. } => *got == id,
                _ => false,
            })
            .await;
        match reply {
            Ok(ServerMessage::Ack { .. }) => {
                let acked_at = now_ms();
                answered.acked += 1;
                answered.ack_ms.push(acked_at - sent_at);
                if answered.answer_window.len() <= index {
                    answered.answer_window.resize(index + 1, None);
                }
                answered.answer_window[index] = Some((sent_at, acked_at));
            }
            Ok(ServerMessage::Error { code, .. }) => answered.errors.push(code.to_string()),
            Ok(_) => {}
            Err(error) => return answered.errors.push(lost(&error)),
        }
        if options.self_paced && n + 1 < options.questions {
            let id = conn.id();
            let next = ClientMessage::Quiz { id, room: room.into(), command: QuizCommand::NextQuestion };
            if let Err(error) = conn.command(next).await {
                return answered.errors.push(classify(&error.to_string()));
            }
        }
    }
}

/// Trainer-paced: start, then for each question wait until everyone has
/// answered (the server closes it), reveal, and go on; end.
async fn drive_trainer_paced(trainer: &mut Conn, room: &Room, options: &Options) -> anyhow::Result<()> {
    let patience = Duration::from_millis(options.think_ms) + GRACE * 2;
    for n in 0..options.questions {
        command(trainer, room, if n == 0 { QuizCommand::Start } else { QuizCommand::Next }).await?;
        let closed = tokio::time::timeout(
            patience,
            trainer.recv_until(|m| {
                matches!(m, ServerMessage::Event {
                    event: EventBody::Quiz { event: QuizEvent::QuestionClosed { index, .. } }, ..
                } if *index == n)
            }),
        )
        .await;
        if !matches!(closed, Ok(Ok(_))) {
            command(trainer, room, QuizCommand::CloseQuestion).await?;
        }
        command(trainer, room, QuizCommand::Reveal).await?;
    }
    command(trainer, room, QuizCommand::End).await
}

/// Self-paced: open the window; participants go on their own.
async fn drive_self_paced(trainer: &mut Conn, room: &Room) -> anyhow::Result<()> {
    command(trainer, room, QuizCommand::Start).await
}

async fn command(trainer: &mut Conn, room: &Room, command: QuizCommand) -> anyhow::Result<()> {
    let id = trainer.id();
    trainer.command(ClientMessage::Quiz { id, room: room.id.clone(), command }).await
}

fn tally(report: &mut Report, answered: &[Answered], options: &Options) {
    let mut acks = Vec::new();
    let mut last_seen = vec![f64::MIN; options.questions];
    // Per question: the first answer sent and the last acknowledgement.
    let mut windows = vec![(f64::MAX, f64::MIN); options.questions];
    for a in answered {
        for (n, window) in a.answer_window.iter().enumerate() {
            if let (Some((sent, acked)), Some(slot)) = (window, windows.get_mut(n)) {
                *slot = (slot.0.min(*sent), slot.1.max(*acked));
            }
        }
        report.answers_sent += a.sent;
        report.answers_acked += a.acked;
        acks.extend(&a.ack_ms);
        for error in &a.errors {
            report.error(error.clone());
        }
        for (n, seen) in a.opened_ms.iter().enumerate() {
            match seen {
                Some(ms) => last_seen[n] = last_seen[n].max(*ms),
                None => report.missed_broadcasts += 1,
            }
        }
    }
    if report.missed_broadcasts > 0 {
        *report.errors.entry("missed_question".into()).or_default() += report.missed_broadcasts;
        report.errors_total += report.missed_broadcasts;
    }
    let unacked = report.answers_sent.saturating_sub(report.answers_acked);
    if unacked > 0 {
        *report.errors.entry("unacknowledged_answer".into()).or_default() += unacked;
        report.errors_total += unacked;
    }
    report.ack_ms = Percentiles::of(&acks);
    let answering_s: f64 = windows.iter().filter(|(a, b)| b > a).map(|(a, b)| (b - a) / 1000.0).sum();
    if answering_s > 0.0 {
        report.answers_per_s = Some(report.answers_acked as f64 / answering_s);
    }
    if !options.self_paced {
        let lasts: Vec<f64> = last_seen.into_iter().filter(|v| *v > f64::MIN).collect();
        report.last_socket_ms = Percentiles::of(&lasts);
    }
}
