//! The quiz model, which is also amphi's native JSON format, and its
//! validation against the documented limits.
//!
//! A question is one JSON object: the common fields (`id`, `prompt`, …) and
//! the fields of its kind side by side, the kind named by `type`:
//!
//! ```json
//! {"id": "q1", "prompt": "Capitale de la France ?", "points": 1000,
//!  "type": "single_choice",
//!  "choices": [{"id": "c1", "text": "Paris", "correct": true},
//!              {"id": "c2", "text": "Lyon", "correct": false}]}
//! ```
//!
//! Ids may be left out when writing a file by hand: [`Quiz::assign_ids`]
//! gives questions `q1`, `q2`, … and choices `c1`, `c2`, … (skipping ids
//! already taken). Every limit is a constant of this module.

use serde::{Deserialize, Serialize};

/// Points of a question that does not say otherwise. Large enough for the
/// speed bonus and partial credit to separate close answers on the
/// leaderboard.
pub const DEFAULT_POINTS: u32 = 1000;
/// Most points one question may be worth.
pub const MAX_POINTS: u32 = 10_000;
/// Most questions in one quiz.
pub const MAX_QUESTIONS: usize = 200;
/// Longest quiz title and question title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 2000;
/// Longest explanation (shown when the answer is revealed), in characters.
pub const MAX_EXPLANATION_CHARS: usize = 2000;
/// Longest feedback on one choice or answer, in characters.
pub const MAX_FEEDBACK_CHARS: usize = 1000;
/// Longest choice, ordering item or accepted answer, in characters.
pub const MAX_CHOICE_CHARS: usize = 500;
/// Fewest and most choices of a choice question.
pub const MIN_CHOICES: usize = 2;
pub const MAX_CHOICES: usize = 20;
/// Most accepted answers of a short-text question, and most answers of a
/// numeric question.
pub const MAX_ANSWERS: usize = 20;
/// Fewest and most items of an ordering question.
pub const MIN_ORDERING_ITEMS: usize = 2;
pub const MAX_ORDERING_ITEMS: usize = 10;
/// Most words one participant may give to a word cloud.
pub const MAX_CLOUD_WORDS: u8 = 10;
/// Highest value of a rating scale (the lowest is at least 0).
pub const MAX_RATING: u8 = 10;
/// Longest rating label, in characters.
pub const MAX_LABEL_CHARS: usize = 100;
/// Shortest and longest time limit, in seconds.
pub const MIN_TIME_LIMIT_S: u32 = 5;
pub const MAX_TIME_LIMIT_S: u32 = 3600;
/// Longest question or choice id; ids use ASCII letters, digits, `-`, `_`
/// and `.`.
pub const MAX_ID_CHARS: usize = 64;
/// Longest image address, in characters.
pub const MAX_URL_CHARS: usize = 2000;

/// A quiz: a title and its questions, in the order they are asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    pub title: String,
    pub questions: Vec<Question>,
}

/// One question: what every kind shares, then its kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within the quiz; `q1`, `q2`, … when the file gives none.
    #[serde(default)]
    pub id: String,
    /// A short name for the trainer's list (GIFT `::title::`, Moodle
    /// `<name>`); participants do not see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The question as shown to participants (plain text, line breaks kept).
    pub prompt: String,
    /// An illustration, `http` or `https` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Shown to everyone when the answer is revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Seconds to answer; none means the trainer closes the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<u32>,
    /// Points for a fully right answer (ignored by ungraded kinds).
    #[serde(default = "default_points")]
    pub points: u32,
    #[serde(flatten)]
    pub kind: QuestionKind,
}

fn default_points() -> u32 {
    DEFAULT_POINTS
}

