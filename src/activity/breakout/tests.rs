//! The breakout state machine: plan checks, every assignment mode, the
//! countdown with its warnings and automatic close, broadcasts and help
//! calls with their audiences, productions, roles, snapshots for late
//! joiners, and the participation report.

use amphi_protocol::board::File;
use amphi_protocol::breakout::{
    AssignmentMode, Atelier, AtelierState, BreakoutCommand, BreakoutEvent, BreakoutPlan, BreakoutSettings, CallState,
    CloseReason, ProductionContent, Resource, SessionStatus,
};
use amphi_protocol::{ErrorCode, Role};

use super::*;

const T0: Millis = 1_790_000_000_000;
const MIN: Millis = 60_000;

fn facilitator() -> Actor<'static> {
    Actor { id: "f1", name: "Mme Durand", role: Role::Facilitator }
}
fn projector() -> Actor<'static> {
    Actor { id: "o1", name: "Projecteur", role: Role::Observer }
}

/// Participants `p01`, `p02`, … (ids and names owned by the test).
struct People {
    ids: Vec<String>,
    names: Vec<String>,
}

impl People {
    fn new(n: usize) -> People {
        People {
            ids: (1..=n).map(|i| format!("p{i:02}")).collect(),
            names: (1..=n).map(|i| format!("Stagiaire {i}")).collect(),
        }
    }

    fn get(&self, i: usize) -> Actor<'_> {
        Actor { id: &self.ids[i], name: &self.names[i], role: Role::Participant }
    }

    fn all(&self) -> impl Iterator<Item = Actor<'_>> {
        (0..self.ids.len()).map(|i| self.get(i))
    }
}

fn atelier(id: &str, name: &str) -> Atelier {
    Atelier {
        id: id.into(),
        name: name.into(),
        instructions: format!("Consignes de l'atelier {name}."),
        duration_s: 600,
        resources: vec![Resource { title: "Éduscol".into(), url: "https://eduscol.education.fr/".into() }],
        files: Vec::new(),
        capacity: None,
        video_url: Some(format!("https://visio.example.org/{id}")),
        video_problem: None,
        board: false,
        quiz: None,
    }
}

fn plan(n: usize, mode: AssignmentMode) -> BreakoutPlan {
    BreakoutPlan { ateliers: (1..=n).map(|i| atelier(&format!("a{i}"), &format!("Atelier {i}"))).collect(), mode }
}

fn definition(plan: BreakoutPlan) -> BreakoutDefinition {
    BreakoutDefinition { title: "Ateliers du mercredi".into(), plan, settings: BreakoutSettings::default() }
}

fn session_with(plan: BreakoutPlan, seed: u64) -> BreakoutSession {
    let definition = definition(plan);
    definition.validate().unwrap();
    BreakoutSession::new(definition, seed)
}

fn session(n: usize, mode: AssignmentMode) -> BreakoutSession {
    session_with(plan(n, mode), 7)
}

fn ok(s: &mut BreakoutSession, who: Actor<'_>, command: BreakoutCommand, now: Millis) -> Vec<BreakoutEmit> {
    s.apply(who, command, now).unwrap_or_else(|r| panic!("refused: {r:?}"))
}

fn refused(s: &mut BreakoutSession, who: Actor<'_>, command: BreakoutCommand, now: Millis) -> ErrorCode {
    s.apply(who, command, now).expect_err("should be refused").code
}

/// The events of `emits` that `who` receives.
fn seen<'a>(emits: &'a [BreakoutEmit], who: Actor<'_>) -> Vec<&'a BreakoutEvent> {
    emits.iter().filter(|e| e.audience.includes(who.id, who.role)).map(|e| &e.event).collect()
}

fn assign(member: &str, atelier: &str) -> BreakoutCommand {
    BreakoutCommand::Assign { member: member.into(), atelier: atelier.into() }
}

fn open_all() -> BreakoutCommand {
    BreakoutCommand::Open { ateliers: None }
}

fn text(t: &str) -> ProductionContent {
    ProductionContent { text: Some(t.into()), ..ProductionContent::default() }
}

/// How many are assigned to each atelier of `s`, in plan order.
fn sizes(s: &BreakoutSession) -> Vec<usize> {
    s.snapshot(facilitator()).ateliers.iter().map(|a| a.members.len()).collect()
}

// ----- the plan -------------------------------------------------------

#[test]
fn plans_are_checked_with_clear_codes() {
    let check = |edit: &dyn Fn(&mut BreakoutPlan)| {
        let mut p = plan(2, AssignmentMode::Manual);
        edit(&mut p);
        plan::check_plan(&p).map_err(|r| r.code)
    };
    assert_eq!(check(&|_| {}), Ok(()));
    assert_eq!(check(&|p| p.ateliers[0].resources[0].url = "ftp://example.org/x".into()), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[0].resources[0].url = "javascript:alert(1)".into()), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[0].resources[0].url = "https://".into()), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[1].video_url = Some("https://a b.org".into())), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[0].name = "   ".into()), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| p.ateliers[0].name = "x".repeat(201)), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| p.ateliers[1].id = "a1".into()), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[1].id = "a 2".into()), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[1].id = String::new()), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[0].instructions = "é".repeat(5001)), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| p.ateliers[0].instructions = "é".repeat(5000)), Ok(()));
    assert_eq!(check(&|p| p.ateliers[0].duration_s = 0), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| p.ateliers[0].duration_s = 43_201), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| p.ateliers[0].capacity = Some(0)), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| p.ateliers.clear()), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| *p = plan(51, AssignmentMode::Manual)), Err(ErrorCode::OutOfRange), "at most 50 ateliers");
    let file =
        |blob: &str, name: &str| File { blob: blob.into(), name: name.into(), content_type: String::new(), size: 0 };
    assert_eq!(check(&|p| p.ateliers[0].files = vec![file(&"ab".repeat(32), "cours.pdf")]), Ok(()));
    assert_eq!(check(&|p| p.ateliers[0].files = vec![file("../etc/passwd", "x")]), Err(ErrorCode::InvalidField));
    assert_eq!(check(&|p| p.ateliers[0].files = vec![file(&"ab".repeat(32), " ")]), Err(ErrorCode::OutOfRange));
    assert_eq!(check(&|p| p.ateliers[0].quiz = Some(String::new())), Err(ErrorCode::OutOfRange));
}

