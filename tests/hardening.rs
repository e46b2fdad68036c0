//! Issue #17 from outside: floods of guests, locked rooms, removed members,
//! wrong join codes, against a real server over real WebSockets.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use tokio::net::TcpSocket;

use crate::util::*;

/// A client whose TCP connection comes from `source` (any 127.x.y.z is
/// this machine), so that tests can play several source addresses.
async fn connect_from(server: &TestServer, source: Ipv4Addr) -> Client {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0)).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    Client::over(stream, server.addr, Format::Json).await
}

/// A guest `hello` that the server refuses: the error's code and message
/// (a refused attach comes after a `welcome`).
async fn guest_refused(client: &mut Client, code: &str, name: &str) -> (ErrorCode, String) {
    client.send(&hello(Auth::JoinCode { code: code.into(), name: name.into() })).await;
    loop {
        match client.recv().await {
            ServerMessage::Welcome { .. } => {}
            ServerMessage::Error { code, message, .. } => return (code, message),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

/// The value of `amphi_abuse_total{kind}` in `/metrics`.
async fn abuse_count(server: &TestServer, kind: &str) -> u64 {
    let text = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    let prefix = format!("amphi_abuse_total{{kind=\"{kind}\"}} ");
    text.lines().find_map(|line| line.strip_prefix(&prefix)).map_or(0, |v| v.trim().parse().unwrap())
}

/// Reads until a presence event whose counts say `connected` participants.
async fn participants_connected(client: &mut Client, connected: u32) {
    client
        .recv_until(|m| {
            matches!(m, ServerMessage::Event { event: EventBody::Presence { counts, .. }, .. }
                if counts.participants_connected == connected)
        })
        .await;
}

#[tokio::test]
async fn guests_who_left_hold_no_seat_and_leaders_are_never_refused_by_the_cap() {
    let server = TestServer::start_with(|config| config.limits.max_members_per_room = 3).await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Amphi").await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;

    let mut flood = Vec::new();
    for i in 0..3 {
        let mut guest = server.connect(Format::Json).await;
        guest.hello_guest(&code, &format!("bot{i}")).await;
        flood.push(guest);
    }
    let mut late = server.connect(Format::Json).await;
    assert_eq!(guest_refused(&mut late, &code, "late").await.0, ErrorCode::RoomFull);
    assert!(abuse_count(&server, "room_full").await >= 1);

    // The room is full of participants: its leaders and projector still get in.
    let mut facilitator = server.connect(Format::MsgPack).await;
    facilitator.hello_token(&server.token(Role::Facilitator, "M. Martin")).await;
    facilitator.join(&room_id).await;
    let mut second_trainer = server.connect(Format::Json).await;
    second_trainer.hello_token(&token).await;
    second_trainer.join(&room_id).await;
    let mut projector = server.connect(Format::Json).await;
    projector.hello_token(&server.token(Role::Observer, "Projecteur")).await;
    projector.join(&room_id).await;

    // The flood disconnects: its guests no longer hold seats.
    drop(flood);
    participants_connected(&mut trainer, 0).await;
    let mut students = Vec::new();
    for name in ["Camille", "Léa", "Noé"] {
        let mut student = server.connect(Format::Json).await;
        student.hello_guest(&code, name).await;
        students.push(student);
    }
    let mut fourth = server.connect(Format::Json).await;
    assert_eq!(guest_refused(&mut fourth, &code, "Sacha").await.0, ErrorCode::RoomFull, "the cap still holds");
}

#[tokio::test]
async fn a_locked_room_refuses_new_guests_and_keeps_its_members() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Amphi").await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut camille = server.connect(Format::MsgPack).await;
    let (welcome, _) = camille.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };

    let id = camille.id();
    assert_eq!(camille.refused(ClientMessage::Lock { id, room: room_id.clone() }).await, ErrorCode::Forbidden);
    let id = trainer.id();
    trainer.ok(ClientMessage::Lock { id, room: room_id.clone() }).await;
    camille
        .recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::RoomLocked { locked: true, .. }, .. }))
        .await;

    let mut newcomer = server.connect(Format::Json).await;
    let (refusal, message) = guest_refused(&mut newcomer, &code, "Intrus").await;
    assert_eq!(refusal, ErrorCode::RoomLocked);
    assert!(message.contains("locked"), "{message}");
    assert!(abuse_count(&server, "room_locked").await >= 1);

    // A guest already in comes back with their resume token.
    drop(camille);
    participants_connected(&mut trainer, 0).await;
    let mut back = server.connect(Format::Json).await;
    back.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::Resume { token: resume_token },
        last_seq: BTreeMap::from([(room_id.clone(), 0)]),
    })
    .await;
    let joined = back.recv_until(|m| !matches!(m, ServerMessage::Welcome { .. })).await;
    match joined {
        ServerMessage::Joined { snapshot: Some(snapshot), .. } => assert!(snapshot.locked, "the snapshot says so"),
        other => panic!("expected joined, got {other:?}"),
    }

    let id = trainer.id();
    trainer.ok(ClientMessage::Unlock { id, room: room_id.clone() }).await;
    let mut newcomer = server.connect(Format::Json).await;
    newcomer.hello_guest(&code, "Enfin").await;
}

