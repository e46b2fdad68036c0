//! The store on both backends: migrations from empty, rooms written and read
//! back, join codes unique.

use std::sync::Arc;

use amphi::metrics::Metrics;
use amphi::store::{CompletionRecord, RoomRecord, Store};
use uuid::Uuid;

use crate::util::PgDatabase;

fn room(code: &str) -> RoomRecord {
    RoomRecord {
        id: Uuid::new_v4(),
        tenant: "ac-lyon".into(),
        kind: "lobby".into(),
        title: "Formation « numérique »".into(),
        join_code: Some(code.into()),
        created_by: "t1".into(),
        created_at: 1_790_000_000_000,
        activity: Some(r#"{"quiz":{"title":"Q","questions":[]}}"#.into()),
    }
}

async fn check(store: Store) {
    let first = room("KM7R4P");
    store.insert_room(&first).await.unwrap();
    assert_eq!(store.room(first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(store.room_by_code("KM7R4P").await.unwrap(), Some(first.clone()));
    assert_eq!(store.room(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(store.room_by_code("AAAAAA").await.unwrap(), None);
    let clash = store.insert_room(&room("KM7R4P")).await.unwrap_err();
    assert!(clash.is_unique_violation(), "{clash}");
    let mut no_code = room("unused");
    no_code.join_code = None;
    store.insert_room(&no_code).await.unwrap();
    let completion = |user: &str, state: u8| CompletionRecord {
        tenant: "ac-lyon".into(),
        activity: first.id,
        user: user.into(),
        state,
        score: 700,
        max_score: 1000,
        updated_at: 1_790_000_000_000,
    };
    store.upsert_completions(&[completion("u1", 1), completion("u2", 3)]).await.unwrap();
    store.upsert_completions(&[completion("u1", 2)]).await.expect("an upsert replaces");
    let stored = store.completions("ac-lyon", first.id).await.unwrap();
    assert_eq!(stored, vec![completion("u1", 2), completion("u2", 3)]);
    assert!(store.completions("ac-nantes", first.id).await.unwrap().is_empty(), "tenants are apart");
    let mut no_code_either = room("unused");
    no_code_either.join_code = None;
    store.insert_room(&no_code_either).await.expect("rooms without a code do not clash");
}

#[tokio::test]
async fn sqlite_store_migrates_and_keeps_rooms() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("amphi.db").display());
    check(Store::connect(&url, Arc::new(Metrics::new())).await.unwrap()).await;
    // Migrations are recorded: connecting again applies nothing twice.
    Store::connect(&url, Arc::new(Metrics::new())).await.expect("reopen");
}

#[tokio::test]
async fn postgres_store_migrates_and_keeps_rooms() {
    let database = PgDatabase::create().await;
    check(Store::connect(&database.url, Arc::new(Metrics::new())).await.unwrap()).await;
    Store::connect(&database.url, Arc::new(Metrics::new())).await.expect("reopen");
}
