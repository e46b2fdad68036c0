//! The lobby end to end: handshake in both formats, guest join by code,
//! presence, announcements, raised hands, retried commands, roles and
//! tenants.

use amphi_protocol::server::{EventBody, MemberView};
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};

use crate::util::*;

/// Reads until a presence event whose member list contains `name` with the
/// given connection state.
async fn presence_with(client: &mut Client, name: &str, connected: bool) -> Vec<MemberView> {
    let message = client
        .recv_until(|m| {
            matches!(m, ServerMessage::Event { event: EventBody::Presence { changed, .. }, .. }
                if changed.iter().any(|v| v.name == name && v.connected == connected))
        })
        .await;
    match message {
        ServerMessage::Event { event: EventBody::Presence { changed, .. }, .. } => changed,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn handshake_answers_welcome_in_both_formats() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    for format in Format::ALL {
        let mut client = server.connect(format).await;
        let before = amphi::hub::now_ms();
        match client.hello_token(&token).await {
            ServerMessage::Welcome { v, member, resume_token, server_time_ms, heartbeat_ms, .. } => {
                assert_eq!(v, 1);
                assert_eq!(member.name, "Mme Durand");
                assert_eq!(member.role, Role::Trainer);
                assert_eq!(member.tenant, "default");
                assert!(!member.guest);
                assert!(!resume_token.is_empty());
                assert!(server_time_ms >= before && server_time_ms <= amphi::hub::now_ms());
                assert_eq!(heartbeat_ms, server.app.config.websocket.heartbeat_ms);
            }
            other => panic!("{other:?}"),
        }
        let id = client.id();
        client.send(&ClientMessage::Ping { id: id.clone() }).await;
        assert!(matches!(client.recv().await, ServerMessage::Pong { id: got, .. } if got == id));
    }
}

#[tokio::test]
async fn guests_join_by_code_and_everyone_sees_presence_announcements_and_hands() {
    for format in Format::ALL {
        let server = TestServer::start().await;
        let token = server.token(Role::Trainer, "Mme Durand");
        let room = server.create_room(&token, "Formation numérique").await;
        let (room_id, code) = (room_id(&room), join_code(&room));

        let mut trainer = server.connect(format).await;
        trainer.hello_token(&token).await;
        let snapshot = trainer.join(&room_id).await;
        assert_eq!(snapshot.members.len(), 1, "the trainer sees the roster: themself");

        // A guest joins with the code typed in lower case with a space.
        let mut camille = server.connect(format).await;
        let typed = format!("{} {}", &code[..3].to_lowercase(), &code[3..]);
        let (welcome, snapshot) = camille.hello_guest(&typed, "  Camille ").await;
        let ServerMessage::Welcome { member, .. } = welcome else { unreachable!() };
        assert_eq!(member.name, "Camille", "the name is trimmed");
        assert!(member.guest);
        assert_eq!(member.role, Role::Participant);
        assert!(snapshot.members.is_empty(), "participants do not see the roster");
        assert_eq!(snapshot.counts.participants_connected, 1);
        assert_eq!(snapshot.counts.connected, 2);

        // The trainer sees Camille arrive; a second guest sees counts only.
        presence_with(&mut trainer, "Camille", true).await;
        let mut lea = server.connect(format).await;
        lea.hello_guest(&code, "Léa").await;
        presence_with(&mut trainer, "Léa", true).await;
        let counts = camille
            .recv_until(|m| {
                matches!(m, ServerMessage::Event { event: EventBody::Presence { counts, .. }, .. }
                    if counts.participants_connected == 2)
            })
            .await;
        let ServerMessage::Event { event: EventBody::Presence { changed, left, .. }, .. } = counts else {
            unreachable!()
        };
        assert!(changed.is_empty() && left.is_empty(), "participants get counts, not names");

        // An announcement reaches every member.
        let id = trainer.id();
        trainer.ok(ClientMessage::Announce { id, room: room_id.clone(), text: "Bienvenue à tous".into() }).await;
        for client in [&mut trainer, &mut camille, &mut lea] {
            let message = client
                .recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::Announcement { .. }, .. }))
                .await;
            let ServerMessage::Event { event: EventBody::Announcement { announcement }, .. } = message else {
                unreachable!()
            };
            assert_eq!(announcement.text, "Bienvenue à tous");
            assert_eq!(announcement.from_name, "Mme Durand");
        }

        // Camille raises her hand; the trainer sees it and lowers it.
        let id = camille.id();
        camille.ok(ClientMessage::RaiseHand { id, room: room_id.clone() }).await;
        let raised =
            trainer.recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::HandRaised { .. }, .. })).await;
        let ServerMessage::Event { event: EventBody::HandRaised { hand }, .. } = raised else { unreachable!() };
        assert_eq!(hand.name, "Camille");
        let id = trainer.id();
        trainer.ok(ClientMessage::LowerHand { id, room: room_id.clone(), member: Some(hand.member.clone()) }).await;
        for client in [&mut camille, &mut lea] {
            let lowered = client
                .recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::HandLowered { .. }, .. }))
                .await;
            let ServerMessage::Event { event: EventBody::HandLowered { member, by }, .. } = lowered else {
                unreachable!()
            };
            assert_eq!(member, hand.member);
            assert_ne!(by, member, "lowered by the trainer");
        }

        // Léa leaves: the trainer sees her go.
        let id = lea.id();
        lea.ok(ClientMessage::Leave { id, room: room_id.clone() }).await;
        trainer
            .recv_until(|m| {
                matches!(m, ServerMessage::Event { event: EventBody::Presence { left, .. }, .. } if !left.is_empty())
            })
            .await;
    }
}

