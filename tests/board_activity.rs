//! The trainer's activity log of a board, on SQLite and on PostgreSQL: what
//! members did over real WebSockets (post, edit, move, comment, like, rate,
//! delete; a leader's switch) read back over HTTP from the journal, newest
//! first, by pages that follow one another without gap or repeat, each
//! entry with who, when, the post's id and title (a deleted post's from its
//! command); refused commands are not in it; participants, another tenant's
//! trainer and bad paging are refused with their codes; the CSV of it all,
//! oldest first.

use amphi_protocol::board::{BoardCommand, Contribution, PostContent, Reactions};
use amphi_protocol::{ErrorCode, Format, Role};
use serde_json::{Value, json};

use crate::board_reactions::{board, create_board};
use crate::util::*;

fn titled(title: &str) -> PostContent {
    PostContent { title: title.into(), ..PostContent::default() }
}

async fn get(url: String, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn activity_scenario(database: Option<&PgDatabase>) {
    let url = database.map(|d| d.url.clone());
    let server = TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
    })
    .await;
    let base = server.url("");
    let token = server.token(Role::Trainer, "Mme Durand");
    let seeded = json!({ "sections": ["Idées", "Questions"], "posts": [{ "section": 0, "author_name": "Mme Durand", "title": "Consigne" }] });
    let room = create_board(&base, &token, seeded).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(&room_id).await;
    let board_now = snapshot.board.unwrap();
    let (consigne, questions) = (board_now.posts[0].id.clone(), board_now.sections[1].id.clone());
    let mut phone = server.connect(Format::Json).await;
    phone.hello_guest(&code, "Camille").await;

    // Camille posts twice (p2, p3), edits, moves, comments, likes; deletes
    // her second post; the trainer switches comments off, turns the board
    // to stars and rates.
    let commands: Vec<(bool, BoardCommand)> = vec![
        (false, BoardCommand::Post { section: None, before: None, content: titled("Première idée") }),
        (false, BoardCommand::Post { section: None, before: None, content: titled("Brouillon") }),
        (false, BoardCommand::Edit { post: "p2".into(), version: 1, content: titled("Première idée, précisée") }),
        (false, BoardCommand::Move { post: "p2".into(), section: questions.clone(), before: None }),
        (false, BoardCommand::Comment { post: consigne.clone(), text: "Je commence".into() }),
        (false, BoardCommand::Like { post: consigne.clone() }),
        (false, BoardCommand::Delete { post: "p3".into() }),
        (true, BoardCommand::Switch { contribution: Contribution::Comments, on: false }),
        (true, BoardCommand::SetReactions { reactions: Reactions::Stars }),
        (true, BoardCommand::Rate { post: "p2".into(), stars: 4 }),
    ];
    for (by_trainer, command) in commands {
        let client = if by_trainer { &mut trainer } else { &mut phone };
        let message = board(client, &room_id, command);
        client.ok(message).await;
    }
    // Refused: not in the log.
    let message = board(&mut phone, &room_id, BoardCommand::Comment { post: consigne.clone(), text: "Encore".into() });
    assert_eq!(phone.refused(message).await, ErrorCode::SwitchedOff);

    // The whole log, newest first.
    let (status, page) = get(format!("{base}/api/v1/boards/{room_id}/activity"), &token).await;
    assert_eq!(status, 200, "{page}");
    let entries = page["entries"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("member_name"), s("action"), s("post_title"))
        })
        .collect();
    let expected = [
        ("Mme Durand", "rate", "Première idée, précisée"),
        ("Mme Durand", "set_reactions", ""),
        ("Mme Durand", "switch", ""),
        ("Camille", "delete", "Brouillon"),
        ("Camille", "like", "Consigne"),
        ("Camille", "comment", "Consigne"),
        ("Camille", "move", "Première idée, précisée"),
        ("Camille", "edit", "Première idée, précisée"),
        ("Camille", "post", "Brouillon"),
        ("Camille", "post", "Première idée, précisée"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(summary, expected);
    assert_eq!(page["next"], Value::Null, "one page holds it all");
    let at = |i: usize| entries[i]["at"].as_i64().unwrap();
    assert!((0..entries.len() - 1).all(|i| at(i) >= at(i + 1)), "newest first");
    assert_eq!((entries[9]["post"].as_str(), entries[8]["post"].as_str()), (Some("p2"), Some("p3")), "created ids");
    assert_eq!(entries[0]["stars"], 4);
    assert_eq!((entries[2]["contribution"].as_str(), entries[2]["on"].as_bool()), (Some("comments"), Some(false)));
    assert_eq!(entries[5]["text"], "Je commence");
    assert_eq!(entries[6]["section"], questions.as_str());
    assert_eq!((entries[4]["role"].as_str(), entries[0]["role"].as_str()), (Some("participant"), Some("trainer")));

    // Pages of 3 follow one another: the same entries, none twice.
    let mut paged = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let cursor = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let (status, page) = get(format!("{base}/api/v1/boards/{room_id}/activity?limit=3{cursor}"), &token).await;
        assert_eq!(status, 200, "{page}");
        let got = page["entries"].as_array().unwrap();
        assert!(got.len() <= 3);
        paged.extend(got.iter().map(|e| (e["position"].as_i64().unwrap(), e["post"].clone())));
        match page["next"].as_i64() {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    let whole: Vec<(i64, Value)> =
        entries.iter().map(|e| (e["position"].as_i64().unwrap(), e["post"].clone())).collect();
    assert_eq!(paged, whole, "pages give the same entries, post ids included");

    // The CSV: the whole log, oldest first, in French.
    let csv = reqwest::Client::new()
        .get(format!("{base}/api/v1/boards/{room_id}/activity.csv?dialect=fr"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let disposition = csv.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains("activite-tableau.csv"), "{disposition}");
    let csv = csv.text().await.unwrap();
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[1..], ["Qui", "Rôle", "Action", "Message", "Titre du message", "Détails"]);
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0][1..6], ["Camille", "participant", "post", "p2", "Première idée, précisée"]);
    assert_eq!((rows[4][3].as_str(), rows[4][6].as_str()), ("comment", "text: Je commence"));
    assert_eq!((rows[9][3].as_str(), rows[9][6].as_str()), ("rate", "stars: 4"));
    let participant = server.token(Role::Participant, "Camille");
    let (status, _) = get(format!("{base}/api/v1/boards/{room_id}/activity.csv"), &participant).await;
    assert_eq!(status, 403, "the CSV is for leaders too");

    // Refusals.
    let participant = server.token(Role::Participant, "Camille");
    let (status, body) = get(format!("{base}/api/v1/boards/{room_id}/activity"), &participant).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let elsewhere = server.token_in(Role::Trainer, "M. Martin", "autre-academie");
    let (status, body) = get(format!("{base}/api/v1/boards/{room_id}/activity"), &elsewhere).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("room_not_found")), "another tenant's board is not found");
    for bad in ["limit=0", "limit=201"] {
        let (status, body) = get(format!("{base}/api/v1/boards/{room_id}/activity?{bad}"), &token).await;
        assert_eq!((status, body["code"].as_str()), (400, Some("out_of_range")), "{bad}");
    }
    let (status, body) = get(format!("{base}/api/v1/boards/{room_id}/activity?before=soon"), &token).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")));
    let quiz = server.create_room(&token, "Pas un tableau").await;
    let (status, _) = get(format!("{base}/api/v1/boards/{}/activity", room_id_of(&quiz)), &token).await;
    assert_eq!(status, 404, "a room without a board");
}

fn room_id_of(room: &Value) -> String {
    room["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_activity_log_on_sqlite() {
    activity_scenario(None).await;
}

#[tokio::test]
async fn the_activity_log_on_postgresql() {
    let database = PgDatabase::create().await;
    activity_scenario(Some(&database)).await;
}
