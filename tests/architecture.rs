//! ARCHITECTURE.md's structural invariants, checked on the sources: what
//! the activities may touch, which way the modules depend on each other,
//! bounded channels, and a `//!` line atop every file.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, found: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    let mut found = Vec::new();
    walk(&root().join(dir), &mut found);
    assert!(!found.is_empty(), "no sources under {dir}");
    found
}

/// The files under `dir` whose production code (comments and tests left
/// out) contains one of `words`, with the word.
fn offenders(dir: &str, words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources(dir) {
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        for line in production_lines(&text).into_iter().filter(|line| !line.starts_with("//")) {
            if let Some(word) = words.iter().find(|word| line.contains(*word)) {
                found.push(format!("{}: {word}", path.strip_prefix(root()).unwrap().display()));
            }
        }
    }
    found
}

/// The lines of `text` outside `#[cfg(test)]` items, trimmed.
fn production_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    // The indentation of the test item being skipped.
    let mut skipping: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if let Some(item) = skipping {
            // The item ends at its own indentation: its closing brace, or
            // its only line.
            let last = trimmed == "}" || trimmed.ends_with(';') || trimmed.ends_with('}');
            if indent == item && !trimmed.starts_with('#') && last {
                skipping = None;
            }
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            skipping = Some(indent);
            continue;
        }
        lines.push(trimmed);
    }
    lines
}

#[test]
fn activities_do_no_io_read_no_clock_and_spawn_nothing() {
    let io = [
        "tokio::",
        "SystemTime",
        "Instant::now",
        "std::fs",
        "std::net",
        "sqlx",
        "reqwest",
        "redis::",
        "thread::spawn",
        "Mutex",
        "RwLock",
    ];
    assert_eq!(offenders("src/activity", &io), Vec::<String>::new());
}

#[test]
fn room_state_has_one_owner_no_lock_guards_it() {
    assert_eq!(offenders("src/hub/room", &["Mutex", "RwLock"]), Vec::<String>::new());
}

#[test]
fn every_channel_is_bounded() {
    assert_eq!(offenders("src", &["unbounded_channel", "UnboundedSender"]), Vec::<String>::new());
}

#[test]
fn dependencies_run_one_way_the_bus_and_cluster_reach_no_higher() {
    // The bus carries envelopes for the hub without knowing it; the cluster
    // works with the hub and the bus, never with the whole app.
    assert_eq!(offenders("src/bus", &["crate::hub", "crate::app"]), Vec::<String>::new());
    assert_eq!(offenders("src/cluster", &["crate::app", "AppState"]), Vec::<String>::new());
    assert_eq!(offenders("src/activity", &["crate::hub", "crate::store", "crate::app"]), Vec::<String>::new());
}

#[test]
fn the_protocol_crate_depends_on_serde_only() {
    let manifest = std::fs::read_to_string(root().join("protocol/Cargo.toml")).unwrap();
    let dependencies: Vec<&str> = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("a [dependencies] table")
        .lines()
        .take_while(|line| !line.starts_with('['))
        .filter_map(|line| line.split(['=', '.']).next().map(str::trim).filter(|name| !name.is_empty()))
        .collect();
    assert_eq!(dependencies, ["serde", "serde_json", "rmp-serde"]);
    assert_eq!(offenders("protocol/src", &["tokio", "axum", "sqlx", "crate::hub"]), Vec::<String>::new());
}

#[test]
fn every_source_file_opens_with_a_module_comment() {
    let mut missing = Vec::new();
    for dir in ["src", "protocol/src", "load-tests/src", "tests"] {
        for (path, text) in sources(dir) {
            if path.components().any(|part| part.as_os_str() == ".venv" || part.as_os_str() == "fixtures") {
                continue;
            }
            if !text.trim_start().starts_with("//!") {
                missing.push(path.strip_prefix(root()).unwrap().display().to_string());
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new());
}
