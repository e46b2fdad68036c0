//! Codec tests: every message round-trips in both formats, the committed
//! test vectors in `protocol/vectors/` decode to the same messages, and bad
//! frames are classified into the documented error codes; a room kind's
//! name is its serde name.
//!
//! Set `AMPHI_WRITE_VECTORS=1` to rewrite the vectors after a deliberate
//! protocol change.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::board::{BoardCommand, BoardEvent, File, Post, PostContent, PostStatus};
use crate::breakout::CloseReason as AtelierCloseReason;
use crate::breakout::{
    AssignmentChange, AssignmentMode, Atelier, AtelierCount, AtelierState, AtelierStatus, AtelierView, BreakoutCommand,
    BreakoutEvent, BreakoutPlan, BreakoutSnapshot, Broadcast, CallState, Choice, DocumentDelivery, HelpCall,
    Production, ProductionContent, Resource, SessionStatus, SharedRecording, VideoProblem,
};
use crate::quiz::{AnswerValue, CloseReason, QuizCommand, QuizEvent};
use crate::server::*;
use crate::*;

const ROOM: &str = "6f1c1f9e-2b7a-4c1e-9d43-2f6f3c2b8a10";
const MEMBER: &str = "b3a4c2d1-0e9f-4a8b-8c7d-6e5f4a3b2c1d";

fn client_samples() -> Vec<(&'static str, ClientMessage)> {
    vec![
        (
            "hello_token",
            ClientMessage::Hello {
                v: 1,
                auth: Auth::Token { token: "eyJhbGciOiJIUzI1NiJ9.e30.sig".into() },
                last_seq: BTreeMap::new(),
            },
        ),
        (
            "hello_join_code",
            ClientMessage::Hello {
                v: 1,
                auth: Auth::JoinCode { code: "KM7R4P".into(), name: "Camille".into() },
                last_seq: BTreeMap::new(),
            },
        ),
        (
            "hello_resume",
            ClientMessage::Hello {
                v: 1,
                auth: Auth::Resume { token: "eyJhbGciOiJIUzI1NiJ9.e30.sig".into() },
                last_seq: BTreeMap::from([(ROOM.to_string(), 42)]),
            },
        ),
        ("join_by_id", ClientMessage::Join { id: "c1".into(), room: Some(ROOM.into()), code: None }),
        ("join_by_code", ClientMessage::Join { id: "c2".into(), room: None, code: Some("KM7R4P".into()) }),
        ("leave", ClientMessage::Leave { id: "c3".into(), room: ROOM.into() }),
        (
            "announce",
            ClientMessage::Announce { id: "c4".into(), room: ROOM.into(), text: "Pause de 10 minutes".into() },
        ),
        ("raise_hand", ClientMessage::RaiseHand { id: "c5".into(), room: ROOM.into() }),
        ("lower_hand_own", ClientMessage::LowerHand { id: "c6".into(), room: ROOM.into(), member: None }),
        (
            "lower_hand_other",
            ClientMessage::LowerHand { id: "c7".into(), room: ROOM.into(), member: Some(MEMBER.into()) },
        ),
        ("ping", ClientMessage::Ping { id: "c8".into() }),
        (
            "quiz_open_question",
            ClientMessage::Quiz {
                id: "c9".into(),
                room: ROOM.into(),
                command: QuizCommand::OpenQuestion { index: Some(0) },
            },
        ),
        (
            "quiz_answer",
            ClientMessage::Quiz {
                id: "c10".into(),
                room: ROOM.into(),
                command: QuizCommand::Answer {
                    question: 0,
                    answer: AnswerValue::Choice { choice: "c2".into() },
                    confidence: Some(3),
                },
            },
        ),
        (
            "board_post",
            ClientMessage::Board {
                id: "c11".into(),
                room: ROOM.into(),
                command: Box::new(BoardCommand::Post {
                    section: Some("s1".into()),
                    before: None,
                    content: PostContent {
                        title: "Une idée".into(),
                        text: "Travailler en binômes.".into(),
                        link: Some("https://eduscol.education.fr/".into()),
                        ..PostContent::default()
                    },
                }),
            },
        ),
        (
            "board_edit",
            ClientMessage::Board {
                id: "c12".into(),
                room: ROOM.into(),
                command: Box::new(BoardCommand::Edit {
                    post: "p7".into(),
                    version: 1,
                    content: PostContent { title: "Une idée, précisée".into(), ..PostContent::default() },
                }),
            },
        ),
        (
            "breakout_open",
            ClientMessage::Breakout {
                id: "c13".into(),
                room: ROOM.into(),
                command: Box::new(BreakoutCommand::Open { ateliers: Some(vec!["a1".into(), "a2".into()]) }),
            },
        ),
        (
            "breakout_submit_production",
            ClientMessage::Breakout {
                id: "c14".into(),
                room: ROOM.into(),
                command: Box::new(BreakoutCommand::SubmitProduction {
                    content: ProductionContent {
                        text: Some("Trois idées pour différencier.".into()),
                        link: Some("https://eduscol.education.fr/".into()),
                        file: None,
                    },
                }),
            },
        ),
        ("lock", ClientMessage::Lock { id: "c15".into(), room: ROOM.into() }),
        ("unlock", ClientMessage::Unlock { id: "c16".into(), room: ROOM.into() }),
        ("remove_member", ClientMessage::RemoveMember { id: "c17".into(), room: ROOM.into(), member: MEMBER.into() }),
    ]
}

