//! amphi as an LTI 1.3 tool, against a platform simulator that speaks what
//! Moodle 4.5 sends (`lti_platform.rs`): Dynamic Registration, Deep Linking
//! (a quiz made in the picker), launches of a student and a trainer into the
//! same session, the quiz answered over WebSockets, the score at the
//! platform's AGS endpoint, the roster; every forged or broken launch
//! refused with its code and nothing stored; a platform outage delaying a
//! score without losing it, a stale one settled.

use std::collections::HashMap;
use std::time::Duration;

use amphi_protocol::quiz::{AnswerValue, QuizCommand, QuizEvent};
use amphi_protocol::server::EventBody;
use amphi_protocol::{ClientMessage, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::lti_platform::{DEPLOYMENT, Person, Platform, REGISTRATION_TOKEN};
use crate::util::*;

pub(crate) const TENANT: &str = "ac-lyon";
const GIFT: &str = "::Capitale:: Quelle est la capitale de la France ? {=Paris ~Lyon ~Marseille}\n";

pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub(crate) async fn server() -> TestServer {
    server_on(None).await
}

async fn server_on(database_url: Option<String>) -> TestServer {
    TestServer::start_with(|config| {
        config.outbox.poll_ms = 50;
        config.lti.max_backoff_ms = 1000;
        if let Some(url) = database_url {
            config.database_url = url;
        }
    })
    .await
}

/// A registered platform (manual registration through the admin API).
pub(crate) async fn registered(server: &TestServer) -> Platform {
    let platform = Platform::start(&server.url("")).await;
    let admin = server.token_in(Role::Admin, "Admin", TENANT);
    let response = browser()
        .post(server.url("/api/v1/admin/lti/platforms"))
        .bearer_auth(&admin)
        .json(&platform.registration_json())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    platform
}

/// A whole launch as the browser makes it: the platform's login initiation
/// to amphi, amphi's redirect to the platform, the id_token posted back.
pub(crate) async fn launch(
    server: &TestServer,
    platform: &Platform,
    person: Person,
    deep_link: bool,
    tweak: impl FnOnce(&mut Value),
) -> reqwest::Response {
    let login =
        browser().post(server.url("/lti/login")).form(&platform.login_form(person, deep_link)).send().await.unwrap();
    assert_eq!(login.status(), 302, "amphi sends the browser to the platform");
    let location = login.headers()["location"].to_str().unwrap().to_string();
    let (id_token, state) = platform.authorize(&location, person, deep_link, tweak);
    post_launch(server, &id_token, &state).await
}

async fn post_launch(server: &TestServer, id_token: &str, state: &str) -> reqwest::Response {
    browser().post(server.url("/lti/launch")).form(&[("id_token", id_token), ("state", state)]).send().await.unwrap()
}

/// The token and room of a launch handed over to the web client.
pub(crate) fn handed_over(response: &reqwest::Response) -> HashMap<String, String> {
    assert_eq!(response.status(), 303, "handed over to the web client");
    let location = response.headers()["location"].to_str().unwrap();
    let (path, fragment) = location.split_once('#').expect("the token travels in the fragment");
    assert_eq!(path, "/entrer");
    url::form_urlencoded::parse(fragment.as_bytes()).into_owned().collect()
}

pub(crate) fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in {html}")) + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&").replace("&quot;", "\"")
}

pub(crate) async fn refused(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status, "refused with {status}");
    let header = response.headers().get("x-amphi-error").map(|h| h.to_str().unwrap().to_string());
    assert_eq!(header.as_deref(), Some(code));
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("<code>{code}</code>")), "the page names the code: {page}");
}

async fn links_stored(server: &TestServer) -> usize {
    let rooms = server.app.store.lti_platforms_all().await.unwrap();
    let mut count = 0;
    for platform in rooms {
        for resource in ["1", "dl1"] {
            if server.app.store.lti_link(&platform.id, DEPLOYMENT, resource).await.unwrap().is_some() {
                count += 1;
            }
        }
    }
    count
}

