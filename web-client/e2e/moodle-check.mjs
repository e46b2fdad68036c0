// amphi inside a real Moodle 4.5, driven as its users would in headless
// Chromium. A development check, not part of CI (CI has no Moodle): it needs
// the Moodle of ../shared/moodle (setup.sh with TOOL_BASE=$AMPHI; its
// fixture.json) and the built server and client. It starts its own amphi
// node at AMPHI (default http://127.0.0.1:8080, its `lti.public_url`) on a
// fresh data directory, so every run starts from an amphi that knows no
// platform:
//
//   npm run build && node e2e/moodle-check.mjs
//
// 1. registers the fixture's tool (configured by hand in Moodle) in amphi
//    (admin API, tenant `ac-moodle`: client id, deployment, endpoints), and
//    installs amphi a second time by Dynamic Registration, as a Moodle
//    administrator does (amphi's one-time link in "Manage tools", Activate);
// 2. with that second tool, teacher1 adds an amphi quiz to course AMPHI1 from the activity form's
//    "Select content" (Deep Linking: a GIFT file in amphi's picker), saves it,
//    and opens it: amphi's console in Moodle's frame, where the quiz starts;
// 3. student1 opens it (no code, no name asked), answers;
// 4. the trainer attached a badge from the console; the trainer ends the
//    quiz; the student's screen shows "Badge obtenu" (with its Open Badges
//    2.0 image: Moodle shares the e-mail); the grade, its feedback (the
//    badge and its address) and the completion are read back from Moodle's
//    web services until they arrive;
// 5. the fixture's "amphi quiz" link (the hand-configured tool), added without the activity chooser:
//    the student is told it is not ready, teacher1 picks a board for it once,
//    the student then lands on that board.
// 6. a trainer of the tenant published a quiz to the shared library (REST);
//    teacher1 adds it from "Select content" (Deep Linking: "Depuis la
//    bibliothèque partagée", a copy made in the tenant), opens it: the
//    copy's console; student1 opens it and lands in the copy's session.
// Screenshots go to test-results/moodle-*.png.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM, RESULTS, WEB_DIR } from './harness.mjs';

const AMPHI = process.env.AMPHI ?? 'http://127.0.0.1:8080';
const FIXTURE = JSON.parse(readFileSync(process.env.FIXTURE ?? join(homedir(), '.cache/amphi-moodle/fixture.json'), 'utf8'));
const MOODLE = FIXTURE.wwwroot;
const TENANT = 'ac-moodle';
const PASSWORD = 'Passw0rd!';
const STEP = 30_000;
const PHONE = { width: 360, height: 740 };
const LAPTOP = { width: 1920, height: 1080 };
// amphi speaks the platform's language (`launch_presentation.locale`): this Moodle's is English.
const START = /Lancer le quiz|Start the quiz/;

mkdirSync(RESULTS, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(RESULTS, `moodle-${name}.png`), fullPage: true });
const log = (...args) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

const ENV = {
  ...process.env,
  AMPHI_DATA_DIR: mkdtempSync(join(tmpdir(), 'amphi-moodle-')),
  AMPHI_LISTEN: new URL(AMPHI).host,
  AMPHI_LTI__PUBLIC_URL: AMPHI,
  AMPHI_WEB_DIR: WEB_DIR,
};

