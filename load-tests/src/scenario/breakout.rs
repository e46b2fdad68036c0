//! `breakout`: one facilitator and N participants in G ateliers
//! (`--groups`). The facilitator distributes the participants (balanced),
//! opens every atelier, waits for each participant's production (every
//! participant hands one in after a random think time, up to `--think-ms`,
//! once its atelier opens), broadcasts
//! `--broadcasts` messages to all ateliers `--interval-ms` apart, closes the
//! ateliers and publishes every production to the plenary. Checked: each
//! participant is told its atelier and sizes differ by at most one, sees its
//! atelier open, gets every broadcast once and in order, has its production
//! acknowledged once, and sees the productions published with its own
//! atelier's among them. Measured: the productions' acknowledgements
//! (`ack_ms`) and, per broadcast, the time from the server's stamp to each
//! participant (`broadcast_ms`) and to the last (`last_socket_ms`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use amphi_protocol::breakout::{BreakoutCommand, BreakoutEvent, ProductionContent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{ClientMessage, ServerMessage};
use anyhow::bail;
use serde_json::json;
use tokio::sync::watch;

use super::{
    GRACE, Room, ServerWatch, broadcast_number, broadcast_text, classify, collect, create_room_with, join_as_guest,
    lost, new_report, start_participants, trainer,
};
use crate::client::{Conn, PATIENCE, now_ms};
use crate::options::Options;
use crate::report::{BroadcastFigure, Percentiles, Report};
use crate::shard::Shard;

/// What one participant saw and measured.
#[derive(Default)]
struct Member {
    joined: bool,
    atelier: Option<String>,
    opened: bool,
    /// Per broadcast number: from the server's stamp to this participant.
    latency: Vec<Option<f64>>,
    production_sent: bool,
    production_ack_ms: Option<f64>,
    published_mine: bool,
    errors: Vec<String>,
}

/// The room's plan: `groups` ateliers, balanced, open for an hour.
fn definition(groups: usize) -> serde_json::Value {
    let ateliers: Vec<_> = (1..=groups)
        .map(|g| {
            json!({
                "id": format!("g{g}"),
                "name": format!("Atelier {g}"),
                "duration_s": 3600,
                "instructions": "Échangez puis rendez une production.",
            })
        })
        .collect();
    json!({ "title": "amphi-load", "plan": { "mode": "balanced", "ateliers": ateliers } })
}

