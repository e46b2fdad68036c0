//! `abuse`: the floods of issue #17 replayed against a live room while real
//! participants use it. One attacker, from the trainer's address, opens
//! `--floods` guest connections with the room's code as fast as it can
//! (holding those admitted), makes `--floods` guesses of wrong codes, and
//! sends a frame above the size limit; meanwhile N participants, from other
//! addresses (`--source-ips`, default 127.0.0.2–127.0.0.5 on loopback),
//! join and listen to the trainer's announcements. The run passes when
//! every participant joined and saw every announcement once, in order; the
//! attacker's outcomes are reported (`abuse`), not counted as errors.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use amphi_protocol::{Auth, ClientMessage, ServerMessage};
use serde::{Deserialize, Serialize};

use super::{Room, crowd, rooms};
use crate::client::Conn;
use crate::options::{Layout, Options};
use crate::report::Report;

/// What the attacker tried and how the server answered, by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbuseFigures {
    pub guest_floods: u64,
    /// Guests admitted (`welcome`), or refused by error code.
    pub guest_outcomes: BTreeMap<String, u64>,
    pub code_guesses: u64,
    pub guess_outcomes: BTreeMap<String, u64>,
    /// The answer to a frame above `limits.max_frame_bytes`.
    pub oversized_frame: Option<String>,
}

pub async fn run(options: &Options, layout: &Layout) -> anyhow::Result<Report> {
    let mut options = options.clone();
    let loopback = options.urls.iter().all(|url| url.contains("127.0.0.1") || url.contains("localhost"));
    if options.source_ips.is_empty() && loopback {
        options.source_ips = (2..=5).map(|last| IpAddr::from([127, 0, 0, last])).collect();
    }
    let attacker = options.clone();
    let mut figures = AbuseFigures::default();
    let figures_out = &mut figures;
    let driver = options.clone();
    let mut report = crowd::run(&options, layout, Duration::ZERO, async move |rooms: &[Room], report: &mut Report| {
        let code = rooms[0].code.clone();
        let attack = tokio::spawn(async move { attack(&attacker, &code).await });
        let sent = rooms::announce_everywhere(&driver, rooms, report).await;
        *figures_out = attack.await.unwrap_or_default();
        sent
    })
    .await?;
    report.abuse = Some(figures);
    Ok(report)
}

async fn attack(options: &Options, code: &str) -> AbuseFigures {
    let url = options.trainer_url().to_string();
    let mut figures = AbuseFigures::default();
    let mut held = Vec::new();
    for k in 0..options.floods {
        figures.guest_floods += 1;
        let outcome = match hello(&url, options, Auth::JoinCode { code: code.into(), name: format!("flood{k}") }).await
        {
            Ok((conn, outcome)) => {
                if outcome == "admitted" {
                    held.push(conn);
                }
                outcome
            }
            Err(kind) => kind,
        };
        *figures.guest_outcomes.entry(outcome).or_default() += 1;
    }
    for k in 0..options.floods {
        figures.code_guesses += 1;
        let wrong = format!("Z{:05}", k % 100_000);
        let outcome = match hello(&url, options, Auth::JoinCode { code: wrong, name: "guess".into() }).await {
            Ok((_, outcome)) => outcome,
            Err(kind) => kind,
        };
        *figures.guess_outcomes.entry(outcome).or_default() += 1;
    }
    if let Some(conn) = held.first_mut() {
        let id = conn.id();
        let text = "x".repeat(40_000);
        let answer = match conn.send(&ClientMessage::Announce { id, room: String::new(), text }).await {
            Ok(()) => match conn.recv_until(|m| matches!(m, ServerMessage::Error { .. })).await {
                Ok(ServerMessage::Error { code, .. }) => code.as_str().to_string(),
                Ok(_) => "no_error".into(),
                Err(error) => error.to_string(),
            },
            Err(error) => error.to_string(),
        };
        figures.oversized_frame = Some(answer);
    }
    figures
}

/// One `hello`: `admitted` (with the connection) or the refusal's code.
async fn hello(url: &str, options: &Options, auth: Auth) -> Result<(Conn, String), String> {
    let mut conn = Conn::connect(url, options.format, None).await.map_err(|_| "connect_failed".to_string())?;
    conn.send(&ClientMessage::Hello { v: options.protocol, auth, last_seq: Default::default() })
        .await
        .map_err(|_| "send_failed".to_string())?;
    match conn.recv().await {
        Ok(Some(ServerMessage::Welcome { .. })) => Ok((conn, "admitted".into())),
        Ok(Some(ServerMessage::Error { code, .. })) => Ok((conn, code.as_str().into())),
        Ok(_) => Err(conn.close_error()),
        Err(_) => Err("connection_failed".into()),
    }
}
