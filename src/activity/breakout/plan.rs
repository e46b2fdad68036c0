//! The limits of a breakout plan and of what members send, and the checks
//! that enforce them: each check answers a [`Refusal`] with a stable code
//! (`out_of_range` for sizes and counts, `invalid_field` for malformed ids
//! and links), never a panic.

use std::collections::BTreeSet;

use amphi_protocol::ErrorCode;
use amphi_protocol::board::File;
use amphi_protocol::breakout::{Atelier, BreakoutPlan, BreakoutSettings, ProductionContent};

use crate::activity::Refusal;

/// Ateliers one plan holds.
pub const MAX_ATELIERS: usize = 50;
/// Longest atelier id (ASCII letters, digits, `-`, `_`).
pub const MAX_ID_CHARS: usize = 64;
/// Longest atelier name, resource title and session title.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest instructions and production text.
pub const MAX_TEXT_CHARS: usize = 5000;
/// Shortest and longest atelier, in seconds.
pub const MIN_DURATION_S: u32 = 60;
pub const MAX_DURATION_S: u32 = 43_200;
/// Links and files one atelier carries.
pub const MAX_RESOURCES: usize = 20;
pub const MAX_FILES: usize = 20;
/// Longest link (resource, video, production).
pub const MAX_LINK_CHARS: usize = 2000;
/// Longest file name.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// Largest capacity of one atelier.
pub const MAX_CAPACITY: u32 = 20_000;
/// Longest quiz reference.
pub const MAX_QUIZ_CHARS: usize = 64;
/// Warning points one session has, and the furthest one, in seconds.
pub const MAX_WARNINGS: usize = 5;
pub const MAX_WARNING_S: u32 = 3600;
/// Longest broadcast.
pub const MAX_BROADCAST_CHARS: usize = 1000;
/// Longest help-call text.
pub const MAX_CALL_CHARS: usize = 500;
/// Longest member id named in a command.
pub const MAX_MEMBER_CHARS: usize = 128;
/// Most seconds one `extend` adds.
pub const MAX_EXTEND_S: u32 = 3600;

pub(super) fn out_of_range(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::OutOfRange, message)
}

pub(super) fn invalid_field(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::InvalidField, message)
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Whether `link` is an absolute http(s) URL with a host, without spaces
/// or control characters.
pub(super) fn is_web_link(link: &str) -> bool {
    let rest = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !link.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// Checks a link given as `what`.
pub(super) fn check_link(what: &str, link: &str) -> Result<(), Refusal> {
    if chars(link) > MAX_LINK_CHARS || !is_web_link(link) {
        return Err(invalid_field(format!(
            "{what}: an http:// or https:// address of at most {MAX_LINK_CHARS} characters"
        )));
    }
    Ok(())
}

/// Whether `id` is a blob id as the blob store names them (SHA-256 in
/// lowercase hex).
fn is_blob_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(super) fn check_file(what: &str, file: &File) -> Result<(), Refusal> {
    if !is_blob_id(&file.blob) {
        return Err(invalid_field(format!("{what}: `blob` is the id of an upload")));
    }
    if file.name.trim().is_empty() || chars(&file.name) > MAX_FILE_NAME_CHARS {
        return Err(out_of_range(format!("{what}: a file name has 1 to {MAX_FILE_NAME_CHARS} characters")));
    }
    Ok(())
}

/// Checks an atelier id: 1 to 64 ASCII letters, digits, `-` or `_`.
pub(super) fn check_id(id: &str) -> Result<(), Refusal> {
    let well_formed = !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(invalid_field(format!("atelier id {id:?}: 1 to {MAX_ID_CHARS} ASCII letters, digits, `-` or `_`")));
    }
    Ok(())
}

