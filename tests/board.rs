//! Live boards over real WebSockets: 100 participants posting at once (and
//! one post put between two) end with the same order on every client; an edit conflict; moderation and
//! reveal-later; a reconnect that resumes without loss; trainer actions
//! refused to participants; uploads (wrong type, too big, HTML disguised as
//! an image); the CSV and ZIP exports and a ZIP round trip into a new
//! board; a post acknowledged before `kill -9` is there after the restart.

use std::collections::BTreeMap;

use amphi_protocol::board::{BoardCommand, BoardEvent, Image, Post, PostColour, PostContent, PostStatus};
use amphi_protocol::server::{EventBody, RoomSnapshot};
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::util::*;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

async fn create_board(base: &str, token: &str, board: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Idées", "kind": "board", "board": board }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn board(client: &mut Client, room: &str, command: BoardCommand) -> ClientMessage {
    ClientMessage::Board { id: client.id(), room: room.into(), command: Box::new(command) }
}

fn text(title: &str) -> PostContent {
    PostContent { title: title.into(), text: "Texte".into(), ..PostContent::default() }
}

fn post(title: &str) -> BoardCommand {
    BoardCommand::Post { section: None, before: None, content: text(title) }
}

/// A client's view of the board, built from a snapshot and events as a
/// real client would.
#[derive(Default)]
struct View {
    posts: BTreeMap<String, Post>,
    last_seq: u64,
}

impl View {
    fn from_snapshot(snapshot: &RoomSnapshot, seq: u64) -> View {
        let board = snapshot.board.as_ref().expect("a board snapshot");
        View { posts: board.posts.iter().map(|p| (p.id.clone(), p.clone())).collect(), last_seq: seq }
    }

    /// Applies `message` if it is a board event; returns whether it was.
    fn apply(&mut self, message: &ServerMessage) -> bool {
        let ServerMessage::Event { seq, event: EventBody::Board { event }, .. } = message else { return false };
        assert!(*seq > self.last_seq, "events in order, once");
        self.last_seq = *seq;
        match event {
            BoardEvent::PostAdded { post } | BoardEvent::PostUpdated { post } => {
                self.posts.insert(post.id.clone(), post.clone());
            }
            BoardEvent::PostRemoved { post } => {
                self.posts.remove(post);
            }
            BoardEvent::Likes { post, likes } => {
                if let Some(p) = self.posts.get_mut(post) {
                    p.likes = *likes;
                }
            }
            BoardEvent::CommentAdded { post, comment } => {
                if let Some(p) = self.posts.get_mut(post) {
                    p.comments.push(comment.clone());
                }
            }
            BoardEvent::Cleared => self.posts.clear(),
            _ => {}
        }
        true
    }

    /// Post ids in board order (one section here).
    fn order(&self) -> Vec<String> {
        let mut posts: Vec<&Post> = self.posts.values().collect();
        posts.sort_by(|a, b| (&a.section, &a.key, &a.id).cmp(&(&b.section, &b.key, &b.id)));
        posts.into_iter().map(|p| p.id.clone()).collect()
    }
}

async fn joined_view(client: &mut Client, room: &str) -> View {
    let id = client.id();
    let others = client.ok(ClientMessage::Join { id, room: Some(room.into()), code: None }).await;
    others
        .iter()
        .find_map(|m| match m {
            ServerMessage::Joined { snapshot: Some(snapshot), seq, .. } => Some(View::from_snapshot(snapshot, *seq)),
            _ => None,
        })
        .expect("joined with a snapshot")
}

/// Sends a command that must be acknowledged, applying the events that
/// came before its `ack` (a durable command's events may).
async fn act(client: &mut Client, view: &mut View, message: ClientMessage) {
    for other in client.ok(message).await {
        view.apply(&other);
    }
}

