//! The scenarios. Each creates its room through the REST API with the
//! trainer token, connects its participants (round-robin over the URLs and
//! source addresses, at the ramp rate), drives the room, checks what every
//! participant saw, and reports.

pub mod board;
pub mod quiz;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use amphi_protocol::server::EventBody;
use amphi_protocol::{Auth, ClientMessage, ServerMessage};
use anyhow::{Context, anyhow, bail};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::client::{Conn, now_ms};
use crate::options::Options;
use crate::report::{Percentiles, Report, Rss};
use crate::server;

/// How long participants wait for broadcasts once the trainer is done.
const GRACE: Duration = Duration::from_secs(10);

/// Text of broadcast number `i`.
fn broadcast_text(i: usize) -> String {
    format!("amphi-load #{i}")
}

fn broadcast_number(text: &str) -> Option<usize> {
    text.strip_prefix("amphi-load #")?.parse().ok()
}

struct Room {
    id: String,
    code: String,
}

async fn create_room(options: &Options) -> anyhow::Result<Room> {
    create_room_with(options, serde_json::json!({ "title": format!("amphi-load {:?}", options.scenario) })).await
}

/// Creates a room from a REST body (`title`, and `kind`, `quiz`… for an
/// activity room).
async fn create_room_with(options: &Options, body: serde_json::Value) -> anyhow::Result<Room> {
    let url = format!("{}/api/v1/rooms", options.http_base());
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&options.token)
        .json(&body)
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        bail!("creating the room failed: {status} {body}");
    }
    let field = |name: &str| body[name].as_str().map(String::from).ok_or_else(|| anyhow!("no {name} in {body}"));
    Ok(Room { id: field("id")?, code: field("join_code")? })
}

/// Samples the server's RSS every 100 ms to find its peak.
struct MemoryWatch {
    pid: Option<u32>,
    before: u64,
    peak: Arc<AtomicU64>,
    stop: watch::Sender<bool>,
}

impl MemoryWatch {
    fn start(pid: Option<u32>) -> MemoryWatch {
        let before = pid.and_then(server::rss_bytes).unwrap_or(0);
        let peak = Arc::new(AtomicU64::new(before));
        let (stop, mut stopped) = watch::channel(false);
        if let Some(pid) = pid {
            let peak = Arc::clone(&peak);
            tokio::spawn(async move {
                loop {
                    if let Some(rss) = server::rss_bytes(pid) {
                        peak.fetch_max(rss, Ordering::Relaxed);
                    }
                    tokio::select! {
                        _ = stopped.changed() => return,
                        () = tokio::time::sleep(Duration::from_millis(100)) => {}
                    }
                }
            });
        }
        MemoryWatch { pid, before, peak, stop }
    }

    fn now(&self) -> Option<u64> {
        self.pid.and_then(server::rss_bytes)
    }

    fn finish(self, idle: Option<u64>, report: &mut Report) {
        let connections = report.connected;
        let _ = self.stop.send(true);
        let (Some(pid), Some(idle)) = (self.pid, idle) else {
            return;
        };
        let peak = self.peak.load(Ordering::Relaxed).max(idle);
        report.server_rss_bytes = Some(Rss { before: self.before, idle, peak });
        if connections > 0 {
            report.rss_per_connection_bytes = Some(idle.saturating_sub(self.before) / connections as u64);
        }
        report.server_cpu_s = server::cpu_seconds(pid);
    }
}

/// Waits so that connection `i` starts at the ramp rate.
async fn pace(options: &Options, i: usize, start: Instant) {
    if options.ramp > 0 {
        let due = start + Duration::from_secs_f64(i as f64 / f64::from(options.ramp));
        tokio::time::sleep_until(due.into()).await;
    }
}

/// Connection `i`'s URL and source address.
fn endpoint(options: &Options, i: usize) -> (String, Option<std::net::IpAddr>) {
    let url = options.urls[i % options.urls.len()].clone();
    let source = (!options.source_ips.is_empty()).then(|| options.source_ips[i % options.source_ips.len()]);
    (url, source)
}

