// Trainer console of a quiz room (also fit for a projector): the big join
// code, link and QR code; the phase; the current question with its countdown
// to the server deadline (time warnings read out); the live distribution (or
// word cloud) and answered/connected counts; the buttons valid in the phase
// (one command in flight at a time) and "go to a question"; the "confidently
// wrong" view after a reveal; the leaderboard, the end summary, the
// self-paced progress grid; downloads (results, attendance); the
// participants, who can be removed from the quiz; the projector mode and a
// projector window of its own (observer token). The QR code, the question
// and the "go to a question" choice are drawn with lit-html: an update that
// changes nothing there leaves their nodes (and the trainer's choice) as they are.

import { PROJECTOR_PATH, type App, type View } from '../app';
import { ApiError, observerToken } from '../api';
import { loadTrainerToken } from '../session';
import type { AmphiClient } from '../client';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { h } from '../dom';
import { errorText, t, type MessageKey, tn } from '../i18n';
import type { MemberView, RoomId } from '../protocol';
import type { LeaderboardEntry, QuizAction, QuizCommand, QuizEvent } from '../quiz-protocol';
import { canJump, choiceLetter, correctAnswerText, formatCountdown, formatNumber, leaderActions, liveWhileOpen, nextEnds, nextUnasked, phaseLabel, percent, rankText, remainingMs } from '../quiz-format';
import { phaseIndex, type QuizState } from '../quiz-state';
import { connectionBadge, watchRoom } from './common';
import { renderNewestNames, renderParticipantList, renderProgress, renderSummary } from './quiz-tables';
import { badgesPanel } from './badge-panel';
import { downloadsPanel } from './downloads';
import { countdown, distributionBlock, leaderboardList, questionHeading, questionPrompt } from './quiz-common';
import { qrSlot } from './qr-code';
import { courseRosterPanel } from './course-roster';
import { fullscreenButton, setProjectorMode } from './projector';
import { nextSessionButton } from './room-code';
import { lockSwitch } from './room-guard';
import { joinUrl, showJoinLink } from './trainer';

export const EXTEND_SECONDS = 30;
/** Most names listed on the lobby screen; the others are counted ("+12 autres"). */
export const LOBBY_NAMES_MAX = 20;

const ACTION_LABEL: Record<QuizAction, MessageKey> = {
  start: 'quiz.action.start',
  open_question: 'quiz.action.open_question',
  close_question: 'quiz.action.close_question',
  reveal: 'quiz.action.reveal',
  show_leaderboard: 'quiz.action.show_leaderboard',
  next: 'quiz.action.next',
  skip: 'quiz.action.skip',
  reopen: 'quiz.action.reopen',
  extend: 'quiz.action.extend',
  end: 'quiz.action.end',
  remove_participant: 'quiz.action.remove_participant',
  show_live_on_projector: 'quiz.action.show_live_on_projector',
  answer: 'quiz.action.answer',
  open_window: 'quiz.action.open_window',
  next_question: 'quiz.action.next_question',
  previous_question: 'quiz.action.previous_question',
};
/** The step forward of each phase: a primary button. */
const PRIMARY: ReadonlySet<QuizAction> = new Set(['start', 'open_window', 'reveal', 'next', 'show_leaderboard']);
const TOOLBAR: QuizAction[] = ['start', 'open_window', 'close_question', 'reveal', 'show_leaderboard', 'next', 'extend', 'reopen', 'skip', 'end'];

