//! amphi's native JSON format (the serde form of [`Quiz`]), read strictly:
//! an unknown field is an error rather than silently ignored, so a typo
//! such as `explaination` is caught.

use serde_json::Value;

use super::model::Quiz;
use super::{Draft, ImportError};

/// Fields every question may have.
const COMMON_FIELDS: [&str; 8] =
    ["id", "type", "title", "prompt", "image_url", "explanation", "time_limit_s", "points"];

/// Fields of each question kind, by `type`.
fn kind_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "single_choice" | "multiple_choice" => &["choices"],
        "true_false" => &["answer", "feedback_true", "feedback_false"],
        "numeric" => &["answers"],
        "short_text" => &["accepted"],
        "ordering" => &["items"],
        "word_cloud" => &["max_words"],
        "rating_scale" => &["min", "max", "labels"],
        "open_text" => &[],
        _ => return None,
    })
}

fn error(position: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError::Json { position: position.into(), message: message.into() }
}

fn syntax_error(error: &serde_json::Error) -> ImportError {
    // serde_json appends " at line L column C"; the position says it.
    let message = error.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(message, _)| message);
    self::error(format!("line {}, column {}", error.line(), error.column()), message)
}

/// Reads a native quiz file.
pub(super) fn parse(text: &str) -> Result<Draft, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| syntax_error(&e))?;
    check_fields(&value)?;
    let quiz: Quiz = serde_json::from_str(text).map_err(|e| syntax_error(&e))?;
    Ok(Draft {
        title: Some(quiz.title),
        questions: quiz.questions.into_iter().map(|q| (None, q)).collect(),
        skipped: Vec::new(),
        warnings: Vec::new(),
    })
}

/// Refuses fields the model does not know. Choices and numeric answers
/// refuse theirs through serde; the quiz and questions are checked here
/// because a question's kind is flattened into it.
fn check_fields(value: &Value) -> Result<(), ImportError> {
    let Some(quiz) = value.as_object() else {
        return Ok(()); // The typed pass reports the wrong shape.
    };
    if let Some(unknown) = quiz.keys().find(|k| !["title", "questions"].contains(&k.as_str())) {
        return Err(error("the quiz", format!("unknown field `{unknown}` (expected `title` and `questions`)")));
    }
    let Some(questions) = quiz.get("questions").and_then(Value::as_array) else {
        return Ok(());
    };
    for (index, question) in questions.iter().enumerate() {
        let Some(question) = question.as_object() else {
            continue;
        };
        let Some(kind) = question.get("type").and_then(Value::as_str) else {
            continue;
        };
        let Some(fields) = kind_fields(kind) else {
            continue;
        };
        if let Some(unknown) =
            question.keys().find(|k| !COMMON_FIELDS.contains(&k.as_str()) && !fields.contains(&k.as_str()))
        {
            return Err(error(
                format!("questions[{index}] (question {})", index + 1),
                format!("unknown field `{unknown}` for a {kind} question"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::quiz::{ImportError, ImportFormat, QuestionKind, import};

    fn failure(text: &str) -> (String, String) {
        match import(text, ImportFormat::Json) {
            Err(ImportError::Json { position, message }) => (position, message),
            other => panic!("{text}: expected a JSON error, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_file_gets_ids_and_defaults() {
        let text = r#"{"title": "Mini", "questions": [
            {"type": "word_cloud", "prompt": "Un mot ?"},
            {"type": "rating_scale", "prompt": "Note ?", "max": 5}
        ]}"#;
        let import = import(text, ImportFormat::Json).unwrap();
        let q = &import.quiz.questions;
        assert_eq!((q[0].id.as_str(), q[1].id.as_str()), ("q1", "q2"));
        assert_eq!(q[0].kind, QuestionKind::WordCloud { max_words: 3 });
        assert_eq!(q[1].kind, QuestionKind::RatingScale { min: 1, max: 5, labels: vec![] });
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let (position, message) = failure("{\"title\": \"x\",\n \"questions\": [,]}");
        assert_eq!(position, "line 2, column 16");
        assert_eq!(message, "expected value");
    }

    #[test]
    fn wrong_types_and_missing_fields() {
        let (_, message) = failure(r#"{"title": "x", "questions": [{"type": "quiz", "prompt": "?"}]}"#);
        assert!(message.contains("unknown variant `quiz`"), "{message}");
        let (_, message) = failure(r#"{"title": "x", "questions": [{"type": "true_false", "prompt": "?"}]}"#);
        assert!(message.contains("missing field `answer`"), "{message}");
        let (_, message) = failure(
            r#"{"title": "x", "questions": [{"type": "single_choice", "prompt": "?",
                "choices": [{"text": "a", "weight": 100}, {"text": "b"}]}]}"#,
        );
        assert!(message.contains("unknown field `weight`"), "{message}");
    }

    #[test]
    fn unknown_fields_are_named() {
        let (position, message) = failure(
            r#"{"title": "x", "questions": [
                {"type": "open_text", "prompt": "?"},
                {"type": "true_false", "prompt": "?", "answer": true, "explaination": "typo"}]}"#,
        );
        assert_eq!(position, "questions[1] (question 2)");
        assert_eq!(message, "unknown field `explaination` for a true_false question");
        let (position, message) = failure(r#"{"title": "x", "questions": [], "author": "moi"}"#);
        assert_eq!(position, "the quiz");
        assert!(message.contains("`author`"));
    }

    #[test]
    fn validation_runs_on_native_files_too() {
        let text = r#"{"title": "x", "questions": [
            {"type": "single_choice", "prompt": "?", "choices": [{"text": "a"}, {"text": "b"}]}]}"#;
        let error = import(text, ImportFormat::Json).unwrap_err();
        assert_eq!(
            error.to_string(),
            "question 1 (q1): a single-choice question has exactly one correct choice, not 0"
        );
    }
}
