//! `board`: N participants post to one board at a total rate (`--rate`
//! posts per second) until `--posts` posts are made, then a late joiner
//! loads the whole board (snapshot and pages). Checks that every post is
//! acknowledged once and reaches every participant; measures the
//! acknowledgement (after commit), the delivery of each post and the late
//! joiner's load.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use amphi_protocol::board::{BoardCommand, BoardEvent, PostContent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{ClientMessage, ServerMessage};
use anyhow::bail;
use serde_json::json;
use tokio::sync::watch;

use super::{
    GRACE, Room, ServerWatch, classify, collect, create_room_with, join_as_guest, lost, new_report, start_participants,
};
use crate::client::{Conn, PATIENCE, now_ms};
use crate::options::Options;
use crate::report::{Percentiles, Report};
use crate::shard::Shard;

/// What one participant did and saw.
#[derive(Default)]
struct Posted {
    sent: u64,
    acked: u64,
    ack_ms: Vec<f64>,
    /// Post ids seen, and when each arrived after the server's stamp.
    seen: HashSet<String>,
    delivery_ms: Vec<(String, f64)>,
    errors: Vec<String>,
}

pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let body = json!({
        "title": "amphi-load board",
        "kind": "board",
        "board": { "sections": ["Idées", "Questions", "Ressources"] },
    });
    let room = create_room_with(options, body).await?;
    let mut report = new_report(options, std::slice::from_ref(&room));
    let memory = ServerWatch::start(options.server_pid);
    let participants = options.participants.max(1);
    let total = options.posts;
    let (go, going) = watch::channel(false);
    let (stop, stopped) = watch::channel(false);
    let (tasks, _, joins) = start_participants(options, Shard::ALONE, started, |i, ready| {
        let (options, code, room_id) = (options.clone(), room.code.clone(), room.id.clone());
        let (mut going, mut stopped) = (going.clone(), stopped.clone());
        async move {
            let mut posted = Posted::default();
            match join_as_guest(&options, i, &code).await {
                Ok((mut conn, _, _)) => {
                    let _ = ready.send(Ok(())).await;
                    // Posts i, i + N, i + 2N... of the whole run, at the total rate.
                    let mine: Vec<usize> = (i..total).step_by(participants).collect();
                    let _ = going.wait_for(|go| *go).await;
                    tokio::select! {
                        () = participate(&mut conn, &options, &room_id, &mine, total, &mut posted) => {}
                        _ = stopped.wait_for(|stop| *stop) => posted.errors.push("unfinished".into()),
                    }
                }
                Err(error) => {
                    let _ = ready.send(Err(error.to_string())).await;
                }
            }
            posted
        }
    })
    .await;
    joins.count_into(&mut report);
    let idle = memory.now();
    let _ = go.send(true);
    let posting = Duration::from_secs_f64(total as f64 / f64::from(options.rate.max(1)));
    let (posted, stuck) = collect(tasks, posting + GRACE, &stop).await;
    report.add_errors("stuck_participant", stuck);
    match tokio::time::timeout(PATIENCE * 2, late_joiner(options, &room, total)).await {
        Ok(Ok(ms)) => report.late_join_ms = Some(ms),
        Ok(Err(error)) => report.error(classify(&error.to_string())),
        Err(_) => report.error("late_joiner_timeout"),
    }
    tally(&mut report, &posted, total);
    memory.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Posts this participant's share at its pace while reading every event.