export function renderQuizTrainer(app: App, client: AmphiClient, roomId: RoomId, opts: { observer?: boolean } = {}): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-mb-1w' });
  const badge = connectionBadge(client);
  const errors = h('div', { class: 'fr-mt-2w' });

  const projector = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-slideshow-line',
    'aria-pressed': 'false',
    'data-testid': 'projector-toggle',
  }, t('quiz.projector'));

  // A second screen: a window of its own, signed in as the room's projector.
  const screenStatus = h('p', { class: 'fr-text--sm amphi-trainer-only', role: 'status' });
  const screen = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-external-link-line amphi-trainer-only',
    'data-testid': 'projector-window',
    onclick: () => void openProjectorWindow(),
  }, t('quiz.projectorWindow'));

  const next = nextSessionButton(app, roomId);
  next.button.classList.add('amphi-trainer-only');
  next.status.classList.add('amphi-trainer-only');
  const fullscreen = fullscreenButton();
  fullscreen.show(false);

  // ---- join code, link, QR code ----
  const code = h('p', { class: 'amphi-join-code', 'aria-hidden': 'true', 'data-testid': 'join-code' });
  const codeSpelled = h('p', { class: 'fr-sr-only' });
  const link = h('a', { class: 'fr-link amphi-join-link', 'data-testid': 'join-url' });
  const qr = qrSlot();
  const lock = lockSwitch(client, roomId);
  lock.root.classList.add('amphi-trainer-only');
  const codePanel = h('section', { class: 'amphi-panel amphi-code-panel amphi-quiz-code', 'aria-labelledby': 'code-title' },
    h('h2', { id: 'code-title', class: 'fr-text--md fr-mb-1w' }, t('trainer.joinCode')),
    code, codeSpelled,
    h('p', { class: 'fr-mb-1w fr-text--sm' }, t('trainer.joinUrl'), ' ', link),
    qr.root,
    lock.root);

  // ---- phase, counts, toolbar ----
  const phase = h('p', { class: 'fr-badge fr-badge--info fr-badge--no-icon fr-mb-1w', 'data-testid': 'quiz-phase' });
  const counts = h('p', { class: 'amphi-quiz-counts fr-mb-2w', 'data-testid': 'quiz-counts' });
  const buttons = new Map<QuizAction, HTMLButtonElement>();
  for (const action of TOOLBAR) {
    const button = h('button', {
      type: 'button',
      class: `fr-btn ${PRIMARY.has(action) ? '' : action === 'end' ? 'fr-btn--tertiary' : 'fr-btn--secondary'}`,
      'data-action': action,
      hidden: true,
    });
    button.addEventListener('click', () => void run(action));
    buttons.set(action, button);
  }
  const duration = h('input', { class: 'fr-input', id: 'window-minutes', type: 'number', min: '1', max: '10080', inputmode: 'numeric' });
  const durationGroup = h('div', { class: 'fr-input-group amphi-window-duration', hidden: true },
    h('label', { class: 'fr-label', for: 'window-minutes' }, t('quiz.windowMinutes'), h('span', { class: 'fr-hint-text' }, t('quiz.windowMinutesHint'))),
    duration);
  // Trainer-paced: open any question (not only the next one).
  const jumpSelect = h('select', { class: 'fr-select', id: 'jump-question', 'aria-describedby': 'jump-hint' });
  const jumpButton = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'jump-open' }, t('quiz.jumpOpen'));
  jumpButton.addEventListener('click', () => void send({ action: 'open_question', index: Number(jumpSelect.value) }));
  const jumpGroup = h('div', { class: 'fr-select-group amphi-jump', hidden: true },
    h('label', { class: 'fr-label', for: 'jump-question' }, t('quiz.jumpLabel'), h('span', { class: 'fr-hint-text', id: 'jump-hint' }, t('quiz.jumpHint'))),
    h('div', { class: 'amphi-jump__row' }, jumpSelect, jumpButton));
  const toolbar = h('div', { class: 'amphi-toolbar', role: 'group', 'aria-label': t('quiz.controls'), 'data-testid': 'quiz-controls' },
    ...TOOLBAR.map((a) => buttons.get(a)!));
  // The live histogram on the projector while a question is open (the room's setting, for every projector).
  const liveToggle = h('input', { type: 'checkbox', id: 'live-on-projector', 'aria-describedby': 'live-on-projector-hint', 'data-testid': 'live-toggle' });
  liveToggle.addEventListener('change', () => void send({ action: 'show_live_on_projector', on: liveToggle.checked }));
  const liveGroup = h('div', { class: 'fr-checkbox-group fr-mt-2w amphi-trainer-only', hidden: true }, liveToggle,
    h('label', { class: 'fr-label', for: 'live-on-projector' }, t('quiz.liveOnProjector'),
      h('span', { class: 'fr-hint-text', id: 'live-on-projector-hint' }, t('quiz.liveOnProjectorHint'))));

  // ---- question, distribution, reveal, leaderboard, summary ----
  const questionSlot = h('div');
  // Who joined, newest first, while waiting to start (named quizzes only).
  const lobbyNames = h('div');
  const arrivals = new Map<string, number>();
  const timer = countdown(() => client.serverNow(), (ms) => app.announce(tn('quiz.announce.secondsLeft', ms / 1000)));
  const distribution = h('div', { class: 'fr-mt-2w amphi-live-distribution' });
  const reveal = h('div', { 'data-testid': 'reveal' });
  const board = h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'board-title', hidden: true },
    h('h2', { id: 'board-title', class: 'fr-h4' }, t('quiz.leaderboard')));
  const boardList = h('div');
  board.append(boardList);
  // The summary by question is the trainer's: not on the projector's end screen.
  const summary = h('section', { class: 'fr-mt-4w amphi-trainer-only', 'aria-labelledby': 'summary-title', hidden: true, 'data-testid': 'summary' });
  const progress = h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'progress-title', hidden: true, 'data-testid': 'progress' });
  const quizPanel = h('section', { class: 'amphi-quiz-panel', 'aria-labelledby': 'quiz-title' },
    h('h2', { id: 'quiz-title', class: 'fr-sr-only' }, t('quiz.console')),
    phase, counts, durationGroup, toolbar, jumpGroup, liveGroup,
    h('div', { class: 'amphi-question fr-mt-3w' }, questionSlot, lobbyNames, timer.root, distribution, reveal),
    board, summary, progress);

  // ---- downloads ----
  const results = downloadsPanel(app, roomId, ['results.csv', 'results.json', 'attendance.csv'], 'quiz.resultsHint');

  // ---- participants ----
  const participantsSummary = h('summary', { class: 'amphi-summary' });
  const participantsList = h('div');
  const participants = h('details', { class: 'fr-mt-4w amphi-trainer-only amphi-details', 'data-testid': 'participants' },
    participantsSummary, participantsList);
  const removing = new Set<string>();

  const leaveButton = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--tertiary fr-btn--icon-left fr-icon-logout-box-r-line',
    onclick: () => void app.leave(roomId),
  }, t('lobby.leave'));

  // The awards follow the completions, written once the quiz ends.
  const badges = opts.observer ? null : badgesPanel(app, roomId, 'quiz', () => client.room(roomId)?.info.title ?? '');
  const root = h('div', { class: 'amphi-lobby amphi-quiz-trainer' },
    h('div', { class: 'amphi-titlebar' }, title, h('div', { class: 'amphi-buttons' }, fullscreen.button, projector, screen, next.button)),
    screenStatus,
    next.status,
    h('div', { class: 'amphi-statusbar' }, badge.root),
    errors,
    h('div', { class: 'fr-grid-row fr-grid-row--gutters fr-mt-1w amphi-quiz-layout' },
      h('div', { class: 'fr-col-12 fr-col-md-4 amphi-quiz-layout__code' }, codePanel),
      h('div', { class: 'fr-col-12 fr-col-md-8 amphi-quiz-layout__main' }, quizPanel)),
    h('div', { class: 'amphi-trainer-only' }, courseRosterPanel(app, roomId, { ateliers: false })),
    results,
    badges?.root,
    participants,
    h('div', { class: 'fr-mt-6w amphi-trainer-only' }, leaveButton));

  // Projector view: the whole width, large type, no controls (CSS), live
  // figures hidden while the question is open.
  const setProjector = (on: boolean) => {
    setProjectorMode(root, on);
    fullscreen.show(on);
    projector.setAttribute('aria-pressed', String(on));
  };
  if (opts.observer) {
    queueMicrotask(() => setProjector(true));
    projector.hidden = true;
    screen.hidden = true;
  }

  async function openProjectorWindow(): Promise<void> {
    const token = loadTrainerToken(app.store);
    if (!token) {
      screenStatus.textContent = t('quiz.noToken');
      return;
    }
    // Opened now, while the click still counts (popup blockers), pointed at the room once the token is there.
    const win = window.open('', '_blank');
    screenStatus.textContent = t('quiz.projectorOpening');
    try {
      const granted = await observerToken(token, roomId);
      const url = `${PROJECTOR_PATH}#${new URLSearchParams({ room: roomId, token: granted.token })}`;
      if (!win) {
        screenStatus.textContent = t('quiz.projectorBlocked');
        return;
      }
      win.opener = null;
      win.location.href = url;
      screenStatus.textContent = t('quiz.projectorOpened');
    } catch (e) {
      win?.close();
      const code = e instanceof ApiError ? e.code : 'network';
      screenStatus.textContent = code === 'network' ? t('home.unreachable') : errorText(code);
    }
  }
  projector.addEventListener('click', () => setProjector(!root.classList.contains('amphi-projector')));

  // ---- commands ----
  async function run(action: QuizAction): Promise<void> {
    const state = client.room(roomId)?.quiz;
    if (!state) return;
    if (action === 'end' && !window.confirm(t('quiz.confirmEnd'))) return;
    let command: QuizCommand;
    if (action === 'extend') command = { action, seconds: EXTEND_SECONDS };
    else if (action === 'start' && state.settings.mode === 'self_paced' && Number(duration.value) > 0) {
      command = { action: 'open_window', closes_at: Math.round(client.serverNow() + Number(duration.value) * 60_000) };
    } else if (action === 'open_window') command = { action };
    else command = { action } as QuizCommand;
    await send(command);
  }

  async function send(command: QuizCommand): Promise<void> {
    errors.replaceChildren();
    const pending = client.command({ type: 'quiz', room: roomId, command });
    update();
    await pending; // errors come as command_error notices
    update();
  }

  async function remove(member: MemberView): Promise<void> {
    if (!window.confirm(t('quiz.confirmRemove', { name: member.name }))) return;
    removing.add(member.id);
    update();
    await client.command({ type: 'quiz', room: roomId, command: { action: 'remove_participant', member: member.id } });
    removing.delete(member.id);
    update();
  }

  // ---- rendering ----
  function renderToolbar(state: QuizState): void {
    const valid = new Set(leaderActions(state));
    const busy = client.hasPendingQuiz(roomId) || client.status !== 'online';
    const focused = document.activeElement;
    let lostFocus = false;
    for (const [action, button] of buttons) {
      const show = valid.has(action);
      if (!show && focused === button) lostFocus = true;
      button.hidden = !show;
      button.disabled = busy;
      let label = t(ACTION_LABEL[action], { seconds: EXTEND_SECONDS });
      if (action === 'start' && state.settings.mode === 'self_paced') label = t('quiz.action.openWindow');
      if (action === 'next' && nextEnds(state)) label = t('quiz.action.nextEnds');
      button.textContent = label;
    }
    durationGroup.hidden = !(state.settings.mode === 'self_paced' && state.phase.state === 'lobby');
    liveGroup.hidden = state.settings.mode === 'self_paced' || state.phase.state === 'ended';
    liveToggle.disabled = busy;
    if (!client.hasPendingQuiz(roomId)) liveToggle.checked = state.settings.live_on_projector === true;
    renderJump(state, busy);
    if (lostFocus) {
      const first = [...buttons.values()].find((b) => !b.hidden);
      (first ?? phase).focus();
    }
  }

  /** What the choice of question was last set for: a question asked since moves it to the next one not asked. */
  let jumpFor: { count: number; asked: number[] } | undefined;
  function renderJump(state: QuizState, busy: boolean): void {
    jumpGroup.hidden = !canJump(state);
    jumpButton.disabled = busy;
    if (jumpGroup.hidden) return;
    const asked = Object.keys(state.seen).map(Number);
    const indices = Array.from({ length: state.questionCount }, (_, i) => i);
    // One option per question, updated in place: the trainer's choice stays.
    render(repeat(indices, (i) => i, (i) => {
      const prompt = state.seen[i]?.prompt;
      const label = t('quiz.questionShort', { number: i + 1 }) + (prompt ? ` — ${prompt}` : '') + (asked.includes(i) ? ` (${t('quiz.asked')})` : '');
      return html`<option value=${String(i)}>${label}</option>`;
    }), jumpSelect);
    const same = jumpFor && jumpFor.count === state.questionCount && jumpFor.asked.length === asked.length && jumpFor.asked.every((n, i) => n === asked[i]);
    if (same) return;
    jumpFor = { count: state.questionCount, asked };
    jumpSelect.value = String(nextUnasked(state.questionCount, asked, state.current?.question.index));
  }

  /** The question shown (heading, prompt, the choices for the room), or what the room waits for. */
  function questionTemplate(state: QuizState, showQuestion: boolean): TemplateResult {
    const current = state.current;
    if (!showQuestion || !current) {
      const waiting: Record<string, MessageKey> = {
        lobby: 'quiz.trainerLobby',
        scheduled: 'quiz.trainerScheduled',
        window: 'quiz.trainerWindow',
        ended: 'quiz.trainerEnded',
      };
      // What the room reads on the projector, where the trainer's own words would not fit.
      const forRoom: Record<string, MessageKey> = { lobby: 'quiz.projectorLobby', ended: 'quiz.projectorEnded' };
      const roomText = forRoom[state.phase.state];
      return html`<p class="fr-text--lg${roomText ? ' amphi-trainer-only' : ''}">${t(waiting[state.phase.state] ?? 'quiz.trainerLobby')}</p>${roomText
        ? html`<p class="fr-text--lg amphi-projector-only" data-testid="projector-text">${t(roomText)}</p>` : nothing}`;
    }
    const q = current.question;
    const choices = q.kind.type === 'single_choice' || q.kind.type === 'multiple_choice' ? q.kind.choices : [];
    // The choices, for the room to read on the projector while the live figures stay hidden.
    return html`${questionHeading(state, q)}${questionPrompt(q)}${choices.length
      ? html`<ul class="amphi-choices-preview" aria-hidden="true">${repeat(choices, (c) => c.id, (c, i) => html`<li>${choiceLetter(i)}. ${c.text}</li>`)}</ul>`
      : nothing}`;
  }

  function renderQuestion(state: QuizState): void {
    const current = state.current;
    const index = phaseIndex(state.phase);
    const showQuestion = current && index !== undefined && current.question.index === index;
    render(questionTemplate(state, Boolean(showQuestion)), questionSlot);
    const phaseNow = state.phase;
    timer.set(phaseNow.state === 'open' ? current?.deadline_ms : phaseNow.state === 'window' ? phaseNow.closes_at : undefined,
      phaseNow.state === 'open' ? (current?.question.time_limit_s ?? 0) * 1000 : undefined);
    // Polls stay live on the projector while open; graded questions only when the trainer says so.
    root.dataset.live = showQuestion && (liveWhileOpen(current.question.kind) || state.settings.live_on_projector === true) ? 'shown' : 'hidden';

    if (showQuestion) {
      const revealed = state.revealed && state.revealed.index === current.question.index ? state.revealed : undefined;
      render(html`<h3 class="fr-h6 fr-mb-1w">${t(revealed ? 'quiz.finalDistribution' : 'quiz.liveDistribution')}</h3>
        ${distributionBlock(current.question, state.stats[current.question.index], revealed?.correct)}`, distribution);
      const right = revealed ? correctAnswerText(current.question, revealed.correct) : '';
      render(revealed ? html`
        ${right ? html`<p class="fr-mt-2w amphi-right-answer">${t('quiz.rightAnswerIs', { answer: right })}</p>` : nothing}
        ${revealed.explanation ? html`<p class="amphi-explanation">${revealed.explanation}</p>` : nothing}
        ${state.settings.confidence ? confidentlyWrongCallout(revealed.confidently_wrong, revealed.stats.answered) : nothing}
        ${revealed.previous ? html`<details class="amphi-details fr-mt-2w">
          <summary>${t('quiz.previousRound', { round: revealed.previous.round })}</summary>
          ${distributionBlock(current.question, revealed.previous, revealed.correct, 'previous-distribution')}</details>` : nothing}` : nothing, reveal);
    } else {
      render(nothing, distribution);
      render(nothing, reveal);
    }
  }

  function renderLobbyNames(state: QuizState): void {
    const members = (client.room(roomId)?.members ?? []).filter((m) => m.role === 'participant' && m.connected && !state.removed.includes(m.id));
    for (const m of members) if (!arrivals.has(m.id)) arrivals.set(m.id, arrivals.size);
    const waiting = state.phase.state === 'lobby' || state.phase.state === 'scheduled';
    const named = state.settings.anonymity === 'named';
    const newest = [...members].sort((a, b) => (arrivals.get(b.id) ?? 0) - (arrivals.get(a.id) ?? 0));
    const shown = newest.slice(0, LOBBY_NAMES_MAX);
    const more = members.length - shown.length;
    renderNewestNames(lobbyNames, { visible: waiting && named, shown, more });
  }

  function renderCounts(state: QuizState): void {
    const room = client.room(roomId);
    const connected = room?.counts.participants_connected ?? state.connected ?? 0;
    const index = state.current?.question.index;
    const stats = index !== undefined ? state.stats[index] : undefined;
    const inQuestion = ['open', 'closed', 'revealed', 'leaderboard'].includes(state.phase.state) && stats;
    counts.textContent = inQuestion
      ? t('quiz.answeredOf', { answered: stats.answered, connected })
      : t('quiz.connectedCount', { count: connected });
  }

  function renderBoard(state: QuizState): void {
    const show = state.settings.leaderboard !== 'off' && Boolean(state.leaderboard) &&
      (state.phase.state === 'leaderboard' || state.phase.state === 'ended' || state.phase.state === 'window');
    board.hidden = !show;
    if (!show) return;
    const entries = state.leaderboard ?? [];
    // At the end, the top three on a podium; the whole list stays on the trainer's console.
    render(state.phase.state === 'ended' && entries.length > 0
      ? html`${podium(entries.slice(0, 3))}<div class="amphi-trainer-only fr-mt-2w">${leaderboardList(entries)}</div>`
      : leaderboardList(entries), boardList);
  }

  function renderParticipants(state: QuizState): void {
    const members = (client.room(roomId)?.members ?? []).filter((m) => m.role === 'participant' && !state.removed.includes(m.id))
      .sort((a, b) => a.name.localeCompare(b.name));
    participantsSummary.textContent = t('quiz.participants', { count: members.length });
    const canRemove = state.phase.state !== 'ended';
    renderParticipantList(participantsList, members, { canRemove, online: client.status === 'online', removing, remove: (m) => void remove(m) });
  }

  function update(): void {
    const room = client.room(roomId);
    title.textContent = room?.info.title ?? '';
    const joinCode = room?.info.join_code ?? '';
    code.textContent = joinCode;
    codeSpelled.textContent = joinCode ? t('trainer.joinCodeSpelled', { spelled: joinCode.split('').join(' ') }) : '';
    showJoinLink(link, joinCode);
    qr.update(joinCode ? joinUrl(joinCode) : null, t('quiz.qrLabel', { code: joinCode }));
    lock.update();
    const state = room?.quiz;
    if (!state) {
      phase.textContent = t('quiz.loading');
      return;
    }
    phase.textContent = phaseLabel(state.phase);
    root.dataset.phase = state.phase.state;
    renderToolbar(state);
    renderCounts(state);
    renderQuestion(state);
    renderLobbyNames(state);
    renderBoard(state);
    renderSummary(summary, state);
    renderProgress(progress, state);
    renderParticipants(state);
  }

  function announceEvent(event: QuizEvent): void {
    switch (event.kind) {
      case 'question_opened':
        app.announce(t('quiz.announce.opened', { number: event.question.index + 1 }));
        break;
      case 'question_closed':
        app.announce(tn('quiz.announce.closed', event.answered));
        break;
      case 'deadline_extended':
        app.announce(t('quiz.announce.extended', { time: formatCountdown(remainingMs(event.deadline_ms, client.serverNow())) }));
        break;
      case 'revealed':
        app.announce(t('quiz.announce.revealed'));
        break;
      case 'ended':
        app.announce(t('quiz.announce.ended'));
        break;
      default:
        break;
    }
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw(event) {
      if (event?.event.kind === 'quiz') announceEvent(event.event.event);
      if (event?.event.kind === 'quiz' && event.event.event.kind === 'ended') setTimeout(() => badges?.refresh(), 1_500);
      update();
    },
    refused(n) {
      const jumped = n.command?.type === 'quiz' && n.command.command.action === 'open_question';
      return jumped && n.error.code === 'invalid_state' ? t('quiz.jumpRefused') : errorText(n.error.code);
    },
  });
  update();
  return {
    root,
    dispose() {
      off();
      badges?.dispose();
      timer.dispose();
      fullscreen.dispose();
    },
  };
}

