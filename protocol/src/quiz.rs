//! Live quiz wire types (issue 3, "Interactive test"): the settings of a
//! session, the commands a trainer or participant sends (`action` tag), the
//! events the session emits (`kind` tag) and the per-viewer snapshot.
//!
//! Privacy rules the server keeps: while a question is open nobody gets the
//! correct answer and participants never get others' answers; in the
//! `anonymous` mode no name appears anywhere (leaderboards show ranks only,
//! the progress grid shows counts only); in the `pseudonym` mode names are
//! replaced by a stable alias (`Participant 7`).

use serde::{Deserialize, Serialize};

use crate::MemberId;

/// Who paces the quiz.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuizMode {
    /// The trainer opens, closes and reveals each question for everyone.
    #[default]
    TrainerPaced,
    /// Each participant moves through the questions at their own pace
    /// within a window the trainer opens.
    SelfPaced,
}

/// What the leaderboard shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaderboardMode {
    /// Ranks, scores and names (or aliases, per [`Anonymity`]).
    #[default]
    Named,
    /// Ranks and scores, no names.
    RanksOnly,
    /// No leaderboard (participants still see their own score).
    Off,
}

/// How participants are named in events, snapshots and results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anonymity {
    /// Their display names.
    #[default]
    Named,
    /// A stable alias by order of arrival: `Participant 1`, `Participant 2`…
    Pseudonym,
    /// No names anywhere; the leaderboard shows ranks only.
    Anonymous,
}

/// When a participant learns whether they were right (self-paced; in the
/// trainer-paced mode the trainer reveals).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feedback {
    /// With the acknowledgement of each answer. Answers cannot then change.
    #[default]
    Immediate,
    /// When the quiz ends.
    AtEnd,
}

/// The question order of a self-paced quiz.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionOrder {
    /// The quiz's order.
    #[default]
    Fixed,
    /// Shuffled per participant (deterministic from the session seed and
    /// the member id, so a participant who comes back sees the same order).
    Shuffled,
}

/// How a live quiz session runs. Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuizSettings {
    pub mode: QuizMode,
    /// An answer may be replaced until the question closes.
    pub allow_change: bool,
    /// Close a question as soon as every participant expected on it
    /// answered: those attached when it opened or since, and those away for
    /// less than `reconnect_grace_ms`; never within `reconnect_grace_ms` of
    /// a room rebuild (a restart, a crash, a failover).
    pub close_when_all_answered: bool,
    /// How long a participant whose connection went away (or every
    /// participant, after a room rebuild) is still waited for by
    /// `close_when_all_answered` (0..=600000).
    pub reconnect_grace_ms: u64,
    /// Answers are still accepted this long after the deadline (network
    /// lag); the question closes at `deadline + grace`.
    pub late_grace_ms: u64,
    /// Ask for a confidence level (1 unsure, 2, 3 sure) with each answer.
    pub confidence: bool,
    /// Faster right answers earn more (see the server's scoring rules).
    pub speed_bonus: bool,
    /// Consecutive right answers earn a bonus.
    pub streak_bonus: bool,
    pub leaderboard: LeaderboardMode,
    pub anonymity: Anonymity,
    pub order: QuestionOrder,
    pub feedback: Feedback,
    /// Trainer-paced: the share of the asked questions a participant
    /// present at the end must have answered to complete the quiz (0..=1).
    pub completion_share: f64,
    /// The share of the maximum points needed to pass (0..=1); none for a
    /// quiz without pass/fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_mark: Option<f64>,
    /// Live aggregates are sent at most once per this period.
    pub coalesce_ms: u64,
    /// The projector shows the live distribution while a question is open
    /// (off by default, as the room would otherwise see the votes build up;
    /// polls are always shown live). Leaders toggle it with
    /// `show_live_on_projector`.
    pub live_on_projector: bool,
}

impl Default for QuizSettings {
    fn default() -> Self {
        QuizSettings {
            mode: QuizMode::TrainerPaced,
            allow_change: false,
            close_when_all_answered: true,
            reconnect_grace_ms: 30_000,
            late_grace_ms: 1500,
            confidence: false,
            speed_bonus: false,
            streak_bonus: false,
            leaderboard: LeaderboardMode::Named,
            anonymity: Anonymity::Named,
            order: QuestionOrder::Fixed,
            feedback: Feedback::Immediate,
            completion_share: 0.5,
            pass_mark: None,
            coalesce_ms: 200,
            live_on_projector: false,
        }
    }
}

