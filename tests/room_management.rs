//! Managing one's rooms (#24), through the real server on SQLite and
//! PostgreSQL: a board duplicated with its sections, settings and posts (its
//! files shared, not its likes and comments); the trash (a trashed room's
//! live connections closed, its code unknown, restored with it, deleted for
//! good with its files left to the sweep, purged past the retention);
//! folders and favourites per leader; a post copied to another board of
//! the tenant, seen live there. Other tenants, other leaders and the wrong
//! roles get their stable codes.

use amphi_protocol::board::{BoardCommand, BoardEvent, Image, PostContent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use reqwest::Method;
use serde_json::{Value, json};

use crate::util::*;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

async fn server_on(database: Option<&PgDatabase>) -> TestServer {
    let url = database.map(|d| d.url.clone());
    TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
    })
    .await
}

/// `method path` with a token and an optional JSON body: status and JSON.
async fn call(server: &TestServer, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, server.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn code(body: &Value) -> Option<&str> {
    body["code"].as_str()
}

async fn create_board(server: &TestServer, token: &str, title: &str, board: Value) -> Value {
    let body = json!({ "title": title, "kind": "board", "board": board });
    let (status, room) = call(server, Method::POST, "/api/v1/rooms", token, Some(body)).await;
    assert_eq!(status, 201, "{room}");
    room
}

fn board(client: &mut Client, room: &str, command: BoardCommand) -> ClientMessage {
    ClientMessage::Board { id: client.id(), room: room.into(), command: Box::new(command) }
}

fn post(title: &str) -> BoardCommand {
    BoardCommand::Post {
        section: None,
        before: None,
        content: PostContent { title: title.into(), ..Default::default() },
    }
}

async fn upload_png(server: &TestServer, token: &str, room: &str) -> String {
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/boards/{room}/uploads?name=schema.png")))
        .bearer_auth(token)
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["blob"].as_str().unwrap().to_string()
}

fn titles(body: &Value) -> Vec<String> {
    body["rooms"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect()
}

/// A guest's `hello` with `code`: the error code it gets.
async fn join_refused(server: &TestServer, code: &str) -> ErrorCode {
    let mut phone = server.connect(Format::Json).await;
    phone.send(&hello(Auth::JoinCode { code: code.into(), name: "Léa".into() })).await;
    match phone.recv_until(|m| matches!(m, ServerMessage::Error { .. } | ServerMessage::Welcome { .. })).await {
        ServerMessage::Error { code, .. } => code,
        other => panic!("expected an error, got {other:?}"),
    }
}

async fn duplicate_and_trash(database: Option<&PgDatabase>) {
    let server = server_on(database).await;
    let durand = server.token(Role::Trainer, "Mme Durand");
    let petit = server.token(Role::Trainer, "M. Petit");
    let elsewhere = server.token_in(Role::Trainer, "Mme Autre", "academie-b");
    let participant = server.token(Role::Participant, "Denis");
    let settings = json!({ "authors": "hidden_from_peers", "mode": "moderated" });
    let room =
        create_board(&server, &durand, "Idées", json!({ "sections": ["Pour", "Contre"], "settings": settings })).await;
    let (id, join) = (room_id(&room), join_code(&room));
    let blob = upload_png(&server, &durand, &id).await;
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&durand).await;
    trainer.join(&id).await;
    let message = board(&mut trainer, &id, post("Texte seul"));
    trainer.ok(message).await;
    let image = PostContent {
        title: "Schéma".into(),
        image: Some(Image { blob: blob.clone(), alt: "Un schéma".into() }),
        ..Default::default()
    };
    let message = board(&mut trainer, &id, BoardCommand::Post { section: None, before: None, content: image });
    trainer.ok(message).await;
    let mut camille = server.connect(Format::Json).await;
    camille.hello_guest(&join, "Camille").await;
    let message = board(&mut camille, &id, BoardCommand::Like { post: "p1".into() });
    camille.ok(message).await;
    let message = board(&mut camille, &id, BoardCommand::Comment { post: "p1".into(), text: "Bien vu".into() });
    camille.ok(message).await;

    // Duplicated: same sections, settings and posts; no likes nor comments;
    // the image's blob shared.
    let path = format!("/api/v1/rooms/{id}/duplicate");
    let (status, body) = call(&server, Method::POST, &path, &elsewhere, None).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")), "another tenant's room is unknown");
    let (status, body) = call(&server, Method::POST, &path, &participant, None).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let (status, copy) = call(&server, Method::POST, &path, &petit, None).await;
    assert_eq!(status, 201, "{copy}");
    assert_eq!(copy["title"], "Idées (copie)");
    assert_eq!(copy["kind"], "board");
    assert_ne!(copy["id"], room["id"]);
    assert_ne!(copy["join_code"], room["join_code"]);
    let copy_id = room_id(&copy);
    let mut petit_ws = server.connect(Format::Json).await;
    petit_ws.hello_token(&petit).await;
    let snapshot = petit_ws.join(&copy_id).await.board.expect("a board");
    let sections: Vec<&str> = snapshot.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sections, ["Pour", "Contre"]);
    assert_eq!(serde_json::to_value(&snapshot.settings).unwrap()["mode"], "moderated");
    let posts: Vec<&str> = snapshot.posts.iter().map(|p| p.content.title.as_str()).collect();
    assert_eq!(posts, ["Texte seul", "Schéma"]);
    assert!(snapshot.posts.iter().all(|p| p.likes == 0 && p.comments.is_empty()), "no likes nor comments");
    assert_eq!(snapshot.posts[1].content.image.as_ref().unwrap().blob, blob, "the file is shared");
    let (_, mine) = call(&server, Method::GET, "/api/v1/rooms?mine=1", &petit, None).await;
    assert_eq!(titles(&mine), ["Idées (copie)"], "the copy is the caller's");

    // The trash: only its creator trashes a room.
    let path = format!("/api/v1/rooms/{id}");
    let (status, body) = call(&server, Method::DELETE, &path, &petit, None).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let (status, body) = call(&server, Method::DELETE, &path, &elsewhere, None).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")));
    let (status, body) = call(&server, Method::DELETE, &path, &participant, None).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let (status, trashed) = call(&server, Method::DELETE, &path, &durand, None).await;
    assert_eq!(status, 200, "{trashed}");
    let deleted_at = trashed["deleted_at"].as_i64().unwrap();
    assert_eq!(trashed["purge_at"].as_i64().unwrap(), deleted_at + 30 * 24 * 3600 * 1000, "30 days by default");
    // Its live connections are closed; its code and id are unknown now.
    assert_eq!(camille.closed().await, Some(4012));
    assert_eq!(join_refused(&server, &join).await, ErrorCode::RoomNotFound);
    let (status, body) = call(&server, Method::GET, &path, &durand, None).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")));
    let (status, body) = call(&server, Method::DELETE, &path, &durand, None).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")), "trashed once");
    let (_, mine) = call(&server, Method::GET, "/api/v1/rooms?mine=1", &durand, None).await;
    assert!(titles(&mine).is_empty(), "{mine}");
    let (status, trash) = call(&server, Method::GET, "/api/v1/trash", &durand, None).await;
    assert_eq!(status, 200);
    assert_eq!(titles(&trash), ["Idées"]);
    assert_eq!(trash["retention_days"], 30);
    let (_, trash) = call(&server, Method::GET, "/api/v1/trash", &petit, None).await;
    assert!(titles(&trash).is_empty(), "nobody else's trash: {trash}");
    let (status, body) = call(&server, Method::GET, "/api/v1/trash", &participant, None).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));

    // Restored, with its code and its posts.
    let restore = format!("/api/v1/trash/{id}/restore");
    let (status, body) = call(&server, Method::POST, &restore, &petit, None).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")), "not his trash");
    let (status, body) = call(&server, Method::POST, &restore, &durand, None).await;
    assert_eq!((status, body["join_code"].as_str()), (200, Some(join.as_str())), "{body}");
    let mut back = server.connect(Format::Json).await;
    let (_, snapshot) = back.hello_guest(&join, "Léa").await;
    assert_eq!(snapshot.board.unwrap().posts.len(), 2, "the visible posts are back");
    let (_, mine) = call(&server, Method::GET, "/api/v1/rooms?mine=1", &durand, None).await;
    assert_eq!(titles(&mine), ["Idées"]);

    // Deleted for good: the copy keeps the shared file through the sweep,
    // and once both are gone the sweep deletes it.
    call(&server, Method::DELETE, &path, &durand, None).await;
    let forget = format!("/api/v1/trash/{id}");
    let (status, body) = call(&server, Method::DELETE, &forget, &petit, None).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")));
    let (status, body) = call(&server, Method::DELETE, &forget, &durand, None).await;
    assert_eq!((status, body["deleted"].as_u64()), (200, Some(1)), "{body}");
    let (status, body) = call(&server, Method::POST, &restore, &durand, None).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")), "gone for good");
    assert!(server.app.store.inputs(uuid::Uuid::parse_str(&id).unwrap()).await.unwrap().is_empty(), "journal gone");
    let later = amphi::hub::now_ms() as i64 + 1;
    amphi::media::sweep::sweep(&server.app, later).await.unwrap();
    let file = server.app.blobs.path(&blob).unwrap();
    assert!(file.exists(), "the copy still shows it");
    call(&server, Method::DELETE, &format!("/api/v1/rooms/{copy_id}"), &petit, None).await;
    let (status, body) = call(&server, Method::DELETE, "/api/v1/trash", &petit, None).await;
    assert_eq!((status, body["deleted"].as_u64()), (200, Some(1)), "emptied: {body}");
    amphi::media::sweep::sweep(&server.app, amphi::hub::now_ms() as i64 + 1).await.unwrap();
    assert!(!file.exists(), "no board refers to it any more");

    // Purged past the retention (the hourly task's store call).
    let old = server.create_room(&durand, "Ancienne").await;
    call(&server, Method::DELETE, &format!("/api/v1/rooms/{}", room_id(&old)), &durand, None).await;
    let purged = server.app.store.purge_trash(deleted_at).await.unwrap();
    assert!(purged.is_empty(), "trashed after the cutoff: kept");
    let purged = server.app.store.purge_trash(amphi::hub::now_ms() as i64 + 1).await.unwrap();
    assert_eq!(purged, [uuid::Uuid::parse_str(&room_id(&old)).unwrap()]);
    let (_, trash) = call(&server, Method::GET, "/api/v1/trash", &durand, None).await;
    assert!(titles(&trash).is_empty(), "{trash}");
}

