//! A board of star ratings over real WebSockets, on SQLite and on
//! PostgreSQL: ratings of 1 to 5 stars, one per member (changed, taken
//! back), the average and count to everyone and one's own stars to oneself;
//! a retried rating applied once; out-of-range stars, likes on a board of
//! stars, observers' and participants' leader commands refused with their
//! codes; ratings acknowledged before `kill -9` there after the restart;
//! the ZIP export and its import keeping them.

use amphi_protocol::board::{BoardCommand, BoardEvent, PostContent, Rating, Reactions};
use amphi_protocol::server::{EventBody, RoomSnapshot};
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

pub(crate) async fn create_board(base: &str, token: &str, board: Value) -> Value {
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

pub(crate) fn board(client: &mut Client, room: &str, command: BoardCommand) -> ClientMessage {
    ClientMessage::Board { id: client.id(), room: room.into(), command: Box::new(command) }
}

fn rate(post: &str, stars: u8) -> BoardCommand {
    BoardCommand::Rate { post: post.into(), stars }
}

/// Reads until a board event matching `want`, and returns it.
pub(crate) async fn board_event(client: &mut Client, want: impl Fn(&BoardEvent) -> bool) -> BoardEvent {
    loop {
        if let ServerMessage::Event { event: EventBody::Board { event }, .. } = client.recv().await
            && want(&event)
        {
            return event;
        }
    }
}

/// Sends a command that must be acknowledged, and returns the first board
/// event matching `want`, whether it came before the `ack` or after.
async fn ok_with_event(client: &mut Client, message: ClientMessage, want: impl Fn(&BoardEvent) -> bool) -> BoardEvent {
    for other in client.ok(message).await {
        if let ServerMessage::Event { event: EventBody::Board { event }, .. } = other
            && want(&event)
        {
            return event;
        }
    }
    board_event(client, want).await
}

/// The first post's rating in a snapshot, and the viewer's own stars for it.
fn rating_in(snapshot: &RoomSnapshot) -> (Rating, Option<u8>) {
    let board = snapshot.board.as_ref().expect("a board snapshot");
    let post = &board.posts[0];
    (post.rating, board.rated.get(&post.id).copied())
}

async fn ratings_scenario(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), database_url).await;
    let base = server.url("");
    let token = server.token(Role::Trainer, "trainer-1", "Mme Durand");
    let room = create_board(&base, &token, json!({ "settings": { "reactions": "stars" } })).await;
    let (room_id, code) = (room_id(&room), join_code(&room));

    let mut trainer = server.connect(Format::MsgPack).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(&room_id).await;
    assert_eq!(snapshot.board.unwrap().settings.reactions, Reactions::Stars);
    let content = PostContent { title: "À noter".into(), ..PostContent::default() };
    let message = board(&mut trainer, &room_id, BoardCommand::Post { section: None, before: None, content });
    trainer.ok(message).await;

    let mut camille = server.connect(Format::Json).await;
    let (welcome, snapshot) = camille.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    let post = snapshot.board.as_ref().unwrap().posts[0].id.clone();
    assert_eq!(rating_in(&snapshot), (Rating::default(), None));
    let mut lea = server.connect(Format::MsgPack).await;
    lea.hello_guest(&code, "Léa").await;

    // Camille's 4 stars, acknowledged once committed; her retry (same
    // message id) changes nothing.
    let message = board(&mut camille, &room_id, rate(&post, 4));
    let mine = ok_with_event(&mut camille, message.clone(), |e| matches!(e, BoardEvent::Rated { .. })).await;
    assert_eq!(mine, BoardEvent::Rated { post: post.clone(), stars: Some(4) });
    camille.ok(message).await;
    let seen = board_event(&mut lea, |e| matches!(e, BoardEvent::Rating { .. })).await;
    assert_eq!(seen, BoardEvent::Rating { post: post.clone(), rating: Rating { count: 1, sum: 4 } });

    // Léa gives 2, Camille changes hers to 5: two ratings, 7 stars.
    let message = board(&mut lea, &room_id, rate(&post, 2));
    lea.ok(message).await;
    let message = board(&mut camille, &room_id, rate(&post, 5));
    camille.ok(message).await;
    let seen = board_event(&mut trainer, |e| matches!(e, BoardEvent::Rating { rating, .. } if rating.sum == 7)).await;
    assert_eq!(seen, BoardEvent::Rating { post: post.clone(), rating: Rating { count: 2, sum: 7 } });

    // Refusals, each with its code.
    for stars in [0, 6] {
        let message = board(&mut camille, &room_id, rate(&post, stars));
        assert_eq!(camille.refused(message).await, ErrorCode::OutOfRange, "{stars} stars");
    }
    let message = board(&mut camille, &room_id, BoardCommand::Like { post: post.clone() });
    assert_eq!(camille.refused(message).await, ErrorCode::SwitchedOff, "no likes on a board of stars");
    let message = board(&mut camille, &room_id, BoardCommand::SetReactions { reactions: Reactions::Likes });
    assert_eq!(camille.refused(message).await, ErrorCode::Forbidden, "leaders choose the reactions");
    let mut projector = server.connect(Format::Json).await;
    projector.hello_token(&server.token(Role::Observer, "projector-1", "Projecteur")).await;
    projector.join(&room_id).await;
    let message = board(&mut projector, &room_id, rate(&post, 3));
    assert_eq!(projector.refused(message).await, ErrorCode::Forbidden, "observers do not rate");
    // Stars out of a byte do not even decode.
    let frame = json!({ "type": "board", "id": "big", "room": room_id,
                        "command": { "action": "rate", "post": post, "stars": 300 } });
    camille.send_raw(tokio_tungstenite::tungstenite::Message::Text(frame.to_string().into())).await;
    let refused = camille.recv_until(|m| matches!(m, ServerMessage::Error { .. })).await;
    assert!(matches!(refused, ServerMessage::Error { code: ErrorCode::InvalidField, .. }), "{refused:?}");

    // Everything acknowledged is there after kill -9.
    server.kill();
    let server = ServerProcess::start(dir.path(), database_url).await;
    let base = server.url("");
    let mut camille = server.connect(Format::Json).await;
    camille.send(&hello(Auth::Resume { token: resume_token })).await;
    assert!(matches!(camille.recv().await, ServerMessage::Welcome { .. }));
    let snapshot = camille.join(&room_id).await;
    assert_eq!(rating_in(&snapshot), (Rating { count: 2, sum: 7 }, Some(5)), "the retry counted once");

    // Camille takes hers back.
    let message = board(&mut camille, &room_id, BoardCommand::Unrate { post: post.clone() });
    let mine = ok_with_event(&mut camille, message, |e| matches!(e, BoardEvent::Rated { .. })).await;
    assert_eq!(mine, BoardEvent::Rated { post: post.clone(), stars: None });

    // The ZIP keeps the board's reactions and the post's stars; a board
    // made of it starts with them (nobody's own).
    let http = reqwest::Client::new();
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
    let status = imported.status();
    let imported: Value = imported.json().await.unwrap();
    assert_eq!(status, 201, "{imported}");
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(imported["id"].as_str().unwrap()).await;
    assert_eq!(snapshot.board.as_ref().unwrap().settings.reactions, Reactions::Stars);
    assert_eq!(rating_in(&snapshot), (Rating { count: 1, sum: 2 }, None));
}

