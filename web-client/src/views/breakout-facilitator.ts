// The facilitator's ateliers console: join code, link and QR code, a
// projector window (observer token) and a projector mode of the console
// itself (ateliers with their timers and the published productions, large);
// the session's status; the participants with the atelier of each (chosen
// by hand, then "Affecter") and "Répartir" (the mode's distribution);
// open / extend / close every atelier or one, "Tout le monde en plénière"
// (close, then unassign everyone, paced under the rate limit); a broadcast to every atelier or to one;
// the help calls (answer, close); each atelier's card (state, members,
// countdown, production with "publish to the plenary", video link) and
// "publish all"; the recordings of the video rooms per atelier (asked of the
// server, which asks BigBlueButton), each shown to the plenary or withdrawn,
// and deleting the session's recordings; the downloads (participation.json,
// attendance.csv).
// Events that matter are read out (help calls, productions, closings).

import type { App, View } from '../app';
import { deleteRecordings, fetchParticipation, fetchRecordings, retryVideo, type SessionRecording } from '../breakout-api';
import { BROADCAST_MAX, EXTEND_CHOICES_S, LINK_MAX, minutesOf, warningText } from '../breakout-format';
import type { BreakoutEvent, HelpCall, VideoProblem } from '../breakout-protocol';
import { atelierName, atelierOf, stateCounts, type BreakoutState } from '../breakout-state';
import { isWebLink } from '../board-format';
import { uploadBoardFile } from '../board-api';
import type { AmphiClient } from '../client';
import { h } from '../dom';
import { errorText, formatTime, lang, t, type MessageKey, tn } from '../i18n';
import type { RoomId } from '../protocol';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { breakoutErrorText, broadcastsList, countdowns, MODE_LABEL, plenaryTemplate, productionBlock, recordingLink, recordingMeta, renderKeepingFocus, sendBreakout, stateBadge, STATUS_LABEL } from './breakout-common';
import { connectionBadge, showAlert, watchRoom } from './common';
import { badgesPanel } from './badge-panel';
import { downloadButton, downloadStatus } from './downloads';
import { ApiError, fetchSessionFile } from '../api';
import { loadTrainerToken } from '../session';
import { courseRosterPanel } from './course-roster';
import { fullscreenButton, setProjectorMode } from './projector';
import { joinCodePanel, nextSessionButton, projectorWindowButton } from './room-code';
import { lockSwitch, removable, removeMember } from './room-guard';
import { renderRoster, type RosterActions } from './breakout-roster';

/** Between two `unassign` of "everyone back to the plenary": 16 per second. */
const UNASSIGN_PACE_MS = 60;

