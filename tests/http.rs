//! HTTP around the live part: health, readiness (with a store outage),
//! metrics, the OpenAPI document, the web client, the Origin check, the
//! PostgreSQL backend, and graceful shutdown.

use amphi_protocol::{ClientMessage, Format, Role, ServerMessage};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::util::*;

async fn get_json(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let server = TestServer::start().await;
    let (status, body) = get_json(&server.url("/healthz")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = get_json(&server.url("/readyz")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));

    // Some traffic, then the counters show it.
    let mut client = server.connect(Format::Json).await;
    client.hello_token(&server.token(Role::Trainer, "Mme Durand")).await;
    let id = client.id();
    client.send(&ClientMessage::Ping { id }).await;
    assert!(matches!(client.recv().await, ServerMessage::Pong { .. }));
    let response = reqwest::get(server.url("/metrics")).await.unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    assert!(text.contains("amphi_connections 1"), "{text}");
    assert!(text.contains("amphi_frames_in_total{type=\"ping\"} 1"), "{text}");
    assert!(text.contains("amphi_frames_out_total{type=\"welcome\"} 1"), "{text}");
    for name in ["amphi_rooms", "amphi_fanout_seconds", "amphi_slow_consumers_total", "amphi_room_mailbox_depth"] {
        assert!(text.contains(name), "{name} missing");
    }
}

#[tokio::test]
async fn every_documented_api_path_exists() {
    let server = TestServer::start().await;
    let (status, document) = get_json(&server.url("/api/v1/openapi.json")).await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.len() >= 4);
    let http = reqwest::Client::new();
    let some_id = "00000000-0000-4000-8000-000000000000";
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys().filter(|m| *m != "parameters") {
            let url = server.url(&format!("/api/v1{}", path.replace("{id}", some_id)));
            let response = http.request(method.to_uppercase().parse().unwrap(), &url).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            // Routed: anything but "method not allowed" or the fallback for
            // unknown routes (a 404 about a missing resource is fine).
            assert!(
                status != 405 && !(status == 404 && body["message"] == "no such API route"),
                "{method} {path}: {status} {body}"
            );
        }
    }
    let (status, body) = get_json(&server.url("/api/v1/no-such-thing")).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn bad_api_input_gets_coded_errors() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let http = reqwest::Client::new();
    let cases: [(&str, u16, &str); 4] = [
        ("{not json", 400, "malformed_frame"),
        ("{\"titre\": \"x\"}", 400, "invalid_field"),
        ("{\"title\": \"   \"}", 400, "out_of_range"),
        ("{\"title\": \"x\", \"kind\": \"quiz-party\"}", 400, "out_of_range"),
    ];
    for (body, status, code) in cases {
        let response = http.post(server.url("/api/v1/rooms")).bearer_auth(&token).body(body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        let json: Value = response.json().await.unwrap();
        assert_eq!(json["code"], code, "{body}");
    }
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(100_000));
    let response = http.post(server.url("/api/v1/rooms")).bearer_auth(&token).body(huge).send().await.unwrap();
    assert_eq!(response.status(), 413, "bodies are bounded");
}

#[tokio::test]
async fn the_web_client_is_served_with_a_fallback_for_client_routes() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>amphi client</title>").unwrap();
    std::fs::write(web.path().join("app.js"), "console.log('amphi')").unwrap();
    let dir = web.path().to_path_buf();
    let server = TestServer::start_with(move |config| config.web_dir = dir).await;
    let index = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["x-content-type-options"], "nosniff");
    assert!(index.text().await.unwrap().contains("amphi client"));
    let script = reqwest::get(server.url("/app.js")).await.unwrap();
    assert!(script.headers()["content-type"].to_str().unwrap().contains("javascript"));
    let deep_link = reqwest::get(server.url("/j/KM7R4P")).await.unwrap().text().await.unwrap();
    assert!(deep_link.contains("amphi client"), "client routes get index.html");
    assert_eq!(index_cache(&server, "/").await, "no-cache", "the page is asked for again: a new build shows at once");

    // Without a build, a page says how to make one.
    let bare = TestServer::start().await;
    let page = reqwest::get(bare.url("/")).await.unwrap().text().await.unwrap();
    assert!(page.contains("npm run build"));
}

