//! The board state machine: every command in every mode, with its audience
//! and its refusals.

use amphi_protocol::board::{
    AuthorVisibility, BoardCommand, BoardEvent, BoardMode, BoardSettings, File, Image, LinkPreview, PostContent,
    PostStatus, Video,
};
use amphi_protocol::{ErrorCode, Role};

use super::*;

const T0: Millis = 1_790_000_000_000;

fn trainer() -> Actor<'static> {
    Actor { id: "t1", name: "Mme Durand", role: Role::Trainer }
}
fn camille() -> Actor<'static> {
    Actor { id: "p1", name: "Camille", role: Role::Participant }
}
fn lea() -> Actor<'static> {
    Actor { id: "p2", name: "Léa", role: Role::Participant }
}
fn projector() -> Actor<'static> {
    Actor { id: "o1", name: "Projecteur", role: Role::Observer }
}

fn board_with(settings: BoardSettings) -> BoardSession {
    let definition = BoardDefinition {
        title: "Idées".into(),
        sections: vec!["Questions".into(), "Ressources".into()],
        settings,
        posts: Vec::new(),
    };
    definition.validate().unwrap();
    BoardSession::new(definition, "t1", T0)
}

fn board() -> BoardSession {
    board_with(BoardSettings::default())
}

fn text(title: &str) -> PostContent {
    PostContent { title: title.into(), text: "Un texte\nsur deux lignes".into(), ..PostContent::default() }
}

fn post(title: &str) -> BoardCommand {
    BoardCommand::Post { section: None, before: None, content: text(title) }
}

fn post_in(section: &str, before: Option<&str>, title: &str) -> BoardCommand {
    BoardCommand::Post { section: Some(section.into()), before: before.map(String::from), content: text(title) }
}

/// Applies and returns the emits, or panics with the refusal.
fn ok(board: &mut BoardSession, who: Actor<'_>, command: BoardCommand) -> Vec<BoardEmit> {
    board.apply(who, command, T0 + 1000).unwrap_or_else(|r| panic!("refused: {r:?}"))
}

fn refused(board: &mut BoardSession, who: Actor<'_>, command: BoardCommand) -> ErrorCode {
    board.apply(who, command, T0 + 1000).expect_err("should be refused").code
}

/// The id of the post an emit list adds.
fn added_id(emits: &[BoardEmit]) -> String {
    emits
        .iter()
        .find_map(|e| match &e.event {
            BoardEvent::PostAdded { post } => Some(post.id.clone()),
            _ => None,
        })
        .expect("a post_added")
}

/// Titles of the posts `who` sees, in board order.
fn seen_titles(board: &BoardSession, who: Actor<'_>) -> Vec<String> {
    board.snapshot(who).posts.iter().map(|p| p.content.title.clone()).collect()
}

#[test]
fn posts_keep_the_order_asked_for_and_move_between_sections() {
    let mut b = board();
    let first = added_id(&ok(&mut b, camille(), post("B")));
    let last = added_id(&ok(&mut b, lea(), post("D")));
    ok(&mut b, camille(), post_in("s1", Some(&first), "A"));
    ok(&mut b, lea(), post_in("s1", Some(&last), "C"));
    assert_eq!(seen_titles(&b, trainer()), ["A", "B", "C", "D"]);
    // A move to the other section, then back before the first post.
    ok(&mut b, trainer(), BoardCommand::Move { post: last.clone(), section: "s2".into(), before: None });
    let snapshot = b.snapshot(projector());
    let moved = snapshot.posts.iter().find(|p| p.id == last).unwrap();
    assert_eq!(moved.section, "s2");
    assert_eq!(seen_titles(&b, projector()), ["A", "B", "C", "D"], "sections in order, D in the second");
    let a = b.snapshot(trainer()).posts[0].id.clone();
    ok(&mut b, camille(), BoardCommand::Move { post: first.clone(), section: "s1".into(), before: Some(a) });
    assert_eq!(seen_titles(&b, trainer()), ["B", "A", "C", "D"]);
    // Keys sort posts the same way everywhere.
    let posts = b.snapshot(lea()).posts;
    let in_s1: Vec<&str> = posts.iter().filter(|p| p.section == "s1").map(|p| p.key.as_str()).collect();
    assert!(in_s1.windows(2).all(|w| w[0] < w[1]), "{in_s1:?}");
}