/// Reads until the view holds `count` posts.
async fn until_posts(client: &mut Client, view: &mut View, count: usize) {
    while view.posts.len() != count {
        let message = client.recv().await;
        view.apply(&message);
    }
}

#[tokio::test]
async fn a_hundred_participants_posting_at_once_see_the_same_order() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&server.url(""), &token, json!({})).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut phones = Vec::new();
    let mut views = Vec::new();
    for i in 0..100 {
        let mut phone = server.connect(if i % 2 == 0 { Format::Json } else { Format::MsgPack }).await;
        let (_, snapshot) = phone.hello_guest(&code, &format!("P{i}")).await;
        views.push(View::from_snapshot(&snapshot, 0));
        phones.push(phone);
    }
    // Everyone posts at once, some before the first post of their
    // neighbour (ordering keys between existing posts).
    let mut ids = Vec::new();
    for phone in &mut phones {
        let message = board(phone, &room_id, post("Mon idée"));
        ids.push(message.id().unwrap().clone());
        phone.send(&message).await;
    }
    for (phone, view) in phones.iter_mut().zip(&mut views) {
        until_posts(phone, view, 100).await;
    }
    let order = views[0].order();
    assert_eq!(order.len(), 100);
    for view in &views {
        assert_eq!(view.order(), order, "every client agrees on the order");
    }
    // A late joiner's snapshot (paged) says the same.
    let mut late = server.connect(Format::Json).await;
    late.hello_token(&token).await;
    let mut view = joined_view(&mut late, &room_id).await;
    assert_eq!(view.posts.len(), 100);
    assert_eq!(view.order(), order);
    // Insert one before the 50th and move the first to the end: still agreed.
    let before = order[49].clone();
    let insert =
        BoardCommand::Post { section: Some("s1".into()), before: Some(before.clone()), content: text("Entre") };
    let message = board(&mut late, &room_id, insert);
    act(&mut late, &mut view, message).await;
    until_posts(&mut late, &mut view, 101).await;
    let final_order = view.order();
    let position = final_order.iter().position(|id| *id == before).unwrap();
    assert_eq!(view.posts[&final_order[position - 1]].content.title, "Entre");
    for (phone, view) in phones.iter_mut().zip(&mut views) {
        until_posts(phone, view, 101).await;
        assert_eq!(view.order(), final_order);
    }
}

/// An open board with its trainer (MessagePack) and Camille (JSON, a guest) in it.
struct Pair {
    room_id: String,
    code: String,
    trainer: Client,
    trainer_view: View,
    camille: Client,
    camille_view: View,
}

async fn pair(server: &TestServer) -> Pair {
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&server.url(""), &token, json!({})).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::MsgPack).await;
    trainer.hello_token(&token).await;
    let trainer_view = joined_view(&mut trainer, &room_id).await;
    let mut camille = server.connect(Format::Json).await;
    let (_, snapshot) = camille.hello_guest(&code, "Camille").await;
    let camille_view = View::from_snapshot(&snapshot, 0);
    Pair { room_id, code, trainer, trainer_view, camille, camille_view }
}

