//! Rows in the exact form earlier versions wrote them (the kinds and roles
//! as plain strings, in SQL written by hand here, not by the store) read
//! back as the typed records; an unknown kind or role is refused as corrupt
//! data.

use std::sync::Arc;

use amphi_protocol::{Role, RoomKind};
use uuid::Uuid;

use super::{InputKind, Pool, Store, StoreError};
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

#[tokio::test]
async fn journal_entries_as_stored_read_back_with_their_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let room = Uuid::new_v4();
    stored_room(&store, room, "quiz").await;
    // A command carries its action, client id and JSON body; the others
    // carry none.
    let command = "INSERT INTO room_inputs (room, position, at, member, member_name, role, guest, kind, action, \
                   client_id, body) VALUES ($1, $2, 1790000000000, 'u1', 'Camille', 'participant', FALSE, $3, \
                   'answer', 'c1', '{\"action\":\"answer\",\"question\":0,\"answer\":{\"choice\":1}}')";
    let other = "INSERT INTO room_inputs (room, position, at, member, member_name, role, guest, kind, action, \
                 client_id, body) VALUES ($1, $2, 1790000000000, 'u1', '', '', FALSE, $3, NULL, NULL, NULL)";
    let entries = [
        ("attach", InputKind::Attach),
        ("quiz", InputKind::Quiz),
        ("detach", InputKind::Detach),
        ("leave", InputKind::Leave),
        ("restart", InputKind::Restart),
        ("board", InputKind::Board),
        ("breakout", InputKind::Breakout),
    ];
    for (position, (stored, _)) in entries.iter().enumerate() {
        let sql = if matches!(*stored, "quiz" | "board" | "breakout") { command } else { other };
        raw(&store, sql, &[&room.to_string(), &(position + 1).to_string(), stored]).await;
    }
    let read = store.inputs(room).await.unwrap();
    let kinds: Vec<InputKind> = read.iter().map(|input| input.kind).collect();
    assert_eq!(kinds, entries.map(|(_, kind)| kind));
    assert_eq!(read[1].action.as_deref(), Some("answer"));
    assert_eq!(read[1].client_id.as_deref(), Some("c1"));
    assert_eq!(read[1].body.as_deref(), Some(r#"{"action":"answer","question":0,"answer":{"choice":1}}"#));
    assert_eq!((read[0].action.as_deref(), read[0].body.as_deref()), (None, None));
    // Roles as stored: a command's member has one; the other entries store an empty one.
    assert_eq!(read[1].role, Some(Role::Participant));
    assert_eq!(read[2].role, None);
    for (stored, kind) in entries {
        assert_eq!(kind.as_str(), stored);
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::String(stored.into()), "serde name");
        assert_eq!(stored.parse::<InputKind>(), Ok(kind));
    }

    raw(&store, other, &[&room.to_string(), "8", "attache"]).await;
    let error = store.inputs(room).await.unwrap_err();
    assert!(matches!(&error, StoreError::Corrupt(message) if message.contains("`attache`")), "{error}");
}

#[tokio::test]
async fn stored_roles_read_back_and_an_unknown_one_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let room = Uuid::new_v4();
    stored_room(&store, room, "quiz").await;
    let stretch = "INSERT INTO attendance (room, member, member_name, role, guest, joined_at, left_at) \
                   VALUES ($1, $2, 'Camille', $3, FALSE, 1790000000000, NULL)";
    raw(&store, stretch, &[&room.to_string(), "u1", "trainer"]).await;
    let read = store.attendance(&[room]).await.unwrap();
    assert_eq!(read.iter().map(|a| a.role).collect::<Vec<_>>(), [Role::Trainer]);
    raw(&store, stretch, &[&room.to_string(), "u2", "wizard"]).await;
    let error = store.attendance(&[room]).await.unwrap_err();
    assert!(matches!(&error, StoreError::Corrupt(message) if message.contains("`wizard`")), "{error}");

    let entry = "INSERT INTO room_inputs (room, position, at, member, member_name, role, guest, kind, action, \
                 client_id, body) VALUES ($1, 1, 1790000000000, 'u1', 'Camille', 'wizard', FALSE, 'attach', NULL, NULL, NULL)";
    raw(&store, entry, &[&room.to_string()]).await;
    let error = store.inputs(room).await.unwrap_err();
    assert!(matches!(&error, StoreError::Corrupt(message) if message.contains("`wizard`")), "{error}");
}