#[tokio::test]
async fn a_removed_guest_is_closed_and_cannot_come_back() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Amphi").await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut troll = server.connect(Format::Json).await;
    let (welcome, _) = troll.hello_guest(&code, "=HYPERLINK()").await;
    let ServerMessage::Welcome { member, resume_token, .. } = welcome else { unreachable!() };
    let mut camille = server.connect(Format::Json).await;
    camille.hello_guest(&code, "Camille").await;

    let id = camille.id();
    let by_peer = ClientMessage::RemoveMember { id, room: room_id.clone(), member: member.id.clone() };
    assert_eq!(camille.refused(by_peer).await, ErrorCode::Forbidden, "participants cannot remove");
    let id = trainer.id();
    trainer.ok(ClientMessage::RemoveMember { id, room: room_id.clone(), member: member.id.clone() }).await;
    let told = troll.next_message_or_close().await;
    assert!(
        matches!(&told, Ok(ServerMessage::Event { event: EventBody::MemberRemoved { member: m, .. }, .. }) if *m == member.id),
        "told first: {told:?}"
    );
    assert_eq!(troll.closed().await, Some(4011));
    assert!(abuse_count(&server, "member_removed").await >= 1);

    // Their resume token ended with the removal.
    let mut back = server.connect(Format::Json).await;
    back.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::Resume { token: resume_token },
        last_seq: BTreeMap::from([(room_id.clone(), 0)]),
    })
    .await;
    match back.recv().await {
        ServerMessage::Error { code: ErrorCode::Unauthorized, message, .. } => {
            assert!(message.contains("removed"), "{message}")
        }
        other => panic!("expected unauthorized, got {other:?}"),
    }
    // A platform participant removed is refused the room, whatever the token.
    let participant = server.token(Role::Participant, "Léa");
    let mut lea = server.connect(Format::Json).await;
    let ServerMessage::Welcome { member, .. } = lea.hello_token(&participant).await else { unreachable!() };
    lea.join(&room_id).await;
    let id = trainer.id();
    trainer.ok(ClientMessage::RemoveMember { id, room: room_id.clone(), member: member.id.clone() }).await;
    assert_eq!(lea.closed().await, Some(4011));
    let mut again = server.connect(Format::Json).await;
    again
        .send(&ClientMessage::Hello {
            v: 1,
            auth: Auth::Token { token: participant },
            last_seq: BTreeMap::from([(room_id.clone(), 0)]),
        })
        .await;
    match again.recv_until(|m| !matches!(m, ServerMessage::Welcome { .. })).await {
        ServerMessage::Error { code: ErrorCode::Forbidden, room: Some(room), .. } => assert_eq!(room, room_id),
        other => panic!("expected forbidden, got {other:?}"),
    }
    let id = trainer.id();
    let leader = ClientMessage::RemoveMember { id, room: room_id.clone(), member: "nobody".into() };
    assert_eq!(trainer.refused(leader).await, ErrorCode::NotFound);
}

