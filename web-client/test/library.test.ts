// @vitest-environment happy-dom
// The shared library's pages: the search read from and written to the
// address, the item preview (right answers for leaders, a note for those the
// server refuses the content), "what changed", the publication's fields,
// and which navigation a role gets.

import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import type { LibraryItem } from '../src/library-api';
import { setLang } from '../src/i18n';
import { MemoryStore } from '../src/storage';
import { changesList, renderLibrary } from '../src/views/library';
import { rightAnswer } from '../src/views/library-item';
import { draftFields, emptyDraft } from '../src/views/library-publish';
import { searchFromAddress } from '../src/views/library-search';
import { render } from 'lit-html';
import { jwt } from './jwt';

const trainer = jwt({ sub: 't-1', name: 'Mme Durand', tenant: 'ac-lyon', role: 'trainer', exp: 4_000_000_000 });
const admin = jwt({ sub: 'a-1', name: 'Admin', tenant: 'ac-lyon', role: 'admin', exp: 4_000_000_000 });

const ITEM: LibraryItem = {
  id: '6f1c1f9e-2b7a-4c1e-9d43-2f6f3c2b8a10', kind: 'quiz', scope: 'academie', academie: 'ac-lyon',
  author_name: 'Mme Durand', mine: false, can_withdraw: false, title: 'La loi d’Ohm', description: 'Deux questions',
  disciplines: ['Physique-chimie'], level: 'Cycle 4', duration_min: 15, tags: ['circuits'], licence: 'cc-by-sa-4.0',
  version: 1, published_at: Date.UTC(2026, 2, 1), updated_at: Date.UTC(2026, 2, 1), withdrawn: false, withdrawn_at: null,
};

const CONTENT = {
  item: ITEM.id, kind: 'quiz', version: 1, note: '', published_at: 0,
  content: { quiz: { title: 'Q', questions: [
    { id: 'q1', type: 'single_choice', prompt: 'Unité ?', choices: [{ id: 'c1', text: 'L’ohm', correct: true }, { id: 'c2', text: 'Le volt' }] },
    { id: 'q2', type: 'true_false', prompt: 'U = RI ?', answer: true },
  ] } },
};

