//! A live board: sections of posts with likes and comments, moderation
//! modes (open, moderated, closed, reveal-later), edits checked against the
//! version they were based on, and posts kept in an order every client
//! agrees on (`keys.rs`). Pure: commands and `now` in, events with their
//! audience out. Ids are numbered in order of creation, so replaying the
//! same commands rebuilds the same board.

pub mod keys;
mod view;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use amphi_protocol::board::{
    AuthorVisibility, BoardCommand, BoardEvent, BoardMode, BoardPage, BoardSettings, BoardSnapshot, Comment,
    Contribution, MAX_STARS, MIN_STARS, PostContent, PostOrigin, PostStatus, Rating, Reactions, Section,
};
use amphi_protocol::{ErrorCode, Role};
use serde::{Deserialize, Serialize};

use super::{Actor, Audience, Millis, Refusal};

/// Longest post title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest post text, in characters.
pub const MAX_TEXT_CHARS: usize = 5000;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Longest link, image alt text and file name.
pub const MAX_LINK_CHARS: usize = 2000;
pub const MAX_ALT_CHARS: usize = 500;
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// Longest link card title, description and site name.
pub const MAX_PREVIEW_TITLE_CHARS: usize = 200;
pub const MAX_PREVIEW_DESCRIPTION_CHARS: usize = 500;
pub const MAX_PREVIEW_SITE_CHARS: usize = 100;
/// Comments one post takes (bounded events).
pub const MAX_COMMENTS_PER_POST: usize = 100;
/// Posts one board holds.
pub const MAX_POSTS: usize = 5000;
/// Sections one board has.
pub const MAX_SECTIONS: usize = 50;
/// Posts per snapshot or page.
pub const PAGE_POSTS: usize = 100;

/// A board as stored with its room: what it starts with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoardDefinition {
    pub title: String,
    /// Section titles, in order (a board has at least one section).
    pub sections: Vec<String>,
    pub settings: BoardSettings,
    /// Posts the board starts with (a board made from an export).
    pub posts: Vec<SeedPost>,
}

/// A post a board starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedPost {
    /// Index into `sections`.
    pub section: usize,
    pub author_name: String,
    #[serde(flatten)]
    pub content: PostContent,
    /// Likes it had where it was exported (counted, nobody's).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub likes: u32,
    /// Stars it had where it was exported (counted, nobody's).
    #[serde(default, skip_serializing_if = "Rating::is_empty")]
    pub rating: Rating,
    /// A copy of another board's post: where it came from (kept by a
    /// duplicate, an export and its import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<PostOrigin>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Longest id of a copied post's origin (its board's room id, its post id).
const MAX_ORIGIN_ID_CHARS: usize = 64;

impl BoardDefinition {
    /// Checks what a definition must hold before a room is made of it.
    pub fn validate(&self) -> Result<(), String> {
        if self.title.trim().is_empty() || self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(format!("the board needs a title of 1 to {MAX_TITLE_CHARS} characters"));
        }
        if self.sections.len() > MAX_SECTIONS {
            return Err(format!("a board has at most {MAX_SECTIONS} sections"));
        }
        if let Some(bad) = self.sections.iter().find(|t| t.trim().is_empty() || t.chars().count() > MAX_TITLE_CHARS) {
            return Err(format!("section title {bad:?}: 1 to {MAX_TITLE_CHARS} characters"));
        }
        if self.posts.len() > MAX_POSTS {
            return Err(format!("a board holds at most {MAX_POSTS} posts"));
        }
        for post in &self.posts {
            if post.section >= self.sections.len().max(1) {
                return Err(format!("a post names section {} of {}", post.section, self.sections.len()));
            }
            check_content(&post.content).map_err(|refusal| refusal.message)?;
            let stars = u64::from(post.rating.sum);
            let count = u64::from(post.rating.count);
            if !(count * u64::from(MIN_STARS)..=count * u64::from(MAX_STARS)).contains(&stars) {
                return Err(format!("a post's rating is {MIN_STARS} to {MAX_STARS} stars per rating"));
            }
            if let Some(origin) = &post.copied_from
                && (origin.board.chars().count() > MAX_ORIGIN_ID_CHARS
                    || origin.post.chars().count() > MAX_ORIGIN_ID_CHARS
                    || origin.title.chars().count() > MAX_TITLE_CHARS)
            {
                return Err(format!(
                    "a post's `copied_from` has ids of at most {MAX_ORIGIN_ID_CHARS} and a title of at most \
                     {MAX_TITLE_CHARS} characters"
                ));
            }
        }
        Ok(())
    }
}

/// An event with who receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardEmit {
    pub audience: Audience,
    pub event: BoardEvent,
}

pub use super::CompletionChange;

#[derive(Debug, Clone)]
struct CommentState {
    id: String,
    author: String,
    author_name: String,
    text: String,
    created_at: Millis,
    edited_at: Option<Millis>,
}

#[derive(Debug, Clone)]
struct PostState {
    id: String,
    section: String,
    key: String,
    version: u32,
    author: String,
    author_name: String,
    content: PostContent,
    status: PostStatus,
    likes: BTreeSet<String>,
    /// Stars by member (a `stars` board).
    ratings: BTreeMap<String, u8>,
    /// Likes and stars the post came with (an imported board): nobody's.
    imported_likes: u32,
    imported_rating: Rating,
    comments: Vec<CommentState>,
    created_at: Millis,
    edited_at: Option<Millis>,
    /// A copy of another board's post: where it came from.
    copied_from: Option<PostOrigin>,
}

