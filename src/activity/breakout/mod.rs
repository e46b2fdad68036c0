//! Breakout ateliers: a facilitator's plan of ateliers, participants sent to
//! them (by hand, by a deterministic draw, or by their own choice within
//! capacities), ateliers opened with a countdown that warns and then closes
//! them by itself, broadcasts to every atelier or one, help calls, and each
//! atelier's production brought back to the plenary. Pure: commands,
//! joins and detaches with `now` in, [`BreakoutEmit`]s (events with their
//! audience) or a [`Refusal`] out; [`tick`] and [`next_deadline`] drive the
//! time, like the quiz's. Every id is numbered in order of creation and
//! every draw comes from the session's seed, so replaying the same inputs
//! rebuilds the same session.
//!
//! Who sees what: a participant gets what concerns their own atelier (in
//! events addressed to the atelier's members, [`Audience::Members`]), the
//! broadcasts to everyone and the published productions; leaders get every
//! atelier's events, the assignment, the help-call queue and every
//! production. `plan.rs` holds the limits and checks, `distribute.rs` the
//! draws, `participation.rs` the time and totals report.
//!
//! [`tick`]: BreakoutSession::tick
//! [`next_deadline`]: BreakoutSession::next_deadline

mod distribute;
pub mod participation;
pub mod plan;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use amphi_protocol::breakout::{
    AssignmentChange, AssignmentMode, Atelier, AtelierCount, AtelierState, AtelierStatus, AtelierView, BreakoutCommand,
    BreakoutEvent, BreakoutPlan, BreakoutSettings, BreakoutSnapshot, Broadcast, CallState, Choice, CloseReason,
    HelpCall, Production, ProductionContent, SessionStatus, SharedRecording,
};
use amphi_protocol::{ErrorCode, Role};
use serde::{Deserialize, Serialize};

use super::{Actor, Audience, CompletionChange, Millis, Refusal, shuffle};
use participation::{AtelierParticipation, AtelierTally, MemberClock, MemberParticipation, Participation};
use plan::{MAX_BROADCAST_CHARS, MAX_CALL_CHARS, MAX_EXTEND_S, MAX_MEMBER_CHARS, MAX_NAME_CHARS, out_of_range};

/// Broadcasts kept per target (every atelier, or one) for snapshots.
pub const KEPT_BROADCASTS: usize = 50;
/// Members one session may have assigned.
pub const MAX_ASSIGNED: usize = 20_000;
/// Resolved help calls kept (older ones are forgotten; their counts stay).
pub const KEPT_RESOLVED_CALLS: usize = 1000;

/// A breakout room as stored with its room: its title, its plan and how it
/// runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakoutDefinition {
    /// The room's title (filled in from the room when absent).
    #[serde(default)]
    pub title: String,
    pub plan: BreakoutPlan,
    #[serde(default)]
    pub settings: BreakoutSettings,
}

impl BreakoutDefinition {
    /// Checks what a definition must hold before a room is made of it.
    pub fn validate(&self) -> Result<(), String> {
        if self.title.trim().is_empty() || self.title.chars().count() > MAX_NAME_CHARS {
            return Err(format!("the session needs a title of 1 to {MAX_NAME_CHARS} characters"));
        }
        plan::check_plan(&self.plan).map_err(|refusal| refusal.message)?;
        plan::check_settings(&self.settings).map_err(|refusal| refusal.message)
    }
}

/// An event with who receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakoutEmit {
    pub audience: Audience,
    pub event: BreakoutEvent,
}

impl BreakoutEmit {
    fn everyone(event: BreakoutEvent) -> BreakoutEmit {
        BreakoutEmit { audience: Audience::Everyone, event }
    }

    fn leaders(event: BreakoutEvent) -> BreakoutEmit {
        BreakoutEmit { audience: Audience::Leaders, event }
    }

    /// To these members (one member: all of their connections), and to the
    /// leaders when `leaders` is set.
    fn members(members: Vec<String>, leaders: bool, event: BreakoutEvent) -> BreakoutEmit {
        let audience = match members.as_slice() {
            [one] if !leaders => Audience::Member(one.clone()),
            _ => Audience::Members { members: Arc::from(members), leaders },
        };
        BreakoutEmit { audience, event }
    }
}

/// An atelier's live state.
#[derive(Debug, Clone)]
struct Run {
    state: AtelierState,
    opened_at: Option<Millis>,
    ends_at: Option<Millis>,
    /// Warning points (seconds before the end) already given, or skipped
    /// because they fell before the opening.
    warned: BTreeSet<u32>,
    broadcasts: VecDeque<Broadcast>,
}

impl Run {
    fn pending() -> Run {
        Run {
            state: AtelierState::Pending,
            opened_at: None,
            ends_at: None,
            warned: BTreeSet::new(),
            broadcasts: VecDeque::new(),
        }
    }
}

/// Someone the session has seen.
#[derive(Debug, Clone)]
struct Member {
    name: String,
    role: Role,
    connections: u32,
    clock: MemberClock,
}

/// An atelier's production: its latest version and what the plenary sees.
#[derive(Debug, Clone)]
struct Work {
    latest: Production,
    published: Option<Production>,
}

/// A live breakout session.
#[derive(Debug)]
pub struct BreakoutSession {
    title: String,
    settings: BreakoutSettings,
    plan: BreakoutPlan,
    seed: u64,
    /// By atelier id; kept across plan changes for the ids kept.
    runs: BTreeMap<String, Run>,
    members: BTreeMap<String, Member>,
    /// Member id → atelier id.
    assignment: BTreeMap<String, String>,
    /// Broadcasts to every atelier.
    broadcasts: VecDeque<Broadcast>,
    next_broadcast: u64,
    /// By call number (`h<n>`).
    calls: BTreeMap<u64, HelpCall>,
    next_call: u64,
    /// By atelier id; kept when an atelier leaves the plan.
    works: BTreeMap<String, Work>,
    /// Recordings shown to the plenary, in the order they were shown.
    shown_recordings: Vec<SharedRecording>,
    status: SessionStatus,
    /// Whether an atelier was ever opened.
    ran: bool,
    /// `distribute` calls so far (each draw gets its own key).
    draws: u64,
    tallies: BTreeMap<String, AtelierTally>,
    counts_dirty: bool,
    choices_dirty: bool,
    last_flush: Option<Millis>,
    /// Every atelier has closed since completions were last worked out.
    completions_due: bool,
    /// The completion (state, percentage) last handed to the store, per
    /// participant.
    completions: BTreeMap<String, (u8, u32)>,
    /// What applied commands ask of the world outside the room, not yet
    /// taken (see [`BreakoutSession::take_effects`]).
    effects: Vec<BreakoutEffect>,
}

