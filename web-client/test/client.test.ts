// The live client against a scripted fake socket (fake timers): hello and
// resume with last_seq, unanswered commands resent with the SAME id after a
// reconnect or a reload (and never twice once acked), heartbeat and silence
// detection, and the close-code policy.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AmphiClient, type ClientNotice } from '../src/client';
import { FakeSocket } from './fake-socket';
import type { ServerMessage } from '../src/protocol';
import type { SavedSession } from '../src/session';
import { MemoryStore } from '../src/storage';
import { lobby, opened, Q0 } from './quiz-fixtures';

const ROOM = 'r-1';
const welcome = (token = 'resume-1'): ServerMessage => ({
  type: 'welcome',
  v: 1,
  member: { id: 'm-camille', name: 'Camille', role: 'participant', tenant: 'ac-lyon', guest: true },
  resume_token: token,
  server_time_ms: Date.now(),
  heartbeat_ms: 20_000,
});
const joined: ServerMessage = {
  type: 'joined',
  room: { id: ROOM, kind: 'lobby', title: 'Formation', join_code: 'KM7R4P' },
  seq: 5,
  snapshot: { members: [], counts: { members: 2, connected: 2, participants: 1, participants_connected: 1 }, hands: [], announcements: [] },
};
const announcement = (seq: number): ServerMessage => ({
  type: 'event',
  room: ROOM,
  seq,
  at: 1,
  event: { kind: 'announcement', announcement: { from: 't', from_name: 'Mme Durand', text: `a${seq}`, at: 1 } },
});

let sockets: FakeSocket[];
let store: MemoryStore;

function guestSession(): SavedSession {
  return { auth: { method: 'join_code', code: 'KM7R4P', name: 'Camille' }, rooms: {} };
}

function makeClient(session: SavedSession = guestSession()) {
  const client = new AmphiClient({
    url: 'ws://test/ws',
    session,
    store,
    createSocket: (url, protocol) => {
      const s = new FakeSocket(url, protocol);
      sockets.push(s);
      return s;
    },
    random: () => 0.5,
    isOnline: () => true,
  });
  const notices: ClientNotice[] = [];
  client.subscribe((n) => notices.push(n));
  return { client, notices };
}

const last = () => sockets[sockets.length - 1];