#[test]
fn open_boards_show_posts_to_everyone_with_their_authors() {
    let mut b = board();
    let emits = ok(&mut b, camille(), post("Bonjour"));
    assert_eq!(emits.len(), 1);
    assert_eq!(emits[0].audience, Audience::Everyone);
    let BoardEvent::PostAdded { post } = &emits[0].event else { panic!() };
    assert_eq!((post.author.as_deref(), post.author_name.as_deref()), (Some("p1"), Some("Camille")));
    assert_eq!((post.status, post.version, post.created_at), (PostStatus::Visible, 1, T0 + 1000));
}

#[test]
fn hidden_authors_are_known_to_leaders_and_to_themselves_only() {
    let mut b = board_with(BoardSettings { authors: AuthorVisibility::HiddenFromPeers, ..BoardSettings::default() });
    let emits = ok(&mut b, camille(), post("Anonyme"));
    let names: Vec<(Audience, Option<String>)> = emits
        .iter()
        .map(|e| match &e.event {
            BoardEvent::PostAdded { post } => (e.audience.clone(), post.author_name.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        vec![
            (Audience::NonLeaders, None),
            (Audience::Leaders, Some("Camille".into())),
            (Audience::Member("p1".into()), Some("Camille".into())),
        ],
        "the author's own copy comes last"
    );
    let id = b.snapshot(trainer()).posts[0].id.clone();
    assert_eq!(b.snapshot(lea()).posts[0].author, None);
    assert_eq!(b.snapshot(camille()).posts[0].author.as_deref(), Some("p1"));
    // Comments follow the same rule.
    ok(&mut b, lea(), BoardCommand::Comment { post: id.clone(), text: "D'accord".into() });
    let comment_author = |who| b.snapshot(who).posts[0].comments[0].author_name.clone();
    assert_eq!(comment_author(trainer()), Some("Léa".into()));
    assert_eq!(comment_author(lea()), Some("Léa".into()));
    assert_eq!(comment_author(camille()), None, "the post's author does not learn the commenter");
    assert_eq!(comment_author(projector()), None);
}

#[test]
fn moderated_posts_wait_for_approval() {
    let mut b = board_with(BoardSettings { mode: BoardMode::Moderated, ..BoardSettings::default() });
    let emits = ok(&mut b, camille(), post("À valider"));
    assert!(emits.iter().all(|e| matches!(e.audience, Audience::Leaders | Audience::Member(_))), "{emits:?}");
    let id = added_id(&emits);
    assert_eq!(seen_titles(&b, lea()), Vec::<String>::new());
    assert_eq!(seen_titles(&b, projector()), Vec::<String>::new());
    assert_eq!(b.snapshot(camille()).posts[0].status, PostStatus::Pending);
    assert_eq!(refused(&mut b, lea(), BoardCommand::Approve { post: id.clone() }), ErrorCode::Forbidden);
    assert_eq!(refused(&mut b, lea(), BoardCommand::Like { post: id.clone() }), ErrorCode::NotFound, "unseen");
    assert_eq!(refused(&mut b, camille(), BoardCommand::Like { post: id.clone() }), ErrorCode::InvalidState);
    let emits = ok(&mut b, trainer(), BoardCommand::Approve { post: id.clone() });
    assert_eq!(emits[0].audience, Audience::Everyone);
    assert_eq!(seen_titles(&b, lea()), ["À valider"]);
    assert_eq!(refused(&mut b, trainer(), BoardCommand::Approve { post: id }), ErrorCode::InvalidState);
    let trainer_post = ok(&mut b, trainer(), post("Consigne"));
    assert_eq!(trainer_post[0].audience, Audience::Everyone, "leaders' posts need no approval");
}

#[test]
fn reveal_later_shows_everything_at_once() {
    let mut b = board_with(BoardSettings { mode: BoardMode::RevealLater, ..BoardSettings::default() });
    ok(&mut b, camille(), post("Mon idée"));
    ok(&mut b, lea(), post("La mienne"));
    assert_eq!(seen_titles(&b, camille()), ["Mon idée"], "each sees their own only");
    assert_eq!(seen_titles(&b, lea()), ["La mienne"]);
    assert_eq!(seen_titles(&b, trainer()).len(), 2);
    assert_eq!(refused(&mut b, camille(), BoardCommand::Reveal), ErrorCode::Forbidden);
    let emits = ok(&mut b, trainer(), BoardCommand::Reveal);
    let to_everyone = emits.iter().filter(|e| e.audience == Audience::Everyone).count();
    assert_eq!(to_everyone, 3, "two posts and the new mode");
    assert_eq!(seen_titles(&b, projector()), ["Mon idée", "La mienne"]);
    assert_eq!(b.settings().mode, BoardMode::Open, "later posts show at once");
}

#[test]
fn closed_boards_deadlines_and_locked_sections_are_read_only_for_participants() {
    let mut b = board();
    let id = added_id(&ok(&mut b, camille(), post("Avant")));
    ok(&mut b, trainer(), BoardCommand::SetMode { mode: BoardMode::Closed });
    assert_eq!(refused(&mut b, lea(), post("Après")), ErrorCode::InvalidState);
    assert_eq!(refused(&mut b, lea(), BoardCommand::Like { post: id.clone() }), ErrorCode::InvalidState);
    ok(&mut b, trainer(), post("Le formateur peut"));
    ok(&mut b, trainer(), BoardCommand::SetMode { mode: BoardMode::Open });

    ok(&mut b, trainer(), BoardCommand::SetDeadline { deadline: Some(T0 + 500) });
    assert_eq!(refused(&mut b, lea(), post("Trop tard")), ErrorCode::InvalidState);
    let edit = BoardCommand::Edit { post: id.clone(), version: 1, content: text("Modifié") };
    assert_eq!(refused(&mut b, camille(), edit), ErrorCode::InvalidState);
    ok(&mut b, trainer(), BoardCommand::SetDeadline { deadline: None });

    ok(&mut b, trainer(), BoardCommand::LockSection { section: "s1".into(), locked: true });
    assert_eq!(refused(&mut b, lea(), post("Verrouillé")), ErrorCode::InvalidState);
    assert_eq!(refused(&mut b, camille(), BoardCommand::Delete { post: id.clone() }), ErrorCode::InvalidState);
    ok(&mut b, lea(), post_in("s2", None, "Ailleurs"));
    assert_eq!(refused(&mut b, projector(), post_in("s2", None, "Projecteur")), ErrorCode::Forbidden);
}

#[test]
fn edits_are_checked_against_their_version() {
    let mut b = board();
    let id = added_id(&ok(&mut b, camille(), post("v1")));
    ok(&mut b, camille(), BoardCommand::Edit { post: id.clone(), version: 1, content: text("v2") });
    // A second device still on version 1.
    let stale = BoardCommand::Edit { post: id.clone(), version: 1, content: text("écrase") };
    assert_eq!(refused(&mut b, camille(), stale), ErrorCode::Conflict);
    let current = b.conflict_emit(camille(), &id).expect("the current post for the editor");
    assert_eq!(current.audience, Audience::Member("p1".into()));
    let BoardEvent::PostUpdated { post } = current.event else { panic!() };
    assert_eq!((post.version, post.content.title.as_str()), (2, "v2"), "never silently overwritten");
    assert_eq!(
        refused(&mut b, lea(), BoardCommand::Edit { post: id.clone(), version: 2, content: text("x") }),
        ErrorCode::Forbidden,
        "only its author"
    );
    ok(&mut b, trainer(), BoardCommand::Edit { post: id.clone(), version: 2, content: text("v3") });
    assert_eq!(b.snapshot(lea()).posts[0].edited_at, Some(T0 + 1000));
}

#[test]
fn likes_are_one_per_member_and_private_state_goes_to_the_liker() {
    let mut b = board();
    let id = added_id(&ok(&mut b, camille(), post("Aimez-moi")));
    let emits = ok(&mut b, lea(), BoardCommand::Like { post: id.clone() });
    assert_eq!(emits[0].event, BoardEvent::Likes { post: id.clone(), likes: 1 });
    assert_eq!(emits[1].audience, Audience::Member("p2".into()));
    assert!(ok(&mut b, lea(), BoardCommand::Like { post: id.clone() }).is_empty(), "twice is once");
    ok(&mut b, camille(), BoardCommand::Like { post: id.clone() });
    assert_eq!(b.snapshot(lea()).posts[0].likes, 2);
    assert_eq!(b.snapshot(lea()).liked, vec![id.clone()]);
    ok(&mut b, lea(), BoardCommand::Unlike { post: id.clone() });
    assert_eq!(b.snapshot(lea()).posts[0].likes, 1);
    assert!(b.snapshot(lea()).liked.is_empty());
    assert_eq!(refused(&mut b, projector(), BoardCommand::Like { post: id }), ErrorCode::Forbidden);
}

#[test]
fn a_stars_board_takes_one_changeable_rating_per_member_and_no_likes() {
    use amphi_protocol::board::{Rating, Reactions};
    let mut b = board_with(BoardSettings { reactions: Reactions::Stars, ..BoardSettings::default() });
    let id = added_id(&ok(&mut b, camille(), post("Notez-moi")));
    let rate = |stars| BoardCommand::Rate { post: id.clone(), stars };
    let emits = ok(&mut b, lea(), rate(4));
    assert_eq!(emits[0].event, BoardEvent::Rating { post: id.clone(), rating: Rating { count: 1, sum: 4 } });
    assert_eq!(emits[0].audience, Audience::Everyone);
    assert_eq!(emits[1].audience, Audience::Member("p2".into()));
    assert_eq!(emits[1].event, BoardEvent::Rated { post: id.clone(), stars: Some(4) });
    assert!(ok(&mut b, lea(), rate(4)).is_empty(), "the same rating again changes nothing");
    ok(&mut b, lea(), rate(2));
    ok(&mut b, camille(), rate(5));
    assert_eq!(b.snapshot(trainer()).posts[0].rating, Rating { count: 2, sum: 7 });
    assert_eq!(b.snapshot(lea()).rated.get(&id), Some(&2));
    assert!(b.snapshot(trainer()).rated.is_empty(), "each sees only their own rating");
    for stars in [0, 6] {
        assert_eq!(refused(&mut b, lea(), rate(stars)), ErrorCode::OutOfRange);
    }
    assert_eq!(refused(&mut b, lea(), BoardCommand::Like { post: id.clone() }), ErrorCode::SwitchedOff);
    assert_eq!(refused(&mut b, projector(), rate(3)), ErrorCode::Forbidden);
    let emits = ok(&mut b, lea(), BoardCommand::Unrate { post: id.clone() });
    assert_eq!(emits[0].event, BoardEvent::Rating { post: id.clone(), rating: Rating { count: 1, sum: 5 } });
    assert_eq!(emits[1].event, BoardEvent::Rated { post: id.clone(), stars: None });
    assert!(ok(&mut b, lea(), BoardCommand::Unrate { post: id.clone() }).is_empty());
    // Leaders choose; likes boards refuse ratings, `none` refuses both.
    assert_eq!(
        refused(&mut b, camille(), BoardCommand::SetReactions { reactions: Reactions::Likes }),
        ErrorCode::Forbidden
    );
    ok(&mut b, trainer(), BoardCommand::SetReactions { reactions: Reactions::Likes });
    assert_eq!(refused(&mut b, lea(), rate(3)), ErrorCode::SwitchedOff);
    ok(&mut b, lea(), BoardCommand::Like { post: id.clone() });
    ok(&mut b, trainer(), BoardCommand::SetReactions { reactions: Reactions::None });
    assert_eq!(refused(&mut b, lea(), BoardCommand::Unlike { post: id.clone() }), ErrorCode::SwitchedOff);
    // The export keeps the counts; a board made of it starts with them.
    let definition = b.as_definition();
    assert_eq!((definition.posts[0].likes, definition.posts[0].rating), (1, Rating { count: 1, sum: 5 }));
    assert_eq!(definition.settings.reactions, Reactions::None);
    let again = BoardSession::new(definition.clone(), "t9", T0);
    let wall = BoardDefinition { title: "Mur".into(), ..BoardDefinition::default() };
    let wall = BoardSession::new(wall, "t1", T0).as_definition();
    assert!(wall.sections.is_empty() && wall.validate().is_ok(), "a free wall's export reads back: {wall:?}");
    assert_eq!(again.as_definition().posts, definition.posts, "a round trip keeps likes and stars");
    let mut bad = definition;
    bad.posts[0].rating = Rating { count: 1, sum: 6 };
    assert!(bad.validate().is_err(), "six stars in one rating");
}

#[test]
fn a_comment_is_rewritten_by_its_author_only_and_says_when() {
    let mut b = board();
    let id = added_id(&ok(&mut b, camille(), post("Discussion")));
    let emits = ok(&mut b, lea(), BoardCommand::Comment { post: id.clone(), text: "Oui".into() });
    let BoardEvent::CommentAdded { comment, .. } = &emits[0].event else { panic!() };
    let edit =
        |text: &str| BoardCommand::EditComment { post: id.clone(), comment: comment.id.clone(), text: text.into() };
    assert_eq!(refused(&mut b, camille(), edit("Non")), ErrorCode::Forbidden, "not another's words");
    assert_eq!(refused(&mut b, trainer(), edit("Non")), ErrorCode::Forbidden, "a trainer deletes, does not rewrite");
    assert_eq!(refused(&mut b, lea(), edit("  ")), ErrorCode::OutOfRange);
    assert_eq!(refused(&mut b, lea(), edit(&"x".repeat(MAX_COMMENT_CHARS + 1))), ErrorCode::OutOfRange);
    let missing = BoardCommand::EditComment { post: id.clone(), comment: "c999".into(), text: "x".into() };
    assert_eq!(refused(&mut b, lea(), missing), ErrorCode::NotFound);
    let emits = ok(&mut b, lea(), edit(" Oui, d'accord "));
    assert!(!emits.is_empty(), "everyone who sees the post is told");
    for emit in &emits {
        let BoardEvent::CommentUpdated { comment: shown, .. } = &emit.event else { panic!("{emit:?}") };
        assert_eq!((shown.text.as_str(), shown.edited_at.is_some()), ("Oui, d'accord", true));
    }
    assert!(ok(&mut b, lea(), edit("Oui, d'accord")).is_empty(), "the same words change nothing");
    let shown = &b.snapshot(trainer()).posts[0].comments[0];
    assert_eq!((shown.text.as_str(), shown.edited_at.is_some()), ("Oui, d'accord", true));
}

#[test]
fn comments_are_bounded_and_deleted_by_their_author_or_a_leader() {
    let mut b = board();
    let id = added_id(&ok(&mut b, camille(), post("Discussion")));
    let comment = BoardCommand::Comment { post: id.clone(), text: "  Oui !  ".into() };
    let emits = ok(&mut b, lea(), comment);
    let BoardEvent::CommentAdded { comment, .. } = &emits[0].event else { panic!() };
    assert_eq!(comment.text, "Oui !");
    let too_long = BoardCommand::Comment { post: id.clone(), text: "x".repeat(MAX_COMMENT_CHARS + 1) };
    assert_eq!(refused(&mut b, lea(), too_long), ErrorCode::OutOfRange);
    let empty = BoardCommand::Comment { post: id.clone(), text: "   ".into() };
    assert_eq!(refused(&mut b, lea(), empty), ErrorCode::OutOfRange);
    let delete = BoardCommand::DeleteComment { post: id.clone(), comment: comment.id.clone() };
    assert_eq!(refused(&mut b, camille(), delete.clone()), ErrorCode::Forbidden);
    ok(&mut b, trainer(), delete.clone());
    assert_eq!(refused(&mut b, trainer(), delete), ErrorCode::NotFound);
    for _ in 0..MAX_COMMENTS_PER_POST {
        ok(&mut b, lea(), BoardCommand::Comment { post: id.clone(), text: "encore".into() });
    }
    let one_more = BoardCommand::Comment { post: id, text: "de trop".into() };
    assert_eq!(refused(&mut b, lea(), one_more), ErrorCode::OutOfRange);
}

#[test]
fn hiding_deleting_and_clearing() {
    let mut b = board();
    let id = added_id(&ok(&mut b, camille(), post("Hors sujet")));
    assert_eq!(refused(&mut b, lea(), BoardCommand::Hide { post: id.clone() }), ErrorCode::Forbidden);
    let emits = ok(&mut b, trainer(), BoardCommand::Hide { post: id.clone() });
    assert_eq!(
        emits[0],
        BoardEmit {
            audience: Audience::NonLeadersBut("p1".into()),
            event: BoardEvent::PostRemoved { post: id.clone() }
        }
    );
    assert!(seen_titles(&b, lea()).is_empty());
    assert_eq!(b.snapshot(camille()).posts[0].status, PostStatus::Hidden, "its author sees it hidden");
    ok(&mut b, trainer(), BoardCommand::Unhide { post: id.clone() });
    assert_eq!(seen_titles(&b, lea()), ["Hors sujet"]);
    assert_eq!(refused(&mut b, lea(), BoardCommand::Delete { post: id.clone() }), ErrorCode::Forbidden);
    let emits = ok(&mut b, camille(), BoardCommand::Delete { post: id.clone() });
    assert_eq!(emits[0].event, BoardEvent::PostRemoved { post: id.clone() });
    assert_eq!(refused(&mut b, camille(), BoardCommand::Delete { post: id }), ErrorCode::NotFound);
    ok(&mut b, lea(), post("Un"));
    ok(&mut b, lea(), post("Deux"));
    assert_eq!(refused(&mut b, lea(), BoardCommand::Clear), ErrorCode::Forbidden);
    ok(&mut b, trainer(), BoardCommand::Clear);
    assert_eq!(b.snapshot(trainer()).total, 0);
}

#[test]
fn sections_are_managed_by_leaders() {
    let mut b = board();
    assert_eq!(refused(&mut b, lea(), BoardCommand::AddSection { title: "Moi".into() }), ErrorCode::Forbidden);
    ok(&mut b, trainer(), BoardCommand::AddSection { title: " Synthèse ".into() });
    ok(&mut b, trainer(), BoardCommand::RenameSection { section: "s3".into(), title: "Bilan".into() });
    let titles: Vec<String> = b.snapshot(lea()).sections.iter().map(|s| s.title.clone()).collect();
    assert_eq!(titles, ["Questions", "Ressources", "Bilan"]);
    ok(&mut b, lea(), post_in("s3", None, "Dans le bilan"));
    let remove = BoardCommand::RemoveSection { section: "s3".into() };
    assert_eq!(refused(&mut b, trainer(), remove.clone()), ErrorCode::InvalidState, "not empty");
    ok(&mut b, trainer(), BoardCommand::RemoveSection { section: "s2".into() });
    assert_eq!(refused(&mut b, trainer(), BoardCommand::AddSection { title: "".into() }), ErrorCode::OutOfRange);
    assert_eq!(refused(&mut b, lea(), post_in("s9", None, "Nulle part")), ErrorCode::NotFound);
}

#[test]
fn content_is_checked() {
    let mut b = board();
    let with = |content: PostContent| BoardCommand::Post { section: None, before: None, content };
    let cases = [
        (PostContent::default(), ErrorCode::OutOfRange),
        (PostContent { title: "x".repeat(MAX_TITLE_CHARS + 1), ..PostContent::default() }, ErrorCode::OutOfRange),
        (PostContent { text: "x".repeat(MAX_TEXT_CHARS + 1), ..PostContent::default() }, ErrorCode::OutOfRange),
        (PostContent { link: Some("javascript:alert(1)".into()), ..PostContent::default() }, ErrorCode::InvalidField),
        (PostContent { link: Some("ftp://x.example".into()), ..PostContent::default() }, ErrorCode::InvalidField),
        (
            PostContent { video: Some(Video { url: "http://insecure.example/v".into() }), ..PostContent::default() },
            ErrorCode::InvalidField,
        ),
        (
            PostContent { title: "Carte".into(), link_preview: Some(Box::default()), ..PostContent::default() },
            ErrorCode::InvalidField,
        ),
        (
            PostContent {
                link: Some("https://eduscol.education.fr/".into()),
                link_preview: Some(Box::new(LinkPreview {
                    description: "x".repeat(MAX_PREVIEW_DESCRIPTION_CHARS + 1),
                    ..LinkPreview::default()
                })),
                ..PostContent::default()
            },
            ErrorCode::OutOfRange,
        ),
    ];
    for (content, code) in cases {
        assert_eq!(refused(&mut b, camille(), with(content.clone())), code, "{content:?}");
    }
    let full = PostContent {
        title: "Tout".into(),
        text: "é".repeat(MAX_TEXT_CHARS),
        link: Some("https://eduscol.education.fr/".into()),
        image: Some(Image { blob: "a".repeat(64), alt: "Un schéma".into() }),
        video: Some(Video { url: "https://www.youtube-nocookie.com/embed/x".into() }),
        file: Some(File {
            blob: "b".repeat(64),
            name: "cours.pdf".into(),
            content_type: "application/pdf".into(),
            size: 3,
        }),
        link_preview: Some(Box::new(LinkPreview {
            title: "Éduscol".into(),
            description: "é".repeat(MAX_PREVIEW_DESCRIPTION_CHARS),
            site: "eduscol.education.fr".into(),
            image: Some("c".repeat(64)),
        })),
        colour: Some(amphi_protocol::board::PostColour::Opera),
    };
    ok(&mut b, camille(), with(full));
}

#[test]
fn switched_off_kinds_are_refused_to_participants_and_existing_posts_keep_theirs() {
    use amphi_protocol::board::Contribution;
    let file = |content_type: &str| File {
        blob: content_type.replace('/', "-"),
        name: "f".into(),
        content_type: content_type.into(),
        size: 3,
    };
    let with_file = |content_type: &str| PostContent { file: Some(file(content_type)), ..text("Fichier") };
    let with_link = PostContent { link: Some("https://eduscol.education.fr/".into()), ..text("Lien") };
    let with_video =
        PostContent { video: Some(Video { url: "https://www.youtube-nocookie.com/embed/x".into() }), ..text("Vidéo") };
    let with_image = PostContent { image: Some(Image { blob: "i".into(), alt: String::new() }), ..text("Image") };
    let mut b = board();
    let post_of = |content: PostContent| BoardCommand::Post { section: None, before: None, content };
    // Before: everything goes; a PDF post stays once documents go off.
    let pdf = added_id(&ok(&mut b, camille(), post_of(with_file("application/pdf"))));
    let switch = |contribution, on| BoardCommand::Switch { contribution, on };
    assert_eq!(refused(&mut b, camille(), switch(Contribution::Links, false)), ErrorCode::Forbidden);
    for kind in Contribution::ALL {
        let emits = ok(&mut b, trainer(), switch(kind, false));
        assert!(matches!(&emits[0].event, BoardEvent::Settings { settings } if settings.switched_off.contains(&kind)));
    }
    assert!(ok(&mut b, trainer(), switch(Contribution::Links, false)).is_empty(), "already off");
    let cases = [
        (with_file("application/pdf"), "documents"),
        (with_file("application/vnd.oasis.opendocument.text"), "documents"),
        (with_file("audio/webm"), "sound"),
        (with_file("video/mp4"), "files"),
        (with_image.clone(), "images"),
        (with_link.clone(), "links"),
        (with_video, "links"),
    ];
    for (content, words) in cases {
        let refusal = b.apply(camille(), post_of(content.clone()), T0 + 1000).expect_err("switched off");
        assert_eq!(refusal.code, ErrorCode::SwitchedOff, "{content:?}");
        assert!(refusal.message.contains(words), "{}", refusal.message);
    }
    ok(&mut b, camille(), post("Texte seul"));
    ok(&mut b, trainer(), post_of(with_link.clone())); // leaders still may
    // The PDF post's author edits its words and keeps the file; a new file is refused.
    ok(&mut b, camille(), BoardCommand::Edit { post: pdf.clone(), version: 1, content: with_file("application/pdf") });
    let other = PostContent { file: Some(File { blob: "autre".into(), ..file("application/pdf") }), ..text("Autre") };
    assert_eq!(
        refused(&mut b, camille(), BoardCommand::Edit { post: pdf.clone(), version: 2, content: other }),
        ErrorCode::SwitchedOff
    );
    assert_eq!(
        refused(&mut b, camille(), BoardCommand::Comment { post: pdf.clone(), text: "Oui".into() }),
        ErrorCode::SwitchedOff
    );
    ok(&mut b, trainer(), BoardCommand::Comment { post: pdf.clone(), text: "Le formateur commente".into() });
    // Switched on again: it goes.
    ok(&mut b, trainer(), switch(Contribution::Comments, true));
    ok(&mut b, camille(), BoardCommand::Comment { post: pdf.clone(), text: "Oui".into() });
    ok(&mut b, trainer(), switch(Contribution::Files, true));
    ok(&mut b, camille(), post_of(with_image));
    // The switches go with the board's definition (the ZIP export).
    let off: Vec<Contribution> = b.as_definition().settings.switched_off.into_iter().collect();
    assert_eq!(off, [Contribution::Audio, Contribution::Links, Contribution::Documents]);
}

#[test]
fn completion_counts_posts_and_comments_not_deleted_ones() {
    let settings = BoardSettings { completion_posts: 1, completion_comments: 1, ..BoardSettings::default() };
    let mut b = board_with(settings);
    let id = added_id(&ok(&mut b, camille(), post("Ma contribution")));
    assert_eq!(
        b.take_completion_changes(),
        vec![CompletionChange { member: "p1".into(), state: 0, score: 1, max_score: 2 }]
    );
    ok(&mut b, camille(), BoardCommand::Comment { post: id.clone(), text: "Et un commentaire".into() });
    assert_eq!(b.take_completion_changes()[0].state, 1);
    ok(&mut b, camille(), BoardCommand::Like { post: id.clone() });
    assert!(b.take_completion_changes().is_empty(), "likes do not count");
    ok(&mut b, camille(), BoardCommand::Delete { post: id });
    let change = b.take_completion_changes();
    assert_eq!((change[0].state, change[0].score), (0, 0), "a deleted post (and its comments) no longer counts");
}

#[test]
fn large_boards_are_paged() {
    let mut b = board();
    for n in 0..(PAGE_POSTS * 2 + 5) {
        ok(&mut b, camille(), post(&format!("Post {n}")));
    }
    let snapshot = b.snapshot(lea());
    assert_eq!((snapshot.posts.len(), snapshot.total), (PAGE_POSTS, (PAGE_POSTS * 2 + 5) as u32));
    let mut seen: Vec<String> = snapshot.posts.iter().map(|p| p.id.clone()).collect();
    let mut cursor = snapshot.next;
    while let Some(next) = cursor {
        let page = b.page_after(lea(), Some(&next));
        seen.extend(page.posts.iter().map(|p| p.id.clone()));
        cursor = page.next;
    }
    assert_eq!(seen.len(), PAGE_POSTS * 2 + 5, "every post once");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
}

#[test]
fn replaying_the_same_commands_builds_the_same_board() {
    let commands = |b: &mut BoardSession| {
        let id = added_id(&ok(b, camille(), post("Un")));
        ok(b, lea(), post_in("s1", Some(&id), "Zéro"));
        ok(b, lea(), BoardCommand::Comment { post: id.clone(), text: "!".into() });
        ok(b, trainer(), BoardCommand::Move { post: id, section: "s2".into(), before: None });
    };
    let (mut one, mut two) = (board(), board());
    commands(&mut one);
    commands(&mut two);
    assert_eq!(one.snapshot(trainer()), two.snapshot(trainer()));
}

#[test]
fn definitions_are_validated_and_seed_posts() {
    let mut definition = BoardDefinition { title: "".into(), ..BoardDefinition::default() };
    assert!(definition.validate().is_err());
    definition.title = "Modèle".into();
    definition.sections = vec!["A".into()];
    definition.posts = vec![SeedPost {
        section: 3,
        author_name: "X".into(),
        content: text("Hors"),
        likes: 0,
        rating: Default::default(),
        copied_from: None,
    }];
    assert!(definition.validate().is_err(), "a seed post names a missing section");
    definition.posts[0].section = 0;
    definition.validate().unwrap();
    let b = BoardSession::new(definition.clone(), "t1", T0);
    assert_eq!(seen_titles(&b, lea()), ["Hors"]);
    assert_eq!(b.as_definition().posts, definition.posts);
    let wall = BoardSession::new(BoardDefinition { title: "Mur".into(), ..BoardDefinition::default() }, "t1", T0);
    assert_eq!(wall.snapshot(lea()).sections.len(), 1, "a wall is one section");
}

#[test]
fn a_copied_post_is_its_copier_s_says_where_it_came_from_and_follows_the_target_s_rules() {
    use amphi_protocol::board::PostOrigin;
    let origin = PostOrigin { board: "b0".into(), post: "p3".into(), title: "Séance 1".into() };
    let copy = |author: &str| BoardCommand::CopyPost {
        section: None,
        author: author.into(),
        origin: origin.clone(),
        content: text("Repris"),
    };
    let mut b = board_with(BoardSettings { mode: BoardMode::Moderated, ..BoardSettings::default() });
    // A leader's copy comes as `service:<id>`; the post is the leader's.
    let service = Actor { id: "service:t1", name: "Mme Durand", role: Role::Trainer };
    let emits = ok(&mut b, service, copy("t1"));
    let BoardEvent::PostAdded { post } = &emits[0].event else { panic!("{emits:?}") };
    assert_eq!((post.author.as_deref(), post.status), (Some("t1"), PostStatus::Visible));
    assert_eq!(post.copied_from.as_deref(), Some(&origin));
    // A participant's copy is moderated like their posts.
    let emits = ok(&mut b, camille(), copy("p1"));
    let BoardEvent::PostAdded { post } = &emits[0].event else { panic!("{emits:?}") };
    assert_eq!((post.author.as_deref(), post.status), (Some("p1"), PostStatus::Pending));
    assert_eq!(post.copied_from.as_ref().map(|o| o.post.as_str()), Some("p3"));
    ok(&mut b, trainer(), BoardCommand::SetMode { mode: BoardMode::Closed });
    assert_eq!(refused(&mut b, camille(), copy("p1")), ErrorCode::InvalidState, "a closed board takes no copy");
    assert_eq!(refused(&mut b, projector(), copy("o1")), ErrorCode::Forbidden);
    // The copying switch is the leaders'.
    assert!(!b.settings().copying, "off by default");
    assert_eq!(refused(&mut b, camille(), BoardCommand::SetCopying { copying: true }), ErrorCode::Forbidden);
    ok(&mut b, trainer(), BoardCommand::SetCopying { copying: true });
    assert!(b.settings().copying);
    // The copy and its origin stay in the definition a duplicate or an
    // export makes, and come back from it.
    let definition = b.as_definition();
    assert_eq!(definition.posts.len(), 1, "the visible copy");
    assert_eq!(definition.posts[0].copied_from.as_ref(), Some(&origin));
    definition.validate().unwrap();
    let again = BoardSession::new(definition.clone(), "t1", T0);
    assert_eq!(again.as_definition().posts[0].copied_from.as_ref(), Some(&origin));
    let mut forged = definition;
    forged.posts[0].copied_from = Some(PostOrigin { board: "b".repeat(65), ..origin.clone() });
    assert!(forged.validate().is_err(), "an imported origin is checked");
}
