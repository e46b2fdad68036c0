// The live session with the server over /ws: sends `hello` (resume token when
// it has one, else the first auth), keeps room states from `joined`/`event`
// frames, pings every `heartbeat_ms` and drops a connection silent for twice
// that, reconnects with backoff per the close-code policy, and keeps every
// command in a persisted queue until answered, resending it with the same id
// after each `welcome` (quiz answers and board posts too: never doubled, never
// lost; a durable command's `ack` may come after its events). A board
// snapshot that has more posts than it carries is completed with `load_more`
// commands, each answered by a `board_page` (which settles it as an `ack`
// would). When the
// browser says it went offline, the connection is dropped at once and the
// reconnect waits for it. UI code subscribes to notices; it never touches the
// socket.

import { backoffDelay } from './backoff';
import { setBlobToken } from './board-api';
import { PendingQueue, idGenerator } from './pending';
import {
  PROTOCOL_VERSION,
  SUBPROTOCOL_JSON,
  closeAdvice,
  parseServerMessage,
  type BoardPageMessage,
  type Command,
  type CommandBody,
  type ErrorCode,
  type ErrorMessage,
  type Hello,
  type MemberIdentity,
  type RoomEvent,
  type RoomId,
  type ServerMessage,
} from './protocol';
import {
  applyEvent,
  applyJoined,
  applyLateAnswer,
  applyOwnAnswer,
  applyPage,
  placeholderRoom,
  type OwnAnswer,
  type RoomState,
} from './room-state';
import { saveSession, type SavedSession } from './session';
import type { KeyValueStore } from './storage';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'stopped';

/** Why the client stopped for good (until `reconnectNow`). */
export type StopReason = 'left' | 'normal' | 'removed' | 'refused';

export type CommandResult =
  | { ok: true }
  | { ok: false; code: ErrorCode | 'stopped'; message: string };

export type ClientNotice =
  | { type: 'status'; status: ConnectionStatus }
  | { type: 'welcome'; member: MemberIdentity }
  | { type: 'joined'; room: RoomId }
  /** The room's state changed: by this event when there is one, else by a
   * command queued or answered, a page or a new snapshot. One notice per change. */
  | { type: 'room'; room: RoomId; event?: RoomEvent }
  | { type: 'command_error'; command?: Command; error: ErrorMessage }
  | { type: 'stopped'; reason: StopReason; code?: ErrorCode };

/** The part of the browser's WebSocket the client uses (faked in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ClientOptions {
  /** ws:// or wss:// URL of /ws. */
  url: string;
  session: SavedSession;
  /** Where the session and the pending queue are persisted. */
  store: KeyValueStore;
  createSocket?: (url: string, protocol: string) => SocketLike;
  random?: () => number;
  isOnline?: () => boolean;
  /** No `welcome` this long after opening: drop and retry. */
  handshakeTimeoutMs?: number;
}

const OPEN = 1;
/** Command errors worth retrying later with the same id. */
const RETRYABLE: ReadonlySet<string> = new Set(['unavailable', 'rate_limited', 'internal']);
const RETRY_DELAY_MS = 3000;
/** `hello` refusals that mean "the resume token is no good": start afresh. */
const RESUME_REFUSED: ReadonlySet<string> = new Set(['unauthorized', 'token_expired', 'invalid_field']);

export function defaultSocketUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

export class AmphiClient {
  status: ConnectionStatus = 'connecting';
  me: MemberIdentity | undefined;
  readonly rooms = new Map<RoomId, RoomState>();
  readonly pending: PendingQueue;
  /** server clock − local clock, from `welcome` and `pong`. */
  clockOffsetMs = 0;
  /** Why the client stopped, while it is stopped. */
  stopReason: StopReason | undefined;