#[tokio::test]
async fn new_guests_are_rate_limited_per_source_address_and_per_room() {
    let server = TestServer::start_with(|config| {
        config.limits.guest_join_burst_per_address = 2;
        config.limits.guest_joins_per_minute_per_address = 1;
        config.limits.guest_join_burst_per_room = 3;
        config.limits.guest_joins_per_minute_per_room = 1;
    })
    .await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Amphi").await;
    let code = join_code(&room);
    let here = Ipv4Addr::new(127, 0, 0, 1);
    let mut kept = Vec::new();
    for name in ["a", "b"] {
        let mut guest = connect_from(&server, here).await;
        guest.hello_guest(&code, name).await;
        kept.push(guest);
    }
    let mut third = connect_from(&server, here).await;
    let (refusal, message) = guest_refused(&mut third, &code, "c").await;
    assert_eq!(refusal, ErrorCode::RateLimited);
    assert!(message.contains("network"), "{message}");
    assert_eq!(abuse_count(&server, "guest_joins_per_address").await, 1);

    // Another address has its own allowance, until the room's is spent.
    let mut other = connect_from(&server, Ipv4Addr::new(127, 0, 0, 2)).await;
    other.hello_guest(&code, "d").await;
    let mut fifth = connect_from(&server, Ipv4Addr::new(127, 0, 0, 3)).await;
    assert_eq!(guest_refused(&mut fifth, &code, "e").await.0, ErrorCode::RateLimited);
    assert_eq!(abuse_count(&server, "guest_joins_per_room").await, 1);

    // Token holders are not guests: never limited.
    let mut trainer = connect_from(&server, here).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id(&room)).await;
}

#[tokio::test]
async fn wrong_join_codes_lock_the_source_address_out() {
    let server = TestServer::start_with(|config| config.limits.failed_join_codes_per_address = 3).await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = server.create_room(&token, "Amphi").await;
    let code = join_code(&room);
    let here = Ipv4Addr::new(127, 0, 0, 1);
    let mut guesser = connect_from(&server, here).await;
    for guess in ["AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"] {
        assert_eq!(guest_refused(&mut guesser, guess, "x").await.0, ErrorCode::RoomNotFound);
    }
    // Locked out, even with the right code, and from another connection.
    let (refusal, message) = guest_refused(&mut guesser, &code, "x").await;
    assert_eq!(refusal, ErrorCode::RateLimited);
    assert!(message.contains("wrong codes"), "{message}");
    let mut again = connect_from(&server, here).await;
    assert_eq!(guest_refused(&mut again, &code, "y").await.0, ErrorCode::RateLimited);
    assert!(abuse_count(&server, "join_code_guessing").await >= 2);
    // Another address is not.
    let mut student = connect_from(&server, Ipv4Addr::new(127, 0, 0, 2)).await;
    student.hello_guest(&code, "Camille").await;
}

/// Cells that begin like a formula (OWASP's list).
const RISKY: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Every cell of `csv` (a download, with its BOM): none may begin like a
/// formula, except plain negative numbers. Returns the cells.
fn checked_cells(what: &str, csv: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(csv).unwrap().trim_start_matches('\u{feff}').to_string();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut cells = Vec::new();
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            let number = cell.parse::<f64>().is_ok() && !cell.starts_with('+');
            assert!(!cell.starts_with(RISKY) || number, "{what}: a cell a spreadsheet would run: {cell:?}");
            cells.push(cell.to_string());
        }
    }
    assert!(!cells.is_empty(), "{what} is empty");
    cells
}