fn server_samples() -> Vec<(&'static str, ServerMessage)> {
    let camille = MemberView { id: MEMBER.into(), name: "Camille".into(), role: Role::Participant, connected: true };
    let counts = PresenceCounts { members: 2, connected: 2, participants: 1, participants_connected: 1 };
    let hand = RaisedHand { member: MEMBER.into(), name: "Camille".into(), at: 1_790_000_000_000 };
    let announcement = Announcement {
        from: "trainer-1".into(),
        from_name: "Mme Durand".into(),
        text: "Bienvenue !".into(),
        at: 1_790_000_000_000,
    };
    vec![
        (
            "welcome",
            ServerMessage::Welcome {
                v: 1,
                member: MemberIdentity {
                    id: MEMBER.into(),
                    name: "Camille".into(),
                    role: Role::Participant,
                    tenant: "ac-lyon".into(),
                    guest: true,
                },
                resume_token: "eyJhbGciOiJIUzI1NiJ9.e30.sig".into(),
                server_time_ms: 1_790_000_000_000,
                heartbeat_ms: 20_000,
                blob_token: None,
            },
        ),
        (
            "joined_snapshot",
            ServerMessage::Joined {
                room: RoomInfo {
                    id: ROOM.into(),
                    kind: RoomKind::Lobby,
                    title: "Formation numérique".into(),
                    join_code: Some("KM7R4P".into()),
                },
                seq: 12,
                snapshot: Some(Box::new(RoomSnapshot {
                    members: vec![camille.clone()],
                    counts,
                    hands: vec![hand.clone()],
                    announcements: vec![announcement.clone()],
                    quiz: None,
                    board: None,
                    breakout: None,
                    locked: false,
                })),
            },
        ),
        (
            "joined_replay",
            ServerMessage::Joined {
                room: RoomInfo {
                    id: ROOM.into(),
                    kind: RoomKind::Lobby,
                    title: "Formation numérique".into(),
                    join_code: None,
                },
                seq: 42,
                snapshot: None,
            },
        ),
        (
            "event_presence_leader",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 13,
                at: 1_790_000_000_200,
                event: EventBody::Presence { counts, changed: vec![camille], left: vec!["m-9".into()] },
            },
        ),
        (
            "event_presence_participant",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 14,
                at: 1_790_000_000_200,
                event: EventBody::Presence { counts, changed: vec![], left: vec![] },
            },
        ),
        (
            "event_announcement",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 15,
                at: 1_790_000_000_000,
                event: EventBody::Announcement { announcement },
            },
        ),
        (
            "event_hand_raised",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 16,
                at: 1_790_000_000_000,
                event: EventBody::HandRaised { hand },
            },
        ),
        (
            "event_hand_lowered",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 17,
                at: 1_790_000_000_500,
                event: EventBody::HandLowered { member: MEMBER.into(), by: "trainer-1".into() },
            },
        ),
        (
            "event_room_locked",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 19,
                at: 1_790_000_000_600,
                event: EventBody::RoomLocked { locked: true, by: "trainer-1".into() },
            },
        ),
        (
            "event_member_removed",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 20,
                at: 1_790_000_000_700,
                event: EventBody::MemberRemoved { member: MEMBER.into(), by: "trainer-1".into() },
            },
        ),
        (
            "event_quiz_question_closed",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 18,
                at: 1_790_000_030_000,
                event: EventBody::Quiz {
                    event: QuizEvent::QuestionClosed { index: 0, reason: CloseReason::Deadline, answered: 12 },
                },
            },
        ),
        (
            "event_board_post_added",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 20,
                at: 1_790_000_040_000,
                event: EventBody::Board {
                    event: BoardEvent::PostAdded {
                        post: Post {
                            id: "p7".into(),
                            section: "s1".into(),
                            key: "a0".into(),
                            version: 1,
                            author: Some(MEMBER.into()),
                            author_name: Some("Camille".into()),
                            content: PostContent {
                                title: "Une idée".into(),
                                text: "Travailler en binômes.".into(),
                                link: Some("https://eduscol.education.fr/".into()),
                                ..PostContent::default()
                            },
                            status: PostStatus::Visible,
                            likes: 0,
                            rating: Default::default(),
                            comments: Vec::new(),
                            created_at: 1_790_000_040_000,
                            edited_at: None,
                            copied_from: None,
                        },
                    },
                },
            },
        ),
        (
            "event_breakout_assignment",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 21,
                at: 1_790_000_050_000,
                event: EventBody::Breakout {
                    event: BreakoutEvent::Assignment { atelier: Some(Box::new(atelier_view())) },
                },
            },
        ),
        (
            "event_breakout_broadcast",
            ServerMessage::Event {
                room: ROOM.into(),
                seq: 22,
                at: 1_790_000_060_000,
                event: EventBody::Breakout {
                    event: BreakoutEvent::Broadcast {
                        broadcast: Broadcast {
                            id: "b1".into(),
                            atelier: None,
                            from: "trainer-1".into(),
                            from_name: "Mme Durand".into(),
                            text: "Plus que 5 minutes : préparez votre restitution.".into(),
                            at: 1_790_000_060_000,
                        },
                    },
                },
            },
        ),
        ("ack", ServerMessage::Ack { id: "c4".into() }),
        (
            "error",
            ServerMessage::Error {
                id: Some("c4".into()),
                room: Some(ROOM.into()),
                code: ErrorCode::Forbidden,
                message: "only a trainer, facilitator or admin may announce".into(),
            },
        ),
        (
            "error_without_id",
            ServerMessage::Error {
                id: None,
                room: None,
                code: ErrorCode::MalformedFrame,
                message: "not valid json: expected value at line 1 column 1".into(),
            },
        ),
        ("pong", ServerMessage::Pong { id: "c8".into(), server_time_ms: 1_790_000_000_000 }),
    ]
}

