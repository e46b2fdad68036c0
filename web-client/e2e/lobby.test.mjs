// End-to-end: starts the real amphi server (AMPHI_BIN, default
// ../target/debug/amphi) on a free port with a fresh data dir, mints a
// trainer token with `amphi token`, and drives two Chromium contexts
// (playwright-core, CHROMIUM_PATH): the trainer creates a room, a participant
// joins with code + nickname on a 360 px screen, presence, announcement and
// raised hand go both ways, the trainer lowers the hand, and a reload
// resumes. Screenshots go to test-results/. Needs `npm run build` first
// (the `e2e` npm script does it).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const WEB_CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(WEB_CLIENT, 'test-results');
const WEB_DIR = join(WEB_CLIENT, 'dist');
const BIN = resolve(WEB_CLIENT, process.env.AMPHI_BIN ?? '../target/debug/amphi');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const JWT_SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
const STEP_MS = 15_000;

const TITLE = 'Formation numérique';
const ANNOUNCEMENT = 'Pause de 10 minutes';

let server; // child process
let serverLog;
let serverOutput = '';
let dataDir;
let browser;
let base;
let env;

/** The amphi binary and its arguments. */
function command(args) {
  return [BIN, args];
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

function logTail() {
  return serverOutput.split('\n').slice(-30).join('\n') || '(the server printed nothing)';
}

async function waitForHealth(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`amphi exited (${server.exitCode ?? server.signalCode}) before /healthz answered:\n${logTail()}`);
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`GET /healthz did not return 200 within ${timeoutMs} ms:\n${logTail()}`);
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Records the JSON frames a page's WebSockets send and receive. */
function recordFrames(page) {
  const frames = { sent: [], received: [] };
  const parse = (payload) => {
    try {
      return JSON.parse(String(payload));
    } catch {
      return { unparsable: String(payload) };
    }
  };
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => frames.sent.push(parse(payload)));
    ws.on('framereceived', ({ payload }) => frames.received.push(parse(payload)));
  });
  return frames;
}

async function shot(page, name) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

