// Live quiz wire types of protocol v1, mirroring protocol/src/quiz.rs: the
// settings of a quiz, the `quiz` command (tagged by `action`), answers
// (tagged by `type`), quiz events (tagged by `kind`), phases (tagged by
// `state`) and the per-viewer QuizSnapshot. Optional fields are omitted on
// the wire.

import type { MemberId } from './protocol';

export type QuizMode = 'trainer_paced' | 'self_paced';
export type LeaderboardMode = 'named' | 'ranks_only' | 'off';
export type Anonymity = 'named' | 'pseudonym' | 'anonymous';
export type Feedback = 'immediate' | 'at_end';
export type QuestionOrder = 'fixed' | 'shuffled';

export interface QuizSettings {
  mode: QuizMode;
  allow_change: boolean;
  close_when_all_answered: boolean;
  /** How long the closing rule waits for a participant who went away (and after a room rebuild). */
  reconnect_grace_ms: number;
  late_grace_ms: number;
  confidence: boolean;
  speed_bonus: boolean;
  streak_bonus: boolean;
  leaderboard: LeaderboardMode;
  anonymity: Anonymity;
  order: QuestionOrder;
  feedback: Feedback;
  completion_share: number;
  pass_mark?: number;
  coalesce_ms: number;
  /** The projector shows the live distribution while a question is open (polls always do). */
  live_on_projector: boolean;
}

// ---- answers and commands ----------------------------------------------------

export type AnswerValue =
  | { type: 'choice'; choice: string }
  | { type: 'choices'; choices: string[] }
  | { type: 'bool'; value: boolean }
  | { type: 'number'; value: number }
  | { type: 'text'; text: string }
  | { type: 'order'; items: number[] }
  | { type: 'words'; words: string[] }
  | { type: 'rating'; value: number };

export type QuizCommand =
  | { action: 'start' }
  | { action: 'open_question'; index?: number }
  | { action: 'close_question' }
  | { action: 'reveal' }
  | { action: 'show_leaderboard' }
  | { action: 'next' }
  | { action: 'skip' }
  | { action: 'reopen' }
  | { action: 'extend'; seconds: number }
  | { action: 'end' }
  | { action: 'remove_participant'; member: MemberId }
  | { action: 'show_live_on_projector'; on: boolean }
  | { action: 'answer'; question: number; answer: AnswerValue; confidence?: number }
  | { action: 'open_window'; opens_at?: number; closes_at?: number }
  | { action: 'next_question' }
  | { action: 'previous_question' };

export type QuizAction = QuizCommand['action'];

// ---- questions, answers shown, figures -----------------------------------------

export interface ChoiceView {
  id: string;
  text: string;
}

export type QuestionKindView =
  | { type: 'single_choice'; choices: ChoiceView[] }
  | { type: 'multiple_choice'; choices: ChoiceView[] }
  | { type: 'true_false' }
  | { type: 'numeric' }
  | { type: 'short_text' }
  | { type: 'ordering'; items: string[] }
  | { type: 'word_cloud'; max_words: number }
  | { type: 'rating_scale'; min: number; max: number; labels?: string[] }
  | { type: 'open_text' };

export type QuestionType = QuestionKindView['type'];

/** A question as shown while it is open: never the right answer. */
export interface QuestionView {
  index: number;
  id: string;
  prompt: string;
  image_url?: string;
  time_limit_s?: number;
  points: number;
  kind: QuestionKindView;
}

export interface NumericRangeView {
  min: number;
  max: number;
  weight: number;
}

export type CorrectAnswer =
  | { type: 'choices'; choices: string[] }
  | { type: 'bool'; value: boolean }
  | { type: 'numeric'; ranges: NumericRangeView[] }
  | { type: 'texts'; accepted: string[] }
  | { type: 'order'; items: string[] }
  | { type: 'ungraded' };

export interface TextCount {
  text: string;
  count: number;
}

export type Distribution =
  | { type: 'choices'; counts: { choice: string; count: number }[] }
  | { type: 'bool'; yes: number; no: number }
  | { type: 'numeric'; count: number; min?: number; median?: number; max?: number }
  | { type: 'texts'; answers: TextCount[] }
  | { type: 'ordering'; count: number; exact: number; accuracy: number }
  | { type: 'words'; words: TextCount[] }
  | { type: 'rating'; min: number; counts: number[] };

