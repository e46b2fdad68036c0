//! A room's journal, from the actor's side: the entry each accepted input
//! becomes, and the rebuild of a room from the journal of its earlier life,
//! through the same activity, with each input's own time.

use amphi_protocol::{ClientMsgId, ErrorCode, Role};

use super::Accepted;
use super::Who;
use super::activity::RoomActivity;
use super::actor::RoomActor;
use super::now_ms;
use crate::activity::{Actor, Millis, Refusal};
use crate::store::{InputKind, InputRecord, Write};

/// How many timers may come due between two journaled inputs before the
/// replay stops catching up (a guard: a live room fires each once).
const CATCH_UP_STEPS: usize = 64;

impl<A: RoomActivity> RoomActor<A> {
    /// The journal entry of an input of `who` at `now`: the next position,
    /// and for a command its id, action and JSON.
    pub(super) fn input(
        &mut self,
        who: &Who,
        now: Millis,
        kind: InputKind,
        command: Option<(&ClientMsgId, serde_json::Result<serde_json::Value>)>,
    ) -> InputRecord {
        self.position += 1;
        let (client_id, action, body) = match command {
            Some((id, Ok(json))) => {
                let action = json.get("action").and_then(|a| a.as_str()).map(String::from);
                (Some(id.clone()), action, Some(json.to_string()))
            }
            Some((id, Err(error))) => {
                tracing::error!(%error, "a command does not serialize: journaled without its body");
                (Some(id.clone()), None, None)
            }
            None => (None, None, None),
        };
        InputRecord {
            room: self.id,
            position: self.position,
            at: now as i64,
            member: who.id.to_string(),
            member_name: who.name.to_string(),
            role: Some(who.role),
            guest: who.guest,
            kind,
            action,
            client_id,
            body,
        }
    }

    /// Replays the journal of an earlier life of this room through the same
    /// activity, with each input's own time, then journals the restart
    /// itself when the activity follows presence: every connection of that
    /// life is gone. Completions are handed again (unchanged ones write
    /// nothing): the earlier life may have stopped before committing them.
    /// The replayed commands' ids are remembered: their retries are answered,
    /// not applied.
    pub(super) fn rebuild(&mut self, journal: Vec<InputRecord>) {
        let Some(commands) = A::JOURNAL else { return };
        if journal.is_empty() {
            return;
        }
        let count = journal.len();
        // The time of this rebuild: the restart journaled below and the
        // closing rule's grace both start then.
        let restarted_at = now_ms();
        let mut refused = 0;
        let mut last_at = 0;
        for input in journal {
            self.position = input.position;
            let at = u64::try_from(input.at).unwrap_or(0);
            last_at = at;
            match replay_one(&mut self.activity, commands, &input, at) {
                Ok(()) => {
                    if let Some(id) = input.client_id {
                        self.retries.remember(input.member.as_str().into(), id, Ok(Accepted::Applied));
                    }
                }
                Err(refusal) => {
                    refused += 1;
                    tracing::error!(position = input.position, code = %refusal.code, message = %refusal.message,
                        "a journaled input no longer applies");
                }
            }
        }
        self.activity.restarted(last_at, restarted_at);
        let changes = self.activity.take_completions(last_at);
        self.write_completions(changes, last_at);
        if A::JOURNALS_PRESENCE {
            let restart = Who { id: "".into(), name: "".into(), role: Role::Observer, guest: false };
            let input = self.input(&restart, restarted_at, InputKind::Restart, None);
            self.writer.submit(Write::Input(input));
        }
        tracing::info!(inputs = count, refused, "room rebuilt from its journal");
    }
}

/// Feeds one journaled input to the activity at its own time, after what
/// came due before it, as the live room's timers had it. What the activity
/// emits or asks of the world then is not done again.
fn replay_one<A: RoomActivity>(
    activity: &mut A,
    commands: InputKind,
    input: &InputRecord,
    at: Millis,
) -> Result<(), Refusal> {
    for _ in 0..CATCH_UP_STEPS {
        match activity.next_deadline() {
            Some(due) if due < at => drop(activity.tick(due)),
            _ => break,
        }
    }
    drop(activity.before_input(at));
    // An entry without a role records no one's action (a connection gone).
    let actor = Actor { id: &input.member, name: &input.member_name, role: input.role.unwrap_or(Role::Observer) };
    match input.kind {
        InputKind::Attach => activity.join(actor, at),
        InputKind::Detach => {
            activity.detach(&input.member, at);
            Ok(())
        }
        InputKind::Leave => {
            activity.leave(&input.member, at);
            Ok(())
        }
        InputKind::Restart => {
            activity.disconnect_all(at);
            Ok(())
        }
        kind if kind == commands => {
            let command = journaled(input)?;
            activity.apply(actor, command, at).map(drop).map_err(|refused| refused.refusal)
        }
        other => Err(Refusal::new(ErrorCode::Internal, format!("unknown journal entry {:?}", other.as_str()))),
    }
}

/// A journaled command's body, read back.
fn journaled<T: serde::de::DeserializeOwned>(input: &InputRecord) -> Result<T, Refusal> {
    input
        .body
        .as_deref()
        .and_then(|body| serde_json::from_str(body).ok())
        .ok_or_else(|| Refusal::new(ErrorCode::Internal, "the journaled command does not read"))
}
