// A live screen's surroundings for the happy-dom view tests: an app that
// records what it reads out, and a client stub holding one room whose state
// the test replaces (each change redraws the screen, as a `room` notice does).

import { expect } from 'vitest';
import type { App } from '../src/app';
import type { AmphiClient, ClientNotice } from '../src/client';
import type { CommandBody as Command, MemberView, RoomKind } from '../src/protocol';
import type { RoomState } from '../src/room-state';

export function fakeApp(): { app: App; said: string[] } {
  const said: string[] = [];
  const data = new Map<string, string>();
  const store = {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
  const app = { announce: (text: string) => said.push(text), store, leave: async () => {}, navigate: () => {}, forget: () => {} } as unknown as App;
  return { app, said };
}

export const member = (id: string, name: string, role: MemberView['role'] = 'participant', connected = true): MemberView => ({ id, name, role, connected });

export function fakeClient(initial: RoomState, me: MemberView = member('m-trainer', 'Camille', 'trainer')) {
  let current = initial;
  const listeners = new Set<(n: ClientNotice) => void>();
  const sent: Command[] = [];
  const stub = {
    status: 'online',
    me,
    bearerToken: 'token',
    room: (id: string) => (id === current.info.id ? current : undefined),
    serverNow: () => Date.now(),
    pendingBreakout: () => [],
    pendingBoard: () => [],
    hasPendingQuiz: () => false,
    pendingAnswer: () => undefined,
    subscribe(l: (n: ClientNotice) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    command(c: Command) {
      sent.push(c);
      return Promise.resolve({ ok: true });
    },
  };
  return {
    client: stub as unknown as AmphiClient,
    sent,
    get state() {
      return current;
    },
    /** Replaces the room's state and tells the screen, as the client does. */
    set(next: RoomState) {
      current = next;
      for (const l of [...listeners]) l({ type: 'room', room: next.info.id } as ClientNotice);
    },
  };
}

export function room(kind: RoomKind, members: MemberView[], over: Partial<RoomState> = {}): RoomState {
  return {
    info: { id: 'r1', kind, title: 'Salle', join_code: 'ABCDEF' },
    seq: 1,
    members,
    counts: { members: members.length, connected: members.length, participants: members.length, participants_connected: members.length },
    hands: [],
    announcements: [],
    locked: false,
    ...over,
  };
}

/** The very same nodes, in order (`toEqual` compares DOM nodes by their markup only). */
export function expectSameNodes(actual: readonly Node[], expected: readonly Node[]): void {
  expect(actual.length, 'how many nodes').toBe(expected.length);
  actual.forEach((node, i) => expect(node === expected[i], `node ${i} is the same node`).toBe(true));
}
