// "Créer des ateliers" (trainer, facilitator): the session's title, how
// participants get an atelier (by hand, drawn at random, balanced, or their
// own choice), and the plan: ateliers with a name, instructions, a duration,
// links and an optional capacity (rows added and removed; the focus goes to
// the new row, or back to "Ajouter" after a removal). The plan is checked
// here against the server's limits (the first fault is named, on its field),
// then the breakout room is created and its console opens.

import type { App, View } from '../app';
import type { AssignmentMode } from '../breakout-protocol';
import { ATELIERS_MAX, buildPlan, emptyDraft, INSTRUCTIONS_MAX, NAME_MAX, type AtelierDraft, type PlanError } from '../breakout-format';
import { h, setChildren, uid } from '../dom';
import { errorText, t, type MessageKey } from '../i18n';
import { loadTrainerToken, saveTrainerToken } from '../session';
import { TITLE_MAX } from './home';
import { radios } from './quiz-create';

interface Row {
  root: HTMLFieldSetElement;
  legend: HTMLElement;
  name: HTMLInputElement;
  instructions: HTMLTextAreaElement;
  duration: HTMLInputElement;
  capacity: HTMLInputElement;
  resources: HTMLTextAreaElement;
  remove: HTMLButtonElement;
}

const ERROR_TEXT: Record<PlanError['field'], MessageKey> = {
  count: 'breakout.create.countInvalid',
  name: 'breakout.create.nameMissing',
  nameTooLong: 'breakout.create.nameTooLong',
  instructions: 'breakout.create.instructionsTooLong',
  duration: 'breakout.create.durationInvalid',
  capacity: 'breakout.create.capacityInvalid',
  resources: 'breakout.create.resourceInvalid',
  resourcesTooMany: 'breakout.create.resourcesTooMany',
};

function fail(slot: HTMLElement, text: string, field: HTMLElement | null, detail?: string): void {
  setChildren(slot, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert', 'data-testid': 'error' },
    h('p', {}, text), detail ? h('p', { class: 'amphi-mono fr-text--sm' }, detail) : null));
  field?.focus();
}

