// @vitest-environment happy-dom
// The badges' screens against a fake server (fetch): the awards a browser
// keeps (merged, newest first, the server's copy winning), their cards
// (state, files), "Badge obtenu" after the activity, the trainer's panel
// (counts, a revocation whose reason survives a refresh, the refusal of a
// rule in words, attaching with a template image where the browser cannot
// draw none) and the verifier's verdicts.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app';
import type { Award, Badge } from '../src/badges-api';
import type { AmphiClient } from '../src/client';
import { setLang } from '../src/i18n';
import { MemoryStore, type KeyValueStore } from '../src/storage';
import { awardState, keepAwards, keptAwards, mergeAwards, renderAwards } from '../src/views/badge-awards';
import { badgeEarned, CHECK_DELAYS_MS } from '../src/views/badge-earned';
import { wrapLines } from '../src/views/badge-image';
import { badgesPanel } from '../src/views/badge-panel';
import { renderAwardPage, renderBadgeVerify, verdictView } from '../src/views/badge-verify';
import { renderMyBadges } from '../src/views/my-badges';

const DAY = 86_400_000;
const award = (id: string, issued: number, more: Partial<Award> = {}): Award => ({
  id, badge: 'b1', badge_name: `Badge ${id}`, badge_description: 'Pour avoir terminé.', badge_image: null, activity: 'room-1',
  recipient: 'm1', recipient_name: 'Alice', issued_at: issued, expires_at: null, score: 1, max_score: 1, attended_minutes: 0,
  revoked_at: null, revocation_reason: null, credential: `/badges/credentials/${id}`,
  credential_jwt: `/badges/credentials/${id}/credential.jwt`, certificate_pdf: `/badges/credentials/${id}/certificate.pdf`, ...more,
});
const badge = (id: string, more: Partial<Badge> = {}): Badge => ({
  id, activity: 'room-1', series: [], name: `Réussite ${id}`, description: '', criteria: '', rule: 'complete', min_percent: null, valid_days: null,
  image: null, achievement: `/badges/achievements/${id}`, ...more,
});