/** Waits until the locator's text (trimmed) matches. */
async function waitForText(locator, pattern, timeout = STEP_MS) {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = ((await locator.textContent({ timeout }).catch(() => '')) ?? '').trim();
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`text ${JSON.stringify(text)} never matched ${pattern}`);
}

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  assert.ok(existsSync(BIN), `amphi binary not found at ${BIN} (build it, or set AMPHI_BIN)`);
  assert.ok(existsSync(join(WEB_DIR, 'index.html')), `no built client in ${WEB_DIR}: run npm run build`);
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'amphi-e2e-'));
  env = {
    ...process.env,
    AMPHI_LISTEN: `127.0.0.1:${port}`,
    AMPHI_DATA_DIR: dataDir,
    AMPHI_JWT_SECRET: JWT_SECRET,
    // Where the server finds the built web client (if it is configurable so).
    AMPHI_WEB_DIR: process.env.AMPHI_WEB_DIR ?? WEB_DIR,
  };
  serverLog = createWriteStream(join(RESULTS, 'amphi-server.log'));
  const [cmd, args] = command([]);
  server = spawn(cmd, args, { env, cwd: WEB_CLIENT, stdio: ['ignore', 'pipe', 'pipe'] });
  serverOutput = '';
  for (const stream of [server.stdout, server.stderr]) {
    stream.on('data', (chunk) => {
      serverOutput += chunk;
      serverLog.write(chunk);
    });
  }
  await waitForHealth();

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopServer();
  serverLog?.end();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('lobby: trainer and participant, end to end', { timeout: 180_000 }, async (t) => {
  let token;
  let code;
  let trainer;
  let participant;
  let trainerFrames;
  let participantFrames;

  await t.test('the server serves the web client, with an index.html fallback', async () => {
    for (const path of ['/', '/j/ABC123']) {
      const res = await fetch(`${base}${path}`);
      const html = await res.text();
      assert.equal(res.status, 200, `GET ${path}`);
      assert.match(html, /<div id="app">/, `GET ${path} is not the web client's index.html (served from ${env.AMPHI_WEB_DIR}?)`);
    }
  });

  await t.test('amphi token mints a trainer token', async () => {
    const [cmd, args] = command(['token', '--role', 'trainer', '--name', 'Mme Durand']);
    const { stdout } = await promisify(execFile)(cmd, args, { env, cwd: WEB_CLIENT, timeout: 30_000 });
    token = stdout.trim().split('\n').filter(Boolean).pop();
    assert.ok(token && !/\s/.test(token), `no token printed: ${JSON.stringify(stdout)}`);
  });

  await t.test('trainer creates a room and sees the join code', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    context.setDefaultTimeout(STEP_MS);
    trainer = await context.newPage();
    trainerFrames = recordFrames(trainer);
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('heading', { level: 1, name: 'Rejoindre une session' }).waitFor();
    assert.ok(!trainer.url().includes('token='), `token left in the address bar: ${trainer.url()}`);
    assert.equal(await trainer.getByLabel('Jeton formateur').inputValue(), token);
    await shot(trainer, '01-home');

    await trainer.getByLabel('Titre de la salle').fill(TITLE);
    await trainer.getByRole('button', { name: 'Créer une salle' }).click();
    await trainer.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    assert.equal((await trainer.getByTestId('join-url').textContent()).trim(), `${base}/j/${code}`);
    await waitForText(trainer.getByTestId('connection'), /^Connecté$/);
    await shot(trainer, '02-trainer-lobby');
  });

  await t.test('participant joins with the code and a nickname (360 px)', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', hasTouch: true });
    context.setDefaultTimeout(STEP_MS);
    participant = await context.newPage();
    participantFrames = recordFrames(participant);
    await participant.goto(`${base}/j/${code}`);
    assert.equal(await participant.getByLabel('Code de la session').inputValue(), code);
    const width = await participant.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `home overflows a 360 px screen (${width} px)`);
    await shot(participant, '03-home-join-link-360');

    await participant.getByLabel('Pseudonyme').fill('Camille');
    // An unknown code is refused on the form (hello → error room_not_found).
    const codeInput = participant.getByLabel('Code de la session');
    await codeInput.fill(code === 'ZZZZ99' ? 'ZZZZ98' : 'ZZZZ99');
    await participant.getByRole('button', { name: 'Rejoindre' }).click();
    await participant.getByText('Aucune session ne correspond à ce code.').waitFor();

    await codeInput.fill(code.toLowerCase()); // typed in lower case: upper-cased
    assert.equal(await codeInput.inputValue(), code);
    await participant.getByRole('button', { name: 'Rejoindre' }).click();
    await participant.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await waitForText(participant.getByTestId('connection'), /^Connecté$/);
    await waitForText(participant.getByTestId('participants-connected'), /^[1-9]\d*$/);
    const lobbyWidth = await participant.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(lobbyWidth <= 360, `lobby overflows a 360 px screen (${lobbyWidth} px)`);
    await shot(participant, '04-participant-lobby-360');
  });

  await t.test('trainer sees the participant in the member list', async () => {
    const row = trainer.getByTestId('members').getByRole('listitem').filter({ hasText: 'Camille' });
    await row.waitFor();
    await waitForText(row, /participant.*connecté/);
  });

  await t.test('trainer announces, participant sees it', async () => {
    await trainer.getByLabel('Annonce à la salle').fill(ANNOUNCEMENT);
    await trainer.getByRole('button', { name: 'Envoyer' }).click();
    await participant.getByTestId('announcements').getByText(ANNOUNCEMENT).waitFor();
    await trainer.getByTestId('announcements').getByText(ANNOUNCEMENT).waitFor();
    assert.equal(await trainer.getByLabel('Annonce à la salle').inputValue(), '');
  });

  await t.test('participant raises a hand, trainer sees it and lowers it', async () => {
    await participant.getByRole('button', { name: 'Lever la main' }).click();
    await participant.getByRole('button', { name: 'Baisser la main' }).waitFor();
    const hand = trainer.getByTestId('hands').getByRole('listitem').filter({ hasText: 'Camille' });
    await hand.waitFor();
    await shot(trainer, '05-trainer-hand-raised');
    await shot(participant, '06-participant-hand-raised-360');

    await trainer.getByRole('button', { name: 'Baisser la main de Camille' }).click();
    await hand.waitFor({ state: 'detached' });
    await participant.getByRole('button', { name: 'Lever la main' }).waitFor();
  });

  await t.test('English is remembered, and a reload resumes the session', async () => {
    await participant.getByRole('button', { name: 'Switch to English' }).click();
    await participant.getByRole('button', { name: 'Raise my hand' }).waitFor();
    const sentBefore = participantFrames.sent.length;
    await participant.reload();
    await participant.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await waitForText(participant.getByTestId('connection'), /^Connected$/);
    await participant.getByTestId('announcements').getByText(ANNOUNCEMENT).waitFor();
    const hello = participantFrames.sent.slice(sentBefore).find((f) => f.type === 'hello');
    assert.equal(hello?.auth?.method, 'resume', `after a reload the client resumes: ${JSON.stringify(hello)}`);
    assert.equal(Object.keys(hello.last_seq ?? {}).length, 1);
    await shot(participant, '07-participant-lobby-en-360');
    await participant.getByRole('button', { name: 'Passer en français' }).click();
    await participant.getByRole('button', { name: 'Lever la main' }).waitFor();
  });

  await t.test('participant leaves and is back home', async () => {
    await participant.getByRole('button', { name: 'Quitter' }).click();
    await participant.getByRole('heading', { level: 1, name: 'Rejoindre une session' }).waitFor();
    const row = trainer.getByTestId('members').getByRole('listitem').filter({ hasText: 'Camille' });
    await row.waitFor({ state: 'detached' });
  });

  await t.test('no error frame but the expected one, every command acknowledged', () => {
    const errors = [...trainerFrames.received, ...participantFrames.received].filter((f) => f.type === 'error');
    assert.deepEqual(errors.map((e) => e.code), ['room_not_found'], JSON.stringify(errors));
    for (const frames of [trainerFrames, participantFrames]) {
      const acked = new Set(frames.received.filter((f) => f.type === 'ack').map((f) => f.id));
      const commands = frames.sent.filter((f) => f.id && f.type !== 'ping');
      assert.ok(commands.length > 0);
      for (const c of commands) assert.ok(acked.has(c.id), `no ack for ${JSON.stringify(c)}`);
    }
  });
});
