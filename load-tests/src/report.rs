//! The report of a run: a JSON document (field names are stable: scripts
//! read them) and a human summary.

use std::collections::BTreeMap;

use serde::Serialize;

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `samples` (`None` when empty).
    pub fn of(samples: &[f64]) -> Option<Percentiles> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        Some(Percentiles { p50: rank(0.50), p95: rank(0.95), p99: rank(0.99), max: sorted[sorted.len() - 1] })
    }
}

/// The server's resident memory at three moments.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Rss {
    /// Before the first connection.
    pub before: u64,
    /// With every connection open and idle.
    pub idle: u64,
    /// The highest seen during the run.
    pub peak: u64,
}

/// One announcement of `broadcast` or `rooms`: how many of its room's
/// participants got it, and when the last one did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BroadcastFigure {
    /// Its room, numbered from 0 in creation order.
    pub room: usize,
    /// Its number in its room, from 0.
    pub number: usize,
    /// The room's connected participants, who all should have got it.
    pub expected: u64,
    pub received: u64,
    /// From the server's stamp to the last participant receiving it.
    pub last_socket_ms: Option<f64>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub scenario: String,
    pub format: String,
    /// The protocol version the clients said in `hello`.
    pub protocol: u16,
    pub participants: usize,
    /// Rooms the participants were spread over.
    pub rooms: usize,
    /// Processes that held the participants' connections.
    pub processes: usize,
    /// Participants that completed their handshake.
    pub connected: usize,
    pub errors_total: u64,
    /// Errors by kind (a server error code, or the tool's own check).
    pub errors: BTreeMap<String, u64>,
    /// The room the run used.
    pub session_id: Option<String>,
    /// Broadcasts sent (`rooms`: acknowledged announcements, all rooms
    /// together), questions opened (`quiz`) or posts (`board`).
    pub broadcasts: usize,
    /// Broadcasts a participant should have seen and did not.
    pub missed_broadcasts: u64,
    /// From the server's stamp to each participant receiving each broadcast.
    pub broadcast_ms: Option<Percentiles>,
    /// Per broadcast, from the server's stamp to the last participant
    /// receiving it.
    pub last_socket_ms: Option<Percentiles>,
    /// `broadcast`, `rooms` and `breakout`: every broadcast, in rooms and
    /// then in order.
    pub per_broadcast: Vec<BroadcastFigure>,
    /// From the moment all participants dropped to each one's `joined`.
    pub reconnect_ms: Option<Percentiles>,
    pub server_rss_bytes: Option<Rss>,
    pub rss_per_connection_bytes: Option<u64>,
    pub server_cpu_s: Option<f64>,
    /// Data frames the tool's connections received (every process).
    pub frames_delivered: u64,
    /// Server CPU time during the run (`server_cpu_s` less what the server
    /// had used before the run's first connection), in microseconds, per
    /// frame delivered.
    pub server_cpu_us_per_frame: Option<f64>,
    pub duration_s: f64,
    pub answers_sent: u64,
    pub answers_acked: u64,
    /// From sending an answer (`quiz`), a post (`board`) or a production
    /// (`breakout`) to its acknowledgement.
    pub ack_ms: Option<Percentiles>,
    /// Posts (`board`) or productions (`breakout`).
    pub posts_sent: u64,
    pub posts_acked: u64,
    /// `board`: the time a participant arriving last takes to have the whole
    /// board (snapshot and pages).
    pub late_join_ms: Option<f64>,
    /// Acknowledged (durable) answers per second while questions were being
    /// answered: answers acked over the summed time, per question, from the
    /// first answer sent to the last acknowledgement.
    pub answers_per_s: Option<f64>,
    /// `abuse`: what the attacker tried and how the server answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abuse: Option<crate::scenario::abuse::AbuseFigures>,
}

impl Report {
    pub fn error(&mut self, kind: impl Into<String>) {
        self.add_errors(kind, 1);
    }

