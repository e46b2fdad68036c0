// The usage statistics' REST calls (src/api/statistics.rs): the figures as
// JSON, and the same as a CSV file (fetched with the token, then saved).

import { auth, readJson, send } from './api';

export type StatisticsPeriod = 'month' | 'week';
export type StatisticsBreakdown = '' | 'academie' | 'departement' | 'discipline' | 'tenant';

export interface StatisticsAsk {
  from?: string;
  to?: string;
  period: StatisticsPeriod;
  by: StatisticsBreakdown;
  tenant?: string;
}

export interface Sessions {
  quiz: number;
  board: number;
  breakout: number;
  lobby: number;
  total: number;
}

/** One published cell: every figure null when suppressed. */
export interface Figures {
  suppressed: boolean;
  participants: number | null;
  attendance_minutes: number | null;
  sessions: Sessions | null;
  quiz_completions: number | null;
  completion_rate: number | null;
  pass_rate: number | null;
  answers: number | null;
  posts: number | null;
  ateliers_held: number | null;
  atelier_attendance_share: number | null;
  badges_issued: number | null;
}

export interface GroupFigures extends Figures {
  group: string | null;
}

export interface PeriodFigures {
  period: string;
  first_day: string;
  last_day: string;
  total: Figures;
  groups?: GroupFigures[];
}

export interface Statistics {
  tenant: string | null;
  from: string;
  to: string;
  period: StatisticsPeriod;
  by: string | null;
  min_people: number;
  total: Figures;
  periods: PeriodFigures[];
}

/** The query string of an ask. */
export function statisticsQuery(ask: StatisticsAsk, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (ask.from) params.set('from', ask.from);
  if (ask.to) params.set('to', ask.to);
  params.set('period', ask.period);
  if (ask.by) params.set('by', ask.by);
  if (ask.tenant) params.set('tenant', ask.tenant);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

export async function fetchStatistics(token: string, ask: StatisticsAsk, fetchImpl: typeof fetch = fetch): Promise<Statistics> {
  const response = await send(fetchImpl, `/api/v1/admin/statistics?${statisticsQuery(ask)}`, {
    headers: { ...auth(token), Accept: 'application/json' },
  });
  return (await readJson(response)) as Statistics;
}

/** The CSV (French dialect) as a blob. */
export async function fetchStatisticsCsv(token: string, ask: StatisticsAsk, fetchImpl: typeof fetch = fetch): Promise<Blob> {
  const response = await send(fetchImpl, `/api/v1/admin/statistics.csv?${statisticsQuery(ask, { dialect: 'fr' })}`, {
    headers: auth(token),
  });
  if (!response.ok) await readJson(response);
  return await response.blob();
}