  private readonly opts: Required<ClientOptions>;
  private readonly session: SavedSession;
  private readonly nextId: () => string;
  private readonly listeners = new Set<(n: ClientNotice) => void>();
  private readonly waiters = new Map<string, (r: CommandResult) => void>();
  /** Rooms whose own hand is up, as far as we know. */
  private readonly ownHands = new Set<RoomId>();
  private socket: SocketLike | null = null;
  private welcomed = false;
  private helloWasResume = false;
  private attempt = 0;
  private heartbeatMs = 0;
  private timers: Record<'reconnect' | 'handshake' | 'watchdog' | 'retry', ReturnType<typeof setTimeout> | undefined> = {
    reconnect: undefined,
    handshake: undefined,
    watchdog: undefined,
    retry: undefined,
  };
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  /** When each unanswered ping left, to estimate the clock offset. */
  private readonly pingsSent = new Map<string, number>();
  /** Per board room, the id of the `load_more` completing the current snapshot. */
  private readonly pageChains = new Map<RoomId, string>();

  constructor(options: ClientOptions) {
    this.opts = {
      createSocket: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike,
      random: Math.random,
      isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
      handshakeTimeoutMs: 10_000,
      ...options,
    };
    this.session = options.session;
    this.pending = new PendingQueue(options.store);
    this.nextId = idGenerator(this.opts.random);
    this.me = this.session.member;
    // After a reload we know the rooms but not their state: seq 0 asks the
    // server for everything (a snapshot, or the whole replay).
    for (const info of Object.values(this.session.rooms)) this.rooms.set(info.id, placeholderRoom(info, 0));
  }

  // ---- public API ----------------------------------------------------------