async fn download(server: &TestServer, token: &str, path: &str) -> Vec<u8> {
    let response = reqwest::Client::new().get(server.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn every_csv_export_neutralises_formulas() {
    const NICKNAME: &str = "=HYPERLINK(\"http://x.io\",\"clic\")";
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let quiz = serde_json::json!({
        "title": "Injection",
        "questions": [{
            "type": "single_choice", "prompt": "=1+1", "time_limit_s": 120,
            "choices": [{ "id": "c1", "text": "@SUM(A1:A9)", "correct": true }, { "id": "c2", "text": "-2+3" }]
        }]
    });
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "title": "+Quiz", "kind": "quiz", "quiz": quiz, "settings": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let room: serde_json::Value = response.json().await.unwrap();
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut guest = server.connect(Format::Json).await;
    guest.hello_guest(&code, NICKNAME).await;
    let id = trainer.id();
    let open = amphi_protocol::quiz::QuizCommand::OpenQuestion { index: Some(0) };
    trainer.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: open }).await;
    let answer = amphi_protocol::quiz::QuizCommand::Answer {
        question: 0,
        answer: amphi_protocol::quiz::AnswerValue::Choice { choice: "c1".into() },
        confidence: None,
    };
    let id = guest.id();
    guest.ok(ClientMessage::Quiz { id, room: room_id.clone(), command: answer }).await;

    let results = checked_cells(
        "results.csv",
        &download(&server, &token, &format!("/api/v1/sessions/{room_id}/results.csv")).await,
    );
    assert!(results.iter().any(|c| c == "'=1+1"), "the prompt is neutralised: {results:?}");
    assert!(results.iter().any(|c| c == "'@SUM(A1:A9)"), "the answer is neutralised: {results:?}");
    for path in [
        format!("/api/v1/sessions/{room_id}/attendance.csv"),
        format!("/api/v1/sessions/{room_id}/attendance.csv?per=member"),
    ] {
        let cells = checked_cells(&path, &download(&server, &token, &path).await);
        assert!(cells.contains(&format!("'{NICKNAME}")), "{path}: the nickname is neutralised: {cells:?}");
    }

    // A board: post texts, titles, links and comments from guests.
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "title": "Idées", "kind": "board", "board": { "sections": ["@Ressources"] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let board: serde_json::Value = response.json().await.unwrap();
    let (board_id, code) = (crate::util::room_id(&board), join_code(&board));
    let mut poster = server.connect(Format::Json).await;
    poster.hello_guest(&code, NICKNAME).await;
    let content = amphi_protocol::board::PostContent {
        title: "+cmd|' /C calc'!A0".into(),
        text: "\t=1+1".into(),
        ..Default::default()
    };
    let id = poster.id();
    let post = amphi_protocol::board::BoardCommand::Post { section: None, before: None, content };
    poster.ok(ClientMessage::Board { id, room: board_id.clone(), command: Box::new(post) }).await;
    let csv = download(&server, &token, &format!("/api/v1/boards/{board_id}/export.csv")).await;
    let cells = checked_cells("export.csv", &csv);
    for expected in ["'@Ressources", "'+cmd|' /C calc'!A0", "'\t=1+1", &format!("'{NICKNAME}")] {
        assert!(cells.iter().any(|c| c == expected), "export.csv: {expected:?} neutralised: {cells:?}");
    }
    let zip = download(&server, &token, &format!("/api/v1/boards/{board_id}/export.zip")).await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut csv_entries = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        if entry.name().ends_with(".csv") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            let name = entry.name().to_string();
            assert_eq!(checked_cells(&name, &bytes), cells, "{name} is export.csv");
            csv_entries += 1;
        }
    }
    assert_eq!(csv_entries, 1, "the ZIP holds board.csv");
}

/// The process's peak resident memory so far (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/self/status");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

