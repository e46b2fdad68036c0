// Pure helpers of the quiz screens (no DOM): the actions a leader may take in
// each phase, countdowns and their spoken warnings, decimal input, how an
// answer, a right answer and a distribution read in words and figures (bars
// with counts and percentages, word clouds with counts, so nothing relies on
// colour or size alone), and what the projector shows while a question is open.

import { lang, t, type MessageKey } from './i18n';
import type {
  AnswerValue,
  CorrectAnswer,
  NativeQuiz,
  QuestionKindView,
  QuestionStats,
  QuestionView,
  QuizAction,
  QuizPhase,
} from './quiz-protocol';
import type { QuizState } from './quiz-state';

// ---- leader actions --------------------------------------------------------------

/** The leader commands that make sense in this state, in toolbar order. */
export function leaderActions(state: QuizState): QuizAction[] {
  const board = state.settings.leaderboard !== 'off';
  if (state.settings.mode === 'self_paced') {
    switch (state.phase.state) {
      case 'lobby':
        return ['start']; // nothing to stop before the start
      case 'scheduled':
        return ['open_window', 'end'];
      case 'window':
        return board ? ['show_leaderboard', 'end'] : ['end'];
      default:
        return [];
    }
  }
  switch (state.phase.state) {
    case 'lobby':
      return ['start'];
    case 'open':
      return ['close_question', 'reveal', 'extend', 'skip', 'end'];
    case 'closed':
      return ['reveal', 'next', 'reopen', 'skip', 'end'];
    case 'revealed':
      return board ? ['show_leaderboard', 'next', 'reopen', 'end'] : ['next', 'reopen', 'end'];
    case 'leaderboard':
      return ['next', 'reopen', 'end'];
    default:
      return [];
  }
}

/** Whether the leader may open a question of their choice now (trainer-paced, no question open). */
export function canJump(state: QuizState): boolean {
  return state.settings.mode === 'trainer_paced' && ['lobby', 'closed', 'revealed', 'leaderboard'].includes(state.phase.state);
}

/** The question to offer first: the next one not asked after `current`, then from the start. */
export function nextUnasked(count: number, asked: readonly number[], current: number | undefined): number {
  const start = current === undefined ? 0 : current + 1;
  for (let k = 0; k < count; k++) {
    const i = (start + k) % count;
    if (!asked.includes(i)) return i;
  }
  return Math.min(start, Math.max(0, count - 1));
}

/** Whether `next` would end the quiz (the current question is the last one). */
export function nextEnds(state: QuizState): boolean {
  const index = state.current?.question.index;
  return index !== undefined && index + 1 >= state.questionCount;
}

// ---- time ------------------------------------------------------------------------

/** Milliseconds left before `deadline` (server time), never below 0. */
export function remainingMs(deadline: number, serverNow: number): number {
  return Math.max(0, deadline - serverNow);
}

/** `0:27`, `12:05` (rounded up: 0:00 only once the time is over). */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** Spoken time warnings, in ms left: 30 s (only for questions of a minute or
 * more), then 10 s. */
export const TIME_WARNINGS = [30_000, 10_000] as const;

/**
 * The warning to give now, if any: the smallest threshold reached and not
 * given yet (`given`), so a late joiner hears only the latest one.
 * `limitMs` is the question's time limit (undefined: no 30 s warning).
 */
export function timeWarning(msLeft: number, limitMs: number | undefined, given: readonly number[]): number | null {
  if (msLeft <= 0) return null;
  const due = TIME_WARNINGS.filter((w) => msLeft <= w && (w < 30_000 || (limitMs ?? 0) >= 60_000));
  const latest = due[due.length - 1];
  return latest !== undefined && !given.includes(latest) ? latest : null;
}

// ---- numbers -----------------------------------------------------------------------

/** Reads a typed decimal: `3,14`, `-2.5`, `1 000` (French spaces); null if not a number. */
export function parseDecimal(raw: string): number | null {
  const compact = raw.trim().replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(compact)) return null;
  const value = Number(compact);
  return Number.isFinite(value) ? value : null;
}

/** The typed number with its sign changed (`3,5` → `-3,5` → `3,5`): phone
 * decimal keypads often have no minus key. */
export function toggleSign(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.startsWith('-')) return trimmed.slice(1);
  if (trimmed.startsWith('+')) return `-${trimmed.slice(1)}`;
  return `-${trimmed}`;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 4 }).format(value);
}

