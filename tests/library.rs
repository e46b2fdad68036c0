//! The shared library (`/api/v1/library`), through the real server's REST
//! API on SQLite and PostgreSQL: publishing, accent-folded search with its
//! filters and visibility, previews (content for leaders only), copies with
//! their provenance, new versions and what changed, updates on request,
//! withdrawal and moderation, and tenant isolation on every endpoint.

use amphi_protocol::Role;
use serde_json::{Value, json};

use crate::util::*;

const LYON: &str = "ac-lyon";
const NANTES: &str = "ac-nantes";
const NATION: &str = "dgesco";

async fn server(database: Option<&PgDatabase>) -> TestServer {
    let url = database.map(|d| d.url.clone());
    TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
    })
    .await
}

async fn call(server: &TestServer, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut request = http.request(method.parse().unwrap(), server.url(&format!("/api/v1{path}"))).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(server: &TestServer, path: &str, token: &str) -> (u16, Value) {
    call(server, "GET", path, token, None).await
}

async fn post(server: &TestServer, path: &str, token: &str, body: Value) -> (u16, Value) {
    call(server, "POST", path, token, Some(body)).await
}

fn refused(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["code"].as_str().unwrap_or("?"))
}

fn quiz(questions: &[(&str, &str)]) -> Value {
    let questions: Vec<Value> = questions
        .iter()
        .map(|(id, prompt)| {
            json!({
                "id": id, "type": "single_choice", "prompt": prompt, "time_limit_s": 60,
                "choices": [{ "id": "c1", "text": "Oui", "correct": true }, { "id": "c2", "text": "Non" }]
            })
        })
        .collect();
    json!({ "title": "Quiz", "questions": questions })
}

async fn quiz_room(server: &TestServer, token: &str, title: &str, questions: &[(&str, &str)]) -> String {
    let body = json!({ "title": title, "kind": "quiz", "quiz": quiz(questions) });
    let answer = post(server, "/rooms", token, body).await;
    assert_eq!(answer.0, 201, "{}", answer.1);
    answer.1["id"].as_str().unwrap().to_string()
}

async fn publish(server: &TestServer, token: &str, body: Value) -> String {
    let answer = post(server, "/library/items", token, body).await;
    assert_eq!(answer.0, 201, "{}", answer.1);
    answer.1["id"].as_str().unwrap().to_string()
}

