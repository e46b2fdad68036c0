// End-to-end board against the real server (harness.mjs): a trainer creates
// a moderated board with two sections; two participants join on 360 px
// phones; one posts a text (line breaks kept) with a link, the other an
// image uploaded from the phone with its alternative text (a missing alt
// text is refused first; an HTML file renamed .png is refused by the server
// with its code shown); the trainer approves both; both phones show both
// posts in the same order; a like and a comment reach the other phone; an
// edit, then an edit that conflicts (the post changed meanwhile: the current
// version is shown and the edit is made again); a video link shown as its
// host's player, a file with its name and size, a post deleted by its
// author; the trainer moves a post with the keyboard buttons and by
// dragging; a post made offline is kept and sent once, under its id, when
// the network is back; a post hidden then shown again; sections added,
// renamed, locked and removed; a posting deadline that has passed, then
// removed; reveal-later: each participant sees only their own post until
// the trainer reveals them all (then the board in English); the projector
// window (observer token) shows the wall, the join code and QR code at
// 1920 px, then the slideshow (one post at a time, the arrow keys, Escape);
// the CSV and ZIP exports download, and the ZIP makes a new board.
// Then a board of 130 posts: the snapshot carries 100, the phone fetches the
// rest with `load_more`, answered by a `board_page` under the same id.
// Every screen state goes through the axe-core check (assertAccessible);
// screenshots go to test-results/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { RESULTS, STEP_MS, assertAccessible, assertFits, plainSpaces, recordFrames, shot, startHarness, waitForText, waitUntil } from './harness.mjs';

const PHONE = { width: 360, height: 740 };
const TITLE = 'Idées — tableau e2e';
const ALICE_POST = 'Travailler en binômes';
const ALICE_TEXT = 'Première ligne\nDeuxième ligne';
const BOB_POST = 'Un schéma';

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-board.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

