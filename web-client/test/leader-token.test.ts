// The leader's token remembered by the browser: only a leader's, only until
// it expires, and forgotten on demand.

import { describe, expect, it } from 'vitest';
import { LEADER_TOKEN_KEY, forgetLeaderToken, rememberLeaderToken, rememberedLeaderToken, tokenExpired } from '../src/leader-token';
import { MemoryStore } from '../src/storage';
import { jwt } from './jwt';

const NOW = 1_800_000_000_000;
const trainer = jwt({ sub: 't-1', name: 'Mme Durand', role: 'trainer', exp: NOW / 1000 + 3600 });

describe('remembered leader token', () => {
  it('keeps a valid leader token and gives it back', () => {
    const store = new MemoryStore();
    rememberLeaderToken(store, ` ${trainer} `, NOW);
    expect(rememberedLeaderToken(store, NOW)).toBe(trainer);
    forgetLeaderToken(store);
    expect(rememberedLeaderToken(store, NOW)).toBe('');
  });

  it('never keeps a participant, projector or unreadable token', () => {
    const store = new MemoryStore();
    rememberLeaderToken(store, jwt({ sub: 'reg-1', name: 'Denis Martin', role: 'participant', room: 'r' }), NOW);
    rememberLeaderToken(store, jwt({ sub: 'p-1', name: 'Projecteur', role: 'observer', room: 'r' }), NOW);
    rememberLeaderToken(store, 'not-a-token', NOW);
    expect(store.getItem(LEADER_TOKEN_KEY)).toBeNull();
  });

  it('drops the token once it has expired', () => {
    const store = new MemoryStore();
    rememberLeaderToken(store, trainer, NOW);
    expect(tokenExpired(trainer, NOW + 3600_000)).toBe(true);
    expect(rememberedLeaderToken(store, NOW + 3600_000)).toBe('');
    expect(store.getItem(LEADER_TOKEN_KEY)).toBeNull();
    rememberLeaderToken(store, trainer, NOW + 3600_000);
    expect(store.getItem(LEADER_TOKEN_KEY)).toBeNull();
  });
});
