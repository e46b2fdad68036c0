//! What a run is asked to do.

use std::net::IpAddr;

use amphi_protocol::Format;
use serde::{Deserialize, Serialize};

use crate::shard::Launcher;

/// The scenarios this tool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// Hold N participant connections in one room; measure memory.
    Idle,
    /// One trainer announces to N participants in one room; measure the time
    /// from the server's stamp to the last socket.
    Broadcast,
    /// N participants spread over M rooms (`--rooms`), each room's trainer
    /// announcing; measure, per announcement, the time to the last socket of
    /// its room.
    Rooms,
    /// N participants drop at once and resume; measure the time to resume
    /// and check nothing was missed.
    Reconnect,
    /// One trainer runs a quiz of Q questions for N participants, who answer
    /// after a random think time; measure answer acknowledgements and
    /// question broadcasts.
    Quiz,
    /// N participants post to one board at a total rate; every post must be
    /// acknowledged and reach everyone; a late joiner loads the board.
    Board,
    /// One facilitator and N participants in G ateliers (`--groups`):
    /// distribute, open, productions handed in, broadcasts to every atelier,
    /// close, productions published to the plenary.
    Breakout,
    /// The floods of issue #17 (guests by the hundred, wrong codes, an
    /// oversized frame) against a live room while N participants join and
    /// listen to the trainer's announcements.
    Abuse,
}

/// A run's settings. The main process sends them to its other processes
/// (`--processes`), less the token, which only trainers use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Options {
    pub scenario: Scenario,
    /// WebSocket URLs (`ws://host:port/ws`); participants are spread over
    /// them round-robin.
    pub urls: Vec<String>,
    /// Where the room is created and the trainer connects (several nodes:
    /// the room's owner). `None`: the first of `urls`.
    pub trainer_url: Option<String>,
    pub participants: usize,
    #[serde(with = "format_name")]
    pub format: Format,
    /// The protocol version said in `hello` (2 folds the frames an answer's
    /// ack makes redundant; 1 gets them all).
    pub protocol: u16,
    /// A trainer token; the tool creates its room through the REST API.
    #[serde(skip)]
    pub token: String,
    /// The server's pid, to read its memory and CPU from `/proc`.
    pub server_pid: Option<u32>,
    /// Local addresses to connect from, round-robin (to pass the ~28k
    /// ephemeral ports of one address).
    pub source_ips: Vec<IpAddr>,
    /// New connections per second (0: as fast as possible).
    pub ramp: u32,
    /// Broadcasts sent by the `broadcast`, `reconnect` and `breakout`
    /// scenarios, and in each room by `rooms`.
    pub broadcasts: usize,
    /// Time between two broadcasts, in milliseconds.
    pub interval_ms: u64,
    /// How long the `idle` scenario holds the connections, in seconds.
    pub hold_s: u64,
    /// Questions of the `quiz` scenario.
    pub questions: usize,
    /// Longest think time before a participant answers, in milliseconds.
    pub think_ms: u64,
    /// The `quiz` scenario runs self-paced instead of trainer-paced.
    pub self_paced: bool,
    /// Posts of the `board` scenario, in all.
    pub posts: usize,
    /// Posts per second of the `board` scenario, in all.
    pub rate: u32,
    /// Ateliers of the `breakout` scenario.
    #[serde(default)]
    pub groups: usize,
    /// `abuse`: guest connections, and wrong codes, the attacker tries.
    #[serde(default)]
    pub floods: usize,
}

impl Options {
    /// The trainer's WebSocket URL.
    pub fn trainer_url(&self) -> &str {
        self.trainer_url.as_deref().unwrap_or(&self.urls[0])
    }

    /// The HTTP base URL of the trainer's node (for the REST API).
    pub fn http_base(&self) -> String {
        let url = self.trainer_url();
        let without_path = url.trim_end_matches("/ws");
        without_path.replacen("ws://", "http://", 1).replacen("wss://", "https://", 1)
    }
}

/// Where a run's participants go: over how many rooms, held by how many
/// processes.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Rooms of the `rooms` scenario (participant i joins room i mod M);
    /// the other scenarios use one.
    pub rooms: usize,
    /// Processes holding the participants' connections (`idle`,
    /// `broadcast`, `rooms`): this one and N - 1 copies, each with every
    /// N-th participant, to pass one process's file-descriptor limit.
    pub processes: usize,
    /// How this process starts its copies.
    pub launcher: Launcher,
}

impl Default for Layout {
    /// One room, one process.
    fn default() -> Layout {
        Layout { rooms: 1, processes: 1, launcher: Launcher::default() }
    }
}

impl Layout {
    /// The rooms a run of `scenario` uses.
    pub fn room_count(&self, scenario: Scenario) -> usize {
        if scenario == Scenario::Rooms { self.rooms.max(1) } else { 1 }
    }
}

/// A wire format by its name (`json`, `msgpack`).
pub fn parse_format(name: &str) -> Result<Format, String> {
    Format::ALL
        .into_iter()
        .find(|f| f.as_str() == name)
        .ok_or_else(|| format!("unknown format {name} (json or msgpack)"))
}

mod format_name {
    use amphi_protocol::Format;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(format: &Format, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(format.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Format, D::Error> {
        let name = String::deserialize(deserializer)?;
        super::parse_format(&name).map_err(serde::de::Error::custom)
    }
}

/// Parses `127.0.0.2-127.0.0.9` or `127.0.0.2,127.0.0.3` into addresses.
pub fn parse_source_ips(text: &str) -> Result<Vec<IpAddr>, String> {
    let mut ips = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((first, last)) => {
                let first: std::net::Ipv4Addr = first.parse().map_err(|e| format!("{first}: {e}"))?;
                let last: std::net::Ipv4Addr = last.parse().map_err(|e| format!("{last}: {e}"))?;
                let (a, b) = (u32::from(first), u32::from(last));
                if b < a || b - a > 255 {
                    return Err(format!("bad range {part}"));
                }
                ips.extend((a..=b).map(|n| IpAddr::V4(n.into())));
            }
            None => ips.push(part.parse().map_err(|e| format!("{part}: {e}"))?),
        }
    }
    Ok(ips)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ip_ranges_expand() {
        let ips = parse_source_ips("127.0.0.2-127.0.0.4,127.0.0.9").unwrap();
        let text: Vec<String> = ips.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9"]);
        assert!(parse_source_ips("127.0.0.9-127.0.0.2").is_err());
    }
}