/// What an applied command asks of the world outside the room (the ateliers'
/// video rooms), worked out from the live session: the room hands these to
/// the effects runner (`src/effects.rs`), once per applied command.
#[derive(Debug, Clone, PartialEq)]
pub enum BreakoutEffect {
    /// Create these ateliers' video meetings, as the live plan has them.
    OpenMeetings { ateliers: Vec<Atelier> },
    /// Post a broadcast (its checked text) to these open ateliers' video chats.
    PostToChats { ateliers: Vec<String>, text: String, from: String },
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::InvalidState, message)
}

fn no_atelier(id: &str) -> Refusal {
    Refusal::new(ErrorCode::NotFound, format!("no atelier has the id {id:?}"))
}

impl BreakoutSession {
    /// A session of `definition` (already validated). `seed` drives every
    /// draw.
    pub fn new(definition: BreakoutDefinition, seed: u64) -> BreakoutSession {
        let mut session = BreakoutSession {
            title: definition.title,
            settings: definition.settings,
            plan: BreakoutPlan { ateliers: Vec::new(), mode: definition.plan.mode },
            seed,
            runs: BTreeMap::new(),
            members: BTreeMap::new(),
            assignment: BTreeMap::new(),
            broadcasts: VecDeque::new(),
            next_broadcast: 1,
            calls: BTreeMap::new(),
            next_call: 1,
            works: BTreeMap::new(),
            shown_recordings: Vec::new(),
            status: SessionStatus::Preparing,
            ran: false,
            draws: 0,
            tallies: BTreeMap::new(),
            counts_dirty: false,
            choices_dirty: false,
            last_flush: None,
            completions_due: false,
            completions: BTreeMap::new(),
            effects: Vec::new(),
        };
        session.install(definition.plan);
        session
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The effects of the commands applied since the last call.
    pub fn take_effects(&mut self) -> Vec<BreakoutEffect> {
        std::mem::take(&mut self.effects)
    }

    /// A leader's "try again now" for an atelier's video room: its meeting
    /// is asked for again (an effect), as the live plan has it.
    pub fn retry_video(&mut self, who: Actor<'_>, atelier: &str) -> Result<(), Refusal> {
        if !who.role.leads() {
            return Err(Refusal::forbidden("only a trainer, facilitator or admin runs the ateliers"));
        }
        let planned = self.atelier(atelier)?.clone();
        self.effects.push(BreakoutEffect::OpenMeetings { ateliers: vec![planned] });
        Ok(())
    }

    pub fn settings(&self) -> &BreakoutSettings {
        &self.settings
    }

    pub fn plan(&self) -> &BreakoutPlan {
        &self.plan
    }

    pub fn status(&self) -> SessionStatus {
        self.status
    }

    /// The atelier `member` is assigned to, if any.
    pub fn atelier_of(&self, member: &str) -> Option<&str> {
        self.assignment.get(member).map(String::as_str)
    }

    /// Makes `plan` the current one: runs and tallies for its ateliers,
    /// assignments to ateliers gone dropped (their members returned).
    fn install(&mut self, plan: BreakoutPlan) -> Vec<String> {
        let ids: BTreeSet<&str> = plan.ateliers.iter().map(|a| a.id.as_str()).collect();
        self.runs.retain(|id, _| ids.contains(id.as_str()));
        let dropped: Vec<String> =
            self.assignment.iter().filter(|(_, a)| !ids.contains(a.as_str())).map(|(m, _)| m.clone()).collect();
        for member in &dropped {
            self.assignment.remove(member);
        }
        // Ateliers gone are forgotten unless they have something to report.
        self.tallies.retain(|id, t| {
            ids.contains(id.as_str())
                || !t.members.is_empty()
                || t.open_ms > 0
                || t.broadcasts > 0
                || t.help_calls > 0
                || t.productions > 0
        });
        for atelier in &plan.ateliers {
            self.runs.entry(atelier.id.clone()).or_insert_with(Run::pending);
            self.tallies.entry(atelier.id.clone()).or_default().name = atelier.name.clone();
        }
        self.plan = plan;
        dropped
    }

    // ----- lookups ----------------------------------------------------

    fn atelier(&self, id: &str) -> Result<&Atelier, Refusal> {
        self.plan.ateliers.iter().find(|a| a.id == id).ok_or_else(|| no_atelier(id))
    }

    fn state_of(&self, id: &str) -> AtelierState {
        self.runs.get(id).map_or(AtelierState::Pending, |run| run.state)
    }

    fn free_choice(&self) -> bool {
        self.plan.mode == AssignmentMode::FreeChoice
    }

    /// The members assigned to `atelier`, in id order.
    fn members_of(&self, atelier: &str) -> Vec<String> {
        self.assignment.iter().filter(|(_, a)| a.as_str() == atelier).map(|(m, _)| m.clone()).collect()
    }

    fn present(&self, member: &str) -> bool {
        self.members.get(member).is_some_and(|m| m.connections > 0)
    }

    /// The assigned members of each atelier, in id order.
    fn groups(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (member, atelier) in &self.assignment {
            groups.entry(atelier.as_str()).or_default().push(member.as_str());
        }
        groups
    }

    /// How many are assigned to `atelier`.
    fn size_of(&self, atelier: &str) -> u32 {
        self.assignment.values().filter(|a| a.as_str() == atelier).count() as u32
    }

    /// The open atelier `member` is working in now: present, a
    /// participant, and assigned to an atelier that is open.
    fn in_atelier(&self, member: &str) -> Option<String> {
        let atelier = self.assignment.get(member)?;
        let state = self.members.get(member)?;
        let inside =
            state.connections > 0 && state.role == Role::Participant && self.state_of(atelier) == AtelierState::Open;
        inside.then(|| atelier.clone())
    }

    /// Settles `member`'s time at `now` after a change of presence,
    /// assignment or atelier state.
    fn refresh(&mut self, member: &str, now: Millis) {
        let now_in = self.in_atelier(member);
        let Some(state) = self.members.get_mut(member) else { return };
        if state.clock.set(now_in.as_deref(), now)
            && let Some(atelier) = now_in
        {
            self.tallies.entry(atelier).or_default().members.insert(member.to_string());
        }
    }

    /// Records who sent a command (name and role as last seen).
    fn see(&mut self, who: Actor<'_>) {
        let member = self.members.entry(who.id.to_string()).or_insert_with(|| Member {
            name: who.name.to_string(),
            role: who.role,
            connections: 0,
            clock: MemberClock::default(),
        });
        member.name = who.name.to_string();
        member.role = who.role;
    }

    /// An assignment changed: leaders' counts (and free choice's places)
    /// are due.
    fn touch_assignment(&mut self) {
        self.counts_dirty = true;
        if self.free_choice() {
            self.choices_dirty = true;
        }
    }

    // ----- views ------------------------------------------------------

    /// `id` as its members see it.
    fn view(&self, id: &str) -> Option<AtelierView> {
        let atelier = self.plan.ateliers.iter().find(|a| a.id == id)?;
        let run = self.runs.get(id);
        Some(AtelierView {
            atelier: atelier.clone(),
            state: run.map_or(AtelierState::Pending, |r| r.state),
            opened_at: run.and_then(|r| r.opened_at),
            ends_at: run.and_then(|r| r.ends_at),
            broadcasts: run.map(|r| r.broadcasts.iter().cloned().collect()).unwrap_or_default(),
            production: self.works.get(id).map(|w| w.latest.clone()),
        })
    }

    /// The ateliers to choose from (free choice), with places left.
    fn choices(&self) -> Vec<Choice> {
        if !self.free_choice() {
            return Vec::new();
        }
        let groups = self.groups();
        self.plan
            .ateliers
            .iter()
            .map(|a| {
                let size = groups.get(a.id.as_str()).map_or(0, Vec::len) as u32;
                Choice {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    state: self.state_of(&a.id),
                    capacity: a.capacity,
                    remaining: a.capacity.map(|c| c.saturating_sub(size)),
                }
            })
            .collect()
    }

    /// Atelier ids with a production: plan order first, then those no
    /// longer in the plan.
    fn work_order(&self) -> Vec<String> {
        let mut ids: Vec<String> =
            self.plan.ateliers.iter().filter(|a| self.works.contains_key(&a.id)).map(|a| a.id.clone()).collect();
        ids.extend(self.works.keys().filter(|id| self.atelier(id).is_err()).cloned());
        ids
    }

    /// The ids of the open ateliers, in plan order.
    fn open_ateliers(&self) -> Vec<String> {
        self.plan.ateliers.iter().filter(|a| self.state_of(&a.id) == AtelierState::Open).map(|a| a.id.clone()).collect()
    }

    /// An event to everyone in `atelier` and the leaders.
    fn to_atelier(&self, atelier: &str, event: BreakoutEvent) -> BreakoutEmit {
        BreakoutEmit::members(self.members_of(atelier), true, event)
    }

    /// `assignment` for these members: their atelier is now `atelier`.
    fn assignment_emit(&self, members: Vec<String>, atelier: Option<&str>) -> BreakoutEmit {
        let view = atelier.and_then(|a| self.view(a)).map(Box::new);
        BreakoutEmit::members(members, false, BreakoutEvent::Assignment { atelier: view })
    }

    fn status_emit(&mut self) -> Option<BreakoutEmit> {
        let open = self.runs.values().any(|run| run.state == AtelierState::Open);
        let status = match (open, self.ran) {
            (true, _) => SessionStatus::Running,
            (false, true) => SessionStatus::Plenary,
            (false, false) => SessionStatus::Preparing,
        };
        (status != self.status).then(|| {
            self.status = status;
            self.completions_due |= status == SessionStatus::Plenary;
            BreakoutEmit::everyone(BreakoutEvent::Status { status })
        })
    }

    // ----- membership -------------------------------------------------

    /// A connection of `who` attached at `now`.
    pub fn join(&mut self, who: Actor<'_>, now: Millis) {
        self.see(who);
        if let Some(member) = self.members.get_mut(who.id) {
            member.connections = member.connections.saturating_add(1);
        }
        self.refresh(who.id, now);
        self.counts_dirty |= who.role == Role::Participant;
    }

    /// A connection of `member` went away at `now`; their place stays.
    pub fn detach(&mut self, member: &str, now: Millis) {
        let Some(state) = self.members.get_mut(member) else { return };
        state.connections = state.connections.saturating_sub(1);
        self.counts_dirty |= state.role == Role::Participant;
        self.refresh(member, now);
    }

    /// Every connection went away at once (the node stopped).
    pub fn disconnect_all(&mut self, now: Millis) {
        let ids: Vec<String> = self.members.keys().cloned().collect();
        for id in ids {
            if let Some(member) = self.members.get_mut(&id) {
                member.connections = 0;
            }
            self.refresh(&id, now);
        }
        self.counts_dirty = true;
    }

    // ----- commands ---------------------------------------------------

    /// Applies a command from `who` at `now`.
    pub fn apply(
        &mut self,
        who: Actor<'_>,
        command: BreakoutCommand,
        now: Millis,
    ) -> Result<Vec<BreakoutEmit>, Refusal> {
        let participant_command = matches!(
            command,
            BreakoutCommand::Choose { .. }
                | BreakoutCommand::CallHelp { .. }
                | BreakoutCommand::SubmitProduction { .. }
        );
        if participant_command {
            if who.role != Role::Participant {
                return Err(Refusal::forbidden("only participants choose, call for help or hand in a production"));
            }
        } else if !who.role.leads() {
            return Err(Refusal::forbidden("only a trainer, facilitator or admin runs the ateliers"));
        }
        self.see(who);
        match command {
            BreakoutCommand::SetPlan { plan } => self.set_plan(plan, now),
            BreakoutCommand::Assign { member, atelier } => self.assign(&member, &atelier, now),
            BreakoutCommand::Unassign { member } => {
                if !self.assignment.contains_key(&member) {
                    return Ok(Vec::new()); // already in the plenary
                }
                Ok(self.move_member(&member, None, now))
            }
            BreakoutCommand::Distribute => self.distribute(now),
            BreakoutCommand::Choose { atelier } => self.choose(who, &atelier, now),
            BreakoutCommand::Open { ateliers } => self.open(ateliers, now),
            BreakoutCommand::Extend { seconds, atelier } => self.extend(seconds, atelier, now),
            BreakoutCommand::Close { atelier } => {
                let targets = self.open_targets(atelier)?;
                let mut emits = Vec::new();
                for id in targets {
                    emits.extend(self.close_one(&id, CloseReason::Facilitator, now));
                }
                emits.extend(self.status_emit());
                Ok(emits)
            }
            BreakoutCommand::Broadcast { text, atelier } => self.broadcast(who, &text, atelier, now),
            BreakoutCommand::CallHelp { text } => self.call_help(who, text, now),
            BreakoutCommand::TakeCall { call } => self.update_call(who, &call, CallState::Taken),
            BreakoutCommand::ResolveCall { call } => self.update_call(who, &call, CallState::Resolved),
            BreakoutCommand::SubmitProduction { content } => self.submit(who, content, now),
            BreakoutCommand::Publish { atelier } => self.publish(atelier),
            BreakoutCommand::Unpublish { atelier } => Ok(self.unpublish(atelier)),
            BreakoutCommand::AddFile { atelier, file, video } => {
                plan::check_file(&format!("atelier {atelier:?}"), &file)?;
                let Some(a) = self.plan.ateliers.iter_mut().find(|a| a.id == atelier) else {
                    return Err(no_atelier(&atelier));
                };
                if a.files.len() >= plan::MAX_FILES {
                    return Err(plan::out_of_range(format!("an atelier has at most {} files", plan::MAX_FILES)));
                }
                a.files.push(file.clone());
                Ok(vec![self.to_atelier(&atelier, BreakoutEvent::FileAdded { atelier: atelier.clone(), file, video })])
            }
            BreakoutCommand::PublishRecording { record_id, recording } => {
                self.publish_recording(&record_id, recording, now)
            }
            BreakoutCommand::UnpublishRecording { record_id } => Ok(self.unpublish_recording(&record_id)),
            BreakoutCommand::SetVideo { atelier, url, problem } => {
                self.atelier(&atelier)?;
                // A link of its own, or amphi's path that answers each member
                // with their signed join URL.
                if let Some(url) = &url
                    && !(url.starts_with("/api/v1/sessions/") && url.len() <= 200)
                {
                    plan::check_link("`url`", url)?;
                }
                // A room that exists has no problem.
                let problem = if url.is_some() { None } else { problem };
                if let Some(a) = self.plan.ateliers.iter_mut().find(|a| a.id == atelier) {
                    a.video_url = url.clone();
                    a.video_problem = problem.clone();
                }
                let event = BreakoutEvent::Video { atelier: atelier.clone(), video_url: url, video_problem: problem };
                Ok(vec![self.to_atelier(&atelier, event)])
            }
        }
    }

    fn set_plan(&mut self, plan: BreakoutPlan, now: Millis) -> Result<Vec<BreakoutEmit>, Refusal> {
        if self.runs.values().any(|run| run.state == AtelierState::Open) {
            return Err(invalid("close every atelier before changing the plan"));
        }
        plan::check_plan(&plan)?;
        let dropped = self.install(plan);
        for member in &dropped {
            self.refresh(member, now);
        }
        let mut emits = vec![BreakoutEmit::leaders(BreakoutEvent::Plan { plan: self.plan.clone() })];
        if !dropped.is_empty() {
            let changes = dropped.iter().map(|m| AssignmentChange { member: m.clone(), atelier: None }).collect();
            emits.push(BreakoutEmit::leaders(BreakoutEvent::Assignments { changes }));
            emits.push(self.assignment_emit(dropped, None));
        }
        // The members of every atelier get it as it now is.
        let groups: Vec<(String, Vec<String>)> = self
            .groups()
            .into_iter()
            .map(|(a, members)| (a.to_string(), members.into_iter().map(String::from).collect()))
            .collect();
        for (atelier, members) in groups {
            emits.push(self.assignment_emit(members, Some(&atelier)));
        }
        emits.push(BreakoutEmit {
            audience: Audience::NonLeaders,
            event: BreakoutEvent::Choices { choices: self.choices() },
        });
        self.choices_dirty = false;
        self.counts_dirty = true;
        Ok(emits)
    }

    /// Moves `member` to `target` (or back to the plenary) at `now`.
    fn move_member(&mut self, member: &str, target: Option<&str>, now: Millis) -> Vec<BreakoutEmit> {
        match target {
            Some(atelier) => self.assignment.insert(member.to_string(), atelier.to_string()),
            None => self.assignment.remove(member),
        };
        self.refresh(member, now);
        self.touch_assignment();
        let change = AssignmentChange { member: member.to_string(), atelier: target.map(String::from) };
        vec![
            self.assignment_emit(vec![member.to_string()], target),
            BreakoutEmit::leaders(BreakoutEvent::Assignments { changes: vec![change] }),
        ]
    }

    fn assign(&mut self, member: &str, atelier: &str, now: Millis) -> Result<Vec<BreakoutEmit>, Refusal> {
        if member.is_empty() || member.chars().count() > MAX_MEMBER_CHARS {
            return Err(out_of_range(format!("`member` has 1 to {MAX_MEMBER_CHARS} characters")));
        }
        self.atelier(atelier)?;
        if self.members.get(member).is_some_and(|m| m.role != Role::Participant) {
            return Err(invalid("only participants go to ateliers"));
        }
        match self.assignment.get(member) {
            Some(current) if current == atelier => return Ok(Vec::new()),
            None if self.assignment.len() >= MAX_ASSIGNED => {
                return Err(out_of_range(format!("a session assigns at most {MAX_ASSIGNED} members")));
            }
            _ => {}
        }
        Ok(self.move_member(member, Some(atelier), now))
    }

    fn distribute(&mut self, now: Millis) -> Result<Vec<BreakoutEmit>, Refusal> {
        let candidates: Vec<String> = self
            .members
            .iter()
            .filter(|(id, m)| m.role == Role::Participant && m.connections > 0 && !self.assignment.contains_key(*id))
            .map(|(id, _)| id.clone())
            .collect();
        if candidates.is_empty() {
            return Err(invalid("every present participant is already in an atelier"));
        }
        let eligible: Vec<(String, Option<u32>)> = self
            .plan
            .ateliers
            .iter()
            .filter(|a| self.state_of(&a.id) != AtelierState::Closed)
            .map(|a| (a.id.clone(), a.capacity))
            .collect();
        if eligible.is_empty() {
            return Err(invalid("every atelier is closed"));
        }
        let mut slots: Vec<distribute::Slot> = eligible
            .iter()
            .map(|(id, capacity)| distribute::Slot { size: self.size_of(id), capacity: *capacity })
            .collect();
        self.draws += 1;
        let mut key = self.seed ^ self.draws.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let key = shuffle::splitmix(&mut key);
        let placed = match self.plan.mode {
            AssignmentMode::Random => distribute::random(candidates.len(), &mut slots, key),
            _ => distribute::balanced(candidates.len(), &mut slots, key),
        };
        if placed.is_empty() {
            return Err(Refusal::new(ErrorCode::RoomFull, "every atelier is full"));
        }
        let mut by_atelier: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut changes = Vec::new();
        for (candidate, slot) in placed {
            let (Some(member), Some((atelier, _))) = (candidates.get(candidate), eligible.get(slot)) else { continue };
            self.assignment.insert(member.clone(), atelier.clone());
            self.refresh(member, now);
            by_atelier.entry(slot).or_default().push(member.clone());
            changes.push(AssignmentChange { member: member.clone(), atelier: Some(atelier.clone()) });
        }
        self.touch_assignment();
        let mut emits: Vec<BreakoutEmit> = by_atelier
            .into_iter()
            .filter_map(|(slot, members)| {
                let (atelier, _) = eligible.get(slot)?;
                Some(self.assignment_emit(members, Some(atelier)))
            })
            .collect();
        emits.push(BreakoutEmit::leaders(BreakoutEvent::Assignments { changes }));
        Ok(emits)
    }

    fn choose(&mut self, who: Actor<'_>, atelier: &str, now: Millis) -> Result<Vec<BreakoutEmit>, Refusal> {
        if !self.free_choice() {
            return Err(invalid("ateliers are assigned by the facilitator in this session"));
        }
        let capacity = self.atelier(atelier)?.capacity;
        if self.state_of(atelier) == AtelierState::Closed {
            return Err(invalid("this atelier is over"));
        }
        match self.assignment.get(who.id) {
            Some(current) if current == atelier => return Ok(Vec::new()),
            Some(current) if self.state_of(current) == AtelierState::Open => {
                return Err(invalid("your atelier is running: ask a facilitator to move you"));
            }
            None if self.assignment.len() >= MAX_ASSIGNED => {
                return Err(out_of_range(format!("a session assigns at most {MAX_ASSIGNED} members")));
            }
            _ => {}
        }
        if capacity.is_some_and(|c| self.size_of(atelier) >= c) {
            return Err(Refusal::new(ErrorCode::RoomFull, "this atelier is full: choose another one"));
        }
        Ok(self.move_member(who.id, Some(atelier), now))
    }

    fn open(&mut self, ateliers: Option<Vec<String>>, now: Millis) -> Result<Vec<BreakoutEmit>, Refusal> {
        let targets: Vec<String> = match ateliers {
            None => {
                let closed: Vec<String> = self
                    .plan
                    .ateliers
                    .iter()
                    .filter(|a| self.state_of(&a.id) != AtelierState::Open)
                    .map(|a| a.id.clone())
                    .collect();
                if closed.is_empty() {
                    return Err(invalid("every atelier is already open"));
                }
                closed
            }
            Some(list) => {
                if list.is_empty() || list.len() > plan::MAX_ATELIERS {
                    return Err(out_of_range(format!("name 1 to {} ateliers to open", plan::MAX_ATELIERS)));
                }
                let mut targets: Vec<String> = Vec::new();
                for id in list {
                    self.atelier(&id)?;
                    if self.state_of(&id) == AtelierState::Open {
                        return Err(invalid(format!("atelier {id:?} is already open")));
                    }
                    if !targets.contains(&id) {
                        targets.push(id);
                    }
                }
                targets
            }
        };
        let mut emits = Vec::new();
        let opened: Vec<Atelier> = targets.iter().filter_map(|id| self.atelier(id).ok().cloned()).collect();
        self.effects.push(BreakoutEffect::OpenMeetings { ateliers: opened });
        for id in targets {
            let Ok(atelier) = self.atelier(&id) else { continue };
            let duration_ms = u64::from(atelier.duration_s) * 1000;
            let ends_at = now.saturating_add(duration_ms);
            let skipped = self.settings.warnings_s.iter().copied().filter(|&w| u64::from(w) * 1000 >= duration_ms);
            let run = self.runs.entry(id.clone()).or_insert_with(Run::pending);
            run.state = AtelierState::Open;
            run.opened_at = Some(now);
            run.ends_at = Some(ends_at);
            run.warned = skipped.collect();
            self.ran = true;
            for member in self.members_of(&id) {
                self.refresh(&member, now);
            }
            emits.push(self.to_atelier(&id, BreakoutEvent::Opened { atelier: id.clone(), opened_at: now, ends_at }));
        }
        self.touch_assignment();
        emits.extend(self.status_emit());
        Ok(emits)
    }

    /// The open ateliers a command names: `atelier` (which must be open),
    /// or every open one (at least one).
    fn open_targets(&self, atelier: Option<String>) -> Result<Vec<String>, Refusal> {
        match atelier {
            Some(id) => {
                self.atelier(&id)?;
                if self.state_of(&id) != AtelierState::Open {
                    return Err(invalid(format!("atelier {id:?} is not open")));
                }
                Ok(vec![id])
            }
            None => {
                let open = self.open_ateliers();
                if open.is_empty() {
                    return Err(invalid("no atelier is open"));
                }
                Ok(open)
            }
        }
    }

    fn extend(&mut self, seconds: u32, atelier: Option<String>, now: Millis) -> Result<Vec<BreakoutEmit>, Refusal> {
        if seconds == 0 || seconds > MAX_EXTEND_S {
            return Err(out_of_range(format!("extend by 1 to {MAX_EXTEND_S} seconds")));
        }
        let mut emits = Vec::new();
        for id in self.open_targets(atelier)? {
            let Some(run) = self.runs.get_mut(&id) else { continue };
            let ends_at = run.ends_at.unwrap_or(now).max(now).saturating_add(u64::from(seconds) * 1000);
            run.ends_at = Some(ends_at);
            // Warning points now ahead again are given again.
            run.warned.retain(|&w| ends_at.saturating_sub(u64::from(w) * 1000) <= now);
            emits.push(self.to_atelier(&id, BreakoutEvent::Extended { atelier: id.clone(), ends_at }));
        }
        Ok(emits)
    }

    /// Closes the open atelier `id` at `at`: its members are back in the
    /// plenary.
    fn close_one(&mut self, id: &str, reason: CloseReason, at: Millis) -> Vec<BreakoutEmit> {
        let Some(run) = self.runs.get_mut(id).filter(|run| run.state == AtelierState::Open) else {
            return Vec::new();
        };
        run.state = AtelierState::Closed;
        run.ends_at = None;
        let opened_at = run.opened_at.unwrap_or(at);
        let tally = self.tallies.entry(id.to_string()).or_default();
        tally.open_ms = tally.open_ms.saturating_add(at.saturating_sub(opened_at));
        for member in self.members_of(id) {
            self.refresh(&member, at);
        }
        self.touch_assignment();
        vec![self.to_atelier(id, BreakoutEvent::Closed { atelier: id.to_string(), reason })]
    }

    fn broadcast(
        &mut self,
        who: Actor<'_>,
        text: &str,
        atelier: Option<String>,
        now: Millis,
    ) -> Result<Vec<BreakoutEmit>, Refusal> {
        let text = plan::check_text("a broadcast", text, MAX_BROADCAST_CHARS)?;
        if let Some(id) = &atelier {
            self.atelier(id)?;
        }
        let broadcast = Broadcast {
            id: format!("b{}", self.next_broadcast),
            atelier: atelier.clone(),
            from: who.id.to_string(),
            from_name: who.name.to_string(),
            text,
            at: now,
        };
        self.next_broadcast += 1;
        let chats = match &atelier {
            Some(id) if self.state_of(id) == AtelierState::Open => vec![id.clone()],
            Some(_) => Vec::new(),
            None => self.open_ateliers(),
        };
        if !chats.is_empty() {
            let from = who.name.to_string();
            self.effects.push(BreakoutEffect::PostToChats { ateliers: chats, text: broadcast.text.clone(), from });
        }
        let keep = |list: &mut VecDeque<Broadcast>| {
            list.push_back(broadcast.clone());
            while list.len() > KEPT_BROADCASTS {
                list.pop_front();
            }
        };
        let emit = match &atelier {
            Some(id) => {
                if let Some(run) = self.runs.get_mut(id) {
                    keep(&mut run.broadcasts);
                }
                self.tallies.entry(id.clone()).or_default().broadcasts += 1;
                self.to_atelier(id, BreakoutEvent::Broadcast { broadcast: broadcast.clone() })
            }
            None => {
                keep(&mut self.broadcasts);
                for (id, run) in &self.runs {
                    if run.state == AtelierState::Open {
                        self.tallies.entry(id.clone()).or_default().broadcasts += 1;
                    }
                }
                BreakoutEmit::everyone(BreakoutEvent::Broadcast { broadcast: broadcast.clone() })
            }
        };
        Ok(vec![emit])
    }

    /// The call `who` made that is not resolved yet.
    fn open_call_of(&self, member: &str) -> Option<&HelpCall> {
        self.calls.values().find(|c| c.member == member && c.state != CallState::Resolved)
    }

    fn call_help(&mut self, who: Actor<'_>, text: Option<String>, now: Millis) -> Result<Vec<BreakoutEmit>, Refusal> {
        let text = match text.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(plan::check_text("a help call", text, MAX_CALL_CHARS)?),
        };
        let atelier = match self.assignment.get(who.id) {
            Some(atelier) if self.state_of(atelier) == AtelierState::Open => atelier.clone(),
            _ => return Err(invalid("call for help from an open atelier")),
        };
        if self.open_call_of(who.id).is_some() {
            return Err(invalid("you have already called: a facilitator will come"));
        }
        let call = HelpCall {
            id: format!("h{}", self.next_call),
            atelier: atelier.clone(),
            member: who.id.to_string(),
            name: who.name.to_string(),
            text,
            at: now,
            state: CallState::Waiting,
            by: None,
            by_name: None,
        };
        self.calls.insert(self.next_call, call.clone());
        self.next_call += 1;
        self.tallies.entry(atelier).or_default().help_calls += 1;
        Ok(vec![BreakoutEmit::members(vec![who.id.to_string()], true, BreakoutEvent::HelpCall { call })])
    }