async fn import_board(server: &TestServer, token: &str, zip: Vec<u8>) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/boards/import"))
        .bearer_auth(token)
        .body(zip)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A ZIP of `board.json` and `entries`, deflated.
fn zip_of(board: &serde_json::Value, entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("board.json", options).unwrap();
    zip.write_all(board.to_string().as_bytes()).unwrap();
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A board whose posts attach each of `blobs` as a file.
fn board_with_files(blobs: &[&str]) -> serde_json::Value {
    let posts: Vec<_> = blobs
        .iter()
        .map(|blob| serde_json::json!({ "section": 0, "author_name": "x", "title": "t", "file": { "blob": blob, "name": "a.pdf" } }))
        .collect();
    serde_json::json!({ "title": "Modèle", "sections": ["A"], "settings": {}, "posts": posts })
}

/// A PDF-looking file of `size` bytes that does not compress.
fn incompressible_pdf(size: usize, seed: u64) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut state = seed | 1;
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

#[tokio::test]
async fn a_zip_bomb_in_a_board_import_is_never_decompressed() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    // 383 KiB holding six unreferenced entries of 64 MiB each.
    let bomb = std::fs::read("tests/fixtures/board/bomb.zip").unwrap();
    let before = peak_rss();
    let (status, body) = import_board(&server, &token, bomb).await;
    let grown = peak_rss().saturating_sub(before);
    assert_eq!(status, 201, "board.json is valid and references none of the bomb's entries: {body}");
    assert!(grown < 32 * 1024 * 1024, "the peak RSS grew by {grown} bytes during the import");
}

#[tokio::test]
async fn referenced_entries_are_held_to_the_size_ratio_and_budget_limits() {
    let server = TestServer::start_with(|config| config.board.max_import_bytes = 3 * 1024 * 1024).await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let blob = "f".repeat(64);
    let entry = format!("files/{blob}");

    // Over max_upload_bytes (20 MiB) once decompressed.
    let big = vec![0u8; 21 * 1024 * 1024];
    let zip = zip_of(&board_with_files(&[&blob]), &[(&entry, &big)]);
    let (status, body) = import_board(&server, &token, zip).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("file_too_large")), "{body}");

    // 2 MiB of zeros: within the sizes, but a thousand times its compressed size.
    let zeros = vec![0u8; 2 * 1024 * 1024];
    let zip = zip_of(&board_with_files(&[&blob]), &[(&entry, &zeros)]);
    let (status, body) = import_board(&server, &token, zip).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("file_too_large")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("inflates more than 100 times"), "{body}");

    // Two honest 2 MiB files: the second passes the 3 MiB budget.
    let other = "e".repeat(64);
    let (first, second) = (incompressible_pdf(2 * 1024 * 1024, 7), incompressible_pdf(2 * 1024 * 1024, 9));
    let zip = zip_of(&board_with_files(&[&blob, &other]), &[(&entry, &first), (&format!("files/{other}"), &second)]);
    let (status, body) = import_board(&server, &token, zip).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("file_too_large")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("once decompressed"), "{body}");
    // One of them alone is imported.
    let zip = zip_of(&board_with_files(&[&blob]), &[(&entry, &first)]);
    let (status, body) = import_board(&server, &token, zip).await;
    assert_eq!(status, 201, "{body}");
    assert!(abuse_count(&server, "zip_bomb").await >= 3);
}

#[tokio::test]
async fn the_data_directory_and_database_are_private_to_amphi() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start_with(|config| config.jwt_secret = String::new()).await;
    let dir = server.app.config.data_dir.clone();
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "the data directory");
    for name in ["amphi.db", "jwt-secret"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
}

