// The board on a projector (a window signed in with the room's observer
// token): the whole width, large type, the join code and its QR code beside
// the board shown as a wall of large cards (read only: no forms, no
// buttons), or as a slideshow, one post at a time ("Diaporama"). Observers
// see what everyone sees: visible posts only.

import type { App, View } from '../app';
import type { AmphiClient } from '../client';
import { h } from '../dom';
import type { RoomId } from '../protocol';
import { t } from '../i18n';
import { readOnlyActions } from './board-card';
import { boardInfo } from './board-common';
import { boardSlideshow } from './board-slideshow';
import { boardView } from './board-view';
import { connectionBadge, watchRoom } from './common';
import { fullscreenButton, setProjectorMode } from './projector';
import { joinCodePanel } from './room-code';

export function renderBoardProjector(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-mb-1w' });
  const badge = connectionBadge(client);
  const errors = h('div');
  const code = joinCodePanel('amphi-board-projector__code');
  const info = boardInfo();
  const actions = readOnlyActions((text) => app.announce(text));
  const board = boardView({ projector: true, actions });
  const fullscreen = fullscreenButton();
  const slideshowButton = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'slideshow-open' }, t('board.slideshow.open'));
  const layout = h('div', { class: 'amphi-board-projector__layout' },
    h('div', { class: 'amphi-board-projector__side' }, code.root, info.root),
    h('div', { class: 'amphi-board-projector__wall' }, board.root));
  const slideshow = boardSlideshow(actions, () => {
    layout.hidden = false;
    slideshowButton.hidden = false;
    slideshowButton.focus();
  });
  slideshowButton.addEventListener('click', () => {
    layout.hidden = true;
    slideshowButton.hidden = true;
    slideshow.show();
  });
  const root = h('div', { class: 'amphi-board-projector amphi-projector' },
    h('div', { class: 'amphi-titlebar' }, title, h('div', { class: 'amphi-buttons' }, badge.root, slideshowButton, fullscreen.button)),
    errors,
    layout,
    slideshow.root);
  queueMicrotask(() => setProjectorMode(root, true));

  function update(): void {
    const room = client.room(roomId);
    const state = room?.board;
    title.textContent = state?.title || room?.info.title || '';
    code.update(room?.info.join_code ?? '');
    const now = client.serverNow();
    info.update(state, now);
    if (!state) return;
    // A projector shows one wall, whatever the layout: readable from the back of the room.
    const wall = { ...state, settings: { ...state.settings, layout: 'wall' as const } };
    board.update({ state: wall, me: client.me?.id, role: 'observer', now, pending: [], status: client.status });
    slideshow.update(state);
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, { quiet: true, redraw: () => update(), refused: () => null });
  update();
  return {
    root,
    dispose() {
      off();
      fullscreen.dispose();
      slideshow.dispose();
    },
  };
}