/// Deep Linking as a teacher: a quiz made from a GIFT file; returns the
/// activity id the content item names.
async fn deep_link_a_quiz(server: &TestServer, platform: &Platform) -> String {
    let picker = launch(server, platform, Person::Teacher, true, |_| {}).await;
    assert_eq!(picker.status(), 200);
    let html = picker.text().await.unwrap();
    assert!(html.contains("New interactive test"), "the picker speaks the launch's language (en): {html}");
    let ctx = hidden_field(&html, "ctx");
    let form = reqwest::multipart::Form::new()
        .text("ctx", ctx)
        .text("kind", "quiz")
        .text("title", "Géographie")
        .part("file", reqwest::multipart::Part::text(GIFT).file_name("geo.gift"));
    let answer = browser().post(server.url("/lti/deep-link/create")).multipart(form).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let html = answer.text().await.unwrap();
    assert!(
        html.contains("action=\"") && html.contains("/mod/lti/contentitem_return.php"),
        "posts back to Moodle: {html}"
    );
    let claims = platform.accept_deep_link(&hidden_field(&html, "JWT")).await;
    let items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "ltiResourceLink");
    assert_eq!(items[0]["title"], "Géographie");
    assert_eq!(items[0]["url"], server.url("/lti/launch"));
    assert_eq!(items[0]["lineItem"]["scoreMaximum"], 100);
    items[0]["custom"]["amphi_activity"].as_str().unwrap().to_string()
}

pub(crate) fn with_activity(activity: &str) -> impl FnOnce(&mut Value) + '_ {
    move |claims| {
        claims["https://purl.imsglobal.org/spec/lti/claim/custom"]["amphi_activity"] = json!(activity);
    }
}

/// The trainer runs the one-question quiz, the student answers right.
async fn run_quiz(server: &TestServer, trainer_token: &str, student_token: &str, room: &str) {
    let mut trainer = server.connect(Format::Json).await;
    trainer.hello_token(trainer_token).await;
    trainer.join(room).await;
    let mut student = server.connect(Format::MsgPack).await;
    student.hello_token(student_token).await;
    student.join(room).await;
    let start = ClientMessage::Quiz { id: trainer.id(), room: room.into(), command: QuizCommand::Start };
    trainer.ok(start).await;
    let choice = match quiz_event(&mut student, |e| matches!(e, QuizEvent::QuestionOpened { .. })).await {
        QuizEvent::QuestionOpened { question, .. } => {
            let value = serde_json::to_value(&question).unwrap();
            value["kind"]["choices"].as_array().unwrap().iter().find(|c| c["text"] == "Paris").unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
        _ => unreachable!(),
    };
    let answer = ClientMessage::Quiz {
        id: student.id(),
        room: room.into(),
        command: QuizCommand::Answer { question: 0, answer: AnswerValue::Choice { choice }, confidence: None },
    };
    student.ok(answer).await;
    let end = ClientMessage::Quiz { id: trainer.id(), room: room.into(), command: QuizCommand::End };
    let seen = trainer.ok(end).await;
    let ended = |m: &ServerMessage| {
        matches!(m, ServerMessage::Event { event: EventBody::Quiz { event: QuizEvent::Ended { .. } }, .. })
    };
    if !seen.iter().any(ended) {
        quiz_event(&mut trainer, |e| matches!(e, QuizEvent::Ended { .. })).await;
    }
}

async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(value) = probe().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test]
async fn from_dynamic_registration_to_a_grade_in_the_gradebook() {
    full_flow(server().await).await;
}

#[tokio::test]
async fn from_dynamic_registration_to_a_grade_in_the_gradebook_on_postgresql() {
    let database = PgDatabase::create().await;
    full_flow(server_on(Some(database.url.clone())).await).await;
}

