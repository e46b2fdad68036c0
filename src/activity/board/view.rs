//! What a viewer sees of the board's state: posts and comments with names
//! per the viewer's lens, and the cursors of paged snapshots.

use amphi_protocol::board::{Comment, Post};

use super::{CommentState, Lens, PostState};

fn shows(lens: Lens<'_>, author: &str) -> bool {
    match lens {
        Lens::All => true,
        Lens::Peer(me) => !me.is_empty() && me == author,
    }
}

pub(super) fn comment(comment: &CommentState, lens: Lens<'_>) -> Comment {
    let shown = shows(lens, &comment.author);
    Comment {
        id: comment.id.clone(),
        author: shown.then(|| comment.author.clone()),
        author_name: shown.then(|| comment.author_name.clone()),
        text: comment.text.clone(),
        created_at: comment.created_at,
        edited_at: comment.edited_at,
    }
}

pub(super) fn post(post: &PostState, lens: Lens<'_>) -> Post {
    let shown = shows(lens, &post.author);
    Post {
        id: post.id.clone(),
        section: post.section.clone(),
        key: post.key.clone(),
        version: post.version,
        author: shown.then(|| post.author.clone()),
        author_name: shown.then(|| post.author_name.clone()),
        content: post.content.clone(),
        status: post.status,
        likes: super::likes_of(post),
        rating: super::rating_of(post),
        comments: post.comments.iter().map(|c| comment(c, lens)).collect(),
        created_at: post.created_at,
        edited_at: post.edited_at,
        copied_from: post.copied_from.clone().map(Box::new),
    }
}

/// A cursor after the post at `(section position, key, id)`.
pub(super) fn cursor(section: usize, key: &str, id: &str) -> String {
    format!("{section}.{key}.{id}")
}

pub(super) fn parse_cursor(cursor: &str) -> Option<(usize, String, String)> {
    let mut parts = cursor.splitn(3, '.');
    let section = parts.next()?.parse().ok()?;
    Some((section, parts.next()?.to_string(), parts.next()?.to_string()))
}
