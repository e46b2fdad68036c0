// The queue of commands sent but not yet answered (`ack` or `error`),
// persisted so that a reconnect — or a page reload — resends each of them
// with the SAME client message id: the server applies a command once per id,
// so nothing is lost and nothing is doubled. Also the client message id
// generator (random per-page prefix + counter).

import type { Command, RoomId } from './protocol';
import { readJson, removeKey, writeJson, type KeyValueStore } from './storage';

export const PENDING_KEY = 'amphi.pending';

export class PendingQueue {
  private commands: Command[];

  constructor(
    private readonly store: KeyValueStore,
    private readonly key = PENDING_KEY,
  ) {
    const saved = readJson<Command[]>(store, key);
    this.commands = Array.isArray(saved) ? saved : [];
  }

  /** Unanswered commands, oldest first (the order to resend them in). */
  list(): readonly Command[] {
    return this.commands;
  }

  /** Unanswered commands about one room. */
  forRoom(room: RoomId): Command[] {
    return this.commands.filter((c) => 'room' in c && c.room === room);
  }

  add(command: Command): void {
    this.commands = [...this.commands, command];
    this.save();
  }

  /** Removes the command answered by this id; returns it if it was queued. */
  settle(id: string): Command | undefined {
    const found = this.commands.find((c) => c.id === id);
    if (found) {
      this.commands = this.commands.filter((c) => c.id !== id);
      this.save();
    }
    return found;
  }

  clear(): void {
    this.commands = [];
    removeKey(this.store, this.key);
  }

  private save(): void {
    writeJson(this.store, this.key, this.commands);
  }
}

/** Makes ids like `k3f9x2ab-1`, `k3f9x2ab-2`… (at most 64 characters). */
export function idGenerator(random: () => number = Math.random): () => string {
  let prefix = '';
  for (let i = 0; i < 8; i++) prefix += Math.floor(random() * 36).toString(36);
  let counter = 0;
  return () => `${prefix}-${++counter}`;
}