/// A guest in `code`'s room, handshake done; returns the connection, its
/// resume token and the room's seq at join.
async fn join_as_guest(options: &Options, i: usize, code: &str) -> anyhow::Result<(Conn, String, u64)> {
    let (url, source) = endpoint(options, i);
    let mut conn = Conn::connect(&url, options.format, source).await?;
    conn.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::JoinCode { code: code.into(), name: format!("p{i}") },
        last_seq: Default::default(),
    })
    .await?;
    let resume = match conn.recv().await? {
        Some(ServerMessage::Welcome { resume_token, .. }) => resume_token,
        Some(ServerMessage::Error { code, message, .. }) => bail!("{code}: {message}"),
        other => bail!("expected welcome, got {other:?}"),
    };
    match conn.recv().await? {
        Some(ServerMessage::Joined { seq, .. }) => Ok((conn, resume, seq)),
        other => bail!("expected joined, got {other:?}"),
    }
}

/// The trainer, joined to the room.
async fn trainer(options: &Options, room: &Room) -> anyhow::Result<Conn> {
    let mut conn = Conn::connect(options.trainer_url(), options.format, None).await?;
    conn.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::Token { token: options.token.clone() },
        last_seq: Default::default(),
    })
    .await?;
    conn.recv_until(|m| matches!(m, ServerMessage::Welcome { .. })).await?;
    let id = conn.id();
    conn.command(ClientMessage::Join { id, room: Some(room.id.clone()), code: None }).await?;
    Ok(conn)
}

async fn announce(trainer: &mut Conn, room: &Room, text: String) -> anyhow::Result<()> {
    let id = trainer.id();
    trainer.command(ClientMessage::Announce { id, room: room.id.clone(), text }).await
}

fn new_report(options: &Options, room: &Room) -> Report {
    Report {
        scenario: format!("{:?}", options.scenario).to_lowercase(),
        format: options.format.as_str().into(),
        participants: options.participants,
        session_id: Some(room.id.clone()),
        ..Report::default()
    }
}

/// What one participant saw of the broadcasts.
#[derive(Default)]
struct Seen {
    /// Latency of each broadcast by number (`None`: not received).
    latency: Vec<Option<f64>>,
    errors: Vec<String>,
    /// When `joined` arrived after a resume (ms since the epoch).
    resumed_at: Option<f64>,
}

/// Reads broadcasts `from..to` until the last arrives or `stop` fires,
/// checking order and uniqueness.
async fn watch_broadcasts(conn: &mut Conn, from: usize, to: usize, stop: &mut watch::Receiver<bool>, seen: &mut Seen) {
    let mut last: Option<usize> = None;
    loop {
        let message = tokio::select! {
            message = conn.recv() => message,
            _ = stop.wait_for(|stop| *stop) => return,
        };
        let (at, text) = match message {
            Ok(Some(ServerMessage::Event { at, event: EventBody::Announcement { announcement }, .. })) => {
                (at, announcement.text)
            }
            Ok(Some(_)) => continue,
            Ok(None) => return seen.errors.push("closed_by_server".into()),
            Err(_) => return seen.errors.push("connection_failed".into()),
        };
        let Some(n) = broadcast_number(&text).filter(|n| (from..to).contains(n)) else {
            continue;
        };
        if last.is_some_and(|last| n <= last) {
            seen.errors.push(if Some(n) == last { "duplicate_broadcast" } else { "out_of_order" }.into());
        }
        last = Some(n);
        if seen.latency[n].is_none() {
            seen.latency[n] = Some(now_ms() - at as f64);
        }
        if n + 1 == to {
            return;
        }
    }
}

/// Folds participants' observations into the report.
fn tally(report: &mut Report, seen: &[Seen], broadcasts: std::ops::Range<usize>) {
    let mut deliveries = Vec::new();
    let mut last_socket = vec![f64::MIN; broadcasts.end];
    for s in seen {
        for error in &s.errors {
            report.error(error.clone());
        }
        for n in broadcasts.clone() {
            match s.latency.get(n).copied().flatten() {
                Some(ms) => {
                    deliveries.push(ms);
                    last_socket[n] = last_socket[n].max(ms);
                }
                None => report.missed_broadcasts += 1,
            }
        }
    }
    if report.missed_broadcasts > 0 {
        *report.errors.entry("missed_broadcast".into()).or_default() += report.missed_broadcasts;
        report.errors_total += report.missed_broadcasts;
    }
    report.broadcast_ms = Percentiles::of(&deliveries);
    let lasts: Vec<f64> = last_socket[broadcasts].iter().copied().filter(|v| *v > f64::MIN).collect();
    report.last_socket_ms = Percentiles::of(&lasts);
}