#[test]
fn definitions_validate_title_plan_and_settings() {
    assert!(definition(plan(3, AssignmentMode::Balanced)).validate().is_ok());
    let untitled = BreakoutDefinition { title: " ".into(), ..definition(plan(1, AssignmentMode::Manual)) };
    assert!(untitled.validate().is_err());
    let mut bad_plan = definition(plan(2, AssignmentMode::Manual));
    bad_plan.plan.ateliers[1].id = "a1".into();
    assert!(bad_plan.validate().unwrap_err().contains("a1"));
    let mut bad_settings = definition(plan(1, AssignmentMode::Manual));
    bad_settings.settings.warnings_s = vec![0];
    assert!(bad_settings.validate().is_err());
    bad_settings.settings = BreakoutSettings { coalesce_ms: 10, ..BreakoutSettings::default() };
    assert!(bad_settings.validate().is_err());
    // The stored form reads back, with defaults for what is absent.
    let json = r#"{"title": "S", "plan": {"ateliers": [{"id": "a1", "name": "Un", "duration_s": 900}], "mode": "free_choice"}}"#;
    let read: BreakoutDefinition = serde_json::from_str(json).unwrap();
    assert_eq!(read.settings.warnings_s, vec![60, 10]);
    assert!(read.validate().is_ok());
    assert!(serde_json::from_str::<BreakoutDefinition>(r#"{"plan": {"ateliers": []}, "extra": 1}"#).is_err());
}

#[test]
fn set_plan_is_for_leaders_while_nothing_runs_and_returns_members_of_ateliers_gone() {
    let people = People::new(2);
    let mut s = session(3, AssignmentMode::Manual);
    for p in people.all() {
        s.join(p, T0);
    }
    ok(&mut s, facilitator(), assign("p01", "a3"), T0);
    ok(&mut s, facilitator(), assign("p02", "a1"), T0);
    let smaller = plan(2, AssignmentMode::FreeChoice);
    assert_eq!(
        refused(&mut s, people.get(0), BreakoutCommand::SetPlan { plan: smaller.clone() }, T0),
        ErrorCode::Forbidden
    );
    let mut bad = smaller.clone();
    bad.ateliers[0].name = String::new();
    assert_eq!(refused(&mut s, facilitator(), BreakoutCommand::SetPlan { plan: bad }, T0), ErrorCode::OutOfRange);

    let emits = ok(&mut s, facilitator(), BreakoutCommand::SetPlan { plan: smaller.clone() }, T0);
    // p01's atelier is gone: back to the plenary; p02 gets a1 as it now is.
    assert!(seen(&emits, people.get(0)).contains(&&BreakoutEvent::Assignment { atelier: None }));
    assert!(
        seen(&emits, people.get(1))
            .iter()
            .any(|e| matches!(e, BreakoutEvent::Assignment { atelier: Some(v) } if v.atelier.id == "a1"))
    );
    assert!(seen(&emits, facilitator()).iter().any(|e| matches!(e, BreakoutEvent::Plan { .. })));
    assert!(!seen(&emits, people.get(0)).iter().any(|e| matches!(e, BreakoutEvent::Plan { .. })), "leaders only");
    // Free choice now: participants get the list to choose from.
    assert!(
        seen(&emits, people.get(0))
            .iter()
            .any(|e| matches!(e, BreakoutEvent::Choices { choices } if choices.len() == 2))
    );
    assert_eq!(s.atelier_of("p01"), None);
    assert_eq!(s.plan(), &smaller);
    let ids: Vec<String> = s.participation(T0).ateliers.into_iter().map(|a| a.id).collect();
    assert_eq!(ids, vec!["a1", "a2"], "a3 never ran: nothing to report");

    ok(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) }, T0);
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::SetPlan { plan: plan(4, AssignmentMode::Manual) }, T0),
        ErrorCode::InvalidState
    );
}

// ----- assignment -----------------------------------------------------

#[test]
fn manual_assignment_tells_the_member_and_the_leaders() {
    let people = People::new(3);
    let mut s = session(2, AssignmentMode::Manual);
    for p in people.all() {
        s.join(p, T0);
    }
    s.join(projector(), T0);
    let emits = ok(&mut s, facilitator(), assign("p01", "a2"), T0);
    let mine = seen(&emits, people.get(0));
    assert!(
        matches!(mine.as_slice(), [BreakoutEvent::Assignment { atelier: Some(v) }] if v.atelier.id == "a2" && v.state == AtelierState::Pending)
    );
    assert!(seen(&emits, people.get(1)).is_empty(), "others do not learn of it");
    assert!(seen(&emits, projector()).is_empty());
    assert!(
        matches!(seen(&emits, facilitator()).as_slice(), [BreakoutEvent::Assignments { changes }] if changes[0].member == "p01")
    );
    assert!(ok(&mut s, facilitator(), assign("p01", "a2"), T0).is_empty(), "assigning twice is one assignment");

    assert_eq!(refused(&mut s, facilitator(), assign("p01", "zz"), T0), ErrorCode::NotFound);
    assert_eq!(refused(&mut s, facilitator(), assign("o1", "a1"), T0), ErrorCode::InvalidState);
    assert_eq!(refused(&mut s, facilitator(), assign("", "a1"), T0), ErrorCode::OutOfRange);
    assert_eq!(refused(&mut s, people.get(1), assign("p02", "a1"), T0), ErrorCode::Forbidden);

    let emits = ok(&mut s, facilitator(), BreakoutCommand::Unassign { member: "p01".into() }, T0);
    assert_eq!(seen(&emits, people.get(0)), vec![&BreakoutEvent::Assignment { atelier: None }]);
    assert!(ok(&mut s, facilitator(), BreakoutCommand::Unassign { member: "p01".into() }, T0).is_empty());
    // Members can be assigned ahead, before they join.
    ok(&mut s, facilitator(), assign("later", "a1"), T0);
    assert_eq!(s.atelier_of("later"), Some("a1"));
}

#[test]
fn balanced_distribution_of_30_in_5_is_deterministic_and_even() {
    let people = People::new(30);
    let run = |seed: u64| {
        let mut s = session_with(plan(5, AssignmentMode::Balanced), seed);
        for p in people.all() {
            s.join(p, T0);
        }
        let emits = ok(&mut s, facilitator(), BreakoutCommand::Distribute, T0);
        // Each participant is told once, with their atelier.
        for p in people.all() {
            let got: Vec<_> = seen(&emits, p)
                .into_iter()
                .filter_map(|e| match e {
                    BreakoutEvent::Assignment { atelier: Some(v) } => Some(v.atelier.id.clone()),
                    _ => None,
                })
                .collect();
            assert_eq!(got, vec![s.atelier_of(p.id).unwrap().to_string()]);
        }
        let assignment: Vec<String> = people.ids.iter().map(|id| s.atelier_of(id).unwrap().to_string()).collect();
        (sizes(&s), assignment)
    };
    let (sizes_a, first) = run(11);
    assert_eq!(sizes_a, vec![6, 6, 6, 6, 6]);
    assert_eq!(run(11).1, first, "same seed, same ateliers");
    assert_ne!(run(12).1, first, "another seed, another draw");

    // Uneven numbers, some already placed by hand: sizes differ by at most one.
    let people = People::new(32);
    let mut s = session(5, AssignmentMode::Balanced);
    for p in people.all() {
        s.join(p, T0);
    }
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), assign("p02", "a1"), T0);
    ok(&mut s, facilitator(), BreakoutCommand::Distribute, T0);
    let sz = sizes(&s);
    assert_eq!(sz.iter().sum::<usize>(), 32);
    assert!(sz.iter().max().unwrap() - sz.iter().min().unwrap() <= 1, "{sz:?}");
    // Nobody left to place.
    assert_eq!(refused(&mut s, facilitator(), BreakoutCommand::Distribute, T0), ErrorCode::InvalidState);
}

