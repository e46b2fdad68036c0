// The pending-command queue: persisted, restored after a reload, settled by
// id; and client message ids are unique and short.

import { describe, expect, it } from 'vitest';
import { PendingQueue, idGenerator } from '../src/pending';
import { MemoryStore } from '../src/storage';

describe('PendingQueue', () => {
  it('keeps commands in order until settled, across a reload', () => {
    const store = new MemoryStore();
    const q = new PendingQueue(store);
    q.add({ type: 'raise_hand', id: 'x-1', room: 'r1' });
    q.add({ type: 'announce', id: 'x-2', room: 'r2', text: 'Bonjour' });
    const reloaded = new PendingQueue(store);
    expect(reloaded.list().map((c) => c.id)).toEqual(['x-1', 'x-2']);
    expect(reloaded.forRoom('r2').map((c) => c.id)).toEqual(['x-2']);
    expect(reloaded.settle('x-1')?.type).toBe('raise_hand');
    expect(reloaded.settle('x-1')).toBeUndefined();
    expect(new PendingQueue(store).list().map((c) => c.id)).toEqual(['x-2']);
    reloaded.clear();
    expect(new PendingQueue(store).list()).toEqual([]);
  });

  it('survives garbage in storage', () => {
    const store = new MemoryStore();
    store.setItem('amphi.pending', '{not json');
    expect(new PendingQueue(store).list()).toEqual([]);
  });
});

describe('idGenerator', () => {
  it('makes unique ids of at most 64 characters', () => {
    const next = idGenerator();
    const ids = new Set(Array.from({ length: 1000 }, next));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(64);
  });

  it('two pages get different prefixes', () => {
    expect(idGenerator()()).not.toBe(idGenerator()());
  });
});