async fn search(server: &TestServer, token: &str, query: &str) -> Vec<String> {
    let answer = get(server, &format!("/library/items?{query}"), token).await;
    assert_eq!(answer.0, 200, "{query}: {}", answer.1);
    answer.1["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap().to_string()).collect()
}

// ----- publish, search, preview ---------------------------------------------

async fn publish_search_and_preview(database: Option<&PgDatabase>) {
    let server = server(database).await;
    let durand = server.token_in(Role::Trainer, "Mme Durand", LYON);
    let martin = server.token_in(Role::Trainer, "M. Martin", LYON);
    let pupil = server.token_in(Role::Participant, "Camille", LYON);
    let nantes = server.token_in(Role::Trainer, "Mme Autre", NANTES);
    let curator = server.token_in(Role::National, "M. National", NATION);

    let room = quiz_room(&server, &durand, "Électricité", &[("q1", "Qu'est-ce qu'un ohm ?")]).await;
    let meta = json!({
        "kind": "quiz", "source": room, "title": "Électricité : la loi d'Ohm",
        "description": "Résistances et intensité", "disciplines": ["Physique-chimie"], "level": "Cycle 4",
        "duration_min": 20, "tags": ["Énergie"],
    });
    let answer = post(&server, "/library/items", &durand, meta.clone()).await;
    assert_eq!(answer.0, 201, "{}", answer.1);
    let ohm = answer.1["id"].as_str().unwrap().to_string();
    assert_eq!(answer.1["licence"], "etalab-2.0", "the default licence");
    assert_eq!((answer.1["scope"].as_str(), answer.1["academie"].as_str()), (Some("academie"), Some(LYON)));
    assert_eq!((answer.1["author_name"].as_str(), answer.1["version"].as_i64()), (Some("Mme Durand"), Some(1)));

    // Only the national role publishes nationally.
    let national = json!({ "kind": "quiz", "source": room, "scope": "national" });
    assert_eq!(refused(&post(&server, "/library/items", &durand, national).await), (403, "forbidden"));
    let theirs = quiz_room(&server, &curator, "Fractions", &[("q1", "Un demi plus un demi ?")]).await;
    let answer = post(
        &server,
        "/library/items",
        &curator,
        json!({ "kind": "quiz", "source": theirs, "scope": "national", "title": "Les fractions à l'école",
                "disciplines": ["Mathématiques"], "level": "Cycle 3", "licence": "cc-by-sa-4.0" }),
    )
    .await;
    assert_eq!(answer.0, 201, "{}", answer.1);
    assert_eq!((answer.1["scope"].as_str(), answer.1["licence"].as_str()), (Some("national"), Some("cc-by-sa-4.0")));
    let fractions = answer.1["id"].as_str().unwrap().to_string();

    // Someone else's quiz cannot be published: another trainer of the
    // tenant is refused, another tenant's finds no such room.
    let again = json!({ "kind": "quiz", "source": room });
    assert_eq!(refused(&post(&server, "/library/items", &martin, again.clone()).await), (403, "forbidden"));
    assert_eq!(refused(&post(&server, "/library/items", &nantes, again.clone()).await), (404, "not_found"));
    assert_eq!(refused(&post(&server, "/library/items", &pupil, again).await), (403, "forbidden"));

    // Accents and case folded, words matched by prefix, in any field.
    let ohm_title = "Électricité : la loi d'Ohm";
    for query in ["q=electricite", "q=%C3%89LECTR", "q=loi+ohm", "q=energ", "q=resistance", "q=durand", "q=physique"] {
        assert_eq!(search(&server, &durand, query).await, [ohm_title], "{query}");
    }
    assert_eq!(search(&server, &durand, "q=electricite+fractions").await, Vec::<String>::new(), "every word");
    assert_eq!(search(&server, &durand, "q=ecole").await, ["Les fractions à l'école"]);
    // Visibility: the académie's items to its members only, national ones
    // to everyone (participants included).
    assert_eq!(search(&server, &nantes, "q=electr").await, Vec::<String>::new());
    assert_eq!(search(&server, &nantes, "").await, ["Les fractions à l'école"]);
    assert_eq!(search(&server, &pupil, "").await, ["Les fractions à l'école", ohm_title], "newest first");
    // Filters.
    assert_eq!(search(&server, &durand, "discipline=physique%20chimie").await, [ohm_title]);
    assert_eq!(search(&server, &durand, "discipline=Math%C3%A9matiques").await, ["Les fractions à l'école"]);
    assert_eq!(search(&server, &durand, "discipline=histoire").await, Vec::<String>::new());
    assert_eq!(search(&server, &durand, "level=cycle%204").await, [ohm_title]);
    assert_eq!(search(&server, &durand, "kind=board").await, Vec::<String>::new());
    assert_eq!(search(&server, &durand, "kind=quiz&scope=national").await, ["Les fractions à l'école"]);
    assert_eq!(search(&server, &durand, "scope=academie").await, [ohm_title]);
    assert_eq!(search(&server, &durand, &format!("academie={LYON}")).await, [ohm_title]);
    assert_eq!(search(&server, &nantes, &format!("academie={LYON}")).await, Vec::<String>::new());
    // Pages.
    let (status, page) = get(&server, "/library/items?limit=1", &durand).await;
    assert_eq!((status, page["items"].as_array().unwrap().len()), (200, 1), "{page}");
    assert_eq!(page["items"][0]["id"], fractions.as_str());
    let cursor = page["next_cursor"].as_str().expect("a next page").to_string();
    let (_, page) = get(&server, &format!("/library/items?limit=1&cursor={cursor}"), &durand).await;
    assert_eq!(page["items"][0]["id"], ohm.as_str(), "{page}");
    assert!(page["next_cursor"].is_null(), "{page}");

    // Preview: the metadata for whoever sees the item; the content (with
    // the right answers) for leaders only.
    let (status, preview) = get(&server, &format!("/library/items/{ohm}"), &pupil).await;
    assert_eq!((status, preview["title"].as_str()), (200, Some(ohm_title)), "{preview}");
    assert_eq!(preview["disciplines"], json!(["Physique-chimie"]));
    assert_eq!(refused(&get(&server, &format!("/library/items/{ohm}/content"), &pupil).await), (403, "forbidden"));
    let (status, content) = get(&server, &format!("/library/items/{ohm}/content"), &martin).await;
    assert_eq!(status, 200, "{content}");
    let question = &content["content"]["quiz"]["questions"][0];
    assert_eq!(
        (question["prompt"].as_str(), question["choices"][0]["correct"].as_bool()),
        (Some("Qu'est-ce qu'un ohm ?"), Some(true))
    );
    assert_eq!(refused(&get(&server, &format!("/library/items/{ohm}"), &nantes).await), (404, "not_found"));
    assert_eq!(refused(&get(&server, &format!("/library/items/{ohm}/content"), &nantes).await), (404, "not_found"));
    let (status, _) = get(&server, &format!("/library/items/{fractions}/content"), &nantes).await;
    assert_eq!(status, 200, "a national item's content for any leader");

    // Bad input, each with its stable code, counted.
    let before = server.app.metrics.abuse.with_label_values(&["library_input"]).get();
    let cases = [
        (json!({ "kind": "quiz", "source": room, "licence": "cc-by-nc-4.0" }), "out_of_range"),
        (json!({ "kind": "quiz", "source": room, "description": "é".repeat(2001) }), "out_of_range"),
        (json!({ "kind": "quiz", "source": room, "tags": vec!["x"; 11] }), "out_of_range"),
        (json!({ "kind": "quiz", "source": room, "disciplines": ["a".repeat(61)] }), "out_of_range"),
        (json!({ "kind": "quiz", "source": room, "duration_min": 0 }), "out_of_range"),
        (json!({ "kind": "quiz", "source": room, "title": "t".repeat(201) }), "out_of_range"),
        (json!({ "kind": "video", "source": room }), "out_of_range"),
        (json!({ "kind": "board", "source": room }), "invalid_field"),
        (json!({ "kind": "quiz", "source": room, "price": 3 }), "invalid_field"),
        (json!({ "kind": "quiz", "source": room, "scope": "monde" }), "out_of_range"),
    ];
    for (body, code) in cases {
        let answer = post(&server, "/library/items", &durand, body.clone()).await;
        assert_eq!(refused(&answer), (400, code), "{body}: {}", answer.1);
    }
    assert_eq!(server.app.metrics.abuse.with_label_values(&["library_input"]).get(), before + 10);
    let message =
        post(&server, "/library/items", &durand, json!({ "kind": "quiz", "source": room, "licence": "cc0" })).await;
    assert!(message.1["message"].as_str().unwrap().contains("etalab-2.0"), "{}", message.1);
    for query in ["limit=51", "limit=0", "cursor=nope", "kind=video", "scope=monde", "sort=old"] {
        let answer = get(&server, &format!("/library/items?{query}"), &durand).await;
        assert_eq!(answer.0, 400, "{query}: {}", answer.1);
    }
    let long = "a".repeat(201);
    assert_eq!(refused(&get(&server, &format!("/library/items?q={long}"), &durand).await), (400, "out_of_range"));
    let nobody = "00000000-0000-4000-8000-000000000000";
    assert_eq!(refused(&get(&server, &format!("/library/items/{nobody}"), &durand).await), (404, "not_found"));
    assert_eq!(refused(&get(&server, "/library/items/not-an-id", &durand).await), (404, "not_found"));
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{nobody}/copies"), &durand, json!({})).await),
        (404, "not_found")
    );
    // A projector's or a guest's token (scoped to a room) has no library.
    let (_, token) = post(&server, &format!("/rooms/{room}/observer-token"), &durand, json!({})).await;
    let projector = token["token"].as_str().unwrap();
    assert_eq!(refused(&get(&server, "/library/items", projector).await), (403, "forbidden"));
    // Nor does a tenant named like the national audience.
    let star = server.token_in(Role::Trainer, "Mme Étoile", "*");
    assert_eq!(refused(&get(&server, "/library/items", &star).await), (403, "forbidden"));
}

