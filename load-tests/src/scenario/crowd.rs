//! The participants of `idle`, `broadcast` and `rooms`, and the run these
//! share. Participant i joins room i mod M and listens, recording every
//! announcement of its room, until it is told how many each room sent and
//! has the last. Under `--processes N` this process holds every N-th
//! participant and its copies the others ([`crate::shard`]); their tallies
//! merge into one report.

use std::time::{Duration, Instant};

use amphi_protocol::ServerMessage;
use amphi_protocol::server::EventBody;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::tally::{Seen, Tally};
use super::{
    GRACE, Room, ServerWatch, broadcast_number, classify, collect, create_room, join_as_guest, join_deadline, lost,
    new_report, start_participants,
};
use crate::client::{Conn, now_ms};
use crate::options::{Layout, Options};
use crate::report::Report;
use crate::shard::{Shard, Shards};

/// Per room, how many announcements it sent; `None` until known.
pub type Sent = watch::Receiver<Option<Vec<usize>>>;

/// This process's participants, joined and listening.
pub struct Crowd {
    tasks: Vec<JoinHandle<Seen>>,
    sent: watch::Sender<Option<Vec<usize>>>,
    stop: watch::Sender<bool>,
}

impl Crowd {
    /// Connects this process's share of the participants (`shard`) at the
    /// ramp rate, each to its room, and waits for their handshakes.
    pub async fn join(options: &Options, rooms: &[Room], shard: Shard) -> Crowd {
        let (sent, sent_known) = watch::channel(None);
        let (stop, stopped) = watch::channel(false);
        let (tasks, _, _) = start_participants(options, shard, Instant::now(), |i, ready| {
            let room = i % rooms.len();
            let (options, code, room_id) = (options.clone(), rooms[room].code.clone(), rooms[room].id.clone());
            let (mut sent_known, mut stopped) = (sent_known.clone(), stopped.clone());
            async move {
                let mut seen = Seen::new(room, options.broadcasts);
                match join_as_guest(&options, i, &code).await {
                    Ok((mut conn, _, _)) => {
                        seen.joined = true;
                        let _ = ready.send(Ok(())).await;
                        listen(&mut conn, &room_id, &mut sent_known, &mut stopped, &mut seen).await;
                    }
                    Err(error) => {
                        let kind = classify(&error.to_string());
                        seen.errors.push(kind.clone());
                        let _ = ready.send(Err(kind)).await;
                    }
                }
                seen
            }
        })
        .await;
        Crowd { tasks, sent, stop }
    }

    /// Tells the participants how many announcements each room sent, waits
    /// for them to have the last (at most [`GRACE`]), and tallies.
    pub async fn finish(self, sent: &[usize]) -> Tally {
        let _ = self.sent.send(Some(sent.to_vec()));
        let (seen, stuck) = collect(self.tasks, GRACE, &self.stop).await;
        let mut tally = Tally::of(&seen, sent);
        if stuck > 0 {
            *tally.errors.entry("stuck_participant".into()).or_default() += stuck;
        }
        tally
    }
}

/// Reads the announcements of `room_id` into `seen` until `sent` says how
/// many the room sent and the last has arrived, or `stop` fires. Checks
/// that they come once, in order, and from this room only.
pub async fn listen(
    conn: &mut Conn,
    room_id: &str,
    sent: &mut Sent,
    stop: &mut watch::Receiver<bool>,
    seen: &mut Seen,
) {
    let mut previous: Option<usize> = None;
    loop {
        let expected = sent.borrow_and_update().as_ref().map(|sent| sent[seen.room]);
        if expected.is_some_and(|count| count == 0 || seen.last.is_some_and(|last| last + 1 >= count)) {
            return;
        }
        let message = tokio::select! {
            message = conn.recv() => message,
            Ok(()) = sent.changed() => continue,
            _ = stop.wait_for(|stop| *stop) => return,
        };
        let (room, at, text) = match message {
            Ok(Some(ServerMessage::Event { room, at, event: EventBody::Announcement { announcement }, .. })) => {
                (room, at, announcement.text)
            }
            Ok(Some(_)) => continue,
            Ok(None) => return seen.errors.push(conn.close_error()),
            Err(error) => return seen.errors.push(lost(&error)),
        };
        let Some(n) = broadcast_number(&text).filter(|n| *n < seen.latency.len()) else {
            continue;
        };
        if room != room_id {
            seen.errors.push("wrong_room".into());
            continue;
        }
        if previous.is_some_and(|previous| n <= previous) {
            seen.errors.push(if Some(n) == previous { "duplicate_broadcast" } else { "out_of_order" }.into());
        }
        previous = Some(n);
        seen.last = seen.last.max(Some(n));
        if seen.latency[n].is_none() {
            seen.latency[n] = Some(now_ms() - at as f64);
        }
    }
}

/// The run `idle`, `broadcast` and `rooms` share: create the rooms, start
/// the other processes, join this process's participants, wait until every
/// process is ready, wait `settle`, read the server's memory, `drive` the
/// rooms (it returns how many announcements each sent), then finish in
/// every process and merge what all participants saw into the report.
pub async fn run(
    options: &Options,
    layout: &Layout,
    settle: Duration,
    drive: impl AsyncFnOnce(&[Room], &mut Report) -> Vec<usize>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let count = layout.room_count(options.scenario);
    let mut rooms = Vec::with_capacity(count);
    for _ in 0..count {
        rooms.push(create_room(options).await?);
    }
    let mut report = new_report(options, &rooms);
    report.processes = layout.processes.max(1);
    let watch = ServerWatch::start(options.server_pid);
    let mut shards = Shards::start(options, layout, &rooms).await?;
    let crowd = Crowd::join(options, &rooms, Shard::main(layout.processes)).await;
    shards.wait_ready(join_deadline(options, started), &mut report).await;
    tokio::time::sleep(settle).await;
    let idle = watch.now();
    let sent = drive(&rooms, &mut report).await;
    shards.finish(&sent, &mut report).await;
    let mut tally = crowd.finish(&sent).await;
    for theirs in shards.collect(&mut report).await {
        tally.merge(theirs);
    }
    tally.report_into(&mut report);
    watch.finish(idle, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// `idle`: N participants connect and stay for `--hold` seconds; the
/// server's memory is read before, once all are idle, and at its peak.
pub async fn idle(options: &Options, layout: &Layout) -> anyhow::Result<Report> {
    // Let the server settle (presence coalescing, allocator) before reading.
    let hold = Duration::from_secs(options.hold_s.max(1));
    run(options, layout, hold, async |rooms, _| vec![0; rooms.len()]).await
}
