// End-to-end reactions on a board (harness.mjs): a board of star ratings
// made over the REST API; a participant on a 360 px phone posts, rates it
// 4 stars with a tap, changes to 5 from the keyboard and takes the rating
// back; the trainer's console at 1920 px sees the average and count, rates
// too, and turns the board to likes (the phone's stars give way to the like
// button). Then switches: a board made without documents; the console
// unticks links and comments, the phone's form loses its link and video
// fields and its posts their comment field, and says what is switched off;
// ticked again, comments come back; the console's activity log lists who
// did what (at 1920 px, then with the console at 360 px). axe-core on both,
// at each step.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, assertFits, shot, startHarness, waitForText, waitUntil } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-board-reactions.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

/** A board room made over the REST API, and the trainer's token. */
async function createBoard(settings) {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const room = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Avis sur les séances', kind: 'board', board: { sections: ['Séances'], settings } }),
  }).then((r) => r.json());
  return { token, room };
}

async function openConsole(token, room) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR', acceptDownloads: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  await page.goto(`${base}/j/${room.join_code}?token=${encodeURIComponent(token)}`);
  await page.getByTestId('board').waitFor();
  return page;
}

async function openPhone(room, name) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  await page.goto(`${base}/j/${room.join_code}`);
  await page.getByLabel('Pseudonyme').fill(name);
  await page.getByRole('button', { name: 'Rejoindre' }).click();
  await page.getByTestId('board').waitFor();
  return page;
}

test('board: star ratings, given from a phone and seen on the console', { timeout: 180_000 }, async (t) => {
  const { token, room } = await createBoard({ reactions: 'stars' });
  const trainer = await openConsole(token, room);
  const phone = await openPhone(room, 'Inès');
  const form = phone.getByTestId('compose');
  await form.getByTestId('post-title').fill('Séance 1 : les fractions');
  await form.getByTestId('post-submit').click();
  const mine = phone.getByTestId('post').filter({ hasText: 'Séance 1' });
  const seen = trainer.getByTestId('post').filter({ hasText: 'Séance 1' });

  await t.test('the phone rates the post 4 stars with a tap', async () => {
    await waitForText(mine.getByTestId('stars'), /Pas encore de note/);
    const group = mine.getByRole('group', { name: /Votre note du message/ });
    await group.getByRole('button', { name: '4 étoiles sur 5' }).tap();
    await waitUntil(async () => (await group.getByRole('button', { name: '4 étoiles sur 5' }).getAttribute('aria-pressed')) === 'true', 'my 4 stars pressed');
    await waitForText(mine.getByTestId('stars'), /4 sur 5 \(1 note\)/);
    await assertFits(phone, PHONE.width, 'phone: a rated post');
    await shot(phone, 'board-stars-01-rated-360');
    await assertAccessible(phone, 'board: stars (phone)');
  });

  await t.test('the console sees the average and count, and rates too', async () => {
    await waitForText(seen.getByTestId('stars'), /4 sur 5 \(1 note\)/);
    await seen.getByRole('button', { name: '2 étoiles sur 5' }).click();
    await waitForText(seen.getByTestId('stars'), /3 sur 5 \(2 notes\)/);
    await waitForText(mine.getByTestId('stars'), /3 sur 5 \(2 notes\)/);
    assert.equal(await mine.getByRole('button', { name: '4 étoiles sur 5' }).getAttribute('aria-pressed'), 'true', 'the phone keeps its own');
    await shot(trainer, 'board-stars-02-console-1920');
    await assertAccessible(trainer, 'board: stars (console)');
  });

  await t.test('the phone changes to 5 stars from the keyboard, then takes its rating back', async () => {
    const five = mine.getByRole('button', { name: '5 étoiles sur 5' });
    await five.focus();
    await phone.keyboard.press('Enter');
    await waitForText(mine.getByTestId('stars'), /3,5 sur 5 \(2 notes\)/);
    assert.equal(await five.getAttribute('aria-pressed'), 'true');
    assert.equal(await phone.evaluate(() => document.activeElement?.getAttribute('data-focus')), 'star-5', 'the focus stays on the star');
    await mine.getByRole('button', { name: /^Retirer ma note du message/ }).click();
    await waitForText(mine.getByTestId('stars'), /2 sur 5 \(1 note\)/);
    assert.equal(await mine.getByRole('button', { name: /^Retirer ma note/ }).count(), 0);
    assert.equal(await phone.evaluate(() => document.activeElement?.getAttribute('data-focus')), 'star-5', 'the focus goes back to the star');
    await waitForText(seen.getByTestId('stars'), /2 sur 5 \(1 note\)/);
    await assertAccessible(phone, 'board: rating taken back (phone)');
  });

  await t.test('the console turns the board to likes: the phone gets the like button', async () => {
    await trainer.getByLabel('Réactions aux messages').selectOption('likes');
    await trainer.getByTestId('reactions-apply').click();
    await mine.getByRole('button', { name: /^J’aime · 0 j’aime/ }).waitFor();
    assert.equal(await mine.getByTestId('rate').count(), 0, 'no stars any more');
    await assertFits(phone, PHONE.width, 'phone: back to likes');
    await assertAccessible(trainer, 'board: reactions select (console)');
  });
});

