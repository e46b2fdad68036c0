//! The `amphi` binary: `amphi serve` (the default) runs a node; `amphi
//! token` mints a JWT that a node with the same configuration accepts;
//! `amphi import` converts a GIFT, Moodle XML or JSON quiz file into
//! amphi's quiz JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amphi::auth::{Claims, Keys, load_or_create_secret, unix_seconds};
use amphi::config::{Config, LogFormat};
use amphi::quiz::ImportFormat;
use amphi_protocol::Role;
use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "amphi", version, about = "Real-time classroom engagement server")]
struct Cli {
    /// A TOML file overriding config/default.toml (environment variables
    /// AMPHI_* override both).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a node (what plain `amphi` does).
    Serve,
    /// Print a signed token for local use and tests.
    Token {
        /// participant, trainer, facilitator, observer, admin or national.
        #[arg(long)]
        role: Role,
        /// The user id (default: a random one).
        #[arg(long)]
        sub: Option<String>,
        /// The display name (default: the role, capitalized).
        #[arg(long)]
        name: Option<String>,
        /// The tenant (académie).
        #[arg(long, default_value = "default")]
        tenant: String,
        /// Lifetime, e.g. 30m, 8h, 2d (default: auth.token_ttl_hours).
        #[arg(long)]
        ttl: Option<String>,
        /// Restrict the token to one room (a UUID).
        #[arg(long)]
        room: Option<uuid::Uuid>,
    },
    /// Convert a quiz file (GIFT, Moodle XML or amphi JSON) into amphi's
    /// quiz JSON; skipped questions and warnings go to standard error.
    Import {
        /// The file to read (UTF-8).
        file: PathBuf,
        /// gift, moodlexml or json (default: guessed from the file).
        #[arg(long)]
        format: Option<ImportFormat>,
        /// Write the quiz here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Add a new LTI signing key under <data_dir>/lti/keys (running nodes
    /// publish it within a minute and sign with it after two; the previous
    /// keys stay published for lti.key_grace_days).
    LtiRotateKey,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("amphi: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, cli.config.is_none()),
        Command::Token { role, sub, name, tenant, ttl, room } => {
            let ttl_seconds = match ttl {
                Some(text) => parse_duration(&text)?,
                None => config.auth.token_ttl_hours * 3600,
            };
            let secret = load_or_create_secret(&config.jwt_secret, &config.data_dir)
                .with_context(|| format!("reading the JWT secret under {}", config.data_dir.display()))?;
            let now = unix_seconds();
            let claims = Claims {
                sub: sub.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                name: name.unwrap_or_else(|| capitalize(role.as_str())),
                tenant,
                role,
                exp: now + ttl_seconds,
                iat: now,
                room,
                guest: false,
            };
            println!("{}", Keys::new(&secret).sign(&claims));
            Ok(())
        }
        Command::Import { file, format, out } => import(&file, format, out.as_deref()),
        Command::LtiRotateKey => {
            let kid = amphi::lti::keys::ToolKeys::rotate(&config.data_dir)?;
            println!("{kid}");
            eprintln!(
                "new LTI key {kid}: published by the running nodes within {} s, signing after {} s (no restart)",
                amphi::lti::keys::RELOAD_SECONDS,
                amphi::lti::keys::SIGN_AFTER_SECONDS
            );
            Ok(())
        }
    }
}

/// `amphi import`: reads, converts and writes one quiz file.
fn import(file: &Path, format: Option<ImportFormat>, out: Option<&Path>) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", file.display()))?;
    let format = format.unwrap_or_else(|| ImportFormat::guess(file.file_name().and_then(|name| name.to_str()), &text));
    let imported =
        amphi::quiz::import(&text, format).with_context(|| format!("importing {} as {format}", file.display()))?;
    for skipped in &imported.skipped {
        eprintln!("skipped {} ({}): {}", skipped.position, skipped.title, skipped.reason);
    }
    for warning in &imported.warnings {
        eprintln!("warning {} ({}): {}", warning.position, warning.title, warning.message);
    }
    let json = serde_json::to_string_pretty(&imported.quiz)? + "\n";
    match out {
        Some(path) => std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?,
        None => print!("{json}"),
    }
    eprintln!("{} questions imported, {} skipped", imported.quiz.questions.len(), imported.skipped.len());
    Ok(())
}

/// `amphi serve`. `embedded_defaults`: started without `--config` (the
/// first run's sign-in link is offered only then, on a loopback address).
fn serve(config: Config, embedded_defaults: bool) -> anyhow::Result<()> {
    init_tracing(&config);
    for name in Config::unknown_env_vars() {
        tracing::warn!(variable = %name, "ignoring an AMPHI_ variable that names no setting");
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let app = amphi::app::build(config).await?;
        let address = listener.local_addr()?;
        if embedded_defaults
            && address.ip().is_loopback()
            && let Some(code) = app.first_run.offer()
        {
            println!("First run: open http://{address}/?signin={code} to sign in as the first trainer (this link works once).");
        }
        amphi::app::serve(listener, app, shutdown_signal()).await?;
        Ok(())
    })
}

fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => builder.json().with_current_span(true).init(),
        LogFormat::Pretty => builder.init(),
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}

/// Parses `30s`, `30m`, `8h` or `2d` into seconds.
fn parse_duration(text: &str) -> anyhow::Result<u64> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let number: u64 = number.parse().with_context(|| format!("invalid duration `{text}` (try 30m, 8h or 2d)"))?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" | "" => 3600,
        "d" => 86_400,
        _ => anyhow::bail!("invalid duration unit in `{text}` (use s, m, h or d)"),
    };
    Ok(number * factor)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