#[test]
fn distribution_places_only_present_unassigned_participants_within_capacities() {
    let people = People::new(10);
    let mut p = plan(3, AssignmentMode::Random);
    p.ateliers[0].capacity = Some(2);
    p.ateliers[1].capacity = Some(3);
    p.ateliers[2].capacity = Some(1);
    let mut s = session_with(p.clone(), 3);
    for who in people.all().take(8) {
        s.join(who, T0);
    }
    s.join(facilitator(), T0);
    s.join(projector(), T0);
    s.detach("p08", T0); // left again
    let emits = ok(&mut s, facilitator(), BreakoutCommand::Distribute, T0);
    assert_eq!(sizes(&s), vec![2, 3, 1], "capacities honoured");
    assert_eq!(s.atelier_of("p09"), None, "absent participants are not placed");
    assert_eq!(s.atelier_of("p08"), None);
    assert_eq!(s.atelier_of("f1"), None);
    assert_eq!(s.atelier_of("o1"), None);
    let placed = match seen(&emits, facilitator()).last() {
        Some(BreakoutEvent::Assignments { changes }) => changes.len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(placed, 6);
    // The same draw again gives the same ateliers.
    let mut again = session_with(p, 3);
    for who in people.all().take(8) {
        again.join(who, T0);
    }
    again.detach("p08", T0);
    ok(&mut again, facilitator(), BreakoutCommand::Distribute, T0);
    for id in &people.ids {
        assert_eq!(again.atelier_of(id), s.atelier_of(id));
    }
    // One more present participant, every atelier full.
    s.join(people.get(8), T0);
    assert_eq!(refused(&mut s, facilitator(), BreakoutCommand::Distribute, T0), ErrorCode::RoomFull);
}

#[test]
fn free_choice_honours_capacity_and_shows_places_left() {
    let people = People::new(4);
    let mut p = plan(2, AssignmentMode::FreeChoice);
    p.ateliers[0].capacity = Some(2);
    let mut s = session_with(p, 1);
    for who in people.all() {
        s.join(who, T0);
    }
    let choose = |a: &str| BreakoutCommand::Choose { atelier: a.into() };
    let places = |s: &BreakoutSession, who: Actor<'_>| -> Vec<Option<u32>> {
        s.snapshot(who).choices.iter().map(|c| c.remaining).collect()
    };
    assert_eq!(places(&s, people.get(0)), vec![Some(2), None]);
    let emits = ok(&mut s, people.get(0), choose("a1"), T0);
    assert!(
        matches!(seen(&emits, people.get(0)).as_slice(), [BreakoutEvent::Assignment { atelier: Some(v) }] if v.atelier.id == "a1")
    );
    ok(&mut s, people.get(1), choose("a1"), T0);
    assert_eq!(refused(&mut s, people.get(2), choose("a1"), T0), ErrorCode::RoomFull);
    assert_eq!(places(&s, people.get(2)), vec![Some(0), None]);
    assert_eq!(places(&s, projector()), vec![Some(0), None], "the projector can show the places");
    assert!(s.snapshot(facilitator()).choices.is_empty());
    // Places left go out coalesced, to participants and observers.
    let flushed = s.tick(T0 + 1000);
    assert!(
        seen(&flushed, people.get(3))
            .iter()
            .any(|e| matches!(e, BreakoutEvent::Choices { choices } if choices[0].remaining == Some(0)))
    );
    assert!(seen(&flushed, projector()).iter().any(|e| matches!(e, BreakoutEvent::Choices { .. })));
    assert!(seen(&flushed, facilitator()).iter().any(|e| matches!(e, BreakoutEvent::Counts { .. })));
    assert!(!seen(&flushed, facilitator()).iter().any(|e| matches!(e, BreakoutEvent::Choices { .. })));

    ok(&mut s, people.get(2), choose("a2"), T0);
    assert!(ok(&mut s, people.get(2), choose("a2"), T0).is_empty(), "choosing twice is one choice");
    // Changing one's mind works until the atelier runs.
    ok(&mut s, people.get(1), choose("a2"), T0);
    ok(&mut s, people.get(2), choose("a1"), T0);
    ok(&mut s, facilitator(), open_all(), T0);
    assert_eq!(refused(&mut s, people.get(2), choose("a2"), T0), ErrorCode::InvalidState);
    // A late participant may still join an open atelier with room.
    ok(&mut s, people.get(3), choose("a2"), T0);
    assert_eq!(refused(&mut s, people.get(3), choose("nope"), T0), ErrorCode::NotFound);
    // Roles.
    assert_eq!(refused(&mut s, projector(), choose("a2"), T0), ErrorCode::Forbidden);
    assert_eq!(refused(&mut s, facilitator(), choose("a2"), T0), ErrorCode::Forbidden);
    // Not in other modes.
    let mut manual = session(2, AssignmentMode::Manual);
    assert_eq!(refused(&mut manual, people.get(0), choose("a1"), T0), ErrorCode::InvalidState);
    assert!(manual.snapshot(people.get(0)).choices.is_empty());
}

// ----- time -----------------------------------------------------------

#[test]
fn open_warns_at_60_and_10_seconds_then_closes_by_itself() {
    let people = People::new(2);
    let mut s = session(2, AssignmentMode::Manual);
    for p in people.all() {
        s.join(p, T0);
    }
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), assign("p02", "a2"), T0);
    s.tick(T0); // counts
    let emits = ok(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) }, T0);
    let ends = T0 + 10 * MIN;
    assert!(seen(&emits, people.get(0)).contains(&&BreakoutEvent::Opened {
        atelier: "a1".into(),
        opened_at: T0,
        ends_at: ends
    }));
    assert!(!seen(&emits, people.get(1)).iter().any(|e| matches!(e, BreakoutEvent::Opened { .. })), "a2 is not open");
    assert!(seen(&emits, facilitator()).iter().any(|e| matches!(e, BreakoutEvent::Opened { .. })));
    assert!(emits.iter().any(
        |e| e.audience == Audience::Everyone && e.event == BreakoutEvent::Status { status: SessionStatus::Running }
    ));
    assert_eq!(s.status(), SessionStatus::Running);
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) }, T0),
        ErrorCode::InvalidState
    );

    let a1_events = |emits: &[BreakoutEmit]| -> Vec<BreakoutEvent> {
        emits.iter().filter(|e| e.audience.includes("p01", Role::Participant)).map(|e| e.event.clone()).collect()
    };
    s.tick(T0 + 1000); // the coalesced counts of the opening
    assert_eq!(s.next_deadline(), Some(ends - 60_000));
    assert!(s.tick(ends - 60_001).is_empty(), "nothing before its time");
    let warned = s.tick(ends - 60_000);
    assert_eq!(
        a1_events(&warned),
        vec![BreakoutEvent::TimeWarning { atelier: "a1".into(), seconds: 60, ends_at: ends }]
    );
    assert!(seen(&warned, facilitator()).len() == 1 && seen(&warned, people.get(1)).is_empty());
    assert_eq!(s.next_deadline(), Some(ends - 10_000));

    // Extending moves the end; the 60-second point is ahead again.
    let now = ends - 40_000;
    let emits = ok(&mut s, facilitator(), BreakoutCommand::Extend { seconds: 120, atelier: None }, now);
    let new_end = ends + 120_000;
    assert_eq!(a1_events(&emits), vec![BreakoutEvent::Extended { atelier: "a1".into(), ends_at: new_end }]);
    assert_eq!(s.next_deadline(), Some(new_end - 60_000));
    assert_eq!(s.snapshot(people.get(0)).atelier.unwrap().ends_at, Some(new_end));
    // A late tick with both points due gives the nearest one only.
    let warned = s.tick(new_end - 5_000);
    assert_eq!(
        a1_events(&warned),
        vec![BreakoutEvent::TimeWarning { atelier: "a1".into(), seconds: 10, ends_at: new_end }]
    );
    assert_eq!(s.next_deadline(), Some(new_end));

    let closed = s.tick(new_end + 3);
    assert!(
        a1_events(&closed).contains(&BreakoutEvent::Closed { atelier: "a1".into(), reason: CloseReason::Deadline })
    );
    assert!(closed.iter().any(
        |e| e.audience == Audience::Everyone && e.event == BreakoutEvent::Status { status: SessionStatus::Plenary }
    ));
    assert_eq!(s.status(), SessionStatus::Plenary);
    let view = s.snapshot(people.get(0)).atelier.unwrap();
    assert_eq!((view.state, view.ends_at), (AtelierState::Closed, None));
    assert_eq!(s.next_deadline(), None, "nothing left to time");

    // Refusals: extend bounds, nothing open, bad ids.
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Extend { seconds: 60, atelier: None }, new_end),
        ErrorCode::InvalidState
    );
    let open_a2 = BreakoutCommand::Open { ateliers: Some(vec!["a2".into(), "a2".into()]) };
    ok(&mut s, facilitator(), open_a2, new_end);
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Extend { seconds: 0, atelier: None }, new_end),
        ErrorCode::OutOfRange
    );
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Extend { seconds: 3601, atelier: None }, new_end),
        ErrorCode::OutOfRange
    );
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Extend { seconds: 60, atelier: Some("a1".into()) }, new_end),
        ErrorCode::InvalidState
    );
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Close { atelier: Some("zz".into()) }, new_end),
        ErrorCode::NotFound
    );
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec![]) }, new_end),
        ErrorCode::OutOfRange
    );
    assert_eq!(refused(&mut s, people.get(0), open_all(), new_end), ErrorCode::Forbidden);
}