async fn participate(
    conn: &mut Conn,
    options: &Options,
    room: &str,
    mine: &[usize],
    total: usize,
    posted: &mut Posted,
) {
    // Participant i posts at i / rate, then every N / rate: together, a
    // steady `rate` posts per second.
    let rate = f64::from(options.rate.max(1));
    let period = Duration::from_secs_f64(options.participants.max(1) as f64 / rate);
    let first = mine.first().map_or(0.0, |n| *n as f64 / rate);
    let start = tokio::time::Instant::now() + Duration::from_secs_f64(first);
    let mut next = 0;
    let mut pending: Vec<(String, f64)> = Vec::new();
    while posted.seen.len() < total || !pending.is_empty() || next < mine.len() {
        let due = start + period.mul_f64(next as f64);
        let message = tokio::select! {
            message = conn.recv() => message,
            () = tokio::time::sleep_until(due), if next < mine.len() => {
                let n = mine[next];
                next += 1;
                let id = conn.id();
                let content = PostContent {
                    title: format!("Post {n}"),
                    text: "Une idée à partager avec le groupe, sur deux lignes.\nLa suite.".into(),
                    ..PostContent::default()
                };
                let section = ["s1", "s2", "s3"][n % 3];
                let command = BoardCommand::Post { section: Some(section.into()), before: None, content };
                let message = ClientMessage::Board { id: id.clone(), room: room.into(), command: Box::new(command) };
                if conn.send(&message).await.is_err() {
                    return posted.errors.push("connection_failed".into());
                }
                posted.sent += 1;
                pending.push((id, now_ms()));
                continue;
            }
        };
        match message {
            Ok(Some(ServerMessage::Event {
                at,
                event: EventBody::Board { event: BoardEvent::PostAdded { post } },
                ..
            })) => {
                if !posted.seen.insert(post.id.clone()) {
                    posted.errors.push("duplicate_post".into());
                }
                posted.delivery_ms.push((post.id, now_ms() - at as f64));
            }
            Ok(Some(ServerMessage::Ack { id })) => {
                if let Some(at) = pending.iter().position(|(sent, _)| *sent == id) {
                    let (_, sent_at) = pending.swap_remove(at);
                    posted.acked += 1;
                    posted.ack_ms.push(now_ms() - sent_at);
                }
            }
            Ok(Some(ServerMessage::Error { id: Some(id), code, .. })) => {
                pending.retain(|(sent, _)| *sent != id);
                posted.errors.push(code.to_string());
            }
            Ok(Some(_)) => {}
            Ok(None) => return posted.errors.push(conn.close_error()),
            Err(error) => return posted.errors.push(lost(&error)),
        }
    }
}

/// A participant who arrives once everything is posted: the time to have
/// the whole board (snapshot, then `load_more` pages).
async fn late_joiner(options: &Options, room: &Room, total: usize) -> anyhow::Result<f64> {
    let started = now_ms();
    let (mut conn, _, _) = join_as_guest(options, options.participants, &room.code).await?;
    // `join_as_guest` read `joined` without keeping it: join again for the
    // snapshot (a join restarts the view with a fresh one).
    let id = conn.id();
    conn.send(&ClientMessage::Join { id, room: Some(room.id.clone()), code: None }).await?;
    let mut snapshot = None;
    while snapshot.is_none() {
        match conn.recv().await? {
            Some(ServerMessage::Joined { snapshot: Some(s), .. }) => snapshot = s.board,
            Some(_) => {}
            None => bail!("{}: while loading the board", conn.close_error()),
        }
    }
    let board = snapshot.ok_or_else(|| anyhow::anyhow!("no board in the snapshot"))?;
    let mut count = board.posts.len();
    let mut cursor = board.next;
    while let Some(next) = cursor {
        let id = conn.id();
        let command = Box::new(BoardCommand::LoadMore { cursor: next });
        conn.send(&ClientMessage::Board { id: id.clone(), room: room.id.clone(), command }).await?;
        cursor = loop {
            match conn.recv().await? {
                Some(ServerMessage::BoardPage { id: got, page, .. }) if got == id => {
                    count += page.posts.len();
                    break page.next;
                }
                Some(_) => {}
                None => bail!("{}: while loading the board", conn.close_error()),
            }
        };
    }
    if count != total {
        bail!("late_joiner_missed_posts");
    }
    Ok(now_ms() - started)
}

fn tally(report: &mut Report, posted: &[Posted], total: usize) {
    let mut acks = Vec::new();
    let mut deliveries = Vec::new();
    let mut last_by_post: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    for p in posted {
        report.posts_sent += p.sent;
        report.posts_acked += p.acked;
        acks.extend(&p.ack_ms);
        for (post, ms) in &p.delivery_ms {
            deliveries.push(*ms);
            let last = last_by_post.entry(post.clone()).or_insert(f64::MIN);
            *last = last.max(*ms);
        }
        report.missed_broadcasts += total.saturating_sub(p.seen.len()) as u64;
        for error in &p.errors {
            report.error(error.clone());
        }
    }
    report.broadcasts = total;
    if report.missed_broadcasts > 0 {
        *report.errors.entry("missed_post".into()).or_default() += report.missed_broadcasts;
        report.errors_total += report.missed_broadcasts;
    }
    let unacked = report.posts_sent.saturating_sub(report.posts_acked);
    if unacked > 0 {
        *report.errors.entry("unacknowledged_post".into()).or_default() += unacked;
        report.errors_total += unacked;
    }
    report.ack_ms = Percentiles::of(&acks);
    report.broadcast_ms = Percentiles::of(&deliveries);
    let lasts: Vec<f64> = last_by_post.into_values().collect();
    report.last_socket_ms = Percentiles::of(&lasts);
}
