// The little key/value interface the client persists through (the browser's
// sessionStorage, or a Map in tests), with JSON helpers that survive a full
// or disabled storage (private browsing): persistence is best effort.

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function readJson<T>(store: KeyValueStore, key: string): T | undefined {
  try {
    const raw = store.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  } catch {
    return undefined;
  }
}

export function writeJson(store: KeyValueStore, key: string, value: unknown): void {
  try {
    store.setItem(key, JSON.stringify(value));
  } catch {
    // Quota exceeded or storage disabled: keep going in memory.
  }
}

export function removeKey(store: KeyValueStore, key: string): void {
  try {
    store.removeItem(key);
  } catch {
    // Storage disabled.
  }
}

/** An in-memory store (tests, or when sessionStorage is unavailable). */
export class MemoryStore implements KeyValueStore {
  private readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

/** The browser's sessionStorage, or memory when it is not usable. */
export function sessionStore(): KeyValueStore {
  try {
    const s = globalThis.sessionStorage;
    s.setItem('amphi.probe', '1');
    s.removeItem('amphi.probe');
    return s;
  } catch {
    return new MemoryStore();
  }
}

/** The browser's localStorage (kept across tabs and restarts), or memory. */
export function localStore(): KeyValueStore {
  try {
    const s = globalThis.localStorage;
    s.setItem('amphi.probe', '1');
    s.removeItem('amphi.probe');
    return s;
  } catch {
    return new MemoryStore();
  }
}

/** `store`, calling `onWrite(key)` after each successful setItem. */
export function observedStore(store: KeyValueStore, onWrite: (key: string) => void): KeyValueStore {
  return {
    getItem: (key) => store.getItem(key),
    setItem(key, value) {
      store.setItem(key, value);
      onWrite(key);
    },
    removeItem: (key) => store.removeItem(key),
  };
}
