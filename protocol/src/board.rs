//! Live board wire types (issue 4, "Collaborative board"): the settings of
//! a board, the commands members send (`action` tag), the events the board
//! emits (`kind` tag) and the per-viewer snapshot.
//!
//! Visibility rules the server keeps: a post waiting for approval
//! (`moderated`), not yet revealed (`reveal_later`) or hidden by a trainer is
//! seen only by its author and the leaders (trainers, facilitators, admins);
//! with `authors: hidden_from_peers`, a post's and a comment's author is
//! shown only to leaders and to the author themself. Text is plain text,
//! never HTML.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::MemberId;

/// Who may post, and when others see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardMode {
    /// Posts appear to everyone at once.
    #[default]
    Open,
    /// New posts are seen by their author and the leaders until a leader
    /// approves them.
    Moderated,
    /// Read-only for participants.
    Closed,
    /// Posts are seen by their author and the leaders until a leader
    /// reveals them all at once (think-pair-share without anchoring).
    RevealLater,
}

/// Whose names go with posts and comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorVisibility {
    /// Everyone sees who wrote what.
    #[default]
    Visible,
    /// Leaders see authors; participants and projectors do not (each
    /// author still sees their own).
    HiddenFromPeers,
}

/// How the board is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardLayout {
    /// Sections side by side.
    #[default]
    Columns,
    /// One free wall (a single section, not shown as a column).
    Wall,
}

/// How members react to posts: the board chooses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reactions {
    /// One like per member per post (`like`, `unlike`).
    #[default]
    Likes,
    /// A rating of 1 to 5 stars per member per post (`rate`, `unrate`).
    Stars,
    /// No reactions.
    None,
}

/// The stars a post was given: the average is `sum / count`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rating {
    /// How many ratings.
    pub count: u32,
    /// Their stars added up.
    pub sum: u32,
}

impl Rating {
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// A kind of contribution a leader may switch off for participants (what
/// posts already hold stays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contribution {
    /// Images, and uploaded files that are neither sound nor documents
    /// (video files).
    Files,
    /// Sound: voice messages recorded in the browser and audio files.
    Audio,
    /// Links (with their cards) and embedded videos.
    Links,
    /// PDF and office documents (odt, ods, odp, docx, xlsx, pptx).
    Documents,
    /// Comments (writing or rewriting one).
    Comments,
}

impl Contribution {
    pub const ALL: [Contribution; 5] = [
        Contribution::Files,
        Contribution::Audio,
        Contribution::Links,
        Contribution::Documents,
        Contribution::Comments,
    ];

    /// The kind of an uploaded file, by its sniffed type.
    pub fn of_file(content_type: &str) -> Contribution {
        if content_type.starts_with("audio/") {
            Contribution::Audio
        } else if content_type.starts_with("application/") {
            Contribution::Documents
        } else {
            Contribution::Files
        }
    }

    /// The wire name, e.g. `"documents"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Contribution::Files => "files",
            Contribution::Audio => "audio",
            Contribution::Links => "links",
            Contribution::Documents => "documents",
            Contribution::Comments => "comments",
        }
    }
}

/// Fewest and most stars in a rating.
pub const MIN_STARS: u8 = 1;
pub const MAX_STARS: u8 = 5;

/// A board's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoardSettings {
    pub mode: BoardMode,
    pub authors: AuthorVisibility,
    pub layout: BoardLayout,
    /// After this time (ms since the epoch) participants can no longer
    /// post, edit or comment.
    pub deadline: Option<u64>,
    /// A participant's completion needs this many posts (deleted ones do
    /// not count); 0: none required.
    pub completion_posts: u32,
    /// ...and this many comments; 0: none required. With both at 0 the
    /// board tracks no completion.
    pub completion_comments: u32,
    /// Likes (the default), star ratings or no reactions.
    pub reactions: Reactions,
    /// What participants may no longer add (leaders still may); left out
    /// when nothing is switched off.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub switched_off: BTreeSet<Contribution>,
    /// Participants may copy this board's posts to another board of the
    /// tenant they can post to (leaders always may). Off by default.
    pub copying: bool,
}

/// A section (column) of the board, in board order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    /// Participants cannot post into a locked section, nor change its posts.
    pub locked: bool,
}

/// An uploaded image shown in a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The blob's id (from `POST /api/v1/boards/{id}/uploads`); served at
    /// `/api/v1/blobs/{blob}`.
    pub blob: String,
    /// Alternative text (may be empty for a decorative image).
    #[serde(default)]
    pub alt: String,
}

/// A video embedded from an allowed host. The server rewrites the link the
/// member gave into the host's embed URL (YouTube in its nocookie mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Video {
    /// The link as given (in a command) or the embed URL (in events).
    pub url: String,
}

/// An uploaded file attached to a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    pub blob: String,
    /// The file's name as uploaded.
    pub name: String,
    /// Filled in by the server from the stored blob.
    #[serde(default)]
    pub content_type: String,
    /// Filled in by the server from the stored blob.
    #[serde(default)]
    pub size: u64,
}

