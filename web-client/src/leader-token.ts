// The leader's token this browser remembers (localStorage), so that a
// trainer or facilitator who closed the console's tab finds "Mes sessions"
// again in a new tab. Only a leader's token is kept (never a participant's
// or a projector's), only until it expires, and "Oublier mon jeton" removes
// it (shared devices). The tab's own copy stays in sessionStorage
// (session.ts).

import { readJson, removeKey, writeJson, type KeyValueStore } from './storage';
import { isLeaderToken, tokenClaims } from './token';

export const LEADER_TOKEN_KEY = 'amphi.leaderToken';

/** Whether the token's `exp` (if any) is past at `nowMs`. */
export function tokenExpired(token: string, nowMs: number): boolean {
  const exp = tokenClaims(token)?.exp;
  return exp !== undefined && exp * 1000 <= nowMs;
}

/** Keeps `token` if it is a leader's that has not expired; anything else is ignored. */
export function rememberLeaderToken(store: KeyValueStore, token: string, nowMs: number): void {
  const trimmed = token.trim();
  if (isLeaderToken(trimmed) && !tokenExpired(trimmed, nowMs)) writeJson(store, LEADER_TOKEN_KEY, trimmed);
}

/** The remembered leader's token, or '' (none, or expired: then it is dropped). */
export function rememberedLeaderToken(store: KeyValueStore, nowMs: number): string {
  const token = readJson<string>(store, LEADER_TOKEN_KEY);
  if (typeof token !== 'string' || !isLeaderToken(token)) return '';
  if (tokenExpired(token, nowMs)) {
    removeKey(store, LEADER_TOKEN_KEY);
    return '';
  }
  return token;
}

export function forgetLeaderToken(store: KeyValueStore): void {
  removeKey(store, LEADER_TOKEN_KEY);
}
