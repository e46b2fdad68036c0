//! `/api/v1/sessions/{id}/results.csv` and `results.json`: a quiz room's
//! answers, one row per participant × question (and round, after a
//! re-vote), for trainers, facilitators and admins of its tenant. Names
//! follow the quiz's anonymity mode: an anonymous quiz exports none.

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::download::{self, timestamp};
use super::rooms::{require_leader, visible_room};
use super::{ApiError, Bearer};
use crate::app::AppState;
use crate::hub::QuizResults;
use crate::quiz::{Answer, Question, QuestionKind};

/// `GET /api/v1/sessions/{id}/results.csv`
pub async fn csv(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let results = quiz_results(&app, &member, &id).await?;
    let mut writer = download::CsvExport::new();
    let header = [
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
    ];
    writer.write_record(header)?;
    for row in &results.rows {
        let question = &results.quiz.questions[row.question];
        let record = [
            row.participant.clone().unwrap_or_default(),
            question.prompt.clone(),
            row.question_id.clone(),
            row.round.to_string(),
            answer_text(question, &row.answer),
            row.correct.map(|c| c.to_string()).unwrap_or_default(),
            row.points.to_string(),
            row.confidence.map(|c| c.to_string()).unwrap_or_default(),
            row.response_ms.to_string(),
            timestamp(row.answered_at),
        ];
        writer.write_record(&record)?;
    }
    download::csv(&format!("results-{id}.csv"), writer)
}

/// `GET /api/v1/sessions/{id}/results.json`: the rows of the CSV and a
/// summary per question (distribution, share correct, median time).
pub async fn json(
    State(app): State<AppState>,
    Bearer(member): Bearer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let results = quiz_results(&app, &member, &id).await?;
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
                "correct": row.correct,
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
                "correct": correct,
                "percent_correct": (question.kind.is_graded() && answered > 0)
                    .then(|| (f64::from(correct) * 1000.0 / f64::from(answered)).round() / 10.0),
                "confidently_wrong": summary.map_or(0, |s| s.confidently_wrong),
                "median_response_ms": median(&mut times),
                "distribution": results.stats.get(index).cloned().flatten().map(|s| s.distribution),
            })
        })
        .collect();
    Ok(Json(json!({
        "title": results.quiz.title,
        "anonymity": results.settings.anonymity,
        "participants": results.summary.participants,
        "questions": questions,
        "leaderboard": results.summary.leaderboard,
        "rows": rows,
    }))
    .into_response())
}

/// The results of the quiz in room `id`, for a leader of its tenant.
async fn quiz_results(app: &AppState, member: &crate::auth::Member, id: &str) -> Result<QuizResults, ApiError> {
    require_leader(member)?;
    let handle = visible_room(app, member, id).await?;
    match handle.results().await {
        Ok(Some(results)) => Ok(results),
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

fn median(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}
