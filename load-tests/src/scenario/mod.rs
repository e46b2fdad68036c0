//! The scenarios. Each creates its rooms through the REST API with the
//! trainer token, connects its participants (round-robin over the URLs and
//! source addresses, at the ramp rate), drives the rooms, checks what every
//! participant saw, and reports. Every wait is bounded: what does not come
//! in time is a reported error, never a hang.

pub mod abuse;
pub mod board;
pub mod breakout;
pub mod crowd;
pub mod quiz;
pub mod reconnect;
pub mod rooms;
pub mod tally;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use amphi_protocol::{Auth, ClientMessage, ServerMessage};
use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::client::{self, Conn, PATIENCE};
use crate::options::Options;
use crate::report::{Report, Rss};
use crate::server;
use crate::shard::Shard;

/// How long participants wait for broadcasts once the trainer is done.
pub(crate) const GRACE: Duration = Duration::from_secs(10);

/// Text of broadcast number `i`.
fn broadcast_text(i: usize) -> String {
    format!("amphi-load #{i}")
}

fn broadcast_number(text: &str) -> Option<usize> {
    text.strip_prefix("amphi-load #")?.parse().ok()
}

/// A room of the run, as participants join it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Room {
    pub id: String,
    pub code: String,
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
        .timeout(PATIENCE)
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

/// Watches the server during a run: its RSS (sampled every 100 ms for the
/// peak), its CPU time, and the frames this process's connections receive.
struct ServerWatch {
    pid: Option<u32>,
    before: u64,
    cpu_before: Option<f64>,
    frames_before: u64,
    peak: Arc<AtomicU64>,
    stop: watch::Sender<bool>,
}

impl ServerWatch {
    fn start(pid: Option<u32>) -> ServerWatch {
        let before = pid.and_then(server::rss_bytes).unwrap_or(0);
        let cpu_before = pid.and_then(server::cpu_seconds);
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
        ServerWatch { pid, before, cpu_before, frames_before: client::frames_received(), peak, stop }
    }

    fn now(&self) -> Option<u64> {
        self.pid.and_then(server::rss_bytes)
    }

    /// Writes memory, CPU and CPU per frame; `report.connected` and the
    /// frames of other processes must be in the report already.
    fn finish(self, idle: Option<u64>, report: &mut Report) {
        let connections = report.connected;
        let _ = self.stop.send(true);
        report.frames_delivered += client::frames_received().saturating_sub(self.frames_before);
        let (Some(pid), Some(idle)) = (self.pid, idle) else {
            return;
        };
        let peak = self.peak.load(Ordering::Relaxed).max(idle);
        report.server_rss_bytes = Some(Rss { before: self.before, idle, peak });
        if connections > 0 {
            report.rss_per_connection_bytes = Some(idle.saturating_sub(self.before) / connections as u64);
        }
        report.server_cpu_s = server::cpu_seconds(pid);
        if let (Some(before), Some(after)) = (self.cpu_before, report.server_cpu_s)
            && report.frames_delivered > 0
        {
            report.server_cpu_us_per_frame = Some((after - before) * 1e6 / report.frames_delivered as f64);
        }
    }
}

/// Waits so that connection `i` starts at the ramp rate.
async fn pace(options: &Options, i: usize, start: Instant) {
    if options.ramp > 0 {
        let due = start + Duration::from_secs_f64(i as f64 / f64::from(options.ramp));
        tokio::time::sleep_until(due.into()).await;
    }
}

/// When every participant should have joined or failed: the ramp, then
/// time for a connection and a handshake.
fn join_deadline(options: &Options, start: Instant) -> tokio::time::Instant {
    let ramp = if options.ramp > 0 { options.participants as f64 / f64::from(options.ramp) } else { 0.0 };
    (start + Duration::from_secs_f64(ramp) + PATIENCE * 3).into()
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
        v: options.protocol,
        auth: Auth::JoinCode { code: code.into(), name: format!("p{i}") },
        last_seq: Default::default(),
    })
    .await?;
    let resume = match conn.recv().await? {
        Some(ServerMessage::Welcome { resume_token, .. }) => resume_token,
        Some(ServerMessage::Error { code, message, .. }) => bail!("{code}: {message}"),
        None => bail!("{}: expected welcome", conn.close_error()),
        other => bail!("expected welcome, got {other:?}"),
    };
    match conn.recv().await? {
        Some(ServerMessage::Joined { seq, .. }) => Ok((conn, resume, seq)),
        None => bail!("{}: expected joined", conn.close_error()),
        other => bail!("expected joined, got {other:?}"),
    }
}

/// The trainer, joined to the room.
async fn trainer(options: &Options, room: &Room) -> anyhow::Result<Conn> {
    let mut conn = Conn::connect(options.trainer_url(), options.format, None).await?;
    conn.send(&ClientMessage::Hello {
        v: options.protocol,
        auth: Auth::Token { token: options.token.clone() },
        last_seq: Default::default(),
    })
    .await?;
    conn.recv_until(|m| matches!(m, ServerMessage::Welcome { .. })).await?;
    let id = conn.id();
    conn.command(ClientMessage::Join { id, room: Some(room.id.clone()), code: None }).await?;
    Ok(conn)
}