pub async fn run(options: &Options) -> anyhow::Result<Report> {
    if options.groups == 0 || options.groups > 50 {
        bail!("--groups must be 1 to 50 (ateliers in a plan)");
    }
    let started = Instant::now();
    let body = json!({ "title": "amphi-load ateliers", "kind": "breakout", "breakout": definition(options.groups) });
    let room = create_room_with(options, body).await?;
    let mut report = new_report(options, std::slice::from_ref(&room));
    let memory = ServerWatch::start(options.server_pid);
    let (stop, stopped) = watch::channel(false);
    let (tasks, _, joins) = start_participants(options, Shard::ALONE, started, |i, ready| {
        let (options, code, room_id, mut stopped) =
            (options.clone(), room.code.clone(), room.id.clone(), stopped.clone());
        async move {
            let mut member = Member { latency: vec![None; options.broadcasts], ..Member::default() };
            match join_as_guest(&options, i, &code).await {
                Ok((mut conn, _, _)) => {
                    member.joined = true;
                    let _ = ready.send(Ok(())).await;
                    tokio::select! {
                        () = take_part(&mut conn, i, &room_id, options.think_ms, &mut member) => {}
                        _ = stopped.wait_for(|stop| *stop) => member.errors.push("unfinished".into()),
                    }
                }
                Err(error) => {
                    let _ = ready.send(Err(classify(&error.to_string()))).await;
                }
            }
            member
        }
    })
    .await;
    let connected = joins.connected;
    joins.count_into(&mut report);
    let idle = memory.now();
    let sent = match trainer(options, &room).await {
        Ok(mut facilitator) => drive(&mut facilitator, &room, options, connected, &mut report).await,
        Err(error) => {
            report.error(classify(&error.to_string()));
            0
        }
    };
    report.broadcasts = sent;
    let (members, stuck) = collect(tasks, GRACE, &stop).await;
    report.add_errors("stuck_participant", stuck);
    tally(&mut report, &members, sent, options.groups);
    memory.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// A participant's session: learn its atelier, hand in a production once
/// it has opened and `think_ms` (at most) has passed, read the broadcasts,
/// until the productions are published.
async fn take_part(conn: &mut Conn, i: usize, room: &str, think_ms: u64, member: &mut Member) {
    let mut pending: Option<(String, f64)> = None;
    let mut previous: Option<usize> = None;
    let think = Duration::from_millis(spread(i as u64, think_ms));
    let mut write_at: Option<tokio::time::Instant> = None;
    loop {
        let due = async {
            match write_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let received = tokio::select! {
            received = conn.recv() => received,
            () = due => {
                write_at = None;
                let id = conn.id();
                let content = ProductionContent { text: Some(format!("Production de p{i}")), ..Default::default() };
                let command = Box::new(BreakoutCommand::SubmitProduction { content });
                let sent_at = now_ms();
                if let Err(error) = conn.send(&ClientMessage::Breakout { id: id.clone(), room: room.into(), command }).await {
                    return member.errors.push(lost(&error));
                }
                pending = Some((id, sent_at));
                continue;
            }
        };
        let message = match received {
            Ok(Some(message)) => message,
            Ok(None) => return member.errors.push(conn.close_error()),
            Err(error) => return member.errors.push(lost(&error)),
        };
        let event = match message {
            ServerMessage::Ack { id } if pending.as_ref().is_some_and(|(sent, _)| *sent == id) => {
                let (_, sent_at) = pending.take().unwrap_or_default();
                member.production_ack_ms = Some(now_ms() - sent_at);
                continue;
            }
            ServerMessage::Error { id: Some(id), code, .. }
                if pending.as_ref().is_some_and(|(sent, _)| *sent == id) =>
            {
                pending = None;
                member.errors.push(code.to_string());
                continue;
            }
            ServerMessage::Event { event: EventBody::Breakout { event }, .. } => event,
            _ => continue,
        };
        match event {
            BreakoutEvent::Assignment { atelier: Some(view) } => member.atelier = Some(view.atelier.id.clone()),
            BreakoutEvent::Opened { atelier, .. } if member.atelier.as_ref() == Some(&atelier) => {
                member.opened = true;
                if !member.production_sent {
                    member.production_sent = true;
                    write_at = Some(tokio::time::Instant::now() + think);
                }
            }
            BreakoutEvent::Broadcast { broadcast } => {
                let Some(n) = broadcast_number(&broadcast.text).filter(|n| *n < member.latency.len()) else {
                    continue;
                };
                if previous.is_some_and(|previous| n <= previous) {
                    member.errors.push(if Some(n) == previous { "duplicate_broadcast" } else { "out_of_order" }.into());
                }
                previous = Some(n);
                member.latency[n].get_or_insert(now_ms() - broadcast.at as f64);
            }
            BreakoutEvent::Published { productions } => {
                member.published_mine = productions.iter().any(|p| Some(&p.atelier) == member.atelier.as_ref());
                if pending.is_some() {
                    member.errors.push("unacknowledged_production".into());
                }
                return;
            }
            _ => {}
        }
    }
}

/// Participant `i`'s think time, spread over `0..max_ms` (deterministic).
fn spread(i: u64, max_ms: u64) -> u64 {
    if max_ms == 0 { 0 } else { i.wrapping_mul(2654435761) % max_ms }
}

/// The facilitator's run; returns how many broadcasts were acknowledged.
/// What fails is counted into the report and ends the run.
async fn drive(facilitator: &mut Conn, room: &Room, options: &Options, expected: usize, report: &mut Report) -> usize {
    let mut leader = Leader { conn: facilitator, room: room.id.clone(), productions: 0 };
    let mut sent = 0;
    let outcome = async {
        leader.command(BreakoutCommand::Distribute).await?;
        leader.command(BreakoutCommand::Open { ateliers: None }).await?;
        let missing = leader.wait_for_productions(expected).await?;
        if missing > 0 {
            report.add_errors("missing_production", missing as u64);
        }
        for n in 0..options.broadcasts {
            if n > 0 {
                tokio::time::sleep(Duration::from_millis(options.interval_ms)).await;
            }
            leader.command(BreakoutCommand::Broadcast { text: broadcast_text(n), atelier: None }).await?;
            sent += 1;
        }
        leader.command(BreakoutCommand::Close { atelier: None }).await?;
        leader.command(BreakoutCommand::Publish { atelier: None }).await
    }
    .await;
    if let Err(error) = outcome {
        report.error(classify(&error.to_string()));
    }
    sent
}

/// The facilitator's connection, counting the productions handed in (which
/// may arrive while it waits for an acknowledgement).
struct Leader<'a> {
    conn: &'a mut Conn,
    room: String,
    productions: usize,
}

impl Leader<'_> {
    /// Sends a breakout command and reads until its answer, for at most
    /// [`PATIENCE`].
    async fn command(&mut self, command: BreakoutCommand) -> anyhow::Result<()> {
        let id = self.conn.id();
        let message = ClientMessage::Breakout { id: id.clone(), room: self.room.clone(), command: Box::new(command) };
        self.conn.send(&message).await?;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let Ok(message) = tokio::time::timeout_at(deadline, self.conn.recv()).await else {
                bail!("no_ack: no answer within {PATIENCE:?}");
            };
            match message? {
                Some(ServerMessage::Ack { id: got }) if got == id => return Ok(()),
                Some(ServerMessage::Error { id: Some(got), code, message, .. }) if got == id => {
                    bail!("{code}: {message}")
                }
                Some(other) => self.count(&other),
                None => bail!("{}: while waiting for an ack", self.conn.close_error()),
            }
        }
    }

    /// Reads until `expected` productions were handed in, for at most
    /// [`GRACE`]; returns how many are missing.
    async fn wait_for_productions(&mut self, expected: usize) -> anyhow::Result<usize> {
        let deadline = tokio::time::Instant::now() + GRACE;
        while self.productions < expected {
            let Ok(message) = tokio::time::timeout_at(deadline, self.conn.recv()).await else {
                break;
            };
            match message? {
                Some(message) => self.count(&message),
                None => bail!("{}: while waiting for productions", self.conn.close_error()),
            }
        }
        Ok(expected.saturating_sub(self.productions))
    }

    fn count(&mut self, message: &ServerMessage) {
        if let ServerMessage::Event { event: EventBody::Breakout { event: BreakoutEvent::Production { .. } }, .. } =
            message
        {
            self.productions += 1;
        }
    }
}

