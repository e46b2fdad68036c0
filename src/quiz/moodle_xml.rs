//! Moodle XML (`<quiz><question type="…">…</question></quiz>`), the
//! format of Moodle's question bank export.
//!
//! Read: `multichoice` (single or multiple answers by `<single>`),
//! `truefalse`, `shortanswer`, `numerical` (with `<tolerance>`), `essay`
//! (open text) and `ordering` (the qtype_ordering plugin: items in the
//! order of their `fraction`, else of the file). From every question:
//! `<name>` (the title), `<questiontext>` (HTML turned into text, first web
//! image kept), `<generalfeedback>` (the explanation) and `<defaultgrade>`
//! (points = grade × 1000). `category` entries are not questions: the first
//! names the quiz. `description` and every other type are listed as
//! skipped. Entities are XML's and HTML's usual ones; no DTD is read.
//!
//! Errors name the element, e.g. `question[3]/answer[2] (line 40)`, with
//! questions counted among `<question>` elements from 1.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::model::{Choice, DEFAULT_POINTS, NumericAnswer, NumericRange, Question, QuestionKind, WeightedChoice};
use super::normalize::normalize;
use super::text::{TextFormat, entity, images};
use super::{Draft, ImportError, label, parse_number};

/// Deepest element nesting read (Moodle files use about 5).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Node>,
    line: usize,
}

#[derive(Debug)]
enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    fn elements<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter_map(move |node| match node {
            Node::Element(element) if element.name == name => Some(element),
            _ => None,
        })
    }

    fn element(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|node| match node {
            Node::Element(element) if element.name == name => Some(element),
            _ => None,
        })
    }

    /// The text directly inside this element.
    fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|node| match node {
                Node::Text(text) => Some(text.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Moodle's rich text: `<name format="…"><text>…</text></name>`, as
    /// raw text and its format (HTML when unsaid).
    fn rich_text(&self, name: &str) -> Option<(String, TextFormat)> {
        let element = self.element(name)?;
        let format = element.attribute("format").and_then(TextFormat::from_name).unwrap_or(TextFormat::Html);
        let text = element.element("text").map_or_else(String::new, Element::text);
        Some((text, format))
    }

    /// Plain text of [`Element::rich_text`], `None` when empty.
    fn plain_text(&self, name: &str) -> Option<String> {
        let (text, format) = self.rich_text(name)?;
        Some(format.to_text(&text)).filter(|text| !text.is_empty())
    }

    /// The trimmed text of child `name`, e.g. `<single>true</single>`.
    fn value(&self, name: &str) -> Option<String> {
        self.element(name).map(|element| element.text().trim().to_string())
    }
}

/// Maps byte offsets to lines and columns (both from 1).
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Lines { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    fn position(&self, text: &str, offset: u64) -> String {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let column = text.get(start..offset).map_or(1, |before| before.chars().count() + 1);
        format!("line {line}, column {column}")
    }
}

fn error(position: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError::Xml { position: position.into(), message: message.into() }
}

/// Reads the document into a tree, refusing malformed XML.
fn read_tree(text: &str) -> Result<Element, ImportError> {
    let lines = Lines::new(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let line = lines.line(offset.min(text.len()));
        let event = reader
            .read_event()
            .map_err(|e| error(lines.position(text, reader.error_position()), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(error(
                        format!("line {line}"),
                        format!("elements are nested more than {MAX_DEPTH} deep"),
                    ));
                }
                stack.push(element(&start, line)?);
            }
            Event::Empty(start) => {
                let element = element(&start, line)?;
                attach(&mut stack, &mut root, element, line)?;
            }
            Event::End(_) => {
                // The reader checks that end tags match their start tags.
                if let Some(element) = stack.pop() {
                    attach(&mut stack, &mut root, element, line)?;
                }
            }
            Event::Text(content) => push_text(&mut stack, &content.xml10_content()),
            Event::CData(content) => push_text(&mut stack, &content.xml10_content()),
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let resolved = if reference.is_char_ref() {
                    reference.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    entity(&name)
                };
                match resolved {
                    Some(text) => push_text(&mut stack, &text),
                    None => {
                        return Err(error(lines.position(text, offset as u64), format!("unknown entity `&{name};`")));
                    }
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(error(format!("line {}", open.line), format!("<{}> is not closed", open.name)));
    }
    root.ok_or_else(|| error("line 1", "the file holds no XML element"))
}

fn element(start: &BytesStart<'_>, line: usize) -> Result<Element, ImportError> {
    let name = start.local_name().as_ref().to_string();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| error(format!("line {line}"), format!("malformed attribute: {e}")))?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| error(format!("line {line}"), format!("malformed attribute: {e}")))?;
        attributes.push((attribute.key.local_name().as_ref().to_string(), value.into_owned()));
    }
    Ok(Element { name, attributes, children: Vec::new(), line })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element, line: usize) -> Result<(), ImportError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None if root.is_none() => *root = Some(element),
        None => {
            return Err(error(format!("line {line}"), "a second root element: a Moodle XML file has one <quiz>"));
        }
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(parent) = stack.last_mut() else {
        return;
    };
    match parent.children.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(text),
        _ => parent.children.push(Node::Text(text.to_string())),
    }
}

