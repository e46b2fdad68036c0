// "Mes publications" (`/bibliotheque/mes-publications`): the items the
// bearer published (`GET /library/mine`, withdrawn ones included), each with
// "Publier une nouvelle version" (another of their rooms or plans of the
// item's kind, or the same, the metadata to change and a note for those who
// copied it; what changed is shown once published) and "Retirer".

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { t } from '../i18n';
import { myItems, publishVersion, withdrawItem, type LibraryChanges, type LibraryItem } from '../library-api';
import { changesList, itemFacts, itemPath, problemText, type LibraryContext, type LibraryPage } from './library';
import { draftFields, metadataFields, mySources, sourceLabel, type MetadataDraft, type Source } from './library-publish';

interface VersionForm {
  item: LibraryItem;
  source: string;
  note: string;
  draft: MetadataDraft;
}

function draftOf(item: LibraryItem): MetadataDraft {
  return {
    title: item.title,
    description: item.description,
    disciplines: item.disciplines.join(', '),
    level: item.level,
    duration: item.duration_min ? String(item.duration_min) : '',
    tags: item.tags.join(', '),
    licence: item.licence,
  };
}

export function showMine(ctx: LibraryContext, root: HTMLElement): LibraryPage {
  let items: LibraryItem[] | null = null;
  let sources: Source[] = [];
  let form: VersionForm | null = null;
  let published: { id: string; changes: LibraryChanges } | null = null;
  let status = '';
  let problem = '';
  let busy = false;
  let disposed = false;

  function versionForm(f: VersionForm): TemplateResult {
    const ofKind = sources.filter((s) => s.kind === f.item.kind);
    return html`<form class="fr-mt-2w amphi-lib-version" data-testid="version-form" aria-labelledby="version-h"
        @submit=${(ev: Event) => { ev.preventDefault(); void submit(f); }}>
      <h3 class="fr-h6" id="version-h">${t('lib.mine.versionTitle', { title: f.item.title, version: f.item.version + 1 })}</h3>
      <div class="fr-select-group">
        <label class="fr-label" for="version-source">${t('lib.mine.source')}<span class="fr-hint-text">${t('lib.mine.sourceHint')}</span></label>
        <select class="fr-select" id="version-source" data-testid="version-source" @change=${(ev: Event) => { f.source = (ev.target as HTMLSelectElement).value; }}>
          ${ofKind.map((s) => html`<option value="${s.id}" ?selected=${s.id === f.source}>${sourceLabel(s)}</option>`)}
        </select>
      </div>
      <div class="fr-input-group">
        <label class="fr-label" for="version-note">${t('lib.mine.note')}<span class="fr-hint-text">${t('lib.mine.noteHint')}</span></label>
        <textarea class="fr-input" id="version-note" data-testid="version-note" maxlength="500" rows="2" .value=${f.note}
          @input=${(ev: Event) => { f.note = (ev.target as HTMLTextAreaElement).value; }}></textarea>
      </div>
      ${metadataFields(f.draft, 'version', 'lib.mine.titleHint')}
      <div class="fr-btns-group fr-btns-group--inline-md">
        <button class="fr-btn" type="submit" data-testid="version-submit" ?disabled=${busy}>${t('lib.mine.publishVersion')}</button>
        <button class="fr-btn fr-btn--secondary" type="button" @click=${() => { form = null; draw(); }}>${t('lib.cancel')}</button>
      </div>
    </form>`;
  }

  function row(item: LibraryItem): TemplateResult {
    return html`<li class="fr-mb-3w amphi-lib-mine" data-testid="mine-item" data-item="${item.id}">
      <h2 class="fr-h6 fr-mb-1w"><a class="fr-link" href="${itemPath(item.id)}" @click=${(ev: Event) => { ev.preventDefault(); ctx.go(itemPath(item.id)); }}>${item.title}</a></h2>
      ${itemFacts(item)}
      ${item.withdrawn ? nothing : html`<div class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
        <button class="fr-btn fr-btn--sm fr-btn--secondary" type="button" data-testid="mine-new-version" ?disabled=${busy}
          aria-label="${t('lib.mine.newVersionLabel', { title: item.title })}" @click=${() => open(item)}>${t('lib.mine.newVersion')}</button>
        <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="button" data-testid="mine-withdraw" ?disabled=${busy}
          aria-label="${t('lib.withdrawLabel', { title: item.title })}" @click=${() => void withdraw(item)}>${t('lib.withdraw')}</button>
      </div>`}
      ${published?.id === item.id ? html`<div class="fr-alert fr-alert--success fr-alert--sm" data-testid="version-published">
        <p>${t('lib.mine.versionPublished', { version: item.version })}</p>${changesList(published.changes)}</div>` : nothing}
      ${form?.item.id === item.id ? versionForm(form) : nothing}
    </li>`;
  }

  function draw(): void {
    if (disposed) return;
    render(html`<h1 tabindex="-1">${t('lib.mine.title')}</h1>${ctx.nav}
      <p>${t('lib.mine.intro')}</p>
      <p role="status" class="fr-text--sm" data-testid="lib-status">${status}</p>
      ${problem ? html`<p class="fr-error-text" role="alert" data-testid="lib-problem">${problem}</p>` : nothing}
      ${items && items.length === 0 ? html`<p class="fr-text--sm amphi-muted" data-testid="mine-none">${t('lib.mine.none')}</p>` : nothing}
      <ul class="amphi-list--plain" data-testid="mine-list">${(items ?? []).map(row)}</ul>`, root);
  }

  function open(item: LibraryItem): void {
    const ofKind = sources.filter((s) => s.kind === item.kind);
    // The newest source of the item's kind is the likeliest new version.
    form = { item, source: ofKind[0]?.id ?? '', note: '', draft: draftOf(item) };
    published = null;
    draw();
    root.querySelector<HTMLElement>('#version-source')?.focus();
  }

  async function load(): Promise<void> {
    status = t('lib.loading');
    draw();
    try {
      [items, sources] = await Promise.all([myItems(ctx.token, ctx.fetchImpl), mySources(ctx)]);
      status = '';
    } catch (e) {
      status = '';
      problem = problemText(e);
    }
    draw();
  }

  async function submit(f: VersionForm): Promise<void> {
    busy = true;
    problem = '';
    status = t('lib.pub.publishing');
    draw();
    try {
      const updated = await publishVersion(ctx.token, f.item.id, { source: f.source || undefined, note: f.note.trim(), ...draftFields(f.draft) }, ctx.fetchImpl);
      items = (items ?? []).map((item) => (item.id === updated.id ? updated : item));
      published = updated.changes ? { id: updated.id, changes: updated.changes } : null;
      form = null;
      status = t('lib.mine.versionPublished', { version: updated.version });
      ctx.app.announce(status);
    } catch (e) {
      status = '';
      problem = problemText(e);
    }
    busy = false;
    draw();
  }

  async function withdraw(item: LibraryItem): Promise<void> {
    if (!window.confirm(t('lib.withdrawConfirm', { title: item.title }))) return;
    busy = true;
    draw();
    try {
      const withdrawn = await withdrawItem(ctx.token, item.id, ctx.fetchImpl);
      items = (items ?? []).map((other) => (other.id === withdrawn.id ? withdrawn : other));
      status = t('lib.withdrawnDone', { title: item.title });
      ctx.app.announce(status);
    } catch (e) {
      problem = problemText(e);
    }
    busy = false;
    draw();
  }

  draw();
  void load();
  return { dispose() { disposed = true; } };
}