#[tokio::test]
async fn a_post_s_colour_reaches_everyone_an_unknown_one_is_refused_and_an_edit_can_remove_it() {
    let server = TestServer::start().await;
    let Pair { room_id, mut trainer, mut trainer_view, mut camille, mut camille_view, .. } = pair(&server).await;

    let content = PostContent { colour: Some(PostColour::Glycine), ..text("En couleur") };
    let message = board(&mut camille, &room_id, BoardCommand::Post { section: None, before: None, content });
    act(&mut camille, &mut camille_view, message).await;
    until_posts(&mut trainer, &mut trainer_view, 1).await;
    let id = trainer_view.order()[0].clone();
    assert_eq!(trainer_view.posts[&id].content.colour, Some(PostColour::Glycine), "over MessagePack too");

    // A colour the board does not know: the frame's field is refused.
    let id_bad = camille.id();
    let frame = json!({ "type": "board", "id": id_bad, "room": room_id,
                        "command": { "action": "post", "title": "Fluo", "colour": "fluo" } });
    camille.send_raw(Message::Text(frame.to_string().into())).await;
    let refused = camille.recv_until(|m| matches!(m, ServerMessage::Error { .. })).await;
    assert!(
        matches!(refused, ServerMessage::Error { code: ErrorCode::InvalidField, .. }),
        "found while decoding: {refused:?}"
    );

    // An edit that sends no colour removes it.
    let edit = BoardCommand::Edit { post: id.clone(), version: 1, content: text("Sans couleur") };
    let message = board(&mut camille, &room_id, edit);
    act(&mut camille, &mut camille_view, message).await;
    while trainer_view.posts[&id].version != 2 {
        let message = trainer.recv().await;
        trainer_view.apply(&message);
    }
    assert_eq!(trainer_view.posts[&id].content.colour, None);
}

#[tokio::test]
async fn a_comment_s_author_rewrites_it_and_everyone_sees_the_new_words() {
    let server = TestServer::start().await;
    let Pair { room_id, code, mut trainer, mut trainer_view, mut camille, mut camille_view } = pair(&server).await;
    let message = board(&mut trainer, &room_id, post("Question du jour"));
    act(&mut trainer, &mut trainer_view, message).await;
    until_posts(&mut camille, &mut camille_view, 1).await;
    let id = camille_view.order()[0].clone();
    let message = board(&mut camille, &room_id, BoardCommand::Comment { post: id.clone(), text: "Oui".into() });
    act(&mut camille, &mut camille_view, message).await;
    let comment = loop {
        if let Some(c) = trainer_view.posts[&id].comments.first() {
            break c.id.clone();
        }
        let message = trainer.recv().await;
        trainer_view.apply(&message);
    };
    let edit = |text: &str| BoardCommand::EditComment { post: id.clone(), comment: comment.clone(), text: text.into() };
    let message = board(&mut trainer, &room_id, edit("Non"));
    assert_eq!(trainer.refused(message).await, ErrorCode::Forbidden, "a trainer does not rewrite a participant");
    let message = board(&mut camille, &room_id, edit("Oui, après réflexion"));
    act(&mut camille, &mut camille_view, message).await;
    loop {
        let message = trainer.recv().await;
        if let ServerMessage::Event {
            event: EventBody::Board { event: BoardEvent::CommentUpdated { comment: c, .. } },
            ..
        } = &message
        {
            assert_eq!((c.text.as_str(), c.edited_at.is_some()), ("Oui, après réflexion", true));
            break;
        }
    }
    // A late joiner reads the new words.
    let mut late = server.connect(Format::Json).await;
    let (_, snapshot) = late.hello_guest(&code, "Léa").await;
    let shown = &snapshot.board.unwrap().posts[0].comments[0];
    assert_eq!((shown.text.as_str(), shown.edited_at.is_some()), ("Oui, après réflexion", true));
}

