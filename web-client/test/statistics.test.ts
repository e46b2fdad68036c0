// @vitest-environment happy-dom
// The usage statistics page: the figures of the API as totals, SVG bar
// charts each with its data table, suppressed cells said, the selectors
// asking again, French number typography, and who sees the page.

import { describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import type { Figures, Statistics } from '../src/statistics-api';
import { MemoryStore } from '../src/storage';
import { setLang } from '../src/i18n';
import { axisLines, cell, dayLabel, periodLabel, renderStatistics, seesStatistics } from '../src/views/statistics';
import { jwt } from './jwt';

const admin = jwt({ sub: 'a-1', name: 'Admin Lyon', tenant: 'ac-lyon', role: 'admin', exp: 4_000_000_000 });
const national = jwt({ sub: 'n-1', name: 'DGESCO', tenant: 'dgesco', role: 'national', exp: 4_000_000_000 });
const trainer = jwt({ sub: 't-1', name: 'Mme Durand', tenant: 'ac-lyon', role: 'trainer', exp: 4_000_000_000 });

function figures(participants: number | null, minutes: number | null, suppressed = false): Figures {
  return {
    suppressed,
    participants,
    attendance_minutes: minutes,
    sessions: suppressed ? null : { quiz: 1, board: 1, breakout: 0, lobby: 0, total: 2 },
    quiz_completions: suppressed ? null : 9,
    completion_rate: suppressed ? null : 0.889,
    pass_rate: suppressed ? null : 0.714,
    answers: suppressed ? null : 24,
    posts: suppressed ? null : 5,
    ateliers_held: suppressed ? null : 2,
    atelier_attendance_share: suppressed ? null : 0.5,
    badges_issued: suppressed ? null : 5,
  };
}

const STATS: Statistics = {
  tenant: 'ac-lyon', from: '2026-03-01', to: '2026-04-30', period: 'month', by: 'discipline', min_people: 5,
  total: figures(12345, 67890),
  periods: [
    {
      period: '2026-03', first_day: '2026-03-01', last_day: '2026-03-31', total: figures(12000, 60000),
      groups: [
        { group: 'Mathématiques', ...figures(5, 300) },
        { group: 'Lettres', ...figures(null, null, true) },
        { group: null, ...figures(6, 480) },
      ],
    },
    { period: '2026-04', first_day: '2026-04-01', last_day: '2026-04-30', total: figures(null, null, true), groups: [] },
  ],
};

function fakeApp(token: string): App {
  const local = new MemoryStore();
  const store = new MemoryStore();
  store.setItem('amphi.trainerToken', JSON.stringify(token));
  return { store, local, client: null, announce: () => {}, navigate: () => {} } as unknown as App;
}

function fakeFetch(answer: (url: string) => [number, unknown]): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fake = async (input: RequestInfo | URL) => {
    const url = String(input);
    urls.push(url);
    const [status, body] = answer(url);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fake as typeof fetch, urls };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

const text = (root: Element, selector: string) => root.querySelector(selector)?.textContent?.replace(/[ \t\n]+/g, ' ').trim() ?? '';

describe('usage statistics page', () => {
  it('shows totals, a chart with its table per series, the groups, and the suppressed cells', async () => {
    const { fetch, urls } = fakeFetch(() => [200, STATS]);
    const page = renderStatistics(fakeApp(admin), fetch);
    document.body.append(page.root);
    await flush();
    expect(urls[0]).toBe('/api/v1/admin/statistics?period=month');
    expect(text(page.root, 'h1')).toBe('Statistiques d’usage');
    // French thousands separator: a narrow no-break space.
    expect(text(page.root, '[data-testid="stats-totals"]')).toContain('12\u202f345');
    expect(text(page.root, '[data-testid="stats-totals"]')).toContain('88,9\u202f%');
    for (const key of ['participants', 'minutes', 'sessions']) {
      const chart = page.root.querySelector(`[data-testid="chart-stats-${key}"]`)!;
      expect(chart.getAttribute('role')).toBe('img');
      expect(chart.querySelector('title')?.textContent).toBeTruthy();
      expect(page.root.querySelectorAll(`[data-testid="table-${key}"] tbody tr`)).toHaveLength(2);
    }
    const participants = page.root.querySelector('[data-testid="chart-stats-participants"]')!;
    expect(participants.querySelectorAll('rect[fill="#000091"]')).toHaveLength(1);
    expect(participants.querySelectorAll('rect[stroke-dasharray]'), 'April is suppressed').toHaveLength(1);
    expect(text(page.root, '[data-testid="table-participants"] tbody tr:nth-child(2) td')).toBe('masqué (trop peu de personnes)');
    const groups = [...page.root.querySelectorAll('[data-testid="stats-groups"] tbody tr')];
    expect(groups.map((row) => row.getAttribute('data-suppressed'))).toEqual(['false', 'true', 'false']);
    expect(groups[2].querySelector('th')?.textContent).toBe('Non renseigné');
    expect(text(page.root, '[data-testid="stats-privacy"]')).toContain('5\u00a0personnes');
    page.dispose();
  });

  it('asks again when a selector changes', async () => {
    const { fetch, urls } = fakeFetch(() => [200, STATS]);
    const page = renderStatistics(fakeApp(admin), fetch);
    await flush();
    const by = page.root.querySelector<HTMLSelectElement>('[data-testid="stats-by"]')!;
    expect([...by.options].map((o) => o.value)).toEqual(['', 'academie', 'departement', 'discipline']);
    by.value = 'discipline';
    by.dispatchEvent(new Event('change'));
    await flush();
    const period = page.root.querySelector<HTMLSelectElement>('[data-testid="stats-period"]')!;
    period.value = 'week';
    period.dispatchEvent(new Event('change'));
    await flush();
    expect(urls.slice(1)).toEqual([
      '/api/v1/admin/statistics?period=month&by=discipline',
      '/api/v1/admin/statistics?period=week&by=discipline',
    ]);
  });

  it('offers the national role the breakdown by tenant, and says a refusal', async () => {
    const { fetch } = fakeFetch(() => [403, { code: 'forbidden', message: 'no' }]);
    const page = renderStatistics(fakeApp(national), fetch);
    await flush();
    const by = page.root.querySelector<HTMLSelectElement>('[data-testid="stats-by"]')!;
    expect([...by.options].map((o) => o.value)).toContain('tenant');
    expect(page.root.querySelector('[data-testid="stats-problem"]')?.textContent).toBeTruthy();
    expect(page.root.querySelector('[data-testid="stats-totals"]')).toBeNull();
  });

  it('is for admins and the national role only', async () => {
    expect([admin, national, trainer].map(seesStatistics)).toEqual([true, true, false]);
    const { fetch, urls } = fakeFetch(() => [200, STATS]);
    const page = renderStatistics(fakeApp(trainer), fetch);
    await flush();
    expect(urls).toEqual([]);
    expect(page.root.querySelector('[data-testid="stats-problem"]')?.textContent).toContain('Réservé aux administrateurs');
  });

  it('writes cells the French way', () => {
    expect(cell(figures(1, 2), 1234567)).toBe('1\u202f234\u202f567');
    expect(cell(figures(1, 2), 0.5, true)).toBe('50\u202f%');
    expect(cell(figures(1, 2), null)).toBe('—');
    expect(cell(figures(null, null, true), null)).toBe('masqué (trop peu de personnes)');
  });
});

describe('period and day labels', () => {
  it('reads months, weeks and days as people do, in either language', () => {
    expect(periodLabel('2026-03')).toBe('mars 2026');
    expect(periodLabel('2026-W10')).toBe('sem. 10 2026');
    expect(dayLabel('2026-01-31')).toBe('31 janvier 2026');
    expect(dayLabel('2026-03-01')).toBe('1er mars 2026');
    expect(periodLabel('autre')).toBe('autre');
    setLang('en');
    try {
      expect(periodLabel('2026-03')).toBe('Mar 2026');
      expect(periodLabel('2026-W10')).toBe('wk 10 2026');
      expect(dayLabel('2026-01-31')).toBe('31 January 2026');
      expect(dayLabel('2026-03-01')).toBe('1 March 2026');
    } finally {
      setLang('fr');
    }
  });

  it('writes an axis label on two lines, the year on the second', () => {
    expect(axisLines('janv. 2026')).toEqual(['janv.', '2026']);
    expect(axisLines('sem. 10 2026')).toEqual(['sem. 10', '2026']);
    expect(axisLines('2026')).toEqual(['2026', '']);
  });
});
