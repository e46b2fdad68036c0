//! Bad input over the WebSocket: every class gets an `error` frame with its
//! stable code and the connection stays usable; abuse, silence and a missing
//! handshake close it with their documented codes; bad tokens are refused.

use amphi::auth::{Claims, Keys, unix_seconds};
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::util::*;

/// A frame carrying `value` in the client's format (maps with named fields).
fn raw(format: Format, value: &Value) -> Message {
    match format {
        Format::Json => Message::Text(value.to_string().into()),
        Format::MsgPack => Message::Binary(Bytes::from(rmp_serde::to_vec_named(value).unwrap())),
    }
}

/// Sends a frame and returns the code of the error it gets (room events
/// received meanwhile are skipped).
async fn code_for(client: &mut Client, frame: Message) -> (ErrorCode, Option<String>) {
    client.send_raw(frame).await;
    loop {
        match client.recv().await {
            ServerMessage::Error { code, id, .. } => return (code, id),
            ServerMessage::Event { .. } => continue,
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

async fn still_usable(client: &mut Client) {
    let id = client.id();
    client.send(&ClientMessage::Ping { id: id.clone() }).await;
    assert!(matches!(client.recv().await, ServerMessage::Pong { id: got, .. } if got == id));
}

#[tokio::test]
async fn every_bad_frame_gets_its_code_and_the_connection_stays_usable() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Salle").await;
    let room = room_id(&room);
    for format in Format::ALL {
        let mut client = server.connect(format).await;

        let before_hello = raw(format, &json!({ "type": "raise_hand", "id": "b1", "room": room }));
        assert_eq!(code_for(&mut client, before_hello).await, (ErrorCode::NotAuthenticated, Some("b1".into())));

        let garbage = match format {
            Format::Json => Message::Text("{\"type\": \"ping\", ".into()),
            Format::MsgPack => Message::Binary(Bytes::from_static(&[0xc1, 0xc1, 0xc1])),
        };
        assert_eq!(code_for(&mut client, garbage).await.0, ErrorCode::MalformedFrame);
        let not_a_map = raw(format, &json!(["ping", "b2"]));
        assert_eq!(code_for(&mut client, not_a_map).await.0, ErrorCode::MalformedFrame);
        let unknown = raw(format, &json!({ "type": "launch_rockets", "id": "b3" }));
        assert_eq!(code_for(&mut client, unknown).await.0, ErrorCode::UnknownType);
        let missing = raw(format, &json!({ "type": "announce", "id": "b4", "room": room }));
        assert_eq!(code_for(&mut client, missing).await.0, ErrorCode::InvalidField);
        let ill_typed = raw(format, &json!({ "type": "raise_hand", "id": 42, "room": room }));
        assert_eq!(code_for(&mut client, ill_typed).await.0, ErrorCode::InvalidField);
        let oversized = raw(format, &json!({ "type": "ping", "id": "x".repeat(40_000) }));
        assert_eq!(code_for(&mut client, oversized).await.0, ErrorCode::FrameTooLarge);
        still_usable(&mut client).await;

        client.hello_token(&token).await;
        let again = raw(format, &json!({ "type": "hello", "v": 1, "auth": { "method": "token", "token": token } }));
        assert_eq!(code_for(&mut client, again).await.0, ErrorCode::AlreadyAuthenticated);
        let not_joined = raw(format, &json!({ "type": "raise_hand", "id": "b5", "room": room }));
        assert_eq!(code_for(&mut client, not_joined).await, (ErrorCode::NotInRoom, Some("b5".into())));
        let not_a_uuid = raw(format, &json!({ "type": "raise_hand", "id": "b6", "room": "salle-1" }));
        assert_eq!(code_for(&mut client, not_a_uuid).await.0, ErrorCode::InvalidField);
        client.join(&room).await;
        let too_long = raw(format, &json!({ "type": "announce", "id": "b7", "room": room, "text": "a".repeat(1001) }));
        assert_eq!(code_for(&mut client, too_long).await, (ErrorCode::OutOfRange, Some("b7".into())));
        let long_id = raw(format, &json!({ "type": "ping", "id": "i".repeat(65) }));
        assert_eq!(code_for(&mut client, long_id).await.0, ErrorCode::OutOfRange);
        let unknown_room =
            raw(format, &json!({ "type": "join", "id": "b8", "room": "00000000-0000-4000-8000-000000000000" }));
        assert_eq!(code_for(&mut client, unknown_room).await.0, ErrorCode::RoomNotFound);
        still_usable(&mut client).await;

        let mut future = server.connect(format).await;
        let v3 = raw(format, &json!({ "type": "hello", "v": 3, "auth": { "method": "token", "token": token } }));
        assert_eq!(code_for(&mut future, v3).await.0, ErrorCode::UnsupportedProtocol);
        still_usable(&mut future).await;
    }
}

#[tokio::test]
async fn expired_forged_and_garbage_tokens_are_refused() {
    let server = TestServer::start().await;
    let mut client = server.connect(Format::Json).await;
    let mut claims = Claims {
        sub: "u1".into(),
        name: "Mme Durand".into(),
        tenant: "default".into(),
        role: Role::Trainer,
        exp: unix_seconds() - 3600,
        iat: unix_seconds() - 7200,
        room: None,
        guest: false,
    };
    let expired = server.sign(claims.clone());
    client.send(&hello(Auth::Token { token: expired })).await;
    assert!(matches!(client.recv().await, ServerMessage::Error { code: ErrorCode::TokenExpired, .. }));

    claims.exp = unix_seconds() + 3600;
    let forged = Keys::new(b"not-the-server-secret-not-the-server").sign(&claims);
    client.send(&hello(Auth::Token { token: forged.clone() })).await;
    assert!(matches!(client.recv().await, ServerMessage::Error { code: ErrorCode::Unauthorized, .. }));
    client.send(&hello(Auth::Resume { token: forged })).await;
    assert!(matches!(client.recv().await, ServerMessage::Error { code: ErrorCode::Unauthorized, .. }));
    client.send(&hello(Auth::Token { token: "garbage".into() })).await;
    assert!(matches!(client.recv().await, ServerMessage::Error { code: ErrorCode::Unauthorized, .. }));

    // The same connection can still authenticate properly.
    client.hello_token(&server.token(Role::Trainer, "Mme Durand")).await;

    // REST refuses them too.
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(server.sign(Claims { exp: unix_seconds() - 3600, ..claims }))
        .json(&json!({ "title": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "token_expired");
}

#[tokio::test]
async fn a_frame_far_over_the_limit_closes_with_1009() {
    let server = TestServer::start().await;
    let mut client = server.connect(Format::Json).await;
    client.send_raw(Message::Text("x".repeat(300_000).into())).await;
    assert_eq!(client.closed().await, Some(1009));
}

#[tokio::test]
async fn a_flood_is_refused_then_closed_with_4029() {
    let server = TestServer::start_with(|config| {
        config.limits.commands_per_second = 5;
        config.limits.command_burst = 5;
    })
    .await;
    let mut client = server.connect(Format::MsgPack).await;
    for i in 0..50 {
        let frame = raw(Format::MsgPack, &json!({ "type": "ping", "id": format!("p{i}") }));
        if client.ws.send(frame).await.is_err() {
            break;
        }
    }
    let mut pongs = 0;
    let mut limited = 0;
    let code = loop {
        match client.next_message_or_close().await {
            Ok(ServerMessage::Pong { .. }) => pongs += 1,
            Ok(ServerMessage::Error { code: ErrorCode::RateLimited, .. }) => limited += 1,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(code) => break code,
        }
    };
    // Exactly 5 and 5 unless the bucket refilled while the frames were sent.
    assert!((5..=7).contains(&pongs), "the burst passes: {pongs}");
    assert!(limited >= 5, "then a burst of refusals: {limited}");
    assert_eq!(code, Some(4029));
}

#[tokio::test]
async fn no_hello_in_time_closes_with_4002() {
    let server = TestServer::start_with(|config| config.websocket.handshake_timeout_ms = 200).await;
    let mut client = server.connect(Format::Json).await;
    assert_eq!(client.closed().await, Some(4002));
}

#[tokio::test]
async fn a_silent_connection_closes_with_4010() {
    let server = TestServer::start_with(|config| {
        config.websocket.heartbeat_ms = 100;
        config.websocket.idle_timeout_ms = 300;
    })
    .await;
    let mut client = server.connect(Format::Json).await;
    client.hello_token(&server.token(Role::Participant, "Endormi")).await;
    // A sleeping phone neither reads nor answers pings.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(client.closed().await, Some(4010));
}

#[tokio::test]
async fn an_unsupported_subprotocol_is_refused_at_upgrade() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .get(server.url("/ws"))
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("Sec-WebSocket-Protocol", "mqtt")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unsupported_protocol");
}
