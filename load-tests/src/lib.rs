//! amphi-load: drives a running amphi with many protocol clients over real
//! WebSockets and reports what it measured, checking correctness as it goes
//! (every broadcast seen once and in order, every command acknowledged).
//!
//! # Layout
//!
//! - [`options`]: what a run is asked to do (parsed by the binary), and
//!   its [`Layout`]: participants over rooms and processes.
//! - [`client`]: one participant or trainer connection speaking protocol v1.
//! - [`scenario`]: `idle`, `broadcast`, `rooms` (announcements in M rooms
//!   at once), `reconnect`, `quiz` (trainer-paced or self-paced), `board`
//!   (participants posting at a rate), `breakout` (ateliers: distribute,
//!   open, productions, broadcasts, close, publish).
//! - [`shard`]: `--processes N`, the copies of this tool that hold a share
//!   of the participants, and how their tallies come back.
//! - [`report`]: the JSON report and its human summary.
//! - [`server`]: the server's memory and CPU, read from `/proc` when it runs
//!   on this machine.

pub mod client;
pub mod options;
pub mod report;
pub mod scenario;
pub mod server;
pub mod shard;

pub use options::{Layout, Options, Scenario};
pub use report::Report;

/// Runs one scenario in one room (`rooms`: in one) and one process, and
/// returns its report. A report with errors is a failed run (the binary
/// exits non-zero).
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    run_in(options, &Layout::default()).await
}

/// Runs one scenario with its participants over `layout`'s rooms and
/// processes.
pub async fn run_in(options: &Options, layout: &Layout) -> anyhow::Result<Report> {
    let sharded = matches!(options.scenario, Scenario::Idle | Scenario::Broadcast | Scenario::Rooms);
    if layout.processes > 1 && !sharded {
        anyhow::bail!("--processes is for the idle, broadcast and rooms scenarios");
    }
    match options.scenario {
        Scenario::Idle => scenario::crowd::idle(options, layout).await,
        Scenario::Broadcast | Scenario::Rooms => scenario::rooms::run(options, layout).await,
        Scenario::Reconnect => scenario::reconnect::run(options).await,
        Scenario::Quiz => scenario::quiz::run(options).await,
        Scenario::Board => scenario::board::run(options).await,
        Scenario::Breakout => scenario::breakout::run(options).await,
        Scenario::Abuse => scenario::abuse::run(options, layout).await,
    }
}
