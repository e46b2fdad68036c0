//! What participants saw of the announcements, as a tally that merges
//! across processes (counts add up, latency samples are concatenated, an
//! announcement's slowest arrival is the slowest of all), and how it goes
//! into the report: every participant that joined a room must have seen
//! each announcement of that room once, in order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::report::{BroadcastFigure, Percentiles, Report};

/// What one participant saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Its room (an index into the run's rooms).
    pub room: usize,
    /// Whether it completed its handshake.
    pub joined: bool,
    /// Latency of each announcement by number (`None`: not received).
    pub latency: Vec<Option<f64>>,
    /// The highest announcement number received.
    pub last: Option<usize>,
    /// Correctness violations and failures, by kind.
    pub errors: Vec<String>,
    /// When `joined` arrived after a resume (ms since the epoch).
    pub resumed_at: Option<f64>,
}

impl Seen {
    pub fn new(room: usize, announcements: usize) -> Seen {
        Seen { room, latency: vec![None; announcements], ..Seen::default() }
    }
}

/// One announcement, over the participants of its room.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Arrivals {
    pub count: u64,
    /// The slowest arrival, from the server's stamp, in ms.
    pub last_ms: Option<f64>,
}

/// What the participants of one or more processes saw.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Per room: the participants that joined it.
    pub members: Vec<u64>,
    /// Per room, per announcement the room sent.
    pub arrivals: Vec<Vec<Arrivals>>,
    /// Every arrival's latency, in ms (rounded to the microsecond).
    pub latencies_ms: Vec<f64>,
    pub errors: BTreeMap<String, u64>,
    /// Data frames received by the processes merged in (the main process
    /// counts its own when it reads the server's CPU).
    pub frames: u64,
}

impl Tally {
    /// Tallies what participants saw; `sent[r]`: the announcements room
    /// `r` sent (numbers `0..sent[r]`; any later one is not counted).
    pub fn of(seen: &[Seen], sent: &[usize]) -> Tally {
        let mut tally = Tally {
            members: vec![0; sent.len()],
            arrivals: sent.iter().map(|count| vec![Arrivals::default(); *count]).collect(),
            ..Tally::default()
        };
        for s in seen {
            for error in &s.errors {
                *tally.errors.entry(error.clone()).or_default() += 1;
            }
            if !s.joined {
                continue;
            }
            tally.members[s.room] += 1;
            for (arrivals, ms) in tally.arrivals[s.room].iter_mut().zip(&s.latency) {
                if let Some(ms) = ms.map(|ms| (ms * 1000.0).round() / 1000.0) {
                    arrivals.count += 1;
                    arrivals.last_ms = Some(arrivals.last_ms.map_or(ms, |last| last.max(ms)));
                    tally.latencies_ms.push(ms);
                }
            }
        }
        tally
    }

    /// Adds another process's tally (of the same rooms and announcements).
    pub fn merge(&mut self, other: Tally) {
        for (mine, theirs) in self.members.iter_mut().zip(other.members) {
            *mine += theirs;
        }
        for (mine, theirs) in self.arrivals.iter_mut().flatten().zip(other.arrivals.into_iter().flatten()) {
            mine.count += theirs.count;
            mine.last_ms = match (mine.last_ms, theirs.last_ms) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        self.latencies_ms.extend(other.latencies_ms);
        for (kind, count) in other.errors {
            *self.errors.entry(kind).or_default() += count;
        }
        self.frames += other.frames;
    }

    /// Writes the connected count, the errors, the missed announcements
    /// (each one an error), the latencies and the per-announcement figures.
    pub fn report_into(self, report: &mut Report) {
        report.connected += self.members.iter().sum::<u64>() as usize;
        for (kind, count) in self.errors {
            report.add_errors(kind, count);
        }
        let mut lasts = Vec::new();
        let mut missed = 0;
        for (room, arrivals) in self.arrivals.iter().enumerate() {
            let expected = self.members[room];
            for (number, a) in arrivals.iter().enumerate() {
                missed += expected.saturating_sub(a.count);
                lasts.extend(a.last_ms);
                let figure = BroadcastFigure { room, number, expected, received: a.count, last_socket_ms: a.last_ms };
                report.per_broadcast.push(figure);
            }
        }
        report.broadcasts = self.arrivals.iter().map(Vec::len).sum();
        report.missed_broadcasts += missed;
        report.add_errors("missed_broadcast", missed);
        report.broadcast_ms = Percentiles::of(&self.latencies_ms);
        report.last_socket_ms = Percentiles::of(&lasts);
        report.frames_delivered += self.frames;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(room: usize, latency: &[Option<f64>]) -> Seen {
        Seen { room, joined: true, latency: latency.to_vec(), ..Seen::default() }
    }

    #[test]
    fn tallies_merge_into_one_report() {
        // Two rooms; room 0 sent 2 announcements, room 1 sent 1.
        let sent = [2, 1];
        let mut first = Tally::of(&[seen(0, &[Some(1.0), Some(4.0)]), seen(1, &[Some(2.0), None])], &sent);
        let mut failed = Seen::new(1, 2);
        failed.errors.push("connect_failed".into());
        let second = Tally::of(&[seen(0, &[Some(3.0), None]), failed], &sent);
        first.merge(second);
        let mut report = Report::default();
        first.report_into(&mut report);
        assert_eq!(report.connected, 3);
        assert_eq!(report.broadcasts, 3);
        assert_eq!(report.missed_broadcasts, 1, "room 0's second announcement missed once");
        assert_eq!(report.errors_total, 2);
        assert_eq!(report.errors["missed_broadcast"], 1);
        assert_eq!(report.errors["connect_failed"], 1);
        let figures: Vec<_> = report.per_broadcast.iter().map(|b| (b.room, b.number, b.expected, b.received)).collect();
        assert_eq!(figures, [(0, 0, 2, 2), (0, 1, 2, 1), (1, 0, 1, 1)]);
        assert_eq!(report.per_broadcast[0].last_socket_ms, Some(3.0), "the slowest of both processes");
        assert_eq!(report.broadcast_ms.unwrap().max, 4.0);
        assert_eq!(report.last_socket_ms.unwrap().p50, 3.0);
    }
}
