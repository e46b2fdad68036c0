//! "Mes sessions": `GET /api/v1/rooms?mine=1` lists the rooms the caller
//! created in their tenant, live ones first, and nobody else's.

use amphi_protocol::{Format, Role};
use serde_json::Value;

use crate::util::*;

async fn mine(server: &TestServer, token: &str, query: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/rooms{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn titles(body: &Value) -> Vec<String> {
    body["rooms"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_trainer_lists_the_rooms_they_lead_live_ones_first() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_path_buf();
    let mut server = TestServer::start_with(|c| c.data_dir = data_dir.clone()).await;
    let durand = server.token(Role::Trainer, "Mme Durand");
    let petit = server.token(Role::Trainer, "M. Petit");
    let elsewhere = server.token_in(Role::Trainer, "Mme Autre", "academie-b");
    let mut created = Vec::new();
    for title in ["Géographie", "Histoire", "Sciences"] {
        created.push(server.create_room(&durand, title).await);
    }
    server.create_room(&petit, "La salle de M. Petit").await;
    server.create_room(&elsewhere, "Une autre académie").await;

    let (status, body) = mine(&server, &durand, "?mine=1").await;
    assert_eq!(status, 200, "{body}");
    let mut listed = titles(&body);
    listed.sort();
    assert_eq!(listed, ["Géographie", "Histoire", "Sciences"], "only hers, in her tenant");
    let first = &body["rooms"][0];
    for key in ["id", "kind", "join_code", "created_at", "live"] {
        assert!(!first[key].is_null(), "{key} in {first}");
    }

    // After a restart nothing runs until it is used: the room she resumes
    // comes first, the others newest first.
    server.shutdown().await.unwrap();
    drop(server);
    let server = TestServer::start_with(|c| c.data_dir = data_dir.clone()).await;
    let (_, body) = mine(&server, &durand, "?mine=1").await;
    assert!(body["rooms"].as_array().unwrap().iter().all(|r| r["live"] == false), "{body}");
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(&durand).await;
    trainer.join(&room_id(&created[0])).await;
    let (_, body) = mine(&server, &durand, "?mine=1").await;
    let rooms = body["rooms"].as_array().unwrap();
    assert_eq!(rooms[0]["title"], "Géographie");
    assert_eq!(rooms[0]["live"], true);
    assert!(rooms[1..].iter().all(|r| r["live"] == false));
    let rest: Vec<i64> = rooms[1..].iter().map(|r| r["created_at"].as_i64().unwrap()).collect();
    assert!(rest.windows(2).all(|w| w[0] >= w[1]), "newest first: {rest:?}");

    // A participant has no sessions to lead; the listing needs `mine=1`.
    let guest = server.token(Role::Participant, "Denis");
    let (status, body) = mine(&server, &guest, "?mine=1").await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let (status, body) = mine(&server, &durand, "").await;
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_field")));
}
