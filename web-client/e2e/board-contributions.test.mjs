// End-to-end contributions beyond text on a board (harness.mjs): link
// cards, colours, rewritten comments, the embed code. A server allowed to
// read private addresses (`board.link_previews = "any_address"`, as inside an
// académie's network) and a small web site beside it; a participant on a
// 360 px phone pastes a link, the form shows the page's card (title, site,
// description, image), the post goes with it, coloured "Glycine"; the trainer's console at
// 1920 px shows the card, its image loaded from amphi (not from the site);
// the phone comments and rewrites its comment, and the console reads the
// new words; the console's embed code, pasted into a page of the site once
// it is registered as an LTI platform (amphi lets only those frame it),
// shows the board there (a guest joins inside the frame); the console lists
// the phone among the room's members, connected, then gone once it closes.
// axe-core on both.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, assertFits, shot, startHarness, waitForText, waitUntil } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
const IMAGE = readFileSync(new URL('../../tests/fixtures/badges/badge.png', import.meta.url));
let harness;
let browser;
let base;
let site;
let siteUrl;
const siteHits = [];
/** The board's embed code, once the console gave it: the site's /embed page holds it. */
let embedded = '';

before(async () => {
  site = createServer((request, response) => {
    siteHits.push(request.url);
    if (request.url === '/sequence') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="fr"><head><title>Séquence</title>
        <meta property="og:title" content="Le cycle de l’eau en CM1">
        <meta property="og:description" content="Une séquence de quatre séances, avec ses fiches et son évaluation.">
        <meta property="og:site_name" content="Éduscol">
        <meta property="og:image" content="/cycle.png"></head><body></body></html>`);
    } else if (request.url === '/embed') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="fr"><head><title>Cours de sciences</title></head><body><main><h1>Cours de sciences</h1>${embedded}</main></body></html>`);
    } else if (request.url === '/cycle.png') {
      response.writeHead(200, { 'Content-Type': 'image/png' });
      response.end(IMAGE);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${site.address().port}`;
  harness = await startHarness('amphi-server-board-contributions.log', { AMPHI_BOARD__LINK_PREVIEWS: 'any_address' });
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
  site?.close();
});

test('board: a link posted from a phone shows as its page’s card', { timeout: 180_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const room = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Ressources partagées', kind: 'board', board: { sections: ['Liens'] } }),
  }).then((r) => r.json());
  const consoleContext = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
  consoleContext.setDefaultTimeout(STEP_MS);
  const trainer = await consoleContext.newPage();
  await trainer.goto(`${base}/j/${room.join_code}?token=${encodeURIComponent(token)}`);
  await trainer.getByTestId('board').waitFor();

  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
  context.setDefaultTimeout(STEP_MS);
  const phone = await context.newPage();
  await phone.goto(`${base}/j/${room.join_code}`);
  await phone.getByLabel('Pseudonyme').fill('Inès');
  await phone.getByRole('button', { name: 'Rejoindre' }).click();
  await phone.getByTestId('board').waitFor();
  const form = phone.getByTestId('compose');
  const link = `${siteUrl}/sequence`;

  await t.test('the phone pastes a link; the form shows its card; the post goes with it', async () => {
    await form.getByTestId('post-extras').click();
    await form.getByTestId('post-title').fill('Pour la séance de jeudi');
    await form.getByTestId('post-link-input').fill(link);
    await waitForText(form.getByTestId('link-card-status'), /Aperçu du lien ajouté/);
    const draft = form.getByTestId('link-card-draft');
    await waitForText(draft, /Éduscol.*Le cycle de l’eau en CM1.*quatre séances/s);
    await assertFits(phone, PHONE.width, 'phone: link card in the form');
    await shot(phone, 'board-link-01-form-360');
    await assertAccessible(phone, 'board: link card in the form (phone)');
    await form.getByTestId('post-colour').selectOption({ label: 'Glycine' });
    await form.getByTestId('post-submit').click();
    const post = phone.getByTestId('post').filter({ hasText: 'Pour la séance de jeudi' });
    assert.match(await post.getAttribute('class'), /amphi-post--colour-glycine/);
    const background = await post.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(background, 'rgb(255, 255, 255)', 'coloured');
    const card = post.getByTestId('link-card');
    await waitForText(card, /Le cycle de l’eau en CM1/);
    assert.equal(await card.getByRole('link').getAttribute('href'), link);
    await assertFits(phone, PHONE.width, 'phone: a post with its link card');
    await shot(phone, 'board-link-02-posted-360');
    await assertAccessible(phone, 'board: a post with its link card (phone)');
  });

  await t.test('the phone comments, then rewrites its comment in place', async () => {
    const post = phone.getByTestId('post').filter({ hasText: 'Pour la séance de jeudi' });
    await post.getByTestId('comment-input').fill('Je l’ai testée en CM2');
    await post.getByTestId('comment-send').click();
    await waitForText(post.getByTestId('comment'), /Je l’ai testée en CM2/);
    await post.getByRole('button', { name: /^Modifier le commentaire/ }).click();
    const input = post.getByTestId('comment-edit-input');
    await input.fill('Je l’ai testée en CM1 et en CM2');
    await post.getByTestId('comment-edit-save').click();
    await waitForText(post.getByTestId('comment'), /Je l’ai testée en CM1 et en CM2.*modifié/s);
    await assertFits(phone, PHONE.width, 'phone: a rewritten comment');
    await assertAccessible(phone, 'board: a rewritten comment (phone)');
  });

  await t.test('the console shows the card; its image comes from amphi, not from the site', async () => {
    const post = trainer.getByTestId('post').filter({ hasText: 'Pour la séance de jeudi' });
    assert.match(await post.getAttribute('class'), /amphi-post--colour-glycine/, 'the colour reaches every member');
    await waitForText(post.getByTestId('comment'), /Je l’ai testée en CM1 et en CM2.*modifié/s);
    const card = post.getByTestId('link-card');
    await waitForText(card, /Éduscol.*Le cycle de l’eau en CM1/s);
    const image = card.locator('img');
    await waitUntil(() => image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the card image to load');
    assert.match(await image.getAttribute('src'), /^\/api\/v1\/blobs\//);
    assert.deepEqual(siteHits.filter((u) => u === '/cycle.png').length, 1, 'the site was asked for its image once, by the server');
    await shot(trainer, 'board-link-03-console-1920');
    await assertAccessible(trainer, 'board: a post with its link card (console)');
  });
  await t.test('the console gives an embed code; pasted into another site’s page, the board shows there', async () => {
    await trainer.getByTestId('embed-panel').locator('summary').click();
    embedded = await trainer.getByTestId('embed-code').inputValue();
    assert.match(embedded, new RegExp(`<iframe src="${base}/j/${room.join_code}" title="Tableau «\u00a0Ressources partagées\u00a0» \\(amphi\\)"`));
    await assertAccessible(trainer, 'board console: embed code');
    // The site is the académie's Moodle: a platform amphi knows may frame it.
    const admin = await harness.token(['--role', 'admin', '--name', 'Admin']);
    const registered = await fetch(`${base}/api/v1/admin/lti/platforms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ issuer: siteUrl, client_id: 'amphi', deployment_ids: ['1'], auth_url: `${siteUrl}/auth`, token_url: `${siteUrl}/token`, jwks_url: `${siteUrl}/jwks` }),
    });
    assert.equal(registered.status, 201, await registered.text());
    const elsewhere = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    elsewhere.setDefaultTimeout(STEP_MS);
    const page = await elsewhere.newPage();
    await page.goto(`${siteUrl}/embed`);
    const frame = page.frameLocator('iframe');
    await frame.getByLabel('Pseudonyme').fill('Noé');
    await frame.getByRole('button', { name: 'Rejoindre' }).click();
    await waitForText(frame.getByTestId('post').filter({ hasText: 'Pour la séance de jeudi' }), /Le cycle de l’eau en CM1/);
    await shot(page, 'board-link-04-embedded-1280');
    await elsewhere.close();
  });

  await t.test('the console lists who is in the room: the phone connected, then gone', async () => {
    const panel = trainer.getByTestId('members-panel');
    await panel.locator('summary').click();
    const ines = panel.getByTestId('members').locator('li').filter({ hasText: 'Inès' });
    await waitForText(ines, /participant[\s\S]*connecté/);
    assert.doesNotMatch(await ines.textContent(), /déconnecté/);
    await waitForText(panel, /Connectés : \d+ sur \d+/);
    await assertAccessible(trainer, 'board console: members');
    await shot(trainer, 'board-link-05-members-1920');
    await context.close();
    await waitForText(ines, /déconnecté/);
  });
  await consoleContext.close();
});