/// A participant task's way to report its handshake: `Ok` once joined, or
/// why it could not.
type Ready = mpsc::Sender<Result<(), String>>;

/// Spawns `body(i, ready)` for every participant at the ramp rate, then
/// counts their handshakes into the report. Returns the tasks and the
/// channel, which later phases may reuse.
async fn start_participants<T, Fut>(
    options: &Options,
    started: Instant,
    report: &mut Report,
    body: impl Fn(usize, Ready) -> Fut,
) -> (Vec<JoinHandle<T>>, mpsc::Receiver<Result<(), String>>)
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    // Room for every report: a participant never waits to say it is ready
    // (it must keep reading its socket).
    let (ready, mut readies) = mpsc::channel(options.participants.max(1) * 2);
    let mut tasks = Vec::with_capacity(options.participants);
    for i in 0..options.participants {
        pace(options, i, started).await;
        tasks.push(tokio::spawn(body(i, ready.clone())));
    }
    drop(ready);
    for _ in 0..options.participants {
        match readies.recv().await {
            Some(Ok(())) => report.connected += 1,
            Some(Err(error)) => report.error(classify(&error)),
            None => break,
        }
    }
    (tasks, readies)
}

/// `idle`: N participants connect and stay; the server's memory is read
/// before, once all are idle, and at its peak.
pub async fn idle(options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let room = create_room(options).await?;
    let mut report = new_report(options, &room);
    let memory = MemoryWatch::start(options.server_pid);
    let (stop, stopped) = watch::channel(false);
    let (tasks, _) = start_participants(options, started, &mut report, |i, ready| {
        let (options, code, mut stopped) = (options.clone(), room.code.clone(), stopped.clone());
        async move {
            let mut conn = match join_as_guest(&options, i, &code).await {
                Ok((conn, _, _)) => conn,
                Err(error) => {
                    let _ = ready.send(Err(error.to_string())).await;
                    return None;
                }
            };
            let _ = ready.send(Ok(())).await;
            // Keep reading: pings are answered while reading.
            loop {
                tokio::select! {
                    message = conn.recv() => if !matches!(message, Ok(Some(_))) {
                        return Some("dropped".to_string());
                    },
                    _ = stopped.wait_for(|stop| *stop) => return None,
                }
            }
        }
    })
    .await;
    // Let the server settle (presence coalescing, allocator) before reading.
    tokio::time::sleep(Duration::from_secs(options.hold_s.max(1))).await;
    let idle = memory.now();
    let _ = stop.send(true);
    for task in tasks {
        if let Ok(Some(error)) = task.await {
            report.error(error);
        }
    }
    memory.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// `broadcast`: one trainer announces B times to N participants; every
/// participant must see every broadcast once, in order.
pub async fn broadcast(options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let room = create_room(options).await?;
    let mut report = new_report(options, &room);
    report.broadcasts = options.broadcasts;
    let memory = MemoryWatch::start(options.server_pid);
    let (stop, stopped) = watch::channel(false);
    let (tasks, _) = start_participants(options, started, &mut report, |i, ready| {
        let (options, code, mut stopped) = (options.clone(), room.code.clone(), stopped.clone());
        async move {
            let mut seen = Seen { latency: vec![None; options.broadcasts], ..Seen::default() };
            match join_as_guest(&options, i, &code).await {
                Ok((mut conn, _, _)) => {
                    let _ = ready.send(Ok(())).await;
                    watch_broadcasts(&mut conn, 0, options.broadcasts, &mut stopped, &mut seen).await;
                }
                Err(error) => {
                    let _ = ready.send(Err(error.to_string())).await;
                }
            }
            seen
        }
    })
    .await;
    let idle = memory.now();
    let mut trainer = trainer(options, &room).await?;
    // Let the joins' presence updates pass before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for n in 0..options.broadcasts {
        if let Err(error) = announce(&mut trainer, &room, broadcast_text(n)).await {
            report.error(classify(&error.to_string()));
        }
        tokio::time::sleep(Duration::from_millis(options.interval_ms)).await;
    }
    let seen = collect(tasks, GRACE, &stop).await;
    tally(&mut report, &seen, 0..options.broadcasts);
    memory.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// `reconnect`: N participants drop at once while the trainer broadcasts,
/// then all resume at once; each must get exactly the broadcasts it missed.
pub async fn reconnect(options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let room = create_room(options).await?;
    let mut report = new_report(options, &room);
    report.broadcasts = options.broadcasts;
    let memory = MemoryWatch::start(options.server_pid);
    let (phase, phases) = watch::channel(Phase::Joining);
    let (stop, stopped) = watch::channel(false);
    let (tasks, mut dropped) = start_participants(options, started, &mut report, |i, ready| {
        let (options, code, room_id) = (options.clone(), room.code.clone(), room.id.clone());
        let (mut phases, mut stopped) = (phases.clone(), stopped.clone());
        async move {
            let mut seen = Seen { latency: vec![None; options.broadcasts], ..Seen::default() };
            let (conn, resume, seq) = match join_as_guest(&options, i, &code).await {
                Ok(joined) => joined,
                Err(error) => {
                    let _ = ready.send(Err(error.to_string())).await;
                    return seen;
                }
            };
            let _ = ready.send(Ok(())).await;
            if phases.wait_for(|p| *p == Phase::Drop).await.is_err() {
                return seen;
            }
            conn.drop_now().await;
            let _ = ready.send(Ok(())).await;
            if phases.wait_for(|p| *p == Phase::Resume).await.is_err() {
                return seen;
            }
            match resume_guest(&options, i, &resume, &room_id, seq).await {
                Ok(mut conn) => {
                    seen.resumed_at = Some(now_ms());
                    watch_broadcasts(&mut conn, 0, options.broadcasts, &mut stopped, &mut seen).await;
                }
                Err(error) => seen.errors.push(classify(&error.to_string())),
            }
            seen
        }
    })
    .await;
    let idle = memory.now();
    let mut trainer = trainer(options, &room).await?;
    let _ = phase.send(Phase::Drop);
    for _ in 0..report.connected {
        let _ = dropped.recv().await;
    }
    // Everyone is offline: these broadcasts must come back on resume.
    for n in 0..options.broadcasts {
        if let Err(error) = announce(&mut trainer, &room, broadcast_text(n)).await {
            report.error(classify(&error.to_string()));
        }
    }
    let resume_started = now_ms();
    let _ = phase.send(Phase::Resume);
    let seen = collect(tasks, GRACE * 3, &stop).await;
    let resumed: Vec<f64> = seen.iter().filter_map(|s| s.resumed_at).map(|at| at - resume_started).collect();
    report.reconnect_ms = Percentiles::of(&resumed);
    tally(&mut report, &seen, 0..options.broadcasts);
    // Latencies of replayed broadcasts measure the outage, not delivery.
    report.broadcast_ms = None;
    report.last_socket_ms = None;
    memory.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Waits for every participant's observations; after `grace`, tells the
/// stragglers to stop and report what they saw.
async fn collect<T: Default>(tasks: Vec<JoinHandle<T>>, grace: Duration, stop: &watch::Sender<bool>) -> Vec<T> {
    let deadline = tokio::time::Instant::now() + grace;
    let mut seen = Vec::with_capacity(tasks.len());
    for mut task in tasks {
        let result = tokio::select! {
            result = &mut task => result,
            () = tokio::time::sleep_until(deadline) => {
                let _ = stop.send(true);
                task.await
            }
        };
        seen.push(result.unwrap_or_default());
    }
    let _ = stop.send(true);
    seen
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Joining,
    Drop,
    Resume,
}

async fn resume_guest(options: &Options, i: usize, token: &str, room: &str, seq: u64) -> anyhow::Result<Conn> {
    let (url, source) = endpoint(options, i);
    let mut conn = Conn::connect(&url, options.format, source).await?;
    conn.send(&ClientMessage::Hello {
        v: 1,
        auth: Auth::Resume { token: token.into() },
        last_seq: [(room.to_string(), seq)].into(),
    })
    .await?;
    match conn.recv().await? {
        Some(ServerMessage::Welcome { .. }) => {}
        other => bail!("expected welcome, got {other:?}"),
    }
    match conn.recv().await? {
        Some(ServerMessage::Joined { .. }) => Ok(conn),
        other => bail!("expected joined, got {other:?}"),
    }
}

/// A short error kind for the report.
fn classify(error: &str) -> String {
    let kind = error.split(':').next().unwrap_or(error).trim();
    if kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !kind.is_empty() {
        kind.to_string()
    } else if error.contains("onnect") {
        "connect_failed".into()
    } else {
        "handshake_failed".into()
    }
}
