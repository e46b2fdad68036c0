//! The room actor's loop and the handling of each request, written once for
//! every activity: attach and detach (with attendance), commands (retries
//! answered from memory, durable ones journaled and answered with a
//! receipt), timers, effects handed to the runner, and the numbering,
//! history and publication of events.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use amphi_protocol::breakout::VideoProblem;
use amphi_protocol::server::RoomSnapshot;
use amphi_protocol::{ClientMsgId, ErrorCode, Role, ServerMessage};
use futures_util::FutureExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::activity::{RoomActivity, not_run_here};
use super::retries::Retries;
use super::{
    Accepted, Attached, Call, EffectJob, EffectSink, Receipt, Reply, Request, RoomBack, RoomCommand, RoomSettings,
    SERVICE_MEMBER_PREFIX, VIDEO_SERVICE, Who, now_ms, session_ended,
};
use crate::activity::breakout::BreakoutEffect;
use crate::activity::lobby::{Lobby, LobbyCommand};
use crate::activity::{CompletionChange, Emit, Millis, Refusal};
use crate::bus::Bus;
use crate::bus::Envelope;
use crate::metrics::Metrics;
use crate::store::{AttendanceRecord, CompletionRecord, InputKind, InputRecord, RoomRecord, Write, Writer};

/// A live room: its lobby, its activity, and what the actor keeps around
/// them.
pub(super) struct RoomActor<A: RoomActivity> {
    pub(super) id: Uuid,
    pub(super) record: Arc<RoomRecord>,
    pub(super) activity: A,
    pub(super) lobby: Lobby,
    /// Where the activity's effects go, and how their outcomes come back.
    pub(super) effects: Option<EffectSink>,
    pub(super) back: RoomBack,
    /// Where the journal, attendance and completions go.
    pub(super) writer: Writer,
    /// The position of the last journaled input.
    pub(super) position: i64,
    /// When each online member's current stretch of attendance began.
    pub(super) online_since: HashMap<Arc<str>, i64>,
    pub(super) rx: mpsc::Receiver<Request>,
    pub(super) settings: RoomSettings,
    pub(super) seq: u64,
    pub(super) history: VecDeque<Arc<Envelope>>,
    pub(super) retries: Retries,
    pub(super) bus: Arc<dyn Bus>,
    pub(super) metrics: Arc<Metrics>,
}

impl<A: RoomActivity> RoomActor<A> {
    pub(super) async fn run(mut self) {
        self.metrics.rooms.inc();
        loop {
            let wait = self.next_deadline().map(|due| Duration::from_millis(due.saturating_sub(now_ms())));
            let request = match wait {
                Some(wait) => tokio::select! {
                    request = self.rx.recv() => request,
                    () = tokio::time::sleep(wait) => {
                        self.run_due();
                        continue;
                    }
                },
                None => self.rx.recv().await,
            };
            let Some(request) = request else { break };
            if let Request::Retire { reply } = request {
                let _ = reply.send(());
                break;
            }
            self.metrics.mailbox_depth.observe(self.rx.len() as f64);
            // What came due before this input applies first, as it does when
            // the journal is replayed.
            let due = self.activity.before_input(now_ms());
            self.publish(due);
            self.handle(request);
            self.run_due();
        }
        self.metrics.rooms.dec();
        tracing::debug!(room = %self.id, "room actor stopped");
    }

    /// When something time-based is due next: coalesced presence, or one of
    /// the activity's timers.
    fn next_deadline(&self) -> Option<Millis> {
        [self.lobby.presence_due(), self.activity.next_deadline()].into_iter().flatten().min()
    }

    /// Runs whatever is due now.
    fn run_due(&mut self) {
        let now = now_ms();
        let mut events = self.lobby.flush_presence(now);
        let outcome = self.activity.tick(now);
        events.extend(outcome.events);
        self.publish(events);
        self.hand_completions(now);
        self.hand_effects(outcome.effects);
    }

