//! The live quiz session (issue 3): a pure state machine over a [`Quiz`],
//! trainer-paced or self-paced. Inputs are commands with `now`, [`tick`]
//! and joins/detaches; outputs are [`QuizEmit`]s or a [`Refusal`].
//!
//! Trainer-paced: lobby → open (deadline = now + time limit) → closed (at
//! `deadline + late_grace_ms` through [`tick`], by the trainer, or when
//! every participant expected on it answered, see below) → revealed →
//! leaderboard → next …
//! → ended. A re-vote (`reopen`) adds a round; the reveal shows the last
//! round's distribution beside the previous one. Self-paced: a window
//! (`open_window`, possibly scheduled) during which each participant walks
//! their own path (fixed, or shuffled from the seed and their member id).
//!
//! *The closing rule* (`close_when_all_answered`): a question closes early
//! when every participant *expected* on it has answered. Expected are those
//! attached when it opened or since, and those whose last connection went
//! away less than `reconnect_grace_ms` ago (a phone that lost the network
//! comes back with its queued answer). After a room rebuild (a crash, a
//! failover: [`disconnect_all`]) every participant is away and nothing
//! closes early for `reconnect_grace_ms`, whoever has come back. A grace
//! running out is a deadline of its own ([`next_deadline`]).
//!
//! Live figures are coalesced like lobby presence: answers mark questions
//! dirty and [`tick`] sends at most one `aggregate` (and one `progress`)
//! per `coalesce_ms`; [`next_deadline`] tells the room actor when to tick.
//! Scoring, streaks and completion rules are in `score.rs`.
//!
//! [`tick`]: QuizSession::tick
//! [`next_deadline`]: QuizSession::next_deadline
//! [`disconnect_all`]: QuizSession::disconnect_all

mod score;
mod stats;
mod view;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use amphi_protocol::quiz::{
    Anonymity, AnswerResult, AnswerValue, Cell, CloseReason, CurrentQuestion, Feedback, LeaderboardEntry,
    LeaderboardMode, Progress, ProgressCount, ProgressRow, QuestionOrder, QuestionStats, QuestionSummary, QuizCommand,
    QuizEvent, QuizMode, QuizPhase, QuizSettings, QuizSnapshot, Summary, YourAnswer,
};
use amphi_protocol::{ErrorCode, Role};

use super::{Actor, Audience, Millis, Refusal};
use crate::quiz::{Outcome, Quiz, SpeedBonus, check, points};

pub use score::{Completion, CompletionState, ResultRow};

/// What a quiz room stores as its activity: the quiz and how it runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizDefinition {
    pub quiz: Quiz,
    #[serde(default)]
    pub settings: QuizSettings,
}

impl QuizDefinition {
    /// Checks the settings' ranges (the quiz validates itself).
    pub fn validate_settings(&self) -> Result<(), String> {
        let s = &self.settings;
        if !(0.0..=1.0).contains(&s.completion_share) {
            return Err("`settings.completion_share` must be between 0 and 1".into());
        }
        if s.pass_mark.is_some_and(|mark| !(0.0..=1.0).contains(&mark)) {
            return Err("`settings.pass_mark` must be between 0 and 1".into());
        }
        if s.late_grace_ms > 60_000 {
            return Err("`settings.late_grace_ms` must be at most 60000".into());
        }
        if s.reconnect_grace_ms > MAX_RECONNECT_GRACE_MS {
            return Err(format!("`settings.reconnect_grace_ms` must be at most {MAX_RECONNECT_GRACE_MS}"));
        }
        if !(50..=10_000).contains(&s.coalesce_ms) {
            return Err("`settings.coalesce_ms` must be between 50 and 10000".into());
        }
        Ok(())
    }
}

/// Entries of a leaderboard event.
pub const LEADERBOARD_SIZE: usize = 10;
/// The longest `reconnect_grace_ms` (10 minutes).
pub const MAX_RECONNECT_GRACE_MS: u64 = 600_000;
/// Most seconds one `extend` may add.
pub const MAX_EXTEND_S: u32 = 3600;
/// The confidence level that counts a wrong answer as "confidently wrong".
pub const SURE: u8 = 3;

/// An event the quiz wants published, and who receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizEmit {
    pub audience: Audience,
    pub event: QuizEvent,
}

impl QuizEmit {
    fn everyone(event: QuizEvent) -> QuizEmit {
        QuizEmit { audience: Audience::Everyone, event }
    }

    fn to(member: &str, event: QuizEvent) -> QuizEmit {
        QuizEmit { audience: Audience::Member(member.to_string()), event }
    }

    fn roster(event: QuizEvent) -> QuizEmit {
        QuizEmit { audience: Audience::RosterViewers, event }
    }
}

/// One recorded answer.
#[derive(Debug, Clone)]
struct AnswerRecord {
    value: AnswerValue,
    answer: crate::quiz::Answer,
    confidence: Option<u8>,
    at: Millis,
    response_ms: u64,
    outcome: Outcome,
    /// With the speed bonus when it is on.
    points: u32,
    /// Without any bonus (the grade).
    base: u32,
}

/// One vote on a question (a re-vote is a second round).
#[derive(Debug, Clone)]
struct Round {
    opened_at: Millis,
    /// The announced deadline; the question closes `late_grace_ms` later.
    deadline: Option<Millis>,
    answers: BTreeMap<String, AnswerRecord>,
    /// Trainer-paced: the participants expected on this round (attached at
    /// its opening or since, or away for less than the grace then).
    expected: BTreeSet<String>,
}

#[derive(Debug, Clone, Default)]
struct QuestionState {
    rounds: Vec<Round>,
    skipped: bool,
}

