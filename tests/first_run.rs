//! The first run's sign-in link: the real binary, started without a
//! configuration file on a loopback address, prints a link whose code is
//! exchanged once for a trainer token (which creates a room); the same code
//! a second time is refused; a restart on the same data directory prints no
//! link, nor does a start with `--config`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// The binary with the embedded defaults (plus a free port and `dir`).
fn start(dir: &std::path::Path, extra: &[&str]) -> (Child, BufReader<std::process::ChildStdout>, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_amphi"))
        .args(extra)
        .arg("serve")
        .env("AMPHI_LISTEN", format!("127.0.0.1:{port}"))
        .env("AMPHI_DATA_DIR", dir)
        .env("AMPHI_LOG_LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("amphi starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdout, format!("http://127.0.0.1:{port}"))
}

/// Waits for `/readyz` (the link, if any, is printed before serving), stops
/// the node and returns everything it printed.
async fn printed_once_ready(mut child: Child, mut stdout: BufReader<std::process::ChildStdout>, base: &str) -> String {
    for _ in 0..600 {
        if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut all = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut all).unwrap();
    all
}

/// The first line of standard output: the sign-in link.
fn first_line(stdout: &mut BufReader<std::process::ChildStdout>) -> String {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("reading stdout");
    line
}

async fn exchange(base: &str, code: &str) -> reqwest::Response {
    reqwest::Client::new().post(format!("{base}/api/v1/first-run")).json(&json!({ "code": code })).send().await.unwrap()
}

#[tokio::test]
async fn the_printed_link_signs_a_first_trainer_in_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, mut stdout, _) = start(dir.path(), &[]);
    let line = first_line(&mut stdout);
    let link =
        line.split_whitespace().find(|word| word.contains("?signin=")).unwrap_or_else(|| panic!("no link in {line:?}"));
    let (base, code) = link.split_once("/?signin=").unwrap();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(code.len(), 32);

    let wrong = exchange(base, "0000").await;
    assert_eq!(wrong.status(), 401);
    let answer = exchange(base, code).await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    let token = body["token"].as_str().expect("a token");
    let created = reqwest::Client::new()
        .post(format!("{base}/api/v1/rooms"))
        .bearer_auth(token)
        .json(&json!({ "title": "Premier essai" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "the token is a trainer's");

    let again = exchange(base, code).await;
    assert_eq!(again.status(), 401);
    let error: Value = again.json().await.unwrap();
    assert_eq!(error["code"], "unauthorized");
    child.kill().unwrap();
    child.wait().unwrap();

    // Restarted on the same data directory: no second link.
    let (child, stdout, base) = start(dir.path(), &[]);
    let printed = printed_once_ready(child, stdout, &base).await;
    assert!(!printed.contains("signin="), "no link after a first trainer signed in: {printed:?}");
}

#[tokio::test]
async fn no_link_with_a_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amphi.toml");
    std::fs::write(&file, "log_level = \"warn\"\n").unwrap();
    let (child, stdout, base) = start(dir.path(), &["--config", file.to_str().unwrap()]);
    let printed = printed_once_ready(child, stdout, &base).await;
    assert!(!printed.contains("signin="), "no link with --config: {printed:?}");
}