/// What is asked and how an answer is judged; see `scoring` for the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One answer to pick; exactly one choice is correct.
    SingleChoice { choices: Vec<Choice> },
    /// Any number of answers to pick, each with a weight (partial credit).
    MultipleChoice { choices: Vec<WeightedChoice> },
    /// True or false.
    TrueFalse {
        answer: bool,
        /// Shown to those who answered true.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_true: Option<String>,
        /// Shown to those who answered false.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_false: Option<String>,
    },
    /// A number; the best matching answer gives its weight.
    Numeric { answers: Vec<NumericAnswer> },
    /// A few words, compared after normalization; `*` matches anything.
    ShortText { accepted: Vec<String> },
    /// Items to put in order; the correct order is the order given here.
    Ordering { items: Vec<String> },
    /// Free words, aggregated after normalization; no right answer.
    WordCloud {
        #[serde(default = "default_max_words")]
        max_words: u8,
    },
    /// A value on a scale; no right answer.
    RatingScale {
        #[serde(default = "default_rating_min")]
        min: u8,
        max: u8,
        /// None, the two ends (lowest first), or one per value.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        labels: Vec<String>,
    },
    /// Free text collected for the trainer; no right answer.
    OpenText {},
}

fn default_max_words() -> u8 {
    3
}

fn default_rating_min() -> u8 {
    1
}

impl QuestionKind {
    /// The `type` tag, as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultipleChoice { .. } => "multiple_choice",
            QuestionKind::TrueFalse { .. } => "true_false",
            QuestionKind::Numeric { .. } => "numeric",
            QuestionKind::ShortText { .. } => "short_text",
            QuestionKind::Ordering { .. } => "ordering",
            QuestionKind::WordCloud { .. } => "word_cloud",
            QuestionKind::RatingScale { .. } => "rating_scale",
            QuestionKind::OpenText {} => "open_text",
        }
    }

    /// Whether answers are right or wrong (and earn points).
    pub fn is_graded(&self) -> bool {
        !matches!(self, QuestionKind::WordCloud { .. } | QuestionKind::RatingScale { .. } | QuestionKind::OpenText {})
    }
}

/// A choice of a single-choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    #[serde(default)]
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub correct: bool,
    /// Shown to those who picked this choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// A choice of a multiple-choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedChoice {
    #[serde(default)]
    pub id: String,
    pub text: String,
    /// Percent, -100 to 100: positive for a right choice, zero or negative
    /// for a wrong one.
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// An accepted number or range and the credit it earns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawNumericAnswer", into = "RawNumericAnswer")]
pub struct NumericAnswer {
    pub accepts: NumericRange,
    /// Percent of the points, above 0 and at most 100.
    pub weight: f64,
    pub feedback: Option<String>,
}

/// The numbers a [`NumericAnswer`] accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumericRange {
    /// `value ± tolerance`.
    Exact { value: f64, tolerance: f64 },
    /// `min ..= max`.
    Between { min: f64, max: f64 },
}

/// The JSON shape of a [`NumericAnswer`]: `{"value", "tolerance"}` or
/// `{"min", "max"}`, with an optional `weight` (default 100) and `feedback`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumericAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tolerance: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(default = "full_weight")]
    weight: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feedback: Option<String>,
}

fn full_weight() -> f64 {
    100.0
}

impl TryFrom<RawNumericAnswer> for NumericAnswer {
    type Error = String;

    fn try_from(raw: RawNumericAnswer) -> Result<Self, Self::Error> {
        let accepts = match (raw.value, raw.tolerance, raw.min, raw.max) {
            (Some(value), tolerance, None, None) => NumericRange::Exact { value, tolerance: tolerance.unwrap_or(0.0) },
            (None, None, Some(min), Some(max)) => NumericRange::Between { min, max },
            _ => {
                return Err("a numeric answer has either `value` (and an optional \
                            `tolerance`) or both `min` and `max`"
                    .into());
            }
        };
        Ok(NumericAnswer { accepts, weight: raw.weight, feedback: raw.feedback })
    }
}

impl From<NumericAnswer> for RawNumericAnswer {
    fn from(answer: NumericAnswer) -> Self {
        let (value, tolerance, min, max) = match answer.accepts {
            NumericRange::Exact { value, tolerance } => (Some(value), Some(tolerance), None, None),
            NumericRange::Between { min, max } => (None, None, Some(min), Some(max)),
        };
        RawNumericAnswer { value, tolerance, min, max, weight: answer.weight, feedback: answer.feedback }
    }
}

