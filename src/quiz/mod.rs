//! Quiz content for the interactive test: the model (also the native JSON
//! format), answer checking and scoring, and importers for Moodle's GIFT
//! and XML formats. Pure code: no I/O, no clock.
//!
//! [`import`] turns a file's text into a validated [`Quiz`]. Questions of
//! kinds amphi cannot ask (Moodle matching, descriptions, …) are listed in
//! [`Import::skipped`], never dropped silently; what an importer had to
//! leave out of a question it kept (partial credit on a wrong choice, an
//! embedded image, …) is listed in [`Import::warnings`]. Errors name the
//! line (GIFT, JSON) or the element (XML, e.g. `question[3]/answer[2]`).

mod gift;
pub mod model;
mod moodle_xml;
mod native;
pub mod normalize;
pub mod scoring;
mod text;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use model::{Choice, NumericAnswer, NumericRange, Question, QuestionKind, Quiz, QuizError, WeightedChoice};
pub use scoring::{Answer, AnswerError, Outcome, SpeedBonus, check, points};

/// The title of an imported quiz whose file names none (GIFT and Moodle XML
/// files without a category).
pub const DEFAULT_TITLE: &str = "Quiz importé";

/// The formats [`import`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    /// Moodle's GIFT text format.
    Gift,
    /// Moodle XML (`<quiz><question type="…">`).
    MoodleXml,
    /// amphi's native JSON (see [`model`]).
    Json,
}

impl ImportFormat {
    /// The format of a file: by its extension when it tells (`.gift`,
    /// `.txt`, `.xml`, `.json`), else by its first significant character
    /// (`<` for XML, `{` for JSON, GIFT otherwise).
    pub fn guess(file_name: Option<&str>, text: &str) -> ImportFormat {
        let extension =
            file_name.and_then(|name| name.rsplit_once('.')).map(|(_, extension)| extension.to_ascii_lowercase());
        match extension.as_deref() {
            Some("gift" | "txt") => return ImportFormat::Gift,
            Some("xml") => return ImportFormat::MoodleXml,
            Some("json") => return ImportFormat::Json,
            _ => {}
        }
        let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if start.starts_with('<') {
            ImportFormat::MoodleXml
        } else if start.starts_with('{') && serde_json::from_str::<serde_json::Value>(text).is_ok() {
            // A GIFT question may start with `{` too; only valid JSON is JSON.
            ImportFormat::Json
        } else {
            ImportFormat::Gift
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Gift => "gift",
            ImportFormat::MoodleXml => "moodlexml",
            ImportFormat::Json => "json",
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportFormat {
    type Err = String;

    /// `gift`, `moodlexml` (or `moodle_xml`, `xml`) or `json`, in any case.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "gift" => Ok(ImportFormat::Gift),
            "moodlexml" | "moodle_xml" | "xml" => Ok(ImportFormat::MoodleXml),
            "json" => Ok(ImportFormat::Json),
            _ => Err(format!("unknown format `{name}`: use gift, moodlexml or json")),
        }
    }
}

/// A quiz read from a file, with what could not come along.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    pub quiz: Quiz,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Warning>,
}

/// A question of the file that is not in the quiz, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    /// `line 12` (GIFT) or `question[3] (line 40)` (XML).
    pub position: String,
    /// The question's name, or the start of its text.
    pub title: String,
    pub reason: String,
}

/// Something an importer left out of a question it kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub position: String,
    pub title: String,
    pub message: String,
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// A GIFT syntax error; `line` counts from 1.
    #[error("line {line}: {message}")]
    Gift { line: usize, message: String },
    /// Malformed XML, or a Moodle XML element that does not make sense;
    /// `position` is `line L, column C` or an element path with its line.
    #[error("{position}: {message}")]
    Xml { position: String, message: String },
    /// Malformed or mistyped native JSON; `position` is `line L, column C`
    /// or a field path such as `questions[2]`.
    #[error("{position}: {message}")]
    Json { position: String, message: String },
    /// The questions were read but break rules of the model.
    #[error("{}", list_problems(.0))]
    Invalid(Vec<Problem>),
    /// Nothing to ask: every question was skipped (or there was none).
    #[error("{}", describe_empty(.skipped))]
    Empty { skipped: Vec<Skipped> },
}