#[tokio::test]
async fn a_dropped_connection_shows_the_member_offline() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Salle").await;
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id(&room)).await;
    let mut camille = server.connect(Format::MsgPack).await;
    camille.hello_guest(&join_code(&room), "Camille").await;
    presence_with(&mut trainer, "Camille", true).await;
    drop(camille);
    let changed = presence_with(&mut trainer, "Camille", false).await;
    assert_eq!(changed.len(), 1);
}

#[tokio::test]
async fn a_retried_command_is_applied_once_and_answered_again() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Salle").await;
    let room_id = room_id(&room);
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut camille = server.connect(Format::Json).await;
    camille.hello_guest(&join_code(&room), "Camille").await;

    let announce = ClientMessage::Announce { id: "same-id".into(), room: room_id.clone(), text: "Une fois".into() };
    trainer.ok(announce.clone()).await;
    trainer.ok(announce).await;
    // A marker after the retry: everything before it has been delivered.
    trainer.ok(ClientMessage::Announce { id: "marker".into(), room: room_id.clone(), text: "Fin".into() }).await;
    let mut texts = Vec::new();
    loop {
        if let ServerMessage::Event { event: EventBody::Announcement { announcement }, .. } = camille.recv().await {
            if announcement.text == "Fin" {
                break;
            }
            texts.push(announcement.text);
        }
    }
    assert_eq!(texts, ["Une fois"], "the retried announcement was applied once");

    // A refused command is refused again, identically.
    let forbidden = ClientMessage::Announce { id: "p-1".into(), room: room_id.clone(), text: "Moi aussi".into() };
    assert_eq!(camille.refused(forbidden.clone()).await, ErrorCode::Forbidden);
    assert_eq!(camille.refused(forbidden).await, ErrorCode::Forbidden);
}

