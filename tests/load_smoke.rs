//! A smoke run of every load scenario at small scale, in both formats,
//! against a real server: every participant connects, every broadcast is
//! seen once and in order, every resume works, every answer and post is
//! acknowledged once; participants spread over several rooms and over two
//! processes are tallied as one; ateliers are distributed, opened, hear
//! every broadcast and have their productions published; a trainer's own
//! rate limit ends the run with the error. No timing is asserted.

use amphi_load::shard::Launcher;
use amphi_load::{Layout, Options, Scenario};
use amphi_protocol::{Format, Role};

use crate::util::TestServer;

fn options(server: &TestServer, scenario: Scenario, format: Format) -> Options {
    Options {
        trainer_url: None,
        scenario,
        urls: vec![format!("ws://{}/ws", server.addr)],
        participants: 20,
        format,
        protocol: amphi_protocol::PROTOCOL_VERSION,
        token: server.token(Role::Trainer, "amphi-load"),
        server_pid: Some(std::process::id()),
        source_ips: vec!["127.0.0.1".parse().unwrap()],
        ramp: 0,
        broadcasts: 3,
        interval_ms: 10,
        hold_s: 0,
        questions: 3,
        think_ms: 50,
        self_paced: false,
        posts: 150,
        rate: 500,
        groups: 4,
        floods: 300,
    }
}

#[tokio::test]
async fn the_board_scenario_runs_clean() {
    let server = TestServer::start().await;
    for format in Format::ALL {
        let report = amphi_load::run(&options(&server, Scenario::Board, format)).await.expect("the run completes");
        assert_eq!(report.errors_total, 0, "{format:?}: {:?}", report.errors);
        assert_eq!((report.posts_sent, report.posts_acked), (150, 150), "every post acknowledged once");
        assert_eq!(report.missed_broadcasts, 0, "every post reached every participant");
        assert!(report.late_join_ms.is_some(), "the late joiner loaded the whole board (two pages)");
        assert!(report.last_socket_ms.is_some() && report.ack_ms.is_some());
    }
}

#[tokio::test]
async fn every_scenario_runs_clean_at_small_scale() {
    let server = TestServer::start().await;
    for scenario in [Scenario::Idle, Scenario::Broadcast, Scenario::Reconnect] {
        for format in Format::ALL {
            let report = amphi_load::run(&options(&server, scenario, format)).await.expect("the run completes");
            assert_eq!(report.errors_total, 0, "{scenario:?} {format:?}: {:?}", report.errors);
            assert_eq!(report.connected, 20, "{scenario:?} {format:?}");
            assert!(report.server_rss_bytes.is_some(), "memory is read from /proc");
            if scenario != Scenario::Idle {
                assert_eq!(report.missed_broadcasts, 0);
                assert_eq!(report.broadcasts, 3);
            }
            if scenario == Scenario::Broadcast {
                assert!(report.last_socket_ms.is_some());
            }
            if scenario == Scenario::Reconnect {
                assert!(report.reconnect_ms.is_some(), "everyone resumed");
            }
        }
    }
}

#[tokio::test]
async fn the_quiz_scenario_runs_clean_in_both_modes_and_protocols() {
    let server = TestServer::start().await;
    for (self_paced, protocol) in [(false, 1), (false, 2), (true, 1), (true, 2)] {
        for format in Format::ALL {
            let options = Options { self_paced, protocol, ..options(&server, Scenario::Quiz, format) };
            let report = amphi_load::run(&options).await.expect("the run completes");
            let label = format!("self_paced={self_paced} protocol {protocol} {format:?}");
            assert_eq!(report.errors_total, 0, "{label}: {:?}", report.errors);
            assert_eq!(report.answers_sent, 60, "{label}: 20 participants × 3 questions");
            assert_eq!(report.answers_acked, 60, "{label}");
            assert!(report.ack_ms.is_some(), "{label}");
            assert_eq!(report.missed_broadcasts, 0, "{label}");
        }
    }
}

#[tokio::test]
async fn the_rooms_scenario_runs_clean() {
    let server = TestServer::start().await;
    for format in Format::ALL {
        let layout = Layout { rooms: 4, ..Layout::default() };
        let report = amphi_load::run_in(&options(&server, Scenario::Rooms, format), &layout).await.expect("completes");
        assert_eq!(report.errors_total, 0, "{format:?}: {:?}", report.errors);
        assert_eq!((report.connected, report.rooms), (20, 4), "{format:?}");
        assert_eq!(report.broadcasts, 12, "3 announcements in each of 4 rooms");
        assert_eq!(report.per_broadcast.len(), 12);
        for figure in &report.per_broadcast {
            assert_eq!((figure.expected, figure.received), (5, 5), "{figure:?}: 5 participants per room");
            assert!(figure.last_socket_ms.is_some());
        }
        assert!(report.last_socket_ms.is_some() && report.server_cpu_us_per_frame.is_some());
    }
}