/// A live board.
#[derive(Debug)]
pub struct BoardSession {
    title: String,
    settings: BoardSettings,
    sections: Vec<Section>,
    posts: BTreeMap<String, PostState>,
    next_post: u64,
    next_comment: u64,
    next_section: u64,
    /// Completion states last handed out, by member.
    completion: BTreeMap<String, u8>,
    completion_changes: Vec<CompletionChange>,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::InvalidState, message)
}

fn out_of_range(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::OutOfRange, message)
}

fn not_found(what: &str) -> Refusal {
    Refusal::new(ErrorCode::NotFound, format!("no such {what} on this board"))
}

/// Checks a post's content: lengths, something to show, http(s) links, a
/// link card only with its link.
fn check_content(content: &PostContent) -> Result<(), Refusal> {
    let chars = |s: &str| s.chars().count();
    if chars(&content.title) > MAX_TITLE_CHARS {
        return Err(out_of_range(format!("a title has at most {MAX_TITLE_CHARS} characters")));
    }
    if chars(&content.text) > MAX_TEXT_CHARS {
        return Err(out_of_range(format!("a text has at most {MAX_TEXT_CHARS} characters")));
    }
    let empty = content.title.trim().is_empty()
        && content.text.trim().is_empty()
        && content.link.is_none()
        && content.image.is_none()
        && content.video.is_none()
        && content.file.is_none();
    if empty {
        return Err(out_of_range("a post needs a title, a text, a link, an image, a video or a file"));
    }
    if let Some(link) = &content.link
        && (chars(link) > MAX_LINK_CHARS || !is_web_link(link))
    {
        return Err(Refusal::new(ErrorCode::InvalidField, "a link is an http:// or https:// address"));
    }
    if let Some(video) = &content.video
        && (chars(&video.url) > MAX_LINK_CHARS || !video.url.starts_with("https://"))
    {
        return Err(Refusal::new(ErrorCode::InvalidField, "a video is an https:// address of an allowed host"));
    }
    if let Some(image) = &content.image
        && (chars(&image.alt) > MAX_ALT_CHARS || image.blob.is_empty())
    {
        return Err(out_of_range(format!(
            "an image needs its blob and at most {MAX_ALT_CHARS} characters of alt text"
        )));
    }
    if let Some(file) = &content.file
        && (chars(&file.name) > MAX_FILE_NAME_CHARS || file.blob.is_empty() || file.name.trim().is_empty())
    {
        return Err(out_of_range(format!("a file needs its blob and a name of 1 to {MAX_FILE_NAME_CHARS} characters")));
    }
    if let Some(preview) = &content.link_preview {
        if content.link.is_none() {
            return Err(Refusal::new(ErrorCode::InvalidField, "a link card needs its link"));
        }
        if chars(&preview.title) > MAX_PREVIEW_TITLE_CHARS
            || chars(&preview.description) > MAX_PREVIEW_DESCRIPTION_CHARS
            || chars(&preview.site) > MAX_PREVIEW_SITE_CHARS
            || preview.image.as_ref().is_some_and(String::is_empty)
        {
            return Err(out_of_range(format!(
                "a link card has at most {MAX_PREVIEW_TITLE_CHARS} characters of title, \
                 {MAX_PREVIEW_DESCRIPTION_CHARS} of description and {MAX_PREVIEW_SITE_CHARS} of site name"
            )));
        }
    }
    Ok(())
}