async fn full_flow(server: TestServer) {
    let platform = Platform::start(&server.url("")).await;
    let admin = server.token_in(Role::Admin, "Admin", TENANT);

    // Dynamic Registration with a one-time link minted by the tenant's admin.
    let link: Value = browser()
        .post(server.url("/api/v1/admin/lti/registrations"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let register = format!(
        "{}&openid_configuration={}&registration_token={REGISTRATION_TOKEN}",
        link["url"].as_str().unwrap(),
        platform.openid_configuration_url()
    );
    let page = browser().get(&register).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("org.imsglobal.lti.close"), "the page closes Moodle's dialog");
    let sent = platform.recorded.lock().unwrap().registrations[0].clone();
    assert_eq!(sent["initiate_login_uri"], server.url("/lti/login"));
    assert_eq!(sent["redirect_uris"][0], server.url("/lti/launch"));
    assert_eq!(sent["jwks_uri"], server.url("/lti/jwks"));
    assert_eq!(sent["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(
        sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]["domain"],
        server.url("").split_once("://").unwrap().1
    );
    let logo = browser().get(sent["logo_uri"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(logo.status(), 200, "the logo Moodle shows is there");
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert!(sent["scope"].as_str().unwrap().contains("lti-ags/scope/score"));
    assert_eq!(
        sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"][0]["type"],
        "LtiDeepLinkingRequest"
    );
    let platforms = server.get_json("/api/v1/admin/lti/platforms", &admin).await;
    assert_eq!(platforms["platforms"].as_array().unwrap().len(), 1);
    assert_eq!(platforms["platforms"][0]["tenant"], TENANT);
    assert_eq!(platforms["platforms"][0]["deployment_ids"], json!([DEPLOYMENT]));
    refused(browser().get(&register).send().await.unwrap(), 403, "lti_registration_refused").await;
    let setup = browser().get(server.url("/lti/setup")).send().await.unwrap();
    let policy = setup.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        policy.ends_with(&format!("frame-ancestors 'self' {}", platform.url)),
        "only the platform frames amphi: {policy}"
    );
    let setup = setup.text().await.unwrap();
    assert!(
        setup.contains(&server.url("/lti/jwks")) && setup.contains("BEGIN PUBLIC KEY"),
        "the manual registration's values"
    );
    let other_admin = server.token_in(Role::Admin, "Admin", "ac-nantes");
    let theirs = server.get_json("/api/v1/admin/lti/platforms", &other_admin).await;
    assert_eq!(theirs["platforms"], json!([]), "tenants do not see each other's platforms");

    // Deep Linking, then the student and the trainer land in one session.
    let activity = deep_link_a_quiz(&server, &platform).await;
    let student = handed_over(&launch(&server, &platform, Person::Student, false, with_activity(&activity)).await);
    let room = student["room"].clone();
    assert_ne!(room, activity, "the link runs its own session of the activity");
    assert!(student["return"].contains("/mod/lti/return.php"), "the way back to the course");
    let claims = server.app.keys.verify(&student["token"]).unwrap();
    let platform_id = platforms["platforms"][0]["id"].as_str().unwrap();
    assert_eq!(claims.sub, format!("lti:{platform_id}:4"));
    assert_eq!(claims.name, "Sam Stagiaire", "the name as the platform sends it");
    let email = server.app.store.email_of(TENANT, &claims.sub).await.unwrap();
    assert_eq!(email.as_deref(), Some("student1@example.com"), "the e-mail Moodle shares, for Open Badges 2.0");
    assert_eq!(claims.role, Role::Participant);
    assert_eq!(claims.tenant, TENANT);
    assert_eq!(claims.room.map(|r| r.to_string()), Some(room.clone()), "a participant's token opens the session only");
    let trainer = handed_over(&launch(&server, &platform, Person::Teacher, false, with_activity(&activity)).await);
    assert_eq!(trainer["room"], room, "the same link reaches the same session");
    let trainer_claims = server.app.keys.verify(&trainer["token"]).unwrap();
    assert_eq!(trainer_claims.role, Role::Trainer);
    assert_eq!(trainer_claims.room, None);
    let again = handed_over(&launch(&server, &platform, Person::Student, false, |_| {}).await);
    assert_eq!(again["room"], room, "launched again, even without the custom parameter");

    // A badge on the session: it rides along with the grade, as its comment.
    let badge = json!({ "activity": room, "name": "Parcours numérique", "description": "d",
                        "criteria": "Terminer le quiz.", "rule": "complete" });
    let created =
        browser().post(server.url("/api/v1/badges")).bearer_auth(&trainer["token"]).json(&badge).send().await.unwrap();
    assert_eq!(created.status(), 201);

    // The quiz is answered; the grade lands in the platform's gradebook.
    run_quiz(&server, &trainer["token"], &student["token"], &room).await;
    let (score, grade) =
        eventually("the score at the platform", async || platform.recorded.lock().unwrap().scores.first().cloned())
            .await;
    assert_eq!(score["userId"], "4");
    assert_eq!(score["gradingProgress"], "FullyGraded");
    assert_eq!(score["activityProgress"], "Completed");
    assert!(grade > 50.0 && grade <= 100.0, "a right answer scores: {grade}");
    let completions = server.app.store.completions(TENANT, uuid::Uuid::parse_str(&room).unwrap()).await.unwrap();
    let theirs = completions.iter().find(|c| c.user == claims.sub).unwrap();
    assert_eq!(score["scoreGiven"], theirs.score);
    assert_eq!(score["scoreMaximum"], theirs.max_score);
    assert_eq!(platform.recorded.lock().unwrap().scores.len(), 1, "one score per completion change");
    // No public URL configured here: the badge is named without its address.
    assert_eq!(score["comment"], "Badge obtenu\u{a0}: Parcours numérique", "the badge in the score: {score}");
    let mine = server.get_json("/api/v1/me/badges", &student["token"]).await;
    assert_eq!(mine["awards"][0]["badge_name"], "Parcours numérique", "{mine}");

    // The roster: enrolled, came or not.
    let roster = server.get_json(&format!("/api/v1/sessions/{room}/roster"), &trainer["token"]).await;
    let members = roster["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{roster}");
    let sam = members.iter().find(|m| m["user_id"] == "4").unwrap();
    assert_eq!(sam["name"], "Sam Stagiaire");
    assert_eq!(sam["came"], true);
    assert_eq!(sam["role"], "participant");
    let tina = members.iter().find(|m| m["user_id"] == "3").unwrap();
    assert_eq!(tina["role"], "trainer");
    let response = browser()
        .get(server.url(&format!("/api/v1/sessions/{room}/roster")))
        .bearer_auth(&student["token"])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "participants do not read the roster");
}

#[tokio::test]
async fn every_forged_or_broken_launch_is_refused_with_its_code_and_nothing_stored() {
    let server = server().await;
    let platform = registered(&server).await;
    let activity = deep_link_a_quiz(&server, &platform).await;
    let claim = |name: &str| format!("https://purl.imsglobal.org/spec/lti/claim/{name}");
    type Tweak = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Tweak, &str)> = vec![
        ("signed by another key", Box::new(|c: &mut Value| c["__forge"] = json!(true)), "lti_bad_signature"),
        ("another issuer", Box::new(|c: &mut Value| c["iss"] = json!("https://evil.example")), "lti_wrong_issuer"),
        ("another audience", Box::new(|c: &mut Value| c["aud"] = json!("someone-else")), "lti_wrong_audience"),
        ("a foreign azp", Box::new(|c: &mut Value| c["azp"] = json!("someone-else")), "lti_wrong_audience"),
        (
            "an unknown deployment",
            Box::new({
                let k = claim("deployment_id");
                move |c: &mut Value| c[k] = json!("99")
            }),
            "lti_unknown_deployment",
        ),
        (
            "expired",
            Box::new(|c: &mut Value| {
                let now = amphi::auth::unix_seconds();
                c["iat"] = json!(now - 600);
                c["exp"] = json!(now - 300);
            }),
            "lti_bad_time",
        ),
        (
            "issued in the future",
            Box::new(|c: &mut Value| {
                let now = amphi::auth::unix_seconds();
                c["iat"] = json!(now + 600);
                c["exp"] = json!(now + 900);
            }),
            "lti_bad_time",
        ),
        ("another nonce", Box::new(|c: &mut Value| c["nonce"] = json!("0000")), "lti_bad_nonce"),
        (
            "no message type",
            Box::new({
                let k = claim("message_type");
                move |c: &mut Value| {
                    c.as_object_mut().unwrap().remove(&k);
                }
            }),
            "lti_bad_message",
        ),
        (
            "an unknown message type",
            Box::new({
                let k = claim("message_type");
                move |c: &mut Value| c[k] = json!("LtiSubmissionReviewRequest")
            }),
            "lti_bad_message",
        ),
        (
            "another version",
            Box::new({
                let k = claim("version");
                move |c: &mut Value| c[k] = json!("1.1.0")
            }),
            "lti_bad_message",
        ),
        (
            "no sub",
            Box::new(|c: &mut Value| {
                c.as_object_mut().unwrap().remove("sub");
            }),
            "lti_missing_claim",
        ),
        (
            "no roles",
            Box::new({
                let k = claim("roles");
                move |c: &mut Value| {
                    c.as_object_mut().unwrap().remove(&k);
                }
            }),
            "lti_missing_claim",
        ),
    ];
    for (what, tweak, code) in cases {
        let tweak_with_activity = {
            let activity = activity.clone();
            move |c: &mut Value| {
                with_activity(&activity)(c);
                tweak(c);
            }
        };
        let response = launch(&server, &platform, Person::Student, false, tweak_with_activity).await;
        assert_eq!(response.headers().get("x-amphi-error").map(|h| h.to_str().unwrap()), Some(code), "{what}");
        refused(response, 400, code).await;
    }

    // A replayed launch (same state and nonce), and a state never issued.
    let login = browser()
        .post(server.url("/lti/login"))
        .form(&platform.login_form(Person::Student, false))
        .send()
        .await
        .unwrap();
    let location = login.headers()["location"].to_str().unwrap().to_string();
    let (id_token, state) = platform.authorize(&location, Person::Student, false, with_activity(&activity));
    handed_over(&post_launch(&server, &id_token, &state).await);
    refused(post_launch(&server, &id_token, &state).await, 400, "lti_replayed").await;
    refused(post_launch(&server, &id_token, "a-state-amphi-never-gave").await, 400, "lti_bad_state").await;
    refused(post_launch(&server, "", "").await, 400, "lti_bad_request").await;

    // An unknown key id refetches the keyset once, then not again at once.
    let fetches = platform.recorded.lock().unwrap().keyset_fetches;
    let unknown_kid = |c: &mut Value| c["__kid"] = json!("rotated-away");
    refused(launch(&server, &platform, Person::Student, false, unknown_kid).await, 400, "lti_bad_signature").await;
    assert_eq!(platform.recorded.lock().unwrap().keyset_fetches, fetches + 1, "refetched once");
    refused(launch(&server, &platform, Person::Student, false, unknown_kid).await, 400, "lti_bad_signature").await;
    assert_eq!(platform.recorded.lock().unwrap().keyset_fetches, fetches + 1, "rate-limited");

    // A login from a platform nobody registered.
    let mut form = platform.login_form(Person::Student, false);
    form.iter_mut().find(|(k, _)| k == "iss").unwrap().1 = "https://unknown.example".into();
    refused(browser().post(server.url("/lti/login")).form(&form).send().await.unwrap(), 400, "lti_unknown_platform")
        .await;

    // A tampered picker context.
    let picker = launch(&server, &platform, Person::Teacher, true, |_| {}).await.text().await.unwrap();
    let ctx = hidden_field(&picker, "ctx");
    let mut parts: Vec<String> = ctx.split('.').map(String::from).collect();
    parts[1] = parts[1].replacen('e', "f", 1);
    let tampered = parts.join(".");
    let response = browser()
        .post(server.url("/lti/deep-link"))
        .form(&[("ctx", tampered.as_str()), ("room", activity.as_str())])
        .send()
        .await
        .unwrap();
    refused(response, 400, "lti_bad_deep_link").await;

    // A learner cannot use the picker.
    let learner_dl = launch(&server, &platform, Person::Teacher, true, |c| {
        c["https://purl.imsglobal.org/spec/lti/claim/roles"] =
            json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]);
    })
    .await;
    refused(learner_dl, 403, "forbidden").await;

    assert_eq!(links_stored(&server).await, 1, "only the one good launch made a link");
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("amphi_lti_launches_total{outcome=\"lti_bad_signature\"} 3"), "{metrics}");
}

