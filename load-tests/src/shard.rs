//! Several processes for one run (`--processes N`), to hold more
//! connections than one process's file-descriptor limit allows. The main
//! process is shard 0; it starts N - 1 copies of this tool with a hidden
//! `--shard i/N` argument, each holding every N-th participant. They talk
//! over the copy's stdin and stdout, one JSON message a line:
//!
//! 1. main → copy: the plan (the run's options and rooms);
//! 2. copy → main: ready, once its participants have joined (or failed to);
//! 3. main → copy: finish, with how many announcements each room sent;
//! 4. copy → main: done, with its tally (counts, latency samples, frames).
//!
//! Every wait of the main process has a deadline; a copy that ends early
//! or misses one is reported as `shard_failed` and left out. A copy whose
//! stdin closes (the main process is gone) finishes at once.

use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;

use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::time::Instant;

use crate::client::{self, PATIENCE};
use crate::options::{Layout, Options};
use crate::report::Report;
use crate::scenario::Room;
use crate::scenario::crowd::Crowd;
use crate::scenario::tally::Tally;

/// Marks a copy's messages on its stdout (a test harness may print there
/// too; other lines are ignored).
const TAG: &str = "amphi-load-shard: ";

/// One process's part of a run: shard `index` of `count` holds participants
/// `index`, `index + count`, `index + 2 × count`…
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// A run in one process.
    pub const ALONE: Shard = Shard { index: 0, count: 1 };

    /// The main process of a run in `count` processes.
    pub fn main(count: usize) -> Shard {
        Shard { index: 0, count: count.max(1) }
    }

    /// The participants (of `total`) this shard holds.
    pub fn participants(self, total: usize) -> impl Iterator<Item = usize> {
        (self.index..total).step_by(self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `i/N`, with `i < N`.
    fn from_str(text: &str) -> Result<Shard, String> {
        let (index, count) = text.split_once('/').ok_or_else(|| format!("{text}: expected i/N"))?;
        let index: usize = index.parse().map_err(|e| format!("{text}: {e}"))?;
        let count: usize = count.parse().map_err(|e| format!("{text}: {e}"))?;
        if index >= count {
            return Err(format!("{text}: i must be below N"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// How the main process starts a copy: `program`, then `args`, then
/// `--shard i/N`.
#[derive(Debug, Clone)]
pub struct Launcher {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl Default for Launcher {
    /// This very program.
    fn default() -> Launcher {
        let program = std::env::current_exe().unwrap_or_else(|_| "amphi-load".into());
        Launcher { program, args: Vec::new() }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ToShard {
    Plan { options: Box<Options>, rooms: Vec<Room> },
    Finish { sent: Vec<usize> },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FromShard {
    Ready,
    Done { tally: Tally },
}

/// A copy, seen from the main process.
struct Copy {
    shard: Shard,
    child: Child,
    input: ChildStdin,
    output: Lines<BufReader<ChildStdout>>,
}

impl Copy {
    async fn send(&mut self, message: &ToShard) -> anyhow::Result<()> {
        let line = serde_json::to_string(message)? + "\n";
        let write = async {
            self.input.write_all(line.as_bytes()).await?;
            self.input.flush().await
        };
        match tokio::time::timeout(PATIENCE, write).await {
            Ok(written) => Ok(written?),
            Err(_) => bail!("it read nothing for {PATIENCE:?}"),
        }
    }

    async fn receive(&mut self, deadline: Instant) -> anyhow::Result<FromShard> {
        let read = async {
            loop {
                let Some(line) = self.output.next_line().await? else {
                    bail!("it ended");
                };
                if let Some((_, json)) = line.split_once(TAG) {
                    return Ok(serde_json::from_str(json)?);
                }
            }
        };
        match tokio::time::timeout_at(deadline, read).await {
            Ok(message) => message,
            Err(_) => bail!("nothing from it in time"),
        }
    }
}

/// The main process's copies (none for a run in one process).
pub struct Shards {
    copies: Vec<Copy>,
}

impl Shards {
    /// Starts copies 1 to N - 1 and sends each the plan.
    pub async fn start(options: &Options, layout: &Layout, rooms: &[Room]) -> anyhow::Result<Shards> {
        let mut copies = Vec::new();
        for index in 1..layout.processes {
            let shard = Shard { index, count: layout.processes };
            let launcher = &layout.launcher;
            let mut child = Command::new(&launcher.program)
                .args(&launcher.args)
                .arg("--shard")
                .arg(shard.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .with_context(|| format!("starting shard {shard} ({})", launcher.program.display()))?;
            let input = child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?;
            let output = BufReader::new(child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?).lines();
            let mut copy = Copy { shard, child, input, output };
            let plan = ToShard::Plan { options: Box::new(options.clone()), rooms: rooms.to_vec() };
            copy.send(&plan).await.with_context(|| format!("sending shard {shard} its plan"))?;
            copies.push(copy);
        }
        Ok(Shards { copies })
    }

    /// Waits until every copy's participants have joined (or failed to).
    pub async fn wait_ready(&mut self, deadline: Instant, report: &mut Report) {
        for mut copy in std::mem::take(&mut self.copies) {
            match copy.receive(deadline).await {
                Ok(FromShard::Ready) => self.copies.push(copy),
                Ok(other) => failed(report, copy.shard, &anyhow!("expected ready, got {other:?}")),
                Err(error) => failed(report, copy.shard, &error),
            }
        }
    }

    /// Tells every copy how many announcements each room sent.
    pub async fn finish(&mut self, sent: &[usize], report: &mut Report) {
        for mut copy in std::mem::take(&mut self.copies) {
            match copy.send(&ToShard::Finish { sent: sent.to_vec() }).await {
                Ok(()) => self.copies.push(copy),
                Err(error) => failed(report, copy.shard, &error),
            }
        }
    }

    /// The copies' tallies, once they have finished as this process does
    /// (participants get [`crate::scenario::GRACE`] to have the last
    /// announcement, stragglers [`PATIENCE`] to stop).
    pub async fn collect(self, report: &mut Report) -> Vec<Tally> {
        let deadline = Instant::now() + crate::scenario::GRACE + PATIENCE * 2;
        let mut tallies = Vec::new();
        for mut copy in self.copies {
            match copy.receive(deadline).await {
                Ok(FromShard::Done { tally }) => tallies.push(tally),
                Ok(other) => failed(report, copy.shard, &anyhow!("expected done, got {other:?}")),
                Err(error) => failed(report, copy.shard, &error),
            }
            drop(copy.input);
            // It exits once done; if not, dropping it kills it.
            let _ = tokio::time::timeout(PATIENCE, copy.child.wait()).await;
        }
        tallies
    }
}

fn failed(report: &mut Report, shard: Shard, error: &anyhow::Error) {
    eprintln!("amphi-load: shard {shard}: {error:#}");
    report.error("shard_failed");
}

/// A copy's whole life (`--shard i/N`): read the plan on stdin, join this
/// share of the participants, say so, wait for how many announcements each
/// room sent, then write the tally on stdout.
pub async fn serve(shard: Shard) -> anyhow::Result<()> {
    let mut input = BufReader::new(tokio::io::stdin()).lines();
    let (options, rooms) = match read(&mut input).await? {
        ToShard::Plan { options, rooms } => (options, rooms),
        other => bail!("expected a plan, got {other:?}"),
    };
    let crowd = Crowd::join(&options, &rooms, shard).await;
    say(&FromShard::Ready).await?;
    let sent = match read(&mut input).await {
        Ok(ToShard::Finish { sent }) => sent,
        // The main process is gone: finish now.
        _ => vec![0; rooms.len()],
    };
    let mut tally = crowd.finish(&sent).await;
    tally.frames = client::frames_received();
    say(&FromShard::Done { tally }).await
}

async fn read(input: &mut Lines<BufReader<tokio::io::Stdin>>) -> anyhow::Result<ToShard> {
    let line = input.next_line().await?.ok_or_else(|| anyhow!("stdin closed"))?;
    Ok(serde_json::from_str(&line)?)
}

async fn say(message: &FromShard) -> anyhow::Result<()> {
    let line = format!("{TAG}{}\n", serde_json::to_string(message)?);
    let mut stdout = tokio::io::stdout();
    stdout.write_all(line.as_bytes()).await?;
    Ok(stdout.flush().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_participants() {
        let shard: Shard = "1/3".parse().unwrap();
        assert_eq!(shard.participants(8).collect::<Vec<_>>(), [1, 4, 7]);
        assert_eq!(shard.to_string(), "1/3");
        assert_eq!(Shard::ALONE.participants(3).collect::<Vec<_>>(), [0, 1, 2]);
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1".parse::<Shard>().is_err());
    }
}
