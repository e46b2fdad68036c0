// Reconnect delays: exponential backoff with jitter, capped at about 10 s.

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 10_000;

/** Delay before reconnect attempt number `attempt` (0-based). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  // "Equal jitter": half fixed, half random, so retries never bunch at 0.
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