#[tokio::test]
async fn a_join_code_stops_working_once_its_session_has_ended() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let quiz = serde_json::json!({
        "title": "Fin",
        "questions": [{ "type": "true_false", "prompt": "Vrai ?", "answer": true, "time_limit_s": 60 }]
    });
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "title": "Quiz", "kind": "quiz", "quiz": quiz, "settings": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let room: serde_json::Value = response.json().await.unwrap();
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    trainer.join(&room_id).await;
    let mut camille = server.connect(Format::Json).await;
    let (welcome, _) = camille.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    let id = trainer.id();
    trainer
        .ok(ClientMessage::Quiz { id, room: room_id.clone(), command: amphi_protocol::quiz::QuizCommand::End })
        .await;

    // The quiz has ended: its code lets no new guest in.
    let mut late = server.connect(Format::Json).await;
    let (refusal, message) = guest_refused(&mut late, &code, "Retard").await;
    assert_eq!(refusal, ErrorCode::SessionEnded);
    assert!(message.contains("ended"), "{message}");
    assert_eq!(abuse_count(&server, "ended_session_code").await, 1);
    // A guest who was in comes back to see the results.
    drop(camille);
    let mut back = server.connect(Format::Json).await;
    back.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::Resume { token: resume_token },
        last_seq: BTreeMap::from([(room_id.clone(), 0)]),
    })
    .await;
    let joined = back.recv_until(|m| !matches!(m, ServerMessage::Welcome { .. })).await;
    assert!(matches!(joined, ServerMessage::Joined { .. }), "{joined:?}");

    // A scheduled session: its code works until link_grace_hours after its end.
    let lobby = server.create_room(&token, "Réunion").await;
    let (lobby_id, lobby_code) = (crate::util::room_id(&lobby), join_code(&lobby));
    let schedule = |hours_ago: i64| amphi::store::ScheduleRecord {
        room: uuid::Uuid::parse_str(&lobby_id).unwrap(),
        starts_at: amphi::hub::now_ms() as i64 - hours_ago * 3_600_000,
        duration_min: 60,
        organizer_name: "Mme Durand".into(),
    };
    server.app.store.queue_invitations(&schedule(2), "fr", &[]).await.unwrap();
    let mut guest = server.connect(Format::Json).await;
    guest.hello_guest(&lobby_code, "Dans la journée").await;
    server.app.store.queue_invitations(&schedule(26), "fr", &[]).await.unwrap();
    let mut next_day = server.connect(Format::Json).await;
    next_day.send(&hello(Auth::JoinCode { code: lobby_code.clone(), name: "Le lendemain".into() })).await;
    match next_day.recv().await {
        ServerMessage::Error { code: ErrorCode::SessionEnded, .. } => {}
        other => panic!("expected session_ended, got {other:?}"),
    }
    assert_eq!(abuse_count(&server, "ended_session_code").await, 2);
}

async fn a_guest_who_leaves_ends_their_resume_token(database: Option<&PgDatabase>) {
    let url = database.map(|d| d.url.clone());
    let server = TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
    })
    .await;
    let token = server.token(Role::Trainer, "Mme Durand");
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "title": "Idées", "kind": "board", "board": { "sections": ["A"] } }))
        .send()
        .await
        .unwrap();
    let board: serde_json::Value = response.json().await.unwrap();
    let (board_id, code) = (room_id(&board), join_code(&board));
    let mut camille = server.connect(Format::Json).await;
    let (welcome, _) = camille.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };
    let upload = |token: String| {
        reqwest::Client::new()
            .post(server.url(&format!("/api/v1/boards/{board_id}/uploads")))
            .bearer_auth(token)
            .body(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nune page".to_vec())
            .send()
    };
    assert_eq!(upload(resume_token.clone()).await.unwrap().status(), 201, "the resume token works while in");

    let id = camille.id();
    camille.ok(ClientMessage::Leave { id, room: board_id.clone() }).await;
    drop(camille);
    let mut back = server.connect(Format::Json).await;
    back.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::Resume { token: resume_token.clone() },
        last_seq: BTreeMap::from([(board_id.clone(), 0)]),
    })
    .await;
    match back.recv().await {
        ServerMessage::Error { code: ErrorCode::Unauthorized, message, .. } => {
            assert!(message.contains("left"), "{message}")
        }
        other => panic!("expected unauthorized, got {other:?}"),
    }
    let response = upload(resume_token).await.unwrap();
    assert_eq!(response.status(), 401, "nor as a bearer token");
    assert!(abuse_count(&server, "ended_token").await >= 2);
    // The code still lets them in, as a new guest.
    let mut again = server.connect(Format::Json).await;
    again.hello_guest(&code, "Camille").await;
    // A platform member who leaves a room keeps their resume token.
    let mut trainer = server.connect(Format::Json).await;
    let ServerMessage::Welcome { resume_token, .. } = trainer.hello_token(&token).await else { unreachable!() };
    trainer.join(&board_id).await;
    let id = trainer.id();
    trainer.ok(ClientMessage::Leave { id, room: board_id.clone() }).await;
    let mut resumed = server.connect(Format::Json).await;
    resumed.send(&hello(Auth::Resume { token: resume_token })).await;
    assert!(matches!(resumed.recv().await, ServerMessage::Welcome { .. }));
}

