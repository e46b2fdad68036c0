//! Moodle's GIFT text format, read as Moodle reads it, with a few
//! kindnesses (noted) and clear errors naming the line.
//!
//! - Questions are separated by blank lines; lines starting with `//` are
//!   comments; a `$CATEGORY:` line names the quiz (the first one) and may
//!   also stand right before a question.
//! - `::title::` names a question; `[html]`, `[moodle]` (the default),
//!   `[plain]` or `[markdown]` before the text sets its format (HTML is
//!   turned into text, and its first web image becomes the question's).
//! - `\~ \= \# \{ \} \: \\` are literal characters; `\n` is a line break.
//! - The answer block `{…}` decides the kind, in Moodle's order:
//!   - `{}` (or only `####feedback`): open text (Moodle's essay);
//!   - `{#…}`: numeric, with `=` answers such as `{#3.14:0.01}`,
//!     `{#1..5}` or `{#=%100%3.14:0.01 =%50%3:1}` (a decimal comma is
//!     accepted);
//!   - a `~` anywhere: single choice when one answer is marked `=`,
//!     multiple choice (weights `~%50%`, `~%-100%`) when none is;
//!   - `=` and `->`: matching, not supported (listed as skipped);
//!   - `{T}`, `{TRUE}`, `{F}`, `{FALSE}` (any case), with `#feedback if
//!     wrong#feedback if right`: true/false;
//!   - otherwise short text: every `=` answer at 100% is accepted.
//! - `#…` after an answer is its feedback; `####…` at the end of the block
//!   is the general feedback, which becomes the explanation.
//! - Text after the block makes a fill-the-blank: the block is replaced by
//!   `_____` in the prompt.
//! - A question without a block is a description: listed as skipped.

use super::model::{Choice, DEFAULT_POINTS, NumericAnswer, NumericRange, Question, QuestionKind, WeightedChoice};
use super::text::{TextFormat, images};
use super::{Draft, ImportError, label, parse_number};

/// One character of a question, knowing whether it was escaped and on
/// which line (from 1) it stands.
#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    escaped: bool,
    line: usize,
}

impl Ch {
    /// Whether this is the unescaped (special) character `c`.
    fn is(self, c: char) -> bool {
        !self.escaped && self.c == c
    }
}

/// Reads a whole GIFT file.
pub(super) fn parse(text: &str) -> Result<Draft, ImportError> {
    let mut draft = Draft::default();
    let mut block: Vec<Ch> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            continue;
        }
        if let Some(category) = trimmed.strip_prefix("$CATEGORY:") {
            read_block(&mut block, &mut draft)?;
            draft.title_from_category(category);
            continue;
        }
        if trimmed.is_empty() {
            read_block(&mut block, &mut draft)?;
            continue;
        }
        if !block.is_empty() {
            block.push(Ch { c: '\n', escaped: false, line: number });
        }
        push_line(&mut block, line, number);
    }
    read_block(&mut block, &mut draft)?;
    Ok(draft)
}

fn push_line(block: &mut Vec<Ch>, line: &str, number: usize) {
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let (c, escaped) = match (c, chars.peek()) {
            ('\\', Some(&next @ (':' | '#' | '=' | '{' | '}' | '~' | '\\'))) => {
                chars.next();
                (next, true)
            }
            ('\\', Some('n')) => {
                chars.next();
                ('\n', true)
            }
            _ => (c, false),
        };
        block.push(Ch { c, escaped, line: number });
    }
}

/// Reads the question gathered in `block` (if any) into `draft`, and
/// empties `block`.
fn read_block(block: &mut Vec<Ch>, draft: &mut Draft) -> Result<(), ImportError> {
    let chars = std::mem::take(block);
    let chars = trim(&chars);
    if chars.is_empty() {
        return Ok(());
    }
    read_question(chars, draft)
}

fn error(line: usize, message: impl Into<String>) -> ImportError {
    ImportError::Gift { line, message: message.into() }
}

