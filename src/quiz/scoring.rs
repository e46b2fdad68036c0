//! Judging a participant's answer and turning it into points.
//!
//! [`check`] gives an [`Outcome`]: whether the answer is right (`None` for
//! the ungraded kinds: word cloud, rating scale, open text) and the
//! fraction of the points it earns, from 0 to 1:
//!
//! - **single choice, true/false, short text**: 1 when right, else 0. Short
//!   text is compared after [`normalize`](super::normalize::normalize), and
//!   `*` in an accepted answer matches any run of characters.
//! - **multiple choice** (partial credit, Moodle-like): the weights of the
//!   selected choices are added and divided by the sum of the positive
//!   weights, then clamped to 0..=1. Selecting a choice with a negative
//!   weight subtracts; selecting nothing earns 0. Dividing by the positive
//!   sum means weights need not add up to exactly 100 (`33 + 33 + 33`
//!   works). The answer is *right* when exactly the positive-weight choices
//!   are selected.
//! - **numeric**: the largest weight among the answers containing the
//!   number, divided by 100; right when that weight is 100.
//! - **ordering**: the share of items in their correct (absolute)
//!   position, as in Moodle's default ordering grading. Swapping two
//!   neighbours of four items scores 0.5; moving the last item first
//!   shifts every other one and scores 0. Right when every item is in
//!   place.
//!
//! [`points`] multiplies a question's points by the fraction and, when
//! asked, by the speed factor of [`SpeedBonus`]; the result is rounded to
//! the nearest integer. Ungraded kinds earn no points.

use amphi_protocol::ErrorCode;
use serde::{Deserialize, Serialize};

use super::model::{NumericAnswer, Question, QuestionKind, WeightedChoice};
use super::normalize::{matches, normalize};

/// Longest short-text answer, in characters.
pub const MAX_SHORT_ANSWER_CHARS: usize = 200;
/// Longest open-text answer, in characters.
pub const MAX_OPEN_ANSWER_CHARS: usize = 2000;
/// Longest word of a word cloud, in characters.
pub const MAX_WORD_CHARS: usize = 40;

/// What a participant sends, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// The id of the chosen choice (single choice).
    Choice { choice: String },
    /// The ids of the selected choices (multiple choice), in any order.
    Choices { choices: Vec<String> },
    /// True or false.
    Bool { value: bool },
    /// A number (numeric).
    Number { value: f64 },
    /// Text (short text, open text).
    Text { text: String },
    /// The question's items as the participant ordered them, each given by
    /// its index in the question's (correct) list. The live layer shows the
    /// items shuffled and must not reveal these indices.
    Order { items: Vec<usize> },
    /// Words for a word cloud.
    Words { words: Vec<String> },
    /// A value on a rating scale.
    Rating { value: u8 },
}

impl Answer {
    /// The `type` tag, as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Answer::Choice { .. } => "choice",
            Answer::Choices { .. } => "choices",
            Answer::Bool { .. } => "bool",
            Answer::Number { .. } => "number",
            Answer::Text { .. } => "text",
            Answer::Order { .. } => "order",
            Answer::Words { .. } => "words",
            Answer::Rating { .. } => "rating",
        }
    }
}

/// How an answer fared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    /// Right or wrong; `None` for kinds without a right answer.
    pub correct: Option<bool>,
    /// Share of the points earned, 0 to 1 (0 for ungraded kinds).
    pub fraction: f64,
}

impl Outcome {
    const UNGRADED: Outcome = Outcome { correct: None, fraction: 0.0 };

    fn all_or_nothing(right: bool) -> Outcome {
        Outcome { correct: Some(right), fraction: if right { 1.0 } else { 0.0 } }
    }
}

/// An answer that cannot be judged: the participant's client sent
/// something that does not fit the question.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("a {question} question takes a `{expected}` answer, not `{got}`")]
    WrongType { question: &'static str, expected: &'static str, got: &'static str },
    #[error("no choice has the id `{0}`")]
    UnknownChoice(String),
    #[error("{0}")]
    OutOfRange(String),
    #[error("{what} is longer than {max} characters")]
    TooLong { what: &'static str, max: usize },
}

impl AnswerError {
    /// The protocol's error code for this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            AnswerError::WrongType { .. } | AnswerError::UnknownChoice(_) => ErrorCode::InvalidField,
            AnswerError::OutOfRange(_) | AnswerError::TooLong { .. } => ErrorCode::OutOfRange,
        }
    }
}

