// End-to-end usage statistics against the real server (harness.mjs): an
// admin registers 12 people from a CSV with their disciplines (5 in
// mathematics, 4 in letters, 3 in history), each connects to the lobby with
// their personal link's token (a browser's WebSocket) and leaves; the admin
// opens "Statistiques d'usage" from "Mes sessions" (1280×720): the totals
// say 12 participants and 1 lobby session, the charts have their tables;
// by discipline, mathematics (5) is shown and letters (4) and history (3)
// are suppressed (the scrollable tables focusable); the CSV downloads. The page at 360×740 fits. axe-core
// checks every screen.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, assertFits, plainSpaces, shot, startHarness, waitForText } from './harness.mjs';

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-statistics.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

async function api(token, method, path, body, contentType = 'application/json') {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, Accept: 'application/json' },
    body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

test('statistics: figures of a small history, suppressed cells, charts with tables, CSV', { timeout: 180_000 }, async (t) => {
  const admin = await harness.token(['--role', 'admin', '--name', 'Admin Lyon']);
  const room = await api(admin, 'POST', '/rooms', { title: 'Accueil des stagiaires' });
  assert.equal(room.status, 201, JSON.stringify(room.body));
  let csv = 'nom;courriel;discipline\n';
  for (let i = 1; i <= 5; i++) csv += `M${i};m${i}@ac-lyon.fr;Mathématiques\n`;
  for (let i = 1; i <= 4; i++) csv += `L${i};l${i}@ac-lyon.fr;Lettres\n`;
  for (let i = 1; i <= 3; i++) csv += `H${i};h${i}@ac-lyon.fr;Histoire\n`;
  const imported = await api(admin, 'POST', `/sessions/${room.body.id}/registrations`, csv, 'text/csv');
  assert.equal(imported.status, 201, JSON.stringify(imported.body));
  const tokens = imported.body.registrations.map((r) => new URL(r.link, base).searchParams.get('token'));
  assert.equal(tokens.length, 12);

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  await page.goto(`${base}/`);
  // Each registrant comes in with their own token and leaves.
  const joined = await page.evaluate(async ({ tokens, roomId }) => {
    let count = 0;
    await Promise.all(tokens.map((token) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`, 'amphi.v1.json');
      ws.onerror = () => reject(new Error('socket error'));
      ws.onmessage = (ev) => {
        const m = JSON.parse(ev.data);
        if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'join', id: `join-${count}-${Math.random()}`, room: roomId }));
        if (m.type === 'joined') {
          count++;
          setTimeout(() => { ws.close(); resolve(); }, 1500);
        }
        if (m.type === 'error') reject(new Error(m.code));
      };
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: 2, auth: { method: 'token', token } }));
    })));
    return count;
  }, { tokens, roomId: room.body.id });
  assert.equal(joined, 12);

  await t.test('the admin opens the page from "Mes sessions" and reads the figures', async () => {
    await page.goto(`${base}/?token=${encodeURIComponent(admin)}`);
    await page.getByTestId('statistics-link').click();
    await page.getByRole('heading', { level: 1, name: 'Statistiques d’usage' }).waitFor();
    const totals = page.getByTestId('stats-totals');
    // The stretches are closed once the sockets are: wait for the 12.
    for (let attempt = 0; attempt < 20; attempt++) {
      const text = plainSpaces((await totals.textContent().catch(() => '')) ?? '');
      if (/Participants12/.test(text)) break;
      await page.waitForTimeout(500);
      await page.getByTestId('stats-show').click();
    }
    const text = plainSpaces(await totals.textContent());
    assert.match(text, /Participants12/);
    assert.match(text, /Sessions en salle d’attente1/);
    assert.match(text, /Sessions de quiz0/);
    for (const key of ['participants', 'minutes', 'sessions']) {
      assert.equal(await page.getByTestId(`chart-stats-${key}`).getAttribute('role'), 'img');
      assert.ok((await page.getByTestId(`table-${key}`).locator('tbody tr').count()) >= 1);
    }
    await shot(page, 'statistics-01-totals-1280');
    await assertAccessible(page, 'statistics: totals');
  });

  await t.test('by discipline: 5 shown, 4 and 3 suppressed', async () => {
    await page.getByTestId('stats-by').selectOption('discipline');
    const groups = page.getByTestId('stats-groups');
    await groups.waitFor();
    const rows = groups.locator('tbody tr');
    await waitForText(groups, /Mathématiques/);
    // Cells: period, group (a header), participants, minutes, sessions, completion, badges.
    const maths = rows.filter({ hasText: 'Mathématiques' });
    assert.equal(await maths.getAttribute('data-suppressed'), 'false');
    assert.equal((await maths.locator('td').nth(1).textContent()).trim(), '5');
    assert.equal((await maths.locator('td').nth(3).textContent()).trim(), '1', 'one session');
    for (const hidden of ['Lettres', 'Histoire']) {
      assert.equal(await rows.filter({ hasText: hidden }).getAttribute('data-suppressed'), 'true', hidden);
      assert.match(await rows.filter({ hasText: hidden }).textContent(), /masqué/);
    }
    await shot(page, 'statistics-02-by-discipline-1280');
    await assertAccessible(page, 'statistics: by discipline');
  });

  await t.test('the CSV downloads with the same figures', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-csv').click()]);
    const body = readFileSync(await download.path(), 'utf8');
    assert.match(body, /Période;Premier jour/);
    assert.match(body, /;Lettres;oui;/);
    assert.match(body, /;Mathématiques;non;5;/);
  });

  await t.test('the page fits a 360 px phone', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByTestId('stats-groups').waitFor();
    await assertFits(page, 360, 'the statistics page');
    await shot(page, 'statistics-03-360');
    await assertAccessible(page, 'statistics: 360 px');
  });

  await context.close();
});