    fn update_call(&mut self, who: Actor<'_>, id: &str, to: CallState) -> Result<Vec<BreakoutEmit>, Refusal> {
        let number = id.strip_prefix('h').and_then(|n| n.parse::<u64>().ok());
        let not_found = || Refusal::new(ErrorCode::NotFound, format!("no help call has the id {id:?}"));
        let call = number.and_then(|n| self.calls.get_mut(&n)).ok_or_else(not_found)?;
        if call.state == CallState::Resolved {
            return Err(invalid("this call is already resolved"));
        }
        call.state = to;
        if to == CallState::Taken || call.by.is_none() {
            call.by = Some(who.id.to_string());
            call.by_name = Some(who.name.to_string());
        }
        let call = call.clone();
        if to == CallState::Resolved {
            self.forget_resolved_calls();
        }
        Ok(vec![BreakoutEmit::members(vec![call.member.clone()], true, BreakoutEvent::HelpCall { call })])
    }

    /// Keeps at most [`KEPT_RESOLVED_CALLS`] resolved calls.
    fn forget_resolved_calls(&mut self) {
        let resolved: Vec<u64> =
            self.calls.iter().filter(|(_, c)| c.state == CallState::Resolved).map(|(n, _)| *n).collect();
        let excess = resolved.len().saturating_sub(KEPT_RESOLVED_CALLS);
        for n in resolved.into_iter().take(excess) {
            self.calls.remove(&n);
        }
    }