/// Whether `link` is an absolute http(s) URL with a host.
fn is_web_link(link: &str) -> bool {
    let rest = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !link.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

impl BoardSession {
    /// A board made from its definition (validated); seed posts are
    /// authored by the board's creator.
    pub fn new(definition: BoardDefinition, creator: &str, now: Millis) -> BoardSession {
        let mut board = BoardSession {
            title: definition.title,
            settings: definition.settings,
            sections: Vec::new(),
            posts: BTreeMap::new(),
            next_post: 1,
            next_comment: 1,
            next_section: 1,
            completion: BTreeMap::new(),
            completion_changes: Vec::new(),
        };
        let titles = if definition.sections.is_empty() { vec![String::new()] } else { definition.sections };
        for title in titles {
            board.add_section(title);
        }
        for seed in definition.posts {
            let section = board.sections[seed.section.min(board.sections.len() - 1)].id.clone();
            let key = board.key_before(&section, None);
            let id =
                board.insert_post(section, key, creator, &seed.author_name, seed.content, PostStatus::Visible, now);
            if let Some(post) = board.posts.get_mut(&id) {
                (post.imported_likes, post.imported_rating) = (seed.likes, seed.rating);
                post.copied_from = seed.copied_from;
            }
        }
        board
    }

    pub fn settings(&self) -> &BoardSettings {
        &self.settings
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// Completion changes since the last call, for the course store.
    pub fn take_completion_changes(&mut self) -> Vec<CompletionChange> {
        std::mem::take(&mut self.completion_changes)
    }

    fn add_section(&mut self, title: String) -> String {
        let id = format!("s{}", self.next_section);
        self.next_section += 1;
        self.sections.push(Section { id: id.clone(), title, locked: false });
        id
    }

    fn section(&self, id: &str) -> Result<&Section, Refusal> {
        self.sections.iter().find(|s| s.id == id).ok_or_else(|| not_found("section"))
    }

    /// The posts of `section` in order.
    fn in_section<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a PostState> + 'a {
        let mut posts: Vec<&PostState> = self.posts.values().filter(|p| p.section == section).collect();
        posts.sort_by(|a, b| (&a.key, &a.id).cmp(&(&b.key, &b.id)));
        posts.into_iter()
    }

    /// A key placing a post in `section` just before `before` (at the end
    /// when `None`), ignoring the post `moving` itself.
    fn key_before_excluding(&self, section: &str, before: Option<&str>, moving: Option<&str>) -> String {
        let ordered: Vec<&PostState> = self.in_section(section).filter(|p| Some(p.id.as_str()) != moving).collect();
        match before.and_then(|id| ordered.iter().position(|p| p.id == id)) {
            Some(at) => {
                let previous = at.checked_sub(1).map(|i| ordered[i].key.as_str());
                keys::between(previous, Some(ordered[at].key.as_str()))
            }
            None => keys::between(ordered.last().map(|p| p.key.as_str()), None),
        }
    }

    fn key_before(&self, section: &str, before: Option<&str>) -> String {
        self.key_before_excluding(section, before, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_post(
        &mut self,
        section: String,
        key: String,
        author: &str,
        author_name: &str,
        content: PostContent,
        status: PostStatus,
        now: Millis,
    ) -> String {
        let id = format!("p{}", self.next_post);
        self.next_post += 1;
        self.posts.insert(
            id.clone(),
            PostState {
                id: id.clone(),
                section,
                key,
                version: 1,
                author: author.to_string(),
                author_name: author_name.to_string(),
                content,
                status,
                likes: BTreeSet::new(),
                ratings: BTreeMap::new(),
                imported_likes: 0,
                imported_rating: Rating::default(),
                comments: Vec::new(),
                created_at: now,
                edited_at: None,
                copied_from: None,
            },
        );
        id
    }

    /// Whether participants may write now (mode and deadline).
    fn participants_may_write(&self, now: Millis) -> Result<(), Refusal> {
        if self.settings.mode == BoardMode::Closed {
            return Err(invalid("the board is closed: read only"));
        }
        if self.settings.deadline.is_some_and(|deadline| now >= deadline) {
            return Err(invalid("the posting deadline has passed"));
        }
        Ok(())
    }

    /// A participant's write to `section` (leaders always may).
    fn may_write_in(&self, who: Actor<'_>, section: &str, now: Millis) -> Result<(), Refusal> {
        if who.role.leads() {
            return Ok(());
        }
        if who.role != Role::Participant {
            return Err(Refusal::forbidden("observers do not write on the board"));
        }
        self.participants_may_write(now)?;
        if self.section(section)?.locked {
            return Err(invalid("this section is locked"));
        }
        Ok(())
    }

    fn post(&self, id: &str) -> Result<&PostState, Refusal> {
        self.posts.get(id).ok_or_else(|| not_found("post"))
    }

    /// Whether `who` sees the post at all.
    fn sees(who: Actor<'_>, post: &PostState) -> bool {
        post.status == PostStatus::Visible || who.role.leads() || post.author == who.id
    }

    fn only_leaders(who: Actor<'_>) -> Result<(), Refusal> {
        if who.role.leads() {
            Ok(())
        } else {
            Err(Refusal::forbidden("only a trainer, facilitator or admin does this"))
        }
    }

    /// Applies a command from `who` at `now`.
    pub fn apply(&mut self, who: Actor<'_>, command: BoardCommand, now: Millis) -> Result<Vec<BoardEmit>, Refusal> {
        match command {
            BoardCommand::Post { section, before, content } => self.add_post(who, section, before, content, now),
            BoardCommand::Edit { post, version, content } => self.edit(who, &post, version, content, now),
            BoardCommand::Delete { post } => self.delete(who, &post, now),
            BoardCommand::Move { post, section, before } => self.move_post(who, &post, &section, before, now),
            BoardCommand::Like { post } => self.like(who, &post, true),
            BoardCommand::Unlike { post } => self.like(who, &post, false),
            BoardCommand::Rate { post, stars } => self.rate(who, &post, Some(stars)),
            BoardCommand::Unrate { post } => self.rate(who, &post, None),
            BoardCommand::Comment { post, text } => self.comment(who, &post, text, now),
            BoardCommand::EditComment { post, comment, text } => self.edit_comment(who, &post, &comment, text, now),
            BoardCommand::DeleteComment { post, comment } => self.delete_comment(who, &post, &comment),
            BoardCommand::Approve { post } => self.set_status(who, &post, PostStatus::Pending, PostStatus::Visible),
            BoardCommand::Hide { post } => self.hide(who, &post),
            BoardCommand::Unhide { post } => self.set_status(who, &post, PostStatus::Hidden, PostStatus::Visible),
            BoardCommand::Reveal => self.reveal(who),
            BoardCommand::SetMode { mode } => {
                Self::only_leaders(who)?;
                self.settings.mode = mode;
                Ok(vec![self.settings_emit()])
            }
            BoardCommand::Switch { contribution, on } => {
                Self::only_leaders(who)?;
                let changed = if on {
                    self.settings.switched_off.remove(&contribution)
                } else {
                    self.settings.switched_off.insert(contribution)
                };
                Ok(if changed { vec![self.settings_emit()] } else { Vec::new() })
            }
            BoardCommand::SetReactions { reactions } => {
                Self::only_leaders(who)?;
                if self.settings.reactions == reactions {
                    return Ok(Vec::new());
                }
                self.settings.reactions = reactions;
                Ok(vec![self.settings_emit()])
            }
            BoardCommand::SetCopying { copying } => {
                Self::only_leaders(who)?;
                self.settings.copying = copying;
                Ok(vec![self.settings_emit()])
            }
            BoardCommand::CopyPost { section, author, origin, content } => {
                // Applied as its author would post it (the server sends it
                // for a leader as `service:<id>`).
                let as_author = Actor { id: &author, name: who.name, role: who.role };
                let mut emits = self.add_post(as_author, section, None, content, now)?;
                let id = format!("p{}", self.next_post - 1);
                if let Some(post) = self.posts.get_mut(&id) {
                    post.copied_from = Some(origin);
                    emits = self.post_emits(&id, Change::Added);
                }
                Ok(emits)
            }
            BoardCommand::SetDeadline { deadline } => {
                Self::only_leaders(who)?;
                self.settings.deadline = deadline;
                Ok(vec![self.settings_emit()])
            }
            BoardCommand::AddSection { title } => {
                Self::only_leaders(who)?;
                check_section_title(&title)?;
                if self.sections.len() >= MAX_SECTIONS {
                    return Err(out_of_range(format!("a board has at most {MAX_SECTIONS} sections")));
                }
                self.add_section(title.trim().to_string());
                Ok(vec![self.sections_emit()])
            }
            BoardCommand::RenameSection { section, title } => {
                Self::only_leaders(who)?;
                check_section_title(&title)?;
                self.section(&section)?;
                if let Some(s) = self.sections.iter_mut().find(|s| s.id == section) {
                    s.title = title.trim().to_string();
                }
                Ok(vec![self.sections_emit()])
            }
            BoardCommand::LockSection { section, locked } => {
                Self::only_leaders(who)?;
                self.section(&section)?;
                if let Some(s) = self.sections.iter_mut().find(|s| s.id == section) {
                    s.locked = locked;
                }
                Ok(vec![self.sections_emit()])
            }
            BoardCommand::RemoveSection { section } => {
                Self::only_leaders(who)?;
                self.section(&section)?;
                if self.sections.len() == 1 {
                    return Err(invalid("a board keeps at least one section"));
                }
                if self.posts.values().any(|p| p.section == section) {
                    return Err(invalid("move or delete this section's posts first"));
                }
                self.sections.retain(|s| s.id != section);
                Ok(vec![self.sections_emit()])
            }
            BoardCommand::Clear => {
                Self::only_leaders(who)?;
                let authors: BTreeSet<String> = self.posts.values().map(|p| p.author.clone()).collect();
                self.posts.clear();
                for author in authors {
                    self.recount(&author);
                }
                Ok(vec![BoardEmit { audience: Audience::Everyone, event: BoardEvent::Cleared }])
            }
            BoardCommand::LoadMore { .. } => Err(invalid("load_more is answered by `page`, not applied")),
        }
    }

    fn add_post(
        &mut self,
        who: Actor<'_>,
        section: Option<String>,
        before: Option<String>,
        content: PostContent,
        now: Millis,
    ) -> Result<Vec<BoardEmit>, Refusal> {
        let section = section.unwrap_or_else(|| self.sections[0].id.clone());
        self.may_write_in(who, &section, now)?;
        check_content(&content)?;
        self.may_contribute(who, &new_parts(None, &content))?;
        if self.posts.len() >= MAX_POSTS {
            return Err(out_of_range(format!("this board is full ({MAX_POSTS} posts)")));
        }
        if let Some(before) = &before {
            let anchor = self.post(before)?;
            if anchor.section != section {
                return Err(invalid("`before` names a post of another section"));
            }
        }
        let status = match self.settings.mode {
            _ if who.role.leads() => PostStatus::Visible,
            BoardMode::Moderated => PostStatus::Pending,
            BoardMode::RevealLater => PostStatus::Unrevealed,
            BoardMode::Open | BoardMode::Closed => PostStatus::Visible,
        };
        let key = self.key_before(&section, before.as_deref());
        let id = self.insert_post(section, key, who.id, who.name, content, status, now);
        self.recount(who.id);
        Ok(self.post_emits(&id, Change::Added))
    }

    /// Whether `who` may change `post` as its author (or as a leader).
    fn may_change(&self, who: Actor<'_>, post: &PostState, now: Millis) -> Result<(), Refusal> {
        if who.role.leads() {
            return Ok(());
        }
        if post.author != who.id {
            return Err(Refusal::forbidden("only its author or a trainer changes a post"));
        }
        self.may_write_in(who, &post.section, now)
    }

    fn edit(
        &mut self,
        who: Actor<'_>,
        id: &str,
        version: u32,
        content: PostContent,
        now: Millis,
    ) -> Result<Vec<BoardEmit>, Refusal> {
        let post = self.post(id)?;
        if !Self::sees(who, post) {
            return Err(not_found("post"));
        }
        self.may_change(who, post, now)?;
        check_content(&content)?;
        self.may_contribute(who, &new_parts(Some(&post.content), &content))?;
        if version != post.version {
            return Err(Refusal::new(
                ErrorCode::Conflict,
                format!(
                    "this post changed meanwhile: it is at version {}, the edit was based on {version}",
                    post.version
                ),
            ));
        }
        let post = self.posts.get_mut(id).expect("checked above");
        post.content = content;
        post.version += 1;
        post.edited_at = Some(now);
        Ok(self.post_emits(id, Change::Updated))
    }

    /// The current post, for the editor whose edit conflicted.
    pub fn conflict_emit(&self, who: Actor<'_>, id: &str) -> Option<BoardEmit> {
        let post = self.posts.get(id).filter(|post| Self::sees(who, post))?;
        let view = view::post(post, self.lens_of(who));
        Some(BoardEmit {
            audience: Audience::Member(who.id.to_string()),
            event: BoardEvent::PostUpdated { post: view },
        })
    }

    fn delete(&mut self, who: Actor<'_>, id: &str, now: Millis) -> Result<Vec<BoardEmit>, Refusal> {
        let post = self.post(id)?;
        if !Self::sees(who, post) {
            return Err(not_found("post"));
        }
        self.may_change(who, post, now)?;
        let emits = self.removal_emits(post);
        let author = post.author.clone();
        self.posts.remove(id);
        self.recount(&author);
        Ok(emits)
    }

    fn move_post(
        &mut self,
        who: Actor<'_>,
        id: &str,
        section: &str,
        before: Option<String>,
        now: Millis,
    ) -> Result<Vec<BoardEmit>, Refusal> {
        let post = self.post(id)?;
        if !Self::sees(who, post) {
            return Err(not_found("post"));
        }
        self.may_change(who, post, now)?;
        self.may_write_in(who, section, now)?;
        if let Some(before) = &before {
            let anchor = self.post(before)?;
            if anchor.section != section || anchor.id == id {
                return Err(invalid("`before` must be another post of the target section"));
            }
        }
        let key = self.key_before_excluding(section, before.as_deref(), Some(id));
        let post = self.posts.get_mut(id).expect("checked above");
        post.section = section.to_string();
        post.key = key;
        Ok(self.post_emits(id, Change::Updated))
    }

    /// Whether `who` may add these kinds of contribution: leaders always
    /// may, participants unless a leader switched one off.
    fn may_contribute(&self, who: Actor<'_>, parts: &BTreeSet<Contribution>) -> Result<(), Refusal> {
        if who.role.leads() {
            return Ok(());
        }
        match parts.intersection(&self.settings.switched_off).next() {
            Some(off) => Err(Refusal::new(
                ErrorCode::SwitchedOff,
                format!("{} are switched off on this board", contribution_words(*off)),
            )),
            None => Ok(()),
        }
    }

    /// Whether `who` may react to post `id` the board's way `kind`.
    fn may_react(&self, who: Actor<'_>, id: &str, kind: Reactions) -> Result<(), Refusal> {
        if who.role == Role::Observer {
            return Err(Refusal::forbidden("observers do not react to posts"));
        }
        if self.settings.reactions != kind {
            let message = match self.settings.reactions {
                Reactions::Likes => "this board takes likes, not star ratings",
                Reactions::Stars => "this board takes star ratings, not likes",
                Reactions::None => "reactions are switched off on this board",
            };
            return Err(Refusal::new(ErrorCode::SwitchedOff, message));
        }
        let post = self.post(id)?;
        if !Self::sees(who, post) {
            return Err(not_found("post"));
        }
        if !who.role.leads() {
            if self.settings.mode == BoardMode::Closed {
                return Err(invalid("the board is closed: read only"));
            }
            if post.status != PostStatus::Visible {
                return Err(invalid("this post is not shown to everyone yet"));
            }
        }
        Ok(())
    }

    fn rate(&mut self, who: Actor<'_>, id: &str, stars: Option<u8>) -> Result<Vec<BoardEmit>, Refusal> {
        self.may_react(who, id, Reactions::Stars)?;
        if stars.is_some_and(|stars| !(MIN_STARS..=MAX_STARS).contains(&stars)) {
            return Err(out_of_range(format!("a rating is {MIN_STARS} to {MAX_STARS} stars")));
        }
        let post = self.posts.get_mut(id).expect("checked above");
        let before = match stars {
            Some(stars) => post.ratings.insert(who.id.to_string(), stars),
            None => post.ratings.remove(who.id),
        };
        if before == stars {
            return Ok(Vec::new()); // the same rating again changes nothing
        }
        let rating = rating_of(post);
        let mut emits = self.to_seers(&self.posts[id], BoardEvent::Rating { post: id.to_string(), rating });
        emits.push(BoardEmit {
            audience: Audience::Member(who.id.to_string()),
            event: BoardEvent::Rated { post: id.to_string(), stars },
        });
        Ok(emits)
    }

    fn like(&mut self, who: Actor<'_>, id: &str, like: bool) -> Result<Vec<BoardEmit>, Refusal> {
        self.may_react(who, id, Reactions::Likes)?;
        let post = self.posts.get_mut(id).expect("checked above");
        let changed = if like { post.likes.insert(who.id.to_string()) } else { post.likes.remove(who.id) };
        if !changed {
            return Ok(Vec::new()); // liking twice is one like
        }
        let likes = likes_of(post);
        let mut emits = self.to_seers(&self.posts[id], BoardEvent::Likes { post: id.to_string(), likes });
        emits.push(BoardEmit {
            audience: Audience::Member(who.id.to_string()),
            event: BoardEvent::Liked { post: id.to_string(), liked: like },
        });
        Ok(emits)
    }

    fn comment(&mut self, who: Actor<'_>, id: &str, text: String, now: Millis) -> Result<Vec<BoardEmit>, Refusal> {
        let text = comment_text(&text)?;
        self.may_contribute(who, &BTreeSet::from([Contribution::Comments]))?;
        let post = self.post(id)?;
        if !Self::sees(who, post) {
            return Err(not_found("post"));
        }
        self.may_write_in(who, &post.section.clone(), now)?;
        if !who.role.leads() && post.status != PostStatus::Visible {
            return Err(invalid("this post is not shown to everyone yet"));
        }
        if post.comments.len() >= MAX_COMMENTS_PER_POST {
            return Err(out_of_range(format!("a post takes at most {MAX_COMMENTS_PER_POST} comments")));
        }
        let comment = CommentState {
            id: format!("c{}", self.next_comment),
            author: who.id.to_string(),
            author_name: who.name.to_string(),
            text,
            created_at: now,
            edited_at: None,
        };
        self.next_comment += 1;
        self.posts.get_mut(id).expect("checked above").comments.push(comment.clone());
        self.recount(who.id);
        Ok(self.comment_emits(who, id, &comment, |post, comment| BoardEvent::CommentAdded { post, comment }))
    }

    /// A comment's event to everyone who sees its post, each through their
    /// lens; the commenter sees their own name on it.
    fn comment_emits(
        &self,
        who: Actor<'_>,
        id: &str,
        comment: &CommentState,
        event: fn(String, Comment) -> BoardEvent,
    ) -> Vec<BoardEmit> {
        let post = &self.posts[id];
        let mut audiences = self.post_audiences(post);
        if let Lens::Peer(_) = self.lens_of(who)
            && post.author != who.id
        {
            audiences.push((Audience::Member(who.id.to_string()), Lens::Peer(who.id)));
        }
        audiences
            .into_iter()
            .map(|(audience, lens)| BoardEmit { audience, event: event(id.to_string(), view::comment(comment, lens)) })
            .collect()
    }

    fn edit_comment(
        &mut self,
        who: Actor<'_>,
        id: &str,
        comment: &str,
        text: String,
        now: Millis,
    ) -> Result<Vec<BoardEmit>, Refusal> {
        let text = comment_text(&text)?;
        let post = self.post(id)?;
        if !Self::sees(who, post) {
            return Err(not_found("post"));
        }
        let found = post.comments.iter().find(|c| c.id == comment).ok_or_else(|| not_found("comment"))?;
        if found.author != who.id {
            return Err(Refusal::forbidden("only its author rewrites a comment"));
        }
        self.may_contribute(who, &BTreeSet::from([Contribution::Comments]))?;
        self.may_write_in(who, &post.section.clone(), now)?;
        let Some(changed) = self.posts.get_mut(id).and_then(|p| p.comments.iter_mut().find(|c| c.id == comment)) else {
            return Err(not_found("comment"));
        };
        if changed.text == text {
            return Ok(Vec::new()); // the same words: nothing changes
        }
        changed.text = text;
        changed.edited_at = Some(now);
        let comment = changed.clone();
        Ok(self.comment_emits(who, id, &comment, |post, comment| BoardEvent::CommentUpdated { post, comment }))
    }

    fn delete_comment(&mut self, who: Actor<'_>, id: &str, comment: &str) -> Result<Vec<BoardEmit>, Refusal> {
        let post = self.post(id)?;
        if !Self::sees(who, post) {
            return Err(not_found("post"));
        }
        let found = post.comments.iter().find(|c| c.id == comment).ok_or_else(|| not_found("comment"))?;
        if !who.role.leads() && found.author != who.id {
            return Err(Refusal::forbidden("only its author or a trainer deletes a comment"));
        }
        let author = found.author.clone();
        self.posts.get_mut(id).expect("checked above").comments.retain(|c| c.id != comment);
        self.recount(&author);
        let removed = BoardEvent::CommentRemoved { post: id.to_string(), comment: comment.to_string() };
        Ok(self.to_seers(&self.posts[id], removed))
    }

    /// A leader moves a post from status `from` to `to` (approve, unhide).
    fn set_status(
        &mut self,
        who: Actor<'_>,
        id: &str,
        from: PostStatus,
        to: PostStatus,
    ) -> Result<Vec<BoardEmit>, Refusal> {
        Self::only_leaders(who)?;
        let post = self.posts.get_mut(id).ok_or_else(|| not_found("post"))?;
        if post.status != from {
            return Err(invalid(format!("this post is {:?}, not {from:?}", post.status).to_lowercase()));
        }
        post.status = to;
        Ok(self.post_emits(id, Change::Added))
    }

    fn hide(&mut self, who: Actor<'_>, id: &str) -> Result<Vec<BoardEmit>, Refusal> {
        Self::only_leaders(who)?;
        let post = self.post(id)?;
        if post.status == PostStatus::Hidden {
            return Ok(Vec::new());
        }
        // Those who saw it lose it; its author and the leaders see it hidden.
        let mut emits: Vec<BoardEmit> = if post.status == PostStatus::Visible {
            let others = Audience::NonLeadersBut(post.author.clone());
            vec![BoardEmit { audience: others, event: BoardEvent::PostRemoved { post: id.to_string() } }]
        } else {
            Vec::new()
        };
        self.posts.get_mut(id).expect("checked above").status = PostStatus::Hidden;
        emits.extend(self.post_emits(id, Change::Updated));
        Ok(emits)
    }

    fn reveal(&mut self, who: Actor<'_>) -> Result<Vec<BoardEmit>, Refusal> {
        Self::only_leaders(who)?;
        let waiting: Vec<String> =
            self.posts.values().filter(|p| p.status == PostStatus::Unrevealed).map(|p| p.id.clone()).collect();
        let mut emits = Vec::new();
        for id in waiting {
            self.posts.get_mut(&id).expect("listed above").status = PostStatus::Visible;
            emits.extend(self.post_emits(&id, Change::Added));
        }
        if self.settings.mode == BoardMode::RevealLater {
            // Posts after the reveal show at once.
            self.settings.mode = BoardMode::Open;
            emits.push(self.settings_emit());
        }
        Ok(emits)
    }

    fn settings_emit(&self) -> BoardEmit {
        BoardEmit { audience: Audience::Everyone, event: BoardEvent::Settings { settings: self.settings.clone() } }
    }

    fn sections_emit(&self) -> BoardEmit {
        BoardEmit { audience: Audience::Everyone, event: BoardEvent::Sections { sections: self.sections.clone() } }
    }

    /// How `who` sees names: all of them, or (authors hidden from peers)
    /// only their own.
    fn lens_of<'a>(&self, who: Actor<'a>) -> Lens<'a> {
        if self.settings.authors == AuthorVisibility::Visible || who.role.leads() {
            Lens::All
        } else {
            Lens::Peer(who.id)
        }
    }

    /// Who sees `post`, each with how they see names. The author gets their
    /// own copy last, so that it is the one they keep.
    fn post_audiences<'a>(&self, post: &'a PostState) -> Vec<(Audience, Lens<'a>)> {
        let hidden_authors = self.settings.authors == AuthorVisibility::HiddenFromPeers;
        if post.status == PostStatus::Visible && !hidden_authors {
            return vec![(Audience::Everyone, Lens::All)];
        }
        let mut audiences = Vec::new();
        if post.status == PostStatus::Visible {
            audiences.push((Audience::NonLeaders, Lens::Peer("")));
        }
        audiences.push((Audience::Leaders, Lens::All));
        audiences.push((Audience::Member(post.author.clone()), Lens::Peer(&post.author)));
        audiences
    }

    /// An event that shows no names, to everyone who sees `post`.
    fn to_seers(&self, post: &PostState, event: BoardEvent) -> Vec<BoardEmit> {
        let audiences = if post.status == PostStatus::Visible {
            vec![Audience::Everyone]
        } else {
            vec![Audience::Leaders, Audience::Member(post.author.clone())]
        };
        audiences.into_iter().map(|audience| BoardEmit { audience, event: event.clone() }).collect()
    }

    /// `post_added` or `post_updated` of `id` to everyone who sees it.
    fn post_emits(&self, id: &str, change: Change) -> Vec<BoardEmit> {
        let Some(post) = self.posts.get(id) else { return Vec::new() };
        self.post_audiences(post)
            .into_iter()
            .map(|(audience, lens)| {
                let post = view::post(post, lens);
                let event = match change {
                    Change::Added => BoardEvent::PostAdded { post },
                    Change::Updated => BoardEvent::PostUpdated { post },
                };
                BoardEmit { audience, event }
            })
            .collect()
    }

    fn removal_emits(&self, post: &PostState) -> Vec<BoardEmit> {
        self.to_seers(post, BoardEvent::PostRemoved { post: post.id.clone() })
    }

    /// Recomputes `member`'s completion after a change of their posts or
    /// comments; a change is queued for the store.
    fn recount(&mut self, member: &str) {
        let (need_posts, need_comments) = (self.settings.completion_posts, self.settings.completion_comments);
        if need_posts == 0 && need_comments == 0 {
            return;
        }
        let posts = self.posts.values().filter(|p| p.author == member).count() as u32;
        let comments = self.posts.values().flat_map(|p| &p.comments).filter(|c| c.author == member).count() as u32;
        let state = u8::from(posts >= need_posts && comments >= need_comments);
        let before = self.completion.insert(member.to_string(), state);
        if before != Some(state) {
            self.completion_changes.push(CompletionChange {
                member: member.to_string(),
                state,
                score: posts.min(need_posts) + comments.min(need_comments),
                max_score: need_posts + need_comments,
            });
        }
    }

    /// The board in order (sections in order, then by key), as `who` sees
    /// it.
    fn ordered_for<'a>(&'a self, who: Actor<'a>) -> impl Iterator<Item = (usize, &'a PostState)> + 'a {
        self.sections.iter().enumerate().flat_map(move |(position, section)| {
            self.in_section(&section.id).filter(move |post| Self::sees(who, post)).map(move |post| (position, post))
        })
    }

    /// The board as `who` sees it: settings, sections and the first page.
    pub fn snapshot(&self, who: Actor<'_>) -> BoardSnapshot {
        let page = self.page_after(who, None);
        BoardSnapshot {
            title: self.title.clone(),
            settings: self.settings.clone(),
            sections: self.sections.clone(),
            total: self.ordered_for(who).count() as u32,
            posts: page.posts,
            next: page.next,
            liked: page.liked,
            rated: page.rated,
            video_hosts: Vec::new(),
        }
    }

    /// The page of posts after `cursor` (from the start when `None`).
    pub fn page_after(&self, who: Actor<'_>, cursor: Option<&str>) -> BoardPage {
        let after = cursor.and_then(view::parse_cursor);
        let lens = self.lens_of(who);
        let mut page = BoardPage { posts: Vec::new(), next: None, liked: Vec::new(), rated: BTreeMap::new() };
        for (position, post) in self.ordered_for(who) {
            if let Some((p, key, id)) = &after
                && (position, post.key.as_str(), post.id.as_str()) <= (*p, key.as_str(), id.as_str())
            {
                continue;
            }
            if page.posts.len() == PAGE_POSTS {
                page.next = page.posts.last().map(|last: &amphi_protocol::board::Post| {
                    let section = self.sections.iter().position(|s| s.id == last.section).unwrap_or(0);
                    view::cursor(section, &last.key, &last.id)
                });
                break;
            }
            if post.likes.contains(who.id) {
                page.liked.push(post.id.clone());
            }
            if let Some(stars) = post.ratings.get(who.id) {
                page.rated.insert(post.id.clone(), *stars);
            }
            page.posts.push(view::post(post, lens));
        }
        page
    }

    /// Every post with its author, for exports: `(section title, post,
    /// author name)`, in board order, deleted ones gone.
    pub fn export_rows(&self) -> Vec<ExportRow> {
        let leader = Actor { id: "", name: "", role: Role::Admin };
        self.ordered_for(leader)
            .map(|(position, post)| ExportRow {
                section: self.sections[position].title.clone(),
                post: view::post(post, Lens::All),
            })
            .collect()
    }

    /// The board as a definition (an export reused as a template): its
    /// sections and visible posts.
    pub fn as_definition(&self) -> BoardDefinition {
        let positions: BTreeMap<&str, usize> =
            self.sections.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let leader = Actor { id: "", name: "", role: Role::Admin };
        // A free wall's one untitled section is no section at all in a
        // definition (which refuses blank titles).
        let untitled_wall = self.sections.len() == 1 && self.sections[0].title.is_empty();
        BoardDefinition {
            title: self.title.clone(),
            sections: if untitled_wall { Vec::new() } else { self.sections.iter().map(|s| s.title.clone()).collect() },
            settings: self.settings.clone(),
            posts: self
                .ordered_for(leader)
                .filter(|(_, post)| post.status == PostStatus::Visible)
                .map(|(_, post)| SeedPost {
                    section: positions.get(post.section.as_str()).copied().unwrap_or(0),
                    author_name: post.author_name.clone(),
                    content: post.content.clone(),
                    likes: likes_of(post),
                    rating: rating_of(post),
                    copied_from: post.copied_from.clone(),
                })
                .collect(),
        }
    }
}