/// One committed test vector: a message, its JSON form, and its MessagePack
/// bytes in hex.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Vector {
    name: String,
    direction: String,
    message: serde_json::Value,
    msgpack: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

fn vector<T: Serialize>(name: &str, direction: &str, message: &T) -> Vector {
    Vector {
        name: name.into(),
        direction: direction.into(),
        message: serde_json::to_value(message).expect("json"),
        msgpack: hex(&Format::MsgPack.encode(message).expect("msgpack")),
    }
}

fn all_vectors() -> Vec<Vector> {
    let mut vectors: Vec<Vector> = client_samples().iter().map(|(name, m)| vector(name, "client", m)).collect();
    vectors.extend(server_samples().iter().map(|(name, m)| vector(name, "server", m)));
    vectors
}

fn vectors_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors").join(file)
}

#[test]
fn every_client_message_round_trips_in_both_formats() {
    for (name, message) in client_samples() {
        for format in Format::ALL {
            let bytes = format.encode(&message).unwrap();
            let back = format.decode_client(&bytes).unwrap_or_else(|e| panic!("{name} {format:?}: {e}"));
            assert_eq!(back, message, "{name} in {format:?}");
        }
    }
}

#[test]
fn every_server_message_round_trips_in_both_formats() {
    for (name, message) in server_samples() {
        for format in Format::ALL {
            let bytes = format.encode(&message).unwrap();
            let back: ServerMessage = format.decode(&bytes).unwrap_or_else(|e| panic!("{name} {format:?}: {e}"));
            assert_eq!(back, message, "{name} in {format:?}");
        }
    }
}

