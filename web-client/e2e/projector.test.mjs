// End-to-end: the projector fits the room's screen. Projector windows
// (observer tokens) at 1024×768, 1280×720 and 1920×1080 follow a quiz, a
// board and ateliers; at each step the page does not scroll and what the
// step shows lies inside the viewport (bounding boxes): the large QR code
// and the join code on one line while waiting, the prompt, the 4 choices
// and the countdown of an open question, every bar after the reveal, the
// top of the leaderboard, a board wall of 8 posts in several columns, the
// ateliers' code on one line. "Plein écran" enters and leaves full screen;
// the header is compact; the join link never breaks inside `/j/CODE`;
// "Arrêter le quiz" only once the quiz has started. Names arrive on the
// lobby (newest first, 20 at most and "+N autres"), the live histogram shows
// once the trainer turns it on, the end is a podium of three (no trainer's
// words on it; reduced motion respected). Every screen goes through the
// axe-core check.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STEP_MS, assertAccessible, shot, startHarness, waitForText, waitUntil } from './harness.mjs';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];
const PHONE = { width: 360, height: 740 };

const QUIZ = {
  title: 'Géographie',
  questions: [{
    type: 'single_choice',
    prompt: 'Quelle ville est la préfecture de la région Auvergne-Rhône-Alpes ?',
    time_limit_s: 300,
    choices: [
      { text: 'Lyon', correct: true },
      { text: 'Clermont-Ferrand' },
      { text: 'Grenoble' },
      { text: 'Saint-Étienne' },
    ],
  }],
};

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-projector.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

async function api(token, path, body) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A projector window per size, signed in with the room's observer token. */
async function openProjectors(token, room) {
  const screens = [];
  for (const size of SIZES) {
    const { token: observer } = await api(token, `/api/v1/rooms/${room.id}/observer-token`);
    const context = await browser.newContext({ viewport: size, locale: 'fr-FR' });
    context.setDefaultTimeout(STEP_MS);
    const page = await context.newPage();
    await page.goto(`${base}/projecteur#${new URLSearchParams({ room: room.id, token: observer })}`);
    await page.getByRole('heading', { level: 1, name: room.title }).waitFor();
    await waitForText(page.getByTestId('join-code'), new RegExp(`^${room.join_code}$`));
    screens.push({ size, page, context, name: `${size.width}x${size.height}` });
  }
  return screens;
}

/**
 * The page does not scroll, and every element of `locators` (a locator may
 * match several) lies inside the viewport. Returns the boxes, by label.
 */
async function assertInView(screen, step, locators) {
  const { page, size } = screen;
  const scroll = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight }));
  assert.ok(scroll.height <= size.height && scroll.width <= size.width,
    `${step} at ${screen.name}: the page scrolls (${scroll.width}×${scroll.height})`);
  const boxes = {};
  for (const [label, locator] of Object.entries(locators)) {
    const count = await locator.count();
    assert.ok(count > 0, `${step} at ${screen.name}: no ${label}`);
    boxes[label] = [];
    for (let i = 0; i < count; i++) {
      const box = await locator.nth(i).boundingBox();
      assert.ok(box, `${step} at ${screen.name}: ${label} #${i + 1} is not shown`);
      const inside = box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 0.5 && box.y + box.height <= size.height + 0.5;
      assert.ok(inside, `${step} at ${screen.name}: ${label} #${i + 1} is outside the screen ${JSON.stringify(box)}`);
      boxes[label].push(box);
    }
  }
  return boxes;
}

/** The join code is on one line (nothing cut off sideways), and so is the
 * `/j/CODE` of the join link. */
