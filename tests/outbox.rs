//! Outbox delivery to a local HTTP receiver that fails at first: every
//! completion change arrives, signed, with a stable delivery id; nothing is
//! lost and nothing new is sent for an unchanged completion.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amphi::store::CompletionRecord;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio::net::TcpListener;

use crate::util::*;

/// What the receiver saw: (delivery id, signature, body) of each request
/// it accepted.
#[derive(Default)]
struct Receiver {
    failures_left: AtomicUsize,
    requests: AtomicUsize,
    accepted: Mutex<Vec<(String, String, String)>>,
}

async fn receive(State(receiver): State<Arc<Receiver>>, headers: HeaderMap, body: String) -> StatusCode {
    receiver.requests.fetch_add(1, Ordering::SeqCst);
    let failing = receiver.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    if failing.is_ok() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    receiver.accepted.lock().unwrap().push((header("x-amphi-delivery"), header("x-amphi-signature"), body));
    StatusCode::NO_CONTENT
}

const OUTBOX_SECRET: &str = "outbox-secret-for-the-tests";

#[tokio::test]
async fn completions_reach_a_receiver_that_fails_then_recovers() {
    let receiver = Arc::new(Receiver { failures_left: AtomicUsize::new(4), ..Receiver::default() });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/completions", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/completions", axum::routing::post(receive)).with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let server = TestServer::start_with(|config| {
        config.outbox.endpoint = endpoint;
        config.outbox.secret = OUTBOX_SECRET.into();
        config.outbox.poll_ms = 50;
        config.outbox.max_backoff_ms = 1000;
    })
    .await;
    let activity = uuid::Uuid::new_v4();
    let completion = |user: &str, state: u8| CompletionRecord {
        tenant: "default".into(),
        activity,
        user: user.into(),
        state,
        score: 3,
        max_score: 4,
        updated_at: 1_790_000_000_000,
    };
    let store = &server.app.store;
    store.upsert_completions(&[completion("u1", 2), completion("u2", 3), completion("u3", 1)]).await.unwrap();
    store.upsert_completions(&[completion("u3", 2)]).await.unwrap();
    store.upsert_completions(&[completion("u1", 2)]).await.unwrap(); // unchanged: no message

    for _ in 0..200 {
        if store.outbox_pending().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(store.outbox_pending().await.unwrap(), 0, "everything delivered once the receiver recovered");
    assert!(receiver.requests.load(Ordering::SeqCst) >= 4 + 4, "the failures were retried");
    let accepted = receiver.accepted.lock().unwrap().clone();
    let ids: BTreeSet<&str> = accepted.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids.len(), 4, "one delivery id per change: {accepted:?}");
    let mut changes = Vec::new();
    for (id, signature, body) in &accepted {
        assert!(!id.is_empty());
        assert_eq!(signature, &amphi::outbox::signature(OUTBOX_SECRET, body.as_bytes()), "signed");
        let payload: serde_json::Value = serde_json::from_str(body).unwrap();
        changes.push((payload["user"].as_str().unwrap().to_string(), payload["state"].as_u64().unwrap()));
    }
    changes.sort();
    changes.dedup(); // at least once: a receiver deduplicates on the id
    assert_eq!(changes, vec![("u1".into(), 2), ("u2".into(), 3), ("u3".into(), 1), ("u3".into(), 2)]);
}
