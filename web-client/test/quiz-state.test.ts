// Quiz state: built from a QuizSnapshot, updated by quiz events (trainer-paced
// run through open → closed → revealed → leaderboard → next → ended, re-vote,
// self-paced window and navigation, removal), and wired into the room state
// (quiz events take their seq; unknown quiz kinds change nothing).

import { describe, expect, it } from 'vitest';
import type { Joined, RoomEvent } from '../src/protocol';
import type { QuestionView, QuizEvent, QuizSettings, QuizSnapshot } from '../src/quiz-protocol';
import { applyEvent, applyJoined } from '../src/room-state';
import { acceptsAnswers, applyQuizEvent, currentAnswer, currentResult, quizFromSnapshot, selfPacedFinished, type QuizState } from '../src/quiz-state';

const SETTINGS: QuizSettings = {
  mode: 'trainer_paced', allow_change: false, close_when_all_answered: true, reconnect_grace_ms: 30000, late_grace_ms: 1500, confidence: false,
  speed_bonus: false, streak_bonus: false, leaderboard: 'named', anonymity: 'named', order: 'fixed', feedback: 'immediate',
  completion_share: 0.5, coalesce_ms: 200,
  live_on_projector: false,
};
const Q0: QuestionView = {
  index: 0, id: 'q1', prompt: 'Capitale de la France ?', points: 1000,
  kind: { type: 'single_choice', choices: [{ id: 'c1', text: 'Paris' }, { id: 'c2', text: 'Lyon' }, { id: 'c3', text: 'Marseille' }] },
};
const Q1: QuestionView = { index: 1, id: 'q2', prompt: 'La Loire est le plus long fleuve de France.', points: 1000, kind: { type: 'true_false' } };

function lobby(settings: Partial<QuizSettings> = {}): QuizSnapshot {
  return { title: 'Géographie', settings: { ...SETTINGS, ...settings }, question_count: 2, phase: { state: 'lobby' } };
}
function run(state: QuizState, ...events: QuizEvent[]): QuizState {
  return events.reduce((s, e, i) => applyQuizEvent(s, e, 1000 + i), state);
}
const opened = (question: QuestionView, round = 1, deadline_ms?: number): QuizEvent =>
  ({ kind: 'question_opened', question, round, opened_at: 500, deadline_ms });
const choiceStats = (counts: number[], round = 1) => ({
  index: 0, round, answered: counts.reduce((a, b) => a + b, 0),
  distribution: { type: 'choices' as const, counts: counts.map((count, i) => ({ choice: `c${i + 1}`, count })) },
});

describe('quizFromSnapshot', () => {
  it('reads a participant snapshot with an open question and an answer', () => {
    const s = quizFromSnapshot({
      ...lobby(),
      phase: { state: 'open', index: 0 },
      current: { question: Q0, round: 1, opened_at: 1, deadline_ms: 30_001 },
      your_answer: { answer: { type: 'choice', choice: 'c2' }, at: 5 },
      your_score: { score: 0, rank: 1, participants: 2, answered: 0 },
    });
    expect(s.phase).toEqual({ state: 'open', index: 0 });
    expect(currentAnswer(s)?.answer).toEqual({ type: 'choice', choice: 'c2' });
    expect(s.seen[0].prompt).toBe('Capitale de la France ?');
    expect(acceptsAnswers(s)).toBe(true);
    expect(s.score?.participants).toBe(2);
  });

  it('reads a trainer snapshot after a reveal: stats and revealed by index', () => {
    const revealed = { kind: 'revealed' as const, index: 0, correct: { type: 'choices' as const, choices: ['c1'] }, stats: choiceStats([1, 1, 0]), confidently_wrong: 0 };
    const s = quizFromSnapshot({ ...lobby(), phase: { state: 'revealed', index: 0 }, current: { question: Q0, round: 1, opened_at: 1 }, revealed, leaderboard: [] });
    expect(s.stats[0].answered).toBe(2);
    expect(s.revealed?.index).toBe(0);
    expect(acceptsAnswers(s)).toBe(false);
  });

  it('takes the leaderboard from the summary once ended', () => {
    const s = quizFromSnapshot({ ...lobby(), phase: { state: 'ended' }, summary: { participants: 1, questions: [], leaderboard: [{ rank: 1, name: 'Alice', score: 1000 }] } });
    expect(s.leaderboard).toEqual([{ rank: 1, name: 'Alice', score: 1000 }]);
  });
});

