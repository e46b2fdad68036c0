// What the client knows of a room's live quiz, for this viewer, and the pure
// functions that build it from a QuizSnapshot (`joined.snapshot.quiz`) and
// update it with quiz events. Participants keep their own answers and
// results by question index; leaders and observers keep the live figures.
// States are immutable: each update returns a new one.

import type { MemberId } from './protocol';
import type {
  AnswerResult,
  CloseReason,
  CurrentQuestion,
  LeaderboardEntry,
  Progress,
  QuestionStats,
  QuestionView,
  QuizEvent,
  QuizPhase,
  QuizSettings,
  QuizSnapshot,
  Revealed,
  ScoreView,
  Summary,
  YourAnswer,
} from './quiz-protocol';

export interface QuizState {
  title: string;
  settings: QuizSettings;
  questionCount: number;
  phase: QuizPhase;
  /** The open (or last) question; self-paced: this participant's. */
  current?: CurrentQuestion;
  /** Questions seen so far, by index (prompts for results and summaries). */
  seen: Record<number, QuestionView>;
  /** Participants: own answers by question index (trainer-paced: current round). */
  answers: Record<number, YourAnswer>;
  /** Participants: how each answer fared, by question index, once shown. */
  results: Record<number, AnswerResult>;
  /** Participants: own standing. */
  score?: ScoreView;
  /** The last reveal (trainer-paced), while its question is current. */
  revealed?: Revealed;
  /** Leaders and observers (participants after a reveal): figures by question index. */
  stats: Record<number, QuestionStats>;
  /** Participants with a connection, from the last `aggregate`. */
  connected?: number;
  progress?: Progress;
  leaderboard?: LeaderboardEntry[];
  summary?: Summary;
  /** How the current question last closed. */
  closed?: { index: number; reason: CloseReason; answered: number };
  /** Members removed from the quiz (a participant gets only their own). */
  removed: MemberId[];
}

/** Replaces everything with a snapshot. */
export function quizFromSnapshot(snap: QuizSnapshot): QuizState {
  const current = snap.current;
  const index = current?.question.index;
  const answers: Record<number, YourAnswer> = {};
  const results: Record<number, AnswerResult> = {};
  if (current && snap.your_answer) {
    answers[current.question.index] = snap.your_answer;
    if (snap.your_answer.result) results[current.question.index] = snap.your_answer.result;
  }
  const stats: Record<number, QuestionStats> = {};
  for (const s of snap.stats ?? []) stats[s.index] = s;
  if (snap.revealed) stats[snap.revealed.index] = snap.revealed.stats;
  return {
    title: snap.title,
    settings: snap.settings,
    questionCount: snap.question_count,
    phase: snap.phase,
    current,
    seen: current && index !== undefined ? { [index]: current.question } : {},
    answers,
    results,
    score: snap.your_score,
    revealed: snap.revealed,
    stats,
    progress: snap.progress,
    leaderboard: snap.leaderboard ?? snap.summary?.leaderboard,
    summary: snap.summary,
    removed: [],
  };
}

/** The index of the phase's question (trainer-paced phases), if any. */
export function phaseIndex(phase: QuizPhase): number | undefined {
  return 'index' in phase ? phase.index : undefined;
}

export function isSelfPaced(state: QuizState): boolean {
  return state.settings.mode === 'self_paced';
}

/** Self-paced: this participant has answered every question while the quiz
 * is still open (the answers taken in this tab, or the server's count of
 * them, which holds after a reload). */
export function selfPacedFinished(state: QuizState): boolean {
  if (!isSelfPaced(state) || state.phase.state !== 'window' || state.questionCount === 0) return false;
  const here = Array.from({ length: state.questionCount }, (_, i) => i).every((i) => state.answers[i] !== undefined);
  return here || (state.score?.answered ?? 0) >= state.questionCount;
}

/** This participant's answer to the current question, if any. */
export function currentAnswer(state: QuizState): YourAnswer | undefined {
  return state.current ? state.answers[state.current.question.index] : undefined;
}

