// End-to-end: nobody loses their way back into a session. A trainer creates
// a room, closes the tab, and in a new tab resumes it from "Mes sessions"
// (the console, not a guest seat); typing the room's code with the token
// held arrives in the console too, and so does a `/j/CODE?token=<leader>`
// link in a fresh browser; "Oublier mon jeton" forgets the token. A
// registrant's personal invitation link (`/j/CODE?token=<participant>`,
// from the registrations import) signs them in under their registered name
// with their pre-assigned atelier, and no guest form is ever shown. Every
// screen goes through the axe-core check.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, recordFrames, shot, startHarness, waitForText } from './harness.mjs';

const TITLE = 'Formation continue';

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-sessions.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

async function api(token, method, path, body, contentType = 'application/json') {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, Accept: 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Records whether the guest form (the nickname field) is ever put in the page. */
async function watchForGuestForm(context) {
  await context.addInitScript(() => {
    window.__guestFormSeen = false;
    const check = () => {
      if (document.querySelector('input[autocomplete="nickname"]')) window.__guestFormSeen = true;
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  });
}

test('a trainer gets the console back from "Mes sessions", a code or a link', { timeout: 180_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  let code;

  await t.test('a trainer with no session yet sees an empty "Mes sessions", then creates a room', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/?token=${encodeURIComponent(token)}`);
    const mine = page.getByTestId('my-sessions');
    await mine.getByRole('heading', { name: 'Mes sessions' }).waitFor();
    await waitForText(mine.getByTestId('my-sessions-body'), /^Aucune session/);
    await assertAccessible(page, 'home: "Mes sessions" empty');
    // French typography as rendered: no-break spaces inside « » and before a colon.
    const intro = await page.getByText(/Collez le jeton fourni/).textContent();
    assert.ok(intro.includes('«\u00a0amphi token\u00a0»'), JSON.stringify(intro));
    assert.ok((await mine.textContent()).includes('l’instant\u00a0:'), JSON.stringify(await mine.textContent()));
    await page.getByLabel('Titre de la salle').fill(TITLE);
    await page.getByRole('button', { name: 'Créer une salle' }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    code = await waitForText(page.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    await waitForText(page.getByTestId('connection'), /^Connecté$/);
    await page.close(); // the console's tab is gone
  });

  await t.test('a new tab at / lists the room and "Reprendre" opens its console', async () => {
    const page = await context.newPage();
    const frames = recordFrames(page);
    await page.goto(`${base}/`);
    assert.equal(await page.getByLabel('Jeton formateur').inputValue(), token, 'the browser remembered the leader token');
    const row = page.getByTestId('my-sessions').getByRole('listitem').filter({ hasText: TITLE });
    await row.waitFor();
    await waitForText(row, new RegExp(`${code}.*En cours`));
    await shot(page, 'sessions-01-mes-sessions');
    await assertAccessible(page, 'home: "Mes sessions" with a live room');
    await row.getByRole('button', { name: `Reprendre « ${TITLE} » (console)` }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    assert.equal((await page.getByTestId('join-code').textContent()).trim(), code);
    // The console (its announcement form), as the trainer, not a guest.
    await page.getByLabel('Annonce à la salle').waitFor();
    const welcome = frames.received.find((f) => f.type === 'welcome');
    assert.equal(welcome?.member?.role, 'trainer', JSON.stringify(welcome));
    assert.equal(welcome?.member?.name, 'Mme Durand');
    const hello = frames.sent.find((f) => f.type === 'hello');
    assert.equal(hello?.auth?.method, 'token', 'signed in with the token, not a join code');
    await assertAccessible(page, 'console resumed from "Mes sessions"');
    await page.close();
  });

  await t.test('typing the code with the token held arrives in the console', async () => {
    const page = await context.newPage();
    const frames = recordFrames(page);
    await page.goto(`${base}/`);
    await page.getByLabel('Code de la session').fill(code);
    await page.getByRole('button', { name: 'Rejoindre', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByLabel('Annonce à la salle').waitFor();
    assert.equal(frames.received.find((f) => f.type === 'welcome')?.member?.role, 'trainer');
    await page.close();
  });

  await t.test('a /j/CODE?token=<leader> link opens the console in a fresh browser', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
    fresh.setDefaultTimeout(STEP_MS);
    await watchForGuestForm(fresh);
    const page = await fresh.newPage();
    const frames = recordFrames(page);
    await page.goto(`${base}/j/${code}?token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByLabel('Annonce à la salle').waitFor();
    assert.ok(!page.url().includes('token='), `token left in the address bar: ${page.url()}`);
    assert.equal(frames.received.find((f) => f.type === 'welcome')?.member?.role, 'trainer');
    assert.equal(await page.evaluate(() => window.__guestFormSeen), false, 'the guest form was shown');
    await fresh.close();
  });

  await t.test('"Oublier mon jeton" forgets it on this device', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const mine = page.getByTestId('my-sessions');
    await mine.getByRole('listitem').filter({ hasText: TITLE }).waitFor();
    await mine.getByRole('button', { name: 'Oublier mon jeton sur cet appareil' }).click();
    await mine.waitFor({ state: 'hidden' });
    assert.equal(await page.getByLabel('Jeton formateur').inputValue(), '');
    assert.equal(await page.evaluate(() => localStorage.getItem('amphi.leaderToken')), null);
    await assertAccessible(page, 'home: token forgotten');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Rejoindre une session' }).waitFor();
    assert.equal(await page.getByLabel('Jeton formateur').inputValue(), '');
    assert.equal(await page.getByTestId('my-sessions').isVisible(), false);
  });
  await context.close();
});

