// End-to-end live quiz against the real server (harness.mjs): the trainer
// imports a small GIFT quiz (an import error first, shown with its line),
// creates the quiz room, two participants join on 360 px screens, the
// trainer starts, one participant answers right and one wrong, the live
// distribution updates, the reveal shows right/wrong, the leaderboard, next
// question; one participant's network drops while answering and the answer
// still counts once; a re-vote where an answer queued offline arrives too
// late (answer_late shown); the end, and the results CSV (download and
// fetch). Screenshots (phone and projector sizes) go to test-results/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RESULTS, STEP_MS, assertFits, recordFrames, shot, sleep, startHarness, waitForText, waitUntil } from './harness.mjs';

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
    await waitForText(error, /n'a pas pu être importé.*line 1/s);
    await shot(trainer, 'quiz-01-import-error');
  });

  await t.test('trainer imports the GIFT file, sees 2 questions, sets up and creates the room', async () => {
    await trainer.getByLabel('Ou collez son contenu').fill('');
    await trainer.getByLabel('Format', { exact: true }).selectOption('');
    await trainer.locator('#quiz-file').setInputFiles({ name: 'geographie.gift', mimeType: 'text/plain', buffer: Buffer.from(GIFT, 'utf8') });
    await trainer.getByRole('button', { name: 'Importer' }).click();
    await waitForText(trainer.getByTestId('import-count'), /2 question\(s\) importée\(s\)/);
    assert.equal(await trainer.getByTestId('error').count(), 0);
    await trainer.getByLabel('Titre de la salle').fill(ROOM_TITLE);
    await trainer.locator('label[for="quiz-speed"]').click(); // the DSFR draws the box on the label
    assert.equal(await trainer.getByLabel('Bonus de rapidité').isChecked(), true);
    await trainer.getByLabel('Durée par question (secondes, facultatif)').fill('120');
    await shot(trainer, 'quiz-02-import-settings');

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
    assert.equal(joined.snapshot.quiz.question_count, 2);
  });

  await t.test('two participants join on 360 px phones and wait', async () => {
    alice = await joinOnPhone(code, 'Alice');
    bob = await joinOnPhone(code, 'Bob');
    await waitForText(alice.page.getByTestId('quiz-waiting'), /Le quiz va bientôt commencer/);
    await waitForText(alice.page.getByTestId('question-count'), /^2 question\(s\)$/);
    await assertFits(alice.page, PHONE.width, 'the waiting screen');
    await shot(alice.page, 'quiz-03-participant-waiting-360');
    await waitForText(trainer.getByTestId('quiz-counts'), /Participants connectés : 2/);
    await shot(trainer, 'quiz-04-trainer-lobby');
  });

  await t.test('trainer starts; the question and its countdown reach the phones', async () => {
    await trainer.getByRole('button', { name: 'Lancer le quiz' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question ouverte$/);
    for (const p of [alice.page, bob.page]) {
      await waitForText(p.getByTestId('question-prompt'), /^Capitale de la France \?$/);
      await waitForText(p.getByTestId('question-number'), /^Question 1 sur 2/);
      await waitForText(p.getByTestId('countdown'), /^(2:00|1:5\d)$/);
    }
    await assertFits(alice.page, PHONE.width, 'the question screen');
    await shot(alice.page, 'quiz-05-participant-question-360');

    // On the projector, the choices in big type and no live figures while it is open.
    await trainer.setViewportSize({ width: 1920, height: 1080 });
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    assert.equal(await trainer.getByRole('button', { name: 'Affichage projecteur' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await trainer.getByTestId('distribution').isVisible(), false);
    await trainer.screenshot({ path: join(RESULTS, 'quiz-05b-projector-question.png') });
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    await trainer.setViewportSize({ width: 1280, height: 900 });
  });

  await t.test('one answers right, one wrong; the trainer sees the distribution update', async () => {
    await alice.page.getByRole('button', { name: /Paris/ }).click();
    await waitForText(alice.page.getByTestId('answer-sent'), /Réponse envoyée/);
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses : 1 · Participants connectés : 2/);
    assert.deepEqual((await distributionRows(trainer)).slice(0, 2), ['A. Paris : 1 (100 %)', 'B. Lyon : 0 (0 %)']);

    await bob.page.getByRole('button', { name: /Lyon/ }).click();
    await waitForText(bob.page.getByTestId('answer-status'), /Réponse envoyée.*B\. Lyon/s);
    assert.equal(await bob.page.getByRole('button', { name: /Lyon/ }).getAttribute('aria-pressed'), 'true');
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses : 2 · Participants connectés : 2/);
    await waitUntil(async () => (await distributionRows(trainer)).join('|') === 'A. Paris : 1 (50 %)|B. Lyon : 1 (50 %)|C. Marseille : 0 (0 %)',
      'the distribution 1/1/0');
    // Every connected participant answered: the question closed by itself.
    await waitForText(trainer.getByTestId('quiz-phase'), /^Question fermée$/);
    await shot(bob.page, 'quiz-06-participant-sent-360');
    await shot(trainer, 'quiz-07-trainer-distribution');
  });

  await t.test('the reveal: right for one, wrong for the other (phone), and a projector view', async () => {
    await trainer.getByRole('button', { name: 'Révéler la réponse' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Réponse révélée$/);
    await waitForText(alice.page.getByTestId('verdict'), /Bonne réponse !/);
    await waitForText(bob.page.getByTestId('verdict'), /Mauvaise réponse/);
    await waitForText(bob.page.getByTestId('right-answer'), /La bonne réponse : A\. Paris/);
    await waitForText(alice.page.getByTestId('your-score'), /Votre score : .* points · 1er sur 2/);
    await waitForText(bob.page.getByTestId('your-score'), /Votre score : 0 points · 2e sur 2/);
    assert.match((await distributionRows(trainer))[0], /A\. Paris.*Bonne réponse/);
    await assertFits(bob.page, PHONE.width, 'the feedback screen');
    await shot(alice.page, 'quiz-08-participant-right-360');
    await shot(bob.page, 'quiz-09-participant-wrong-360');

    await trainer.setViewportSize({ width: 1920, height: 1080 });
    await trainer.getByRole('button', { name: 'Affichage projecteur' }).click();
    assert.equal(await trainer.getByRole('button', { name: 'Révéler la réponse' }).count(), 0);
    await trainer.screenshot({ path: join(RESULTS, 'quiz-10-projector-reveal.png') });
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
  });

  await t.test('next question; a network drop while answering: the answer counts once', async () => {
    await trainer.getByRole('button', { name: 'Question suivante' }).click();
    for (const p of [alice.page, bob.page]) await waitForText(p.getByTestId('question-prompt'), /La Loire/);
    await alice.page.getByRole('button', { name: 'Vrai' }).click();
    await waitForText(alice.page.getByTestId('answer-sent'), /Réponse envoyée/);

    // Bob taps "Faux" and his network drops at that very moment: the answer
    // frame leaves, the acknowledgement never comes back.
    const sentBefore = answersSent(bob.frames).length;
    await bob.page.evaluate(() => {
      document.querySelector('[data-testid="option-false"]').click();
      window.dispatchEvent(new Event('offline'));
    });
    await bob.context.setOffline(true);
    await waitForText(bob.page.getByTestId('answer-status'), /Hors ligne : votre réponse partira dès le retour du réseau/);
    await waitForText(bob.page.getByTestId('connection'), /^(Hors ligne|Reconnexion…)$/);
    // The server did get it: the trainer sees two answers.
    await waitForText(trainer.getByTestId('quiz-counts'), /Réponses : 2 ·/);
    await sleep(1_500); // stays offline a while (reconnects fail)
    await waitForText(bob.page.getByTestId('connection'), /^(Hors ligne|Reconnexion…)$/);
    await shot(bob.page, 'quiz-12-participant-offline-360');

    await bob.context.setOffline(false);
    await waitForText(bob.page.getByTestId('connection'), /^Connecté$/);
    await waitForText(bob.page.getByTestId('answer-sent'), /Réponse envoyée/);
    const mine = answersSent(bob.frames).slice(sentBefore);
    assert.ok(mine.length >= 2, `the answer is sent again after the reconnect: ${JSON.stringify(mine)}`);
    assert.equal(new Set(mine.map((f) => f.id)).size, 1, `always with the same id: ${JSON.stringify(mine)}`);
    const acked = bob.frames.received.filter((f) => f.type === 'ack' && f.id === mine[0].id);
    assert.ok(acked.length >= 1, 'acknowledged after the resend');
    await waitUntil(async () => (await distributionRows(trainer)).join('|') === 'Vrai : 1 (50 %)|Faux : 1 (50 %)', 'the distribution Vrai 1, Faux 1');
    await waitForText(trainer.getByTestId('distribution-answered'), /^2 réponse\(s\)$/);
  });

  await t.test('a re-vote: an answer queued offline arrives after the close and is refused as late', async () => {
    await trainer.getByRole('button', { name: 'Révéler la réponse' }).click();
    await waitForText(alice.page.getByTestId('verdict'), /Bonne réponse !/);
    await waitForText(bob.page.getByTestId('verdict'), /Mauvaise réponse/);
    await trainer.getByRole('button', { name: 'Relancer le vote' }).click();
    await waitForText(trainer.getByTestId('question-number'), /nouveau vote \(2e tour\)/);
    for (const p of [alice.page, bob.page]) await waitForText(p.getByTestId('question-number'), /nouveau vote/);

    await bob.context.setOffline(true);
    await waitForText(bob.page.getByTestId('connection'), /^(Hors ligne|Reconnexion…)$/);
    await bob.page.getByRole('button', { name: 'Vrai' }).click();
    await waitForText(bob.page.getByTestId('answer-status'), /Hors ligne : votre réponse partira/);
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
    await waitForText(bob.page.getByTestId('answer-status'), /La question est fermée\. Vous n'avez pas répondu\./);
    await shot(bob.page, 'quiz-13-participant-late-360');
    await waitForText(trainer.getByTestId('distribution-answered'), /^1 réponse\(s\)$/);
  });

  await t.test('trainer ends the quiz; phones show the end with score and results', async () => {
    trainer.once('dialog', (dialog) => void dialog.accept());
    await trainer.getByRole('button', { name: 'Arrêter le quiz' }).click();
    await waitForText(trainer.getByTestId('quiz-phase'), /^Quiz terminé$/);
    await waitForText(trainer.getByTestId('summary'), /Participants : 2/);
    await waitForText(alice.page.getByTestId('quiz-ended'), /Quiz terminé.*Votre score : .*1er sur 2/s);
    await waitForText(bob.page.getByTestId('quiz-ended'), /Quiz terminé.*2e sur 2/s);
    await waitForText(alice.page.getByTestId('results'), /Q1.*Bonne réponse.*Q2.*Bonne réponse/s);
    await waitForText(bob.page.getByTestId('results'), /Q1.*Mauvaise réponse/s);
    await assertFits(alice.page, PHONE.width, 'the end screen');
    await shot(alice.page, 'quiz-14-participant-ended-360');
    await shot(trainer, 'quiz-15-trainer-ended');
  });

  await t.test('results: the CSV downloads from the console, and fetches with the token', async () => {
    const [download] = await Promise.all([
      trainer.waitForEvent('download'),
      trainer.getByRole('button', { name: 'Télécharger (CSV)' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `results-${roomId}.csv`);
    const saved = join(RESULTS, 'quiz-results.csv');
    await download.saveAs(saved);
    const downloaded = readFileSync(saved, 'utf8');
    await waitForText(trainer.getByRole('status').filter({ hasText: 'Fichier enregistré' }), /results-.*\.csv/);

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

  await t.test('trainer pastes a JSON quiz and creates a self-paced room', async () => {
    await trainer.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await trainer.getByRole('button', { name: 'Créer un quiz' }).click();
    await trainer.getByLabel('Ou collez son contenu').fill(JSON.stringify(SELF_PACED_QUIZ, null, 2));
    await trainer.getByRole('button', { name: 'Importer' }).click();
    await waitForText(trainer.getByTestId('import-count'), /Évaluer pour faire apprendre.*7 question\(s\)/);
    await trainer.locator('label', { hasText: 'En autonomie' }).click();
    await trainer.locator('label', { hasText: 'Alias' }).click();
    await trainer.getByRole('button', { name: 'Créer la salle de quiz' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Évaluer pour faire apprendre' }).waitFor();
    const code = await waitForText(trainer.getByTestId('join-code'), /^[A-Z0-9]{6}$/);
    chloe = await joinOnPhone(code, 'Chloé');
    await waitForText(trainer.getByTestId('quiz-counts'), /Participants connectés : 1/);
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
    await input.fill('3,14');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('answer-sent'), /Réponse envoyée/);
    await waitForText(p.getByTestId('verdict'), /Bonne réponse !/);
  });

  await t.test('ordering with move up/down buttons, by keyboard', async () => {
    const p = chloe.page;
    await p.getByRole('button', { name: 'Suivante' }).click();
    await waitForText(p.getByTestId('question-number'), /^Question 2 sur 7 · Remise en ordre$/);
    const target = ['Cycle 1', 'Cycle 2', 'Cycle 3'];
    const texts = async () => (await p.locator('.amphi-ordering__text').allTextContents()).map((s) => s.trim());
    for (let i = 0; i < target.length; i++) {
      let position = (await texts()).indexOf(target[i]);
      while (position > i) {
        // Keyboard: focus the button and press Enter; focus stays on the moved item.
        await p.getByRole('button', { name: `Monter « ${target[i]} »` }).focus();
        await p.keyboard.press('Enter');
        position -= 1;
        await waitUntil(async () => (await texts()).indexOf(target[i]) === position, `${target[i]} at ${position}`);
      }
    }
    assert.deepEqual(await texts(), target);
    assert.match(await p.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^(Monter|Descendre) « Cycle/);
    await assertFits(p, PHONE.width, 'the ordering screen');
    await shot(p, 'quiz-20-participant-ordering-360');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Bonne réponse !/);
  });

  await t.test('multiple choice, word cloud, rating, short text, open text', async () => {
    const p = chloe.page;
    const next = async (number, type) => {
      await p.getByRole('button', { name: 'Suivante' }).click();
      await waitForText(p.getByTestId('question-number'), new RegExp(`^Question ${number} sur 7 · ${type}$`));
    };
    await next(3, 'Choix multiples');
    await p.getByText('A. 2', { exact: true }).click();
    await p.getByText('C. 4', { exact: true }).click();
    await shot(p, 'quiz-21-participant-multiple-360');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Bonne réponse !/);

    await next(4, 'Nuage de mots');
    await p.getByLabel('Mot 1').fill('progrès');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Merci pour votre réponse/);

    await next(5, 'Échelle');
    await p.getByRole('button', { name: /^4$/ }).click();
    await waitForText(p.getByTestId('answer-status'), /Réponse envoyée.*Votre réponse : 4/s);
    await shot(p, 'quiz-22-participant-rating-360');

    await next(6, 'Réponse courte');
    await p.getByLabel('Votre réponse', { exact: true }).fill('meirieu');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('verdict'), /Bonne réponse !/);

    await next(7, 'Réponse libre');
    assert.equal(await p.getByRole('button', { name: 'Suivante' }).isDisabled(), true);
    await p.getByLabel('Votre réponse', { exact: true }).fill('Une auto-évaluation guidée par des critères.');
    await p.getByRole('button', { name: 'Valider ma réponse' }).click();
    await waitForText(p.getByTestId('answer-sent'), /Réponse envoyée/);
    // Every question answered: the score comes.
    await waitForText(p.getByTestId('your-score'), /Votre score : .* points · 1er sur 1/);
    await assertFits(p, PHONE.width, 'the open text screen');

    await p.getByRole('button', { name: 'Précédente' }).click();
    await waitForText(p.getByTestId('question-number'), /^Question 6 sur 7/);
    await waitForText(p.getByTestId('answer-status'), /Réponse envoyée.*meirieu/s);
    assert.equal(await p.getByLabel('Votre réponse', { exact: true }).isDisabled(), true);
  });

  await t.test('the trainer follows the progress grid, then ends', async () => {
    await waitForText(trainer.getByTestId('progress'), /Ont terminé : 1 sur 1/);
    const row = trainer.getByTestId('progress').getByRole('row').filter({ hasText: 'Participant 1' });
    await waitForText(row, /✓.*juste/);
    await shot(trainer, 'quiz-23-trainer-progress');
    trainer.once('dialog', (dialog) => void dialog.accept());
    await trainer.getByRole('button', { name: 'Arrêter le quiz' }).click();
    await waitForText(chloe.page.getByTestId('quiz-ended'), /Quiz terminé/);
    await waitForText(chloe.page.getByTestId('results'), /Q1.*Bonne réponse.*Q7/s);
    await chloe.page.getByRole('button', { name: 'Switch to English' }).click();
    await waitForText(chloe.page.getByTestId('quiz-ended'), /Quiz over.*1st of 1/s);
    await shot(chloe.page, 'quiz-24-participant-ended-en-360');
    const errors = [...trainerFrames.received, ...chloe.frames.received].filter((f) => f.type === 'error');
    assert.deepEqual(errors, []);
  });
});