#[tokio::test]
async fn a_trainer_over_its_rate_limit_ends_the_run_with_the_error() {
    let server = TestServer::start_with(|config| {
        config.limits.commands_per_second = 1;
        config.limits.command_burst = 3;
    })
    .await;
    let options = Options { broadcasts: 10, interval_ms: 0, ..options(&server, Scenario::Broadcast, Format::Json) };
    let report = amphi_load::run(&options).await.expect("the run completes");
    assert_eq!(report.errors.get("rate_limited"), Some(&1), "{:?}", report.errors);
    assert_eq!(report.errors_total, 1, "only the refusal: what was sent was seen: {:?}", report.errors);
    assert!(report.broadcasts < 10, "the trainer stopped at the refusal");
    assert_eq!(report.connected, 20);
}

/// How the `--processes` test starts its second process: the real
/// `amphi-load` binary of this build (`.ci/test` builds every target first;
/// otherwise it is built here), as `amphi-load` starts copies of itself.
fn amphi_load_binary() -> Launcher {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps");
    let program = dir.join("amphi-load");
    if !program.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "--locked", "-p", "amphi-load", "--bin", "amphi-load"])
            .status()
            .expect("cargo runs");
        assert!(status.success() && program.exists(), "amphi-load is built at {}", program.display());
    }
    Launcher { program, args: Vec::new() }
}

#[tokio::test]
async fn two_processes_report_as_one() {
    let server = TestServer::start().await;
    let layout = Layout { rooms: 4, processes: 2, launcher: amphi_load_binary() };
    for scenario in [Scenario::Idle, Scenario::Broadcast, Scenario::Rooms] {
        let options = options(&server, scenario, Format::Json);
        let report = amphi_load::run_in(&options, &layout).await.expect("the run completes");
        assert_eq!(report.errors_total, 0, "{scenario:?}: {:?}", report.errors);
        assert_eq!((report.connected, report.processes), (20, 2), "{scenario:?}: both halves counted");
        assert!(report.frames_delivered >= 40, "{scenario:?}: both processes' frames (welcome, joined)");
        if scenario != Scenario::Idle {
            assert_eq!(report.missed_broadcasts, 0);
            let received: u64 = report.per_broadcast.iter().map(|b| b.received).sum();
            assert_eq!(received, 20 * 3, "{scenario:?}: every participant got its room's 3 announcements");
            assert!(report.broadcast_ms.is_some() && report.last_socket_ms.is_some());
        }
    }
}

#[tokio::test]
async fn the_breakout_scenario_runs_clean() {
    let server = TestServer::start().await;
    for format in Format::ALL {
        let report = amphi_load::run(&options(&server, Scenario::Breakout, format)).await.expect("the run completes");
        assert_eq!(report.errors_total, 0, "{format:?}: {:?}", report.errors);
        assert_eq!(report.connected, 20, "{format:?}");
        assert_eq!((report.posts_sent, report.posts_acked), (20, 20), "one production each, acknowledged once");
        assert_eq!((report.broadcasts, report.missed_broadcasts), (3, 0), "every atelier heard every broadcast");
        assert_eq!(report.per_broadcast.len(), 3);
        assert!(report.per_broadcast.iter().all(|figure| figure.received == 20), "{:?}", report.per_broadcast);
        assert!(report.ack_ms.is_some() && report.last_socket_ms.is_some());
    }
}

#[tokio::test]
async fn under_guest_floods_and_code_guessing_real_participants_still_join_and_hear_everything() {
    // The server's own limits, as shipped (the other tests lift the per-address ones).
    let server = TestServer::start_with(|config| {
        let shipped = amphi::config::Config::load(None).unwrap().limits;
        config.limits.guest_join_burst_per_address = shipped.guest_join_burst_per_address;
        config.limits.guest_join_burst_per_room = shipped.guest_join_burst_per_room;
        config.limits.failed_join_codes_per_address = shipped.failed_join_codes_per_address;
    })
    .await;
    let options = Options { source_ips: Vec::new(), ..options(&server, Scenario::Abuse, Format::Json) };
    let report = amphi_load::run(&options).await.expect("the run completes");
    assert_eq!(report.errors_total, 0, "{:?}", report.errors);
    assert_eq!(report.connected, 20, "every real participant joined");
    assert_eq!(report.missed_broadcasts, 0, "and heard every announcement");
    let abuse = report.abuse.expect("the attacker's figures");
    assert_eq!(abuse.guest_floods, 300);
    let admitted = abuse.guest_outcomes.get("admitted").copied().unwrap_or(0);
    assert!(admitted <= 100 + 10, "one address gets its burst, then waits: {:?}", abuse.guest_outcomes);
    assert!(abuse.guest_outcomes.get("rate_limited").copied().unwrap_or(0) > 0, "{:?}", abuse.guest_outcomes);
    assert!(
        abuse.guess_outcomes.get("rate_limited").copied().unwrap_or(0) > 0,
        "guessing is locked out: {:?}",
        abuse.guess_outcomes
    );
    assert_eq!(abuse.oversized_frame.as_deref(), Some("frame_too_large"));
}