async fn index_cache(server: &TestServer, path: &str) -> String {
    let response = reqwest::get(server.url(path)).await.unwrap();
    response.headers()["cache-control"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_web_client_goes_compressed_and_its_assets_are_kept() {
    let web = tempfile::tempdir().unwrap();
    let assets = web.path().join("assets");
    std::fs::create_dir(&assets).unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>amphi client</title>").unwrap();
    let script = "console.log('amphi');".repeat(100);
    std::fs::write(assets.join("index-AbC123.js"), &script).unwrap();
    // The build writes both copies (scripts/compress.mjs); the server sends them as they are.
    let brotli = b"(brotli bytes)".to_vec();
    std::fs::write(assets.join("index-AbC123.js.br"), &brotli).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gzip, script.as_bytes()).unwrap();
    std::fs::write(assets.join("index-AbC123.js.gz"), gzip.finish().unwrap()).unwrap();
    let dir = web.path().to_path_buf();
    let server = TestServer::start_with(move |config| config.web_dir = dir).await;
    // As sent: reqwest would otherwise decode (and drop the header of) what it can.
    let http = reqwest::Client::builder().no_brotli().no_gzip().no_deflate().build().unwrap();
    let get = |encoding: &'static str| {
        let request = http.get(server.url("/assets/index-AbC123.js"));
        let request = if encoding.is_empty() { request } else { request.header("accept-encoding", encoding) };
        request.send()
    };
    // A browser that takes brotli gets the brotli copy, and keeps it a year.
    let response = get("br").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(response.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(response.bytes().await.unwrap(), brotli);
    // One that takes gzip only gets the gzip copy.
    let response = get("gzip").await.unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let mut unzipped = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&response.bytes().await.unwrap()[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, script);
    // One that takes neither gets the file itself.
    let plain = get("").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), script);
    // A missing asset is a 404, not the page, and not kept.
    let missing = reqwest::get(server.url("/assets/gone-XyZ.js")).await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("cache-control").is_none());
}

#[tokio::test]
async fn the_upgrade_checks_origin() {
    let server =
        TestServer::start_with(|config| config.allowed_origins = vec!["https://magistere.example".into()]).await;
    for (origin, allowed) in [
        (format!("http://{}", server.addr), true),
        ("https://magistere.example".to_string(), true),
        ("https://evil.example".to_string(), false),
    ] {
        let mut request = format!("ws://{}/ws", server.addr).into_client_request().unwrap();
        request.headers_mut().insert("Origin", origin.parse().unwrap());
        let result = tokio_tungstenite::connect_async(request).await;
        match (result, allowed) {
            (Ok(_), true) => {}
            (Err(tokio_tungstenite::tungstenite::Error::Http(response)), false) => {
                assert_eq!(response.status(), 403, "{origin}")
            }
            (other, _) => panic!("{origin}: unexpected {:?}", other.map(|_| ())),
        }
    }
}

#[tokio::test]
async fn shutdown_closes_connections_with_going_away() {
    let mut server = TestServer::start().await;
    let mut client = server.connect(Format::Json).await;
    client.hello_token(&server.token(Role::Participant, "Camille")).await;
    let (closed, stopped) = tokio::join!(client.closed(), server.shutdown());
    assert_eq!(closed, Some(1001));
    stopped.expect("serve returns Ok after a graceful shutdown");
}

#[tokio::test]
async fn a_node_runs_on_postgresql() {
    let database = PgDatabase::create().await;
    let url = database.url.clone();
    let server = TestServer::start_with(move |config| config.database_url = url).await;
    assert_eq!(server.app.store.backend(), "postgres");
    let (status, _) = get_json(&server.url("/readyz")).await;
    assert_eq!(status, 200);
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Salle PostgreSQL").await;
    let mut camille = server.connect(Format::MsgPack).await;
    let (_, snapshot) = camille.hello_guest(&join_code(&room), "Camille").await;
    assert_eq!(snapshot.counts.participants_connected, 1);
}

#[tokio::test]
async fn readiness_reports_a_store_outage_and_recovers() {
    let database = PgDatabase::create().await;
    let target: std::net::SocketAddr = "127.0.0.1:5432".parse().unwrap();
    let proxy = Proxy::start(target).await;
    let url = database.url.replace("127.0.0.1:5432", &proxy.addr.to_string());
    let server = TestServer::start_with(move |config| config.database_url = url).await;
    assert_eq!(get_json(&server.url("/readyz")).await.0, 200);

    proxy.cut();
    let (status, body) = get_json(&server.url("/readyz")).await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "unavailable");
    assert!(body["reasons"][0].as_str().unwrap().contains("postgres"), "{body}");

    proxy.restore();
    let mut ready = false;
    for _ in 0..50 {
        if get_json(&server.url("/readyz")).await.0 == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "ready again once the database is back");
}

#[tokio::test]
async fn amphi_token_mints_what_a_node_with_the_same_secret_accepts() {
    let server = TestServer::start().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_amphi"))
        .args(["token", "--role", "facilitator", "--name", "M. Martin", "--tenant", "ac-lyon", "--ttl", "30m"])
        .env("AMPHI_JWT_SECRET", SECRET)
        .output()
        .expect("amphi token runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).unwrap();
    let claims = server.app.keys.verify(token.trim()).expect("the node accepts it");
    assert_eq!(claims.role, Role::Facilitator);
    assert_eq!((claims.name.as_str(), claims.tenant.as_str()), ("M. Martin", "ac-lyon"));
    let lifetime = claims.exp - claims.iat;
    assert_eq!(lifetime, 1800);

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_amphi"))
        .args(["token", "--role", "emperor"])
        .env("AMPHI_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown role"));
}