#[test]
fn closing_one_then_all_brings_everyone_back_to_the_plenary() {
    let people = People::new(3);
    let mut s = session(3, AssignmentMode::Manual);
    for (i, p) in people.all().enumerate() {
        s.join(p, T0);
        ok(&mut s, facilitator(), assign(p.id, &format!("a{}", i + 1)), T0);
    }
    let emits = ok(&mut s, facilitator(), open_all(), T0);
    assert_eq!(emits.iter().filter(|e| matches!(e.event, BreakoutEvent::Opened { .. })).count(), 3);
    assert_eq!(refused(&mut s, facilitator(), open_all(), T0), ErrorCode::InvalidState);
    let emits = ok(&mut s, facilitator(), BreakoutCommand::Close { atelier: Some("a2".into()) }, T0 + MIN);
    assert_eq!(
        seen(&emits, people.get(1)),
        vec![&BreakoutEvent::Closed { atelier: "a2".into(), reason: CloseReason::Facilitator }]
    );
    assert!(seen(&emits, people.get(0)).is_empty());
    assert_eq!(s.status(), SessionStatus::Running);
    let emits = ok(&mut s, facilitator(), BreakoutCommand::Close { atelier: None }, T0 + 2 * MIN);
    assert_eq!(emits.iter().filter(|e| matches!(e.event, BreakoutEvent::Closed { .. })).count(), 2);
    assert_eq!(s.status(), SessionStatus::Plenary);
    assert_eq!(refused(&mut s, facilitator(), BreakoutCommand::Close { atelier: None }, T0), ErrorCode::InvalidState);
    // A closed atelier can run again; `open` without a list opens the others.
    ok(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a2".into()]) }, T0 + 3 * MIN);
    let emits = ok(&mut s, facilitator(), open_all(), T0 + 3 * MIN);
    assert_eq!(emits.iter().filter(|e| matches!(e.event, BreakoutEvent::Opened { .. })).count(), 2);
}

#[test]
fn reassignment_while_running_moves_the_member_and_their_time() {
    let people = People::new(1);
    let mut s = session(2, AssignmentMode::Manual);
    s.join(people.get(0), T0);
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), open_all(), T0);
    let emits = ok(&mut s, facilitator(), assign("p01", "a2"), T0 + 3 * MIN);
    let mine = seen(&emits, people.get(0));
    assert!(
        matches!(mine.as_slice(), [BreakoutEvent::Assignment { atelier: Some(v) }] if v.atelier.id == "a2" && v.state == AtelierState::Open && v.ends_at == Some(T0 + 10 * MIN))
    );
    assert_eq!(s.snapshot(people.get(0)).atelier.unwrap().atelier.id, "a2");
    let report = s.participation(T0 + 5 * MIN);
    let me = &report.members[0];
    assert_eq!(me.ateliers.get("a1"), Some(&(3 * MIN)));
    assert_eq!(me.ateliers.get("a2"), Some(&(2 * MIN)));
    assert_eq!(me.total_ms, 5 * MIN);
}

// ----- broadcasts and help calls -------------------------------------

#[test]
fn broadcasts_reach_every_atelier_once_or_one_atelier_only() {
    let people = People::new(30);
    let mut s = session(5, AssignmentMode::Balanced);
    for p in people.all() {
        s.join(p, T0);
    }
    s.join(projector(), T0);
    ok(&mut s, facilitator(), BreakoutCommand::Distribute, T0);
    ok(&mut s, facilitator(), open_all(), T0);
    let to_all = BreakoutCommand::Broadcast { text: "  Plus que 5 minutes  ".into(), atelier: None };
    let emits = ok(&mut s, facilitator(), to_all, T0 + MIN);
    for p in people.all().chain([facilitator(), projector()]) {
        let got = seen(&emits, p);
        assert!(
            matches!(got.as_slice(), [BreakoutEvent::Broadcast { broadcast }] if broadcast.id == "b1" && broadcast.text == "Plus que 5 minutes"),
            "{}: {got:?}",
            p.id
        );
    }
    let to_a3 =
        BreakoutCommand::Broadcast { text: "Atelier 3 : pensez à la synthèse".into(), atelier: Some("a3".into()) };
    let emits = ok(&mut s, facilitator(), to_a3, T0 + 2 * MIN);
    for p in people.all() {
        let got = seen(&emits, p);
        if s.atelier_of(p.id) == Some("a3") {
            assert!(
                matches!(got.as_slice(), [BreakoutEvent::Broadcast { broadcast }] if broadcast.id == "b2" && broadcast.atelier.as_deref() == Some("a3"))
            );
        } else {
            assert!(got.is_empty(), "{} is not in a3", p.id);
        }
    }
    assert_eq!(seen(&emits, facilitator()).len(), 1);
    assert!(seen(&emits, projector()).is_empty());
    // Snapshots: the broadcast to all for everyone, a3's in a3's view.
    let in_a3 = people.all().find(|p| s.atelier_of(p.id) == Some("a3")).unwrap();
    let elsewhere = people.all().find(|p| s.atelier_of(p.id) == Some("a1")).unwrap();
    let snap = s.snapshot(in_a3);
    assert_eq!(snap.broadcasts.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), vec!["b1"]);
    assert_eq!(snap.atelier.unwrap().broadcasts.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), vec!["b2"]);
    assert!(s.snapshot(elsewhere).atelier.unwrap().broadcasts.is_empty());
    // Refusals.
    let blank = BreakoutCommand::Broadcast { text: "   ".into(), atelier: None };
    assert_eq!(refused(&mut s, facilitator(), blank, T0), ErrorCode::OutOfRange);
    let long = BreakoutCommand::Broadcast { text: "x".repeat(1001), atelier: None };
    assert_eq!(refused(&mut s, facilitator(), long, T0), ErrorCode::OutOfRange);
    let unknown = BreakoutCommand::Broadcast { text: "x".into(), atelier: Some("zz".into()) };
    assert_eq!(refused(&mut s, facilitator(), unknown, T0), ErrorCode::NotFound);
    let by_participant = BreakoutCommand::Broadcast { text: "x".into(), atelier: None };
    assert_eq!(refused(&mut s, in_a3, by_participant.clone(), T0), ErrorCode::Forbidden);
    assert_eq!(refused(&mut s, projector(), by_participant, T0), ErrorCode::Forbidden);
    // Figures: b1 reached the 5 open ateliers, b2 only a3.
    let report = s.participation(T0 + 3 * MIN);
    let counts: Vec<u32> = report.ateliers.iter().map(|a| a.broadcasts).collect();
    assert_eq!(counts, vec![1, 1, 2, 1, 1]);
}

