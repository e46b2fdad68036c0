//! The store on both backends: migrations from empty, rooms written and read
//! back, join codes unique, completions with their outbox rows, the journal
//! and attendance, group commit under concurrency, the retention purge and
//! the deletion of a user's data.

use std::sync::Arc;

use amphi::metrics::Metrics;
use amphi::store::{
    AttendanceRecord, BbbEventRecord, CompletionRecord, InputRecord, RecordingRecord, RoomRecord, Store, StoreError,
    Write, Writer, WriterSettings,
};
use amphi_protocol::Role;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::util::PgDatabase;

fn room(code: &str) -> RoomRecord {
    RoomRecord {
        id: Uuid::new_v4(),
        tenant: "ac-lyon".into(),
        kind: amphi_protocol::RoomKind::Lobby,
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
    assert_eq!(store.outbox_pending().await.unwrap(), 3, "each change is in the outbox");
    store.upsert_completions(&[completion("u1", 2)]).await.unwrap();
    assert_eq!(store.outbox_pending().await.unwrap(), 3, "an unchanged completion announces nothing");
    let due = store.outbox_due("completion", i64::MAX, 10).await.unwrap();
    assert_eq!(due.len(), 3);
    let mut announced: Vec<(String, u64)> = due
        .iter()
        .map(|m| {
            let payload: serde_json::Value = serde_json::from_str(&m.payload).unwrap();
            (payload["user"].as_str().unwrap().to_string(), payload["state"].as_u64().unwrap())
        })
        .collect();
    announced.sort();
    assert_eq!(announced, vec![("u1".into(), 1), ("u1".into(), 2), ("u2".into(), 3)]);
    store.outbox_failed(&due[0].id, i64::MAX, "503").await.unwrap();
    store.outbox_delivered(&due[1].id, 1).await.unwrap();
    let due_now = store.outbox_due("completion", 1_800_000_000_000, 10).await.unwrap();
    assert_eq!(due_now.iter().map(|m| &m.id).collect::<Vec<_>>(), vec![&due[2].id], "failed later, delivered never");
    assert!(store.completions("ac-nantes", first.id).await.unwrap().is_empty(), "tenants are apart");
    let mut no_code_either = room("unused");
    no_code_either.join_code = None;
    store.insert_room(&no_code_either).await.expect("rooms without a code do not clash");
}

fn input(room: Uuid, position: i64, member: &str, guest: bool) -> InputRecord {
    InputRecord {
        room,
        position,
        at: 1_790_000_000_000 + position,
        member: member.into(),
        member_name: format!("Name of {member}"),
        role: Some(Role::Participant),
        guest,
        kind: amphi::store::InputKind::Quiz,
        action: Some("answer".into()),
        client_id: Some(format!("c{position}")),
        body: Some(r#"{"action":"answer"}"#.into()),
    }
}

fn stretch(room: Uuid, member: &str, guest: bool, joined_at: i64) -> AttendanceRecord {
    AttendanceRecord {
        room,
        member: member.into(),
        member_name: format!("Name of {member}"),
        role: Role::Participant,
        guest,
        joined_at,
        left_at: None,
    }
}

/// The journal and attendance, written in batches that may be replayed,
/// then the retention purge and a user's deletion.
async fn check_journal_attendance_and_privacy(store: Store) {
    let record = room("JRNL44");
    store.insert_room(&record).await.unwrap();
    let room = record.id;
    let batch = vec![
        Write::Joined(stretch(room, "guest-1", true, 1_000)),
        Write::Joined(stretch(room, "user-1", false, 1_000)),
        Write::Input(input(room, 1, "guest-1", true)),
        Write::Input(input(room, 2, "user-1", false)),
        Write::Left { room, member: "guest-1".into(), joined_at: 1_000, at: 61_000 },
        Write::Joined(stretch(room, "guest-1", true, 70_000)),
    ];
    store.commit(&batch).await.unwrap();
    store.commit(&batch).await.expect("a batch committed twice changes nothing");
    // Another node's input at a taken position is refused, with its whole
    // batch: the room moved, and this writer's copy of it is stale.
    let mut stale = input(room, 2, "guest-1", true);
    stale.client_id = Some("from-another-node".into());
    let fenced = store.commit(&[Write::Input(input(room, 3, "user-1", false)), Write::Input(stale)]).await;
    assert!(matches!(fenced, Err(StoreError::Fenced { position: 2, .. })), "{fenced:?}");
    let journal = store.inputs(room).await.unwrap();
    assert_eq!(journal, vec![input(room, 1, "guest-1", true), input(room, 2, "user-1", false)]);
    let attendance = store.attendance(&[room]).await.unwrap();
    let stretches: Vec<_> = attendance.iter().map(|a| (a.member.as_str(), a.joined_at, a.left_at)).collect();
    assert_eq!(stretches, vec![("guest-1", 1_000, Some(61_000)), ("guest-1", 70_000, None), ("user-1", 1_000, None)]);
    // A restart closes what the earlier life left open, at its last news.
    assert_eq!(store.close_stale_attendance(room, 80_000).await.unwrap(), 2);
    let attendance = store.attendance(&[room]).await.unwrap();
    assert!(attendance.iter().all(|a| a.left_at.is_some()));
    assert_eq!(attendance[1].left_at, Some(80_000));

    // Video events: the guest's and user-1's in this room's atelier meeting,
    // and user-1's in a meeting of no room of this tenant.
    let video = |meeting: String, member: &str| BbbEventRecord {
        key: format!("{meeting}:{member}"),
        event: "user-joined".into(),
        at: 5_000,
        internal_meeting: format!("internal-{meeting}"),
        internal_user: format!("w_{member}"),
        meeting,
        member: member.into(),
        member_name: format!("Name of {member}"),
        body: format!(r#"{{"name":"Name of {member}"}}"#),
    };
    let atelier = format!("amphi-{room}-a1");
    let elsewhere = format!("amphi-{}-a1", uuid::Uuid::new_v4());
    let events =
        [video(atelier.clone(), "guest-1"), video(atelier.clone(), "user-1"), video(elsewhere.clone(), "user-1")];
    assert_eq!(store.record_bbb_events(&events).await.unwrap(), 3);

    // Retention: guests' names go, their answers stay; users keep theirs.
    assert_eq!(store.purge_guests(2_000_000_000_000).await.unwrap(), 4);
    let in_atelier = store.bbb_events(&atelier).await.unwrap();
    let guest_video = in_atelier.iter().find(|e| e.member == "guest-1").expect("the guest's video time stays");
    assert_eq!((guest_video.member_name.as_str(), guest_video.body.as_str()), ("", "{}"));
    assert!(in_atelier.iter().any(|e| e.member == "user-1" && e.member_name == "Name of user-1"));
    let journal = store.inputs(room).await.unwrap();
    assert_eq!(journal.len(), 2);
    assert_eq!(journal[0].member_name, "", "a guest's name is purged");
    assert_eq!(journal[1].member_name, "Name of user-1");
    assert_eq!(store.purge_guests(2_000_000_000_000).await.unwrap(), 0, "nothing left to purge");

    // Erasure: everything about user-1 in this tenant, nothing of others.
    store
        .upsert_completions(&[CompletionRecord {
            tenant: "ac-lyon".into(),
            activity: room,
            user: "user-1".into(),
            state: 2,
            score: 1,
            max_score: 1,
            updated_at: 1,
        }])
        .await
        .unwrap();
    assert_eq!(store.delete_user("ac-nantes", "user-1").await.unwrap().inputs, 0, "tenants are apart");
    let deletion = store.delete_user("ac-lyon", "user-1").await.unwrap();
    let counts = (deletion.inputs, deletion.attendance, deletion.completions, deletion.outbox, deletion.video_events);
    assert_eq!(counts, (1, 1, 1, 1, 1));
    let in_atelier = store.bbb_events(&atelier).await.unwrap();
    assert_eq!(in_atelier.iter().map(|e| e.member.as_str()).collect::<Vec<_>>(), ["guest-1"]);
    assert_eq!(store.bbb_events(&elsewhere).await.unwrap().len(), 1, "another tenant's meeting is not touched");
    assert_eq!(store.inputs(room).await.unwrap().len(), 1, "the guest's answer stays");
    assert!(store.attendance(&[room]).await.unwrap().iter().all(|a| a.member != "user-1"));
}

/// Many concurrent durable writes through the writer: each one committed,
/// in batches.
async fn check_group_commit(store: Store) {
    let record = room("GRPC44");
    store.insert_room(&record).await.unwrap();
    let metrics = Arc::new(Metrics::new());
    let settings = WriterSettings { batch_writes: 64, batch_ms: 5, queue_writes: 10_000 };
    let stop = CancellationToken::new();
    let (writer, task) = Writer::spawn(store.clone(), settings, Arc::clone(&metrics), stop.clone());
    let mut senders = Vec::new();
    for task in 0..10 {
        let writer = writer.clone();
        senders.push(tokio::spawn(async move {
            let receipts: Vec<_> = (0..100)
                .map(|i| writer.submit_durable(Write::Input(input(record.id, task * 100 + i + 1, "u", false))))
                .collect();
            for receipt in receipts {
                receipt.await.expect("committed");
            }
        }));
    }
    for sender in senders {
        sender.await.unwrap();
    }
    assert_eq!(store.inputs(record.id).await.unwrap().len(), 1000);
    assert_eq!(writer.queued(), 0);
    let batches = metrics.store_batch_writes.get_sample_count();
    assert!(batches < 1000, "writes were grouped: {batches} batches for 1000 writes");
    assert_eq!(metrics.store_batch_writes.get_sample_sum() as u64, 1000);
    stop.cancel();
    task.await.unwrap();
}

/// BigBlueButton events: one row per distinct content, and a meeting named
/// by its internal id only takes amphi's id from the meeting's other events,
/// whichever comes first.
/// Recordings: announced, then told more by `getRecordings` (an
/// announcement again does not erase the link), listed per session,
/// deleted.
async fn check_recordings(store: Store) {
    let room = Uuid::new_v4().to_string();
    let recording = |state: &str, url: &str| RecordingRecord {
        record_id: format!("rec-{room}"),
        room: room.clone(),
        atelier: "a1".into(),
        meeting: format!("amphi-{room}-a1"),
        name: "Atelier 1".into(),
        state: state.into(),
        published: true,
        started_at: 1_000,
        ended_at: 61_000,
        participants: 3,
        playback_format: if url.is_empty() { String::new() } else { "presentation".into() },
        playback_url: url.into(),
        length_minutes: 1,
    };
    store.upsert_recordings(&[recording("ready", "")]).await.unwrap();
    let listed = store.recordings(&room).await.unwrap();
    assert_eq!(listed, vec![recording("ready", "")]);
    store.upsert_recordings(&[recording("published", "https://bbb.example.org/p/1")]).await.unwrap();
    store.upsert_recordings(&[recording("ready", "")]).await.unwrap();
    assert_eq!(store.recordings(&room).await.unwrap(), vec![recording("published", "https://bbb.example.org/p/1")]);
    assert!(store.recordings("another-room").await.unwrap().is_empty());
    assert_eq!(store.delete_recordings("another-room", &[format!("rec-{room}")]).await.unwrap(), 0);
    assert_eq!(store.delete_recordings(&room, &[format!("rec-{room}")]).await.unwrap(), 1);
    assert!(store.recordings(&room).await.unwrap().is_empty());
}

async fn check_bbb_event_keys(store: Store) {
    let event = |key: &str, event: &str, meeting: &str| BbbEventRecord {
        key: key.into(),
        event: event.into(),
        at: 7_000,
        internal_meeting: "internal-x".into(),
        internal_user: "w_1".into(),
        meeting: meeting.into(),
        member: "member-1".into(),
        member_name: "Zoé".into(),
        body: "{}".into(),
    };
    let meeting = format!("amphi-{}-a1", uuid::Uuid::new_v4());
    let early = [event("k1", "user-joined", ""), event("k1", "user-joined", "")];
    assert_eq!(store.record_bbb_events(&early).await.unwrap(), 1, "the same key is one event");
    assert_eq!(store.record_bbb_events(&[event("k2", "meeting-created", &meeting)]).await.unwrap(), 1);
    assert_eq!(store.record_bbb_events(&[event("k3", "user-left", "")]).await.unwrap(), 1);
    let stored = store.bbb_events(&meeting).await.unwrap();
    let mut keys: Vec<&str> = stored.iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["k1", "k2", "k3"], "before and after the meeting-created, all are the meeting's");
}

#[tokio::test]
async fn sqlite_store_migrates_and_keeps_rooms() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("amphi.db").display());
    check(Store::connect(&url, Arc::new(Metrics::new())).await.unwrap()).await;
    // Migrations are recorded: connecting again applies nothing twice.
    let store = Store::connect(&url, Arc::new(Metrics::new())).await.expect("reopen");
    check_journal_attendance_and_privacy(store.clone()).await;
    check_bbb_event_keys(store.clone()).await;
    check_recordings(store.clone()).await;
    check_group_commit(store).await;
}

#[tokio::test]
async fn postgres_store_migrates_and_keeps_rooms() {
    let database = PgDatabase::create().await;
    check(Store::connect(&database.url, Arc::new(Metrics::new())).await.unwrap()).await;
    let store = Store::connect(&database.url, Arc::new(Metrics::new())).await.expect("reopen");
    check_journal_attendance_and_privacy(store.clone()).await;
    check_bbb_event_keys(store.clone()).await;
    check_recordings(store.clone()).await;
    check_group_commit(store).await;
}
