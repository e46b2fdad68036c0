// What this browser tab remembers of its session (sessionStorage): how it
// first authenticated, the resume token from the last `welcome`, who it is,
// and the rooms it is in. A page reload resumes from it. The trainer's JWT,
// pasted or given as ?token=, is kept apart so that it outlives a session.

import type { Auth, MemberIdentity, RoomInfo } from './protocol';
import { readJson, removeKey, writeJson, type KeyValueStore } from './storage';

export const SESSION_KEY = 'amphi.session';
export const TRAINER_TOKEN_KEY = 'amphi.trainerToken';

export interface SavedSession {
  /** The hello auth used when there is no (valid) resume token. */
  auth: Auth;
  resumeToken?: string;
  member?: MemberIdentity;
  /** Rooms joined, by id. */
  rooms: Record<string, RoomInfo>;
}

export function loadSession(store: KeyValueStore): SavedSession | undefined {
  const s = readJson<SavedSession>(store, SESSION_KEY);
  return s && typeof s === 'object' && s.auth && s.rooms ? s : undefined;
}

export function saveSession(store: KeyValueStore, session: SavedSession): void {
  writeJson(store, SESSION_KEY, session);
}

export function clearSession(store: KeyValueStore): void {
  removeKey(store, SESSION_KEY);
}

export function loadTrainerToken(store: KeyValueStore): string {
  return readJson<string>(store, TRAINER_TOKEN_KEY) ?? '';
}

export function saveTrainerToken(store: KeyValueStore, token: string): void {
  if (token) writeJson(store, TRAINER_TOKEN_KEY, token);
  else removeKey(store, TRAINER_TOKEN_KEY);
}
