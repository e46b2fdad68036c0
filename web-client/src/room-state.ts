// What the client knows of one room, and the pure functions that update it
// from `joined` frames (with snapshot: replace; without: keep, replayed events
// follow) and numbered `event` frames (presence diffs, announcements, hands,
// the lock to new guests, removals,
// quiz events: see quiz-state.ts; board events and pages: see board-state.ts;
// breakout events: see breakout-state.ts).
// An event whose seq is not above the last one applied is a duplicate (replay
// overlap) and is ignored. States are immutable: each update returns a new one.

import type {
  Announcement,
  Joined,
  MemberId,
  MemberView,
  PresenceCounts,
  RaisedHand,
  RoomEvent,
  RoomInfo,
} from './protocol';
import type { BoardPage } from './board-protocol';
import type { AnswerValue } from './quiz-protocol';
import { applyBoardEvent, applyBoardPage, boardFromSnapshot, type BoardState } from './board-state';
import { applyQuizEvent, quizFromSnapshot, type QuizState } from './quiz-state';
import { applyBreakoutEvent, breakoutFromSnapshot, type BreakoutState } from './breakout-state';

/** Announcements kept per room (the server snapshot sends the recent ones). */
export const MAX_ANNOUNCEMENTS = 100;

export interface RoomState {
  info: RoomInfo;
  /** The highest seq applied (sent back in `hello.last_seq` on resume). */
  seq: number;
  /** Leaders and observers only; participants see `counts`. */
  members: MemberView[];
  counts: PresenceCounts;
  /** Oldest first. */
  hands: RaisedHand[];
  /** Oldest first. */
  announcements: Announcement[];
  /** Locked to new guests by a leader (`lock`). */
  locked: boolean;
  /** In a quiz room, once a snapshot brought it. */
  quiz?: QuizState;
  /** In a board room, once a snapshot brought it. */
  board?: BoardState;
  /** In a breakout room, once a snapshot brought it. */
  breakout?: BreakoutState;
}

export const EMPTY_COUNTS: PresenceCounts = {
  members: 0,
  connected: 0,
  participants: 0,
  participants_connected: 0,
};

/** A room we know only by its id and seq (restored after a reload). */
export function placeholderRoom(info: RoomInfo, seq: number): RoomState {
  return { info, seq, members: [], counts: EMPTY_COUNTS, hands: [], announcements: [], locked: false };
}

/** Applies a `joined` frame to what we knew of the room (if anything). */
export function applyJoined(previous: RoomState | undefined, joined: Joined): RoomState {
  const snap = joined.snapshot;
  if (snap) {
    return {
      info: joined.room,
      seq: joined.seq,
      members: snap.members,
      counts: snap.counts,
      hands: snap.hands,
      announcements: snap.announcements.slice(-MAX_ANNOUNCEMENTS),
      locked: snap.locked ?? false,
      quiz: snap.quiz ? quizFromSnapshot(snap.quiz) : undefined,
      board: snap.board ? boardFromSnapshot(snap.board) : undefined,
      breakout: snap.breakout ? breakoutFromSnapshot(snap.breakout) : undefined,
    };
  }
  // No snapshot: the events after our last seq follow, so keep our seq.
  const base = previous ?? placeholderRoom(joined.room, 0);
  return { ...base, info: joined.room };
}

/** Applies a room event; returns the same object when it is a duplicate. */
export function applyEvent(state: RoomState, frame: RoomEvent): RoomState {
  if (frame.room !== state.info.id || frame.seq <= state.seq) return state;
  const next: RoomState = { ...state, seq: frame.seq };
  const body = frame.event;
  switch (body.kind) {
    case 'presence':
      next.counts = body.counts;
      next.members = applyPresenceDiff(state.members, body.changed ?? [], body.left ?? []);
      break;
    case 'announcement':
      next.announcements = [...state.announcements, body.announcement].slice(-MAX_ANNOUNCEMENTS);
      break;
    case 'hand_raised':
      next.hands = [...state.hands.filter((h) => h.member !== body.hand.member), body.hand];
      break;
    case 'hand_lowered':
      next.hands = state.hands.filter((h) => h.member !== body.member);
      break;
    case 'room_locked':
      next.locked = body.locked;
      break;
    case 'member_removed':
      next.members = state.members.filter((m) => m.id !== body.member);
      next.hands = state.hands.filter((h) => h.member !== body.member);
      break;
    case 'quiz':
      if (state.quiz) next.quiz = applyQuizEvent(state.quiz, body.event, frame.at);
      break;
    case 'board':
      if (state.board) next.board = applyBoardEvent(state.board, body.event);
      break;
    case 'breakout':
      if (state.breakout) next.breakout = applyBreakoutEvent(state.breakout, body.event);
      break;
    default:
      // A kind this client does not know yet: keep the seq, change nothing.
      break;
  }
  return next;
}

/** This member's own answer, acknowledged: with protocol 2 the `ack` is its
 * acceptance (the server sends this connection no `answer_accepted` for it,
 * except one carrying an immediate result, which then came first and is
 * kept). `at`: the server time of the ack. */
export function applyOwnAnswer(state: RoomState, own: OwnAnswer, at: number): RoomState {
  if (!state.quiz) return state;
  const known = state.quiz.answers[own.question];
  if (known && JSON.stringify(known.answer) === JSON.stringify(own.answer)) return state;
  const event = { kind: 'answer_accepted' as const, question: own.question, answer: own.answer, confidence: own.confidence };
  return { ...state, quiz: applyQuizEvent(state.quiz, event, at) };
}

/** This member's answer came too late: its question is closed, though with
 * protocol 2 this connection, having answered before, got no
 * `question_closed` (an answer changed after the close is how it learns). */
export function applyLateAnswer(state: RoomState, question: number): RoomState {
  const quiz = state.quiz;
  if (!quiz || quiz.phase.state !== 'open' || quiz.phase.index !== question) return state;
  return { ...state, quiz: { ...quiz, phase: { state: 'closed', index: question } } };
}

/** What an `answer` command said. */
export interface OwnAnswer {
  question: number;
  answer: AnswerValue;
  confidence?: number;
}

/** Adds a board page (the answer to `load_more`); pages carry no seq. */
export function applyPage(state: RoomState, page: BoardPage): RoomState {
  return state.board ? { ...state, board: applyBoardPage(state.board, page) } : state;
}

/** Upserts `changed` members (in place, new ones at the end), drops `left`. */
export function applyPresenceDiff(
  members: MemberView[],
  changed: MemberView[],
  left: MemberId[],
): MemberView[] {
  const gone = new Set(left);
  const updates = new Map(changed.map((m) => [m.id, m]));
  const result: MemberView[] = [];
  for (const m of members) {
    if (gone.has(m.id)) continue;
    const update = updates.get(m.id);
    result.push(update ?? m);
    updates.delete(m.id);
  }
  for (const m of updates.values()) if (!gone.has(m.id)) result.push(m);
  return result;
}

/** Whether this member's hand is up. */
export function handRaised(state: RoomState, member: MemberId): boolean {
  return state.hands.some((h) => h.member === member);
}