/** This participant's result for the current question, once shown. */
export function currentResult(state: QuizState): AnswerResult | undefined {
  if (!state.current) return undefined;
  const index = state.current.question.index;
  return state.answers[index]?.result ?? state.results[index];
}

/** Whether the current question takes answers now (as far as the client knows). */
export function acceptsAnswers(state: QuizState): boolean {
  if (!state.current) return false;
  if (state.phase.state === 'open') return state.phase.index === state.current.question.index;
  return state.phase.state === 'window';
}

/** Applies one quiz event (`at`: the event's server time). */
export function applyQuizEvent(state: QuizState, event: QuizEvent, at: number): QuizState {
  const selfPaced = isSelfPaced(state);
  switch (event.kind) {
    case 'question_opened': {
      const index = event.question.index;
      const current: CurrentQuestion = {
        question: event.question,
        round: event.round,
        opened_at: event.opened_at,
        deadline_ms: event.deadline_ms,
        position: event.position,
      };
      const next: QuizState = { ...state, current, seen: { ...state.seen, [index]: event.question }, closed: undefined };
      if (!selfPaced) {
        // A new question or a new round: the earlier answer is not this round's.
        next.phase = { state: 'open', index };
        next.revealed = undefined;
        next.answers = without(state.answers, index);
        next.results = without(state.results, index);
      }
      return next;
    }
    case 'deadline_extended':
      if (state.current?.question.index !== event.index) return state;
      return { ...state, current: { ...state.current, deadline_ms: event.deadline_ms } };
    case 'question_closed': {
      const next: QuizState = { ...state, closed: { index: event.index, reason: event.reason, answered: event.answered } };
      if (state.phase.state === 'open' && state.phase.index === event.index) next.phase = { state: 'closed', index: event.index };
      return next;
    }
    case 'answer_accepted': {
      const answer: YourAnswer = { answer: event.answer, confidence: event.confidence, at, result: event.result };
      const next: QuizState = { ...state, answers: { ...state.answers, [event.question]: answer } };
      if (event.result) next.results = { ...state.results, [event.question]: event.result };
      return next;
    }
    case 'revealed': {
      const next: QuizState = { ...state, revealed: event, stats: { ...state.stats, [event.index]: event.stats } };
      if (!selfPaced) next.phase = { state: 'revealed', index: event.index };
      return next;
    }
    case 'aggregate': {
      const stats = { ...state.stats };
      for (const s of event.questions) stats[s.index] = s;
      return { ...state, stats, connected: event.connected };
    }
    case 'leaderboard': {
      const next: QuizState = { ...state, leaderboard: event.entries };
      const index = phaseIndex(state.phase);
      if (!selfPaced && index !== undefined && state.phase.state !== 'open') next.phase = { state: 'leaderboard', index };
      return next;
    }
    case 'progress':
      return { ...state, progress: event.progress };
    case 'your_score': {
      const results = { ...state.results };
      const answers = { ...state.answers };
      for (const r of event.results ?? []) {
        results[r.question] = r;
        const mine = answers[r.question];
        if (mine) answers[r.question] = { ...mine, result: r };
      }
      return { ...state, score: event.score, results, answers };
    }
    case 'window_opened':
      return { ...state, phase: { state: 'window', closes_at: event.closes_at } };
    case 'window_scheduled':
      return { ...state, phase: { state: 'scheduled', opens_at: event.opens_at } };
    case 'ended':
      return {
        ...state,
        phase: { state: 'ended' },
        summary: event.summary,
        leaderboard: event.summary.leaderboard.length > 0 ? event.summary.leaderboard : state.leaderboard,
      };
    case 'participant_removed':
      return state.removed.includes(event.member) ? state : { ...state, removed: [...state.removed, event.member] };
    case 'live_on_projector':
      return { ...state, settings: { ...state.settings, live_on_projector: event.on } };
    default:
      // A kind this client does not know yet.
      return state;
  }
}

function without<T>(record: Record<number, T>, key: number): Record<number, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}
