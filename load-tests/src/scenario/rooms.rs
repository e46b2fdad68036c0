//! `broadcast` and `rooms`: participants spread over M rooms (one for
//! `broadcast`, `--rooms` for `rooms`), and each room's trainer announces
//! `--broadcasts` times, `--interval-ms` apart, the rooms staggered over one
//! interval. Every participant must see each announcement of its room once,
//! in order, and none of another room. Measured per announcement: the time
//! from the server's stamp to the last participant of its room. An
//! announcement refused or unanswered (the trainer's own `rate_limited`
//! among others) stops every trainer: the run ends there, with the error.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{Room, announce, broadcast_text, classify, crowd, trainer};
use crate::client::Conn;
use crate::options::{Layout, Options};
use crate::report::Report;

pub async fn run(options: &Options, layout: &Layout) -> anyhow::Result<Report> {
    crowd::run(options, layout, Duration::ZERO, async |rooms, report| announce_everywhere(options, rooms, report).await)
        .await
}

/// Connects every room's trainer, then has them all announce. Returns, per
/// room, how many announcements were acknowledged (numbers `0..n`).
pub(crate) async fn announce_everywhere(options: &Options, rooms: &[Room], report: &mut Report) -> Vec<usize> {
    let mut trainers = Vec::with_capacity(rooms.len());
    for room in rooms {
        match trainer(options, room).await {
            Ok(conn) => trainers.push(Some(conn)),
            Err(error) => {
                report.error(classify(&error.to_string()));
                trainers.push(None);
            }
        }
    }
    // Let the joins' presence updates pass before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let halt = Arc::new(watch::Sender::new(false));
    let interval = Duration::from_millis(options.interval_ms);
    let mut tasks = Vec::with_capacity(rooms.len());
    for (r, (room, conn)) in rooms.iter().zip(trainers).enumerate() {
        let offset = interval.mul_f64(r as f64 / rooms.len() as f64);
        let (room, count, halt) = (room.id.clone(), options.broadcasts, Arc::clone(&halt));
        tasks.push(tokio::spawn(async move {
            match conn {
                Some(mut conn) => announce_in(&mut conn, &room, count, offset, interval, &halt).await,
                None => (0, None),
            }
        }));
    }
    let mut sent = Vec::with_capacity(rooms.len());
    for task in tasks {
        let (count, error) = task.await.unwrap_or((0, Some("trainer_panicked".into())));
        sent.push(count);
        if let Some(error) = error {
            report.error(error);
        }
    }
    sent
}

/// One room's trainer: `count` announcements `interval` apart, the first
/// after `offset`, until one fails or another room's did (`halt`). Returns
/// how many were acknowledged, and the error that stopped them.
async fn announce_in(
    trainer: &mut Conn,
    room: &str,
    count: usize,
    offset: Duration,
    interval: Duration,
    halt: &watch::Sender<bool>,
) -> (usize, Option<String>) {
    let mut halted = halt.subscribe();
    if pause(offset, &mut halted).await {
        return (0, None);
    }
    for n in 0..count {
        if let Err(error) = announce(trainer, room, broadcast_text(n)).await {
            halt.send_replace(true);
            return (n, Some(classify(&error.to_string())));
        }
        if n + 1 < count && pause(interval, &mut halted).await {
            return (n + 1, None);
        }
    }
    (count, None)
}

/// Sleeps for `duration`; `true` if halted meanwhile.
async fn pause(duration: Duration, halted: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        biased;
        _ = halted.wait_for(|halt| *halt) => true,
        () = tokio::time::sleep(duration) => false,
    }
}
