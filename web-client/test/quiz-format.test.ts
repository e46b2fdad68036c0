// Rendering helpers of the quiz screens: the actions per phase, countdowns,
// decimal input, answers and right answers in words, distributions as bars
// with counts and percentages, ordinal ranks, default time limits, ordering
// moves (buttons and drag), import format guessing, participant error
// messages, spoken time warnings, word clouds, the projector's live figures
// and the "go to a question" control.

import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import type { QuestionView, QuizSettings, QuizSnapshot } from '../src/quiz-protocol';
import {
  answerText,
  canJump,
  cloudWords,
  correctAnswerText,
  distributionView,
  formatCountdown,
  leaderActions,
  liveWhileOpen,
  nextEnds,
  nextUnasked,
  parseDecimal,
  parseReconnectGrace,
  percent,
  rankText,
  ratingLabel,
  remainingMs,
  timeWarning,
  toggleSign,
  withDefaultTimeLimit,
} from '../src/quiz-format';
import { quizFromSnapshot } from '../src/quiz-state';
import { dropIndex, moveItem, moveTo } from '../src/ordering';
import { guessFormat } from '../src/views/quiz-create';
import { quizErrorText } from '../src/views/quiz-participant';

const SETTINGS: QuizSettings = {
  mode: 'trainer_paced', allow_change: false, close_when_all_answered: true, reconnect_grace_ms: 30000, late_grace_ms: 1500, confidence: false,
  speed_bonus: false, streak_bonus: false, leaderboard: 'named', anonymity: 'named', order: 'fixed', feedback: 'immediate',
  completion_share: 0.5, coalesce_ms: 200,
  live_on_projector: false,
};
const CHOICE: QuestionView = {
  index: 0, id: 'q1', prompt: 'Capitale ?', points: 1000,
  kind: { type: 'single_choice', choices: [{ id: 'c1', text: 'Paris' }, { id: 'c2', text: 'Lyon' }, { id: 'c3', text: 'Marseille' }] },
};
const state = (phase: QuizSnapshot['phase'], settings: Partial<QuizSettings> = {}, current?: QuestionView) =>
  quizFromSnapshot({
    title: 'Quiz', settings: { ...SETTINGS, ...settings }, question_count: 2, phase,
    current: current ? { question: current, round: 1, opened_at: 0 } : undefined,
  });

afterEach(() => setLang('fr'));

describe('leader actions', () => {
  it('offers what each trainer-paced phase allows', () => {
    expect(leaderActions(state({ state: 'lobby' })), 'nothing to stop before the start').toEqual(['start']);
    expect(leaderActions(state({ state: 'open', index: 0 }))).toEqual(['close_question', 'reveal', 'extend', 'skip', 'end']);
    expect(leaderActions(state({ state: 'closed', index: 0 }))).toEqual(['reveal', 'next', 'reopen', 'skip', 'end']);
    expect(leaderActions(state({ state: 'revealed', index: 0 }))).toEqual(['show_leaderboard', 'next', 'reopen', 'end']);
    expect(leaderActions(state({ state: 'leaderboard', index: 0 }))).toEqual(['next', 'reopen', 'end']);
    expect(leaderActions(state({ state: 'ended' }))).toEqual([]);
  });

  it('leaves the leaderboard out when it is off', () => {
    expect(leaderActions(state({ state: 'revealed', index: 0 }, { leaderboard: 'off' }))).not.toContain('show_leaderboard');
    expect(leaderActions(state({ state: 'window' }, { mode: 'self_paced', leaderboard: 'off' }))).toEqual(['end']);
  });

  it('self-paced: open, reschedule, leaderboard, end', () => {
    const self = { mode: 'self_paced' as const };
    expect(leaderActions(state({ state: 'lobby' }, self))).toEqual(['start']);
    expect(leaderActions(state({ state: 'scheduled', opens_at: 1 }, self))).toEqual(['open_window', 'end']);
    expect(leaderActions(state({ state: 'window' }, self))).toEqual(['show_leaderboard', 'end']);
  });

  it('knows when `next` ends the quiz', () => {
    expect(nextEnds(state({ state: 'revealed', index: 0 }, {}, CHOICE))).toBe(false);
    expect(nextEnds(state({ state: 'revealed', index: 1 }, {}, { ...CHOICE, index: 1 }))).toBe(true);
  });
});

