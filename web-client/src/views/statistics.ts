// "Statistiques d'usage" (`/statistiques`), for an académie's admins and
// the national role: the figures of `GET /api/v1/admin/statistics` per
// month or week, optionally by académie, department or discipline, as bar
// charts drawn in SVG (DSFR's blue) each with its data table next to it
// (RGAA: the table is the chart's text alternative), and the same figures
// as a CSV file. Suppressed cells (too few people) say so.

import '../i18n-pages';
import { html, nothing, render, svg, type TemplateResult } from 'lit-html';
import type { App } from '../app';
import { ApiError } from '../api';
import { errorText, formatNumber, lang, t, type MessageKey } from '../i18n';
import { rememberedLeaderToken } from '../leader-token';
import { loadTrainerToken } from '../session';
import {
  fetchStatistics,
  fetchStatisticsCsv,
  type Figures,
  type PeriodFigures,
  type Statistics,
  type StatisticsAsk,
  type StatisticsBreakdown,
  type StatisticsPeriod,
} from '../statistics-api';
import { tokenClaims } from '../token';

/** The path of the page. */
export const STATISTICS_PATH = '/statistiques';

/** Whether a token's bearer sees the statistics (an admin or the national role). */
export function seesStatistics(token: string): boolean {
  const role = tokenClaims(token)?.role;
  return role === 'admin' || role === 'national';
}

/** A period as people read it: "mars 2026" for `2026-03`, "sem. 10 2026"
 * for `2026-W10`; anything else as it came. */
export function periodLabel(period: string): string {
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    const at = Date.UTC(Number(month[1]), Number(month[2]) - 1, 1);
    return new Intl.DateTimeFormat(locale(), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(at);
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) return t('stats.weekOf', { week: Number(week[2]), year: week[1] });
  return period;
}

/** A day (`2026-01-31`) as people read it: "31 janvier 2026", "1er mars 2026". */
export function dayLabel(day: string): string {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!parts) return day;
  const at = Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]));
  const text = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(at);
  // French writes the first of the month as an ordinal: "1er janvier".
  return lang() === 'fr' && parts[3] === '01' ? text.replace(/^1 /, '1er ') : text;
}

function locale(): string {
  return lang() === 'fr' ? 'fr-FR' : 'en-GB';
}

/** A chart's bars: a label and a value (null: suppressed). */
export interface Bar {
  label: string;
  value: number | null;
}

const BLUE_FRANCE = '#000091';
const GREY = '#666666';

/** A bar chart in SVG: one bar per period, its value above it; a suppressed
 * one drawn as a dashed outline marked "masqué". `id` names its title. */
export function barChart(id: string, title: string, bars: Bar[]): TemplateResult {
  const width = Math.max(320, bars.length * 48 + 40);
  const height = 200;
  const top = 24;
  const bottom = 40;
  const max = Math.max(1, ...bars.map((bar) => bar.value ?? 0));
  const slot = (width - 40) / Math.max(1, bars.length);
  const barWidth = Math.min(36, slot * 0.7);
  return html`<svg class="amphi-chart" role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}"
      width="100%" preserveAspectRatio="xMinYMin meet" data-testid="chart-${id}">
    <title id="${id}">${title}</title>
    ${bars.map((bar, index) => {
      const x = 20 + index * slot + (slot - barWidth) / 2;
      const base = height - bottom;
      const barHeight = bar.value === null ? base - top : ((base - top) * bar.value) / max;
      // "janv. 2026", "sem. 10 2026": the year on a line of its own, so that
      // a year of months fits under its bars.
      const [period, year] = axisLines(bar.label);
      const cx = x + barWidth / 2;
      const label = svg`<text x="${cx}" y="${height - bottom + 14}" font-size="10" text-anchor="middle" fill="${GREY}">${period}${
        year ? svg`<tspan x="${cx}" dy="12">${year}</tspan>` : nothing}</text>`;
      if (bar.value === null) {
        return svg`<rect x="${x}" y="${top}" width="${barWidth}" height="${base - top}" fill="none" stroke="${GREY}" stroke-dasharray="4 3"></rect>
          <text x="${x + barWidth / 2}" y="${top - 6}" font-size="10" text-anchor="middle" fill="${GREY}">${t('stats.suppressedShort')}</text>${label}`;
      }
      return svg`<rect x="${x}" y="${base - barHeight}" width="${barWidth}" height="${barHeight}" fill="${BLUE_FRANCE}"></rect>
        <text x="${x + barWidth / 2}" y="${base - barHeight - 6}" font-size="10" text-anchor="middle" fill="#161616">${formatNumber(bar.value)}</text>${label}`;
    })}
  </svg>`;
}

/** An axis label on two lines: what comes before its last word (the year), and that word. */
export function axisLines(label: string): [string, string] {
  const cut = label.lastIndexOf(' ');
  return cut > 0 ? [label.slice(0, cut), label.slice(cut + 1)] : [label, ''];
}