    pub(super) fn handle(&mut self, request: Request) {
        match request {
            Request::Call { call, reply } => {
                let answer = self.answer(call);
                if let Some(reply) = reply {
                    let _ = reply.send(answer);
                }
            }
            Request::Video { atelier, url, problem } => self.video_outcome(atelier, url, problem),
            // Taken by the loop before it gets here.
            Request::Retire { reply } => {
                let _ = reply.send(());
            }
        }
    }

    /// The room's answer to a call.
    fn answer(&mut self, call: Call) -> Reply {
        match call {
            Call::Attach { who, since } => Reply::Attached { outcome: self.attach(&who, since) },
            Call::Detach { member } => {
                self.detach(&member, false);
                Reply::Done
            }
            Call::Leave { member } => {
                self.detach(&member, true);
                let events = self.lobby.leave(&member);
                self.retries.forget(&member);
                self.publish(events);
                Reply::Done
            }
            Call::Command { who, id, command } => Reply::Command { outcome: self.command(&who, id, command) },
            Call::Results => Reply::Results { results: self.activity.results().map(Box::new) },
            Call::BoardExport => Reply::BoardExport { export: self.activity.board_export().map(Box::new) },
            Call::Participation => {
                Reply::Participation { participation: self.activity.participation(now_ms()).map(Box::new) }
            }
            Call::Ateliers { member } => Reply::Ateliers { access: self.activity.ateliers(&member) },
        }
    }

    fn attach(&mut self, who: &Who, since: Option<u64>) -> Result<Attached, Refusal> {
        if self.lobby.is_removed(&who.id) {
            self.metrics.abuse.with_label_values(&["removed_member_back"]).inc();
            return Err(Refusal::forbidden("a leader removed you from this room"));
        }
        // Leaders and observers are never refused by the cap; returning
        // members neither. Offline guests hold no seat.
        let new = !self.lobby.is_member(&who.id);
        if new && who.guest && self.lobby.is_locked() {
            self.metrics.abuse.with_label_values(&["room_locked"]).inc();
            return Err(Refusal::new(ErrorCode::RoomLocked, "this room is locked: ask the trainer to unlock it"));
        }
        if new && who.guest && self.activity.is_ended() {
            self.metrics.abuse.with_label_values(&["ended_session_code"]).inc();
            return Err(session_ended());
        }
        if new && who.role == Role::Participant && self.lobby.seats_taken() >= self.settings.max_members {
            self.metrics.abuse.with_label_values(&["room_full"]).inc();
            return Err(Refusal::new(ErrorCode::RoomFull, "this room is full"));
        }
        if !self.writer.has_room() {
            return Err(store_full());
        }
        let now = now_ms();
        self.activity.join(who.actor(), now)?;
        if A::JOURNALS_PRESENCE {
            let input = self.input(who, now, InputKind::Attach, None);
            self.writer.submit(Write::Input(input));
        }
        if self.lobby.attach_as(who.actor(), who.guest) {
            self.online_since.insert(who.id.clone(), now as i64);
            self.writer.submit(Write::Joined(AttendanceRecord {
                room: self.id,
                member: who.id.to_string(),
                member_name: who.name.to_string(),
                role: who.role,
                guest: who.guest,
                joined_at: now as i64,
                left_at: None,
            }));
        }
        // A client with no state (seq 0) gets a snapshot rather than a replay of
        // the whole history.
        let replay = since.filter(|since| *since > 0).and_then(|since| self.replay_since(since, who));
        Ok(match replay {
            Some(replay) => Attached { seq: self.seq, snapshot: None, replay },
            None => Attached { seq: self.seq, snapshot: Some(self.snapshot(who)), replay: Vec::new() },
        })
    }

    /// The whole room as `who` sees it.
    fn snapshot(&self, who: &Who) -> RoomSnapshot {
        let mut snapshot = self.lobby.snapshot(who.role);
        self.activity.snapshot(who.actor(), &mut snapshot);
        snapshot
    }

    /// The events after `since` that `who` may see, if the history still
    /// holds all of them.
    fn replay_since(&self, since: u64, who: &Who) -> Option<Vec<Arc<Envelope>>> {
        if since > self.seq {
            return None; // a seq from an earlier life of this room
        }
        let oldest = self.history.front().map_or(self.seq + 1, |e| e.seq);
        if since + 1 < oldest {
            return None;
        }
        Some(self.history.iter().filter(|e| e.seq > since && e.audience.includes(&who.id, who.role)).cloned().collect())
    }

