// "Créer un quiz" (trainer): a GIFT, Moodle XML or JSON file, uploaded or
// pasted, goes through POST /api/v1/quizzes/import; the screen shows what
// came in (question count, questions, skipped ones and warnings, or the
// import error naming its line), then a few settings (pace, anonymity,
// leaderboard, speed bonus, confidence levels, the closing rule, the live
// histogram on the projector, a default time limit for the questions that
// have none), and creates the quiz room.

import type { App, View } from '../app';
import { ApiError, importQuiz } from '../api';
import { h, setChildren, uid } from '../dom';
import { errorText, t, type MessageKey, tn } from '../i18n';
import type { Anonymity, ImportFormat, ImportResult, LeaderboardMode, QuizMode, QuizSettings } from '../quiz-protocol';
import { RECONNECT_GRACE_DEFAULT_S, RECONNECT_GRACE_MAX_S, parseReconnectGrace, questionTypeLabel, withDefaultTimeLimit } from '../quiz-format';
import { loadTrainerToken, saveTrainerToken } from '../session';
import { TITLE_MAX } from './home';

export const QUIZ_FILE_ACCEPT = '.gift,.txt,.xml,.json,text/plain,application/xml,text/xml,application/json';
/** The server's bounds for a question's time limit. */
export const TIME_LIMIT_MIN = 5;
export const TIME_LIMIT_MAX = 3600;

/** One radio fieldset; `value()` reads the checked one (the board form uses it too). */
export function radios<T extends string>(legend: MessageKey, name: string, options: { value: T; label: MessageKey; hint?: MessageKey }[], initial: T) {
  const legendId = uid('legend');
  const inputs = options.map((o) => h('input', { type: 'radio', id: uid(name), name, value: o.value, checked: o.value === initial }));
  const root = h('fieldset', { class: 'fr-fieldset', 'aria-labelledby': legendId },
    h('legend', { class: 'fr-fieldset__legend', id: legendId }, t(legend)),
    ...options.map((o, i) => h('div', { class: 'fr-fieldset__element' },
      h('div', { class: 'fr-radio-group' }, inputs[i],
        h('label', { class: 'fr-label', for: inputs[i].id }, t(o.label), o.hint ? h('span', { class: 'fr-hint-text' }, t(o.hint)) : null)))));
  return { root, value: () => (inputs.find((i) => i.checked)?.value ?? initial) as T };
}