/** A fake server: each route answers what `routes` says (a status and a body), and every call is recorded. */
function server(routes: Record<string, (init?: RequestInit) => [number, unknown]>): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const fake = async (url: RequestInfo | URL, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${String(url)}`;
    calls.push(key);
    const route = routes[key];
    const [status, body] = route ? route(init) : [404, { code: 'not_found', message: 'no route' }];
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fake as typeof fetch, calls };
}

function fakeApp(token = 'trainer-token'): { app: App; said: string[]; local: KeyValueStore } {
  const said: string[] = [];
  const store = new MemoryStore();
  store.setItem('amphi.trainerToken', JSON.stringify(token));
  const local = new MemoryStore();
  const app = { store, local, client: null, announce: (text: string) => said.push(text), navigate: () => {} } as unknown as App;
  return { app, said, local };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
});
afterEach(() => vi.useRealTimers());

describe('kept awards', () => {
  it('keeps the newest first, once each, the fresh copy replacing the old', () => {
    const store = new MemoryStore();
    keepAwards(store, [award('a', 1000)]);
    keepAwards(store, [award('b', 3000), award('a', 1000, { revoked_at: 2000 })]);
    expect(keptAwards(store).map((a) => a.id)).toEqual(['b', 'a']);
    expect(keptAwards(store)[1].revoked_at).toBe(2000);
    store.setItem('amphi.awards', '{"not":"a list"}');
    expect(keptAwards(store)).toEqual([]);
  });

  it('merges lists, the first copy winning', () => {
    const merged = mergeAwards([award('a', 1000, { revoked_at: 5 })], [award('a', 1000), award('c', 9000)]);
    expect(merged.map((a) => a.id)).toEqual(['c', 'a']);
    expect(merged[1].revoked_at).toBe(5);
  });

  it('says an award valid, expired or revoked', () => {
    expect(awardState(award('a', 0), DAY)).toBe('valid');
    expect(awardState(award('a', 0, { expires_at: DAY }), DAY)).toBe('expired');
    expect(awardState(award('a', 0, { expires_at: 2 * DAY, revoked_at: 1 }), DAY)).toBe('revoked');
  });
});

describe('award cards', () => {
  it('shows the badge, its state and its three files, and updates in place', () => {
    const root = document.createElement('div');
    renderAwards(root, [award('a', Date.UTC(2026, 11, 3, 8, 30), { expires_at: Date.UTC(2027, 11, 3) })], Date.UTC(2026, 11, 4));
    const card = root.querySelector<HTMLElement>('[data-award="a"]')!;
    expect(card.querySelector('h3')!.textContent).toBe('Badge a');
    expect(card.textContent).toContain('Valide');
    expect(card.textContent).toContain('valable jusqu’au');
    expect(card.querySelector<HTMLAnchorElement>('[data-testid="award-certificate"]')!.getAttribute('href')).toBe('/badges/credentials/a/certificate.pdf');
    expect(card.querySelector<HTMLAnchorElement>('[data-testid="award-credential"]')!.getAttribute('href')).toBe('/badges/credentials/a/credential.jwt');
    expect(card.querySelector('[data-testid="award-baked"]')).toBeNull();
    renderAwards(root, [award('a', 1, { open_badges_2: { assertion: '/badges/v2/assertions/a', baked_png: '/badges/credentials/a/badge.png' } })], 2);
    expect(card.querySelector<HTMLAnchorElement>('[data-testid="award-baked"]')!.getAttribute('href')).toBe('/badges/credentials/a/badge.png');
    renderAwards(root, [award('b', 5), award('a', 1, { revoked_at: 3, revocation_reason: 'Fraude' })], Date.UTC(2026, 11, 4));
    expect(root.querySelector('[data-award="a"]')).toBe(card);
    expect(card.querySelector('[data-testid="award-revoked"]')).not.toBeNull();
    expect(card.textContent).toContain('Motif\u00a0: Fraude');
  });
});

describe('badge earned', () => {
  it('asks until the award is there and no more, shows it once, announces it and keeps it', async () => {
    vi.useFakeTimers();
    let answers = 0;
    const { fetch, calls } = server({
      'GET /api/v1/me/badges?activity=room-1': () => [200, { awards: ++answers < 3 ? [] : [award('a', 1000)] }],
    });
    const { app, said, local } = fakeApp();
    const client = { bearerToken: 'guest-token' } as unknown as AmphiClient;
    const earned = badgeEarned(app, client, 'room-1', fetch);
    document.body.append(earned.root);
    expect(earned.root.hidden).toBe(true);
    earned.check();
    for (const delay of CHECK_DELAYS_MS) await vi.advanceTimersByTimeAsync(delay);
    expect(calls.length).toBe(3); // asked until the award was there, and no more
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.length).toBe(3);
    expect(earned.root.hidden).toBe(false);
    expect(earned.root.querySelector('h2')!.textContent).toBe('Badge obtenu');
    expect(said).toEqual(['Badge obtenu\u00a0: Badge a.']);
    expect(keptAwards(local).map((a) => a.id)).toEqual(['a']);
    earned.dispose();
  });
});

describe('my badges', () => {
  it('lists the server’s awards and the kept ones, and forgets the kept ones', async () => {
    const { fetch } = server({ 'GET /api/v1/me/badges': () => [200, { awards: [award('a', 2000)] }] });
    const { app, local } = fakeApp();
    keepAwards(local, [award('g', 1000)]);
    const page = renderMyBadges(app, fetch);
    document.body.append(page.root);
    await flush();
    expect([...page.root.querySelectorAll<HTMLElement>('[data-award]')].map((e) => e.dataset.award)).toEqual(['a', 'g']);
    expect(page.root.querySelector('[data-testid="my-badges-status"]')!.textContent).toBe('2 badges');
    page.root.querySelector<HTMLButtonElement>('[data-testid="forget-badges"]')!.click();
    await flush();
    expect([...page.root.querySelectorAll<HTMLElement>('[data-award]')].map((e) => e.dataset.award)).toEqual(['a']);
  });

  it('shows the kept awards when the guest’s session is over (its token refused)', async () => {
    const { fetch } = server({ 'GET /api/v1/me/badges': () => [401, { code: 'unauthorized', message: 'ended' }] });
    const { app, local } = fakeApp('ended-guest-token');
    keepAwards(local, [award('g', 1000)]);
    const page = renderMyBadges(app, fetch);
    await flush();
    expect(page.root.querySelectorAll('[data-award]')).toHaveLength(1);
    expect(page.root.querySelector('[data-testid="my-badges-status"]')!.textContent).toBe('1 badge');
  });
});

describe('the trainer’s badges panel', () => {
  it('lists the badges with their counts; a reason being typed survives a refresh; revoking reloads', async () => {
    let revoked = false;
    const awards = () => [award('a1', 1000, revoked ? { revoked_at: 2000, revocation_reason: 'Fraude' } : {}), award('a2', 2000, { recipient_name: 'Bob' })];
    const { fetch, calls } = server({
      'GET /api/v1/badges?activity=room-1': () => [200, { badges: [badge('b1')] }],
      'GET /api/v1/badges/b1/awards': () => [200, { awards: awards() }],
      'POST /api/v1/badges/awards/a1/revoke': (init) => {
        revoked = JSON.parse(String(init?.body)).reason === 'Fraude';
        return [200, {}];
      },
    });
    const { app } = fakeApp();
    const panel = badgesPanel(app, 'room-1', 'quiz', () => 'Quiz', fetch);
    document.body.append(panel.root);
    await flush();
    const item = panel.root.querySelector<HTMLElement>('[data-badge="b1"]')!;
    expect(item.querySelector('[data-testid="badge-count"]')!.textContent).toBe('2 lauréats');
    item.querySelector<HTMLButtonElement>('[data-testid="show-awards"]')!.click();
    expect(item.querySelectorAll('[data-testid="badge-award"]')).toHaveLength(2);
    item.querySelector<HTMLButtonElement>('[data-testid="revoke-award"]')!.click();
    const reason = item.querySelector<HTMLInputElement>('#reason-a1')!;
    expect(document.activeElement).toBe(reason);
    reason.value = 'Fraude';
    reason.dispatchEvent(new Event('input'));
    panel.refresh();
    await flush();
    expect(panel.root.querySelector('[data-badge="b1"]')).toBe(item);
    expect(item.querySelector<HTMLInputElement>('#reason-a1')!.value).toBe('Fraude');
    item.querySelector<HTMLButtonElement>('[data-testid="confirm-revoke"]')!.click();
    await flush();
    expect(calls).toContain('POST /api/v1/badges/awards/a1/revoke');
    expect(item.querySelector('#reason-a1')).toBeNull();
    expect(item.querySelector('[data-testid="badge-award"]')!.textContent).toContain('Révoqué');
    panel.dispose();
  });

  it('attaches a badge, and says in words why a rule is refused', async () => {
    let created = 0;
    const { fetch, calls } = server({
      'GET /api/v1/badges?activity=room-1': () => [200, { badges: created ? [badge('b9')] : [] }],
      'GET /api/v1/badges/b9/awards': () => [200, { awards: [] }],
      'POST /api/v1/badges': (init) => {
        const body = JSON.parse(String(init?.body));
        if (body.rule === 'passed') return [409, { code: 'invalid_state', message: 'no pass mark' }];
        created++;
        return [201, { ...badge('b9'), name: body.name, awarded_now: 3 }];
      },
    });
    const { app } = fakeApp();
    const panel = badgesPanel(app, 'room-1', 'quiz', () => 'Quiz', fetch);
    document.body.append(panel.root);
    await flush();
    expect(panel.root.querySelector('[data-testid="badges-none"]')).not.toBeNull();
    const form = panel.root.querySelector('form')!;
    const status = panel.root.querySelector('[data-testid="attach-status"]')!;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(status.textContent).toBe('Donnez un nom au badge.');
    panel.root.querySelector<HTMLInputElement>('[data-testid="badge-name"]')!.value = 'Réussite';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(status.textContent).toBe('Décrivez le badge en une phrase.');
    expect(document.activeElement).toBe(panel.root.querySelector('[data-testid="badge-description"]'));
    panel.root.querySelector<HTMLTextAreaElement>('[data-testid="badge-description"]')!.value = 'Pour avoir réussi.';
    panel.root.querySelector<HTMLTextAreaElement>('[data-testid="badge-criteria"]')!.value = 'Réussir le quiz.';
    const rule = panel.root.querySelector<HTMLSelectElement>('[data-testid="badge-rule"]')!;
    expect([...rule.options].map((o) => o.value)).toEqual(['complete', 'passed']);
    rule.value = 'passed';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await flush();
    expect(status.textContent).toContain('Ce quiz n’a pas de seuil de réussite');
    rule.value = 'complete';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await flush();
    expect(status.textContent).toBe('Badge «\u00a0Réussite\u00a0» attaché\u00a0: 3 participants l’ont déjà obtenu.');
    // happy-dom draws no canvas: no template image, no upload.
    expect(calls.some((c) => c.startsWith('PUT'))).toBe(false);
    expect(panel.root.querySelector('[data-badge="b9"]')).not.toBeNull();
    panel.dispose();
  });

  it('offers the trainer’s other activities for a series and sends the ones ticked', async () => {
    let sent: { series?: string[] } = {};
    const { fetch } = server({
      'GET /api/v1/badges?activity=room-1': () => [200, { badges: [] }],
      'GET /api/v1/rooms?mine=1': () => [200, { rooms: [
        { id: 'room-1', kind: 'quiz', title: 'Module 1' },
        { id: 'room-2', kind: 'quiz', title: 'Module 2' },
        { id: 'lobby', kind: 'lobby', title: 'Accueil' },
        { id: 'room-3', kind: 'board', title: 'Module 3' },
      ] }],
      'POST /api/v1/badges': (init) => {
        sent = JSON.parse(String(init?.body));
        return [201, { ...badge('b1'), series: ['room-1', ...(sent.series ?? [])] }];
      },
    });
    const { app } = fakeApp();
    const panel = badgesPanel(app, 'room-1', 'quiz', () => 'Module 1', fetch);
    document.body.append(panel.root);
    const details = panel.root.querySelector<HTMLDetailsElement>('[data-testid="attach-form"]')!;
    details.open = true;
    details.dispatchEvent(new Event('toggle'));
    await flush();
    const boxes = [...panel.root.querySelectorAll<HTMLInputElement>('[data-testid="badge-series-room"]')];
    expect(boxes.map((b) => b.labels?.[0]?.textContent)).toEqual(['Module 2', 'Module 3']);
    boxes[1].checked = true;
    panel.root.querySelector<HTMLInputElement>('[data-testid="badge-name"]')!.value = 'Parcours';
    panel.root.querySelector<HTMLTextAreaElement>('[data-testid="badge-description"]')!.value = 'Trois modules.';
    panel.root.querySelector<HTMLTextAreaElement>('[data-testid="badge-criteria"]')!.value = 'Les terminer.';
    panel.root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await flush();
    expect(sent.series).toEqual(['room-3']);
    expect(boxes[1].checked).toBe(false);
    panel.dispose();
  });

  it('offers attendance with its share for ateliers only', () => {
    const { app } = fakeApp();
    const { fetch } = server({ 'GET /api/v1/badges?activity=room-1': () => [200, { badges: [] }] });
    const panel = badgesPanel(app, 'room-1', 'breakout', () => 'Ateliers', fetch);
    const rule = panel.root.querySelector<HTMLSelectElement>('[data-testid="badge-rule"]')!;
    const percent = panel.root.querySelector<HTMLInputElement>('[data-testid="badge-percent"]')!.closest<HTMLElement>('.fr-input-group')!;
    expect(percent.hidden).toBe(true);
    rule.value = 'attendance';
    rule.dispatchEvent(new Event('change'));
    expect(percent.hidden).toBe(false);
    panel.dispose();
  });
});

describe('verification', () => {
  it('says each verdict in words, with what the credential says', () => {
    const valid = verdictView({
      verdict: 'valid', valid: true, reason: 'signed by its issuer',
      credential: { issuer: { name: 'Académie de test' }, validFrom: '2026-12-03T08:30:00Z', credentialSubject: { achievement: { name: 'Réussite' } } },
      award: { recipient_name: 'Alice', issued_at: 0, expires_at: null, badge_description: '', badge_image: null, revoked_at: null, revocation_reason: null },
      certificate_pdf: '/x.pdf', credential_jwt: '/x.jwt',
    });
    expect(valid.dataset.verdict).toBe('valid');
    expect(valid.classList.contains('fr-alert--success')).toBe(true);
    expect(valid.textContent).toContain('Badge authentique');
    expect(valid.textContent).toContain('Académie de test');
    expect(valid.textContent).toContain('Alice');
    const tampered = verdictView({ verdict: 'tampered', valid: false, reason: 'the signature does not match' });
    expect(tampered.classList.contains('fr-alert--error')).toBe(true);
    expect(tampered.textContent).toContain('modifié après sa signature');
    expect(verdictView({ verdict: 'bogus' as 'valid', valid: false }).dataset.verdict).toBe('malformed');
  });

  it('sends what was pasted and shows the verdict; nothing pasted is said', async () => {
    let sent = '';
    const { fetch } = server({ 'POST /badges/verify': (init) => { sent = String(init?.body); return [200, { verdict: 'revoked', valid: false, reason: 'revoked: Fraude' }]; } });
    const page = renderBadgeVerify(fetch);
    document.body.append(page.root);
    const form = page.root.querySelector('form')!;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(page.root.querySelector('[data-testid="verify-result"]')!.textContent).toBe('Collez un badge ou choisissez son fichier.');
    page.root.querySelector<HTMLTextAreaElement>('[data-testid="verify-paste"]')!.value = '  eyJ.a.b  ';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await flush();
    expect(sent).toBe('eyJ.a.b');
    expect(page.root.querySelector('[data-verdict="revoked"]')).not.toBeNull();
  });
});

describe('evidence', () => {
  const AWARD = '0b6c2f9e-4d8a-4c1b-9a7e-2f3d4c5b6a70';
  const verdict = { verdict: 'valid', valid: true, badge_name: 'Contributrice' };
  const items = [
    { anchor: 'post-p1', kind: 'board_post', activity: 'Mur des idées', title: 'Le cycle de l’eau', text: 'Évaporation\ncondensation', link: 'https://eduscol.education.fr/',
      video: null, files: [{ blob: 'b1', name: 'b1', role: 'image', alt: 'Le schéma', url: `/badges/credentials/${AWARD}/evidence/files/b1?name=b1` }], at: 0 },
    { anchor: 'atelier-a2', kind: 'atelier_production', activity: 'Ateliers', title: 'Atelier 2', text: '', link: 'javascript:alert(1)',
      video: null, files: [{ blob: 'b2', name: 'synthèse.pdf', role: 'file', alt: '', url: '/f2' }], at: 0 },
  ];

  it('shows what the recipient made on the award’s page and opens at the item the credential links', async () => {
    history.replaceState(null, '', `/badges/credentials/${AWARD}/evidence#atelier-a2`);
    const { fetch } = server({
      [`GET /badges/credentials/${AWARD}`]: () => [200, verdict],
      [`GET /badges/credentials/${AWARD}/evidence`]: () => [200, { items }],
    });
    const { app } = fakeApp();
    const page = renderAwardPage(app, AWARD, fetch);
    document.body.append(page.root);
    await flush();
    const cards = [...page.root.querySelectorAll<HTMLElement>('[data-testid="evidence-item"]')];
    expect(cards.map((c) => c.id)).toEqual(['post-p1', 'atelier-a2']);
    expect(cards[0].textContent).toContain('Contribution au mur «\u00a0Mur des idées\u00a0»');
    expect(cards[0].querySelector('.amphi-evidence__text')!.textContent).toBe('Évaporation\ncondensation');
    expect(cards[0].querySelector('img')!.getAttribute('alt')).toBe('Le schéma');
    expect(cards[0].querySelector('a')!.getAttribute('href')).toBe('https://eduscol.education.fr/');
    expect(cards[1].querySelector('a[href^="javascript"]')).toBeNull();
    expect(cards[1].querySelector('a[download]')!.textContent).toContain('synthèse.pdf');
    expect(document.activeElement).toBe(cards[1]);
    page.dispose();
  });

  it('shows no section when the evidence is withdrawn or empty', async () => {
    history.replaceState(null, '', `/badges/credentials/${AWARD}`);
    const { fetch } = server({
      [`GET /badges/credentials/${AWARD}`]: () => [200, { ...verdict, verdict: 'revoked', valid: false }],
      [`GET /badges/credentials/${AWARD}/evidence`]: () => [410, { code: 'not_found', message: 'revoked' }],
    });
    const page = renderAwardPage(fakeApp().app, AWARD, fetch);
    document.body.append(page.root);
    await flush();
    expect(page.root.querySelector('[data-verdict="revoked"]')).not.toBeNull();
    expect(page.root.querySelector('[data-testid="evidence"]')).toBeNull();
  });
});

describe('template image', () => {
  it('wraps a long name in lines that fit, the last cut with an ellipsis', () => {
    const measure = (line: string) => line.length * 10;
    expect(wrapLines('Réussite au quiz', 100, measure, 3)).toEqual(['Réussite', 'au quiz']);
    const lines = wrapLines('un deux trois quatre cinq six sept huit', 100, measure, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1].endsWith('…')).toBe(true);
    expect(lines.every((l) => measure(l) <= 100)).toBe(true);
  });
});