    /// A connection of `member` went away (`leaving`: the member left for
    /// good): journaled when the activity follows presence, and the end of
    /// their attendance stretch when it was their last connection.
    fn detach(&mut self, member: &Arc<str>, leaving: bool) {
        let now = now_ms();
        let went_offline = if leaving { self.lobby.is_online(member) } else { self.lobby.detach(member) };
        if went_offline && let Some(joined_at) = self.online_since.remove(member) {
            self.writer.submit(Write::Left { room: self.id, member: member.to_string(), joined_at, at: now as i64 });
        }
        if leaving {
            self.activity.leave(member, now);
        } else {
            self.activity.detach(member, now);
        }
        if A::JOURNALS_PRESENCE {
            let kind = if leaving { A::LEAVE } else { InputKind::Detach };
            self.position += 1;
            self.writer.submit(Write::Input(InputRecord {
                room: self.id,
                position: self.position,
                at: now as i64,
                member: member.to_string(),
                member_name: String::new(),
                role: None,
                guest: false,
                kind,
                action: None,
                client_id: None,
                body: None,
            }));
        }
    }

    /// A command, or its retry answered with the original result.
    pub(super) fn command(&mut self, who: &Who, id: ClientMsgId, command: RoomCommand) -> Result<Accepted, Refusal> {
        if let Some(outcome) = self.retries.answer(&who.id, &id) {
            return outcome;
        }
        let service = who.role.leads() && who.id.starts_with(SERVICE_MEMBER_PREFIX);
        if !self.lobby.is_member(&who.id) && !service {
            return Err(Refusal::new(ErrorCode::NotInRoom, "join the room first"));
        }
        let now = now_ms();
        let outcome = match command {
            RoomCommand::Lobby(LobbyCommand::RemoveMember { member }) => self.remove_member(who, member, now),
            RoomCommand::Lobby(command) => self
                .lobby
                .apply(who.actor(), command, now)
                .map(|events| self.publish(events))
                .map(|()| Accepted::Applied),
            RoomCommand::RetryVideo { atelier } => self.retry_video(who, &atelier),
            other => match A::command_of(other) {
                Err(other) => Err(not_run_here(&other)),
                Ok(command) => {
                    if let Some(page) = self.activity.read(who.actor(), &command) {
                        // A read: answered at once, neither journaled nor remembered.
                        return Ok(Accepted::Page(Box::new(page)));
                    }
                    if !self.writer.has_room() {
                        // Not taken on and not remembered: a retry with the
                        // same id may succeed once the store is back.
                        return Err(store_full());
                    }
                    self.activity_command(who, &id, command, now)
                }
            },
        };
        self.retries.remember(who.id.clone(), id, outcome.clone());
        outcome
    }

    /// Applies the activity's command: published at once, acknowledged once
    /// its journal entry is committed, its effects handed to the runner.
    fn activity_command(
        &mut self,
        who: &Who,
        id: &ClientMsgId,
        command: A::Command,
        now: Millis,
    ) -> Result<Accepted, Refusal> {
        let journaled = serde_json::to_value(&command);
        let outcome = match self.activity.apply(who.actor(), command, now) {
            Ok(outcome) => outcome,
            Err(refused) => {
                self.publish(refused.events);
                return Err(refused.refusal);
            }
        };
        self.publish(outcome.events);
        self.hand_completions(now);
        // An activity that journals nothing is applied, with nothing to wait for.
        let accepted = match A::JOURNAL {
            Some(kind) => {
                let input = self.input(who, now, kind, Some((id, journaled)));
                Accepted::Committing(self.receipt(Write::Input(input)))
            }
            None => Accepted::Applied,
        };
        self.hand_effects(outcome.effects);
        Ok(accepted)
    }

