//! The usage statistics' benchmark: a year of a large académie (50,000
//! participants with their profiles, 5,000 sessions of every kind, about 30
//! people each, their answers, posts, completions and badges) plus a smaller
//! one, loaded through the store (`Store::load`), then the figures the API
//! computes (the whole year, per period, per discipline) timed per month and
//! per week, for one tenant and for every tenant: first from the journal,
//! then after the journal's rollup (`Store::roll_up_inputs`, timed too).
//! Usage: `cargo run --example statistics_bench -- [sqlite|postgres://…] [participants] [sessions]`
//! (SQLite in a temporary directory by default; use an empty PostgreSQL
//! database). Not a test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use amphi::metrics::Metrics;
use amphi::store::{
    AttendanceRecord, Breakdown, CompletionRecord, InputKind, InputRecord, Load, LoadedAward, MemberProfile,
    RoomRecord, StatisticsQuery, Store,
};
use amphi_protocol::{Role, RoomKind};
use uuid::Uuid;

const DISCIPLINES: &[&str] =
    &["Mathématiques", "Lettres", "Histoire-géographie", "SVT", "Physique-chimie", "Anglais", "EPS", "Technologie"];
const DEPARTEMENTS: &[&str] = &["Ain", "Ardèche", "Drôme", "Isère", "Loire", "Rhône", "Savoie", "Haute-Savoie"];
const YEAR_START: i64 = 1_767_222_000_000; // 2026-01-01 00:00 in Paris
const DAY: i64 = 86_400_000;
const MIN: i64 = 60_000;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One tenant's year: `people` participants, `sessions` sessions.
fn year(tenant: &str, people: u64, sessions: u64, rng: &mut Rng) -> (Load, Vec<(String, MemberProfile)>) {
    let mut load = Load::default();
    let profiles = (0..people)
        .filter(|n| n % 10 != 0) // one in ten not known
        .map(|n| {
            let profile = MemberProfile::new(
                Some(tenant),
                Some(DEPARTEMENTS[(n % 8) as usize]),
                Some(DISCIPLINES[(n / 8 % 8) as usize]),
            );
            (format!("{tenant}-p{n}"), profile)
        })
        .collect();
    let mut status = 0;
    for s in 0..sessions {
        let room = Uuid::new_v4();
        let kind = match s % 20 {
            0..=7 => RoomKind::Quiz,
            8..=13 => RoomKind::Board,
            14..=16 => RoomKind::Breakout,
            _ => RoomKind::Lobby,
        };
        let start = YEAR_START + rng.below(364) as i64 * DAY + (8 + rng.below(9) as i64) * 3_600_000;
        load.rooms.push(RoomRecord {
            id: room,
            tenant: tenant.into(),
            kind,
            title: format!("Session {s}"),
            join_code: None,
            created_by: format!("{tenant}-trainer{}", s % 300),
            created_at: start - DAY,
            activity: None,
        });
        let mut position = 0;
        let mut input = |load: &mut Load, member: &str, role: Role, kind: InputKind, action: &str, at: i64| {
            position += 1;
            load.inputs.push(InputRecord {
                room,
                position,
                at,
                member: member.into(),
                member_name: String::new(),
                role: Some(role),
                guest: false,
                kind,
                action: Some(action.into()),
                client_id: None,
                body: None,
            });
        };
        let size = 20 + rng.below(21);
        // Distinct members: a stride of a prime from a random one.
        let first = rng.below(people);
        for k in 0..size {
            let member = format!("{tenant}-p{}", (first + k * 7919) % people);
            let minutes = 10 + rng.below(80) as i64;
            load.attendance.push(AttendanceRecord {
                room,
                member: member.clone(),
                member_name: String::new(),
                role: Role::Participant,
                guest: false,
                joined_at: start,
                left_at: Some(start + minutes * MIN),
            });
            match kind {
                RoomKind::Quiz => {
                    for q in 0..10 {
                        input(&mut load, &member, Role::Participant, InputKind::Quiz, "answer", start + q * MIN);
                    }
                    let state = [2, 2, 3, 1, 0][rng.below(5) as usize];
                    load.completions.push(CompletionRecord {
                        tenant: tenant.into(),
                        activity: room,
                        user: member.clone(),
                        state,
                        score: 5,
                        max_score: 10,
                        updated_at: start + minutes * MIN,
                    });
                    if state == 2 && rng.below(2) == 0 {
                        status += 1;
                        load.awards.push(LoadedAward {
                            tenant: tenant.into(),
                            badge: format!("badge-{s}"),
                            recipient: member.clone(),
                            issued_at: start + minutes * MIN,
                            status_index: status,
                        });
                    }
                }
                RoomKind::Board => {
                    for p in 0..3 {
                        input(&mut load, &member, Role::Participant, InputKind::Board, "post", start + p * MIN);
                    }
                }
                _ => {}
            }
        }
        if kind == RoomKind::Breakout {
            input(&mut load, "trainer", Role::Trainer, InputKind::Breakout, "open", start + 5 * MIN);
            input(&mut load, "trainer", Role::Trainer, InputKind::Breakout, "open", start + 40 * MIN);
        }
    }
    (load, profiles)
}

