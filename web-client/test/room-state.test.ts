// Room state updates: snapshot replace, presence diffs, hands, the lock, removals,
// announcements, seq tracking (duplicates ignored, gaps accepted), and protocol
// 2's own answers (the ack as acceptance, answer_late as the close).

import { describe, expect, it } from 'vitest';
import type { Joined, MemberView, RoomEvent } from '../src/protocol';
import { applyEvent, applyJoined, applyLateAnswer, applyOwnAnswer, applyPresenceDiff, handRaised, placeholderRoom } from '../src/room-state';
import { opened, Q0, Q1, quiz } from './quiz-fixtures';

const ROOM = { id: 'r1', kind: 'lobby' as const, title: 'Formation', join_code: 'KM7R4P' };
const counts = (connected: number) => ({ members: 3, connected, participants: 2, participants_connected: connected - 1 });
const m = (id: string, name: string, connected = true, role: MemberView['role'] = 'participant'): MemberView => ({ id, name, role, connected });

const snapshotJoined: Joined = {
  type: 'joined',
  room: ROOM,
  seq: 10,
  snapshot: {
    members: [m('t', 'Mme Durand', true, 'trainer'), m('a', 'Alice'), m('b', 'Bob', false)],
    counts: counts(2),
    hands: [{ member: 'a', name: 'Alice', at: 1 }],
    announcements: [{ from: 't', from_name: 'Mme Durand', text: 'Bienvenue', at: 1 }],
  },
};

function ev(seq: number, event: RoomEvent['event'], room = 'r1'): RoomEvent {
  return { type: 'event', room, seq, at: 1000 + seq, event };
}

describe('applyJoined', () => {
  it('replaces the state with a snapshot', () => {
    const old = { ...placeholderRoom(ROOM, 99), members: [m('z', 'Zoé')] };
    const s = applyJoined(old, snapshotJoined);
    expect(s.seq).toBe(10);
    expect(s.members.map((x) => x.id)).toEqual(['t', 'a', 'b']);
    expect(s.hands).toHaveLength(1);
    expect(s.announcements[0].text).toBe('Bienvenue');
  });

  it('keeps state and seq without a snapshot (replayed events follow)', () => {
    const before = applyJoined(undefined, snapshotJoined);
    const s = applyJoined(before, { type: 'joined', room: { ...ROOM, title: 'Renamed' }, seq: 15 });
    expect(s.seq).toBe(10);
    expect(s.members).toBe(before.members);
    expect(s.info.title).toBe('Renamed');
    // the replay of 11..15 then applies
    const after = applyEvent(s, ev(11, { kind: 'hand_lowered', member: 'a', by: 't' }));
    expect(after.seq).toBe(11);
    expect(after.hands).toEqual([]);
  });
});

describe('presence diffs', () => {
  it('upserts changed members in place and drops those who left', () => {
    const members = [m('a', 'Alice'), m('b', 'Bob', false), m('c', 'Chloé')];
    const out = applyPresenceDiff(members, [m('b', 'Bob', true), m('d', 'Dan')], ['c']);
    expect(out).toEqual([m('a', 'Alice'), m('b', 'Bob', true), m('d', 'Dan')]);
  });

  it('ignores a member both changed and left', () => {
    expect(applyPresenceDiff([], [m('x', 'X')], ['x'])).toEqual([]);
  });

  it('applies a presence event: counts replaced, list diffed', () => {
    const s0 = applyJoined(undefined, snapshotJoined);
    const s1 = applyEvent(s0, ev(11, { kind: 'presence', counts: counts(3), changed: [m('b', 'Bob', true)], left: ['t'] }));
    expect(s1.counts).toEqual(counts(3));
    expect(s1.members).toEqual([m('a', 'Alice'), m('b', 'Bob', true)]);
    expect(s0.members).toHaveLength(3); // immutable
  });

  it('a participant presence event (counts only) keeps the (empty) list', () => {
    const s0 = { ...placeholderRoom(ROOM, 0) };
    const s1 = applyEvent(s0, ev(1, { kind: 'presence', counts: counts(2) }));
    expect(s1.counts.participants_connected).toBe(1);
    expect(s1.members).toEqual([]);
  });
});

describe('hands and announcements', () => {
  it('raises, re-raises without duplicates, and lowers hands', () => {
    let s = applyJoined(undefined, snapshotJoined);
    s = applyEvent(s, ev(11, { kind: 'hand_raised', hand: { member: 'b', name: 'Bob', at: 5 } }));
    s = applyEvent(s, ev(12, { kind: 'hand_raised', hand: { member: 'a', name: 'Alice', at: 6 } }));
    expect(s.hands.map((x) => x.member)).toEqual(['b', 'a']);
    expect(handRaised(s, 'a')).toBe(true);
    s = applyEvent(s, ev(13, { kind: 'hand_lowered', member: 'a', by: 't' }));
    expect(handRaised(s, 'a')).toBe(false);
    expect(s.hands.map((x) => x.member)).toEqual(['b']);
  });

  it('appends announcements (oldest first)', () => {
    let s = applyJoined(undefined, snapshotJoined);
    s = applyEvent(s, ev(11, { kind: 'announcement', announcement: { from: 't', from_name: 'Mme Durand', text: 'Pause', at: 9 } }));
    expect(s.announcements.map((a) => a.text)).toEqual(['Bienvenue', 'Pause']);
  });
});