#[test]
fn help_calls_go_to_the_leaders_and_the_caller_only_until_resolved() {
    let people = People::new(3);
    let mut s = session(2, AssignmentMode::Manual);
    for p in people.all() {
        s.join(p, T0);
    }
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), assign("p02", "a1"), T0);
    ok(&mut s, facilitator(), assign("p03", "a2"), T0);
    let call = |t: Option<&str>| BreakoutCommand::CallHelp { text: t.map(String::from) };
    assert_eq!(refused(&mut s, people.get(0), call(None), T0), ErrorCode::InvalidState, "a1 is not open");
    ok(&mut s, facilitator(), open_all(), T0);
    let emits = ok(&mut s, people.get(0), call(Some("Nous bloquons sur la consigne 2")), T0 + MIN);
    let HelpCall { id, state, atelier, .. } = match seen(&emits, facilitator()).as_slice() {
        [BreakoutEvent::HelpCall { call }] => call.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!((id.as_str(), state, atelier.as_str()), ("h1", CallState::Waiting, "a1"));
    assert_eq!(seen(&emits, people.get(0)).len(), 1, "the caller sees their call");
    assert!(seen(&emits, people.get(1)).is_empty(), "not their teammates");
    assert!(seen(&emits, people.get(2)).is_empty());
    assert!(seen(&emits, projector()).is_empty());
    assert_eq!(refused(&mut s, people.get(0), call(None), T0 + MIN), ErrorCode::InvalidState, "one call at a time");
    assert_eq!(refused(&mut s, people.get(1), call(Some(&"x".repeat(501))), T0), ErrorCode::OutOfRange);
    ok(&mut s, people.get(2), call(Some("  ")), T0 + 2 * MIN);
    assert_eq!(s.snapshot(facilitator()).calls.len(), 2);
    assert_eq!(s.snapshot(people.get(0)).your_call.unwrap().id, "h1");
    assert!(s.snapshot(people.get(1)).your_call.is_none());
    assert!(s.snapshot(projector()).calls.is_empty() && s.snapshot(people.get(0)).calls.is_empty());

    let take = BreakoutCommand::TakeCall { call: "h1".into() };
    assert_eq!(refused(&mut s, people.get(1), take.clone(), T0), ErrorCode::Forbidden);
    let emits = ok(&mut s, facilitator(), take, T0 + 3 * MIN);
    let taken = match seen(&emits, people.get(0)).as_slice() {
        [BreakoutEvent::HelpCall { call }] => call.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!((taken.state, taken.by.as_deref()), (CallState::Taken, Some("f1")));
    assert!(seen(&emits, people.get(1)).is_empty());
    let resolve = BreakoutCommand::ResolveCall { call: "h1".into() };
    let emits = ok(&mut s, facilitator(), resolve.clone(), T0 + 4 * MIN);
    assert!(
        matches!(seen(&emits, facilitator()).as_slice(), [BreakoutEvent::HelpCall { call }] if call.state == CallState::Resolved)
    );
    assert_eq!(refused(&mut s, facilitator(), resolve, T0), ErrorCode::InvalidState);
    assert_eq!(s.snapshot(facilitator()).calls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec!["h2"]);
    assert!(s.snapshot(people.get(0)).your_call.is_none());
    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::TakeCall { call: "h9".into() }, T0),
        ErrorCode::NotFound
    );
    assert_eq!(refused(&mut s, facilitator(), BreakoutCommand::TakeCall { call: "x".into() }, T0), ErrorCode::NotFound);
    // Once resolved, the member may call again.
    ok(&mut s, people.get(0), call(None), T0 + 5 * MIN);
    assert_eq!(refused(&mut s, projector(), call(None), T0), ErrorCode::Forbidden);
    assert_eq!(refused(&mut s, facilitator(), call(None), T0), ErrorCode::Forbidden);
    let report = s.participation(T0 + 6 * MIN);
    assert_eq!(report.ateliers.iter().map(|a| a.help_calls).collect::<Vec<_>>(), vec![2, 1]);
}

// ----- productions ----------------------------------------------------

#[test]
fn productions_are_versioned_and_published_to_the_plenary_with_their_atelier_name() {
    let people = People::new(3);
    let mut s = session(2, AssignmentMode::Manual);
    for p in people.all() {
        s.join(p, T0);
    }
    s.join(projector(), T0);
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), assign("p02", "a1"), T0);
    ok(&mut s, facilitator(), assign("p03", "a2"), T0);
    let submit = |c: ProductionContent| BreakoutCommand::SubmitProduction { content: c };
    assert_eq!(refused(&mut s, people.get(0), submit(text("v1")), T0), ErrorCode::InvalidState, "not open yet");
    ok(&mut s, facilitator(), open_all(), T0);
    assert_eq!(refused(&mut s, people.get(0), submit(ProductionContent::default()), T0), ErrorCode::OutOfRange);
    assert_eq!(refused(&mut s, people.get(0), submit(text("   ")), T0), ErrorCode::OutOfRange);
    let bad_link = ProductionContent { link: Some("file:///etc/passwd".into()), ..ProductionContent::default() };
    assert_eq!(refused(&mut s, people.get(0), submit(bad_link), T0), ErrorCode::InvalidField);
    assert_eq!(refused(&mut s, facilitator(), submit(text("x")), T0), ErrorCode::Forbidden);

    let emits = ok(&mut s, people.get(0), submit(text("  Trois idées  ")), T0 + MIN);
    let first = match seen(&emits, people.get(1)).as_slice() {
        [BreakoutEvent::Production { production }] => production.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!((first.version, first.content.text.as_deref(), first.by.as_str()), (1, Some("Trois idées"), "p01"));
    assert_eq!(seen(&emits, facilitator()).len(), 1);
    assert!(seen(&emits, people.get(2)).is_empty() && seen(&emits, projector()).is_empty());
    let link = ProductionContent { link: Some("https://pad.example.org/a1".into()), ..text("Version finale") };
    ok(&mut s, people.get(1), submit(link), T0 + 2 * MIN);
    let latest = s.snapshot(people.get(0)).atelier.unwrap().production.unwrap();
    assert_eq!((latest.version, latest.by.as_str()), (2, "p02"), "the latest replaces the first");
    assert!(s.snapshot(people.get(2)).atelier.unwrap().production.is_none());

    assert_eq!(
        refused(&mut s, facilitator(), BreakoutCommand::Publish { atelier: Some("a2".into()) }, T0),
        ErrorCode::InvalidState
    );
    assert_eq!(refused(&mut s, people.get(0), BreakoutCommand::Publish { atelier: None }, T0), ErrorCode::Forbidden);
    let emits = ok(&mut s, facilitator(), BreakoutCommand::Publish { atelier: None }, T0 + 3 * MIN);
    for who in [people.get(2), projector(), facilitator()] {
        assert!(
            matches!(seen(&emits, who).as_slice(), [BreakoutEvent::Published { productions }] if productions.len() == 1 && productions[0].atelier_name == "Atelier 1" && productions[0].version == 2)
        );
    }
    // A later version stays with the atelier until published again.
    ok(&mut s, people.get(0), submit(text("v3")), T0 + 4 * MIN);
    assert_eq!(s.snapshot(people.get(2)).published[0].version, 2);
    assert_eq!(s.snapshot(facilitator()).productions[0].version, 3);
    ok(&mut s, facilitator(), BreakoutCommand::Publish { atelier: Some("a1".into()) }, T0 + 5 * MIN);
    assert_eq!(s.snapshot(projector()).published[0].version, 3);

    let emits = ok(&mut s, facilitator(), BreakoutCommand::Unpublish { atelier: None }, T0 + 6 * MIN);
    assert_eq!(seen(&emits, people.get(2)), vec![&BreakoutEvent::Unpublished { ateliers: vec!["a1".into()] }]);
    assert!(s.snapshot(people.get(2)).published.is_empty());
    assert!(ok(&mut s, facilitator(), BreakoutCommand::Unpublish { atelier: Some("a1".into()) }, T0).is_empty());
    // After the close the group may still hand in its last version.
    ok(&mut s, facilitator(), BreakoutCommand::Close { atelier: None }, T0 + 7 * MIN);
    ok(&mut s, people.get(2), submit(text("Juste à temps")), T0 + 7 * MIN + 500);
    let report = s.participation(T0 + 8 * MIN);
    assert_eq!(report.ateliers.iter().map(|a| a.productions).collect::<Vec<_>>(), vec![3, 1]);
}

