//! Usage statistics (`/api/v1/admin/statistics` and `.csv`) through the real
//! server's REST API on SQLite and PostgreSQL: a small history (sessions of
//! each kind, attendance, answers, posts, completions, badges; members'
//! disciplines and departments from the registration CSV) checked against
//! hand-computed figures, the threshold (4 people suppressed, 5 shown), the
//! complementary suppression, tenant isolation, the national role's view
//! across tenants, and the same figures from the journal's rollup as from
//! the journal (its tail beyond the rollup's marks included, erasure too).

use amphi::store::{AttendanceRecord, CompletionRecord, InputKind, InputRecord, Load, LoadedAward, RoomRecord};
use amphi_protocol::{Role, RoomKind};
use serde_json::Value;
use uuid::Uuid;

use crate::util::*;

const LYON: &str = "ac-lyon";
const NANTES: &str = "ac-nantes";
const MIN: i64 = 60_000;

/// 2026-03-`day` at 10:00 in Paris (09:00 UTC).
fn march(day: i64) -> i64 {
    1_772_323_200_000 + (day - 1) * 86_400_000 + 9 * 3_600_000
}

async fn server(database: Option<&PgDatabase>) -> TestServer {
    let url = database.map(|d| d.url.clone());
    TestServer::start_with(move |config| {
        if let Some(url) = url {
            config.database_url = url;
        }
    })
    .await
}

