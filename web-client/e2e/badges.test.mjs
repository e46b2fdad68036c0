// End-to-end badges against the real server (harness.mjs): in the quiz
// console (1280 px) the trainer attaches a badge (its image drawn from the
// template and uploaded); a participant on a 360 px phone answers, the quiz
// ends and "Badge obtenu" appears with its files (the certificate is a
// PDF); its verification page (the credential's own address, opened as a
// browser opens it) says it is authentic; "Mes badges" lists it; the
// trainer sees the recipient and revokes the award with a reason; the
// verification page at 1920×1080 says the pasted credential is revoked, and
// a pasted scrap unreadable. On a board, a participant's posts are the
// evidence of their badge: the award's page shows them (360 px), and the
// link the credential names opens it at the post (1920×1080). Every screen
// goes through axe-core.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, assertFits, shot, startHarness, waitForText, waitUntil } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
const QUIZ = {
  title: 'Géographie',
  questions: [{
    type: 'single_choice',
    prompt: 'Quelle ville est la préfecture du Rhône ?',
    time_limit_s: 300,
    choices: [{ text: 'Lyon', correct: true }, { text: 'Grenoble' }],
  }],
};

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-badges.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

async function createQuiz(token) {
  const response = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ title: 'Géographie — badges', kind: 'quiz', quiz: QUIZ, settings: {} }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