async function assertCodeOnOneLine(screen, step) {
  const code = screen.page.getByTestId('join-code');
  const measure = await code.evaluate((el) => {
    const style = getComputedStyle(el);
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    return { lines: lines.size, whiteSpace: style.whiteSpace, overflow: el.scrollWidth - el.clientWidth, fontSize: parseFloat(style.fontSize) };
  });
  assert.equal(measure.lines, 1, `${step} at ${screen.name}: the join code is on ${measure.lines} lines`);
  const pathLines = await screen.page.getByTestId('join-url-path').evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
  assert.equal(pathLines, 1, `${step} at ${screen.name}: the join link breaks inside /j/CODE`);
  assert.equal(measure.whiteSpace, 'nowrap');
  assert.ok(measure.overflow <= 1, `${step} at ${screen.name}: the join code overflows its panel by ${measure.overflow} px`);
  return measure;
}

async function joinOnPhone(code, name) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  await page.goto(`${base}/j/${code}`);
  await page.getByLabel('Pseudonyme').fill(name);
  await page.getByRole('button', { name: 'Rejoindre' }).click();
  await page.getByTestId('quiz-waiting').waitFor();
  return { page, context };
}

test('projector: a quiz fits 1024×768, 1280×720 and 1920×1080 at every step', { timeout: 240_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const room = await api(token, '/api/v1/rooms', { title: 'Géographie', kind: 'quiz', quiz: QUIZ, settings: {} });
  const consoleContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  consoleContext.setDefaultTimeout(STEP_MS);
  const trainer = await consoleContext.newPage();
  await trainer.goto(`${base}/j/${room.join_code}?token=${encodeURIComponent(token)}`);
  await trainer.getByRole('button', { name: 'Lancer le quiz' }).waitFor();
  // Nothing to stop before the start.
  assert.equal(await trainer.getByRole('button', { name: 'Arrêter le quiz' }).count(), 0, '"Arrêter le quiz" before the start');
  const screens = await openProjectors(token, room);
  const phones = [];

  await t.test('waiting: a large QR code and the code on one line, a compact header', async () => {
    for (const screen of screens) {
      const { page, size, name } = screen;
      await shot(page, `projector-01-lobby-${name}`);
      const boxes = await assertInView(screen, 'lobby', {
        qr: page.getByRole('img', { name: /QR code/ }),
        code: page.getByTestId('join-code'),
        title: page.getByRole('heading', { level: 1 }),
      });
      const qr = boxes.qr[0];
      assert.ok(qr.width >= 300 && qr.width >= size.height * 0.4, `lobby at ${name}: the QR code is ${qr.width} px wide`);
      await assertCodeOnOneLine(screen, 'lobby');
      const header = await page.locator('header').boundingBox();
      assert.ok(header.height <= 48, `lobby at ${name}: the header is ${header.height} px high`);
      assert.equal(await page.locator('footer').isVisible(), false, 'no footer on the projector');
    }
    await assertAccessible(screens[1].page, 'projector window: quiz lobby (1280×720)');
  });

  await t.test('"Plein écran" enters full screen and leaves it', async () => {
    const { page } = screens[1];
    await page.getByRole('button', { name: 'Plein écran' }).click();
    await waitUntil(() => page.evaluate(() => document.fullscreenElement === document.documentElement), 'full screen');
    await page.getByRole('button', { name: 'Quitter le plein écran' }).click();
    await waitUntil(() => page.evaluate(() => document.fullscreenElement === null), 'out of full screen');
    await page.getByRole('button', { name: 'Plein écran' }).waitFor();
  });

  await t.test('an open question: the prompt, the 4 choices and the countdown', async () => {
    phones.push(await joinOnPhone(room.join_code, 'Alice'), await joinOnPhone(room.join_code, 'Bob'));
    await waitForText(trainer.getByTestId('quiz-counts'), /connectés\s*:\s*2/);
    await trainer.getByRole('button', { name: 'Lancer le quiz' }).click();
    await trainer.getByRole('button', { name: 'Arrêter le quiz' }).waitFor();
    for (const screen of screens) {
      const { page, name } = screen;
      await waitForText(page.getByTestId('question-prompt'), /Auvergne-Rhône-Alpes/);
      await waitForText(page.getByTestId('countdown'), /^\d+:\d\d$/);
      await shot(page, `projector-02-question-${name}`);
      const boxes = await assertInView(screen, 'question open', {
        prompt: page.getByTestId('question-prompt'),
        choices: page.locator('.amphi-choices-preview li'),
        countdown: page.getByTestId('countdown'),
        code: page.getByTestId('join-code'),
      });
      assert.equal(boxes.choices.length, 4);
      await assertCodeOnOneLine(screen, 'question open');
    }
    await assertAccessible(screens[0].page, 'projector window: question open (1024×768)');
  });

  await t.test('after the reveal: every bar and the right answer', async () => {
    await phones[0].page.getByRole('button', { name: /Lyon/ }).click();
    await phones[1].page.getByRole('button', { name: /Grenoble/ }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question fermée$/);
    await trainer.getByRole('button', { name: 'Révéler la réponse' }).click();
    for (const screen of screens) {
      const { page, name } = screen;
      await waitUntil(async () => (await page.getByTestId('distribution-row').count()) === 4, `4 bars at ${name}`);
      await page.locator('.amphi-right-answer').waitFor();
      await shot(page, `projector-03-revealed-${name}`);
      await assertInView(screen, 'revealed', {
        bars: page.getByTestId('distribution-row'),
        right: page.locator('.amphi-right-answer'),
        prompt: page.getByTestId('question-prompt'),
      });
    }
    await assertAccessible(screens[1].page, 'projector window: revealed (1280×720)');
  });

  await t.test('the leaderboard: its top in view', async () => {
    await trainer.getByRole('button', { name: 'Afficher le classement' }).click();
    for (const screen of screens) {
      const { page, name } = screen;
      await waitUntil(async () => (await page.locator('.amphi-leaderboard__item').count()) === 2, `the leaderboard at ${name}`);
      await shot(page, `projector-04-leaderboard-${name}`);
      await assertInView(screen, 'leaderboard', {
        heading: page.getByRole('heading', { name: 'Classement' }),
        entries: page.locator('.amphi-leaderboard__item'),
      });
    }
    await assertAccessible(screens[2].page, 'projector window: leaderboard (1920×1080)');
  });

  await t.test('the console\'s own projector mode fits 1280×720 too', async () => {
    await trainer.setViewportSize({ width: 1280, height: 720 });
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    await trainer.getByRole('button', { name: 'Plein écran' }).waitFor();
    await assertInView({ page: trainer, size: { width: 1280, height: 720 }, name: 'console 1280x720' }, 'console leaderboard', {
      entries: trainer.locator('.amphi-leaderboard__item'),
      code: trainer.getByTestId('join-code'),
    });
    await assertAccessible(trainer, 'console in projector mode: leaderboard (1280×720)');
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    assert.equal(await trainer.getByRole('button', { name: 'Plein écran' }).count(), 0, 'no "Plein écran" out of projector mode');
  });

  for (const s of screens) await s.context.close();
  for (const p of phones) await p.context.close();
  await consoleContext.close();
});