#[tokio::test]
async fn library_publish_search_and_preview_sqlite() {
    publish_search_and_preview(None).await;
}

#[tokio::test]
async fn library_publish_search_and_preview_postgres() {
    let database = PgDatabase::create().await;
    publish_search_and_preview(Some(&database)).await;
}

// ----- copies, versions, updates ---------------------------------------------

async fn copies_versions_and_updates(database: Option<&PgDatabase>) {
    let server = server(database).await;
    let durand = server.token_in(Role::Trainer, "Mme Durand", LYON);
    let martin = server.token_in(Role::Trainer, "M. Martin", LYON);
    let petit = server.token_in(Role::Trainer, "M. Petit", LYON);
    let pupil = server.token_in(Role::Participant, "Camille", LYON);
    let nantes = server.token_in(Role::Trainer, "Mme Autre", NANTES);

    let v1 = quiz_room(&server, &durand, "Volcans", &[("q1", "Un volcan ?"), ("q2", "Le magma ?")]).await;
    let item = publish(&server, &durand, json!({ "kind": "quiz", "source": v1, "disciplines": ["SVT"] })).await;

    // A copy: a new quiz room of the copier's, with its provenance.
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{item}/copies"), &pupil, json!({})).await),
        (403, "forbidden")
    );
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{item}/copies"), &nantes, json!({})).await),
        (404, "not_found")
    );
    let (status, copy) = post(&server, &format!("/library/items/{item}/copies"), &martin, json!({})).await;
    assert_eq!(status, 201, "{copy}");
    let copy_id = copy["id"].as_str().unwrap().to_string();
    let target = copy["target"].as_str().unwrap().to_string();
    assert_eq!((copy["version"].as_i64(), copy["update_available"].as_bool()), (Some(1), Some(false)));
    assert_eq!((copy["made"]["kind"].as_str(), copy["made"]["tenant"].as_str()), (Some("quiz"), Some(LYON)));
    assert_ne!(target, v1);
    let (status, made) = get(&server, &format!("/rooms/{target}"), &martin).await;
    assert_eq!(status, 200, "{made}");
    assert_eq!((made["kind"].as_str(), made["library"]["item"].as_str()), (Some("quiz"), Some(item.as_str())));
    assert_eq!(
        (made["library"]["version"].as_i64(), made["library"]["copy"].as_str()),
        (Some(1), Some(copy_id.as_str()))
    );
    assert_ne!(made["created_by"], json!(null));
    let (_, original) = get(&server, &format!("/rooms/{v1}"), &durand).await;
    assert!(original.get("library").is_none(), "the original is no copy: {original}");
    // The copy is usable: a session is run from it.
    let (status, session) = post(&server, &format!("/rooms/{target}/next-session"), &martin, json!({})).await;
    assert_eq!((status, session["kind"].as_str()), (201, Some("quiz")), "{session}");

    // A new version: q1 edited, q2 removed, q3 added.
    let v2 = quiz_room(&server, &durand, "Volcans", &[("q1", "Un volcan actif ?"), ("q3", "La lave ?")]).await;
    let body = json!({ "source": v2, "note": "Plus de lave", "tags": ["Géologie"] });
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{item}/versions"), &martin, body.clone()).await),
        (403, "forbidden")
    );
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{item}/versions"), &nantes, body.clone()).await),
        (404, "not_found")
    );
    let other = quiz_room(&server, &martin, "À moi", &[("q1", "?")]).await;
    let stolen = json!({ "source": other });
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{item}/versions"), &durand, stolen).await),
        (403, "forbidden")
    );
    let (status, version) = post(&server, &format!("/library/items/{item}/versions"), &durand, body).await;
    assert_eq!(status, 201, "{version}");
    assert_eq!(version["version"], 2);
    let questions = &version["changes"]["questions"];
    assert_eq!(questions["added"], json!([{ "id": "q3", "label": "La lave ?" }]), "{version}");
    assert_eq!(questions["removed"], json!([{ "id": "q2", "label": "Le magma ?" }]));
    assert_eq!(questions["edited"], json!([{ "id": "q1", "label": "Un volcan actif ?" }]));
    assert_eq!(version["changes"]["metadata"], json!(["tags"]));
    let same = json!({ "source": v2 });
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{item}/versions"), &durand, same).await),
        (409, "invalid_state")
    );

    // The copier sees it, on the copy and in the listing.
    let (_, made) = get(&server, &format!("/rooms/{target}"), &martin).await;
    assert_eq!(
        (made["library"]["latest_version"].as_i64(), made["library"]["update_available"].as_bool()),
        (Some(2), Some(true))
    );
    let (status, listing) = get(&server, "/library/copies", &martin).await;
    assert_eq!(status, 200, "{listing}");
    let listed = &listing["copies"][0];
    assert_eq!((listed["id"].as_str(), listed["update_available"].as_bool()), (Some(copy_id.as_str()), Some(true)));
    assert_eq!(listed["changes"]["questions"], *questions);
    assert_eq!(listed["changes"]["note"], "Plus de lave");
    // Nobody else sees or updates it.
    let (_, others) = get(&server, "/library/copies", &nantes).await;
    assert_eq!(others["copies"], json!([]));
    assert_eq!(refused(&get(&server, &format!("/library/copies/{copy_id}"), &nantes).await), (404, "not_found"));
    assert_eq!(refused(&get(&server, &format!("/library/copies/{copy_id}"), &petit).await), (403, "forbidden"));
    let update = format!("/library/copies/{copy_id}/update");
    assert_eq!(refused(&post(&server, &update, &nantes, json!({})).await), (404, "not_found"));
    assert_eq!(refused(&post(&server, &update, &petit, json!({})).await), (403, "forbidden"));
    assert_eq!(refused(&post(&server, &update, &pupil, json!({})).await), (403, "forbidden"));

    // Updated on request: a new room of version 2, the old one kept.
    let (status, updated) = post(&server, &update, &martin, json!({})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!((updated["version"].as_i64(), updated["previous_target"].as_str()), (Some(2), Some(target.as_str())));
    let new_target = updated["target"].as_str().unwrap().to_string();
    assert_ne!(new_target, target);
    let (status, room) = get(&server, &format!("/rooms/{new_target}"), &martin).await;
    assert_eq!((status, room["library"]["version"].as_i64()), (200, Some(2)), "{room}");
    assert_eq!(room["library"]["update_available"], false);
    let (status, _) = get(&server, &format!("/rooms/{target}"), &martin).await;
    assert_eq!(status, 200, "the old room stays");
    assert_eq!(refused(&post(&server, &update, &martin, json!({})).await), (409, "invalid_state"));
    let (_, listing) = get(&server, "/library/copies", &martin).await;
    assert_eq!(listing["copies"][0]["update_available"], false);
    assert!(listing["copies"][0].get("changes").is_none(), "{listing}");

    // A plan: copied as a plan, updated in place.
    let plan_body = json!({ "title": "Ateliers", "breakout": { "plan": { "mode": "manual", "ateliers": [
        { "id": "a1", "name": "Lecture", "duration_s": 900 },
        { "id": "a2", "name": "Écriture", "duration_s": 900 },
    ] } } });
    let (status, plan) = post(&server, "/plans", &durand, plan_body).await;
    assert_eq!(status, 201, "{plan}");
    let plan_id = plan["id"].as_str().unwrap();
    let plan_item =
        publish(&server, &durand, json!({ "kind": "plan", "source": plan_id, "title": "Ateliers lecture" })).await;
    let (status, copy) = post(&server, &format!("/library/items/{plan_item}/copies"), &martin, json!({})).await;
    assert_eq!(status, 201, "{copy}");
    let plan_copy = copy["id"].as_str().unwrap().to_string();
    let copied_plan = copy["target"].as_str().unwrap().to_string();
    let (status, mine) = get(&server, &format!("/plans/{copied_plan}"), &martin).await;
    assert_eq!((status, mine["owner"].as_str().is_some()), (200, true), "{mine}");
    assert_eq!(mine["library"]["item"], plan_item.as_str());
    let changed = json!({ "title": "Ateliers", "breakout": { "plan": { "mode": "manual", "ateliers": [
        { "id": "a1", "name": "Lecture", "duration_s": 900 },
        { "id": "a2", "name": "Écriture", "duration_s": 1200 },
        { "id": "a3", "name": "Oral", "duration_s": 900 },
    ] } } });
    let (status, _) = call(&server, "PUT", &format!("/plans/{plan_id}"), &durand, Some(changed)).await;
    assert_eq!(status, 200);
    let (status, version) = post(&server, &format!("/library/items/{plan_item}/versions"), &durand, json!({})).await;
    assert_eq!(status, 201, "{version}");
    let ateliers = &version["changes"]["ateliers"];
    assert_eq!(
        (ateliers["added"][0]["id"].as_str(), ateliers["edited"][0]["id"].as_str()),
        (Some("a3"), Some("a2")),
        "{version}"
    );
    let (status, updated) = post(&server, &format!("/library/copies/{plan_copy}/update"), &martin, json!({})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["target"], copied_plan.as_str(), "a plan is updated in place");
    let (_, mine) = get(&server, &format!("/plans/{copied_plan}"), &martin).await;
    assert_eq!(mine["breakout"]["plan"]["ateliers"].as_array().unwrap().len(), 3, "{mine}");
    assert_eq!(mine["library"]["version"], 2);

    // A board template: copied as a board room.
    let board = json!({ "title": "Mur", "kind": "board", "board": { "sections": ["Idées", "Questions"] } });
    let (status, room) = post(&server, "/rooms", &durand, board).await;
    assert_eq!(status, 201, "{room}");
    let board_item = publish(&server, &durand, json!({ "kind": "board", "source": room["id"] })).await;
    let (status, copy) = post(&server, &format!("/library/items/{board_item}/copies"), &martin, json!({})).await;
    assert_eq!((status, copy["made"]["kind"].as_str()), (201, Some("board")), "{copy}");
}