#[tokio::test]
async fn a_link_added_without_the_activity_chooser_is_set_up_by_its_trainer_once() {
    let server = server().await;
    let platform = registered(&server).await;

    // A link that names no activity: the student is told it is not ready.
    refused(launch(&server, &platform, Person::Student, false, |_| {}).await, 409, "lti_not_ready").await;
    assert_eq!(links_stored(&server).await, 0, "nothing stored for a link without an activity");

    // The trainer gets the picker for this link and makes a board of it.
    let picker = launch(&server, &platform, Person::Teacher, false, |_| {}).await;
    assert_eq!(picker.status(), 200);
    let html = picker.text().await.unwrap();
    assert!(html.contains("Choose this link’s amphi activity"), "{html}");
    assert!(html.contains("Create and open"), "the choice opens the activity, no platform round trip: {html}");
    let form = reqwest::multipart::Form::new()
        .text("ctx", hidden_field(&html, "ctx"))
        .text("kind", "board")
        .text("title", "Nos idées");
    let answer = browser().post(server.url("/lti/deep-link/create")).multipart(form).send().await.unwrap();
    let trainer = handed_over(&answer);
    let claims = server.app.keys.verify(&trainer["token"]).unwrap();
    assert_eq!(claims.role, Role::Trainer);
    assert_eq!(claims.name, "Tina Formatrice");
    assert!(trainer["return"].contains("/mod/lti/return.php"), "the way back to the course");
    let room = trainer["room"].clone();
    let record = server.app.store.room(uuid::Uuid::parse_str(&room).unwrap()).await.unwrap().unwrap();
    assert_eq!(record.kind, amphi_protocol::RoomKind::Board);
    assert_eq!(record.tenant, TENANT);
    assert_eq!(links_stored(&server).await, 1);

    // From now on everyone lands in that session, the trainer without the picker.
    let student = handed_over(&launch(&server, &platform, Person::Student, false, |_| {}).await);
    assert_eq!(student["room"], room);
    let again = handed_over(&launch(&server, &platform, Person::Teacher, false, |_| {}).await);
    assert_eq!(again["room"], room);
    let link = server.app.store.lti_platforms_all().await.unwrap();
    let link = server.app.store.lti_link(&link[0].id, DEPLOYMENT, "1").await.unwrap().unwrap();
    assert!(link.template_room.is_some_and(|t| t.to_string() != room), "a session of the chosen activity");
    assert!(link.lineitem_url.is_some(), "the launch's line item is kept for grades");

    // The trainer starts a new session of it: the link leads there from now on.
    let refused_to_student = browser()
        .post(server.url(&format!("/api/v1/rooms/{room}/next-session")))
        .bearer_auth(&student["token"])
        .send()
        .await
        .unwrap();
    assert_eq!(refused_to_student.status(), 403, "only leaders start sessions");
    let next = browser()
        .post(server.url(&format!("/api/v1/rooms/{room}/next-session")))
        .bearer_auth(&trainer["token"])
        .send()
        .await
        .unwrap();
    assert_eq!(next.status(), 201);
    let next: Value = next.json().await.unwrap();
    let next_room = next["id"].as_str().unwrap().to_string();
    assert_ne!(next_room, room);
    assert_eq!(next["kind"], "board");
    assert_ne!(next["join_code"], json!(record.join_code), "a code of its own");
    let student = handed_over(&launch(&server, &platform, Person::Student, false, |_| {}).await);
    assert_eq!(student["room"], next_room, "the link leads to the new session");
    assert!(server.app.store.room(uuid::Uuid::parse_str(&room).unwrap()).await.unwrap().is_some(), "the old one stays");
}

