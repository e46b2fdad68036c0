// Home screen: "Rejoindre une session" (join code + nickname → guest), and
// the trainer space (token → create a room, or go on to create a quiz, a
// board or ateliers).
// `/j/CODE` pre-fills the code. Guest sessions this browser remembers
// (recent.ts) can be resumed from here; a leader's token (remembered, or
// typed) shows "Mes sessions" (my-sessions.ts), and a leader who types a
// code arrives in that room's console.

import { BOARD_NEW_PATH, BREAKOUT_NEW_PATH, QUIZ_NEW_PATH, type App, type View } from '../app';
import { h, setChildren, uid } from '../dom';
import { errorText, t, type MessageKey } from '../i18n';
import { listRecent, recentFor, type RecentSession } from '../recent';
import { forgetLeaderToken, rememberedLeaderToken } from '../leader-token';
import { loadTrainerToken, saveTrainerToken } from '../session';
import { isLeaderToken } from '../token';
import { mySessionsPanel } from './my-sessions';

export const NAME_MAX = 40;
export const TITLE_MAX = 200;

/** Upper-cases a typed code and keeps letters and digits only (6 at most). */
export function normalizeCode(raw: string): string {
  return raw.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 6);
}

export function isValidCode(code: string): boolean {
  return /^[A-Z0-9]{6}$/.test(code);
}

interface Field {
  group: HTMLElement;
  input: HTMLInputElement;
  setError(key: MessageKey | null): void;
}

/** A DSFR input group: label + hint, input, error message wired with aria. */
function field(label: MessageKey, hint: MessageKey | null, attrs: Record<string, string | boolean>): Field {
  const id = uid('f');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = h('input', { class: 'fr-input', id, name: id, 'aria-describedby': hint ? hintId : undefined, ...attrs });
  const error = h('p', { id: errorId, class: 'fr-error-text', hidden: true });
  const group = h('div', { class: 'fr-input-group' },
    h('label', { class: 'fr-label', for: id }, t(label), hint ? h('span', { class: 'fr-hint-text', id: hintId }, t(hint)) : null),
    input, error);
  return {
    group,
    input,
    setError(key) {
      group.classList.toggle('fr-input-group--error', key !== null);
      input.classList.toggle('fr-input--error', key !== null);
      error.hidden = key === null;
      error.textContent = key ? t(key) : '';
      input.setAttribute('aria-invalid', key ? 'true' : 'false');
      const described = [hint ? hintId : '', key ? errorId : ''].filter(Boolean).join(' ');
      if (described) input.setAttribute('aria-describedby', described);
      else input.removeAttribute('aria-describedby');
    },
  };
}

function submitButton(label: MessageKey, extra = ''): HTMLButtonElement {
  return h('button', { type: 'submit', class: `fr-btn ${extra}` }, t(label));
}

