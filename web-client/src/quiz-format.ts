// Pure helpers of the quiz screens (no DOM): the actions a leader may take in
// each phase, countdowns, decimal input, how an answer, a right answer and a
// distribution read in words and figures (bars with counts and percentages,
// so nothing relies on colour alone).

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
        return ['start', 'end'];
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
      return ['start', 'end'];
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

// ---- numbers -----------------------------------------------------------------------

/** Reads a typed decimal: `3,14`, `-2.5`, `1 000` (French spaces); null if not a number. */
export function parseDecimal(raw: string): number | null {
  const compact = raw.trim().replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(compact)) return null;
  const value = Number(compact);
  return Number.isFinite(value) ? value : null;
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

export type DistributionView =
  | { type: 'bars'; answered: number; rows: BarRow[] }
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
      return { type: 'bars', answered, rows: d.words.map((w) => bar(w.text, w.count)) };
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

// ---- quiz files ---------------------------------------------------------------------

/** The quiz with `seconds` as the time limit of every question that has none. */
export function withDefaultTimeLimit(quiz: NativeQuiz, seconds: number | undefined): NativeQuiz {
  if (seconds === undefined) return quiz;
  return {
    ...quiz,
    questions: quiz.questions.map((q) => (typeof q.time_limit_s === 'number' ? q : { ...q, time_limit_s: seconds })),
  };
}