#[derive(Debug, Clone)]
struct Participant {
    name: String,
    /// 1-based order of arrival: the pseudonym.
    alias: u32,
    connections: u32,
    /// When their last connection went away (none while connected).
    away_since: Option<Millis>,
    removed: bool,
    /// Left the room for good (`leave`): not waited for by the closing
    /// rule until they join again.
    left: bool,
    /// Self-paced: question indices in this participant's order.
    path: Vec<usize>,
    position: usize,
    /// Self-paced: when each question was first shown (response times).
    reached: BTreeMap<usize, Millis>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Lobby,
    Open(usize),
    Closed(usize),
    Revealed(usize),
    Leaderboard(usize),
    Scheduled { opens_at: Millis, closes_at: Option<Millis> },
    Window { closes_at: Option<Millis> },
    Ended,
}

/// A live quiz session.
#[derive(Debug)]
pub struct QuizSession {
    quiz: Quiz,
    settings: QuizSettings,
    seed: u64,
    phase: Phase,
    questions: Vec<QuestionState>,
    /// Trainer-paced: questions in the order first opened.
    asked: Vec<usize>,
    participants: BTreeMap<String, Participant>,
    next_alias: u32,
    /// Shown order of each ordering question's items.
    orders: Vec<Vec<usize>>,
    dirty: BTreeSet<usize>,
    progress_dirty: bool,
    last_flush: Option<Millis>,
    /// Participants removed by a trainer (they stay in `participants`).
    removed: u32,
    /// Ranks kept between changes (see `score.rs`); a cell because reading
    /// a snapshot may fill it.
    ranks: RefCell<Option<score::Ranks>>,
    /// When the room was last rebuilt (every connection gone at once).
    rebuilt_at: Option<Millis>,
    /// Trainer-paced, a question open: when the closing rule must be
    /// looked at again (a grace running out).
    recheck_at: Option<Millis>,
}

/// What the closing rule says of the open question at some time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CloseDue {
    /// Every expected participant answered.
    Now,
    /// Not before this time (a grace runs out): look again then.
    At(Millis),
    /// Not until something happens (an answer, a departure).
    Never,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::InvalidState, message)
}

fn late(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::AnswerLate, message)
}

