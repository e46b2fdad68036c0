// End-to-end ateliers (breakout rooms) against the real server (harness.mjs):
// a facilitator prepares a plan of two ateliers (a form error and a bad
// resource line refused first), three participants join on 360 px phones
// and wait in the plenary; the facilitator assigns one by hand and
// distributes the others, gives an atelier a video link, opens every
// atelier (each phone shows its atelier, countdown, instructions and
// resources; the video link where there is one); a broadcast to everyone
// reaches every phone once, one to a single atelier only its members; a
// help call reaches the facilitator, who answers then closes it; a
// production handed in offline is shown as queued and sent once, under one
// id, when the network is back; the facilitator publishes it to the
// plenary: the phones and the projector window (observer token, 1920 px)
// show it labelled with its atelier; the console's projector view shows the
// ateliers' timers, large; an atelier is extended and closed, then every
// atelier, and everyone is sent back to the plenary; a phone in English; the participation.json and attendance.csv
// downloads. Every screen state goes through the axe-core check
// (assertAccessible); screenshots go to test-results/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RESULTS, STEP_MS, assertAccessible, assertFits, recordFrames, shot, startHarness, waitForText, waitUntil } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
const TITLE = 'Ateliers du mercredi — e2e';
const A1 = 'Différenciation';
const A2 = 'Évaluation';
const VIDEO = 'https://visio.example.org/rooms/differenciation';
const TO_ALL = 'Pensez à préparer votre synthèse.';
const TO_A2 = 'Message pour l’atelier Évaluation seulement.';
const PRODUCTION = 'Trois idées :\n1. des consignes graduées\n2. du tutorat';

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-breakout.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

/** A participant's phone, joined with the code. */
async function joinOnPhone(code, name) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const frames = recordFrames(page);
  await page.goto(`${base}/j/${code}`);
  await page.getByLabel('Pseudonyme').fill(name);
  await page.getByRole('button', { name: 'Rejoindre' }).click();
  await page.getByTestId('plenary').waitFor();
  await waitForText(page.getByTestId('connection'), /^Connecté$/);
  return { page, frames, context, name };
}

/** The breakout commands a page sent with this action. */
function sentCommands(frames, action) {
  return frames.sent.filter((f) => f.type === 'breakout' && f.command?.action === action);
}

/** The texts of the broadcasts a page shows. */
async function broadcastTexts(page) {
  return (await page.getByTestId('broadcast').locator('.amphi-announcement__text').allTextContents()).map((s) => s.trim());
}

