// The live client in a board room (fake socket, fake timers): a snapshot
// with more posts than it carries is completed with `load_more`, each
// answered by a `board_page` that settles it like an ack; a new snapshot
// drops the pages of the old one; a board command's ack may come after its
// events; a post made offline is kept and sent once on reconnect, with the
// same id.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AmphiClient } from '../src/client';
import type { ServerMessage } from '../src/protocol';
import type { SavedSession } from '../src/session';
import { MemoryStore } from '../src/storage';
import { post, snapshot } from './board-fixtures';
import { FakeSocket } from './fake-socket';

const ROOM = 'r-board';
const INFO = { id: ROOM, kind: 'board' as const, title: 'Idées', join_code: 'KM7R4P' };
const COUNTS = { members: 2, connected: 2, participants: 1, participants_connected: 1 };
const welcome = (token: string): ServerMessage => ({
  type: 'welcome', v: 1,
  member: { id: 'm-camille', name: 'Camille', role: 'participant', tenant: 'ac-lyon', guest: true },
  resume_token: token, server_time_ms: Date.now(), heartbeat_ms: 20_000,
});
const joined = (seq: number, board = snapshot()): ServerMessage => ({
  type: 'joined', room: INFO, seq, snapshot: { members: [], counts: COUNTS, hands: [], announcements: [], board },
});
const boardEvent = (seq: number, event: unknown): ServerMessage => ({ type: 'event', room: ROOM, seq, at: 1, event: { kind: 'board', event } } as ServerMessage);

let sockets: FakeSocket[];
let store: MemoryStore;
const last = () => sockets[sockets.length - 1];

