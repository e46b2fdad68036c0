// The phone's first load, measured in headless Chromium (BENCHMARKS.md):
// a participant opens the join link on a 360 px phone with an empty cache,
// over a throttled mobile network and a slowed CPU, types a name, joins a
// quiz and sees its waiting screen. Reports the bytes that crossed the
// network (compressed, as sent), the requests, the time until the join form
// can be used and until the quiz screen shows; the median of RUNS runs.
//
//   npm run build && node bench/first-load.mjs            # this build, ../target/debug/amphi
//   AMPHI_BIN=… AMPHI_WEB_DIR=… node bench/first-load.mjs # another server or build
//
// The network is Lighthouse's "Slow 4G" (150 ms round trip, 1.6 Mbit/s
// down, 750 kbit/s up), the CPU 4× slower, as Lighthouse's mobile profile.

import { startHarness } from '../e2e/harness.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const CPU_SLOWDOWN = 4;
const QUIZ = {
  title: 'Géographie',
  questions: [{ type: 'single_choice', prompt: 'Capitale de la France ?', choices: [{ text: 'Paris', correct: true }, { text: 'Lyon' }] }],
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One phone's first load of `${base}/j/${code}` and its join; what it cost. */
export async function phoneFirstLoad(browser, base, code, { throttle = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttle) {
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  }
  const requests = new Map(); // id -> { url, bytes, encoding }
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    if (!/^https?:/.test(response.url)) return; // data: URLs in style sheets cross no network
    requests.set(requestId, { url: response.url, bytes: 0, encoding: response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? '' });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const request = requests.get(requestId);
    if (request) request.bytes = encodedDataLength;
  });
  const bytes = () => [...requests.values()].reduce((sum, r) => sum + r.bytes, 0);

  const started = Date.now();
  await page.goto(`${base}/j/${code}`);
  const name = page.getByLabel('Pseudonyme');
  await name.waitFor({ timeout: 60_000 });
  const formReadyMs = Date.now() - started;
  const formBytes = bytes();
  const joinStarted = Date.now();
  await name.fill('Léa');
  await page.getByRole('button', { name: 'Rejoindre' }).click();
  await page.getByTestId('quiz-waiting').waitFor({ timeout: 60_000 }).catch(async (error) => {
    const text = await page.locator('main').innerText().catch(() => '(no page)');
    throw new Error(`no quiz screen after joining; the page says: ${text}`, { cause: error });
  });
  const joinedMs = Date.now() - joinStarted;
  await page.waitForLoadState('networkidle').catch(() => {});
  const result = { formReadyMs, joinedMs, formBytes, totalBytes: bytes(), requests: [...requests.values()] };
  await context.close();
  return result;
}

/** A quiz room to join, created with a trainer token; its join code. */
export async function quizToJoin(harness) {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const response = await fetch(`${harness.base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Géographie', kind: 'quiz', quiz: QUIZ, settings: {} }),
  });
  const room = await response.json();
  if (!response.ok) throw new Error(`the quiz could not be created: ${JSON.stringify(room)}`);
  return room.join_code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const harness = await startHarness('amphi-server-first-load.log');
  try {
    const code = await quizToJoin(harness);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await phoneFirstLoad(harness.browser, harness.base, code));
    const kib = (n) => (n / 1024).toFixed(1);
    const last = runs[runs.length - 1];
    console.log(`requests until the quiz screen: ${last.requests.length}`);
    for (const r of last.requests) console.log(`  ${kib(r.bytes).padStart(7)} KiB ${r.encoding.padEnd(4)} ${new URL(r.url).pathname}`);
    console.log(`bytes until the join form: ${kib(median(runs.map((r) => r.formBytes)))} KiB; until the quiz screen: ${kib(median(runs.map((r) => r.totalBytes)))} KiB`);
    console.log(`join form usable after ${median(runs.map((r) => r.formReadyMs))} ms (runs: ${runs.map((r) => r.formReadyMs).join(', ')})`);
    console.log(`quiz screen ${median(runs.map((r) => r.joinedMs))} ms after "Rejoindre" (runs: ${runs.map((r) => r.joinedMs).join(', ')})`);
  } finally {
    await harness.stop();
  }
}
