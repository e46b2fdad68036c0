// Wire types of the amphi protocol, version 2 (JSON over WebSocket,
// subprotocol `amphi.v1.json`, which names the encoding), mirroring protocol/src/{client,server,codes}.rs (the quiz
// types are in quiz-protocol.ts, the board types in board-protocol.ts, the
// breakout types in breakout-protocol.ts), plus
// the close-code policy a client follows. Optional fields are omitted on the
// wire.

import type { BoardCommand, BoardEvent, BoardPage, BoardSnapshot } from './board-protocol';
import type { BreakoutCommand, BreakoutEvent, BreakoutSnapshot } from './breakout-protocol';
import type { QuizCommand, QuizEvent, QuizSnapshot } from './quiz-protocol';

export const PROTOCOL_VERSION = 2;
export const SUBPROTOCOL_JSON = 'amphi.v1.json';

export type RoomId = string;
export type MemberId = string;
export type Role = 'participant' | 'trainer' | 'facilitator' | 'observer' | 'admin' | 'national';
export type RoomKind = 'lobby' | 'quiz' | 'board' | 'breakout';

/** Trainers, facilitators, admins and national curators lead a room. */
export function leads(role: Role): boolean {
  return role === 'trainer' || role === 'facilitator' || role === 'admin' || role === 'national';
}

// ---- client → server -------------------------------------------------------

export type Auth =
  | { method: 'token'; token: string }
  | { method: 'join_code'; code: string; name: string }
  | { method: 'resume'; token: string };

export interface Hello {
  type: 'hello';
  v: number;
  auth: Auth;
  last_seq?: Record<RoomId, number>;
}

/** A command as the app builds it, before it gets its client message id. */
export type CommandBody =
  | { type: 'join'; room?: RoomId; code?: string }
  | { type: 'leave'; room: RoomId }
  | { type: 'announce'; room: RoomId; text: string }
  | { type: 'raise_hand'; room: RoomId }
  | { type: 'lower_hand'; room: RoomId; member?: MemberId }
  | { type: 'quiz'; room: RoomId; command: QuizCommand }
  | { type: 'board'; room: RoomId; command: BoardCommand }
  | { type: 'breakout'; room: RoomId; command: BreakoutCommand }
  | { type: 'lock'; room: RoomId }
  | { type: 'unlock'; room: RoomId }
  | { type: 'remove_member'; room: RoomId; member: MemberId }
  | { type: 'ping' };

export type Command = CommandBody & { id: string };
export type ClientMessage = Hello | Command;

// ---- server → client -------------------------------------------------------

export interface MemberIdentity {
  id: MemberId;
  name: string;
  role: Role;
  tenant: string;
  guest: boolean;
}

export interface RoomInfo {
  id: RoomId;
  kind: RoomKind;
  title: string;
  join_code?: string;
}

export interface MemberView {
  id: MemberId;
  name: string;
  role: Role;
  connected: boolean;
}

export interface PresenceCounts {
  members: number;
  connected: number;
  participants: number;
  participants_connected: number;
}

export interface RaisedHand {
  member: MemberId;
  name: string;
  at: number;
}

export interface Announcement {
  from: MemberId;
  from_name: string;
  text: string;
  at: number;
}

export interface RoomSnapshot {
  members: MemberView[];
  counts: PresenceCounts;
  hands: RaisedHand[];
  announcements: Announcement[];
  /** The room is locked to new guests (`lock`); absent when it is not. */
  locked?: boolean;
  /** In a quiz room: the quiz as this member may see it. */
  quiz?: QuizSnapshot;
  /** In a board room: the board as this member may see it. */
  board?: BoardSnapshot;
  /** In a breakout room: the ateliers as this member may see them. */
  breakout?: BreakoutSnapshot;
}

export type EventBody =
  | { kind: 'presence'; counts: PresenceCounts; changed?: MemberView[]; left?: MemberId[] }
  | { kind: 'announcement'; announcement: Announcement }
  | { kind: 'hand_raised'; hand: RaisedHand }
  | { kind: 'hand_lowered'; member: MemberId; by: MemberId }
  | { kind: 'room_locked'; locked: boolean; by: MemberId }
  | { kind: 'member_removed'; member: MemberId; by: MemberId }
  | { kind: 'quiz'; event: QuizEvent }
  | { kind: 'board'; event: BoardEvent }
  | { kind: 'breakout'; event: BreakoutEvent };

export type ErrorCode =
  | 'malformed_frame'
  | 'unknown_type'
  | 'invalid_field'
  | 'out_of_range'
  | 'frame_too_large'
  | 'unsupported_protocol'
  | 'not_authenticated'
  | 'already_authenticated'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden'
  | 'room_not_found'
  | 'not_found'
  | 'not_in_room'
  | 'room_full'
  | 'invalid_state'
  | 'answer_late'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'
  | 'conflict'
  | 'file_too_large'
  | 'file_type_refused'
  | 'room_locked'
  | 'quota_exceeded'
  | 'session_ended'
  | 'link_refused'
  | 'switched_off';

export interface Welcome {
  type: 'welcome';
  v: number;
  member: MemberIdentity;
  resume_token: string;
  server_time_ms: number;
  heartbeat_ms: number;
  /** Opens the tenant's files: `?access=` on `/api/v1/blobs/{blob}`. */
  blob_token?: string;
}
export interface Joined {
  type: 'joined';
  room: RoomInfo;
  seq: number;
  snapshot?: RoomSnapshot;
}
export interface RoomEvent {
  type: 'event';
  room: RoomId;
  seq: number;
  at: number;
  event: EventBody;
}
export interface Ack {
  type: 'ack';
  id: string;
}
export interface ErrorMessage {
  type: 'error';
  id?: string;
  room?: RoomId;
  code: ErrorCode;
  message: string;
}
export interface Pong {
  type: 'pong';
  id: string;
  server_time_ms: number;
}

/** The answer to a board's `load_more` (in place of an `ack`): the next posts. */
export interface BoardPageMessage extends BoardPage {
  type: 'board_page';
  id: string;
  room: RoomId;
}

export type ServerMessage = Welcome | Joined | RoomEvent | Ack | ErrorMessage | Pong | BoardPageMessage;

const SERVER_TYPES = new Set(['welcome', 'joined', 'event', 'ack', 'error', 'pong', 'board_page']);

/** Parses a text frame; null when it is not a server message we know. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && SERVER_TYPES.has(type) ? (value as ServerMessage) : null;
}

// ---- close codes -------------------------------------------------------------

/** What to do after the socket closed with this code. */
export type CloseAdvice =
  | { reconnect: false; reason: 'normal' | 'removed' }
  | { reconnect: true; minDelayMs: number };

/** The reconnect policy of protocol/src/codes.rs (`CloseCode::reconnect`). */
export function closeAdvice(code: number): CloseAdvice {
  switch (code) {
    case 1000:
      return { reconnect: false, reason: 'normal' };
    case 4011: // removed by a trainer
      return { reconnect: false, reason: 'removed' };
    case 4029: // rate limited: wait a few seconds
      return { reconnect: true, minDelayMs: 5000 };
    default:
      // 1001 going away, 1006 network drop, 1009, 1011, 4002, 4008, 4010,
      // 4012 room moved to another node (resume at once), …
      return { reconnect: true, minDelayMs: 0 };
  }
}
