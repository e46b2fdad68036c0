// Reconnect policy: backoff grows with jitter and stays under ~10 s; close
// codes map to reconnect / do not reconnect.

import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffDelay } from '../src/backoff';
import { closeAdvice } from '../src/protocol';

describe('backoffDelay', () => {
  it('doubles, jitters within [ceiling/2, ceiling], caps', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 0.5)).toBe(3000);
    for (let attempt = 0; attempt < 50; attempt++) {
      const d = backoffDelay(attempt, Math.random);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    }
    expect(backoffDelay(100, () => 0)).toBe(BACKOFF_CAP_MS / 2);
  });
});

describe('closeAdvice', () => {
  it('follows the protocol close codes', () => {
    expect(closeAdvice(1000)).toEqual({ reconnect: false, reason: 'normal' });
    expect(closeAdvice(4011)).toEqual({ reconnect: false, reason: 'removed' });
    expect(closeAdvice(4029)).toMatchObject({ reconnect: true, minDelayMs: 5000 });
    for (const code of [1001, 1006, 1009, 1011, 4002, 4008, 4010]) expect(closeAdvice(code).reconnect, String(code)).toBe(true);
  });
});
