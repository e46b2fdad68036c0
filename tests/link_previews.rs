//! Link cards through the real server: against a small web site on the
//! loopback, a server in its default mode refuses to fetch it (by address
//! and by a name that resolves to it) without sending it a single request;
//! a server allowed to reach private addresses (an intranet) makes the card
//! (title, description, site, the image stored as an upload), a post
//! carries it to every member, the ZIP export and import keep it; slow,
//! non-HTML and malformed links get their stable codes; previews off are
//! refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use amphi::media::preview::PreviewMode;
use amphi_protocol::board::{BoardCommand, PostContent};
use amphi_protocol::{ClientMessage, Format, Role, ServerMessage};
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde_json::{Value, json};

use crate::util::*;

const PNG: &[u8] = include_bytes!("fixtures/badges/badge.png");

/// A web site on the loopback; counts the requests it gets.
async fn site() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let page = r#"<!doctype html><html lang="fr"><head><meta charset="utf-8">
        <title>Ignored</title>
        <meta property="og:title" content="Le cycle de l&rsquo;eau">
        <meta property="og:description" content="Une s&eacute;quence pour le cycle 3.">
        <meta property="og:site_name" content="Éduscol">
        <meta property="og:image" content="/schema.png"></head><body>…</body></html>"#;
    let app = Router::new()
        .route("/page", get(move || async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page) }))
        .route("/schema.png", get(|| async { ([(header::CONTENT_TYPE, "image/png")], PNG) }))
        .route("/moved", get(|| async { Redirect::temporary("/page") }))
        .route("/data.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{}") }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                "late".into_response()
            }),
        )
        .layer(axum::middleware::from_fn(move |request, next: axum::middleware::Next| {
            let counted = Arc::clone(&counted);
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                next.run(request).await
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}"), hits)
}

async fn create_board(server: &TestServer, token: &str) -> Value {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Ressources", "kind": "board", "board": { "sections": ["Liens"] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn card(server: &TestServer, token: &str, room: &str, url: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/boards/{room}/link-preview")))
        .bearer_auth(token)
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_default_server_never_fetches_a_loopback_or_private_address() {
    let (site, hits) = site().await;
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = room_id(&create_board(&server, &token).await);
    let port = site.rsplit(':').next().unwrap();
    for url in [
        format!("{site}/page"),
        format!("http://localhost:{port}/page"),
        format!("http://[::1]:{port}/page"),
        format!("http://[::ffff:127.0.0.1]:{port}/page"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/".to_string(),
    ] {
        let (status, body) = card(&server, &token, &room, &url).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("link_refused")), "{url}: {body}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "not one request reached the site");
    let (status, body) = card(&server, &token, &room, "ftp://example.org/file").await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")), "{body}");
    let (status, body) = card(&server, &token, &room, "pas une adresse").await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")), "{body}");
    let observer = server.token(Role::Observer, "Projecteur");
    assert_eq!(card(&server, &observer, &room, "https://eduscol.education.fr/").await.0, 403);
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("amphi_abuse_total{kind=\"link_refused\"} 6"), "each refusal counted");
    assert!(metrics.contains("amphi_link_previews_total{outcome=\"refused\"} 6"));
}

#[tokio::test]
async fn previews_off_are_refused() {
    let server = TestServer::start_with(|config| config.board.link_previews = PreviewMode::Off).await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = room_id(&create_board(&server, &token).await);
    let (status, body) = card(&server, &token, &room, "https://eduscol.education.fr/").await;
    assert_eq!((status, body["code"].as_str()), (403, Some("link_refused")), "{body}");
}

#[tokio::test]
async fn an_intranet_server_makes_the_card_and_a_post_keeps_it_through_export_and_import() {
    let (site, hits) = site().await;
    let server = TestServer::start_with(|config| config.board.link_previews = PreviewMode::AnyAddress).await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&server, &token).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut phone = server.connect(Format::Json).await;
    let (welcome, _) = phone.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };

    // Through a redirect: the card of the page it leads to.
    let link = format!("{site}/moved");
    let (status, body) = card(&server, &resume_token, &room_id, &link).await;
    assert_eq!(status, 200, "{body}");
    let preview = &body["link_preview"];
    assert_eq!(preview["title"], "Le cycle de l’eau");
    assert_eq!(preview["description"], "Une séquence pour le cycle 3.");
    assert_eq!(preview["site"], "Éduscol");
    let image = preview["image"].as_str().expect("the image, stored").to_string();
    let served = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/blobs/{image}")))
        .bearer_auth(&resume_token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
    // Asked again: from the cache, the site not called again.
    let before = hits.load(Ordering::SeqCst);
    assert_eq!(card(&server, &resume_token, &room_id, &link).await.1["link_preview"], *preview);
    assert_eq!(hits.load(Ordering::SeqCst), before);

    // Not a page, too slow: no card, a stable code.
    let (status, body) = card(&server, &resume_token, &room_id, &format!("{site}/data.json")).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("unavailable")), "{body}");
    let (status, body) = card(&server, &resume_token, &room_id, &format!("{site}/slow")).await;
    assert_eq!((status, body["code"].as_str()), (502, Some("unavailable")), "{body}");

    // Posted with its card: every member sees it.
    let content = PostContent {
        title: "Une ressource".into(),
        link: Some(link.clone()),
        link_preview: Some(serde_json::from_value(preview.clone()).unwrap()),
        ..PostContent::default()
    };
    let command = BoardCommand::Post { section: None, before: None, content };
    let message = ClientMessage::Board { id: phone.id(), room: room_id.clone(), command: Box::new(command) };
    phone.ok(message).await;
    let mut trainer = server.connect(Format::MsgPack).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(&room_id).await.board.expect("a board");
    let posted = &snapshot.posts[0];
    assert_eq!(posted.content.link_preview.as_ref().unwrap().title, "Le cycle de l’eau");
    // A card whose image is not an image is refused.
    let forged = PostContent {
        title: "Faux".into(),
        link: Some(link.clone()),
        link_preview: Some(Box::new(amphi_protocol::board::LinkPreview {
            image: Some("0".repeat(64)),
            ..Default::default()
        })),
        ..PostContent::default()
    };
    let command = BoardCommand::Post { section: None, before: None, content: forged };
    let message = ClientMessage::Board { id: phone.id(), room: room_id.clone(), command: Box::new(command) };
    assert_eq!(phone.refused(message).await, amphi_protocol::ErrorCode::NotFound);

    // The ZIP keeps the card and its image; imported, the card is there.
    let http = reqwest::Client::new();
    let zip = http.get(server.url(&format!("/api/v1/boards/{room_id}/export.zip"))).bearer_auth(&token).send().await;
    let zip = zip.unwrap().bytes().await.unwrap();
    let imported = http.post(server.url("/api/v1/boards/import")).bearer_auth(&token).body(zip.to_vec()).send().await;
    let imported: Value = imported.unwrap().json().await.unwrap();
    let copy = trainer.join(imported["id"].as_str().unwrap()).await.board.expect("a board");
    let card = copy.posts[0].content.link_preview.as_ref().expect("the card, imported");
    assert_eq!((card.title.as_str(), card.image.as_deref()), ("Le cycle de l’eau", Some(image.as_str())));
}