function makeClient(session: SavedSession = { auth: { method: 'join_code', code: 'KM7R4P', name: 'Camille' }, rooms: {} }) {
  return new AmphiClient({
    url: 'ws://test/ws', session, store,
    createSocket: (url, protocol) => {
      const s = new FakeSocket(url, protocol);
      sockets.push(s);
      return s;
    },
    random: () => 0.5,
    isOnline: () => true,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  store = new MemoryStore();
});
afterEach(() => vi.useRealTimers());

describe('AmphiClient in a board room', () => {
  it('completes a paged snapshot with load_more, each board_page settling its command', async () => {
    const client = makeClient();
    client.start();
    last().open();
    last().receive(welcome('t1'));
    last().receive(joined(10, snapshot({ posts: [post('p1')], total: 3, next: 'cur-1' })));
    const [first] = last().ofType('board');
    expect(first).toMatchObject({ room: ROOM, command: { action: 'load_more', cursor: 'cur-1' } });
    expect(client.pending.list()).toHaveLength(1);

    last().receive({ type: 'board_page', id: first.id as string, room: ROOM, posts: [post('p2')], next: 'cur-2', liked: ['p2'] });
    expect(client.pending.list().map((c) => c.id)).not.toContain(first.id);
    const second = last().ofType('board')[1];
    expect(second).toMatchObject({ command: { action: 'load_more', cursor: 'cur-2' } });
    expect(client.room(ROOM)?.board?.next).toBe('cur-2');

    last().receive({ type: 'board_page', id: second.id as string, room: ROOM, posts: [post('p3')], next: null, liked: [] });
    const board = client.room(ROOM)?.board;
    expect(Object.keys(board!.posts).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(board!.liked.has('p2')).toBe(true);
    expect(board!.next).toBeNull();
    expect(client.pending.list()).toEqual([]);
    expect(last().ofType('board')).toHaveLength(2);
  });

  it('a new snapshot drops the pages of the old one; a late page still adds its posts, not its cursor', async () => {
    const client = makeClient();
    client.start();
    last().open();
    last().receive(welcome('t1'));
    last().receive(joined(10, snapshot({ posts: [post('p1')], total: 2, next: 'old' })));
    const old = last().ofType('board')[0];
    // Reconnect before the page: the queued load_more is sent again, then a fresh snapshot comes.
    last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(10_000);
    last().open();
    last().receive(welcome('t2'));
    expect(last().ofType('board')).toEqual([old]); // resent under its id
    last().receive(joined(20, snapshot({ posts: [post('p1')], total: 3, next: 'new' })));
    const fresh = last().ofType('board')[1];
    expect(fresh).toMatchObject({ command: { cursor: 'new' } });
    expect(client.pending.list().map((c) => c.id)).toEqual([fresh.id]);

    last().receive({ type: 'board_page', id: old.id as string, room: ROOM, posts: [post('p2')], next: null, liked: [] });
    expect(client.room(ROOM)?.board?.posts.p2).toBeDefined();
    expect(client.room(ROOM)?.board?.next).toBe('new');
    expect(last().ofType('board')).toHaveLength(2); // no chain from the old page
  });

  it('takes the events of a durable command before its ack', async () => {
    const client = makeClient();
    client.start();
    last().open();
    last().receive(welcome('t1'));
    last().receive(joined(10));
    const result = client.command({ type: 'board', room: ROOM, command: { action: 'post', section: 's1', title: 'Idée' } });
    const [sent] = last().ofType('board');
    last().receive(boardEvent(11, { kind: 'post_added', post: post('p1', { author: 'm-camille', title: 'Idée', status: 'pending' }) }));
    expect(client.room(ROOM)?.board?.posts.p1.status).toBe('pending');
    expect(client.pendingBoard(ROOM)).toHaveLength(1); // not acknowledged yet
    last().receive({ type: 'ack', id: sent.id as string });
    await expect(result).resolves.toEqual({ ok: true });
    expect(client.pendingBoard(ROOM)).toEqual([]);
  });

  it('keeps a post made offline and sends it once, with the same id, after the reconnect', async () => {
    const client = makeClient();
    client.start();
    last().open();
    last().receive(welcome('t1'));
    last().receive(joined(10));
    last().serverClose(1006);
    const notices: string[] = [];
    client.subscribe((n) => notices.push(n.type));
    const result = client.command({ type: 'board', room: ROOM, command: { action: 'post', title: 'Hors ligne' } });
    expect(notices).toContain('room'); // screens show the queued post
    expect(client.pendingBoard(ROOM)).toHaveLength(1);
    // A reload meanwhile: the queue is in the tab's storage.
    const saved = JSON.parse(store.getItem('amphi.session')!) as SavedSession;
    client.stop('normal');
    const again = makeClient(saved);
    again.start();
    last().open();
    last().receive(welcome('t2'));
    const [sent] = last().ofType('board');
    expect(sent).toMatchObject({ room: ROOM, command: { action: 'post', title: 'Hors ligne' } });
    expect(sent.id).toBe(again.pendingBoard(ROOM)[0].id);
    last().receive(joined(12));
    last().receive({ type: 'ack', id: sent.id as string });
    expect(again.pendingBoard(ROOM)).toEqual([]);
    expect(last().ofType('board')).toHaveLength(1);
    await expect(result).resolves.toMatchObject({ ok: false, code: 'stopped' }); // the first client's promise
  });

  it('a refused edit (conflict) is settled with its code; the current post came just before', async () => {
    const client = makeClient();
    client.start();
    last().open();
    last().receive(welcome('t1'));
    last().receive(joined(10, snapshot({ posts: [post('p1', { author: 'm-camille', version: 1 })] })));
    const result = client.command({ type: 'board', room: ROOM, command: { action: 'edit', post: 'p1', version: 1, title: 'Mine' } });
    const [sent] = last().ofType('board');
    last().receive(boardEvent(11, { kind: 'post_updated', post: post('p1', { author: 'm-camille', version: 2, title: 'Theirs' }) }));
    last().receive({ type: 'error', id: sent.id as string, room: ROOM, code: 'conflict', message: 'changed meanwhile' });
    await expect(result).resolves.toMatchObject({ ok: false, code: 'conflict' });
    expect(client.room(ROOM)?.board?.posts.p1).toMatchObject({ version: 2, title: 'Theirs' });
    expect(client.bearerToken).toBe('t1');
  });
});
