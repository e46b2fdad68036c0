// The shared library's pages (`/bibliotheque…`): the search, an item's
// preview, publishing, the author's items, the copies made and their
// updates, and moderation. This file routes between them and holds what
// they share: the leader's token, the library's own navigation, the item
// cards' metadata and error texts. Each page is in a file of its own
// (library-search.ts, library-item.ts, library-publish.ts, library-mine.ts,
// library-copies.ts), all in the one chunk app.ts fetches for these paths.

// The DSFR's cards, for the search results: with these pages only.
import '../i18n-pages';
import '@gouvfr/dsfr/dist/component/card/card.main.min.css';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import type { App } from '../app';
import { ApiError } from '../api';
import { errorText, formatNumber, lang, t, type MessageKey } from '../i18n';
import type { LibraryChanges, LibraryItem, LibraryKind } from '../library-api';
import { rememberedLeaderToken } from '../leader-token';
import { loadTrainerToken } from '../session';
import { tokenClaims, type TokenClaims } from '../token';
import { showCopies } from './library-copies';
import { showItem } from './library-item';
import { showMine } from './library-mine';
import { showPublish } from './library-publish';
import { showSearch } from './library-search';

export const LIBRARY_PATH = '/bibliotheque';
export const LIBRARY_PUBLISH_PATH = '/bibliotheque/publier';
export const LIBRARY_MINE_PATH = '/bibliotheque/mes-publications';
export const LIBRARY_COPIES_PATH = '/bibliotheque/mes-copies';
export const LIBRARY_MODERATION_PATH = '/bibliotheque/moderation';
const ITEM_PATH = /^\/bibliotheque\/element\/([0-9a-fA-F-]{36})\/?$/;

export function itemPath(id: string): string {
  return `${LIBRARY_PATH}/element/${id}`;
}

/** Whether a path is one of the library's pages. */
export function isLibraryPath(path: string): boolean {
  return path === LIBRARY_PATH || path.startsWith(`${LIBRARY_PATH}/`);
}

/** What every page of the library is given. */
export interface LibraryContext {
  app: App;
  token: string;
  claims: TokenClaims | null;
  fetchImpl: typeof fetch;
  /** The library's navigation, each page puts it under its h1. */
  nav: TemplateResult | typeof nothing;
  /** Goes to another page of the app. */
  go(path: string): void;
}

/** A mounted page: its content is drawn into `root` by the page itself. */
export interface LibraryPage {
  dispose?(): void;
}

export const KIND_LABEL: Record<LibraryKind, MessageKey> = {
  quiz: 'lib.kind.quiz',
  board: 'lib.kind.board',
  plan: 'lib.kind.plan',
};

/** Whether the bearer moderates (an académie's admin, the national role). */
export function moderates(claims: TokenClaims | null): boolean {
  return claims?.role === 'admin' || claims?.role === 'national';
}

/** A day and time as people read them. */
export function dateLabel(ms: number): string {
  return new Intl.DateTimeFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric' }).format(ms);
}

export function licenceLabel(licence: string): string {
  return licence === 'cc-by-sa-4.0' ? t('lib.licence.ccbysa') : t('lib.licence.etalab');
}

/** The message for a failed call. */
export function problemText(e: unknown): string {
  return e instanceof ApiError && e.code !== 'network' ? errorText(e.code) : t('home.unreachable');
}

/** A link inside the app (navigates without reloading). */
export function appLink(ctx: LibraryContext, path: string, text: string, extra: Record<string, string> = {}): TemplateResult {
  return html`<a class="fr-link ${extra.class ?? ''}" href="${path}" data-testid="${extra.testid ?? nothing}"
    @click=${(ev: Event) => { ev.preventDefault(); ctx.go(path); }}>${text}</a>`;
}