    fn submit(
        &mut self,
        who: Actor<'_>,
        content: ProductionContent,
        now: Millis,
    ) -> Result<Vec<BreakoutEmit>, Refusal> {
        let Some(atelier) = self.assignment.get(who.id).cloned() else {
            return Err(invalid("you are in no atelier"));
        };
        if self.state_of(&atelier) == AtelierState::Pending {
            return Err(invalid("your atelier has not opened yet"));
        }
        let content = plan::check_production(content)?;
        let name = self.atelier(&atelier)?.name.clone();
        let version = self.works.get(&atelier).map_or(1, |w| w.latest.version.saturating_add(1));
        let production = Production {
            atelier: atelier.clone(),
            atelier_name: name,
            version,
            content,
            by: who.id.to_string(),
            by_name: who.name.to_string(),
            at: now,
        };
        match self.works.get_mut(&atelier) {
            Some(work) => work.latest = production.clone(),
            None => {
                self.works.insert(atelier.clone(), Work { latest: production.clone(), published: None });
            }
        }
        self.tallies.entry(atelier.clone()).or_default().productions += 1;
        Ok(vec![self.to_atelier(&atelier, BreakoutEvent::Production { production })])
    }

    fn publish(&mut self, atelier: Option<String>) -> Result<Vec<BreakoutEmit>, Refusal> {
        let ids = match atelier {
            Some(id) => {
                if !self.works.contains_key(&id) {
                    self.atelier(&id)?;
                    return Err(invalid("this atelier has handed in nothing yet"));
                }
                vec![id]
            }
            None => {
                if self.works.is_empty() {
                    return Err(invalid("no atelier has handed in anything yet"));
                }
                self.work_order()
            }
        };
        let mut productions = Vec::new();
        for id in ids {
            let name = self.atelier(&id).ok().map(|a| a.name.clone());
            let Some(work) = self.works.get_mut(&id) else { continue };
            let mut shown = work.latest.clone();
            if let Some(name) = name {
                shown.atelier_name = name;
            }
            work.published = Some(shown.clone());
            productions.push(shown);
        }
        Ok(vec![BreakoutEmit::everyone(BreakoutEvent::Published { productions })])
    }