/// One post of an export, with its section's title.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExportRow {
    pub section: String,
    pub post: amphi_protocol::board::Post,
}

/// The kinds of contribution `new` adds to `old` (a new post: all it
/// holds): a link, card or video that changed, an image or a file that is
/// not the one the post had.
fn new_parts(old: Option<&PostContent>, new: &PostContent) -> BTreeSet<Contribution> {
    let mut parts = BTreeSet::new();
    let changed = |same: fn(&PostContent, &PostContent) -> bool| old.is_none_or(|old| !same(old, new));
    let link_part = new.link.is_some() || new.video.is_some() || new.link_preview.is_some();
    if link_part && changed(|a, b| a.link == b.link && a.video == b.video && a.link_preview == b.link_preview) {
        parts.insert(Contribution::Links);
    }
    if new.image.is_some() && changed(|a, b| a.image.as_ref().map(|i| &i.blob) == b.image.as_ref().map(|i| &i.blob)) {
        parts.insert(Contribution::Files);
    }
    if let Some(file) = &new.file
        && changed(|a, b| a.file.as_ref().map(|f| &f.blob) == b.file.as_ref().map(|f| &f.blob))
    {
        parts.insert(Contribution::of_file(&file.content_type));
    }
    parts
}

/// A kind of contribution in words, for refusals.
fn contribution_words(contribution: Contribution) -> &'static str {
    match contribution {
        Contribution::Files => "images and files",
        Contribution::Audio => "sound recordings and audio files",
        Contribution::Links => "links and videos",
        Contribution::Documents => "documents (PDF, office files)",
        Contribution::Comments => "comments",
    }
}