describe('seq tracking', () => {
  it('tracks the highest seq, accepts gaps, ignores duplicates and old events', () => {
    let s = applyJoined(undefined, snapshotJoined);
    const raise = ev(14, { kind: 'hand_raised', hand: { member: 'b', name: 'Bob', at: 5 } });
    s = applyEvent(s, raise); // a jump from 10 to 14 is fine
    expect(s.seq).toBe(14);
    const same = applyEvent(s, raise);
    expect(same).toBe(s);
    const old = applyEvent(s, ev(12, { kind: 'hand_lowered', member: 'b', by: 'b' }));
    expect(old).toBe(s);
    expect(handRaised(s, 'b')).toBe(true);
  });

  it('ignores events of another room', () => {
    const s = applyJoined(undefined, snapshotJoined);
    expect(applyEvent(s, ev(50, { kind: 'hand_lowered', member: 'a', by: 'a' }, 'other'))).toBe(s);
  });

  it('moves seq past events of unknown kinds', () => {
    const s = applyJoined(undefined, snapshotJoined);
    const next = applyEvent(s, ev(11, { kind: 'quiz_opened' } as unknown as RoomEvent['event']));
    expect(next.seq).toBe(11);
    expect(next.members).toBe(s.members);
  });
});

describe('lock and removal', () => {
  it('reads the lock from the snapshot (absent: open) and follows room_locked', () => {
    const open = applyJoined(undefined, snapshotJoined);
    expect(open.locked).toBe(false);
    const lockedSnapshot = applyJoined(undefined, { ...snapshotJoined, snapshot: { ...snapshotJoined.snapshot!, locked: true } });
    expect(lockedSnapshot.locked).toBe(true);
    const locked = applyEvent(open, ev(11, { kind: 'room_locked', locked: true, by: 't' }));
    expect(locked.locked).toBe(true);
    expect(applyEvent(locked, ev(12, { kind: 'room_locked', locked: false, by: 't' })).locked).toBe(false);
    // A replayed (old) lock event changes nothing.
    expect(applyEvent(locked, ev(11, { kind: 'room_locked', locked: false, by: 't' }))).toBe(locked);
  });

  it('drops a removed member and their raised hand', () => {
    const s = applyEvent(applyJoined(undefined, snapshotJoined), ev(11, { kind: 'member_removed', member: 'a', by: 't' }));
    expect(s.members.map((x) => x.id)).toEqual(['t', 'b']);
    expect(s.hands).toEqual([]);
  });
});

describe('protocol 2: an own answer acknowledged, or refused as late', () => {
  const quizRoom = (events: Parameters<typeof quiz>[0]) => ({ ...placeholderRoom(ROOM, 1), quiz: quiz(events) });
  const own = { question: 0, answer: { type: 'choice' as const, choice: 'c2' } };

  it('the ack records the answer as the answer_accepted it replaces would', () => {
    const s = applyOwnAnswer(quizRoom([opened(Q0)]), own, 4242);
    expect(s.quiz?.answers[0]).toEqual({ answer: own.answer, confidence: undefined, at: 4242, result: undefined });
    expect(s.quiz?.phase).toEqual({ state: 'open', index: 0 });
  });

  it('keeps an acceptance that came first with its immediate result', () => {
    const result = { question: 0, correct: false, points: 0 };
    const before = quizRoom([opened(Q0), { kind: 'answer_accepted', question: 0, answer: own.answer, result }]);
    const s = applyOwnAnswer(before, own, 4242);
    expect(s).toBe(before);
    expect(s.quiz?.answers[0].result).toEqual(result);
  });

  it('a changed answer replaces the earlier one', () => {
    const before = applyOwnAnswer(quizRoom([opened(Q0)]), own, 1);
    const s = applyOwnAnswer(before, { question: 0, answer: { type: 'choice', choice: 'c3' } }, 2);
    expect(s.quiz?.answers[0]).toMatchObject({ answer: { choice: 'c3' }, at: 2 });
  });

  it('answer_late closes the open question the connection was not told about', () => {
    const s = applyLateAnswer(quizRoom([opened(Q0)]), 0);
    expect(s.quiz?.phase).toEqual({ state: 'closed', index: 0 });
    const revealedRoom = quizRoom([opened(Q0), { kind: 'question_closed', index: 0, reason: 'trainer', answered: 1 }]);
    expect(applyLateAnswer(revealedRoom, 0)).toBe(revealedRoom);
    const otherQuestion = quizRoom([opened(Q1)]);
    expect(applyLateAnswer(otherQuestion, 0)).toBe(otherQuestion);
  });

  it('a room without a quiz is left as it is', () => {
    const lobbyRoom = placeholderRoom(ROOM, 1);
    expect(applyOwnAnswer(lobbyRoom, own, 1)).toBe(lobbyRoom);
    expect(applyLateAnswer(lobbyRoom, 0)).toBe(lobbyRoom);
  });
});