impl QuizSession {
    /// A session of `quiz` (already validated). `seed` drives every shuffle.
    pub fn new(quiz: Quiz, settings: QuizSettings, seed: u64) -> QuizSession {
        let orders = quiz
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| match &q.kind {
                crate::quiz::QuestionKind::Ordering { items } => {
                    view::shown_order(items.len(), seed ^ view::hash(&q.id) ^ i as u64)
                }
                _ => Vec::new(),
            })
            .collect();
        QuizSession {
            questions: vec![QuestionState::default(); quiz.questions.len()],
            quiz,
            settings,
            seed,
            phase: Phase::Lobby,
            asked: Vec::new(),
            participants: BTreeMap::new(),
            next_alias: 1,
            orders,
            dirty: BTreeSet::new(),
            progress_dirty: false,
            last_flush: None,
            removed: 0,
            ranks: RefCell::new(None),
            rebuilt_at: None,
            recheck_at: None,
        }
    }

    /// The quiz being run.
    pub fn quiz(&self) -> &Quiz {
        &self.quiz
    }

    pub fn settings(&self) -> &QuizSettings {
        &self.settings
    }

    pub fn is_ended(&self) -> bool {
        self.phase == Phase::Ended
    }

    fn self_paced(&self) -> bool {
        self.settings.mode == QuizMode::SelfPaced
    }

    fn active(&self) -> impl Iterator<Item = (&String, &Participant)> {
        self.participants.iter().filter(|(_, p)| !p.removed)
    }

    fn active_count(&self) -> u32 {
        self.participants.len() as u32 - self.removed
    }

    fn connected(&self) -> u32 {
        self.active().filter(|(_, p)| p.connections > 0).count() as u32
    }

    fn alias(&self, member: &str) -> u32 {
        self.participants.get(member).map_or(0, |p| p.alias)
    }

    /// The name shown for `member` under the anonymity mode.
    fn display_name(&self, member: &str) -> Option<String> {
        let p = self.participants.get(member)?;
        match self.settings.anonymity {
            Anonymity::Named => Some(p.name.clone()),
            Anonymity::Pseudonym => Some(format!("Participant {}", p.alias)),
            Anonymity::Anonymous => None,
        }
    }

    fn final_answer(&self, q: usize, member: &str) -> Option<&AnswerRecord> {
        self.questions[q].rounds.iter().rev().find_map(|r| r.answers.get(member))
    }

    // ----- membership -------------------------------------------------

    /// A connection of `who` attached. Leaders and observers are not
    /// tracked; a removed participant is refused (`Forbidden`).
    pub fn join(&mut self, who: Actor<'_>, now: Millis) -> Result<(), Refusal> {
        if who.role != Role::Participant {
            return Ok(());
        }
        if !self.participants.contains_key(who.id) {
            let path = match (self.settings.mode, self.settings.order) {
                (QuizMode::SelfPaced, QuestionOrder::Shuffled) => {
                    view::permutation(self.quiz.questions.len(), self.seed ^ view::hash(who.id))
                }
                _ => (0..self.quiz.questions.len()).collect(),
            };
            self.participants.insert(
                who.id.to_string(),
                Participant {
                    name: who.name.to_string(),
                    alias: self.next_alias,
                    connections: 0,
                    away_since: None,
                    removed: false,
                    left: false,
                    path,
                    position: 0,
                    reached: BTreeMap::new(),
                },
            );
            self.next_alias += 1;
        }
        let window_open = matches!(self.phase, Phase::Window { .. });
        let p = self.participants.get_mut(who.id).expect("inserted above");
        if p.removed {
            return Err(Refusal::forbidden("a trainer removed you from this quiz"));
        }
        p.connections += 1;
        p.away_since = None;
        p.left = false;
        if window_open {
            let q = p.path[p.position];
            p.reached.entry(q).or_insert(now);
        }
        if let Phase::Open(q) = self.phase
            && !self.self_paced()
        {
            let round = self.questions[q].rounds.last_mut().expect("open has a round");
            round.expected.insert(who.id.to_string());
            self.recheck(q, now);
        }
        self.touch_presence();
        Ok(())
    }

    /// A connection of `member` went away at `now`; their answers and place
    /// stay, and they stay expected on the open question for
    /// `reconnect_grace_ms`.
    pub fn detach(&mut self, member: &str, now: Millis) {
        if let Some(p) = self.participants.get_mut(member) {
            p.connections = p.connections.saturating_sub(1);
            if p.connections == 0 && p.away_since.is_none() {
                p.away_since = Some(now);
            }
            if let Phase::Open(q) = self.phase {
                self.recheck(q, now);
            }
            self.touch_presence();
        }
    }

    /// `member` left the room for good at `now`: their answers and place
    /// stay, but the closing rule no longer waits for them (a phone that
    /// only lost the network is waited for, see [`detach`](Self::detach)).
    pub fn leave(&mut self, member: &str, now: Millis) {
        if let Some(p) = self.participants.get_mut(member) {
            p.connections = 0;
            p.away_since.get_or_insert(now);
            p.left = true;
            if let Phase::Open(q) = self.phase {
                self.recheck(q, now);
            }
            self.touch_presence();
        }
    }

    /// Every connection went away at once (the room is rebuilt after a
    /// crash, a failover or a restart): answers and places stay, and no
    /// question closes early for `reconnect_grace_ms` from `now`.
    pub fn disconnect_all(&mut self, now: Millis) {
        for p in self.participants.values_mut() {
            if p.connections > 0 || p.away_since.is_none() {
                p.away_since = Some(now);
            }
            p.connections = 0;
        }
        self.rebuilt_at = Some(now);
        if let Phase::Open(q) = self.phase {
            self.recheck(q, now);
        }
        self.touch_presence();
    }

    fn touch_presence(&mut self) {
        match self.phase {
            Phase::Open(q) | Phase::Closed(q) => {
                self.dirty.insert(q);
            }
            Phase::Window { .. } => self.progress_dirty = true,
            _ => {}
        }
    }

    // ----- commands ---------------------------------------------------

    /// Applies a command from `who` at `now`.
    pub fn apply(&mut self, who: Actor<'_>, command: QuizCommand, now: Millis) -> Result<Vec<QuizEmit>, Refusal> {
        // Leaders' commands may change everyone's standing (a reveal, a
        // phase change); an answer refreshes its author's only.
        if who.role.leads() {
            self.forget_ranks();
        }
        let participant_command =
            matches!(command, QuizCommand::Answer { .. } | QuizCommand::NextQuestion | QuizCommand::PreviousQuestion);
        if participant_command {
            if who.role != Role::Participant {
                return Err(Refusal::forbidden("only participants answer"));
            }
        } else if !who.role.leads() {
            return Err(Refusal::forbidden("only a trainer, facilitator or admin runs the quiz"));
        }
        if self.phase == Phase::Ended {
            // An answer that arrives after the end is late, like any answer
            // after its question closed.
            return Err(match command {
                QuizCommand::Answer { .. } => late("the quiz has ended"),
                _ => invalid("the quiz has ended"),
            });
        }
        let trainer_only = matches!(
            command,
            QuizCommand::OpenQuestion { .. }
                | QuizCommand::CloseQuestion
                | QuizCommand::Reveal
                | QuizCommand::Next
                | QuizCommand::Skip
                | QuizCommand::Reopen
                | QuizCommand::Extend { .. }
        );
        let self_only = matches!(
            command,
            QuizCommand::OpenWindow { .. } | QuizCommand::NextQuestion | QuizCommand::PreviousQuestion
        );
        if trainer_only && self.self_paced() {
            return Err(invalid("this quiz is self-paced"));
        }
        if self_only && !self.self_paced() {
            return Err(invalid("this quiz is trainer-paced"));
        }
        match command {
            QuizCommand::Start => {
                if self.phase != Phase::Lobby {
                    return Err(invalid("the quiz has already started"));
                }
                if self.self_paced() { Ok(self.open_window(None, now)) } else { self.open_question(0, now) }
            }
            QuizCommand::OpenQuestion { index } => {
                let index = match index {
                    Some(i) if i >= self.quiz.questions.len() => {
                        return Err(Refusal::new(
                            ErrorCode::OutOfRange,
                            format!("the quiz has {} questions", self.quiz.questions.len()),
                        ));
                    }
                    Some(i) => i,
                    None => self.next_unasked().ok_or_else(|| invalid("every question has been asked"))?,
                };
                match self.phase {
                    Phase::Open(_) => Err(invalid("close the open question first")),
                    _ if !self.questions[index].rounds.is_empty() => {
                        Err(invalid("this question was asked: use reopen for a re-vote"))
                    }
                    _ => self.open_question(index, now),
                }
            }
            QuizCommand::CloseQuestion => match self.phase {
                Phase::Open(q) => Ok(self.close(q, CloseReason::Trainer)),
                _ => Err(invalid("no question is open")),
            },
            QuizCommand::Reveal => match self.phase {
                Phase::Open(q) => {
                    let mut emits = self.close(q, CloseReason::Trainer);
                    emits.extend(self.reveal(q));
                    Ok(emits)
                }
                Phase::Closed(q) => Ok(self.reveal(q)),
                _ => Err(invalid("no closed question to reveal")),
            },
            QuizCommand::ShowLeaderboard => {
                if self.settings.leaderboard == LeaderboardMode::Off {
                    return Err(invalid("the leaderboard is off for this quiz"));
                }
                match self.phase {
                    Phase::Revealed(q) => {
                        self.phase = Phase::Leaderboard(q);
                    }
                    Phase::Window { .. } => {}
                    _ => return Err(invalid("reveal the answer first")),
                }
                Ok(vec![QuizEmit::everyone(QuizEvent::Leaderboard { entries: self.leaderboard() })])
            }
            QuizCommand::Next => match self.phase {
                Phase::Open(_) => Err(invalid("close the open question first")),
                Phase::Lobby | Phase::Closed(_) | Phase::Revealed(_) | Phase::Leaderboard(_) => Ok(self.advance(now)),
                _ => Err(invalid("no question to move on from")),
            },
            QuizCommand::Skip => match self.phase {
                Phase::Open(q) | Phase::Closed(q) => {
                    let mut emits = Vec::new();
                    if matches!(self.phase, Phase::Open(_)) {
                        emits = self.close(q, CloseReason::Skipped);
                    }
                    self.questions[q].skipped = true;
                    self.questions[q].rounds.clear();
                    self.dirty.remove(&q);
                    emits.extend(self.advance(now));
                    Ok(emits)
                }
                _ => Err(invalid("only an open or closed, unrevealed question can be skipped")),
            },
            QuizCommand::Reopen => match self.phase {
                Phase::Closed(q) | Phase::Revealed(q) | Phase::Leaderboard(q) => self.open_question(q, now),
                _ => Err(invalid("no closed question to reopen")),
            },
            QuizCommand::Extend { seconds } => {
                if seconds == 0 || seconds > MAX_EXTEND_S {
                    return Err(Refusal::new(ErrorCode::OutOfRange, format!("extend by 1 to {MAX_EXTEND_S} seconds")));
                }
                let Phase::Open(q) = self.phase else {
                    return Err(invalid("no question is open"));
                };
                let round = self.questions[q].rounds.last_mut().expect("open has a round");
                let base = round.deadline.map_or(now, |d| d.max(now));
                let deadline = base + u64::from(seconds) * 1000;
                round.deadline = Some(deadline);
                Ok(vec![QuizEmit::everyone(QuizEvent::DeadlineExtended { index: q, deadline_ms: deadline })])
            }
            QuizCommand::End => Ok(self.end()),
            QuizCommand::RemoveParticipant { member } => self.remove(&member, now),
            QuizCommand::ShowLiveOnProjector { on } => {
                self.settings.live_on_projector = on;
                Ok(vec![QuizEmit::roster(QuizEvent::LiveOnProjector { on })])
            }
            QuizCommand::OpenWindow { opens_at, closes_at } => {
                if !matches!(self.phase, Phase::Lobby | Phase::Scheduled { .. }) {
                    return Err(invalid("the window is already open"));
                }
                let opens = opens_at.unwrap_or(now).max(now);
                if closes_at.is_some_and(|c| c <= opens) {
                    return Err(Refusal::new(
                        ErrorCode::OutOfRange,
                        "the window must close after it opens and after now",
                    ));
                }
                if opens > now {
                    self.phase = Phase::Scheduled { opens_at: opens, closes_at };
                    Ok(vec![QuizEmit::everyone(QuizEvent::WindowScheduled { opens_at: opens, closes_at })])
                } else {
                    Ok(self.open_window(closes_at, now))
                }
            }
            QuizCommand::Answer { question, answer, confidence } => self.answer(who, question, answer, confidence, now),
            QuizCommand::NextQuestion => self.navigate(who, true, now),
            QuizCommand::PreviousQuestion => self.navigate(who, false, now),
        }
    }

    /// Trainer-paced: the first question after the current one (then from
    /// the start) neither asked nor skipped.
    fn next_unasked(&self) -> Option<usize> {
        let n = self.quiz.questions.len();
        let from = match self.phase {
            Phase::Open(q) | Phase::Closed(q) | Phase::Revealed(q) | Phase::Leaderboard(q) => q + 1,
            _ => 0,
        };
        (from..n).chain(0..from.min(n)).find(|&q| self.questions[q].rounds.is_empty() && !self.questions[q].skipped)
    }

    /// Opens the next unasked question, or ends the quiz.
    fn advance(&mut self, now: Millis) -> Vec<QuizEmit> {
        match self.next_unasked() {
            Some(q) => self.open_question(q, now).unwrap_or_default(),
            None => self.end(),
        }
    }

    fn open_question(&mut self, q: usize, now: Millis) -> Result<Vec<QuizEmit>, Refusal> {
        let question = &self.quiz.questions[q];
        let deadline = question.time_limit_s.map(|s| now + u64::from(s) * 1000);
        let grace = self.settings.reconnect_grace_ms;
        let expected = self
            .participants
            .iter()
            .filter(|(_, p)| {
                !p.removed && !p.left && (p.connections > 0 || p.away_since.is_some_and(|a| now < a + grace))
            })
            .map(|(id, _)| id.clone())
            .collect();
        let state = &mut self.questions[q];
        state.skipped = false;
        state.rounds.push(Round { opened_at: now, deadline, answers: BTreeMap::new(), expected });
        let round = state.rounds.len() as u32;
        if !self.asked.contains(&q) {
            self.asked.push(q);
        }
        self.phase = Phase::Open(q);
        self.dirty.insert(q);
        let question = view::question_view(question, q, &self.orders[q]);
        self.recheck(q, now);
        Ok(vec![QuizEmit::everyone(QuizEvent::QuestionOpened {
            question,
            round,
            opened_at: now,
            deadline_ms: deadline,
            position: None,
        })])
    }

    fn close(&mut self, q: usize, reason: CloseReason) -> Vec<QuizEmit> {
        self.phase = Phase::Closed(q);
        self.recheck_at = None;
        self.dirty.insert(q);
        let answered = self.questions[q].rounds.last().map_or(0, |r| r.answers.len() as u32);
        vec![QuizEmit::everyone(QuizEvent::QuestionClosed { index: q, reason, answered })]
    }

    fn round_stats(&self, q: usize, round: usize) -> QuestionStats {
        let answers = &self.questions[q].rounds[round].answers;
        QuestionStats {
            index: q,
            round: round as u32 + 1,
            answered: answers.len() as u32,
            distribution: stats::distribution(&self.quiz.questions[q], answers.values()),
        }
    }

    /// The figures of question `q`'s latest round, if it was asked.
    pub fn current_stats(&self, q: usize) -> Option<QuestionStats> {
        let rounds = self.questions[q].rounds.len();
        (rounds > 0).then(|| self.round_stats(q, rounds - 1))
    }

    fn confidently_wrong(&self, q: usize) -> u32 {
        self.questions[q].rounds.last().map_or(0, |r| {
            r.answers.values().filter(|a| a.confidence == Some(SURE) && a.outcome.correct == Some(false)).count() as u32
        })
    }

    fn revealed_event(&self, q: usize) -> QuizEvent {
        let question = &self.quiz.questions[q];
        let rounds = self.questions[q].rounds.len();
        QuizEvent::Revealed {
            index: q,
            correct: view::correct_answer(question),
            explanation: question.explanation.clone(),
            stats: self.round_stats(q, rounds - 1),
            previous: (rounds > 1).then(|| self.round_stats(q, rounds - 2)),
            confidently_wrong: self.confidently_wrong(q),
        }
    }

    /// How `record` fared on question `q`, with the answer when it may be
    /// shown.
    fn result(&self, q: usize, record: &AnswerRecord, show_answer: bool) -> AnswerResult {
        let question = &self.quiz.questions[q];
        AnswerResult {
            question: q,
            correct: record.outcome.correct,
            points: record.points,
            correct_answer: show_answer.then(|| view::correct_answer(question)),
            explanation: if show_answer { question.explanation.clone() } else { None },
            feedback: if show_answer { view::feedback(question, &record.answer) } else { None },
        }
    }

    fn reveal(&mut self, q: usize) -> Vec<QuizEmit> {
        self.phase = Phase::Revealed(q);
        let mut emits = vec![QuizEmit::everyone(self.revealed_event(q))];
        for (member, score) in self.score_views() {
            let results =
                self.final_answer(q, &member).map(|record| self.result(q, record, true)).into_iter().collect();
            emits.push(QuizEmit::to(&member, QuizEvent::YourScore { score, results }));
        }
        emits
    }

    fn leaderboard(&self) -> Vec<LeaderboardEntry> {
        if self.settings.leaderboard == LeaderboardMode::Off {
            return Vec::new();
        }
        let names = self.settings.leaderboard == LeaderboardMode::Named;
        self.ranking()
            .into_iter()
            .take(LEADERBOARD_SIZE)
            .map(|(id, s, rank)| LeaderboardEntry {
                rank,
                name: if names { self.display_name(&id) } else { None },
                score: s.score,
            })
            .collect()
    }

    /// The session's summary: per question, answered, correct and
    /// confidently wrong; the top of the leaderboard.
    pub fn summary(&self) -> Summary {
        Summary {
            participants: self.active().count() as u32,
            questions: (0..self.quiz.questions.len())
                .map(|q| {
                    let finals: Vec<&AnswerRecord> =
                        self.active().filter_map(|(id, _)| self.final_answer(q, id)).collect();
                    QuestionSummary {
                        index: q,
                        skipped: self.questions[q].skipped,
                        answered: finals.len() as u32,
                        graded: self.quiz.questions[q].kind.is_graded(),
                        correct: finals.iter().filter(|a| a.outcome.correct == Some(true)).count() as u32,
                        confidently_wrong: finals
                            .iter()
                            .filter(|a| a.confidence == Some(SURE) && a.outcome.correct == Some(false))
                            .count() as u32,
                    }
                })
                .collect(),
            leaderboard: self.leaderboard(),
        }
    }

    fn end(&mut self) -> Vec<QuizEmit> {
        let mut emits = Vec::new();
        if let Phase::Open(q) = self.phase {
            emits = self.close(q, CloseReason::Ended);
        }
        self.phase = Phase::Ended;
        self.dirty.clear();
        self.progress_dirty = false;
        emits.push(QuizEmit::everyone(QuizEvent::Ended { summary: self.summary() }));
        for (member, score) in self.score_views() {
            let results =
                self.counted_answers(&member).into_iter().map(|(q, record)| self.result(q, record, true)).collect();
            emits.push(QuizEmit::to(&member, QuizEvent::YourScore { score, results }));
        }
        emits
    }

    fn counted_answers(&self, member: &str) -> Vec<(usize, &AnswerRecord)> {
        (0..self.quiz.questions.len())
            .filter(|&q| !self.questions[q].skipped)
            .filter_map(|q| self.final_answer(q, member).map(|r| (q, r)))
            .collect()
    }

    fn remove(&mut self, member: &str, now: Millis) -> Result<Vec<QuizEmit>, Refusal> {
        let Some(p) = self.participants.get_mut(member).filter(|p| !p.removed) else {
            return Err(Refusal::new(ErrorCode::NotFound, "no participant of this quiz has this id"));
        };
        p.removed = true;
        p.connections = 0;
        self.removed += 1;
        self.forget_ranks();
        for (q, state) in self.questions.iter_mut().enumerate() {
            for round in &mut state.rounds {
                if round.answers.remove(member).is_some() {
                    self.dirty.insert(q);
                }
            }
        }
        self.progress_dirty |= self.self_paced();
        let event = QuizEvent::ParticipantRemoved { member: member.to_string() };
        let mut emits = vec![QuizEmit::to(member, event.clone()), QuizEmit::roster(event)];
        if let Phase::Open(q) = self.phase {
            emits.extend(self.close_if_all_answered(q, now));
        }
        Ok(emits)
    }

    /// The closing rule for open question `q` at `now` (see the module
    /// documentation). Stops at the first connected participant who has not
    /// answered.
    fn close_due(&self, q: usize, now: Millis) -> CloseDue {
        if !self.settings.close_when_all_answered || self.self_paced() {
            return CloseDue::Never;
        }
        let grace = self.settings.reconnect_grace_ms;
        let round = self.questions[q].rounds.last().expect("open has a round");
        let mut later = self.rebuilt_at.map(|r| r + grace).filter(|end| *end > now);
        let mut anyone = false;
        for id in &round.expected {
            let Some(p) = self.participants.get(id).filter(|p| !p.removed && !p.left) else { continue };
            let answered = round.answers.contains_key(id);
            if p.connections == 0 {
                let Some(expires) = p.away_since.map(|a| a + grace).filter(|e| *e > now) else {
                    continue; // away for longer than the grace: not waited for
                };
                if !answered {
                    later = Some(later.map_or(expires, |l| l.max(expires)));
                }
            } else if !answered {
                return CloseDue::Never;
            }
            anyone = true;
        }
        match later {
            Some(at) if anyone => CloseDue::At(at),
            _ if anyone => CloseDue::Now,
            _ => CloseDue::Never,
        }
    }

    /// Looks at the closing rule again after a membership change: a close
    /// it allows is due at once (the room ticks after every input).
    fn recheck(&mut self, q: usize, now: Millis) {
        self.recheck_at = match self.close_due(q, now) {
            CloseDue::Now => Some(now),
            CloseDue::At(at) => Some(at),
            CloseDue::Never => None,
        };
    }

    fn close_if_all_answered(&mut self, q: usize, now: Millis) -> Vec<QuizEmit> {
        match self.close_due(q, now) {
            CloseDue::Now => self.close(q, CloseReason::AllAnswered),
            CloseDue::At(at) => {
                self.recheck_at = Some(at);
                Vec::new()
            }
            CloseDue::Never => {
                self.recheck_at = None;
                Vec::new()
            }
        }
    }

    // ----- answers ----------------------------------------------------

    fn answer(
        &mut self,
        who: Actor<'_>,
        q: usize,
        value: AnswerValue,
        confidence: Option<u8>,
        now: Millis,
    ) -> Result<Vec<QuizEmit>, Refusal> {
        if q >= self.quiz.questions.len() {
            return Err(Refusal::new(ErrorCode::OutOfRange, "no such question"));
        }
        let participant = match self.participants.get(who.id) {
            Some(p) if p.removed => {
                return Err(Refusal::forbidden("a trainer removed you from this quiz"));
            }
            Some(p) => p,
            None => return Err(invalid("join the quiz first")),
        };
        let grace = self.settings.late_grace_ms;
        // When the answering time started, and whether an earlier answer
        // may be replaced.
        let (started, may_change) = match self.phase {
            Phase::Open(open) if open == q => {
                let round = self.questions[q].rounds.last().expect("open has a round");
                if round.deadline.is_some_and(|d| now > d + grace) {
                    return Err(late("question closed: the answer came after the deadline"));
                }
                (round.opened_at, self.settings.allow_change)
            }
            Phase::Window { closes_at } if self.self_paced() => {
                if closes_at.is_some_and(|c| now > c + grace) {
                    return Err(late("the quiz window has closed"));
                }
                if participant.path[participant.position] != q {
                    return Err(invalid("this is not your current question"));
                }
                let started = participant.reached.get(&q).copied().unwrap_or(now);
                let may_change = self.settings.allow_change && self.settings.feedback == Feedback::AtEnd;
                (started, may_change)
            }
            Phase::Scheduled { .. } | Phase::Lobby => {
                return Err(invalid("the quiz has not started"));
            }
            Phase::Open(_) => return Err(invalid("this question is not the open one")),
            Phase::Closed(i) | Phase::Revealed(i) | Phase::Leaderboard(i) if i == q => {
                return Err(late("question closed"));
            }
            _ => return Err(invalid("this question is not open")),
        };
        let round = if self.self_paced() { 0 } else { self.questions[q].rounds.len() - 1 };
        if !may_change && self.questions[q].rounds[round].answers.contains_key(who.id) {
            return Err(invalid("you have already answered this question"));
        }
        let confidence = match confidence {
            Some(c) if !(1..=SURE).contains(&c) => {
                return Err(Refusal::new(ErrorCode::OutOfRange, "the confidence level is 1 to 3"));
            }
            c if self.settings.confidence => c,
            _ => None,
        };
        let question = &self.quiz.questions[q];
        let answer = view::to_answer(&value, &self.orders[q]);
        let outcome = check(question, &answer).map_err(|e| Refusal::new(e.code(), e.to_string()))?;
        let response_ms = now.saturating_sub(started);
        let speed = match (self.settings.speed_bonus, question.time_limit_s) {
            (true, Some(limit)) => {
                Some(SpeedBonus { answered_after_ms: response_ms, limit_ms: u64::from(limit) * 1000 })
            }
            _ => None,
        };
        let record = AnswerRecord {
            value: value.clone(),
            answer,
            confidence,
            at: now,
            response_ms,
            outcome,
            points: points(question, outcome.fraction, speed),
            base: points(question, outcome.fraction, None),
        };
        let immediate = self.self_paced() && self.settings.feedback == Feedback::Immediate;
        let result = immediate.then(|| self.result(q, &record, true));
        self.questions[q].rounds[round].answers.insert(who.id.to_string(), record);
        self.refresh_rank(who.id);
        self.dirty.insert(q);
        let mut emits =
            vec![QuizEmit::to(who.id, QuizEvent::AnswerAccepted { question: q, answer: value, confidence, result })];
        if self.self_paced() {
            self.progress_dirty = true;
            let s = self.standing(who.id);
            if immediate
                && s.answered == s.counted
                && let Some(score) = self.score_view(who.id)
            {
                emits.push(QuizEmit::to(who.id, QuizEvent::YourScore { score, results: Vec::new() }));
            }
        } else {
            emits.extend(self.close_if_all_answered(q, now));
        }
        Ok(emits)
    }

    // ----- self-paced -------------------------------------------------

    fn open_window(&mut self, closes_at: Option<Millis>, now: Millis) -> Vec<QuizEmit> {
        self.phase = Phase::Window { closes_at };
        for state in &mut self.questions {
            if state.rounds.is_empty() {
                state.rounds.push(Round {
                    opened_at: now,
                    deadline: closes_at,
                    answers: BTreeMap::new(),
                    expected: BTreeSet::new(),
                });
            }
        }
        self.progress_dirty = true;
        let mut emits = vec![QuizEmit::everyone(QuizEvent::WindowOpened { closes_at })];
        let connected: Vec<String> =
            self.active().filter(|(_, p)| p.connections > 0).map(|(id, _)| id.clone()).collect();
        for member in connected {
            let p = self.participants.get_mut(&member).expect("listed above");
            let q = p.path[p.position];
            p.reached.entry(q).or_insert(now);
            emits.push(QuizEmit::to(&member, self.path_question(&member)));
        }
        emits
    }

    /// The `question_opened` of `member`'s current self-paced question.
    fn path_question(&self, member: &str) -> QuizEvent {
        let current = self.path_current(member).expect("a participant");
        QuizEvent::QuestionOpened {
            question: current.question,
            round: current.round,
            opened_at: current.opened_at,
            deadline_ms: current.deadline_ms,
            position: current.position,
        }
    }

    fn path_current(&self, member: &str) -> Option<CurrentQuestion> {
        let p = self.participants.get(member)?;
        let q = *p.path.get(p.position)?;
        let closes_at = match self.phase {
            Phase::Window { closes_at } => closes_at,
            _ => None,
        };
        Some(CurrentQuestion {
            question: view::question_view(&self.quiz.questions[q], q, &self.orders[q]),
            round: 1,
            opened_at: p.reached.get(&q).copied().unwrap_or_default(),
            deadline_ms: closes_at,
            position: Some(p.position),
        })
    }

    fn navigate(&mut self, who: Actor<'_>, forward: bool, now: Millis) -> Result<Vec<QuizEmit>, Refusal> {
        if !matches!(self.phase, Phase::Window { .. }) {
            return Err(invalid("the quiz is not open"));
        }
        let Some(p) = self.participants.get_mut(who.id).filter(|p| !p.removed) else {
            return Err(invalid("join the quiz first"));
        };
        if forward {
            if p.position + 1 >= p.path.len() {
                return Err(invalid("this is the last question"));
            }
            p.position += 1;
        } else {
            if p.position == 0 {
                return Err(invalid("this is the first question"));
            }
            p.position -= 1;
        }
        let q = p.path[p.position];
        p.reached.entry(q).or_insert(now);
        self.progress_dirty = true;
        Ok(vec![QuizEmit::to(who.id, self.path_question(who.id))])
    }

    fn progress(&self) -> Progress {
        let n = self.quiz.questions.len();
        let mut questions = vec![ProgressCount { answered: 0, correct: 0 }; n];
        let mut rows = Vec::new();
        let mut finished = 0;
        for (id, p) in self.active() {
            let mut cells = vec![Cell::NotReached; n];
            for q in p.reached.keys() {
                cells[*q] = Cell::Seen;
            }
            let mut answered = 0;
            for (q, cell) in cells.iter_mut().enumerate() {
                if let Some(record) = self.final_answer(q, id) {
                    answered += 1;
                    questions[q].answered += 1;
                    *cell = match record.outcome.correct {
                        Some(true) => {
                            questions[q].correct += 1;
                            Cell::Correct
                        }
                        Some(false) => Cell::Wrong,
                        None => Cell::Answered,
                    };
                }
            }
            finished += u32::from(answered == n);
            if self.settings.anonymity != Anonymity::Anonymous {
                rows.push(ProgressRow {
                    member: match self.settings.anonymity {
                        Anonymity::Named => id.clone(),
                        _ => format!("participant-{}", p.alias),
                    },
                    name: self.display_name(id).unwrap_or_default(),
                    connected: p.connections > 0,
                    cells,
                });
            }
        }
        Progress { rows, questions, finished, participants: self.active().count() as u32 }
    }

    // ----- time -------------------------------------------------------

    /// When the coalesced figures are due, if any are pending.
    fn aggregate_due(&self) -> Option<Millis> {
        if self.dirty.is_empty() && !self.progress_dirty {
            return None;
        }
        Some(self.last_flush.map_or(0, |last| last + self.settings.coalesce_ms))
    }

    /// When the room actor should call [`QuizSession::tick`] next: the
    /// open question's close (`deadline + grace`), the window's opening or
    /// closing, or pending live figures.
    pub fn next_deadline(&self) -> Option<Millis> {
        let grace = self.settings.late_grace_ms;
        let phase_due = match self.phase {
            Phase::Open(q) => {
                let closes = self.questions[q].rounds.last().and_then(|r| r.deadline).map(|d| d + grace);
                [closes, self.recheck_at].into_iter().flatten().min()
            }
            Phase::Scheduled { opens_at, .. } => Some(opens_at),
            Phase::Window { closes_at } => closes_at.map(|c| c + grace),
            _ => None,
        };
        [phase_due, self.aggregate_due()].into_iter().flatten().min()
    }

    /// Everything due at `now`: deadlines first, then the coalesced
    /// figures.
    pub fn tick(&mut self, now: Millis) -> Vec<QuizEmit> {
        let phase_before = self.phase;
        let emits = self.tick_phase(now);
        if self.phase != phase_before {
            self.forget_ranks();
        }
        emits
    }

    fn tick_phase(&mut self, now: Millis) -> Vec<QuizEmit> {
        let grace = self.settings.late_grace_ms;
        let mut emits = Vec::new();
        match self.phase {
            Phase::Open(q) => {
                let due = self.questions[q].rounds.last().and_then(|r| r.deadline);
                if due.is_some_and(|d| now >= d + grace) {
                    emits.extend(self.close(q, CloseReason::Deadline));
                } else if self.recheck_at.is_some_and(|at| now >= at) {
                    emits.extend(self.close_if_all_answered(q, now));
                }
            }
            Phase::Scheduled { opens_at, closes_at } if now >= opens_at => {
                emits.extend(self.open_window(closes_at, now));
            }
            Phase::Window { closes_at: Some(c) } if now >= c + grace => {
                emits.extend(self.end());
            }
            _ => {}
        }
        emits.extend(self.flush(now));
        emits
    }

    /// The coalesced live figures, if due at `now`: at most one
    /// `aggregate` (and, self-paced, one `progress`) per period, to the
    /// trainer and the projector.
    pub fn flush(&mut self, now: Millis) -> Vec<QuizEmit> {
        match self.aggregate_due() {
            Some(due) if due <= now => {}
            _ => return Vec::new(),
        }
        self.last_flush = Some(now);
        let mut emits = Vec::new();
        let dirty = std::mem::take(&mut self.dirty);
        let questions: Vec<QuestionStats> = dirty.into_iter().filter_map(|q| self.current_stats(q)).collect();
        if !questions.is_empty() {
            emits.push(QuizEmit::roster(QuizEvent::Aggregate { questions, connected: self.connected() }));
        }
        if std::mem::take(&mut self.progress_dirty) {
            emits.push(QuizEmit::roster(QuizEvent::Progress { progress: self.progress() }));
        }
        emits
    }

    // ----- snapshots --------------------------------------------------

    fn phase_view(&self) -> QuizPhase {
        match self.phase {
            Phase::Lobby => QuizPhase::Lobby,
            Phase::Open(index) => QuizPhase::Open { index },
            Phase::Closed(index) => QuizPhase::Closed { index },
            Phase::Revealed(index) => QuizPhase::Revealed { index },
            Phase::Leaderboard(index) => QuizPhase::Leaderboard { index },
            Phase::Scheduled { opens_at, .. } => QuizPhase::Scheduled { opens_at },
            Phase::Window { closes_at } => QuizPhase::Window { closes_at },
            Phase::Ended => QuizPhase::Ended,
        }
    }

    /// The quiz as `who` sees it now: the open question without its
    /// answer, their own answer, score and rank; live figures and the
    /// progress grid for leaders and observers.
    pub fn snapshot(&self, who: Actor<'_>) -> QuizSnapshot {
        let participant = who.role == Role::Participant && self.participants.get(who.id).is_some_and(|p| !p.removed);
        let current_q = match self.phase {
            Phase::Open(q) | Phase::Closed(q) | Phase::Revealed(q) | Phase::Leaderboard(q) => Some(q),
            _ => None,
        };
        let revealed = matches!(self.phase, Phase::Revealed(_) | Phase::Leaderboard(_));
        let mut snapshot = QuizSnapshot {
            title: self.quiz.title.clone(),
            settings: self.settings.clone(),
            question_count: self.quiz.questions.len(),
            phase: self.phase_view(),
            current: None,
            your_answer: None,
            your_score: None,
            revealed: None,
            stats: Vec::new(),
            progress: None,
            leaderboard: None,
            summary: None,
        };
        if let Some(q) = current_q {
            let round = self.questions[q].rounds.last().expect("asked");
            snapshot.current = Some(CurrentQuestion {
                question: view::question_view(&self.quiz.questions[q], q, &self.orders[q]),
                round: self.questions[q].rounds.len() as u32,
                opened_at: round.opened_at,
                deadline_ms: round.deadline,
                position: None,
            });
            if participant && let Some(record) = round.answers.get(who.id) {
                snapshot.your_answer = Some(self.your_answer(q, record, revealed));
            }
            if revealed {
                snapshot.revealed = Some(self.revealed_event(q));
            }
            if who.role.sees_roster() {
                snapshot.stats = self.current_stats(q).into_iter().collect();
            }
        }
        if self.self_paced() && matches!(self.phase, Phase::Window { .. }) {
            if participant {
                snapshot.current = self.path_current(who.id);
                if let Some(current) = &snapshot.current
                    && let Some(record) = self.final_answer(current.question.index, who.id)
                {
                    let immediate = self.settings.feedback == Feedback::Immediate;
                    snapshot.your_answer = Some(self.your_answer(current.question.index, record, immediate));
                }
            }
            if who.role.sees_roster() {
                snapshot.stats = (0..self.quiz.questions.len()).filter_map(|q| self.current_stats(q)).collect();
                snapshot.progress = Some(self.progress());
            }
        }
        // With feedback at the end, a self-paced score would tell right from
        // wrong before the end.
        let score_hidden = self.self_paced() && self.settings.feedback == Feedback::AtEnd && self.phase != Phase::Ended;
        if participant && !score_hidden {
            snapshot.your_score = self.score_view(who.id);
        }
        let board_shown = matches!(self.phase, Phase::Leaderboard(_) | Phase::Ended);
        if board_shown && self.settings.leaderboard != LeaderboardMode::Off {
            snapshot.leaderboard = Some(self.leaderboard());
        }
        if self.phase == Phase::Ended {
            snapshot.summary = Some(self.summary());
        }
        snapshot
    }

    fn your_answer(&self, q: usize, record: &AnswerRecord, show_result: bool) -> YourAnswer {
        YourAnswer {
            answer: record.value.clone(),
            confidence: record.confidence,
            at: record.at,
            result: show_result.then(|| self.result(q, record, true)),
        }
    }
}
