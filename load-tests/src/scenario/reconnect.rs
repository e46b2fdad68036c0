//! `reconnect`: N participants drop at once, the trainer broadcasts while
//! they are away, then all resume at once; each must get exactly the
//! broadcasts it missed, once and in order. Measures the time from the
//! resume to each participant's `joined`.

use std::time::Instant;

use amphi_protocol::{Auth, ClientMessage, ServerMessage};
use anyhow::bail;
use tokio::sync::watch;

use super::crowd::listen;
use super::tally::{Seen, Tally};
use super::{
    GRACE, ServerWatch, announce, broadcast_text, classify, collect, create_room, endpoint, join_as_guest, new_report,
    start_participants, trainer,
};
use crate::client::{Conn, PATIENCE, now_ms};
use crate::options::Options;
use crate::report::{Percentiles, Report};
use crate::shard::Shard;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Joining,
    Drop,
    Resume,
}

pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let room = create_room(options).await?;
    let mut report = new_report(options, std::slice::from_ref(&room));
    let watch = ServerWatch::start(options.server_pid);
    let (phase, phases) = watch::channel(Phase::Joining);
    let (sent, sent_known) = watch::channel(None);
    let (stop, stopped) = watch::channel(false);
    let (tasks, mut dropped, joins) = start_participants(options, Shard::ALONE, started, |i, ready| {
        let (options, code, room_id) = (options.clone(), room.code.clone(), room.id.clone());
        let (mut phases, mut sent_known, mut stopped) = (phases.clone(), sent_known.clone(), stopped.clone());
        async move {
            let mut seen = Seen::new(0, options.broadcasts);
            let (conn, resume, seq) = match join_as_guest(&options, i, &code).await {
                Ok(joined) => joined,
                Err(error) => {
                    let kind = classify(&error.to_string());
                    seen.errors.push(kind.clone());
                    let _ = ready.send(Err(kind)).await;
                    return seen;
                }
            };
            seen.joined = true;
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
                    listen(&mut conn, &room_id, &mut sent_known, &mut stopped, &mut seen).await;
                }
                Err(error) => seen.errors.push(classify(&error.to_string())),
            }
            seen
        }
    })
    .await;
    let idle = watch.now();
    let mut trainer = trainer(options, &room).await?;
    let _ = phase.send(Phase::Drop);
    // Every participant that joined says when it has dropped.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    for _ in 0..joins.connected {
        if !matches!(tokio::time::timeout_at(deadline, dropped.recv()).await, Ok(Some(_))) {
            report.error("drop_timeout");
            break;
        }
    }
    // Everyone is offline: these broadcasts must come back on resume.
    let mut count = 0;
    for n in 0..options.broadcasts {
        if let Err(error) = announce(&mut trainer, &room.id, broadcast_text(n)).await {
            report.error(classify(&error.to_string()));
            break;
        }
        count += 1;
    }
    let _ = sent.send(Some(vec![count]));
    let resume_started = now_ms();
    let _ = phase.send(Phase::Resume);
    let (seen, stuck) = collect(tasks, GRACE * 3, &stop).await;
    report.add_errors("stuck_participant", stuck);
    let resumed: Vec<f64> = seen.iter().filter_map(|s| s.resumed_at).map(|at| at - resume_started).collect();
    report.reconnect_ms = Percentiles::of(&resumed);
    Tally::of(&seen, &[count]).report_into(&mut report);
    // Latencies of replayed broadcasts measure the outage, not delivery.
    report.broadcast_ms = None;
    report.last_socket_ms = None;
    report.per_broadcast.clear();
    watch.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn resume_guest(options: &Options, i: usize, token: &str, room: &str, seq: u64) -> anyhow::Result<Conn> {
    let (url, source) = endpoint(options, i);
    let mut conn = Conn::connect(&url, options.format, source).await?;
    conn.send(&ClientMessage::Hello {
        v: options.protocol,
        auth: Auth::Resume { token: token.into() },
        last_seq: [(room.to_string(), seq)].into(),
    })
    .await?;
    match conn.recv().await? {
        Some(ServerMessage::Welcome { .. }) => {}
        None => bail!("{}: expected welcome", conn.close_error()),
        other => bail!("expected welcome, got {other:?}"),
    }
    match conn.recv().await? {
        Some(ServerMessage::Joined { .. }) => Ok(conn),
        None => bail!("{}: expected joined", conn.close_error()),
        other => bail!("expected joined, got {other:?}"),
    }
}