/// Judges `answer` to `question`; see the module documentation for the
/// rules.
pub fn check(question: &Question, answer: &Answer) -> Result<Outcome, AnswerError> {
    let wrong_type = |expected| AnswerError::WrongType { question: question.kind.name(), expected, got: answer.name() };
    match (&question.kind, answer) {
        (QuestionKind::SingleChoice { choices }, Answer::Choice { choice }) => {
            let chosen =
                choices.iter().find(|c| &c.id == choice).ok_or_else(|| AnswerError::UnknownChoice(choice.clone()))?;
            Ok(Outcome::all_or_nothing(chosen.correct))
        }
        (QuestionKind::SingleChoice { .. }, _) => Err(wrong_type("choice")),

        (QuestionKind::MultipleChoice { choices }, Answer::Choices { choices: selected }) => {
            judge_choices(choices, selected)
        }
        (QuestionKind::MultipleChoice { .. }, _) => Err(wrong_type("choices")),

        (QuestionKind::TrueFalse { answer: right, .. }, Answer::Bool { value }) => {
            Ok(Outcome::all_or_nothing(value == right))
        }
        (QuestionKind::TrueFalse { .. }, _) => Err(wrong_type("bool")),

        (QuestionKind::Numeric { answers }, Answer::Number { value }) => judge_number(answers, *value),
        (QuestionKind::Numeric { .. }, _) => Err(wrong_type("number")),

        (QuestionKind::ShortText { accepted }, Answer::Text { text }) => {
            check_length("the answer", text, MAX_SHORT_ANSWER_CHARS)?;
            let right = accepted.iter().any(|pattern| matches(pattern, text));
            Ok(Outcome::all_or_nothing(right))
        }
        (QuestionKind::ShortText { .. }, _) => Err(wrong_type("text")),

        (QuestionKind::Ordering { items }, Answer::Order { items: order }) => judge_order(items.len(), order),
        (QuestionKind::Ordering { .. }, _) => Err(wrong_type("order")),

        (QuestionKind::WordCloud { max_words }, Answer::Words { words }) => {
            check_words(*max_words, words).map(|()| Outcome::UNGRADED)
        }
        (QuestionKind::WordCloud { .. }, _) => Err(wrong_type("words")),

        (QuestionKind::RatingScale { min, max, .. }, Answer::Rating { value }) => {
            if value < min || value > max {
                return Err(AnswerError::OutOfRange(format!("the rating must be {min} to {max}, not {value}")));
            }
            Ok(Outcome::UNGRADED)
        }
        (QuestionKind::RatingScale { .. }, _) => Err(wrong_type("rating")),

        (QuestionKind::OpenText {}, Answer::Text { text }) => check_open_text(text).map(|()| Outcome::UNGRADED),
        (QuestionKind::OpenText {}, _) => Err(wrong_type("text")),
    }
}

/// A multiple-choice answer: the sum of the weights picked over the sum of
/// the positive ones (0 to 1); right when it picks exactly the choices of
/// positive weight. A choice picked twice or unknown is refused.
fn judge_choices(choices: &[WeightedChoice], selected: &[String]) -> Result<Outcome, AnswerError> {
    let mut sum = 0.0;
    let mut picked = vec![false; choices.len()];
    for id in selected {
        let index = choices.iter().position(|c| &c.id == id).ok_or_else(|| AnswerError::UnknownChoice(id.clone()))?;
        if picked[index] {
            return Err(AnswerError::OutOfRange(format!("the choice `{id}` is selected twice")));
        }
        picked[index] = true;
        sum += choices[index].weight;
    }
    let positive: f64 = choices.iter().map(|c| c.weight.max(0.0)).sum();
    let fraction = if positive > 0.0 { (sum / positive).clamp(0.0, 1.0) } else { 0.0 };
    let exact = choices.iter().zip(&picked).all(|(choice, &picked)| picked == (choice.weight > 0.0));
    Ok(Outcome { correct: Some(exact), fraction })
}