/// Period starts of 2026 in Paris (months, or weeks from Monday 29 December 2025).
fn bounds(weeks: bool) -> (Vec<i64>, i64) {
    if weeks {
        let first = YEAR_START - 3 * DAY;
        ((0..53).map(|w| first + w * 7 * DAY).collect(), first + 53 * 7 * DAY)
    } else {
        // Month starts (an hour earlier from April: summer time), close enough for timing.
        let days = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        (days.iter().map(|d| YEAR_START + d * DAY).collect(), YEAR_START + 365 * DAY)
    }
}

async fn time(store: &Store, query: &StatisticsQuery, by: Breakdown) -> Result<Duration, Box<dyn std::error::Error>> {
    let mut runs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        store.statistics(query, Some(by)).await?;
        runs.push(started.elapsed());
    }
    runs.sort();
    Ok(runs[1])
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "sqlite".into());
    let people: u64 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(50_000);
    let sessions: u64 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(5_000);
    let dir = tempfile::tempdir()?;
    let url = if url == "sqlite" { format!("sqlite:{}", dir.path().join("bench.db").display()) } else { url };
    let store = Store::connect(&url, Arc::new(Metrics::new())).await?;
    let started = Instant::now();
    let mut rng = Rng(22);
    let mut rows = 0;
    for (tenant, people, sessions) in [("ac-lyon", people, sessions), ("ac-nantes", people / 5, sessions / 5)] {
        let (load, profiles) = year(tenant, people, sessions, &mut rng);
        rows += load.attendance.len() + load.inputs.len() + load.completions.len() + load.awards.len();
        for part in load_parts(load) {
            store.load(&part).await?;
        }
        store.record_profiles(tenant, &profiles, YEAR_START).await?;
    }
    store.analyze().await?;
    println!(
        "backend: {}, ac-lyon: {people} participants, {sessions} sessions (+ ac-nantes a fifth); {rows} rows loaded in {:.1} s",
        store.backend(),
        started.elapsed().as_secs_f64()
    );
    time_all(&store, "from the journal").await?;
    let started = Instant::now();
    let rooms = store.roll_up_inputs().await?;
    store.analyze().await?;
    println!("journal rolled up: {rooms} rooms in {:.1} s", started.elapsed().as_secs_f64());
    time_all(&store, "from the rollup").await?;
    Ok(())
}

/// Times the figures per month and per week, for one tenant and for all.
async fn time_all(store: &Store, source: &str) -> Result<(), Box<dyn std::error::Error>> {
    for (weeks, name) in [(false, "month"), (true, "week")] {
        let (bounds, to) = bounds(weeks);
        for tenant in [Some("ac-lyon"), None] {
            let query = StatisticsQuery { tenant: tenant.map(String::from), bounds: bounds.clone(), to, step: None };
            let took = time(store, &query, Breakdown::Discipline).await?;
            println!(
                "{source}: per {name}, by discipline, {}: {:.0} ms (median of 3: the year, its periods, its groups)",
                tenant.unwrap_or("every tenant"),
                took.as_secs_f64() * 1000.0
            );
        }
    }
    Ok(())
}

/// `load` in parts of about 100,000 rows (one transaction each).
fn load_parts(load: Load) -> Vec<Load> {
    const PART: usize = 100_000;
    let mut parts = vec![Load { rooms: load.rooms, ..Load::default() }];
    for chunk in load.attendance.chunks(PART) {
        parts.push(Load { attendance: chunk.to_vec(), ..Load::default() });
    }
    for chunk in load.inputs.chunks(PART) {
        parts.push(Load { inputs: chunk.to_vec(), ..Load::default() });
    }
    parts.push(Load { completions: load.completions, awards: load.awards, ..Load::default() });
    parts
}