async function startAmphi() {
  const server = spawn(BIN, ['serve'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = createWriteStream(join(RESULTS, 'moodle-amphi.log'));
  server.stdout.pipe(logFile);
  server.stderr.pipe(logFile);
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${AMPHI}/readyz`).then((r) => r.ok, () => false)) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`amphi did not start at ${AMPHI} (see test-results/moodle-amphi.log)`);
}

function amphiToken(role) {
  return execFileSync(BIN, ['token', '--role', role, '--tenant', TENANT, '--name', 'Admin'], { encoding: 'utf8', env: ENV }).trim();
}

async function ws(fn, params) {
  const body = new URLSearchParams({ wstoken: FIXTURE.ws_token, wsfunction: fn, moodlewsrestformat: 'json', ...params });
  const response = await fetch(`${MOODLE}/webservice/rest/server.php`, { method: 'POST', body });
  return response.json();
}

async function registerPlatform() {
  const admin = amphiToken('admin');
  const headers = { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' };
  const listed = await (await fetch(`${AMPHI}/api/v1/admin/lti/platforms`, { headers })).json();
  if (listed.platforms.some((p) => p.issuer === FIXTURE.issuer && p.client_id === FIXTURE.client_id)) return;
  const response = await fetch(`${AMPHI}/api/v1/admin/lti/platforms`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      issuer: FIXTURE.issuer,
      client_id: FIXTURE.client_id,
      deployment_ids: [FIXTURE.deployment_id],
      auth_url: FIXTURE.platform.auth,
      token_url: FIXTURE.platform.token,
      jwks_url: FIXTURE.platform.jwks,
    }),
  });
  assert.equal(response.status, 201, await response.text());
}

/** Dynamic Registration as a Moodle administrator does it: amphi's one-time
 * link pasted in "Manage tools", then the new tool activated. Returns its type id. */
async function registerDynamically(browser) {
  const headers = { Authorization: `Bearer ${amphiToken('admin')}` };
  const known = (await (await fetch(`${AMPHI}/api/v1/admin/lti/platforms`, { headers })).json()).platforms.map((p) => p.id);
  const link = await (await fetch(`${AMPHI}/api/v1/admin/lti/registrations`, { method: 'POST', headers })).json();
  const admin = await signIn(browser, 'admin', LAPTOP, 'Admin123!');
  await admin.goto(`${MOODLE}/mod/lti/toolconfigure.php`);
  await admin.fill('#tool-url', link.url);
  await admin.click('#tool-create-button');
  // This Moodle already has a tool on amphi's domain (the hand-configured one): register a new one.
  const dialog = admin.frameLocator('iframe[src^="startltiadvregistration.php"]');
  await dialog.getByRole('button', { name: 'Register as a new external tool' }).click();
  let platform;
  for (let i = 0; i < 30 && !platform; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const listed = (await (await fetch(`${AMPHI}/api/v1/admin/lti/platforms`, { headers })).json()).platforms;
    platform = listed.find((p) => !known.includes(p.id));
  }
  assert.ok(platform, 'amphi stored the platform it registered with');
  assert.equal(platform.issuer, MOODLE);
  // amphi's page closed Moodle's registration dialog; the tool waits for activation.
  await admin.locator('#tool-list-container .activate').first().waitFor();
  await shot(admin, 'dynamic-registration-pending');
  await admin.locator('#tool-list-container .activate').first().click();
  await admin.waitForFunction(() => !document.querySelector('#tool-list-container .activate'), null, { timeout: STEP });
  await shot(admin, 'dynamic-registration-active');
  await admin.context().close();
  const typeid = Number(execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'vmoodle', '-tAc',
    `SELECT id FROM mdl_lti_types WHERE clientid = '${platform.client_id.replace(/'/g, '')}' AND state = 1`], { encoding: 'utf8' }).trim());
  assert.ok(typeid > 0, 'the tool is active in Moodle');
  return { typeid, platform };
}

async function signIn(browser, username, viewport, password = PASSWORD) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR' });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP);
  await page.goto(`${MOODLE}/login/index.php`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#loginbtn');
  await page.waitForURL((url) => !url.pathname.startsWith('/login/'));
  return page;
}

/** The amphi page inside Moodle's activity frame. */
const activityFrame = (page) => page.frameLocator('#contentframe');

async function addQuizByDeepLinking(teacher, typeid) {
  await teacher.goto(`${MOODLE}/course/modedit.php?add=lti&course=${FIXTURE.courseid}&section=1&return=0&typeid=${typeid}`);
  await teacher.click('#id_selectcontent');
  const picker = teacher.frameLocator('#contentitem-page-iframe');
  await picker.getByRole('heading', { name: /Ajouter une activité amphi|Add an amphi activity/ }).waitFor();
  await shot(teacher, 'deep-link-picker');
  const gift = join(tmpdir(), 'amphi-moodle-geo.gift');
  writeFileSync(gift, '::Capitale:: Quelle est la capitale de la France ? {=Paris ~Lyon ~Marseille}\n');
  const quizForm = picker.locator('form').filter({ has: picker.locator('input[name=kind][value=quiz]') });
  await quizForm.getByLabel(/^(Titre|Title)$/).fill('Géographie (Moodle)');
  await quizForm.locator('input[type=file]').setInputFiles(gift);
  await quizForm.getByRole('button', { name: /Créer et ajouter au cours|Create and add to the course/ }).click();
  // Moodle closes its dialog and fills the form from the Deep Linking response.
  await teacher.waitForFunction(() => document.querySelector('#id_name')?.value === 'Géographie (Moodle)', null, { timeout: STEP });
  // Completion as a teacher sets it in the form: done when a grade is received.
  await teacher.click('a.collapseexpand');
  await teacher.check('input[name=completion][value="2"]');
  await teacher.check('#id_completionusegrade');
  await shot(teacher, 'deep-link-filled');
  await teacher.click('#id_submitbutton');
  await teacher.waitForURL(/\/mod\/lti\/view\.php\?id=\d+/);
  return Number(new URL(teacher.url()).searchParams.get('id'));
}