#[test]
fn samples_cover_every_client_type() {
    let mut covered: Vec<&str> = client_samples().iter().map(|(_, m)| m.type_name()).collect();
    covered.sort();
    covered.dedup();
    let mut declared = ClientMessage::TYPES.to_vec();
    declared.sort();
    assert_eq!(covered, declared);
}

#[test]
fn committed_vectors_match_the_types() {
    let path = vectors_path("v1.json");
    if std::env::var_os("AMPHI_WRITE_VECTORS").is_some() {
        let text = serde_json::to_string_pretty(&all_vectors()).unwrap();
        std::fs::write(&path, text + "\n").unwrap();
    }
    let committed: Vec<Vector> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read vectors/v1.json")).unwrap();
    assert_eq!(committed, all_vectors(), "vectors/v1.json is stale: rerun with AMPHI_WRITE_VECTORS=1");
    for v in &committed {
        let json = serde_json::to_vec(&v.message).unwrap();
        let packed = unhex(&v.msgpack);
        if v.direction == "client" {
            let from_json = Format::Json.decode_client(&json).unwrap();
            let from_msgpack = Format::MsgPack.decode_client(&packed).unwrap();
            assert_eq!(from_json, from_msgpack, "{}", v.name);
        } else {
            let from_json: ServerMessage = Format::Json.decode(&json).unwrap();
            let from_msgpack: ServerMessage = Format::MsgPack.decode(&packed).unwrap();
            assert_eq!(from_json, from_msgpack, "{}", v.name);
        }
    }
}

/// A frame the server must refuse, and the code it must give.
#[derive(Debug, Deserialize)]
struct InvalidVector {
    name: String,
    /// The raw text of a JSON frame.
    json: Option<String>,
    /// The bytes of a MessagePack frame, in hex.
    msgpack: Option<String>,
    code: ErrorCode,
}

#[test]
fn invalid_frames_get_their_documented_code() {
    let text = std::fs::read_to_string(vectors_path("invalid.json")).expect("read vectors/invalid.json");
    let vectors: Vec<InvalidVector> = serde_json::from_str(&text).unwrap();
    assert!(vectors.len() >= 8);
    for v in vectors {
        let (format, bytes) = match (&v.json, &v.msgpack) {
            (Some(json), None) => (Format::Json, json.as_bytes().to_vec()),
            (None, Some(packed)) => (Format::MsgPack, unhex(packed)),
            _ => panic!("{}: give exactly one of json and msgpack", v.name),
        };
        let error = format.decode_client(&bytes).expect_err(&v.name);
        assert_eq!(error.code, v.code, "{}: {}", v.name, error.message);
    }
}

#[test]
fn close_codes_are_distinct_and_advise_reconnect() {
    let mut codes: Vec<u16> = CloseCode::ALL.iter().map(|c| c.code()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), CloseCode::ALL.len());
    assert!(CloseCode::SlowConsumer.reconnect());
    assert!(CloseCode::GoingAway.reconnect());
    assert!(!CloseCode::Removed.reconnect());
    assert_eq!(CloseCode::from_code(4008), Some(CloseCode::SlowConsumer));
}

#[test]
fn error_codes_serialize_as_their_names() {
    for code in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().into()));
    }
}