#[tokio::test]
async fn edits_conflict_moderation_and_roles() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&server.url(""), &token, json!({ "settings": { "mode": "moderated" } })).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    let mut trainer_view = joined_view(&mut trainer, &room_id).await;
    let mut camille = server.connect(Format::Json).await;
    let (_, snapshot) = camille.hello_guest(&code, "Camille").await;
    let mut camille_view = View::from_snapshot(&snapshot, 0);
    let mut lea = server.connect(Format::MsgPack).await;
    let (_, snapshot) = lea.hello_guest(&code, "Léa").await;
    let mut lea_view = View::from_snapshot(&snapshot, 0);

    // Moderated: Léa does not see Camille's post until it is approved.
    let message = board(&mut camille, &room_id, post("À valider"));
    act(&mut camille, &mut camille_view, message).await;
    until_posts(&mut trainer, &mut trainer_view, 1).await;
    let id = trainer_view.order()[0].clone();
    assert_eq!(trainer_view.posts[&id].status, PostStatus::Pending);
    let approve = board(&mut lea, &room_id, BoardCommand::Approve { post: id.clone() });
    assert_eq!(lea.refused(approve).await, ErrorCode::Forbidden, "participants do not moderate");
    let clear = board(&mut lea, &room_id, BoardCommand::Clear);
    assert_eq!(lea.refused(clear).await, ErrorCode::Forbidden);
    assert!(lea_view.posts.is_empty());
    let approve = board(&mut trainer, &room_id, BoardCommand::Approve { post: id.clone() });
    act(&mut trainer, &mut trainer_view, approve).await;
    until_posts(&mut lea, &mut lea_view, 1).await;
    assert_eq!(lea_view.posts[&id].status, PostStatus::Visible);

    // Two edits from version 1: the second conflicts and gets the current post.
    until_posts(&mut camille, &mut camille_view, 1).await;
    let edit = |title: &str| BoardCommand::Edit { post: id.clone(), version: 1, content: text(title) };
    let first = board(&mut camille, &room_id, edit("Première"));
    act(&mut camille, &mut camille_view, first).await;
    let second = board(&mut trainer, &room_id, edit("Seconde"));
    let (reply, others) = trainer.request(second).await;
    let ServerMessage::Error { code, .. } = reply else { panic!("expected a conflict, got {reply:?}") };
    assert_eq!(code, ErrorCode::Conflict);
    for message in &others {
        trainer_view.apply(message);
    }
    assert_eq!(trainer_view.posts[&id].content.title, "Première", "never silently overwritten");
    assert_eq!(trainer_view.posts[&id].version, 2);

    // Reveal-later: each sees their own until the reveal.
    let mode = BoardCommand::SetMode { mode: amphi_protocol::board::BoardMode::RevealLater };
    let message = board(&mut trainer, &room_id, mode);
    act(&mut trainer, &mut trainer_view, message).await;
    let message = board(&mut camille, &room_id, post("Idée de Camille"));
    act(&mut camille, &mut camille_view, message).await;
    let message = board(&mut lea, &room_id, post("Idée de Léa"));
    act(&mut lea, &mut lea_view, message).await;
    until_posts(&mut trainer, &mut trainer_view, 3).await;
    until_posts(&mut lea, &mut lea_view, 2).await;
    assert!(lea_view.posts.values().all(|p| p.content.title != "Idée de Camille"), "not before the reveal");
    let message = board(&mut trainer, &room_id, BoardCommand::Reveal);
    act(&mut trainer, &mut trainer_view, message).await;
    until_posts(&mut lea, &mut lea_view, 3).await;
    until_posts(&mut camille, &mut camille_view, 3).await;
    assert_eq!(lea_view.order(), camille_view.order());
}

#[tokio::test]
async fn a_reconnect_resumes_without_losing_a_post() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&server.url(""), &token, json!({ "sections": ["Une", "Deux"] })).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut phone = server.connect(Format::Json).await;
    let (welcome, snapshot) = phone.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    let mut view = View::from_snapshot(&snapshot, 0);
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let message = board(&mut trainer, &room_id, post("Avant"));
    trainer.ok(message).await;
    until_posts(&mut phone, &mut view, 1).await;
    drop(phone); // the phone sleeps
    for title in ["Pendant 1", "Pendant 2"] {
        let message = board(&mut trainer, &room_id, post(title));
        trainer.ok(message).await;
    }
    let mut phone = server.connect(Format::MsgPack).await;
    let hello = ClientMessage::Hello {
        v: 1,
        auth: Auth::Resume { token: resume_token },
        last_seq: [(room_id.clone(), view.last_seq)].into_iter().collect(),
    };
    phone.send(&hello).await;
    assert!(matches!(phone.recv().await, ServerMessage::Welcome { .. }));
    let joined = phone.recv().await;
    assert!(matches!(joined, ServerMessage::Joined { snapshot: None, .. }), "a replay, not a snapshot: {joined:?}");
    until_posts(&mut phone, &mut view, 3).await;
    let titles: Vec<String> = view.order().iter().map(|id| view.posts[id].content.title.clone()).collect();
    assert_eq!(titles, ["Avant", "Pendant 1", "Pendant 2"]);
    // A retried post (same id) is not posted twice.
    let message = board(&mut phone, &room_id, post("Une fois"));
    act(&mut phone, &mut view, message.clone()).await;
    act(&mut phone, &mut view, message).await;
    until_posts(&mut phone, &mut view, 4).await;
    let message = board(&mut trainer, &room_id, post("Témoin"));
    trainer.ok(message).await;
    until_posts(&mut phone, &mut view, 5).await;
}

