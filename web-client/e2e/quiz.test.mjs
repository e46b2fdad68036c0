// End-to-end live quiz against the real server (harness.mjs): the trainer
// imports a small GIFT quiz (an import error first, shown with its line),
// creates the quiz room, two participants join on 360 px screens, the
// trainer starts, one participant answers right and one wrong, the live
// distribution updates, the reveal shows right/wrong, the leaderboard, next
// question; one participant's network drops while answering and the answer
// still counts once; a re-vote where an answer queued offline arrives too
// late (answer_late shown); the end, and the results CSV (the French one
// and the English one downloaded, named after the room; fetched too) and
// attendance. Every screen, in each state it reaches, goes through the axe-core
// check (assertAccessible). Screenshots (phone and projector sizes) go to
// test-results/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RESULTS, STEP_MS, assertAccessible, assertFits, recordFrames, shot, sleep, startHarness, waitForText, waitUntil } from './harness.mjs';

const GIFT = `// Géographie, pour le test de bout en bout
::Capitale:: Capitale de la France ? {=Paris ~Lyon ~Marseille}

::Loire:: La Loire est le plus long fleuve de France. {T}
`;
const BROKEN_GIFT = 'Capitale de la France ? {=Paris ~Lyon\n';
const ROOM_TITLE = 'Géographie — e2e';
const PHONE = { width: 360, height: 740 };

let harness;
let browser;
let base;

before(async () => {
  harness = await startHarness('amphi-server-quiz.log');
  ({ browser, base } = harness);
});

after(async () => {
  await harness?.stop();
});

/** A participant's phone page, joined with the code. */
async function joinOnPhone(code, name) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR', hasTouch: true, isMobile: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const frames = recordFrames(page);
  await page.goto(`${base}/j/${code}`);
  await page.getByLabel('Pseudonyme').fill(name);
  await page.getByRole('button', { name: 'Rejoindre' }).click();
  await page.getByTestId('quiz-waiting').waitFor();
  await waitForText(page.getByTestId('connection'), /^Connecté$/);
  return { page, frames, context };
}

/** The locator's box lies inside a phone's screen (no scrolling needed to see it). */
async function assertInPhoneView(locator, what) {
  const box = await locator.boundingBox();
  if (!(box && box.y >= 0 && box.y + box.height <= PHONE.height)) {
    await locator.page().screenshot({ path: join(RESULTS, `quiz-out-of-view-${what.replace(/\W+/g, '_')}.png`) });
  }
  assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height, `${what} is out of view on the phone: ${JSON.stringify(box)}`);
}

