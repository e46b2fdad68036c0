// The protocol test vectors (../protocol/vectors/v1.json): every `msgpack`
// hex decodes to exactly its `message`, every server vector parses as a
// server message of the client, and the board and breakout vectors read as
// the client's types (a command it sends, an event it applies).

import { readFileSync } from 'node:fs';
import { decode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import type { BoardCommand } from '../src/board-protocol';
import type { BreakoutCommand } from '../src/breakout-protocol';
import { breakoutFromSnapshot, participantBroadcasts } from '../src/breakout-state';
import { boardFromSnapshot } from '../src/board-state';
import { parseServerMessage, type Command } from '../src/protocol';
import { applyEvent, applyJoined } from '../src/room-state';
import { snapshot } from './board-fixtures';

interface Vector {
  name: string;
  direction: 'client' | 'server';
  message: Record<string, unknown>;
  msgpack: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../protocol/vectors/v1.json', import.meta.url), 'utf8'),
) as Vector[];

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

describe('protocol vectors v1', () => {
  it('has vectors in both directions', () => {
    expect(vectors.some((v) => v.direction === 'client')).toBe(true);
    expect(vectors.some((v) => v.direction === 'server')).toBe(true);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: msgpack decodes to message', (_name, v) => {
    expect(v.msgpack).toMatch(/^([0-9a-f]{2})+$/);
    expect(decode(hexToBytes(v.msgpack))).toStrictEqual(v.message);
  });

  it.each(vectors.filter((v) => v.direction === 'server').map((v) => [v.name, v] as const))(
    '%s: parses as a server message',
    (_name, v) => {
      const parsed = parseServerMessage(JSON.stringify(v.message));
      expect(parsed).not.toBeNull();
      expect(parsed).toStrictEqual(v.message);
    },
  );

  it('covers every client message type the web client sends', () => {
    const types = new Set(vectors.filter((v) => v.direction === 'client').map((v) => v.message.type));
    for (const t of ['hello', 'join', 'leave', 'announce', 'raise_hand', 'lower_hand', 'quiz', 'board', 'breakout', 'ping']) expect(types).toContain(t);
  });

  it('reads the board commands as the client builds them', () => {
    const board = vectors.filter((v) => v.direction === 'client' && v.message.type === 'board').map((v) => v.message as unknown as Command);
    expect(board.map((c) => c.type === 'board' && c.command.action)).toEqual(expect.arrayContaining(['post', 'edit']));
    for (const c of board) {
      if (c.type !== 'board') continue;
      const command: BoardCommand = c.command;
      if (command.action === 'edit') expect(typeof command.version).toBe('number');
      if (command.action === 'post') expect(command.title).toBe('Une idée');
    }
  });

  it('applies the board post_added event to a board room', () => {
    const vector = vectors.find((v) => v.direction === 'server' && JSON.stringify(v.message).includes('post_added'));
    expect(vector).toBeDefined();
    const frame = parseServerMessage(JSON.stringify(vector!.message));
    expect(frame?.type).toBe('event');
    if (frame?.type !== 'event' || frame.event.kind !== 'board') throw new Error('not a board event');
    const room = applyJoined(undefined, {
      type: 'joined', room: { id: frame.room, kind: 'board', title: 'Idées' }, seq: frame.seq - 1,
      snapshot: { members: [], counts: { members: 0, connected: 0, participants: 0, participants_connected: 0 }, hands: [], announcements: [], board: snapshot({ sections: [{ id: 's1', title: 'Idées', locked: false }] }) },
    });
    const after = applyEvent(room, frame);
    const added = frame.event.event.kind === 'post_added' ? frame.event.event.post : undefined;
    expect(after.board?.posts[added!.id]).toEqual(added);
    expect(after.seq).toBe(frame.seq);
    expect(boardFromSnapshot(snapshot()).posts).toEqual({});
  });

  it('reads the breakout commands as the client builds them', () => {
    const breakout = vectors.filter((v) => v.direction === 'client' && v.message.type === 'breakout').map((v) => v.message as unknown as Command);
    expect(breakout.map((c) => c.type === 'breakout' && c.command.action)).toEqual(expect.arrayContaining(['open', 'submit_production']));
    for (const c of breakout) {
      if (c.type !== 'breakout') continue;
      const command: BreakoutCommand = c.command;
      if (command.action === 'open') expect(command.ateliers).toEqual(['a1', 'a2']);
      if (command.action === 'submit_production') expect(command.link).toBe('https://eduscol.education.fr/');
    }
  });

  it('applies the breakout assignment and broadcast events to a participant in a breakout room', () => {
    const frames = ['event_breakout_assignment', 'event_breakout_broadcast'].map((name) => {
      const vector = vectors.find((v) => v.name === name);
      expect(vector).toBeDefined();
      const frame = parseServerMessage(JSON.stringify(vector!.message));
      if (frame?.type !== 'event' || frame.event.kind !== 'breakout') throw new Error(`${name}: not a breakout event`);
      return frame;
    });
    let room = applyJoined(undefined, {
      type: 'joined', room: { id: frames[0].room, kind: 'breakout', title: 'Ateliers' }, seq: frames[0].seq - 1,
      snapshot: { members: [], counts: { members: 0, connected: 0, participants: 0, participants_connected: 0 }, hands: [], announcements: [],
        breakout: { title: 'Ateliers', status: 'running', mode: 'manual' } },
    });
    expect(room.breakout?.atelier).toBeUndefined();
    for (const frame of frames) room = applyEvent(room, frame);
    expect(room.seq).toBe(frames[1].seq);
    expect(room.breakout?.atelier).toMatchObject({ id: 'a1', name: 'Différenciation', state: 'open', ends_at: 1790001250000, video_url: 'https://visio.example.org/rooms/a1' });
    expect(room.breakout?.atelier?.resources).toEqual([{ title: 'Éduscol', url: 'https://eduscol.education.fr/' }]);
    expect(participantBroadcasts(room.breakout!).map((b) => b.text)).toEqual(['Plus que 5 minutes : préparez votre restitution.']);
    expect(breakoutFromSnapshot({ title: 'x', status: 'preparing', mode: 'manual' }).broadcasts).toEqual([]);
  });
});