export interface QuestionStats {
  index: number;
  round: number;
  answered: number;
  distribution: Distribution;
}

export type CloseReason = 'deadline' | 'trainer' | 'all_answered' | 'skipped' | 'ended';

export interface AnswerResult {
  question: number;
  correct?: boolean;
  points: number;
  correct_answer?: CorrectAnswer;
  explanation?: string;
  feedback?: string;
}

export interface LeaderboardEntry {
  rank: number;
  name?: string;
  score: number;
}

export interface ScoreView {
  score: number;
  rank: number;
  participants: number;
  answered: number;
}

export type Cell = 'not_reached' | 'seen' | 'answered' | 'correct' | 'wrong';

export interface ProgressRow {
  member: MemberId;
  name: string;
  connected: boolean;
  cells: Cell[];
}

export interface Progress {
  rows: ProgressRow[];
  questions: { answered: number; correct: number }[];
  finished: number;
  participants: number;
}

export interface QuestionSummary {
  index: number;
  skipped: boolean;
  answered: number;
  /** Polls, open questions, word clouds and rating scales are not graded: no "correct" for them. */
  graded: boolean;
  correct: number;
  confidently_wrong: number;
}

export interface Summary {
  participants: number;
  questions: QuestionSummary[];
  leaderboard: LeaderboardEntry[];
}

// ---- events ---------------------------------------------------------------------

export interface QuestionOpened {
  kind: 'question_opened';
  question: QuestionView;
  round: number;
  opened_at: number;
  deadline_ms?: number;
  position?: number;
}

export interface Revealed {
  kind: 'revealed';
  index: number;
  correct: CorrectAnswer;
  explanation?: string;
  stats: QuestionStats;
  previous?: QuestionStats;
  confidently_wrong: number;
}

export type QuizEvent =
  | QuestionOpened
  | { kind: 'deadline_extended'; index: number; deadline_ms: number }
  | { kind: 'question_closed'; index: number; reason: CloseReason; answered: number }
  | { kind: 'answer_accepted'; question: number; answer: AnswerValue; confidence?: number; result?: AnswerResult }
  | Revealed
  | { kind: 'aggregate'; questions: QuestionStats[]; connected: number }
  | { kind: 'leaderboard'; entries: LeaderboardEntry[] }
  | { kind: 'progress'; progress: Progress }
  | { kind: 'your_score'; score: ScoreView; results?: AnswerResult[] }
  | { kind: 'window_opened'; closes_at?: number }
  | { kind: 'window_scheduled'; opens_at: number; closes_at?: number }
  | { kind: 'ended'; summary: Summary }
  | { kind: 'participant_removed'; member: MemberId }
  | { kind: 'live_on_projector'; on: boolean };

// ---- snapshot -------------------------------------------------------------------

export type QuizPhase =
  | { state: 'lobby' }
  | { state: 'open'; index: number }
  | { state: 'closed'; index: number }
  | { state: 'revealed'; index: number }
  | { state: 'leaderboard'; index: number }
  | { state: 'scheduled'; opens_at: number }
  | { state: 'window'; closes_at?: number }
  | { state: 'ended' };

export type PhaseState = QuizPhase['state'];

export interface CurrentQuestion {
  question: QuestionView;
  round: number;
  opened_at: number;
  deadline_ms?: number;
  position?: number;
}

export interface YourAnswer {
  answer: AnswerValue;
  confidence?: number;
  at: number;
  result?: AnswerResult;
}

export interface QuizSnapshot {
  title: string;
  settings: QuizSettings;
  question_count: number;
  phase: QuizPhase;
  current?: CurrentQuestion;
  your_answer?: YourAnswer;
  your_score?: ScoreView;
  revealed?: Revealed;
  stats?: QuestionStats[];
  progress?: Progress;
  leaderboard?: LeaderboardEntry[];
  summary?: Summary;
}

// ---- REST -------------------------------------------------------------------------

/** amphi's native quiz JSON, as the import returns it (kept opaque). */
export interface NativeQuiz {
  title: string;
  questions: { id?: string; prompt: string; type: string; [field: string]: unknown }[];
  [field: string]: unknown;
}

export interface ImportResult {
  quiz: NativeQuiz;
  skipped: { position: string; title: string; reason: string }[];
  warnings: { position: string; title: string; message: string }[];
}

export type ImportFormat = 'gift' | 'moodlexml' | 'json';