test('board: switches the console sets hide the phone’s controls', { timeout: 180_000 }, async (t) => {
  const { token, room } = await createBoard({ switched_off: ['documents'] });
  const trainer = await openConsole(token, room);
  const phone = await openPhone(room, 'Noé');
  const form = phone.getByTestId('compose');
  await form.getByTestId('post-title').fill('Mon idée');
  await form.getByTestId('post-submit').click();
  const mine = phone.getByTestId('post').filter({ hasText: 'Mon idée' });
  await mine.getByTestId('comment-input').waitFor();
  await waitForText(phone.getByTestId('switched-off'), /Désactivé par l’animateur : documents \(PDF, bureautique\)\./);

  await t.test('the console unticks links and comments', async () => {
    const switches = trainer.getByTestId('switches');
    assert.equal(await switches.getByLabel('Documents (PDF, bureautique)').isChecked(), false, 'as created');
    // A DSFR checkbox is ticked through its label, as a pointer does.
    await switches.getByText('Liens et vidéos', { exact: true }).click();
    await switches.getByText('Commentaires', { exact: true }).click();
    assert.equal(await switches.getByLabel('Liens et vidéos').isChecked(), false);
    await shot(trainer, 'board-switches-01-console-1920');
    await assertAccessible(trainer, 'board: switches (console)');
  });

  await t.test('the phone loses its link, video and comment fields, and is told why', async () => {
    await waitForText(phone.getByTestId('switched-off'), /liens et vidéos, documents \(PDF, bureautique\), commentaires\./);
    await waitUntil(async () => (await mine.getByTestId('comment-input').count()) === 0, 'the comment field to go');
    await form.getByTestId('post-extras').click();
    assert.equal(await form.getByTestId('post-link-input').isVisible(), false, 'no link field');
    assert.equal(await form.getByTestId('post-video-input').isVisible(), false, 'no video field');
    assert.equal(await form.getByTestId('post-image-input').isVisible(), true, 'images still');
    assert.doesNotMatch(await form.getByTestId('post-file-input').getAttribute('accept'), /pdf/);
    await assertFits(phone, PHONE.width, 'phone: switched-off controls');
    await shot(phone, 'board-switches-02-phone-360');
    await assertAccessible(phone, 'board: switched-off controls (phone)');
  });

  await t.test('ticked again, comments come back', async () => {
    const comments = trainer.getByTestId('switches').getByLabel('Commentaires');
    await comments.focus();
    await trainer.keyboard.press('Space'); // from the keyboard this time
    await waitUntil(() => comments.isChecked(), 'comments ticked');
    await mine.getByTestId('comment-input').fill('Finalement, oui');
    await mine.getByTestId('comment-send').click();
    await waitForText(trainer.getByTestId('post').filter({ hasText: 'Mon idée' }).getByTestId('comment'), /Finalement, oui/);
  });

  await t.test('the console’s activity log says who did what, newest first', async () => {
    const panel = trainer.getByTestId('activity-panel');
    await panel.locator('summary').click();
    await waitForText(panel.getByTestId('activity-status'), /5 entrées affichées/);
    const rows = panel.getByTestId('activity-entry');
    const texts = (await rows.allTextContents()).map((r) => r.replace(/\s+/g, ' ').trim());
    assert.match(texts[0], /Noé a commenté « Finalement, oui » Mon idée$/);
    assert.match(texts[1], /Mme Durand a autorisé : commentaires/);
    assert.match(texts[2], /Mme Durand a désactivé : commentaires/);
    assert.match(texts[3], /Mme Durand a désactivé : liens et vidéos/);
    assert.match(texts[4], /Noé a publié Mon idée$/);
    assert.equal(await panel.getByRole('columnheader').count(), 4);
    const [download] = await Promise.all([trainer.waitForEvent('download'), trainer.getByTestId('download-activity-csv').click()]);
    assert.match(download.suggestedFilename(), /activite-tableau\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.match(csv.split('\n')[1], /;Noé;participant;post;p1;Mon idée;/, 'oldest first, in French');
    await shot(trainer, 'board-activity-01-console-1920');
    await assertAccessible(trainer, 'board: activity log (console)');
    await trainer.setViewportSize(PHONE);
    await assertFits(trainer, PHONE.width, 'console at 360 px: activity log');
    await shot(trainer, 'board-activity-02-console-360');
    await assertAccessible(trainer, 'board: activity log (console at 360 px)');
  });
});
