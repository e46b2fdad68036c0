// What a JWT says about its bearer, read (not verified: the server does that)
// to route a token to the right screen: a leader's token opens the console,
// a participant's signs them in as themselves, never into a trainer form.

import type { Role } from './protocol';
import { leads } from './protocol';

export interface TokenClaims {
  sub: string;
  name: string;
  role: Role;
  /** The tenant (académie) it belongs to. */
  tenant?: string;
  /** A room-scoped token: the one room it opens. */
  room?: string;
  /** Seconds since the Unix epoch. */
  exp?: number;
}

const ROLES: readonly Role[] = ['participant', 'trainer', 'facilitator', 'observer', 'admin', 'national'];

/** The claims of a JWT, or null when it is not one. */
export function tokenClaims(token: string): TokenClaims | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (typeof claims.sub !== 'string' || !ROLES.includes(claims.role as Role)) return null;
    return {
      sub: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : '',
      role: claims.role as Role,
      tenant: typeof claims.tenant === 'string' ? claims.tenant : undefined,
      room: typeof claims.room === 'string' ? claims.room : undefined,
      exp: typeof claims.exp === 'number' ? claims.exp : undefined,
    };
  } catch {
    return null;
  }
}

/** Whether `token` is a trainer's, facilitator's, admin's or national curator's (opens consoles and forms). */
export function isLeaderToken(token: string): boolean {
  const claims = tokenClaims(token);
  return claims !== null && leads(claims.role);
}

/** Whether `token` is a participant's (a personal invitation link). */
export function isParticipantToken(token: string): boolean {
  return tokenClaims(token)?.role === 'participant';
}

/** Where a token given in the address takes its bearer, or null (it stays on
 * the home page): a participant's token signs the registrant into the room
 * of `/j/CODE` (or the room it is scoped to); a leader's token on `/j/CODE`
 * opens that room's console. */
export function linkSignIn(token: string, pathname: string): { code?: string; room?: string } | null {
  const code = /^\/j\/([A-Za-z0-9]{1,12})\/?$/.exec(pathname)?.[1]?.toUpperCase();
  if (isParticipantToken(token)) {
    const room = tokenClaims(token)?.room;
    return code ? { code } : room ? { room } : null;
  }
  return isLeaderToken(token) && code ? { code } : null;
}