#[test]
fn video_links_can_be_set_for_an_atelier_by_leaders() {
    let people = People::new(2);
    let mut s = session(2, AssignmentMode::Manual);
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), assign("p02", "a2"), T0);
    let set = |url: &str| BreakoutCommand::SetVideo { atelier: "a1".into(), url: Some(url.into()), problem: None };
    let emits = ok(&mut s, facilitator(), set("https://bbb.example.org/join/a1"), T0);
    assert_eq!(
        seen(&emits, people.get(0)),
        vec![&BreakoutEvent::Video {
            atelier: "a1".into(),
            video_url: Some("https://bbb.example.org/join/a1".into()),
            video_problem: None
        }]
    );
    assert!(seen(&emits, people.get(1)).is_empty());
    assert_eq!(
        s.snapshot(people.get(0)).atelier.unwrap().atelier.video_url.as_deref(),
        Some("https://bbb.example.org/join/a1")
    );
    assert_eq!(refused(&mut s, facilitator(), set("javascript:x"), T0), ErrorCode::InvalidField);
    assert_eq!(refused(&mut s, people.get(0), set("https://x.org"), T0), ErrorCode::Forbidden);
}

// ----- snapshots ------------------------------------------------------

#[test]
fn late_joiners_and_returning_members_land_in_their_atelier_from_the_snapshot() {
    let people = People::new(2);
    let mut s = session(3, AssignmentMode::Manual);
    ok(&mut s, facilitator(), assign("p01", "a2"), T0); // assigned before joining
    ok(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a2".into()]) }, T0);
    ok(&mut s, facilitator(), BreakoutCommand::Broadcast { text: "À tous".into(), atelier: None }, T0 + 1000);
    ok(
        &mut s,
        facilitator(),
        BreakoutCommand::Broadcast { text: "À l'atelier 2".into(), atelier: Some("a2".into()) },
        T0 + 2000,
    );

    s.join(people.get(0), T0 + 5 * MIN);
    let snap = s.snapshot(people.get(0));
    assert_eq!(snap.status, SessionStatus::Running);
    let view = snap.atelier.clone().expect("in an atelier");
    assert_eq!(view.atelier.id, "a2");
    assert_eq!(view.state, AtelierState::Open);
    assert_eq!((view.opened_at, view.ends_at), (Some(T0), Some(T0 + 10 * MIN)));
    assert_eq!(view.atelier.instructions, "Consignes de l'atelier Atelier 2.");
    assert_eq!(view.atelier.resources.len(), 1);
    assert_eq!(view.atelier.video_url.as_deref(), Some("https://visio.example.org/a2"));
    assert_eq!(view.broadcasts.len(), 1);
    assert_eq!(snap.broadcasts.len(), 1);
    assert!(snap.plan.is_none() && snap.ateliers.is_empty(), "no leader's view");
    // A reconnect sees the same.
    s.detach("p01", T0 + 6 * MIN);
    s.join(people.get(0), T0 + 7 * MIN);
    assert_eq!(s.snapshot(people.get(0)), snap);
    // Someone not assigned is in the plenary.
    s.join(people.get(1), T0 + 7 * MIN);
    let plenary = s.snapshot(people.get(1));
    assert!(plenary.atelier.is_none() && plenary.broadcasts.len() == 1);
    // Leaders see everything.
    let lead = s.snapshot(facilitator());
    assert_eq!(lead.plan.as_ref().map(|p| p.ateliers.len()), Some(3));
    assert_eq!(lead.ateliers[1].members, vec!["p01".to_string()]);
    assert_eq!((lead.ateliers[1].present, lead.ateliers[1].state), (1, AtelierState::Open));
    assert_eq!(lead.unassigned, vec!["p02".to_string()]);
    // The projector sees the plenary.
    let wall = s.snapshot(projector());
    assert!(wall.atelier.is_none() && wall.plan.is_none() && wall.broadcasts.len() == 1);
}

#[test]
fn presence_counts_are_coalesced_for_leaders() {
    let people = People::new(3);
    let mut s = session(2, AssignmentMode::Manual);
    assert_eq!(s.next_deadline(), None);
    s.join(people.get(0), T0);
    assert_eq!(s.next_deadline(), Some(0), "due at once the first time");
    let emits = s.tick(T0);
    assert!(matches!(
        emits.as_slice(),
        [BreakoutEmit { audience: Audience::Leaders, event: BreakoutEvent::Counts { unassigned_present: 1, .. } }]
    ));
    s.join(people.get(1), T0 + 50);
    s.join(people.get(2), T0 + 60);
    assert_eq!(s.next_deadline(), Some(T0 + 200));
    assert!(s.tick(T0 + 100).is_empty());
    let emits = s.tick(T0 + 200);
    assert!(matches!(
        emits.as_slice(),
        [BreakoutEmit { event: BreakoutEvent::Counts { unassigned_present: 3, .. }, .. }]
    ));
    assert_eq!(s.next_deadline(), None);
    // Leaders and observers joining change no participant count.
    s.join(facilitator(), T0 + 300);
    s.join(projector(), T0 + 300);
    assert_eq!(s.next_deadline(), None);
}

// ----- roles and robustness -------------------------------------------

#[test]
fn roles_are_checked_before_anything_else() {
    let people = People::new(1);
    let mut s = session(2, AssignmentMode::FreeChoice);
    let leaders_only = [
        BreakoutCommand::SetPlan { plan: plan(1, AssignmentMode::Manual) },
        assign("p01", "a1"),
        BreakoutCommand::Unassign { member: "p01".into() },
        BreakoutCommand::Distribute,
        open_all(),
        BreakoutCommand::Extend { seconds: 10, atelier: None },
        BreakoutCommand::Close { atelier: None },
        BreakoutCommand::Broadcast { text: "x".into(), atelier: None },
        BreakoutCommand::TakeCall { call: "h1".into() },
        BreakoutCommand::ResolveCall { call: "h1".into() },
        BreakoutCommand::Publish { atelier: None },
        BreakoutCommand::Unpublish { atelier: None },
        BreakoutCommand::SetVideo { atelier: "a1".into(), url: None, problem: None },
    ];
    for command in leaders_only {
        assert_eq!(refused(&mut s, people.get(0), command.clone(), T0), ErrorCode::Forbidden, "{command:?}");
        assert_eq!(refused(&mut s, projector(), command.clone(), T0), ErrorCode::Forbidden, "{command:?}");
    }
    let participants_only = [
        BreakoutCommand::Choose { atelier: "a1".into() },
        BreakoutCommand::CallHelp { text: None },
        BreakoutCommand::SubmitProduction { content: text("x") },
    ];
    for command in participants_only {
        assert_eq!(refused(&mut s, projector(), command.clone(), T0), ErrorCode::Forbidden, "{command:?}");
        assert_eq!(refused(&mut s, facilitator(), command.clone(), T0), ErrorCode::Forbidden, "{command:?}");
    }
    for role in [Role::Trainer, Role::Admin] {
        let leader = Actor { id: "l1", name: "Chef", role };
        ok(&mut s, leader, BreakoutCommand::Broadcast { text: "ok".into(), atelier: None }, T0);
    }
}

#[test]
fn odd_input_is_refused_or_ignored_never_a_panic() {
    let people = People::new(4);
    let mut s = session(3, AssignmentMode::Random);
    let strings = ["", "a1", "zz", "h0", "h", "h18446744073709551616", "é", "\u{0}", "a1 ", "-"];
    let mut now = T0;
    for (i, who) in people.all().chain([facilitator(), projector()]).enumerate() {
        s.join(who, now);
        for (j, text) in strings.iter().enumerate() {
            now += 997;
            let t = text.to_string();
            let commands = vec![
                assign(&t, &t),
                BreakoutCommand::Unassign { member: t.clone() },
                BreakoutCommand::Choose { atelier: t.clone() },
                BreakoutCommand::Open { ateliers: Some(vec![t.clone()]) },
                BreakoutCommand::Extend { seconds: (i * j) as u32 * 1000, atelier: Some(t.clone()) },
                BreakoutCommand::Close { atelier: Some(t.clone()) },
                BreakoutCommand::Broadcast { text: t.clone(), atelier: Some(t.clone()) },
                BreakoutCommand::CallHelp { text: Some(t.clone()) },
                BreakoutCommand::TakeCall { call: t.clone() },
                BreakoutCommand::ResolveCall { call: t.clone() },
                BreakoutCommand::SubmitProduction {
                    content: ProductionContent {
                        text: Some(t.clone()),
                        link: Some(t.clone()),
                        file: Some(File { blob: t.clone(), name: t.clone(), content_type: t.clone(), size: u64::MAX }),
                    },
                },
                BreakoutCommand::Publish { atelier: Some(t.clone()) },
                BreakoutCommand::Unpublish { atelier: Some(t.clone()) },
                BreakoutCommand::SetVideo { atelier: t.clone(), url: Some(t.clone()), problem: None },
                BreakoutCommand::Distribute,
                open_all(),
                BreakoutCommand::Extend { seconds: u32::MAX, atelier: None },
            ];
            for command in commands {
                let described = format!("{command:?}");
                let result = s.apply(who, command, now);
                if who.role == Role::Observer {
                    assert!(result.is_err(), "an observer changed the session: {described}");
                }
                let _ = s.tick(now);
            }
        }
        s.detach(who.id, now);
        s.detach(who.id, now); // more detaches than joins
        s.detach("stranger", now);
    }
    let _ = s.tick(u64::MAX);
    let _ = s.next_deadline();
    let _ = s.participation(0);
    for who in people.all().chain([facilitator(), projector()]) {
        let _ = s.snapshot(who);
    }
    s.disconnect_all(u64::MAX);
    // Nothing odd got in: the plan is the one set, everyone is in one of its
    // ateliers or in the plenary, and the session still takes a sound command.
    let ids: Vec<&str> = s.plan().ateliers.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a1", "a2", "a3"]);
    for who in people.all() {
        assert!(s.atelier_of(who.id).is_none_or(|a| ids.contains(&a)), "{} is in {:?}", who.id, s.atelier_of(who.id));
    }
    ok(&mut s, facilitator(), BreakoutCommand::Broadcast { text: "Tout va bien".into(), atelier: None }, u64::MAX);
}

#[test]
fn the_same_inputs_rebuild_the_same_session() {
    let people = People::new(12);
    let script = |s: &mut BreakoutSession| -> Vec<BreakoutEmit> {
        let mut all = Vec::new();
        for (i, p) in people.all().enumerate() {
            s.join(p, T0 + i as u64);
        }
        all.extend(ok(s, facilitator(), BreakoutCommand::Distribute, T0 + 100));
        all.extend(ok(s, facilitator(), open_all(), T0 + 200));
        all.extend(s.tick(T0 + 9 * MIN + 1));
        all.extend(ok(
            s,
            facilitator(),
            BreakoutCommand::Broadcast { text: "x".into(), atelier: None },
            T0 + 9 * MIN + 2,
        ));
        all.extend(s.tick(T0 + 11 * MIN));
        all
    };
    let mut a = session(4, AssignmentMode::Random);
    let mut b = session(4, AssignmentMode::Random);
    assert_eq!(script(&mut a), script(&mut b));
    assert_eq!(a.participation(T0 + 12 * MIN), b.participation(T0 + 12 * MIN));
}

// ----- participation --------------------------------------------------

#[test]
fn participation_of_30_participants_in_5_ateliers_adds_up() {
    let people = People::new(30);
    let mut s = session(5, AssignmentMode::Balanced);
    for p in people.all() {
        s.join(p, T0);
    }
    s.join(facilitator(), T0);
    ok(&mut s, facilitator(), BreakoutCommand::Distribute, T0);
    // p03 drops out before the opening and comes back late: their time
    // counts from their return.
    s.detach("p03", T0);
    ok(&mut s, facilitator(), open_all(), T0 + MIN);
    // p01 drops out for 2 minutes, p02 leaves for good after 4 minutes.
    s.detach("p01", T0 + 3 * MIN);
    s.join(people.get(0), T0 + 5 * MIN);
    s.detach("p02", T0 + 5 * MIN);
    s.join(people.get(2), T0 + 6 * MIN);
    // Every atelier closes by itself at T0 + 11 min, even with a late tick.
    s.tick(T0 + 20 * MIN);
    let in_a1 = people.all().find(|p| s.atelier_of(p.id) == Some("a1")).unwrap();
    s.join(in_a1, T0 + 21 * MIN); // back in the plenary: no time counted

    let report = s.participation(T0 + 30 * MIN);
    assert_eq!(report.members.len(), 30, "participants only");
    let total = |id: &str| report.members.iter().find(|m| m.member == id).unwrap().total_ms;
    assert_eq!(total("p01"), 8 * MIN);
    assert_eq!(total("p02"), 4 * MIN);
    assert_eq!(total("p03"), 5 * MIN);
    assert_eq!(total("p04"), 10 * MIN);
    for m in &report.members {
        assert_eq!(m.ateliers.len(), 1, "one atelier each");
        assert_eq!(m.ateliers.keys().next().map(String::as_str), s.atelier_of(&m.member));
    }
    assert_eq!(report.ateliers.len(), 5);
    let mut sum = 0;
    for a in &report.ateliers {
        assert_eq!(a.members, 6);
        assert_eq!(a.open_ms, 10 * MIN);
        let of_members: u64 = report.members.iter().filter_map(|m| m.ateliers.get(&a.id)).sum();
        assert_eq!(a.time_ms, of_members);
        sum += a.time_ms;
    }
    assert_eq!(sum, report.members.iter().map(|m| m.total_ms).sum::<u64>());
    assert_eq!(sum, (27 * 10 + 8 + 4 + 5) * MIN);
    // The report reads back as JSON.
    let json = serde_json::to_string(&report).unwrap();
    assert_eq!(serde_json::from_str::<Participation>(&json).unwrap(), report);
    // While running, the open stretch counts up to `now`.
    let mut s = session(1, AssignmentMode::Manual);
    s.join(people.get(0), T0);
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), open_all(), T0);
    let live = s.participation(T0 + 90_000);
    assert_eq!((live.members[0].total_ms, live.ateliers[0].open_ms), (90_000, 90_000));
}

