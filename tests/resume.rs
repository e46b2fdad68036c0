//! Resume after a dropped connection (missed events replayed, or a snapshot
//! when the gap is too old) and slow consumers (disconnected without
//! stalling the room).

use std::collections::BTreeMap;

use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, Format, Role, ServerMessage};

use crate::util::*;

/// Reads messages until `count` announcements arrived; returns their texts
/// and the highest seq seen.
async fn announcements(client: &mut Client, count: usize) -> (Vec<String>, u64) {
    let mut texts = Vec::new();
    let mut max_seq = 0;
    while texts.len() < count {
        if let ServerMessage::Event { seq, event, .. } = client.recv().await {
            assert!(seq > max_seq, "events arrive in seq order, once");
            max_seq = seq;
            if let EventBody::Announcement { announcement } = event {
                texts.push(announcement.text);
            }
        }
    }
    (texts, max_seq)
}

#[tokio::test]
async fn a_reconnecting_participant_gets_exactly_the_events_it_missed() {
    for format in Format::ALL {
        let server = TestServer::start().await;
        let token = server.token(Role::Trainer, "Mme Durand");
        let room = server.create_room(&token, "Salle").await;
        let room_id = room_id(&room);
        let mut trainer = server.connect(Format::Json).await;
        trainer.hello_token(&token).await;
        trainer.join(&room_id).await;

        let mut phone = server.connect(format).await;
        let (welcome, _) = phone.hello_guest(&join_code(&room), "Camille").await;
        let ServerMessage::Welcome { member, resume_token, .. } = welcome else { unreachable!() };
        trainer.ok(ClientMessage::Announce { id: "a0".into(), room: room_id.clone(), text: "avant".into() }).await;
        let (_, seen) = announcements(&mut phone, 1).await;

        // The phone sleeps; three announcements go out meanwhile.
        drop(phone);
        for i in 1..=3 {
            let id = format!("a{i}");
            trainer.ok(ClientMessage::Announce { id, room: room_id.clone(), text: format!("pendant {i}") }).await;
        }

        let mut phone = server.connect(format).await;
        phone
            .send(&ClientMessage::Hello {
                v: 1,
                auth: Auth::Resume { token: resume_token },
                last_seq: BTreeMap::from([(room_id.clone(), seen)]),
            })
            .await;
        let ServerMessage::Welcome { member: again, .. } = phone.recv().await else { panic!("welcome") };
        assert_eq!(again.id, member.id, "the same member comes back");
        match phone.recv().await {
            ServerMessage::Joined { snapshot: None, seq, .. } => assert!(seq > seen),
            other => panic!("expected joined without snapshot (a replay), got {other:?}"),
        }
        let (missed, _) = announcements(&mut phone, 3).await;
        assert_eq!(missed, ["pendant 1", "pendant 2", "pendant 3"]);

        // Live events go on, with nothing replayed twice.
        trainer.ok(ClientMessage::Announce { id: "a4".into(), room: room_id.clone(), text: "après".into() }).await;
        let (live, _) = announcements(&mut phone, 1).await;
        assert_eq!(live, ["après"]);
    }
}

#[tokio::test]
async fn a_gap_older_than_the_history_gets_a_fresh_snapshot() {
    let server = TestServer::start_with(|config| config.rooms.history = 4).await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Salle").await;
    let room_id = room_id(&room);
    let mut trainer = server.connect(Format::Json).await;
    let ServerMessage::Welcome { resume_token, .. } = trainer.hello_token(&token).await else { unreachable!() };
    trainer.join(&room_id).await;
    drop(trainer);

    let mut other = server.connect(Format::Json).await;
    other.hello_token(&server.token(Role::Trainer, "M. Martin")).await;
    other.join(&room_id).await;
    for i in 0..10 {
        other.ok(ClientMessage::Announce { id: format!("x{i}"), room: room_id.clone(), text: format!("n°{i}") }).await;
    }

    let mut trainer = server.connect(Format::MsgPack).await;
    trainer
        .send(&ClientMessage::Hello {
            v: 1,
            auth: Auth::Resume { token: resume_token },
            last_seq: BTreeMap::from([(room_id.clone(), 1)]),
        })
        .await;
    assert!(matches!(trainer.recv().await, ServerMessage::Welcome { .. }));
    match trainer.recv().await {
        ServerMessage::Joined { snapshot: Some(snapshot), .. } => {
            let last = snapshot.announcements.last().expect("announcements in the snapshot");
            assert_eq!(last.text, "n°9");
        }
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn a_slow_consumer_is_disconnected_and_the_room_goes_on() {
    // Large events, so that the flood outgrows every buffer between the
    // server and the phone (the kernel's send buffer autotunes to MBs).
    const TEXT_CHARS: usize = 60_000;
    let server = TestServer::start_with(|config| {
        config.websocket.outbound_queue = 16;
        config.websocket.write_timeout_ms = 60_000;
        config.limits.commands_per_second = 100_000;
        config.limits.command_burst = 100_000;
        config.limits.max_text_chars = TEXT_CHARS;
        config.limits.max_frame_bytes = 100_000;
        config.limits.hard_max_frame_bytes = 200_000;
        config.rooms.history = 16;
    })
    .await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Salle").await;
    let room_id = room_id(&room);
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;

    // A phone that stops reading, behind a tiny receive buffer.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let mut sloth = Client::over(stream, server.addr, Format::Json).await;
    sloth.hello_guest(&join_code(&room), "Paresseux").await;

    // A phone that keeps up, reading on its own task.
    let mut reader = server.connect(Format::MsgPack).await;
    reader.hello_guest(&join_code(&room), "Rapide").await;
    const FLOOD: usize = 300;
    let reading = tokio::spawn(async move { announcements(&mut reader, FLOOD).await.0 });

    let text = "x".repeat(TEXT_CHARS);
    for i in 0..FLOOD {
        trainer.ok(ClientMessage::Announce { id: format!("f{i}"), room: room_id.clone(), text: text.clone() }).await;
    }
    let received = tokio::time::timeout(PATIENCE, reading).await.expect("reader in time").unwrap();
    assert_eq!(received.len(), FLOOD, "the room kept delivering to the others");

    assert_eq!(sloth.closed().await, Some(4008), "the slow phone is told to resume");
    assert!(server.app.metrics.slow_consumers.get() >= 1);
}