describe('time and numbers', () => {
  it('counts down in server time, rounded up', () => {
    expect(remainingMs(10_000, 4_000)).toBe(6_000);
    expect(remainingMs(10_000, 12_000)).toBe(0);
    expect(formatCountdown(27_200)).toBe('0:28');
    expect(formatCountdown(65_000)).toBe('1:05');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5)).toBe('0:00');
  });

  it('reads decimals typed the French or English way', () => {
    expect(parseDecimal('3,14')).toBe(3.14);
    expect(parseDecimal(' -2.5 ')).toBe(-2.5);
    expect(parseDecimal('1 000')).toBe(1000);
    expect(parseDecimal('1\u202f000,5')).toBe(1000.5);
    expect(parseDecimal('.5')).toBe(0.5);
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('abc')).toBeNull();
    expect(parseDecimal('1,2,3')).toBeNull();
    expect(parseDecimal('Infinity')).toBeNull();
  });

  it('percentages are whole and safe with nobody', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(2, 3)).toBe(67);
    expect(percent(0, 0)).toBe(0);
  });

  it('ranks read as ordinals in both languages', () => {
    expect(rankText(1)).toBe('1er');
    expect(rankText(2)).toBe('2e');
    setLang('en');
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(rankText)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']);
  });
});

describe('answers in words', () => {
  it('names choices with their letter, booleans, numbers, orders', () => {
    expect(answerText(CHOICE, { type: 'choice', choice: 'c2' })).toBe('B. Lyon');
    expect(answerText(CHOICE, { type: 'choices', choices: ['c1', 'c3'] })).toBe('A. Paris, C. Marseille');
    expect(answerText(undefined, { type: 'choices', choices: [] })).toBe('aucune case cochée');
    expect(answerText(undefined, { type: 'bool', value: false })).toBe('Faux');
    expect(answerText(undefined, { type: 'number', value: 3.5 })).toBe('3,5');
    const ordering: QuestionView = { ...CHOICE, kind: { type: 'ordering', items: ['b', 'a', 'c'] } };
    expect(answerText(ordering, { type: 'order', items: [1, 0, 2] })).toBe('a → b → c');
    expect(answerText(undefined, { type: 'words', words: ['écoute', 'confiance'] })).toBe('écoute, confiance');
  });

  it('gives the right answer of each kind', () => {
    expect(correctAnswerText(CHOICE, { type: 'choices', choices: ['c1'] })).toBe('A. Paris');
    expect(correctAnswerText(undefined, { type: 'bool', value: true })).toBe('Vrai');
    expect(correctAnswerText(undefined, { type: 'numeric', ranges: [{ min: 105, max: 105, weight: 100 }, { min: 100, max: 110, weight: 50 }] }))
      .toBe('105 ou de 100 à 110 (50 %)');
    expect(correctAnswerText(undefined, { type: 'texts', accepted: ['Meirieu', 'Philippe Meirieu'] })).toBe('Meirieu ou Philippe Meirieu');
    expect(correctAnswerText(undefined, { type: 'order', items: ['a', 'b'] })).toBe('a → b');
    expect(correctAnswerText(undefined, { type: 'ungraded' })).toBe('');
  });
});