/** `count` guests in the room over WebSockets of a page of their own (names `Élève 1`…); `leave()` takes them out. */
async function joinBots(code, room, count) {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.evaluate(async ({ code, count }) => {
    window.bots = [];
    for (let i = 1; i <= count; i++) {
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`, 'amphi.v1.json');
      await new Promise((resolve, reject) => {
        ws.onerror = reject;
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: 1, auth: { method: 'join_code', code, name: `Élève ${i}` } }));
        ws.onmessage = (ev) => {
          const m = JSON.parse(ev.data);
          if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
          if (m.type === 'joined') resolve();
        };
      });
      window.bots.push(ws);
    }
  }, { code, count });
  return {
    async leave() {
      await page.evaluate(async (room) => {
        await Promise.all(window.bots.map((ws, i) => new Promise((resolve) => {
          ws.onmessage = (ev) => { if (JSON.parse(ev.data).type === 'ack') resolve(); };
          ws.send(JSON.stringify({ type: 'leave', id: `leave-${i}`, room }));
        })));
        for (const ws of window.bots) ws.close();
      }, room);
      await context.close();
    },
  };
}

test('projector: names arrive on the lobby, the live histogram when the trainer turns it on, the podium at the end', { timeout: 240_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const room = await api(token, '/api/v1/rooms', { title: 'Géographie', kind: 'quiz', quiz: QUIZ, settings: { speed_bonus: true } });
  const consoleContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  consoleContext.setDefaultTimeout(STEP_MS);
  const trainer = await consoleContext.newPage();
  await trainer.goto(`${base}/j/${room.join_code}?token=${encodeURIComponent(token)}`);
  await trainer.getByRole('button', { name: 'Lancer le quiz' }).waitFor();
  const screens = await openProjectors(token, room);
  const phones = {};
  let bots;

  await t.test('lobby: who joined, live, newest first, at most 20 names and "+N autres"; no word for the trainer', async () => {
    for (const screen of screens) {
      await waitForText(screen.page.getByTestId('lobby-names'), /En attente des participants/);
      assert.equal(await screen.page.getByText('Lancez le quiz quand tout le monde est là').isVisible(), false, 'the trainer’s hint is not on the projector');
      await waitForText(screen.page.getByTestId('projector-text'), /Scannez le QR code/);
    }
    bots = await joinBots(room.join_code, room.id, 25);
    for (const name of ['Alice', 'Bob', 'Chloé']) phones[name] = await joinOnPhone(room.join_code, name);
    for (const screen of screens) {
      const { page, name } = screen;
      const names = page.getByTestId('lobby-names').getByRole('listitem');
      await waitUntil(async () => (await page.getByTestId('lobby-more').textContent())?.trim() === '+8 autres', `"+8 autres" at ${name}`);
      assert.equal(await names.count(), 20);
      assert.deepEqual((await names.allTextContents()).slice(0, 3), ['Chloé', 'Bob', 'Alice'], 'the newest first');
      await shot(page, `projector-07-lobby-names-${name}`);
      await assertInView(screen, 'lobby with 28 names', {
        names,
        more: page.getByTestId('lobby-more'),
        qr: page.getByRole('img', { name: /QR code/ }),
        code: page.getByTestId('join-code'),
      });
    }
    await assertAccessible(screens[0].page, 'projector window: lobby with names (1024×768)');
    await bots.leave();
    for (const screen of screens) {
      await waitUntil(async () => (await screen.page.getByTestId('lobby-names').getByRole('listitem').count()) === 3, `the bots gone at ${screen.name}`);
      assert.equal(await screen.page.getByTestId('lobby-more').count(), 0);
    }
  });

  await t.test('an open question: no live figures on the projector until the trainer turns them on', async () => {
    await trainer.getByRole('button', { name: 'Lancer le quiz' }).click();
    const toggle = trainer.getByLabel(/^Histogramme en direct sur le projecteur/);
    assert.equal(await toggle.isChecked(), false);
    await phones.Alice.page.getByRole('button', { name: /Lyon/ }).click();
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses\s*:\s*1\b/);
    for (const screen of screens) {
      await waitForText(screen.page.getByTestId('question-prompt'), /Auvergne-Rhône-Alpes/);
      assert.equal(await screen.page.locator('.amphi-live-distribution').isVisible(), false, `live figures hidden at ${screen.name}`);
    }
    await trainer.locator('label[for="live-on-projector"]').click();
    await waitUntil(() => toggle.isChecked(), 'the toggle on');
    await assertAccessible(trainer, 'trainer console: live histogram on the projector');
    for (const screen of screens) {
      const { page, name } = screen;
      await page.locator('.amphi-live-distribution').waitFor({ state: 'visible' });
      await waitUntil(async () => (await page.getByTestId('distribution-row').count()) === 4, `4 live bars at ${name}`);
      await waitForText(page.getByTestId('distribution-row').first(), /Lyon.*1/s);
      await shot(page, `projector-08-live-${name}`);
      await assertInView(screen, 'live histogram', {
        prompt: page.getByTestId('question-prompt'),
        bars: page.getByTestId('distribution-row'),
        countdown: page.getByTestId('countdown'),
      });
    }
    await assertAccessible(screens[1].page, 'projector window: live histogram (1280×720)');
  });

  await t.test('the end: a podium of the top three, no word for the trainer', async () => {
    // Everyone right, in turn: the speed bonus puts Alice first.
    await phones.Bob.page.getByRole('button', { name: /Lyon/ }).click();
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses\s*:\s*2\b/);
    await phones['Chloé'].page.getByRole('button', { name: /Lyon/ }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question fermée$/);
    await trainer.getByRole('button', { name: 'Révéler la réponse' }).click();
    await trainer.getByRole('button', { name: 'Terminer le quiz' }).waitFor();
    await trainer.getByRole('button', { name: 'Terminer le quiz' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Quiz terminé$/);
    for (const screen of screens) {
      const { page, name } = screen;
      const steps = page.getByTestId('podium-step');
      await waitUntil(async () => (await steps.count()) === 3, `a podium at ${name}`);
      assert.match(await steps.nth(0).textContent(), /Alice.*1er/s, 'the fastest right answer first');
      // Bob and Chloé, close behind (a tie shares its rank).
      const others = [await steps.nth(1).textContent(), await steps.nth(2).textContent()];
      assert.deepEqual(others.map((text) => /^(Bob|Chloé)/.exec(text)?.[1]).sort(), ['Bob', 'Chloé'], others.join(' / '));
      for (const text of others) assert.match(text, /pts[23]e$/);
      // The first in the middle and highest, once the blocks have risen.
      await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
      const [first, second, third] = await Promise.all([0, 1, 2].map((i) => steps.nth(i).locator('.amphi-podium__block').boundingBox()));
      assert.ok(second.x < first.x && first.x < third.x, `podium order at ${name}`);
      assert.ok(first.height > second.height && second.height > third.height, `podium heights at ${name}`);
      await waitForText(page.getByTestId('projector-text'), /Merci à toutes et à tous/);
      for (const trainerOnly of ['Téléchargez les résultats', 'Bilan par question', 'Justes']) {
        assert.equal(await page.getByText(trainerOnly).filter({ visible: true }).count(), 0, `"${trainerOnly}" on the projector at ${name}`);
      }
      assert.equal(await page.locator('.amphi-leaderboard__item').filter({ visible: true }).count(), 0, 'no long list under the podium');
      await shot(page, `projector-09-podium-${name}`);
      await assertInView(screen, 'podium', { steps, text: page.getByTestId('projector-text') });
    }
    await assertAccessible(screens[2].page, 'projector window: podium (1920×1080)');
    // The console keeps the whole leaderboard and the summary.
    await trainer.getByTestId('summary').waitFor();
    assert.ok(await trainer.locator('.amphi-leaderboard__item').count() > 3, 'the list goes on past the podium');
    await assertAccessible(trainer, 'trainer console: ended with podium');
  });

  await t.test('reduced motion: the podium does not rise', async () => {
    const { token: observer } = await api(token, `/api/v1/rooms/${room.id}/observer-token`);
    const context = await browser.newContext({ viewport: SIZES[1], locale: 'fr-FR', reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto(`${base}/projecteur#${new URLSearchParams({ room: room.id, token: observer })}`);
    await page.getByTestId('podium').waitFor();
    const animation = await page.locator('.amphi-podium__block').first().evaluate((el) => getComputedStyle(el).animationName);
    assert.equal(animation, 'none');
    await context.close();
  });

  for (const s of screens) await s.context.close();
  for (const p of Object.values(phones)) await p.context.close();
  await consoleContext.close();
});