test('badges: attached in the console, received on the phone, verified, revoked', { timeout: 240_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const room = await createQuiz(token);
  const consoleContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  consoleContext.setDefaultTimeout(STEP_MS);
  const trainer = await consoleContext.newPage();
  await trainer.goto(`${base}/j/${room.join_code}?token=${encodeURIComponent(token)}`);
  await trainer.getByRole('button', { name: 'Lancer le quiz' }).waitFor();
  const panel = trainer.getByTestId('badges-panel');
  let phone;
  let award;

  await t.test('trainer attaches a badge; its image is drawn from the template', async () => {
    await panel.getByTestId('badges-none').waitFor();
    await panel.getByText('Attacher un badge', { exact: true }).click();
    await panel.getByRole('button', { name: 'Attacher le badge' }).click();
    await waitForText(panel.getByTestId('attach-status'), /^Donnez un nom au badge\.$/);
    await panel.getByLabel('Nom du badge', { exact: true }).fill('Géographe du Rhône');
    await panel.getByLabel('Description').fill('A terminé le quiz de géographie.');
    await panel.getByLabel(/^Critères/).fill('Répondre à la question du quiz.');
    assert.deepEqual(await panel.getByLabel('Règle d’attribution').locator('option').allTextContents(),
      ['Quiz terminé (complétion)', 'Quiz réussi (seuil de réussite)']);
    // This quiz has no pass mark: the rule is refused, in words.
    await panel.getByLabel('Règle d’attribution').selectOption('passed');
    await panel.getByRole('button', { name: 'Attacher le badge' }).click();
    await waitForText(panel.getByTestId('attach-status'), /Ce quiz n’a pas de seuil de réussite/);
    await panel.getByLabel('Règle d’attribution').selectOption('complete');
    await panel.getByRole('button', { name: 'Attacher le badge' }).click();
    await waitForText(panel.getByTestId('attach-status'), /^Badge «\s?Géographe du Rhône\s?» attaché\.$/);
    const item = panel.getByTestId('badge');
    await waitForText(item, /Géographe du Rhône.*Quiz terminé.*0 lauréat/s);
    const image = item.locator('img');
    await waitUntil(() => image.evaluate((img) => img.complete && img.naturalWidth === 600), 'the template image, 600 px, served');
    await shot(trainer, 'badges-01-console-attached');
    await assertAccessible(trainer, 'quiz console: a badge attached');
  });

  await t.test('a participant answers; the quiz ends; "Badge obtenu" on the phone', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
    context.setDefaultTimeout(STEP_MS);
    phone = await context.newPage();
    await phone.goto(`${base}/j/${room.join_code}`);
    await phone.getByLabel('Pseudonyme').fill('Alice');
    await phone.getByRole('button', { name: 'Rejoindre' }).click();
    await phone.getByTestId('quiz-waiting').waitFor();
    await trainer.getByRole('button', { name: 'Lancer le quiz' }).click();
    await phone.getByRole('button', { name: /Lyon/ }).click();
    await waitForText(phone.getByTestId('answer-sent'), /Réponse envoyée/);
    trainer.once('dialog', (dialog) => void dialog.accept());
    await trainer.getByRole('button', { name: 'Arrêter le quiz' }).click();
    await phone.getByTestId('quiz-ended').waitFor();
    const earned = phone.getByTestId('badge-earned');
    await earned.waitFor({ timeout: 30_000 });
    await waitForText(earned.getByRole('heading', { level: 2 }), /^Badge obtenu$/);
    await waitForText(earned.getByTestId('award'), /Géographe du Rhône.*A terminé le quiz de géographie.*Obtenu le .*Valide/s);
    await waitUntil(async () => /Badge obtenu\s?: Géographe du Rhône/.test(await phone.getByTestId('live').textContent()), 'the award read out');
    const certificate = await earned.getByTestId('award-certificate').getAttribute('href');
    const pdf = await phone.request.get(certificate);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF');
    award = (await earned.getByTestId('award-page').getAttribute('href'));
    await earned.scrollIntoViewIfNeeded();
    await assertFits(phone, PHONE.width, 'phone: badge received');
    await shot(phone, 'badges-02-phone-earned-360');
    await assertAccessible(phone, 'participant: badge received (phone)');
  });

  await t.test('its verification page, opened as a browser opens it, says it is authentic', async () => {
    await phone.goto(award.startsWith('http') ? award : `${base}${award}`);
    const verdict = phone.getByTestId('verdict');
    await waitForText(verdict, /Badge authentique.*Géographe du Rhône.*Titulaire\s*Alice/s);
    assert.equal(await verdict.getAttribute('data-verdict'), 'valid');
    await assertFits(phone, PHONE.width, 'phone: verification page');
    await shot(phone, 'badges-03-phone-verified-360');
    await assertAccessible(phone, 'award page (phone)');
  });

  await t.test('"Mes badges" lists it', async () => {
    await phone.getByRole('link', { name: 'Mes badges' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Mes badges' }).waitFor();
    await waitForText(phone.getByTestId('my-badges-status'), /^1 badge$/);
    await waitForText(phone.getByTestId('my-badges'), /Géographe du Rhône/);
    await shot(phone, 'badges-04-phone-mine-360');
    await assertAccessible(phone, 'my badges (phone)');
  });

  let jwt;
  await t.test('the trainer sees the recipient and revokes the award with a reason', async () => {
    await panel.getByRole('button', { name: 'Actualiser' }).click();
    const item = panel.getByTestId('badge');
    await waitForText(item.getByTestId('badge-count'), /^1 lauréat$/);
    await item.getByRole('button', { name: 'Voir les lauréats' }).click();
    await waitForText(item.getByTestId('badge-award'), /Alice.*Valide/s);
    await item.getByRole('button', { name: 'Révoquer le badge de Alice' }).click();
    await item.getByRole('button', { name: 'Confirmer la révocation' }).click();
    await waitForText(panel.getByTestId('badges-status'), /^Indiquez le motif de la révocation\.$/);
    await item.getByLabel(/^Motif de la révocation/).fill('Réponse donnée par un voisin');
    await item.getByRole('button', { name: 'Confirmer la révocation' }).click();
    await waitForText(item.getByTestId('badge-award'), /Alice.*Révoqué.*Réponse donnée par un voisin/s);
    await shot(trainer, 'badges-05-console-revoked');
    await assertAccessible(trainer, 'quiz console: an award revoked');
    const id = award.split('/').filter(Boolean).pop();
    jwt = await (await fetch(`${base}/badges/credentials/${id}/credential.jwt`)).text();
    assert.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a VC-JWT');
  });

  await t.test('the verifier at 1920×1080: the pasted credential is revoked, a scrap unreadable', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
    context.setDefaultTimeout(STEP_MS);
    const page = await context.newPage();
    await page.goto(`${base}/badges/verifier`);
    await page.getByRole('heading', { level: 1, name: 'Vérifier un badge' }).waitFor();
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await waitForText(page.getByTestId('verify-result'), /Collez un badge ou choisissez son fichier\./);
    await page.getByLabel(/^Badge à vérifier/).fill(jwt);
    await page.getByRole('button', { name: 'Vérifier' }).click();
    const verdict = page.getByTestId('verdict');
    await waitForText(verdict, /Badge révoqué par son émetteur\..*Géographe du Rhône/s);
    assert.equal(await verdict.getAttribute('data-verdict'), 'revoked');
    await shot(page, 'badges-06-verifier-revoked-1920');
    await assertAccessible(page, 'verifier: revoked (1920×1080)');
    await page.getByLabel(/^Badge à vérifier/).fill('pas un badge');
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await waitUntil(async () => (await verdict.getAttribute('data-verdict')) === 'malformed', 'the scrap said unreadable');
    await waitForText(verdict, /Illisible/);
    // The file input reads the same.
    await page.getByLabel(/^Ou son fichier/).setInputFiles({ name: 'badge.jwt', mimeType: 'text/plain', buffer: Buffer.from(jwt) });
    await waitUntil(async () => (await page.getByLabel(/^Badge à vérifier/).inputValue()) === jwt, 'the file read into the form');
    await context.close();
  });

  await t.test('the phone’s verification page says revoked too, with the reason', async () => {
    await phone.goto(award.startsWith('http') ? award : `${base}${award}`);
    const verdict = phone.getByTestId('verdict');
    await waitForText(verdict, /Badge révoqué par son émetteur\..*Motif de la révocation\s*Réponse donnée par un voisin/s);
    await shot(phone, 'badges-07-phone-revoked-360');
  });
});