    /// Shows a recording (filled in by the server) to the plenary, labelled
    /// with its atelier's name; showing it again moves it last.
    fn publish_recording(
        &mut self,
        record_id: &str,
        recording: Option<SharedRecording>,
        now: Millis,
    ) -> Result<Vec<BreakoutEmit>, Refusal> {
        let Some(mut recording) = recording.filter(|r| r.record_id == record_id) else {
            return Err(Refusal::new(ErrorCode::NotFound, "this session has no such recording ready to play"));
        };
        plan::check_link("`url`", &recording.url)?;
        if let Ok(atelier) = self.atelier(&recording.atelier) {
            recording.atelier_name = atelier.name.clone();
        }
        recording.at = now;
        self.shown_recordings.retain(|shown| shown.record_id != record_id);
        self.shown_recordings.push(recording.clone());
        Ok(vec![BreakoutEmit::everyone(BreakoutEvent::RecordingPublished { recording })])
    }

    fn unpublish_recording(&mut self, record_id: &str) -> Vec<BreakoutEmit> {
        let before = self.shown_recordings.len();
        self.shown_recordings.retain(|shown| shown.record_id != record_id);
        if self.shown_recordings.len() == before {
            return Vec::new(); // not shown: nothing to withdraw
        }
        vec![BreakoutEmit::everyone(BreakoutEvent::RecordingUnpublished { record_id: record_id.to_string() })]
    }