test('projector: a board wall of 8 posts in several columns, at three sizes', { timeout: 120_000 }, async () => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const room = await api(token, '/api/v1/rooms', { title: 'Nos idées', kind: 'board', board: { sections: [], settings: {} } });
  // Eight short posts, written over a WebSocket of the trainer's own.
  const writerContext = await browser.newContext({ locale: 'fr-FR' });
  const writer = await writerContext.newPage();
  await writer.goto(`${base}/`);
  await writer.evaluate(async ({ token, room }) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`, 'amphi.v1.json');
    const acked = new Set();
    await new Promise((resolve, reject) => {
      ws.onerror = reject;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: 1, auth: { method: 'token', token } }));
      ws.onmessage = async (ev) => {
        const m = JSON.parse(ev.data);
        if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'join', id: 'join-1', room }));
        if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
        if (m.type === 'ack') acked.add(m.id);
        if (m.type === 'joined') {
          const section = m.snapshot.board.sections[0]?.id;
          for (let i = 1; i <= 8; i++) {
            const command = { action: 'post', title: `Idée ${i}`, text: `Travailler en petits groupes, étape ${i}.` };
            if (section) command.section = section;
            ws.send(JSON.stringify({ type: 'board', id: `p-${i}`, room, command }));
            await new Promise((r) => setTimeout(r, 80));
          }
        }
        if (acked.size === 9) resolve();
      };
    });
    ws.close();
  }, { token, room: room.id });
  await writerContext.close();

  const screens = await openProjectors(token, room);
  for (const screen of screens) {
    const { page, name } = screen;
    await waitUntil(async () => (await page.getByTestId('post').count()) === 8, `8 posts at ${name}`);
    await shot(page, `projector-05-board-${name}`);
    const boxes = await assertInView(screen, 'board wall', {
      posts: page.getByTestId('post'),
      qr: page.getByRole('img', { name: /QR code/ }),
      code: page.getByTestId('join-code'),
    });
    const columns = new Set(boxes.posts.map((b) => Math.round(b.x))).size;
    assert.ok(columns >= 2, `board wall at ${name}: ${columns} column(s)`);
    await assertCodeOnOneLine(screen, 'board wall');
  }
  await assertAccessible(screens[0].page, 'projector window: board wall of 8 posts (1024×768)');
  for (const s of screens) await s.context.close();
});

test('projector: the ateliers\' join code on one line, at three sizes', { timeout: 120_000 }, async () => {
  const token = await harness.token(['--role', 'facilitator', '--name', 'M. Petit']);
  const room = await api(token, '/api/v1/rooms', {
    title: 'Ateliers de printemps',
    kind: 'breakout',
    breakout: { plan: { mode: 'free_choice', ateliers: [
      { id: 'a1', name: 'Lecture', duration_s: 900, capacity: 5 },
      { id: 'a2', name: 'Écriture', duration_s: 900, capacity: 5 },
      { id: 'a3', name: 'Oral', duration_s: 900, capacity: 5 },
    ] } },
  });
  const screens = await openProjectors(token, room);
  for (const screen of screens) {
    const { page, name } = screen;
    await page.getByTestId('choices').waitFor();
    await shot(page, `projector-06-ateliers-${name}`);
    await assertInView(screen, 'ateliers', {
      code: page.getByTestId('join-code'),
      qr: page.getByRole('img', { name: /QR code/ }),
      choices: page.getByTestId('choices').getByRole('listitem'),
    });
    await assertCodeOnOneLine(screen, 'ateliers');
  }
  await assertAccessible(screens[1].page, 'projector window: ateliers (1280×720)');
  for (const s of screens) await s.context.close();
});
