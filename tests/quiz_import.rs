//! Quiz import end to end: the fixtures under `tests/fixtures/quiz/` over
//! `POST /api/v1/quizzes/import` (formats, skipped questions, errors that
//! name the line, roles, limits) and through `amphi import` on the command
//! line, whose JSON re-imports as native JSON unchanged.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use amphi_protocol::Role;
use serde_json::Value;

use crate::util::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz").join(name)
}

fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

/// Posts `body` to the import endpoint; returns the status and the JSON.
async fn post_import(
    server: &TestServer,
    token: Option<&str>,
    query: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(server.url(&format!("/api/v1/quizzes/import{query}"))).body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn kinds(quiz: &Value) -> Vec<String> {
    quiz["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["type"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn gift_and_moodle_xml_import_over_rest() {
    let server = TestServer::start().await;
    let token = server.token(Role::Trainer, "Mme Durand");

    let (status, body) = post_import(&server, Some(&token), "?format=gift", read_fixture("complete.gift")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["quiz"]["title"], "Formation initiale — Didactique");
    assert_eq!(
        kinds(&body["quiz"]),
        [
            "single_choice",
            "multiple_choice",
            "true_false",
            "true_false",
            "short_text",
            "numeric",
            "numeric",
            "numeric",
            "numeric",
            "open_text",
            "single_choice",
            "single_choice",
            "single_choice",
        ]
    );
    let skipped = body["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 2, "{body}");
    assert_eq!(skipped[0]["position"], "line 34");
    assert_eq!(skipped[0]["title"], "Appariement");
    assert_eq!(skipped[0]["reason"], "matching questions are not supported");
    assert_eq!(skipped[1]["title"], "Introduction");

    // Without `format`, the content tells it is XML.
    let (status, body) = post_import(&server, Some(&token), "", read_fixture("complete.xml")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["quiz"]["title"], "Formation initiale — Évaluation");
    assert_eq!(
        kinds(&body["quiz"]),
        ["single_choice", "multiple_choice", "true_false", "short_text", "numeric", "open_text", "ordering",]
    );
    assert_eq!(body["quiz"]["questions"][1]["points"], 2000);
    let reasons: Vec<&str> =
        body["skipped"].as_array().expect("skipped").iter().map(|s| s["reason"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        reasons,
        [
            "matching questions are not supported",
            "description only (no answer)",
            "embedded-answer (Cloze) questions are not supported",
        ]
    );
    assert_eq!(body["warnings"].as_array().map(Vec::len), Some(1));

    // The native example covers every kind.
    let (status, body) = post_import(&server, Some(&token), "?format=json", read_fixture("example.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        kinds(&body["quiz"]),
        [
            "single_choice",
            "multiple_choice",
            "true_false",
            "numeric",
            "short_text",
            "ordering",
            "word_cloud",
            "rating_scale",
            "open_text",
        ]
    );
    assert_eq!(body["quiz"]["questions"][0]["id"], "evaluation-formative");
    assert_eq!(body["quiz"]["questions"][1]["choices"][3]["id"], "c4");
}

#[tokio::test]
async fn broken_files_get_a_400_naming_the_line() {
    let server = TestServer::start().await;
    let token = server.token(Role::Facilitator, "M. Martin");

    let (status, body) = post_import(&server, Some(&token), "", read_fixture("broken.gift")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_field");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("gift import failed: line 8: "), "{message}");
    assert!(message.contains("not closed"), "{message}");

    let (status, body) = post_import(&server, Some(&token), "?format=moodlexml", read_fixture("broken.xml")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_field");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("line 12, column 3"), "{message}");
    assert!(message.contains("</questiontext>"), "{message}");

    // A GIFT file read as XML fails as XML.
    let (status, body) = post_import(&server, Some(&token), "?format=xml", read_fixture("complete.gift")).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")));

    let (status, body) = post_import(&server, Some(&token), "?format=csv", "a;b").await;
    assert_eq!((status, body["code"].as_str()), (400, Some("out_of_range")));
    assert!(body["message"].as_str().unwrap_or_default().contains("csv"));

    let (status, body) = post_import(&server, Some(&token), "?format=gift", vec![0xff, 0xfe, 0x00]).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")));
    assert!(body["message"].as_str().unwrap_or_default().contains("UTF-8"));

    let (status, body) = post_import(&server, Some(&token), "?formats=gift", "Q {T}").await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")));

    // Large Moodle exports (embedded images) are fine; beyond 16 MiB, no.
    let large = format!("Q ? {{T}}\n\n// {}\n", "x".repeat(1024 * 1024));
    let (status, _) = post_import(&server, Some(&token), "?format=gift", large).await;
    assert_eq!(status, 200, "a 1 MiB file imports");
    let huge = format!("Q ? {{T}}\n\n{}", "x".repeat(17 * 1024 * 1024));
    let (status, body) = post_import(&server, Some(&token), "", huge).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("frame_too_large")));
}

#[tokio::test]
async fn only_leaders_may_import() {
    let server = TestServer::start().await;
    let participant = server.token(Role::Participant, "Léa");
    let (status, body) = post_import(&server, Some(&participant), "", "Vrai ? {T}").await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let observer = server.token(Role::Observer, "Projecteur");
    let (status, _) = post_import(&server, Some(&observer), "", "Vrai ? {T}").await;
    assert_eq!(status, 403);
    let (status, body) = post_import(&server, None, "", "Vrai ? {T}").await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    let admin = server.token(Role::Admin, "Admin");
    let (status, body) = post_import(&server, Some(&admin), "", "Vrai ? {T}").await;
    assert_eq!(status, 200, "{body}");
}

fn amphi(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amphi")).args(args).output().expect("amphi runs")
}

#[test]
fn cli_converts_gift_to_json_that_reimports_identically() {
    let dir = tempfile::tempdir().unwrap();
    let converted = dir.path().join("quiz.json");
    let output =
        amphi(&["import".as_ref(), fixture("complete.gift").as_os_str(), "--out".as_ref(), converted.as_os_str()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(output.stdout.is_empty(), "--out leaves stdout empty");
    assert!(stderr.contains("skipped line 34 (Appariement): matching questions are not supported"), "{stderr}");
    assert!(stderr.contains("13 questions imported, 2 skipped"), "{stderr}");

    let first: Value = serde_json::from_slice(&std::fs::read(&converted).unwrap()).unwrap();
    assert_eq!(first["questions"].as_array().map(Vec::len), Some(13));

    // The converted file, read back as native JSON, comes out the same.
    let output = amphi(&["import".as_ref(), converted.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let second: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(first, second);
}

#[test]
fn cli_reports_errors_with_the_line_and_exit_code_1() {
    let output = amphi(&["import".as_ref(), fixture("broken.gift").as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.gift"), "{stderr}");
    assert!(stderr.contains("line 8: "), "{stderr}");

    let output = amphi(&["import".as_ref(), fixture("complete.xml").as_os_str(), "--format".as_ref(), "yaml".as_ref()]);
    assert_eq!(output.status.code(), Some(2), "clap refuses the format");
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown format `yaml`"));

    let output = amphi(&["import".as_ref(), "no/such/file.gift".as_ref()]);
    assert_eq!(output.status.code(), Some(1));
}