fn read_question(chars: &[Ch], draft: &mut Draft) -> Result<(), ImportError> {
    let first_line = chars[0].line;
    let position = format!("line {first_line}");
    let (title, rest) = take_title(chars, first_line)?;
    let (format, rest) = take_format(rest);

    let Some((open, close)) = find_answer_block(rest)? else {
        let prompt = format.to_text(&collect(rest));
        draft.skip(&position, &label(title.as_deref(), &prompt), "description only (no answer block)");
        return Ok(());
    };
    let after = &rest[close + 1..];
    let mut raw_prompt = collect(&rest[..open]);
    if !trim(after).is_empty() {
        raw_prompt.push_str("_____");
        raw_prompt.push_str(&collect(after));
    }
    let prompt = format.to_text(&raw_prompt);
    let name = label(title.as_deref(), &prompt);

    let mut answer = &rest[open + 1..close];
    let mut explanation = None;
    if let Some(at) = rfind_seq(answer, "####") {
        explanation = some_text(format, &answer[at + 4..]);
        answer = &answer[..at];
    }
    let answer = trim(answer);
    let block_line = rest[open].line;

    let image_url = web_image(&raw_prompt, format, draft, &position, &name);
    let Some(kind) = answer_kind(answer, format, block_line, draft, &position, &name)? else {
        return Ok(());
    };

    draft.questions.push((
        Some(position),
        Question {
            id: String::new(),
            title,
            prompt,
            image_url,
            explanation,
            time_limit_s: None,
            points: DEFAULT_POINTS,
            kind,
        },
    ));
    Ok(())
}

/// A leading `::title::` (none if empty), and what follows it.
fn take_title(chars: &[Ch], first_line: usize) -> Result<(Option<String>, &[Ch]), ImportError> {
    if !starts_with(chars, "::") {
        return Ok((None, chars));
    }
    let after = &chars[2..];
    let end = find_seq(after, "::")
        .ok_or_else(|| error(first_line, "the question name opened with `::` is not closed with `::`"))?;
    let title = Some(collect(&after[..end]).trim().to_string()).filter(|t| !t.is_empty());
    Ok((title, trim(&after[end + 2..])))
}

/// A leading `[format]` (Moodle's by default), and what follows it.
fn take_format(chars: &[Ch]) -> (TextFormat, &[Ch]) {
    if chars.first().is_some_and(|ch| ch.is('['))
        && let Some(end) = chars.iter().position(|ch| ch.is(']'))
        && let Some(named) = TextFormat::from_name(&collect(&chars[1..end]))
    {
        return (named, trim(&chars[end + 1..]));
    }
    (TextFormat::Moodle, chars)
}

/// Where the question's one answer block opens and closes (`{`, `}`);
/// `None` for a question without one (a description). Braces out of place
/// are errors naming their line.
fn find_answer_block(rest: &[Ch]) -> Result<Option<(usize, usize)>, ImportError> {
    let open = rest.iter().position(|ch| ch.is('{'));
    let close = rest.iter().position(|ch| ch.is('}'));
    let (open, close) = match (open, close) {
        (None, None) => return Ok(None),
        (Some(open), None) => {
            return Err(error(
                rest[open].line,
                "the answer block opened with `{` is not closed with `}` \
                 (a blank line cannot stand inside a question)",
            ));
        }
        (None, Some(close)) => {
            return Err(error(rest[close].line, "`}` closes no answer block (write `\\}` for a literal brace)"));
        }
        (Some(open), Some(close)) if close < open => {
            return Err(error(
                rest[close].line,
                "`}` comes before the answer block's `{` (write `\\}` for a literal brace)",
            ));
        }
        (Some(open), Some(close)) => (open, close),
    };
    if let Some(nested) = rest[open + 1..close].iter().find(|ch| ch.is('{')) {
        return Err(error(nested.line, "`{` inside an answer block (write `\\{` for a literal brace)"));
    }
    if let Some(extra) = rest[close + 1..].iter().find(|ch| ch.is('{') || ch.is('}')) {
        return Err(error(extra.line, "a question has one answer block (write `\\{` and `\\}` for literal braces)"));
    }
    Ok(Some((open, close)))
}