/// A post's likes: its members' and those it came with.
fn likes_of(post: &PostState) -> u32 {
    (post.likes.len() as u32).saturating_add(post.imported_likes)
}

/// A post's stars: its members' and those it came with.
fn rating_of(post: &PostState) -> Rating {
    let count = (post.ratings.len() as u32).saturating_add(post.imported_rating.count);
    let sum = post.ratings.values().map(|&s| u32::from(s)).sum::<u32>().saturating_add(post.imported_rating.sum);
    Rating { count, sum }
}

/// A comment's text, trimmed: 1 to [`MAX_COMMENT_CHARS`] characters.
fn comment_text(text: &str) -> Result<String, Refusal> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_COMMENT_CHARS {
        return Err(out_of_range(format!("a comment has 1 to {MAX_COMMENT_CHARS} characters")));
    }
    Ok(text.to_string())
}

fn check_section_title(title: &str) -> Result<(), Refusal> {
    if title.trim().is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(out_of_range(format!("a section title has 1 to {MAX_TITLE_CHARS} characters")));
    }
    Ok(())
}

/// How a viewer sees names on posts and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lens<'a> {
    /// Every author's name.
    All,
    /// Authors hidden, except this member's own (`""`: nobody's).
    Peer(&'a str),
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Added,
    Updated,
}
