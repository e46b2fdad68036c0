//! `amphi-load SCENARIO [options]`: runs a load scenario against a running
//! amphi, prints a summary, writes the JSON report, and exits non-zero when
//! any check failed. `amphi-load --shard i/N` is one of the copies a run
//! with `--processes N` starts (see `amphi_load::shard`).

use std::process::ExitCode;

use amphi_load::options::{parse_format, parse_source_ips};
use amphi_load::shard::{Launcher, Shard};
use amphi_load::{Layout, Options, Scenario};
use anyhow::Context;
use clap::Parser;

#[derive(Parser)]
#[command(name = "amphi-load", version, about = "Load generator for amphi")]
struct Cli {
    /// idle, broadcast, rooms, reconnect, quiz, board or breakout.
    #[arg(required_unless_present = "shard")]
    scenario: Option<Scenario>,
    /// WebSocket URL of a node; repeat to spread participants round-robin.
    #[arg(long = "url", default_value = "ws://127.0.0.1:8080/ws")]
    urls: Vec<String>,
    /// Where the room is created and the trainer connects (default: the
    /// first --url). With several nodes, `--trainer-url A --url B` puts
    /// every participant on another node than the room's owner.
    #[arg(long)]
    trainer_url: Option<String>,
    /// Participants in all (`rooms`: spread over the rooms).
    #[arg(long, default_value_t = 100)]
    participants: usize,
    /// Rooms of the `rooms` scenario, each with its trainer.
    #[arg(long, default_value_t = 10)]
    rooms: usize,
    /// Processes holding the participants' connections (idle, broadcast,
    /// rooms): this one and N - 1 copies of it.
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// Run as copy i of N of a `--processes N` run (plan on stdin).
    #[arg(long, hide = true)]
    shard: Option<Shard>,
    /// Wire format: json or msgpack.
    #[arg(long, default_value = "json")]
    format: String,
    /// Protocol version said in `hello`: 2 (the newest) or 1.
    #[arg(long, default_value_t = amphi_protocol::PROTOCOL_VERSION)]
    protocol: u16,
    /// A trainer token (`amphi token --role trainer`).
    #[arg(long, env = "AMPHI_LOAD_TOKEN", required_unless_present = "shard")]
    token: Option<String>,
    /// The server's pid, to read its memory and CPU from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Local source addresses, e.g. 127.0.0.2-127.0.0.9.
    #[arg(long)]
    source_ips: Option<String>,
    /// New connections per second (0: as fast as possible).
    #[arg(long, default_value_t = 2000)]
    ramp: u32,
    /// Broadcasts sent (broadcast, reconnect and breakout scenarios; per
    /// room in rooms).
    #[arg(long, default_value_t = 20)]
    broadcasts: usize,
    /// Milliseconds between broadcasts.
    #[arg(long, default_value_t = 500)]
    interval_ms: u64,
    /// Seconds the idle scenario holds its connections before measuring.
    #[arg(long, default_value_t = 5)]
    hold: u64,
    /// Questions in the quiz scenario.
    #[arg(long, default_value_t = 5)]
    questions: usize,
    /// Longest think time before answering, in milliseconds (quiz).
    #[arg(long, default_value_t = 2000)]
    think_ms: u64,
    /// Run the quiz self-paced.
    #[arg(long)]
    self_paced: bool,
    /// Posts in the board scenario, in all.
    #[arg(long, default_value_t = 2000)]
    posts: usize,
    /// Posts per second in the board scenario, in all.
    #[arg(long, default_value_t = 100)]
    rate: u32,
    /// Ateliers in the breakout scenario.
    #[arg(long, default_value_t = 5)]
    groups: usize,
    /// Guest connections, and wrong codes, the attacker tries in the abuse scenario.
    #[arg(long, default_value_t = 500)]
    floods: usize,
    /// Write the JSON report to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(error) => {
            eprintln!("amphi-load: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    if let Some(shard) = cli.shard {
        runtime.block_on(amphi_load::shard::serve(shard))?;
        return Ok(true);
    }
    let (Some(scenario), Some(token)) = (cli.scenario, cli.token) else {
        anyhow::bail!("a scenario and a token are needed");
    };
    if cli.processes == 0 || cli.rooms == 0 {
        anyhow::bail!("--processes and --rooms must be at least 1");
    }
    let format = parse_format(&cli.format).map_err(anyhow::Error::msg)?;
    let source_ips = match &cli.source_ips {
        Some(text) => parse_source_ips(text).map_err(anyhow::Error::msg).context("--source-ips")?,
        None => Vec::new(),
    };
    let options = Options {
        scenario,
        urls: cli.urls,
        trainer_url: cli.trainer_url,
        participants: cli.participants,
        format,
        protocol: cli.protocol,
        token,
        server_pid: cli.server_pid,
        source_ips,
        ramp: cli.ramp,
        broadcasts: cli.broadcasts,
        interval_ms: cli.interval_ms,
        hold_s: cli.hold,
        questions: cli.questions,
        think_ms: cli.think_ms,
        self_paced: cli.self_paced,
        posts: cli.posts,
        rate: cli.rate,
        groups: cli.groups,
        floods: cli.floods,
    };
    let layout = Layout { rooms: cli.rooms, processes: cli.processes, launcher: Launcher::default() };
    let report = runtime.block_on(amphi_load::run_in(&options, &layout))?;
    println!("{}", report.summary());
    if let Some(path) = cli.json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(report.errors_total == 0)
}