/// An answer as a participant sends it, tagged by `type` (the server's
/// scoring `Answer`, same shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerValue {
    /// Single choice: the chosen choice's id.
    Choice { choice: String },
    /// Multiple choice: the selected choices' ids.
    Choices { choices: Vec<String> },
    /// True or false.
    Bool { value: bool },
    /// Numeric.
    Number { value: f64 },
    /// Short or open text.
    Text { text: String },
    /// Ordering: the items as the participant ordered them, each given by
    /// its index in the question view's `items` (the shown order, never the
    /// correct one).
    Order { items: Vec<usize> },
    /// Word cloud.
    Words { words: Vec<String> },
    /// Rating scale.
    Rating { value: u8 },
}

/// A command of the quiz activity, tagged by `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum QuizCommand {
    /// Leader. Trainer-paced: opens the first question. Self-paced: opens
    /// the window now, with no end.
    Start,
    /// Leader, trainer-paced: opens question `index` (0-based), or the next
    /// question not asked yet.
    OpenQuestion {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<usize>,
    },
    /// Leader: closes the open question.
    CloseQuestion,
    /// Leader: shows the correct answer, explanation and distribution
    /// (closing the question first if it is open).
    Reveal,
    /// Leader: shows the leaderboard (after a reveal).
    ShowLeaderboard,
    /// Leader: opens the next question not asked yet, or ends the quiz
    /// after the last one.
    Next,
    /// Leader: drops the current question (its answers do not count) and
    /// moves on as `next` does.
    Skip,
    /// Leader: opens the current question again for a re-vote; both
    /// distributions are kept.
    Reopen,
    /// Leader: adds time to the open question.
    Extend { seconds: u32 },
    /// Leader: ends the quiz now.
    End,
    /// Leader: removes a participant from the quiz.
    RemoveParticipant { member: MemberId },
    /// Leader: shows (or hides) the live distribution on the projector
    /// while a question is open (`settings.live_on_projector`).
    ShowLiveOnProjector { on: bool },
    /// Participant: answers question `question` (0-based index in the quiz).
    Answer {
        question: usize,
        answer: AnswerValue,
        /// 1 (unsure) to 3 (sure), when the quiz asks for it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence: Option<u8>,
    },
    /// Leader, self-paced: opens the quiz from `opens_at` (default now)
    /// until `closes_at` (default: until `end`). Times in ms since the
    /// Unix epoch.
    OpenWindow {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opens_at: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closes_at: Option<u64>,
    },
    /// Participant, self-paced: moves to their next question.
    NextQuestion,
    /// Participant, self-paced: moves back to their previous question.
    PreviousQuestion,
}

/// A question as shown while it is open: no correct answer, no feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    /// 0-based index in the quiz.
    pub index: usize,
    pub id: String,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<u32>,
    /// Points for a fully right answer (0 for ungraded kinds).
    pub points: u32,
    pub kind: QuestionKindView,
}

/// What is asked, without what is right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKindView {
    SingleChoice {
        choices: Vec<ChoiceView>,
    },
    MultipleChoice {
        choices: Vec<ChoiceView>,
    },
    TrueFalse,
    Numeric,
    ShortText,
    /// The items in a shuffled order that is never the correct one; an
    /// `order` answer gives indices into this list.
    Ordering {
        items: Vec<String>,
    },
    WordCloud {
        max_words: u8,
    },
    RatingScale {
        min: u8,
        max: u8,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        labels: Vec<String>,
    },
    OpenText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceView {
    pub id: String,
    pub text: String,
}

/// What was right, shown at the reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CorrectAnswer {
    /// The right choice ids (one for single choice; the positive-weight
    /// ones for multiple choice).
    Choices {
        choices: Vec<String>,
    },
    Bool {
        value: bool,
    },
    /// The accepted ranges with their credit (percent).
    Numeric {
        ranges: Vec<NumericRangeView>,
    },
    /// The accepted texts (`*` matches anything).
    Texts {
        accepted: Vec<String>,
    },
    /// The items in their correct order.
    Order {
        items: Vec<String>,
    },
    /// No right answer (word cloud, rating scale, open text).
    Ungraded,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericRangeView {
    pub min: f64,
    pub max: f64,
    pub weight: f64,
}