/** A figure as written in a cell: the number, "masqué" when suppressed, "—" when not applicable. */
export function cell(figures: Figures, value: number | null, rate = false): string {
  if (figures.suppressed) return t('stats.suppressed');
  if (value === null) return '—';
  return rate ? `${formatNumber(Math.round(value * 1000) / 10)}\u202f%` : formatNumber(value);
}

interface Series {
  key: string;
  title: MessageKey;
  value: (figures: Figures) => number | null;
}

const SERIES: Series[] = [
  { key: 'participants', title: 'stats.participants', value: (f) => f.participants },
  { key: 'minutes', title: 'stats.minutes', value: (f) => f.attendance_minutes },
  { key: 'sessions', title: 'stats.sessions', value: (f) => f.sessions?.total ?? null },
];

function seriesFigure(stats: Statistics, series: Series): TemplateResult {
  const id = `stats-${series.key}`;
  const title = t(series.title);
  const bars = stats.periods.map((p) => ({ label: periodLabel(p.period), value: p.total.suppressed ? null : series.value(p.total) }));
  return html`<section class="amphi-stats__chart fr-mb-4w" aria-labelledby="${id}-h">
    <h2 class="fr-h5" id="${id}-h">${title}</h2>
    <div class="fr-grid-row fr-grid-row--gutters">
      <div class="fr-col-12 fr-col-md-7">${barChart(id, title, bars)}</div>
      <div class="fr-col-12 fr-col-md-5">
        <div class="fr-table fr-table--sm"><table tabindex="0" data-testid="table-${series.key}">
          <caption>${t('stats.tableOf', { what: title })}</caption>
          <thead><tr><th scope="col">${t('stats.period')}</th><th scope="col">${title}</th></tr></thead>
          <tbody>${stats.periods.map((p) => html`<tr><th scope="row">${periodLabel(p.period)}</th><td>${cell(p.total, series.value(p.total))}</td></tr>`)}</tbody>
        </table></div>
      </div>
    </div>
  </section>`;
}

function totals(stats: Statistics): TemplateResult {
  const f = stats.total;
  const rows: [MessageKey, string][] = [
    ['stats.participants', cell(f, f.participants)],
    ['stats.minutes', cell(f, f.attendance_minutes)],
    ['stats.sessionsQuiz', cell(f, f.sessions?.quiz ?? null)],
    ['stats.sessionsBoard', cell(f, f.sessions?.board ?? null)],
    ['stats.sessionsBreakout', cell(f, f.sessions?.breakout ?? null)],
    ['stats.sessionsLobby', cell(f, f.sessions?.lobby ?? null)],
    ['stats.completionRate', cell(f, f.completion_rate, true)],
    ['stats.passRate', cell(f, f.pass_rate, true)],
    ['stats.answers', cell(f, f.answers)],
    ['stats.posts', cell(f, f.posts)],
    ['stats.ateliers', cell(f, f.ateliers_held)],
    ['stats.atelierShare', cell(f, f.atelier_attendance_share, true)],
    ['stats.badges', cell(f, f.badges_issued)],
  ];
  return html`<div class="fr-table fr-table--sm"><table tabindex="0" data-testid="stats-totals">
    <caption>${t('stats.totalsCaption', { from: dayLabel(stats.from), to: dayLabel(stats.to) })}</caption>
    <tbody>${rows.map(([key, value]) => html`<tr><th scope="row">${t(key)}</th><td>${value}</td></tr>`)}</tbody>
  </table></div>`;
}

function groupsTable(stats: Statistics): TemplateResult | typeof nothing {
  if (!stats.by) return nothing;
  const rows = stats.periods.flatMap((p: PeriodFigures) => (p.groups ?? []).map((g) => ({ period: p.period, g })));
  return html`<section class="fr-mb-4w" aria-labelledby="stats-groups-h">
    <h2 class="fr-h5" id="stats-groups-h">${t('stats.byGroup')}</h2>
    <div class="fr-table fr-table--sm"><table tabindex="0" data-testid="stats-groups">
      <caption>${t('stats.byGroupCaption')}</caption>
      <thead><tr>
        <th scope="col">${t('stats.period')}</th><th scope="col">${t('stats.group')}</th>
        <th scope="col">${t('stats.participants')}</th><th scope="col">${t('stats.minutes')}</th>
        <th scope="col">${t('stats.sessions')}</th><th scope="col">${t('stats.completionRate')}</th>
        <th scope="col">${t('stats.badges')}</th>
      </tr></thead>
      <tbody>${rows.map(({ period, g }) => html`<tr data-suppressed="${g.suppressed}">
        <td>${periodLabel(period)}</td><th scope="row">${g.group ?? t('stats.unknownGroup')}</th>
        <td>${cell(g, g.participants)}</td><td>${cell(g, g.attendance_minutes)}</td>
        <td>${cell(g, g.sessions?.total ?? null)}</td><td>${cell(g, g.completion_rate, true)}</td>
        <td>${cell(g, g.badges_issued)}</td></tr>`)}</tbody>
    </table></div>
  </section>`;
}

