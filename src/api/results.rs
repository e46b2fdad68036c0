//! `/api/v1/sessions/{id}/results.csv` and `results.json`: a quiz room's
//! answers, one row per participant × question (and round, after a
//! re-vote), for trainers, facilitators and admins of its tenant. Names
//! follow the quiz's anonymity mode: an anonymous quiz exports none. The
//! CSV comes in two dialects (`?dialect=en`, the default, and `fr` for
//! French spreadsheets); files are named after the room's title and date.
//! Ungraded questions (polls, open questions) have no "correct" anywhere.

use amphi_protocol::ErrorCode;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::json;

use super::download::{self, timestamp};
use super::rooms::{require_leader, visible_room};
use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::hub::{QuizResults, RoomHandle};
use crate::local_time::{self, Language};
use crate::quiz::{Answer, Question, QuestionKind};

/// `?dialect=` of `results.csv`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CsvParams {
    #[serde(default)]
    dialect: Dialect,
}

/// The spreadsheets a CSV is written for.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Dialect {
    /// `,` between cells, English headers, decimal points, RFC 3339 UTC
    /// times (the default, for scripts and English spreadsheets).
    #[default]
    En,
    /// `;` between cells, French headers, decimal commas, "oui"/"non",
    /// response times in seconds, local times as French spreadsheets read
    /// them (what the French web client downloads).
    Fr,
}

/// `GET /api/v1/sessions/{id}/results.csv?dialect=en|fr`
pub async fn csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    params: Result<Query<CsvParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params
        .map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, rejection.body_text()))?;
    let (handle, results) = quiz_results(&app, &member, &id).await?;
    let zone_name = app.config.time.zone_name(&handle.record.tenant).to_string();
    let zone = app.config.time.zone_of(&handle.record.tenant);
    let date = local_date(handle.record.created_at, &zone);
    let french = params.dialect == Dialect::Fr;
    let mut writer = download::CsvExport::with_delimiter(if french { b';' } else { b',' });
    if french {
        let answered_at = format!("Répondu le ({})", local_time::zone_label(&zone_name, Language::French));
        writer.write_record([
            "Participant",
            "Question",
            "Identifiant de la question",
            "Tour",
            "Réponse",
            "Juste",
            "Points",
            "Confiance",
            "Temps de réponse (s)",
            answered_at.as_str(),
        ])?;
    } else {
        writer.write_record([
            "participant",
            "question",
            "question_id",
            "round",
            "answer",
            "correct",
            "points",
            "confidence",
            "response_ms",
            "answered_at",
        ])?;
    }
    for row in &results.rows {
        let question = &results.quiz.questions[row.question];
        let graded = question.kind.is_graded();
        let correct = row.correct.filter(|_| graded).map(|c| match (french, c) {
            (true, true) => "oui".to_string(),
            (true, false) => "non".to_string(),
            (false, c) => c.to_string(),
        });
        let record = [
            row.participant.clone().unwrap_or_default(),
            question.prompt.clone(),
            row.question_id.clone(),
            row.round.to_string(),
            if french { answer_text_fr(question, &row.answer) } else { answer_text(question, &row.answer) },
            correct.unwrap_or_default(),
            row.points.to_string(),
            row.confidence.map(|c| c.to_string()).unwrap_or_default(),
            if french { seconds_fr(row.response_ms) } else { row.response_ms.to_string() },
            if french { local_date_time(row.answered_at, &zone) } else { timestamp(row.answered_at) },
        ];
        writer.write_record(&record)?;
    }
    let what = if french { "résultats" } else { "results" };
    download::csv(&download::file_name(&handle.record.title, &date, what, "csv"), writer)
}