async fn get(server: &TestServer, path: &str, token: &str) -> (u16, String) {
    let response =
        reqwest::Client::new().get(server.url(&format!("/api/v1{path}"))).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn stats(server: &TestServer, query: &str, token: &str) -> Value {
    let (status, body) = get(server, &format!("/admin/statistics?{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Registers people through the CSV import; their member ids by e-mail.
async fn register(server: &TestServer, trainer: &str, csv: &str) -> Vec<(String, String)> {
    let room = server.create_room(trainer, "Inscriptions").await;
    let response = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/sessions/{}/registrations", room_id(&room))))
        .bearer_auth(trainer)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["email"].as_str().unwrap().to_string(), r["member"].as_str().unwrap().to_string()))
        .collect()
}

struct History {
    load: Load,
    positions: i64,
}

impl History {
    fn room(&mut self, tenant: &str, kind: RoomKind) -> Uuid {
        let id = Uuid::new_v4();
        self.load.rooms.push(RoomRecord {
            id,
            tenant: tenant.into(),
            kind,
            title: format!("{kind:?}"),
            join_code: None,
            created_by: "trainer-1".into(),
            created_at: march(1),
            activity: None,
        });
        id
    }

    fn present(&mut self, room: Uuid, member: &str, role: Role, at: i64, minutes: i64) {
        self.load.attendance.push(AttendanceRecord {
            room,
            member: member.into(),
            member_name: member.into(),
            role,
            guest: false,
            joined_at: at,
            left_at: Some(at + minutes * MIN),
        });
    }

    fn input(&mut self, room: Uuid, member: &str, role: Role, kind: InputKind, action: &str, at: i64) {
        self.positions += 1;
        self.load.inputs.push(InputRecord {
            room,
            position: self.positions,
            at,
            member: member.into(),
            member_name: member.into(),
            role: Some(role),
            guest: false,
            kind,
            action: Some(action.into()),
            client_id: None,
            body: None,
        });
    }
}

/// What the checks of the journal's rollup need from the history.
struct Rolled {
    quiz: Uuid,
    member: String,
    last_position: i64,
}

/// The history; what the rollup's checks need.
async fn history(server: &TestServer) -> Rolled {
    let lyon_trainer = server.token_in(Role::Trainer, "Mme Durand", LYON);
    let mut csv = String::from("nom;courriel;académie;département;discipline\n");
    for i in 1..=5 {
        csv += &format!("M{i};m{i}@ac-lyon.fr;Lyon;Rhône;Mathématiques\n");
    }
    for i in 1..=4 {
        csv += &format!("L{i};l{i}@ac-lyon.fr;Lyon;Ain;Lettres\n");
    }
    for i in 1..=3 {
        csv += &format!("H{i};h{i}@ac-lyon.fr;Lyon;Rhône;Histoire\n");
    }
    let ids = register(server, &lyon_trainer, &csv).await;
    let id = |email: &str| ids.iter().find(|(e, _)| e == email).map(|(_, m)| m.clone()).unwrap();
    let maths: Vec<String> = (1..=5).map(|i| id(&format!("m{i}@ac-lyon.fr"))).collect();
    let lettres: Vec<String> = (1..=4).map(|i| id(&format!("l{i}@ac-lyon.fr"))).collect();
    let histoire: Vec<String> = (1..=3).map(|i| id(&format!("h{i}@ac-lyon.fr"))).collect();
    let unknown: Vec<String> = (1..=6).map(|i| format!("guest-{i}")).collect();
    let mut h = History { load: Load::default(), positions: 0 };
    // A quiz on 3 March: 12 people for 30 minutes, 2 answers each.
    let quiz = h.room(LYON, RoomKind::Quiz);
    h.present(quiz, "trainer-1", Role::Trainer, march(3), 45);
    for member in maths.iter().chain(&lettres).chain(&histoire) {
        h.present(quiz, member, Role::Participant, march(3), 30);
        for _ in 0..2 {
            h.input(quiz, member, Role::Participant, InputKind::Quiz, "answer", march(3) + 5 * MIN);
        }
    }
    h.input(quiz, "trainer-1", Role::Trainer, InputKind::Quiz, "open_question", march(3) + MIN);
    let states = [2, 2, 2, 2, 2, 3, 3, 1, 0];
    for (member, state) in maths.iter().chain(&lettres).zip(states) {
        h.load.completions.push(CompletionRecord {
            tenant: LYON.into(),
            activity: quiz,
            user: member.clone(),
            state,
            score: 1,
            max_score: 2,
            updated_at: march(3) + 31 * MIN,
        });
    }
    for (index, member) in maths.iter().enumerate() {
        h.load.awards.push(LoadedAward {
            tenant: LYON.into(),
            badge: "badge-1".into(),
            recipient: member.clone(),
            issued_at: march(3) + 32 * MIN,
            status_index: index as i64,
        });
    }
    // A board on 10 March: the 5 maths and 6 unknown for 20 minutes; 5
    // participants' posts (and the trainer's, not counted).
    let board = h.room(LYON, RoomKind::Board);
    for member in maths.iter().chain(&unknown) {
        h.present(board, member, Role::Participant, march(10), 20);
    }
    for member in [&maths[0], &maths[0], &maths[0], &unknown[0], &unknown[0]] {
        h.input(board, member, Role::Participant, InputKind::Board, "post", march(10) + MIN);
    }
    h.input(board, "trainer-1", Role::Trainer, InputKind::Board, "post", march(10) + MIN);
    // Ateliers on 17 March: lettres and unknown for an hour, opened twice.
    let ateliers = h.room(LYON, RoomKind::Breakout);
    for member in lettres.iter().chain(&unknown) {
        h.present(ateliers, member, Role::Participant, march(17), 60);
    }
    for at in [march(17) + MIN, march(17) + 30 * MIN] {
        h.input(ateliers, "trainer-1", Role::Trainer, InputKind::Breakout, "open", at);
    }
    // A lobby on 24 March: the maths for 10 minutes.
    let lobby = h.room(LYON, RoomKind::Lobby);
    for member in &maths {
        h.present(lobby, member, Role::Participant, march(24), 10);
    }
    // A quiz in May (out of March) of 7.
    let may = h.room(LYON, RoomKind::Quiz);
    for i in 0..7 {
        h.present(may, &format!("may-{i}"), Role::Participant, march(1) + 62 * 86_400_000, 15);
    }
    // Nantes: a quiz on 5 March, 6 maths teachers for 15 minutes.
    let nantes = h.room(NANTES, RoomKind::Quiz);
    let mut profiles = Vec::new();
    for i in 0..6 {
        let member = format!("nantes-{i}");
        h.present(nantes, &member, Role::Participant, march(5), 15);
        profiles.push((member, amphi::store::MemberProfile::new(Some("Nantes"), None, Some("Mathématiques"))));
    }
    let store = &server.app.store;
    store.record_profiles(NANTES, &profiles, march(5)).await.unwrap();
    store.load(&h.load).await.unwrap();
    Rolled { quiz, member: maths[0].clone(), last_position: h.positions }
}

fn group<'a>(period: &'a Value, name: Option<&str>) -> &'a Value {
    let groups = period["groups"].as_array().expect("groups");
    groups.iter().find(|g| g["group"].as_str() == name).unwrap_or_else(|| panic!("no group {name:?} in {period}"))
}

