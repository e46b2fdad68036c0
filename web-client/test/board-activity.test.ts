// @vitest-environment happy-dom
// The trainer's activity log: each entry in words, and the panel that loads
// the newest page when opened, then older pages below it.

import { beforeEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { activityText, type ActivityEntry } from '../src/board-activity';
import { boardActivityPanel } from '../src/views/board-activity-panel';

const entry = (over: Partial<ActivityEntry>): ActivityEntry => ({
  position: 1, at: 1_790_000_000_000, member: 'm1', member_name: 'Camille', role: 'participant', action: 'post', ...over,
});

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
});

describe('the activity log', () => {
  it('says each action in words', () => {
    expect(activityText(entry({ action: 'rate', stars: 4 }))).toBe('a noté 4 sur 5');
    expect(activityText(entry({ action: 'switch', contribution: 'links', on: false }))).toBe('a désactivé\u00a0: liens et vidéos');
    expect(activityText(entry({ action: 'set_reactions', reactions: 'stars' }))).toBe('a choisi les réactions\u00a0: notes de 1 à 5 étoiles');
    expect(activityText(entry({ action: 'brand_new' }))).toBe('brand_new');
    setLang('en');
    expect(activityText(entry({ action: 'move' }))).toBe('moved');
  });

  it('loads the newest page once opened, then older ones below, and says a failure', async () => {
    const asked: string[] = [];
    const pages: Record<string, unknown> = {
      '/api/v1/boards/r1/activity': { entries: [entry({ position: 9, action: 'comment', text: 'Oui', post: 'p1', post_title: 'Idée' })], next: 9 },
      '/api/v1/boards/r1/activity?before=9': { entries: [entry({ position: 3, post: 'p1', post_title: 'Idée' })], next: null },
    };
    const fakeFetch = (async (url: string) => {
      asked.push(url);
      const page = pages[url];
      return page ? new Response(JSON.stringify(page), { status: 200, headers: { 'Content-Type': 'application/json' } })
        : new Response(JSON.stringify({ code: 'forbidden', message: 'no' }), { status: 403, headers: { 'Content-Type': 'application/json' } });
    }) as typeof fetch;
    const panel = boardActivityPanel('r1', () => 'token', fakeFetch);
    document.body.append(panel.root);
    expect(asked).toEqual([]);
    (panel.root as HTMLDetailsElement).open = true;
    panel.root.dispatchEvent(new Event('toggle'));
    await new Promise((r) => setTimeout(r, 10));
    const rows = () => [...panel.root.querySelectorAll('[data-testid="activity-entry"]')].map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toMatch(/Camille a commenté « Oui » Idée$/);
    panel.root.querySelector<HTMLButtonElement>('[data-testid="activity-more"]')!.click();
    await new Promise((r) => setTimeout(r, 10));
    expect(rows()).toHaveLength(2);
    expect(rows()[1]).toMatch(/Camille a publié Idée$/);
    expect(panel.root.querySelector('[data-testid="activity-more"]')).toBeNull();
    expect(panel.root.querySelector('[data-testid="activity-status"]')!.textContent).toBe('2 entrées affichées');
    delete pages['/api/v1/boards/r1/activity'];
    panel.root.querySelector<HTMLButtonElement>('[data-testid="activity-refresh"]')!.click();
    await new Promise((r) => setTimeout(r, 10));
    expect(panel.root.querySelector('[data-testid="activity-status"]')!.textContent).toMatch(/^Le journal n’a pas pu être chargé/);
    panel.dispose();
  });
});
