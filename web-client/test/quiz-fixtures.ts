// Quiz wire values for the view tests: settings, questions, a lobby
// snapshot, and a quiz state run through events.

import type { QuestionView, QuizEvent, QuizSettings, QuizSnapshot } from '../src/quiz-protocol';
import { applyQuizEvent, quizFromSnapshot, type QuizState } from '../src/quiz-state';

export const SETTINGS: QuizSettings = {
  mode: 'trainer_paced', allow_change: false, close_when_all_answered: true, reconnect_grace_ms: 30000, late_grace_ms: 1500, confidence: false,
  speed_bonus: false, streak_bonus: false, leaderboard: 'named', anonymity: 'named', order: 'fixed', feedback: 'immediate',
  completion_share: 0.5, coalesce_ms: 200,
  live_on_projector: false,
};
export const Q0: QuestionView = {
  index: 0, id: 'q1', prompt: 'Capitale de la France ?', points: 1000,
  kind: { type: 'single_choice', choices: [{ id: 'c1', text: 'Paris' }, { id: 'c2', text: 'Lyon' }, { id: 'c3', text: 'Marseille' }] },
};
export const Q1: QuestionView = { index: 1, id: 'q2', prompt: 'La Loire est le plus long fleuve de France.', points: 1000, kind: { type: 'true_false' } };
export const Q2: QuestionView = { index: 2, id: 'q3', prompt: 'Un mot pour la journée', points: 0, kind: { type: 'short_text' } };

export function lobby(settings: Partial<QuizSettings> = {}, questionCount = 3): QuizSnapshot {
  return { title: 'Géographie', settings: { ...SETTINGS, ...settings }, question_count: questionCount, phase: { state: 'lobby' } };
}

/** The state after these events, from a lobby. */
export function quiz(events: QuizEvent[], settings: Partial<QuizSettings> = {}, questionCount = 3): QuizState {
  return run(quizFromSnapshot(lobby(settings, questionCount)), ...events);
}

export function run(state: QuizState, ...events: QuizEvent[]): QuizState {
  return events.reduce((s, e, i) => applyQuizEvent(s, e, 1000 + i), state);
}

export const opened = (question: QuestionView, round = 1, deadline_ms?: number): QuizEvent =>
  ({ kind: 'question_opened', question, round, opened_at: 500, deadline_ms });

export const choiceStats = (counts: number[], round = 1, index = 0) => ({
  index, round, answered: counts.reduce((a, b) => a + b, 0),
  distribution: { type: 'choices' as const, counts: counts.map((count, i) => ({ choice: `c${i + 1}`, count })) },
});
