// End-to-end: an atelier whose BigBlueButton room cannot be made, against the
// real server (harness.mjs) pointed at a BigBlueButton that does not answer
// (nothing listens on its port). The facilitator's console at 1280 px says
// why the atelier has no video room while the server tries again by itself,
// then offers "Réessayer maintenant" once it has stopped; asking again is
// acknowledged and tried (the problem comes back, BigBlueButton being still
// away); the participants' join URL is never signed for a room that does not
// exist. Then, against the BigBlueButton simulator (the Rust tests' stand-in,
// run as a process: `cargo build --example bbb_simulator`, or
// BBB_SIMULATOR_BIN), recordings: a moderator records atelier « Lecture »,
// its meeting ends, the facilitator's console lists the recording under the
// atelier (asked of getRecordings, no callback being reachable here) with
// BigBlueButton's player, shows it in the plenary (a participant's phone
// gets the link), and deletes the session's recordings (gone from
// BigBlueButton too). Every state goes through axe-core.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, plainSpaces, shot, startHarness, STEP_MS, waitForText, waitUntil, WEB_CLIENT } from './harness.mjs';

const CONSOLE = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
const SIMULATOR = resolve(WEB_CLIENT, process.env.BBB_SIMULATOR_BIN ?? '../target/debug/examples/bbb_simulator');

describe('a BigBlueButton that does not answer', () => {
let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-video-room.log', {
    AMPHI_BBB__URL: 'http://127.0.0.1:9/bigbluebutton/',
    AMPHI_BBB__SECRET: 'e2e-bbb-secret',
    AMPHI_BBB__TIMEOUT_MS: '500',
    // Pauses of 0.3, 0.6, 1.2, 2.4 s between the five tries: each phase is seen.
    AMPHI_BBB__RETRY_BACKOFF_MS: '300',
  });
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

test('an atelier without its video room: told why, retried, then "Réessayer maintenant"', async () => {
  const token = await harness.token(['--role', 'facilitator', '--name', 'Mme Leroy']);
  const created = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Ateliers', kind: 'breakout', breakout: { plan: { mode: 'manual', ateliers: [
      { id: 'a1', name: 'Lecture', duration_s: 900 },
    ] } } }),
  });
  assert.equal(created.status, 201);
  const room = await created.json();
  const context = await browser.newContext({ viewport: CONSOLE, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${base}/entrer#${new URLSearchParams({ room: room.id, token, lang: 'fr' })}`);
  await page.getByTestId('open-one').click();

  const problem = page.getByTestId('video-problem');
  await waitForText(problem, /n’a pas encore pu être créée : BigBlueButton est injoignable\. Nouvel essai automatique en cours…/);
  assert.equal(await problem.getByRole('button').count(), 0, 'nothing to do while the server tries');
  await waitForText(problem, /La salle visio de « Lecture » n’a pas pu être créée : BigBlueButton est injoignable\./);
  const retry = problem.getByRole('button', { name: 'Réessayer maintenant : la salle visio de « Lecture »' });
  assert.equal(await retry.textContent(), 'Réessayer maintenant');
  assert.match(await problem.getAttribute('title'), /cannot reach BigBlueButton/, 'the technical detail for whoever needs it');
  await shot(page, 'video-room-problem');
  await assertAccessible(page, 'an atelier without its video room');

  // No join URL for a room that does not exist.
  const video = await fetch(`${base}/api/v1/sessions/${room.id}/ateliers/a1/video`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(video.status, 503, 'BigBlueButton away: nothing signed');

  await retry.click();
  // Asked again: the server tries by itself once more, BigBlueButton being still away, then offers again.
  await waitForText(page.getByTestId('video-problem'), /Nouvel essai automatique en cours…/);
  await waitForText(page.getByTestId('video-problem'), /n’a pas pu être créée/);
  await page.getByTestId('video-problem').getByRole('button', { name: /Réessayer/ }).waitFor();
  await context.close();
});
});