#[tokio::test]
async fn a_board_is_duplicated_trashed_restored_and_deleted_for_good_on_sqlite() {
    duplicate_and_trash(None).await;
}

#[tokio::test]
async fn a_board_is_duplicated_trashed_restored_and_deleted_for_good_on_postgresql() {
    let database = PgDatabase::create().await;
    duplicate_and_trash(Some(&database)).await;
}

async fn folders_and_favourites(database: Option<&PgDatabase>) {
    let server = server_on(database).await;
    let durand = server.token(Role::Trainer, "Mme Durand");
    let petit = server.token(Role::Trainer, "M. Petit");
    let elsewhere = server.token_in(Role::Trainer, "Mme Autre", "academie-b");
    let participant = server.token(Role::Participant, "Denis");
    let mut rooms = Vec::new();
    for title in ["Géographie", "Histoire", "Sciences"] {
        rooms.push(room_id(&server.create_room(&durand, title).await));
    }
    let petit_room = room_id(&server.create_room(&petit, "Chez M. Petit").await);

    let (status, body) = call(&server, Method::POST, "/api/v1/folders", &durand, Some(json!({ "name": " " }))).await;
    assert_eq!((status, code(&body)), (400, Some("out_of_range")));
    let (status, body) = call(&server, Method::POST, "/api/v1/folders", &durand, Some(json!({ "nom": "x" }))).await;
    assert_eq!((status, code(&body)), (400, Some("invalid_field")));
    let (status, body) =
        call(&server, Method::POST, "/api/v1/folders", &participant, Some(json!({ "name": "x" }))).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let (status, folder) =
        call(&server, Method::POST, "/api/v1/folders", &durand, Some(json!({ "name": "Cycle 3" }))).await;
    assert_eq!(status, 201, "{folder}");
    let folder_id = folder["id"].as_str().unwrap().to_string();

    let mark = |room: &str| format!("/api/v1/rooms/{room}/mark");
    let (status, body) =
        call(&server, Method::PUT, &mark(&rooms[0]), &durand, Some(json!({ "folder": folder_id }))).await;
    assert_eq!((status, body["folder"].as_str()), (200, Some(folder_id.as_str())), "{body}");
    let (status, body) =
        call(&server, Method::PUT, &mark(&rooms[2]), &durand, Some(json!({ "favourite": true }))).await;
    assert_eq!((status, body["favourite"].as_bool()), (200, Some(true)), "{body}");
    // Neither another leader nor another tenant files her rooms; nobody
    // files a room in someone else's folder.
    let starred = Some(json!({ "favourite": true }));
    let (status, body) = call(&server, Method::PUT, &mark(&rooms[1]), &petit, starred.clone()).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let (status, body) = call(&server, Method::PUT, &mark(&rooms[1]), &elsewhere, starred).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")));
    let (status, body) =
        call(&server, Method::PUT, &mark(&petit_room), &petit, Some(json!({ "folder": folder_id }))).await;
    assert_eq!((status, code(&body)), (404, Some("not_found")), "her folder is not his");
    let (status, body) = call(&server, Method::PUT, &mark(&rooms[1]), &durand, Some(json!({ "pinned": true }))).await;
    assert_eq!((status, code(&body)), (400, Some("invalid_field")));
    let (status, body) = call(&server, Method::PUT, &mark(&rooms[1]), &durand, Some(json!({ "favourite": 1 }))).await;
    assert_eq!((status, code(&body)), (400, Some("invalid_field")));

    // Favourites first; filtered by folder; `root` is what no folder holds.
    let (_, all) = call(&server, Method::GET, "/api/v1/rooms?mine=1", &durand, None).await;
    assert_eq!(titles(&all), ["Sciences", "Histoire", "Géographie"], "{all}");
    assert_eq!(all["rooms"][0]["favourite"], true);
    assert_eq!(all["rooms"][2]["folder"].as_str(), Some(folder_id.as_str()));
    let (_, filed) =
        call(&server, Method::GET, &format!("/api/v1/rooms?mine=1&folder={folder_id}"), &durand, None).await;
    assert_eq!(titles(&filed), ["Géographie"]);
    let (_, root) = call(&server, Method::GET, "/api/v1/rooms?mine=1&folder=root", &durand, None).await;
    assert_eq!(titles(&root), ["Sciences", "Histoire"]);
    let (status, body) =
        call(&server, Method::GET, &format!("/api/v1/rooms?mine=1&folder={folder_id}"), &petit, None).await;
    assert_eq!((status, code(&body)), (404, Some("not_found")));
    let (_, theirs) = call(&server, Method::GET, "/api/v1/folders", &petit, None).await;
    assert_eq!(theirs["folders"], json!([]), "per member");

    // Renamed; counted; deleted (its room back to the root, still starred
    // where it was).
    let path = format!("/api/v1/folders/{folder_id}");
    let (status, body) = call(&server, Method::PUT, &path, &petit, Some(json!({ "name": "À moi" }))).await;
    assert_eq!((status, code(&body)), (404, Some("not_found")));
    let (status, _) = call(&server, Method::PUT, &path, &durand, Some(json!({ "name": "Cycle 4" }))).await;
    assert_eq!(status, 200);
    let (_, folders) = call(&server, Method::GET, "/api/v1/folders", &durand, None).await;
    assert_eq!(folders["folders"][0]["name"], "Cycle 4");
    assert_eq!(folders["folders"][0]["rooms"], 1);
    let (status, _) = call(&server, Method::DELETE, &path, &petit, None).await;
    assert_eq!(status, 404);
    let (status, _) = call(&server, Method::DELETE, &path, &durand, None).await;
    assert_eq!(status, 204);
    let (_, root) = call(&server, Method::GET, "/api/v1/rooms?mine=1&folder=root", &durand, None).await;
    assert_eq!(titles(&root), ["Sciences", "Histoire", "Géographie"]);
    assert!(root["rooms"].as_array().unwrap().iter().all(|r| r["folder"].is_null()));
    let (_, folders) = call(&server, Method::GET, "/api/v1/folders", &durand, None).await;
    assert_eq!(folders["folders"], json!([]));
    // A trashed room leaves its folder's count and the listings.
    let (_, folder) =
        call(&server, Method::POST, "/api/v1/folders", &durand, Some(json!({ "name": "Archives" }))).await;
    let archive = folder["id"].as_str().unwrap();
    call(&server, Method::PUT, &mark(&rooms[1]), &durand, Some(json!({ "folder": archive }))).await;
    call(&server, Method::DELETE, &format!("/api/v1/rooms/{}", rooms[1]), &durand, None).await;
    let (_, folders) = call(&server, Method::GET, "/api/v1/folders", &durand, None).await;
    assert_eq!(folders["folders"][0]["rooms"], 0);
}

