//! The BigBlueButton simulator as a process, for the web client's
//! end-to-end tests (`web-client/e2e/video-room.test.mjs`): the same
//! stand-in the Rust tests use (`amphi::bbb::simulator`), on a free local
//! port, plus a control port that plays a moderator and the server's
//! lifecycle: `POST /record/{meeting}` (start recording), `POST
//! /end/{meeting}` (the meeting ends; a recorded one is published),
//! `GET /recordings` (the ids not deleted). Prints one JSON line
//! `{"url": ..., "control": ...}` and runs until its standard input closes.
//! Usage: `bbb_simulator SECRET`. Not for production use.

use std::sync::Arc;

use amphi::bbb::ChecksumAlgorithm;
use amphi::bbb::simulator::BbbSimulator;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let secret = std::env::args().nth(1).unwrap_or_else(|| "e2e-bbb-secret".into());
    let simulator = Arc::new(BbbSimulator::start(secret, ChecksumAlgorithm::Sha1).await?);
    let control = Router::new()
        .route("/record/{meeting}", post(record))
        .route("/end/{meeting}", post(end))
        .route("/recordings", get(recordings))
        .with_state(simulator.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    println!("{}", json!({ "url": simulator.url(), "control": format!("http://{address}") }));
    let server = tokio::spawn(async move { axum::serve(listener, control).await });
    // Until whoever started it goes away.
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    server.abort();
    Ok(())
}

async fn record(State(simulator): State<Arc<BbbSimulator>>, Path(meeting): Path<String>) -> Json<Value> {
    Json(json!({ "recording": simulator.start_recording(&meeting) }))
}

async fn end(State(simulator): State<Arc<BbbSimulator>>, Path(meeting): Path<String>) -> Json<Value> {
    Json(json!({ "record_id": simulator.end_meeting(&meeting) }))
}

async fn recordings(State(simulator): State<Arc<BbbSimulator>>) -> Json<Value> {
    Json(json!({ "recordings": simulator.recording_ids() }))
}