    /// A leader removes a participant: their attendance stretch ends (and an
    /// activity following presence journals their departure), they leave the
    /// lobby and may not attach again; their connections get
    /// `member_removed` and close with 4011.
    fn remove_member(&mut self, who: &Who, member: String, now: Millis) -> Result<Accepted, Refusal> {
        self.lobby.removable(who.actor(), &member)?;
        let id: Arc<str> = member.as_str().into();
        self.detach(&id, true);
        self.retries.forget(&id);
        let events = self.lobby.apply(who.actor(), LobbyCommand::RemoveMember { member }, now)?;
        self.metrics.abuse.with_label_values(&["member_removed"]).inc();
        self.publish(events);
        Ok(Accepted::Applied)
    }

    /// A leader's "try again now": the atelier's meeting is asked for again.
    fn retry_video(&mut self, who: &Who, atelier: &str) -> Result<Accepted, Refusal> {
        let effects = self.activity.retry_video(who.actor(), atelier)?;
        if self.effects.is_none() {
            return Err(Refusal::new(ErrorCode::NotFound, "BigBlueButton is not configured"));
        }
        self.hand_effects(effects);
        Ok(Accepted::Applied)
    }

    /// Hands effects to the runner, once per applied command (a retried id
    /// answered from memory applies nothing and hands nothing). A full queue
    /// drops them, counted: the facilitator can retry.
    fn hand_effects(&self, effects: Vec<BreakoutEffect>) {
        let Some(sink) = &self.effects else { return };
        for effect in effects {
            let job = EffectJob { room: Arc::clone(&self.record), effect, back: self.back.clone() };
            if sink.try_send(job).is_err() {
                self.metrics.effects_dropped.inc();
                tracing::warn!("the effects queue is full: an effect was dropped");
            }
        }
    }

    /// An effect's outcome for an atelier's video room, applied and
    /// journaled as the video service's own input.
    fn video_outcome(&mut self, atelier: String, url: Option<String>, problem: Option<VideoProblem>) {
        let Some(command) = A::video_outcome(atelier.clone(), url, problem) else { return };
        let who = Who { id: VIDEO_SERVICE.into(), name: "BigBlueButton".into(), role: Role::Admin, guest: false };
        let id = format!("amphi-video-{}", Uuid::new_v4().simple());
        let outcome = if self.writer.has_room() {
            self.activity_command(&who, &id, command, now_ms())
        } else {
            Err(store_full())
        };
        if let Err(refusal) = outcome {
            tracing::warn!(%atelier, message = %refusal.message, "an atelier's video outcome was refused");
        }
    }

    /// Hands the activity's changed completions to the store's writer (which
    /// retries until they are committed).
    pub(super) fn hand_completions(&mut self, now: Millis) {
        let changes = self.activity.take_completions(now);
        self.write_completions(changes, now);
    }

    pub(super) fn write_completions(&self, changes: Vec<CompletionChange>, now: Millis) {
        if changes.is_empty() {
            return;
        }
        let records = changes
            .into_iter()
            .map(|change| CompletionRecord {
                tenant: self.record.tenant.clone(),
                activity: self.id,
                user: change.member,
                state: change.state,
                score: change.score,
                max_score: change.max_score,
                updated_at: now as i64,
            })
            .collect();
        self.writer.submit(Write::Completions(records));
    }

    /// Queues a durable write; its receipt says when it is committed.
    fn receipt(&self, write: Write) -> Receipt {
        self.writer.submit_durable(write).map(|committed| committed.is_ok()).boxed().shared()
    }

    /// Numbers, records and publishes what the room emitted.
    pub(super) fn publish(&mut self, events: Vec<Emit>) {
        let at = now_ms();
        for emit in events {
            self.seq += 1;
            let message = ServerMessage::Event { room: self.id.to_string(), seq: self.seq, at, event: emit.body };
            let envelope = Arc::new(Envelope::new(self.id, self.seq, emit.audience, message));
            if self.history.len() == self.settings.history {
                self.history.pop_front();
            }
            self.history.push_back(Arc::clone(&envelope));
            self.bus.publish(envelope);
        }
    }
}

/// Refusal of work whose write the store's queue cannot take.
pub(super) fn store_full() -> Refusal {
    Refusal::new(
        ErrorCode::Unavailable,
        "the course store is not reachable and its queue is full: retry later with the same id",
    )
}