describe('a trainer-paced run', () => {
  it('goes open → answered → closed → revealed → leaderboard → next → ended', () => {
    let s = quizFromSnapshot(lobby());
    s = run(s, opened(Q0, 1, 31_000));
    expect(s.phase).toEqual({ state: 'open', index: 0 });
    expect(s.current?.deadline_ms).toBe(31_000);
    expect(acceptsAnswers(s)).toBe(true);

    s = applyQuizEvent(s, { kind: 'answer_accepted', question: 0, answer: { type: 'choice', choice: 'c1' } }, 2000);
    expect(currentAnswer(s)).toEqual({ answer: { type: 'choice', choice: 'c1' }, confidence: undefined, at: 2000, result: undefined });

    s = run(s, { kind: 'deadline_extended', index: 0, deadline_ms: 61_000 });
    expect(s.current?.deadline_ms).toBe(61_000);

    s = run(s, { kind: 'question_closed', index: 0, reason: 'all_answered', answered: 2 });
    expect(s.phase).toEqual({ state: 'closed', index: 0 });
    expect(s.closed?.reason).toBe('all_answered');
    expect(acceptsAnswers(s)).toBe(false);

    s = run(s,
      { kind: 'revealed', index: 0, correct: { type: 'choices', choices: ['c1'] }, stats: choiceStats([1, 1, 0]), confidently_wrong: 0 },
      { kind: 'your_score', score: { score: 1000, rank: 1, participants: 2, answered: 1 },
        results: [{ question: 0, correct: true, points: 1000, correct_answer: { type: 'choices', choices: ['c1'] } }] });
    expect(s.phase).toEqual({ state: 'revealed', index: 0 });
    expect(currentResult(s)?.correct).toBe(true);
    expect(currentAnswer(s)?.result?.points).toBe(1000);
    expect(s.stats[0].answered).toBe(2);

    s = run(s, { kind: 'leaderboard', entries: [{ rank: 1, name: 'Alice', score: 1000 }, { rank: 2, name: 'Bob', score: 0 }] });
    expect(s.phase).toEqual({ state: 'leaderboard', index: 0 });
    expect(s.leaderboard).toHaveLength(2);

    s = run(s, opened(Q1));
    expect(s.phase).toEqual({ state: 'open', index: 1 });
    expect(s.revealed).toBeUndefined();
    expect(currentAnswer(s)).toBeUndefined();
    expect(s.results[0].correct).toBe(true); // earlier results stay

    s = run(s,
      { kind: 'question_closed', index: 1, reason: 'ended', answered: 0 },
      { kind: 'ended', summary: { participants: 2, questions: [], leaderboard: [{ rank: 1, name: 'Alice', score: 1000 }] } });
    expect(s.phase).toEqual({ state: 'ended' });
    expect(s.summary?.participants).toBe(2);
    expect(s.leaderboard).toEqual([{ rank: 1, name: 'Alice', score: 1000 }]);
  });

  it('a re-vote (reopen) forgets the earlier round’s answer and result', () => {
    let s = run(quizFromSnapshot(lobby()), opened(Q0));
    s = run(s,
      { kind: 'answer_accepted', question: 0, answer: { type: 'choice', choice: 'c2' } },
      { kind: 'revealed', index: 0, correct: { type: 'choices', choices: ['c1'] }, stats: choiceStats([0, 1, 0]), confidently_wrong: 0 },
      { kind: 'your_score', score: { score: 0, rank: 1, participants: 1, answered: 1 }, results: [{ question: 0, correct: false, points: 0 }] });
    expect(currentResult(s)?.correct).toBe(false);
    s = run(s, opened(Q0, 2));
    expect(s.current?.round).toBe(2);
    expect(currentAnswer(s)).toBeUndefined();
    expect(currentResult(s)).toBeUndefined();
    expect(acceptsAnswers(s)).toBe(true);
  });

  it('aggregates replace the figures of the questions they list', () => {
    let s = run(quizFromSnapshot(lobby()), opened(Q0));
    s = run(s, { kind: 'aggregate', questions: [choiceStats([0, 0, 0])], connected: 2 });
    s = run(s, { kind: 'aggregate', questions: [choiceStats([1, 0, 0])], connected: 2 });
    s = run(s, { kind: 'aggregate', questions: [choiceStats([1, 1, 0])], connected: 1 });
    expect(s.stats[0].answered).toBe(2);
    expect(s.connected).toBe(1);
  });

  it('ignores a deadline for another question and unknown kinds', () => {
    const s = run(quizFromSnapshot(lobby()), opened(Q0, 1, 10));
    expect(run(s, { kind: 'deadline_extended', index: 1, deadline_ms: 99 })).toBe(s);
    expect(applyQuizEvent(s, { kind: 'sparkles' } as unknown as QuizEvent, 1)).toBe(s);
  });
});

