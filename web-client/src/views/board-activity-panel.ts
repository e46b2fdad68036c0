// The trainer's "Journal d'activité" of a board: a folded panel that, once
// opened, loads the log's newest page (who, when, what, which post) as a
// table, with "Actualiser" (the newest page again) and "Plus anciens" (the
// next older page, added below), and the whole log as a CSV; failures are
// said in a status line.

import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { ApiError } from '../api';
import { activityText, fetchBoardActivity, type ActivityEntry } from '../board-activity';
import { formatDateTime } from '../board-format';
import { h } from '../dom';
import { errorText, t } from '../i18n';

export interface BoardActivityPanel {
  root: HTMLElement;
  dispose(): void;
}

/** `csv`: a button that downloads the whole log (the console's download button). */
export function boardActivityPanel(room: string, tokenOf: () => string, fetchImpl: typeof fetch = fetch, csv?: HTMLElement): BoardActivityPanel {
  const status = h('p', { class: 'fr-text--sm', role: 'status', 'data-testid': 'activity-status' });
  const body = h('div');
  const summary = h('summary', {}, t('board.activity.title'));
  const root = h('details', { class: 'amphi-details fr-mt-3w', 'data-testid': 'activity-panel' },
    summary, h('p', { class: 'fr-text--sm' }, t('board.activity.intro')), csv ?? null, status, body);
  let entries: ActivityEntry[] = [];
  let next: number | null = null;
  let loaded = false;
  let busy = false;
  let disposed = false;

  async function load(older: boolean): Promise<void> {
    if (busy) return;
    busy = true;
    status.textContent = t('board.activity.loading');
    draw();
    try {
      const page = await fetchBoardActivity(tokenOf(), room, older ? next : null, fetchImpl);
      if (disposed) return;
      entries = older ? [...entries, ...page.entries.filter((e) => !entries.some((k) => k.position === e.position))] : page.entries;
      next = page.next;
      loaded = true;
      status.textContent = entries.length ? t('board.activity.count', { count: entries.length }) : t('board.activity.empty');
    } catch (e) {
      if (disposed) return;
      status.textContent = t('board.activity.failed', { reason: e instanceof ApiError ? errorText(e.code) : errorText('network') });
    } finally {
      busy = false;
      if (!disposed) draw();
    }
  }

  function row(entry: ActivityEntry) {
    const post = entry.post_title ?? entry.post ?? '';
    return html`<tr data-testid="activity-entry">
      <td>${formatDateTime(entry.at)}</td>
      <td>${entry.member_name || '—'}</td>
      <td>${activityText(entry)} ${entry.text ? html`<br><span class="fr-text--xs">« ${entry.text} »</span>` : nothing}</td>
      <td>${post}</td>
    </tr>`;
  }

  function draw(): void {
    render(html`
      <div class="amphi-buttons fr-mb-1w">
        <button type="button" class="fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-refresh-line" data-testid="activity-refresh"
          ?disabled=${busy} @click=${() => void load(false)}>${t('board.activity.refresh')}</button>
      </div>
      ${entries.length ? html`<div class="fr-table fr-table--sm"><table data-testid="activity-table" tabindex="0">
        <caption class="fr-sr-only">${t('board.activity.caption')}</caption>
        <thead><tr><th scope="col">${t('board.activity.when')}</th><th scope="col">${t('board.activity.who')}</th><th scope="col">${t('board.activity.what')}</th><th scope="col">${t('board.activity.postColumn')}</th></tr></thead>
        <tbody>${repeat(entries, (e) => e.position, row)}</tbody></table></div>` : nothing}
      ${loaded && next !== null ? html`<button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" data-testid="activity-more"
        ?disabled=${busy} @click=${() => void load(true)}>${t('board.activity.more')}</button>` : nothing}`, body);
  }

  root.addEventListener('toggle', () => {
    if ((root as HTMLDetailsElement).open && !loaded) void load(false);
  });
  draw();
  return { root, dispose: () => { disposed = true; } };
}
