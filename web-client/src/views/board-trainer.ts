// The trainer's board console: join code, link and QR code, a projector
// window (observer token); the board's counts (to approve, to reveal,
// hidden), its mode, "reveal all", the posting deadline; who is in the room
// (connected or not, "Retirer" for a participant); the sections (add,
// rename, lock, remove); a post form; the board with the moderation of each
// post (approve, hide, unhide, delete, move up/down or to another section,
// drag); the moderation queue at the top (pending posts, "Tout valider");
// the activity log (who did what, when); exports (CSV, ZIP) and an import of an export as a new board; clearing
// the board. The sections are drawn with lit-html, one row per section
// (keyed by its id): a post or a change elsewhere leaves a row, a title being
// typed and the focus as they are.

import type { App, View } from '../app';
import { fetchBoardExport } from '../board-api';
import { BOARD_MODES, type BoardMode, type BoardCommand, type Section } from '../board-protocol';
import { SECTION_TITLE_MAX, fromLocalInput, toLocalInput } from '../board-format';
import { sectionPosts, waitingCounts, type BoardState } from '../board-state';
import type { AmphiClient } from '../client';
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { renderKeepingFocus } from './breakout-common';
import { h, uid } from '../dom';
import { lang, t } from '../i18n';
import type { RoomId } from '../protocol';
import { loadTrainerToken } from '../session';
import { MODE_LABEL, boardAnnouncer, boardErrorText, boardInfo, cardActions, deadlineWatch, postRefusedInForm, sendBoard, uploadsFor } from './board-common';
import { postComposer } from './board-composer';
import { moderationQueue } from './board-queue';
import { boardImportForm } from './board-create';
import { boardSettingsPanel } from './board-settings-panel';
import { boardActivityPanel } from './board-activity-panel';
import { fetchBoardActivityCsv } from '../board-activity';
import { boardView } from './board-view';
import { apiFailureText, connectionBadge, showAlert, watchRoom } from './common';
import { copyPost, listMyRooms } from '../api';
import { badgesPanel } from './badge-panel';
import { downloadButton, downloadStatus } from './downloads';
import { courseRosterPanel } from './course-roster';
import { membersPanel } from './members-panel';
import { joinCodePanel, nextSessionButton, projectorWindowButton } from './room-code';
import { embedPanel } from './embed-code';
import { lockSwitch } from './room-guard';