impl NumericRange {
    /// Whether `x` is accepted. Bounds are widened by a billionth of the
    /// value's size so that `3.15` is within `3.14 ± 0.01` despite binary
    /// floating point.
    pub fn contains(&self, x: f64) -> bool {
        let (low, high) = match *self {
            NumericRange::Exact { value, tolerance } => (value - tolerance, value + tolerance),
            NumericRange::Between { min, max } => (min, max),
        };
        let slack = 1e-9 * low.abs().max(high.abs()).max(1.0);
        x >= low - slack && x <= high + slack
    }
}

/// A broken rule of the model, naming the question it is about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuizError {
    #[error("the quiz title must have 1 to {MAX_TITLE_CHARS} characters")]
    Title,
    #[error("a quiz has 1 to {MAX_QUESTIONS} questions, not {0}")]
    QuestionCount(usize),
    /// `index` counts from 0; the message counts from 1.
    #[error("question {} ({id}): {problem}", .index + 1)]
    Question { index: usize, id: String, problem: String },
}

impl Quiz {
    /// Gives every question and choice without an id a fresh one: `q1`,
    /// `q2`, … by position for questions, `c1`, `c2`, … for choices,
    /// skipping ids already in use.
    pub fn assign_ids(&mut self) {
        let mut taken: Vec<String> = self.questions.iter().filter(|q| !q.id.is_empty()).map(|q| q.id.clone()).collect();
        for (index, question) in self.questions.iter_mut().enumerate() {
            if question.id.is_empty() {
                question.id = fresh_id("q", index + 1, &taken);
                taken.push(question.id.clone());
            }
            match &mut question.kind {
                QuestionKind::SingleChoice { choices } => {
                    assign_choice_ids(choices.iter_mut().map(|c| &mut c.id));
                }
                QuestionKind::MultipleChoice { choices } => {
                    assign_choice_ids(choices.iter_mut().map(|c| &mut c.id));
                }
                _ => {}
            }
        }
    }

    /// Checks every limit and rule; returns all the problems found, each
    /// naming its question.
    pub fn validate(&self) -> Result<(), Vec<QuizError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            errors.push(QuizError::Title);
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            errors.push(QuizError::QuestionCount(self.questions.len()));
        }
        let mut seen_ids: Vec<&str> = Vec::new();
        for (index, question) in self.questions.iter().enumerate() {
            let mut problems = Vec::new();
            if seen_ids.contains(&question.id.as_str()) {
                problems.push(format!("the id `{}` is used twice", question.id));
            }
            seen_ids.push(&question.id);
            question.check(&mut problems);
            errors.extend(problems.into_iter().map(|problem| QuizError::Question {
                index,
                id: question.id.clone(),
                problem,
            }));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

fn fresh_id(prefix: &str, start: usize, taken: &[String]) -> String {
    (start..).map(|n| format!("{prefix}{n}")).find(|id| !taken.contains(id)).unwrap_or_default()
}

fn assign_choice_ids<'a>(ids: impl Iterator<Item = &'a mut String>) {
    let mut ids: Vec<&mut String> = ids.collect();
    let mut taken: Vec<String> = ids.iter().filter(|id| !id.is_empty()).map(|id| id.to_string()).collect();
    for (index, id) in ids.iter_mut().enumerate() {
        if id.is_empty() {
            **id = fresh_id("c", index + 1, &taken);
            taken.push(id.to_string());
        }
    }
}

impl Question {
    /// Appends a sentence for each broken rule to `problems`.
    fn check(&self, problems: &mut Vec<String>) {
        self.check_common_fields(problems);
        self.kind.check(problems);
    }