    fn unpublish(&mut self, atelier: Option<String>) -> Vec<BreakoutEmit> {
        let mut ateliers = Vec::new();
        for id in self.work_order() {
            if atelier.as_ref().is_some_and(|only| *only != id) {
                continue;
            }
            if let Some(work) = self.works.get_mut(&id)
                && work.published.take().is_some()
            {
                ateliers.push(id);
            }
        }
        if ateliers.is_empty() {
            return Vec::new(); // nothing shown: nothing to withdraw
        }
        vec![BreakoutEmit::everyone(BreakoutEvent::Unpublished { ateliers })]
    }

    // ----- time -------------------------------------------------------

    /// When the room actor should call [`BreakoutSession::tick`] next: an
    /// open atelier's next warning or end, or pending coalesced counts.
    pub fn next_deadline(&self) -> Option<Millis> {
        let mut due: Option<Millis> = None;
        let mut consider = |at: Millis| due = Some(due.map_or(at, |d| d.min(at)));
        for run in self.runs.values().filter(|run| run.state == AtelierState::Open) {
            let Some(ends_at) = run.ends_at else { continue };
            consider(ends_at);
            for &w in self.settings.warnings_s.iter().filter(|w| !run.warned.contains(w)) {
                consider(ends_at.saturating_sub(u64::from(w) * 1000));
            }
        }
        if self.counts_dirty || self.choices_dirty {
            consider(self.last_flush.map_or(0, |last| last.saturating_add(self.settings.coalesce_ms)));
        }
        due
    }