test('ateliers: plan, assignment, opening, broadcasts, help call, offline production, plenary, projector, downloads', { timeout: 300_000 }, async (t) => {
  let trainer;
  let trainerContext;
  let roomId;
  let code;
  let phones = [];
  let atelierOf = {};
  // Each step needs the ones before: after a failure, the rest are skipped.
  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
  const card = (name) => trainer.getByTestId('atelier-card').filter({ has: trainer.getByRole('heading', { level: 3, name }) });

  await step('the facilitator prepares a plan of two ateliers', async () => {
    const token = await harness.token(['--role', 'facilitator', '--name', 'Mme Leroy']);
    trainerContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
    trainerContext.setDefaultTimeout(STEP_MS);
    trainer = await trainerContext.newPage();
    trainer.on('dialog', (d) => void d.accept());
    const frames = recordFrames(trainer);
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('button', { name: 'Créer des ateliers' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Créer des ateliers' }).waitFor();
    assert.equal(new URL(trainer.url()).pathname, '/ateliers/nouveau');
    await trainer.getByRole('button', { name: 'Créer les ateliers', exact: true }).click();
    await waitForText(trainer.getByTestId('error'), /titre à la session/);
    await assertAccessible(trainer, 'ateliers creation: error');

    await trainer.getByLabel('Titre de la session').fill(TITLE);
    const rows = trainer.getByTestId('atelier-row');
    assert.equal(await rows.count(), 2, 'two ateliers to start with');
    await rows.nth(0).getByTestId('atelier-name').fill(A1);
    await rows.nth(0).getByTestId('atelier-instructions').fill('Listez trois façons de différencier une consigne.');
    await rows.nth(0).getByTestId('atelier-duration').fill('20');
    await rows.nth(0).getByTestId('atelier-resources').fill('Éduscol | https://eduscol.education.fr/\nune ressource sans adresse');
    await rows.nth(1).getByTestId('atelier-name').fill(A2);
    await rows.nth(1).getByTestId('atelier-duration').fill('15');
    await rows.nth(1).getByTestId('atelier-capacity').fill('10');
    // A third row, added then removed: the focus goes to the new row, then back to "Ajouter".
    await trainer.getByTestId('add-atelier').click();
    assert.equal(await rows.count(), 3);
    assert.equal(await rows.nth(2).getByTestId('atelier-name').evaluate((el) => el === document.activeElement), true, 'focus on the new row');
    await trainer.getByRole('button', { name: 'Retirer l’atelier 3' }).click();
    assert.equal(await rows.count(), 2);
    assert.equal(await trainer.getByTestId('add-atelier').evaluate((el) => el === document.activeElement), true, 'focus back on "Ajouter"');

    await trainer.getByRole('button', { name: 'Créer les ateliers', exact: true }).click();
    await waitForText(trainer.getByTestId('error'), /Atelier 1, ressource ligne 2/);
    assert.equal(await rows.nth(0).getByTestId('atelier-resources').evaluate((el) => el === document.activeElement), true, 'focus on the faulty field');
    await assertAccessible(trainer, 'ateliers creation: bad resource');
    await rows.nth(0).getByTestId('atelier-resources').fill('Éduscol | https://eduscol.education.fr/');
    await shot(trainer, 'breakout-01-create');
    await assertAccessible(trainer, 'ateliers creation: filled');
    await trainer.getByRole('button', { name: 'Créer les ateliers', exact: true }).click();

    await trainer.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    await trainer.getByRole('img', { name: new RegExp(`QR code.*${code}`) }).waitFor();
    const joined = frames.received.find((f) => f.type === 'joined');
    roomId = joined.room.id;
    assert.equal(joined.room.kind, 'breakout');
    assert.deepEqual(joined.snapshot.breakout.plan.ateliers.map((a) => [a.id, a.name, a.duration_s]), [['a1', A1, 1200], ['a2', A2, 900]]);
    assert.deepEqual(joined.snapshot.breakout.plan.ateliers[0].resources, [{ title: 'Éduscol', url: 'https://eduscol.education.fr/' }]);
    await waitForText(trainer.getByTestId('session-status'), /En préparation/);
    assert.equal(await trainer.getByTestId('atelier-card').count(), 2);
    await shot(trainer, 'breakout-02-console-empty');
    await assertAccessible(trainer, 'ateliers console: preparing');
  });

  await step('three participants join on phones and wait in the plenary', async () => {
    for (const name of ['Alice', 'Bob', 'Chloé']) phones.push(await joinOnPhone(code, name));
    const [alice] = phones;
    await waitForText(alice.page.getByTestId('place-text'), /va vous attribuer un atelier/);
    assert.equal(await alice.page.getByRole('heading', { level: 1 }).textContent(), TITLE);
    assert.equal(await alice.page.getByTestId('call-form').isHidden(), true, 'no help call from the plenary');
    await assertFits(alice.page, PHONE.width, 'the plenary');
    await shot(alice.page, 'breakout-03-phone-plenary');
    await assertAccessible(alice.page, 'participant: plenary');
    await waitUntil(async () => (await trainer.getByTestId('participant').count()) === 3, 'three participants on the console');
    // Each participant can be removed from the console; the lock switch is there, the room open.
    assert.equal(await trainer.getByTestId('participant').getByRole('button', { name: /^Retirer .* de la salle$/ }).count(), 3);
    assert.equal(await trainer.getByLabel('Verrouiller la salle aux nouveaux invités').isChecked(), false);
  });

  await step('one participant assigned by hand, the others distributed', async () => {
    const row = trainer.getByTestId('participant').filter({ hasText: 'Alice' });
    await row.getByTestId('assign-select').selectOption({ label: A1 });
    await trainer.getByRole('button', { name: 'Affecter Alice à l’atelier choisi' }).click();
    const [alice, bob, chloe] = phones;
    await waitForText(alice.page.getByTestId('place-text'), new RegExp(`Votre atelier : « ${A1} »`));
    await waitForText(alice.page.getByTestId('my-atelier-name'), new RegExp(`^${A1}$`));
    assert.equal(await bob.page.getByTestId('my-atelier').count(), 0, 'Bob not assigned yet');
    await assertAccessible(trainer, 'ateliers console: one assigned');

    await trainer.getByTestId('distribute').click();
    for (const phone of phones) {
      const name = await waitForText(phone.page.getByTestId('my-atelier-name'), new RegExp(`^(${A1}|${A2})$`));
      atelierOf[phone.name] = name;
    }
    assert.equal(atelierOf.Alice, A1, 'the hand-made assignment is kept');
    // Balanced: the two left over are dealt to the smallest atelier first.
    assert.ok([atelierOf.Bob, atelierOf.Chloé].includes(A2), `someone in ${A2}: ${JSON.stringify(atelierOf)}`);
    await waitUntil(async () => (await card(A1).getByTestId('atelier-members').textContent()).startsWith(`${[atelierOf.Alice, atelierOf.Bob, atelierOf.Chloé].filter((a) => a === A1).length} participant`), 'the members counted on the card');
    for (const phone of [bob, chloe]) {
      const selected = await trainer.getByTestId('participant').filter({ hasText: phone.name }).getByTestId('assign-select').evaluate((s) => s.selectedOptions[0].textContent);
      assert.equal(selected, atelierOf[phone.name], `${phone.name}'s atelier shown on the console`);
    }
    await shot(alice.page, 'breakout-04-phone-assigned');
    await assertAccessible(alice.page, 'participant: assigned, not open');
    await shot(trainer, 'breakout-05-console-assigned');
    await assertAccessible(trainer, 'ateliers console: distributed');
  });

  await step('the facilitator gives a video link and opens every atelier', async () => {
    await card(A1).getByLabel(/Salle visio/).fill(VIDEO);
    // The cards are redrawn as someone's connection comes and goes: what was typed stays.
    const { context, name } = phones[1];
    const presence = () => trainer.getByTestId('participant').filter({ hasText: name }).locator('.fr-badge');
    await context.setOffline(true);
    await waitForText(presence(), /^déconnecté$/i, 30_000);
    await context.setOffline(false);
    await waitForText(presence(), /^connecté$/i, 30_000);
    assert.equal(await card(A1).getByLabel(/Salle visio/).inputValue(), VIDEO, 'the address typed survives the redraws');
    await trainer.getByRole('button', { name: `Enregistrer le lien de la salle visio de l’atelier « ${A1} »` }).click();
    await trainer.getByTestId('open-all').click();
    await waitForText(trainer.getByTestId('session-status'), /Ateliers en cours/);
    await waitForText(card(A1).getByTestId('atelier-state'), /^Ouvert$/);
    await waitForText(card(A1).getByTestId('atelier-countdown'), /^(20:00|19:\d\d)$/);
    for (const { page, name } of phones) {
      await waitForText(page.getByTestId('my-atelier').getByTestId('atelier-state'), /^Ouvert$/);
      await waitForText(page.getByTestId('atelier-countdown'), /^\d{1,2}:\d\d$/);
      assert.equal(await page.getByTestId('plenary').count(), 0, `${name} is in the atelier, not the plenary`);
      assert.equal(await page.getByTestId('call-form').isVisible(), true);
    }
    const alice = phones[0];
    await waitForText(alice.page.getByTestId('instructions'), /trois façons de différencier/);
    const resource = alice.page.getByTestId('resources').getByRole('link', { name: /Éduscol/ });
    assert.equal(await resource.getAttribute('href'), 'https://eduscol.education.fr/');
    assert.equal(await resource.getAttribute('rel'), 'noopener noreferrer');
    const video = alice.page.getByTestId('video-link');
    await video.waitFor();
    assert.equal(await video.getAttribute('href'), VIDEO);
    const inA2 = phones.find((p) => atelierOf[p.name] === A2);
    assert.equal(await inA2.page.getByTestId('video-link').count(), 0, 'no video link in the other atelier');
    await assertFits(alice.page, PHONE.width, 'an open atelier');
    await shot(alice.page, 'breakout-06-phone-open');
    await assertAccessible(alice.page, 'participant: atelier open, with video link');
    await shot(trainer, 'breakout-07-console-open');
    await assertAccessible(trainer, 'ateliers console: open');
  });

  await step('a broadcast to everyone reaches every phone once; one to an atelier only its members', async () => {
    await trainer.getByRole('textbox', { name: /^Message/ }).fill(TO_ALL);
    await trainer.getByTestId('broadcast-send').click();
    for (const { page, name } of phones) {
      await waitUntil(async () => (await broadcastTexts(page)).includes(TO_ALL), `the broadcast on ${name}'s phone`);
    }
    await trainer.getByTestId('broadcast-target').selectOption({ label: `L’atelier « ${A2} »` });
    await trainer.getByRole('textbox', { name: /^Message/ }).fill(TO_A2);
    await trainer.getByTestId('broadcast-send').click();
    const members = phones.filter((p) => atelierOf[p.name] === A2);
    const others = phones.filter((p) => atelierOf[p.name] !== A2);
    for (const { page, name } of members) {
      await waitUntil(async () => (await broadcastTexts(page)).includes(TO_A2), `the atelier's broadcast on ${name}'s phone`);
    }
    await waitUntil(async () => (await trainer.getByTestId('broadcast').count()) === 2, 'both broadcasts in the console');
    for (const { page, name } of phones) {
      const texts = await broadcastTexts(page);
      assert.equal(texts.filter((x) => x === TO_ALL).length, 1, `${name} shows the broadcast once`);
      if (others.some((p) => p.name === name)) assert.ok(!texts.includes(TO_A2), `${name} is not in ${A2}`);
    }
    await shot(members[0].page, 'breakout-08-phone-broadcasts');
    await assertAccessible(members[0].page, 'participant: broadcasts received');
  });

  await step('a help call reaches the facilitator, who answers then closes it', async () => {
    const bob = phones[1];
    await bob.page.getByLabel(/Votre question/).fill('On bloque sur la consigne');
    await bob.page.getByTestId('call-help').click();
    await waitForText(bob.page.getByTestId('call-status'), /Appel envoyé/);
    assert.equal(await bob.page.getByTestId('call-help').isDisabled(), true, 'one call at a time');
    const call = trainer.getByTestId('help-call');
    await waitForText(call, new RegExp(`Bob, atelier « ${atelierOf.Bob} ».*On bloque sur la consigne`, 's'));
    await waitForText(call.getByTestId('help-call-state'), /En attente/);
    await shot(trainer, 'breakout-09-console-call');
    await assertAccessible(trainer, 'ateliers console: help call waiting');
    await trainer.getByRole('button', { name: 'Répondre à l’appel de Bob' }).click();
    await waitForText(call.getByTestId('help-call-state'), /Pris en charge par Mme Leroy/);
    await waitForText(bob.page.getByTestId('call-status'), /Mme Leroy a pris votre appel/);
    await assertAccessible(bob.page, 'participant: help call taken');
    await trainer.getByRole('button', { name: 'Clore l’appel de Bob' }).click();
    await waitUntil(async () => (await trainer.getByTestId('help-call').count()) === 0, 'the call to leave the queue');
    await waitUntil(async () => !(await bob.page.getByTestId('call-help').isDisabled()), 'Bob may call again');
    assert.equal(await phones[0].page.getByTestId('call-status').textContent(), '', 'Alice never saw Bob’s call');
  });

  await step('a production handed in offline is queued, then sent once under its id', async () => {
    const { page, context, frames } = phones[0];
    await page.getByTestId('production-submit').click();
    await waitForText(page.getByTestId('production-error'), /Écrivez un texte ou donnez un lien/);
    assert.equal(await page.getByTestId('production-text-input').getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'participant: empty production refused');
    await context.setOffline(true);
    await waitForText(page.getByTestId('connection'), /Hors ligne|Reconnexion/);
    await page.getByTestId('production-text-input').fill(PRODUCTION);
    await page.getByTestId('production-link-input').fill('https://pad.example.org/p/differenciation');
    await page.getByTestId('production-submit').click();
    await waitForText(page.getByTestId('production-queued'), /Hors ligne\s: votre production sera envoyée/);
    await shot(page, 'breakout-10-phone-production-offline');
    await assertAccessible(page, 'participant: production queued offline');
    await context.setOffline(false);
    const current = page.getByTestId('production-current');
    await waitForText(current, /version 1/, 30_000);
    assert.equal(await current.getByTestId('production-text').evaluate((el) => el.textContent), PRODUCTION, 'line breaks kept');
    assert.equal(await current.getByTestId('production-text').evaluate((el) => getComputedStyle(el).whiteSpace), 'pre-wrap');
    await waitUntil(async () => (await page.getByTestId('production-queued').isHidden()), 'the queued notice to go');
    const sent = sentCommands(frames, 'submit_production');
    assert.ok(sent.length >= 1);
    assert.equal(new Set(sent.map((c) => c.id)).size, 1, 'one client id for the production');
    await waitForText(card(A1).getByTestId('production-text'), /Trois idées/);
    assert.equal(await card(A1).getByTestId('production').count(), 1, 'handed in once');
    await shot(page, 'breakout-11-phone-production-sent');
    await assertAccessible(page, 'participant: production sent');
  });

  await step('the facilitator publishes it to the plenary: phones see it labelled', async () => {
    await trainer.getByRole('button', { name: `Publier en plénière la production de l’atelier « ${A1} »` }).click();
    await waitForText(card(A1).getByTestId('publish-one'), /Publiée en plénière/);
    for (const { page, name } of phones) {
      const published = page.getByTestId('published').getByTestId('production');
      await waitForText(published.getByTestId('production-atelier'), new RegExp(`^${A1}$`));
      assert.equal(await published.getByTestId('production-text').textContent(), PRODUCTION, `${name} sees the text`);
    }
    await shot(phones[1].page, 'breakout-12-phone-published');
    await assertAccessible(phones[1].page, 'participant: production published');
    await assertAccessible(trainer, 'ateliers console: published');
  });

  await step('the projector window shows the code, the QR code and the published production at 1920 px', async () => {
    await trainer.setViewportSize({ width: 1920, height: 1080 });
    const [popup] = await Promise.all([
      trainerContext.waitForEvent('page'),
      trainer.getByTestId('projector-window').click(),
    ]);
    await popup.setViewportSize({ width: 1920, height: 1080 });
    await popup.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    assert.equal(new URL(popup.url()).hash, '', 'the token left the address bar');
    await waitForText(popup.getByTestId('join-code'), new RegExp(`^${code}$`));
    await popup.getByRole('img', { name: new RegExp(`QR code.*${code}`) }).waitFor();
    await waitForText(popup.getByTestId('session-status'), /Ateliers en cours/);
    const shown = popup.getByTestId('published').getByTestId('production');
    await waitForText(shown.getByTestId('production-atelier'), new RegExp(`^${A1}$`));
    await waitUntil(async () => (await broadcastTexts(popup)).includes(TO_ALL), 'the broadcast to everyone on the projector');
    assert.ok(!(await broadcastTexts(popup)).includes(TO_A2), 'an atelier’s broadcast stays in the atelier');
    assert.equal(await popup.getByRole('button', { name: /Publier|Ouvrir|Fermer|Affecter/ }).count(), 0, 'read only');
    const size = await shown.getByTestId('production-text').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 24, `projector text is large (${size}px)`);
    await shot(popup, 'breakout-13-projector');
    await assertAccessible(popup, 'projector window: ateliers plenary');
    await popup.close();

    // The console's own projector view: the ateliers with their timers, large.
    await trainer.getByTestId('projector-mode').click();
    assert.equal(await trainer.getByTestId('projector-mode').getAttribute('aria-pressed'), 'true');
    assert.equal(await trainer.getByTestId('open-all').isVisible(), false, 'no controls on the projector view');
    await waitForText(card(A2).getByTestId('atelier-countdown'), /^\d{1,2}:\d\d$/);
    const timer = await card(A1).locator('.amphi-atelier-countdown').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(timer >= 40, `projector timers are large (${timer}px)`);
    await shot(trainer, 'breakout-14-console-projector-view');
    await assertAccessible(trainer, 'ateliers console: projector view');
    await trainer.getByTestId('projector-mode').click();
    await trainer.setViewportSize({ width: 1280, height: 900 });
  });

  await step('an atelier extended, one closed, then every atelier; everyone back in the plenary', async () => {
    const before = await card(A1).getByTestId('atelier-countdown').textContent();
    await trainer.getByRole('button', { name: `Prolonger de 5 min l’atelier « ${A1} »` }).click();
    await waitUntil(async () => {
      const [m] = (await card(A1).getByTestId('atelier-countdown').textContent()).split(':').map(Number);
      return m >= Number(before.split(':')[0]) + 4;
    }, 'the countdown moved by 5 minutes');
    await trainer.getByRole('button', { name: `Fermer l’atelier « ${A2} »` }).click();
    await waitForText(card(A2).getByTestId('atelier-state'), /^Terminé$/);
    const inA2 = phones.find((p) => atelierOf[p.name] === A2);
    await waitForText(inA2.page.getByTestId('place-text'), new RegExp(`L’atelier « ${A2} » est terminé`));
    await assertAccessible(inA2.page, 'participant: atelier closed');
    await waitForText(card(A1).getByTestId('atelier-state'), /^Ouvert$/);
    await trainer.getByTestId('close-all').click();
    await waitForText(trainer.getByTestId('session-status'), /Retour en plénière/);
    for (const { page } of phones) await page.getByTestId('plenary').waitFor();
    // The production can still be revised after the atelier closed.
    assert.equal(await phones[0].page.getByTestId('production-form').isVisible(), true);
    // "Tout le monde en plénière": every participant loses their atelier (asked first: the dialog is accepted).
    await trainer.getByTestId('back-to-plenary').click();
    for (const { page } of phones) await waitForText(page.getByTestId('place-text'), /va vous attribuer un atelier/);
    await waitUntil(async () => {
      const values = await trainer.getByTestId('assign-select').evaluateAll((selects) => selects.map((s) => s.value));
      return values.length === 3 && values.every((v) => v === '');
    }, 'every participant back to the plenary on the console');
    await shot(trainer, 'breakout-15-console-plenary');
    await assertAccessible(trainer, 'ateliers console: back in plenary');
  });

  await step('a phone in English', async () => {
    const { page } = phones[2];
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 2, name: 'You are in the plenary' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Productions in plenary' }).waitFor();
    await shot(page, 'breakout-16-phone-english');
    await assertAccessible(page, 'participant: plenary (English)');
  });

  await step('downloads: participation.json and attendance.csv', async () => {
    const [json] = await Promise.all([trainer.waitForEvent('download'), trainer.getByTestId('download-participation-json').click()]);
    const jsonPath = join(RESULTS, 'breakout-participation.json');
    await json.saveAs(jsonPath);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
    assert.equal(report.ateliers.length, 2, JSON.stringify(report).slice(0, 300));
    const byId = Object.fromEntries(report.ateliers.map((a) => [a.id, a]));
    assert.equal(byId.a1.name, A1);
    assert.equal(byId.a1.productions, 1, 'one production handed in');
    assert.equal(byId.a1.broadcasts, 1, 'the broadcast to everyone');
    assert.equal(byId.a2.broadcasts, 2, 'the broadcast to everyone and its own');
    const a2Members = Object.values(atelierOf).filter((a) => a === A2).length;
    assert.equal(byId.a2.members, a2Members);
    assert.equal(byId[atelierOf.Bob === A1 ? 'a1' : 'a2'].help_calls, 1, 'Bob’s call, in his atelier');
    assert.deepEqual(report.members.map((m) => m.name).sort(), ['Alice', 'Bob', 'Chloé']);
    await waitForText(trainer.getByTestId('download-status'), /Fichier enregistré/);
    const [csv] = await Promise.all([trainer.waitForEvent('download'), trainer.getByTestId('download-attendance-csv').click()]);
    const csvPath = join(RESULTS, 'breakout-attendance.csv');
    await csv.saveAs(csvPath);
    const text = readFileSync(csvPath, 'utf8');
    for (const name of ['Alice', 'Bob', 'Chloé']) assert.ok(text.includes(name), `${name} in the attendance`);
    await assertAccessible(trainer, 'ateliers console: downloaded');
  });

  for (const { context } of phones) await context.close();
  await trainerContext?.close();
  assert.ok(roomId);
});
