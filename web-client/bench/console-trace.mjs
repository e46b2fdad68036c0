// The quiz console's work in Chromium while many participants answer a
// self-paced quiz (BENCHMARKS.md): amphi-load drives PARTICIPANTS guests
// through QUESTIONS questions; the console, open in headless Chromium at
// 1920×1080 as the room's trainer, keeps its progress grid (participants ×
// questions) and counts up to date as the answers come in. Reports, over
// the run: what the console did to the page (elements inserted, texts
// changed: counts, which do not depend on the machine's load), its long
// tasks (over 50 ms: when a click would wait), and Chromium's own counters
// (Performance.getMetrics: script, style, layout and task time).
//
//   npm run build && node bench/console-trace.mjs
//   AMPHI_WEB_DIR=… (another build of the client)  AMPHI_LOAD_BIN=… (default ../target/debug/amphi-load)

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WEB_CLIENT, sleep, startHarness } from '../e2e/harness.mjs';

const PARTICIPANTS = Number(process.env.PARTICIPANTS ?? 1000);
const QUESTIONS = Number(process.env.QUESTIONS ?? 5);
const THINK_MS = Number(process.env.THINK_MS ?? 1000);
const LOAD_BIN = resolve(WEB_CLIENT, process.env.AMPHI_LOAD_BIN ?? '../target/debug/amphi-load');

const harness = await startHarness('amphi-server-console-trace.log', { AMPHI_LIMITS__GUEST_JOIN_BURST_PER_ADDRESS: '0', AMPHI_LIMITS__GUEST_JOIN_BURST_PER_ROOM: '0' });
try {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const wsUrl = `${harness.base.replace('http', 'ws')}/ws`;
  const reportFile = join(mkdtempSync(join(tmpdir(), 'amphi-console-trace-')), 'report.json');
  const load = spawn(LOAD_BIN, ['quiz', '--url', wsUrl, '--participants', String(PARTICIPANTS), '--questions', String(QUESTIONS),
    '--think-ms', String(THINK_MS), '--self-paced', '--json', reportFile], { env: { ...process.env, AMPHI_LOAD_TOKEN: token }, stdio: ['ignore', 'inherit', 'inherit'] });
  const loadDone = new Promise((r) => load.once('exit', r));

  // The room amphi-load created, from the trainer's list.
  let code;
  for (let i = 0; i < 100 && !code; i++) {
    const response = await fetch(`${harness.base}/api/v1/rooms?mine=1`, { headers: { Authorization: `Bearer ${token}` } });
    code = (await response.json()).rooms?.[0]?.join_code;
    if (!code) await sleep(100);
  }
  if (!code) throw new Error('amphi-load created no room');

  const context = await harness.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  // Main-thread tasks over 50 ms: the moments the console would not answer a click.
  await page.addInitScript(() => {
    // What the console did to the page, counted: elements inserted (subtrees
    // included) and texts changed. Unlike times, these do not depend on the machine's load.
    window.__dom = { inserted: 0, texts: 0 };
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'characterData') window.__dom.texts += 1;
        for (const node of record.addedNodes) {
          if (node.nodeType === 1) window.__dom.inserted += 1 + node.getElementsByTagName('*').length;
          else if (node.nodeType === 3) window.__dom.texts += 1;
        }
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
  });
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${harness.base}/j/${code}?token=${encodeURIComponent(token)}`);
  await page.getByTestId('join-code').waitFor({ timeout: 30_000 });
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  const startedAt = await page.evaluate(() => performance.now());
  const domBefore = await page.evaluate(() => ({ ...window.__dom }));
  const exit = await loadDone;
  await sleep(1_000); // the last events drawn
  const after = await metrics();
  const rows = await page.locator('[data-testid="progress"] tbody tr').count();
  const dom = await page.evaluate(() => ({ ...window.__dom }));
  const longTasks = (await page.evaluate(() => window.__longTasks)).filter(([start]) => start >= startedAt).map(([, duration]) => duration);
  await context.close();

  const summary = JSON.parse(readFileSync(reportFile, 'utf8'));
  const delta = (name) => after[name] - before[name];
  console.log(`amphi-load exited ${exit}: ${summary.answers_acked ?? '?'} answers acknowledged of ${summary.answers_sent ?? '?'}, errors ${JSON.stringify(summary.errors ?? {})}`);
  console.log(`the console's progress grid: ${rows} rows; page errors: ${errors.length ? errors.join(' | ') : 'none'}`);
  console.log(`the page changed: ${dom.inserted - domBefore.inserted} elements inserted, ${dom.texts - domBefore.texts} texts changed or added`);
  console.log(`long tasks (> 50 ms): ${longTasks.length}, ${longTasks.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, longest ${Math.max(0, ...longTasks).toFixed(0)} ms`);
  console.log(`Chromium's counters: script ${(delta('ScriptDuration') * 1000).toFixed(0)} ms, style ${(delta('RecalcStyleDuration') * 1000).toFixed(0)} ms (${delta('RecalcStyleCount')} recalculations), layout ${(delta('LayoutDuration') * 1000).toFixed(0)} ms (${delta('LayoutCount')} layouts), tasks ${(delta('TaskDuration') * 1000).toFixed(0)} ms, JS heap ${(after.JSHeapUsedSize / 1048576).toFixed(1)} MiB, DOM nodes ${after.Nodes}`);
} finally {
  await harness.stop();
}

