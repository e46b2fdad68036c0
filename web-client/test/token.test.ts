import { describe, expect, it } from 'vitest';
import { isLeaderToken, isParticipantToken, linkSignIn, tokenClaims } from '../src/token';
import { jwt } from './jwt';

describe('token claims', () => {
  it('reads a trainer token as a leader token', () => {
    const token = jwt({ sub: 'trainer-1', name: 'Mme Durand', tenant: 'default', role: 'trainer', exp: 2 });
    expect(tokenClaims(token)).toEqual({ sub: 'trainer-1', name: 'Mme Durand', role: 'trainer', tenant: 'default', room: undefined, exp: 2 });
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

  it('reads a national curator token as a leader token', () => {
    const token = jwt({ sub: 'nat-1', name: 'M. Roux', tenant: 'national', role: 'national', exp: 2 });
    expect(tokenClaims(token)?.role).toBe('national');
    expect(isLeaderToken(token)).toBe(true);
    expect(isParticipantToken(token)).toBe(false);
  });

  it('refuses what is not a JWT or has no known role', () => {
    expect(tokenClaims('abc')).toBeNull();
    expect(tokenClaims('a.!!!.c')).toBeNull();
    expect(tokenClaims(jwt({ sub: 'x', role: 'king' }))).toBeNull();
    expect(isLeaderToken('')).toBe(false);
  });

  it('routes a token from the address by its role', () => {
    const registrant = jwt({ sub: 'reg-7', name: 'Denis Martin', role: 'participant', room: 'r-1' });
    const trainer = jwt({ sub: 't-1', name: 'Mme Durand', role: 'trainer' });
    const projector = jwt({ sub: 'p-1', name: 'Projecteur', role: 'observer', room: 'r-1' });
    expect(linkSignIn(registrant, '/j/km7r4p')).toEqual({ code: 'KM7R4P' });
    expect(linkSignIn(registrant, '/')).toEqual({ room: 'r-1' });
    expect(linkSignIn(trainer, '/j/KM7R4P/')).toEqual({ code: 'KM7R4P' });
    expect(linkSignIn(trainer, '/'), 'a trainer token alone stays in the trainer space').toBeNull();
    expect(linkSignIn(projector, '/j/KM7R4P')).toBeNull();
    expect(linkSignIn('garbage', '/j/KM7R4P')).toBeNull();
  });
});