export function renderHome(app: App, code: string): View {
  // ---- join as a guest ----
  const codeField = field('home.code', 'home.codeHint', {
    value: normalizeCode(code),
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    maxlength: '6',
    required: true,
    class: 'fr-input amphi-code-input',
  });
  codeField.input.addEventListener('input', () => {
    const input = codeField.input;
    const normalized = normalizeCode(input.value);
    if (normalized !== input.value) input.value = normalized;
    codeField.setError(null);
  });
  const nameField = field('home.name', 'home.nameHint', {
    autocomplete: 'nickname',
    maxlength: String(NAME_MAX),
    required: true,
  });
  nameField.input.addEventListener('input', () => nameField.setError(null));
  const joinButton = submitButton('home.join', 'fr-btn--lg');
  const joinAlert = h('div');
  const joinForm = h('form', { novalidate: true, 'aria-labelledby': 'join-title' },
    codeField.group, nameField.group, joinAlert, joinButton);
  joinForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const codeValue = normalizeCode(codeField.input.value);
    const name = nameField.input.value.trim();
    // A leader (trainer token in the trainer space) arrives in the console, not as a guest.
    const leaderToken = tokenField.input.value.trim();
    if (isLeaderToken(leaderToken)) {
      codeField.setError(isValidCode(codeValue) ? null : 'home.codeInvalid');
      nameField.setError(null);
      if (!isValidCode(codeValue)) return codeField.input.focus();
      await busy(joinButton, 'home.joining', joinAlert, () => app.joinWithToken(leaderToken, { code: codeValue }));
      return;
    }
    codeField.setError(isValidCode(codeValue) ? null : 'home.codeInvalid');
    nameField.setError(name ? null : 'home.nameMissing');
    if (!isValidCode(codeValue)) return codeField.input.focus();
    if (!name) return nameField.input.focus();
    await busy(joinButton, 'home.joining', joinAlert, () => app.joinAsGuest(codeValue, name));
  });

  // ---- trainer space ----
  const tokenField = field('home.token', null, {
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    value: loadTrainerToken(app.store) || rememberedLeaderToken(app.local, Date.now()),
  });
  // "Mes sessions" follows the token field (after a short pause in typing or pasting).
  const mine = mySessionsPanel(app, () => {
    forgetLeaderToken(app.local);
    saveTrainerToken(app.store, '');
    tokenField.input.value = '';
    tokenField.input.focus();
  });
  let typing: ReturnType<typeof setTimeout> | undefined;
  tokenField.input.addEventListener('input', () => {
    tokenField.setError(null);
    clearTimeout(typing);
    typing = setTimeout(() => mine.show(tokenField.input.value.trim()), 300);
  });
  mine.show(tokenField.input.value.trim());
  const titleField = field('home.roomTitle', null, { maxlength: String(TITLE_MAX), autocomplete: 'off' });
  titleField.input.addEventListener('input', () => titleField.setError(null));
  const createButton = submitButton('home.create', 'fr-btn--secondary');
  const createAlert = h('div');
  const quizButton = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-add-line' }, t('home.createQuiz'));
  const boardButton = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-layout-grid-line' }, t('home.createBoard'));
  const ateliersButton = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-chat-3-line' }, t('home.createBreakout'));
  const goCreate = (path: string) => {
    const token = tokenField.input.value.trim();
    tokenField.setError(token ? null : 'home.tokenMissing');
    if (!token) return tokenField.input.focus();
    saveTrainerToken(app.store, token);
    app.rememberLeader(token);
    app.navigate(path);
  };
  quizButton.addEventListener('click', () => goCreate(QUIZ_NEW_PATH));
  boardButton.addEventListener('click', () => goCreate(BOARD_NEW_PATH));
  ateliersButton.addEventListener('click', () => goCreate(BREAKOUT_NEW_PATH));
  const createForm = h('form', { novalidate: true, 'aria-labelledby': 'trainer-title' },
    tokenField.group, titleField.group, createAlert,
    h('div', { class: 'amphi-buttons' }, createButton, quizButton, boardButton, ateliersButton));
  createForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = tokenField.input.value.trim();
    const title = titleField.input.value.trim();
    tokenField.setError(token ? null : 'home.tokenMissing');
    titleField.setError(title ? null : 'home.roomTitleMissing');
    if (!token) return tokenField.input.focus();
    if (!title) return titleField.input.focus();
    await busy(createButton, 'home.creating', createAlert, () => app.createRoomAsTrainer(token, title));
  });

  // ---- guest sessions this browser can resume ----
  const now = Date.now();
  const remembered = code ? [recentFor(app.local, code, now)].filter((r): r is RecentSession => r !== undefined)
    : listRecent(app.local, now).slice(0, 3);
  const title = h('h1', { id: 'join-title', tabindex: '-1' }, t('home.title'));
  const resume = remembered.length ? recentPanel(app, remembered, title) : null;

  const root = h('div', { class: 'fr-grid-row fr-grid-row--gutters amphi-home' },
    h('section', { class: 'fr-col-12 fr-col-md-7', 'aria-labelledby': 'join-title' },
      title,
      h('p', {}, t('home.intro')),
      resume,
      joinForm),
    h('section', { class: 'fr-col-12 fr-col-md-5', 'aria-labelledby': 'trainer-title' },
      h('div', { class: 'amphi-panel' },
        h('h2', { id: 'trainer-title', class: 'fr-h4' }, t('home.trainerTitle')),
        mine.root,
        h('p', { class: 'fr-text--sm' }, t('home.trainerIntro')),
        createForm)));

  // Focus the first empty field of the join form (a /j/CODE link: the name),
  // or "Reprendre" when this browser was already in that session.
  queueMicrotask(() => {
    const again = code && resume?.querySelector<HTMLButtonElement>('[data-testid="resume"]');
    (again || (code ? nameField.input : codeField.input)).focus();
  });
  return { root, dispose: () => clearTimeout(typing) };
}

/** "Reprendre" (and "Oublier") for each remembered guest session. */
function recentPanel(app: App, sessions: RecentSession[], fallbackFocus: HTMLElement): HTMLElement {
  const list = h('ul', { class: 'amphi-list' });
  const panel = h('section', { class: 'amphi-panel fr-mb-3w', 'aria-labelledby': 'resume-title', 'data-testid': 'recent' },
    h('h2', { id: 'resume-title', class: 'fr-h5' }, t('home.resumeTitle')), list);
  for (const r of sessions) {
    const item = h('li', { class: 'amphi-list__item' },
      h('span', { class: 'amphi-list__name' }, t('home.resumeAs', { title: r.title, name: r.name })),
      h('button', {
        type: 'button', class: 'fr-btn fr-btn--sm', 'data-testid': 'resume',
        'aria-label': t('home.resumeLabel', { title: r.title, name: r.name }),
        onclick: () => app.resumeRecent(r),
      }, t('home.resume')),
      h('button', {
        type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary',
        'aria-label': t('home.forgetLabel', { title: r.title }),
        onclick: () => {
          app.forgetRecent(r.roomId);
          item.remove();
          if (!list.children.length) panel.remove();
          fallbackFocus.focus();
        },
      }, t('home.forget')));
    list.append(item);
  }
  return panel;
}

/** Disables the button while `run` goes, then shows its error (if any). */
async function busy(
  button: HTMLButtonElement,
  busyLabel: MessageKey,
  alertSlot: HTMLElement,
  run: () => Promise<string | null>,
): Promise<void> {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = t(busyLabel);
  alertSlot.replaceChildren();
  const error = await run();
  if (!button.isConnected) return; // we navigated away
  button.disabled = false;
  button.textContent = label;
  if (error) {
    setChildren(alertSlot, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert' },
      h('p', {}, error === 'network' ? t('home.unreachable') : errorText(error))));
  }
}