/// The first web image of an HTML or Moodle prompt, which becomes the
/// question's; other images are not kept (warned).
fn web_image(raw_prompt: &str, format: TextFormat, draft: &mut Draft, position: &str, name: &str) -> Option<String> {
    let mut image_url = None;
    if matches!(format, TextFormat::Html | TextFormat::Moodle) {
        for image in images(raw_prompt) {
            if image.is_web() && image_url.is_none() {
                image_url = Some(image.src);
            } else if !image.is_web() {
                draft.warn(position, name, format!("the image `{}` is not a web address and is not kept", image.src));
            }
        }
    }
    image_url
}

/// The kind the answer block decides, in Moodle's order (see the module
/// documentation); `None` for a matching question (listed as skipped).
fn answer_kind(
    answer: &[Ch],
    format: TextFormat,
    block_line: usize,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<Option<QuestionKind>, ImportError> {
    Ok(Some(if answer.is_empty() {
        QuestionKind::OpenText {}
    } else if answer[0].is('#') {
        numeric(&answer[1..], format, block_line, draft, position, name)?
    } else if answer.iter().any(|ch| ch.is('~')) {
        choices(answer, format, draft, position, name)?
    } else if answer.iter().any(|ch| ch.is('=')) && find_seq(answer, "->").is_some() {
        draft.skip(position, name, "matching questions are not supported");
        return Ok(None);
    } else if let Some(kind) = true_false(answer, format) {
        kind
    } else {
        short_text(answer, format, block_line, draft, position, name)?
    }))
}

/// One answer of a block: its marker (`=` or `~`), its weight if written
/// (`%50%`), its text and its feedback.
struct Part<'a> {
    marker: char,
    weight: Option<f64>,
    text: &'a [Ch],
    feedback: Option<&'a [Ch]>,
    line: usize,
}

/// Splits `answer` at each unescaped marker. Text before the first marker
/// is an answer marked `implicit`, or an error when `implicit` is `None`.
fn split_parts<'a>(
    answer: &'a [Ch],
    markers: &[char],
    implicit: Option<char>,
    block_line: usize,
) -> Result<Vec<Part<'a>>, ImportError> {
    let mut starts: Vec<(char, usize)> = Vec::new();
    for (index, ch) in answer.iter().enumerate() {
        if !ch.escaped && markers.contains(&ch.c) {
            starts.push((ch.c, index + 1));
        }
    }
    let lead_end = starts.first().map_or(answer.len(), |&(_, start)| start - 1);
    let lead = trim(&answer[..lead_end]);
    let mut segments: Vec<(char, &[Ch])> = Vec::new();
    if !lead.is_empty() {
        match implicit {
            Some(marker) => segments.push((marker, lead)),
            None => {
                return Err(error(
                    lead[0].line,
                    format!(
                        "`{}` is not an answer: start each answer with `=` (right) or `~` (wrong)",
                        collect(lead).trim()
                    ),
                ));
            }
        }
    }
    for (n, &(marker, start)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(answer.len(), |&(_, next)| next - 1);
        segments.push((marker, &answer[start..end]));
    }
    segments
        .into_iter()
        .map(|(marker, segment)| {
            let segment = trim(segment);
            let line = segment.first().map_or(block_line, |ch| ch.line);
            let (weight, body) = take_weight(segment, line)?;
            let (text, feedback) = match body.iter().position(|ch| ch.is('#')) {
                Some(hash) => (&body[..hash], Some(&body[hash + 1..])),
                None => (body, None),
            };
            Ok(Part { marker, weight, text, feedback, line })
        })
        .collect()
}

