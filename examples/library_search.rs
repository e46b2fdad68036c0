//! The shared library's search benchmark: generates N items (100,000 by
//! default) through the store module, in 30 académies plus national ones,
//! with French titles, descriptions, disciplines, levels and tags, then
//! runs searches as the API does (visibility, prefixes, filters, newest
//! first, a page of 20) and prints their p50/p95/p99 latency and the
//! database's plan (`EXPLAIN QUERY PLAN` / `EXPLAIN`) for each shape.
//! Usage: `cargo run --release --example library_search -- [sqlite|postgres://…] [N]`
//! (SQLite in a temporary directory by default). Not a test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use amphi::metrics::Metrics;
use amphi::store::{LibraryIndex, LibraryItem, LibraryKind, LibraryMeta, LibraryQuery, NATIONAL, Store};
use amphi::text_fold::terms;
use uuid::Uuid;

const DISCIPLINES: &[&str] = &[
    "Mathématiques",
    "Français",
    "Physique-chimie",
    "SVT",
    "Histoire-géographie",
    "Anglais",
    "Éducation musicale",
    "Technologie",
    "Arts plastiques",
    "EPS",
];
const LEVELS: &[&str] = &["Cycle 2", "Cycle 3", "Cycle 4", "Seconde", "Première", "Terminale", "BTS"];
const WORDS: &[&str] = &[
    "fractions",
    "électricité",
    "énergie",
    "volcans",
    "séismes",
    "révolution",
    "poésie",
    "grammaire",
    "conjugaison",
    "géométrie",
    "probabilités",
    "statistiques",
    "fonctions",
    "équations",
    "cellule",
    "génétique",
    "climat",
    "écosystème",
    "littérature",
    "théâtre",
    "roman",
    "vocabulaire",
    "lecture",
    "écriture",
    "oral",
    "débat",
    "citoyenneté",
    "démocratie",
    "europe",
    "mondialisation",
    "algorithmique",
    "programmation",
    "robotique",
    "matériaux",
    "optique",
    "mécanique",
    "chimie",
    "atomes",
    "molécules",
    "réactions",
    "respiration",
    "digestion",
    "nutrition",
    "sport",
    "musique",
    "rythme",
    "peinture",
    "sculpture",
    "photographie",
    "cinéma",
    "médias",
    "numérique",
    "sécurité",
    "orientation",
    "projet",
    "évaluation",
    "révision",
    "méthodologie",
    "mémoire",
    "attention",
    "coopération",
];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

fn item(rng: &mut Rng, n: usize) -> (LibraryItem, String) {
    let academie = rng.next() % 31;
    let (tenant, audience) = if academie == 30 {
        ("national".to_string(), NATIONAL.to_string())
    } else {
        (format!("ac-{academie:02}"), format!("ac-{academie:02}"))
    };
    let title: Vec<&str> = (0..3).map(|_| rng.pick(WORDS)).collect();
    let description: Vec<&str> = (0..12).map(|_| rng.pick(WORDS)).collect();
    let kind = match rng.next() % 3 {
        0 => LibraryKind::Quiz,
        1 => LibraryKind::Board,
        _ => LibraryKind::Plan,
    };
    let at = 1_700_000_000_000 + n as i64 * 1000;
    let meta = LibraryMeta {
        title: format!("{} et {}", title[0], title[1..].join(" ")),
        description: format!("Séance sur {}.", description.join(", ")),
        disciplines: vec![rng.pick(DISCIPLINES).to_string()],
        level: rng.pick(LEVELS).to_string(),
        duration_min: Some(10 + (rng.next() % 50) as i64),
        tags: vec![rng.pick(WORDS).to_string(), rng.pick(WORDS).to_string()],
        licence: "etalab-2.0".into(),
    };
    let item = LibraryItem {
        id: Uuid::new_v4(),
        tenant,
        audience,
        kind,
        source: Uuid::new_v4().to_string(),
        author: format!("author-{}", rng.next() % 5000),
        author_name: format!("Formateur {}", rng.next() % 5000),
        meta,
        version: 1,
        published_at: at,
        updated_at: at,
        withdrawn_at: rng.next().is_multiple_of(50).then_some(at),
        withdrawn_by: None,
    };
    (item, r#"{"quiz":{"title":"x","questions":[]},"settings":{}}"#.to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "sqlite".into());
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let url = if url == "sqlite" { format!("sqlite:{}", dir.path().join("bench.db").display()) } else { url };
    let store = Store::connect(&url, Arc::new(Metrics::new())).await?;
    println!("backend: {}, items: {count}", store.backend());

    let started = Instant::now();
    let mut rng = Rng(22);
    let generated: Vec<(LibraryItem, String)> = (0..count).map(|n| item(&mut rng, n)).collect();
    let mut tasks = tokio::task::JoinSet::new();
    let writers = if store.backend() == "postgres" { 6 } else { 1 };
    let chunk = count.div_ceil(writers);
    for part in generated.chunks(chunk).map(<[_]>::to_vec) {
        let store = store.clone();
        tasks.spawn(async move {
            for (item, content) in part {
                let index = LibraryIndex::of(&item.meta, &item.author_name);
                store.publish_library_item(&item, &content, "", &index).await?;
            }
            Ok::<(), amphi::store::StoreError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    store.analyze_library().await?;

    let query = |tenant: &str, q: &str| LibraryQuery {
        tenant: tenant.into(),
        prefixes: terms(q).into_iter().take(8).collect(),
        limit: 21,
        ..LibraryQuery::default()
    };
    let shapes: Vec<(&str, LibraryQuery)> = vec![
        ("browse (no words), newest first", query("ac-07", "")),
        ("one word", query("ac-07", "électricité")),
        ("one prefix", query("ac-07", "fract")),
        ("two words", query("ac-07", "volcans séismes")),
        ("word + discipline", LibraryQuery { discipline: Some("svt".into()), ..query("ac-07", "climat") }),
        (
            "discipline + level",
            LibraryQuery {
                discipline: Some("mathematiques".into()),
                level_key: Some("cycle 3".into()),
                ..query("ac-07", "")
            },
        ),
        (
            "national quizzes",
            LibraryQuery { national: Some(true), kind: Some(LibraryKind::Quiz), ..query("ac-07", "") },
        ),
        ("rare word (none)", query("ac-07", "zzzyx")),
    ];
    for (name, shape) in &shapes {
        let mut times = Vec::new();
        let mut found = 0;
        for round in 0..200 {
            let tenant = format!("ac-{:02}", round % 30);
            let shape = LibraryQuery { tenant, ..shape.clone() };
            let started = Instant::now();
            found += store.search_library(&shape).await?.len();
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "{name:32} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  (avg {:.1} results)",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            found as f64 / 200.0
        );
        for line in store.explain_library_search(shape).await? {
            println!("    {line}");
        }
    }
    store.close().await;
    Ok(())
}