export function renderQuizCreate(app: App): View {
  // ---- step 1: the file ----
  const tokenInput = h('input', { class: 'fr-input', id: 'quiz-token', type: 'password', autocomplete: 'off', spellcheck: 'false', value: loadTrainerToken(app.store) });
  const fileInput = h('input', { class: 'fr-upload', id: 'quiz-file', type: 'file', accept: QUIZ_FILE_ACCEPT, 'aria-describedby': 'quiz-file-hint' });
  const pasted = h('textarea', { class: 'fr-input amphi-mono', id: 'quiz-text', rows: 8, spellcheck: 'false', 'aria-describedby': 'quiz-text-hint' });
  const format = h('select', { class: 'fr-select', id: 'quiz-format' },
    h('option', { value: '' }, t('quizCreate.formatAuto')),
    h('option', { value: 'gift' }, 'GIFT'),
    h('option', { value: 'moodlexml' }, 'Moodle XML'),
    h('option', { value: 'json' }, t('quizCreate.formatJson')));
  const importButton = h('button', { type: 'submit', class: 'fr-btn fr-btn--icon-left fr-icon-upload-2-line' }, t('quizCreate.import'));
  const importAlert = h('div');
  const importForm = h('form', { novalidate: true, 'aria-labelledby': 'step1-title' },
    h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'quiz-token' }, t('home.token')), tokenInput),
    h('div', { class: 'fr-upload-group' },
      h('label', { class: 'fr-label', for: 'quiz-file' }, t('quizCreate.file'),
        h('span', { class: 'fr-hint-text', id: 'quiz-file-hint' }, t('quizCreate.fileHint'))),
      fileInput),
    h('div', { class: 'fr-input-group fr-mt-3w' },
      h('label', { class: 'fr-label', for: 'quiz-text' }, t('quizCreate.paste'),
        h('span', { class: 'fr-hint-text', id: 'quiz-text-hint' }, t('quizCreate.pasteHint'))),
      pasted),
    h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'quiz-format' }, t('quizCreate.format')), format),
    importAlert,
    importButton);

  // ---- step 2: what came in, settings, create ----
  const step2 = h('section', { class: 'fr-mt-6w', 'aria-labelledby': 'step2-title', hidden: true, 'data-testid': 'import-result' });
  let imported: ImportResult | null = null;

  fileInput.addEventListener('change', () => {
    if (fileInput.files?.length) pasted.value = '';
  });
  pasted.addEventListener('input', () => {
    if (pasted.value && fileInput.value) fileInput.value = '';
  });

  importForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    importAlert.replaceChildren();
    const token = tokenInput.value.trim();
    if (!token) return fail(importAlert, t('home.tokenMissing'), tokenInput);
    const file = fileInput.files?.[0];
    const text = file ? await file.text() : pasted.value;
    if (!text.trim()) return fail(importAlert, t('quizCreate.nothing'), fileInput);
    saveTrainerToken(app.store, token);
    const chosen = (format.value || guessFormat(file?.name)) as ImportFormat | '';
    importButton.disabled = true;
    importButton.textContent = t('quizCreate.importing');
    try {
      imported = await importQuiz(token, text, chosen || undefined);
      showImported(imported);
    } catch (e) {
      imported = null;
      step2.hidden = true;
      const err = e instanceof ApiError ? e : new ApiError(0, 'network', String(e));
      const lead = err.code === 'network' ? t('home.unreachable')
        : err.code === 'unauthorized' || err.code === 'token_expired' || err.code === 'forbidden' ? errorText(err.code)
          : t('quizCreate.importFailed');
      fail(importAlert, lead, null, err.code === 'network' ? undefined : err.message);
    } finally {
      importButton.disabled = false;
      importButton.textContent = t('quizCreate.import');
    }
  });

  function showImported(result: ImportResult): void {
    const quiz = result.quiz;
    const titleInput = h('input', { class: 'fr-input', id: 'quiz-room-title', maxlength: String(TITLE_MAX), autocomplete: 'off', value: quiz.title });
    const mode = radios<QuizMode>('quizCreate.mode', 'mode', [
      { value: 'trainer_paced', label: 'quizCreate.trainerPaced', hint: 'quizCreate.trainerPacedHint' },
      { value: 'self_paced', label: 'quizCreate.selfPaced', hint: 'quizCreate.selfPacedHint' },
    ], 'trainer_paced');
    const anonymity = radios<Anonymity>('quizCreate.anonymity', 'anonymity', [
      { value: 'named', label: 'quizCreate.named' },
      { value: 'pseudonym', label: 'quizCreate.pseudonym', hint: 'quizCreate.pseudonymHint' },
      { value: 'anonymous', label: 'quizCreate.anonymous', hint: 'quizCreate.anonymousHint' },
    ], 'named');
    const board = radios<LeaderboardMode>('quizCreate.leaderboard', 'leaderboard', [
      { value: 'named', label: 'quizCreate.boardNamed' },
      { value: 'ranks_only', label: 'quizCreate.boardRanks' },
      { value: 'off', label: 'quizCreate.boardOff' },
    ], 'named');
    const speed = h('input', { type: 'checkbox', id: 'quiz-speed' });
    const confidence = h('input', { type: 'checkbox', id: 'quiz-confidence' });
    const closeAll = h('input', { type: 'checkbox', id: 'quiz-close-all', checked: true });
    const live = h('input', { type: 'checkbox', id: 'quiz-live-projector' });
    const grace = h('input', { class: 'fr-input', id: 'quiz-grace', type: 'number', inputmode: 'numeric',
      min: '0', max: String(RECONNECT_GRACE_MAX_S), value: String(RECONNECT_GRACE_DEFAULT_S), 'aria-describedby': 'quiz-grace-hint' });
    const graceError = h('p', { class: 'fr-error-text', id: 'quiz-grace-error', hidden: true });
    const untimed = quiz.questions.filter((q) => typeof q.time_limit_s !== 'number').length;
    const limit = h('input', { class: 'fr-input', id: 'quiz-limit', type: 'number', inputmode: 'numeric',
      min: String(TIME_LIMIT_MIN), max: String(TIME_LIMIT_MAX), 'aria-describedby': 'quiz-limit-hint' });
    const limitError = h('p', { class: 'fr-error-text', id: 'quiz-limit-error', hidden: true });
    const createButton = h('button', { type: 'submit', class: 'fr-btn fr-btn--lg' }, t('quizCreate.create'));
    const createAlert = h('div');

    const skipped = result.skipped.length
      ? h('div', { class: 'fr-alert fr-alert--warning fr-alert--sm fr-mb-2w', 'data-testid': 'import-skipped' },
        h('p', { class: 'fr-alert__title' }, tn('quizCreate.skipped', result.skipped.length)),
        h('ul', {}, ...result.skipped.map((s) => h('li', {}, `${s.position} — ${s.title} : ${s.reason}`))))
      : null;
    const warnings = result.warnings.length
      ? h('div', { class: 'fr-alert fr-alert--info fr-alert--sm fr-mb-2w', 'data-testid': 'import-warnings' },
        h('p', { class: 'fr-alert__title' }, tn('quizCreate.warnings', result.warnings.length)),
        h('ul', {}, ...result.warnings.map((w) => h('li', {}, `${w.position} — ${w.title} : ${w.message}`))))
      : null;

    const form = h('form', { novalidate: true, 'aria-labelledby': 'settings-title' },
      h('h3', { id: 'settings-title', class: 'fr-h5' }, t('quizCreate.settings')),
      h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'quiz-room-title' }, t('home.roomTitle')), titleInput),
      mode.root, anonymity.root, board.root,
      h('div', { class: 'fr-checkbox-group fr-mb-3w' }, speed,
        h('label', { class: 'fr-label', for: 'quiz-speed' }, t('quizCreate.speedBonus'), h('span', { class: 'fr-hint-text' }, t('quizCreate.speedBonusHint')))),
      h('div', { class: 'fr-checkbox-group fr-mb-3w' }, confidence,
        h('label', { class: 'fr-label', for: 'quiz-confidence' }, t('quizCreate.confidence'), h('span', { class: 'fr-hint-text' }, t('quizCreate.confidenceHint')))),
      h('div', { class: 'fr-checkbox-group fr-mb-3w' }, closeAll,
        h('label', { class: 'fr-label', for: 'quiz-close-all' }, t('quizCreate.closeAll'), h('span', { class: 'fr-hint-text' }, t('quizCreate.closeAllHint')))),
      h('div', { class: 'fr-input-group', 'data-testid': 'quiz-grace-group' },
        h('label', { class: 'fr-label', for: 'quiz-grace' }, t('quizCreate.grace'),
          h('span', { class: 'fr-hint-text', id: 'quiz-grace-hint' }, t('quizCreate.graceHint', { max: RECONNECT_GRACE_MAX_S }))),
        grace, graceError),
      h('div', { class: 'fr-checkbox-group fr-mb-3w' }, live,
        h('label', { class: 'fr-label', for: 'quiz-live-projector' }, t('quizCreate.liveOnProjector'), h('span', { class: 'fr-hint-text' }, t('quizCreate.liveOnProjectorHint')))),
      untimed > 0 ? h('div', { class: 'fr-input-group' },
        h('label', { class: 'fr-label', for: 'quiz-limit' }, t('quizCreate.timeLimit'),
          h('span', { class: 'fr-hint-text', id: 'quiz-limit-hint' }, tn('quizCreate.timeLimitHint', untimed, { min: TIME_LIMIT_MIN, max: TIME_LIMIT_MAX }))),
        limit, limitError) : null,
      createAlert,
      createButton);

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      createAlert.replaceChildren();
      const title = titleInput.value.trim();
      if (!title) return fail(createAlert, t('home.roomTitleMissing'), titleInput);
      const seconds = limit.value.trim() ? Number(limit.value) : undefined;
      if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= TIME_LIMIT_MIN && seconds <= TIME_LIMIT_MAX)) {
        limitError.hidden = false;
        limitError.textContent = t('quizCreate.timeLimitInvalid', { min: TIME_LIMIT_MIN, max: TIME_LIMIT_MAX });
        limit.setAttribute('aria-describedby', 'quiz-limit-hint quiz-limit-error');
        limit.focus();
        return;
      }
      limitError.hidden = true;
      limit.setAttribute('aria-describedby', 'quiz-limit-hint');
      const graceMs = parseReconnectGrace(grace.value);
      if (graceMs === null) {
        graceError.hidden = false;
        graceError.textContent = t('quizCreate.graceInvalid', { max: RECONNECT_GRACE_MAX_S });
        grace.setAttribute('aria-describedby', 'quiz-grace-hint quiz-grace-error');
        grace.setAttribute('aria-invalid', 'true');
        grace.focus();
        return;
      }
      graceError.hidden = true;
      grace.setAttribute('aria-describedby', 'quiz-grace-hint');
      grace.removeAttribute('aria-invalid');
      const settings: Partial<QuizSettings> = {
        close_when_all_answered: closeAll.checked,
        reconnect_grace_ms: graceMs,
        mode: mode.value(),
        anonymity: anonymity.value(),
        leaderboard: board.value(),
        speed_bonus: speed.checked,
        confidence: confidence.checked,
        live_on_projector: live.checked,
      };
      const token = tokenInput.value.trim();
      if (!token) return fail(createAlert, t('home.tokenMissing'), tokenInput);
      createButton.disabled = true;
      createButton.textContent = t('home.creating');
      const error = await app.createQuizRoomAsTrainer(token, title, withDefaultTimeLimit(quiz, seconds), settings);
      if (!createButton.isConnected) return; // in the room now
      createButton.disabled = false;
      createButton.textContent = t('quizCreate.create');
      if (error) fail(createAlert, error.code === 'network' ? t('home.unreachable') : errorText(error.code), null, error.message);
    });

    setChildren(step2,
      h('h2', { id: 'step2-title', class: 'fr-h4' }, t('quizCreate.step2')),
      h('p', { class: 'fr-text--lg', 'data-testid': 'import-count' }, tn('quizCreate.imported', quiz.questions.length, { title: quiz.title })),
      skipped, warnings,
      h('details', { class: 'amphi-details fr-mb-3w' },
        h('summary', {}, t('quizCreate.questions')),
        h('ol', { class: 'amphi-question-list' }, ...quiz.questions.map((q) =>
          h('li', {}, q.prompt, ' ', h('span', { class: 'fr-tag fr-tag--sm' }, questionTypeLabel(q.type)))))),
      form);
    step2.hidden = false;
    step2.querySelector<HTMLElement>('h2')?.setAttribute('tabindex', '-1');
    step2.querySelector<HTMLElement>('h2')?.focus();
  }

  const back = h('a', { class: 'fr-link fr-icon-arrow-left-line fr-link--icon-left', href: '/',
    onclick: (ev: Event) => { ev.preventDefault(); app.navigate('/'); } }, t('lobby.backHome'));
  const root = h('div', { class: 'amphi-quiz-create' },
    h('p', {}, back),
    h('h1', { tabindex: '-1' }, t('quizCreate.title')),
    h('p', {}, t('quizCreate.intro')),
    h('section', { class: 'amphi-panel', 'aria-labelledby': 'step1-title' },
      h('h2', { id: 'step1-title', class: 'fr-h4' }, t('quizCreate.step1')), importForm),
    step2);
  queueMicrotask(() => (tokenInput.value ? fileInput : tokenInput).focus());
  return { root, dispose() {} };
}

/** The format from a file name, when it tells. */
export function guessFormat(name: string | undefined): ImportFormat | '' {
  const ext = name?.toLowerCase().split('.').pop();
  if (ext === 'gift') return 'gift';
  if (ext === 'xml') return 'moodlexml';
  if (ext === 'json') return 'json';
  return '';
}

/** An error alert in `slot` (optionally with the server's detail), focus on `field`. */
function fail(slot: HTMLElement, text: string, field: HTMLElement | null, detail?: string): void {
  setChildren(slot, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert', 'data-testid': 'error' },
    h('p', {}, text),
    detail ? h('p', { class: 'amphi-mono fr-text--sm' }, detail) : null));
  field?.focus();
}