export function renderBreakoutCreate(app: App): View {
  const tokenInput = h('input', { class: 'fr-input', id: 'breakout-token', type: 'password', autocomplete: 'off', spellcheck: 'false', value: loadTrainerToken(app.store) });
  const titleInput = h('input', { class: 'fr-input', id: 'breakout-title', maxlength: String(TITLE_MAX), autocomplete: 'off' });
  const mode = radios<AssignmentMode>('breakout.create.mode', 'breakout-mode', [
    { value: 'manual', label: 'breakout.mode.manual', hint: 'breakout.modeHelp.manual' },
    { value: 'balanced', label: 'breakout.mode.balanced', hint: 'breakout.modeHelp.balanced' },
    { value: 'random', label: 'breakout.mode.random', hint: 'breakout.modeHelp.random' },
    { value: 'free_choice', label: 'breakout.mode.free_choice', hint: 'breakout.modeHelp.free_choice' },
  ], 'manual');
  const rowsList = h('ol', { class: 'amphi-atelier-rows', 'data-testid': 'atelier-rows' });
  const rows: Row[] = [];
  const addButton = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-add-line', 'data-testid': 'add-atelier' }, t('breakout.create.add'));
  const alert = h('div');
  const submit = h('button', { type: 'submit', class: 'fr-btn fr-btn--icon-left fr-icon-chat-3-line' }, t('breakout.create.submit'));
  const labelled = (id: string, label: string, hint?: string) =>
    h('label', { class: 'fr-label', for: id }, label, hint ? h('span', { class: 'fr-hint-text', id: `${id}-hint` }, hint) : null);

  function renumber(): void {
    rows.forEach((row, i) => {
      row.legend.textContent = t('breakout.create.atelierN', { number: i + 1 });
      row.remove.setAttribute('aria-label', t('breakout.create.removeLabel', { number: i + 1 }));
      row.remove.disabled = rows.length < 2;
    });
    addButton.disabled = rows.length >= ATELIERS_MAX;
  }

  function addRow(draft: AtelierDraft): Row {
    const id = uid('atelier');
    const legendId = `${id}-legend`;
    const legend = h('legend', { class: 'fr-fieldset__legend', id: legendId });
    const name = h('input', { class: 'fr-input', id: `${id}-name`, maxlength: String(NAME_MAX), autocomplete: 'off', value: draft.name, 'data-testid': 'atelier-name' });
    const instructions = h('textarea', { class: 'fr-input', id: `${id}-instructions`, rows: 3, maxlength: INSTRUCTIONS_MAX, 'aria-describedby': `${id}-instructions-hint`, 'data-testid': 'atelier-instructions' });
    instructions.value = draft.instructions;
    const duration = h('input', { class: 'fr-input', id: `${id}-duration`, type: 'number', min: '1', max: '720', inputmode: 'numeric', value: draft.duration, 'data-testid': 'atelier-duration' });
    const capacity = h('input', { class: 'fr-input', id: `${id}-capacity`, type: 'number', min: '1', inputmode: 'numeric', value: draft.capacity, 'aria-describedby': `${id}-capacity-hint`, 'data-testid': 'atelier-capacity' });
    const resources = h('textarea', { class: 'fr-input', id: `${id}-resources`, rows: 2, 'aria-describedby': `${id}-resources-hint`, 'data-testid': 'atelier-resources' });
    resources.value = draft.resources;
    const remove = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-delete-line' }, t('breakout.create.remove'));
    const root = h('fieldset', { class: 'fr-fieldset amphi-panel amphi-atelier-row', 'aria-labelledby': legendId, 'data-testid': 'atelier-row' },
      legend,
      h('div', { class: 'fr-fieldset__element' }, h('div', { class: 'fr-input-group' }, labelled(name.id, t('breakout.create.name')), name)),
      h('div', { class: 'fr-fieldset__element' }, h('div', { class: 'fr-input-group' },
        labelled(instructions.id, t('breakout.create.instructions'), t('breakout.create.instructionsHint')), instructions)),
      h('div', { class: 'fr-fieldset__element amphi-number-pair' },
        h('div', { class: 'fr-input-group' }, labelled(duration.id, t('breakout.create.duration')), duration),
        h('div', { class: 'fr-input-group' }, labelled(capacity.id, t('breakout.create.capacity'), t('breakout.create.capacityHint')), capacity)),
      h('div', { class: 'fr-fieldset__element' }, h('div', { class: 'fr-input-group' },
        labelled(resources.id, t('breakout.create.resources'), t('breakout.create.resourcesHint')), resources)),
      h('div', { class: 'fr-fieldset__element' }, remove));
    const row: Row = { root, legend, name, instructions, duration, capacity, resources, remove };
    remove.addEventListener('click', () => {
      const i = rows.indexOf(row);
      if (i < 0 || rows.length < 2) return;
      rows.splice(i, 1);
      root.remove();
      renumber();
      addButton.focus();
    });
    rows.push(row);
    rowsList.append(h('li', {}, root));
    renumber();
    return row;
  }

  addButton.addEventListener('click', () => addRow(emptyDraft()).name.focus());
  addRow(emptyDraft());
  addRow(emptyDraft());

  const form = h('form', { novalidate: true, 'aria-labelledby': 'breakout-new-title' },
    h('h2', { id: 'breakout-new-title', class: 'fr-h4' }, t('breakout.create.formTitle')),
    h('div', { class: 'fr-input-group' }, labelled('breakout-token', t('home.token')), tokenInput),
    h('div', { class: 'fr-input-group' }, labelled('breakout-title', t('breakout.create.title')), titleInput),
    mode.root,
    h('h3', { class: 'fr-h5' }, t('breakout.create.ateliers')),
    rowsList,
    h('p', {}, addButton),
    alert, submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.replaceChildren();
    const token = tokenInput.value.trim();
    const title = titleInput.value.trim();
    if (!token) return fail(alert, t('home.tokenMissing'), tokenInput);
    if (!title) return fail(alert, t('breakout.create.titleMissing'), titleInput);
    const drafts: AtelierDraft[] = rows.map((r) => ({
      name: r.name.value, instructions: r.instructions.value, duration: r.duration.value, resources: r.resources.value, capacity: r.capacity.value,
    }));
    const built = buildPlan(drafts, mode.value());
    if ('error' in built) {
      const { field, index } = built.error;
      const row = rows[index];
      const target = !row ? addButton
        : field === 'name' || field === 'nameTooLong' ? row.name
          : field === 'instructions' ? row.instructions
            : field === 'duration' ? row.duration
              : field === 'capacity' ? row.capacity : row.resources;
      const line = 'line' in built.error ? built.error.line : undefined;
      return fail(alert, t(ERROR_TEXT[field], { number: index + 1, line: line ?? '', max: ATELIERS_MAX }), target);
    }
    saveTrainerToken(app.store, token);
    submit.disabled = true;
    submit.textContent = t('home.creating');
    const error = await app.createBreakoutRoomAsTrainer(token, title, { plan: built.plan });
    if (!submit.isConnected) return; // in the room now
    submit.disabled = false;
    submit.textContent = t('breakout.create.submit');
    if (error) fail(alert, error.code === 'network' ? t('home.unreachable') : errorText(error.code), null, error.code === 'network' ? undefined : error.message);
  });

  const back = h('a', { class: 'fr-link fr-icon-arrow-left-line fr-link--icon-left', href: '/',
    onclick: (ev: Event) => { ev.preventDefault(); app.navigate('/'); } }, t('lobby.backHome'));
  const root = h('div', { class: 'amphi-breakout-create' },
    h('p', {}, back),
    h('h1', { tabindex: '-1' }, t('breakout.create.heading')),
    h('p', {}, t('breakout.create.intro')),
    h('section', { class: 'amphi-panel', 'aria-labelledby': 'breakout-new-title' }, form));
  queueMicrotask(() => (tokenInput.value ? titleInput : tokenInput).focus());
  return { root, dispose() {} };
}