/** The figures: totals, a chart and its table per series, the groups. */
export function statisticsBody(stats: Statistics): TemplateResult {
  return html`<p class="fr-text--sm" data-testid="stats-privacy">${t('stats.privacy', { min: formatNumber(stats.min_people) })}</p>
    ${totals(stats)}
    ${SERIES.map((series) => seriesFigure(stats, series))}
    ${groupsTable(stats)}`;
}

export function renderStatistics(app: App, fetchImpl: typeof fetch = fetch): { root: HTMLElement; dispose(): void } {
  const root = document.createElement('div');
  root.className = 'amphi-stats';
  const token = rememberedLeaderToken(app.local, Date.now()) || loadTrainerToken(app.store);
  const national = tokenClaims(token)?.role === 'national';
  const ask: StatisticsAsk = { period: 'month', by: '' };
  let stats: Statistics | null = null;
  let status = '';
  let problem = '';
  let disposed = false;

  const breakdowns: [StatisticsBreakdown, MessageKey][] = [
    ['', 'stats.byNone'],
    ['academie', 'stats.byAcademie'],
    ['departement', 'stats.byDepartement'],
    ['discipline', 'stats.byDiscipline'],
    ...(national ? ([['tenant', 'stats.byTenant']] as [StatisticsBreakdown, MessageKey][]) : []),
  ];

  function draw(): void {
    if (disposed) return;
    const form = html`<form class="amphi-stats__form fr-mb-3w" data-testid="stats-form" @submit=${(ev: Event) => { ev.preventDefault(); void load(); }}>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-3 fr-select-group">
          <label class="fr-label" for="stats-period">${t('stats.periodLabel')}</label>
          <select class="fr-select" id="stats-period" data-testid="stats-period" @change=${(ev: Event) => { ask.period = (ev.target as HTMLSelectElement).value as StatisticsPeriod; void load(); }}>
            <option value="month" ?selected=${ask.period === 'month'}>${t('stats.month')}</option>
            <option value="week" ?selected=${ask.period === 'week'}>${t('stats.week')}</option>
          </select>
        </div>
        <div class="fr-col-12 fr-col-md-3 fr-select-group">
          <label class="fr-label" for="stats-by">${t('stats.byLabel')}</label>
          <select class="fr-select" id="stats-by" data-testid="stats-by" @change=${(ev: Event) => { ask.by = (ev.target as HTMLSelectElement).value as StatisticsBreakdown; void load(); }}>
            ${breakdowns.map(([value, key]) => html`<option value="${value}" ?selected=${ask.by === value}>${t(key)}</option>`)}
          </select>
        </div>
        <div class="fr-col-6 fr-col-md-2 fr-input-group">
          <label class="fr-label" for="stats-from">${t('stats.from')}</label>
          <input class="fr-input" type="date" id="stats-from" data-testid="stats-from" .value=${ask.from ?? ''} @change=${(ev: Event) => { ask.from = (ev.target as HTMLInputElement).value || undefined; }}>
        </div>
        <div class="fr-col-6 fr-col-md-2 fr-input-group">
          <label class="fr-label" for="stats-to">${t('stats.to')}</label>
          <input class="fr-input" type="date" id="stats-to" data-testid="stats-to" .value=${ask.to ?? ''} @change=${(ev: Event) => { ask.to = (ev.target as HTMLInputElement).value || undefined; }}>
        </div>
        <div class="fr-col-12 fr-col-md-2 amphi-stats__actions">
          <button class="fr-btn" type="submit" data-testid="stats-show">${t('stats.show')}</button>
        </div>
      </div>
    </form>`;
    render(html`<h1 tabindex="-1">${t('stats.title')}</h1>
      <p>${t('stats.intro')}</p>
      ${token && seesStatistics(token) ? html`
        ${form}
        <p class="fr-mb-2w"><button class="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left" type="button"
          data-testid="stats-csv" @click=${() => void download()}>${t('stats.csv')}</button></p>
        <p role="status" class="fr-text--sm" data-testid="stats-status">${status}</p>
        ${problem ? html`<p class="fr-error-text" role="alert" data-testid="stats-problem">${problem}</p>` : nothing}
        ${stats ? statisticsBody(stats) : nothing}`
        : html`<p class="fr-error-text" role="alert" data-testid="stats-problem">${t('stats.noToken')}</p>`}`, root);
  }

  function explain(e: unknown): string {
    return e instanceof ApiError && e.code !== 'network' ? errorText(e.code) : t('home.unreachable');
  }

  async function load(): Promise<void> {
    status = t('stats.loading');
    problem = '';
    draw();
    try {
      stats = await fetchStatistics(token, ask, fetchImpl);
      status = t('stats.loaded', { from: dayLabel(stats.from), to: dayLabel(stats.to) });
    } catch (e) {
      stats = null;
      status = '';
      problem = explain(e);
    }
    draw();
  }

  async function download(): Promise<void> {
    try {
      const blob = await fetchStatisticsCsv(token, ask, fetchImpl);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = 'statistiques.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (e) {
      problem = explain(e);
      draw();
    }
  }

  draw();
  if (token && seesStatistics(token)) void load();
  return { root, dispose() { disposed = true; } };
}