/// A numeric answer: the best weight among the answers whose range holds
/// `value`; right at 100%.
fn judge_number(answers: &[NumericAnswer], value: f64) -> Result<Outcome, AnswerError> {
    if !value.is_finite() {
        return Err(AnswerError::OutOfRange("the number is not finite".into()));
    }
    let best = answers.iter().filter(|a| a.accepts.contains(value)).map(|a| a.weight).fold(0.0_f64, f64::max);
    Ok(Outcome { correct: Some(best >= 100.0), fraction: (best / 100.0).clamp(0.0, 1.0) })
}

/// An ordering answer, the item indexes in the order given: each of the
/// `items` once. The share of items in their place; right when all are.
fn judge_order(items: usize, order: &[usize]) -> Result<Outcome, AnswerError> {
    let mut seen = vec![false; items];
    for &index in order {
        match seen.get_mut(index) {
            Some(seen) if !*seen => *seen = true,
            _ => {
                return Err(AnswerError::OutOfRange(format!(
                    "the order must list each item index from 0 to {} once",
                    items.saturating_sub(1)
                )));
            }
        }
    }
    if order.len() != items {
        return Err(AnswerError::OutOfRange(format!("the order must list all {items} items")));
    }
    let in_place = order.iter().enumerate().filter(|(i, n)| i == *n).count();
    Ok(Outcome { correct: Some(in_place == items), fraction: in_place as f64 / items as f64 })
}

/// A word-cloud answer: 1 to `max_words` words, none empty once
/// normalized, none too long.
fn check_words(max_words: u8, words: &[String]) -> Result<(), AnswerError> {
    if words.is_empty() || words.len() > usize::from(max_words) {
        return Err(AnswerError::OutOfRange(format!("give 1 to {max_words} words, not {}", words.len())));
    }
    for word in words {
        check_length("a word", word, MAX_WORD_CHARS)?;
        if normalize(word).is_empty() {
            return Err(AnswerError::OutOfRange("a word is empty".into()));
        }
    }
    Ok(())
}

/// An open answer: some text, not too long.
fn check_open_text(text: &str) -> Result<(), AnswerError> {
    check_length("the text", text, MAX_OPEN_ANSWER_CHARS)?;
    if text.trim().is_empty() {
        return Err(AnswerError::OutOfRange("the text is empty".into()));
    }
    Ok(())
}