/// How the answers to one question are spread, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Distribution {
    /// Single or multiple choice: answers per choice, in the question's order.
    Choices {
        counts: Vec<ChoiceCount>,
    },
    Bool {
        yes: u32,
        no: u32,
    },
    /// Numeric spread; bounds absent while nobody answered.
    Numeric {
        count: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        median: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// Short or open text: the answers (normalized for short text) with
    /// their counts, most frequent first, at most 100.
    Texts {
        answers: Vec<TextCount>,
    },
    /// Ordering: answers, fully right ones, and the mean share of items in
    /// place (0..=1).
    Ordering {
        count: u32,
        exact: u32,
        accuracy: f64,
    },
    /// Word cloud: normalized words, most frequent first, at most 100.
    Words {
        words: Vec<TextCount>,
    },
    /// Rating scale: answers per value, from `min`.
    Rating {
        min: u8,
        counts: Vec<u32>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceCount {
    pub choice: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextCount {
    pub text: String,
    pub count: u32,
}

/// The live state of one question for the trainer and the projector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionStats {
    pub index: usize,
    /// 1 for the first vote, 2 for a re-vote, …
    pub round: u32,
    pub answered: u32,
    pub distribution: Distribution,
}

/// Why a question closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    Deadline,
    Trainer,
    AllAnswered,
    Skipped,
    Ended,
}

/// How one answer fared (immediate feedback, reveal, end results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerResult {
    pub question: usize,
    /// Right or wrong; absent for ungraded kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<bool>,
    /// Points earned, bonuses included.
    pub points: u32,
    /// The correct answer and explanation, when they may be shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_answer: Option<CorrectAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The feedback attached to what the participant chose, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// One line of a leaderboard. `name` is absent with ranks-only boards and
/// in the anonymous mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    /// 1 for the best; ties share a rank (1, 1, 3).
    pub rank: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub score: u32,
}

/// One participant's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreView {
    /// Points, bonuses included.
    pub score: u32,
    /// Rank among the participants (ties share a rank).
    pub rank: u32,
    pub participants: u32,
    pub answered: u32,
}

/// A cell of the self-paced progress grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    NotReached,
    /// Seen (the participant's current or a passed question), not answered.
    Seen,
    Answered,
    Correct,
    Wrong,
}

/// One participant's row of the progress grid; cells by quiz question
/// index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressRow {
    /// The member id in the named mode, else `participant-N` (the alias).
    pub member: MemberId,
    /// Name or alias.
    pub name: String,
    pub connected: bool,
    pub cells: Vec<Cell>,
}

/// Per-question counts of the progress grid (every mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressCount {
    pub answered: u32,
    pub correct: u32,
}

/// The self-paced progress grid. `rows` is empty in the anonymous mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub rows: Vec<ProgressRow>,
    pub questions: Vec<ProgressCount>,
    pub finished: u32,
    pub participants: u32,
}

/// Per-question figures of the end summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSummary {
    pub index: usize,
    pub skipped: bool,
    pub answered: u32,
    /// Whether the question has right and wrong answers (polls, open
    /// questions, word clouds and rating scales do not: their `correct` is
    /// 0 and means nothing, never "0 % correct").
    pub graded: bool,
    /// Right answers (graded kinds).
    pub correct: u32,
    /// Wrong answers given with the highest confidence (3).
    pub confidently_wrong: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub participants: u32,
    pub questions: Vec<QuestionSummary>,
    /// Top of the leaderboard (empty when it is off).
    pub leaderboard: Vec<LeaderboardEntry>,
}

