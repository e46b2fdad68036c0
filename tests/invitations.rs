//! Preparing ateliers: saved plans reused to create a breakout room, a CSV
//! of participants imported (French Excel: `;` and a BOM; a bad line
//! refused with its number and nothing stored), invitations received by a
//! tiny SMTP server written here (the personal link's token accepted by
//! the WebSocket `hello`, the pre-assigned atelier honoured, the `.ics`
//! parsed), a reminder sent once when due, a relay that refuses (5xx)
//! retried and reported, and erasure of registrations. SQLite and
//! PostgreSQL.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amphi::config::Config;
use amphi::invitations::{SmtpTls, format_datetime};
use amphi_protocol::{Format, Role, ServerMessage};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::util::*;

/// One message the SMTP server accepted.
#[derive(Debug, Clone)]
struct Captured {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A tiny SMTP server: EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP,
/// QUIT. Refuses `MAIL FROM` with 550 while `refusals` is above zero.
#[derive(Clone, Default)]
struct SmtpServer {
    messages: Arc<Mutex<Vec<Captured>>>,
    refusals: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

impl SmtpServer {
    async fn start() -> (SmtpServer, SocketAddr) {
        let server = SmtpServer::default();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = shared.clone();
                tokio::spawn(async move {
                    let _ = server.session(stream).await;
                });
            }
        });
        (server, addr)
    }

    async fn session(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 test.invalid ESMTP amphi-tests\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_string();
            let upper = command.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-test.invalid\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            } else if upper.starts_with("HELO") {
                b"250 test.invalid\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                let refusing = self.refusals.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
                if refusing.is_ok() {
                    self.refused.fetch_add(1, Ordering::SeqCst);
                    b"550 5.7.1 relaying refused for now\r\n"
                } else {
                    from = address(&command);
                    to.clear();
                    b"250 2.1.0 OK\r\n"
                }
            } else if upper.starts_with("RCPT TO:") {
                to.push(address(&command));
                b"250 2.1.5 OK\r\n"
            } else if upper == "DATA" {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
                }
                let captured = Captured { from: from.clone(), to: to.clone(), data };
                self.messages.lock().unwrap().push(captured);
                b"250 2.0.0 queued\r\n"
            } else if upper == "RSET" || upper == "NOOP" {
                b"250 OK\r\n"
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                b"502 5.5.2 not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
    }

    fn messages(&self) -> Vec<Captured> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits until `count` messages arrived (or the test's patience ends).
    async fn wait_for(&self, count: usize) -> Vec<Captured> {
        for _ in 0..400 {
            if self.messages().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let messages = self.messages();
        assert!(messages.len() >= count, "expected {count} e-mails, got {}", messages.len());
        messages
    }
}

/// `user@host` of `MAIL FROM:<user@host> ...`.
fn address(command: &str) -> String {
    command.split_once('<').and_then(|(_, rest)| rest.split_once('>')).map(|(a, _)| a.to_string()).unwrap_or_default()
}

fn smtp_config(config: &mut Config, addr: SocketAddr) {
    config.smtp.host = addr.ip().to_string();
    config.smtp.port = addr.port();
    config.smtp.tls = SmtpTls::None;
    config.smtp.from = "Amphi <no-reply@amphi.example>".into();
    config.invitations.public_url = "https://amphi.example/".into();
    config.invitations.reminders = Vec::new();
    config.invitations.poll_ms = 25;
    config.invitations.max_backoff_ms = 1000;
}

fn plan_body(title: &str) -> Value {
    json!({
        "title": title,
        "breakout": { "plan": { "mode": "manual", "ateliers": [
            { "id": "a1", "name": "Lecture", "duration_s": 900 },
            { "id": "a2", "name": "Écriture", "duration_s": 900 },
        ] } },
    })
}

async fn post_csv(server: &TestServer, token: &str, room: &str, csv: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url(&format!("/api/v1/sessions/{room}/registrations")))
        .bearer_auth(token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

async fn invite(server: &TestServer, token: &str, room: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url(&format!("/api/v1/sessions/{room}/invitations")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The registrations of a room.
async fn registrations(server: &TestServer, token: &str, room: &str) -> Vec<Value> {
    let listed = server.get_json(&format!("/api/v1/sessions/{room}/registrations"), token).await;
    listed["registrations"].as_array().cloned().unwrap_or_default()
}

/// The text part and the calendar attachment of a captured e-mail.
fn parts(message: &Captured) -> (String, Option<String>) {
    let parsed = mailparse::parse_mail(message.data.as_bytes()).expect("a MIME message");
    let (mut text, mut calendar) = (String::new(), None);
    let mut stack = vec![&parsed];
    while let Some(part) = stack.pop() {
        stack.extend(part.subparts.iter());
        match part.ctype.mimetype.as_str() {
            "text/plain" => text = part.get_body().unwrap(),
            "text/calendar" => {
                assert_eq!(part.ctype.params.get("method").map(String::as_str), Some("REQUEST"));
                calendar = Some(String::from_utf8(part.get_body_raw().unwrap()).unwrap());
            }
            _ => {}
        }
    }
    (text, calendar)
}

/// The personal link in a text, and its token.
fn link_in(text: &str, code: &str) -> (String, String) {
    let prefix = format!("https://amphi.example/j/{code}?token=");
    let start = text.find(&prefix).unwrap_or_else(|| panic!("no personal link in {text}"));
    let link: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let token = link[prefix.len()..].to_string();
    (link, token)
}

async fn scenario(database_url: Option<String>) {
    let (smtp, smtp_addr) = SmtpServer::start().await;
    let server = TestServer::start_with(move |config| {
        if let Some(url) = database_url {
            config.database_url = url;
        }
        smtp_config(config, smtp_addr);
    })
    .await;
    let http = reqwest::Client::new();
    let facilitator = server.token(Role::Facilitator, "Mme Leroy");
    let participant = server.token(Role::Participant, "Camille");

    // A saved plan: created, listed, changed, read back; participants may
    // not save one.
    let response =
        http.post(server.url("/api/v1/plans")).bearer_auth(&participant).json(&plan_body("x")).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let response = http.post(server.url("/api/v1/plans")).bearer_auth(&facilitator).json(&plan_body("Matin")).send();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 201);
    let plan: Value = response.json().await.unwrap();
    let plan_id = plan["id"].as_str().unwrap().to_string();
    let mut bad = plan_body("Vide");
    bad["breakout"]["plan"]["ateliers"] = json!([]);
    let response = http.post(server.url("/api/v1/plans")).bearer_auth(&facilitator).json(&bad).send().await.unwrap();
    assert_eq!(response.status(), 400, "validated as POST /rooms does");
    assert_eq!(response.json::<Value>().await.unwrap()["code"], "out_of_range");
    let response = http
        .put(server.url(&format!("/api/v1/plans/{plan_id}")))
        .bearer_auth(&facilitator)
        .json(&plan_body("Matin (v2)"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let listed = server.get_json("/api/v1/plans", &facilitator).await;
    assert_eq!(listed["plans"].as_array().unwrap().len(), 1);
    assert_eq!(listed["plans"][0]["title"], "Matin (v2)");
    let read = server.get_json(&format!("/api/v1/plans/{plan_id}"), &facilitator).await;
    assert_eq!(read["breakout"]["plan"]["ateliers"][1]["id"], "a2");
    let other_tenant = server.token_in(Role::Admin, "Autre", "elsewhere");
    let response =
        http.get(server.url(&format!("/api/v1/plans/{plan_id}"))).bearer_auth(&other_tenant).send().await.unwrap();
    assert_eq!(response.status(), 404, "plans stay in their tenant");

    // The plan reused for a room.
    let response = http
        .post(server.url("/api/v1/rooms"))
        .bearer_auth(&facilitator)
        .json(&json!({ "title": "Ateliers du mardi", "kind": "breakout", "plan_id": plan_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let room: Value = response.json().await.unwrap();
    let (room_id, code) = (room_id(&room), join_code(&room));

    // A broken file: refused with its line, nothing stored.
    let broken = "\u{feff}Prénom;Nom;Courriel;Atelier\r\nÉlise;Martin;elise.martin@ac-lyon.fr;a2\r\n\
                  Jean;Dupont;jean.dupont(at)ac-lyon.fr;\r\n";
    let response = post_csv(&server, &facilitator, &room_id, broken).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        (error["code"].as_str(), error["reason"].as_str(), error["line"].as_u64()),
        (Some("invalid_field"), Some("csv_email"), Some(3))
    );
    let unknown_atelier = "Prénom;Nom;Courriel;Atelier\r\nÉlise;Martin;elise.martin@ac-lyon.fr;a9\r\n";
    let error: Value = post_csv(&server, &facilitator, &room_id, unknown_atelier).await.json().await.unwrap();
    assert_eq!((error["reason"].as_str(), error["line"].as_u64()), (Some("csv_atelier"), Some(2)));
    assert!(registrations(&server, &facilitator, &room_id).await.is_empty(), "nothing half-imported");

    // A French Excel export: `;`, a BOM, a duplicate address merged, one
    // participant pre-assigned.
    let file = "\u{feff}Prénom;Nom;Courriel;Atelier\r\nÉlise;Martin;Elise.Martin@ac-lyon.fr;a2\r\n\
                Jean;Dupont;jean.dupont@ac-lyon.fr;\r\nJean;Dupont;JEAN.DUPONT@ac-lyon.fr;\r\n\
                Awa;Diallo;awa.diallo@ac-lyon.fr;\r\n";
    let response = post_csv(&server, &facilitator, &room_id, file).await;
    assert_eq!(response.status(), 201);
    let imported: Value = response.json().await.unwrap();
    assert_eq!((imported["imported"].as_u64(), imported["merged"].as_u64()), (Some(3), Some(1)));
    assert_eq!(imported["assigned"].as_u64(), Some(1), "{imported}");
    let listed = registrations(&server, &facilitator, &room_id).await;
    assert_eq!(listed.len(), 3);
    let elise = listed.iter().find(|r| r["email"] == "elise.martin@ac-lyon.fr").unwrap().clone();
    assert_eq!(elise["atelier"], "a2");
    assert_eq!(elise["name"], "Élise Martin");
    assert!(elise["invitation"].is_null(), "not invited yet");
    let response = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/sessions/{room_id}/registrations")))
        .bearer_auth(&participant)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "leaders only");

    // Invitations: one e-mail per registrant, in French.
    let starts_at = amphi::hub::now_ms() as i64 + 2 * 3600 * 1000;
    let starts = format_datetime(starts_at);
    let response = invite(&server, &facilitator, &room_id, json!({ "starts_at": starts, "duration_min": 90 })).await;
    assert_eq!(response.status(), 202);
    let queued: Value = response.json().await.unwrap();
    assert_eq!(queued["queued"].as_u64(), Some(3));
    let messages = smtp.wait_for(3).await;
    let mut recipients: Vec<String> = messages.iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    assert_eq!(recipients, vec!["awa.diallo@ac-lyon.fr", "elise.martin@ac-lyon.fr", "jean.dupont@ac-lyon.fr"]);
    assert!(messages.iter().all(|m| m.from == "no-reply@amphi.example"));
    let to_elise = messages.iter().find(|m| m.to == ["elise.martin@ac-lyon.fr"]).unwrap();
    let (text, calendar) = parts(to_elise);
    assert!(text.contains("Bonjour Élise Martin"), "{text}");
    assert!(text.contains("Écriture"), "the atelier is named: {text}");
    let (link, token) = link_in(&text, &code);

    // The calendar event: folded lines of at most 75 octets, the event's
    // start in the tenant's time zone (Paris), a UID stable per registration.
    let calendar = calendar.expect("an .ics attachment");
    assert!(calendar.split("\r\n").all(|line| line.len() <= 75), "{calendar}");
    let lines = amphi::invitations::ics::unfold(&calendar);
    let field = |name: &str| lines.iter().find(|l| l.starts_with(name)).cloned().unwrap_or_default();
    let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    assert_eq!(
        field("DTSTART;"),
        format!("DTSTART;TZID=Europe/Paris:{}", amphi::invitations::ics::local(starts_at / 1000 * 1000, &paris))
    );
    assert!(lines.contains(&"TZID:Europe/Paris".to_string()), "the zone is defined in the file");
    assert_eq!(field("UID:"), format!("UID:{}@amphi.example", elise["id"].as_str().unwrap()));
    assert_eq!(field("URL:"), format!("URL:{link}"));
    assert!(field("ATTENDEE").ends_with("mailto:elise.martin@ac-lyon.fr"));
    assert!(field("ORGANIZER").contains("Mme Leroy"));

    // The personal link's token opens the room as the registrant, in the
    // atelier they were given.
    let mut phone = server.connect(Format::Json).await;
    let welcome = phone.hello_token(&token).await;
    let ServerMessage::Welcome { member, .. } = welcome else { unreachable!() };
    assert_eq!(member.id, elise["member"].as_str().unwrap());
    assert_eq!(member.name, "Élise Martin");
    assert_eq!(member.role, Role::Participant);
    let snapshot = phone.join(&room_id).await;
    let breakout = snapshot.breakout.expect("a breakout snapshot");
    assert_eq!(breakout.atelier.expect("pre-assigned").atelier.id, "a2");
    let other = server.create_room(&facilitator, "Une autre salle").await;
    let mut elsewhere = server.connect(Format::Json).await;
    elsewhere.hello_token(&token).await;
    let id = elsewhere.id();
    let refused = elsewhere
        .refused(amphi_protocol::ClientMessage::Join { id, room: Some(crate::util::room_id(&other)), code: None })
        .await;
    assert_eq!(refused, amphi_protocol::ErrorCode::RoomNotFound, "the token opens its room only");

    // Everyone is invited: nothing more to send; the status is reported.
    for _ in 0..200 {
        let listed = registrations(&server, &facilitator, &room_id).await;
        if listed.iter().all(|r| r["invitation"]["state"] == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let listed = registrations(&server, &facilitator, &room_id).await;
    assert!(listed.iter().all(|r| r["invitation"]["state"] == "sent"), "{listed:?}");
    let again: Value = invite(&server, &facilitator, &room_id, json!({})).await.json().await.unwrap();
    assert_eq!(again["queued"].as_u64(), Some(0));
    let moved = invite(&server, &facilitator, &room_id, json!({ "starts_at": format_datetime(starts_at + 3_600_000) }));
    assert_eq!(moved.await.status(), 409, "the time is fixed once invited");
    let metrics = http.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("amphi_mails_total{kind=\"invitation\",outcome=\"sent\"} 3"), "{metrics}");

    // Erasure by address: the registration and its e-mails go.
    let admin = server.token(Role::Admin, "Admin");
    let response = http
        .delete(server.url("/api/v1/admin/users/Elise.Martin@ac-lyon.fr"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let deletion: Value = response.json().await.unwrap();
    assert_eq!((deletion["registrations"].as_u64(), deletion["mails"].as_u64()), (Some(1), Some(1)));
    let left = registrations(&server, &facilitator, &room_id).await;
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|r| r["email"] != "elise.martin@ac-lyon.fr"));
    // By member id too, and by the retention purge once the session is
    // long over.
    let jean = left.iter().find(|r| r["email"] == "jean.dupont@ac-lyon.fr").unwrap();
    let path = format!("/api/v1/admin/users/{}", jean["member"].as_str().unwrap());
    let deletion: Value =
        http.delete(server.url(&path)).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(deletion["registrations"].as_u64(), Some(1));
    let later = starts_at + 365 * 24 * 3600 * 1000;
    assert!(server.app.store.purge_guests(later).await.unwrap() >= 1);
    assert!(registrations(&server, &facilitator, &room_id).await.is_empty());

    // The plan is deleted; the room made from it keeps its copy.
    let response =
        http.delete(server.url(&format!("/api/v1/plans/{plan_id}"))).bearer_auth(&facilitator).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(server.get_json("/api/v1/plans", &facilitator).await["plans"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn plans_registrations_and_invitations_on_sqlite() {
    scenario(None).await;
}

#[tokio::test]
async fn plans_registrations_and_invitations_on_postgres() {
    let database = PgDatabase::create().await;
    scenario(Some(database.url.clone())).await;
}

#[tokio::test]
async fn a_reminder_is_sent_once_when_due() {
    let (smtp, smtp_addr) = SmtpServer::start().await;
    let server = TestServer::start_with(move |config| {
        smtp_config(config, smtp_addr);
        config.invitations.reminders = vec![amphi::invitations::ReminderOffset::Text("2s".into())];
    })
    .await;
    let facilitator = server.token(Role::Trainer, "M. Bernard");
    let room = server.create_room(&facilitator, "Classe virtuelle").await;
    let room_id = room_id(&room);
    let response = post_csv(&server, &facilitator, &room_id, "name,email\nNoé Petit,noe.petit@example.org\n").await;
    let status = response.status();
    assert_eq!(status, 201, "{}", response.text().await.unwrap());
    // Starts in 4 to 5 seconds: the reminder is due 2 seconds before.
    let starts_at = amphi::hub::now_ms() as i64 + 5000;
    let body = json!({ "starts_at": format_datetime(starts_at), "duration_min": 30, "lang": "en" });
    let queued: Value = invite(&server, &facilitator, &room_id, body).await.json().await.unwrap();
    assert_eq!((queued["queued"].as_u64(), queued["reminders"].as_u64()), (Some(1), Some(1)));
    let messages = smtp.wait_for(2).await;
    let (invitation, _) = parts(&messages[0]);
    assert!(invitation.contains("Hello Noé Petit"), "in English: {invitation}");
    let reminder = mailparse::parse_mail(messages[1].data.as_bytes()).unwrap();
    let subject = reminder.headers.iter().find(|h| h.get_key() == "Subject").map(|h| h.get_value()).unwrap();
    assert!(subject.starts_with("Reminder: \"Classe virtuelle\""), "{subject}");
    // Marked sent: later polls (and a restart) send nothing more.
    for _ in 0..200 {
        if server.app.store.mails_pending().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(server.app.store.mails_pending().await.unwrap(), 0);
    let listed = registrations(&server, &facilitator, &room_id).await;
    assert_eq!(listed[0]["reminders"][0]["state"], "sent");
    assert_eq!(listed[0]["reminders"][0]["before_s"], 2);
    tokio::time::sleep(Duration::from_millis(200)).await; // several polls
    assert_eq!(smtp.messages().len(), 2, "sent once");
}

#[tokio::test]
async fn a_refusing_relay_is_retried_and_reported() {
    let (smtp, smtp_addr) = SmtpServer::start().await;
    smtp.refusals.store(2, Ordering::SeqCst);
    let server = TestServer::start_with(move |config| smtp_config(config, smtp_addr)).await;
    let facilitator = server.token(Role::Facilitator, "Mme Leroy");
    let room = server.create_room(&facilitator, "Séance").await;
    let room_id = room_id(&room);
    let response = post_csv(&server, &facilitator, &room_id, "nom,e-mail\nLéa,lea@example.org\n").await;
    let status = response.status();
    assert_eq!(status, 201, "{}", response.text().await.unwrap());
    let starts = format_datetime(amphi::hub::now_ms() as i64 + 24 * 3600 * 1000);
    let response = invite(&server, &facilitator, &room_id, json!({ "starts_at": starts, "duration_min": 60 })).await;
    assert_eq!(response.status(), 202);
    // The failure is reported while the worker waits to retry.
    let mut reported = None;
    for _ in 0..400 {
        let listed = registrations(&server, &facilitator, &room_id).await;
        let invitation = listed[0]["invitation"].clone();
        if invitation["state"] == "pending" && invitation["last_error"].is_string() {
            reported = Some(invitation);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reported = reported.expect("the refusal is reported");
    assert!(reported["last_error"].as_str().unwrap().contains("550"), "{reported}");
    let messages = smtp.wait_for(1).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(smtp.refused.load(Ordering::SeqCst), 2);
    for _ in 0..200 {
        if registrations(&server, &facilitator, &room_id).await[0]["invitation"]["state"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let invitation = registrations(&server, &facilitator, &room_id).await[0]["invitation"].clone();
    assert_eq!(invitation["state"], "sent");
    assert_eq!(invitation["attempts"], 3);
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("amphi_mails_total{kind=\"invitation\",outcome=\"failed\"} 2"), "{metrics}");
}

#[tokio::test]
async fn without_smtp_invitations_are_refused_clearly() {
    let server = TestServer::start().await;
    let facilitator = server.token(Role::Facilitator, "Mme Leroy");
    let room = server.create_room(&facilitator, "Séance").await;
    let room_id = room_id(&room);
    let response = post_csv(&server, &facilitator, &room_id, "name,email\nA,a@example.org\n").await;
    assert_eq!(response.status(), 201, "registrations work without e-mail");
    let imported: Value = response.json().await.unwrap();
    let link = imported["registrations"][0]["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("/j/{}?token=", join_code(&room))), "a relative link: {link}");
    let response =
        invite(&server, &facilitator, &room_id, json!({ "starts_at": "2030-01-01T09:00:00Z", "duration_min": 60 }));
    let response = response.await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["reason"].as_str()), (Some("unavailable"), Some("smtp_disabled")));
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/sessions/{room_id}/registrations")))
        .bearer_auth(&facilitator)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}