#[test]
fn warning_points_before_the_opening_are_skipped() {
    let people = People::new(1);
    let mut p = plan(1, AssignmentMode::Manual);
    p.ateliers[0].duration_s = 60;
    let mut s = session_with(p, 1);
    s.join(people.get(0), T0);
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    s.tick(T0);
    ok(&mut s, facilitator(), open_all(), T0);
    s.tick(T0 + 1000);
    assert_eq!(s.next_deadline(), Some(T0 + 50_000), "no 60-second warning in a 60-second atelier");
    let warned = s.tick(T0 + 50_000);
    assert_eq!(
        seen(&warned, people.get(0)),
        vec![&BreakoutEvent::TimeWarning { atelier: "a1".into(), seconds: 10, ends_at: T0 + MIN }]
    );
}

#[test]
fn attendance_above_the_configured_share_completes_the_session_once_every_atelier_closed() {
    let people = People::new(3);
    let mut definition = definition(plan(2, AssignmentMode::Manual));
    definition.settings.completion_percent = Some(75);
    definition.validate().unwrap();
    let mut s = BreakoutSession::new(definition, 7);
    for p in people.all() {
        s.join(p, T0);
    }
    ok(&mut s, facilitator(), assign("p01", "a1"), T0);
    ok(&mut s, facilitator(), assign("p02", "a1"), T0);
    ok(&mut s, facilitator(), assign("p03", "a2"), T0);
    // p03 is gone before the opening and never comes back.
    s.detach("p03", T0);
    ok(&mut s, facilitator(), open_all(), T0);
    assert!(s.take_completion_changes(T0 + MIN).is_empty(), "nothing while ateliers run");
    // p02 is there for 6 of the 10 minutes: 60 %, under 75 %.
    s.detach("p02", T0 + 6 * MIN);
    ok(&mut s, facilitator(), BreakoutCommand::Close { atelier: None }, T0 + 10 * MIN);
    let mut changes = s.take_completion_changes(T0 + 10 * MIN);
    changes.sort_by(|a, b| a.member.cmp(&b.member));
    let got: Vec<(&str, u8, u32)> = changes.iter().map(|c| (c.member.as_str(), c.state, c.score)).collect();
    assert_eq!(got, [("p01", 1, 100), ("p02", 0, 60), ("p03", 0, 0)]);
    assert!(changes.iter().all(|c| c.max_score == 100));
    assert!(s.take_completion_changes(T0 + 11 * MIN).is_empty(), "handed once");

    // A second round of a1: p02 stays to the end this time (16 of 20
    // minutes: 80 %, now complete), p01 leaves at once (10 of 20: 50 %, no
    // longer complete).
    s.join(people.get(1), T0 + 20 * MIN);
    ok(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) }, T0 + 20 * MIN);
    s.detach("p01", T0 + 20 * MIN);
    ok(&mut s, facilitator(), BreakoutCommand::Close { atelier: None }, T0 + 30 * MIN);
    let mut changes = s.take_completion_changes(T0 + 30 * MIN);
    changes.sort_by(|a, b| a.member.cmp(&b.member));
    let got: Vec<(&str, u8, u32)> = changes.iter().map(|c| (c.member.as_str(), c.state, c.score)).collect();
    assert_eq!(got, [("p01", 0, 50), ("p02", 1, 80)], "only what changed; p03's 0 % stands");

    // Without the setting, nothing is handed.
    let mut plain = session(1, AssignmentMode::Manual);
    plain.join(people.get(0), T0);
    ok(&mut plain, facilitator(), assign("p01", "a1"), T0);
    ok(&mut plain, facilitator(), open_all(), T0);
    ok(&mut plain, facilitator(), BreakoutCommand::Close { atelier: None }, T0 + MIN);
    assert!(plain.take_completion_changes(T0 + MIN).is_empty());
    // Out of range is refused.
    let mut bad = definition_with_percent(0);
    assert!(bad.validate().is_err());
    bad = definition_with_percent(101);
    assert!(bad.validate().is_err());
}