async fn figures_are_computed_and_protected(database: Option<&PgDatabase>) {
    let server = server(database).await;
    let rolled = history(&server).await;
    let admin = server.token_in(Role::Admin, "Admin Lyon", LYON);
    let national = server.token_in(Role::National, "DGESCO", "dgesco");
    let march_only = "from=2026-03-01&to=2026-03-31";
    let store = &server.app.store;

    // The figures are the same read from the journal and from its rollup.
    let queries = [
        (format!("{march_only}&by=discipline"), &admin),
        (format!("{march_only}&period=week"), &admin),
        ("from=2026-03-01&to=2026-05-31&by=departement".to_string(), &admin),
        (format!("{march_only}&by=tenant"), &national),
    ];
    let mut from_journal = Vec::new();
    for (query, token) in &queries {
        from_journal.push(stats(&server, query, token).await);
    }
    // Two rollups at once (as on two nodes) count each input once.
    let (one, other) = tokio::join!(store.roll_up_inputs(), store.roll_up_inputs());
    assert_eq!(one.unwrap() + other.unwrap(), 3, "the rooms with inputs: the quiz, the board, the ateliers");
    for ((query, token), before) in queries.iter().zip(&from_journal) {
        assert_eq!(&stats(&server, query, token).await, before, "{query}");
    }
    assert_eq!(store.roll_up_inputs().await.unwrap(), 0, "nothing new to roll up");

    let answer = stats(&server, &format!("{march_only}&by=discipline"), &admin).await;
    assert_eq!((answer["tenant"].as_str(), answer["min_people"].as_u64()), (Some(LYON), Some(5)));
    let total = &answer["total"];
    assert_eq!(total["suppressed"], false);
    assert_eq!(total["participants"], 18, "5 + 4 + 3 + 6, trainers not counted");
    assert_eq!(total["attendance_minutes"], 12 * 30 + 11 * 20 + 10 * 60 + 5 * 10);
    assert_eq!(
        total["sessions"],
        serde_json::json!({ "quiz": 1, "board": 1, "breakout": 1, "lobby": 1, "total": 4 }),
        "the May quiz is out of range"
    );
    assert_eq!(total["quiz_completions"], 9);
    assert_eq!(total["completion_rate"], 0.889, "8 of 9 complete");
    assert_eq!(total["pass_rate"], 0.714, "5 passed of 7 graded");
    assert_eq!((total["answers"].as_i64(), total["posts"].as_i64()), (Some(24), Some(5)));
    assert_eq!(total["ateliers_held"], 2);
    assert_eq!(total["atelier_attendance_share"], 0.556, "10 of 18");
    assert_eq!(total["badges_issued"], 5);
    let month = &answer["periods"][0];
    assert_eq!((month["period"].as_str(), month["first_day"].as_str()), (Some("2026-03"), Some("2026-03-01")));
    let maths = group(month, Some("Mathématiques"));
    assert_eq!(maths["suppressed"], false, "5 people are shown");
    assert_eq!(maths["participants"], 5);
    assert_eq!(maths["attendance_minutes"], 5 * 30 + 5 * 20 + 5 * 10);
    assert_eq!(maths["sessions"]["total"], 3);
    assert_eq!((maths["completion_rate"].as_f64(), maths["pass_rate"].as_f64()), (Some(1.0), Some(1.0)));
    assert_eq!((maths["answers"].as_i64(), maths["posts"].as_i64()), (Some(10), Some(3)));
    assert_eq!((maths["badges_issued"].as_i64(), maths["ateliers_held"].as_i64()), (Some(5), None));
    for hidden in ["Lettres", "Histoire"] {
        let cell = group(month, Some(hidden));
        assert_eq!(cell["suppressed"], true, "{hidden}: fewer than 5");
        assert!(cell["participants"].is_null() && cell["attendance_minutes"].is_null(), "{cell}");
    }
    let unknown = group(month, None);
    assert_eq!((unknown["participants"].as_i64(), unknown["attendance_minutes"].as_i64()), (Some(6), Some(480)));
    assert_eq!(unknown["completion_rate"], Value::Null, "no completion");

    // By department: Ain (4) is the only small cell; the smallest other
    // (the 6 unknown) is hidden with it, else 18 − 8 − 6 gives Ain back.
    let answer = stats(&server, &format!("{march_only}&by=departement"), &admin).await;
    let month = &answer["periods"][0];
    assert_eq!(group(month, Some("Ain"))["suppressed"], true);
    assert_eq!(group(month, None)["suppressed"], true, "the complement");
    assert_eq!(group(month, Some("Rhône"))["participants"], 8);

    // Weeks: each session in its week.
    let answer = stats(&server, &format!("{march_only}&period=week"), &admin).await;
    let weeks: Vec<(&str, i64)> = answer["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["period"].as_str().unwrap(), p["total"]["participants"].as_i64().unwrap_or(-1)))
        .collect();
    assert_eq!(
        weeks,
        [("2026-W09", 0), ("2026-W10", 12), ("2026-W11", 11), ("2026-W12", 10), ("2026-W13", 5), ("2026-W14", 0)]
    );

    // The CSV says the same, suppressed cells empty.
    let (status, csv) = get(&server, &format!("/admin/statistics.csv?{march_only}&by=discipline"), &admin).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("period,first_day,last_day,group,suppressed,participants,attendance_minutes"));
    assert!(lines.contains(&"2026-03,2026-03-01,2026-03-31,Lettres,yes,,,,,,,,,,,,,,,"), "{csv}");
    assert!(lines.iter().any(|l| l.starts_with("2026-03,2026-03-01,2026-03-31,Mathématiques,no,5,300,1,1,0,1,3,5,")));
    assert!(lines.last().unwrap().starts_with("total,2026-03-01,2026-03-31,,no,18,1230,"), "{csv}");
    let (_, french) = get(&server, &format!("/admin/statistics.csv?{march_only}&dialect=fr"), &admin).await;
    assert!(french.contains("Période;Premier jour") && french.contains(";0,889;"), "{french}");

    // Who may see what.
    let refused = |answer: (u16, String)| -> (u16, String) {
        let body: Value = serde_json::from_str(&answer.1).unwrap_or(Value::Null);
        (answer.0, body["code"].as_str().unwrap_or("?").to_string())
    };
    let forbidden = (403, "forbidden".to_string());
    assert_eq!(refused(get(&server, "/admin/statistics?tenant=ac-nantes", &admin).await), forbidden);
    let trainer = server.token_in(Role::Trainer, "Mme Durand", LYON);
    assert_eq!(refused(get(&server, "/admin/statistics", &trainer).await), forbidden);
    assert_eq!(refused(get(&server, "/admin/statistics.csv", &trainer).await), forbidden);
    let participant = server.token_in(Role::Participant, "Élève", LYON);
    assert_eq!(refused(get(&server, "/admin/statistics", &participant).await), forbidden);
    assert_eq!(refused(get(&server, "/admin/statistics", "").await).0, 401);
    assert_eq!(refused(get(&server, "/admin/statistics?period=day", &admin).await), (400, "invalid_field".into()));
    assert_eq!(refused(get(&server, "/admin/statistics?from=2026-13-01", &admin).await), (400, "invalid_field".into()));
    assert_eq!(refused(get(&server, "/admin/statistics?by=tenant", &admin).await), (400, "invalid_field".into()));
    let nantes_admin = server.token_in(Role::Admin, "Admin Nantes", NANTES);
    let theirs = stats(&server, march_only, &nantes_admin).await;
    assert_eq!(
        (theirs["total"]["participants"].as_i64(), theirs["total"]["attendance_minutes"].as_i64()),
        (Some(6), Some(90))
    );

    // The national role: every tenant, by tenant, or one.
    let all = stats(&server, &format!("{march_only}&by=tenant"), &national).await;
    assert_eq!(all["tenant"], Value::Null);
    assert_eq!(all["total"]["participants"], 24);
    assert_eq!(all["total"]["sessions"]["quiz"], 2);
    let month = &all["periods"][0];
    assert_eq!(group(month, Some(LYON))["participants"], 18);
    assert_eq!(group(month, Some(NANTES))["participants"], 6);
    let by_academie = stats(&server, &format!("{march_only}&by=academie"), &national).await;
    assert_eq!(group(&by_academie["periods"][0], Some("Nantes"))["attendance_minutes"], 90);
    let one = stats(&server, &format!("{march_only}&tenant=ac-nantes"), &national).await;
    assert_eq!((one["tenant"].as_str(), one["total"]["participants"].as_i64()), (Some(NANTES), Some(6)));
    // Erasure takes a member's profile with their other data.
    assert!(!store.profile_of(NANTES, "nantes-0").await.unwrap().is_empty());
    let erased = reqwest::Client::new()
        .delete(server.url("/api/v1/admin/users/nantes-0"))
        .bearer_auth(&nantes_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    assert!(store.profile_of(NANTES, "nantes-0").await.unwrap().is_empty());
    // Three months: April had nothing, May's 7.
    let spring = stats(&server, "from=2026-03-01&to=2026-05-31", &admin).await;
    let totals: Vec<i64> =
        spring["periods"].as_array().unwrap().iter().map(|p| p["total"]["participants"].as_i64().unwrap()).collect();
    assert_eq!(totals, [18, 0, 7]);
    assert_eq!(spring["total"]["participants"], 25);

    // An input past the room's rollup mark counts at once (from the
    // journal), then from the rollup.
    let mut more = Load::default();
    more.inputs.push(InputRecord {
        room: rolled.quiz,
        position: rolled.last_position + 1,
        at: march(3) + 6 * MIN,
        member: rolled.member.clone(),
        member_name: "M1".into(),
        role: Some(Role::Participant),
        guest: false,
        kind: InputKind::Quiz,
        action: Some("answer".into()),
        client_id: None,
        body: None,
    });
    store.load(&more).await.unwrap();
    let inputs = |answer: Value| (answer["total"]["answers"].as_i64(), answer["total"]["posts"].as_i64());
    assert_eq!(inputs(stats(&server, march_only, &admin).await), (Some(25), Some(5)), "the journal's tail");
    assert_eq!(store.roll_up_inputs().await.unwrap(), 1, "the quiz");
    assert_eq!(inputs(stats(&server, march_only, &admin).await), (Some(25), Some(5)), "rolled up");
    // Erasure takes the member's rolled-up counts too: 3 answers, 3 posts.
    let erased = reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/admin/users/{}", rolled.member)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    assert_eq!(inputs(stats(&server, march_only, &admin).await), (Some(22), Some(2)), "after erasure");
}

#[tokio::test]
async fn statistics_on_sqlite() {
    figures_are_computed_and_protected(None).await;
}

#[tokio::test]
async fn statistics_on_postgres() {
    let database = PgDatabase::create().await;
    figures_are_computed_and_protected(Some(&database)).await;
}
