// What a JWT says about its bearer, read (not verified: the server does that)
// to route a token to the right screen: a leader's token opens the console,
// a participant's signs them in as themselves, never into a trainer form.

import type { Role } from './protocol';
import { leads } from './protocol';

export interface TokenClaims {
  sub: string;
  name: string;
  role: Role;
  /** A room-scoped token: the one room it opens. */
  room?: string;
  /** Seconds since the Unix epoch. */
  exp?: number;
}

const ROLES: readonly Role[] = ['participant', 'trainer', 'facilitator', 'observer', 'admin'];

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
      room: typeof claims.room === 'string' ? claims.room : undefined,
      exp: typeof claims.exp === 'number' ? claims.exp : undefined,
    };
  } catch {
    return null;
  }
}

/** Whether `token` is a trainer's, facilitator's or admin's (opens consoles and forms). */
export function isLeaderToken(token: string): boolean {
  const claims = tokenClaims(token);
  return claims !== null && leads(claims.role);
}

/** Whether `token` is a participant's (a personal invitation link). */
export function isParticipantToken(token: string): boolean {
  return tokenClaims(token)?.role === 'participant';
}