/** The badges and facts of an item: kind, scope, académie, author, level, duration, licence, version. */
export function itemFacts(item: LibraryItem): TemplateResult {
  const facts = [
    item.scope === 'national' ? t('lib.scope.national') : t('lib.academieOf', { academie: item.academie }),
    item.author_name ? t('lib.by', { name: item.author_name }) : '',
    item.level,
    item.duration_min ? t('lib.minutes', { n: formatNumber(item.duration_min) }) : '',
    licenceLabel(item.licence),
    t('lib.versionOf', { version: item.version, date: dateLabel(item.updated_at) }),
  ].filter(Boolean);
  return html`<ul class="fr-badges-group fr-mb-1w">
      <li><p class="fr-badge fr-badge--sm fr-badge--blue-ecume">${t(KIND_LABEL[item.kind])}</p></li>
      ${item.scope === 'national' ? html`<li><p class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">${t('lib.scope.nationalShort')}</p></li>` : nothing}
      ${item.withdrawn ? html`<li><p class="fr-badge fr-badge--sm fr-badge--warning fr-badge--no-icon">${t('lib.withdrawn')}</p></li>` : nothing}
    </ul>
    <p class="fr-text--sm fr-mb-1w amphi-muted">${facts.join(' · ')}</p>
    ${item.disciplines.length || item.tags.length ? html`<ul class="fr-tags-group fr-mb-1w">
      ${item.disciplines.map((d) => html`<li><p class="fr-tag fr-tag--sm">${d}</p></li>`)}
      ${item.tags.map((tag) => html`<li><p class="fr-tag fr-tag--sm amphi-tag--plain">#${tag}</p></li>`)}
    </ul>` : nothing}`;
}

function entries(title: MessageKey, list: { label: string | null }[], testid: string): TemplateResult | typeof nothing {
  if (list.length === 0) return nothing;
  return html`<li data-testid="${testid}">${t(title, { n: list.length })}\u00a0: ${list.map((e) => e.label ?? '—').join(', ')}</li>`;
}

/** What changed between two versions: the parts added, removed and edited, the metadata, the note. */
export function changesList(changes: LibraryChanges): TemplateResult {
  const parts = changes.questions ?? changes.ateliers ?? changes.sections;
  const what: Record<string, MessageKey> = changes.questions
    ? { added: 'lib.changes.questionsAdded', removed: 'lib.changes.questionsRemoved', edited: 'lib.changes.questionsEdited' }
    : changes.ateliers
      ? { added: 'lib.changes.ateliersAdded', removed: 'lib.changes.ateliersRemoved', edited: 'lib.changes.ateliersEdited' }
      : { added: 'lib.changes.sectionsAdded', removed: 'lib.changes.sectionsRemoved', edited: 'lib.changes.sectionsEdited' };
  const posts = changes.posts;
  const metadata = changes.metadata.map((field) => t(`lib.field.${field}` as MessageKey));
  const none = !parts?.added.length && !parts?.removed.length && !parts?.edited.length && !posts?.added.length
    && !posts?.removed.length && !posts?.edited.length && metadata.length === 0 && !changes.settings_changed;
  return html`<ul class="fr-text--sm fr-mb-1w" data-testid="copy-changes">
    ${parts ? entries(what.added, parts.added, 'changes-added') : nothing}
    ${parts ? entries(what.removed, parts.removed, 'changes-removed') : nothing}
    ${parts ? entries(what.edited, parts.edited, 'changes-edited') : nothing}
    ${posts ? entries('lib.changes.postsAdded', posts.added, 'changes-posts-added') : nothing}
    ${posts ? entries('lib.changes.postsRemoved', posts.removed, 'changes-posts-removed') : nothing}
    ${posts ? entries('lib.changes.postsEdited', posts.edited, 'changes-posts-edited') : nothing}
    ${changes.settings_changed ? html`<li>${t('lib.changes.settings')}</li>` : nothing}
    ${metadata.length ? html`<li data-testid="changes-metadata">${t('lib.changes.metadata')}\u00a0: ${metadata.join(', ')}</li>` : nothing}
    ${none ? html`<li>${t('lib.changes.none')}</li>` : nothing}
    ${changes.note ? html`<li data-testid="changes-note">${t('lib.changes.note')}\u00a0: «\u00a0${changes.note}\u00a0»</li>` : nothing}
  </ul>`;
}

/** The library's own navigation (search, publish, my items, my copies, moderation). */
function libraryNav(ctx: LibraryContext, path: string): TemplateResult {
  const links: [string, MessageKey, string][] = [
    [LIBRARY_PATH, 'lib.nav.search', 'lib-nav-search'],
    [LIBRARY_PUBLISH_PATH, 'lib.nav.publish', 'lib-nav-publish'],
    [LIBRARY_MINE_PATH, 'lib.nav.mine', 'lib-nav-mine'],
    [LIBRARY_COPIES_PATH, 'lib.nav.copies', 'lib-nav-copies'],
  ];
  if (moderates(ctx.claims)) links.push([LIBRARY_MODERATION_PATH, 'lib.nav.moderation', 'lib-nav-moderation']);
  return html`<nav class="fr-mb-3w amphi-lib-nav" aria-label="${t('lib.nav.label')}">
    <ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--sm">
      ${links.map(([to, key, testid]) => html`<li><a class="fr-btn fr-btn--sm ${to === path ? '' : 'fr-btn--secondary'}" href="${to}"
        data-testid="${testid}" aria-current="${to === path ? 'page' : nothing}"
        @click=${(ev: Event) => { ev.preventDefault(); ctx.go(to); }}>${t(key)}</a></li>`)}
    </ul>
  </nav>`;
}

/** The page for `path` (an unknown one of the library's: the search). */
export function renderLibrary(app: App, path: string, fetchImpl: typeof fetch = fetch): { root: HTMLElement; dispose(): void } {
  const root = document.createElement('div');
  root.className = 'amphi-library';
  const token = rememberedLeaderToken(app.local, Date.now()) || loadTrainerToken(app.store);
  const claims = tokenClaims(token);
  const ctx: LibraryContext = { app, token, claims, fetchImpl, nav: nothing, go: (to) => app.navigate(to) };
  const body = document.createElement('div');
  root.append(body);
  const item = ITEM_PATH.exec(path);
  const known = [LIBRARY_PATH, LIBRARY_PUBLISH_PATH, LIBRARY_MINE_PATH, LIBRARY_COPIES_PATH, LIBRARY_MODERATION_PATH];
  const page = item ? item[1] : known.includes(path) ? path : LIBRARY_PATH;
  if (token) ctx.nav = libraryNav(ctx, page);
  let mounted: LibraryPage = {};
  if (!token) {
    render(html`<h1 tabindex="-1">${t('lib.title')}</h1>
      <p class="fr-error-text" role="alert" data-testid="lib-no-token">${t('lib.noToken')}</p>`, body);
  } else if (item) {
    mounted = showItem(ctx, body, item[1]);
  } else if (page === LIBRARY_PUBLISH_PATH) {
    mounted = showPublish(ctx, body);
  } else if (page === LIBRARY_MINE_PATH) {
    mounted = showMine(ctx, body);
  } else if (page === LIBRARY_COPIES_PATH) {
    mounted = showCopies(ctx, body);
  } else {
    mounted = showSearch(ctx, body, page === LIBRARY_MODERATION_PATH);
  }
  return { root, dispose() { mounted.dispose?.(); } };
}