/** An ordinal rank: 1er, 2e… / 1st, 2nd… */
export function rankText(rank: number): string {
  if (lang() === 'fr') return rank === 1 ? '1er' : `${rank}e`;
  const tens = rank % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[rank % 10] ?? 'th';
  return `${rank}${suffix}`;
}

/** The share as a whole percentage (0 when there is nothing to share). */
export function percent(count: number, total: number): number {
  return total > 0 ? Math.round((count * 100) / total) : 0;
}

// ---- words -------------------------------------------------------------------------

/** A, B, C… for the choices, as shown on every screen. */
export function choiceLetter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : String(i + 1);
}

export function questionTypeLabel(kind: QuestionKindView | string): string {
  const type = typeof kind === 'string' ? kind : kind.type;
  const key = `quiz.type.${type}` as MessageKey;
  return key in TYPE_KEYS ? t(key) : type;
}
const TYPE_KEYS: Record<string, true> = Object.fromEntries(
  ['single_choice', 'multiple_choice', 'true_false', 'numeric', 'short_text', 'ordering', 'word_cloud', 'rating_scale', 'open_text']
    .map((type) => [`quiz.type.${type}`, true]),
);

export function phaseLabel(phase: QuizPhase): string {
  return t(`quiz.phase.${phase.state}` as MessageKey);
}

/** The label of a rating value: per value when there is one label each, else the ends. */
export function ratingLabel(kind: { min: number; max: number; labels?: string[] }, value: number): string | undefined {
  const labels = kind.labels ?? [];
  const span = kind.max - kind.min + 1;
  if (labels.length === span) return labels[value - kind.min];
  if (labels.length >= 2) {
    if (value === kind.min) return labels[0];
    if (value === kind.max) return labels[labels.length - 1];
  }
  return undefined;
}

function choiceText(question: QuestionView | undefined, id: string): string {
  const kind = question?.kind;
  if (kind && (kind.type === 'single_choice' || kind.type === 'multiple_choice')) {
    const i = kind.choices.findIndex((c) => c.id === id);
    if (i >= 0) return `${choiceLetter(i)}. ${kind.choices[i].text}`;
  }
  return id;
}

/** An answer in words (what the participant chose, typed or ordered). */
export function answerText(question: QuestionView | undefined, answer: AnswerValue): string {
  switch (answer.type) {
    case 'choice':
      return choiceText(question, answer.choice);
    case 'choices':
      return answer.choices.length ? answer.choices.map((id) => choiceText(question, id)).join(', ') : t('quiz.noneSelected');
    case 'bool':
      return t(answer.value ? 'quiz.true' : 'quiz.false');
    case 'number':
      return formatNumber(answer.value);
    case 'text':
      return answer.text;
    case 'order': {
      const items = question?.kind.type === 'ordering' ? question.kind.items : [];
      return answer.items.map((i) => items[i] ?? String(i + 1)).join(' → ');
    }
    case 'words':
      return answer.words.join(', ');
    case 'rating':
      return String(answer.value);
  }
}

/** The right answer in words; '' for ungraded questions. */
export function correctAnswerText(question: QuestionView | undefined, correct: CorrectAnswer): string {
  switch (correct.type) {
    case 'choices':
      return correct.choices.map((id) => choiceText(question, id)).join(', ');
    case 'bool':
      return t(correct.value ? 'quiz.true' : 'quiz.false');
    case 'numeric':
      return correct.ranges
        .map((r) => {
          const span = r.min === r.max ? formatNumber(r.min) : t('quiz.range', { min: formatNumber(r.min), max: formatNumber(r.max) });
          return r.weight < 100 ? `${span} (${formatNumber(r.weight)} %)` : span;
        })
        .join(t('quiz.or'));
    case 'texts':
      return correct.accepted.join(t('quiz.or'));
    case 'order':
      return correct.items.join(' → ');
    case 'ungraded':
      return '';
  }
}

// ---- distributions ------------------------------------------------------------------

export interface BarRow {
  label: string;
  count: number;
  /** Of the participants who answered, 0–100. */
  percent: number;
  /** Marked right after a reveal. */
  correct?: boolean;
}

export interface CloudWord {
  text: string;
  count: number;
  /** 1 (least frequent) to 5 (most frequent): the type size. */
  weight: number;
}

