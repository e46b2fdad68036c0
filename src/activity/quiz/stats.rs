//! Live figures of one question's answers: choice histogram, true/false
//! counts, numeric spread (min / median / max), text and word-cloud counts,
//! ordering accuracy, rating distribution. Never names who answered what.

use std::collections::BTreeMap;

use amphi_protocol::quiz::{ChoiceCount, Distribution, TextCount};

use super::AnswerRecord;
use crate::quiz::normalize::normalize;
use crate::quiz::scoring::cloud_words;
use crate::quiz::{Answer, Question, QuestionKind};

/// Most texts or words listed in a distribution.
pub(super) const MAX_LISTED: usize = 100;

pub(super) fn distribution<'a>(question: &Question, answers: impl Iterator<Item = &'a AnswerRecord>) -> Distribution {
    let answers: Vec<&AnswerRecord> = answers.collect();
    match &question.kind {
        QuestionKind::SingleChoice { choices } => {
            let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
            choice_counts(&ids, &answers)
        }
        QuestionKind::MultipleChoice { choices } => {
            let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
            choice_counts(&ids, &answers)
        }
        QuestionKind::TrueFalse { .. } => {
            let yes = answers.iter().filter(|a| matches!(a.answer, Answer::Bool { value: true })).count() as u32;
            Distribution::Bool { yes, no: answers.len() as u32 - yes }
        }
        QuestionKind::Numeric { .. } => {
            let mut values: Vec<f64> = answers
                .iter()
                .filter_map(|a| match a.answer {
                    Answer::Number { value } => Some(value),
                    _ => None,
                })
                .collect();
            values.sort_by(f64::total_cmp);
            let median = match values.len() {
                0 => None,
                n if n % 2 == 1 => Some(values[n / 2]),
                n => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
            };
            Distribution::Numeric {
                count: values.len() as u32,
                min: values.first().copied(),
                median,
                max: values.last().copied(),
            }
        }
        QuestionKind::ShortText { .. } => Distribution::Texts {
            answers: top(answers.iter().filter_map(|a| match &a.answer {
                Answer::Text { text } => Some(normalize(text)),
                _ => None,
            })),
        },
        QuestionKind::OpenText {} => Distribution::Texts {
            answers: top(answers.iter().filter_map(|a| match &a.answer {
                Answer::Text { text } => Some(text.trim().to_string()),
                _ => None,
            })),
        },
        QuestionKind::WordCloud { .. } => Distribution::Words {
            words: top(answers.iter().flat_map(|a| match &a.answer {
                Answer::Words { words } => cloud_words(words),
                _ => Vec::new(),
            })),
        },
        QuestionKind::Ordering { .. } => {
            let count = answers.len() as u32;
            let exact = answers.iter().filter(|a| a.outcome.correct == Some(true)).count() as u32;
            let accuracy = if count == 0 {
                0.0
            } else {
                answers.iter().map(|a| a.outcome.fraction).sum::<f64>() / f64::from(count)
            };
            Distribution::Ordering { count, exact, accuracy }
        }
        QuestionKind::RatingScale { min, max, .. } => {
            let mut counts = vec![0u32; usize::from(max.saturating_sub(*min)) + 1];
            for a in &answers {
                if let Answer::Rating { value } = a.answer
                    && let Some(slot) = counts.get_mut(usize::from(value.saturating_sub(*min)))
                {
                    *slot += 1;
                }
            }
            Distribution::Rating { min: *min, counts }
        }
    }
}

fn choice_counts(ids: &[&str], answers: &[&AnswerRecord]) -> Distribution {
    let mut counts = vec![0u32; ids.len()];
    for a in answers {
        let picked: &[String] = match &a.answer {
            Answer::Choice { choice } => std::slice::from_ref(choice),
            Answer::Choices { choices } => choices,
            _ => &[],
        };
        for id in picked {
            if let Some(i) = ids.iter().position(|c| c == id) {
                counts[i] += 1;
            }
        }
    }
    Distribution::Choices {
        counts: ids.iter().zip(counts).map(|(id, count)| ChoiceCount { choice: (*id).to_string(), count }).collect(),
    }
}

/// Counts, most frequent first (ties alphabetical), at most [`MAX_LISTED`].
fn top(texts: impl Iterator<Item = String>) -> Vec<TextCount> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for text in texts.filter(|t| !t.is_empty()) {
        *counts.entry(text).or_default() += 1;
    }
    let mut list: Vec<TextCount> = counts.into_iter().map(|(text, count)| TextCount { text, count }).collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    list.truncate(MAX_LISTED);
    list
}
