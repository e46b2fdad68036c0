// The library's search (`/bibliotheque`): full text (accents folded by the
// server) and the filters (discipline, public, kind, académie, scope,
// recency), kept in the address so that "back" finds them; the results
// newest first, "Voir plus" for the next page. In moderation mode
// (`/bibliotheque/moderation`, an académie's admins and the national role)
// the same list shows what the bearer may withdraw, with the button.

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { t, tn, type MessageKey } from '../i18n';
import { searchLibrary, withdrawItem, type LibraryItem, type LibrarySearch } from '../library-api';
import { itemFacts, itemPath, moderates, problemText, type LibraryContext, type LibraryPage } from './library';

const RECENCY: [number, MessageKey][] = [
  [0, 'lib.since.any'],
  [7, 'lib.since.week'],
  [30, 'lib.since.month'],
  [365, 'lib.since.year'],
];

/** The search in the address (`?q=…&discipline=…`). */
export function searchFromAddress(query: string): LibrarySearch {
  const params = new URLSearchParams(query);
  const kind = params.get('kind');
  const scope = params.get('scope');
  const since = Number(params.get('since_days') ?? '0');
  return {
    q: params.get('q') ?? '',
    discipline: params.get('discipline') ?? '',
    level: params.get('level') ?? '',
    kind: kind === 'quiz' || kind === 'board' || kind === 'plan' ? kind : '',
    academie: params.get('academie') ?? '',
    scope: scope === 'national' || scope === 'academie' ? scope : '',
    since_days: Number.isInteger(since) && since > 0 ? since : 0,
  };
}

function resultCard(ctx: LibraryContext, item: LibraryItem, moderation: boolean, withdraw: (item: LibraryItem) => void): TemplateResult {
  const open = (ev: Event) => { ev.preventDefault(); ctx.go(itemPath(item.id)); };
  return html`<li class="fr-col-12 fr-col-md-6" data-testid="lib-result" data-item="${item.id}">
    <div class="fr-card fr-card--sm ${moderation ? '' : 'fr-enlarge-link'} amphi-lib-card">
      <div class="fr-card__body"><div class="fr-card__content">
        <h2 class="fr-card__title fr-h6"><a href="${itemPath(item.id)}" @click=${open}>${item.title}</a></h2>
        <p class="fr-card__desc">${item.description || t('lib.noDescription')}</p>
        <div class="fr-card__start">${itemFacts(item)}</div>
      </div>
      ${moderation && item.can_withdraw ? html`<div class="fr-card__footer">
        <button class="fr-btn fr-btn--sm fr-btn--tertiary amphi-lib-withdraw" type="button" data-testid="lib-withdraw"
          aria-label="${t('lib.withdrawLabel', { title: item.title })}" @click=${() => withdraw(item)}>${t('lib.withdraw')}</button>
      </div>` : nothing}
      </div>
    </div>
  </li>`;
}

