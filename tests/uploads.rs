//! Issue #17, items 3 and 6 from outside: upload quotas per member, room
//! and tenant, the upload rate, the sweep of uploads nothing refers to, and
//! blobs kept to their tenant; on SQLite and PostgreSQL.

use amphi_protocol::board::{BoardCommand, File, Image, PostContent};
use amphi_protocol::{ClientMessage, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::util::*;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

/// A PDF-looking file of `size` bytes, its content told apart by `seed`.
fn pdf(size: usize, seed: u8) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.7\n%{seed}\n").into_bytes();
    bytes.resize(size, b'a' + seed % 26);
    bytes
}

async fn server_on(database: Option<&PgDatabase>, tune: impl FnOnce(&mut amphi::config::Config)) -> TestServer {
    let url = database.map(|d| d.url.clone());
    TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
        tune(config);
    })
    .await
}

async fn create_board(server: &TestServer, token: &str, board: Value) -> (String, String) {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Idées", "kind": "board", "board": board }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let room: Value = response.json().await.unwrap();
    (room_id(&room), join_code(&room))
}

async fn upload(server: &TestServer, token: &str, room: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/boards/{room}/uploads?name=f.pdf")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// A guest of the room of `code`: their connection and resume token.
async fn guest(server: &TestServer, code: &str, name: &str) -> (Client, String) {
    let mut client = server.connect(Format::Json).await;
    let (welcome, _) = client.hello_guest(code, name).await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    (client, resume_token)
}

/// A metric's value in `/metrics` (`name` with its labels), 0 when absent.
async fn metric(server: &TestServer, name: &str) -> u64 {
    let text = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    let prefix = format!("{name} ");
    text.lines().find_map(|line| line.strip_prefix(&prefix)).map_or(0, |v| v.trim().parse().unwrap())
}

fn refused(answer: &(u16, Value), status: u16, code: &str, says: &str) {
    let (got, body) = answer;
    assert_eq!((*got, body["code"].as_str()), (status, Some(code)), "{body}");
    assert!(body["message"].as_str().unwrap().contains(says), "{body}");
}

async fn quotas_hold_per_member_room_and_tenant(database: Option<&PgDatabase>) {
    let server = server_on(database, |config| {
        config.board.max_upload_bytes = 4096;
        config.board.upload_quota_per_member = 2500;
        config.board.upload_quota_per_room = 4000;
        config.board.upload_quota_per_tenant = 5000;
    })
    .await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let (first, code) = create_board(&server, &trainer, json!({ "sections": ["A"] })).await;
    let (second, other_code) = create_board(&server, &trainer, json!({ "sections": ["B"] })).await;

    let (_camille, camille) = guest(&server, &code, "Camille").await;
    assert_eq!(upload(&server, &camille, &first, pdf(1000, 1)).await.0, 201);
    assert_eq!(upload(&server, &camille, &first, pdf(1000, 2)).await.0, 201);
    refused(&upload(&server, &camille, &first, pdf(1000, 3)).await, 413, "quota_exceeded", "2500 bytes");
    assert_eq!(upload(&server, &camille, &first, pdf(400, 4)).await.0, 201, "what is left of the quota passes");
    refused(&upload(&server, &camille, &first, pdf(200, 5)).await, 413, "quota_exceeded", "2500 bytes");
    assert_eq!(metric(&server, "amphi_abuse_total{kind=\"upload_quota_member\"}").await, 2);

    let (_lea, lea) = guest(&server, &code, "Léa").await;
    assert_eq!(upload(&server, &lea, &first, pdf(1000, 6)).await.0, 201);
    refused(
        &upload(&server, &lea, &first, pdf(1000, 7)).await,
        413,
        "quota_exceeded",
        "room's files are limited to 4000",
    );
    assert_eq!(metric(&server, "amphi_abuse_total{kind=\"upload_quota_room\"}").await, 1);

    let (_noe, noe) = guest(&server, &other_code, "Noé").await;
    assert_eq!(upload(&server, &noe, &second, pdf(1000, 8)).await.0, 201);
    refused(&upload(&server, &noe, &second, pdf(1000, 9)).await, 413, "quota_exceeded", "limited to 5000 bytes");
    assert_eq!(metric(&server, "amphi_abuse_total{kind=\"upload_quota_tenant\"}").await, 1);

    // Another tenant has its own.
    let elsewhere = server.token_in(Role::Trainer, "M. Autre", "other");
    let (third, _) = create_board(&server, &elsewhere, json!({ "sections": ["C"] })).await;
    let answer = upload(&server, &elsewhere, &third, pdf(1000, 10)).await;
    assert_eq!(answer.0, 201, "{}", answer.1);

    assert_eq!(metric(&server, "amphi_blobs").await, 6);
    assert_eq!(metric(&server, "amphi_blob_bytes").await, 1000 * 5 + 400);
}

#[tokio::test]
async fn upload_quotas_hold_per_member_room_and_tenant_sqlite() {
    quotas_hold_per_member_room_and_tenant(None).await;
}

#[tokio::test]
async fn upload_quotas_hold_per_member_room_and_tenant_postgres() {
    let database = PgDatabase::create().await;
    quotas_hold_per_member_room_and_tenant(Some(&database)).await;
}

#[tokio::test]
async fn uploads_are_rate_limited_per_member() {
    let server = TestServer::start_with(|config| {
        config.board.upload_burst_per_member = 2;
        config.board.uploads_per_minute_per_member = 1;
    })
    .await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let (board, code) = create_board(&server, &trainer, json!({ "sections": ["A"] })).await;
    let (_camille, camille) = guest(&server, &code, "Camille").await;
    for seed in 0..2 {
        assert_eq!(upload(&server, &camille, &board, pdf(100, seed)).await.0, 201);
    }
    refused(&upload(&server, &camille, &board, pdf(100, 2)).await, 429, "rate_limited", "too many uploads");
    assert_eq!(metric(&server, "amphi_abuse_total{kind=\"upload_rate\"}").await, 1);
    let (_lea, lea) = guest(&server, &code, "Léa").await;
    assert_eq!(upload(&server, &lea, &board, pdf(100, 3)).await.0, 201, "another member has their own allowance");
}

fn post(content: PostContent, client: &mut Client, board: &str) -> ClientMessage {
    let command = BoardCommand::Post { section: None, before: None, content };
    ClientMessage::Board { id: client.id(), room: board.into(), command: Box::new(command) }
}

async fn blob_status(server: &TestServer, token: &str, blob: &str) -> u16 {
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/blobs/{blob}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

async fn the_sweep_removes_what_nothing_refers_to(database: Option<&PgDatabase>) {
    let server = server_on(database, |_| {}).await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let (board, code) = create_board(&server, &trainer, json!({ "sections": ["A"] })).await;
    let (mut camille, token) = guest(&server, &code, "Camille").await;
    let blob = |answer: (u16, Value)| {
        assert_eq!(answer.0, 201, "{}", answer.1);
        answer.1["blob"].as_str().unwrap().to_string()
    };
    let image = blob(upload(&server, &token, &board, PNG.to_vec()).await);
    let file = blob(upload(&server, &token, &board, pdf(300, 1)).await);
    let orphan = blob(upload(&server, &token, &board, pdf(300, 2)).await);
    let for_atelier = blob(upload(&server, &trainer, &board, pdf(300, 3)).await);

    let content = PostContent {
        title: "Schéma".into(),
        image: Some(Image { blob: image.clone(), alt: String::new() }),
        file: Some(File { blob: file.clone(), name: "notes.pdf".into(), content_type: String::new(), size: 0 }),
        ..Default::default()
    };
    let message = post(content, &mut camille, &board);
    camille.ok(message).await;
    let plan = json!({
        "title": "Matin",
        "breakout": { "plan": { "mode": "manual", "ateliers": [
            { "id": "a1", "name": "Lecture", "duration_s": 900,
              "files": [{ "blob": for_atelier, "name": "texte.pdf" }] },
        ] } },
    });
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/plans"))
        .bearer_auth(&trainer)
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(metric(&server, "amphi_blobs").await, 4);

    // Within the grace period, nothing goes; past it, the orphan does.
    let now = amphi::hub::now_ms() as i64;
    assert_eq!(amphi::media::sweep::sweep(&server.app, now - 3_600_000).await.unwrap(), 0);
    assert_eq!(blob_status(&server, &trainer, &orphan).await, 200);
    assert_eq!(amphi::media::sweep::sweep(&server.app, now + 3_600_000).await.unwrap(), 1);
    assert_eq!(blob_status(&server, &trainer, &orphan).await, 404);
    assert!(server.app.blobs.path(&orphan).is_some_and(|path| !path.exists()), "its file is deleted");
    for kept in [&image, &file, &for_atelier] {
        assert_eq!(blob_status(&server, &trainer, kept).await, 200, "{kept} is referred to");
    }
    assert_eq!(metric(&server, "amphi_blobs").await, 3);
    assert_eq!(metric(&server, "amphi_blob_bytes").await, (PNG.len() + 600) as u64);
}

#[tokio::test]
async fn the_sweep_removes_uploads_nothing_refers_to_sqlite() {
    the_sweep_removes_what_nothing_refers_to(None).await;
}

#[tokio::test]
async fn the_sweep_removes_uploads_nothing_refers_to_postgres() {
    let database = PgDatabase::create().await;
    the_sweep_removes_what_nothing_refers_to(Some(&database)).await;
}

async fn blobs_stay_in_their_tenant(database: Option<&PgDatabase>) {
    let server = server_on(database, |_| {}).await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let (board, code) = create_board(&server, &trainer, json!({ "sections": ["A"] })).await;
    let (mut camille, token) = guest(&server, &code, "Camille").await;
    let (status, body) = upload(&server, &token, &board, PNG.to_vec()).await;
    assert_eq!(status, 201, "{body}");
    let image = body["blob"].as_str().unwrap().to_string();

    // Served to members of the tenant (bearer token), not to anyone.
    let url = server.url(&format!("/api/v1/blobs/{image}"));
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 401, "no token");
    assert_eq!(blob_status(&server, &token, &image).await, 200);
    let outsider = server.token_in(Role::Trainer, "M. Autre", "other");
    assert_eq!(blob_status(&server, &outsider, &image).await, 404, "another tenant's member");

    // Or through the signed link of `welcome`, which expires.
    let mut viewer = server.connect(Format::Json).await;
    let ServerMessage::Welcome { blob_token: Some(access), .. } = viewer.hello_token(&trainer).await else {
        panic!("welcome gives a blob token")
    };
    let response = reqwest::get(format!("{url}?name=schema.png&access={access}")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
    let expired = server.app.blob_links.token("default", amphi::auth::unix_seconds() - 1);
    let response = reqwest::get(format!("{url}?access={expired}")).await.unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["code"], "unauthorized", "{answer}");
    let elsewhere = server.app.blob_links.token("other", amphi::auth::unix_seconds() + 60);
    assert_eq!(reqwest::get(format!("{url}?access={elsewhere}")).await.unwrap().status(), 404);
    let forged = access.replace("ZGVmYXVsdA", "b3RoZXI");
    assert_eq!(reqwest::get(format!("{url}?access={forged}")).await.unwrap().status(), 401);

    // A post of another tenant cannot refer to it, nor a room made there.
    let (other_board, other_code) = create_board(&server, &outsider, json!({ "sections": ["B"] })).await;
    let (mut intruder, _) = guest(&server, &other_code, "Intrus").await;
    let content = PostContent {
        title: "Volé".into(),
        image: Some(Image { blob: image.clone(), alt: String::new() }),
        ..Default::default()
    };
    let message = post(content.clone(), &mut intruder, &other_board);
    assert_eq!(intruder.refused(message).await, amphi_protocol::ErrorCode::NotFound);
    let seeded = json!({ "sections": ["B"], "posts": [{ "section": 0, "author_name": "x", "title": "t",
        "image": { "blob": image, "alt": "" } }] });
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&outsider)
        .json(&json!({ "title": "Copie", "kind": "board", "board": seeded }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(metric(&server, "amphi_abuse_total{kind=\"foreign_blob\"}").await >= 2);
    // Its own tenant's post can.
    let message = post(content, &mut camille, &board);
    camille.ok(message).await;
}

#[tokio::test]
async fn blobs_are_served_and_referred_to_in_their_tenant_only_sqlite() {
    blobs_stay_in_their_tenant(None).await;
}

#[tokio::test]
async fn blobs_are_served_and_referred_to_in_their_tenant_only_postgres() {
    let database = PgDatabase::create().await;
    blobs_stay_in_their_tenant(Some(&database)).await;
}

#[tokio::test]
async fn blobs_stored_before_uploads_were_recorded_are_adopted_by_the_first_tenant_to_post_them() {
    let server = TestServer::start().await;
    // A file stored by an earlier version: no upload names it.
    let (legacy, _) = server.app.blobs.put_bytes(PNG.to_vec(), 1 << 20).await.unwrap();
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let outsider = server.token_in(Role::Trainer, "M. Autre", "other");
    assert_eq!(blob_status(&server, &outsider, &legacy).await, 200, "served to members while no one owns it");
    let (board, code) = create_board(&server, &trainer, json!({ "sections": ["A"] })).await;
    let (mut camille, _) = guest(&server, &code, "Camille").await;
    let content = PostContent {
        title: "Ancien schéma".into(),
        image: Some(Image { blob: legacy.clone(), alt: String::new() }),
        ..Default::default()
    };
    let message = post(content.clone(), &mut camille, &board);
    camille.ok(message).await;
    // Now the tenant's: kept by the sweep, closed to others.
    assert_eq!(amphi::media::sweep::sweep(&server.app, amphi::hub::now_ms() as i64 + 3_600_000).await.unwrap(), 0);
    assert_eq!(blob_status(&server, &trainer, &legacy).await, 200);
    assert_eq!(blob_status(&server, &outsider, &legacy).await, 404);
    let (other_board, other_code) = create_board(&server, &outsider, json!({ "sections": ["B"] })).await;
    let (mut intruder, _) = guest(&server, &other_code, "Intrus").await;
    let message = post(content, &mut intruder, &other_board);
    assert_eq!(intruder.refused(message).await, amphi_protocol::ErrorCode::NotFound);
}

#[tokio::test]
async fn an_erased_member_takes_their_files_along() {
    let server = TestServer::start().await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let (board, code) = create_board(&server, &trainer, json!({ "sections": ["A"] })).await;
    let mut camille = server.connect(Format::Json).await;
    let (welcome, _) = camille.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { member, resume_token: token, .. } = welcome else { unreachable!() };
    let (status, body) = upload(&server, &token, &board, PNG.to_vec()).await;
    assert_eq!(status, 201, "{body}");
    let photo = body["blob"].as_str().unwrap().to_string();
    let content = PostContent {
        title: "Ma photo".into(),
        image: Some(Image { blob: photo.clone(), alt: String::new() }),
        ..Default::default()
    };
    let message = post(content, &mut camille, &board);
    camille.ok(message).await;

    let admin = server.token(Role::Admin, "DANE");
    let url = server.url(&format!("/api/v1/admin/users/{}", member.id));
    let response = reqwest::Client::new().delete(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let deletion: Value = response.json().await.unwrap();
    assert_eq!(deletion["uploads"], 1, "{deletion}");
    assert!(server.app.blobs.path(&photo).is_some_and(|path| !path.exists()), "the file is deleted");
    assert_eq!(blob_status(&server, &trainer, &photo).await, 404);
    assert_eq!(metric(&server, "amphi_blobs").await, 0);
}