fn atelier() -> Atelier {
    Atelier {
        id: "a1".into(),
        name: "Différenciation".into(),
        instructions: "Listez trois façons de différencier une consigne.".into(),
        duration_s: 1200,
        resources: vec![Resource { title: "Éduscol".into(), url: "https://eduscol.education.fr/".into() }],
        files: Vec::new(),
        capacity: Some(6),
        video_url: Some("https://visio.example.org/rooms/a1".into()),
        video_problem: None,
        board: true,
        quiz: None,
    }
}

fn atelier_view() -> AtelierView {
    AtelierView {
        atelier: atelier(),
        state: AtelierState::Open,
        opened_at: Some(1_790_000_050_000),
        ends_at: Some(1_790_001_250_000),
        broadcasts: Vec::new(),
        production: None,
    }
}

fn production() -> Production {
    Production {
        atelier: "a1".into(),
        atelier_name: "Différenciation".into(),
        version: 2,
        content: ProductionContent {
            text: Some("Trois idées.".into()),
            link: None,
            file: Some(File {
                blob: "ab".repeat(32),
                name: "synthese.pdf".into(),
                content_type: String::new(),
                size: 0,
            }),
        },
        by: MEMBER.into(),
        by_name: "Camille".into(),
        at: 1_790_000_900_000,
    }
}

fn call() -> HelpCall {
    HelpCall {
        id: "h1".into(),
        atelier: "a1".into(),
        member: MEMBER.into(),
        name: "Camille".into(),
        text: Some("Nous bloquons sur la consigne 2".into()),
        at: 1_790_000_100_000,
        state: CallState::Taken,
        by: Some("trainer-1".into()),
        by_name: Some("Mme Durand".into()),
    }
}

fn handout() -> File {
    File { blob: "b".repeat(64), name: "consigne.pdf".into(), content_type: "application/pdf".into(), size: 1234 }
}

fn shared_recording() -> SharedRecording {
    SharedRecording {
        record_id: "r1".into(),
        atelier: "a1".into(),
        atelier_name: "Différenciation".into(),
        url: "https://bbb.example.org/playback/presentation/2.3/r1".into(),
        started_at: 1_790_000_000_000,
        length_minutes: 42,
        at: 1_790_000_200_000,
    }
}