/// Reads a Moodle XML file.
pub(super) fn parse(text: &str) -> Result<Draft, ImportError> {
    let root = read_tree(text)?;
    if root.name != "quiz" {
        return Err(error(format!("<{}> (line {})", root.name, root.line), "a Moodle XML file starts with <quiz>"));
    }
    let mut draft = Draft::default();
    for (index, element) in root.elements("question").enumerate() {
        let path = format!("question[{}]", index + 1);
        read_question(element, &path, &mut draft)?;
    }
    Ok(draft)
}

fn read_question(element: &Element, path: &str, draft: &mut Draft) -> Result<(), ImportError> {
    let position = format!("{path} (line {})", element.line);
    let kind_name = element.attribute("type").unwrap_or_default();
    if kind_name == "category" {
        if let Some(category) = element.element("category") {
            let path = category.element("text").map_or_else(|| category.text(), Element::text);
            draft.title_from_category(&path);
        }
        return Ok(());
    }

    let title = element
        .element("name")
        .and_then(|name| name.element("text"))
        .map(|text| text.text().trim().to_string())
        .filter(|title| !title.is_empty());
    let (raw_prompt, format) = element.rich_text("questiontext").unwrap_or((String::new(), TextFormat::Html));
    let mut lost = Vec::new();
    let prompt = format.to_text_noting(&raw_prompt, &mut lost);
    let name = label(title.as_deref(), &prompt);
    warn_of_lost_scripts(element, lost, draft, &position, &name);

    let Some(kind) = question_kind(kind_name, element, path, draft, &position, &name)? else {
        return Ok(());
    };
    let image_url = web_image(&raw_prompt, format, draft, &position, &name);
    let points = points(element, path)?;

    draft.questions.push((
        Some(position),
        Question {
            id: String::new(),
            title,
            prompt,
            image_url,
            explanation: element.plain_text("generalfeedback"),
            time_limit_s: None,
            points,
            kind,
        },
    ));
    Ok(())
}

/// Warns once of the superscripts and subscripts of the prompt (`lost`
/// already) and of the answers that have no Unicode form.
fn warn_of_lost_scripts(element: &Element, mut lost: Vec<String>, draft: &mut Draft, position: &str, name: &str) {
    for answer in element.elements("answer") {
        let format = answer.attribute("format").and_then(TextFormat::from_name).unwrap_or(TextFormat::Html);
        format.to_text_noting(&answer.element("text").map_or_else(String::new, Element::text), &mut lost);
    }
    if !lost.is_empty() {
        let written = lost.iter().map(|text| format!("`{text}`")).collect::<Vec<_>>().join(", ");
        draft.warn(
            position,
            name,
            format!("superscripts or subscripts with no Unicode form are written ^(…) or _(…): {written}"),
        );
    }
}

