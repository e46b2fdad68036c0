//! Library items that carry uploaded files (a board template's images and
//! files), through the real server on SQLite and PostgreSQL: publishing
//! them, and tenant isolation of their blobs. A copy refers to the same
//! blobs as the item: the copier's tenant is served them once it copied,
//! no other tenant ever; a withdrawal or the author's erasure leaves the
//! copies' files in place, and the sweep keeps them.

use amphi_protocol::Role;
use serde_json::{Value, json};

use crate::util::*;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";
const NATION: &str = "dgesco";
const NANTES: &str = "ac-nantes";
const MARSEILLE: &str = "ac-aix-marseille";

async fn server(database: Option<&PgDatabase>) -> TestServer {
    let url = database.map(|d| d.url.clone());
    TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
    })
    .await
}

async fn call(server: &TestServer, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method.parse().unwrap(), server.url(&format!("/api/v1{path}")))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn blob(server: &TestServer, token: &str, blob: &str) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/blobs/{blob}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.bytes().await.unwrap().to_vec())
}

/// Uploads `bytes` to a board room of `token`'s; the blob id.
async fn uploaded(server: &TestServer, token: &str, bytes: &[u8], name: &str) -> String {
    let (status, room) =
        call(server, "POST", "/rooms", token, Some(json!({ "title": "Brouillon", "kind": "board" }))).await;
    assert_eq!(status, 201, "{room}");
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/boards/{}/uploads?name={name}", room["id"].as_str().unwrap())))
        .bearer_auth(token)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["blob"].as_str().unwrap().to_string()
}

/// A board room whose first post shows `image`.
async fn template(server: &TestServer, token: &str, title: &str, image: &str) -> String {
    let board = json!({ "sections": ["Idées"], "posts": [{ "section": 0, "author_name": "Équipe", "title": "Schéma",
        "image": { "blob": image, "alt": "Un schéma" } }] });
    let (status, room) =
        call(server, "POST", "/rooms", token, Some(json!({ "title": title, "kind": "board", "board": board }))).await;
    assert_eq!(status, 201, "{room}");
    room["id"].as_str().unwrap().to_string()
}

async fn files_of_published_items(database: Option<&PgDatabase>) {
    let server = server(database).await;
    let now = amphi::auth::unix_seconds();
    let curator = server.sign(amphi::auth::Claims {
        sub: "curator".into(),
        name: "M. National".into(),
        tenant: NATION.into(),
        role: Role::National,
        exp: now + 3600,
        iat: now,
        room: None,
        guest: false,
    });
    let nation_admin = server.token_in(Role::Admin, "Admin national", NATION);
    let nantes = server.token_in(Role::Trainer, "Mme Autre", NANTES);
    let nantes_pupil = server.token_in(Role::Participant, "Camille", NANTES);
    let marseille = server.token_in(Role::Trainer, "M. Sud", MARSEILLE);

    // A board template with an image is published nationally (it was
    // refused before files were shared).
    let image = uploaded(&server, &curator, PNG, "schema.png").await;
    let source = template(&server, &curator, "Le cycle de l’eau", &image).await;
    let (status, item) = call(
        &server,
        "POST",
        "/library/items",
        &curator,
        Some(json!({ "kind": "board", "source": source, "scope": "national" })),
    )
    .await;
    assert_eq!(status, 201, "{item}");
    let item = item["id"].as_str().unwrap().to_string();
    let (status, content) = call(&server, "GET", &format!("/library/items/{item}/content"), &nantes, None).await;
    assert_eq!((status, content["content"]["posts"][0]["image"]["blob"].as_str()), (200, Some(image.as_str())));

    // Seeing the item is not reading its files: only a copy gives them.
    assert_eq!(blob(&server, &nantes, &image).await.0, 404, "before the copy");
    let (status, copy) = call(&server, "POST", &format!("/library/items/{item}/copies"), &nantes, None).await;
    assert_eq!(status, 201, "{copy}");
    let (status, bytes) = blob(&server, &nantes, &image).await;
    assert_eq!((status, bytes.as_slice()), (200, PNG), "the copier's tenant reads the same blob");
    assert_eq!(blob(&server, &nantes_pupil, &image).await.0, 200, "every member of that tenant");
    assert_eq!(blob(&server, &marseille, &image).await.0, 404, "a tenant that did not copy");
    let target = copy["target"].as_str().unwrap();
    let (_, room) = call(&server, "GET", &format!("/rooms/{target}"), &nantes, None).await;
    assert_eq!(room["tenant"], NANTES);

    // A copy's room refers to the blob in its tenant: a next session of it
    // is made through the same checks.
    let (status, next) = call(&server, "POST", &format!("/rooms/{target}/next-session"), &nantes, None).await;
    assert_eq!(status, 201, "{next}");

    // A new version with another image: the copier gets it on update only.
    let second = uploaded(&server, &curator, b"%PDF-1.7\n% autre\n", "fiche.pdf").await;
    let other = template(&server, &curator, "Le cycle de l’eau (2)", &second).await;
    let (status, version) =
        call(&server, "POST", &format!("/library/items/{item}/versions"), &curator, Some(json!({ "source": other })))
            .await;
    assert_eq!(status, 201, "{version}");
    assert_eq!(blob(&server, &nantes, &second).await.0, 404, "not before the update");
    let copy_id = copy["id"].as_str().unwrap();
    let (status, updated) = call(&server, "POST", &format!("/library/copies/{copy_id}/update"), &nantes, None).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(blob(&server, &nantes, &second).await.0, 200);
    assert_eq!(blob(&server, &marseille, &second).await.0, 404);

    // Withdrawn, then its author erased: the copies' files stay, the sweep
    // keeps them; no new copy is made, so no other tenant ever reads them.
    let (status, _) = call(&server, "POST", &format!("/library/items/{item}/withdraw"), &curator, None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&server, "POST", &format!("/library/items/{item}/copies"), &marseille, None).await;
    assert_eq!(status, 409);
    assert_eq!(blob(&server, &marseille, &image).await.0, 404);
    let (status, erased) = call(&server, "DELETE", "/admin/users/curator", &nation_admin, None).await;
    assert_eq!(status, 200, "{erased}");
    let later = amphi::hub::now_ms() as i64 + 30 * 86_400_000;
    amphi::media::sweep::sweep(&server.app, later).await.unwrap();
    for kept in [&image, &second] {
        assert_eq!(blob(&server, &nantes, kept).await.0, 200, "{kept} is held by the copy");
        assert!(server.app.blobs.path(kept).is_some_and(|path| path.exists()));
    }
}

#[tokio::test]
async fn library_files_of_published_items_sqlite() {
    files_of_published_items(None).await;
}

#[tokio::test]
async fn library_files_of_published_items_postgres() {
    let database = PgDatabase::create().await;
    files_of_published_items(Some(&database)).await;
}