function fakeApp(token: string): App {
  const local = new MemoryStore();
  const store = new MemoryStore();
  store.setItem('amphi.trainerToken', JSON.stringify(token));
  return { store, local, client: null, announce: () => {}, navigate: () => {}, joinWithToken: async () => null } as unknown as App;
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

afterEach(() => {
  document.body.replaceChildren();
  history.replaceState(null, '', '/');
  setLang('fr');
});

describe('library pages', () => {
  it('reads the search from the address, ignoring what is not a filter value', () => {
    expect(searchFromAddress('?q=ohm&kind=quiz&scope=national&since_days=30&discipline=SVT')).toEqual({
      q: 'ohm', discipline: 'SVT', level: '', kind: 'quiz', academie: '', scope: 'national', since_days: 30,
    });
    expect(searchFromAddress('?kind=lobby&scope=world&since_days=-3')).toMatchObject({ kind: '', scope: '', since_days: 0 });
  });

  it('searches with the filters and lists the results; an admin gets the moderation link', async () => {
    history.replaceState(null, '', '/bibliotheque?q=electricite&kind=quiz');
    const { fetch, urls } = fakeFetch(() => [200, { items: [ITEM], next_cursor: null }]);
    const page = renderLibrary(fakeApp(trainer), '/bibliotheque', fetch);
    document.body.append(page.root);
    await flush();
    expect(urls[0]).toBe('/api/v1/library/items?q=electricite&kind=quiz');
    expect(page.root.querySelector('h1')?.textContent).toBe('Bibliothèque partagée');
    expect(page.root.querySelectorAll('[data-testid="lib-result"]')).toHaveLength(1);
    expect(page.root.querySelector('[data-testid="lib-status"]')?.textContent).toBe('1\u00a0résultat.');
    expect(page.root.querySelector('[data-testid="lib-nav-moderation"]')).toBeNull();
    expect(page.root.querySelector('[data-testid="lib-nav-search"]')?.getAttribute('aria-current')).toBe('page');
    const asAdmin = renderLibrary(fakeApp(admin), '/bibliotheque', fetch);
    expect(asAdmin.root.querySelector('[data-testid="lib-nav-moderation"]')).not.toBeNull();
  });

  it('previews the questions with their right answers, or says the content is for trainers', async () => {
    const { fetch } = fakeFetch((url) => [200, url.endsWith('/content') ? CONTENT : ITEM]);
    const page = renderLibrary(fakeApp(trainer), `/bibliotheque/element/${ITEM.id}`, fetch);
    document.body.append(page.root);
    await flush();
    expect(page.root.querySelector('h1')?.textContent).toBe('La loi d’Ohm');
    expect(page.root.querySelectorAll('[data-testid="lib-question"]')).toHaveLength(2);
    expect(page.root.querySelectorAll('[data-testid="lib-right"]')).toHaveLength(1);
    expect(page.root.querySelector('[data-testid="lib-answer"]')?.textContent).toBe('Réponse attendue\u00a0: Vrai');
    expect(page.root.querySelector('[data-testid="lib-copy"]')).not.toBeNull();
    expect(page.root.querySelector('[data-testid="lib-withdraw"]')).toBeNull();

    const refused = fakeFetch((url) => (url.endsWith('/content') ? [403, { code: 'forbidden', message: 'no' }] : [200, ITEM]));
    const other = renderLibrary(fakeApp(trainer), `/bibliotheque/element/${ITEM.id}`, refused.fetch);
    await flush();
    expect(other.root.querySelector('[data-testid="lib-content-note"]')?.textContent).toMatch(/visibles que des formateurs/);
  });

  it('says what changed between versions', () => {
    const root = document.createElement('div');
    render(changesList({
      from_version: 1, to_version: 2, note: 'Une question de plus', metadata: ['title'], content_changed: true, settings_changed: false,
      questions: { added: [{ id: 'q3', label: 'Intensité ?' }], removed: [], edited: [{ id: 'q1', label: 'Unité ?' }] },
    }), root);
    const text = root.textContent?.replace(/[ \t\n]+/g, ' ') ?? '';
    expect(text).toContain('Questions ajoutées (1)\u00a0: Intensité ?');
    expect(text).toContain('Questions modifiées (1)\u00a0: Unité ?');
    expect(text).not.toContain('retirées');
    expect(text).toContain('Informations modifiées\u00a0: titre');
    expect(text).toContain('«\u00a0Une question de plus\u00a0»');
  });

  it('turns the form into the API’s fields and reads right answers of every kind', () => {
    const draft = { ...emptyDraft(), title: '  ', disciplines: 'Maths, SVT ;, ', tags: 'a', duration: '20', licence: 'cc-by-sa-4.0' as const };
    expect(draftFields(draft)).toEqual({ description: '', disciplines: ['Maths', 'SVT'], level: '', tags: ['a'], licence: 'cc-by-sa-4.0', duration_min: 20 });
    expect(rightAnswer({ type: 'short_text', accepted: ['Paris', 'paris'] })).toBe('Paris / paris');
    expect(rightAnswer({ type: 'ordering', items: ['a', 'b'] })).toBe('a > b');
    expect(rightAnswer({ type: 'numeric', answers: [{ accepts: { value: 3, tolerance: 0.5 } }] })).toBe('3 ± 0,5');
    expect(rightAnswer({ type: 'word_cloud' })).toBe('');
  });

  it('asks for a token when none is known', () => {
    const app = { store: new MemoryStore(), local: new MemoryStore(), announce: () => {}, navigate: () => {} } as unknown as App;
    const page = renderLibrary(app, '/bibliotheque');
    expect(page.root.querySelector('[data-testid="lib-no-token"]')).not.toBeNull();
  });
});