/// The kind of a question of Moodle type `kind_name`; `None` for a type
/// amphi does not take (listed as skipped, with the reason).
fn question_kind(
    kind_name: &str,
    element: &Element,
    path: &str,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<Option<QuestionKind>, ImportError> {
    let kind = match kind_name {
        "multichoice" => multichoice(element, path, draft, position, name)?,
        "truefalse" => true_false(element, path)?,
        "shortanswer" => short_answer(element, path, draft, position, name)?,
        "numerical" => numerical(element, path, draft, position, name)?,
        "essay" => QuestionKind::OpenText {},
        "ordering" => ordering(element, path)?,
        "description" => {
            draft.skip(position, name, "description only (no answer)");
            return Ok(None);
        }
        "" => {
            draft.skip(position, name, "the question has no `type`");
            return Ok(None);
        }
        other => {
            let reason = match other {
                "matching" | "match" | "randomsamatch" => "matching questions are not supported".to_string(),
                "multianswer" | "cloze" => "embedded-answer (Cloze) questions are not supported".to_string(),
                _ => format!("the Moodle question type `{other}` is not supported"),
            };
            draft.skip(position, name, reason);
            return Ok(None);
        }
    };
    Ok(Some(kind))
}

/// The first web image of a prompt that is not plain text, which becomes
/// the question's; images embedded in the file are not kept (warned).
fn web_image(raw_prompt: &str, format: TextFormat, draft: &mut Draft, position: &str, name: &str) -> Option<String> {
    let mut image_url = None;
    if format != TextFormat::Plain {
        for image in images(raw_prompt) {
            if image.is_web() && image_url.is_none() {
                image_url = Some(image.src);
            } else if !image.is_web() {
                draft.warn(
                    position,
                    name,
                    format!(
                        "the image `{}` is embedded in the file and is not kept: put it online \
                         and set `image_url`",
                        image.src
                    ),
                );
            }
        }
    }
    image_url
}

/// The question's points: its `<defaultgrade>` (Moodle's 1 being
/// [`DEFAULT_POINTS`]), or the default.
fn points(element: &Element, path: &str) -> Result<u32, ImportError> {
    let Some(grade) = element.element("defaultgrade") else { return Ok(DEFAULT_POINTS) };
    let points = parse_number(&grade.text()).map(|g| (g * f64::from(DEFAULT_POINTS)).round());
    match points {
        Some(points) if (0.0..=f64::from(u32::MAX)).contains(&points) => Ok(points as u32),
        _ => Err(error(
            format!("{path}/defaultgrade (line {})", grade.line),
            format!("`{}` is not a grade (a number >= 0)", grade.text().trim()),
        )),
    }
}

/// An `<answer>`: its path, fraction (percent), text and feedback.
struct AnswerElement {
    path: String,
    fraction: f64,
    text: String,
    feedback: Option<String>,
    element_index: usize,
}

fn answers(element: &Element, path: &str) -> Result<Vec<AnswerElement>, ImportError> {
    element
        .elements("answer")
        .enumerate()
        .map(|(index, answer)| {
            let path = format!("{path}/answer[{}] (line {})", index + 1, answer.line);
            let fraction = match answer.attribute("fraction") {
                None => 0.0,
                Some(raw) => {
                    parse_number(raw).ok_or_else(|| error(&path, format!("the fraction `{raw}` is not a number")))?
                }
            };
            let format = answer.attribute("format").and_then(TextFormat::from_name).unwrap_or(TextFormat::Html);
            let raw = answer.element("text").map_or_else(String::new, Element::text);
            Ok(AnswerElement {
                path,
                fraction,
                text: format.to_text(&raw),
                feedback: answer.plain_text("feedback"),
                element_index: index,
            })
        })
        .collect()
}

/// Moodle writes thirds as 33.33333: a fraction this close to 100 is 100.
fn is_full(fraction: f64) -> bool {
    (fraction - 100.0).abs() < 0.01
}

fn multichoice(
    element: &Element,
    path: &str,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<QuestionKind, ImportError> {
    let single = match element.value("single").as_deref() {
        None | Some("true" | "1" | "") => true,
        Some("false" | "0") => false,
        Some(other) => {
            return Err(error(format!("{path}/single"), format!("`{other}` is neither true nor false")));
        }
    };
    let answers = answers(element, path)?;
    if single {
        let full = answers.iter().filter(|a| is_full(a.fraction)).count();
        if full != 1 {
            return Err(error(
                position,
                format!(
                    "a single-answer multichoice question needs exactly one answer at 100%, \
                     not {full}"
                ),
            ));
        }
        if answers.iter().any(|a| !is_full(a.fraction) && a.fraction != 0.0) {
            draft.warn(position, name, "partial credit on wrong choices is not kept in a single-choice question");
        }
        Ok(QuestionKind::SingleChoice {
            choices: answers
                .into_iter()
                .map(|a| Choice { id: String::new(), correct: is_full(a.fraction), text: a.text, feedback: a.feedback })
                .collect(),
        })
    } else {
        Ok(QuestionKind::MultipleChoice {
            choices: answers
                .into_iter()
                .map(|a| WeightedChoice { id: String::new(), text: a.text, weight: a.fraction, feedback: a.feedback })
                .collect(),
        })
    }
}

fn true_false(element: &Element, path: &str) -> Result<QuestionKind, ImportError> {
    let answers = answers(element, path)?;
    let mut right = None;
    let (mut feedback_true, mut feedback_false) = (None, None);
    for answer in answers {
        let value = match answer.text.to_lowercase().as_str() {
            "true" | "vrai" => true,
            "false" | "faux" => false,
            other => {
                return Err(error(&answer.path, format!("a true/false answer is `true` or `false`, not `{other}`")));
            }
        };
        if is_full(answer.fraction) {
            right = Some(value);
        }
        if value {
            feedback_true = answer.feedback;
        } else {
            feedback_false = answer.feedback;
        }
    }
    let answer =
        right.ok_or_else(|| error(format!("{path} (line {})", element.line), "no answer has fraction=\"100\""))?;
    Ok(QuestionKind::TrueFalse { answer, feedback_true, feedback_false })
}

fn short_answer(
    element: &Element,
    path: &str,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<QuestionKind, ImportError> {
    let answers = answers(element, path)?;
    let partial: Vec<String> = answers
        .iter()
        .filter(|a| a.fraction > 0.0 && !is_full(a.fraction))
        .map(|a| format!("`{}` ({}%)", a.text, a.fraction))
        .collect();
    if !partial.is_empty() {
        draft.warn(position, name, format!("partial-credit answers are not kept: {}", partial.join(", ")));
    }
    if element.value("usecase").as_deref() == Some("1") {
        draft.warn(
            position,
            name,
            "case-sensitive matching is not kept: answers are compared ignoring case and accents",
        );
    } else {
        // Moodle's `usecase=0` ignores case only; amphi's normalization
        // also folds accents, which accepts more than Moodle did.
        let accented: Vec<String> = answers
            .iter()
            .filter(|a| is_full(a.fraction) && has_accents(&a.text))
            .map(|a| format!("`{}` also accepts `{}`", a.text, normalize(&a.text)))
            .collect();
        if !accented.is_empty() {
            draft.warn(
                position,
                name,
                format!("answers are compared ignoring accents too, which Moodle does not: {}", accented.join(", ")),
            );
        }
    }
    Ok(QuestionKind::ShortText {
        accepted: answers.into_iter().filter(|a| is_full(a.fraction)).map(|a| a.text).collect(),
    })
}

/// Whether normalization folds something of `text` beyond its case: an
/// accent or a ligature (`é`, `ç`, `œ`).
fn has_accents(text: &str) -> bool {
    text.nfd().any(is_combining_mark) || text.chars().any(|c| matches!(c, 'œ' | 'Œ' | 'æ' | 'Æ' | 'ß'))
}

fn numerical(
    element: &Element,
    path: &str,
    draft: &mut Draft,
    position: &str,
    name: &str,
) -> Result<QuestionKind, ImportError> {
    let answer_elements: Vec<&Element> = element.elements("answer").collect();
    let mut accepted = Vec::new();
    for answer in answers(element, path)? {
        // `*` with no credit is Moodle's "any other number" feedback.
        if answer.fraction <= 0.0 || answer.text == "*" {
            continue;
        }
        let value = parse_number(&answer.text)
            .ok_or_else(|| error(&answer.path, format!("`{}` is not a number", answer.text)))?;
        let tolerance = match answer_elements[answer.element_index].value("tolerance") {
            None => 0.0,
            Some(raw) if raw.is_empty() => 0.0,
            Some(raw) => parse_number(&raw)
                .ok_or_else(|| error(&answer.path, format!("the tolerance `{raw}` is not a number")))?,
        };
        accepted.push(NumericAnswer {
            accepts: NumericRange::Exact { value, tolerance: tolerance.abs() },
            weight: answer.fraction,
            feedback: answer.feedback,
        });
    }
    let has_units = element.element("units").is_some_and(|units| units.elements("unit").next().is_some());
    if has_units {
        draft.warn(position, name, "units are not kept: only the number is asked");
    }
    Ok(QuestionKind::Numeric { answers: accepted })
}

fn ordering(element: &Element, path: &str) -> Result<QuestionKind, ImportError> {
    let mut answers = answers(element, path)?;
    // qtype_ordering stores each item's place in `fraction`; when those are
    // not distinct, the order of the file is the order.
    let mut fractions: Vec<f64> = answers.iter().map(|a| a.fraction).collect();
    fractions.sort_by(f64::total_cmp);
    if fractions.windows(2).all(|pair| pair[0] < pair[1]) {
        answers.sort_by(|a, b| a.fraction.total_cmp(&b.fraction));
    }
    Ok(QuestionKind::Ordering { items: answers.into_iter().map(|a| a.text).collect() })
}

#[cfg(test)]
// The questions ask for π to two decimals: 3.14 is meant.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use crate::quiz::{Import, ImportFormat, import};

    fn quiz(questions: &str) -> String {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n{questions}\n</quiz>\n")
    }

    fn full(questions: &str) -> Import {
        let text = quiz(questions);
        import(&text, ImportFormat::MoodleXml).unwrap_or_else(|e| panic!("{text}\n{e}"))
    }

    fn one(question: &str) -> Question {
        let import = full(question);
        assert_eq!(import.quiz.questions.len(), 1);
        import.quiz.questions.into_iter().next().unwrap()
    }

    fn failure(text: &str) -> (String, String) {
        match import(text, ImportFormat::MoodleXml) {
            Err(ImportError::Xml { position, message }) => (position, message),
            other => panic!("{text}: expected an XML error, got {other:?}"),
        }
    }

    const MULTICHOICE: &str = r#"<question type="multichoice">
    <name><text>Capitale</text></name>
    <questiontext format="html"><text><![CDATA[<p>Quelle est la <b>capitale</b> de la France&nbsp;?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>&lt;p&gt;Paris depuis 987.&lt;/p&gt;</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html"><text>Paris</text><feedback format="html"><text>Oui</text></feedback></answer>
    <answer fraction="0" format="html"><text>Lyon</text></answer>
  </question>"#;

    #[test]
    fn multichoice_single() {
        let q = one(MULTICHOICE);
        assert_eq!(q.title.as_deref(), Some("Capitale"));
        assert_eq!(q.prompt, "Quelle est la capitale de la France\u{a0}?");
        assert_eq!(q.explanation.as_deref(), Some("Paris depuis 987."));
        assert_eq!(q.points, 2000);
        assert_eq!(
            q.kind,
            QuestionKind::SingleChoice {
                choices: vec![
                    Choice { id: "c1".into(), text: "Paris".into(), correct: true, feedback: Some("Oui".into()) },
                    Choice { id: "c2".into(), text: "Lyon".into(), correct: false, feedback: None },
                ]
            }
        );
    }

    #[test]
    fn multichoice_multiple_keeps_weights() {
        let q = one(r#"<question type="multichoice"><questiontext><text>Premiers ?</text></questiontext>
            <single>false</single>
            <answer fraction="50"><text>2</text></answer>
            <answer fraction="50"><text>3</text></answer>
            <answer fraction="-100"><text>4</text></answer></question>"#);
        let QuestionKind::MultipleChoice { choices } = q.kind else {
            panic!("{q:?}");
        };
        let weights: Vec<f64> = choices.iter().map(|c| c.weight).collect();
        assert_eq!(weights, [50.0, 50.0, -100.0]);
        assert_eq!(q.points, DEFAULT_POINTS);
    }

    #[test]
    fn multichoice_single_needs_one_full_answer() {
        let (position, message) = failure(&quiz(
            r#"<question type="multichoice"><questiontext><text>Q</text></questiontext>
            <answer fraction="50"><text>a</text></answer>
            <answer fraction="50"><text>b</text></answer></question>"#,
        ));
        assert_eq!(position, "question[1] (line 3)");
        assert!(message.contains("exactly one answer at 100%, not 0"), "{message}");
    }

    #[test]
    fn truefalse() {
        let q = one(
            r#"<question type="truefalse"><questiontext format="moodle_auto_format"><text>La Loire est le plus long fleuve de France.</text></questiontext>
            <answer fraction="100"><text>true</text><feedback><text>Oui, 1006 km.</text></feedback></answer>
            <answer fraction="0"><text>false</text><feedback><text>Si !</text></feedback></answer></question>"#,
        );
        assert_eq!(
            q.kind,
            QuestionKind::TrueFalse {
                answer: true,
                feedback_true: Some("Oui, 1006 km.".into()),
                feedback_false: Some("Si !".into()),
            }
        );
    }

    #[test]
    fn shortanswer() {
        let import = full(
            r#"<question type="shortanswer"><questiontext><text>Auteur de Candide ?</text></questiontext>
            <usecase>1</usecase>
            <answer fraction="100"><text>Voltaire</text></answer>
            <answer fraction="100"><text>François-Marie Arouet</text></answer>
            <answer fraction="50"><text>Arouet</text></answer></question>"#,
        );
        assert_eq!(
            import.quiz.questions[0].kind,
            QuestionKind::ShortText { accepted: vec!["Voltaire".into(), "François-Marie Arouet".into()] }
        );
        let messages: Vec<&str> = import.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("`Arouet` (50%)"));
        assert!(messages[1].contains("case-sensitive"));
    }

    #[test]
    fn shortanswer_without_usecase_warns_when_accents_stop_counting() {
        let import = full(
            r#"<question type="shortanswer"><name><text>Ville</text></name><questiontext><text>Siège de l’ONU en Suisse ?</text></questiontext>
            <usecase>0</usecase>
            <answer fraction="100"><text>Genève</text></answer>
            <answer fraction="100"><text>Geneva</text></answer></question>
            <question type="shortanswer"><questiontext><text>Capitale ?</text></questiontext>
            <answer fraction="100"><text>Paris</text></answer></question>"#,
        );
        let messages: Vec<&str> = import.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(import.warnings[0].title, "Ville");
        assert!(messages[0].contains("ignoring accents too, which Moodle does not"), "{}", messages[0]);
        assert!(messages[0].contains("`Genève` also accepts `geneve`"), "{}", messages[0]);
        assert!(!messages[0].contains("Geneva"), "{}", messages[0]);
        assert!(has_accents("cœur") && has_accents("Ça") && !has_accents("Paris l'été".replace('é', "e").as_str()));
    }

    #[test]
    fn numerical() {
        let import = full(
            r#"<question type="numerical"><questiontext><text>π ?</text></questiontext>
            <answer fraction="100"><text>3.14</text><tolerance>0.01</tolerance><feedback><text>Bien</text></feedback></answer>
            <answer fraction="50"><text>3</text><tolerance>0.5</tolerance></answer>
            <answer fraction="0"><text>*</text><feedback><text>Non</text></feedback></answer>
            <units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit></units></question>"#,
        );
        assert_eq!(
            import.quiz.questions[0].kind,
            QuestionKind::Numeric {
                answers: vec![
                    NumericAnswer {
                        accepts: NumericRange::Exact { value: 3.14, tolerance: 0.01 },
                        weight: 100.0,
                        feedback: Some("Bien".into())
                    },
                    NumericAnswer {
                        accepts: NumericRange::Exact { value: 3.0, tolerance: 0.5 },
                        weight: 50.0,
                        feedback: None
                    },
                ]
            }
        );
        assert!(import.warnings[0].message.contains("units"));
    }

    #[test]
    fn essay_and_ordering() {
        let import = full(
            r#"<question type="essay"><questiontext><text>Votre avis ?</text></questiontext>
               <responseformat>editor</responseformat></question>
               <question type="ordering"><questiontext><text>Dans l'ordre :</text></questiontext>
               <answer fraction="3"><text>Maternelle</text></answer>
               <answer fraction="1"><text>Lycée</text></answer>
               <answer fraction="2"><text>Collège</text></answer></question>
               <question type="ordering"><questiontext><text>Tel quel :</text></questiontext>
               <answer><text>Un</text></answer><answer><text>Deux</text></answer></question>"#,
        );
        let kinds: Vec<&QuestionKind> = import.quiz.questions.iter().map(|q| &q.kind).collect();
        assert_eq!(kinds[0], &QuestionKind::OpenText {});
        assert_eq!(
            kinds[1],
            &QuestionKind::Ordering { items: vec!["Lycée".into(), "Collège".into(), "Maternelle".into()] }
        );
        assert_eq!(kinds[2], &QuestionKind::Ordering { items: vec!["Un".into(), "Deux".into()] });
    }

    #[test]
    fn categories_name_the_quiz_and_others_are_skipped() {
        let import = full(&format!(
            r#"<question type="category"><category><text>$course$/top/Évaluer en classe</text></category></question>
               <question type="description"><name><text>Intro</text></name><questiontext><text>Bonjour</text></questiontext></question>
               <question type="matching"><name><text>Paires</text></name></question>
               <question type="ddwtos"><questiontext><text>Glisser</text></questiontext></question>
               <question><questiontext><text>Sans type</text></questiontext></question>
               {MULTICHOICE}"#
        ));
        assert_eq!(import.quiz.title, "Évaluer en classe");
        assert_eq!(import.quiz.questions.len(), 1);
        let skipped: Vec<(&str, &str, &str)> =
            import.skipped.iter().map(|s| (s.position.as_str(), s.title.as_str(), s.reason.as_str())).collect();
        assert_eq!(
            skipped,
            [
                ("question[2] (line 4)", "Intro", "description only (no answer)"),
                ("question[3] (line 5)", "Paires", "matching questions are not supported"),
                ("question[4] (line 6)", "Glisser", "the Moodle question type `ddwtos` is not supported"),
                ("question[5] (line 7)", "Sans type", "the question has no `type`"),
            ]
        );
    }

    #[test]
    fn html_entities_and_scripts_in_questions() {
        let import = full(
            r#"<question type="multichoice"><questiontext format="html"><text><![CDATA[<p>Si x<sup>2</sup> &le; &pi;, que vaut e<sup>i&theta;</sup>&nbsp;?</p>]]></text></questiontext>
            <answer fraction="100" format="html"><text><![CDATA[H<sub>2</sub>O &copy;]]></text></answer>
            <answer fraction="0"><text>&amp;oacute;</text></answer></question>"#,
        );
        let q = &import.quiz.questions[0];
        assert_eq!(q.prompt, "Si x² ≤ π, que vaut e^(iθ)\u{a0}?");
        let QuestionKind::SingleChoice { choices } = &q.kind else { panic!("{q:?}") };
        assert_eq!(choices[0].text, "H₂O ©");
        assert_eq!(choices[1].text, "ó");
        let messages: Vec<&str> = import.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("no Unicode form") && messages[0].contains("`iθ`"), "{messages:?}");
    }

    #[test]
    fn images_web_or_embedded() {
        let import = full(
            r#"<question type="truefalse"><questiontext format="html"><text><![CDATA[<p>Vrai ?</p>
               <img src="@@PLUGINFILE@@/carte.png"><img src="https://ex.org/carte.png">]]></text>
               <file name="carte.png" encoding="base64">iVBORw0KGgo=</file></questiontext>
               <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>"#,
        );
        let q = &import.quiz.questions[0];
        assert_eq!(q.image_url.as_deref(), Some("https://ex.org/carte.png"));
        assert!(import.warnings[0].message.contains("@@PLUGINFILE@@/carte.png"));
    }

    #[test]
    fn entities_in_text_and_attributes() {
        let q = one(
            r#"<question type="essay"><name><text>A &amp; B</text></name><questiontext format="plain_text"><text>C&oelig;ur &#233;l&#xE8;ve &lt;3</text></questiontext></question>"#,
        );
        assert_eq!(q.title.as_deref(), Some("A & B"));
        assert_eq!(q.prompt, "Cœur élève <3");
    }

    #[test]
    fn malformed_xml_names_the_place() {
        let (position, message) = failure("<quiz>\n<question type=\"essay\">\n</quiz>");
        assert_eq!(position, "line 3, column 1");
        assert!(message.starts_with("malformed XML"), "{message}");
        let (position, message) = failure("<quiz>\n  <question type=\"essay\">\n");
        assert_eq!((position.as_str(), message.as_str()), ("line 2", "<question> is not closed"));
        let (position, message) = failure("<quiz>&bogus;</quiz>");
        assert_eq!(position, "line 1, column 7");
        assert_eq!(message, "unknown entity `&bogus;`");
        let (position, message) = failure("<questions/>");
        assert_eq!(position, "<questions> (line 1)");
        assert!(message.contains("<quiz>"));
        let (_, message) = failure("");
        assert_eq!(message, "the file holds no XML element");
        let deep = format!("<quiz>{}", "<a>".repeat(100));
        let (_, message) = failure(&deep);
        assert!(message.contains("nested more than 64"), "{message}");
    }

    #[test]
    fn bad_values_name_the_element() {
        let (position, message) = failure(&quiz(
            r#"<question type="essay"><questiontext><text>Q</text></questiontext></question>
<question type="multichoice"><questiontext><text>Q</text></questiontext>
<answer fraction="100"><text>a</text></answer>
<answer fraction="beaucoup"><text>b</text></answer></question>"#,
        ));
        assert_eq!(position, "question[2]/answer[2] (line 6)");
        assert_eq!(message, "the fraction `beaucoup` is not a number");
        let (position, message) = failure(&quiz(
            r#"<question type="essay"><questiontext><text>Q</text></questiontext><defaultgrade>-1</defaultgrade></question>"#,
        ));
        assert_eq!(position, "question[1]/defaultgrade (line 3)");
        assert!(message.contains("`-1` is not a grade"), "{message}");
        let (position, message) = failure(&quiz(
            r#"<question type="numerical"><questiontext><text>Q</text></questiontext>
<answer fraction="100"><text>douze</text></answer></question>"#,
        ));
        assert_eq!(position, "question[1]/answer[1] (line 4)");
        assert_eq!(message, "`douze` is not a number");
    }
}