test('badges: a board post is the evidence of its author’s badge', { timeout: 180_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const json = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' };
  let response = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST', headers: json,
    body: JSON.stringify({ title: 'Mur du cycle de l’eau', kind: 'board', board: { sections: ['Idées'], settings: { completion_posts: 1 } } }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  const room = await response.json();
  response = await fetch(`${base}/api/v1/badges`, {
    method: 'POST', headers: json,
    body: JSON.stringify({ activity: room.id, name: 'Contributrice', description: 'A contribué au mur.', criteria: 'Publier un message.', rule: 'complete' }),
  });
  assert.equal(response.status, 201, await response.clone().text());

  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
  context.setDefaultTimeout(STEP_MS);
  const phone = await context.newPage();
  let credential;

  await t.test('the phone posts an image with a text; "Badge obtenu" follows', async () => {
    await phone.goto(`${base}/j/${room.join_code}`);
    await phone.getByLabel('Pseudonyme').fill('Inès');
    await phone.getByRole('button', { name: 'Rejoindre' }).click();
    await phone.getByTestId('board').waitFor();
    const form = phone.getByTestId('compose');
    await form.getByTestId('post-title').fill('Le cycle de l’eau');
    await form.getByTestId('post-text-input').fill('Évaporation, condensation, précipitations.');
    await form.getByTestId('post-extras').click();
    const image = readFileSync(new URL('../../tests/fixtures/badges/badge.png', import.meta.url));
    await form.getByTestId('post-image-input').setInputFiles({ name: 'schema.png', mimeType: 'image/png', buffer: image });
    await waitForText(form.getByTestId('image-status'), /Image jointe\s: schema\.png/);
    await form.getByTestId('post-alt').fill('Le schéma du cycle');
    await form.getByTestId('post-submit').click();
    const earned = phone.getByTestId('badge-earned');
    await waitForText(earned, /Contributrice/, 30_000);
    credential = await earned.getByTestId('award-page').getAttribute('href');
    assert.match(credential, /\/badges\/credentials\/[0-9a-f-]{36}$/);
  });

  await t.test('the award’s page shows the post, its text and image (360 px)', async () => {
    await phone.goto(credential.startsWith('http') ? credential : `${base}${credential}`);
    await waitForText(phone.getByTestId('verdict'), /Badge authentique/);
    const item = phone.getByTestId('evidence-item');
    await waitForText(item, /Le cycle de l’eau.*Contribution au mur\s«\s?Mur du cycle de l’eau\s?».*Évaporation, condensation/s);
    const img = item.locator('img');
    assert.equal(await img.getAttribute('alt'), 'Le schéma du cycle');
    await waitUntil(() => img.evaluate((i) => i.complete && i.naturalWidth > 0), 'the evidence image to load');
    await item.scrollIntoViewIfNeeded();
    await assertFits(phone, PHONE.width, 'phone: evidence');
    await shot(phone, 'badges-08-phone-evidence-360');
    await assertAccessible(phone, 'award page with evidence (phone)');
  });

  await t.test('the credential’s evidence link opens the page at the post (1920×1080)', async () => {
    const id = credential.split('/').pop();
    const answer = await (await fetch(`${base}/badges/credentials/${id}`, { headers: { Accept: 'application/json' } })).json();
    const linked = answer.credential.evidence.filter((e) => e.id);
    assert.equal(linked.length, 1, JSON.stringify(answer.credential.evidence));
    assert.match(linked[0].id, /\/evidence#post-/);
    const wide = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
    const page = await wide.newPage();
    await page.goto(linked[0].id);
    const anchor = linked[0].id.split('#')[1];
    await page.locator(`[id="${anchor}"]`).waitFor();
    await waitUntil(() => page.evaluate((a) => document.activeElement?.id === a, anchor), 'the linked post to have the focus');
    await shot(page, 'badges-09-evidence-1920');
    await assertAccessible(page, 'evidence page (1920)');
    await wide.close();
  });
  await context.close();
});
