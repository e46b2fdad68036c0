// Guest sessions this browser can come back to. The tab's session lives in
// sessionStorage (gone with the tab); so that a participant can close the
// page and finish a self-paced quiz later, each guest session — its resume
// token, its room and its unanswered commands (an answer made offline
// included) — is copied to localStorage. Coming back through `/j/CODE` (or
// the home page) offers to resume it, with the same member and the queued
// commands resent under their ids; "Oublier" removes it (shared devices).
// Records last as long as a guest's resume token: 24 h after the last use.

import type { Command, RoomId } from './protocol';
import type { SavedSession } from './session';
import { readJson, removeKey, writeJson, type KeyValueStore } from './storage';

export const RECENT_KEY = 'amphi.recent';
/** `auth.resume_ttl_hours` by default: a guest's resume token lives that long after its last `welcome`. */
export const RECENT_TTL_MS = 24 * 3600 * 1000;
export const RECENT_MAX = 5;

export interface RecentSession {
  roomId: RoomId;
  code: string;
  title: string;
  name: string;
  session: SavedSession;
  pending: Command[];
  savedAt: number;
}

/** The record of a guest session in one room, or undefined (trainers, no resume token yet). */
export function recentFromSession(session: SavedSession | undefined, pending: readonly Command[], now: number): RecentSession | undefined {
  if (!session || session.auth.method !== 'join_code' || !session.resumeToken) return undefined;
  const rooms = Object.values(session.rooms);
  const room = rooms[0];
  if (rooms.length !== 1 || !room.join_code) return undefined;
  return {
    roomId: room.id,
    code: room.join_code,
    title: room.title,
    name: session.member?.name ?? session.auth.name,
    session,
    pending: pending.filter((c) => 'room' in c && c.room === room.id),
    savedAt: now,
  };
}

/** The records still valid, most recent first. */
export function listRecent(store: KeyValueStore, now: number): RecentSession[] {
  const saved = readJson<RecentSession[]>(store, RECENT_KEY);
  if (!Array.isArray(saved)) return [];
  return saved
    .filter((r) => r && typeof r.roomId === 'string' && typeof r.code === 'string' && r.session && now - r.savedAt < RECENT_TTL_MS)
    .sort((a, b) => b.savedAt - a.savedAt);
}

/** The record for this join code (as typed: case and dashes ignored), if any. */
export function recentFor(store: KeyValueStore, code: string, now: number): RecentSession | undefined {
  const wanted = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return wanted ? listRecent(store, now).find((r) => r.code.toUpperCase() === wanted) : undefined;
}

/** Adds or replaces the record of its room; keeps the `RECENT_MAX` latest. */
export function rememberRecent(store: KeyValueStore, entry: RecentSession): void {
  const others = listRecent(store, entry.savedAt).filter((r) => r.roomId !== entry.roomId);
  writeJson(store, RECENT_KEY, [entry, ...others].slice(0, RECENT_MAX));
}

export function forgetRecent(store: KeyValueStore, roomId: RoomId, now: number): void {
  const kept = listRecent(store, now).filter((r) => r.roomId !== roomId);
  if (kept.length) writeJson(store, RECENT_KEY, kept);
  else removeKey(store, RECENT_KEY);
}