/// Every breakout command, event and a full snapshot go through both
/// formats unchanged (flattened fields included).
#[test]
fn every_breakout_message_round_trips_in_both_formats() {
    let plan = BreakoutPlan { ateliers: vec![atelier()], mode: AssignmentMode::FreeChoice };
    let commands = vec![
        BreakoutCommand::SetPlan { plan: plan.clone() },
        BreakoutCommand::Assign { member: MEMBER.into(), atelier: "a1".into() },
        BreakoutCommand::Unassign { member: MEMBER.into() },
        BreakoutCommand::Distribute,
        BreakoutCommand::Choose { atelier: "a1".into() },
        BreakoutCommand::Open { ateliers: None },
        BreakoutCommand::Extend { seconds: 120, atelier: Some("a1".into()) },
        BreakoutCommand::Close { atelier: None },
        BreakoutCommand::Broadcast { text: "Bonjour".into(), atelier: Some("a1".into()) },
        BreakoutCommand::CallHelp { text: None },
        BreakoutCommand::TakeCall { call: "h1".into() },
        BreakoutCommand::ResolveCall { call: "h1".into() },
        BreakoutCommand::SubmitProduction { content: production().content },
        BreakoutCommand::Publish { atelier: None },
        BreakoutCommand::Unpublish { atelier: Some("a1".into()) },
        BreakoutCommand::PublishRecording { record_id: "r1".into(), recording: None },
        BreakoutCommand::PublishRecording { record_id: "r1".into(), recording: Some(shared_recording()) },
        BreakoutCommand::UnpublishRecording { record_id: "r1".into() },
        BreakoutCommand::AddFile { atelier: "a1".into(), file: handout(), video: None },
        BreakoutCommand::AddFile { atelier: "a1".into(), file: handout(), video: Some(DocumentDelivery::Unsupported) },
        BreakoutCommand::SetVideo {
            atelier: "a1".into(),
            url: Some("https://visio.example.org/a1".into()),
            problem: None,
        },
    ];
    for command in commands {
        let message = ClientMessage::Breakout { id: "c1".into(), room: ROOM.into(), command: Box::new(command) };
        for format in Format::ALL {
            let bytes = format.encode(&message).unwrap();
            let back = format.decode_client(&bytes).unwrap_or_else(|e| panic!("{message:?} {format:?}: {e}"));
            assert_eq!(back, message, "{format:?}");
        }
    }
    let broadcast = Broadcast {
        id: "b2".into(),
        atelier: Some("a1".into()),
        from: "trainer-1".into(),
        from_name: "Mme Durand".into(),
        text: "Bonjour".into(),
        at: 1,
    };
    let events = vec![
        BreakoutEvent::Plan { plan: plan.clone() },
        BreakoutEvent::Choices {
            choices: vec![Choice {
                id: "a1".into(),
                name: "Différenciation".into(),
                state: AtelierState::Pending,
                capacity: Some(6),
                remaining: Some(2),
            }],
        },
        BreakoutEvent::Assignment { atelier: None },
        BreakoutEvent::Assignment {
            atelier: Some(Box::new(AtelierView {
                broadcasts: vec![broadcast.clone()],
                production: Some(production()),
                ..atelier_view()
            })),
        },
        BreakoutEvent::Assignments {
            changes: vec![
                AssignmentChange { member: MEMBER.into(), atelier: Some("a1".into()) },
                AssignmentChange { member: "m-2".into(), atelier: None },
            ],
        },
        BreakoutEvent::Opened { atelier: "a1".into(), opened_at: 1, ends_at: 2 },
        BreakoutEvent::Extended { atelier: "a1".into(), ends_at: 3 },
        BreakoutEvent::TimeWarning { atelier: "a1".into(), seconds: 60, ends_at: 3 },
        BreakoutEvent::Closed { atelier: "a1".into(), reason: AtelierCloseReason::Deadline },
        BreakoutEvent::Status { status: SessionStatus::Plenary },
        BreakoutEvent::Broadcast { broadcast: broadcast.clone() },
        BreakoutEvent::HelpCall { call: call() },
        BreakoutEvent::Production { production: production() },
        BreakoutEvent::Published { productions: vec![production()] },
        BreakoutEvent::Unpublished { ateliers: vec!["a1".into()] },
        BreakoutEvent::RecordingPublished { recording: shared_recording() },
        BreakoutEvent::RecordingUnpublished { record_id: "r1".into() },
        BreakoutEvent::FileAdded { atelier: "a1".into(), file: handout(), video: Some(DocumentDelivery::Inserted) },
        BreakoutEvent::Video { atelier: "a1".into(), video_url: None, video_problem: None },
        BreakoutEvent::Video {
            atelier: "a1".into(),
            video_url: None,
            video_problem: Some(VideoProblem {
                code: "unreachable".into(),
                detail: "cannot reach BigBlueButton for `create`".into(),
                retrying: true,
            }),
        },
        BreakoutEvent::Counts {
            ateliers: vec![AtelierCount { atelier: "a1".into(), assigned: 6, present: 5 }],
            unassigned_present: 1,
        },
    ];
    for event in events {
        let message = ServerMessage::Event { room: ROOM.into(), seq: 9, at: 1, event: EventBody::Breakout { event } };
        for format in Format::ALL {
            let bytes = format.encode(&message).unwrap();
            let back: ServerMessage = format.decode(&bytes).unwrap_or_else(|e| panic!("{message:?} {format:?}: {e}"));
            assert_eq!(back, message, "{format:?}");
        }
    }
    let snapshot = BreakoutSnapshot {
        title: "Ateliers".into(),
        status: SessionStatus::Running,
        mode: AssignmentMode::FreeChoice,
        atelier: Some(Box::new(atelier_view())),
        choices: Vec::new(),
        broadcasts: vec![broadcast],
        published: vec![production()],
        recordings: vec![shared_recording()],
        your_call: Some(call()),
        plan: Some(plan),
        ateliers: vec![AtelierStatus {
            id: "a1".into(),
            state: AtelierState::Open,
            opened_at: Some(1),
            ends_at: Some(2),
            members: vec![MEMBER.into()],
            present: 1,
        }],
        unassigned: vec!["m-2".into()],
        calls: vec![call()],
        productions: vec![production()],
    };
    let message = ServerMessage::Joined {
        room: RoomInfo { id: ROOM.into(), kind: RoomKind::Breakout, title: "Ateliers".into(), join_code: None },
        seq: 3,
        snapshot: Some(Box::new(RoomSnapshot {
            members: Vec::new(),
            counts: PresenceCounts::default(),
            hands: Vec::new(),
            announcements: Vec::new(),
            quiz: None,
            board: None,
            breakout: Some(snapshot),
            locked: false,
        })),
    };
    for format in Format::ALL {
        let bytes = format.encode(&message).unwrap();
        let back: ServerMessage = format.decode(&bytes).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(back, message, "{format:?}");
    }
}