    /// The rules of the fields every kind of question has.
    fn check_common_fields(&self, problems: &mut Vec<String>) {
        check_id("the question id", &self.id, problems);
        if let Some(title) = &self.title {
            check_len("the title", title, MAX_TITLE_CHARS, problems);
        }
        check_text("the prompt", &self.prompt, MAX_PROMPT_CHARS, problems);
        if let Some(url) = &self.image_url {
            check_url(url, problems);
        }
        if let Some(explanation) = &self.explanation {
            check_len("the explanation", explanation, MAX_EXPLANATION_CHARS, problems);
        }
        if let Some(limit) = self.time_limit_s
            && !(MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S).contains(&limit)
        {
            problems
                .push(format!("the time limit must be {MIN_TIME_LIMIT_S} to {MAX_TIME_LIMIT_S} seconds, not {limit}"));
        }
        if self.points > MAX_POINTS {
            problems.push(format!("a question is worth at most {MAX_POINTS} points, not {}", self.points));
        }
    }
}

impl QuestionKind {
    /// The rules of this kind's own fields.
    fn check(&self, problems: &mut Vec<String>) {
        match self {
            QuestionKind::SingleChoice { choices } => check_single_choice(choices, problems),
            QuestionKind::MultipleChoice { choices } => check_multiple_choice(choices, problems),
            QuestionKind::TrueFalse { feedback_true, feedback_false, .. } => {
                for feedback in [feedback_true, feedback_false].into_iter().flatten() {
                    check_len("the feedback", feedback, MAX_FEEDBACK_CHARS, problems);
                }
            }
            QuestionKind::Numeric { answers } => check_numeric(answers, problems),
            QuestionKind::ShortText { accepted } => check_short_text(accepted, problems),
            QuestionKind::Ordering { items } => check_ordering(items, problems),
            QuestionKind::WordCloud { max_words } => {
                if !(1..=MAX_CLOUD_WORDS).contains(max_words) {
                    problems.push(format!("`max_words` must be 1 to {MAX_CLOUD_WORDS}, not {max_words}"));
                }
            }
            QuestionKind::RatingScale { min, max, labels } => check_rating_scale(*min, *max, labels, problems),
            QuestionKind::OpenText {} => {}
        }
    }
}

fn check_single_choice(choices: &[Choice], problems: &mut Vec<String>) {
    check_choice_count(choices.len(), problems);
    let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
    check_choice_ids(&ids, problems);
    for (n, choice) in choices.iter().enumerate() {
        check_choice_text(n, &choice.text, choice.feedback.as_deref(), problems);
    }
    let correct = choices.iter().filter(|c| c.correct).count();
    if correct != 1 {
        problems.push(format!("a single-choice question has exactly one correct choice, not {correct}"));
    }
}

fn check_multiple_choice(choices: &[WeightedChoice], problems: &mut Vec<String>) {
    check_choice_count(choices.len(), problems);
    let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
    check_choice_ids(&ids, problems);
    for (n, choice) in choices.iter().enumerate() {
        check_choice_text(n, &choice.text, choice.feedback.as_deref(), problems);
        if !(choice.weight.is_finite() && (-100.0..=100.0).contains(&choice.weight)) {
            problems.push(format!("choice {}: the weight must be -100 to 100 (percent), not {}", n + 1, choice.weight));
        }
    }
    if !choices.iter().any(|c| c.weight > 0.0) {
        problems.push("a multiple-choice question needs a choice with a positive weight".into());
    }
}

fn check_numeric(answers: &[NumericAnswer], problems: &mut Vec<String>) {
    if answers.is_empty() || answers.len() > MAX_ANSWERS {
        problems.push(format!("a numeric question has 1 to {MAX_ANSWERS} answers, not {}", answers.len()));
    }
    for (n, answer) in answers.iter().enumerate() {
        check_numeric_answer(n, answer, problems);
    }
    if !answers.is_empty() && !answers.iter().any(|a| a.weight == 100.0) {
        problems.push("a numeric question needs an answer worth 100%".into());
    }
}

