// "Mes copies" (`/bibliotheque/mes-copies`): the copies the bearer made
// from the library, each with "Ouvrir" (a quiz or board room's console)
// and, when its item has a newer version, "Une nouvelle version existe",
// what changed (questions added, removed, edited; the metadata; the
// author's note) and "Mettre à jour ma copie" (a plan in place, a quiz or a
// board as a new room, which "Ouvrir" then opens; the old room and its
// results stay).

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { ApiError } from '../api';
import { t } from '../i18n';
import { myCopies, updateCopy, type LibraryCopy } from '../library-api';
import { KIND_LABEL, changesList, dateLabel, itemPath, problemText, type LibraryContext, type LibraryPage } from './library';

export function showCopies(ctx: LibraryContext, root: HTMLElement): LibraryPage {
  let copies: LibraryCopy[] | null = null;
  let status = '';
  let problem = '';
  let busy = false;
  let disposed = false;

  function row(copy: LibraryCopy): TemplateResult {
    const title = copy.item_title ?? t('lib.copies.gone');
    return html`<li class="fr-mb-3w amphi-lib-copy" data-testid="copy-item" data-copy="${copy.id}">
      <h2 class="fr-h6 fr-mb-1w">${copy.item_withdrawn ? title
        : html`<a class="fr-link" href="${itemPath(copy.item)}" @click=${(ev: Event) => { ev.preventDefault(); ctx.go(itemPath(copy.item)); }}>${title}</a>`}</h2>
      <p class="fr-text--sm amphi-muted fr-mb-1w">${[t(KIND_LABEL[copy.kind]), t('lib.copies.version', { version: copy.version, date: dateLabel(copy.updated_at) }),
        copy.item_withdrawn ? t('lib.copies.withdrawn') : ''].filter(Boolean).join(' · ')}</p>
      ${copy.update_available ? html`<div class="fr-callout fr-callout--sm fr-mb-2w" data-testid="copy-update-available">
        <h3 class="fr-callout__title fr-h6">${t('lib.copies.newVersion', { version: copy.latest_version })}</h3>
        <p class="fr-callout__text fr-text--sm">${t('lib.copies.whatChanged')}</p>
        ${copy.changes ? changesList(copy.changes) : nothing}
        <button class="fr-btn fr-btn--sm" type="button" data-testid="copy-update" ?disabled=${busy || copy.item_withdrawn}
          aria-label="${t('lib.copies.updateLabel', { title })}" @click=${() => void update(copy)}>${t('lib.copies.update')}</button>
      </div>` : html`<p class="fr-text--sm" data-testid="copy-up-to-date">${t('lib.copies.upToDate')}</p>`}
      ${copy.kind === 'plan' ? nothing : html`<button class="fr-btn fr-btn--sm fr-btn--secondary" type="button" data-testid="copy-open" ?disabled=${busy}
        aria-label="${t('lib.copies.openLabel', { title })}" @click=${() => void openRoom(copy.target)}>${t('lib.copies.open')}</button>`}
    </li>`;
  }

  function draw(): void {
    if (disposed) return;
    render(html`<h1 tabindex="-1">${t('lib.copies.title')}</h1>${ctx.nav}
      <p>${t('lib.copies.intro')}</p>
      <p role="status" class="fr-text--sm" data-testid="lib-status">${status}</p>
      ${problem ? html`<p class="fr-error-text" role="alert" data-testid="lib-problem">${problem}</p>` : nothing}
      ${copies && copies.length === 0 ? html`<p class="fr-text--sm amphi-muted" data-testid="copies-none">${t('lib.copies.none')}</p>` : nothing}
      <ul class="amphi-list--plain" data-testid="copies-list">${(copies ?? []).map(row)}</ul>`, root);
  }

  async function openRoom(room: string): Promise<void> {
    busy = true;
    draw();
    const error = await ctx.app.joinWithToken(ctx.token, { room });
    if (disposed) return;
    busy = false;
    if (error) problem = problemText(new ApiError(0, error, error));
    draw();
  }

  async function load(): Promise<void> {
    status = t('lib.loading');
    draw();
    try {
      copies = await myCopies(ctx.token, ctx.fetchImpl);
      status = '';
    } catch (e) {
      status = '';
      problem = problemText(e);
    }
    draw();
  }

  async function update(copy: LibraryCopy): Promise<void> {
    busy = true;
    problem = '';
    status = t('lib.copies.updating');
    draw();
    try {
      const updated = await updateCopy(ctx.token, copy.id, ctx.fetchImpl);
      copies = (copies ?? []).map((c) => (c.id === updated.id ? updated : c));
      status = t('lib.copies.updated', { version: updated.version });
      ctx.app.announce(status);
      busy = false;
      draw();
    } catch (e) {
      busy = false;
      status = '';
      problem = problemText(e);
      draw();
    }
  }

  draw();
  void load();
  return { dispose() { disposed = true; } };
}
