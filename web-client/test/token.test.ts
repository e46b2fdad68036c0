import { describe, expect, it } from 'vitest';
import { isLeaderToken, isParticipantToken, tokenClaims } from '../src/token';

function jwt(claims: Record<string, unknown>): string {
  const b64 = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(unescape(encodeURIComponent(JSON.stringify(claims))))}.c2lnbmF0dXJl`;
}

describe('token claims', () => {
  it('reads a trainer token as a leader token', () => {
    const token = jwt({ sub: 'trainer-1', name: 'Mme Durand', tenant: 'default', role: 'trainer', exp: 2 });
    expect(tokenClaims(token)).toEqual({ sub: 'trainer-1', name: 'Mme Durand', role: 'trainer', room: undefined, exp: 2 });
    expect(isLeaderToken(token)).toBe(true);
    expect(isParticipantToken(token)).toBe(false);
  });

  it('reads a personal invitation token (participant, scoped, non-ASCII name)', () => {
    const token = jwt({ sub: 'reg-7', name: 'Denis Martin-Éluard', role: 'participant', room: 'r-1', guest: true });
    expect(tokenClaims(token)?.name).toBe('Denis Martin-Éluard');
    expect(tokenClaims(token)?.room).toBe('r-1');
    expect(isParticipantToken(token)).toBe(true);
    expect(isLeaderToken(token)).toBe(false);
  });

  it('refuses what is not a JWT or has no known role', () => {
    expect(tokenClaims('abc')).toBeNull();
    expect(tokenClaims('a.!!!.c')).toBeNull();
    expect(tokenClaims(jwt({ sub: 'x', role: 'king' }))).toBeNull();
    expect(isLeaderToken('')).toBe(false);
  });
});