/// A validation error and where its question is in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The question's position in the file (none for JSON, whose errors
    /// already name the question, and for quiz-wide rules).
    pub position: Option<String>,
    pub error: QuizError,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(position) => write!(f, "{position}: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

fn list_problems(problems: &[Problem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

fn describe_empty(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        return "the file holds no question".into();
    }
    let examples: Vec<String> = skipped.iter().take(3).map(|s| format!("{}: {}", s.position, s.reason)).collect();
    format!(
        "the file holds no question amphi can ask ({} skipped: {}{})",
        skipped.len(),
        examples.join("; "),
        if skipped.len() > 3 { "; …" } else { "" }
    )
}

/// Reads `text` in `format` into a validated quiz with fresh ids where the
/// file gave none. A byte order mark at the start is ignored.
pub fn import(text: &str, format: ImportFormat) -> Result<Import, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let draft = match format {
        ImportFormat::Gift => gift::parse(text)?,
        ImportFormat::MoodleXml => moodle_xml::parse(text)?,
        ImportFormat::Json => native::parse(text)?,
    };
    draft.finish()
}

/// What an importer produces before ids and validation.
#[derive(Debug, Default)]
struct Draft {
    title: Option<String>,
    /// Each question with its position in the file.
    questions: Vec<(Option<String>, Question)>,
    skipped: Vec<Skipped>,
    warnings: Vec<Warning>,
}

impl Draft {
    fn skip(&mut self, position: &str, title: &str, reason: impl Into<String>) {
        self.skipped.push(Skipped { position: position.into(), title: title.into(), reason: reason.into() });
    }

    fn warn(&mut self, position: &str, title: &str, message: impl Into<String>) {
        self.warnings.push(Warning { position: position.into(), title: title.into(), message: message.into() });
    }

    /// Sets the quiz title from a Moodle category path
    /// (`$course$/top/Ma catégorie` gives `Ma catégorie`), unless one is set.
    fn title_from_category(&mut self, path: &str) {
        if self.title.is_some() {
            return;
        }
        let name =
            path.rsplit('/').map(str::trim).find(|part| !part.is_empty() && !part.starts_with('$') && *part != "top");
        if let Some(name) = name {
            self.title = Some(name.chars().take(model::MAX_TITLE_CHARS).collect());
        }
    }

    fn finish(self) -> Result<Import, ImportError> {
        if self.questions.is_empty() {
            return Err(ImportError::Empty { skipped: self.skipped });
        }
        let (positions, questions): (Vec<_>, Vec<_>) = self.questions.into_iter().unzip();
        let mut quiz = Quiz { title: self.title.unwrap_or_else(|| DEFAULT_TITLE.into()), questions };
        quiz.assign_ids();
        quiz.validate().map_err(|errors| {
            ImportError::Invalid(
                errors
                    .into_iter()
                    .map(|error| Problem {
                        position: match &error {
                            QuizError::Question { index, .. } => positions.get(*index).cloned().flatten(),
                            _ => None,
                        },
                        error,
                    })
                    .collect(),
            )
        })?;
        Ok(Import { quiz, skipped: self.skipped, warnings: self.warnings })
    }
}

/// A short label for a question in reports: its title, else the start of
/// its text.
fn label(title: Option<&str>, prompt: &str) -> String {
    const MAX: usize = 60;
    if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
        return title.trim().to_string();
    }
    let flat = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > MAX {
        let cut: String = flat.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        flat
    }
}