describe('distributions', () => {
  it('choices: bars in the question order, with counts, percentages and the right ones marked', () => {
    const view = distributionView(CHOICE, {
      index: 0, round: 1, answered: 3,
      distribution: { type: 'choices', counts: [{ choice: 'c1', count: 2 }, { choice: 'c2', count: 1 }, { choice: 'c3', count: 0 }] },
    }, { type: 'choices', choices: ['c1'] });
    expect(view).toEqual({
      type: 'bars', answered: 3, rows: [
        { label: 'A. Paris', count: 2, percent: 67, correct: true },
        { label: 'B. Lyon', count: 1, percent: 33, correct: false },
        { label: 'C. Marseille', count: 0, percent: 0, correct: false },
      ],
    });
  });

  it('live figures carry no right answer', () => {
    const view = distributionView(CHOICE, { index: 0, round: 1, answered: 0, distribution: { type: 'bool', yes: 0, no: 0 } });
    expect(view).toEqual({ type: 'bars', answered: 0, rows: [{ label: 'Vrai', count: 0, percent: 0 }, { label: 'Faux', count: 0, percent: 0 }] });
  });

  it('true/false after the reveal marks the right side', () => {
    const view = distributionView(undefined, { index: 1, round: 1, answered: 2, distribution: { type: 'bool', yes: 1, no: 1 } }, { type: 'bool', value: true });
    expect(view.type === 'bars' && view.rows.map((r) => r.correct)).toEqual([true, false]);
  });

  it('rating values carry their labels; numeric and ordering are figures', () => {
    const rating: QuestionView = { ...CHOICE, kind: { type: 'rating_scale', min: 1, max: 3, labels: ['Pas du tout', 'Tout à fait'] } };
    const view = distributionView(rating, { index: 0, round: 1, answered: 4, distribution: { type: 'rating', min: 1, counts: [1, 1, 2] } });
    expect(view.type === 'bars' && view.rows.map((r) => r.label)).toEqual(['1 (Pas du tout)', '2', '3 (Tout à fait)']);
    expect(distributionView(undefined, { index: 0, round: 1, answered: 2, distribution: { type: 'numeric', count: 2, min: 1, median: 1.5, max: 2 } }))
      .toEqual({ type: 'numeric', answered: 2, min: 1, median: 1.5, max: 2 });
    expect(distributionView(undefined, { index: 0, round: 1, answered: 4, distribution: { type: 'ordering', count: 4, exact: 1, accuracy: 0.625 } }))
      .toEqual({ type: 'ordering', answered: 4, exact: 1, accuracy: 0.625 });
  });

  it('rating labels: one per value, or the two ends', () => {
    expect(ratingLabel({ min: 1, max: 3, labels: ['a', 'b', 'c'] }, 2)).toBe('b');
    expect(ratingLabel({ min: 1, max: 5, labels: ['bof', 'top'] }, 5)).toBe('top');
    expect(ratingLabel({ min: 1, max: 5, labels: ['bof', 'top'] }, 3)).toBeUndefined();
    expect(ratingLabel({ min: 1, max: 5 }, 1)).toBeUndefined();
  });
});