export function renderBoardTrainer(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-mb-1w' });
  const badge = connectionBadge(client);
  const errors = h('div', { class: 'fr-mt-2w' });
  const screen = projectorWindowButton(app, roomId);
  const next = nextSessionButton(app, roomId);
  const code = joinCodePanel('amphi-quiz-code', lockSwitch(client, roomId));
  const embed = embedPanel();
  const info = boardInfo(true);
  const send = (command: BoardCommand) => {
    errors.replaceChildren();
    return sendBoard(client, roomId, command);
  };

  // ---- counts, mode, reveal, deadline, clear ----
  const counts = h('p', { class: 'amphi-board-counts', 'data-testid': 'board-counts' });
  const modeSelect = h('select', { class: 'fr-select', id: 'board-mode-select', 'data-testid': 'mode-select' },
    ...BOARD_MODES.map((m) => h('option', { value: m }, t(MODE_LABEL[m]))));
  const modeButton = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'mode-apply' }, t('board.console.applyMode'));
  modeButton.addEventListener('click', () => void send({ action: 'set_mode', mode: modeSelect.value as BoardMode }));
  const revealButton = h('button', { type: 'button', class: 'fr-btn fr-btn--icon-left fr-icon-eye-line', 'data-testid': 'reveal' });
  revealButton.addEventListener('click', () => void send({ action: 'reveal' }));
  const deadlineInput = h('input', { class: 'fr-input', id: 'board-deadline-input', type: 'datetime-local' });
  const deadlineSet = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary' }, t('board.console.setDeadline'));
  const deadlineClear = h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary' }, t('board.console.clearDeadline'));
  deadlineSet.addEventListener('click', () => {
    const at = fromLocalInput(deadlineInput.value);
    if (at === null) {
      showAlert(errors, t('board.create.deadlineInvalid'));
      deadlineInput.focus();
      return;
    }
    void send({ action: 'set_deadline', deadline: at });
  });
  deadlineClear.addEventListener('click', () => {
    deadlineInput.value = '';
    void send({ action: 'set_deadline', deadline: null });
  });
  const clearButton = h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--icon-left fr-icon-delete-bin-line' }, t('board.console.clear'));
  clearButton.addEventListener('click', () => {
    if (window.confirm(t('board.console.confirmClear'))) void send({ action: 'clear' });
  });
  const settingsPanel = boardSettingsPanel(send);
  // Participants copying the posts elsewhere (leaders always may).
  const copyingInput = h('input', { type: 'checkbox', class: 'fr-toggle__input', id: 'board-copying', 'aria-describedby': 'board-copying-hint', 'data-testid': 'copying-switch' });
  copyingInput.addEventListener('change', () => void send({ action: 'set_copying', copying: copyingInput.checked }));
  const copyingToggle = h('div', { class: 'fr-toggle fr-toggle--label-left fr-mb-2w' }, copyingInput,
    h('label', { class: 'fr-toggle__label', for: 'board-copying' },
      t('board.console.copying')),
    h('p', { class: 'fr-hint-text', id: 'board-copying-hint' }, t('board.console.copyingHint')));
  const controls = h('section', { class: 'amphi-panel', 'aria-labelledby': 'board-controls-title', 'data-testid': 'board-controls' },
    h('h2', { id: 'board-controls-title', class: 'fr-h5' }, t('board.console.controls')),
    info.root, counts,
    h('div', { class: 'fr-select-group' },
      h('label', { class: 'fr-label', for: 'board-mode-select' }, t('board.console.mode')),
      h('div', { class: 'amphi-inline-form' }, modeSelect, modeButton)),
    settingsPanel.root,
    h('p', {}, revealButton),
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: 'board-deadline-input' }, t('board.console.deadline'), h('span', { class: 'fr-hint-text' }, t('board.create.deadlineHint'))),
      h('div', { class: 'amphi-inline-form' }, deadlineInput, deadlineSet, deadlineClear)),
    copyingToggle,
    h('p', { class: 'fr-mb-0' }, clearButton));

  const queue = moderationQueue(send, (text) => app.announce(text));

  // ---- sections ----
  const sectionsSlot = h('div');
  const newSection = h('input', { class: 'fr-input', id: 'new-section', maxlength: String(SECTION_TITLE_MAX), autocomplete: 'off' });
  const addForm = h('form', { novalidate: true, class: 'fr-mt-2w' },
    h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'new-section' }, t('board.sections.new')),
      h('div', { class: 'amphi-inline-form' }, newSection,
        h('button', { type: 'submit', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-add-line' }, t('board.sections.add')))));
  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = newSection.value.trim();
    if (!name) return newSection.focus();
    newSection.value = '';
    void send({ action: 'add_section', title: name });
  });
  const sectionsSummary = h('summary', {}, t('board.sections.title'));
  const sectionsPanel = h('details', { class: 'amphi-details fr-mt-3w', 'data-testid': 'sections-panel' },
    sectionsSummary, sectionsSlot, addForm);

  /** Each section's title input keeps its id while the section is there. */
  const inputIds = new Map<string, string>();
  function sectionRow(section: Section, index: number, state: BoardState): TemplateResult {
    let id = inputIds.get(section.id);
    if (!id) inputIds.set(section.id, (id = uid('section-title')));
    const name = section.title || t('board.untitledSection');
    const rename = (ev: Event) => {
      const input = (ev.currentTarget as HTMLElement).closest('li')!.querySelector('input')!;
      const next = input.value.trim();
      if (next && next !== section.title) void send({ action: 'rename_section', section: section.id, title: next });
    };
    const postsHere = sectionPosts(state, section.id).length;
    // The input's value is set when the section's title changes, not on every redraw: what is typed stays.
    return html`<li class="amphi-list__item amphi-section-row" data-section-row=${section.id}>
      <div class="fr-input-group fr-mb-0">
        <label class="fr-label" for=${id}>${t('board.sections.label', { number: index + 1 })}${section.locked ? html`<span class="fr-hint-text">${t('board.section.locked')}</span>` : nothing}</label>
        <input class="fr-input" id=${id} maxlength=${SECTION_TITLE_MAX} .value=${section.title} autocomplete="off">
      </div>
      <div class="amphi-buttons">
        <button type="button" class="fr-btn fr-btn--sm fr-btn--secondary" data-focus="section-rename"
          aria-label=${t('board.sections.renameLabel', { name })} @click=${rename}>${t('board.sections.rename')}</button>
        <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left ${section.locked ? 'fr-icon-lock-unlock-line' : 'fr-icon-lock-line'}" data-focus="section-lock"
          aria-label=${t(section.locked ? 'board.sections.unlockLabel' : 'board.sections.lockLabel', { name })}
          @click=${() => void send({ action: 'lock_section', section: section.id, locked: !section.locked })}>${t(section.locked ? 'board.sections.unlock' : 'board.sections.lock')}</button>
        <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-delete-line" data-focus="section-remove"
          aria-label=${t('board.sections.removeLabel', { name })} ?disabled=${postsHere > 0 || state.sections.length < 2}
          @click=${() => void send({ action: 'remove_section', section: section.id })}>${t('board.sections.remove')}</button>
      </div>
    </li>`;
  }

  // ---- a post of the trainer's own ----
  const uploads = uploadsFor(client, roomId, () => loadTrainerToken(app.store));
  const composer = postComposer({
    sections: [],
    submitLabel: 'board.form.submit',
    legend: t('board.form.legend'),
    uploads,
    submit: async (content, section) => {
      void send({ action: 'post', section: section ?? null, ...content });
      return true;
    },
  });
  const composePanel = h('details', { class: 'amphi-details fr-mt-3w', 'data-testid': 'compose' }, h('summary', {}, t('board.compose')), composer.root);

  const actions = cardActions(app, client, roomId, uploads, (section) => board.sectionHeading(section)?.focus());
  // A post copied to another of the trainer's boards (`POST …/copy`, answered once it is there).
  actions.copyTargets = async () => {
    const rooms = await listMyRooms(loadTrainerToken(app.store));
    return rooms.filter((r) => r.kind === 'board' && r.id !== roomId).map((r) => ({ id: r.id, title: r.title }));
  };
  actions.copy = async (post, to) => {
    try {
      await copyPost(loadTrainerToken(app.store), roomId, post.id, to.id);
      app.announce(t('board.copied', { board: to.title }));
      return true;
    } catch (e) {
      showAlert(errors, apiFailureText(e));
      return false;
    }
  };
  const board = boardView({ actions });

  const activityStatus = downloadStatus();
  activityStatus.dataset.testid = 'activity-download-status';
  const activityCsv = h('div', { class: 'fr-mb-2w' }, downloadButton(app, {
    label: t('board.activity.csv'), testId: 'download-activity-csv',
    fetch: (token) => fetchBoardActivityCsv(token, roomId, lang() === 'fr' ? 'fr' : 'en', fetch),
  }, activityStatus), activityStatus);
  const activity = boardActivityPanel(roomId, () => client.bearerToken ?? loadTrainerToken(app.store), fetch, activityCsv);
  const badges = badgesPanel(app, roomId, 'board', () => client.room(roomId)?.info.title ?? '');
  const members = membersPanel(client, roomId);
  const membersPanelRoot = h('details', { class: 'amphi-details fr-mt-3w', 'data-testid': 'members-panel' },
    h('summary', {}, t('trainer.members')), members.summary, members.list);
  // ---- exports, import ----
  const status = downloadStatus();
  const exportFile = (file: 'export.csv' | 'export.zip', label: string) => downloadButton(app, {
    label, testId: `download-${file.replace('.', '-')}`, fetch: (token) => fetchBoardExport(token, roomId, file, fetch, lang() === 'fr' ? 'fr' : 'en'),
  }, status);
  const exports = h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'downloads-title', 'data-testid': 'downloads' },
    h('h2', { id: 'downloads-title', class: 'fr-h4' }, t('board.exports.title')),
    h('p', { class: 'fr-text--sm' }, t('board.exports.hint')),
    h('div', { class: 'amphi-buttons' }, exportFile('export.csv', t('board.exports.csv')), exportFile('export.zip', t('board.exports.zip'))),
    status,
    h('div', { class: 'amphi-panel fr-mt-3w' }, boardImportForm(app, () => loadTrainerToken(app.store))));

  const leaveButton = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--tertiary fr-btn--icon-left fr-icon-logout-box-r-line',
    onclick: () => void app.leave(roomId),
  }, t('lobby.leave'));

  const root = h('div', { class: 'amphi-lobby amphi-board-trainer' },
    h('div', { class: 'amphi-titlebar' }, title, h('div', { class: 'amphi-buttons' }, screen.button, next.button)),
    screen.status,
    next.status,
    h('div', { class: 'amphi-statusbar' }, badge.root),
    errors,
    queue.root,
    h('div', { class: 'fr-grid-row fr-grid-row--gutters fr-mt-1w' },
      h('div', { class: 'fr-col-12 fr-col-md-4' }, code.root),
      h('div', { class: 'fr-col-12 fr-col-md-8' }, controls)),
    membersPanelRoot,
    sectionsPanel,
    composePanel,
    embed.root,
    courseRosterPanel(app, roomId, { ateliers: false }),
    activity.root,
    h('h2', { class: 'fr-h4 fr-mt-4w', id: 'board-posts-title' }, t('board.console.board')),
    board.root,
    exports,
    badges.root,
    h('div', { class: 'fr-mt-6w' }, leaveButton));

  let shown: BoardState | undefined;
  let shownDeadline: number | null | undefined;
  const announcer = boardAnnouncer(app, () => client.me?.id, true);
  const deadline = deadlineWatch(() => update());

  function update(): void {
    const room = client.room(roomId);
    const state = room?.board;
    shown = state;
    title.textContent = state?.title || room?.info.title || '';
    code.update(room?.info.join_code ?? '');
    embed.update(room?.info.join_code ?? '', title.textContent);
    const now = client.serverNow();
    info.update(state, now);
    deadline.set(state?.settings.deadline);
    queue.update(state);
    members.update();
    if (!state) return;
    const waiting = waitingCounts(state);
    counts.textContent = t('board.console.counts', {
      posts: Object.keys(state.posts).length, pending: waiting.pending, unrevealed: waiting.unrevealed, hidden: waiting.hidden,
    });
    if (document.activeElement !== modeSelect) modeSelect.value = state.settings.mode;
    settingsPanel.update(state);
    copyingInput.checked = Boolean(state.settings.copying);
    revealButton.textContent = t('board.console.reveal', { count: waiting.unrevealed });
    revealButton.hidden = state.settings.mode !== 'reveal_later' && waiting.unrevealed === 0;
    const at = state.settings.deadline ?? null;
    if (at !== shownDeadline) {
      shownDeadline = at;
      deadlineInput.value = at ? toLocalInput(at) : '';
    }
    deadlineClear.hidden = at === null;
    for (const id of [...inputIds.keys()]) if (!state.sections.some((s) => s.id === id)) inputIds.delete(id);
    // A removed section's focused button: the focus goes to the panel's summary.
    renderKeepingFocus(html`<ol class="amphi-list" data-testid="sections">${repeat(state.sections, (s) => s.id, (s, i) => sectionRow(s, i, state))}</ol>`,
      sectionsSlot, () => sectionsSummary);
    composer.setSections(state.settings.layout === 'wall' ? state.sections.slice(0, 1) : state.sections);
    composer.setVideoHosts(state.videoHosts);
    board.update({ state, me: client.me?.id, role: client.me?.role ?? 'trainer', now, pending: client.pendingBoard(roomId), status: client.status });
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw(event) {
      if (event?.event.kind === 'board') announcer.event(event.event.event, shown);
      update();
    },
    refused: (n) => (n.error.code === 'conflict' || postRefusedInForm(composer, n, roomId) ? null : boardErrorText(n.error.code, n.command)),
  });
  update();
  return {
    root,
    dispose() {
      off();
      badges.dispose();
      activity.dispose();
      announcer.dispose();
      deadline.dispose();
    },
  };
}