/** The live distribution rows of the trainer console, as text. */
async function distributionRows(page) {
  return (await page.getByTestId('distribution-row').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
}

/** Quiz answer commands a page sent. */
function answersSent(frames) {
  return frames.sent.filter((f) => f.type === 'quiz' && f.command?.action === 'answer');
}

test('quiz: import, run, answer, reveal, leaderboard, network drop, late answer, results', { timeout: 240_000 }, async (t) => {
  let token;
  let trainer;
  let trainerFrames;
  let roomId;
  let code;
  let alice;
  let bob;

  await t.test('trainer: "Créer un quiz", an import error names its line', async () => {
    token = await harness.token(['--role', 'trainer', '--name', 'Mme Durand']);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
    context.setDefaultTimeout(STEP_MS);
    trainer = await context.newPage();
    trainerFrames = recordFrames(trainer);
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('button', { name: 'Créer un quiz' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Créer un quiz' }).waitFor();
    assert.equal(new URL(trainer.url()).pathname, '/quiz/nouveau');
    assert.equal(await trainer.getByLabel('Jeton formateur').inputValue(), token);

    await trainer.getByLabel('Ou collez son contenu').fill(BROKEN_GIFT);
    await trainer.getByLabel('Format', { exact: true }).selectOption('gift');
    await trainer.getByRole('button', { name: 'Importer' }).click();
    const error = trainer.getByTestId('error');
    await waitForText(error, /n’a pas pu être importé.*line 1/s);
    await shot(trainer, 'quiz-01-import-error');
    await assertAccessible(trainer, 'quiz creation: import error');
  });

  await t.test('trainer imports the GIFT file, sees 2 questions, sets up and creates the room', async () => {
    await trainer.getByLabel('Ou collez son contenu').fill('');
    await trainer.getByLabel('Format', { exact: true }).selectOption('');
    await trainer.locator('#quiz-file').setInputFiles({ name: 'geographie.gift', mimeType: 'text/plain', buffer: Buffer.from(GIFT, 'utf8') });
    await trainer.getByRole('button', { name: 'Importer' }).click();
    await waitForText(trainer.getByTestId('import-count'), /2 questions importées/);
    assert.equal(await trainer.getByTestId('error').count(), 0);
    await trainer.getByLabel('Titre de la salle').fill(ROOM_TITLE);
    await trainer.locator('label[for="quiz-speed"]').click(); // the DSFR draws the box on the label
    assert.equal(await trainer.getByLabel('Bonus de rapidité').isChecked(), true);
    await trainer.locator('label[for="quiz-confidence"]').click();
    assert.equal(await trainer.getByLabel('Demander le degré de certitude').isChecked(), true);
    await trainer.getByLabel('Durée par question (secondes, facultatif)').fill('120');
    // The live histogram on the projector: offered, off by default.
    assert.equal(await trainer.getByLabel(/^Afficher l’histogramme en direct sur le projecteur/).isChecked(), false);
    // The closing rule and its grace are in the form, on by default; a grace
    // out of bounds is refused on its field, nothing else typed lost.
    assert.equal(await trainer.getByLabel(/^Fermer la question dès que tous les participants attendus ont répondu/).isChecked(), true);
    const grace = trainer.getByLabel(/^Délai d’attente d’un participant déconnecté/);
    assert.equal(await grace.inputValue(), '30');
    await grace.fill('900');
    await trainer.getByRole('button', { name: 'Créer la salle de quiz' }).click();
    await waitForText(trainer.locator('#quiz-grace-error'), /de 0 à 600/);
    assert.equal(await trainer.evaluate(() => document.activeElement?.id), 'quiz-grace');
    assert.equal(await grace.getAttribute('aria-invalid'), 'true');
    assert.equal(await trainer.getByLabel('Titre de la salle').inputValue(), ROOM_TITLE);
    await assertAccessible(trainer, 'quiz creation: grace out of bounds');
    await grace.fill('20');
    await shot(trainer, 'quiz-02-import-settings');
    await assertAccessible(trainer, 'quiz creation: imported, settings');

    await trainer.getByRole('button', { name: 'Créer la salle de quiz' }).click();
    await trainer.getByRole('heading', { level: 1, name: ROOM_TITLE }).waitFor();
    code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    assert.equal((await trainer.getByTestId('join-url').textContent()).trim(), `${base}/j/${code}`);
    await trainer.getByRole('img', { name: new RegExp(`QR code.*${code}`) }).waitFor();
    await waitForText(trainer.getByTestId('quiz-phase'), /^En attente du lancement$/);
    const joined = trainerFrames.received.find((f) => f.type === 'joined');
    roomId = joined.room.id;
    assert.equal(joined.room.kind, 'quiz');
    assert.equal(joined.snapshot.quiz.settings.speed_bonus, true);
    assert.equal(joined.snapshot.quiz.settings.confidence, true);
    assert.equal(joined.snapshot.quiz.settings.close_when_all_answered, true);
    assert.equal(joined.snapshot.quiz.settings.reconnect_grace_ms, 20_000);
    assert.equal(await trainer.title(), `${ROOM_TITLE} — amphi`);
    assert.equal(joined.snapshot.quiz.question_count, 2);
    await assertAccessible(trainer, 'trainer console: lobby');
  });

  await t.test('two participants join on 360 px phones and wait', async () => {
    alice = await joinOnPhone(code, 'Alice');
    bob = await joinOnPhone(code, 'Bob');
    await waitForText(alice.page.getByTestId('quiz-waiting'), /Le quiz va bientôt commencer/);
    await waitForText(alice.page.getByTestId('question-count'), /^2 questions$/);
    await assertFits(alice.page, PHONE.width, 'the waiting screen');
    await shot(alice.page, 'quiz-03-participant-waiting-360');
    await assertAccessible(alice.page, 'participant: waiting (phone)');
    await waitForText(trainer.getByTestId('quiz-counts'), /Participants connectés\s: 2/);
    await shot(trainer, 'quiz-04-trainer-lobby');
    await assertAccessible(trainer, 'trainer console: lobby with participants');
  });

  await t.test('trainer starts; the question and its countdown reach the phones', async () => {
    await trainer.getByRole('button', { name: 'Lancer le quiz' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question ouverte$/);
    for (const p of [alice.page, bob.page]) {
      await waitForText(p.getByTestId('question-prompt'), /^Capitale de la France\s\?$/);
      await waitForText(p.getByTestId('question-number'), /^Question 1 sur 2/);
      await waitForText(p.getByTestId('countdown'), /^(2:00|1:5\d)$/);
    }
    await assertFits(alice.page, PHONE.width, 'the question screen');
    // The new question took the focus (the phone's focus was on the page's title).
    assert.equal(await alice.page.evaluate(() => document.activeElement?.dataset.testid), 'question-prompt');
    await shot(alice.page, 'quiz-05-participant-question-360');
    await assertAccessible(alice.page, 'participant: single choice question (phone)');
    await assertAccessible(trainer, 'trainer console: question open');

    // On the projector, the choices in big type and no live figures while it is open.
    await trainer.setViewportSize({ width: 1920, height: 1080 });
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    assert.equal(await trainer.getByRole('button', { name: 'Affichage projecteur' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await trainer.getByTestId('distribution').isVisible(), false);
    await trainer.screenshot({ path: join(RESULTS, 'quiz-05b-projector-question.png') });
    await assertAccessible(trainer, 'projector: question open (1920)');
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    await trainer.setViewportSize({ width: 1280, height: 900 });
  });

  await t.test('one answers right, one wrong; the trainer sees the distribution update', async () => {
    await alice.page.getByRole('button', { name: /Paris/ }).click();
    await waitForText(alice.page.getByTestId('answer-sent'), /Réponse envoyée/);
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses\s: 1 · Participants connectés\s: 2/);
    assert.deepEqual((await distributionRows(trainer)).slice(0, 2), ['A. Paris : 1 (100 %)', 'B. Lyon : 0 (0 %)']);

    // Bob is sure of himself (confidence 3), and wrong.
    await bob.page.locator('label', { hasText: /^Sûr·e$/ }).click();
    await bob.page.getByRole('button', { name: /Lyon/ }).click();
    await waitForText(bob.page.getByTestId('answer-status'), /Réponse envoyée.*B\. Lyon/s);
    assert.equal(answersSent(bob.frames).at(-1).command.confidence, 3);
    assert.equal(await bob.page.getByRole('button', { name: /Lyon/ }).getAttribute('aria-pressed'), 'true');
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses\s: 2 · Participants connectés\s: 2/);
    await waitUntil(async () => (await distributionRows(trainer)).join('|') === 'A. Paris : 1 (50 %)|B. Lyon : 1 (50 %)|C. Marseille : 0 (0 %)',
      'the distribution 1/1/0');
    // Every connected participant answered: the question closed by itself.
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question fermée$/);
    await shot(bob.page, 'quiz-06-participant-sent-360');
    await shot(trainer, 'quiz-07-trainer-distribution');
    await assertAccessible(bob.page, 'participant: answer sent, question closed (phone)');
    await assertAccessible(trainer, 'trainer console: question closed, distribution');
  });

  await t.test('the reveal: right for one, wrong for the other (phone), and a projector view', async () => {
    await trainer.getByRole('button', { name: 'Révéler la réponse' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Réponse révélée$/);
    await waitForText(alice.page.getByTestId('verdict'), /Bonne réponse\s!/);
    await waitForText(bob.page.getByTestId('verdict'), /Mauvaise réponse/);
    await waitForText(bob.page.getByTestId('right-answer'), /La bonne réponse\s: A\. Paris/);
    await waitForText(alice.page.getByTestId('your-score'), /Votre score\s: .* points · 1er sur 2/);
    await waitForText(bob.page.getByTestId('your-score'), /Votre score\s: 0 points · 2e sur 2/);
    assert.match((await distributionRows(trainer))[0], /A\. Paris.*Bonne réponse/);
    // The "confidently wrong" view: Bob was sure, and wrong.
    await waitForText(trainer.getByTestId('confidently-wrong'), /Sûrs d’eux, mais dans l’erreur.*1 réponse fausse donnée avec certitude, sur 2 \(50 %\)/s);
    await assertFits(bob.page, PHONE.width, 'the feedback screen');
    await shot(alice.page, 'quiz-08-participant-right-360');
    await shot(bob.page, 'quiz-09-participant-wrong-360');
    await assertAccessible(alice.page, 'participant: feedback, right (phone)');
    await assertAccessible(bob.page, 'participant: feedback, wrong (phone)');
    await assertAccessible(trainer, 'trainer console: revealed');

    await trainer.setViewportSize({ width: 1920, height: 1080 });
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    assert.equal(await trainer.getByRole('button', { name: 'Révéler la réponse' }).count(), 0);
    await trainer.screenshot({ path: join(RESULTS, 'quiz-10-projector-reveal.png') });
    await assertAccessible(trainer, 'projector: revealed (1920)');
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    await trainer.setViewportSize({ width: 1280, height: 900 });
  });

  await t.test('the leaderboard, on the console and the phones', async () => {
    await trainer.getByRole('button', { name: 'Afficher le classement' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Classement$/);
    const board = trainer.getByTestId('leaderboard');
    await waitForText(board, /1er\s*Alice.*2e\s*Bob/s);
    await waitForText(alice.page.getByTestId('leaderboard'), /1er\s*Alice/);
    await waitForText(bob.page.getByTestId('your-score'), /2e sur 2/);
    await shot(bob.page, 'quiz-11-participant-leaderboard-360');
    await assertAccessible(bob.page, 'participant: leaderboard (phone)');
    await assertAccessible(trainer, 'trainer console: leaderboard');
  });

  await t.test('"go to a question" opens Q2; a network drop while answering: the answer counts once', async () => {
    const jump = trainer.getByLabel('Aller à une question');
    assert.deepEqual((await jump.locator('option').allTextContents()).map((s) => s.trim()),
      ['Q1 — Capitale de la France ? (déjà posée)', 'Q2']);
    assert.equal(await jump.inputValue(), '1'); // the next one not asked
    await trainer.getByRole('button', { name: 'Ouvrir cette question' }).click();
    for (const p of [alice.page, bob.page]) await waitForText(p.getByTestId('question-prompt'), /La Loire/);
    assert.ok(trainerFrames.sent.some((f) => f.type === 'quiz' && f.command.action === 'open_question' && f.command.index === 1));
    await assertAccessible(alice.page, 'participant: true/false question (phone)');
    // Alice answers from the keyboard: Tab from the prompt to "Vrai", then Space.
    for (let i = 0; i < 10 && (await alice.page.evaluate(() => document.activeElement?.dataset.testid)) !== 'option-true'; i++) {
      await alice.page.keyboard.press('Tab');
    }
    assert.equal(await alice.page.evaluate(() => document.activeElement?.dataset.testid), 'option-true');
    await alice.page.keyboard.press('Space');
    await waitForText(alice.page.getByTestId('answer-sent'), /Réponse envoyée/);

    // Bob taps "Faux" and his network drops at that very moment: the answer
    // frame leaves, the acknowledgement never comes back.
    const sentBefore = answersSent(bob.frames).length;
    await bob.page.evaluate(() => {
      document.querySelector('[data-testid="option-false"]').click();
      window.dispatchEvent(new Event('offline'));
    });
    await bob.context.setOffline(true);
    await waitForText(bob.page.getByTestId('answer-status'), /Hors ligne\s: votre réponse partira dès le retour du réseau/);
    await waitForText(bob.page.getByTestId('connection'), /^(Hors ligne|Reconnexion…)$/);
    // The server did get it: the trainer sees two answers.
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses\s: 2 ·/);
    await sleep(1_500); // stays offline a while (reconnects fail)
    await waitForText(bob.page.getByTestId('connection'), /^(Hors ligne|Reconnexion…)$/);
    await shot(bob.page, 'quiz-12-participant-offline-360');
    await assertAccessible(bob.page, 'participant: offline, answer queued (phone)');

    await bob.context.setOffline(false);
    await waitForText(bob.page.getByTestId('connection'), /^Connecté$/);
    await waitForText(bob.page.getByTestId('answer-sent'), /Réponse envoyée/);
    const mine = answersSent(bob.frames).slice(sentBefore);
    assert.ok(mine.length >= 2, `the answer is sent again after the reconnect: ${JSON.stringify(mine)}`);
    assert.equal(new Set(mine.map((f) => f.id)).size, 1, `always with the same id: ${JSON.stringify(mine)}`);
    const acked = bob.frames.received.filter((f) => f.type === 'ack' && f.id === mine[0].id);
    assert.ok(acked.length >= 1, 'acknowledged after the resend');
    await waitUntil(async () => (await distributionRows(trainer)).join('|') === 'Vrai : 1 (50 %)|Faux : 1 (50 %)', 'the distribution Vrai 1, Faux 1');
    await waitForText(trainer.getByTestId('distribution-answered'), /^2 réponses$/);
  });

  await t.test('a re-vote: an answer queued offline arrives after the close and is refused as late', async () => {
    await trainer.getByRole('button', { name: 'Révéler la réponse' }).click();
    await waitForText(alice.page.getByTestId('verdict'), /Bonne réponse\s!/);
    await waitForText(bob.page.getByTestId('verdict'), /Mauvaise réponse/);
    await trainer.getByRole('button', { name: 'Relancer le vote' }).click();
    await waitForText(trainer.getByTestId('question-number'), /nouveau vote \(2e tour\)/);
    for (const p of [alice.page, bob.page]) await waitForText(p.getByTestId('question-number'), /nouveau vote/);

    await bob.context.setOffline(true);
    await waitForText(bob.page.getByTestId('connection'), /^(Hors ligne|Reconnexion…)$/);
    await bob.page.getByRole('button', { name: 'Vrai' }).click();
    await waitForText(bob.page.getByTestId('answer-status'), /Hors ligne\s: votre réponse partira/);
    await alice.page.getByRole('button', { name: 'Vrai' }).click();
    await waitForText(alice.page.getByTestId('answer-sent'), /Réponse envoyée/);
    if ((await trainer.getByTestId('quiz-phase').textContent()).trim() === 'Question ouverte') {
      await trainer.getByRole('button', { name: 'Fermer la question' }).click();
    }
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question fermée$/);

    await bob.context.setOffline(false);
    await waitForText(bob.page.getByTestId('connection'), /^Connecté$/);
    await bob.page.getByRole('alert').getByText('Trop tard : la question est fermée.').waitFor();
    const late = bob.frames.received.filter((f) => f.type === 'error' && f.code === 'answer_late');
    assert.equal(late.length, 1, JSON.stringify(late));
    await waitForText(bob.page.getByTestId('answer-status'), /La question est fermée\. Vous n’avez pas répondu\./);
    await shot(bob.page, 'quiz-13-participant-late-360');
    await assertAccessible(bob.page, 'participant: late answer refused (phone)');
    await assertAccessible(trainer, 'trainer console: re-vote closed');
    await waitForText(trainer.getByTestId('distribution-answered'), /^1 réponse$/);
  });

  await t.test('trainer ends the quiz; phones show the end with score and results', async () => {
    trainer.once('dialog', (dialog) => void dialog.accept());
    await trainer.getByRole('button', { name: 'Arrêter le quiz' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Quiz terminé$/);
    await waitForText(trainer.getByTestId('summary'), /Participants\s: 2/);
    await waitForText(alice.page.getByTestId('quiz-ended'), /Quiz terminé.*Votre score\s: .*1er sur 2/s);
    await waitForText(bob.page.getByTestId('quiz-ended'), /Quiz terminé.*2e sur 2/s);
    await waitForText(alice.page.getByTestId('results'), /Q1.*Bonne réponse.*Q2.*Bonne réponse/s);
    await waitForText(bob.page.getByTestId('results'), /Q1.*Mauvaise réponse/s);
    await assertFits(alice.page, PHONE.width, 'the end screen');
    await shot(alice.page, 'quiz-14-participant-ended-360');
    await shot(trainer, 'quiz-15-trainer-ended');
    await assertAccessible(alice.page, 'participant: quiz ended (phone)');
    await assertAccessible(trainer, 'trainer console: ended, summary');
  });

  await t.test('results: the CSV downloads from the console, and fetches with the token', async () => {
    // In French, the CSV for French spreadsheets (`;`, decimal commas), named after the room and its date.
    const [download] = await Promise.all([
      trainer.waitForEvent('download'),
      trainer.getByRole('button', { name: 'Résultats (CSV)' }).click(),
    ]);
    const named = /^Géographie — e2e - \d{4}-\d{2}-\d{2} - résultats\.csv$/;
    assert.match(download.suggestedFilename(), named);
    const saved = join(RESULTS, 'quiz-results-fr.csv');
    await download.saveAs(saved);
    const french = readFileSync(saved, 'utf8');
    assert.ok(french.startsWith('\ufeff'), 'a BOM for Excel');
    await waitForText(trainer.getByRole('status').filter({ hasText: 'Fichier enregistré' }), /Géographie — e2e - .* - résultats\.csv/);
    await assertAccessible(trainer, 'trainer console: results downloaded');
    const [frHeader, ...frRows] = french.replace(/^\ufeff/, '').trim().split(/\r?\n/);
    assert.match(frHeader, /^Participant;Question;Identifiant de la question;Tour;Réponse;Juste;Points;/);
    assert.match(frRows.find((r) => r.startsWith('Bob;') && r.includes(';q1;')), /;Lyon;non;0;/);

    // The English one is still there, as the second button.
    const [english] = await Promise.all([
      trainer.waitForEvent('download'),
      trainer.getByRole('button', { name: 'Résultats (CSV anglais, séparateur virgule)' }).click(),
    ]);
    assert.match(english.suggestedFilename(), /^Géographie — e2e - \d{4}-\d{2}-\d{2} - results\.csv$/);
    const savedEn = join(RESULTS, 'quiz-results.csv');
    await english.saveAs(savedEn);
    const downloaded = readFileSync(savedEn, 'utf8');

    const res = await fetch(`${base}/api/v1/sessions/${roomId}/results.csv`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const csv = (await res.text()).replace(/^\ufeff/, '');
    assert.equal(downloaded.replace(/^\ufeff/, ''), csv);
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    assert.match(header, /^participant,question,question_id,round,answer,correct,points/);
    const of = (name) => rows.filter((r) => r.startsWith(`${name},`));
    // Alice: Q1, Q2 and the re-vote of Q2; Bob: Q1 and Q2 once (the resend did not double it, the late one is not there).
    assert.equal(of('Alice').length, 3, csv);
    assert.equal(of('Bob').length, 2, csv);
    assert.equal(of('Bob').filter((r) => r.includes(',q2,')).length, 1, csv);
    assert.match(of('Alice').find((r) => r.includes(',q1,')), /,Paris,true,/);
    assert.match(of('Bob').find((r) => r.includes(',q1,')), /,Lyon,false,0,/);
  });

  await t.test('attendance: the CSV downloads from the console with the token, for French spreadsheets', async () => {
    // The French console downloads the French dialect: the same rows as the API gives for ?dialect=fr.
    const probe = await fetch(`${base}/api/v1/sessions/${roomId}/attendance.csv?dialect=fr`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(probe.status, 200);
    const [download] = await Promise.all([
      trainer.waitForEvent('download'),
      trainer.getByRole('button', { name: 'Présences (CSV)' }).click(),
    ]);
    const saved = join(RESULTS, 'quiz-attendance.csv');
    await download.saveAs(saved);
    const csv = readFileSync(saved, 'utf8');
    assert.match(csv, /Alice/);
    assert.match(csv, /Bob/);
    assert.match(csv, /^\ufeffMembre;Nom;Rôle;Invité;Salle;Arrivée \(heure de [^)]+\);Départ/);
    assert.match(csv, /;oui;/);
    // An open attendance (no end yet) counts its minutes up to the moment the CSV is read,
    // so the two reads may differ there and only there.
    const stable = (text) => text.replace(/^\ufeff/, '').trim().split(/\r?\n/).map((row) => row.replace(/;;[0-9,]+(;[a-z_]+)?$/, ';;(open)$1'));
    assert.deepEqual(stable(csv), stable(await probe.text()));
    await waitForText(trainer.getByTestId('download-status'), /Fichier enregistré/);
  });

  await t.test('no unexpected error frame; every command answered', () => {
    const errors = [...trainerFrames.received, ...alice.frames.received, ...bob.frames.received].filter((f) => f.type === 'error');
    assert.deepEqual(errors.map((e) => e.code), ['answer_late'], JSON.stringify(errors));
    for (const frames of [trainerFrames, alice.frames, bob.frames]) {
      const answered = new Set(frames.received.filter((f) => f.type === 'ack' || f.type === 'error').map((f) => f.id));
      for (const c of frames.sent.filter((f) => f.id && f.type !== 'ping')) assert.ok(answered.has(c.id), `no answer for ${JSON.stringify(c)}`);
    }
  });
});

// A self-paced quiz in amphi's JSON, one question of each other type.
const SELF_PACED_QUIZ = {
  title: 'Évaluer pour faire apprendre',
  questions: [
    { type: 'numeric', prompt: 'Combien font 22 divisé par 7, arrondi au centième ?', answers: [{ value: 3.14, tolerance: 0.005 }] },
    { type: 'ordering', prompt: 'Remettez les cycles dans l’ordre.', items: ['Cycle 1', 'Cycle 2', 'Cycle 3'] },
    { type: 'multiple_choice', prompt: 'Lesquels sont des nombres pairs ?', choices: [{ text: '2', weight: 50 }, { text: '3', weight: -100 }, { text: '4', weight: 50 }] },
    { type: 'word_cloud', prompt: 'Un mot pour « évaluation » ?', max_words: 2 },
    { type: 'rating_scale', prompt: 'Prêt·e à évaluer par compétences ?', min: 1, max: 5, labels: ['Pas du tout', 'Tout à fait'] },
    { type: 'short_text', prompt: 'Qui a écrit « Apprendre… oui, mais comment » ?', accepted: ['Philippe Meirieu', 'Meirieu'] },
    { type: 'open_text', prompt: 'Une situation d’évaluation marquante ?' },
  ],
};

test('quiz: self-paced, every other answer type on a phone, immediate feedback, progress', { timeout: 180_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'M. Martin']);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  const trainer = await context.newPage();
  const trainerFrames = recordFrames(trainer);
  let chloe;
  let code;
  /** Frames of Chloé's earlier tabs (she closes one and comes back). */
  const chloeEarlier = [];

  await t.test('trainer pastes a JSON quiz and creates a self-paced room', async () => {
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('button', { name: 'Créer un quiz' }).click();
    await trainer.getByLabel('Ou collez son contenu').fill(JSON.stringify(SELF_PACED_QUIZ, null, 2));
    await trainer.getByRole('button', { name: 'Importer' }).click();
    await waitForText(trainer.getByTestId('import-count'), /Évaluer pour faire apprendre.*7 questions importées/);
    await trainer.locator('label', { hasText: 'En autonomie' }).click();
    await trainer.locator('label', { hasText: 'Alias' }).click();
    await trainer.getByRole('button', { name: 'Créer la salle de quiz' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Évaluer pour faire apprendre' }).waitFor();
    code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    chloe = await joinOnPhone(code, 'Chloé');
    await waitForText(trainer.getByTestId('quiz-counts'), /Participants connectés\s: 1/);
    await assertAccessible(trainer, 'trainer console: self-paced lobby');
    await trainer.getByRole('button', { name: 'Ouvrir le quiz' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Quiz ouvert$/);
  });

  await t.test('numeric (decimal comma), with immediate feedback', async () => {
    const p = chloe.page;
    await waitForText(p.getByTestId('question-number'), /^Question 1 sur 7 · Nombre$/);
    assert.equal(await p.getByRole('button', { name: 'Précédente' }).isDisabled(), true);
    const input = p.getByLabel('Votre réponse (un nombre)');
    assert.equal(await input.getAttribute('inputmode'), 'decimal');
    await input.fill('trois');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await p.getByText('Saisissez un nombre, par exemple 3,14.').waitFor();
    await assertAccessible(p, 'participant: numeric question with an error (phone)');
    // The sign button (phone decimal keypads have no minus key), there and back.
    await input.fill('3,14');
    await p.getByRole('button', { name: 'Changer le signe (+/−)' }).click();
    assert.equal(await input.inputValue(), '-3,14');
    await p.getByRole('button', { name: 'Changer le signe (+/−)' }).click();
    assert.equal(await input.inputValue(), '3,14');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('answer-sent'), /Réponse envoyée/);
    await waitForText(p.getByTestId('verdict'), /Bonne réponse\s!/);
    // The feedback and the way on, in view of the phone.
    await assertInPhoneView(p.getByTestId('verdict'), 'the feedback');
    await assertInPhoneView(p.getByRole('button', { name: 'Suivante' }), '"Suivante"');
    await assertAccessible(p, 'participant: immediate feedback (phone)');
  });

  await t.test('ordering by dragging with a finger, and with move up/down buttons by keyboard', async () => {
    const p = chloe.page;
    await p.getByRole('button', { name: 'Suivante' }).click();
    await waitForText(p.getByTestId('question-number'), /^Question 2 sur 7 · Remise en ordre$/);
    const target = ['Cycle 1', 'Cycle 2', 'Cycle 3'];
    const texts = async () => (await p.locator('.amphi-ordering__text').allTextContents()).map((s) => s.trim());

    // A finger drags "Cycle 3" by its handle to the other end of the list
    // (touch events, as on a phone): above the first item, or below the last.
    const toTop = (await texts()).indexOf('Cycle 3') > 0;
    const handle = (await p.locator('.amphi-ordering__item', { hasText: 'Cycle 3' }).locator('.amphi-ordering__handle').boundingBox());
    const end = await p.locator('.amphi-ordering__item').nth(toTop ? 0 : 2).boundingBox();
    const cdp = await p.context().newCDPSession(p);
    const x = handle.x + handle.width / 2;
    const y0 = handle.y + handle.height / 2;
    const y1 = toTop ? end.y + 4 : end.y + end.height - 4;
    const touch = (type, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
    await touch('touchStart', y0);
    for (let i = 1; i <= 8; i++) await touch('touchMove', y0 + ((y1 - y0) * i) / 8);
    await touch('touchEnd');
    await waitUntil(async () => (await texts()).indexOf('Cycle 3') === (toTop ? 0 : 2), 'Cycle 3 dragged to the other end');
    await waitForText(p.getByTestId('live'), toTop ? /«\sCycle 3\s» en position 1 sur 3\./ : /«\sCycle 3\s» en position 3 sur 3\./);

    let keyboardMoves = 0;
    for (let i = 0; i < target.length; i++) {
      let position = (await texts()).indexOf(target[i]);
      while (position > i) {
        // Keyboard: focus the button and press Enter; focus stays on the moved item.
        await p.getByRole('button', { name: `Monter « ${target[i]} »` }).focus();
        await p.keyboard.press('Enter');
        keyboardMoves += 1;
        position -= 1;
        await waitUntil(async () => (await texts()).indexOf(target[i]) === position, `${target[i]} at ${position}`);
      }
    }
    if (keyboardMoves === 0) {
      // The shuffle and the drag left it in order already: a round trip by keyboard.
      await p.getByRole('button', { name: 'Descendre « Cycle 1 »' }).focus();
      await p.keyboard.press('Enter');
      await waitUntil(async () => (await texts()).indexOf('Cycle 1') === 1, 'Cycle 1 moved down');
      await p.getByRole('button', { name: 'Monter « Cycle 1 »' }).focus();
      await p.keyboard.press('Enter');
      await waitUntil(async () => (await texts()).indexOf('Cycle 1') === 0, 'Cycle 1 moved back up');
    }
    assert.deepEqual(await texts(), target);
    assert.match(await p.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^(Monter|Descendre) «\sCycle/);
    await assertFits(p, PHONE.width, 'the ordering screen');
    await shot(p, 'quiz-20-participant-ordering-360');
    await assertAccessible(p, 'participant: ordering question (phone)');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Bonne réponse\s!/);
    await assertInPhoneView(p.getByTestId('verdict'), 'the feedback after ordering');
    await assertInPhoneView(p.getByRole('button', { name: 'Suivante' }), '"Suivante" after ordering');
  });

  await t.test('multiple choice, word cloud, rating (offline, tab closed, come back later), short text, open text', async () => {
    let p = chloe.page;
    const next = async (number, type) => {
      await p.getByRole('button', { name: 'Suivante' }).click();
      await waitForText(p.getByTestId('question-number'), new RegExp(`^Question ${number} sur 7 · ${type}$`));
    };
    await next(3, 'Choix multiples');
    await p.getByText('A. 2', { exact: true }).click();
    await p.getByText('C. 4', { exact: true }).click();
    await shot(p, 'quiz-21-participant-multiple-360');
    await assertAccessible(p, 'participant: multiple choice question (phone)');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Bonne réponse\s!/);
    await assertInPhoneView(p.getByTestId('verdict'), 'the feedback after multiple choice');
    await assertInPhoneView(p.getByRole('button', { name: 'Suivante' }), '"Suivante" after multiple choice');

    await next(4, 'Nuage de mots');
    await assertAccessible(p, 'participant: word cloud question (phone)');
    await p.getByLabel('Mot 1').fill('progrès');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Merci pour votre réponse/);

    await next(5, 'Échelle');
    await assertAccessible(p, 'participant: rating scale question (phone)');

    // Offline, Chloé taps 4: the answer waits in the queue, kept by the
    // browser; she closes the tab, and comes back later through the link.
    await chloe.context.setOffline(true);
    await waitForText(p.getByTestId('connection'), /^(Hors ligne|Reconnexion…)$/);
    await p.getByRole('button', { name: /^4$/ }).click();
    await waitForText(p.getByTestId('answer-status'), /Hors ligne\s: votre réponse partira dès le retour du réseau/);
    const [kept] = await p.evaluate(() => JSON.parse(localStorage.getItem('amphi.recent')));
    assert.equal(kept.pending.length, 1, JSON.stringify(kept.pending));
    assert.deepEqual(kept.pending[0].command.answer, { type: 'rating', value: 4 });
    chloeEarlier.push(chloe.frames);
    await p.close();
    await chloe.context.setOffline(false);

    p = await chloe.context.newPage();
    chloe.page = p;
    chloe.frames = recordFrames(p);
    await p.goto(`${base}/j/${code}`);
    const resume = p.getByRole('button', { name: 'Reprendre « Évaluer pour faire apprendre » en tant que Chloé' });
    await resume.waitFor();
    assert.equal(await p.evaluate(() => document.activeElement?.dataset.testid), 'resume');
    await shot(p, 'quiz-22a-participant-resume-360');
    await assertAccessible(p, 'home: a session to resume (phone)');
    await resume.click();
    await waitForText(p.getByTestId('question-number'), /^Question 5 sur 7 · Échelle$/);
    await waitForText(p.getByTestId('answer-status'), /Réponse envoyée.*Votre réponse\s: 4/s);
    const hello = chloe.frames.sent.find((f) => f.type === 'hello');
    assert.equal(hello.auth.method, 'resume', 'the same member comes back');
    const resent = answersSent(chloe.frames);
    assert.equal(resent.length, 1, JSON.stringify(resent));
    assert.equal(resent[0].id, kept.pending[0].id, 'the kept answer goes with its id');
    await shot(p, 'quiz-22-participant-rating-360');
    await assertAccessible(p, 'participant: rating scale, answered after coming back (phone)');

    await next(6, 'Réponse courte');
    await assertAccessible(p, 'participant: short text question (phone)');
    await p.getByLabel('Votre réponse', { exact: true }).fill('meirieu');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Bonne réponse\s!/);

    await next(7, 'Réponse libre');
    await assertAccessible(p, 'participant: open text question (phone)');
    assert.equal(await p.getByRole('button', { name: 'Suivante' }).isDisabled(), true);
    await p.getByLabel('Votre réponse', { exact: true }).fill('Une auto-évaluation guidée par des critères.');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('answer-sent'), /Réponse envoyée/);
    // Every question answered: the score comes, and "Vous avez terminé".
    await waitForText(p.getByTestId('your-score'), /Votre score\s: .* points · 1er sur 1/);
    await assertFits(p, PHONE.width, 'the open text screen');
    const finish = p.getByRole('button', { name: 'Voir mon résultat' });
    await assertInPhoneView(finish, '"Voir mon résultat"');
    await finish.click();
    await p.getByRole('heading', { level: 2, name: 'Vous avez terminé !' }).waitFor();
    assert.equal(await p.evaluate(() => document.activeElement?.tagName), 'H2', 'the focus on the finished screen');
    await waitForText(p.getByTestId('quiz-finished'), /Votre score : .* points · 1er sur 1.*Toutes vos réponses sont enregistrées/s);
    await shot(p, 'quiz-22b-participant-finished-360');
    await assertAccessible(p, 'participant: self-paced, finished (phone)');
    await p.getByRole('button', { name: 'Revoir mes réponses' }).click();
    await waitForText(p.getByTestId('question-number'), /^Question 7 sur 7/);

    await p.getByRole('button', { name: 'Précédente' }).click();
    await waitForText(p.getByTestId('question-number'), /^Question 6 sur 7/);
    await waitForText(p.getByTestId('answer-status'), /Réponse envoyée.*meirieu/s);
    assert.equal(await p.getByLabel('Votre réponse', { exact: true }).isDisabled(), true);
  });

  await t.test('the trainer follows the progress grid, then ends', async () => {
    await waitForText(trainer.getByTestId('progress'), /Ont terminé\s: 1 sur 1/);
    const row = trainer.getByTestId('progress').getByRole('row').filter({ hasText: 'Participant 1' });
    await waitForText(row, /✓.*juste/);
    await shot(trainer, 'quiz-23-trainer-progress');
    await assertAccessible(trainer, 'trainer console: self-paced progress grid');
    trainer.once('dialog', (dialog) => void dialog.accept());
    await trainer.getByRole('button', { name: 'Arrêter le quiz' }).click();
    await waitForText(chloe.page.getByTestId('quiz-ended'), /Quiz terminé/);
    await waitForText(chloe.page.getByTestId('results'), /Q1.*Bonne réponse.*Q7/s);
    await chloe.page.getByRole('button', { name: 'Switch to English' }).click();
    await waitForText(chloe.page.getByTestId('quiz-ended'), /Quiz over.*1st of 1/s);
    await shot(chloe.page, 'quiz-24-participant-ended-en-360');
    await assertAccessible(chloe.page, 'participant: self-paced ended, English (phone)');
    await assertAccessible(trainer, 'trainer console: self-paced ended');
    const errors = [...trainerFrames.received, ...chloeEarlier.flatMap((f) => f.received), ...chloe.frames.received].filter((f) => f.type === 'error');
    assert.deepEqual(errors, []);
  });
});

// A trainer-paced poll: the word cloud grows live on the projector.
const POLL_QUIZ = {
  title: 'Météo de la classe',
  questions: [{ type: 'word_cloud', prompt: 'En un ou deux mots, comment allez-vous ?', max_words: 2 }],
};

test('quiz: a word cloud, live on the projector at 1920 px', { timeout: 120_000 }, async (t) => {
  const token = await harness.token(['--role', 'trainer', '--name', 'Mme Petit']);
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_MS);
  const trainer = await context.newPage();
  let dana;
  let eli;
  let screen;

  await t.test('trainer creates the poll, two participants join, the question opens', async () => {
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('button', { name: 'Créer un quiz' }).click();
    await trainer.getByLabel('Ou collez son contenu').fill(JSON.stringify(POLL_QUIZ));
    await trainer.getByRole('button', { name: 'Importer' }).click();
    await waitForText(trainer.getByTestId('import-count'), /1 question importée/);
    await trainer.getByRole('button', { name: 'Créer la salle de quiz' }).click();
    const code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);

    // A second screen: the console opens a window signed in as the room's projector.
    // Its frames recorded from the moment it exists (once the click returns, it may have connected).
    let screenFrames;
    const [popup] = await Promise.all([
      context.waitForEvent('page', { predicate: (page) => Boolean((screenFrames = recordFrames(page))) }),
      trainer.getByRole('button', { name: 'Écran de projection (nouvelle fenêtre)' }).click(),
    ]);
    screen = popup;
    screen.setDefaultTimeout(STEP_MS);
    await screen.getByRole('heading', { level: 1, name: 'Météo de la classe' }).waitFor();
    await waitForText(screen.getByTestId('join-code'), new RegExp(`^${code}$`));
    assert.ok(!screen.url().includes('token'), `no token left in the address: ${screen.url()}`);
    await waitUntil(() => screenFrames.received.find((f) => f.type === 'welcome'), 'the welcome');
    assert.equal(screenFrames.received.find((f) => f.type === 'welcome').member.role, 'observer');
    assert.equal(await screen.getByTestId('quiz-controls').isVisible(), false, 'no controls on the projector');
    assert.equal(await screen.getByTestId('projector-toggle').isVisible(), false);
    await trainer.getByRole('status').filter({ hasText: 'Écran de projection ouvert' }).waitFor();

    dana = await joinOnPhone(code, 'Dana');
    eli = await joinOnPhone(code, 'Eli');
    await waitForText(trainer.getByTestId('quiz-counts'), /Participants connectés\s: 2/);
    await trainer.getByRole('button', { name: 'Lancer le quiz' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question ouverte$/);
  });

  await t.test('the words come in while the question is open, sized by count, counts written', async () => {
    await waitForText(dana.page.getByTestId('question-number'), /Nuage de mots/);
    await dana.page.getByLabel('Mot 1').fill('Écoute');
    await dana.page.getByLabel('Mot 2').fill('curieux');
    await dana.page.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(dana.page.getByTestId('answer-sent'), /Réponse envoyée/);

    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    const words = trainer.getByTestId('distribution-word');
    await waitUntil(async () => (await words.count()) === 2, 'two words in the cloud');
    assert.equal(await trainer.getByTestId('distribution-cloud').isVisible(), true, 'a poll stays live on the projector while open');
    await waitUntil(async () => (await screen.getByTestId('distribution-word').count()) === 2, 'two words on the projector window');
    assert.equal(await screen.getByTestId('distribution-cloud').isVisible(), true);
    await screen.screenshot({ path: join(RESULTS, 'quiz-29-projector-window-open.png') });
    await assertAccessible(screen, 'projector window: word cloud, question open (1920)');

    await eli.page.getByLabel('Mot 1').fill('écoute');
    await eli.page.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(trainer.getByTestId('distribution-answered'), /^2 réponses$/);
    const texts = (await words.allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
    assert.deepEqual(texts, ['ecoute 2 fois', 'curieux 1 fois']); // normalized by the server (case, accents)
    assert.deepEqual(await words.evaluateAll((els) => els.map((el) => el.className.match(/--(\d)/)[1])), ['5', '1']);

    // Readable from the back of the room: large code, QR, prompt and words.
    const px = (testId) => trainer.getByTestId(testId).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok((await px('join-code')) >= 64, `join code ${await px('join-code')} px`);
    assert.ok((await px('question-prompt')) >= 40, `prompt ${await px('question-prompt')} px`);
    assert.ok((await px('distribution-word')) >= 60, `largest word ${await px('distribution-word')} px`);
    const qr = await trainer.getByRole('img', { name: /QR code/ }).boundingBox();
    assert.ok(qr.width >= 250, `QR code ${qr.width} px wide`);
    await trainer.screenshot({ path: join(RESULTS, 'quiz-30-projector-word-cloud.png') });
    await assertAccessible(trainer, 'projector: word cloud (1920)');
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    await assertAccessible(trainer, 'trainer console: word cloud');
    await assertAccessible(eli.page, 'participant: word cloud, answer sent (phone)');
  });
});