fn tally(report: &mut Report, members: &[Member], sent: usize, groups: usize) {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut acks = Vec::new();
    let mut latencies = Vec::new();
    let mut last = vec![None::<f64>; sent];
    let mut received = vec![0u64; sent];
    let mut joined: u64 = 0;
    for member in members {
        for error in &member.errors {
            report.error(error.clone());
        }
        if !member.joined {
            continue;
        }
        joined += 1;
        match &member.atelier {
            Some(atelier) => *sizes.entry(atelier).or_default() += 1,
            None => report.error("unassigned"),
        }
        if !member.opened {
            report.error("missed_opening");
        }
        if member.production_sent {
            report.posts_sent += 1;
        }
        if let Some(ms) = member.production_ack_ms {
            report.posts_acked += 1;
            acks.push(ms);
        }
        if !member.published_mine {
            report.error("missed_publication");
        }
        for (n, latency) in member.latency.iter().take(sent).enumerate() {
            match latency {
                Some(ms) => {
                    received[n] += 1;
                    latencies.push(*ms);
                    last[n] = Some(last[n].map_or(*ms, |last: f64| last.max(*ms)));
                }
                None => report.missed_broadcasts += 1,
            }
        }
    }
    if report.missed_broadcasts > 0 {
        report.add_errors("missed_broadcast", report.missed_broadcasts);
    }
    let (smallest, largest) = (sizes.values().min().copied(), sizes.values().max().copied());
    if sizes.len() < groups.min(joined as usize) || largest.zip(smallest).is_some_and(|(l, s)| l - s > 1) {
        report.error("unbalanced");
    }
    report.per_broadcast = (0..sent)
        .map(|number| BroadcastFigure {
            room: 0,
            number,
            expected: joined,
            received: received[number],
            last_socket_ms: last[number],
        })
        .collect();
    report.ack_ms = Percentiles::of(&acks);
    report.broadcast_ms = Percentiles::of(&latencies);
    report.last_socket_ms = Percentiles::of(&last.into_iter().flatten().collect::<Vec<_>>());
}
