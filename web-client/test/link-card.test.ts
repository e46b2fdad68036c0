// @vitest-environment happy-dom
// Link cards in the post form and on the card: the form asks for the card
// once the link stays still (or on change), shows it, sends it with the
// post, drops it when the link changes or when removed, drops a late answer
// for an older link, says why there is none; a post with a card shows its
// title as the link, its site, description and image.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api';
import { buildContent } from '../src/board-format';
import type { LinkPreview, PostContent } from '../src/board-protocol';
import { setLang } from '../src/i18n';
import { LINK_PREVIEW_DELAY_MS, postComposer } from '../src/views/board-composer';
import { html, render } from 'lit-html';
import { linkCardTemplate } from '../src/views/board-composer';

const CARD: LinkPreview = { title: 'Le cycle de l’eau', description: 'Une séquence pour le cycle 3.', site: 'Éduscol', image: 'b'.repeat(64) };

function form(linkPreview: (url: string) => Promise<LinkPreview>) {
  const sent: PostContent[] = [];
  const asked: string[] = [];
  const composer = postComposer({
    submitLabel: 'board.form.submit',
    legend: 'Nouveau message',
    uploads: { upload: () => Promise.reject(new Error('no uploads here')), linkPreview: (url) => { asked.push(url); return linkPreview(url); } },
    submit: async (content) => { sent.push(content); return true; },
  });
  document.body.append(composer.root);
  const input = composer.root.querySelector<HTMLInputElement>('[data-testid="post-link-input"]')!;
  const type = (value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };
  const submit = () => composer.root.dispatchEvent(new Event('submit', { cancelable: true }));
  const status = () => composer.root.querySelector('[data-testid="link-card-status"]')!.textContent;
  const shown = () => composer.root.querySelector('[data-testid="link-card-draft"] [data-testid="link-card"]');
  return { composer, input, type, submit, sent, asked, status, shown };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('the post form’s link card', () => {
  it('is asked once the link stays still, shown, and sent with the post', async () => {
    const f = form(async () => CARD);
    f.type('https://eduscol.education.fr/cycle-eau');
    await vi.advanceTimersByTimeAsync(LINK_PREVIEW_DELAY_MS - 100);
    expect(f.asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    await settle();
    expect(f.asked).toEqual(['https://eduscol.education.fr/cycle-eau']);
    expect(f.status()).toBe('Aperçu du lien ajouté au message.');
    expect(f.shown()!.textContent).toMatch(/Éduscol.*Le cycle de l’eau.*Une séquence pour le cycle 3\./s);
    f.submit();
    await settle();
    expect(f.sent[0].link).toBe('https://eduscol.education.fr/cycle-eau');
    expect(f.sent[0].link_preview).toEqual(CARD);
  });

  it('is dropped when the link changes or is removed, and a late answer for an older link is ignored', async () => {
    let answer: (card: LinkPreview) => void = () => {};
    const f = form((url) => url.endsWith('/a') ? new Promise((resolve) => { answer = resolve; }) : Promise.resolve({ ...CARD, title: 'B' }));
    f.type('https://example.org/a');
    await vi.advanceTimersByTimeAsync(LINK_PREVIEW_DELAY_MS);
    expect(f.status()).toBe('Lecture de la page du lien…');
    f.type('https://example.org/b');
    await vi.advanceTimersByTimeAsync(LINK_PREVIEW_DELAY_MS);
    await settle();
    answer(CARD);
    await settle();
    expect(f.shown()!.textContent).toContain('B');
    expect(f.shown()!.textContent).not.toContain('Le cycle');
    // Removed: the post goes without it.
    f.composer.root.querySelector<HTMLButtonElement>('[data-testid="link-card-remove"]')!.click();
    expect(f.shown()).toBeNull();
    expect(f.status()).toBe('Aperçu retiré\u00a0: le lien sera publié tel quel.');
    f.submit();
    await settle();
    expect(f.sent[0].link_preview).toBeUndefined();
  });

  it('says why there is none, and the link is posted as it is', async () => {
    const f = form(() => Promise.reject(new ApiError(403, 'link_refused', 'private')));
    f.input.value = 'http://intranet.local/';
    f.input.dispatchEvent(new Event('change'));
    await settle();
    expect(f.status()).toMatch(/^Pas d’aperçu \(Pas d’aperçu pour ce lien\u00a0: le serveur ne consulte que les sites publics\.\)/);
    expect(f.shown()).toBeNull();
    f.submit();
    await settle();
    expect(f.sent[0]).toMatchObject({ link: 'http://intranet.local/' });
    expect(f.sent[0].link_preview).toBeUndefined();
  });

  it('is not asked for what is not a web link', async () => {
    const f = form(async () => CARD);
    f.type('javascript:alert(1)');
    await vi.advanceTimersByTimeAsync(LINK_PREVIEW_DELAY_MS * 2);
    expect(f.asked).toEqual([]);
  });
});

describe('a card on the board', () => {
  it('shows the title as the link, the site, the description and a decorative image', () => {
    const root = document.createElement('div');
    render(html`${linkCardTemplate(CARD, 'https://eduscol.education.fr/')}`, root);
    const link = root.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://eduscol.education.fr/');
    expect(link.textContent).toBe('Le cycle de l’eau');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(root.querySelector('img')!.getAttribute('alt')).toBe('');
    expect(root.textContent).toContain('Une séquence pour le cycle 3.');
  });

  it('is sent only with its link', () => {
    const built = buildContent({ title: '', text: 'x', link: '', video: '', image: null, file: null, linkPreview: CARD });
    expect('content' in built && built.content.link_preview).toBeFalsy();
  });
});
