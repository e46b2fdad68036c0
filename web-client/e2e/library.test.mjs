// End-to-end shared library against the real server (harness.mjs): Mme
// Durand (a trainer of ac-lyon) publishes a quiz room of hers from
// "Publier" with its metadata and licence; M. Martin (same académie)
// searches it without accents and with a discipline filter, previews it
// (the questions and their right answers), uses a copy (the copy's console
// opens); Mme Durand publishes a new version from "Mes publications" (a
// question added, one edited); M. Martin's "Mes copies" says a new version
// exists and what changed, and he updates his copy. The académie's admin
// withdraws it from "Modération". A trainer of another académie never sees
// it. Each page at 1920×1080 and 360×740 (no horizontal scrolling),
// axe-core clean.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, assertFits, plainSpaces, shot, startHarness, waitForText } from './harness.mjs';

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-library.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

async function api(token, method, path, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function question(id, prompt, right, wrong) {
  return { id, type: 'single_choice', prompt, time_limit_s: 60, choices: [{ id: 'c1', text: right, correct: true }, { id: 'c2', text: wrong }] };
}

async function quizRoom(token, title, questions) {
  const room = await api(token, 'POST', '/rooms', { title, kind: 'quiz', quiz: { title, questions } });
  assert.equal(room.status, 201, JSON.stringify(room.body));
  return room.body.id;
}

/** A browser context signed in with `token` (remembered by the home page), at 1920×1080. */
async function signedIn(token) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${base}/?token=${encodeURIComponent(token)}`);
  await page.getByTestId('my-sessions').waitFor();
  return { context, page };
}

/** The page fits and is accessible on a phone (360×740) and a laptop
 * (1280×720), then back to 1920×1080. */
async function onPhone(page, name, ready) {
  for (const [width, height] of [[360, 740], [1280, 720]]) {
    await page.setViewportSize({ width, height });
    await ready();
    await assertFits(page, width, name);
    await shot(page, `library-${name}-${width}`);
    await assertAccessible(page, `${name} at ${width} px`);
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
}

test('library: publish, search, preview, copy, new version, update, moderation', { timeout: 240_000 }, async (t) => {
  const durandToken = await harness.token(['--role', 'trainer', '--name', 'Mme Durand', '--tenant', 'ac-lyon', '--sub', 'durand']);
  const martinToken = await harness.token(['--role', 'trainer', '--name', 'M. Martin', '--tenant', 'ac-lyon', '--sub', 'martin']);
  const adminToken = await harness.token(['--role', 'admin', '--name', 'Admin Lyon', '--tenant', 'ac-lyon', '--sub', 'admin-lyon']);
  const nantesToken = await harness.token(['--role', 'trainer', '--name', 'Mme Autre', '--tenant', 'ac-nantes']);
  const first = [question('q1', 'Unité de la résistance\u202f?', 'L’ohm', 'Le volt'), question('q2', 'U = R × I\u202f?', 'Oui', 'Non')];
  await quizRoom(durandToken, 'Électricité', first);
  const durand = await signedIn(durandToken);
  const martin = await signedIn(martinToken);
  let itemId = '';

  await t.test('the author publishes a quiz room of hers from "Publier"', async () => {
    const page = durand.page;
    await page.getByTestId('library-link').click();
    await page.getByRole('heading', { level: 1, name: 'Bibliothèque partagée' }).waitFor();
    await page.getByTestId('lib-nav-publish').click();
    await page.getByRole('heading', { level: 1, name: 'Publier dans la bibliothèque' }).waitFor();
    await page.getByTestId('pub-source').waitFor();
    assert.match(await page.getByTestId('pub-source').textContent(), /Électricité \(Quiz\)/);
    await page.getByTestId('pub-title').fill('La loi d’Ohm');
    await page.getByTestId('pub-description').fill('Résistance, tension et intensité, en deux questions.');
    await page.getByTestId('pub-disciplines').fill('Physique-chimie, Technologie');
    await page.getByTestId('pub-level').fill('Cycle 4');
    await page.getByTestId('pub-duration').fill('15');
    await page.getByTestId('pub-tags').fill('électricité, circuits');
    await page.getByLabel('CC BY-SA 4.0').check({ force: true });
    assert.equal(await page.getByTestId('pub-scope-national').count(), 0, 'a trainer publishes for the académie only');
    await shot(page, 'library-01-publish-1920');
    await assertAccessible(page, 'publish form');
    await onPhone(page, '01-publish', () => page.getByTestId('pub-form').waitFor());
    await page.getByTestId('pub-submit').click();
    await page.getByRole('heading', { level: 1, name: 'La loi d’Ohm' }).waitFor();
    itemId = new URL(page.url()).pathname.split('/').pop();
    const facts = plainSpaces(await page.locator('main').textContent());
    assert.match(facts, /Académie ac-lyon · par Mme Durand · Cycle 4 · 15 min · CC BY-SA 4.0 · version 1/);
    const stored = await api(durandToken, 'GET', `/library/items/${itemId}`);
    assert.deepEqual(stored.body.disciplines, ['Physique-chimie', 'Technologie']);
    assert.equal(stored.body.licence, 'cc-by-sa-4.0');
  });

  await t.test('another trainer searches it (accents folded, filters) and previews questions and answers', async () => {
    const page = martin.page;
    await page.getByTestId('library-link').click();
    await page.getByTestId('lib-q').fill('electricite');
    await page.getByTestId('lib-discipline').fill('physique-chimie');
    await page.getByTestId('lib-kind').selectOption('quiz');
    await page.getByTestId('lib-since').selectOption('30');
    await page.getByTestId('lib-search').click();
    await waitForText(page.getByTestId('lib-status'), /^1 résultat\.$/);
    assert.match(page.url(), /q=electricite/, 'the search is kept in the address');
    const card = page.getByTestId('lib-result');
    assert.match(await card.textContent(), /La loi d’Ohm/);
    await shot(page, 'library-02-search-1920');
    await assertAccessible(page, 'search results');
    await onPhone(page, '02-search', () => card.waitFor());
    // A filter that does not match: nothing.
    await page.getByTestId('lib-level').fill('lycée');
    await page.getByTestId('lib-search').click();
    await waitForText(page.getByTestId('lib-status'), /^Aucun résultat\.$/);
    await page.getByTestId('lib-level').fill('');
    await page.getByTestId('lib-search').click();
    await waitForText(page.getByTestId('lib-status'), /^1 résultat\.$/);

    await page.getByRole('link', { name: 'La loi d’Ohm' }).click();
    await page.getByRole('heading', { level: 1, name: 'La loi d’Ohm' }).waitFor();
    await waitForText(page.getByTestId('lib-questions'), /Unité de la résistance/);
    assert.equal(await page.getByTestId('lib-question').count(), 2);
    assert.equal(await page.getByTestId('lib-right').count(), 2, 'the right answers are shown to a trainer');
    assert.match(await page.getByTestId('lib-question').first().textContent(), /L’ohm\s*bonne réponse/);
    await shot(page, 'library-03-preview-1920');
    await assertAccessible(page, 'item preview');
    await onPhone(page, '03-preview', () => page.getByTestId('lib-questions').waitFor());
  });

  await t.test('"Utiliser une copie" makes the copy and opens its console', async () => {
    const page = martin.page;
    // The button shows its words, not its icon alone (DSFR hides a
    // button group's labels unless the group says where icons go).
    const copyButton = page.getByTestId('lib-copy');
    const box = await copyButton.boundingBox();
    assert.ok(box && box.width > 100, `"Utiliser une copie" shows its label (${box?.width} px wide)`);
    await copyButton.click();
    await page.getByRole('heading', { level: 1, name: 'La loi d’Ohm' }).waitFor();
    await page.getByTestId('quiz-phase').waitFor();
    const copies = await api(martinToken, 'GET', '/library/copies');
    assert.equal(copies.body.copies.length, 1);
    assert.equal(copies.body.copies[0].version, 1);
    const room = await api(martinToken, 'GET', `/rooms/${copies.body.copies[0].target}`);
    assert.equal(room.body.tenant, 'ac-lyon');
    assert.equal(room.body.library.item, itemId);
  });

  await t.test('the author publishes a new version from "Mes publications"', async () => {
    const second = [
      question('q1', 'Unité de la résistance\u202f?', 'L’ohm', 'L’ampère'),
      question('q2', 'U = R × I\u202f?', 'Oui', 'Non'),
      question('q3', 'Unité de l’intensité\u202f?', 'L’ampère', 'Le watt'),
    ];
    await quizRoom(durandToken, 'Électricité (v2)', second);
    const page = durand.page;
    await page.getByTestId('lib-nav-mine').click();
    await page.getByRole('heading', { level: 1, name: 'Mes publications' }).waitFor();
    const mine = page.getByTestId('mine-item');
    await mine.waitFor();
    assert.equal(await mine.count(), 1);
    await shot(page, 'library-04-mine-1920');
    await assertAccessible(page, 'my items');
    await page.getByTestId('mine-new-version').click();
    await page.getByTestId('version-source').selectOption({ label: 'Électricité (v2) (Quiz)' });
    await page.getByTestId('version-note').fill('Une question sur l’intensité.');
    await assertAccessible(page, 'new version form');
    await onPhone(page, '04-new-version', () => page.getByTestId('version-form').waitFor());
    await page.getByTestId('version-submit').click();
    const done = page.getByTestId('version-published');
    await waitForText(done, /Version 2 publiée/);
    const text = plainSpaces(await done.textContent());
    assert.match(text, /Questions ajoutées \(1\) : Unité de l’intensité/);
    assert.match(text, /Questions modifiées \(1\) : Unité de la résistance/);
    await assertAccessible(page, 'new version published');
  });

  await t.test('the copier sees what changed and updates the copy', async () => {
    const page = martin.page;
    await page.goto(`${base}/bibliotheque/mes-copies`);
    await page.getByRole('heading', { level: 1, name: 'Mes copies' }).waitFor();
    const offer = page.getByTestId('copy-update-available');
    await waitForText(offer, /Une nouvelle version existe \(version 2\)/);
    const text = plainSpaces(await offer.textContent());
    assert.match(text, /Questions ajoutées \(1\) : Unité de l’intensité/);
    assert.match(text, /Questions modifiées \(1\) : Unité de la résistance/);
    assert.match(text, /Note de l’auteur : « Une question sur l’intensité\. »/);
    assert.doesNotMatch(text, /Questions retirées/);
    await shot(page, 'library-05-copies-1920');
    await assertAccessible(page, 'my copies with an update');
    await onPhone(page, '05-copies', () => offer.waitFor());
    const before = (await api(martinToken, 'GET', '/library/copies')).body.copies[0].target;
    await page.getByTestId('copy-update').click();
    await waitForText(page.getByTestId('lib-status'), /Copie mise à jour \(version 2\)/);
    await page.getByTestId('copy-up-to-date').waitFor();
    await assertAccessible(page, 'my copies updated');
    const copy = (await api(martinToken, 'GET', '/library/copies')).body.copies[0];
    assert.equal(copy.version, 2);
    assert.notEqual(copy.target, before, 'a new room for the new version');
    const room = await api(martinToken, 'GET', `/rooms/${copy.target}`);
    assert.equal(room.status, 200);
    await page.getByTestId('copy-open').click();
    await page.getByTestId('quiz-phase').waitFor();
  });

  await t.test('another académie never sees it; the académie’s admin withdraws it', async () => {
    const other = await api(nantesToken, 'GET', '/library/items?q=ohm');
    assert.deepEqual(other.body.items, []);
    assert.equal((await api(nantesToken, 'GET', `/library/items/${itemId}`)).status, 404);
    const admin = await signedIn(adminToken);
    const page = admin.page;
    await page.goto(`${base}/bibliotheque/moderation`);
    await page.getByRole('heading', { level: 1, name: 'Modération de la bibliothèque' }).waitFor();
    await waitForText(page.getByTestId('lib-status'), /^1 résultat\.$/);
    await shot(page, 'library-06-moderation-1920');
    await assertAccessible(page, 'moderation');
    await onPhone(page, '06-moderation', () => page.getByTestId('lib-result').waitFor());
    await page.getByTestId('lib-withdraw').click();
    await waitForText(page.getByTestId('lib-status'), /a été retiré de la bibliothèque/);
    assert.equal(await page.getByTestId('lib-result').count(), 0);
    const search = await api(martinToken, 'GET', '/library/items?q=ohm');
    assert.deepEqual(search.body.items, []);
    const copies = await api(martinToken, 'GET', '/library/copies');
    assert.equal(copies.body.copies[0].item_withdrawn, true, 'the copy keeps working');
    await admin.context.close();
  });

  await durand.context.close();
  await martin.context.close();
});