fn check_atelier(atelier: &Atelier) -> Result<(), Refusal> {
    check_id(&atelier.id)?;
    let label = format!("atelier {:?}", atelier.id);
    if atelier.name.trim().is_empty() || chars(&atelier.name) > MAX_NAME_CHARS {
        return Err(out_of_range(format!("{label}: a name has 1 to {MAX_NAME_CHARS} characters")));
    }
    if chars(&atelier.instructions) > MAX_TEXT_CHARS {
        return Err(out_of_range(format!("{label}: instructions have at most {MAX_TEXT_CHARS} characters")));
    }
    if !(MIN_DURATION_S..=MAX_DURATION_S).contains(&atelier.duration_s) {
        return Err(out_of_range(format!("{label}: `duration_s` is {MIN_DURATION_S} to {MAX_DURATION_S} seconds")));
    }
    if atelier.resources.len() > MAX_RESOURCES {
        return Err(out_of_range(format!("{label}: at most {MAX_RESOURCES} resources")));
    }
    for resource in &atelier.resources {
        if resource.title.trim().is_empty() || chars(&resource.title) > MAX_NAME_CHARS {
            return Err(out_of_range(format!("{label}: a resource title has 1 to {MAX_NAME_CHARS} characters")));
        }
        check_link(&format!("{label}: resource {:?}", resource.title), &resource.url)?;
    }
    if atelier.files.len() > MAX_FILES {
        return Err(out_of_range(format!("{label}: at most {MAX_FILES} files")));
    }
    for file in &atelier.files {
        check_file(&label, file)?;
    }
    if atelier.capacity.is_some_and(|c| c == 0 || c > MAX_CAPACITY) {
        return Err(out_of_range(format!("{label}: `capacity` is 1 to {MAX_CAPACITY}")));
    }
    if let Some(url) = &atelier.video_url {
        check_link(&format!("{label}: `video_url`"), url)?;
    }
    if let Some(quiz) = &atelier.quiz
        && (quiz.trim().is_empty() || chars(quiz) > MAX_QUIZ_CHARS)
    {
        return Err(out_of_range(format!("{label}: `quiz` names a quiz in 1 to {MAX_QUIZ_CHARS} characters")));
    }
    Ok(())
}

/// Checks a whole plan: 1 to 50 valid ateliers with distinct ids.
pub fn check_plan(plan: &BreakoutPlan) -> Result<(), Refusal> {
    if plan.ateliers.is_empty() || plan.ateliers.len() > MAX_ATELIERS {
        return Err(out_of_range(format!("a plan has 1 to {MAX_ATELIERS} ateliers")));
    }
    let mut ids = BTreeSet::new();
    for atelier in &plan.ateliers {
        check_atelier(atelier)?;
        if !ids.insert(atelier.id.as_str()) {
            return Err(invalid_field(format!("two ateliers have the id {:?}", atelier.id)));
        }
    }
    Ok(())
}

/// Checks a session's settings.
pub fn check_settings(settings: &BreakoutSettings) -> Result<(), Refusal> {
    if settings.warnings_s.len() > MAX_WARNINGS {
        return Err(out_of_range(format!("`warnings_s` has at most {MAX_WARNINGS} values")));
    }
    if settings.warnings_s.iter().any(|&w| w == 0 || w > MAX_WARNING_S) {
        return Err(out_of_range(format!("each of `warnings_s` is 1 to {MAX_WARNING_S} seconds")));
    }
    if !(50..=10_000).contains(&settings.coalesce_ms) {
        return Err(out_of_range("`coalesce_ms` is 50 to 10000"));
    }
    if settings.completion_percent.is_some_and(|percent| !(1..=100).contains(&percent)) {
        return Err(out_of_range("`completion_percent` is 1 to 100"));
    }
    Ok(())
}

/// Checks a production and returns it tidied: text trimmed, blank text
/// dropped, file name trimmed.
pub(super) fn check_production(mut content: ProductionContent) -> Result<ProductionContent, Refusal> {
    content.text = content.text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if content.text.as_deref().is_some_and(|t| chars(t) > MAX_TEXT_CHARS) {
        return Err(out_of_range(format!("a production's text has at most {MAX_TEXT_CHARS} characters")));
    }
    if let Some(link) = &content.link {
        check_link("the production's link", link)?;
    }
    if let Some(file) = &mut content.file {
        check_file("the production's file", file)?;
        file.name = file.name.trim().to_string();
    }
    if content.text.is_none() && content.link.is_none() && content.file.is_none() {
        return Err(out_of_range("a production needs a text, a link or a file"));
    }
    Ok(content)
}

/// Checks a text of 1 to `max` characters after trimming; returns it
/// trimmed.
pub(super) fn check_text(what: &str, text: &str, max: usize) -> Result<String, Refusal> {
    let text = text.trim();
    if text.is_empty() || chars(text) > max {
        return Err(out_of_range(format!("{what} has 1 to {max} characters")));
    }
    Ok(text.to_string())
}