// ---- a small valid PNG (8×8, blue), made here ----
function crc32(bytes) {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])), 0);
  return Buffer.concat([head, data, crc]);
}
function png(size = 8) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [0, 0, 145]).flat())]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A participant's phone, joined with the code. */
async function joinOnPhone(code, name) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const frames = recordFrames(page);
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${base}/j/${code}`);
  await page.getByLabel('Pseudonyme').fill(name);
  await page.getByRole('button', { name: 'Rejoindre' }).click();
  await page.getByTestId('board').waitFor();
  await waitForText(page.getByTestId('connection'), /^Connecté$/);
  return { page, frames, context };
}

/** The card of the post with this title. */
function card(page, title) {
  return page.getByTestId('post').filter({ has: page.locator('.amphi-post__title', { hasText: title }) });
}

/** The post titles a page shows, in board order. */
async function titles(page) {
  return (await page.getByTestId('post').locator('.amphi-post__title').allTextContents()).map((s) => s.trim());
}

/** Unfolds the optional parts of a post form (link, image, video, file). */
async function openExtras(form) {
  const extras = form.locator('details.amphi-composer__extras');
  if (!(await extras.evaluate((d) => d.open))) await form.getByTestId('post-extras').click();
}

/** Fills the post form of a page (`compose` section). */
async function post(page, fields) {
  const form = page.getByTestId('compose');
  if (fields.link) await openExtras(form);
  if (fields.section) await form.getByTestId('post-section').selectOption({ label: fields.section });
  if (fields.title) await form.getByTestId('post-title').fill(fields.title);
  if (fields.text) await form.getByTestId('post-text-input').fill(fields.text);
  if (fields.link) await form.getByTestId('post-link-input').fill(fields.link);
}

/** Board commands a page sent. */
function boardCommands(frames, action) {
  return frames.sent.filter((f) => f.type === 'board' && f.command?.action === action);
}

test('board: moderated posts, uploads, likes, comments, edits, moves, offline, reveal-later, projector, exports', { timeout: 300_000 }, async (t) => {
  let token;
  let trainer;
  let trainerContext;
  let roomId;
  let code;
  let alice;
  let bob;
  // Each step needs the ones before: after a failure, the rest are skipped.
  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  await step('trainer creates a moderated board with two sections', async () => {
    token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
    trainerContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
    trainerContext.setDefaultTimeout(STEP_MS);
    trainer = await trainerContext.newPage();
    trainer.on('dialog', (d) => void d.accept());
    const frames = recordFrames(trainer);
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('button', { name: 'Créer un tableau' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Créer un tableau' }).waitFor();
    assert.equal(new URL(trainer.url()).pathname, '/tableau/nouveau');
    await trainer.getByRole('button', { name: 'Créer le tableau', exact: true }).click();
    await waitForText(trainer.getByTestId('error'), /titre au tableau/);
    await assertAccessible(trainer, 'board creation: error');
    await trainer.getByLabel('Titre du tableau').fill(TITLE);
    await trainer.getByLabel('Sections (une par ligne)').fill('Idées\n\nQuestions\n');
    await trainer.getByLabel(/^Modéré/).check({ force: true });
    await shot(trainer, 'board-01-create');
    await assertAccessible(trainer, 'board creation: filled');
    await trainer.getByRole('button', { name: 'Créer le tableau', exact: true }).click();
    await trainer.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    await trainer.getByRole('img', { name: new RegExp(`QR code.*${code}`) }).waitFor();
    await waitForText(trainer.getByTestId('board-mode'), /^Modéré$/);
    const joined = frames.received.find((f) => f.type === 'joined');
    roomId = joined.room.id;
    assert.equal(joined.room.kind, 'board');
    assert.deepEqual(joined.snapshot.board.sections.map((s) => s.title), ['Idées', 'Questions']);
    assert.equal((await trainer.getByTestId('board-section').count()), 2);
    await shot(trainer, 'board-02-console-empty');
    await assertAccessible(trainer, 'board console: empty');
  });

  await step('two participants join on phones', async () => {
    alice = await joinOnPhone(code, 'Alice');
    bob = await joinOnPhone(code, 'Bob');
    await waitForText(alice.page.getByTestId('board-mode'), /^Modéré$/);
    await waitForText(alice.page.getByTestId('board-mode-hint'), /après validation/);
    assert.equal(await alice.page.getByRole('heading', { level: 1 }).textContent(), TITLE);
    await assertFits(alice.page, PHONE.width, 'the empty board');
    await shot(alice.page, 'board-03-phone-empty');
    await assertAccessible(alice.page, 'participant: empty moderated board');
  });

  await step('Alice posts a text with line breaks and a link: pending for her, unseen by Bob', async () => {
    const { page } = alice;
    await page.getByTestId('compose').getByTestId('post-submit').click();
    await waitForText(page.getByTestId('composer-error'), /au moins un titre/);
    await assertAccessible(page, 'participant: empty post refused');
    await post(page, { section: 'Idées', title: ALICE_POST, text: ALICE_TEXT, link: 'pas un lien' });
    await page.getByTestId('compose').getByTestId('post-submit').click();
    await waitForText(page.getByTestId('composer-error'), /adresse web complète/);
    assert.equal(await page.getByTestId('compose').getByTestId('post-link-input').getAttribute('aria-invalid'), 'true');
    await post(page, { link: 'https://eduscol.education.fr/' });
    await page.getByTestId('compose').getByTestId('post-submit').click();
    const mine = card(page, ALICE_POST);
    await waitForText(mine.getByTestId('post-status'), /En attente de validation/);
    assert.equal(await mine.getByTestId('post-text').evaluate((el) => el.textContent), ALICE_TEXT);
    assert.equal(await mine.getByTestId('post-text').evaluate((el) => getComputedStyle(el).whiteSpace), 'pre-wrap');
    assert.equal(await mine.getByTestId('post-link').getAttribute('href'), 'https://eduscol.education.fr/');
    assert.equal(await page.getByTestId('compose').getByTestId('post-title').inputValue(), '', 'the form empties');
    await shot(page, 'board-04-alice-pending');
    await assertAccessible(page, 'participant: own post pending');
    assert.equal(await card(bob.page, ALICE_POST).count(), 0);
  });

  await step('Bob uploads an image: alt text required; an HTML file renamed .png is refused with its code', async () => {
    const { page } = bob;
    const form = page.getByTestId('compose');
    await openExtras(form);
    await form.getByTestId('post-image-input').setInputFiles({ name: 'piege.png', mimeType: 'image/png', buffer: Buffer.from('<!doctype html><script>alert(1)</script>', 'utf8') });
    await waitForText(form.getByTestId('upload-error'), /type de fichier non accepté.*file_type_refused/);
    await shot(page, 'board-05-upload-refused');
    await assertAccessible(page, 'participant: upload refused');

    await post(page, { section: 'Questions', title: BOB_POST });
    await openExtras(form);
    await form.getByTestId('post-image-input').setInputFiles({ name: 'schema.png', mimeType: 'image/png', buffer: png() });
    await waitForText(form.getByTestId('image-status'), /Image jointe\s: schema\.png/);
    assert.equal(await form.getByTestId('upload-error').count(), 0);
    await form.getByTestId('post-submit').click();
    await waitForText(page.getByTestId('composer-error'), /Décrivez l’image/);
    assert.equal(await form.getByTestId('post-alt').getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'participant: image without alt text');
    await form.getByTestId('post-alt').fill('Un carré bleu');
    await form.getByTestId('post-submit').click();
    const mine = card(page, BOB_POST);
    await waitForText(mine.getByTestId('post-status'), /En attente de validation/);
    const image = mine.getByTestId('post-image');
    assert.equal(await image.getAttribute('alt'), 'Un carré bleu');
    await waitUntil(() => image.evaluate((img) => img.complete && img.naturalWidth === 8), 'the uploaded image to load');
    await assertAccessible(page, 'participant: image post pending');
  });

  await step('the trainer approves both posts; both phones show them in the same order', async () => {
    await waitForText(trainer.getByTestId('board-counts'), /Messages : 2 ; à valider : 2 ;/);
    await shot(trainer, 'board-06-console-pending');
    await assertAccessible(trainer, 'board console: two posts to approve');
    const queue = trainer.getByTestId('moderation-queue');
    await waitForText(queue.getByRole('heading', { level: 2 }), /À valider \(2\)/);
    const box = await queue.boundingBox();
    const board = await trainer.locator('#board-posts-title').boundingBox();
    assert.ok(box && board && box.y < board.y, 'the queue comes above the board');
    assert.deepEqual((await queue.getByTestId('queued-post').locator('.fr-text--bold').allTextContents()).map(plainSpaces), [ALICE_POST, BOB_POST].map(plainSpaces), 'oldest first');
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 720 }]) {
      await trainer.setViewportSize(viewport);
      await assertFits(trainer, viewport.width, `the moderation queue at ${viewport.width} px`);
      await assertAccessible(trainer, `board console: moderation queue at ${viewport.width} px`);
    }
    await shot(trainer, 'board-06b-moderation-queue');
    await trainer.setViewportSize({ width: 1280, height: 900 });
    await trainer.getByRole('button', { name: `Valider le message « ${ALICE_POST} »` }).click();
    await waitForText(queue.getByRole('heading', { level: 2 }), /À valider \(1\)/);
    await queue.getByRole('button', { name: 'Tout valider (1)' }).click();
    await waitForText(queue.getByTestId('queue-outcome'), /1 message validé\./);
    await waitForText(trainer.getByTestId('board-counts'), /à valider : 0 ;/);
    await waitForText(queue, /Plus rien à valider/);
    for (const { page } of [alice, bob]) {
      await card(page, ALICE_POST).waitFor();
      await card(page, BOB_POST).waitFor();
      assert.equal(await page.getByTestId('post-status').count(), 0, 'nothing pending any more');
    }
    assert.deepEqual(await titles(alice.page), [ALICE_POST, BOB_POST]);
    assert.deepEqual(await titles(bob.page), await titles(alice.page));
    await waitForText(card(alice.page, ALICE_POST).locator('.amphi-post__meta'), /^Vous/);
    await waitForText(card(bob.page, ALICE_POST).locator('.amphi-post__meta'), /^Alice/);
    await assertFits(bob.page, PHONE.width, 'the board with two posts');
    await shot(bob.page, 'board-07-phone-two-posts');
    await assertAccessible(bob.page, 'participant: two posts');
    await assertAccessible(trainer, 'board console: approved');
  });

  await step('a like and a comment reach the other phone', async () => {
    await card(alice.page, BOB_POST).locator('[data-focus="like"]').click();
    await waitForText(card(bob.page, BOB_POST).locator('[data-focus="like"]'), /1 j’aime/);
    assert.equal(await card(alice.page, BOB_POST).locator('[data-focus="like"]').getAttribute('aria-pressed'), 'true');
    const comment = card(bob.page, ALICE_POST);
    await comment.getByLabel(`Commenter le message « ${ALICE_POST} »`).fill('Bonne idée !');
    await comment.getByRole('button', { name: 'Commenter', exact: true }).click();
    await waitForText(card(alice.page, ALICE_POST).getByTestId('comments'), /Bonne idée\s!.*Bob/s);
    await waitForText(card(alice.page, ALICE_POST).locator('.amphi-post__comments-title'), /Commentaires \(1\)/);
    await shot(alice.page, 'board-08-like-comment');
    await assertAccessible(alice.page, 'participant: liked, commented');
    await assertAccessible(bob.page, 'participant: a like received');
  });

  await step('Alice edits her post; a conflicting edit shows the current version', async () => {
    const { page } = alice;
    const mine = card(page, ALICE_POST);
    await mine.getByRole('button', { name: `Modifier le message « ${ALICE_POST} »` }).click();
    const editTitle = mine.getByTestId('post-title');
    assert.equal(await editTitle.evaluate((el) => el === document.activeElement), true, 'the edit form takes the focus');
    await assertAccessible(page, 'participant: editing');
    await editTitle.fill(`${ALICE_POST} (v2)`);
    await mine.getByRole('button', { name: 'Enregistrer' }).click();
    await card(bob.page, `${ALICE_POST} (v2)`).waitFor();
    const edited = card(page, `${ALICE_POST} (v2)`);
    await waitForText(edited.locator('.amphi-post__meta'), /modifié/);
    // The ack (once the edit is committed) may come after the post's update: then the form closes.
    await waitUntil(() => edited.locator('.amphi-post__title').evaluate((el) => el === document.activeElement), 'the focus back on the heading');
    assert.equal(boardCommands(alice.frames, 'edit').at(-1).command.version, 1);

    // Edit again; meanwhile the same post is changed from another connection of Alice.
    await edited.getByRole('button', { name: /^Modifier le message/ }).click();
    await edited.getByTestId('post-text-input').fill('Ma version');
    await page.evaluate(async ({ room, postId }) => {
      const session = JSON.parse(sessionStorage.getItem('amphi.session'));
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`, 'amphi.v1.json');
      await new Promise((resolve, reject) => {
        ws.onerror = reject;
        ws.onmessage = (ev) => {
          const m = JSON.parse(ev.data);
          if (m.type === 'joined') ws.send(JSON.stringify({ type: 'board', id: 'e2e-other-edit', room, command: { action: 'edit', post: postId, version: 2, title: 'Travailler en binômes (v3)', text: 'Version de l’autre appareil' } }));
          if (m.type === 'ack' && m.id === 'e2e-other-edit') resolve();
          if (m.type === 'error') reject(new Error(m.code));
        };
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: 1, auth: { method: 'resume', token: session.resumeToken }, last_seq: { [room]: 0 } }));
      });
      ws.close();
    }, { room: roomId, postId: boardCommands(alice.frames, 'edit').at(-1).command.post });
    const current = card(page, 'Travailler en binômes (v3)');
    await current.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForText(current.getByTestId('conflict'), /modifié entre-temps \(version 3\).*Ma version/s);
    assert.equal(await current.getByTestId('post-text-input').inputValue(), 'Version de l’autre appareil');
    await shot(page, 'board-09-conflict');
    await assertAccessible(page, 'participant: edit conflict');
    await current.getByTestId('post-text-input').fill(`${ALICE_TEXT}\nMa version`);
    await current.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForText(card(bob.page, 'Travailler en binômes (v3)').getByTestId('post-text'), /Ma version/);
    assert.equal(boardCommands(alice.frames, 'edit').at(-1).command.version, 3);
  });

  await step('a video link becomes the host’s player, a file shows its name and size; Alice deletes that post', async () => {
    const { page } = alice;
    const form = page.getByTestId('compose');
    await post(page, { section: 'Idées', title: 'Vidéo et fichier' });
    await openExtras(form);
    await form.getByTestId('post-video-input').fill('https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1');
    await form.getByTestId('post-file-input').setInputFiles({ name: 'séance 1.pdf', mimeType: 'application/pdf', buffer: pdf });
    await waitForText(form.getByTestId('file-status'), /Fichier joint\s: séance 1\.pdf \(\d+ o\)/);
    await form.getByTestId('post-submit').click();
    const mine = card(page, 'Vidéo et fichier');
    const player = mine.locator('iframe');
    await player.waitFor({ state: 'attached' });
    assert.equal(await player.getAttribute('src'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    assert.equal(plainSpaces(await player.getAttribute('title')), 'Vidéo du message « Vidéo et fichier »');
    assert.equal(await player.getAttribute('sandbox'), 'allow-scripts allow-same-origin allow-presentation allow-popups');
    const file = mine.getByTestId('post-file').locator('a');
    await waitForText(file, /Télécharger séance 1\.pdf\s*\d+ o/);
    // The link carries the signed blob token of `welcome`: no bearer token needed, none other works.
    const href = await file.getAttribute('href');
    assert.match(href, /^\/api\/v1\/blobs\/[^?]+\?name=s%C3%A9ance%201\.pdf&access=[^&]+$/);
    assert.equal(await file.getAttribute('download'), 'séance 1.pdf');
    assert.equal((await fetch(`${base}${href.replace(/&access=.*/, '')}`)).status, 401);
    const served = await fetch(`${base}${href}`);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
    assert.match(served.headers.get('content-disposition'), /^attachment/);
    // (No accessibility check with the player: it cannot load here, and axe would wait for it.)
    await mine.getByRole('button', { name: 'Supprimer le message « Vidéo et fichier »' }).click();
    const yes = mine.getByRole('button', { name: 'Oui, supprimer' });
    assert.equal(await yes.evaluate((el) => el === document.activeElement), true, 'the question takes the focus');
    await yes.click();
    await waitUntil(async () => (await card(page, 'Vidéo et fichier').count()) === 0, 'the post to go');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Idées', 'the focus goes to the section');
    await assertAccessible(page, 'participant: own post deleted');
  });

  await step('the trainer moves posts with the buttons and by dragging', async () => {
    const bobs = card(trainer, BOB_POST);
    await bobs.getByLabel(`Déplacer « ${BOB_POST} » vers…`).selectOption({ label: 'Idées' });
    await bobs.getByRole('button', { name: `Déplacer le message « ${BOB_POST} » vers la section choisie` }).click();
    await waitUntil(async () => (await titles(alice.page)).join('|') === 'Travailler en binômes (v3)|Un schéma', 'Bob’s post under Alice’s in Idées');
    // The console too: until its own view has moved the card, the button
    // about to get the focus is the old card's, which the move replaces.
    await waitUntil(async () => {
      const shown = await titles(trainer);
      return shown.indexOf(BOB_POST) === shown.indexOf('Travailler en binômes (v3)') + 1;
    }, 'Bob’s post under Alice’s on the console');
    const up = card(trainer, BOB_POST).getByRole('button', { name: `Monter le message « ${BOB_POST} »` });
    await up.focus();
    await trainer.keyboard.press('Enter');
    await waitUntil(async () => (await titles(bob.page)).join('|') === 'Un schéma|Travailler en binômes (v3)', 'Bob’s post moved up');
    assert.deepEqual(await titles(alice.page), await titles(bob.page));
    // The focus stays on the moved card.
    const focused = await trainer.evaluate(() => document.activeElement?.closest('article')?.querySelector('.amphi-post__title')?.textContent);
    assert.equal(focused, BOB_POST);
    await assertAccessible(trainer, 'board console: moved');

    // Drag Bob's post by its handle into the Questions column.
    const handle = card(trainer, BOB_POST).locator('.amphi-post__handle');
    await handle.scrollIntoViewIfNeeded();
    const from = await handle.boundingBox();
    const target = await trainer.getByTestId('board-section').nth(1).locator('ol').boundingBox();
    await trainer.mouse.move(from.x + from.width / 2, from.y + 10);
    await trainer.mouse.down();
    await trainer.mouse.move(target.x + target.width / 2, target.y + 10, { steps: 8 });
    await trainer.mouse.up();
    await waitUntil(async () => (await bob.page.getByTestId('board-section').nth(1).locator('.amphi-post__title').allTextContents()).includes(BOB_POST), 'Bob’s post dragged to Questions');
    assert.deepEqual(await titles(alice.page), await titles(bob.page));
  });

  await step('a post made offline is kept, then sent once under its id', async () => {
    const { page, context, frames } = bob;
    await context.setOffline(true);
    await waitForText(page.getByTestId('connection'), /Hors ligne|Reconnexion/);
    await post(page, { section: 'Questions', title: 'Écrit hors ligne' });
    await page.getByTestId('compose').getByTestId('post-submit').click();
    await waitForText(page.getByTestId('queued-post'), /Hors ligne\s: sera envoyé/);
    await shot(page, 'board-10-offline');
    await assertAccessible(page, 'participant: post queued offline');
    await context.setOffline(false);
    const sent = card(page, 'Écrit hors ligne');
    await waitForText(sent.getByTestId('post-status'), /En attente de validation/, 30_000);
    await waitUntil(async () => (await page.getByTestId('queued-post').count()) === 0, 'the queued copy to go');
    const posts = boardCommands(frames, 'post').filter((c) => c.command.title === 'Écrit hors ligne');
    assert.ok(posts.length >= 1);
    assert.equal(new Set(posts.map((c) => c.id)).size, 1, 'one client id for the post');
    await trainer.getByRole('button', { name: 'Valider le message « Écrit hors ligne »' }).click();
    await card(alice.page, 'Écrit hors ligne').waitFor();
    assert.equal(await card(alice.page, 'Écrit hors ligne').count(), 1, 'posted once');
  });

  await step('the trainer hides a post: gone for the others, "hidden" for its author; then shows it again', async () => {
    const title = 'Écrit hors ligne';
    await card(trainer, title).getByRole('button', { name: `Masquer le message « ${title} »` }).click();
    await waitUntil(async () => (await card(alice.page, title).count()) === 0, 'the hidden post to leave Alice’s board');
    await waitForText(card(bob.page, title).getByTestId('post-status'), /Masqué par le formateur/);
    await waitForText(card(trainer, title).getByTestId('post-status'), /Masqué/);
    await waitForText(trainer.getByTestId('board-counts'), /masqués : 1/);
    await assertAccessible(bob.page, 'participant: own post hidden');
    await card(trainer, title).getByRole('button', { name: `Afficher de nouveau le message « ${title} »` }).click();
    await card(alice.page, title).waitFor();
    await waitUntil(async () => (await card(bob.page, title).getByTestId('post-status').count()) === 0, 'the post shown again');
    assert.deepEqual(await titles(alice.page), await titles(bob.page));
  });

  await step('sections (add, rename, lock, remove) and the posting deadline', async () => {
    await trainer.getByText('Sections', { exact: true }).click();
    await trainer.getByLabel('Nouvelle section').fill('Ressources');
    await trainer.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await waitUntil(async () => (await bob.page.getByTestId('board-section').count()) === 3, 'the new section on the phone');
    await trainer.getByLabel('Titre de la section 3').fill('Ressources utiles');
    await trainer.getByRole('button', { name: 'Renommer la section « Ressources »' }).click();
    await waitForText(bob.page.getByTestId('board-section').nth(2).locator('h2'), /^Ressources utiles$/);
    await trainer.getByRole('button', { name: 'Verrouiller la section « Questions »' }).click();
    await bob.page.getByTestId('board-section').nth(1).getByText('Section verrouillée').waitFor({ state: 'visible' });
    const options = await bob.page.getByTestId('compose').getByTestId('post-section').locator('option').allTextContents();
    assert.deepEqual(options, ['Idées', 'Ressources utiles'], 'no posting into a locked section');
    assert.equal(await card(bob.page, BOB_POST).getByRole('button', { name: /^Modifier/ }).count(), 0, 'no editing in a locked section');
    await assertAccessible(trainer, 'board console: sections');
    await assertAccessible(bob.page, 'participant: a locked section');
    await trainer.getByRole('button', { name: 'Déverrouiller la section « Questions »' }).click();
    await trainer.getByRole('button', { name: 'Supprimer la section « Ressources utiles » (vide seulement)' }).click();
    await waitUntil(async () => (await bob.page.getByTestId('board-section').count()) === 2, 'the section removed');
    assert.equal(await trainer.getByRole('button', { name: 'Supprimer la section « Questions » (vide seulement)' }).isDisabled(), true);

    // A deadline already passed: read only for participants; then removed.
    await trainer.getByLabel(/^Date limite de publication/).fill('2020-01-01T10:00');
    await trainer.getByRole('button', { name: 'Fixer', exact: true }).click();
    await waitForText(alice.page.getByTestId('post-blocked'), /date limite est passée/);
    assert.equal(await alice.page.getByTestId('compose').getByTestId('post-submit').isVisible(), false);
    await waitForText(alice.page.getByTestId('board-deadline'), /est passée/);
    await assertAccessible(alice.page, 'participant: deadline passed');
    await trainer.getByRole('button', { name: 'Retirer la date limite' }).click();
    await alice.page.getByTestId('compose').getByTestId('post-submit').waitFor();
    assert.equal(await alice.page.getByTestId('board-deadline').isVisible(), false);
  });

  await step('reveal-later: each sees only their own post until the trainer reveals them all', async () => {
    await trainer.getByLabel('Mode de publication').selectOption('reveal_later');
    await trainer.getByRole('button', { name: 'Changer le mode' }).click();
    await waitForText(alice.page.getByTestId('board-mode'), /^Dévoilement différé$/);
    await post(alice.page, { section: 'Idées', title: 'Secret d’Alice' });
    await alice.page.getByTestId('compose').getByTestId('post-submit').click();
    await post(bob.page, { section: 'Idées', title: 'Secret de Bob' });
    await bob.page.getByTestId('compose').getByTestId('post-submit').click();
    await waitForText(card(alice.page, 'Secret d’Alice').getByTestId('post-status'), /Pas encore dévoilé/);
    await waitForText(card(bob.page, 'Secret de Bob').getByTestId('post-status'), /Pas encore dévoilé/);
    await waitForText(trainer.getByTestId('reveal'), /Tout dévoiler \(2\)/);
    assert.equal(await card(alice.page, 'Secret de Bob').count(), 0);
    assert.equal(await card(bob.page, 'Secret d’Alice').count(), 0);
    await shot(alice.page, 'board-11-reveal-later');
    await assertAccessible(alice.page, 'participant: reveal-later, own post');
    await assertAccessible(trainer, 'board console: reveal-later');
    await trainer.getByTestId('reveal').click();
    for (const { page } of [alice, bob]) {
      await card(page, 'Secret d’Alice').waitFor();
      await card(page, 'Secret de Bob').waitFor();
      await waitForText(page.getByTestId('board-mode'), /^Ouvert$/);
    }
    assert.deepEqual(await titles(alice.page), await titles(bob.page));
    assert.equal(await alice.page.getByTestId('post-status').count(), 0);
    await assertAccessible(bob.page, 'participant: revealed');
    // The same board in English.
    await bob.page.getByRole('button', { name: 'Switch to English' }).click();
    await bob.page.getByRole('heading', { name: 'Post a message' }).waitFor();
    await waitForText(bob.page.getByTestId('board-mode'), /^Open$/);
    await waitForText(card(bob.page, BOB_POST).locator('[data-focus="like"]'), /1 like/);
    await shot(bob.page, 'board-12-phone-english');
    await assertAccessible(bob.page, 'participant: revealed (English)');
  });

  await step('the projector window shows the wall, the code and the QR code at 1920 px', async () => {
    await trainer.setViewportSize({ width: 1920, height: 1080 });
    const [popup] = await Promise.all([
      trainerContext.waitForEvent('page'),
      trainer.getByTestId('projector-window').click(),
    ]);
    await popup.setViewportSize({ width: 1920, height: 1080 });
    await popup.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    assert.equal(new URL(popup.url()).hash, '', 'the token left the address bar');
    await waitForText(popup.getByTestId('join-code'), new RegExp(`^${code}$`));
    await popup.getByRole('img', { name: new RegExp(`QR code.*${code}`) }).waitFor();
    await card(popup, 'Secret de Bob').waitFor();
    assert.equal(await popup.getByRole('button', { name: /J’aime|Modifier|Supprimer|Valider/ }).count(), 0, 'read only');
    const size = await card(popup, 'Secret de Bob').locator('.amphi-post__title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 24, `projector titles are large (${size}px)`);
    await shot(popup, 'board-13-projector');
    await assertAccessible(popup, 'projector window: board wall');
    // The slideshow: one post at a time, larger still; the arrow keys go on.
    await popup.getByRole('button', { name: 'Diaporama' }).click();
    const slideshow = popup.getByTestId('slideshow');
    await waitForText(slideshow.getByTestId('slideshow-position'), /^1 sur \d+$/);
    assert.equal(await popup.getByTestId('board').isVisible(), false, 'the wall gives way');
    const first = await slideshow.locator('.amphi-post__title').textContent();
    const big = await slideshow.locator('.amphi-post__title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(big >= 40, `slideshow titles are larger still (${big}px)`);
    await popup.keyboard.press('ArrowRight');
    await waitForText(slideshow.getByTestId('slideshow-position'), /^2 sur \d+$/);
    assert.notEqual(await slideshow.locator('.amphi-post__title').textContent(), first);
    await shot(popup, 'board-13b-projector-slideshow');
    await assertAccessible(popup, 'projector window: slideshow');
    await popup.keyboard.press('Escape');
    await popup.getByTestId('board').waitFor();
    await popup.close();
    await trainer.setViewportSize({ width: 1280, height: 900 });
  });

  await step('exports: CSV and ZIP download; the ZIP makes a new board', async () => {
    const [csvDownload] = await Promise.all([trainer.waitForEvent('download'), trainer.getByTestId('download-export-csv').click()]);
    assert.match(csvDownload.suggestedFilename(), /^Idées — tableau e2e - \d{4}-\d{2}-\d{2} - tableau\.csv$/);
    const csvPath = join(RESULTS, 'board-export.csv');
    await csvDownload.saveAs(csvPath);
    const csv = readFileSync(csvPath, 'utf8');
    for (const text of ['Travailler en binômes (v3)', BOB_POST, 'Secret de Bob', 'Bonne idée !', 'Alice', 'Bob']) assert.ok(csv.includes(text), `${text} in the CSV`);
    await waitForText(trainer.getByTestId('download-status'), /Fichier enregistré/);
    const [zipDownload] = await Promise.all([trainer.waitForEvent('download'), trainer.getByTestId('download-export-zip').click()]);
    const zipPath = join(RESULTS, 'board-export.zip');
    await zipDownload.saveAs(zipPath);
    await assertAccessible(trainer, 'board console: exported');

    await trainer.getByTestId('board-import-file').setInputFiles(zipPath);
    await trainer.getByLabel('Titre du nouveau tableau (facultatif)').fill('Idées — réutilisé');
    await trainer.getByRole('button', { name: 'Importer et créer le tableau' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Idées — réutilisé' }).waitFor();
    await card(trainer, BOB_POST).getByTestId('post-image').waitFor();
    await card(trainer, 'Secret d’Alice').waitFor();
    await shot(trainer, 'board-14-imported');
    await assertAccessible(trainer, 'board console: imported board');
  });
});

test('board: a long board loads page by page (load_more answered by board_page)', { timeout: 120_000 }, async () => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const created = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Tableau long', kind: 'board', board: { sections: ['Pair', 'Impair'] } }),
  }).then((r) => r.json());
  assert.equal(created.kind, 'board');
  const COUNT = 130; // the snapshot carries 100

  // The trainer's posts, sent over a WebSocket of their own (paced under the rate limit).
  const context = await browser.newContext({ locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  const writer = await context.newPage();
  await writer.goto(`${base}/`);
  await writer.evaluate(async ({ token, room, count }) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`, 'amphi.v1.json');
    const acked = new Set();
    let sections = [];
    await new Promise((resolve, reject) => {
      ws.onerror = reject;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: 1, auth: { method: 'token', token } }));
      ws.onmessage = async (ev) => {
        const m = JSON.parse(ev.data);
        if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'join', id: 'join-1', room }));
        if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
        if (m.type === 'ack') acked.add(m.id);
        if (m.type === 'joined') {
          sections = m.snapshot.board.sections.map((s) => s.id);
          for (let i = 1; i <= count; i++) {
            const title = `Message ${String(i).padStart(3, '0')}`;
            ws.send(JSON.stringify({ type: 'board', id: `p-${i}`, room, command: { action: 'post', section: sections[i % 2], title } }));
            await new Promise((r) => setTimeout(r, 70));
          }
        }
        if (acked.size === count + 1) resolve();
      };
    });
    ws.close();
  }, { token, room: created.id, count: COUNT });
  await context.close();

  const chloe = await joinOnPhone(created.join_code, 'Chloé');
  await waitUntil(async () => (await chloe.page.getByTestId('post').count()) === COUNT, `${COUNT} posts on the phone`, 30_000);
  const joined = chloe.frames.received.find((f) => f.type === 'joined');
  assert.equal(joined.snapshot.board.posts.length, 100);
  assert.equal(joined.snapshot.board.total, COUNT);
  const asked = chloe.frames.sent.filter((f) => f.type === 'board' && f.command.action === 'load_more');
  assert.equal(asked.length, 1);
  assert.equal(asked[0].command.cursor, joined.snapshot.board.next);
  const page = chloe.frames.received.find((f) => f.type === 'board_page');
  assert.equal(page.id, asked[0].id, 'board_page answers the load_more under its id');
  assert.equal(page.posts.length, COUNT - 100);
  assert.equal(chloe.frames.received.filter((f) => f.type === 'ack' && f.id === asked[0].id).length, 0, 'no ack besides the page');
  const expected = [
    ...Array.from({ length: COUNT }, (_, i) => i + 1).filter((i) => i % 2 === 0),
    ...Array.from({ length: COUNT }, (_, i) => i + 1).filter((i) => i % 2 === 1),
  ].map((i) => `Message ${String(i).padStart(3, '0')}`);
  assert.deepEqual(await titles(chloe.page), expected, 'board order: sections in order, then by key');
  await assertAccessible(chloe.page, 'participant: a long board, fully loaded');
  await chloe.context.close();
});

test('board: a refused video host is explained on its field, and nothing typed is lost (phone)', { timeout: 120_000 }, async () => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const created = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Vidéos de la séance', kind: 'board', board: { sections: [], settings: {} } }),
  }).then((r) => r.json());
  const { page, frames, context } = await joinOnPhone(created.join_code, 'Camille');
  const form = page.getByTestId('compose');
  const videoInput = form.getByTestId('post-video-input');
  const videoGroup = form.locator('.fr-input-group', { has: page.getByTestId('post-video-input') });
  const TEXT = 'Regardez la séquence\navant jeudi.';
  await post(page, { title: 'Ma vidéo', text: TEXT });
  await openExtras(form);
  // The accepted sites are named under the field.
  await waitForText(form.getByTestId('video-hosts'), /^Sites acceptés : podeduc\.apps\.education\.fr, \*\.apps\.education\.fr, YouTube, Vimeo, Dailymotion\.$/);

  // Another site: refused here, on its field, before anything is sent.
  await videoInput.fill('https://videos.example.com/v/42');
  await form.getByTestId('post-submit').click();
  await waitForText(videoGroup.locator('.fr-error-text'), /n’est pas accepté ici\. Sites acceptés : .*YouTube/);
  assert.equal(await videoInput.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'post-video-input', 'the focus is on the field');
  assert.equal(boardCommands(frames, 'post').length, 0, 'nothing sent');
  assert.equal(await form.getByTestId('post-title').inputValue(), 'Ma vidéo');
  assert.equal(await form.getByTestId('post-text-input').inputValue(), TEXT);
  await shot(page, 'board-16-video-host-refused-360');
  await assertAccessible(page, 'participant: video site refused on its field (phone)');

  // An accepted site but not a video (a channel): the server refuses it; the post comes back into the form.
  await videoInput.fill('https://www.youtube.com/@eduscol');
  await form.getByTestId('post-submit').click();
  await waitUntil(() => frames.received.some((f) => f.type === 'error' && f.code === 'invalid_field'), 'the server’s refusal');
  await waitForText(videoGroup.locator('.fr-error-text'), /n’a pas été acceptée.*d’un site accepté \(.*YouTube.*\)\. Votre message est conservé\.$/);
  assert.equal(await form.getByTestId('post-title').inputValue(), 'Ma vidéo');
  assert.equal(await form.getByTestId('post-text-input').inputValue(), TEXT);
  assert.equal(await videoInput.inputValue(), 'https://www.youtube.com/@eduscol');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'post-video-input');
  // Next to the field, not at the top of the page.
  const [error, input] = [await videoGroup.locator('.fr-error-text').boundingBox(), await videoInput.boundingBox()];
  assert.ok(Math.abs(error.y - (input.y + input.height)) < 80, `the error is ${error.y - input.y} px from its field`);
  assert.equal(await page.getByText('Données invalides.').count(), 0, 'no generic error');
  assert.equal(await page.getByTestId('post').count(), 0);
  await shot(page, 'board-17-video-refused-by-server-360');
  await assertAccessible(page, 'participant: video refused by the server, post kept (phone)');

  // Fixed: the post goes, with its text as typed.
  await videoInput.fill('https://youtu.be/dQw4w9WgXcQ');
  await form.getByTestId('post-submit').click();
  await card(page, 'Ma vidéo').locator('iframe').waitFor({ state: 'attached' });
  assert.equal(await card(page, 'Ma vidéo').getByTestId('post-text').textContent(), TEXT);
  assert.equal(await form.getByTestId('post-title').inputValue(), '', 'the form is empty again');
  await context.close();
});

test('board on a phone: a visible confirmation after posting, and the offline badge in view', { timeout: 120_000 }, async () => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  const created = await fetch(`${base}/api/v1/rooms`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Questions de la salle', kind: 'board', board: { sections: [], settings: { mode: 'moderated' } } }),
  }).then((r) => r.json());
  const { page, context } = await joinOnPhone(created.join_code, 'Camille');
  const form = page.getByTestId('compose');
  const sent = page.getByTestId('post-sent');
  const inView = async (locator, what) => {
    const box = await locator.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height, `${what} is out of view: ${JSON.stringify(box)}`);
  };

  await post(page, { title: 'Première question', text: 'Peut-on évaluer sans noter ?' });
  await form.getByTestId('post-submit').click();
  await waitForText(sent, /^Message envoyé : il apparaîtra après validation par le formateur\.$/);
  await inView(sent, 'the confirmation');
  assert.equal(await form.getByTestId('post-title').inputValue(), '', 'the form is empty again');
  await shot(page, 'board-18-post-confirmed-360');
  await assertAccessible(page, 'participant: post sent, waiting for approval (phone)');

  // Offline, scrolled down to the board: the badge is still in view.
  await page.getByTestId('board').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await context.setOffline(true);
  await waitForText(page.getByTestId('connection'), /Hors ligne|Reconnexion/);
  assert.ok(await page.evaluate(() => window.scrollY) > 100, 'the page is scrolled');
  await inView(page.getByTestId('connection'), 'the offline badge');
  await post(page, { title: 'Écrite hors ligne' });
  await form.getByTestId('post-submit').click();
  await waitForText(sent, /^Hors ligne : votre message partira dès le retour du réseau\.$/);
  await inView(sent, 'the offline confirmation');
  await inView(page.getByTestId('connection'), 'the offline badge');
  await shot(page, 'board-19-offline-badge-360');
  await assertAccessible(page, 'participant: offline, badge in view (phone)');
  await context.setOffline(false);
  await waitForText(sent, /^Message envoyé : il apparaîtra après validation/, 30_000);
  await waitForText(page.getByTestId('connection'), /^Connecté$/, 30_000);
  await context.close();
});