fn check_short_text(accepted: &[String], problems: &mut Vec<String>) {
    if accepted.is_empty() || accepted.len() > MAX_ANSWERS {
        problems.push(format!("a short-text question has 1 to {MAX_ANSWERS} accepted answers, not {}", accepted.len()));
    }
    for (n, text) in accepted.iter().enumerate() {
        check_text(&format!("accepted answer {}", n + 1), text, MAX_CHOICE_CHARS, problems);
    }
}

fn check_ordering(items: &[String], problems: &mut Vec<String>) {
    if !(MIN_ORDERING_ITEMS..=MAX_ORDERING_ITEMS).contains(&items.len()) {
        problems.push(format!(
            "an ordering question has {MIN_ORDERING_ITEMS} to {MAX_ORDERING_ITEMS} items, not {}",
            items.len()
        ));
    }
    for (n, item) in items.iter().enumerate() {
        check_text(&format!("item {}", n + 1), item, MAX_CHOICE_CHARS, problems);
        if items[..n].contains(item) {
            problems.push(format!("item {} repeats an earlier item", n + 1));
        }
    }
}

fn check_rating_scale(min: u8, max: u8, labels: &[String], problems: &mut Vec<String>) {
    if min >= max || max > MAX_RATING {
        problems.push(format!("a rating scale needs `min` < `max` <= {MAX_RATING}, not {min} and {max}"));
    } else {
        let values = usize::from(max - min) + 1;
        if !(labels.is_empty() || labels.len() == 2 || labels.len() == values) {
            problems.push(format!(
                "a rating scale has no labels, 2 (its ends) or {values} (one per value), not {}",
                labels.len()
            ));
        }
    }
    for label in labels {
        check_text("a label", label, MAX_LABEL_CHARS, problems);
    }
}

fn check_len(what: &str, text: &str, max: usize, problems: &mut Vec<String>) {
    let count = text.chars().count();
    if count > max {
        problems.push(format!("{what} has {count} characters, more than {max}"));
    }
}

fn check_text(what: &str, text: &str, max: usize, problems: &mut Vec<String>) {
    if text.trim().is_empty() {
        problems.push(format!("{what} is empty"));
    } else {
        check_len(what, text, max, problems);
    }
}

fn check_id(what: &str, id: &str, problems: &mut Vec<String>) {
    let valid_chars = id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if id.is_empty() || id.len() > MAX_ID_CHARS || !valid_chars {
        problems.push(format!("{what} `{id}` must have 1 to {MAX_ID_CHARS} ASCII letters, digits, `-`, `_` or `.`"));
    }
}

fn check_url(url: &str, problems: &mut Vec<String>) {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host_present = rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if !host_present || url.chars().any(char::is_whitespace) || url.len() > MAX_URL_CHARS {
        problems.push(format!("the image address must be an http or https URL of at most {MAX_URL_CHARS} characters"));
    }
}

fn check_choice_count(count: usize, problems: &mut Vec<String>) {
    if !(MIN_CHOICES..=MAX_CHOICES).contains(&count) {
        problems.push(format!("a choice question has {MIN_CHOICES} to {MAX_CHOICES} choices, not {count}"));
    }
}

fn check_choice_ids(ids: &[&str], problems: &mut Vec<String>) {
    for (n, id) in ids.iter().enumerate() {
        check_id(&format!("choice {}: the id", n + 1), id, problems);
        if ids[..n].contains(id) {
            problems.push(format!("choice {}: the id `{id}` is used twice", n + 1));
        }
    }
}

fn check_choice_text(n: usize, text: &str, feedback: Option<&str>, problems: &mut Vec<String>) {
    check_text(&format!("choice {}", n + 1), text, MAX_CHOICE_CHARS, problems);
    if let Some(feedback) = feedback {
        check_len(&format!("choice {}: the feedback", n + 1), feedback, MAX_FEEDBACK_CHARS, problems);
    }
}

