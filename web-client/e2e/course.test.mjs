// End-to-end: amphi opened from a course (the LTI launch's hand-over to
// `/entrer#room=…&token=…&lang=…&return=…`, as the server's /lti/launch
// answers), against the real server (harness.mjs): the trainer lands in the
// board's console at 1280 px with "Retour au cours" (to the course, in the
// top window), the token gone from the address; a participant's phone lands
// in the board in the platform's language (English), under the name the
// platform sent; the trainer starts a new session from the console: a new
// room with its own code, entered at once, the old one still listed in
// "Mes sessions"; where the browser refuses storage in the frame, the page
// says so and a new window opens the console. Then the tool's own pages (a refused launch, the manual
// set-up) at 360 px. Every state goes through axe-core.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, assertFits, shot, startHarness, waitForText } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
const PROJECTOR = { width: 1280, height: 720 };
const COURSE = 'https://moodle.example.org/course/view.php?id=2';

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-course.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

function entry(room, token, lang) {
  return `${base}/entrer#${new URLSearchParams({ room, token, lang, return: COURSE })}`;
}

test('opened from a course: the console, the way back, a participant in their language, a new session', async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Tina Formatrice']);
  const created = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Nos idées', kind: 'board' }),
  });
  assert.equal(created.status, 201);
  const room = await created.json();

  const trainerContext = await browser.newContext({ viewport: PROJECTOR, locale: 'fr-FR' });
  const trainer = await trainerContext.newPage();
  let firstCode;

  await t.test('the trainer lands in the console, with the way back to the course', async () => {
    await trainer.goto(entry(room.id, token, 'fr'));
    await waitForText(trainer.getByTestId('join-code'), new RegExp(`^${room.join_code}$`));
    firstCode = room.join_code;
    assert.equal(new URL(trainer.url()).hash, '', 'the token left the address');
    const back = trainer.getByTestId('back-to-course');
    assert.equal(await back.textContent(), 'Retour au cours');
    assert.equal(await back.getAttribute('href'), COURSE);
    assert.equal(await back.getAttribute('target'), '_top', 'out of the platform’s frame');
    await assertFits(trainer, PROJECTOR.width, 'console opened from a course');
    await shot(trainer, 'course-trainer-console');
    await assertAccessible(trainer, 'console opened from a course');
  });

  await t.test('a participant lands in the board in the platform’s language, under their name', async () => {
    const participantToken = await harness.token(['--role', 'participant', '--name', 'Sam Stagiaire', '--room', room.id]);
    const phoneContext = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
    const phone = await phoneContext.newPage();
    await phone.goto(entry(room.id, participantToken, 'en'));
    await waitForText(phone.getByText(/You are Sam Stagiaire/).first(), /Sam Stagiaire/);
    assert.equal(await phone.getByTestId('back-to-course').textContent(), 'Back to the course');
    assert.equal(await phone.getByRole('textbox', { name: /name|nom/i }).count(), 0, 'no name asked');
    await assertFits(phone, PHONE.width, 'participant opened from a course');
    await shot(phone, 'course-participant-phone');
    await assertAccessible(phone, 'participant opened from a course');
    await phoneContext.close();
  });

  await t.test('the trainer starts a new session: a new code, entered at once, the old one kept', async () => {
    trainer.once('dialog', (dialog) => void dialog.accept());
    await trainer.getByRole('button', { name: 'Nouvelle session' }).click();
    await waitForText(trainer.getByTestId('join-code'), new RegExp(`^(?!${firstCode}$)[A-Z0-9]{6,}$`));
    const code = await trainer.getByTestId('join-code').textContent();
    assert.notEqual(code, firstCode);
    const mine = await (await fetch(`${base}/api/v1/rooms?mine=1`, { headers: { Authorization: `Bearer ${token}` } })).json();
    const codes = mine.rooms.map((r) => r.join_code);
    assert.ok(codes.includes(firstCode) && codes.includes(code), `both sessions listed: ${codes}`);
    assert.equal(mine.rooms.find((r) => r.join_code === code).kind, 'board');
    await shot(trainer, 'course-next-session');
    await assertAccessible(trainer, 'console of the new session');
  });

  await trainerContext.close();
});

test('a frame whose browser refuses storage: the page says so, a new window works', async () => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Tina Formatrice']);
  const created = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Sans stockage', kind: 'board' }),
  });
  const room = await created.json();
  // What a browser blocking third-party storage does in the platform's frame.
  const blocked = await browser.newContext({ viewport: PROJECTOR, locale: 'fr-FR' });
  await blocked.addInitScript(() => {
    for (const name of ['sessionStorage', 'localStorage']) {
      Object.defineProperty(window, name, { get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); } });
    }
  });
  const framed = await blocked.newPage();
  await framed.goto(entry(room.id, token, 'fr'));
  await waitForText(framed.getByText(/empêche amphi de garder votre session/), /nouvelle fenêtre/);
  const open = framed.getByRole('link', { name: 'Ouvrir dans une nouvelle fenêtre' });
  assert.equal(await open.getAttribute('target'), '_blank');
  const href = await open.getAttribute('href');
  assert.ok(href.includes('#') && href.includes(`room=${room.id}`), 'the new window gets the hand-over');
  await shot(framed, 'course-storage-refused');
  await assertAccessible(framed, 'storage refused in a frame');
  await blocked.close();
  // The new window (a first-party page: storage works) opens the console.
  const window_ = await browser.newContext({ viewport: PROJECTOR, locale: 'fr-FR' });
  const page = await window_.newPage();
  await page.goto(href);
  await waitForText(page.getByTestId('join-code'), new RegExp(`^${room.join_code}$`));
  await window_.close();
});

test('the tool’s own pages: a refused launch and the manual set-up, readable on a phone and accessible', async () => {
  // These pages allow no script but their own (CSP nonce): axe is injected past it.
  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  const login = new URLSearchParams({ iss: 'https://moodle.inconnu.example', login_hint: '4', target_link_uri: `${base}/lti/launch` });
  const refused = await page.goto(`${base}/lti/login?${login}`);
  assert.equal(refused.status(), 400);
  assert.equal(refused.headers()['x-amphi-error'], 'lti_unknown_platform');
  await waitForText(page.getByRole('heading', { level: 1 }), /amphi ne peut pas ouvrir cette activité/);
  await waitForText(page.locator('code'), /^lti_unknown_platform$/);
  await assertFits(page, PHONE.width, 'a refused launch');
  await assertAccessible(page, 'a refused launch (lti_unknown_platform)');
  await page.goto(`${base}/lti/setup`);
  await waitForText(page.getByRole('heading', { level: 1 }), /.+/);
  await assertFits(page, PHONE.width, 'the manual set-up page');
  await shot(page, 'course-lti-setup');
  await assertAccessible(page, 'the manual set-up page (/lti/setup)');
  await context.close();
});
