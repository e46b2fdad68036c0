// A participant's board, made for a 360 px phone: the board's title, mode
// and deadline, the post form (or why one cannot post now), and the board
// (sections stacked on a phone, side by side on a wide screen; or a wall).
// Own posts show their moderation state in words. A post made offline waits
// in the queue (shown as such) and is sent once, under its id, when the
// network is back; under the form, what became of the last post (sent,
// queued offline, published or waiting for approval). Offline, the
// connection badge stays in view. New posts and comments are read out, a
// few at a time.

import type { App, View } from '../app';
import { CONTRIBUTIONS, type BoardEvent } from '../board-protocol';
import { switchedOff } from '../board-format';
import { writableSections, writeBlock, type BoardState } from '../board-state';
import type { AmphiClient } from '../client';
import { h, setChildren } from '../dom';
import { t, type MessageKey } from '../i18n';
import type { RoomId } from '../protocol';
import { loadTrainerToken } from '../session';
import { badgeEarned } from './badge-earned';
import { boardAnnouncer, boardErrorText, boardInfo, cardActions, deadlineWatch, lowerFirst, postRefusedInForm, sendBoard, uploadsFor } from './board-common';
import { postComposer } from './board-composer';
import { SWITCH_LABEL } from './board-settings-panel';
import { boardView } from './board-view';
import { connectionBadge, watchRoom } from './common';

const BLOCKED: Record<'closed' | 'deadline' | 'locked' | 'observer', MessageKey> = {
  closed: 'board.blocked.closed',
  deadline: 'board.blocked.deadline',
  locked: 'board.blocked.locked',
  observer: 'board.blocked.observer',
};

export function renderBoardParticipant(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-h3 fr-mb-1w' });
  const badge = connectionBadge(client);
  const you = h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' });
  const errors = h('div', { class: 'fr-mt-1w' });
  const info = boardInfo();
  const uploads = uploadsFor(client, roomId, () => loadTrainerToken(app.store));
  const board = boardView({
    actions: cardActions(app, client, roomId, uploads, (section) => board.sectionHeading(section)?.focus()),
  });

  // ---- the post form ----
  const blocked = h('p', { class: 'fr-text--sm', 'data-testid': 'post-blocked' });
  const offNote = h('p', { class: 'fr-text--sm amphi-muted', 'data-testid': 'switched-off' });
  const composer = postComposer({
    sections: [],
    submitLabel: 'board.form.submit',
    legend: t('board.form.legend'),
    uploads,
    submit: async (content, section) => {
      errors.replaceChildren();
      showSent(client.status === 'online' ? 'board.sent.sending' : 'board.sent.queued');
      void sendBoard(client, roomId, { action: 'post', section: section ?? null, ...content }).then((result) => {
        if (!result.ok) return showSent(null); // the form tells why
        const mode = client.room(roomId)?.board?.settings.mode;
        showSent(mode === 'moderated' || mode === 'reveal_later' ? `board.sent.${mode}` : 'board.sent.open');
      });
      return true; // queued: sent now, or once the network is back
    },
  });
  // What became of the last post, in view under the form (and read out).
  const sent = h('div', { role: 'status', 'data-testid': 'post-sent' });
  const showSent = (key: MessageKey | null) => {
    setChildren(sent, key ? h('div', { class: `fr-alert fr-alert--sm fr-mt-2w ${key === 'board.sent.queued' || key === 'board.sent.sending' ? 'fr-alert--info' : 'fr-alert--success'}` },
      h('p', {}, t(key))) : null);
  };
  const compose = h('section', { class: 'amphi-panel fr-my-3w', 'aria-labelledby': 'compose-title', 'data-testid': 'compose' },
    h('h2', { id: 'compose-title', class: 'fr-h5' }, t('board.compose')), blocked, offNote, composer.root, sent);

  const leaveButton = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--tertiary fr-btn--sm fr-btn--icon-left fr-icon-logout-box-r-line',
    onclick: () => void app.leave(roomId),
  }, t('lobby.leave'));
  // Offline or reconnecting, the connection stays in view (stuck at the top).
  const statusbar = h('div', { class: 'amphi-statusbar' }, badge.root, you);
  // A board's completion follows one's own posts and comments.
  const earned = badgeEarned(app, client, roomId);
  const root = h('div', { class: 'amphi-board-participant' },
    title,
    statusbar,
    errors,
    info.root,
    compose,
    board.root,
    earned.root,
    h('div', { class: 'fr-mt-6w' }, leaveButton));

  let shown: BoardState | undefined;
  const announcer = boardAnnouncer(app, () => client.me?.id, false);
  const deadline = deadlineWatch(() => update());

  function update(): void {
    const room = client.room(roomId);
    const state = room?.board;
    shown = state;
    title.textContent = state?.title || room?.info.title || '';
    you.textContent = client.me ? t('lobby.you', { name: client.me.name }) : '';
    const now = client.serverNow();
    info.update(state, now);
    deadline.set(state?.settings.deadline);
    if (!state) return;
    const role = client.me?.role ?? 'participant';
    const writable = writableSections(state, role, now);
    const reason = writable.length ? null : writeBlock(state, role, now) ?? 'locked';
    blocked.hidden = reason === null;
    blocked.textContent = reason ? t(BLOCKED[reason]) : '';
    composer.root.hidden = reason !== null;
    composer.setSections(state.settings.layout === 'wall' ? writable.slice(0, 1) : writable);
    composer.setVideoHosts(state.videoHosts);
    const off = switchedOff(state.settings, role);
    composer.setSwitchedOff(off);
    offNote.hidden = off.size === 0;
    offNote.textContent = off.size ? t('board.switchedOff', { list: CONTRIBUTIONS.filter((c) => off.has(c)).map((c) => lowerFirst(t(SWITCH_LABEL[c]))).join(', ') }) : '';
    board.update({ state, me: client.me?.id, role, now, pending: client.pendingBoard(roomId), status: client.status });
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw(event) {
      if (event?.event.kind === 'board') announcer.event(event.event.event, shown);
      if (event?.event.kind === 'board' && isOwnContribution(event.event.event, client.me?.id)) earned.check();
      update();
    },
    status: (status) => statusbar.classList.toggle('amphi-statusbar--stuck', status !== 'online'),
    refused: (n) => (n.error.code === 'conflict' || postRefusedInForm(composer, n, roomId) ? null : boardErrorText(n.error.code, n.command)),
  });
  update();
  earned.lookOnce();
  return {
    root,
    dispose() {
      off();
      earned.dispose();
      announcer.dispose();
      deadline.dispose();
    },
  };
}

/** A post or comment of this member's, published: their completion may have moved. */
function isOwnContribution(event: BoardEvent, me: string | undefined): boolean {
  if (!me) return false;
  if (event.kind === 'post_added' || event.kind === 'post_updated') return event.post.author === me;
  return event.kind === 'comment_added' && event.comment.author === me;
}
