// End-to-end: what a participant's phone downloads (harness.mjs). A phone
// opens the join link of a quiz and joins: it fetches the page, the
// participant's quiz screen and nothing of the trainers' screens nor the
// English dictionary; every script and style sheet comes compressed
// (brotli), the content-named ones kept for a year; the whole stays within
// its budget. Switching to English fetches the English dictionary then. A
// trainer's console fetches its own file. (BENCHMARKS.md has the phone's
// first load on a throttled network: bench/first-load.mjs.)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { phoneFirstLoad, quizToJoin } from '../bench/first-load.mjs';
import { STEP_MS, startHarness, waitForText } from './harness.mjs';

/** What the phone may download until its quiz screen, as sent: 267 KiB on 2026-12-03, of
 * which 171 KiB are the DSFR's three Marianne weights (woff2). Was 1,426 KiB. */
const PHONE_BUDGET_BYTES = 300 * 1024;
/** Files a participant's phone must never fetch. */
const TRAINER_FILES = /\/assets\/(quiz-trainer|quiz-create|trainer|board-trainer|board-create|breakout-facilitator|breakout-create|projector|board-projector|breakout-projector|room-code|course-roster|i18n-en)-[\w-]+\.js$/;

let harness;
let code;

before(async () => {
  harness = await startHarness('amphi-server-phone-load.log');
  code = await quizToJoin(harness);
});

after(async () => {
  await harness?.stop();
});

test('a phone joining a quiz downloads its own screens only, compressed, within budget', async () => {
  const load = await phoneFirstLoad(harness.browser, harness.base, code, { throttle: false });
  const scripts = load.requests.filter((r) => /\.(js|css)$/.test(new URL(r.url).pathname));
  const names = scripts.map((r) => new URL(r.url).pathname);
  assert.ok(names.some((n) => /\/assets\/quiz-participant-[\w-]+\.js$/.test(n)), `the quiz screen's file was fetched: ${names.join(' ')}`);
  const trainers = names.filter((n) => TRAINER_FILES.test(n));
  assert.deepEqual(trainers, [], 'a participant fetches none of the trainers\' files');
  for (const r of scripts) assert.equal(r.encoding, 'br', `${new URL(r.url).pathname} comes in brotli`);
  assert.ok(load.totalBytes <= PHONE_BUDGET_BYTES, `the phone downloaded ${load.totalBytes} bytes, budget ${PHONE_BUDGET_BYTES}`);
  const fonts = load.requests.filter((r) => /\.woff2?$/.test(r.url));
  assert.ok(fonts.every((r) => r.url.endsWith('.woff2')), 'fonts come as woff2');

  const asset = await fetch(scripts[0].url, { headers: { 'Accept-Encoding': 'br' } });
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const page = await fetch(`${harness.base}/j/${code}`);
  assert.equal(page.headers.get('cache-control'), 'no-cache', 'the page itself is asked for again');
});

test('switching to English fetches the English dictionary, then speaks it', async () => {
  const context = await harness.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const fetched = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  await page.goto(`${harness.base}/j/${code}`);
  await page.getByLabel('Pseudonyme').waitFor();
  assert.ok(!fetched.some((p) => /i18n-en/.test(p)), 'not before it is asked for');
  await page.getByRole('button', { name: /English/ }).click();
  await page.getByLabel('Nickname').waitFor();
  assert.ok(fetched.some((p) => /\/assets\/i18n-en-[\w-]+\.js$/.test(p)), 'fetched when asked for');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  // Remembered: a new page in this browser starts in English.
  await page.reload();
  await waitForText(page.locator('h1'), /\w/);
  await page.getByLabel('Nickname').waitFor();
  await context.close();
});
