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
use serde_json::json;

use super::download::{self, timestamp};
use super::rooms::{require_leader, visible_room};
use super::spreadsheet::{Dialect, DialectParams, Sheet};
use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::hub::{QuizResults, RoomHandle};
use crate::quiz::{Answer, Question, QuestionKind};

/// `GET /api/v1/sessions/{id}/results.csv?dialect=en|fr`
pub async fn csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
    params: Result<Query<DialectParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let dialect = DialectParams::read(params)?;
    let (handle, results) = quiz_results(&app, &member, &id).await?;
    let sheet = Sheet::new(dialect, app.config.time.zone_name(&handle.record.tenant));
    let date = sheet.date(handle.record.created_at);
    let french = sheet.french();
    let mut writer = sheet.writer();
    if french {
        let answered_at = sheet.time_header("answered_at", "Répondu le");
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
        let correct = row.correct.filter(|_| graded).map(|c| sheet.boolean(c).to_string());
        let record = [
            row.participant.clone().unwrap_or_default(),
            question.prompt.clone(),
            row.question_id.clone(),
            row.round.to_string(),
            if french { answer_text_fr(question, &row.answer) } else { answer_text(question, &row.answer) },
            correct.unwrap_or_default(),
            row.points.to_string(),
            row.confidence.map(|c| c.to_string()).unwrap_or_default(),
            sheet.seconds(row.response_ms),
            sheet.time(i64::try_from(row.answered_at).unwrap_or(i64::MAX)),
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
    let date = Sheet::new(Dialect::En, app.config.time.zone_name(&handle.record.tenant)).date(handle.record.created_at);
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

fn median(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}
