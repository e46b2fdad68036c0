// The end-to-end harness shared by the e2e tests: starts the real amphi
// server (AMPHI_BIN, default ../target/debug/amphi; waits a while if it is
// being rebuilt) on a free port with a fresh data dir, a fixed JWT secret and
// the built client (dist/), mints tokens with `amphi token`, launches
// headless Chromium (playwright-core, CHROMIUM_PATH), and offers small
// helpers: frame recording, screenshots into test-results/, text waits, and
// the accessibility check (axe-core injected into the page).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

export const WEB_CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS = join(WEB_CLIENT, 'test-results');
export const WEB_DIR = join(WEB_CLIENT, 'dist');
export const BIN = resolve(WEB_CLIENT, process.env.AMPHI_BIN ?? '../target/debug/amphi');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // A fake microphone (a tone), allowed without asking: the board's voice messages.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
export const JWT_SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
export const STEP_MS = 15_000;

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
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

/** The binary may be briefly missing while someone rebuilds it: wait for it. */
async function waitForBinary(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(BIN) && Date.now() < deadline) await sleep(2_000);
  assert.ok(existsSync(BIN), `amphi binary not found at ${BIN} (build it, or set AMPHI_BIN)`);
}

/**
 * Starts the server and a browser. `logName`: the server log's file name in
 * test-results/; `extraEnv`: more settings for the server (AMPHI_…). Returns { base, env, browser, token(args), stop() }.
 */
export async function startHarness(logName, extraEnv = {}) {
  mkdirSync(RESULTS, { recursive: true });
  await waitForBinary();
  assert.ok(existsSync(join(WEB_DIR, 'index.html')), `no built client in ${WEB_DIR}: run npm run build`);
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'amphi-e2e-'));
  const env = {
    ...process.env,
    AMPHI_LISTEN: `127.0.0.1:${port}`,
    AMPHI_DATA_DIR: dataDir,
    AMPHI_JWT_SECRET: JWT_SECRET,
    // Where the server finds the built web client (if it is configurable so).
    AMPHI_WEB_DIR: process.env.AMPHI_WEB_DIR ?? WEB_DIR,
    ...extraEnv,
  };
  const serverLog = createWriteStream(join(RESULTS, logName));
  const server = spawn(BIN, [], { env, cwd: WEB_CLIENT, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverOutput = '';
  for (const stream of [server.stdout, server.stderr]) {
    stream.on('data', (chunk) => {
      serverOutput += chunk;
      serverLog.write(chunk);
    });
  }
  const logTail = () => serverOutput.split('\n').slice(-30).join('\n') || '(the server printed nothing)';

  const healthDeadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`amphi exited (${server.exitCode ?? server.signalCode}) before /healthz answered:\n${logTail()}`);
    }
    const ok = await fetch(`${base}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > healthDeadline) throw new Error(`GET /healthz did not return 200 within 60 s:\n${logTail()}`);
    await sleep(200);
  }

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

  return {
    base,
    env,
    browser,
    logTail,
    /** The first run's sign-in link `amphi serve` printed (embedded defaults, no `--config`). */
    firstRunLink() {
      const link = /http:\/\/\S+\/\?signin=[0-9a-f]+/.exec(serverOutput)?.[0];
      assert.ok(link, `no first-run link printed:\n${logTail()}`);
      return link;
    },
    /** `amphi token ARGS` → the token it prints. */
    async token(args) {
      const { stdout } = await promisify(execFile)(BIN, ['token', ...args], { env, cwd: WEB_CLIENT, timeout: 30_000 });
      const token = stdout.trim().split('\n').filter(Boolean).pop();
      assert.ok(token && !/\s/.test(token), `no token printed: ${JSON.stringify(stdout)}`);
      return token;
    },
    async stop() {
      await browser.close().catch(() => {});
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      serverLog.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Records the JSON frames a page's WebSockets send and receive. */
export function recordFrames(page) {
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

export async function shot(page, name) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

/** A text as read, its no-break spaces (French typography: U+00A0, U+202F) as
 * plain spaces, so that patterns are written with ordinary spaces. */
export function plainSpaces(text) {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

/** Waits until the locator's text (trimmed, no-break spaces read as spaces) matches. */
export async function waitForText(locator, pattern, timeout = STEP_MS) {
  const deadline = Date.now() + timeout;
  let text = '';
  let failure = '';
  while (Date.now() < deadline) {
    text = ((await locator.textContent({ timeout }).catch((e) => {
      failure = String(e.message ?? e).split('\n')[0];
      return '';
    })) ?? '').trim();
    if (pattern.test(plainSpaces(text))) return text;
    await sleep(100);
  }
  throw new Error(`text ${JSON.stringify(text)} never matched ${pattern}${failure ? ` (${failure})` : ''}`);
}

/** Waits until `check()` returns a truthy value (polling), or throws with `what`. */
export async function waitUntil(check, what, timeout = STEP_MS) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** The page's width fits a small screen (no horizontal scrolling). */
export async function assertFits(page, width, what) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${what} overflows a ${width} px screen (${scroll} px)`);
}

// ---- accessibility -------------------------------------------------------------

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0/2.1 A and AA (RGAA 4 follows WCAG 2.1 AA), plus axe's best practices
 * (landmarks, heading order, one h1, regions). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
/** Every check made by this test file: label → violated rule ids, and those axe left for review
 * (test-results/axe-report-<file>.json). */
const checked = new Map();
const review = new Map();
const REPORT = `axe-report-${(process.argv[1] ?? 'e2e').split('/').pop().replace(/\.test\.mjs$/, '')}.json`;
/** AMPHI_AXE_REPORT_ONLY=1: record the violations without failing (to survey a page). */
const REPORT_ONLY = process.env.AMPHI_AXE_REPORT_ONLY === '1';

/** The axe violations of the page as it is now, one line per element. */
export function formatViolations(violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}`);
    for (const node of v.nodes) {
      lines.push(`    ${node.target.join(' ')}${node.failureSummary ? `\n      ${node.failureSummary.replace(/\n/g, '\n      ')}` : ''}`);
    }
  }
  return lines.join('\n');
}

/**
 * Runs axe-core on the whole page (injected once per document) and fails,
 * listing rule id, impact and target selectors, if anything is violated.
 * `label` names the page and state in the report.
 */
export async function assertAccessible(page, label) {
  // Let pending renders (and the 250 ms countdown tick) settle first.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy
  // (its own scripts only) refuses an injected <script>, and stays on.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(`${AXE_SOURCE};void 0`);
  const { violations, incomplete } = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] });
    const brief = (v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
    });
    return { violations: result.violations.map(brief), incomplete: result.incomplete.map(brief) };
  }, AXE_TAGS);
  // What axe could not decide ("needs review") is recorded for a human, not failed.
  checked.set(label, { violations: violations.map((v) => v.id), needsReview: incomplete.map((v) => `${v.id} ×${v.nodes.length}`) });
  writeFileSync(join(RESULTS, REPORT), JSON.stringify(Object.fromEntries(checked), null, 2));
  review.set(label, incomplete);
  writeFileSync(join(RESULTS, REPORT.replace('axe-report', 'axe-review')), JSON.stringify(Object.fromEntries(review), null, 2));
  if (violations.length > 0) {
    writeFileSync(join(RESULTS, `axe-${label.replace(/[^\w-]+/g, '_')}.json`), JSON.stringify(violations, null, 2));
  }
  if (REPORT_ONLY) return;
  assert.equal(violations.length, 0, `accessibility violations on "${label}":\n${formatViolations(violations)}`);
}