    /// Everything due at `now`: warnings and ends of open ateliers (an
    /// atelier closes at its deadline, whenever the tick comes), then the
    /// coalesced counts.
    pub fn tick(&mut self, now: Millis) -> Vec<BreakoutEmit> {
        let mut emits = Vec::new();
        let open = self.open_ateliers();
        for id in open {
            let Some(ends_at) = self.runs.get(&id).and_then(|run| run.ends_at) else { continue };
            if now >= ends_at {
                emits.extend(self.close_one(&id, CloseReason::Deadline, ends_at));
                continue;
            }
            let members = self.members_of(&id);
            let warnings = self.settings.warnings_s.clone();
            let Some(run) = self.runs.get_mut(&id) else { continue };
            let due: Vec<u32> = warnings
                .into_iter()
                .filter(|w| !run.warned.contains(w) && ends_at.saturating_sub(u64::from(*w) * 1000) <= now)
                .collect();
            // Several points due at once (a late tick): the nearest one only.
            if let Some(&seconds) = due.iter().min() {
                run.warned.extend(due);
                let event = BreakoutEvent::TimeWarning { atelier: id.clone(), seconds, ends_at };
                emits.push(BreakoutEmit::members(members, true, event));
            }
        }
        emits.extend(self.status_emit());
        emits.extend(self.flush(now));
        emits
    }

    /// The coalesced updates, if due at `now`: per-atelier counts to the
    /// leaders, and (free choice) the places left to everyone else.
    pub fn flush(&mut self, now: Millis) -> Vec<BreakoutEmit> {
        if !(self.counts_dirty || self.choices_dirty) {
            return Vec::new();
        }
        if self.last_flush.is_some_and(|last| now < last.saturating_add(self.settings.coalesce_ms)) {
            return Vec::new();
        }
        self.last_flush = Some(now);
        let mut emits = Vec::new();
        if std::mem::take(&mut self.counts_dirty) {
            let groups = self.groups();
            let ateliers = self
                .plan
                .ateliers
                .iter()
                .map(|a| {
                    let members = groups.get(a.id.as_str()).map(Vec::as_slice).unwrap_or_default();
                    AtelierCount {
                        atelier: a.id.clone(),
                        assigned: members.len() as u32,
                        present: members.iter().filter(|m| self.present(m)).count() as u32,
                    }
                })
                .collect();
            let unassigned_present = self.unassigned_present().len() as u32;
            emits.push(BreakoutEmit::leaders(BreakoutEvent::Counts { ateliers, unassigned_present }));
        }
        if std::mem::take(&mut self.choices_dirty) && self.free_choice() {
            emits.push(BreakoutEmit {
                audience: Audience::NonLeaders,
                event: BreakoutEvent::Choices { choices: self.choices() },
            });
        }
        emits
    }