fn definition_with_percent(percent: u8) -> BreakoutDefinition {
    let mut definition = definition(plan(1, AssignmentMode::Manual));
    definition.settings.completion_percent = Some(percent);
    definition
}

#[test]
fn effects_come_from_the_live_session_once_per_applied_command() {
    let mut s = session(3, AssignmentMode::Manual);
    // Opening two ateliers: their meetings, as the plan has them now.
    ok(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a1".into(), "a2".into()]) }, T0);
    let effects = s.take_effects();
    let [BreakoutEffect::OpenMeetings { ateliers }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(ateliers.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a1", "a2"]);
    assert!(s.take_effects().is_empty(), "taken once");

    // A broadcast to all: the open ateliers' chats, with the checked text.
    let broadcast = BreakoutCommand::Broadcast { text: "  Pause  ".into(), atelier: None };
    ok(&mut s, facilitator(), broadcast, T0 + MIN);
    let chats = vec![BreakoutEffect::PostToChats {
        ateliers: vec!["a1".into(), "a2".into()],
        text: "Pause".into(),
        from: "Mme Durand".into(),
    }];
    assert_eq!(s.take_effects(), chats);
    // To an atelier that is not open: through amphi only.
    ok(
        &mut s,
        facilitator(),
        BreakoutCommand::Broadcast { text: "Bientôt".into(), atelier: Some("a3".into()) },
        T0 + MIN,
    );
    assert!(s.take_effects().is_empty());

    // "Try again now": leaders only, ateliers of the plan only.
    assert_eq!(s.retry_video(projector(), "a1").unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(s.retry_video(facilitator(), "a9").unwrap_err().code, ErrorCode::NotFound);
    s.retry_video(facilitator(), "a3").unwrap();
    assert!(
        matches!(s.take_effects().as_slice(), [BreakoutEffect::OpenMeetings { ateliers }] if ateliers[0].id == "a3")
    );
    // A refused command has no effect.
    refused(&mut s, facilitator(), BreakoutCommand::Open { ateliers: Some(vec!["a1".into()]) }, T0 + MIN);
    assert!(s.take_effects().is_empty());
}