export function renderBreakoutFacilitator(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-mb-1w' });
  const badge = connectionBadge(client);
  const errors = h('div', { class: 'fr-mt-2w' });
  const screen = projectorWindowButton(app, roomId);
  const next = nextSessionButton(app, roomId);
  const code = joinCodePanel('amphi-quiz-code', lockSwitch(client, roomId));
  const clock = countdowns(() => client.serverNow());
  const state = () => client.room(roomId)?.breakout;
  const send = (command: Parameters<typeof sendBreakout>[2]) => {
    errors.replaceChildren();
    return sendBreakout(client, roomId, command);
  };

  // ---- status and the session's controls ----
  const statusLine = h('p', { class: 'fr-mb-1w', 'data-testid': 'session-status' });
  const modeLine = h('p', { class: 'fr-text--sm fr-mb-1w', 'data-testid': 'session-mode' });
  const countsLine = h('p', { class: 'fr-text--sm', 'data-testid': 'session-counts' });
  const distribute = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'distribute' }, t('breakout.console.distribute'));
  distribute.addEventListener('click', () => void send({ action: 'distribute' }));
  const openAll = h('button', { type: 'button', class: 'fr-btn fr-btn--icon-left fr-icon-timer-line', 'data-testid': 'open-all' }, t('breakout.console.openAll'));
  openAll.addEventListener('click', () => void send({ action: 'open' }));
  const extendSelect = h('select', { class: 'fr-select', id: 'extend-all-select', 'data-testid': 'extend-select' },
    ...EXTEND_CHOICES_S.map((s) => h('option', { value: String(s) }, t('breakout.console.minutes', { minutes: minutesOf(s) }))));
  extendSelect.value = '300';
  const extendAll = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'extend-all' }, t('breakout.console.extendAll'));
  extendAll.addEventListener('click', () => void send({ action: 'extend', seconds: Number(extendSelect.value) }));
  const closeAll = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-close-circle-line', 'data-testid': 'close-all' }, t('breakout.console.closeAll'));
  closeAll.addEventListener('click', () => void send({ action: 'close' }));
  const backAll = h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--icon-left fr-icon-arrow-go-back-line', 'data-testid': 'back-to-plenary' }, t('breakout.console.backToPlenary'));
  backAll.addEventListener('click', () => {
    const s = state();
    if (!s || !window.confirm(t('breakout.console.confirmBack'))) return;
    if (stateCounts(s).open > 0) void send({ action: 'close' });
    void unassignAll(s.ateliers.flatMap((a) => a.members));
  });
  // One `unassign` per member, paced under the server's command rate limit
  // (20 per second by default), so that a large session is not refused.
  const unassignAll = async (members: string[]): Promise<void> => {
    for (const member of members) {
      void send({ action: 'unassign', member });
      await new Promise((resolve) => setTimeout(resolve, UNASSIGN_PACE_MS));
    }
  };
  const controls = h('section', { class: 'amphi-panel', 'aria-labelledby': 'breakout-controls-title', 'data-testid': 'breakout-controls' },
    h('h2', { id: 'breakout-controls-title', class: 'fr-h5' }, t('breakout.console.controls')),
    statusLine, modeLine, countsLine,
    h('div', { class: 'amphi-buttons' }, distribute, openAll, closeAll),
    h('div', { class: 'fr-select-group fr-mt-2w' },
      h('label', { class: 'fr-label', for: 'extend-all-select' }, t('breakout.console.extendBy')),
      h('div', { class: 'amphi-inline-form' }, extendSelect, extendAll)),
    h('p', { class: 'fr-mt-2w fr-mb-0' }, backAll));

  // ---- broadcast ----
  const broadcastText = h('textarea', { class: 'fr-input', id: 'broadcast-text', rows: 2, maxlength: BROADCAST_MAX, 'aria-describedby': 'broadcast-hint', 'data-testid': 'broadcast-text' });
  const broadcastTarget = h('select', { class: 'fr-select', id: 'broadcast-target', 'data-testid': 'broadcast-target' });
  const broadcastForm = h('form', { novalidate: true, class: 'amphi-panel fr-mt-3w', 'aria-labelledby': 'broadcast-title', 'data-testid': 'broadcast-form' },
    h('h2', { id: 'broadcast-title', class: 'fr-h5' }, t('breakout.broadcast.title')),
    h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'broadcast-target' }, t('breakout.broadcast.target')), broadcastTarget),
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: 'broadcast-text' }, t('breakout.broadcast.text'),
        h('span', { class: 'fr-hint-text', id: 'broadcast-hint' }, t('breakout.broadcast.hint', { max: BROADCAST_MAX }))),
      broadcastText),
    h('button', { type: 'submit', class: 'fr-btn fr-btn--icon-left fr-icon-megaphone-line', 'data-testid': 'broadcast-send' }, t('breakout.broadcast.send')));
  broadcastForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = broadcastText.value.trim();
    if (!text) {
      showAlert(errors, t('breakout.broadcast.empty'));
      broadcastText.focus();
      return;
    }
    broadcastText.value = '';
    const atelier = broadcastTarget.value || undefined;
    void send({ action: 'broadcast', text, ...(atelier ? { atelier } : {}) });
    app.announce(t('breakout.broadcast.sent'));
  });

  // ---- help calls ----
  const callsHeading = h('h2', { id: 'calls-title', class: 'fr-h4', tabindex: '-1' }, t('breakout.calls.title'));
  const calls = h('div');
  const callItem = (call: HelpCall, s: BreakoutState) => html`<li class="amphi-list__item amphi-call" data-testid="help-call">
    <div>
      <p class="amphi-list__name fr-mb-0">${t('breakout.calls.who', { name: call.name, atelier: atelierName(s, call.atelier) })}</p>
      ${call.text ? html`<p class="fr-mb-0 amphi-call__text">${call.text}</p>` : nothing}
      <p class="fr-text--sm fr-mb-0 amphi-muted" data-testid="help-call-state">${formatTime(call.at)} · ${call.state === 'taken' ? t('breakout.calls.takenBy', { name: call.by_name ?? '' }) : t('breakout.calls.waiting')}</p>
    </div>
    <div class="amphi-buttons">
      <button type="button" class="fr-btn fr-btn--sm" data-focus=${`take-${call.id}`} aria-label=${t('breakout.calls.takeLabel', { name: call.name })}
        ?disabled=${call.state === 'taken' && call.by === client.me?.id} @click=${() => void send({ action: 'take_call', call: call.id })}>${t('breakout.calls.take')}</button>
      <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" data-focus=${`resolve-${call.id}`} aria-label=${t('breakout.calls.resolveLabel', { name: call.name })}
        @click=${() => {
          callsHeading.focus(); // the row is about to go
          void send({ action: 'resolve_call', call: call.id });
        }}>${t('breakout.calls.resolve')}</button>
    </div>
  </li>`;
  const callsSection = h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'calls-title', 'data-testid': 'calls' }, callsHeading, calls);

  // ---- participants ----
  const participantsHeading = h('h2', { id: 'participants-title', class: 'fr-h4', tabindex: '-1' }, t('breakout.participants.title'));
  const participants = h('div');
  const rosterActions: RosterActions = {
    assign(m, atelier) {
      const s = state();
      if (!s || atelier === (atelierOf(s, m.id) ?? '')) return;
      void send(atelier ? { action: 'assign', member: m.id, atelier } : { action: 'unassign', member: m.id });
    },
    remove: (m, button) => void removeMember(client, roomId, m, button),
  };
  const participantsSection = h('section', { class: 'fr-mt-4w amphi-trainer-only', 'aria-labelledby': 'participants-title', 'data-testid': 'participants' },
    participantsHeading, participants);

  // ---- ateliers ----
  const ateliersHeading = h('h2', { id: 'ateliers-title', class: 'fr-h4', tabindex: '-1' }, t('breakout.ateliers.title'));
  const ateliers = h('div');
  const publishAll = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-send-plane-line', 'data-testid': 'publish-all' }, t('breakout.console.publishAll'));
  publishAll.addEventListener('click', () => void send({ action: 'publish' }));
  const names = (ids: readonly string[]) => {
    const members = client.room(roomId)?.members ?? [];
    return ids.map((id) => members.find((m) => m.id === id)?.name ?? t('breakout.participants.unknown')).sort((a, b) => a.localeCompare(b));
  };
  /**
   * Each atelier's own inputs (its video room's address, the document to
   * add) live as long as the console: the cards are redrawn as presence and
   * state change, and what the trainer was typing or had chosen stays.
   */
  const atelierInputs = new Map<string, ReturnType<typeof makeInputs>>();
  const shownUrl = new Map<string, string>();
  const planOf = (id: string) => state()?.plan?.ateliers.find((a) => a.id === id);
  function makeInputs(atelier: string) {
    const videoId = `video-${atelier}`;
    const video = h('input', { class: 'fr-input', id: videoId, type: 'url', maxlength: String(LINK_MAX), autocomplete: 'off', 'data-focus': `video-input-${atelier}` });
    const videoSet = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', 'data-focus': `video-set-${atelier}` }, t('breakout.atelier.videoSet'));
    videoSet.addEventListener('click', () => {
      const url = video.value.trim();
      if (url && !isWebLink(url) && url !== planOf(atelier)?.video_url) {
        showAlert(errors, t('breakout.atelier.videoInvalid'));
        video.focus();
        return;
      }
      void send({ action: 'set_video', atelier, ...(url ? { url } : {}) });
    });
    const fileId = `file-${atelier}`;
    const fileInput = h('input', { class: 'fr-upload', type: 'file', id: fileId, 'data-focus': `file-input-${atelier}`, 'data-testid': 'add-file-input' }) as HTMLInputElement;
    const addFile = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', 'data-focus': `file-add-${atelier}`, 'data-testid': 'add-file' }, t('breakout.files.add'));
    addFile.addEventListener('click', async () => {
      const chosen = fileInput.files?.[0];
      if (!chosen) {
        showAlert(errors, t('breakout.files.none'));
        fileInput.focus();
        return;
      }
      filesStatus.textContent = t('breakout.files.uploading');
      try {
        const uploaded = await uploadBoardFile(loadTrainerToken(app.store) ?? client.bearerToken ?? '', roomId, chosen, chosen.name);
        void send({ action: 'add_file', atelier, file: { blob: uploaded.blob, name: chosen.name } });
        fileInput.value = '';
      } catch (e) {
        const code = e instanceof ApiError ? e.code : 'network';
        filesStatus.textContent = code === 'network' ? t('home.unreachable') : errorText(code);
      }
    });
    return { video, videoSet, fileInput, addFile, videoId, fileId };
  }
  const inputsOf = (atelier: string) => {
    let inputs = atelierInputs.get(atelier);
    if (!inputs) atelierInputs.set(atelier, (inputs = makeInputs(atelier)));
    return inputs;
  };
  /** The "why no video room" block of each atelier, kept while its problem stays the same (its "Réessayer" and status with it). */
  const problems = new Map<string, { key: string; el: HTMLElement }>();
  const problemOf = (name: string, atelier: string, problem: VideoProblem): HTMLElement => {
    const key = `${name}\u0000${problem.code}\u0000${problem.retrying}\u0000${problem.detail ?? ''}`;
    const kept = problems.get(atelier);
    if (kept?.key === key) return kept.el;
    const el = videoProblemBlock(name, atelier, problem);
    problems.set(atelier, { key, el });
    return el;
  };
  interface CardButton { focus: string; label: string; aria: string; cls: string; disabled?: boolean; run(): void }
  const atelierCard = (s: BreakoutState, plan: NonNullable<BreakoutState['plan']>['ateliers'][number]): TemplateResult => {
    const status = s.ateliers.find((a) => a.id === plan.id) ?? { id: plan.id, state: 'pending' as const, members: [], present: 0 };
    const production = s.productions.find((p) => p.atelier === plan.id);
    const published = s.published.find((p) => p.atelier === plan.id);
    const headingId = `atelier-title-${plan.id}`;
    const buttons: CardButton[] = [];
    const button = (focus: string, label: string, aria: string, cls: string, run: () => void, disabled = false) =>
      buttons.push({ focus, label, aria, cls, run, disabled });
    if (status.state !== 'open') {
      button('open-one', t('breakout.atelier.open'), t('breakout.atelier.openLabel', { name: plan.name }), '', () => void send({ action: 'open', ateliers: [plan.id] }));
    } else {
      button('extend-one', t('breakout.atelier.extend', { minutes: 5 }), t('breakout.atelier.extendLabel', { name: plan.name, minutes: 5 }), 'fr-btn--secondary',
        () => void send({ action: 'extend', seconds: 300, atelier: plan.id }));
      button('close-one', t('breakout.atelier.close'), t('breakout.atelier.closeLabel', { name: plan.name }), 'fr-btn--tertiary',
        () => void send({ action: 'close', atelier: plan.id }));
    }
    if (production) {
      const current = Boolean(published && published.version === production.version);
      button('publish-one', t(current ? 'breakout.atelier.published' : 'breakout.atelier.publish'), t(current ? 'breakout.atelier.publishedLabel' : 'breakout.atelier.publishLabel', { name: plan.name }), 'fr-btn--secondary',
        () => void send({ action: 'publish', atelier: plan.id }), current);
    }
    if (published) {
      button('unpublish-one', t('breakout.atelier.unpublish'), t('breakout.atelier.unpublishLabel', { name: plan.name }), 'fr-btn--tertiary',
        () => void send({ action: 'unpublish', atelier: plan.id }));
    }
    const { video, videoSet, fileInput, addFile, videoId, fileId } = inputsOf(plan.id);
    // The server's address once it changes; until then, what the trainer may be typing.
    const url = plan.video_url ?? '';
    if (shownUrl.get(plan.id) !== url) {
      shownUrl.set(plan.id, url);
      video.value = url;
    }
    videoSet.setAttribute('aria-label', t('breakout.atelier.videoSetLabel', { name: plan.name }));
    addFile.setAttribute('aria-label', t('breakout.files.addLabel', { name: plan.name }));
    const members = names(status.members);
    const problem = plan.video_problem && !plan.video_url ? problemOf(plan.name, plan.id, plan.video_problem) : nothing;
    return html`<li class="amphi-atelier-card" data-card=${plan.id} data-testid="atelier-card" data-atelier=${plan.id}>
      <article class="amphi-panel" aria-labelledby=${headingId}>
        <div class="amphi-atelier-card__head">
          <h3 id=${headingId} class="fr-h5 fr-mb-0" tabindex="-1" data-card-heading>${plan.name}</h3>
          ${stateBadge(status.state)}
        </div>
        ${clock.element(status.state === 'open' ? status.ends_at : undefined, t('breakout.timeLeftIn', { name: plan.name }), plan.id)}
        <p class="fr-text--sm fr-mb-1w" data-testid="atelier-members">${status.members.length === 0 ? t('breakout.atelier.membersNone') : tn('breakout.atelier.members', status.members.length, { present: status.present })}${plan.capacity ? ` · ${t('breakout.atelier.capacity', { capacity: plan.capacity })}` : ''}${` · ${t('breakout.console.minutes', { minutes: minutesOf(plan.duration_s) })}`}</p>
        ${members.length ? html`<p class="fr-text--sm fr-mb-1w amphi-trainer-only">${members.join(', ')}</p>` : nothing}
        <div class="amphi-buttons amphi-trainer-only">${repeat(buttons, (b) => b.focus, (b) => html`<button type="button" class="fr-btn fr-btn--sm ${b.cls}"
          data-focus=${`${b.focus}-${plan.id}`} aria-label=${b.aria} data-testid=${b.focus} ?disabled=${b.disabled} @click=${b.run}>${b.label}</button>`)}</div>
        ${production ? html`<div class="fr-mt-2w"><h4 class="fr-text--md fr-mb-1w">${t('breakout.atelier.production')}</h4>${productionBlock(production)}</div>` : nothing}
        <div class="fr-input-group fr-mt-2w fr-mb-0 amphi-trainer-only">
          <label class="fr-label" for=${videoId}>${t('breakout.atelier.video')}<span class="fr-hint-text">${t('breakout.atelier.videoHint')}</span></label>
          <div class="amphi-inline-form">${video}${videoSet}</div>
        </div>
        <div class="fr-upload-group fr-mt-2w amphi-trainer-only">
          <label class="fr-label" for=${fileId}>${t('breakout.files.choose', { name: plan.name })}<span class="fr-hint-text">${t('breakout.files.count', { count: plan.files?.length ?? 0 })}</span></label>
          <div class="amphi-inline-form">${fileInput}${addFile}</div>
        </div>
        ${problem}
      </article>
    </li>`;
  };

  /** Why the atelier has no video room, and "Réessayer maintenant" once the server has stopped trying. */
  function videoProblemBlock(name: string, atelier: string, problem: VideoProblem): HTMLElement {
    const reasonKey = `breakout.video.reason.${problem.code}` as MessageKey;
    const reason = t(reasonKey) === reasonKey ? t('breakout.video.reason.invalid_answer') : t(reasonKey);
    const text = t(problem.retrying ? 'breakout.video.problemRetrying' : 'breakout.video.problem', { name, reason });
    const status = h('p', { class: 'fr-text--sm fr-mb-0', role: 'status' });
    const retry = problem.retrying ? null : h('button', {
      type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w', 'data-testid': 'video-retry',
      'data-focus': `video-retry-${atelier}`, 'aria-label': t('breakout.video.retryLabel', { name }),
    }, t('breakout.video.retry'));
    retry?.addEventListener('click', async () => {
      const token = loadTrainerToken(app.store) ?? client.bearerToken ?? '';
      retry.disabled = true;
      try {
        await retryVideo(token, roomId, atelier);
        status.textContent = t('breakout.video.retrying');
      } catch (e) {
        retry.disabled = false;
        const code = e instanceof ApiError ? e.code : 'network';
        status.textContent = code === 'network' ? t('home.unreachable') : errorText(code);
      }
    });
    return h('div', { class: 'fr-alert fr-alert--warning fr-alert--sm fr-mt-2w amphi-trainer-only', 'data-testid': 'video-problem', title: problem.detail },
      h('p', {}, text), retry, status);
  }
  const filesStatus = h('p', { class: 'fr-text--sm amphi-trainer-only', role: 'status', 'data-testid': 'files-status' });
  const ateliersSection = h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'ateliers-title', 'data-testid': 'ateliers' },
    ateliersHeading, h('p', { class: 'amphi-trainer-only' }, publishAll), filesStatus, ateliers);

  // ---- plenary: what everyone sees ----
  const published = h('div');
  const publishedSection = h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'published-title' },
    h('h2', { id: 'published-title', class: 'fr-h4' }, t('breakout.published.title')), published);
  const sent = broadcastsList('sent-title', t('breakout.broadcasts.sent'));

  // ---- recordings of the video rooms ----
  const recordingsHeading = h('h2', { id: 'recordings-title', class: 'fr-h4', tabindex: '-1' }, t('breakout.recordings.title'));
  const recordingsList = h('div');
  const recordingsStatus = h('p', { class: 'fr-text--sm', role: 'status', 'data-testid': 'recordings-status' });
  const refreshRecordings = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-refresh-line',
    'aria-label': t('breakout.recordings.refreshLabel'), 'data-testid': 'recordings-refresh' }, t('breakout.recordings.refresh'));
  const deleteAll = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-delete-line',
    'data-testid': 'recordings-delete' }, t('breakout.recordings.deleteAll'));
  const recordingsSection = h('section', { class: 'fr-mt-4w amphi-trainer-only', 'aria-labelledby': 'recordings-title', 'data-testid': 'recordings', hidden: true },
    recordingsHeading,
    h('p', { class: 'fr-text--sm' }, t('breakout.recordings.hint')),
    h('div', { class: 'amphi-buttons' }, refreshRecordings, deleteAll),
    recordingsStatus, recordingsList);
  let recordings: SessionRecording[] = [];
  const apiToken = () => loadTrainerToken(app.store) ?? client.bearerToken ?? '';
  const apiError = (e: unknown) => {
    const code = e instanceof ApiError ? e.code : 'network';
    return code === 'network' ? t('home.unreachable') : errorText(code);
  };
  const loadRecordings = async (): Promise<void> => {
    refreshRecordings.disabled = true;
    recordingsStatus.textContent = t('breakout.recordings.loading');
    try {
      const listed = await fetchRecordings(apiToken(), roomId);
      recordings = listed.recordings;
      recordingsSection.hidden = false;
      recordingsStatus.textContent = t(listed.refreshed ? 'breakout.recordings.upToDate' : 'breakout.recordings.stale');
    } catch (e) {
      // No BigBlueButton configured: nothing to show.
      if (e instanceof ApiError && e.status === 404) recordingsSection.hidden = true;
      else recordingsStatus.textContent = apiError(e);
    } finally {
      refreshRecordings.disabled = false;
      update();
    }
  };
  refreshRecordings.addEventListener('click', () => void loadRecordings());
  deleteAll.addEventListener('click', async () => {
    if (!window.confirm(t('breakout.recordings.confirmDelete'))) return;
    deleteAll.disabled = true;
    try {
      const count = await deleteRecordings(apiToken(), roomId);
      for (const r of state()?.recordings ?? []) void send({ action: 'unpublish_recording', record_id: r.record_id });
      recordings = [];
      recordingsStatus.textContent = t('breakout.recordings.deleted', { count });
      recordingsHeading.focus();
    } catch (e) {
      recordingsStatus.textContent = apiError(e);
    } finally {
      update();
    }
  });
  const recordingItem = (r: SessionRecording, s: BreakoutState) => {
    const atelier = r.atelier ? atelierName(s, r.atelier) : t('breakout.recordings.session');
    const name = r.started_at > 0 ? `${atelier} ${formatTime(r.started_at)}` : atelier;
    const shown = s.recordings.some((x) => x.record_id === r.record_id);
    const playable = r.playback_url !== '';
    return html`<li class="amphi-list__item" data-testid="recording" data-record=${r.record_id}>
      <div>
        <p class="fr-mb-0">${playable ? recordingLink(r.playback_url, name) : name}</p>
        <p class="fr-text--sm fr-mb-0 amphi-muted">${playable ? recordingMeta(r.started_at, r.length_minutes) : t('breakout.recordings.processing')}</p>
      </div>
      ${playable ? html`<div class="amphi-buttons"><button type="button" class="fr-btn fr-btn--sm ${shown ? 'fr-btn--tertiary' : 'fr-btn--secondary'}"
        data-focus=${`recording-${r.record_id}`} data-testid=${shown ? 'recording-unpublish' : 'recording-publish'}
        aria-label=${t(shown ? 'breakout.recordings.unpublishLabel' : 'breakout.recordings.publishLabel', { name })}
        @click=${() => void send({ action: shown ? 'unpublish_recording' : 'publish_recording', record_id: r.record_id })}>${t(shown ? 'breakout.recordings.unpublish' : 'breakout.recordings.publish')}</button></div>` : nothing}
    </li>`;
  };
  const renderRecordings = (s: BreakoutState) => {
    deleteAll.disabled = recordings.length === 0;
    const ids = [...(s.plan?.ateliers ?? []).map((a) => a.id), ''];
    const known = new Set(ids);
    const groups = ids
      .map((id) => ({ id, mine: recordings.filter((r) => r.atelier === id || (id === '' && !known.has(r.atelier))) }))
      .filter((g) => g.mine.length > 0);
    renderKeepingFocus(recordings.length
      ? repeat(groups, (g) => g.id, (g) => {
        const headingId = `recordings-${g.id || 'session'}`;
        return html`<div class="fr-mt-2w" data-testid="recordings-atelier" data-atelier=${g.id}>
          <h3 id=${headingId} class="fr-h6 fr-mb-1w">${g.id ? atelierName(s, g.id) : t('breakout.recordings.session')}</h3>
          <ul class="amphi-list" aria-labelledby=${headingId}>${repeat(g.mine, (r) => r.record_id, (r) => recordingItem(r, s))}</ul>
        </div>`;
      })
      : html`<p class="fr-text--sm amphi-muted" data-testid="recordings-none">${t('breakout.recordings.none')}</p>`, recordingsList, () => recordingsHeading);
  };

  // ---- downloads, badges ----
  const badges = badgesPanel(app, roomId, 'breakout', () => client.room(roomId)?.info.title ?? '');
  const dlStatus = downloadStatus();
  const downloads = h('section', { class: 'fr-mt-4w amphi-trainer-only', 'aria-labelledby': 'downloads-title', 'data-testid': 'downloads' },
    h('h2', { id: 'downloads-title', class: 'fr-h4' }, t('downloads.title')),
    h('p', { class: 'fr-text--sm' }, t('breakout.downloads.hint')),
    h('div', { class: 'amphi-buttons' },
      downloadButton(app, { label: t('breakout.downloads.participation'), testId: 'download-participation-json', fetch: (token) => fetchParticipation(token, roomId) }, dlStatus),
      downloadButton(app, { label: t('downloads.attendanceCsv'), testId: 'download-attendance-csv', fetch: (token) => fetchSessionFile(token, roomId, 'attendance.csv', fetch, lang() === 'fr' ? 'fr' : 'en') }, dlStatus)),
    dlStatus);

  // ---- projector mode of the console ----
  const projectorToggle = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary', 'aria-pressed': 'false', 'data-testid': 'projector-mode' }, t('breakout.console.projectorMode'));
  const fullscreen = fullscreenButton();
  fullscreen.show(false);
  const leaveButton = h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--icon-left fr-icon-logout-box-r-line', onclick: () => void app.leave(roomId) }, t('lobby.leave'));

  const root = h('div', { class: 'amphi-lobby amphi-breakout-console' },
    h('div', { class: 'amphi-titlebar' }, title, h('div', { class: 'amphi-buttons' }, fullscreen.button, projectorToggle, screen.button, next.button)),
    screen.status,
    next.status,
    h('div', { class: 'amphi-statusbar amphi-trainer-only' }, badge.root),
    errors,
    h('div', { class: 'fr-grid-row fr-grid-row--gutters fr-mt-1w' },
      h('div', { class: 'fr-col-12 fr-col-md-4' }, code.root),
      h('div', { class: 'fr-col-12 fr-col-md-8 amphi-trainer-only' }, controls)),
    h('div', { class: 'amphi-trainer-only' }, callsSection, broadcastForm),
    participantsSection,
    h('div', { class: 'amphi-trainer-only' }, courseRosterPanel(app, roomId, { ateliers: true })),
    ateliersSection,
    publishedSection,
    recordingsSection,
    h('div', { class: 'amphi-trainer-only' }, sent.root),
    downloads,
    badges.root,
    h('div', { class: 'fr-mt-6w amphi-trainer-only' }, leaveButton));

  projectorToggle.addEventListener('click', () => {
    const on = !root.classList.contains('amphi-projector');
    setProjectorMode(root, on);
    fullscreen.show(on);
    projectorToggle.setAttribute('aria-pressed', String(on));
    projectorToggle.textContent = t(on ? 'breakout.console.projectorModeOff' : 'breakout.console.projectorMode');
  });

  function update(): void {
    const room = client.room(roomId);
    const s = room?.breakout;
    title.textContent = s?.title || room?.info.title || '';
    code.update(room?.info.join_code ?? '');
    if (!s || !s.plan) {
      statusLine.textContent = t('breakout.loading');
      return;
    }
    const counts = stateCounts(s);
    statusLine.replaceChildren(h('span', { class: 'fr-badge fr-badge--info fr-badge--no-icon' }, t(STATUS_LABEL[s.status])));
    modeLine.textContent = t('breakout.console.mode', { mode: t(MODE_LABEL[s.mode]) });
    const participantsHere = (room?.members ?? []).filter((m) => m.role === 'participant');
    const unassigned = participantsHere.filter((m) => !atelierOf(s, m.id));
    countsLine.textContent = t('breakout.console.counts', {
      open: counts.open, pending: counts.pending, closed: counts.closed, unassigned: unassigned.filter((m) => m.connected).length,
    });
    openAll.disabled = counts.open === s.ateliers.length;
    closeAll.disabled = extendAll.disabled = counts.open === 0;
    publishAll.disabled = s.productions.length === 0;

    // The options are kept (a chosen target stays chosen); a removed target falls back to everyone.
    render(html`<option value="">${t('breakout.broadcast.everyone')}</option>${repeat(s.plan.ateliers, (a) => a.id,
      (a) => html`<option value=${a.id}>${t('breakout.broadcast.toAtelier', { name: a.name })}</option>`)}`, broadcastTarget);

    renderKeepingFocus(s.calls.length
      ? html`<ol class="amphi-list" data-testid="help-calls">${repeat(s.calls, (c) => c.id, (c) => callItem(c, s))}</ol>`
      : html`<p class="fr-text--sm amphi-muted">${t('breakout.calls.none')}</p>`, calls, () => callsHeading);

    const sorted = [...participantsHere].sort((a, b) => a.name.localeCompare(b.name));
    const roster = sorted.map((m) => ({ member: m, atelier: atelierOf(s, m.id) ?? '', removable: removable(client, m) }));
    renderRoster(participants, roster, s.plan.ateliers, client.status === 'online', rosterActions);

    const plan = s.plan;
    renderKeepingFocus(html`<ul class="amphi-atelier-cards" data-testid="atelier-cards">${repeat(plan.ateliers, (a) => a.id, (a) => atelierCard(s, a))}</ul>`,
      ateliers, () => ateliersHeading);

    renderKeepingFocus(plenaryTemplate(s.published, s.recordings), published);
    renderRecordings(s);
    sent.update(s.broadcasts, (id) => atelierName(s, id));
  }

  function readOut(event: BreakoutEvent, before: BreakoutState | undefined): void {
    const s = state();
    if (!s) return;
    switch (event.kind) {
      case 'help_call':
        if (event.call.state === 'waiting' && !before?.calls.some((c) => c.id === event.call.id)) {
          app.announce(t('breakout.announce.call', { name: event.call.name, atelier: atelierName(s, event.call.atelier) }));
        }
        break;
      case 'production':
        app.announce(t('breakout.announce.production', { atelier: event.production.atelier_name }));
        break;
      case 'file_added': {
        const key = event.video ? (`breakout.files.${event.video}` as MessageKey) : 'breakout.files.added';
        filesStatus.textContent = t(key, { file: event.file.name, name: atelierName(s, event.atelier) });
        break;
      }
      case 'closed':
        app.announce(t(event.reason === 'deadline' ? 'breakout.announce.closedDeadline' : 'breakout.announce.closed', { name: atelierName(s, event.atelier) }));
        break;
      case 'opened':
        app.announce(t('breakout.announce.openedOne', { name: atelierName(s, event.atelier) }));
        break;
      case 'time_warning':
        app.announce(t('breakout.announce.warningIn', { name: atelierName(s, event.atelier), time: warningText(event.seconds) }));
        break;
      default:
        break;
    }
  }

  let shown: BreakoutState | undefined;
  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw(event) {
      if (event?.event.kind === 'breakout') readOut(event.event.event, shown);
      update();
      shown = state();
    },
    refused: (n) => (n.command ? breakoutErrorText(n.error.code, n.command) : errorText(n.error.code)),
  });
  update();
  shown = state();
  void loadRecordings();
  return {
    root,
    dispose() {
      off();
      badges.dispose();
      clock.dispose();
      fullscreen.dispose();
    },
  };
}