#[tokio::test]
async fn ateliers_are_pre_assigned_from_the_course_roster() {
    let server = server().await;
    let platform = registered(&server).await;
    let facilitator = server.token_in(Role::Facilitator, "Mme Leroy", TENANT);
    let template: Value = browser()
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&facilitator)
        .json(&json!({ "title": "Ateliers", "kind": "breakout", "breakout": { "plan": { "mode": "manual", "ateliers": [
            { "id": "a1", "name": "Lecture", "duration_s": 900 },
            { "id": "a2", "name": "Écriture", "duration_s": 900 },
        ] } } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let template = template["id"].as_str().unwrap().to_string();
    let trainer = handed_over(&launch(&server, &platform, Person::Teacher, false, with_activity(&template)).await);
    let room = trainer["room"].clone();
    let assignments = |body: Value| {
        browser()
            .post(server.url(&format!("/api/v1/sessions/{room}/roster/assignments")))
            .bearer_auth(&trainer["token"])
            .json(&body)
            .send()
    };

    let refused = assignments(json!({ "assignments": { "4": "a9" } })).await.unwrap();
    assert_eq!(refused.status(), 400, "an atelier outside the plan");
    let answer = assignments(json!({ "assignments": { "999": "a2" }, "distribute": true })).await.unwrap();
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["assigned"], json!([{ "user_id": "4", "name": "Sam Stagiaire", "atelier": "a1" }]), "{answer}");
    assert_eq!(answer["not_assigned"][0]["user_id"], "999", "not in the course");
    let answer: Value = assignments(json!({ "assignments": { "4": "a2" } })).await.unwrap().json().await.unwrap();
    assert_eq!(answer["assigned"][0]["atelier"], "a2", "assigned again by name");

    // The student opens the activity from the course: they are in their atelier.
    let student = handed_over(&launch(&server, &platform, Person::Student, false, with_activity(&template)).await);
    assert_eq!(student["room"], room);
    let mut phone = server.connect(Format::Json).await;
    phone.hello_token(&student["token"]).await;
    let snapshot = phone.join(&room).await;
    let breakout = snapshot.breakout.expect("a breakout snapshot");
    assert_eq!(breakout.atelier.expect("pre-assigned").atelier.id, "a2");
}

#[tokio::test]
async fn a_platform_outage_delays_a_score_and_a_stale_score_is_settled() {
    let server = server().await;
    let platform = registered(&server).await;
    let activity = deep_link_a_quiz(&server, &platform).await;
    let student = handed_over(&launch(&server, &platform, Person::Student, false, with_activity(&activity)).await);
    let trainer = handed_over(&launch(&server, &platform, Person::Teacher, false, with_activity(&activity)).await);
    platform.recorded.lock().unwrap().scores_down = true;
    run_quiz(&server, &trainer["token"], &student["token"], &student["room"]).await;
    let store = server.app.store.clone();
    eventually("a failed attempt", async || {
        let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
        metrics.contains("amphi_lti_scores_total{outcome=\"failed\"}").then_some(())
    })
    .await;
    assert!(platform.recorded.lock().unwrap().scores.is_empty());
    assert!(!store.outbox_due("lti_score", i64::MAX, 10).await.unwrap().is_empty(), "kept while the platform is down");
    platform.recorded.lock().unwrap().scores_down = false;
    eventually("the score after the outage", async || platform.recorded.lock().unwrap().scores.first().cloned()).await;

    // A change older than what the platform holds: 409, settled, not retried.
    let room = uuid::Uuid::parse_str(&student["room"]).unwrap();
    let mut older =
        store.completions(TENANT, room).await.unwrap().into_iter().find(|c| c.user.starts_with("lti:")).unwrap();
    older.state = 1;
    older.score = 1;
    older.updated_at -= 60_000;
    store.upsert_completions(&[older]).await.unwrap();
    eventually("the stale score settled", async || {
        let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
        metrics.contains("amphi_lti_scores_total{outcome=\"settled\"} 1").then_some(())
    })
    .await;
    eventually("nothing left to send", async || {
        store.outbox_due("lti_score", i64::MAX, 10).await.unwrap().is_empty().then_some(())
    })
    .await;
    assert_eq!(platform.recorded.lock().unwrap().scores.len(), 1, "the stale score did not replace the grade");
}

#[tokio::test]
async fn a_launch_says_the_persons_academie_department_and_discipline_for_the_statistics() {
    use amphi::store::MemberProfile;
    let server = server().await;
    let platform = registered(&server).await;
    let activity = deep_link_a_quiz(&server, &platform).await;
    let response = launch(&server, &platform, Person::Student, false, |claims| {
        with_activity(&activity)(claims);
        let custom = &mut claims["https://purl.imsglobal.org/spec/lti/claim/custom"];
        custom["academie"] = json!("Lyon");
        custom["departement"] = json!("  Rhône ");
        custom["discipline"] = json!("Mathématiques");
    })
    .await;
    let student = handed_over(&response);
    let claims = server.app.keys.verify(&student["token"]).unwrap();
    let expected = MemberProfile::new(Some("Lyon"), Some("Rhône"), Some("Mathématiques"));
    assert_eq!(server.app.store.profile_of(TENANT, &claims.sub).await.unwrap(), expected);
    // A later launch that says only the discipline changes only the discipline.
    let response = launch(&server, &platform, Person::Student, false, |claims| {
        with_activity(&activity)(claims);
        claims["https://purl.imsglobal.org/spec/lti/claim/custom"]["discipline"] = json!("Physique-chimie");
    })
    .await;
    handed_over(&response);
    let profile = server.app.store.profile_of(TENANT, &claims.sub).await.unwrap();
    assert_eq!(profile, MemberProfile::new(Some("Lyon"), Some("Rhône"), Some("Physique-chimie")));
    // A variable the platform did not substitute (Moodle sends `$Name` as
    // it is) says nothing: the department is kept.
    let response = launch(&server, &platform, Person::Student, false, |claims| {
        with_activity(&activity)(claims);
        claims["https://purl.imsglobal.org/spec/lti/claim/custom"]["departement"] = json!("$Profile.departement");
    })
    .await;
    handed_over(&response);
    let profile = server.app.store.profile_of(TENANT, &claims.sub).await.unwrap();
    assert_eq!(profile, MemberProfile::new(Some("Lyon"), Some("Rhône"), Some("Physique-chimie")));
    // A teacher's launch without them records nothing.
    let teacher = handed_over(&launch(&server, &platform, Person::Teacher, false, with_activity(&activity)).await);
    let teacher = server.app.keys.verify(&teacher["token"]).unwrap();
    assert!(server.app.store.profile_of(TENANT, &teacher.sub).await.unwrap().is_empty());
}