/// What happened in a live quiz, inside an event, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuizEvent {
    /// A question is open for answers (everyone in trainer-paced; one
    /// participant in self-paced). `deadline_ms` is server time.
    QuestionOpened {
        question: QuestionView,
        round: u32,
        opened_at: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline_ms: Option<u64>,
        /// Self-paced: position in the participant's path (0-based).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<usize>,
    },
    /// The open question's deadline moved.
    DeadlineExtended {
        index: usize,
        deadline_ms: u64,
    },
    QuestionClosed {
        index: usize,
        reason: CloseReason,
        answered: u32,
    },
    /// To the participant only: their answer was recorded.
    AnswerAccepted {
        question: usize,
        answer: AnswerValue,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence: Option<u8>,
        /// With immediate feedback (self-paced).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<AnswerResult>,
    },
    /// The correct answer, explanation and final distribution; `previous`
    /// is the first vote's distribution after a re-vote.
    Revealed {
        index: usize,
        correct: CorrectAnswer,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation: Option<String>,
        stats: QuestionStats,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<QuestionStats>,
        confidently_wrong: u32,
    },
    /// Coalesced live figures (trainer and projector): at most one per
    /// coalescing period.
    Aggregate {
        questions: Vec<QuestionStats>,
        /// Participants with a connection.
        connected: u32,
    },
    Leaderboard {
        entries: Vec<LeaderboardEntry>,
    },
    /// Self-paced progress grid (trainer and projector), coalesced.
    Progress {
        progress: Progress,
    },
    /// To one participant: their own result and standing.
    YourScore {
        score: ScoreView,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        results: Vec<AnswerResult>,
    },
    /// Self-paced: the window is open (until `closes_at`, if set).
    WindowOpened {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closes_at: Option<u64>,
    },
    /// Self-paced: the window will open at `opens_at`.
    WindowScheduled {
        opens_at: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closes_at: Option<u64>,
    },
    Ended {
        summary: Summary,
    },
    /// A trainer removed this participant (to them and to leaders).
    ParticipantRemoved {
        member: MemberId,
    },
    /// `settings.live_on_projector` changed (to leaders and projectors).
    LiveOnProjector {
        on: bool,
    },
}

/// Where a quiz session is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum QuizPhase {
    Lobby,
    Open {
        index: usize,
    },
    Closed {
        index: usize,
    },
    Revealed {
        index: usize,
    },
    Leaderboard {
        index: usize,
    },
    /// Self-paced, window not open yet.
    Scheduled {
        opens_at: u64,
    },
    /// Self-paced, participants answering.
    Window {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closes_at: Option<u64>,
    },
    Ended,
}

/// The open (or last) question as a late joiner must see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentQuestion {
    pub question: QuestionView,
    pub round: u32,
    pub opened_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Self-paced: position in the viewer's path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

/// A viewer's own answer to the current question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YourAnswer {
    pub answer: AnswerValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
    pub at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<AnswerResult>,
}