/// A link shown as a card: what the linked page says of itself (its
/// `og:` or `<title>`/description tags), read by the server
/// (`POST /api/v1/boards/{id}/link-preview`) and kept with the post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkPreview {
    /// At most 200 characters.
    pub title: String,
    /// At most 500 characters.
    pub description: String,
    /// The site's name, or its host; at most 100 characters.
    pub site: String,
    /// The page's image, fetched by the server and stored as an upload
    /// (served at `/api/v1/blobs/{blob}` like a post's image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// A post's colour, one of the DSFR's illustrative colours (shown as its
/// contrast background, so text keeps its contrast).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostColour {
    TilleulVerveine,
    Bourgeon,
    Emeraude,
    Menthe,
    Archipel,
    Ecume,
    Cumulus,
    Glycine,
    Macaron,
    Tuile,
    Tournesol,
    Moutarde,
    TerreBattue,
    CafeCreme,
    Caramel,
    Opera,
    GrisGalet,
}

impl PostColour {
    /// Every colour, in the DSFR's order.
    pub const ALL: [PostColour; 17] = [
        PostColour::TilleulVerveine,
        PostColour::Bourgeon,
        PostColour::Emeraude,
        PostColour::Menthe,
        PostColour::Archipel,
        PostColour::Ecume,
        PostColour::Cumulus,
        PostColour::Glycine,
        PostColour::Macaron,
        PostColour::Tuile,
        PostColour::Tournesol,
        PostColour::Moutarde,
        PostColour::TerreBattue,
        PostColour::CafeCreme,
        PostColour::Caramel,
        PostColour::Opera,
        PostColour::GrisGalet,
    ];
}

/// What a member writes in a post. Every part but the title is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostContent {
    /// At most 200 characters.
    pub title: String,
    /// Plain text with line breaks, at most 5,000 characters.
    pub text: String,
    /// An http or https link.
    pub link: Option<String>,
    pub image: Option<Image>,
    pub video: Option<Video>,
    pub file: Option<File>,
    /// The link's card (only with a `link`; boxed: most posts have none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_preview: Option<Box<LinkPreview>>,
    /// The post's colour; none: the board's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour: Option<PostColour>,
}

/// Where a post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    /// Everyone sees it.
    Visible,
    /// Waiting for a leader's approval (moderated board).
    Pending,
    /// Waiting for the leader's reveal (reveal-later board).
    Unrevealed,
    /// Hidden by a leader.
    Hidden,
}

/// A comment on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    /// `None` when authors are hidden from this viewer.
    pub author: Option<MemberId>,
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: u64,
    /// When its author last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<u64>,
}

/// A post as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub section: String,
    /// Ordering key within the section: posts are shown by `(key, id)`,
    /// in byte order. Every client agrees on it.
    pub key: String,
    /// Bumped by each edit of the content; an edit names the version it
    /// was based on.
    pub version: u32,
    /// `None` when authors are hidden from this viewer.
    pub author: Option<MemberId>,
    pub author_name: Option<String>,
    #[serde(flatten)]
    pub content: PostContent,
    pub status: PostStatus,
    pub likes: u32,
    /// The stars it was given (a `stars` board); left out when none.
    #[serde(default, skip_serializing_if = "Rating::is_empty")]
    pub rating: Rating,
    /// Oldest first; at most 100 per post.
    pub comments: Vec<Comment>,
    pub created_at: u64,
    pub edited_at: Option<u64>,
    /// Set on a post copied from another board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<Box<PostOrigin>>,
}

/// Where a copied post came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostOrigin {
    /// The board's room id.
    pub board: String,
    /// The post's id on that board.
    pub post: String,
    /// That board's title when the post was copied.
    pub title: String,
}