/// The words of a word-cloud answer as they are counted: normalized, empty
/// ones dropped, each counted once per participant.
pub fn cloud_words(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for word in words.iter().map(|w| normalize(w)) {
        if !word.is_empty() && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

fn check_length(what: &'static str, text: &str, max: usize) -> Result<(), AnswerError> {
    if text.chars().count() > max { Err(AnswerError::TooLong { what, max }) } else { Ok(()) }
}

/// When an answer came, for the speed bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeedBonus {
    /// Milliseconds between the question opening and the answer.
    pub answered_after_ms: u64,
    /// The question's time limit, in milliseconds.
    pub limit_ms: u64,
}

impl SpeedBonus {
    /// Linear from 1 (answered at once) down to 0.5 (answered at the
    /// deadline or later): `1 - 0.5 × min(answered_after, limit) / limit`.
    /// A zero limit gives 1.
    pub fn factor(&self) -> f64 {
        if self.limit_ms == 0 {
            return 1.0;
        }
        let elapsed = self.answered_after_ms.min(self.limit_ms) as f64;
        1.0 - 0.5 * elapsed / self.limit_ms as f64
    }
}

/// Points earned: `points × fraction × speed factor` (the factor is 1
/// without a speed bonus), rounded to the nearest integer. Ungraded kinds
/// earn 0; a fraction outside 0..=1 is clamped.
pub fn points(question: &Question, fraction: f64, speed: Option<SpeedBonus>) -> u32 {
    if !question.kind.is_graded() || fraction.is_nan() {
        return 0;
    }
    let factor = speed.map_or(1.0, |speed| speed.factor());
    let earned = f64::from(question.points) * fraction.clamp(0.0, 1.0) * factor;
    // The product is at most `question.points`, so it fits a u32.
    earned.round() as u32
}

#[cfg(test)]
// The questions ask for π to two decimals: 3.14 is meant.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use crate::quiz::model::{Choice, NumericAnswer, NumericRange, WeightedChoice};

    fn question(kind: QuestionKind) -> Question {
        Question {
            id: "q1".into(),
            title: None,
            prompt: "?".into(),
            image_url: None,
            explanation: None,
            time_limit_s: None,
            points: 1000,
            kind,
        }
    }

    fn single() -> Question {
        question(QuestionKind::SingleChoice {
            choices: ["Paris", "Lyon", "Lille"]
                .iter()
                .enumerate()
                .map(|(n, text)| Choice {
                    id: format!("c{}", n + 1),
                    text: (*text).into(),
                    correct: n == 0,
                    feedback: None,
                })
                .collect(),
        })
    }

    fn multiple(weights: &[f64]) -> Question {
        question(QuestionKind::MultipleChoice {
            choices: weights
                .iter()
                .enumerate()
                .map(|(n, &weight)| WeightedChoice {
                    id: format!("c{}", n + 1),
                    text: format!("choix {n}"),
                    weight,
                    feedback: None,
                })
                .collect(),
        })
    }

    fn choices(ids: &[&str]) -> Answer {
        Answer::Choices { choices: ids.iter().map(|id| (*id).into()).collect() }
    }

    fn outcome(correct: Option<bool>, fraction: f64) -> Outcome {
        Outcome { correct, fraction }
    }

    fn approx(found: Outcome, expected: Outcome) {
        assert_eq!(found.correct, expected.correct, "{found:?}");
        assert!((found.fraction - expected.fraction).abs() < 1e-9, "{found:?} != {expected:?}");
    }

    #[test]
    fn single_choice() {
        let q = single();
        let pick = |id: &str| check(&q, &Answer::Choice { choice: id.into() });
        assert_eq!(pick("c1"), Ok(outcome(Some(true), 1.0)));
        assert_eq!(pick("c2"), Ok(outcome(Some(false), 0.0)));
        assert_eq!(pick("c9"), Err(AnswerError::UnknownChoice("c9".into())));
        let error = check(&q, &Answer::Bool { value: true }).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidField);
        assert_eq!(error.to_string(), "a single_choice question takes a `choice` answer, not `bool`");
    }

    #[test]
    fn multiple_choice_partial_credit() {
        // Two right choices of 50 each, one wrong at -100, one neutral.
        let q = multiple(&[50.0, 50.0, -100.0, 0.0]);
        let cases: [(&[&str], Outcome); 8] = [
            (&["c1", "c2"], outcome(Some(true), 1.0)),
            (&["c2", "c1"], outcome(Some(true), 1.0)),
            (&["c1"], outcome(Some(false), 0.5)),
            (&["c1", "c2", "c4"], outcome(Some(false), 1.0)),
            (&["c1", "c3"], outcome(Some(false), 0.0)),
            (&["c1", "c2", "c3"], outcome(Some(false), 0.0)),
            (&["c3"], outcome(Some(false), 0.0)),
            (&[], outcome(Some(false), 0.0)),
        ];
        for (ids, expected) in cases {
            approx(check(&q, &choices(ids)).unwrap(), expected);
        }
        // A milder penalty leaves some credit.
        let q = multiple(&[50.0, 50.0, -25.0]);
        approx(check(&q, &choices(&["c1", "c2", "c3"])).unwrap(), outcome(Some(false), 0.75));
        // Weights that do not add up to 100 are scaled.
        let q = multiple(&[33.0, 33.0, 33.0, -100.0]);
        approx(check(&q, &choices(&["c1", "c2", "c3"])).unwrap(), outcome(Some(true), 1.0));
        approx(check(&q, &choices(&["c1"])).unwrap(), outcome(Some(false), 1.0 / 3.0));
        assert_eq!(
            check(&q, &choices(&["c1", "c1"])),
            Err(AnswerError::OutOfRange("the choice `c1` is selected twice".into()))
        );
        assert_eq!(check(&q, &choices(&["zz"])), Err(AnswerError::UnknownChoice("zz".into())));
        assert!(matches!(check(&q, &Answer::Choice { choice: "c1".into() }), Err(AnswerError::WrongType { .. })));
    }

    #[test]
    fn true_false() {
        let q = question(QuestionKind::TrueFalse { answer: false, feedback_true: None, feedback_false: None });
        assert_eq!(check(&q, &Answer::Bool { value: false }), Ok(outcome(Some(true), 1.0)));
        assert_eq!(check(&q, &Answer::Bool { value: true }), Ok(outcome(Some(false), 0.0)));
        assert!(check(&q, &Answer::Number { value: 0.0 }).is_err());
    }

    #[test]
    fn numeric_takes_the_best_matching_weight() {
        let q = question(QuestionKind::Numeric {
            answers: vec![
                NumericAnswer {
                    accepts: NumericRange::Exact { value: 3.14, tolerance: 0.01 },
                    weight: 100.0,
                    feedback: None,
                },
                NumericAnswer { accepts: NumericRange::Between { min: 2.0, max: 4.0 }, weight: 50.0, feedback: None },
            ],
        });
        let answer = |value| check(&q, &Answer::Number { value });
        assert_eq!(answer(3.141), Ok(outcome(Some(true), 1.0)));
        assert_eq!(answer(3.15), Ok(outcome(Some(true), 1.0)));
        assert_eq!(answer(3.0), Ok(outcome(Some(false), 0.5)));
        assert_eq!(answer(5.0), Ok(outcome(Some(false), 0.0)));
        assert!(matches!(answer(f64::INFINITY), Err(AnswerError::OutOfRange(_))));
    }

    #[test]
    fn short_text_ignores_case_accents_and_spaces() {
        let q = question(QuestionKind::ShortText { accepted: vec!["Érasme".into(), "Didier *".into()] });
        let answer = |text: &str| check(&q, &Answer::Text { text: text.into() });
        assert_eq!(answer("  erasme "), Ok(outcome(Some(true), 1.0)));
        assert_eq!(answer("ÉRASME"), Ok(outcome(Some(true), 1.0)));
        assert_eq!(answer("Didier Érasme"), Ok(outcome(Some(true), 1.0)));
        assert_eq!(answer("Luther"), Ok(outcome(Some(false), 0.0)));
        assert_eq!(answer(""), Ok(outcome(Some(false), 0.0)));
        let long = "a".repeat(MAX_SHORT_ANSWER_CHARS + 1);
        let error = answer(&long).unwrap_err();
        assert_eq!(error, AnswerError::TooLong { what: "the answer", max: MAX_SHORT_ANSWER_CHARS });
        assert_eq!(error.code(), ErrorCode::OutOfRange);
    }

    #[test]
    fn ordering_counts_items_in_place() {
        let q = question(QuestionKind::Ordering { items: ["a", "b", "c", "d"].map(String::from).to_vec() });
        let order = |items: &[usize]| check(&q, &Answer::Order { items: items.to_vec() });
        approx(order(&[0, 1, 2, 3]).unwrap(), outcome(Some(true), 1.0));
        approx(order(&[1, 0, 2, 3]).unwrap(), outcome(Some(false), 0.5));
        approx(order(&[3, 0, 1, 2]).unwrap(), outcome(Some(false), 0.0));
        approx(order(&[0, 1, 3, 2]).unwrap(), outcome(Some(false), 0.5));
        for bad in [&[0, 1, 2][..], &[0, 1, 2, 2], &[0, 1, 2, 4], &[0, 1, 2, 3, 3]] {
            assert!(matches!(order(bad), Err(AnswerError::OutOfRange(_))), "{bad:?}");
        }
    }

    #[test]
    fn ungraded_kinds_check_shape_only() {
        let cloud = question(QuestionKind::WordCloud { max_words: 2 });
        let words =
            |words: &[&str]| check(&cloud, &Answer::Words { words: words.iter().map(|w| (*w).into()).collect() });
        assert_eq!(words(&["Écoute", "respect"]), Ok(Outcome::UNGRADED));
        assert!(matches!(words(&[]), Err(AnswerError::OutOfRange(_))));
        assert!(matches!(words(&["a", "b", "c"]), Err(AnswerError::OutOfRange(_))));
        assert!(matches!(words(&["  "]), Err(AnswerError::OutOfRange(_))));
        assert!(matches!(words(&[&"x".repeat(MAX_WORD_CHARS + 1)]), Err(AnswerError::TooLong { .. })));

        let scale = question(QuestionKind::RatingScale { min: 1, max: 5, labels: vec![] });
        assert_eq!(check(&scale, &Answer::Rating { value: 5 }), Ok(Outcome::UNGRADED));
        assert_eq!(
            check(&scale, &Answer::Rating { value: 0 }),
            Err(AnswerError::OutOfRange("the rating must be 1 to 5, not 0".into()))
        );

        let open = question(QuestionKind::OpenText {});
        assert_eq!(check(&open, &Answer::Text { text: "Très utile".into() }), Ok(Outcome::UNGRADED));
        assert!(matches!(check(&open, &Answer::Text { text: " ".into() }), Err(AnswerError::OutOfRange(_))));
        assert!(matches!(
            check(&open, &Answer::Text { text: "x".repeat(MAX_OPEN_ANSWER_CHARS + 1) }),
            Err(AnswerError::TooLong { .. })
        ));
        assert!(matches!(check(&open, &Answer::Words { words: vec![] }), Err(AnswerError::WrongType { .. })));
        assert_eq!(points(&open, 1.0, None), 0);
    }

    #[test]
    fn cloud_words_are_normalized_and_counted_once() {
        let words = ["Écoute ", "ecoute", "  ", "Bienveillance"].map(String::from);
        assert_eq!(cloud_words(&words), ["ecoute", "bienveillance"]);
    }

    #[test]
    fn answers_are_tagged_json() {
        let answer: Answer = serde_json::from_str(r#"{"type":"order","items":[2,0,1]}"#).unwrap();
        assert_eq!(answer, Answer::Order { items: vec![2, 0, 1] });
        let json = serde_json::to_string(&Answer::Choice { choice: "c1".into() }).unwrap();
        assert_eq!(json, r#"{"type":"choice","choice":"c1"}"#);
        assert!(serde_json::from_str::<Answer>(r#"{"type":"guess"}"#).is_err());
    }

    #[test]
    fn points_scale_with_fraction_and_speed() {
        let q = single();
        assert_eq!(points(&q, 1.0, None), 1000);
        assert_eq!(points(&q, 0.5, None), 500);
        assert_eq!(points(&q, 0.0, None), 0);
        assert_eq!(points(&q, 1.5, None), 1000, "clamped");
        assert_eq!(points(&q, -1.0, None), 0, "clamped");
        assert_eq!(points(&q, f64::NAN, None), 0);
        assert_eq!(points(&q, 1.0 / 3.0, None), 333);

        let at = |answered_after_ms| Some(SpeedBonus { answered_after_ms, limit_ms: 20_000 });
        assert_eq!(points(&q, 1.0, at(0)), 1000);
        assert_eq!(points(&q, 1.0, at(5_000)), 875);
        assert_eq!(points(&q, 1.0, at(10_000)), 750);
        assert_eq!(points(&q, 1.0, at(20_000)), 500);
        assert_eq!(points(&q, 1.0, at(60_000)), 500, "late answers get half");
        assert_eq!(points(&q, 0.5, at(10_000)), 375);
        let no_limit = SpeedBonus { answered_after_ms: 5, limit_ms: 0 };
        assert_eq!(no_limit.factor(), 1.0);
        let max = Question { points: crate::quiz::model::MAX_POINTS, ..single() };
        assert_eq!(points(&max, 1.0, at(0)), 10_000);
    }
}