/// Parses a number as people write it: `3.14`, `3,14` (French decimal
/// comma), `-2`, `1e3`; infinities and NaN are refused.
fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let text = if text.contains('.') { text.to_string() } else { text.replacen(',', ".", 1) };
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
// The questions ask for π to two decimals: 3.14 is meant.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_guessed_from_name_then_content() {
        assert_eq!(ImportFormat::guess(Some("a.GIFT"), "<x"), ImportFormat::Gift);
        assert_eq!(ImportFormat::guess(Some("quiz.txt"), "{}"), ImportFormat::Gift);
        assert_eq!(ImportFormat::guess(Some("q.xml"), ""), ImportFormat::MoodleXml);
        assert_eq!(ImportFormat::guess(Some("q.json"), ""), ImportFormat::Json);
        assert_eq!(ImportFormat::guess(None, "\u{feff}  <?xml version=\"1.0\"?><quiz/>"), ImportFormat::MoodleXml);
        assert_eq!(ImportFormat::guess(Some("upload"), "{\"title\": \"x\", \"questions\": []}"), ImportFormat::Json);
        assert_eq!(ImportFormat::guess(None, "{=a ~b} est la bonne réponse"), ImportFormat::Gift);
        assert_eq!(ImportFormat::guess(None, "::Q1:: 1 + 1 ? {#2}"), ImportFormat::Gift);
    }

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("GIFT".parse(), Ok(ImportFormat::Gift));
        assert_eq!("moodlexml".parse(), Ok(ImportFormat::MoodleXml));
        assert_eq!("moodle_xml".parse(), Ok(ImportFormat::MoodleXml));
        assert_eq!("xml".parse(), Ok(ImportFormat::MoodleXml));
        assert_eq!("json".parse(), Ok(ImportFormat::Json));
        assert!("csv".parse::<ImportFormat>().is_err());
        assert_eq!(serde_json::to_string(&ImportFormat::MoodleXml).unwrap(), "\"moodlexml\"");
    }

    #[test]
    fn numbers_accept_a_decimal_comma() {
        assert_eq!(parse_number(" 3,14 "), Some(3.14));
        assert_eq!(parse_number("-2"), Some(-2.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("1,000.5"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn labels_are_titles_or_short_prompts() {
        assert_eq!(label(Some(" Q1 "), "texte"), "Q1");
        assert_eq!(label(Some(""), "Quelle\n  heure ?"), "Quelle heure ?");
        let long = "mot ".repeat(30);
        let short = label(None, &long);
        assert!(short.ends_with('…') && short.chars().count() <= 60, "{short}");
    }

    #[test]
    fn category_paths_name_the_quiz() {
        let mut draft = Draft::default();
        draft.title_from_category("$course$/top/Didactique du français/");
        assert_eq!(draft.title.as_deref(), Some("Didactique du français"));
        draft.title_from_category("$course$/top/Autre");
        assert_eq!(draft.title.as_deref(), Some("Didactique du français"));
        let mut draft = Draft::default();
        draft.title_from_category("$course$/top");
        assert_eq!(draft.title, None);
    }

    #[test]
    fn an_empty_import_lists_what_was_skipped() {
        let error = import("Juste un texte d'introduction.", ImportFormat::Gift).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the file holds no question amphi can ask (1 skipped: line 1: description only (no answer block))"
        );
        let error = import("// rien\n\n", ImportFormat::Gift).unwrap_err();
        assert_eq!(error.to_string(), "the file holds no question");
    }

    #[test]
    fn validation_errors_point_into_the_file() {
        let text = "Q1 {T}\n\n\n{=a ~b}\n";
        let error = import(text, ImportFormat::Gift).unwrap_err();
        assert_eq!(error.to_string(), "line 4: question 2 (q2): the prompt is empty");
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let import = import("\u{feff}::T:: Vrai ? {T}", ImportFormat::Gift).unwrap();
        assert_eq!(import.quiz.questions[0].title.as_deref(), Some("T"));
    }
}
