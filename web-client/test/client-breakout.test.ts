// The live client in a breakout room (fake socket, fake timers): breakout
// events update the room's breakout state; a production handed in offline
// stays in the queue (and survives a reload), then is sent once, under its
// id, after the reconnect.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queuedProduction } from '../src/breakout-format';
import { AmphiClient } from '../src/client';
import type { ServerMessage } from '../src/protocol';
import type { SavedSession } from '../src/session';
import { MemoryStore } from '../src/storage';
import { atelierView, participantSnapshot, production } from './breakout-fixtures';
import { FakeSocket } from './fake-socket';

const ROOM = 'r-ateliers';
const INFO = { id: ROOM, kind: 'breakout' as const, title: 'Ateliers', join_code: 'KM7R4P' };
const COUNTS = { members: 2, connected: 2, participants: 1, participants_connected: 1 };
const welcome = (token: string): ServerMessage => ({
  type: 'welcome', v: 1,
  member: { id: 'm-alice', name: 'Alice', role: 'participant', tenant: 'ac-lyon', guest: true },
  resume_token: token, server_time_ms: Date.now(), heartbeat_ms: 20_000,
});
const joined = (seq: number): ServerMessage => ({
  type: 'joined', room: INFO, seq,
  snapshot: { members: [], counts: COUNTS, hands: [], announcements: [], breakout: participantSnapshot({ status: 'running', atelier: atelierView({ state: 'open', opened_at: 1, ends_at: 2 }) }) },
});
const breakoutEvent = (seq: number, event: unknown): ServerMessage => ({ type: 'event', room: ROOM, seq, at: 1, event: { kind: 'breakout', event } } as ServerMessage);

let sockets: FakeSocket[];
let store: MemoryStore;
const last = () => sockets[sockets.length - 1];

function makeClient(session: SavedSession = { auth: { method: 'join_code', code: 'KM7R4P', name: 'Alice' }, rooms: {} }) {
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

describe('AmphiClient in a breakout room', () => {
  it('applies breakout events to the room’s breakout state, once per seq', () => {
    const client = makeClient();
    client.start();
    last().open();
    last().receive(welcome('t1'));
    last().receive(joined(10));
    expect(client.room(ROOM)?.breakout?.atelier?.state).toBe('open');
    last().receive(breakoutEvent(11, { kind: 'production', production: production('a1', 1) }));
    last().receive(breakoutEvent(11, { kind: 'production', production: production('a1', 7) })); // a replayed seq
    last().receive(breakoutEvent(12, { kind: 'closed', atelier: 'a1', reason: 'deadline' }));
    const state = client.room(ROOM)?.breakout;
    expect(state?.atelier?.production?.version).toBe(1);
    expect(state?.atelier?.state).toBe('closed');
  });

  it('keeps a production handed in offline and sends it once, with the same id, after the reconnect', async () => {
    const client = makeClient();
    client.start();
    last().open();
    last().receive(welcome('t1'));
    last().receive(joined(10));
    last().serverClose(1006);
    const result = client.command({ type: 'breakout', room: ROOM, command: { action: 'submit_production', text: 'Hors ligne' } });
    expect(queuedProduction(client.pendingBreakout(ROOM))).toEqual({ text: 'Hors ligne' });
    expect(last().ofType('breakout')).toHaveLength(0); // the socket is closed: nothing sent
    // A reload meanwhile: the queue is in the tab's storage.
    const saved = JSON.parse(store.getItem('amphi.session')!) as SavedSession;
    client.stop('normal');
    const again = makeClient(saved);
    again.start();
    last().open();
    last().receive(welcome('t2'));
    const [sent] = last().ofType('breakout');
    expect(sent).toMatchObject({ room: ROOM, command: { action: 'submit_production', text: 'Hors ligne' } });
    expect(sent.id).toBe(again.pendingBreakout(ROOM)[0].id);
    last().receive(joined(12));
    last().receive(breakoutEvent(13, { kind: 'production', production: production('a1', 1, { text: 'Hors ligne' }) }));
    last().receive({ type: 'ack', id: sent.id as string });
    expect(again.pendingBreakout(ROOM)).toEqual([]);
    expect(last().ofType('breakout')).toHaveLength(1);
    expect(again.room(ROOM)?.breakout?.atelier?.production?.text).toBe('Hors ligne');
    await expect(result).resolves.toMatchObject({ ok: false, code: 'stopped' }); // the first client's promise
  });
});