describe('a self-paced quiz', () => {
  it('keeps the window phase while the participant moves, and keeps each answer', () => {
    let s = quizFromSnapshot(lobby({ mode: 'self_paced' }));
    s = run(s, { kind: 'window_opened', closes_at: 90_000 });
    expect(s.phase).toEqual({ state: 'window', closes_at: 90_000 });
    s = run(s, { ...opened(Q0, 1, 90_000), position: 0 } as QuizEvent);
    expect(s.phase.state).toBe('window');
    expect(acceptsAnswers(s)).toBe(true);
    s = run(s, { kind: 'answer_accepted', question: 0, answer: { type: 'choice', choice: 'c1' }, result: { question: 0, correct: true, points: 1000 } });
    expect(currentResult(s)?.correct).toBe(true);
    s = run(s, { ...opened(Q1, 1, 90_000), position: 1 } as QuizEvent);
    expect(currentAnswer(s)).toBeUndefined();
    s = run(s, { ...opened(Q0, 1, 90_000), position: 0 } as QuizEvent); // back: the answer is still known
    expect(currentAnswer(s)?.answer).toEqual({ type: 'choice', choice: 'c1' });
    s = run(s, { kind: 'leaderboard', entries: [] });
    expect(s.phase.state).toBe('window');
  });

  it('is finished once every question is answered, in this tab or by the server\'s count', () => {
    let s = run(quizFromSnapshot(lobby({ mode: 'self_paced' })), { kind: 'window_opened', closes_at: 90_000 });
    s = run(s, { ...opened(Q0, 1, 90_000), position: 0 } as QuizEvent,
      { kind: 'answer_accepted', question: 0, answer: { type: 'choice', choice: 'c1' } });
    expect(selfPacedFinished(s), 'one of two').toBe(false);
    const done = run(s, { ...opened(Q1, 1, 90_000), position: 1 } as QuizEvent,
      { kind: 'answer_accepted', question: 1, answer: { type: 'bool', value: false } });
    expect(selfPacedFinished(done)).toBe(true);
    // After a reload this tab knows one answer; the server's count says both.
    const counted = run(s, { kind: 'your_score', score: { score: 1000, rank: 1, participants: 3, answered: 2 } });
    expect(selfPacedFinished(counted)).toBe(true);
    expect(selfPacedFinished(run(done, { kind: 'ended', summary: { participants: 1, questions: [], leaderboard: [] } } as unknown as QuizEvent)), 'ended: the end screen').toBe(false);
    expect(selfPacedFinished(quizFromSnapshot(lobby())), 'trainer-paced').toBe(false);
  });

  it('a scheduled window', () => {
    const s = run(quizFromSnapshot(lobby({ mode: 'self_paced' })), { kind: 'window_scheduled', opens_at: 5000, closes_at: 9000 });
    expect(s.phase).toEqual({ state: 'scheduled', opens_at: 5000 });
    expect(acceptsAnswers(s)).toBe(false);
  });
});

describe('removal and the room state', () => {
  it('records removed members once', () => {
    let s = quizFromSnapshot(lobby());
    s = run(s, { kind: 'participant_removed', member: 'm-1' }, { kind: 'participant_removed', member: 'm-1' });
    expect(s.removed).toEqual(['m-1']);
  });

  it('a quiz room: the snapshot brings the quiz, quiz events update it and take their seq', () => {
    const joined: Joined = {
      type: 'joined',
      room: { id: 'r1', kind: 'quiz', title: 'Géo', join_code: 'Y46PY6' },
      seq: 100,
      snapshot: { members: [], counts: { members: 2, connected: 2, participants: 1, participants_connected: 1 }, hands: [], announcements: [], quiz: lobby() },
    };
    const ev = (seq: number, event: QuizEvent): RoomEvent => ({ type: 'event', room: 'r1', seq, at: 7000, event: { kind: 'quiz', event } });
    let room = applyJoined(undefined, joined);
    expect(room.quiz?.phase.state).toBe('lobby');
    room = applyEvent(room, ev(101, opened(Q0)));
    expect(room.seq).toBe(101);
    expect(room.quiz?.phase).toEqual({ state: 'open', index: 0 });
    const same = applyEvent(room, ev(101, { kind: 'question_closed', index: 0, reason: 'trainer', answered: 0 }));
    expect(same).toBe(room); // a duplicate
    room = applyEvent(room, ev(104, { kind: 'answer_accepted', question: 0, answer: { type: 'bool', value: true } }));
    expect(room.quiz?.answers[0].at).toBe(7000); // the event's server time
  });

  it('a lobby room ignores quiz events but takes their seq', () => {
    const room = applyJoined(undefined, {
      type: 'joined', room: { id: 'r1', kind: 'lobby', title: 'Salle' }, seq: 1,
      snapshot: { members: [], counts: { members: 0, connected: 0, participants: 0, participants_connected: 0 }, hands: [], announcements: [] },
    });
    const next = applyEvent(room, { type: 'event', room: 'r1', seq: 2, at: 1, event: { kind: 'quiz', event: opened(Q0) } });
    expect(next.seq).toBe(2);
    expect(next.quiz).toBeUndefined();
  });
});