fn check_numeric_answer(n: usize, answer: &NumericAnswer, problems: &mut Vec<String>) {
    let label = format!("answer {}", n + 1);
    match answer.accepts {
        NumericRange::Exact { value, tolerance } => {
            if !value.is_finite() || !tolerance.is_finite() || tolerance < 0.0 {
                problems.push(format!("{label}: the value must be a number and the tolerance a number >= 0"));
            }
        }
        NumericRange::Between { min, max } => {
            if !min.is_finite() || !max.is_finite() || min > max {
                problems.push(format!("{label}: the range needs numbers with min <= max"));
            }
        }
    }
    if !(answer.weight.is_finite() && answer.weight > 0.0 && answer.weight <= 100.0) {
        problems.push(format!("{label}: the weight must be above 0 and at most 100 (percent), not {}", answer.weight));
    }
    if let Some(feedback) = &answer.feedback {
        check_len(&format!("{label}: the feedback"), feedback, MAX_FEEDBACK_CHARS, problems);
    }
}

#[cfg(test)]
// The questions ask for π to two decimals: 3.14 is meant.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use serde_json::json;

    fn question(kind: QuestionKind) -> Question {
        Question {
            id: String::new(),
            title: None,
            prompt: "Combien ?".into(),
            image_url: None,
            explanation: None,
            time_limit_s: None,
            points: DEFAULT_POINTS,
            kind,
        }
    }

    fn quiz(questions: Vec<Question>) -> Quiz {
        let mut quiz = Quiz { title: "Quiz".into(), questions };
        quiz.assign_ids();
        quiz
    }

    fn problems(quiz: &Quiz) -> Vec<String> {
        match quiz.validate() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    fn choices(correct: &[bool]) -> Vec<Choice> {
        correct
            .iter()
            .enumerate()
            .map(|(n, &correct)| Choice { id: String::new(), text: format!("choix {n}"), correct, feedback: None })
            .collect()
    }

    #[test]
    fn a_question_is_one_flat_object_tagged_by_type() {
        let json = json!({
            "prompt": "Capitale ?",
            "type": "single_choice",
            "choices": [{"text": "Paris", "correct": true}, {"text": "Lyon"}]
        });
        let mut question: Question = serde_json::from_value(json).unwrap();
        assert_eq!(question.points, DEFAULT_POINTS);
        let mut quiz = Quiz { title: "T".into(), questions: vec![question.clone()] };
        quiz.assign_ids();
        question = quiz.questions[0].clone();
        assert_eq!(question.id, "q1");
        let value = serde_json::to_value(&question).unwrap();
        assert_eq!(value["type"], "single_choice");
        assert_eq!(value["choices"][1]["id"], "c2");
        assert_eq!(value["choices"][1]["correct"], false);
        assert!(value.get("title").is_none(), "absent options are left out");
        let back: Question = serde_json::from_value(value).unwrap();
        assert_eq!(back, question);
    }

    #[test]
    fn numeric_answers_are_a_value_or_a_range() {
        let answers: Vec<NumericAnswer> = serde_json::from_value(json!([
            {"value": 3.14, "tolerance": 0.01},
            {"min": 1, "max": 5, "weight": 50, "feedback": "presque"},
            {"value": 2}
        ]))
        .unwrap();
        assert_eq!(answers[0].accepts, NumericRange::Exact { value: 3.14, tolerance: 0.01 });
        assert_eq!(answers[0].weight, 100.0);
        assert_eq!(answers[1].accepts, NumericRange::Between { min: 1.0, max: 5.0 });
        assert_eq!(answers[1].feedback.as_deref(), Some("presque"));
        assert_eq!(answers[2].accepts, NumericRange::Exact { value: 2.0, tolerance: 0.0 });
        for bad in
            [json!({"value": 1, "min": 0, "max": 2}), json!({"min": 0}), json!({}), json!({"value": 1, "tolerence": 2})]
        {
            let error = serde_json::from_value::<NumericAnswer>(bad.clone()).unwrap_err();
            assert!(error.to_string().contains("value") || error.to_string().contains("unknown"), "{bad}: {error}");
        }
        let round_trip: Vec<NumericAnswer> = serde_json::from_value(serde_json::to_value(&answers).unwrap()).unwrap();
        assert_eq!(round_trip, answers);
    }

    #[test]
    fn ranges_forgive_floating_point_noise_only() {
        let pi = NumericRange::Exact { value: 3.14, tolerance: 0.01 };
        assert!(pi.contains(3.15) && pi.contains(3.13) && pi.contains(3.14));
        assert!(!pi.contains(3.151) && !pi.contains(3.129));
        let range = NumericRange::Between { min: 1.0, max: 5.0 };
        assert!(range.contains(1.0) && range.contains(5.0) && range.contains(2.5));
        assert!(!range.contains(5.001) && !range.contains(0.999));
        assert!(!range.contains(f64::NAN));
    }

    #[test]
    fn ids_are_generated_around_taken_ones() {
        let mut first = question(QuestionKind::OpenText {});
        first.id = "q2".into();
        let mut single = question(QuestionKind::SingleChoice { choices: choices(&[true, false, false]) });
        if let QuestionKind::SingleChoice { choices } = &mut single.kind {
            choices[0].id = "c2".into();
        }
        let quiz = quiz(vec![first, single, question(QuestionKind::OpenText {})]);
        let ids: Vec<&str> = quiz.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["q2", "q3", "q4"]);
        let QuestionKind::SingleChoice { choices } = &quiz.questions[1].kind else {
            panic!("kind changed");
        };
        let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c2", "c3", "c4"]);
        assert_eq!(problems(&quiz), Vec::<String>::new());
    }

    #[test]
    fn validation_names_the_question_and_the_limit() {
        let mut long = question(QuestionKind::OpenText {});
        long.prompt = "é".repeat(MAX_PROMPT_CHARS + 1);
        let mut two_right = question(QuestionKind::SingleChoice { choices: choices(&[true, true]) });
        two_right.id = "deux".into();
        let found = problems(&quiz(vec![long, two_right]));
        assert_eq!(
            found,
            [
                "question 1 (q1): the prompt has 2001 characters, more than 2000",
                "question 2 (deux): a single-choice question has exactly one correct choice, not 2",
            ]
        );
    }

    #[test]
    fn validation_covers_every_rule() {
        let cases: Vec<(Question, &str)> = vec![
            (Question { prompt: "  ".into(), ..question(QuestionKind::OpenText {}) }, "the prompt is empty"),
            (
                Question { image_url: Some("javascript:alert(1)".into()), ..question(QuestionKind::OpenText {}) },
                "http or https",
            ),
            (Question { image_url: Some("https://".into()), ..question(QuestionKind::OpenText {}) }, "http or https"),
            (
                Question { time_limit_s: Some(2), ..question(QuestionKind::OpenText {}) },
                "time limit must be 5 to 3600 seconds, not 2",
            ),
            (Question { points: MAX_POINTS + 1, ..question(QuestionKind::OpenText {}) }, "at most 10000 points"),
            (Question { id: "a b".into(), ..question(QuestionKind::OpenText {}) }, "the question id `a b` must have"),
            (question(QuestionKind::SingleChoice { choices: choices(&[true]) }), "2 to 20 choices, not 1"),
            (question(QuestionKind::SingleChoice { choices: choices(&[false; 21]) }), "2 to 20 choices, not 21"),
            (
                question(QuestionKind::MultipleChoice {
                    choices: vec![
                        WeightedChoice { id: "x".into(), text: "a".into(), weight: 150.0, feedback: None },
                        WeightedChoice { id: "x".into(), text: "b".into(), weight: 0.0, feedback: None },
                    ],
                }),
                "choice 1: the weight must be -100 to 100",
            ),
            (
                question(QuestionKind::MultipleChoice {
                    choices: vec![
                        WeightedChoice { id: "x".into(), text: "a".into(), weight: 50.0, feedback: None },
                        WeightedChoice { id: "x".into(), text: "b".into(), weight: 50.0, feedback: None },
                    ],
                }),
                "choice 2: the id `x` is used twice",
            ),
            (
                question(QuestionKind::MultipleChoice {
                    choices: vec![
                        WeightedChoice { id: String::new(), text: "a".into(), weight: 0.0, feedback: None },
                        WeightedChoice { id: String::new(), text: "b".into(), weight: -50.0, feedback: None },
                    ],
                }),
                "needs a choice with a positive weight",
            ),
            (
                question(QuestionKind::Numeric {
                    answers: vec![NumericAnswer {
                        accepts: NumericRange::Between { min: 5.0, max: 1.0 },
                        weight: 100.0,
                        feedback: None,
                    }],
                }),
                "answer 1: the range needs numbers with min <= max",
            ),
            (
                question(QuestionKind::Numeric {
                    answers: vec![NumericAnswer {
                        accepts: NumericRange::Exact { value: 1.0, tolerance: 0.0 },
                        weight: 50.0,
                        feedback: None,
                    }],
                }),
                "needs an answer worth 100%",
            ),
            (question(QuestionKind::Numeric { answers: vec![] }), "1 to 20 answers, not 0"),
            (question(QuestionKind::ShortText { accepted: vec![" ".into()] }), "accepted answer 1 is empty"),
            (
                question(QuestionKind::Ordering { items: vec!["a".into(), "b".into(), "a".into()] }),
                "item 3 repeats an earlier item",
            ),
            (question(QuestionKind::Ordering { items: vec!["a".into()] }), "2 to 10 items, not 1"),
            (question(QuestionKind::WordCloud { max_words: 0 }), "`max_words` must be 1 to 10, not 0"),
            (question(QuestionKind::RatingScale { min: 5, max: 5, labels: vec![] }), "`min` < `max` <= 10"),
            (
                question(QuestionKind::RatingScale {
                    min: 1,
                    max: 5,
                    labels: vec!["a".into(), "b".into(), "c".into()],
                }),
                "no labels, 2 (its ends) or 5 (one per value), not 3",
            ),
            (
                question(QuestionKind::TrueFalse {
                    answer: true,
                    feedback_true: Some("x".repeat(MAX_FEEDBACK_CHARS + 1)),
                    feedback_false: None,
                }),
                "the feedback has 1001 characters",
            ),
        ];
        for (question, expected) in cases {
            let found = problems(&quiz(vec![question.clone()]));
            assert!(found.iter().any(|p| p.contains(expected)), "{question:?}: expected `{expected}`, found {found:?}");
        }
    }

    #[test]
    fn quiz_level_rules() {
        let empty = Quiz { title: " ".into(), questions: vec![] };
        assert_eq!(
            problems(&empty),
            ["the quiz title must have 1 to 200 characters", "a quiz has 1 to 200 questions, not 0"]
        );
        let many = quiz(vec![question(QuestionKind::OpenText {}); MAX_QUESTIONS + 1]);
        assert_eq!(problems(&many), ["a quiz has 1 to 200 questions, not 201"]);
        let mut twice = quiz(vec![question(QuestionKind::OpenText {}); 2]);
        twice.questions[1].id = "q1".into();
        assert_eq!(problems(&twice), ["question 2 (q1): the id `q1` is used twice"]);
    }

    #[test]
    fn valid_kinds_pass() {
        let all = quiz(vec![
            question(QuestionKind::TrueFalse {
                answer: false,
                feedback_true: None,
                feedback_false: Some("Bravo".into()),
            }),
            question(QuestionKind::WordCloud { max_words: 3 }),
            question(QuestionKind::RatingScale {
                min: 0,
                max: 10,
                labels: vec!["pas du tout".into(), "tout à fait".into()],
            }),
            Question {
                image_url: Some("https://example.org/a.png".into()),
                time_limit_s: Some(30),
                explanation: Some("Parce que.".into()),
                ..question(QuestionKind::Ordering { items: vec!["un".into(), "deux".into()] })
            },
        ]);
        assert_eq!(problems(&all), Vec::<String>::new());
    }
}
