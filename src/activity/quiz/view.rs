//! What participants may see of a question (no correct answer while it is
//! open), the correct answer shown at the reveal, per-choice feedback, the
//! wire ↔ scoring answer mapping, and the deterministic shuffles.

use amphi_protocol::quiz::{AnswerValue, ChoiceView, CorrectAnswer, NumericRangeView, QuestionKindView, QuestionView};

use crate::activity::shuffle;
use crate::quiz::{Answer, NumericRange, Question, QuestionKind};

/// The question as shown while open. `order` is the shown order of an
/// ordering question's items (indices into the correct list).
pub(super) fn question_view(question: &Question, index: usize, order: &[usize]) -> QuestionView {
    let kind = match &question.kind {
        QuestionKind::SingleChoice { choices } => QuestionKindView::SingleChoice {
            choices: choices.iter().map(|c| ChoiceView { id: c.id.clone(), text: c.text.clone() }).collect(),
        },
        QuestionKind::MultipleChoice { choices } => QuestionKindView::MultipleChoice {
            choices: choices.iter().map(|c| ChoiceView { id: c.id.clone(), text: c.text.clone() }).collect(),
        },
        QuestionKind::TrueFalse { .. } => QuestionKindView::TrueFalse,
        QuestionKind::Numeric { .. } => QuestionKindView::Numeric,
        QuestionKind::ShortText { .. } => QuestionKindView::ShortText,
        QuestionKind::Ordering { items } => {
            QuestionKindView::Ordering { items: order.iter().map(|&i| items[i].clone()).collect() }
        }
        QuestionKind::WordCloud { max_words } => QuestionKindView::WordCloud { max_words: *max_words },
        QuestionKind::RatingScale { min, max, labels } => {
            QuestionKindView::RatingScale { min: *min, max: *max, labels: labels.clone() }
        }
        QuestionKind::OpenText {} => QuestionKindView::OpenText,
    };
    QuestionView {
        index,
        id: question.id.clone(),
        prompt: question.prompt.clone(),
        image_url: question.image_url.clone(),
        time_limit_s: question.time_limit_s,
        points: if question.kind.is_graded() { question.points } else { 0 },
        kind,
    }
}

/// The scoring answer for a wire answer. Ordering indices given in the
/// shown order are mapped back to the correct list; an index out of range
/// is kept out of range so that `check` refuses it.
pub(super) fn to_answer(value: &AnswerValue, order: &[usize]) -> Answer {
    match value.clone() {
        AnswerValue::Choice { choice } => Answer::Choice { choice },
        AnswerValue::Choices { choices } => Answer::Choices { choices },
        AnswerValue::Bool { value } => Answer::Bool { value },
        AnswerValue::Number { value } => Answer::Number { value },
        AnswerValue::Text { text } => Answer::Text { text },
        AnswerValue::Order { items } => Answer::Order {
            items: items.into_iter().map(|shown| order.get(shown).copied().unwrap_or(usize::MAX)).collect(),
        },
        AnswerValue::Words { words } => Answer::Words { words },
        AnswerValue::Rating { value } => Answer::Rating { value },
    }
}

pub(super) fn correct_answer(question: &Question) -> CorrectAnswer {
    match &question.kind {
        QuestionKind::SingleChoice { choices } => {
            CorrectAnswer::Choices { choices: choices.iter().filter(|c| c.correct).map(|c| c.id.clone()).collect() }
        }
        QuestionKind::MultipleChoice { choices } => CorrectAnswer::Choices {
            choices: choices.iter().filter(|c| c.weight > 0.0).map(|c| c.id.clone()).collect(),
        },
        QuestionKind::TrueFalse { answer, .. } => CorrectAnswer::Bool { value: *answer },
        QuestionKind::Numeric { answers } => CorrectAnswer::Numeric {
            ranges: answers
                .iter()
                .map(|a| {
                    let (min, max) = match a.accepts {
                        NumericRange::Exact { value, tolerance } => (value - tolerance, value + tolerance),
                        NumericRange::Between { min, max } => (min, max),
                    };
                    NumericRangeView { min, max, weight: a.weight }
                })
                .collect(),
        },
        QuestionKind::ShortText { accepted } => CorrectAnswer::Texts { accepted: accepted.clone() },
        QuestionKind::Ordering { items } => CorrectAnswer::Order { items: items.clone() },
        QuestionKind::WordCloud { .. } | QuestionKind::RatingScale { .. } | QuestionKind::OpenText {} => {
            CorrectAnswer::Ungraded
        }
    }
}

/// The author's feedback on what was answered, if any (several selected
/// choices' feedback joined by line breaks).
pub(super) fn feedback(question: &Question, answer: &Answer) -> Option<String> {
    let texts: Vec<&str> = match (&question.kind, answer) {
        (QuestionKind::SingleChoice { choices }, Answer::Choice { choice }) => {
            choices.iter().filter(|c| &c.id == choice).filter_map(|c| c.feedback.as_deref()).collect()
        }
        (QuestionKind::MultipleChoice { choices }, Answer::Choices { choices: picked }) => {
            choices.iter().filter(|c| picked.contains(&c.id)).filter_map(|c| c.feedback.as_deref()).collect()
        }
        (QuestionKind::TrueFalse { feedback_true, feedback_false, .. }, Answer::Bool { value }) => {
            if *value { feedback_true } else { feedback_false }.as_deref().into_iter().collect()
        }
        (QuestionKind::Numeric { answers }, Answer::Number { value }) => answers
            .iter()
            .filter(|a| a.accepts.contains(*value))
            .max_by(|a, b| a.weight.total_cmp(&b.weight))
            .and_then(|a| a.feedback.as_deref())
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    (!texts.is_empty()).then(|| texts.join("\n"))
}

/// FNV-1a of a string, to derive a per-member stream from the seed.
pub(super) fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3))
}

/// A Fisher–Yates permutation of `0..n` determined by `key`.
pub(super) fn permutation(n: usize, key: u64) -> Vec<usize> {
    shuffle::permutation(n, &mut { key })
}

/// The shown order of an ordering question: a permutation that is never the
/// correct order (rotated by one if the shuffle happened to give it).
pub(super) fn shown_order(n: usize, key: u64) -> Vec<usize> {
    let mut order = permutation(n, key);
    if n >= 2 && order.iter().enumerate().all(|(i, &o)| i == o) {
        order.rotate_left(1);
    }
    order
}
