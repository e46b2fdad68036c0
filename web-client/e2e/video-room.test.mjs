// End-to-end: an atelier whose BigBlueButton room cannot be made, against the
// real server (harness.mjs) pointed at a BigBlueButton that does not answer
// (nothing listens on its port). The facilitator's console at 1280 px says
// why the atelier has no video room while the server tries again by itself,
// then offers "Réessayer maintenant" once it has stopped; asking again is
// acknowledged and tried (the problem comes back, BigBlueButton being still
// away); the participants' join URL is never signed for a room that does not
// exist. Every state goes through axe-core.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, shot, startHarness, waitForText } from './harness.mjs';

const CONSOLE = { width: 1280, height: 720 };

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