#[test]
fn breakout_commands_read_as_documented() {
    let json = r#"{"type": "breakout", "id": "c1", "room": "r", "command": {"action": "submit_production", "text": "Nos idées"}}"#;
    let ClientMessage::Breakout { command, .. } = Format::Json.decode_client(json.as_bytes()).unwrap() else {
        panic!("not a breakout command")
    };
    assert_eq!(
        *command,
        BreakoutCommand::SubmitProduction {
            content: ProductionContent { text: Some("Nos idées".into()), ..ProductionContent::default() }
        }
    );
    let json = r#"{"type": "breakout", "id": "c2", "room": "r", "command": {"action": "distribute"}}"#;
    let ClientMessage::Breakout { command, .. } = Format::Json.decode_client(json.as_bytes()).unwrap() else {
        panic!("not a breakout command")
    };
    assert_eq!(*command, BreakoutCommand::Distribute);
    // A plan's optional fields may be left out.
    let plan: BreakoutPlan =
        serde_json::from_str(r#"{"ateliers": [{"id": "a1", "name": "Un", "duration_s": 600}]}"#).unwrap();
    assert_eq!(plan.mode, AssignmentMode::Manual);
    assert!(!plan.ateliers[0].board && plan.ateliers[0].resources.is_empty());
}

/// The lines of `text` between `from` and `to` that start with `prefix`.
fn example_lines<'a>(text: &'a str, from: &str, to: &str, prefix: &str) -> Vec<&'a str> {
    let start = text.find(from).expect("section start");
    let end = start + text[start..].find(to).expect("section end");
    text[start..end].lines().filter(|line| line.starts_with(prefix)).collect()
}

/// Every breakout command and event shown in protocol/README.md reads as
/// the types say, and each command and event kind has an example there.
#[test]
fn breakout_examples_in_the_readme_read() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut actions = BTreeMap::new();
    for line in example_lines(&readme, "### breakout", "## 5. Server messages", r#"{"action""#) {
        let command: BreakoutCommand = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        actions.insert(value["action"].as_str().unwrap().to_string(), command);
    }
    assert_eq!(actions.len(), 19, "every action: {:?}", actions.keys());
    let mut kinds = BTreeMap::new();
    for line in example_lines(&readme, "#### `breakout`", "### ack", r#"{"kind""#) {
        let event: BreakoutEvent = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        kinds.insert(value["kind"].as_str().unwrap().to_string(), event);
    }
    assert_eq!(kinds.len(), 19, "every kind: {:?}", kinds.keys());
}

#[test]
fn a_room_kinds_name_is_its_serde_name_and_parses_back() {
    for kind in [RoomKind::Lobby, RoomKind::Quiz, RoomKind::Board, RoomKind::Breakout] {
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::String(kind.as_str().into()));
        assert_eq!(kind.as_str().parse::<RoomKind>(), Ok(kind));
    }
    assert!("Quiz".parse::<RoomKind>().unwrap_err().contains("unknown room kind `Quiz`"));
}
