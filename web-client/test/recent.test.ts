// Guest sessions remembered across tabs (come back later): only guests with
// a resume token, one record per room with its queued commands, the latest
// first, expired after a day, found by join code; and the store observer
// that keeps them up to date.

import { describe, expect, it } from 'vitest';
import type { Command } from '../src/protocol';
import { RECENT_MAX, RECENT_TTL_MS, forgetRecent, listRecent, recentFor, recentFromSession, rememberRecent } from '../src/recent';
import type { SavedSession } from '../src/session';
import { MemoryStore, observedStore } from '../src/storage';

const ROOM = '6f1c1f9e-2b7a-4c1e-9d43-2f6f3c2b8a10';
const guest = (room = ROOM, code = 'KM7R4P'): SavedSession => ({
  auth: { method: 'join_code', code, name: 'Camille' },
  resumeToken: 'resume-jwt',
  member: { id: 'm1', name: 'Camille', role: 'participant', tenant: 't', guest: true },
  rooms: { [room]: { id: room, kind: 'quiz', title: 'Géographie', join_code: code } },
});
const answer: Command = { type: 'quiz', id: 'abc-1', room: ROOM, command: { action: 'answer', question: 0, answer: { type: 'bool', value: true } } };

describe('recent guest sessions', () => {
  it('records a guest in a room, with the commands queued for it', () => {
    const other: Command = { type: 'raise_hand', id: 'abc-2', room: 'another' };
    const entry = recentFromSession(guest(), [answer, other], 1000);
    expect(entry).toMatchObject({ roomId: ROOM, code: 'KM7R4P', title: 'Géographie', name: 'Camille', savedAt: 1000 });
    expect(entry?.pending).toEqual([answer]);
  });

  it('leaves out trainers, sessions without a resume token or a room', () => {
    expect(recentFromSession(undefined, [], 0)).toBeUndefined();
    expect(recentFromSession({ ...guest(), auth: { method: 'token', token: 'jwt' } }, [], 0)).toBeUndefined();
    expect(recentFromSession({ ...guest(), resumeToken: undefined }, [], 0)).toBeUndefined();
    expect(recentFromSession({ ...guest(), rooms: {} }, [], 0)).toBeUndefined();
  });

  it('keeps one record per room, the latest first, at most RECENT_MAX, for a day', () => {
    const store = new MemoryStore();
    rememberRecent(store, recentFromSession(guest(), [], 1000)!);
    rememberRecent(store, recentFromSession(guest(), [answer], 2000)!);
    expect(listRecent(store, 3000)).toHaveLength(1);
    expect(listRecent(store, 3000)[0].pending).toEqual([answer]);
    for (let i = 0; i < RECENT_MAX + 2; i++) rememberRecent(store, recentFromSession(guest(`room-${i}`, `CODE0${i}`), [], 3000 + i)!);
    const list = listRecent(store, 4000);
    expect(list).toHaveLength(RECENT_MAX);
    expect(list[0].roomId).toBe(`room-${RECENT_MAX + 1}`);
    expect(listRecent(store, 3000 + RECENT_TTL_MS + 10)).toEqual([]);
  });

  it('finds a record by join code as typed, and forgets it', () => {
    const store = new MemoryStore();
    rememberRecent(store, recentFromSession(guest(), [], 1000)!);
    expect(recentFor(store, 'km7-r4p', 2000)?.roomId).toBe(ROOM);
    expect(recentFor(store, 'ZZZZZZ', 2000)).toBeUndefined();
    expect(recentFor(store, '', 2000)).toBeUndefined();
    forgetRecent(store, ROOM, 2000);
    expect(listRecent(store, 2000)).toEqual([]);
    expect(store.getItem('amphi.recent')).toBeNull();
  });

  it('ignores a damaged record list', () => {
    const store = new MemoryStore();
    store.setItem('amphi.recent', '{not json');
    expect(listRecent(store, 0)).toEqual([]);
    store.setItem('amphi.recent', JSON.stringify([{ roomId: 1 }, null]));
    expect(listRecent(store, 0)).toEqual([]);
  });

  it('observedStore reports each write, after it', () => {
    const inner = new MemoryStore();
    const seen: string[] = [];
    const store = observedStore(inner, (key) => seen.push(`${key}=${inner.getItem(key)}`));
    store.setItem('a', '1');
    store.removeItem('a');
    expect(seen).toEqual(['a=1']);
    expect(store.getItem('a')).toBeNull();
  });
});