#[tokio::test]
async fn participants_cannot_trigger_trainer_actions() {
    let server = TestServer::start().await;
    let trainer_token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&trainer_token, "Salle").await;
    let room_id = room_id(&room);
    let mut lea = server.connect(Format::Json).await;
    lea.hello_guest(&join_code(&room), "Léa").await;
    let mut camille = server.connect(Format::MsgPack).await;
    camille.hello_guest(&join_code(&room), "Camille").await;
    let id = lea.id();
    lea.ok(ClientMessage::RaiseHand { id, room: room_id.clone() }).await;
    let lea_id =
        match lea.recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::HandRaised { .. }, .. })).await {
            ServerMessage::Event { event: EventBody::HandRaised { hand }, .. } => hand.member,
            _ => unreachable!(),
        };

    let id = camille.id();
    let announce = ClientMessage::Announce { id, room: room_id.clone(), text: "Je prends la main".into() };
    assert_eq!(camille.refused(announce).await, ErrorCode::Forbidden);
    let id = camille.id();
    let lower = ClientMessage::LowerHand { id, room: room_id.clone(), member: Some(lea_id) };
    assert_eq!(camille.refused(lower).await, ErrorCode::Forbidden);

    // A participant with a platform token cannot use trainer REST calls.
    let participant_token = server.token(Role::Participant, "Camille");
    let http = reqwest::Client::new();
    let create = http
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&participant_token)
        .json(&serde_json::json!({ "title": "Ma salle" }))
        .send()
        .await
        .unwrap();
    assert_eq!(create.status(), 403);
    let body: serde_json::Value = create.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");
    let projector = http
        .post(server.url(&format!("/api/v1/rooms/{room_id}/observer-token")))
        .bearer_auth(&participant_token)
        .send()
        .await
        .unwrap();
    assert_eq!(projector.status(), 403);

    // Observers watch but never act.
    let observer_token: serde_json::Value = http
        .post(server.url(&format!("/api/v1/rooms/{room_id}/observer-token")))
        .bearer_auth(&trainer_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut projector = server.connect(Format::Json).await;
    projector.hello_token(observer_token["token"].as_str().unwrap()).await;
    let snapshot = projector.join(&room_id).await;
    assert_eq!(snapshot.members.len(), 3, "the projector sees the roster: two guests and itself");
    let id = projector.id();
    assert_eq!(
        projector.refused(ClientMessage::Announce { id, room: room_id.clone(), text: "x".into() }).await,
        ErrorCode::Forbidden
    );
    let id = projector.id();
    assert_eq!(projector.refused(ClientMessage::RaiseHand { id, room: room_id.clone() }).await, ErrorCode::Forbidden);
}

#[tokio::test]
async fn scoped_tokens_and_other_tenants_never_reach_a_room() {
    let server = TestServer::start().await;
    let lyon = server.token_in(Role::Trainer, "Lyon", "ac-lyon");
    let nantes = server.token_in(Role::Trainer, "Nantes", "ac-nantes");
    let room = server.create_room(&lyon, "Salle de Lyon").await;
    let other_room = server.create_room(&lyon, "Autre salle").await;

    let mut intruder = server.connect(Format::Json).await;
    intruder.hello_token(&nantes).await;
    let id = intruder.id();
    let by_id = ClientMessage::Join { id, room: Some(room_id(&room)), code: None };
    assert_eq!(intruder.refused(by_id).await, ErrorCode::RoomNotFound);
    let id = intruder.id();
    let by_code = ClientMessage::Join { id, room: None, code: Some(join_code(&room)) };
    assert_eq!(intruder.refused(by_code).await, ErrorCode::RoomNotFound);
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/rooms/{}", room_id(&room))))
        .bearer_auth(&nantes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // A guest's capability opens their room only.
    let mut guest = server.connect(Format::Json).await;
    guest.hello_guest(&join_code(&room), "Camille").await;
    let id = guest.id();
    let elsewhere = ClientMessage::Join { id, room: Some(room_id(&other_room)), code: None };
    assert_eq!(guest.refused(elsewhere).await, ErrorCode::RoomNotFound);

    // An unknown code is refused at hello, and the connection stays usable.
    let mut lost = server.connect(Format::MsgPack).await;
    lost.send(&hello(Auth::JoinCode { code: "ZZZZZZ".into(), name: "Perdu".into() })).await;
    assert!(matches!(lost.recv().await, ServerMessage::Error { code: ErrorCode::RoomNotFound, .. }));
    lost.hello_guest(&join_code(&room), "Retrouvé").await;
}

#[tokio::test]
async fn joining_again_brings_back_a_member_who_left_from_another_connection() {
    let server = TestServer::start().await;
    let trainer = server.token(Role::Trainer, "Mme Durand");
    let room = room_id(&server.create_room(&trainer, "Salle").await);
    let camille = server.token(Role::Participant, "Camille");
    let mut phone = server.connect(Format::Json).await;
    phone.hello_token(&camille).await;
    phone.join(&room).await;
    let mut laptop = server.connect(Format::MsgPack).await;
    laptop.hello_token(&camille).await;
    laptop.join(&room).await;

    let id = phone.id();
    phone.ok(ClientMessage::Leave { id, room: room.clone() }).await;
    let id = laptop.id();
    assert_eq!(laptop.refused(ClientMessage::RaiseHand { id, room: room.clone() }).await, ErrorCode::NotInRoom);
    let snapshot = laptop.join(&room).await;
    assert_eq!(snapshot.counts.participants, 1, "the member is back");
    let id = laptop.id();
    laptop.ok(ClientMessage::RaiseHand { id, room: room.clone() }).await;
}