#[tokio::test]
async fn library_copies_versions_and_updates_sqlite() {
    copies_versions_and_updates(None).await;
}

#[tokio::test]
async fn library_copies_versions_and_updates_postgres() {
    let database = PgDatabase::create().await;
    copies_versions_and_updates(Some(&database)).await;
}

// ----- withdrawal and moderation ---------------------------------------------

async fn withdrawal_and_moderation(database: Option<&PgDatabase>) {
    let server = server(database).await;
    let durand = server.token_in(Role::Trainer, "Mme Durand", LYON);
    let martin = server.token_in(Role::Trainer, "M. Martin", LYON);
    let pupil = server.token_in(Role::Participant, "Camille", LYON);
    let lyon_admin = server.token_in(Role::Admin, "Admin Lyon", LYON);
    let nantes_admin = server.token_in(Role::Admin, "Admin Nantes", NANTES);
    let nantes = server.token_in(Role::Trainer, "Mme Autre", NANTES);
    let curator = server.token_in(Role::National, "M. National", NATION);

    let room = quiz_room(&server, &durand, "Séismes", &[("q1", "Une faille ?")]).await;
    let item = publish(&server, &durand, json!({ "kind": "quiz", "source": room })).await;
    let theirs = quiz_room(&server, &curator, "Climat", &[("q1", "Le CO2 ?")]).await;
    let national = publish(&server, &curator, json!({ "kind": "quiz", "source": theirs, "scope": "national" })).await;
    let (status, copy) = post(&server, &format!("/library/items/{item}/copies"), &martin, json!({})).await;
    assert_eq!(status, 201, "{copy}");
    let target = copy["target"].as_str().unwrap().to_string();

    let withdraw = |id: &str| format!("/library/items/{id}/withdraw");
    let before = server.app.metrics.abuse.with_label_values(&["library_forbidden"]).get();
    assert_eq!(refused(&post(&server, &withdraw(&item), &martin, json!({})).await), (403, "forbidden"));
    assert_eq!(refused(&post(&server, &withdraw(&item), &pupil, json!({})).await), (403, "forbidden"));
    assert_eq!(refused(&post(&server, &withdraw(&item), &nantes_admin, json!({})).await), (404, "not_found"));
    assert_eq!(refused(&post(&server, &withdraw(&item), &curator, json!({})).await), (404, "not_found"));
    assert_eq!(refused(&post(&server, &withdraw(&national), &nantes_admin, json!({})).await), (403, "forbidden"));
    assert_eq!(refused(&post(&server, &withdraw(&national), &lyon_admin, json!({})).await), (403, "forbidden"));
    assert_eq!(refused(&post(&server, &withdraw(&national), &nantes, json!({})).await), (403, "forbidden"));
    assert!(server.app.metrics.abuse.with_label_values(&["library_forbidden"]).get() >= before + 5);

    // The académie's admin withdraws its item: gone from search, still
    // previewed as withdrawn, no longer copied; the copy keeps working.
    let (status, withdrawn) = post(&server, &withdraw(&item), &lyon_admin, json!({})).await;
    assert_eq!((status, withdrawn["withdrawn"].as_bool()), (200, Some(true)), "{withdrawn}");
    assert_eq!(search(&server, &durand, "q=seismes").await, Vec::<String>::new());
    assert_eq!(search(&server, &martin, "").await, ["Climat"]);
    let (status, preview) = get(&server, &format!("/library/items/{item}"), &martin).await;
    assert_eq!((status, preview["withdrawn"].as_bool()), (200, Some(true)));
    assert_eq!(
        refused(&post(&server, &format!("/library/items/{item}/copies"), &martin, json!({})).await),
        (409, "invalid_state")
    );
    assert_eq!(refused(&post(&server, &withdraw(&item), &durand, json!({})).await), (409, "invalid_state"));
    let (status, room) = get(&server, &format!("/rooms/{target}"), &martin).await;
    assert_eq!((status, room["kind"].as_str()), (200, Some("quiz")));
    let (status, session) = post(&server, &format!("/rooms/{target}/next-session"), &martin, json!({})).await;
    assert_eq!(status, 201, "{session}");
    let (_, listing) = get(&server, "/library/copies", &martin).await;
    assert_eq!(listing["copies"][0]["item_withdrawn"], true, "{listing}");

    // The national role withdraws a national item.
    assert_eq!(search(&server, &nantes, "q=climat").await, ["Climat"]);
    let (status, _) = post(&server, &withdraw(&national), &curator, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(search(&server, &nantes, "q=climat").await, Vec::<String>::new());

    // An author withdraws their own item.
    let other = quiz_room(&server, &durand, "Marées", &[("q1", "La Lune ?")]).await;
    let own = publish(&server, &durand, json!({ "kind": "quiz", "source": other })).await;
    let (status, _) = post(&server, &withdraw(&own), &durand, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(search(&server, &durand, "").await, Vec::<String>::new());

    // The search goes through the indexes (SQLite plans without statistics
    // too; PostgreSQL's, on a few rows, may rightly scan).
    if database.is_none() {
        let query = amphi::store::LibraryQuery {
            tenant: LYON.into(),
            prefixes: vec!["seis".into(), "faille".into()],
            limit: 21,
            ..Default::default()
        };
        let plan = server.app.store.explain_library_search(&query).await.unwrap().join("\n");
        assert!(plan.contains("library_items_visible"), "{plan}");
        assert!(plan.contains("library_terms"), "{plan}");
        assert!(!plan.contains("SCAN library_items"), "{plan}");
    }
}

async fn erasure_of_an_author(database: Option<&PgDatabase>) {
    let server = server(database).await;
    let now = amphi::auth::unix_seconds();
    let claims = |sub: &str, name: &str, role: Role| amphi::auth::Claims {
        sub: sub.into(),
        name: name.into(),
        tenant: LYON.into(),
        role,
        exp: now + 3600,
        iat: now,
        room: None,
        guest: false,
    };
    let durand = server.sign(claims("durand", "Mme Durand", Role::Trainer));
    let martin = server.sign(claims("martin", "M. Martin", Role::Trainer));
    let admin = server.sign(claims("admin", "Admin", Role::Admin));
    let room = quiz_room(&server, &durand, "Marées", &[("q1", "La Lune ?")]).await;
    let item = publish(&server, &durand, json!({ "kind": "quiz", "source": room })).await;
    let (status, _) = post(&server, &format!("/library/items/{item}/copies"), &durand, json!({})).await;
    assert_eq!(status, 201);
    assert_eq!(search(&server, &martin, "q=durand").await, ["Marées"]);
    let (status, erased) = call(&server, "DELETE", "/admin/users/durand", &admin, None).await;
    assert_eq!((status, erased["library"].as_u64()), (200, Some(2)), "{erased}");
    let (_, preview) = get(&server, &format!("/library/items/{item}"), &martin).await;
    assert_eq!(preview["author_name"], "", "{preview}");
    assert_eq!(search(&server, &martin, "q=durand").await, Vec::<String>::new(), "the name is out of the index too");
    assert_eq!(search(&server, &martin, "q=marees").await, ["Marées"], "the item stays");
    let (_, copies) = get(&server, "/library/copies", &durand).await;
    assert_eq!(copies["copies"], json!([]));
}

#[tokio::test]
async fn library_erasure_of_an_author_sqlite() {
    erasure_of_an_author(None).await;
}

#[tokio::test]
async fn library_erasure_of_an_author_postgres() {
    let database = PgDatabase::create().await;
    erasure_of_an_author(Some(&database)).await;
}

#[tokio::test]
async fn library_withdrawal_and_moderation_sqlite() {
    withdrawal_and_moderation(None).await;
}

#[tokio::test]
async fn library_withdrawal_and_moderation_postgres() {
    let database = PgDatabase::create().await;
    withdrawal_and_moderation(Some(&database)).await;
}

// ----- the author's items, recency, what the caller may withdraw -------------

async fn authors_items_and_recency(database: Option<&PgDatabase>) {
    let server = server(database).await;
    let durand = server.token_in(Role::Trainer, "Mme Durand", LYON);
    let martin = server.token_in(Role::Trainer, "M. Martin", LYON);
    let pupil = server.token_in(Role::Participant, "Camille", LYON);
    let lyon_admin = server.token_in(Role::Admin, "Admin Lyon", LYON);
    let nantes = server.token_in(Role::Trainer, "Mme Autre", NANTES);
    let curator = server.token_in(Role::National, "M. National", NATION);

    let first = quiz_room(&server, &durand, "Volcans", &[("q1", "Un cratère ?")]).await;
    let volcans = publish(&server, &durand, json!({ "kind": "quiz", "source": first })).await;
    let second = quiz_room(&server, &durand, "Marées", &[("q1", "La Lune ?")]).await;
    let marees = publish(&server, &durand, json!({ "kind": "quiz", "source": second })).await;
    let (status, _) = post(&server, &format!("/library/items/{marees}/withdraw"), &durand, json!({})).await;
    assert_eq!(status, 200);
    let theirs = quiz_room(&server, &curator, "Climat", &[("q1", "Le CO2 ?")]).await;
    let national = publish(&server, &curator, json!({ "kind": "quiz", "source": theirs, "scope": "national" })).await;

    // "My items": the author's own, withdrawn ones included, newest first;
    // nobody else's (another member of the tenant, another tenant).
    let (status, mine) = get(&server, "/library/mine", &durand).await;
    assert_eq!(status, 200, "{mine}");
    let listed: Vec<(&str, bool)> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["title"].as_str().unwrap(), item["withdrawn"].as_bool().unwrap()))
        .collect();
    assert_eq!(listed, [("Marées", true), ("Volcans", false)]);
    assert_eq!(mine["items"][1]["can_withdraw"], true);
    assert_eq!(mine["items"][0]["can_withdraw"], false, "already withdrawn");
    for other in [&martin, &nantes, &curator] {
        let (status, theirs) = get(&server, "/library/mine", other).await;
        assert_eq!(status, 200);
        assert!(theirs["items"].as_array().unwrap().iter().all(|item| item["id"] != volcans.as_str()), "{theirs}");
    }
    assert_eq!(refused(&get(&server, "/library/mine", &pupil).await), (403, "forbidden"));
    let room = quiz_room(&server, &durand, "Accueil", &[("q1", "Prêt ?")]).await;
    let now_s = amphi::auth::unix_seconds();
    let scoped = server.sign(amphi::auth::Claims {
        sub: "projector".into(),
        name: "Projecteur".into(),
        tenant: LYON.into(),
        role: Role::Observer,
        exp: now_s + 3600,
        iat: now_s,
        room: Some(uuid::Uuid::parse_str(&room).unwrap()),
        guest: false,
    });
    assert_eq!(refused(&get(&server, "/library/mine", &scoped).await), (403, "forbidden"));

    // `can_withdraw` says what the withdrawal endpoint would allow.
    let flag = |answer: (u16, Value)| answer.1["can_withdraw"].as_bool();
    assert_eq!(flag(get(&server, &format!("/library/items/{volcans}"), &martin).await), Some(false));
    assert_eq!(flag(get(&server, &format!("/library/items/{volcans}"), &lyon_admin).await), Some(true));
    assert_eq!(flag(get(&server, &format!("/library/items/{national}"), &lyon_admin).await), Some(false));
    assert_eq!(flag(get(&server, &format!("/library/items/{national}"), &curator).await), Some(true));

    // Recency: an item last updated 400 days ago is left out of the last
    // year's, kept without the filter.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let old = amphi::store::LibraryItem {
        id: uuid::Uuid::new_v4(),
        tenant: LYON.into(),
        audience: LYON.into(),
        kind: amphi::store::LibraryKind::Quiz,
        source: first.clone(),
        author: "someone".into(),
        author_name: "Ancien".into(),
        meta: amphi::store::LibraryMeta {
            title: "Vieux volcans".into(),
            description: String::new(),
            disciplines: vec![],
            level: String::new(),
            duration_min: None,
            tags: vec![],
            licence: "etalab-2.0".into(),
        },
        version: 1,
        published_at: now - 400 * 86_400_000,
        updated_at: now - 400 * 86_400_000,
        withdrawn_at: None,
        withdrawn_by: None,
    };
    let index = amphi::store::LibraryIndex::of(&old.meta, &old.author_name);
    server.app.store.publish_library_item(&old, r#"{"quiz":{"title":"Q","questions":[]}}"#, "", &index).await.unwrap();
    assert_eq!(search(&server, &martin, "q=volcans").await, ["Volcans", "Vieux volcans"]);
    assert_eq!(search(&server, &martin, "q=volcans&since_days=365").await, ["Volcans"]);
    assert_eq!(search(&server, &martin, "since_days=7").await, ["Climat", "Volcans"]);
    assert_eq!(search(&server, &nantes, "q=volcans&since_days=365").await, Vec::<String>::new(), "another tenant's");
    for bad in ["since_days=0", "since_days=3651", "since_days=soon"] {
        let answer = get(&server, &format!("/library/items?{bad}"), &martin).await;
        assert_eq!(answer.0, 400, "{bad}: {}", answer.1);
    }
}

#[tokio::test]
async fn library_authors_items_and_recency_sqlite() {
    authors_items_and_recency(None).await;
}

#[tokio::test]
async fn library_authors_items_and_recency_postgres() {
    let database = PgDatabase::create().await;
    authors_items_and_recency(Some(&database)).await;
}