async fn upload(base: &str, token: &str, room: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/boards/{room}/uploads?name={name}"))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn uploads_exports_and_a_zip_round_trip() {
    let server = TestServer::start_with(|config| config.board.max_upload_bytes = 4096).await;
    let base = server.url("");
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&base, &token, json!({ "sections": ["Ressources"] })).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut phone = server.connect(Format::Json).await;
    let (welcome, snapshot) = phone.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    // The post form can name the video hosts this server embeds.
    assert_eq!(snapshot.board.unwrap().video_hosts, server.app.config.board.video_hosts);

    // The guest's resume token uploads; types come from the content.
    let (status, body) = upload(&base, &resume_token, &room_id, "schema.png", PNG.to_vec()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["content_type"], "image/png");
    let blob = body["blob"].as_str().unwrap().to_string();
    let disguised = b"<!DOCTYPE html><script>alert(document.cookie)</script>".to_vec();
    let (status, body) = upload(&base, &resume_token, &room_id, "photo.png", disguised).await;
    assert_eq!((status, body["code"].as_str()), (415, Some("file_type_refused")), "{body}");
    let (status, body) =
        upload(&base, &resume_token, &room_id, "gros.pdf", [b"%PDF-1.7\n".as_slice(), &[b'x'; 5000]].concat()).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("file_too_large")), "{body}");
    let small_pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nune page".to_vec();
    let (status, body) = upload(&base, &resume_token, &room_id, "séance 1.pdf", small_pdf).await;
    assert_eq!((status, body["name"].as_str()), (201, Some("séance 1.pdf")), "names are kept as given");
    let pdf = body["blob"].as_str().unwrap();
    let get = |url: String| reqwest::Client::new().get(url).bearer_auth(&resume_token).send();
    let response = get(format!("{base}/api/v1/blobs/{pdf}?name=s%C3%A9ance%201.pdf")).await.unwrap();
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("filename*=UTF-8''s%C3%A9ance%201.pdf"),
        "{disposition}"
    );
    let observer = server.token(Role::Observer, "Projecteur");
    assert_eq!(upload(&base, &observer, &room_id, "x.png", PNG.to_vec()).await.0, 403);

    // Served so that nothing in it runs.
    let response = get(format!("{base}/api/v1/blobs/{blob}?name=schema.png")).await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(get(format!("{base}/api/v1/blobs/..%2F..%2Fetc")).await.unwrap().status(), 404);

    // A post with the image, a video and a link; an unknown blob is refused.
    let with_image = |blob: &str| BoardCommand::Post {
        section: None,
        before: None,
        content: PostContent {
            title: "Schéma".into(),
            image: Some(Image { blob: blob.into(), alt: "Un schéma du cycle de l'eau".into() }),
            video: Some(amphi_protocol::board::Video { url: "https://youtu.be/dQw4w9WgXcQ".into() }),
            link: Some("https://eduscol.education.fr/".into()),
            ..PostContent::default()
        },
    };
    let message = board(&mut phone, &room_id, with_image(&"0".repeat(64)));
    assert_eq!(phone.refused(message).await, ErrorCode::NotFound);
    let message = board(&mut phone, &room_id, with_image(&blob));
    phone.ok(message).await;
    let bad_video = BoardCommand::Post {
        section: None,
        before: None,
        content: PostContent {
            video: Some(amphi_protocol::board::Video { url: "https://evil.example/v/1".into() }),
            ..PostContent::default()
        },
    };
    let message = board(&mut phone, &room_id, bad_video);
    assert_eq!(phone.refused(message).await, ErrorCode::InvalidField);

    // CSV export.
    let http = reqwest::Client::new();
    let csv = http.get(format!("{base}/api/v1/boards/{room_id}/export.csv")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("Schéma") && csv.contains("Camille") && csv.contains("youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        "{csv}"
    );
    let french = http
        .get(format!("{base}/api/v1/boards/{room_id}/export.csv?dialect=fr"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(french.status(), 200);
    let disposition = french.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains("tableau.csv"), "named after the board: {disposition}");
    let french = french.text().await.unwrap();
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(french.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..5], ["Section", "Message", "Auteur", "État", "Titre"]);
    assert_eq!(header[10], "Publié le (heure de Paris)");
    let row: Vec<String> = reader.records().next().unwrap().unwrap().iter().map(String::from).collect();
    assert_eq!((row[2].as_str(), row[4].as_str()), ("Camille", "Schéma"));
    assert!(row[10].len() == 19 && row[10].as_bytes()[2] == b'/', "a French date and time: {}", row[10]);
    let refused =
        http.get(format!("{base}/api/v1/boards/{room_id}/export.csv")).bearer_auth(&resume_token).send().await;
    assert_eq!(refused.unwrap().status(), 403, "participants do not export");

    // ZIP export, imported as a new board: same post, the image stored again.
    let zip = http.get(format!("{base}/api/v1/boards/{room_id}/export.zip")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(zip.status(), 200);
    let zip = zip.bytes().await.unwrap();
    let imported = http
        .post(format!("{base}/api/v1/boards/import?title=Copie"))
        .bearer_auth(&token)
        .body(zip.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 201);
    let imported: Value = imported.json().await.unwrap();
    assert_eq!((imported["kind"].as_str(), imported["title"].as_str()), (Some("board"), Some("Copie")));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    let view = joined_view(&mut trainer, imported["id"].as_str().unwrap()).await;
    let copied: Vec<&Post> = view.posts.values().collect();
    assert_eq!(copied.len(), 1);
    assert_eq!(copied[0].content.title, "Schéma");
    assert_eq!(copied[0].content.image.as_ref().unwrap().blob, blob, "same content, same blob");
    let broken = http.post(format!("{base}/api/v1/boards/import")).bearer_auth(&token).body("not a zip").send().await;
    let broken = broken.unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.unwrap();
    assert_eq!(body["code"], "invalid_field");
}

#[tokio::test]
async fn an_acknowledged_post_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), None).await;
    let token = server.token(Role::Trainer, "trainer-1", "Mme Durand");
    let room = create_board(&server.url(""), &token, json!({})).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut phone = server.connect(Format::Json).await;
    let (welcome, _) = phone.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    let message = board(&mut phone, &room_id, post("Gardé"));
    phone.ok(message).await;
    server.kill();

    let server = ServerProcess::start(dir.path(), None).await;
    let mut phone = server.connect(Format::Json).await;
    phone.send(&hello(Auth::Resume { token: resume_token })).await;
    assert!(matches!(phone.recv().await, ServerMessage::Welcome { .. }));
    let view = joined_view(&mut phone, &room_id).await;
    let titles: Vec<&str> = view.posts.values().map(|p| p.content.title.as_str()).collect();
    assert_eq!(titles, ["Gardé"]);
    assert_eq!(view.posts.values().next().unwrap().author_name.as_deref(), Some("Camille"));
}