#[tokio::test]
async fn folders_and_favourites_are_each_leader_s_own_on_sqlite() {
    folders_and_favourites(None).await;
}

#[tokio::test]
async fn folders_and_favourites_are_each_leader_s_own_on_postgresql() {
    let database = PgDatabase::create().await;
    folders_and_favourites(Some(&database)).await;
}

async fn copy(server: &TestServer, token: &str, from: &str, post: &str, to: &str) -> (u16, Value) {
    let path = format!("/api/v1/boards/{from}/posts/{post}/copy");
    call(server, Method::POST, &path, token, Some(json!({ "to": to }))).await
}

async fn copying_a_post(database: Option<&PgDatabase>) {
    let server = server_on(database).await;
    let durand = server.token(Role::Trainer, "Mme Durand");
    let elsewhere = server.token_in(Role::Trainer, "Mme Autre", "academie-b");
    let denis = server.token(Role::Participant, "Denis");
    let observer = server.token(Role::Observer, "Projecteur");
    let source = create_board(&server, &durand, "Séance 1", json!({})).await;
    let target = create_board(&server, &durand, "Séance 2", json!({ "sections": ["Reprises"] })).await;
    let unjoined = create_board(&server, &durand, "Séance 3", json!({})).await;
    let foreign = create_board(&server, &elsewhere, "Ailleurs", json!({})).await;
    let (source_id, target_id) = (room_id(&source), room_id(&target));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&durand).await;
    trainer.join(&source_id).await;
    let message = board(&mut trainer, &source_id, post("À reprendre"));
    trainer.ok(message).await;
    let mut camille = server.connect(Format::Json).await;
    camille.hello_guest(&join_code(&source), "Camille").await;
    let message = board(&mut camille, &source_id, post("Masqué bientôt"));
    camille.ok(message).await;
    let message = board(&mut trainer, &source_id, BoardCommand::Hide { post: "p2".into() });
    trainer.ok(message).await;
    // A viewer of the target board, and Denis, who joined it.
    let mut viewer = server.connect(Format::MsgPack).await;
    viewer.hello_guest(&join_code(&target), "Léa").await;
    let mut denis_ws = server.connect(Format::Json).await;
    denis_ws.hello_token(&denis).await;
    denis_ws.join(&target_id).await;

    // The trainer copies; the target's viewers see it, with its origin.
    let (status, body) = copy(&server, &durand, &source_id, "p1", &target_id).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["copied_from"]["title"], "Séance 1");
    let added = viewer
        .recv_until(|m| {
            matches!(m, ServerMessage::Event { event: EventBody::Board { event: BoardEvent::PostAdded { .. } }, .. })
        })
        .await;
    let ServerMessage::Event { event: EventBody::Board { event: BoardEvent::PostAdded { post } }, .. } = added else {
        unreachable!()
    };
    assert_eq!(post.content.title, "À reprendre");
    let origin = post.copied_from.expect("where it came from");
    assert_eq!((origin.board.as_str(), origin.post.as_str()), (source_id.as_str(), "p1"));
    assert_eq!(post.likes, 0);

    // Other tenants, wrong roles, unknown posts.
    let (status, body) = copy(&server, &durand, &source_id, "p1", &room_id(&foreign)).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")), "another tenant's board is unknown");
    let (status, body) = copy(&server, &elsewhere, &source_id, "p1", &room_id(&foreign)).await;
    assert_eq!((status, code(&body)), (404, Some("room_not_found")));
    let (status, body) = copy(&server, &observer, &source_id, "p1", &target_id).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let (status, body) = copy(&server, &durand, &source_id, "p99", &target_id).await;
    assert_eq!((status, code(&body)), (404, Some("not_found")));
    // Participants: only when the board allows it.
    let (status, body) = copy(&server, &denis, &source_id, "p1", &target_id).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")), "copying is off for participants by default");
    let message = board(&mut camille, &source_id, BoardCommand::SetCopying { copying: true });
    assert_eq!(camille.refused(message).await, ErrorCode::Forbidden, "a leader's switch");
    let message = board(&mut trainer, &source_id, BoardCommand::SetCopying { copying: true });
    trainer.ok(message).await;
    let (status, body) = copy(&server, &denis, &source_id, "p1", &target_id).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = copy(&server, &denis, &source_id, "p2", &target_id).await;
    assert_eq!((status, code(&body)), (404, Some("not_found")), "a hidden post is not his to copy");
    let (status, body) = copy(&server, &denis, &source_id, "p1", &room_id(&unjoined)).await;
    assert_eq!((status, code(&body)), (403, Some("not_in_room")), "a board he never joined");
    // A client does not send `copy_post` itself.
    let forged = BoardCommand::CopyPost {
        section: None,
        author: "someone".into(),
        origin: amphi_protocol::board::PostOrigin { board: source_id.clone(), post: "p1".into(), title: "x".into() },
        content: PostContent { title: "Faux".into(), ..Default::default() },
    };
    let message = board(&mut denis_ws, &target_id, forged);
    assert_eq!(denis_ws.refused(message).await, ErrorCode::InvalidField);

    // The copies are the target board's posts, rebuilt from its journal.
    drop((trainer, camille, viewer, denis_ws));
    let target_uuid = uuid::Uuid::parse_str(&target_id).unwrap();
    if let Some(actor) = server.app.hub.drop_room(target_uuid, None) {
        actor.retire().await.unwrap();
    }
    let mut again = server.connect(Format::Json).await;
    again.hello_token(&durand).await;
    let snapshot = again.join(&target_id).await.board.unwrap();
    assert_eq!(snapshot.posts.len(), 2, "{:?}", snapshot.posts);
    assert!(snapshot.posts.iter().all(|p| p.copied_from.as_ref().is_some_and(|o| o.post == "p1")));
    assert_eq!(snapshot.posts[1].author.as_deref(), Some(denis_id(&server, &denis).as_str()), "Denis's copy is his");
    // A duplicate of the board keeps where its copies came from.
    let (status, copy) =
        call(&server, Method::POST, &format!("/api/v1/rooms/{target_id}/duplicate"), &durand, None).await;
    assert_eq!(status, 201, "{copy}");
    let snapshot = again.join(&room_id(&copy)).await.board.unwrap();
    assert!(snapshot.posts.iter().all(|p| p.copied_from.as_ref().is_some_and(|o| o.board == source_id)));
}

fn denis_id(server: &TestServer, token: &str) -> String {
    server.app.keys.verify(token).unwrap().sub
}

#[tokio::test]
async fn a_post_is_copied_to_another_board_of_the_tenant_on_sqlite() {
    copying_a_post(None).await;
}

#[tokio::test]
async fn a_post_is_copied_to_another_board_of_the_tenant_on_postgresql() {
    let database = PgDatabase::create().await;
    copying_a_post(Some(&database)).await;
}
