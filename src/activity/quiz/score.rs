//! Scores, ranks, completion and the results export.
//!
//! **Score** (leaderboard, `your_score`): for each counted question (asked
//! and not skipped in the trainer-paced mode; every non-skipped question in
//! the participant's path when self-paced), the points of the participant's
//! last answer (the re-vote's when they voted again, else the first vote's):
//! `scoring::points` with the speed bonus when `speed_bonus` is on.
//!
//! **Streak bonus** (`streak_bonus`): in the order the questions were asked
//! (or the participant's path), each right answer to a graded question that
//! extends a run of right answers earns `10 % × (run length − 1)` of that
//! question's points, capped at 50 %: the 2nd right in a row +10 %, the 3rd
//! +20 %, … the 6th and later +50 %. A wrong or missing answer to a graded
//! question ends the run; ungraded questions neither extend nor end it.
//!
//! **Grade** (completion, pass mark): the points without any bonus, out of
//! the points of the counted graded questions, so that speed never decides
//! a pass.
//!
//! **Ranks**: by score, ties sharing a rank (1, 1, 3).
//!
//! **Completion** (Moodle states): self-paced, complete when every
//! non-skipped question is answered; trainer-paced, complete when connected
//! at the end and having answered at least `completion_share` of the asked
//! questions (none asked: incomplete). With a `pass_mark`, a complete
//! participant is passed when `grade ≥ pass_mark × max` (a quiz without
//! graded questions passes everyone), else failed.

use std::collections::{BTreeMap, HashMap};

use amphi_protocol::quiz::{Anonymity, QuizMode, ScoreView};

use super::{Millis, Phase, QuizSession};

/// Moodle's completion states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CompletionState {
    Incomplete = 0,
    Complete = 1,
    CompletePassed = 2,
    CompleteFailed = 3,
}

/// One participant's completion, for the course store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub member: String,
    pub state: CompletionState,
    /// Points without bonuses.
    pub score: u32,
    pub max_score: u32,
}

/// One answer, for the CSV export. `participant` follows the anonymity
/// mode (name, alias, or none); `member` is absent unless named.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResultRow {
    pub member: Option<String>,
    pub participant: Option<String>,
    pub question: usize,
    pub question_id: String,
    /// 1 for the first vote, 2 for a re-vote, …
    pub round: u32,
    /// The answer in the quiz's own terms (ordering: indices into the
    /// correct list, not the shuffled one the participant saw).
    pub answer: crate::quiz::Answer,
    pub correct: Option<bool>,
    /// Points of this answer (speed bonus included, streak not).
    pub points: u32,
    pub confidence: Option<u8>,
    pub response_ms: u64,
    pub answered_at: Millis,
}

/// Every active participant's standing and all scores, best first; kept
/// by the session between changes (see [`QuizSession::score_view`]).
#[derive(Debug, Default)]
pub(super) struct Ranks {
    standings: HashMap<String, Standing>,
    /// Descending.
    scores: Vec<u32>,
}

impl Ranks {
    /// 1 + the number of better scores: ties share a rank.
    fn rank(&self, score: u32) -> u32 {
        1 + self.scores.partition_point(|s| *s > score) as u32
    }

    fn replace(&mut self, member: &str, standing: Standing) {
        if let Some(old) = self.standings.insert(member.to_string(), standing) {
            let at = self.scores.partition_point(|s| *s > old.score);
            if self.scores.get(at) == Some(&old.score) {
                self.scores.remove(at);
            }
        }
        let at = self.scores.partition_point(|s| *s > standing.score);
        self.scores.insert(at, standing.score);
    }
}

/// A participant's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Standing {
    pub score: u32,
    pub grade: u32,
    pub max: u32,
    pub answered: u32,
    pub counted: u32,
}

/// Streak bonus for the `run`-th right answer in a row.
pub(super) fn streak_bonus(points: u32, run: u32) -> u32 {
    let tenths = run.saturating_sub(1).min(5);
    (f64::from(points) * f64::from(tenths) / 10.0).round() as u32
}

impl QuizSession {
    /// Questions that count for `member`, in order.
    /// The questions that count for `member`'s score: trainer-paced, the
    /// asked ones except one still open or closed but not revealed (a score
    /// must not tell a participant whether they were right before the
    /// reveal).
    fn counted(&self, member: &str) -> Vec<usize> {
        let unsettled = match self.phase {
            Phase::Open(q) | Phase::Closed(q) => Some(q),
            _ => None,
        };
        let order: Vec<usize> = match self.settings.mode {
            QuizMode::TrainerPaced => self.asked.iter().copied().filter(|q| Some(*q) != unsettled).collect(),
            QuizMode::SelfPaced => self.participants.get(member).map(|p| p.path.clone()).unwrap_or_default(),
        };
        order.into_iter().filter(|&q| !self.questions[q].skipped).collect()
    }

    pub(super) fn standing(&self, member: &str) -> Standing {
        let mut standing = Standing::default();
        let mut run = 0;
        for q in self.counted(member) {
            let question = &self.quiz.questions[q];
            let graded = question.kind.is_graded();
            standing.counted += 1;
            if graded {
                standing.max += question.points;
            }
            let Some(record) = self.final_answer(q, member) else {
                if graded {
                    run = 0;
                }
                continue;
            };
            standing.answered += 1;
            standing.score += record.points;
            standing.grade += record.base;
            if graded {
                if record.outcome.correct == Some(true) {
                    run += 1;
                    if self.settings.streak_bonus {
                        standing.score += streak_bonus(question.points, run);
                    }
                } else {
                    run = 0;
                }
            }
        }
        standing
    }