describe('quiz creation and answering helpers', () => {
  it('gives untimed questions the default time limit, and only them', () => {
    const quiz = { title: 'Q', questions: [{ prompt: 'a', type: 'true_false' }, { prompt: 'b', type: 'true_false', time_limit_s: 10 }] };
    expect(withDefaultTimeLimit(quiz, undefined)).toBe(quiz);
    expect(withDefaultTimeLimit(quiz, 45).questions.map((q) => q.time_limit_s)).toEqual([45, 10]);
    expect(quiz.questions[0].time_limit_s).toBeUndefined(); // not mutated
  });

  it('reads the closing rule\'s grace in seconds, within the server\'s bounds', () => {
    expect(parseReconnectGrace('')).toBe(30_000);
    expect(parseReconnectGrace(' 45 ')).toBe(45_000);
    expect(parseReconnectGrace('0')).toBe(0);
    expect(parseReconnectGrace('600')).toBe(600_000);
    expect(parseReconnectGrace('601')).toBeNull();
    expect(parseReconnectGrace('-1')).toBeNull();
    expect(parseReconnectGrace('2.5')).toBeNull();
    expect(parseReconnectGrace('abc')).toBeNull();
  });

  it('moves ordering items within bounds', () => {
    expect(moveItem([0, 1, 2], 2, -1)).toEqual([0, 2, 1]);
    expect(moveItem([0, 1, 2], 0, 1)).toEqual([1, 0, 2]);
    expect(moveItem([0, 1, 2], 0, -1)).toEqual([0, 1, 2]);
    expect(moveItem([0, 1, 2], 2, 1)).toEqual([0, 1, 2]);
  });

  it('drags an ordering item to any place', () => {
    expect(moveTo(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveTo(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveTo(['a', 'b', 'c'], 1, 9)).toEqual(['a', 'c', 'b']);
    expect(moveTo(['a', 'b', 'c'], 1, -3)).toEqual(['b', 'a', 'c']);
    expect(moveTo(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
    // The pointer at y among the other items' midpoints (100, 200, 300).
    expect(dropIndex([100, 200, 300], 50)).toBe(0);
    expect(dropIndex([100, 200, 300], 150)).toBe(1);
    expect(dropIndex([100, 200, 300], 250)).toBe(2);
    expect(dropIndex([100, 200, 300], 999)).toBe(3);
    expect(dropIndex([], 10)).toBe(0);
  });

  it('changes the sign of a typed number (phone keypads lack a minus)', () => {
    expect(toggleSign('3,5')).toBe('-3,5');
    expect(toggleSign(' -3,5 ')).toBe('3,5');
    expect(toggleSign('+2')).toBe('-2');
    expect(toggleSign('')).toBe('-');
    expect(toggleSign('-')).toBe('');
  });

  it('guesses the import format from the file name', () => {
    expect(guessFormat('quiz.GIFT')).toBe('gift');
    expect(guessFormat('export-moodle.xml')).toBe('moodlexml');
    expect(guessFormat('quiz.json')).toBe('json');
    expect(guessFormat('questions.txt')).toBe('');
    expect(guessFormat(undefined)).toBe('');
  });

  it('tells a late answer clearly, in both languages', () => {
    expect(quizErrorText('answer_late', 'answer')).toBe('Trop tard\u00a0: la question est fermée.');
    expect(quizErrorText('invalid_state', 'answer')).toMatch(/^Réponse refusée/);
    expect(quizErrorText('invalid_state', 'next')).toBe("Action impossible pour l’instant.");
    setLang('en');
    expect(quizErrorText('answer_late', 'answer')).toBe('Too late: the question is closed.');
  });
});

describe('time warnings', () => {
  it('warns at 30 s for questions of a minute or more, then at 10 s, once each', () => {
    expect(timeWarning(45_000, 60_000, [])).toBeNull();
    expect(timeWarning(30_000, 60_000, [])).toBe(30_000);
    expect(timeWarning(29_000, 60_000, [30_000])).toBeNull();
    expect(timeWarning(10_000, 60_000, [30_000])).toBe(10_000);
    expect(timeWarning(9_000, 60_000, [30_000, 10_000])).toBeNull();
  });

  it('no 30 s warning for short or untimed questions; a late joiner hears only the latest', () => {
    expect(timeWarning(25_000, 30_000, [])).toBeNull();
    expect(timeWarning(25_000, undefined, [])).toBeNull();
    expect(timeWarning(8_000, 30_000, [])).toBe(10_000);
    expect(timeWarning(8_000, 120_000, [])).toBe(10_000);
    expect(timeWarning(0, 120_000, [])).toBeNull();
  });
});

describe('word clouds and the projector', () => {
  it('sizes words from 1 to 5 by count, counts kept', () => {
    expect(cloudWords([{ text: 'écoute', count: 9 }, { text: 'confiance', count: 5 }, { text: 'temps', count: 1 }]))
      .toEqual([{ text: 'écoute', count: 9, weight: 5 }, { text: 'confiance', count: 5, weight: 3 }, { text: 'temps', count: 1, weight: 1 }]);
    expect(cloudWords([{ text: 'a', count: 2 }, { text: 'b', count: 2 }]).map((w) => w.weight)).toEqual([3, 3]);
    expect(cloudWords([])).toEqual([]);
  });

  it('a word cloud question shows as a cloud', () => {
    const view = distributionView(undefined, { index: 0, round: 1, answered: 3, distribution: { type: 'words', words: [{ text: 'progrès', count: 2 }] } });
    expect(view).toEqual({ type: 'cloud', answered: 3, words: [{ text: 'progrès', count: 2, weight: 3 }] });
  });

  it('polls stay live on the projector while open, graded questions do not', () => {
    expect(liveWhileOpen({ type: 'word_cloud', max_words: 3 })).toBe(true);
    expect(liveWhileOpen({ type: 'rating_scale', min: 1, max: 5 })).toBe(true);
    expect(liveWhileOpen({ type: 'true_false' })).toBe(false);
    expect(liveWhileOpen(CHOICE.kind)).toBe(false);
  });
});

describe('go to a question', () => {
  it('is offered trainer-paced, when no question is open', () => {
    expect(canJump(state({ state: 'lobby' }))).toBe(true);
    expect(canJump(state({ state: 'closed', index: 0 }))).toBe(true);
    expect(canJump(state({ state: 'leaderboard', index: 0 }))).toBe(true);
    expect(canJump(state({ state: 'open', index: 0 }))).toBe(false);
    expect(canJump(state({ state: 'ended' }))).toBe(false);
    expect(canJump(state({ state: 'lobby' }, { mode: 'self_paced' }))).toBe(false);
  });

  it('offers the next question not asked, then from the start', () => {
    expect(nextUnasked(4, [], undefined)).toBe(0);
    expect(nextUnasked(4, [0], 0)).toBe(1);
    expect(nextUnasked(4, [0, 1, 3], 3)).toBe(2);
    expect(nextUnasked(3, [0, 1, 2], 1)).toBe(2);
    expect(nextUnasked(3, [0, 1, 2], 2)).toBe(2);
  });
});
