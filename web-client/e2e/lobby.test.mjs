// End-to-end: starts the real amphi server (AMPHI_BIN, default
// ../target/debug/amphi) on a free port with a fresh data dir, mints a
// trainer token with `amphi token`, and drives two Chromium contexts
// (playwright-core, CHROMIUM_PATH): the trainer creates a room, a participant
// joins with code + nickname on a 360 px screen, presence, announcement and
// raised hand go both ways, the trainer lowers the hand, locks the room to
// newcomers (one is refused), unlocks it and removes a guest, and a reload
// resumes. Every screen, in each state it reaches, goes through the axe-core
// check (assertAccessible). Screenshots go to test-results/. Needs `npm run build` first
// (the `e2e` npm script does it). The harness is in harness.mjs.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS, STEP_MS, assertAccessible, recordFrames, shot, startHarness, waitForText } from './harness.mjs';

const TITLE = 'Formation numérique';
const ANNOUNCEMENT = 'Pause de 10 minutes';

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

test('lobby: trainer and participant, end to end', { timeout: 180_000 }, async (t) => {
  let token;
  let code;
  let trainer;
  let participant;
  let trainerFrames;
  let participantFrames;
  const roomId = () => trainerFrames.received.find((f) => f.type === 'joined').room.id;

  await t.test('the server serves the web client, with an index.html fallback', async () => {
    for (const path of ['/', '/j/ABC123']) {
      const res = await fetch(`${base}${path}`);
      const html = await res.text();
      assert.equal(res.status, 200, `GET ${path}`);
      assert.match(html, /<div id="app">/, `GET ${path} is not the web client's index.html (served from ${harness.env.AMPHI_WEB_DIR}?)`);
    }
  });

  await t.test('amphi token mints a trainer token', async () => {
    token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
  });

  await t.test('trainer creates a room and sees the join code', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
    context.setDefaultTimeout(STEP_MS);
    trainer = await context.newPage();
    trainerFrames = recordFrames(trainer);
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('heading', { level: 1, name: 'Rejoindre une session' }).waitFor();
    assert.ok(!trainer.url().includes('token='), `token left in the address bar: ${trainer.url()}`);
    assert.equal(await trainer.getByLabel('Jeton formateur').inputValue(), token);
    await shot(trainer, '01-home');
    await assertAccessible(trainer, 'home (desktop, trainer token)');

    // The forms refuse empty fields, with their errors tied to the fields.
    await trainer.getByRole('button', { name: 'Créer une salle' }).click();
    await trainer.getByText('Donnez un titre à la salle.').waitFor();
    assert.equal(await trainer.getByLabel('Titre de la salle').getAttribute('aria-invalid'), 'true');
    await assertAccessible(trainer, 'home: trainer form with an error');

    await trainer.getByLabel('Titre de la salle').fill(TITLE);
    await trainer.getByRole('button', { name: 'Créer une salle' }).click();
    await trainer.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    assert.equal((await trainer.getByTestId('join-url').textContent()).trim(), `${base}/j/${code}`);
    await trainer.getByRole('img', { name: new RegExp(`QR code.*${code}`) }).waitFor();
    await waitForText(trainer.getByTestId('connection'), /^Connecté$/);
    assert.equal(await trainer.title(), `${TITLE} — amphi`, 'the page title names the screen');
    await shot(trainer, '02-trainer-lobby');
    await assertAccessible(trainer, 'trainer lobby (empty)');
  });

  await t.test('participant joins with the code and a nickname (360 px)', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', hasTouch: true, reducedMotion: 'reduce' });
    context.setDefaultTimeout(STEP_MS);
    participant = await context.newPage();
    participantFrames = recordFrames(participant);
    await participant.goto(`${base}/j/${code}`);
    assert.equal(await participant.getByLabel('Code de la session').inputValue(), code);
    const width = await participant.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `home overflows a 360 px screen (${width} px)`);
    await shot(participant, '03-home-join-link-360');
    await assertAccessible(participant, 'home /j/CODE (phone)');
    // Reduced motion is respected: no transitions (the DSFR's included).
    const transition = await participant.getByRole('button', { name: 'Rejoindre' })
      .evaluate((el) => getComputedStyle(el).transitionDuration.split(',').map(parseFloat));
    assert.ok(transition.every((s) => s < 0.001), `transitions with reduced motion: ${transition}`);
    // The name field has the focus (the code is filled in).
    assert.equal(await participant.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'nickname');

    await participant.getByLabel('Pseudonyme').fill('Camille');
    // An unknown code is refused on the form (hello → error room_not_found).
    const codeInput = participant.getByLabel('Code de la session');
    await codeInput.fill(code === 'ZZZZ99' ? 'ZZZZ98' : 'ZZZZ99');
    await participant.getByRole('button', { name: 'Rejoindre' }).click();
    await participant.getByText('Aucune session ne correspond à ce code.').waitFor();
    await assertAccessible(participant, 'home: join refused (phone)');

    await codeInput.fill(code.toLowerCase()); // typed in lower case: upper-cased
    assert.equal(await codeInput.inputValue(), code);
    await participant.getByRole('button', { name: 'Rejoindre' }).click();
    await participant.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await waitForText(participant.getByTestId('connection'), /^Connecté$/);
    await waitForText(participant.getByTestId('participants-connected'), /^[1-9]\d*$/);
    const lobbyWidth = await participant.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(lobbyWidth <= 360, `lobby overflows a 360 px screen (${lobbyWidth} px)`);
    await shot(participant, '04-participant-lobby-360');
    await assertAccessible(participant, 'participant lobby (phone)');
    // The screen change took the focus to the room's title.
    assert.equal(await participant.evaluate(() => document.activeElement?.tagName), 'H1');
  });

  await t.test('keyboard: a visible focus, and the hand raised with the keyboard', async () => {
    // From the focused title, Tab reaches the controls in order; each shows its focus.
    await participant.getByRole('heading', { level: 1 }).focus();
    let outline = null;
    for (let i = 0; i < 10; i++) {
      await participant.keyboard.press('Tab');
      const focused = await participant.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return { testid: el.dataset.testid, outline: `${style.outlineStyle} ${style.outlineWidth}` };
      });
      if (focused.testid === 'hand') {
        outline = focused.outline;
        break;
      }
    }
    assert.ok(outline && !outline.startsWith('none') && parseFloat(outline.split(' ')[1]) >= 2, `focus outline on "Lever la main": ${outline}`);
    await participant.keyboard.press('Enter');
    await participant.getByRole('button', { name: 'Baisser la main' }).waitFor();
    await participant.keyboard.press('Enter');
    await participant.getByRole('button', { name: 'Lever la main' }).waitFor();
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
    await assertAccessible(participant, 'participant lobby with an announcement (phone)');
    await assertAccessible(trainer, 'trainer lobby with a member and an announcement');
  });

  await t.test('participant raises a hand, trainer sees it and lowers it', async () => {
    await participant.getByRole('button', { name: 'Lever la main' }).click();
    await participant.getByRole('button', { name: 'Baisser la main' }).waitFor();
    const hand = trainer.getByTestId('hands').getByRole('listitem').filter({ hasText: 'Camille' });
    await hand.waitFor();
    await shot(trainer, '05-trainer-hand-raised');
    await shot(participant, '06-participant-hand-raised-360');
    await assertAccessible(trainer, 'trainer lobby with a raised hand');
    await assertAccessible(participant, 'participant lobby, hand raised (phone)');

    await trainer.getByRole('button', { name: 'Baisser la main de Camille' }).click();
    await hand.waitFor({ state: 'detached' });
    await participant.getByRole('button', { name: 'Lever la main' }).waitFor();
  });

  await t.test('trainer locks the room to newcomers, unlocks it, removes a guest', async () => {
    const lock = trainer.getByLabel('Verrouiller la salle aux nouveaux invités');
    assert.equal(await lock.isChecked(), false);
    await waitForText(trainer.getByTestId('room-lock-status'), /^Salle ouverte/);
    await lock.check();
    await waitForText(trainer.getByTestId('room-lock-status'), /^Salle verrouillée/);
    await shot(trainer, '06b-trainer-room-locked');
    await assertAccessible(trainer, 'trainer lobby: room locked');

    // Someone reading the code off the projector now is refused, with the reason.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', hasTouch: true });
    context.setDefaultTimeout(STEP_MS);
    const late = await context.newPage();
    await late.goto(`${base}/j/${code}`);
    await late.getByLabel('Pseudonyme').fill('Dominique');
    await late.getByRole('button', { name: 'Rejoindre' }).click();
    await late.getByText('La salle est verrouillée\u00a0: demandez au formateur de l’ouvrir.').waitFor();
    await shot(late, '06c-join-refused-locked-360');
    await assertAccessible(late, 'home: join refused, room locked (phone)');
    // The participant already in stays in, connected.
    await waitForText(participant.getByTestId('connection'), /^Connecté$/);

    await lock.uncheck();
    await waitForText(trainer.getByTestId('room-lock-status'), /^Salle ouverte/);
    await late.getByRole('button', { name: 'Rejoindre' }).click();
    await late.getByRole('heading', { level: 1, name: TITLE }).waitFor();

    // "Retirer", after a confirmation: the guest is out and may not come back.
    const row = trainer.getByTestId('members').getByRole('listitem').filter({ hasText: 'Dominique' });
    await row.waitFor();
    assert.equal(await trainer.getByRole('button', { name: 'Retirer Mme Durand de la salle' }).count(), 0, 'a leader has no "Retirer"');
    trainer.once('dialog', (dialog) => {
      assert.match(dialog.message(), /Retirer Dominique de la salle/);
      void dialog.accept();
    });
    await trainer.getByRole('button', { name: 'Retirer Dominique de la salle' }).click();
    await row.waitFor({ state: 'detached' });
    await late.getByText('Vous avez été retiré de la salle.').waitFor();
    await assertAccessible(late, 'removed from the room (phone)');
    await late.reload();
    await late.getByRole('heading', { level: 1, name: 'Rejoindre une session' }).waitFor();
    assert.equal(await late.getByTestId('recent').count(), 0, 'a removed guest has nothing to resume');
    await context.close();
    await trainer.getByTestId('members').getByRole('listitem').filter({ hasText: 'Camille' }).waitFor();
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
    assert.equal(await participant.evaluate(() => document.documentElement.lang), 'en');
    await assertAccessible(participant, 'participant lobby in English (phone)');
    await participant.getByRole('button', { name: 'Passer en français' }).click();
    await participant.getByRole('button', { name: 'Lever la main' }).waitFor();
  });

  await t.test('trainer downloads the attendance (CSV, with the token)', async () => {
    const probe = await fetch(`${base}/api/v1/sessions/${roomId()}/attendance.csv`, { headers: { Authorization: `Bearer ${token}` } });
    const button = trainer.getByRole('button', { name: 'Présences (CSV)' });
    assert.equal(probe.status, 200);
    const [download] = await Promise.all([trainer.waitForEvent('download'), button.click()]);
    const saved = join(RESULTS, 'lobby-attendance.csv');
    await download.saveAs(saved);
    assert.match(readFileSync(saved, 'utf8'), /Camille/);
    await waitForText(trainer.getByTestId('download-status'), /Fichier enregistré/);
    await assertAccessible(trainer, 'trainer lobby: attendance downloaded');
  });

  await t.test('participant leaves and is back home', async () => {
    await participant.getByRole('button', { name: 'Quitter' }).click();
    await participant.getByRole('heading', { level: 1, name: 'Rejoindre une session' }).waitFor();
    await assertAccessible(participant, 'home after leaving (phone)');
    // Left for good: nothing to resume on this device.
    assert.equal(await participant.getByTestId('recent').count(), 0);
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
