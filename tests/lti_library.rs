//! The shared library in Moodle's activity picker (LTI Deep Linking),
//! against the platform simulator (`lti_platform.rs`, real signed JWTs):
//! the picker lists what the platform's tenant sees of the library (never
//! another académie's items), searches it, and picking an item makes a copy
//! in the tenant whose room the signed deep link names; a student launched
//! from that link lands in a session of the copy. Forged choices (another
//! académie's item, a withdrawn one, a tampered context) are refused.

use amphi_protocol::Role;
use serde_json::{Value, json};

use crate::lti::{TENANT, browser, handed_over, hidden_field, launch, refused, registered, server, with_activity};
use crate::lti_platform::Person;
use crate::util::*;

async fn api(server: &TestServer, token: &str, path: &str, body: Value) -> Value {
    let response =
        browser().post(server.url(&format!("/api/v1{path}"))).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert!(status == 200 || status == 201, "{path}: {status} {body}");
    body
}

async fn published(server: &TestServer, token: &str, title: &str, scope: &str) -> String {
    let quiz = json!({ "title": title, "questions": [{
        "id": "q1", "type": "single_choice", "prompt": format!("{title} ?"), "time_limit_s": 30,
        "choices": [{ "id": "c1", "text": "Oui", "correct": true }, { "id": "c2", "text": "Non" }] }] });
    let room = api(server, token, "/rooms", json!({ "title": title, "kind": "quiz", "quiz": quiz })).await;
    let item =
        api(server, token, "/library/items", json!({ "kind": "quiz", "source": room["id"], "scope": scope })).await;
    item["id"].as_str().unwrap().to_string()
}

async fn post_form(server: &TestServer, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    browser().post(server.url(path)).form(form).send().await.unwrap()
}

#[tokio::test]
async fn lti_deep_linking_copies_a_library_item_into_the_tenant() {
    let server = server().await;
    let platform = registered(&server).await;
    let curator = server.token_in(Role::National, "M. National", "dgesco");
    let lyon = server.token_in(Role::Trainer, "Mme Durand", TENANT);
    let nantes = server.token_in(Role::Trainer, "Mme Autre", "ac-nantes");
    let national = published(&server, &curator, "Les fractions", "national").await;
    let academie = published(&server, &lyon, "La loi d’Ohm", "academie").await;
    let elsewhere = published(&server, &nantes, "Les marées", "academie").await;
    let withdrawn = published(&server, &lyon, "Les volcans", "academie").await;
    api(&server, &lyon, &format!("/library/items/{withdrawn}/withdraw"), json!({})).await;

    // The picker lists the tenant's view of the library, newest first.
    let picker = launch(&server, &platform, Person::Teacher, true, |_| {}).await;
    assert_eq!(picker.status(), 200);
    let html = picker.text().await.unwrap();
    assert!(html.contains("From the shared library"), "{html}");
    assert!(html.contains("Les fractions (interactive test, national)"), "{html}");
    assert!(html.contains("La loi d’Ohm (interactive test, ac-lyon)"), "{html}");
    assert!(!html.contains("Les marées"), "another académie's item is not offered");
    assert!(!html.contains("Les volcans"), "a withdrawn item is not offered");
    assert!(html.find("La loi d’Ohm").unwrap() < html.find("Les fractions").unwrap(), "newest first");
    let ctx = hidden_field(&html, "ctx");

    // A search (accents folded) narrows the list, the context carried on.
    let found = post_form(&server, "/lti/deep-link/library/search", &[("ctx", &ctx), ("q", "FRACTION")]).await;
    assert_eq!(found.status(), 200);
    let found = found.text().await.unwrap();
    assert!(found.contains("Les fractions (interactive test"), "{found}");
    assert!(!found.contains("La loi d’Ohm ("), "{found}");
    assert!(found.contains("value=\"FRACTION\""), "the search stays in its field");
    let nothing = post_form(&server, "/lti/deep-link/library/search", &[("ctx", &ctx), ("q", "marées")]).await;
    assert!(nothing.text().await.unwrap().contains("No item found."));
    let long = "x".repeat(201);
    refused(
        post_form(&server, "/lti/deep-link/library/search", &[("ctx", &ctx), ("q", &long)]).await,
        400,
        "lti_bad_request",
    )
    .await;

    // Picking the national item: a copy in ac-lyon, named by the deep link.
    let answer = post_form(&server, "/lti/deep-link/library", &[("ctx", &ctx), ("item", &national)]).await;
    assert_eq!(answer.status(), 200);
    let html = answer.text().await.unwrap();
    let claims = platform.accept_deep_link(&hidden_field(&html, "JWT")).await;
    let items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"].as_array().unwrap();
    assert_eq!((items.len(), items[0]["title"].as_str()), (1, Some("Les fractions")));
    let activity = items[0]["custom"]["amphi_activity"].as_str().unwrap().to_string();
    let room = server.app.store.room(activity.parse().unwrap()).await.unwrap().expect("the copy's room");
    assert_eq!((room.tenant.as_str(), room.kind.as_str()), (TENANT, "quiz"), "made in the platform's tenant");
    let copy = server.app.store.library_copy_of(TENANT, &activity).await.unwrap().expect("recorded as a copy");
    assert_eq!(copy.item.to_string(), national);
    let platform_id = server.app.store.lti_platforms_all().await.unwrap()[0].id.clone();
    assert!(copy.owner.starts_with(&format!("lti:{platform_id}:")), "the trainer's copy: {}", copy.owner);
    assert_eq!(room.created_by, copy.owner);

    // A student launched from the new link lands in a session of the copy.
    let student = handed_over(&launch(&server, &platform, Person::Student, false, with_activity(&activity)).await);
    let session = server.app.store.room(student["room"].parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((session.tenant.as_str(), session.kind.as_str()), (TENANT, "quiz"));
    assert_eq!(session.activity, room.activity, "a session of the copy's quiz");

    // Forged choices are refused, and counted; nothing is copied.
    let before = server.app.store.library_copies(TENANT, &copy.owner).await.unwrap().len();
    let abuse = server.app.metrics.abuse.with_label_values(&["lti_library"]).get();
    for (item, what) in
        [(elsewhere.as_str(), "another académie's"), (withdrawn.as_str(), "withdrawn"), ("nope", "no such")]
    {
        let response = post_form(&server, "/lti/deep-link/library", &[("ctx", &ctx), ("item", item)]).await;
        assert_eq!(response.status(), 400, "{what} item");
        assert_eq!(response.headers()["x-amphi-error"], "lti_bad_request", "{what} item");
    }
    let mut parts: Vec<String> = ctx.split('.').map(String::from).collect();
    parts[1] = parts[1].replacen('e', "f", 1);
    let tampered = parts.join(".");
    refused(
        post_form(&server, "/lti/deep-link/library", &[("ctx", &tampered), ("item", &academie)]).await,
        400,
        "lti_bad_deep_link",
    )
    .await;
    refused(
        post_form(&server, "/lti/deep-link/library/search", &[("ctx", &tampered), ("q", "")]).await,
        400,
        "lti_bad_deep_link",
    )
    .await;
    assert_eq!(server.app.store.library_copies(TENANT, &copy.owner).await.unwrap().len(), before);
    assert_eq!(server.app.metrics.abuse.with_label_values(&["lti_library"]).get(), abuse + 5);
}
