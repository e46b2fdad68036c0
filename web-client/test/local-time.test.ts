// Local times: the reader's clock and language, the zone named for planned
// moments, both sides of a daylight-saving change, overseas académies.

import { describe, expect, it } from 'vitest';
import { clockTime, dateAndTime, plannedTime, zoneLabel } from '../src/local-time';

const at = (iso: string) => Date.parse(iso);

describe('local times', () => {
  it('half past nine in Paris is 9h30 on both sides of the clock change', () => {
    // Daylight saving ends in Europe on Sunday 25 October 2026 at 03:00.
    expect(clockTime(at('2026-10-24T07:30:00Z'), 'fr', 'Europe/Paris')).toBe('9h30');
    expect(clockTime(at('2026-10-26T08:30:00Z'), 'fr', 'Europe/Paris')).toBe('9h30');
    expect(clockTime(at('2026-10-26T08:30:00Z'), 'en', 'Europe/Paris')).toBe('9:30');
    expect(clockTime(at('2026-12-01T23:05:00Z'), 'fr', 'Europe/Paris')).toBe('0h05');
  });

  it('an overseas académie reads its own clock', () => {
    // 08:30 UTC is 12:30 in La Réunion (UTC+4) and 4:30 in Guadeloupe (UTC−4).
    expect(clockTime(at('2026-12-01T08:30:00Z'), 'fr', 'Indian/Reunion')).toBe('12h30');
    expect(clockTime(at('2026-12-01T08:30:00Z'), 'fr', 'America/Guadeloupe')).toBe('4h30');
    expect(zoneLabel('Indian/Reunion', 'fr')).toBe('heure de La Réunion');
    expect(zoneLabel('America/Guadeloupe', 'en')).toBe('Guadeloupe time');
    expect(zoneLabel('America/New_York', 'fr')).toBe('heure de New York');
    expect(zoneLabel('UTC', 'fr')).toBe('temps universel (UTC)');
  });

  it('a planned moment names its zone, and says today when it is today', () => {
    const now = at('2026-12-01T07:00:00Z');
    expect(plannedTime(at('2026-12-01T08:30:00Z'), 'fr', now, 'Europe/Paris')).toBe('aujourd’hui à 9h30, heure de Paris');
    expect(plannedTime(at('2026-12-03T08:30:00Z'), 'fr', now, 'Europe/Paris')).toBe('le 03/12/2026 à 9h30, heure de Paris');
    expect(plannedTime(at('2026-12-03T08:30:00Z'), 'en', now, 'Europe/Paris')).toBe('on 03/12/2026 at 9:30, Paris time');
    // 23:30 UTC on the 1st is already the 2nd in Paris: not "today" there.
    expect(plannedTime(at('2026-12-01T23:30:00Z'), 'fr', now, 'Europe/Paris')).toBe('le 02/12/2026 à 0h30, heure de Paris');
    expect(plannedTime(at('2026-12-01T23:30:00Z'), 'fr', now, 'UTC')).toBe('aujourd’hui à 23h30, temps universel (UTC)');
  });

  it('a date and a time, short, in each language', () => {
    expect(dateAndTime(at('2026-12-02T08:30:00Z'), 'fr', 'Europe/Paris')).toBe('2 déc. 2026 à 9h30');
    expect(dateAndTime(at('2026-12-02T08:30:00Z'), 'en', 'Europe/Paris')).toBe('2 Dec 2026, 9:30');
  });
});