/** Opens the current socket and answers hello. */
function handshake(token?: string, withJoined = true) {
  last().open();
  last().receive(welcome(token));
  if (withJoined) last().receive(joined);
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  store = new MemoryStore();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('AmphiClient', () => {
  it('says hello with the join code, on the JSON subprotocol', () => {
    const { client } = makeClient();
    client.start();
    expect(last().protocol).toBe('amphi.v1.json');
    last().open();
    expect(last().sent[0]).toEqual({ type: 'hello', v: 2, auth: { method: 'join_code', code: 'KM7R4P', name: 'Camille' } });
    last().receive(welcome());
    last().receive(joined);
    expect(client.status).toBe('online');
    expect(client.me?.name).toBe('Camille');
    expect(client.room(ROOM)?.info.title).toBe('Formation');
  });

  it('resends an unacknowledged command with the same id after resume, once', async () => {
    const { client } = makeClient();
    client.start();
    handshake('resume-1');
    last().receive(announcement(6));
    last().receive(announcement(9));

    const result = client.command({ type: 'raise_hand', room: ROOM });
    const [sent] = last().ofType('raise_hand');
    expect(sent).toMatchObject({ type: 'raise_hand', room: ROOM });
    const id = sent.id as string;
    expect(client.isHandRaised(ROOM)).toBe(true); // queued intent shows at once

    // The connection drops before the ack.
    last().serverClose(1006);
    expect(client.status).toBe('reconnecting');
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(2);

    last().open();
    expect(last().sent[0]).toEqual({
      type: 'hello',
      v: 2,
      auth: { method: 'resume', token: 'resume-1' },
      last_seq: { [ROOM]: 9 },
    });
    expect(last().ofType('raise_hand')).toEqual([]); // not before welcome
    last().receive(welcome('resume-2'));
    last().receive({ type: 'joined', room: { id: ROOM, kind: 'lobby', title: 'Formation' }, seq: 9 });
    expect(last().ofType('raise_hand')).toEqual([{ type: 'raise_hand', id, room: ROOM }]);

    last().receive({ type: 'ack', id });
    await expect(result).resolves.toEqual({ ok: true });
    expect(client.pending.list()).toEqual([]);
    expect(client.isHandRaised(ROOM)).toBe(true);

    // Another reconnect: nothing left to resend; the new resume token is used.
    last().serverClose(1001);
    await vi.advanceTimersByTimeAsync(10_000);
    last().open();
    expect(last().sent[0]).toMatchObject({ auth: { method: 'resume', token: 'resume-2' } });
    last().receive(welcome('resume-3'));
    expect(last().ofType('raise_hand')).toEqual([]);
  });

  it('after a page reload, resumes and resends the persisted queue with the same ids', () => {
    const first = makeClient();
    first.client.start();
    handshake('resume-1');
    void first.client.command({ type: 'announce', room: ROOM, text: 'Pause' });
    const id = last().ofType('announce')[0].id;

    // Reload: a new client from what the tab stored.
    const saved = JSON.parse(store.getItem('amphi.session')!) as SavedSession;
    const second = makeClient(saved);
    second.client.start();
    last().open();
    // Room state is gone with the page: ask for everything (seq 0).
    expect(last().sent[0]).toMatchObject({ auth: { method: 'resume', token: 'resume-1' }, last_seq: { [ROOM]: 0 } });
    last().receive(welcome('resume-2'));
    expect(last().ofType('announce')).toEqual([{ type: 'announce', id, room: ROOM, text: 'Pause' }]);
  });

  it('a token holder that cannot resume joins its rooms again, before resending', async () => {
    const session: SavedSession = { auth: { method: 'token', token: 'jwt' }, rooms: {} };
    const { client } = makeClient(session);
    client.start();
    last().open();
    expect(last().sent[0]).toEqual({ type: 'hello', v: 2, auth: { method: 'token', token: 'jwt' } });
    last().receive({ ...welcome('resume-1'), member: { id: 't', name: 'Mme Durand', role: 'trainer', tenant: 'ac-lyon', guest: false } } as ServerMessage);
    void client.command({ type: 'join', room: ROOM });
    const joinId = last().ofType('join')[0].id;
    last().receive(joined);
    last().receive({ type: 'ack', id: joinId as string });
    void client.command({ type: 'announce', room: ROOM, text: 'Bonjour' });

    last().serverClose(1011);
    await vi.advanceTimersByTimeAsync(10_000);
    last().open();
    expect(last().sent[0]).toMatchObject({ auth: { method: 'resume', token: 'resume-1' } });
    last().receive({ type: 'error', code: 'token_expired', message: 'resume token expired' });
    // Falls back at once to the first auth, on a new socket.
    expect(last().closedWith).toBeUndefined();
    expect(sockets).toHaveLength(3);
    last().open();
    expect(last().sent[0]).toEqual({ type: 'hello', v: 2, auth: { method: 'token', token: 'jwt' } });
    last().receive(welcome('resume-9'));
    expect(last().sent.slice(1).map((m) => m.type)).toEqual(['join', 'announce']);
    expect(last().sent[1]).toMatchObject({ room: ROOM });
  });

  it('a refused join code stops the client with the error code', () => {
    const { client, notices } = makeClient();
    client.start();
    last().open();
    last().receive({ type: 'error', code: 'room_not_found', message: 'no such room' });
    expect(client.status).toBe('stopped');
    expect(notices).toContainEqual({ type: 'stopped', reason: 'refused', code: 'room_not_found' });
  });

  it('a new guest welcomed, then refused by a locked or full room, stops with the reason', () => {
    for (const code of ['room_locked', 'room_full'] as const) {
      const { client, notices } = makeClient();
      client.start();
      handshake(undefined, false);
      last().receive({ type: 'error', room: ROOM, code, message: 'refused' });
      expect(client.status).toBe('stopped');
      expect(notices).toContainEqual({ type: 'stopped', reason: 'refused', code });
    }
  });

  it('a room-level error in a room already joined does not stop the client', () => {
    const { client } = makeClient();
    client.start();
    handshake();
    last().receive({ type: 'error', room: ROOM, code: 'invalid_state', message: 'x' });
    expect(client.status).toBe('online');
  });

  it('pings every heartbeat and reconnects after 2 × heartbeat of silence', async () => {
    const { client } = makeClient();
    client.start();
    handshake();
    await vi.advanceTimersByTimeAsync(20_000);
    const [ping] = last().ofType('ping');
    expect(ping).toMatchObject({ type: 'ping' });
    last().receive({ type: 'pong', id: ping.id as string, server_time_ms: Date.now() });
    await vi.advanceTimersByTimeAsync(39_000);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000); // 40 s since the pong
    expect(sockets[0].closedWith).toBe(4000);
    expect(client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(2);
  });

  it('does not reconnect after 4011 (removed) and drops the queue', async () => {
    const { client, notices } = makeClient();
    client.start();
    handshake();
    void client.command({ type: 'raise_hand', room: ROOM });
    last().serverClose(4011);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.status).toBe('stopped');
    expect(client.pending.list()).toEqual([]);
    expect(notices).toContainEqual({ type: 'stopped', reason: 'removed', code: undefined });
  });

  it('waits at least 5 s after 4029 (rate limited)', async () => {
    const { client } = makeClient();
    client.start();
    handshake();
    last().serverClose(4029);
    await vi.advanceTimersByTimeAsync(4_900);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(sockets).toHaveLength(2);
  });

  it('keeps a command refused as unavailable and resends it with the same id', async () => {
    const { client } = makeClient();
    client.start();
    handshake();
    const result = client.command({ type: 'raise_hand', room: ROOM });
    const id = last().ofType('raise_hand')[0].id as string;
    last().receive({ type: 'error', id, code: 'unavailable', message: 'try later' });
    expect(client.pending.list().map((c) => c.id)).toEqual([id]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(last().ofType('raise_hand').map((c) => c.id)).toEqual([id, id]);
    last().receive({ type: 'error', id, code: 'forbidden', message: 'no' });
    await expect(result).resolves.toMatchObject({ ok: false, code: 'forbidden' });
    expect(client.pending.list()).toEqual([]);
  });

  it('queues commands while offline and sends them after welcome', async () => {
    const { client } = makeClient();
    client.start();
    handshake();
    last().serverClose(1006);
    void client.command({ type: 'lower_hand', room: ROOM });
    await vi.advanceTimersByTimeAsync(10_000);
    last().open();
    expect(last().ofType('lower_hand')).toEqual([]);
    last().receive(welcome());
    expect(last().ofType('lower_hand')).toHaveLength(1);
  });

  it('ignores replayed duplicates when tracking seq', () => {
    const { client, notices } = makeClient();
    client.start();
    handshake();
    last().receive(announcement(6));
    last().receive(announcement(6));
    last().receive(announcement(4));
    expect(client.room(ROOM)?.announcements.map((a) => a.text)).toEqual(['a6']);
    expect(client.lastSeq()).toEqual({ [ROOM]: 6 });
    expect(notices.filter((n) => n.type === 'room' && n.event)).toHaveLength(1);
  });

  it('after 1000 (normal close) stays stopped until reconnectNow; never after 4011', async () => {
    const { client } = makeClient();
    client.start();
    handshake();
    last().serverClose(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.status).toBe('stopped');
    expect(client.canReconnect).toBe(true);
    client.reconnectNow();
    expect(sockets).toHaveLength(2);
    handshake();
    expect(client.status).toBe('online');
    last().serverClose(4011);
    expect(client.canReconnect).toBe(false);
    client.reconnectNow();
    expect(sockets).toHaveLength(2);
  });

  it('a quiz answer whose ack was lost: the browser goes offline, then it is resent once, same id', async () => {
    const { client, notices } = makeClient();
    client.start();
    handshake('resume-1');
    const result = client.command({ type: 'quiz', room: ROOM, command: { action: 'answer', question: 0, answer: { type: 'choice', choice: 'c2' } } });
    const [sent] = last().ofType('quiz');
    expect(client.pendingAnswer(ROOM, 0)?.id).toBe(sent.id);
    expect(client.pendingAnswer(ROOM, 1)).toBeUndefined();
    expect(client.hasPendingQuiz(ROOM, 'answer')).toBe(true);

    client.networkLost(); // the 'offline' event: no waiting for the watchdog
    expect(sockets[0].closedWith).toBe(4000);
    expect(client.status).toBe('reconnecting');
    client.networkLost(); // nothing more to drop
    expect(sockets).toHaveLength(1);

    client.reconnectNow(); // the 'online' event
    expect(sockets).toHaveLength(2);
    last().open();
    last().receive(welcome('resume-2'));
    last().receive({ type: 'joined', room: { id: ROOM, kind: 'lobby', title: 'Formation' }, seq: 5 });
    expect(last().ofType('quiz')).toEqual([sent]);
    last().receive({ type: 'ack', id: sent.id as string });
    await expect(result).resolves.toEqual({ ok: true });
    expect(client.pendingAnswer(ROOM, 0)).toBeUndefined();
    expect(notices.some((n) => n.type === 'command_error')).toBe(false);
  });

  it('a late answer is settled with answer_late and reported with its command', async () => {
    const { client, notices } = makeClient();
    client.start();
    handshake();
    const result = client.command({ type: 'quiz', room: ROOM, command: { action: 'answer', question: 0, answer: { type: 'bool', value: true } } });
    const id = last().ofType('quiz')[0].id as string;
    last().receive({ type: 'error', id, room: ROOM, code: 'answer_late', message: 'the question is closed' });
    await expect(result).resolves.toMatchObject({ ok: false, code: 'answer_late' });
    expect(client.pending.list()).toEqual([]);
    const error = notices.find((n) => n.type === 'command_error');
    expect(error).toMatchObject({ command: { id, type: 'quiz' }, error: { code: 'answer_late' } });
  });

  it('protocol 2: an answer\'s ack is its acceptance, answer_late its question\'s close', async () => {
    const { client } = makeClient();
    client.start();
    last().open();
    last().receive(welcome());
    last().receive({
      type: 'joined', room: { id: ROOM, kind: 'quiz', title: 'Géographie' }, seq: 5,
      snapshot: { ...joined.snapshot!, quiz: lobby() },
    });
    last().receive({ type: 'event', room: ROOM, seq: 6, at: 1, event: { kind: 'quiz', event: opened(Q0) } });
    const answer = { type: 'choice' as const, choice: 'c2' };
    const first = client.command({ type: 'quiz', room: ROOM, command: { action: 'answer', question: 0, answer } });
    const [sent] = last().ofType('quiz');
    expect(client.room(ROOM)?.quiz?.answers[0]).toBeUndefined();
    last().receive({ type: 'ack', id: sent.id as string });
    await expect(first).resolves.toEqual({ ok: true });
    expect(client.room(ROOM)?.quiz?.answers[0]?.answer).toEqual(answer);

    const change = client.command({ type: 'quiz', room: ROOM, command: { action: 'answer', question: 0, answer: { type: 'choice', choice: 'c1' } } });
    const changed = last().ofType('quiz')[1];
    last().receive({ type: 'error', id: changed.id as string, room: ROOM, code: 'answer_late', message: 'question closed' });
    await expect(change).resolves.toMatchObject({ ok: false, code: 'answer_late' });
    expect(client.room(ROOM)?.quiz?.phase).toEqual({ state: 'closed', index: 0 });
    expect(client.room(ROOM)?.quiz?.answers[0]?.answer).toEqual(answer);
  });

  it('estimates the server clock from the middle of a ping round trip', async () => {
    const { client } = makeClient();
    client.start();
    handshake();
    await vi.advanceTimersByTimeAsync(20_000);
    const [ping] = last().ofType('ping');
    await vi.advanceTimersByTimeAsync(100);
    last().receive({ type: 'pong', id: ping.id as string, server_time_ms: Date.now() + 5_000 });
    expect(client.clockOffsetMs).toBe(5_050);
  });
});