/**
 * The top of the leaderboard on a podium: the first in the middle, the
 * second on the left, the third on the right (in the list's order for
 * screen readers); blocks rise once, unless the viewer asked for reduced
 * motion (styles.css).
 */
function podium(entries: readonly LeaderboardEntry[]): TemplateResult {
  return html`<ol class="amphi-podium" aria-label=${t('quiz.podium')} data-testid="podium">${entries.map((e, i) => html`<li
    class="amphi-podium__step amphi-podium__step--${i + 1}" data-testid="podium-step"><span class="amphi-podium__name">${e.name ?? t('quiz.hiddenName')}</span><span
    class="amphi-podium__score">${t('quiz.points', { points: formatNumber(e.score) })}</span><span class="amphi-podium__block"><span
    class="amphi-podium__rank">${rankText(e.rank)}</span></span></li>`)}</ol>`;
}

/**
 * The "confidently wrong" view of a revealed question: how many answered
 * wrong while saying they were sure (confidence 3), out of the answers, with
 * a word on what it means when there are some.
 */
function confidentlyWrongCallout(count: number, answered: number): TemplateResult {
  return html`<div class=${`fr-callout amphi-confidently-wrong${count > 0 ? ' amphi-confidently-wrong--some' : ''}`} data-testid="confidently-wrong">
    <p class="fr-callout__title">${t('quiz.confidentlyWrongTitle')}</p>
    <p class="fr-callout__text">${tn('quiz.confidentlyWrongCount', count, { answered, percent: percent(count, answered) })}</p>
    ${count > 0 ? html`<p class="fr-text--sm fr-mb-0 amphi-trainer-only">${t('quiz.confidentlyWrongHint')}</p>` : nothing /* a word for the trainer, not for the room: hidden on the projector */}
  </div>`;
}
