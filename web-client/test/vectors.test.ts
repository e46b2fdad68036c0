// The protocol test vectors (../protocol/vectors/v1.json): every `msgpack`
// hex decodes to exactly its `message`, and every server vector parses as a
// server message of the client.

import { readFileSync } from 'node:fs';
import { decode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../src/protocol';

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
    for (const t of ['hello', 'join', 'leave', 'announce', 'raise_hand', 'lower_hand', 'quiz', 'ping']) expect(types).toContain(t);
  });
});
