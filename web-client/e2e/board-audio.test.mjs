// End-to-end voice messages on a board (harness.mjs; Chromium's fake
// microphone): a participant on a 360 px phone records a voice message
// (about two seconds), stops, posts it; the server sniffs the recording as
// audio/webm; the trainer's console at 1920 px plays it (a player with a
// duration), and the phone's own card has it too. axe-core on both.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, assertFits, shot, sleep, startHarness, waitForText, waitUntil } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-board-audio.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

test('board: a voice message recorded on a phone, played in the console', { timeout: 180_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const room = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Tableau des voix', kind: 'board', board: { sections: ['Témoignages'] } }),
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
  let recorded;

  await t.test('the phone records a voice message and posts it', async () => {
    await form.getByTestId('post-extras').click();
    const record = form.getByTestId('record-audio');
    await record.click();
    await waitForText(record, /^Arrêter l’enregistrement \(0:0\d\)$/);
    await waitForText(form.getByTestId('record-status'), /Enregistrement en cours/);
    await sleep(2_200);
    await shot(phone, 'board-audio-01-recording-360');
    await record.click();
    await waitForText(form.getByTestId('file-status'), /message-audio-.*\.webm/);
    await form.getByTestId('post-title').fill('Mon témoignage');
    await form.getByTestId('post-submit').click();
    const card = phone.getByTestId('post').filter({ hasText: 'Mon témoignage' });
    await card.getByTestId('post-audio').waitFor();
    recorded = await card.getByTestId('post-audio').getAttribute('src');
    await assertFits(phone, PHONE.width, 'phone: a voice message posted');
    await shot(phone, 'board-audio-02-posted-360');
    await assertAccessible(phone, 'board: a voice message posted (phone)');
  });

  await t.test('the server keeps it as sound; the console plays it', async () => {
    const blob = await trainer.request.get(`${base}${recorded}`);
    assert.equal(blob.headers()['content-type'], 'audio/webm', 'sniffed as a WebM with sound only');
    const card = trainer.getByTestId('post').filter({ hasText: 'Mon témoignage' });
    const player = card.getByTestId('post-audio');
    await player.waitFor();
    await waitUntil(() => player.evaluate((audio) => audio.readyState >= 1), 'the player reads the recording');
    await player.evaluate((audio) => { audio.muted = true; return audio.play(); });
    await waitUntil(() => player.evaluate((audio) => audio.currentTime > 0.3), 'the recording plays');
    await shot(trainer, 'board-audio-03-console-1920');
    await assertAccessible(trainer, 'board console: a voice message (1920)');
  });
});
