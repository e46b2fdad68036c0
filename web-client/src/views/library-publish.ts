// Publishing to the library (`/bibliotheque/publier[?source=ID]`): one of
// the bearer's own quiz or board rooms (`GET /rooms?mine=1`) or saved plans,
// with its title, description, disciplines, public (level), duration, tags,
// licence (Licence Ouverte / Etalab 2.0 or CC BY-SA 4.0) and level
// (the académie, or every académie for the national role). Published, the
// item's page opens. The same fields (but the kind, source list and level)
// make a new version's form in "Mes publications" (`metadataFields`).

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { listMyRooms, type MyRoom } from '../api';
import { t, type MessageKey } from '../i18n';
import { myPlans, publishItem, splitList, type LibraryKind, type LibraryPublication, type Licence, type SavedPlan } from '../library-api';
import { itemPath, problemText, type LibraryContext, type LibraryPage } from './library';

/** A source the bearer may publish: a room of theirs or a plan of theirs. */
export interface Source {
  id: string;
  kind: LibraryKind;
  title: string;
}

/** The bearer's publishable sources: their quiz and board rooms, and their own plans. */
export async function mySources(ctx: LibraryContext): Promise<Source[]> {
  const [rooms, plans] = await Promise.all([
    listMyRooms(ctx.token, ctx.fetchImpl),
    myPlans(ctx.token, ctx.fetchImpl).catch((): SavedPlan[] => []),
  ]);
  const fromRooms = rooms
    .filter((room: MyRoom) => room.kind === 'quiz' || room.kind === 'board')
    .map((room) => ({ id: room.id, kind: room.kind as LibraryKind, title: room.title }));
  const fromPlans = plans
    .filter((plan) => !plan.owner || plan.owner === ctx.claims?.sub)
    .map((plan) => ({ id: plan.id, kind: 'plan' as LibraryKind, title: plan.title }));
  return [...fromRooms, ...fromPlans];
}

export function sourceLabel(source: Source): string {
  const kind = source.kind === 'quiz' ? t('lib.kind.quiz') : source.kind === 'board' ? t('lib.kind.board') : t('lib.kind.plan');
  return `${source.title} (${kind})`;
}

/** The metadata being edited (text as typed). */
export interface MetadataDraft {
  title: string;
  description: string;
  disciplines: string;
  level: string;
  duration: string;
  tags: string;
  licence: Licence;
}

export function emptyDraft(): MetadataDraft {
  return { title: '', description: '', disciplines: '', level: '', duration: '', tags: '', licence: 'etalab-2.0' };
}

/** The draft as the API's fields (`title` left out when empty: the source's). */
export function draftFields(draft: MetadataDraft): LibraryPublication {
  const fields: LibraryPublication = {
    description: draft.description.trim(),
    disciplines: splitList(draft.disciplines),
    level: draft.level.trim(),
    tags: splitList(draft.tags),
    licence: draft.licence,
  };
  if (draft.title.trim()) fields.title = draft.title.trim();
  const minutes = Number(draft.duration);
  if (draft.duration.trim() && Number.isFinite(minutes)) fields.duration_min = Math.round(minutes);
  return fields;
}

/** The metadata inputs; `prefix` keeps ids unique when several forms are on a page. */
export function metadataFields(draft: MetadataDraft, prefix: string, titleHint: MessageKey = 'lib.pub.titleHint'): TemplateResult {
  const bind = (key: keyof MetadataDraft) => (ev: Event) => {
    (draft as unknown as Record<string, string>)[key] = (ev.target as HTMLInputElement).value;
  };
  return html`<div class="fr-input-group">
      <label class="fr-label" for="${prefix}-title">${t('lib.pub.title')}<span class="fr-hint-text">${t(titleHint)}</span></label>
      <input class="fr-input" id="${prefix}-title" data-testid="${prefix}-title" maxlength="200" .value=${draft.title} @input=${bind('title')}>
    </div>
    <div class="fr-input-group">
      <label class="fr-label" for="${prefix}-description">${t('lib.pub.description')}</label>
      <textarea class="fr-input" id="${prefix}-description" data-testid="${prefix}-description" maxlength="2000" rows="3" .value=${draft.description} @input=${bind('description')}></textarea>
    </div>
    <div class="fr-grid-row fr-grid-row--gutters">
      <div class="fr-col-12 fr-col-md-6 fr-input-group">
        <label class="fr-label" for="${prefix}-disciplines">${t('lib.pub.disciplines')}<span class="fr-hint-text">${t('lib.pub.listHint', { n: 5 })}</span></label>
        <input class="fr-input" id="${prefix}-disciplines" data-testid="${prefix}-disciplines" .value=${draft.disciplines} @input=${bind('disciplines')}>
      </div>
      <div class="fr-col-12 fr-col-md-6 fr-input-group">
        <label class="fr-label" for="${prefix}-level">${t('lib.pub.level')}<span class="fr-hint-text">${t('lib.pub.levelHint')}</span></label>
        <input class="fr-input" id="${prefix}-level" data-testid="${prefix}-level" maxlength="60" .value=${draft.level} @input=${bind('level')}>
      </div>
      <div class="fr-col-12 fr-col-md-6 fr-input-group">
        <label class="fr-label" for="${prefix}-duration">${t('lib.pub.duration')}<span class="fr-hint-text">${t('lib.pub.durationHint')}</span></label>
        <input class="fr-input" type="number" min="1" max="600" id="${prefix}-duration" data-testid="${prefix}-duration" .value=${draft.duration} @input=${bind('duration')}>
      </div>
      <div class="fr-col-12 fr-col-md-6 fr-input-group">
        <label class="fr-label" for="${prefix}-tags">${t('lib.pub.tags')}<span class="fr-hint-text">${t('lib.pub.listHint', { n: 10 })}</span></label>
        <input class="fr-input" id="${prefix}-tags" data-testid="${prefix}-tags" .value=${draft.tags} @input=${bind('tags')}>
      </div>
    </div>
    <fieldset class="fr-fieldset" aria-labelledby="${prefix}-licence-legend">
      <legend class="fr-fieldset__legend fr-text--regular" id="${prefix}-licence-legend">${t('lib.pub.licence')}</legend>
      ${(['etalab-2.0', 'cc-by-sa-4.0'] as Licence[]).map((licence) => html`<div class="fr-fieldset__element"><div class="fr-radio-group">
        <input type="radio" id="${prefix}-licence-${licence}" name="${prefix}-licence" value="${licence}" data-testid="${prefix}-licence-${licence}"
          .checked=${draft.licence === licence} @change=${() => { draft.licence = licence; }}>
        <label class="fr-label" for="${prefix}-licence-${licence}">${licence === 'etalab-2.0' ? t('lib.licence.etalab') : t('lib.licence.ccbysa')}</label>
      </div></div>`)}
    </fieldset>`;
}