test('a personal invitation link signs the registrant in under their name', { timeout: 120_000 }, async (t) => {
  const facilitator = await harness.token(['--role', 'facilitator', '--name', 'M. Petit']);
  const room = await api(facilitator, 'POST', '/api/v1/rooms', {
    title: 'Ateliers de printemps',
    kind: 'breakout',
    breakout: { plan: { mode: 'manual', ateliers: [
      { id: 'a1', name: 'Lecture', duration_s: 900 },
      { id: 'a2', name: 'Écriture', duration_s: 900 },
    ] } },
  });
  const imported = await api(facilitator, 'POST', `/api/v1/sessions/${room.id}/registrations`,
    'Prénom;Nom;Courriel;Atelier\r\nDenis;Martin;denis.martin@ac-lyon.fr;a2\r\n', 'text/csv; charset=utf-8');
  const link = imported.registrations.find((r) => r.name === 'Denis Martin')?.link;
  assert.match(link ?? '', new RegExp(`/j/${room.join_code}\\?token=`), JSON.stringify(imported));

  await t.test('the link opens the session as Denis Martin, in his atelier, without the guest form', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', hasTouch: true });
    context.setDefaultTimeout(STEP_MS);
    await watchForGuestForm(context);
    const page = await context.newPage();
    const frames = recordFrames(page);
    await page.goto(new URL(link, base).href);
    await page.getByRole('heading', { level: 1, name: 'Ateliers de printemps' }).waitFor();
    await page.getByText('Vous êtes Denis Martin').waitFor();
    await waitForText(page.getByTestId('my-atelier-name'), /^Écriture$/);
    assert.ok(!page.url().includes('token='), `token left in the address bar: ${page.url()}`);
    assert.equal(await page.evaluate(() => window.__guestFormSeen), false, 'the guest form was shown');
    const hello = frames.sent.find((f) => f.type === 'hello');
    assert.equal(hello?.auth?.method, 'token', JSON.stringify(hello));
    const welcome = frames.received.find((f) => f.type === 'welcome');
    assert.deepEqual([welcome?.member?.role, welcome?.member?.name], ['participant', 'Denis Martin']);
    // Not kept for trainer forms: the tab holds no trainer token.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('amphi.trainerToken')), null);
    assert.equal(await page.evaluate(() => localStorage.getItem('amphi.leaderToken')), null);
    await shot(page, 'sessions-02-invitation-360');
    await assertAccessible(page, 'registrant signed in from the invitation link (phone)');
    await context.close();
  });
});