/// A command of a room's board. Participants post, edit and delete their
/// own posts, like, comment; leaders also moderate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BoardCommand {
    /// Adds a post to `section` (the first section if absent), before the
    /// post `before` (at the end if absent).
    Post {
        #[serde(default)]
        section: Option<String>,
        #[serde(default)]
        before: Option<String>,
        #[serde(flatten)]
        content: PostContent,
    },
    /// Replaces a post's content; refused with `conflict` (and the current
    /// post sent to the editor) when `version` is not the current one.
    Edit {
        post: String,
        version: u32,
        #[serde(flatten)]
        content: PostContent,
    },
    /// Deletes a post (its author, or a leader).
    Delete {
        post: String,
    },
    /// Moves a post to `section`, before the post `before` (at the end if
    /// absent).
    Move {
        post: String,
        section: String,
        #[serde(default)]
        before: Option<String>,
    },
    /// One like per member per post.
    Like {
        post: String,
    },
    Unlike {
        post: String,
    },
    /// A `stars` board: rates a post 1 to 5 stars (one rating per member,
    /// a new one replaces it).
    Rate {
        post: String,
        stars: u8,
    },
    /// Takes one's rating back.
    Unrate {
        post: String,
    },
    /// At most 1,000 characters.
    Comment {
        post: String,
        text: String,
    },
    /// Its author rewrites a comment (at most 1,000 characters).
    EditComment {
        post: String,
        comment: String,
        text: String,
    },
    /// Deletes a comment (its author, or a leader).
    DeleteComment {
        post: String,
        comment: String,
    },
    /// Leader: shows a pending post to everyone.
    Approve {
        post: String,
    },
    /// Leader: hides a post from everyone but its author and the leaders.
    Hide {
        post: String,
    },
    /// Leader: shows a hidden post again.
    Unhide {
        post: String,
    },
    /// Leader, reveal-later board: shows every unrevealed post at once.
    Reveal,
    /// Leader: changes the mode.
    SetMode {
        mode: BoardMode,
    },
    /// Leader: switches a kind of contribution on or off for participants.
    Switch {
        contribution: Contribution,
        on: bool,
    },
    /// Leader: likes, stars or no reactions.
    SetReactions {
        reactions: Reactions,
    },
    /// Leader: whether participants may copy the board's posts elsewhere.
    SetCopying {
        copying: bool,
    },
    /// A copy of another board's post, added by the server (`POST
    /// /api/v1/boards/{board}/posts/{post}/copy`; refused from a client)
    /// on behalf of `author`, who must be able to post here.
    CopyPost {
        #[serde(default)]
        section: Option<String>,
        author: String,
        origin: PostOrigin,
        #[serde(flatten)]
        content: PostContent,
    },
    /// Leader: sets or clears the posting deadline.
    SetDeadline {
        #[serde(default)]
        deadline: Option<u64>,
    },
    /// Leader: adds a section at the end.
    AddSection {
        title: String,
    },
    /// Leader.
    RenameSection {
        section: String,
        title: String,
    },
    /// Leader: locks or unlocks a section.
    LockSection {
        section: String,
        locked: bool,
    },
    /// Leader: removes an empty section.
    RemoveSection {
        section: String,
    },
    /// Leader: deletes every post.
    Clear,
    /// Anyone: the next page of posts after `cursor` (from a snapshot or an
    /// earlier page), answered with a `board_page` message (not an `ack`).
    LoadMore {
        cursor: String,
    },
}

impl BoardCommand {
    /// Whether this command changes the board (and so is journaled and
    /// acknowledged once committed).
    pub fn changes_board(&self) -> bool {
        !matches!(self, BoardCommand::LoadMore { .. })
    }
}

/// An event of a room's board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BoardEvent {
    /// A post this viewer can now see (new, approved, revealed, unhidden).
    /// Clients upsert by id.
    PostAdded {
        post: Post,
    },
    /// A post this viewer sees changed (content, status, place, comments).
    /// Clients upsert by id.
    PostUpdated {
        post: Post,
    },
    /// A post this viewer no longer sees (deleted, hidden, cleared).
    PostRemoved {
        post: String,
    },
    /// A post's like count changed.
    Likes {
        post: String,
        likes: u32,
    },
    /// To the member only (all their devices): whether they like a post.
    Liked {
        post: String,
        liked: bool,
    },
    /// A post's stars changed (a `stars` board).
    Rating {
        post: String,
        rating: Rating,
    },
    /// To the member only (all their devices): their rating of a post,
    /// `None` once taken back.
    Rated {
        post: String,
        stars: Option<u8>,
    },
    /// A comment on a post this viewer sees.
    CommentAdded {
        post: String,
        comment: Comment,
    },
    /// A comment its author rewrote.
    CommentUpdated {
        post: String,
        comment: Comment,
    },
    CommentRemoved {
        post: String,
        comment: String,
    },
    /// The sections changed (added, renamed, locked, removed), in order.
    Sections {
        sections: Vec<Section>,
    },
    /// The settings changed (mode, deadline).
    Settings {
        settings: BoardSettings,
    },
    /// Every post is gone.
    Cleared,
}

/// A board as one viewer sees it when joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardSnapshot {
    pub title: String,
    pub settings: BoardSettings,
    pub sections: Vec<Section>,
    /// The first posts in board order (sections in order, then by key);
    /// more with `load_more` when `next` is set.
    pub posts: Vec<Post>,
    /// Posts this viewer can see in all.
    pub total: u32,
    /// Where `load_more` goes on; `None`: every post is here.
    pub next: Option<String>,
    /// The posts (of those here) this viewer likes.
    pub liked: Vec<String>,
    /// The posts (of those here) this viewer rated, with their stars; left
    /// out when none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rated: BTreeMap<String, u8>,
    /// The video hosts this server embeds (`board.video_hosts`: `youtube`,
    /// `vimeo`, `dailymotion`, or host names, `*.` for any subdomain), for
    /// the post form to name them; filled in by the node that sends the
    /// snapshot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub video_hosts: Vec<String>,
}

/// A page of posts, the answer to `load_more`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardPage {
    pub posts: Vec<Post>,
    pub next: Option<String>,
    pub liked: Vec<String>,
    /// As in the snapshot.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rated: BTreeMap<String, u8>,
}