export function showPublish(ctx: LibraryContext, root: HTMLElement): LibraryPage {
  const national = ctx.claims?.role === 'national';
  const draft = emptyDraft();
  let sources: Source[] | null = null;
  let source = new URLSearchParams(location.search).get('source') ?? '';
  let scope: 'academie' | 'national' = 'academie';
  let status = '';
  let problem = '';
  let busy = false;
  let disposed = false;

  function draw(): void {
    if (disposed) return;
    const form = sources === null ? nothing : sources.length === 0
      ? html`<p class="fr-text--sm" data-testid="pub-no-source">${t('lib.pub.noSource')}</p>`
      : html`<form data-testid="pub-form" @submit=${(ev: Event) => { ev.preventDefault(); void publish(); }}>
        <div class="fr-select-group">
          <label class="fr-label" for="pub-source">${t('lib.pub.source')}<span class="fr-hint-text">${t('lib.pub.sourceHint')}</span></label>
          <select class="fr-select" id="pub-source" data-testid="pub-source" @change=${(ev: Event) => { source = (ev.target as HTMLSelectElement).value; }}>
            ${sources.map((s) => html`<option value="${s.id}" ?selected=${s.id === source}>${sourceLabel(s)}</option>`)}
          </select>
        </div>
        ${metadataFields(draft, 'pub')}
        <fieldset class="fr-fieldset" aria-labelledby="pub-scope-legend">
          <legend class="fr-fieldset__legend fr-text--regular" id="pub-scope-legend">${t('lib.pub.scope')}</legend>
          <div class="fr-fieldset__element"><div class="fr-radio-group">
            <input type="radio" id="pub-scope-academie" name="pub-scope" value="academie" data-testid="pub-scope-academie"
              .checked=${scope === 'academie'} @change=${() => { scope = 'academie'; }}>
            <label class="fr-label" for="pub-scope-academie">${t('lib.pub.scopeAcademie', { academie: ctx.claims?.tenant ?? '' })}</label>
          </div></div>
          ${national ? html`<div class="fr-fieldset__element"><div class="fr-radio-group">
            <input type="radio" id="pub-scope-national" name="pub-scope" value="national" data-testid="pub-scope-national"
              .checked=${scope === 'national'} @change=${() => { scope = 'national'; }}>
            <label class="fr-label" for="pub-scope-national">${t('lib.pub.scopeNational')}</label>
          </div></div>` : nothing}
        </fieldset>
        <button class="fr-btn fr-icon-upload-2-line fr-btn--icon-left" type="submit" data-testid="pub-submit" ?disabled=${busy}>${t('lib.pub.submit')}</button>
      </form>`;
    render(html`<h1 tabindex="-1">${t('lib.pub.pageTitle')}</h1>${ctx.nav}
      <p>${t('lib.pub.intro')}</p>
      ${form}
      <p role="status" class="fr-text--sm" data-testid="lib-status">${status}</p>
      ${problem ? html`<p class="fr-error-text" role="alert" data-testid="lib-problem">${problem}</p>` : nothing}`, root);
  }

  async function load(): Promise<void> {
    status = t('lib.loading');
    draw();
    try {
      sources = await mySources(ctx);
      if (!sources.some((s) => s.id === source)) source = sources[0]?.id ?? '';
      status = '';
    } catch (e) {
      status = '';
      problem = problemText(e);
    }
    draw();
  }

  async function publish(): Promise<void> {
    const chosen = sources?.find((s) => s.id === source);
    if (!chosen) return;
    busy = true;
    problem = '';
    status = t('lib.pub.publishing');
    draw();
    try {
      const item = await publishItem(ctx.token, { kind: chosen.kind, source: chosen.id, scope, ...draftFields(draft) }, ctx.fetchImpl);
      ctx.app.announce(t('lib.pub.published', { title: item.title }));
      ctx.go(itemPath(item.id));
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