/// `GET /api/v1/sessions/{id}/results.json`: the rows of the CSV and a
/// summary per question (distribution, share correct, median time).
pub async fn json(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (handle, results) = quiz_results(&app, &member, &id).await?;
    let date = local_date(handle.record.created_at, &app.config.time.zone_of(&handle.record.tenant));
    let rows: Vec<_> = results
        .rows
        .iter()
        .map(|row| {
            let question = &results.quiz.questions[row.question];
            json!({
                "participant": row.participant,
                "member": row.member,
                "question": row.question,
                "question_id": row.question_id,
                "round": row.round,
                "answer": row.answer,
                "answer_text": answer_text(question, &row.answer),
                "correct": row.correct.filter(|_| question.kind.is_graded()),
                "points": row.points,
                "confidence": row.confidence,
                "response_ms": row.response_ms,
                "answered_at": timestamp(row.answered_at),
            })
        })
        .collect();
    let questions: Vec<_> = results
        .quiz
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let summary = results.summary.questions.iter().find(|s| s.index == index);
            let answered = summary.map_or(0, |s| s.answered);
            let graded = question.kind.is_graded();
            let correct = summary.map_or(0, |s| s.correct);
            let latest = results.rows.iter().filter(|r| r.question == index).map(|r| r.round).max().unwrap_or(0);
            let mut times: Vec<u64> = results
                .rows
                .iter()
                .filter(|r| r.question == index && r.round == latest)
                .map(|r| r.response_ms)
                .collect();
            json!({
                "index": index,
                "question_id": question.id,
                "prompt": question.prompt,
                "type": question.kind.name(),
                "skipped": summary.is_some_and(|s| s.skipped),
                "answered": answered,
                "graded": graded,
                "correct": graded.then_some(correct),
                "percent_correct": (graded && answered > 0)
                    .then(|| (f64::from(correct) * 1000.0 / f64::from(answered)).round() / 10.0),
                "confidently_wrong": summary.map_or(0, |s| s.confidently_wrong),
                "median_response_ms": median(&mut times),
                "distribution": results.stats.get(index).cloned().flatten().map(|s| s.distribution),
            })
        })
        .collect();
    let name = download::file_name(&handle.record.title, &date, "results", "json");
    let body = serde_json::to_vec(&json!({
        "title": results.quiz.title,
        "anonymity": results.settings.anonymity,
        "participants": results.summary.participants,
        "questions": questions,
        "leaderboard": results.summary.leaderboard,
        "rows": rows,
    }))
    .map_err(ApiError::internal)?;
    Ok(download::download("application/json", &name, body))
}

/// The room `id` and the results of its quiz, for a leader of its tenant.
async fn quiz_results(
    app: &AppState,
    member: &crate::auth::Member,
    id: &str,
) -> Result<(RoomHandle, QuizResults), ApiError> {
    require_leader(member)?;
    let handle = visible_room(app, member, id).await?;
    match handle.results().await {
        Ok(Some(results)) => Ok((handle, results)),
        Ok(None) => Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this room runs no quiz")),
        Err(_) => {
            Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the room is not available"))
        }
    }
}

/// An answer as people read it: choice texts rather than ids, items in the
/// participant's order.
fn answer_text(question: &Question, answer: &Answer) -> String {
    let choice_text = |id: &str| {
        match &question.kind {
            QuestionKind::SingleChoice { choices } => choices.iter().find(|c| c.id == id).map(|c| c.text.clone()),
            QuestionKind::MultipleChoice { choices } => choices.iter().find(|c| c.id == id).map(|c| c.text.clone()),
            _ => None,
        }
        .unwrap_or_else(|| id.to_string())
    };
    match answer {
        Answer::Choice { choice } => choice_text(choice),
        Answer::Choices { choices } => choices.iter().map(|c| choice_text(c)).collect::<Vec<_>>().join(" | "),
        Answer::Bool { value } => value.to_string(),
        Answer::Number { value } => value.to_string(),
        Answer::Text { text } => text.clone(),
        Answer::Order { items } => {
            let names = match &question.kind {
                QuestionKind::Ordering { items } => items.clone(),
                _ => Vec::new(),
            };
            items
                .iter()
                .map(|i| names.get(*i).cloned().unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join(" > ")
        }
        Answer::Words { words } => words.join(", "),
        Answer::Rating { value } => value.to_string(),
    }
}

/// An answer as French spreadsheets read it: numbers with a decimal comma.
fn answer_text_fr(question: &Question, answer: &Answer) -> String {
    match answer {
        Answer::Number { value } => value.to_string().replace('.', ","),
        Answer::Bool { value } => if *value { "vrai" } else { "faux" }.to_string(),
        _ => answer_text(question, answer),
    }
}

/// Milliseconds as seconds with a decimal comma: 4250 → "4,25".
fn seconds_fr(ms: u64) -> String {
    let whole = ms / 1000;
    let fraction = format!("{:03}", ms % 1000);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() { whole.to_string() } else { format!("{whole},{fraction}") }
}

/// The day of `ms` at `zone`, `2026-12-02`.
fn local_date(ms: i64, zone: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .strftime("%Y-%m-%d")
        .to_string()
}

/// `ms` at `zone` as French spreadsheets read a date and time:
/// `02/12/2026 09:30:15`.
fn local_date_time(ms: u64, zone: &TimeZone) -> String {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .strftime("%d/%m/%Y %H:%M:%S")
        .to_string()
}

fn median(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}