/// The whole quiz as one viewer may see it (late join, reconnect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizSnapshot {
    pub title: String,
    pub settings: QuizSettings,
    pub question_count: usize,
    pub phase: QuizPhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<CurrentQuestion>,
    /// Participants: their answer to the current question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub your_answer: Option<YourAnswer>,
    /// Participants: their standing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub your_score: Option<ScoreView>,
    /// After a reveal: the `revealed` event again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed: Option<QuizEvent>,
    /// Leaders and observers: live figures of the current question(s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stats: Vec<QuestionStats>,
    /// Leaders and observers, self-paced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaderboard: Option<Vec<LeaderboardEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;

    use super::*;
    use crate::Format;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
        for format in [Format::Json, Format::MsgPack] {
            let bytes = format.encode(value).unwrap();
            let back: T = format.decode(&bytes).unwrap_or_else(|e| panic!("{format:?} {value:?}: {}", e.message));
            assert_eq!(&back, value, "{format:?}");
        }
    }

    fn view() -> QuestionView {
        QuestionView {
            index: 0,
            id: "q1".into(),
            prompt: "Capitale ?".into(),
            image_url: Some("https://example.org/a.png".into()),
            time_limit_s: Some(20),
            points: 1000,
            kind: QuestionKindView::SingleChoice {
                choices: vec![ChoiceView { id: "c1".into(), text: "Paris".into() }],
            },
        }
    }

    fn stats(distribution: Distribution) -> QuestionStats {
        QuestionStats { index: 2, round: 1, answered: 3, distribution }
    }

    fn distributions() -> Vec<Distribution> {
        vec![
            Distribution::Choices { counts: vec![ChoiceCount { choice: "c1".into(), count: 4 }] },
            Distribution::Bool { yes: 1, no: 2 },
            Distribution::Numeric { count: 3, min: Some(1.5), median: Some(2.0), max: Some(9.25) },
            Distribution::Numeric { count: 0, min: None, median: None, max: None },
            Distribution::Texts { answers: vec![TextCount { text: "erasme".into(), count: 2 }] },
            Distribution::Ordering { count: 4, exact: 1, accuracy: 0.625 },
            Distribution::Words { words: vec![] },
            Distribution::Rating { min: 1, counts: vec![0, 1, 2] },
        ]
    }

    fn answers() -> Vec<AnswerValue> {
        vec![
            AnswerValue::Choice { choice: "c1".into() },
            AnswerValue::Choices { choices: vec!["c1".into(), "c3".into()] },
            AnswerValue::Bool { value: true },
            AnswerValue::Number { value: 3.5 },
            AnswerValue::Text { text: "Érasme".into() },
            AnswerValue::Order { items: vec![2, 0, 1] },
            AnswerValue::Words { words: vec!["écoute".into()] },
            AnswerValue::Rating { value: 4 },
        ]
    }

    fn result() -> AnswerResult {
        AnswerResult {
            question: 1,
            correct: Some(false),
            points: 0,
            correct_answer: Some(CorrectAnswer::Choices { choices: vec!["c1".into()] }),
            explanation: Some("Parce que.".into()),
            feedback: None,
        }
    }

    #[test]
    fn settings_default_and_round_trip() {
        let settings: QuizSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(settings, QuizSettings::default());
        let custom: QuizSettings = serde_json::from_str(
            r#"{"mode":"self_paced","leaderboard":"ranks_only","anonymity":"pseudonym",
                "order":"shuffled","feedback":"at_end","pass_mark":0.6}"#,
        )
        .unwrap();
        assert_eq!(custom.mode, QuizMode::SelfPaced);
        assert_eq!(custom.pass_mark, Some(0.6));
        round_trip(&settings);
        round_trip(&custom);
    }

    #[test]
    fn commands_round_trip_with_action_tags() {
        let commands = vec![
            QuizCommand::Start,
            QuizCommand::OpenQuestion { index: Some(3) },
            QuizCommand::OpenQuestion { index: None },
            QuizCommand::CloseQuestion,
            QuizCommand::Reveal,
            QuizCommand::ShowLeaderboard,
            QuizCommand::Next,
            QuizCommand::Skip,
            QuizCommand::Reopen,
            QuizCommand::Extend { seconds: 15 },
            QuizCommand::End,
            QuizCommand::RemoveParticipant { member: "p1".into() },
            QuizCommand::OpenWindow { opens_at: Some(10), closes_at: None },
            QuizCommand::NextQuestion,
            QuizCommand::PreviousQuestion,
        ];
        for command in commands.into_iter().chain(answers().into_iter().map(|answer| QuizCommand::Answer {
            question: 1,
            answer,
            confidence: Some(2),
        })) {
            round_trip(&command);
        }
        let parsed: QuizCommand =
            serde_json::from_str(r#"{"action":"answer","question":0,"answer":{"type":"choice","choice":"c2"}}"#)
                .unwrap();
        assert_eq!(
            parsed,
            QuizCommand::Answer { question: 0, answer: AnswerValue::Choice { choice: "c2".into() }, confidence: None }
        );
        assert_eq!(
            serde_json::to_string(&QuizCommand::Extend { seconds: 10 }).unwrap(),
            r#"{"action":"extend","seconds":10}"#
        );
    }

    #[test]
    fn events_round_trip_with_kind_tags() {
        let kinds = vec![
            QuestionKindView::MultipleChoice { choices: vec![] },
            QuestionKindView::TrueFalse,
            QuestionKindView::Numeric,
            QuestionKindView::ShortText,
            QuestionKindView::Ordering { items: vec!["b".into(), "a".into()] },
            QuestionKindView::WordCloud { max_words: 3 },
            QuestionKindView::RatingScale { min: 1, max: 5, labels: vec!["bof".into(), "top".into()] },
            QuestionKindView::OpenText,
        ];
        let corrects = vec![
            CorrectAnswer::Choices { choices: vec!["c1".into()] },
            CorrectAnswer::Bool { value: false },
            CorrectAnswer::Numeric { ranges: vec![NumericRangeView { min: 3.13, max: 3.15, weight: 100.0 }] },
            CorrectAnswer::Texts { accepted: vec!["Érasme".into()] },
            CorrectAnswer::Order { items: vec!["a".into(), "b".into()] },
            CorrectAnswer::Ungraded,
        ];
        let mut events = vec![
            QuizEvent::QuestionOpened {
                question: view(),
                round: 1,
                opened_at: 1_000,
                deadline_ms: Some(21_000),
                position: None,
            },
            QuizEvent::DeadlineExtended { index: 0, deadline_ms: 31_000 },
            QuizEvent::QuestionClosed { index: 0, reason: CloseReason::AllAnswered, answered: 12 },
            QuizEvent::AnswerAccepted {
                question: 0,
                answer: AnswerValue::Number { value: -1.25 },
                confidence: Some(3),
                result: Some(result()),
            },
            QuizEvent::Aggregate { questions: distributions().into_iter().map(stats).collect(), connected: 40 },
            QuizEvent::Leaderboard {
                entries: vec![
                    LeaderboardEntry { rank: 1, name: Some("Camille".into()), score: 2000 },
                    LeaderboardEntry { rank: 1, name: None, score: 2000 },
                ],
            },
            QuizEvent::Progress {
                progress: Progress {
                    rows: vec![ProgressRow {
                        member: "p1".into(),
                        name: "Participant 1".into(),
                        connected: true,
                        cells: vec![Cell::Correct, Cell::Wrong, Cell::Seen, Cell::NotReached],
                    }],
                    questions: vec![ProgressCount { answered: 1, correct: 1 }],
                    finished: 0,
                    participants: 1,
                },
            },
            QuizEvent::YourScore {
                score: ScoreView { score: 1500, rank: 2, participants: 30, answered: 2 },
                results: vec![result()],
            },
            QuizEvent::WindowOpened { closes_at: None },
            QuizEvent::WindowScheduled { opens_at: 5, closes_at: Some(50) },
            QuizEvent::Ended {
                summary: Summary {
                    participants: 2,
                    questions: vec![QuestionSummary {
                        index: 0,
                        skipped: false,
                        answered: 2,
                        graded: true,
                        correct: 1,
                        confidently_wrong: 1,
                    }],
                    leaderboard: vec![],
                },
            },
            QuizEvent::ParticipantRemoved { member: "p1".into() },
            QuizEvent::LiveOnProjector { on: true },
        ];
        for kind in kinds {
            events.push(QuizEvent::QuestionOpened {
                question: QuestionView { kind, ..view() },
                round: 2,
                opened_at: 5,
                deadline_ms: None,
                position: Some(1),
            });
        }
        for (correct, distribution) in corrects.into_iter().zip(distributions()) {
            events.push(QuizEvent::Revealed {
                index: 2,
                correct,
                explanation: None,
                stats: stats(distribution.clone()),
                previous: Some(stats(distribution)),
                confidently_wrong: 0,
            });
        }
        for event in &events {
            round_trip(event);
        }
        let json = serde_json::to_value(&events[1]).unwrap();
        assert_eq!(json["kind"], "deadline_extended");
    }

    #[test]
    fn snapshots_round_trip() {
        let revealed = QuizEvent::Revealed {
            index: 0,
            correct: CorrectAnswer::Bool { value: true },
            explanation: Some("Oui.".into()),
            stats: stats(Distribution::Bool { yes: 2, no: 0 }),
            previous: None,
            confidently_wrong: 0,
        };
        let phases = vec![
            QuizPhase::Lobby,
            QuizPhase::Open { index: 1 },
            QuizPhase::Closed { index: 1 },
            QuizPhase::Revealed { index: 1 },
            QuizPhase::Leaderboard { index: 1 },
            QuizPhase::Scheduled { opens_at: 9 },
            QuizPhase::Window { closes_at: Some(99) },
            QuizPhase::Ended,
        ];
        for phase in phases {
            let snapshot = QuizSnapshot {
                title: "Quiz".into(),
                settings: QuizSettings::default(),
                question_count: 3,
                phase,
                current: Some(CurrentQuestion {
                    question: view(),
                    round: 1,
                    opened_at: 1,
                    deadline_ms: Some(2),
                    position: None,
                }),
                your_answer: Some(YourAnswer {
                    answer: AnswerValue::Choice { choice: "c1".into() },
                    confidence: None,
                    at: 3,
                    result: None,
                }),
                your_score: Some(ScoreView { score: 1, rank: 1, participants: 1, answered: 1 }),
                revealed: Some(revealed.clone()),
                stats: vec![stats(Distribution::Bool { yes: 1, no: 1 })],
                progress: None,
                leaderboard: Some(vec![]),
                summary: None,
            };
            round_trip(&snapshot);
        }
    }
}