    fn unassigned_present(&self) -> Vec<String> {
        self.members
            .iter()
            .filter(|(id, m)| m.role == Role::Participant && m.connections > 0 && !self.assignment.contains_key(*id))
            .map(|(id, _)| id.clone())
            .collect()
    }

    // ----- snapshots and reports --------------------------------------

    /// The session as `who` sees it now: a participant their atelier (or
    /// the plenary) with its timer, instructions, resources, video link,
    /// broadcasts and production; leaders the whole plan, the assignment,
    /// presence per atelier, open help calls and every production.
    pub fn snapshot(&self, who: Actor<'_>) -> BreakoutSnapshot {
        let published =
            self.work_order().iter().filter_map(|id| self.works.get(id).and_then(|w| w.published.clone())).collect();
        let mut snapshot = BreakoutSnapshot {
            title: self.title.clone(),
            status: self.status,
            mode: self.plan.mode,
            atelier: None,
            choices: Vec::new(),
            broadcasts: self.broadcasts.iter().cloned().collect(),
            published,
            recordings: self.shown_recordings.clone(),
            your_call: None,
            plan: None,
            ateliers: Vec::new(),
            unassigned: Vec::new(),
            calls: Vec::new(),
            productions: Vec::new(),
        };
        if who.role.leads() {
            let groups = self.groups();
            snapshot.plan = Some(self.plan.clone());
            snapshot.ateliers = self
                .plan
                .ateliers
                .iter()
                .map(|a| {
                    let members = groups.get(a.id.as_str()).map(Vec::as_slice).unwrap_or_default();
                    let run = self.runs.get(&a.id);
                    AtelierStatus {
                        id: a.id.clone(),
                        state: run.map_or(AtelierState::Pending, |r| r.state),
                        opened_at: run.and_then(|r| r.opened_at),
                        ends_at: run.and_then(|r| r.ends_at),
                        members: members.iter().map(|m| m.to_string()).collect(),
                        present: members.iter().filter(|m| self.present(m)).count() as u32,
                    }
                })
                .collect();
            snapshot.unassigned = self.unassigned_present();
            snapshot.calls = self.calls.values().filter(|c| c.state != CallState::Resolved).cloned().collect();
            snapshot.productions =
                self.work_order().iter().filter_map(|id| self.works.get(id).map(|w| w.latest.clone())).collect();
            return snapshot;
        }
        snapshot.choices = self.choices();
        if who.role == Role::Participant {
            snapshot.atelier = self.assignment.get(who.id).and_then(|a| self.view(a)).map(Box::new);
            snapshot.your_call = self.open_call_of(who.id).cloned();
        }
        snapshot
    }

    /// The participants' completion changes since the last call, worked out
    /// when every atelier has closed (and the settings ask for it): a
    /// participant completes when their time in ateliers reaches
    /// `completion_percent` of the time their ateliers (those they were in,
    /// and the one they are assigned to) were open.
    pub fn take_completion_changes(&mut self, now: Millis) -> Vec<CompletionChange> {
        let Some(threshold) = self.settings.completion_percent else { return Vec::new() };
        if !std::mem::take(&mut self.completions_due) {
            return Vec::new();
        }
        let participation = self.participation(now);
        let open_ms: BTreeMap<&str, u64> = participation.ateliers.iter().map(|a| (a.id.as_str(), a.open_ms)).collect();
        let mut changes = Vec::new();
        for member in &participation.members {
            if self.members.get(&member.member).is_none_or(|m| m.role != Role::Participant) {
                continue;
            }
            let mut theirs: BTreeSet<&str> = member.ateliers.keys().map(String::as_str).collect();
            theirs.extend(self.assignment.get(&member.member).map(String::as_str));
            let possible = theirs.iter().filter_map(|id| open_ms.get(id)).fold(0u64, |sum, ms| sum.saturating_add(*ms));
            if possible == 0 {
                continue;
            }
            let percent = (member.total_ms.saturating_mul(100) / possible).min(100) as u32;
            let state = u8::from(percent >= u32::from(threshold));
            if self.completions.insert(member.member.clone(), (state, percent)) != Some((state, percent)) {
                changes.push(CompletionChange { member: member.member.clone(), state, score: percent, max_score: 100 });
            }
        }
        changes
    }

    /// Time in ateliers per participant and each atelier's totals, with
    /// the stretches still running counted up to `now`.
    pub fn participation(&self, now: Millis) -> Participation {
        let members: Vec<MemberParticipation> = self
            .members
            .iter()
            .filter(|(_, m)| m.role == Role::Participant || !m.clock.settled.is_empty())
            .map(|(id, m)| {
                let ateliers: BTreeMap<String, u64> = m.clock.at(now).into_iter().filter(|(_, ms)| *ms > 0).collect();
                MemberParticipation {
                    member: id.clone(),
                    name: m.name.clone(),
                    total_ms: ateliers.values().fold(0, |sum: u64, ms| sum.saturating_add(*ms)),
                    ateliers,
                }
            })
            .collect();
        let mut order: Vec<&str> = self.plan.ateliers.iter().map(|a| a.id.as_str()).collect();
        order.extend(self.tallies.keys().map(String::as_str).filter(|id| self.atelier(id).is_err()));
        let ateliers = order
            .into_iter()
            .filter_map(|id| {
                let tally = self.tallies.get(id)?;
                let running = self
                    .runs
                    .get(id)
                    .filter(|run| run.state == AtelierState::Open)
                    .and_then(|run| run.opened_at)
                    .map_or(0, |opened| now.saturating_sub(opened));
                Some(AtelierParticipation {
                    id: id.to_string(),
                    name: tally.name.clone(),
                    members: tally.members.len() as u32,
                    time_ms: members
                        .iter()
                        .filter_map(|m| m.ateliers.get(id))
                        .fold(0, |sum: u64, ms| sum.saturating_add(*ms)),
                    open_ms: tally.open_ms.saturating_add(running),
                    broadcasts: tally.broadcasts,
                    help_calls: tally.help_calls,
                    productions: tally.productions,
                    production: self.works.get(id).map(|w| w.latest.clone()),
                })
            })
            .collect();
        Participation { at: now, ateliers, members }
    }
}