#[tokio::test]
async fn a_guest_who_leaves_ends_their_resume_token_sqlite() {
    a_guest_who_leaves_ends_their_resume_token(None).await;
}

#[tokio::test]
async fn a_guest_who_leaves_ends_their_resume_token_postgres() {
    let database = PgDatabase::create().await;
    a_guest_who_leaves_ends_their_resume_token(Some(&database)).await;
}

/// Reads `stream` until the server closes it; `true` if it did within
/// [`PATIENCE`], whatever it sent before.
async fn closed_by_server(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn a_request_whose_headers_never_end_is_dropped() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::start_with(|config| config.http.header_read_timeout_ms = 200).await;
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: amphi\r\nX-Slow: ").await.unwrap();
    assert!(closed_by_server(&mut slow).await, "a half-sent request is not kept open");
    // A whole request is answered as ever.
    assert_eq!(reqwest::get(server.url("/healthz")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn connections_are_capped_per_source_address() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::start_with(|config| config.http.max_connections_per_address = 2).await;
    let here = Ipv4Addr::new(127, 0, 0, 1);
    let first = connect_from(&server, here).await;
    let _second = connect_from(&server, here).await;
    let mut third = TcpSocket::new_v4().unwrap();
    third = {
        third.bind(SocketAddr::new(IpAddr::V4(here), 0)).unwrap();
        third
    };
    let mut third = third.connect(server.addr).await.unwrap();
    let _ = third.write_all(b"GET /healthz HTTP/1.1\r\nHost: amphi\r\n\r\n").await;
    assert!(closed_by_server(&mut third).await, "the third connection is closed at once");
    // Another address is not limited.
    let other = reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))).build().unwrap();
    let metrics = other.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("amphi_abuse_total{kind=\"connections_per_address\"} 1"), "counted");
    // A place comes back when a connection closes.
    drop(first);
    let local = reqwest::Client::builder().local_address(IpAddr::V4(here)).build().unwrap();
    let mut answered = false;
    for _ in 0..200 {
        if local.get(server.url("/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(answered, "the freed place is taken again");
}

#[tokio::test]
async fn html_responses_carry_a_content_security_policy_and_hsts_behind_tls() {
    let server = TestServer::start().await;
    let page = reqwest::get(server.url("/j/ABC123")).await.unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    for directive in ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'self'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(policy.contains("frame-src") && policy.contains("https://www.youtube-nocookie.com"), "{policy}");
    assert!(page.headers().get("strict-transport-security").is_none(), "not behind TLS");

    let server = TestServer::start_with(|config| config.http.behind_tls = true).await;
    for path in ["/", "/healthz"] {
        let response = reqwest::get(server.url(path)).await.unwrap();
        let hsts = response.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(hsts.as_deref(), Some("max-age=31536000"), "{path}");
    }
}
