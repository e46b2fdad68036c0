//! Rows in the exact form earlier versions wrote them (the room kinds as
//! plain strings, in SQL written by hand here, not by the store) read back
//! as the typed records; an unknown kind is refused as corrupt data.

use std::sync::Arc;

use amphi_protocol::RoomKind;
use uuid::Uuid;

use super::{Pool, Store, StoreError};
use crate::metrics::Metrics;

async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("amphi.db").display());
    Store::connect(&url, Arc::new(Metrics::new())).await.unwrap()
}

/// Runs `sql` on the store's SQLite pool, with `binds` as text parameters.
async fn raw(store: &Store, sql: &str, binds: &[&str]) {
    let Pool::Sqlite(pool) = &store.pool else { unreachable!("a SQLite store") };
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.execute(pool).await.unwrap();
}

async fn stored_room(store: &Store, id: Uuid, kind: &str) {
    let sql = "INSERT INTO rooms (id, tenant, kind, title, join_code, created_by, created_at, activity) \
               VALUES ($1, 'ac-lyon', $2, 'Salle', NULL, 't1', 1790000000000, NULL)";
    raw(store, sql, &[&id.to_string(), kind]).await;
}

#[tokio::test]
async fn stored_room_kinds_read_back_and_an_unknown_one_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    for (stored, kind) in [
        ("lobby", RoomKind::Lobby),
        ("quiz", RoomKind::Quiz),
        ("board", RoomKind::Board),
        ("breakout", RoomKind::Breakout),
    ] {
        let id = Uuid::new_v4();
        stored_room(&store, id, stored).await;
        assert_eq!(store.room(id).await.unwrap().unwrap().kind, kind, "{stored}");
    }
    let id = Uuid::new_v4();
    stored_room(&store, id, "atelier").await;
    let error = store.room(id).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Corrupt(message) if message.contains("unknown room kind `atelier`")),
        "{error}"
    );
}