/// Reads a leading `%weight%`.
fn take_weight(segment: &[Ch], line: usize) -> Result<(Option<f64>, &[Ch]), ImportError> {
    if segment.first().is_none_or(|ch| ch.c != '%') {
        return Ok((None, segment));
    }
    let end = segment[1..].iter().position(|ch| ch.c == '%');
    let weight = end.and_then(|end| parse_number(&collect(&segment[1..end + 1])));
    match (end, weight) {
        (Some(end), Some(weight)) => Ok((Some(weight), trim(&segment[end + 2..]))),
        _ => Err(error(line, "a weight is a percentage between two `%`, such as `%50%` or `%-100%`")),
    }
}

fn choices(
    answer: &[Ch],
    format: TextFormat,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<QuestionKind, ImportError> {
    let line = answer[0].line;
    let parts = split_parts(answer, &['=', '~'], None, line)?;
    let single = parts.iter().any(|part| part.marker == '=');
    if single {
        let mut right = parts.iter().filter(|part| part.marker == '=');
        if let (Some(_), Some(second)) = (right.next(), right.next()) {
            return Err(error(
                second.line,
                "several answers are marked `=`: a single-choice question has one; \
                 for several right answers write weights such as `~%50%a ~%50%b ~%-100%c`",
            ));
        }
        let partial = parts.iter().any(|part| match (part.marker, part.weight) {
            ('=', Some(weight)) => weight != 100.0,
            (_, Some(weight)) => weight != 0.0,
            _ => false,
        });
        if partial {
            draft.warn(
                position,
                name,
                "weights in a single-choice question are not kept: the `=` answer is right, \
                 the others wrong",
            );
        }
        let choices = parts
            .iter()
            .map(|part| Choice {
                id: String::new(),
                text: format.to_text(&collect(part.text)),
                correct: part.marker == '=',
                feedback: part.feedback.and_then(|f| some_text(format, f)),
            })
            .collect();
        Ok(QuestionKind::SingleChoice { choices })
    } else {
        let choices = parts
            .iter()
            .map(|part| WeightedChoice {
                id: String::new(),
                text: format.to_text(&collect(part.text)),
                weight: part.weight.unwrap_or(0.0),
                feedback: part.feedback.and_then(|f| some_text(format, f)),
            })
            .collect();
        Ok(QuestionKind::MultipleChoice { choices })
    }
}

fn true_false(answer: &[Ch], format: TextFormat) -> Option<QuestionKind> {
    // `T#feedback if wrong#feedback if right`; a further `#` belongs to the
    // last feedback, as in Moodle.
    let hash = |from: usize| answer[from..].iter().position(|ch| ch.is('#')).map(|at| from + at);
    let first = hash(0);
    let second = first.and_then(|first| hash(first + 1));
    let head = collect(&answer[..first.unwrap_or(answer.len())]);
    let value = match head.trim().to_ascii_uppercase().as_str() {
        "T" | "TRUE" => true,
        "F" | "FALSE" => false,
        _ => return None,
    };
    let if_wrong = first.and_then(|first| some_text(format, &answer[first + 1..second.unwrap_or(answer.len())]));
    let if_right = second.and_then(|second| some_text(format, &answer[second + 1..]));
    let (feedback_true, feedback_false) = if value { (if_right, if_wrong) } else { (if_wrong, if_right) };
    Some(QuestionKind::TrueFalse { answer: value, feedback_true, feedback_false })
}

fn short_text(
    answer: &[Ch],
    format: TextFormat,
    block_line: usize,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<QuestionKind, ImportError> {
    let parts = split_parts(answer, &['='], Some('='), block_line)?;
    let mut accepted = Vec::new();
    let mut partial = Vec::new();
    for part in &parts {
        let text = format.to_text(&collect(part.text));
        let weight = part.weight.unwrap_or(100.0);
        if weight == 100.0 {
            accepted.push(text);
        } else if weight > 0.0 {
            partial.push(format!("`{text}` ({weight}%)"));
        }
    }
    if !partial.is_empty() {
        draft.warn(position, name, format!("partial-credit answers are not kept: {}", partial.join(", ")));
    }
    if parts.iter().any(|part| part.feedback.is_some()) {
        draft.warn(position, name, "feedback on short answers is not kept (use `####` for an explanation)");
    }
    Ok(QuestionKind::ShortText { accepted })
}

fn numeric(
    answer: &[Ch],
    format: TextFormat,
    block_line: usize,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<QuestionKind, ImportError> {
    // In Moodle, `~` starts the feedback for any other number.
    let answer = match answer.iter().position(|ch| ch.is('~')) {
        Some(tilde) => {
            draft.warn(position, name, "the feedback for other numbers (`~#…`) is not kept");
            &answer[..tilde]
        }
        None => answer,
    };
    let parts = split_parts(answer, &['='], Some('='), block_line)?;
    let mut answers = Vec::new();
    for part in parts {
        let weight = part.weight.unwrap_or(100.0);
        let text = collect(part.text);
        let text = text.trim();
        if weight <= 0.0 || text == "*" {
            continue;
        }
        let number = |text: &str| {
            parse_number(text).ok_or_else(|| error(part.line, format!("`{}` is not a number", text.trim())))
        };
        let accepts = if let Some((min, max)) = text.split_once("..") {
            NumericRange::Between { min: number(min)?, max: number(max)? }
        } else if let Some(colon) = part.text.iter().position(|ch| ch.is(':')) {
            NumericRange::Exact {
                value: number(&collect(&part.text[..colon]))?,
                tolerance: number(&collect(&part.text[colon + 1..]))?,
            }
        } else {
            NumericRange::Exact { value: number(text)?, tolerance: 0.0 }
        };
        answers.push(NumericAnswer { accepts, weight, feedback: part.feedback.and_then(|f| some_text(format, f)) });
    }
    if answers.is_empty() {
        return Err(error(block_line, "a numeric question (`{#…}`) needs a number"));
    }
    Ok(QuestionKind::Numeric { answers })
}

fn collect(chars: &[Ch]) -> String {
    chars.iter().map(|ch| ch.c).collect()
}

/// The text of `chars` in `format`, or `None` when it is empty.
fn some_text(format: TextFormat, chars: &[Ch]) -> Option<String> {
    Some(format.to_text(&collect(chars))).filter(|text| !text.is_empty())
}

fn trim(chars: &[Ch]) -> &[Ch] {
    let blank = |ch: &Ch| !ch.escaped && ch.c.is_whitespace();
    let start = chars.iter().position(|ch| !blank(ch)).unwrap_or(chars.len());
    let end = chars.iter().rposition(|ch| !blank(ch)).map_or(start, |i| i + 1);
    &chars[start..end]
}

fn matches_at(chars: &[Ch], at: usize, pattern: &str) -> bool {
    let mut index = at;
    for c in pattern.chars() {
        match chars.get(index) {
            Some(ch) if ch.is(c) => index += 1,
            _ => return false,
        }
    }
    true
}

fn starts_with(chars: &[Ch], pattern: &str) -> bool {
    matches_at(chars, 0, pattern)
}

fn find_seq(chars: &[Ch], pattern: &str) -> Option<usize> {
    (0..chars.len()).find(|&at| matches_at(chars, at, pattern))
}

fn rfind_seq(chars: &[Ch], pattern: &str) -> Option<usize> {
    (0..chars.len()).rev().find(|&at| matches_at(chars, at, pattern))
}

#[cfg(test)]
// The questions ask for π to two decimals: 3.14 is meant.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use crate::quiz::{Import, ImportFormat, Quiz, import};

    fn one(text: &str) -> Question {
        let import = import(text, ImportFormat::Gift).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(import.quiz.questions.len(), 1, "{text}");
        import.quiz.questions.into_iter().next().unwrap()
    }

    fn full(text: &str) -> Import {
        import(text, ImportFormat::Gift).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn failure(text: &str) -> (usize, String) {
        match import(text, ImportFormat::Gift) {
            Err(ImportError::Gift { line, message }) => (line, message),
            other => panic!("{text}: expected a GIFT error, got {other:?}"),
        }
    }

    fn single_choices(question: &Question) -> Vec<(String, bool, Option<String>)> {
        let QuestionKind::SingleChoice { choices } = &question.kind else {
            panic!("not single choice: {question:?}");
        };
        choices.iter().map(|c| (c.text.clone(), c.correct, c.feedback.clone())).collect()
    }

    #[test]
    fn single_choice_with_title_and_feedback() {
        let q = one("::Capitale:: Quelle est la capitale de la France ? {\n\
                     =Paris#Bien vu\n ~Lyon#Non ~Marseille }");
        assert_eq!(q.title.as_deref(), Some("Capitale"));
        assert_eq!(q.prompt, "Quelle est la capitale de la France ?");
        assert_eq!(q.id, "q1");
        assert_eq!(
            single_choices(&q),
            [
                ("Paris".into(), true, Some("Bien vu".into())),
                ("Lyon".into(), false, Some("Non".into())),
                ("Marseille".into(), false, None),
            ]
        );
    }

    #[test]
    fn weights_without_equals_make_multiple_choice() {
        let q = one("Nombres premiers ? {~%50%2 ~%50%3 ~%-100%4#Non, 4 \\= 2 × 2}");
        let QuestionKind::MultipleChoice { choices } = &q.kind else {
            panic!("{q:?}");
        };
        let found: Vec<(&str, f64)> = choices.iter().map(|c| (c.text.as_str(), c.weight)).collect();
        assert_eq!(found, [("2", 50.0), ("3", 50.0), ("4", -100.0)]);
        assert_eq!(choices[2].feedback.as_deref(), Some("Non, 4 = 2 × 2"));
        let q = one("Décimaux ? {~%33.33333%a ~%33,33333%b ~%33.33333%c ~d}");
        let QuestionKind::MultipleChoice { choices } = &q.kind else {
            panic!("{q:?}");
        };
        assert_eq!(choices[1].weight, 33.33333);
        assert_eq!(choices[3].weight, 0.0);
    }

    #[test]
    fn weights_in_single_choice_are_reported() {
        let import = full("Q ? {=a ~%50%b ~c}");
        assert_eq!(import.warnings.len(), 1);
        assert!(import.warnings[0].message.contains("not kept"));
        assert_eq!(import.warnings[0].position, "line 1");
    }

    #[test]
    fn true_false_in_every_spelling() {
        for (text, expected) in
            [("{T}", true), ("{TRUE}", true), ("{F}", false), ("{FALSE}", false), ("{true}", true), ("{ f }", false)]
        {
            let q = one(&format!("La Terre est plate. {text}"));
            assert_eq!(q.prompt, "La Terre est plate.");
            let QuestionKind::TrueFalse { answer, .. } = q.kind else {
                panic!("{text}: {q:?}");
            };
            assert_eq!(answer, expected, "{text}");
        }
    }

    #[test]
    fn true_false_feedback_is_wrong_then_right() {
        let q = one("Vrai ? {T#Non, c'est vrai.#Oui !}");
        assert_eq!(
            q.kind,
            QuestionKind::TrueFalse {
                answer: true,
                feedback_true: Some("Oui !".into()),
                feedback_false: Some("Non, c'est vrai.".into()),
            }
        );
        let q = one("Faux ? {FALSE#Non.#Oui, faux.}");
        assert_eq!(
            q.kind,
            QuestionKind::TrueFalse {
                answer: false,
                feedback_true: Some("Non.".into()),
                feedback_false: Some("Oui, faux.".into()),
            }
        );
    }

    #[test]
    fn short_answers_accept_every_full_answer() {
        let q = one("Qui a écrit Les Misérables ? {=Victor Hugo =Hugo =%50%V. H.#presque}");
        assert_eq!(q.kind, QuestionKind::ShortText { accepted: vec!["Victor Hugo".into(), "Hugo".into()] });
        let import = full("Qui ? {=Victor Hugo =%50%Hugo}");
        assert_eq!(import.warnings[0].message, "partial-credit answers are not kept: `Hugo` (50%)");
        let q = one("Capitale ? {Paris}");
        assert_eq!(q.kind, QuestionKind::ShortText { accepted: vec!["Paris".into()] });
    }

    #[test]
    fn numeric_forms() {
        let answers = |text: &str| match one(text).kind {
            QuestionKind::Numeric { answers } => {
                answers.into_iter().map(|a| (a.accepts, a.weight, a.feedback)).collect::<Vec<_>>()
            }
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(answers("π ? {#3.14:0.01}"), [(NumericRange::Exact { value: 3.14, tolerance: 0.01 }, 100.0, None)]);
        assert_eq!(answers("Entre ? {#1..5}"), [(NumericRange::Between { min: 1.0, max: 5.0 }, 100.0, None)]);
        assert_eq!(
            answers("π ? {# =%100%3.14:0.01#Exact =%50%3:1#À peu près}"),
            [
                (NumericRange::Exact { value: 3.14, tolerance: 0.01 }, 100.0, Some("Exact".into())),
                (NumericRange::Exact { value: 3.0, tolerance: 1.0 }, 50.0, Some("À peu près".into())),
            ]
        );
        assert_eq!(answers("Année ? {#1789}"), [(NumericRange::Exact { value: 1789.0, tolerance: 0.0 }, 100.0, None)]);
        assert_eq!(answers("π ? {#3,14:0,01}"), [(NumericRange::Exact { value: 3.14, tolerance: 0.01 }, 100.0, None)]);
        let import = full("Année ? {#=1789 ~#Révisez la Révolution}");
        assert_eq!(import.warnings.len(), 1);
    }

    #[test]
    fn numeric_errors_name_the_line() {
        assert_eq!(failure("// en-tête\n\nπ ?\n{#\n=3.14:abc\n}"), (5, "`abc` is not a number".into()));
        assert_eq!(failure("Rien ? {#}"), (1, "a numeric question (`{#…}`) needs a number".into()));
    }

    #[test]
    fn essay_becomes_open_text_with_general_feedback() {
        let q = one("Décrivez votre pratique. {}");
        assert_eq!(q.kind, QuestionKind::OpenText {});
        assert_eq!(q.explanation, None);
        let q = one("Décrivez. {####Pensez à la différenciation.}");
        assert_eq!(q.kind, QuestionKind::OpenText {});
        assert_eq!(q.explanation.as_deref(), Some("Pensez à la différenciation."));
    }

    #[test]
    fn general_feedback_becomes_the_explanation() {
        let q = one("2 + 2 ? {=4 ~5 ####Car 2 + 2 = 4.}");
        assert_eq!(q.explanation.as_deref(), Some("Car 2 + 2 = 4."));
        assert_eq!(single_choices(&q).len(), 2);
    }

    #[test]
    fn matching_and_descriptions_are_skipped() {
        let import = full(
            "::Intro:: Bienvenue dans ce quiz.\n\n\
             ::Paires:: Associez. {=chat -> miaou =chien -> ouaf}\n\n\
             Vrai ? {T}",
        );
        assert_eq!(import.quiz.questions.len(), 1);
        let skipped: Vec<(&str, &str, &str)> =
            import.skipped.iter().map(|s| (s.position.as_str(), s.title.as_str(), s.reason.as_str())).collect();
        assert_eq!(
            skipped,
            [
                ("line 1", "Intro", "description only (no answer block)"),
                ("line 3", "Paires", "matching questions are not supported"),
            ]
        );
    }

    #[test]
    fn fill_the_blank_keeps_the_sentence() {
        let q = one("Le chat {=mange ~dort} la souris.");
        assert_eq!(q.prompt, "Le chat _____ la souris.");
        assert_eq!(single_choices(&q)[0], ("mange".into(), true, None));
    }

    #[test]
    fn escapes_are_literal() {
        let q = one("Que vaut \\{x\\} \\: \\#1 \\~ \\= 2 \\\\ ? {=a\\=b ~c\\~d\\#e}");
        assert_eq!(q.prompt, "Que vaut {x} : #1 ~ = 2 \\ ?");
        let texts: Vec<String> = single_choices(&q).into_iter().map(|c| c.0).collect();
        assert_eq!(texts, ["a=b", "c~d#e"]);
        let q = one("Ligne 1\\nLigne 2 {T}");
        assert_eq!(q.prompt, "Ligne 1\nLigne 2");
    }

    #[test]
    fn formats_html_markdown_plain() {
        let q = one("::H::[html]<p>Quelle <b>image</b>&nbsp;?</p><img src=\"https://ex.org/a.png\"> {T}");
        assert_eq!(q.prompt, "Quelle image\u{a0}?");
        assert_eq!(q.image_url.as_deref(), Some("https://ex.org/a.png"));
        let q = one("[markdown]**Gras** ? {T}");
        assert_eq!(q.prompt, "**Gras** ?");
        let q = one("[plain]3 <b> 4 ? {T}");
        assert_eq!(q.prompt, "3 <b> 4 ?");
        let q = one("[moodle]Texte <i>moodle</i>\nsur deux lignes {T}");
        assert_eq!(q.prompt, "Texte moodle\nsur deux lignes");
        let q = one("[inconnu] texte {T}");
        assert_eq!(q.prompt, "[inconnu] texte");
        let import = full("[html]<img src=\"@@PLUGINFILE@@/x.png\"> Quoi ? {T}");
        assert_eq!(import.quiz.questions[0].image_url, None);
        assert!(import.warnings[0].message.contains("@@PLUGINFILE@@/x.png"));
    }

    #[test]
    fn comments_categories_and_blank_lines() {
        let text = "// Fichier de test\n\
                    $CATEGORY: $course$/top/Didactique\n\
                    \n\
                    ::A:: Un ? {T}\n\
                    // entre deux\n\
                    \n\
                    \n\
                    $CATEGORY: $course$/top/Autre\n\
                    ::B:: Deux ?\n\
                    // commentaire dans la question\n\
                    {\n\
                      =oui\n\
                      ~non\n\
                    }\n";
        let import = full(text);
        let Quiz { title, questions } = import.quiz;
        assert_eq!(title, "Didactique");
        assert_eq!(questions.len(), 2);
        assert_eq!(questions[1].title.as_deref(), Some("B"));
        assert_eq!(questions[1].prompt, "Deux ?");
        assert!(import.skipped.is_empty() && import.warnings.is_empty());
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let cases: [(&str, usize, &str); 7] = [
            ("Q ? {T}\n\n::Sans fin Q ? {T}", 3, "is not closed with `::`"),
            ("Q ? {T}\n\nQ2 ?\n{=a ~b\n\nQ3 {T}", 4, "is not closed with `}`"),
            ("Q ? } {T}", 1, "`}` comes before"),
            ("Q ? \n oui }", 2, "`}` closes no answer block"),
            ("Q ? {=a\n{~b}", 2, "`{` inside an answer block"),
            ("Q ? {T} et {F}", 1, "one answer block"),
            ("Q ?\n{\nvert ~bleu =rouge}", 3, "`vert` is not an answer"),
        ];
        for (text, line, message) in cases {
            let (found_line, found) = failure(text);
            assert_eq!(found_line, line, "{text}: {found}");
            assert!(found.contains(message), "{text}: {found}");
        }
        let (line, message) = failure("Q ? {=a =b ~c}");
        assert_eq!(line, 1);
        assert!(message.contains("several answers are marked `=`"), "{message}");
        let (line, message) = failure("Q ?\n{~%abc%a ~b}");
        assert_eq!(line, 2);
        assert!(message.contains("such as `%50%`"), "{message}");
    }

    #[test]
    fn ids_follow_the_order_of_questions() {
        let import = full("A {T}\n\nB {F}\n\nC {}");
        let ids: Vec<&str> = import.quiz.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["q1", "q2", "q3"]);
        let QuestionKind::TrueFalse { answer, .. } = import.quiz.questions[1].kind else {
            panic!();
        };
        assert!(!answer);
    }
}