/** Starts the simulator process → { url, control, stop() }. */
async function startSimulator(secret) {
  const child = spawn(SIMULATOR, [secret], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolveLine, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}): build it with cargo build --example bbb_simulator`)));
    createInterface({ input: child.stdout }).once('line', resolveLine);
  });
  const { url, control } = JSON.parse(line);
  return { url, control, stop: () => child.stdin.end() };
}

describe('recordings of the ateliers, with the BigBlueButton simulator', () => {
  let harness;
  let simulator;

  before(async () => {
    simulator = await startSimulator('e2e-bbb-secret');
    harness = await startHarness('amphi-server-recordings.log', {
      AMPHI_BBB__URL: simulator.url,
      AMPHI_BBB__SECRET: 'e2e-bbb-secret',
    });
  });

  after(async () => {
    await harness?.stop();
    simulator?.stop();
  });

  test('a recorded atelier: listed under it, shown in plenary, deleted', async () => {
    const { base, browser } = harness;
    const token = await harness.token(['--role', 'facilitator', '--name', 'Mme Leroy']);
    const created = await fetch(`${base}/api/v1/rooms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Ateliers', kind: 'breakout', breakout: { plan: { mode: 'manual', ateliers: [
        { id: 'a1', name: 'Lecture', duration_s: 900 },
        { id: 'a2', name: 'Écriture', duration_s: 900 },
      ] } } }),
    });
    assert.equal(created.status, 201);
    const room = await created.json();
    const context = await browser.newContext({ viewport: CONSOLE, locale: 'fr-FR' });
    context.setDefaultTimeout(STEP_MS);
    const page = await context.newPage();
    await page.goto(`${base}/entrer#${new URLSearchParams({ room: room.id, token, lang: 'fr' })}`);
    const section = page.getByTestId('recordings');
    await section.waitFor();
    await waitForText(section.getByTestId('recordings-none'), /^Aucun enregistrement pour le moment\.$/);
    await page.locator('[data-atelier="a1"]').getByTestId('open-one').click();

    // The meeting exists once its join URL is signed; a moderator records, then it ends.
    const meeting = `amphi-${room.id}-a1`;
    await waitUntil(async () => (await fetch(`${base}/api/v1/sessions/${room.id}/ateliers/a1/video`,
      { headers: { Authorization: `Bearer ${token}` } })).status === 200, 'the video room of « Lecture »');
    // Once its video link is in the console, a document added while the atelier runs: on its page (no public address here, so nothing goes to the video room).
    const card = page.locator('[data-testid="atelier-card"][data-atelier="a1"]');
    await waitUntil(async () => (await card.locator('input[type="url"]').inputValue()).includes('/video'), 'the video link in the card');
    await card.getByTestId('add-file-input').setInputFiles({ name: 'consigne.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%1\n' + 'a'.repeat(300)) });
    await card.getByRole('button', { name: 'Ajouter un document à « Lecture »' }).click();
    await waitForText(page.getByTestId('files-status'), /^Document « consigne\.pdf » ajouté à la page de l’atelier « Lecture »\.$/);

    const control = (path, method = 'POST') => fetch(`${simulator.control}${path}`, { method }).then((r) => r.json());
    assert.deepEqual(await control(`/record/${meeting}`), { recording: true });
    const { record_id: recordId } = await control(`/end/${meeting}`);
    assert.ok(recordId);

    // Listed under its atelier, played in BigBlueButton's player.
    await section.getByTestId('recordings-refresh').click();
    await waitForText(section.getByTestId('recordings-status'), /^Liste des enregistrements à jour\.$/);
    const group = section.locator('[data-testid="recordings-atelier"][data-atelier="a1"]');
    await waitForText(group.getByRole('heading'), /^Lecture$/);
    const link = group.getByTestId('recording-link');
    assert.match(await link.getAttribute('href'), new RegExp(`/playback/presentation/2\\.3/${recordId}$`));
    assert.match(plainSpaces(await link.textContent()), /^Regarder l’enregistrement de « Lecture \d{1,2}h\d\d »$/);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await section.locator('[data-atelier="a2"]').count(), 0, 'nothing recorded in « Écriture »');
    await shot(page, 'recordings-listed');
    await assertAccessible(page, 'the recordings of the ateliers');

    // Shown in plenary: a participant's phone gets the link.
    const phoneContext = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
    phoneContext.setDefaultTimeout(STEP_MS);
    const phone = await phoneContext.newPage();
    await phone.goto(`${base}/j/${room.join_code}`);
    await phone.getByLabel('Pseudonyme').fill('Zoé');
    await phone.getByRole('button', { name: 'Rejoindre' }).click();
    await phone.getByTestId('plenary').waitFor();
    await group.getByTestId('recording-publish').click();
    const shared = phone.getByTestId('shared-recording');
    await waitForText(shared, /Lecture/);
    assert.equal(await shared.getByTestId('shared-recording-link').getAttribute('href'), await link.getAttribute('href'));
    await page.getByTestId('shared-recording').waitFor();
    await group.getByTestId('recording-unpublish').waitFor();
    await shot(phone, 'recordings-shared-phone');
    await assertAccessible(phone, 'a recording shown in plenary, on a phone');
    await assertAccessible(page, 'a recording shown in plenary, in the console');

    // Deleted with the session's recordings: on BigBlueButton too, and withdrawn from the plenary.
    page.once('dialog', (dialog) => void dialog.accept());
    await section.getByTestId('recordings-delete').click();
    await waitForText(section.getByTestId('recordings-status'), /^Enregistrements supprimés : 1\.$/);
    await section.getByTestId('recordings-none').waitFor();
    assert.deepEqual(await control('/recordings', 'GET'), { recordings: [] });
    await waitUntil(async () => (await phone.getByTestId('shared-recording').count()) === 0, 'the recording withdrawn from the plenary');
    await phoneContext.close();
    await context.close();
  });
});