export type DistributionView =
  | { type: 'bars'; answered: number; rows: BarRow[] }
  | { type: 'cloud'; answered: number; words: CloudWord[] }
  | { type: 'numeric'; answered: number; min?: number; median?: number; max?: number }
  | { type: 'ordering'; answered: number; exact: number; accuracy: number };

/** How a question's answers are spread, ready to show (`correct`: after a reveal). */
export function distributionView(
  question: QuestionView | undefined,
  stats: QuestionStats,
  correct?: CorrectAnswer,
): DistributionView {
  const answered = stats.answered;
  const bar = (label: string, count: number, right?: boolean): BarRow => ({
    label,
    count,
    percent: percent(count, answered),
    ...(right === undefined ? {} : { correct: right }),
  });
  const d = stats.distribution;
  switch (d.type) {
    case 'choices': {
      const right = correct?.type === 'choices' ? new Set(correct.choices) : undefined;
      return { type: 'bars', answered, rows: d.counts.map((c) => bar(choiceText(question, c.choice), c.count, right?.has(c.choice))) };
    }
    case 'bool': {
      const right = correct?.type === 'bool' ? correct.value : undefined;
      return {
        type: 'bars',
        answered,
        rows: [
          bar(t('quiz.true'), d.yes, right === undefined ? undefined : right === true),
          bar(t('quiz.false'), d.no, right === undefined ? undefined : right === false),
        ],
      };
    }
    case 'numeric':
      return { type: 'numeric', answered, min: d.min, median: d.median, max: d.max };
    case 'ordering':
      return { type: 'ordering', answered, exact: d.exact, accuracy: d.accuracy };
    case 'texts':
      return { type: 'bars', answered, rows: d.answers.map((a) => bar(a.text, a.count)) };
    case 'words':
      return { type: 'cloud', answered, words: cloudWords(d.words) };
    case 'rating': {
      const kind = question?.kind.type === 'rating_scale' ? question.kind : undefined;
      return {
        type: 'bars',
        answered,
        rows: d.counts.map((count, i) => {
          const value = d.min + i;
          const label = kind ? ratingLabel(kind, value) : undefined;
          return bar(label ? `${value} (${label})` : String(value), count);
        }),
      };
    }
  }
}

/** Words sized by frequency (1–5), most frequent first, as the server sends them. */
export function cloudWords(words: readonly { text: string; count: number }[]): CloudWord[] {
  if (words.length === 0) return [];
  const counts = words.map((w) => w.count);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  return words.map((w) => ({
    text: w.text,
    count: w.count,
    weight: max === min ? 3 : 1 + Math.round(((w.count - min) * 4) / (max - min)),
  }));
}

/**
 * Whether the projector shows the live figures while the question is open:
 * for polls (word cloud, rating scale), yes, that is the point; for graded
 * questions, no, the room would copy the majority.
 */
export function liveWhileOpen(kind: QuestionKindView): boolean {
  return kind.type === 'word_cloud' || kind.type === 'rating_scale';
}

// ---- quiz files ---------------------------------------------------------------------

/** The quiz with `seconds` as the time limit of every question that has none. */
/** The server's bound for `reconnect_grace_ms`, in seconds, and its default. */
export const RECONNECT_GRACE_MAX_S = 600;
export const RECONNECT_GRACE_DEFAULT_S = 30;

/**
 * The closing rule's grace typed in the create form (seconds, empty for the
 * default) as `reconnect_grace_ms`, or null when it is not a whole number of
 * seconds from 0 to RECONNECT_GRACE_MAX_S.
 */
export function parseReconnectGrace(text: string): number | null {
  const trimmed = text.trim();
  if (!trimmed) return RECONNECT_GRACE_DEFAULT_S * 1000;
  if (!/^\d+$/.test(trimmed)) return null;
  const seconds = Number(trimmed);
  return seconds <= RECONNECT_GRACE_MAX_S ? seconds * 1000 : null;
}

export function withDefaultTimeLimit(quiz: NativeQuiz, seconds: number | undefined): NativeQuiz {
  if (seconds === undefined) return quiz;
  return {
    ...quiz,
    questions: quiz.questions.map((q) => (typeof q.time_limit_s === 'number' ? q : { ...q, time_limit_s: seconds })),
  };
}