/** A quiz room published to the tenant's library by another trainer; its item id. */
async function publishToLibrary() {
  const headers = { authorization: `Bearer ${amphiToken('trainer')}`, 'content-type': 'application/json' };
  const quiz = {
    title: 'Volcans', questions: [{ id: 'q1', type: 'single_choice', prompt: 'Le Stromboli est-il un volcan actif ?', time_limit_s: 60,
      choices: [{ id: 'c1', text: 'Oui', correct: true }, { id: 'c2', text: 'Non' }] }],
  };
  const room = await (await fetch(`${AMPHI}/api/v1/rooms`, { method: 'POST', headers, body: JSON.stringify({ title: 'Volcans', kind: 'quiz', quiz }) })).json();
  const response = await fetch(`${AMPHI}/api/v1/library/items`, {
    method: 'POST', headers,
    body: JSON.stringify({ kind: 'quiz', source: room.id, title: 'Les volcans actifs', description: 'Un quiz de SVT', disciplines: ['SVT'] }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()).id;
}

async function addLibraryItemByDeepLinking(teacher, typeid) {
  await teacher.goto(`${MOODLE}/course/modedit.php?add=lti&course=${FIXTURE.courseid}&section=1&return=0&typeid=${typeid}`);
  await teacher.click('#id_selectcontent');
  const picker = teacher.frameLocator('#contentitem-page-iframe');
  await picker.getByRole('heading', { name: /Depuis la bibliothèque partagée|From the shared library/ }).waitFor();
  await picker.getByLabel(/Rechercher dans la bibliothèque|Search the library/).fill('volcan');
  await picker.getByRole('button', { name: /^(Rechercher|Search)$/ }).click();
  await picker.getByLabel(/Les volcans actifs/).check();
  await shot(teacher, 'library-picker');
  await picker.getByRole('button', { name: /Copier et ajouter au cours|Copy and add to the course/ }).click();
  await teacher.waitForFunction(() => document.querySelector('#id_name')?.value === 'Les volcans actifs', null, { timeout: STEP });
  await teacher.click('#id_submitbutton');
  await teacher.waitForURL(/\/mod\/lti\/view\.php\?id=\d+/);
  return Number(new URL(teacher.url()).searchParams.get('id'));
}

async function main() {
  const server = await startAmphi();
  try {
    await check();
  } finally {
    server.kill('SIGINT');
  }
}

async function check() {
  await registerPlatform();
  log('platform registered in amphi');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const registered = await registerDynamically(browser);
    log('Dynamic Registration: amphi stored platform', registered.platform.id, '(client id', registered.platform.client_id + '); Moodle tool type', registered.typeid, 'activated');
    const teacher = await signIn(browser, 'teacher1', LAPTOP);
    const cmid = await addQuizByDeepLinking(teacher, registered.typeid);
    log('teacher1 added the quiz through Deep Linking (the dynamically registered tool), cmid', cmid);
    const console_ = activityFrame(teacher);
    await console_.getByRole('button', { name: START }).waitFor();
    await shot(teacher, 'trainer-console');
    log('teacher1 is in the console inside Moodle');
    // A badge on the session, attached from the console in Moodle's frame.
    const badges = console_.getByTestId('badges-panel');
    await badges.getByText(/^(Attacher un badge|Attach a badge)$/).click();
    await badges.getByLabel(/^(Nom du badge|Badge name)$/).fill('Géographe');
    await badges.getByLabel(/^Description$/).fill('A suivi le quiz de géographie dans Moodle.');
    await badges.getByLabel(/^(Critères|Criteria)/).fill('Terminer le quiz.');
    await badges.getByRole('button', { name: /^(Attacher le badge|Attach the badge)$/ }).click();
    await badges.getByTestId('badge').filter({ hasText: 'Géographe' }).waitFor();
    await shot(teacher, 'trainer-badge-attached');
    log('teacher1 attached the badge "Géographe" in the console');

    const student = await signIn(browser, 'student1', PHONE);
    await student.goto(`${MOODLE}/mod/lti/view.php?id=${cmid}`);
    const phone = activityFrame(student);
    await phone.getByText(/Sam Stagiaire/).first().waitFor();
    await shot(student, 'student-waiting');
    log('student1 is in the session as Sam Stagiaire, no code nor name asked');

    await console_.getByRole('button', { name: START }).click();
    await phone.getByRole('button', { name: /Paris/ }).click();
    await phone.getByText(/Réponse envoyée|Answer sent/).first().waitFor();
    await shot(student, 'student-answered');
    log('student1 answered');
    // The course roster (NRPS) in the console: the student is here.
    const roster = console_.getByTestId('course-roster');
    await roster.locator('summary').click();
    await roster.getByRole('button', { name: /Actualiser|Refresh/ }).click();
    await roster.getByRole('row', { name: /Sam Stagiaire.*(Connecté maintenant|Connected now)/ }).waitFor();
    await shot(teacher, 'trainer-roster');
    log('teacher1 sees the course roster: Sam Stagiaire connected now');
    teacher.once('dialog', (dialog) => void dialog.accept());
    await console_.getByRole('button', { name: /Arrêter le quiz|Stop the quiz/ }).click();
    await console_.getByText(/Quiz terminé|Quiz ended|Quiz over/).first().waitFor();
    log('teacher1 ended the quiz');
    // The phone in Moodle's frame: "Badge obtenu", and its Open Badges 2.0 image (Moodle shared the e-mail).
    const earned = phone.getByTestId('badge-earned');
    await earned.getByTestId('award').filter({ hasText: 'Géographe' }).waitFor({ timeout: STEP });
    await earned.getByTestId('award-baked').waitFor();
    await shot(student, 'student-badge-earned');
    log('student1 sees "Badge obtenu: Géographe" with its certificate, credential and Open Badges 2.0 image');

    const deadline = Date.now() + 60_000;
    let grade;
    let completion;
    while (Date.now() < deadline) {
      const report = await ws('gradereport_user_get_grade_items', { courseid: FIXTURE.courseid, userid: FIXTURE.studentid });
      const items = report.usergrades?.[0]?.gradeitems ?? [];
      grade = items.find((i) => i.cmid === cmid);
      const status = await ws('core_completion_get_activities_completion_status', { courseid: FIXTURE.courseid, userid: FIXTURE.studentid });
      completion = status.statuses?.find((s) => s.cmid === cmid);
      if (grade?.graderaw != null && completion?.state > 0) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    log('grade in Moodle:', grade?.graderaw, '/', grade?.grademax, grade?.gradeformatted, '; completion state:', completion?.state);
    assert.equal(grade?.graderaw, 100, `the right answer scores 100 in the gradebook: ${JSON.stringify(grade)}`);
    assert.ok(completion?.state >= 1, `the activity is complete: ${JSON.stringify(completion)}`);
    const feedback = grade?.feedback ?? '';
    log('grade feedback in Moodle:', JSON.stringify(feedback));
    assert.match(feedback, /Badge obtenu.*Géographe.*\/badges\/credentials\//s, 'the badge rides with the grade as its feedback');
    await student.goto(`${MOODLE}/grade/report/user/index.php?id=${FIXTURE.courseid}`);
    await shot(student, 'student-gradebook');

    // The fixture's link added without the activity chooser.
    await student.goto(`${MOODLE}/mod/lti/view.php?id=${FIXTURE.cmid}`);
    await activityFrame(student).getByText(/pas encore été préparée|has not been set up/).waitFor();
    await shot(student, 'unbound-student');
    await teacher.goto(`${MOODLE}/mod/lti/view.php?id=${FIXTURE.cmid}`);
    const setup = activityFrame(teacher);
    await setup.getByRole('heading', { name: /Choisir l’activité amphi de ce lien|Choose this link’s amphi activity/ }).waitFor();
    await shot(teacher, 'unbound-picker');
    const boardForm = setup.locator('form').filter({ has: setup.locator('input[name=kind][value=board]') });
    await boardForm.getByLabel(/^(Titre|Title)$/).fill('Nos idées');
    await boardForm.getByRole('button', { name: /Créer et ouvrir|Create and open/ }).click();
    await setup.getByRole('heading', { name: /Nos idées/ }).first().waitFor();
    await shot(teacher, 'unbound-board-console');
    await student.goto(`${MOODLE}/mod/lti/view.php?id=${FIXTURE.cmid}`);
    await activityFrame(student).getByRole('heading', { name: /Nos idées/ }).first().waitFor();
    await shot(student, 'unbound-board-student');
    log('the plain link: not ready for the student, set up once by teacher1 (a board), then the student is on it');

    // The shared library in Moodle's activity chooser: a copy in the tenant.
    const item = await publishToLibrary();
    const libraryCmid = await addLibraryItemByDeepLinking(teacher, registered.typeid);
    const copyConsole = activityFrame(teacher);
    await copyConsole.getByRole('heading', { name: /Les volcans actifs/ }).first().waitFor();
    await copyConsole.getByRole('button', { name: START }).waitFor();
    await shot(teacher, 'library-copy-console');
    log('library item', item, 'published; its copy is open in the console inside Moodle');
    await student.goto(`${MOODLE}/mod/lti/view.php?id=${libraryCmid}`);
    await activityFrame(student).getByText(/Les volcans actifs/).first().waitFor();
    await shot(student, 'library-copy-student');
    log('teacher1 added the library item "Les volcans actifs" from Moodle\'s activity chooser (a copy, cmid', libraryCmid + '); student1 is in its session');
    log('moodle check: OK');
  } catch (error) {
    for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) await shot(page, `failure-${i}`).catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
}

await main();
