// "Créer un tableau" (trainer): title, sections (one per line; none for a
// free wall), mode (open, moderated, closed, reveal-later), whose names
// peers see, layout (columns or wall), reactions (likes, stars or none), an
// what participants may add (files, audio, links, documents, comments), an
// optional posting deadline and what
// a participant's completion needs; then the board room is created and the
// console opens. Also "import a board": an export (ZIP) made into a new board
// (this form is on the console too).

import type { App, View } from '../app';
import { fromLocalInput, SECTION_TITLE_MAX } from '../board-format';
import { CONTRIBUTIONS, type AuthorVisibility, type BoardLayout, type BoardMode, type BoardSettings, type Reactions } from '../board-protocol';
import { h, setChildren, uid } from '../dom';
import { errorText, t } from '../i18n';
import { loadTrainerToken, saveTrainerToken } from '../session';
import { TITLE_MAX } from './home';
import { radios } from './quiz-create';
import { switchesFieldset } from './board-settings-panel';

/** The sections typed one per line: trimmed, empty lines dropped. */
export function parseSections(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** An error alert in `slot` (with the server's detail, if any); focus on `field`. */
function fail(slot: HTMLElement, text: string, field: HTMLElement | null, detail?: string): void {
  setChildren(slot, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert', 'data-testid': 'error' },
    h('p', {}, text), detail ? h('p', { class: 'amphi-mono fr-text--sm' }, detail) : null));
  field?.focus();
}

function errorLead(code: string): string {
  return code === 'network' ? t('home.unreachable') : errorText(code);
}

/** "Importer un tableau": an `export.zip` made into a new board room, which opens. */
export function boardImportForm(app: App, tokenOf: () => string): HTMLElement {
  const fileId = uid('board-zip');
  const titleId = uid('board-import-title');
  const file = h('input', { class: 'fr-upload', id: fileId, type: 'file', accept: '.zip,application/zip', 'aria-describedby': `${fileId}-hint`, 'data-testid': 'board-import-file' });
  const title = h('input', { class: 'fr-input', id: titleId, maxlength: String(TITLE_MAX), autocomplete: 'off', 'aria-describedby': `${titleId}-hint` });
  const alert = h('div');
  const submit = h('button', { type: 'submit', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-upload-2-line' }, t('board.import.submit'));
  const form = h('form', { novalidate: true, 'aria-labelledby': 'board-import-title', 'data-testid': 'board-import' },
    h('h2', { id: 'board-import-title', class: 'fr-h5' }, t('board.import.title')),
    h('p', { class: 'fr-text--sm' }, t('board.import.intro')),
    h('div', { class: 'fr-upload-group' },
      h('label', { class: 'fr-label', for: fileId }, t('board.import.file'), h('span', { class: 'fr-hint-text', id: `${fileId}-hint` }, t('board.import.fileHint'))),
      file),
    h('div', { class: 'fr-input-group fr-mt-2w' },
      h('label', { class: 'fr-label', for: titleId }, t('board.import.newTitle'), h('span', { class: 'fr-hint-text', id: `${titleId}-hint` }, t('board.import.newTitleHint'))),
      title),
    alert, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.replaceChildren();
    const token = tokenOf();
    if (!token) return fail(alert, t('home.tokenMissing'), null);
    const zip = file.files?.[0];
    if (!zip) return fail(alert, t('board.import.noFile'), file);
    submit.disabled = true;
    const error = await app.importBoardAsTrainer(token, zip, title.value.trim() || undefined);
    if (!submit.isConnected) return; // in the new board now
    submit.disabled = false;
    if (error) fail(alert, errorLead(error.code), file, error.code === 'network' ? undefined : error.message);
  });
  return form;
}

export function renderBoardCreate(app: App): View {
  const tokenInput = h('input', { class: 'fr-input', id: 'board-token', type: 'password', autocomplete: 'off', spellcheck: 'false', value: loadTrainerToken(app.store) });
  const titleInput = h('input', { class: 'fr-input', id: 'board-title', maxlength: String(TITLE_MAX), autocomplete: 'off' });
  const sections = h('textarea', { class: 'fr-input', id: 'board-sections', rows: 4, 'aria-describedby': 'board-sections-hint' });
  const mode = radios<BoardMode>('board.create.mode', 'board-mode', [
    { value: 'open', label: 'board.mode.open', hint: 'board.modeHelp.open' },
    { value: 'moderated', label: 'board.mode.moderated', hint: 'board.modeHelp.moderated' },
    { value: 'reveal_later', label: 'board.mode.reveal_later', hint: 'board.modeHelp.reveal_later' },
    { value: 'closed', label: 'board.mode.closed', hint: 'board.modeHelp.closed' },
  ], 'open');
  const authors = radios<AuthorVisibility>('board.create.authors', 'board-authors', [
    { value: 'visible', label: 'board.authors.visible' },
    { value: 'hidden_from_peers', label: 'board.authors.hidden_from_peers', hint: 'board.authors.hiddenHint' },
  ], 'visible');
  const layout = radios<BoardLayout>('board.create.layout', 'board-layout', [
    { value: 'columns', label: 'board.layout.columns' },
    { value: 'wall', label: 'board.layout.wall' },
  ], 'columns');
  const reactions = radios<Reactions>('board.create.reactions', 'board-reactions', [
    { value: 'likes', label: 'board.reactions.likes' },
    { value: 'stars', label: 'board.reactions.stars', hint: 'board.reactions.starsHint' },
    { value: 'none', label: 'board.reactions.none' },
  ], 'likes');
  const switches = switchesFieldset();
  const deadline = h('input', { class: 'fr-input', id: 'board-deadline', type: 'datetime-local', 'aria-describedby': 'board-deadline-hint' });
  const posts = h('input', { class: 'fr-input', id: 'board-completion-posts', type: 'number', min: '0', max: '100', inputmode: 'numeric', value: '0' });
  const comments = h('input', { class: 'fr-input', id: 'board-completion-comments', type: 'number', min: '0', max: '100', inputmode: 'numeric', value: '0' });
  const alert = h('div');
  const submit = h('button', { type: 'submit', class: 'fr-btn fr-btn--icon-left fr-icon-add-line' }, t('board.create.submit'));
  const labelled = (id: string, label: string, hint?: string) =>
    h('label', { class: 'fr-label', for: id }, label, hint ? h('span', { class: 'fr-hint-text', id: `${id}-hint` }, hint) : null);

  const form = h('form', { novalidate: true, 'aria-labelledby': 'board-new-title' },
    h('h2', { id: 'board-new-title', class: 'fr-h4' }, t('board.create.formTitle')),
    h('div', { class: 'fr-input-group' }, labelled('board-token', t('home.token')), tokenInput),
    h('div', { class: 'fr-input-group' }, labelled('board-title', t('board.create.title')), titleInput),
    h('div', { class: 'fr-input-group' }, labelled('board-sections', t('board.create.sections'), t('board.create.sectionsHint')), sections),
    mode.root, authors.root, layout.root, reactions.root, switches.root,
    h('div', { class: 'fr-input-group' }, labelled('board-deadline', t('board.create.deadline'), t('board.create.deadlineHint')), deadline),
    h('fieldset', { class: 'fr-fieldset', 'aria-labelledby': 'completion-legend' },
      h('legend', { class: 'fr-fieldset__legend', id: 'completion-legend' }, t('board.create.completion'),
        h('span', { class: 'fr-hint-text' }, t('board.create.completionHint'))),
      h('div', { class: 'fr-fieldset__element amphi-number-pair' },
        h('div', { class: 'fr-input-group' }, labelled('board-completion-posts', t('board.create.completionPosts')), posts),
        h('div', { class: 'fr-input-group' }, labelled('board-completion-comments', t('board.create.completionComments')), comments))),
    alert, submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.replaceChildren();
    const token = tokenInput.value.trim();
    const title = titleInput.value.trim();
    if (!token) return fail(alert, t('home.tokenMissing'), tokenInput);
    if (!title) return fail(alert, t('board.create.titleMissing'), titleInput);
    const list = parseSections(sections.value);
    if (list.some((s) => s.length > SECTION_TITLE_MAX)) return fail(alert, t('board.create.sectionTooLong', { max: SECTION_TITLE_MAX }), sections);
    const at = deadline.value ? fromLocalInput(deadline.value) : null;
    if (deadline.value && at === null) return fail(alert, t('board.create.deadlineInvalid'), deadline);
    const count = (input: HTMLInputElement) => Math.max(0, Math.min(100, Math.floor(Number(input.value) || 0)));
    const settings: Partial<BoardSettings> = {
      mode: mode.value(),
      authors: authors.value(),
      layout: layout.value(),
      reactions: reactions.value(),
      switched_off: CONTRIBUTIONS.filter((c) => !switches.boxes[c].checked),
      completion_posts: count(posts),
      completion_comments: count(comments),
      ...(at !== null ? { deadline: at } : {}),
    };
    saveTrainerToken(app.store, token);
    submit.disabled = true;
    submit.textContent = t('home.creating');
    const error = await app.createBoardRoomAsTrainer(token, title, { sections: list, settings });
    if (!submit.isConnected) return; // in the room now
    submit.disabled = false;
    submit.textContent = t('board.create.submit');
    if (error) fail(alert, errorLead(error.code), null, error.code === 'network' ? undefined : error.message);
  });

  const back = h('a', { class: 'fr-link fr-icon-arrow-left-line fr-link--icon-left', href: '/',
    onclick: (ev: Event) => { ev.preventDefault(); app.navigate('/'); } }, t('lobby.backHome'));
  const root = h('div', { class: 'amphi-board-create' },
    h('p', {}, back),
    h('h1', { tabindex: '-1' }, t('board.create.heading')),
    h('p', {}, t('board.create.intro')),
    h('section', { class: 'amphi-panel', 'aria-labelledby': 'board-new-title' }, form),
    h('section', { class: 'amphi-panel fr-mt-4w', 'aria-labelledby': 'board-import-title' },
      boardImportForm(app, () => tokenInput.value.trim())));
  queueMicrotask(() => (tokenInput.value ? titleInput : tokenInput).focus());
  return { root, dispose() {} };
}