    /// Every active participant's standing and rank.
    /// Every active participant with their standing and rank (ties share a
    /// rank), best first, then by arrival.
    pub(super) fn ranking(&self) -> Vec<(String, Standing, u32)> {
        let mut ranked = self.with_ranks(|ranks| {
            self.active()
                .map(|(id, _)| {
                    let standing = ranks.standings.get(id).copied().unwrap_or_default();
                    (id.clone(), standing, ranks.rank(standing.score))
                })
                .collect::<Vec<_>>()
        });
        ranked.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| self.alias(&a.0).cmp(&self.alias(&b.0))));
        ranked
    }

    /// Every active participant's score view.
    pub(super) fn score_views(&self) -> BTreeMap<String, ScoreView> {
        self.active().filter_map(|(id, _)| self.score_view(id).map(|view| (id.clone(), view))).collect()
    }

    /// One participant's score, rank and answered count, from the ranks
    /// kept between changes: O(log N), so that a thousand joins do not rank
    /// everyone a thousand times.
    pub(super) fn score_view(&self, member: &str) -> Option<ScoreView> {
        self.participants.get(member).filter(|p| !p.removed)?;
        let participants = self.active_count();
        Some(self.with_ranks(|ranks| {
            let standing = ranks.standings.get(member).copied().unwrap_or_default();
            ScoreView {
                score: standing.score,
                rank: ranks.rank(standing.score),
                participants,
                answered: standing.answered,
            }
        }))
    }

    /// Runs `read` on the ranks, computing them first if they were dropped.
    fn with_ranks<T>(&self, read: impl FnOnce(&Ranks) -> T) -> T {
        if self.ranks.borrow().is_none() {
            let ranks = self.compute_ranks();
            *self.ranks.borrow_mut() = Some(ranks);
        }
        let ranks = self.ranks.borrow();
        read(ranks.as_ref().unwrap_or(&Ranks::default()))
    }

    fn compute_ranks(&self) -> Ranks {
        let standings: HashMap<String, Standing> =
            self.active().map(|(id, _)| (id.clone(), self.standing(id))).collect();
        let mut scores: Vec<u32> = standings.values().map(|s| s.score).collect();
        scores.sort_unstable_by(|a, b| b.cmp(a));
        Ranks { standings, scores }
    }

    /// Drops the ranks: standings may have changed for many participants
    /// (a reveal, a phase change, a removal).
    pub(super) fn forget_ranks(&self) {
        self.ranks.borrow_mut().take();
    }

    /// Updates one participant's standing in the ranks, if they are kept.
    pub(super) fn refresh_rank(&self, member: &str) {
        if self.ranks.borrow().is_none() {
            return;
        }
        let standing = self.standing(member);
        if let Some(ranks) = self.ranks.borrow_mut().as_mut() {
            ranks.replace(member, standing);
        }
    }

    /// Each participant's completion in Moodle's states (see the module
    /// documentation). Meant for the end of the quiz; before it, the
    /// figures are those of the moment.
    pub fn completions(&self) -> Vec<Completion> {
        let asked = self.asked.iter().filter(|&&q| !self.questions[q].skipped).count();
        self.active()
            .map(|(id, p)| {
                let s = self.standing(id);
                let complete = match self.settings.mode {
                    QuizMode::SelfPaced => s.counted > 0 && s.answered == s.counted,
                    QuizMode::TrainerPaced => {
                        p.connections > 0
                            && asked > 0
                            && f64::from(s.answered) >= self.settings.completion_share.clamp(0.0, 1.0) * asked as f64
                    }
                };
                let state = match (complete, self.settings.pass_mark) {
                    (false, _) => CompletionState::Incomplete,
                    (true, None) => CompletionState::Complete,
                    (true, Some(mark)) => {
                        if f64::from(s.grade) >= mark.clamp(0.0, 1.0) * f64::from(s.max) {
                            CompletionState::CompletePassed
                        } else {
                            CompletionState::CompleteFailed
                        }
                    }
                };
                Completion { member: id.clone(), state, score: s.grade, max_score: s.max }
            })
            .collect()
    }

    /// Every recorded answer of active participants (every round), by
    /// question then participant, for the CSV export.
    pub fn results(&self) -> Vec<ResultRow> {
        let mut rows = Vec::new();
        for (q, state) in self.questions.iter().enumerate() {
            if state.skipped {
                continue;
            }
            for (r, round) in state.rounds.iter().enumerate() {
                for (member, record) in &round.answers {
                    rows.push(ResultRow {
                        member: (self.settings.anonymity == Anonymity::Named).then(|| member.clone()),
                        participant: self.display_name(member),
                        question: q,
                        question_id: self.quiz.questions[q].id.clone(),
                        round: r as u32 + 1,
                        answer: record.answer.clone(),
                        correct: record.outcome.correct,
                        points: record.points,
                        confidence: record.confidence,
                        response_ms: record.response_ms,
                        answered_at: record.at,
                    });
                }
            }
        }
        rows
    }
}