  subscribe(listener: (n: ClientNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.setStatus('connecting');
    this.open();
  }

  /** Sends a command now if connected, else when the connection is back. */
  command(body: Exclude<CommandBody, { type: 'ping' }>): Promise<CommandResult> {
    return this.enqueue(body).result;
  }

  /** The bearer token for the REST API on behalf of this member (uploads):
   * the latest resume token, which the server accepts as a bearer. */
  get bearerToken(): string | undefined {
    return this.session.resumeToken;
  }

  /** The board commands of a room still waiting for their answer, oldest first. */
  pendingBoard(room: RoomId): Extract<Command, { type: 'board' }>[] {
    return this.pending.forRoom(room).filter((c): c is Extract<Command, { type: 'board' }> => c.type === 'board');
  }

  /** Whether `reconnectNow` can do something (not after leave/removed/refused). */
  get canReconnect(): boolean {
    return this.status === 'stopped' ? this.stopReason === 'normal' : this.status !== 'online';
  }

  /** Skips the backoff wait (browser back online, or a "retry" button). */
  reconnectNow(): void {
    if (!this.canReconnect || this.socket) return;
    this.stopReason = undefined;
    clearTimeout(this.timers.reconnect);
    this.attempt = 0;
    this.setStatus('reconnecting');
    this.open();
  }

  /** The browser went offline: drop the connection now (rather than wait for
   * the watchdog) and reconnect with backoff; commands stay queued. */
  networkLost(): void {
    if (this.status === 'stopped' || !this.socket) return;
    this.lost();
  }

  /** The breakout commands of a room still waiting for their answer, oldest first
   * (a production handed in offline shows as queued until it is sent). */
  pendingBreakout(room: RoomId): Extract<Command, { type: 'breakout' }>[] {
    return this.pending.forRoom(room).filter((c): c is Extract<Command, { type: 'breakout' }> => c.type === 'breakout');
  }

  /** The queued (not yet answered) quiz answer to this question, if any. */
  pendingAnswer(room: RoomId, question: number): Command | undefined {
    return this.pending
      .forRoom(room)
      .find((c) => c.type === 'quiz' && c.command.action === 'answer' && c.command.question === question);
  }

  /** Whether a quiz command with this action is queued for the room. */
  hasPendingQuiz(room: RoomId, action?: string): boolean {
    return this.pending.forRoom(room).some((c) => c.type === 'quiz' && (!action || c.command.action === action));
  }

  /** Closes for good (the user left): no reconnect, queue dropped. */
  stop(reason: StopReason = 'left', code?: ErrorCode): void {
    if (this.status === 'stopped') return;
    this.clearTimers();
    this.dropSocket(1000);
    this.welcomed = false;
    if (reason === 'left' || reason === 'removed') this.pending.clear();
    for (const resolve of this.waiters.values()) resolve({ ok: false, code: 'stopped', message: reason });
    this.waiters.clear();
    this.stopReason = reason;
    this.setStatus('stopped');
    this.emit({ type: 'stopped', reason, code });
  }

  room(id: RoomId): RoomState | undefined {
    return this.rooms.get(id);
  }

  /** Whether my hand is up in this room, counting a queued raise or lower. */
  isHandRaised(room: RoomId): boolean {
    const queued = this.pending
      .forRoom(room)
      .filter((c) => c.type === 'raise_hand' || (c.type === 'lower_hand' && !c.member));
    const last = queued[queued.length - 1];
    return last ? last.type === 'raise_hand' : this.ownHands.has(room);
  }

  serverNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private enqueue(body: Exclude<CommandBody, { type: 'ping' }>): { id: string; result: Promise<CommandResult> } {
    const command = { ...body, id: this.nextId() } as Command;
    this.pending.add(command);
    const result = new Promise<CommandResult>((resolve) => this.waiters.set(command.id, resolve));
    if (this.welcomed) this.send(command);
    // Screens show what is queued (a post made offline, a like on its way).
    if ('room' in command && command.room) this.emit({ type: 'room', room: command.room });
    return { id: command.id, result };
  }

  // ---- connection lifecycle -------------------------------------------------

  private open(): void {
    this.timers.reconnect = undefined;
    this.welcomed = false;
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url, SUBPROTOCOL_JSON);
    } catch {
      this.scheduleReconnect(0);
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.sendHello();
    socket.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return; // JSON subprotocol: text only
      const message = parseServerMessage(ev.data);
      if (message) this.handle(message);
    };
    socket.onerror = () => {}; // a close event follows
    socket.onclose = (ev) => this.onClosed(ev.code);
    this.timers.handshake = setTimeout(() => this.lost(), this.opts.handshakeTimeoutMs);
  }

  private sendHello(): void {
    const resume = this.session.resumeToken;
    this.helloWasResume = Boolean(resume);
    const hello: Hello = resume
      ? { type: 'hello', v: PROTOCOL_VERSION, auth: { method: 'resume', token: resume }, last_seq: this.lastSeq() }
      : { type: 'hello', v: PROTOCOL_VERSION, auth: this.session.auth };
    if (hello.last_seq && Object.keys(hello.last_seq).length === 0) delete hello.last_seq;
    this.send(hello);
  }

  /** The last seq applied per room, for `hello.last_seq`. */
  lastSeq(): Record<RoomId, number> {
    const out: Record<RoomId, number> = {};
    for (const [id, state] of this.rooms) out[id] = state.seq;
    return out;
  }

  private onClosed(code: number): void {
    this.socket = null;
    this.clearTimers();
    this.welcomed = false;
    if (this.status === 'stopped') return;
    const advice = closeAdvice(code);
    if (!advice.reconnect) {
      this.stop(advice.reason);
      return;
    }
    this.scheduleReconnect(advice.minDelayMs);
  }

  /** The connection went silent: give up on it and reconnect. */
  private lost(): void {
    this.dropSocket(4000);
    this.onClosed(1006);
  }

  private dropSocket(code: number): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code);
    } catch {
      // already closed
    }
  }

  private scheduleReconnect(minDelayMs: number): void {
    this.setStatus(this.opts.isOnline() ? 'reconnecting' : 'offline');
    const delay = Math.max(minDelayMs, backoffDelay(this.attempt++, this.opts.random));
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => this.open(), delay);
  }

  private clearTimers(): void {
    for (const key of Object.keys(this.timers) as (keyof typeof this.timers)[]) {
      clearTimeout(this.timers[key]);
      this.timers[key] = undefined;
    }
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private armWatchdog(): void {
    if (!this.heartbeatMs) return;
    clearTimeout(this.timers.watchdog);
    this.timers.watchdog = setTimeout(() => this.lost(), 2 * this.heartbeatMs);
  }

  // ---- frames ---------------------------------------------------------------

  private handle(message: ServerMessage): void {
    this.armWatchdog();
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message);
      case 'joined': {
        const state = applyJoined(this.rooms.get(message.room.id), message);
        this.rooms.set(state.info.id, state);
        if (message.snapshot && this.me) {
          const mine = message.snapshot.hands.some((h) => h.member === this.me?.id);
          if (mine) this.ownHands.add(state.info.id);
        }
        this.session.rooms[state.info.id] = state.info;
        this.persist();
        if (message.snapshot?.board) this.restartPages(state.info.id, message.snapshot.board.next ?? null);
        this.emit({ type: 'joined', room: state.info.id });
        this.emit({ type: 'room', room: state.info.id });
        return;
      }
      case 'event':
        return this.onEvent(message);
      case 'ack':
        return this.onAnswer(message.id, { ok: true });
      case 'board_page':
        return this.onBoardPage(message);
      case 'error':
        return this.onError(message);
      case 'pong': {
        // offset ≈ server time − the middle of the round trip
        const now = Date.now();
        const sent = this.pingsSent.get(message.id) ?? now;
        this.pingsSent.delete(message.id);
        this.clockOffsetMs = message.server_time_ms - (sent + now) / 2;
        return;
      }
    }
  }

  private onWelcome(welcome: Extract<ServerMessage, { type: 'welcome' }>): void {
    clearTimeout(this.timers.handshake);
    this.welcomed = true;
    this.attempt = 0;
    this.me = welcome.member;
    this.clockOffsetMs = welcome.server_time_ms - Date.now();
    this.session.resumeToken = welcome.resume_token;
    this.session.member = welcome.member;
    setBlobToken(welcome.blob_token);
    this.persist();

    this.heartbeatMs = welcome.heartbeat_ms > 0 ? welcome.heartbeat_ms : 20_000;
    clearInterval(this.pingTimer);
    this.pingsSent.clear();
    const ping = () => {
      const id = this.nextId();
      this.pingsSent.set(id, Date.now());
      this.send({ type: 'ping', id });
    };
    this.pingTimer = setInterval(ping, this.heartbeatMs);
    this.armWatchdog();

    const older = [...this.pending.list()];
    // A token holder that could not resume is in no room yet: join again.
    if (!this.helloWasResume && this.session.auth.method === 'token') {
      for (const id of this.rooms.keys()) {
        const queued = older.some((c) => c.type === 'join' && c.room === id);
        if (!queued) void this.command({ type: 'join', room: id });
      }
    }
    for (const command of older) this.send(command);
    this.setStatus('online');
    this.emit({ type: 'welcome', member: welcome.member });
  }

  private onEvent(frame: RoomEvent): void {
    const state = this.rooms.get(frame.room);
    if (!state) return;
    const next = applyEvent(state, frame);
    if (next === state) return; // duplicate
    this.rooms.set(frame.room, next);
    const body = frame.event;
    if (this.me && body.kind === 'hand_raised' && body.hand.member === this.me.id) this.ownHands.add(frame.room);
    if (this.me && body.kind === 'hand_lowered' && body.member === this.me.id) this.ownHands.delete(frame.room);
    this.emit({ type: 'room', room: frame.room, event: frame });
  }

  /** A new board snapshot: the pages of an older one are no longer wanted;
   * fetch the rest of this one, if it has more. */
  private restartPages(room: RoomId, cursor: string | null): void {
    this.pageChains.delete(room);
    for (const c of this.pendingBoard(room)) {
      if (c.command.action !== 'load_more') continue;
      this.pending.settle(c.id);
      this.waiters.delete(c.id);
    }
    if (cursor) this.loadMore(room, cursor);
  }

  private loadMore(room: RoomId, cursor: string): void {
    const { id } = this.enqueue({ type: 'board', room, command: { action: 'load_more', cursor } });
    this.pageChains.set(room, id);
  }

  /** A page of posts: the answer to `load_more` (it settles that command). */
  private onBoardPage(page: BoardPageMessage): void {
    const chained = this.pageChains.get(page.room) === page.id;
    const state = this.rooms.get(page.room);
    if (state) {
      // A page of an older chain (sent again after a reconnect) adds its posts
      // but says nothing of where the current chain stands.
      this.rooms.set(page.room, applyPage(state, chained ? page : { ...page, next: state.board?.next ?? null }));
    }
    if (chained) this.pageChains.delete(page.room);
    const queued = this.pending.list().some((c) => c.id === page.id);
    this.onAnswer(page.id, { ok: true }); // tells the room's screens when it was queued
    if (!queued) this.emit({ type: 'room', room: page.room });
    if (chained && page.next) this.loadMore(page.room, page.next);
  }

  private onError(error: ErrorMessage): void {
    if (error.id === undefined) {
      if (!this.welcomed) return this.onHelloRefused(error.code);
      // A new guest welcomed, then refused by the room (full, locked, ended):
      // the identity is of no use; say why, as for a refused hello.
      if (error.room && !this.rooms.has(error.room) && !this.helloWasResume && this.session.auth.method === 'join_code') {
        return this.stop('refused', error.code);
      }
      this.emit({ type: 'command_error', error });
      return;
    }
    if (RETRYABLE.has(error.code) && this.pending.list().some((c) => c.id === error.id)) {
      // Keep it queued; resend everything unanswered a bit later, same ids.
      clearTimeout(this.timers.retry);
      this.timers.retry = setTimeout(() => {
        if (this.welcomed) for (const c of this.pending.list()) this.send(c);
      }, RETRY_DELAY_MS);
      return;
    }
    const command = this.pending.list().find((c) => c.id === error.id);
    this.onAnswer(error.id, { ok: false, code: error.code, message: error.message });
    this.emit({ type: 'command_error', command, error });
  }

  private onHelloRefused(code: ErrorCode): void {
    if (this.helloWasResume && RESUME_REFUSED.has(code)) {
      // The resume token is stale: come back with the first auth.
      delete this.session.resumeToken;
      this.persist();
      this.dropSocket(1000);
      this.clearTimers();
      this.open();
      return;
    }
    if (RETRYABLE.has(code)) {
      this.dropSocket(1000);
      this.onClosed(1011);
      return;
    }
    this.stop('refused', code);
  }

  private onAnswer(id: string, result: CommandResult): void {
    const command = this.pending.settle(id);
    if (command?.type === 'quiz' && command.command.action === 'answer') this.onOwnAnswer(command.room, command.command, result);
    if (command && result.ok) {
      if (command.type === 'raise_hand') this.ownHands.add(command.room);
      if (command.type === 'lower_hand' && !command.member) this.ownHands.delete(command.room);
      if (command.type === 'leave') {
        this.rooms.delete(command.room);
        delete this.session.rooms[command.room];
        this.persist();
      }
    }
    const resolve = this.waiters.get(id);
    this.waiters.delete(id);
    resolve?.(result);
    if (command && 'room' in command && command.room) this.emit({ type: 'room', room: command.room });
  }

  /** Protocol 2: an answer's ack is its acceptance, and `answer_late` its
   * question's close (see room-state's `applyOwnAnswer`). */
  private onOwnAnswer(room: RoomId, answer: OwnAnswer, result: CommandResult): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (result.ok) this.rooms.set(room, applyOwnAnswer(state, answer, this.serverNow()));
    else if (result.code === 'answer_late') this.rooms.set(room, applyLateAnswer(state, answer.question));
  }

  // ---- helpers ----------------------------------------------------------------

  private send(message: Hello | Command): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    try {
      socket.send(JSON.stringify(message));
    } catch {
      // The close event will follow; the command stays queued.
    }
  }

  private persist(): void {
    saveSession(this.opts.store, this.session);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit({ type: 'status', status });
  }

  private emit(notice: ClientNotice): void {
    for (const listener of [...this.listeners]) listener(notice);
  }
}