export function showSearch(ctx: LibraryContext, root: HTMLElement, moderation: boolean): LibraryPage {
  const ask = searchFromAddress(location.search);
  // Moderation: the national role's national items, an admin's académie's.
  if (moderation && !ask.scope && ctx.claims?.role === 'national') ask.scope = 'national';
  if (moderation && !ask.academie && ctx.claims?.role === 'admin') ask.academie = ctx.claims.tenant ?? '';
  let items: LibraryItem[] = [];
  let next: string | null = null;
  let status = '';
  let problem = '';
  let disposed = false;
  let request = 0;

  const text = (key: keyof LibrarySearch) => (ev: Event) => {
    (ask as Record<string, unknown>)[key] = (ev.target as HTMLInputElement).value;
  };

  function draw(): void {
    if (disposed) return;
    const shown = moderation ? items.filter((item) => item.can_withdraw) : items;
    const form = html`<form class="fr-mb-3w" role="search" data-testid="lib-search-form" @submit=${(ev: Event) => { ev.preventDefault(); void load(false); }}>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-6 fr-input-group">
          <label class="fr-label" for="lib-q">${t('lib.q')}<span class="fr-hint-text">${t('lib.qHint')}</span></label>
          <input class="fr-input" type="search" id="lib-q" data-testid="lib-q" maxlength="200" .value=${ask.q ?? ''} @input=${text('q')}>
        </div>
        <div class="fr-col-12 fr-col-md-3 fr-input-group">
          <label class="fr-label" for="lib-discipline">${t('lib.discipline')}</label>
          <input class="fr-input" id="lib-discipline" data-testid="lib-discipline" maxlength="60" .value=${ask.discipline ?? ''} @input=${text('discipline')}>
        </div>
        <div class="fr-col-12 fr-col-md-3 fr-input-group">
          <label class="fr-label" for="lib-level">${t('lib.level')}</label>
          <input class="fr-input" id="lib-level" data-testid="lib-level" maxlength="60" .value=${ask.level ?? ''} @input=${text('level')}>
        </div>
        <div class="fr-col-6 fr-col-md-3 fr-select-group">
          <label class="fr-label" for="lib-kind">${t('lib.kindLabel')}</label>
          <select class="fr-select" id="lib-kind" data-testid="lib-kind" @change=${text('kind')}>
            <option value="" ?selected=${!ask.kind}>${t('lib.kind.any')}</option>
            <option value="quiz" ?selected=${ask.kind === 'quiz'}>${t('lib.kind.quiz')}</option>
            <option value="board" ?selected=${ask.kind === 'board'}>${t('lib.kind.board')}</option>
            <option value="plan" ?selected=${ask.kind === 'plan'}>${t('lib.kind.plan')}</option>
          </select>
        </div>
        <div class="fr-col-6 fr-col-md-3 fr-select-group">
          <label class="fr-label" for="lib-scope">${t('lib.scopeLabel')}</label>
          <select class="fr-select" id="lib-scope" data-testid="lib-scope" @change=${text('scope')}>
            <option value="" ?selected=${!ask.scope}>${t('lib.scope.any')}</option>
            <option value="academie" ?selected=${ask.scope === 'academie'}>${t('lib.scope.academie')}</option>
            <option value="national" ?selected=${ask.scope === 'national'}>${t('lib.scope.national')}</option>
          </select>
        </div>
        <div class="fr-col-6 fr-col-md-3 fr-input-group">
          <label class="fr-label" for="lib-academie">${t('lib.academie')}<span class="fr-hint-text">${t('lib.academieHint')}</span></label>
          <input class="fr-input" id="lib-academie" data-testid="lib-academie" maxlength="100" .value=${ask.academie ?? ''} @input=${text('academie')}>
        </div>
        <div class="fr-col-6 fr-col-md-3 fr-select-group">
          <label class="fr-label" for="lib-since">${t('lib.since')}</label>
          <select class="fr-select" id="lib-since" data-testid="lib-since" @change=${(ev: Event) => { ask.since_days = Number((ev.target as HTMLSelectElement).value); }}>
            ${RECENCY.map(([days, key]) => html`<option value="${days}" ?selected=${(ask.since_days ?? 0) === days}>${t(key)}</option>`)}
          </select>
        </div>
      </div>
      <button class="fr-btn fr-icon-search-line fr-btn--icon-left fr-mt-2w" type="submit" data-testid="lib-search">${t('lib.searchButton')}</button>
    </form>`;
    render(html`<h1 tabindex="-1">${t(moderation ? 'lib.moderationTitle' : 'lib.title')}</h1>
      ${ctx.nav}
      <p>${t(moderation ? 'lib.moderationIntro' : 'lib.intro')}</p>
      ${moderation && !moderates(ctx.claims) ? html`<p class="fr-error-text" role="alert">${t('lib.moderationOnly')}</p>` : form}
      <p role="status" class="fr-text--sm" data-testid="lib-status">${status}</p>
      ${problem ? html`<p class="fr-error-text" role="alert" data-testid="lib-problem">${problem}</p>` : nothing}
      <ul class="fr-grid-row fr-grid-row--gutters amphi-lib-results" data-testid="lib-results">
        ${shown.map((item) => resultCard(ctx, item, moderation, (it) => void withdraw(it)))}
      </ul>
      ${next ? html`<button class="fr-btn fr-btn--secondary fr-mt-2w" type="button" data-testid="lib-more" @click=${() => void load(true)}>${t('lib.more')}</button>` : nothing}`, root);
  }

  async function load(more: boolean): Promise<void> {
    const mine = ++request;
    if (!more) {
      const query = new URLSearchParams(Object.entries(ask).filter(([, v]) => v !== '' && v !== 0 && v !== undefined).map(([k, v]) => [k, String(v)])).toString();
      history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}`);
    }
    status = t('lib.searching');
    problem = '';
    draw();
    try {
      const page = await searchLibrary(ctx.token, { ...ask, cursor: more ? next ?? undefined : undefined }, ctx.fetchImpl);
      if (mine !== request) return;
      items = more ? [...items, ...page.items] : page.items;
      next = page.next_cursor;
      const count = moderation ? items.filter((item) => item.can_withdraw).length : items.length;
      status = count === 0 ? t('lib.noResult') : tn('lib.results', count);
    } catch (e) {
      if (mine !== request) return;
      status = '';
      problem = problemText(e);
    }
    draw();
  }

  async function withdraw(item: LibraryItem): Promise<void> {
    if (!window.confirm(t('lib.withdrawConfirm', { title: item.title }))) return;
    try {
      await withdrawItem(ctx.token, item.id, ctx.fetchImpl);
      items = items.filter((other) => other.id !== item.id);
      status = t('lib.withdrawnDone', { title: item.title });
      ctx.app.announce(status);
    } catch (e) {
      problem = problemText(e);
    }
    draw();
  }

  draw();
  if (!moderation || moderates(ctx.claims)) void load(false);
  return { dispose() { disposed = true; } };
}