async fn announce(trainer: &mut Conn, room: &str, text: String) -> anyhow::Result<()> {
    let id = trainer.id();
    trainer.command(ClientMessage::Announce { id, room: room.into(), text }).await
}

fn new_report(options: &Options, rooms: &[Room]) -> Report {
    Report {
        scenario: format!("{:?}", options.scenario).to_lowercase(),
        format: options.format.as_str().into(),
        protocol: options.protocol,
        participants: options.participants,
        rooms: rooms.len(),
        processes: 1,
        session_id: (rooms.len() == 1).then(|| rooms[0].id.clone()),
        ..Report::default()
    }
}

/// A participant task's way to report its handshake: `Ok` once joined, or
/// why it could not.
type Ready = mpsc::Sender<Result<(), String>>;

/// How the participants' handshakes went.
struct Joins {
    connected: usize,
    failures: Vec<String>,
}

impl Joins {
    fn count_into(self, report: &mut Report) {
        report.connected += self.connected;
        for failure in self.failures {
            report.error(failure);
        }
    }
}

/// Spawns `body(i, ready)` for this process's share of the participants
/// (`shard`) at the ramp rate, then waits for their handshakes (until
/// [`join_deadline`]). Returns the tasks, the channel, which later phases
/// may reuse, and how the handshakes went.
async fn start_participants<T, Fut>(
    options: &Options,
    shard: Shard,
    started: Instant,
    body: impl Fn(usize, Ready) -> Fut,
) -> (Vec<JoinHandle<T>>, mpsc::Receiver<Result<(), String>>, Joins)
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mine: Vec<usize> = shard.participants(options.participants).collect();
    // Room for every report: a participant never waits to say it is ready
    // (it must keep reading its socket).
    let (ready, mut readies) = mpsc::channel(mine.len().max(1) * 2);
    let mut tasks = Vec::with_capacity(mine.len());
    for &i in &mine {
        pace(options, i, started).await;
        tasks.push(tokio::spawn(body(i, ready.clone())));
    }
    drop(ready);
    let deadline = join_deadline(options, started);
    let mut joins = Joins { connected: 0, failures: Vec::new() };
    for waiting in (1..=mine.len()).rev() {
        match tokio::time::timeout_at(deadline, readies.recv()).await {
            Ok(Some(Ok(()))) => joins.connected += 1,
            Ok(Some(Err(error))) => joins.failures.push(classify(&error)),
            Ok(None) => break,
            Err(_) => {
                joins.failures.extend(std::iter::repeat_n("join_timeout".to_string(), waiting));
                break;
            }
        }
    }
    (tasks, readies, joins)
}

/// Waits for every participant's observations; after `grace`, tells the
/// stragglers to stop and report what they saw. One that has not stopped
/// [`PATIENCE`] later is given up (its observations are lost); returns how
/// many were, for the report.
async fn collect<T: Default>(tasks: Vec<JoinHandle<T>>, grace: Duration, stop: &watch::Sender<bool>) -> (Vec<T>, u64) {
    let deadline = tokio::time::Instant::now() + grace;
    let mut seen = Vec::with_capacity(tasks.len());
    let mut stuck = 0;
    for mut task in tasks {
        let result = tokio::select! {
            result = &mut task => result,
            () = tokio::time::sleep_until(deadline) => {
                let _ = stop.send(true);
                match tokio::time::timeout_at(deadline + PATIENCE, &mut task).await {
                    Ok(result) => result,
                    Err(_) => {
                        task.abort();
                        stuck += 1;
                        Ok(T::default())
                    }
                }
            }
        };
        seen.push(result.unwrap_or_default());
    }
    let _ = stop.send(true);
    (seen, stuck)
}

/// The error kind at the head of `error` (`rate_limited: …`,
/// `closed_by_server_4029: …`), if it has one.
fn kind_of(error: &str) -> Option<&str> {
    let kind = error.split(':').next().unwrap_or(error).trim();
    let valid = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then_some(kind)
}

/// A short error kind for the report, for a failure while connecting.
fn classify(error: &str) -> String {
    match kind_of(error) {
        Some(kind) => kind.into(),
        None if error.contains("onnect") => "connect_failed".into(),
        None => "handshake_failed".into(),
    }
}

/// A short error kind for the report, for a connection lost while reading.
fn lost(error: &anyhow::Error) -> String {
    kind_of(&error.to_string()).unwrap_or("connection_failed").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds() {
        assert_eq!(classify("rate_limited: too many messages: slow down"), "rate_limited");
        assert_eq!(classify("closed_by_server_4029: while waiting for an ack"), "closed_by_server_4029");
        assert_eq!(classify("connecting to 127.0.0.1:1"), "connect_failed");
        assert_eq!(classify("expected welcome, got None"), "handshake_failed");
        assert_eq!(lost(&anyhow!("IO error: Connection reset by peer")), "connection_failed");
        assert_eq!(lost(&anyhow!("no_message: nothing for 30s")), "no_message");
    }
}