#[tokio::test]
async fn star_ratings_on_sqlite() {
    ratings_scenario(None).await;
}

#[tokio::test]
async fn star_ratings_on_postgresql() {
    let database = PgDatabase::create().await;
    ratings_scenario(Some(&database.url)).await;
}

#[tokio::test]
async fn a_board_without_reactions_refuses_likes_and_ratings_until_a_leader_chooses() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&server.url(""), &token, json!({ "settings": { "reactions": "none" } })).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let content = PostContent { title: "Sans réactions".into(), ..PostContent::default() };
    let message = board(&mut trainer, &room_id, BoardCommand::Post { section: None, before: None, content });
    trainer.ok(message).await;
    let mut camille = server.connect(Format::Json).await;
    let (_, snapshot) = camille.hello_guest(&code, "Camille").await;
    let post = snapshot.board.unwrap().posts[0].id.clone();
    for command in [BoardCommand::Like { post: post.clone() }, rate(&post, 3)] {
        let message = board(&mut camille, &room_id, command);
        assert_eq!(camille.refused(message).await, ErrorCode::SwitchedOff);
    }
    let message = board(&mut trainer, &room_id, BoardCommand::SetReactions { reactions: Reactions::Likes });
    trainer.ok(message).await;
    let settings = board_event(&mut camille, |e| matches!(e, BoardEvent::Settings { .. })).await;
    assert!(matches!(settings, BoardEvent::Settings { settings } if settings.reactions == Reactions::Likes));
    let message = board(&mut camille, &room_id, BoardCommand::Like { post: post.clone() });
    camille.ok(message).await;
    // A setting the server does not know is refused at creation.
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&json!({ "title": "X", "kind": "board", "board": { "settings": { "reactions": "hearts" } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
