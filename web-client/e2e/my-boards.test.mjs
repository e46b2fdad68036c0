// End-to-end: a trainer manages her boards from "Mes sessions" against the
// real server (harness.mjs), at 1920 px and on a 360 px phone: a folder
// created, a board filed in it, the list filtered by it, the folder renamed,
// then deleted (its board back out of any folder); a room starred (listed
// first); a board duplicated (« … (copie) », with its post); the copy moved to
// the trash (the trash counts it), restored, trashed again and deleted for
// good. Then in a board's console, the participants' copying switch, and a
// post copied to another of her boards: a phone on that board sees it arrive
// with where it came from. Every state goes through the axe-core check.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, assertFits, plainSpaces, shot, startHarness, waitForText, waitUntil } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
const WIDE = { width: 1920, height: 1080 };

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-my-boards.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

async function api(token, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = response.status === 204 ? null : await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const row = (page, id) => page.getByTestId('my-sessions').locator(`[data-room="${id}"]`);
const listed = (page) => page.getByTestId('my-sessions-body').locator('[data-room] .amphi-list__name')
  .evaluateAll((names) => names.map((n) => n.firstChild.textContent));

async function checkBoth(page, label) {
  for (const viewport of [PHONE, WIDE]) {
    await page.setViewportSize(viewport);
    await assertFits(page, viewport.width, `${label} at ${viewport.width} px`);
    await assertAccessible(page, `${label} at ${viewport.width} px`);
  }
}

test('a trainer files, stars, duplicates, trashes and restores her boards, and copies a post', { timeout: 240_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const wall = await api(token, 'POST', '/api/v1/rooms', {
    title: 'Mur de la séance', kind: 'board',
    board: { sections: ['Consignes'], posts: [{ section: 0, author_name: 'Mme Durand', title: 'Lire le document', text: 'Pages 3 à 5.' }] },
  });
  const next = await api(token, 'POST', '/api/v1/rooms', { title: 'Séance 2', kind: 'board', board: { sections: ['Reprises'] } });
  const lobby = await api(token, 'POST', '/api/v1/rooms', { title: 'Accueil' });
  const context = await browser.newContext({ viewport: WIDE, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  const status = page.getByTestId('my-sessions-status');

  await t.test('folders: created, a board filed, the list filtered, renamed', async () => {
    await page.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await row(page, wall.id).waitFor();
    await page.getByLabel('Nouveau dossier').fill('Cycle 3');
    await page.getByRole('button', { name: 'Créer le dossier' }).click();
    await waitForText(status, /^Dossier « Cycle 3 » créé\.$/);
    const select = row(page, wall.id).getByTestId('room-folder');
    await select.waitFor();
    await select.selectOption({ label: 'Cycle 3' });
    await row(page, wall.id).getByTestId('move-room').click();
    await waitForText(status, /« Mur de la séance » est rangée dans « Cycle 3 »/);
    await waitForText(row(page, wall.id).locator('.amphi-my-room__details'), /dossier Cycle 3/);
    await page.getByLabel('Afficher').selectOption({ label: 'Cycle 3 (1)' });
    await waitUntil(async () => (await listed(page)).join('|') === 'Mur de la séance', 'only the folder’s board');
    await shot(page, 'my-boards-01-folder-1920');
    await checkBoth(page, 'Mes sessions filtered by a folder');
    await page.setViewportSize(PHONE);
    await shot(page, 'my-boards-01-folder-360');
    await page.setViewportSize(WIDE);
    await page.getByTestId('folder-rename').click();
    const rename = page.getByLabel(/Nouveau nom du dossier/);
    await rename.fill('Cycle 4');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForText(status, /^Dossier renommé « Cycle 4 »\.$/);
    await waitUntil(async () => (await page.getByLabel('Afficher').locator('option:checked').textContent()) === 'Cycle 4 (1)', 'the renamed folder still shown');
    await page.getByLabel('Afficher').selectOption({ label: 'Toutes mes sessions' });
    await waitUntil(async () => (await listed(page)).length === 3, 'all three rooms');
  });

  await t.test('a favourite comes first', async () => {
    const star = row(page, lobby.id).getByTestId('favourite-room');
    assert.equal(await star.getAttribute('aria-pressed'), 'false');
    await star.click();
    await waitForText(status, /^« Accueil » est en favori\.$/);
    await waitUntil(async () => (await listed(page))[0] === 'Accueil', 'the favourite first');
    assert.equal(await row(page, lobby.id).getByTestId('favourite-room').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'favourite-room', 'the focus stays on the star');
  });

  let copyId;
  await t.test('duplicated, trashed, restored, trashed again and deleted for good', async () => {
    await row(page, wall.id).getByTestId('duplicate-room').click();
    await waitForText(status, /^Copie créée : « Mur de la séance \(copie\) »\.$/);
    await waitUntil(async () => (await listed(page)).includes('Mur de la séance (copie)'), 'the copy listed');
    const mine = await api(token, 'GET', '/api/v1/rooms?mine=1');
    copyId = mine.rooms.find((r) => r.title === 'Mur de la séance (copie)').id;
    await row(page, copyId).getByTestId('trash-room').click();
    await waitForText(status, /est dans la corbeille : son code ne permet plus d’entrer\.$/);
    await waitUntil(async () => !(await listed(page)).includes('Mur de la séance (copie)'), 'the copy out of the list');
    await waitForText(page.getByTestId('trash-summary'), /^Corbeille \(1\)$/);
    await page.getByTestId('trash-summary').click();
    const trashed = page.getByTestId('trash-list').locator(`[data-trashed="${copyId}"]`);
    await waitForText(trashed, /dans la corbeille depuis le .* supprimée définitivement le/);
    await waitForText(page.getByTestId('trash'), /reste 30 jours dans la corbeille/);
    await shot(page, 'my-boards-02-trash-1920');
    await checkBoth(page, 'Mes sessions with the trash open');
    await page.setViewportSize(PHONE);
    await shot(page, 'my-boards-02-trash-360');
    await page.setViewportSize(WIDE);
    await trashed.getByTestId('trash-restore').click();
    await waitForText(status, /est restaurée, avec son code\.$/);
    await waitUntil(async () => (await listed(page)).includes('Mur de la séance (copie)'), 'the copy back');
    await waitForText(page.getByTestId('trash-summary'), /^Corbeille \(0\)$/);
    await row(page, copyId).getByTestId('trash-room').click();
    await waitForText(page.getByTestId('trash-summary'), /^Corbeille \(1\)$/);
    await page.getByTestId('trash-list').locator(`[data-trashed="${copyId}"]`).getByTestId('trash-delete').click();
    await waitForText(status, /est supprimée définitivement\.$/);
    await waitForText(page.getByTestId('trash-list'), /^La corbeille est vide\.$/);
    const trash = await api(token, 'GET', '/api/v1/trash');
    assert.deepEqual(trash.rooms, []);
    await assertAccessible(page, 'Mes sessions, trash emptied');
  });

  await t.test('a deleted folder sends its board back out of any folder', async () => {
    await page.getByLabel('Afficher').selectOption({ label: 'Cycle 4 (1)' });
    await page.getByTestId('folder-delete').click();
    await waitForText(status, /^Dossier « Cycle 4 » supprimé : ses sessions sont hors dossier\.$/);
    await waitUntil(async () => (await listed(page)).length === 3, 'all rooms shown again');
    const details = plainSpaces(await row(page, wall.id).locator('.amphi-my-room__details').textContent());
    assert.ok(!details.includes('dossier'), details);
  });

  await t.test('a post copied to another board arrives live, with its origin', async () => {
    const phoneContext = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
    phoneContext.setDefaultTimeout(STEP_MS);
    const phone = await phoneContext.newPage();
    await phone.goto(`${base}/j/${next.join_code}`);
    await phone.getByLabel('Pseudonyme').fill('Camille');
    await phone.getByRole('button', { name: 'Rejoindre' }).click();
    await phone.getByTestId('board').waitFor();

    await row(page, wall.id).getByTestId('resume-room').click();
    await page.getByRole('heading', { level: 1, name: 'Mur de la séance' }).waitFor();
    const copying = page.getByTestId('copying-switch');
    assert.equal(await copying.isChecked(), false, 'off by default');
    await page.getByText('Les participants peuvent copier les messages vers un autre tableau').click();
    await waitUntil(async () => copying.isChecked(), 'the switch on');
    const post = page.getByTestId('post').filter({ hasText: 'Lire le document' });
    await post.locator('[data-focus="copy"]').click();
    const form = post.getByTestId('copy-form');
    await form.getByLabel(/Tableau où copier/).selectOption({ label: 'Séance 2' });
    await shot(page, 'my-boards-03-copy-1920');
    await assertAccessible(page, 'board console: copying a post');
    await form.locator('[data-focus="copy-go"]').click();
    await form.waitFor({ state: 'detached' });

    const arrived = phone.getByTestId('post').filter({ hasText: 'Lire le document' });
    await arrived.waitFor();
    await waitForText(arrived.locator('.amphi-post__meta'), /copié de « Mur de la séance »/);
    await assertFits(phone, PHONE.width, 'the phone with the copied post');
    await shot(phone, 'my-boards-04-copied-360');
    await assertAccessible(phone, 'phone: a copied post arrived');
    await phoneContext.close();
  });
  await context.close();
});