    pub fn add_errors(&mut self, kind: impl Into<String>, count: u64) {
        if count > 0 {
            *self.errors.entry(kind.into()).or_default() += count;
            self.errors_total += count;
        }
    }

    /// A few lines for people.
    pub fn summary(&self) -> String {
        let mut lines = vec![format!(
            "{} ({}): {}/{} connected, {} errors in {:.1} s",
            self.scenario, self.format, self.connected, self.participants, self.errors_total, self.duration_s
        )];
        if self.rooms > 1 || self.processes > 1 {
            lines.push(format!("rooms: {}, processes: {}", self.rooms, self.processes));
        }
        for (kind, count) in &self.errors {
            lines.push(format!("  error {kind}: {count}"));
        }
        if let Some(abuse) = &self.abuse {
            lines.push(format!(
                "attacker: {} guests {:?}, {} wrong codes {:?}, oversized frame: {}",
                abuse.guest_floods,
                abuse.guest_outcomes,
                abuse.code_guesses,
                abuse.guess_outcomes,
                abuse.oversized_frame.as_deref().unwrap_or("not sent")
            ));
        }
        let show = |name: &str, p: &Option<Percentiles>| {
            p.map(|p| format!("{name}: p50 {:.1} ms, p95 {:.1}, p99 {:.1}, max {:.1}", p.p50, p.p95, p.p99, p.max))
        };
        if self.broadcasts > 0 {
            lines.push(format!("broadcasts: {}, missed {}", self.broadcasts, self.missed_broadcasts));
        }
        lines.extend(show("last socket", &self.last_socket_ms));
        let timed = self.per_broadcast.iter().filter_map(|b| Some((b, b.last_socket_ms?)));
        if let Some((b, ms)) = timed.max_by(|x, y| x.1.total_cmp(&y.1)) {
            lines.push(format!("slowest broadcast: room {} #{}, last socket {ms:.1} ms", b.room, b.number));
        }
        lines.extend(show("every delivery", &self.broadcast_ms));
        lines.extend(show("reconnect", &self.reconnect_ms));
        if self.answers_sent > 0 {
            lines.push(format!("answers: {} sent, {} acknowledged", self.answers_sent, self.answers_acked));
        }
        lines.extend(show("acknowledgement", &self.ack_ms));
        if self.posts_sent > 0 {
            lines.push(format!("posts: {} sent, {} acknowledged", self.posts_sent, self.posts_acked));
        }
        if let Some(ms) = self.late_join_ms {
            lines.push(format!("late joiner has the whole board in {ms:.0} ms"));
        }
        if let Some(rate) = self.answers_per_s {
            lines.push(format!("durable answers: {rate:.0} per second while answering"));
        }
        if let Some(rss) = self.server_rss_bytes {
            lines.push(format!(
                "server RSS: before {:.1} MiB, idle {:.1} MiB, peak {:.1} MiB",
                rss.before as f64 / 1048576.0,
                rss.idle as f64 / 1048576.0,
                rss.peak as f64 / 1048576.0
            ));
        }
        if let Some(per) = self.rss_per_connection_bytes {
            lines.push(format!("RSS per connection: {:.2} KiB", per as f64 / 1024.0));
        }
        if let Some(cpu) = self.server_cpu_s {
            lines.push(format!("server CPU: {cpu:.2} s"));
        }
        if let Some(us) = self.server_cpu_us_per_frame {
            lines.push(format!("server CPU per frame: {us:.1} µs ({} frames delivered)", self.frames_delivered));
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = Percentiles::of(&samples).unwrap();
        assert_eq!((p.p50, p.p95, p.p99, p.max), (50.0, 95.0, 99.0, 100.0));
        assert_eq!(Percentiles::of(&[7.0]).unwrap().p99, 7.0);
        assert_eq!(Percentiles::of(&[]), None);
    }
}
