// Participant lobby: room title, connection badge, connected participants
// count, announcements (newest first, read out), raise/lower hand toggle,
// and "Quitter".

import type { App, View } from '../app';
import type { AmphiClient } from '../client';
import { h } from '../dom';
import { errorText, t } from '../i18n';
import type { RoomId } from '../protocol';
import { announcementsList, connectionBadge, showAlert, watchRoom } from './common';

export function renderParticipantLobby(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-mb-2w' });
  const badge = connectionBadge(client);
  const you = h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' });
  const count = h('span', { class: 'amphi-count__value', 'data-testid': 'participants-connected' });
  const errors = h('div', { class: 'fr-mt-2w' });

  const handButton = h('button', { type: 'button', class: 'fr-btn fr-btn--lg amphi-hand', 'data-testid': 'hand' });
  handButton.addEventListener('click', async () => {
    const raised = client.isHandRaised(roomId);
    const pending = client.command(raised ? { type: 'lower_hand', room: roomId } : { type: 'raise_hand', room: roomId });
    update();
    app.announce(t(raised ? 'lobby.handDown' : 'lobby.handUp'));
    const result = await pending;
    if (!result.ok) showAlert(errors, errorText(result.code));
    update();
  });

  const leaveButton = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-logout-box-r-line',
    onclick: () => void app.leave(roomId),
  }, t('lobby.leave'));

  const announcements = announcementsList();
  const root = h('div', { class: 'amphi-lobby' },
    title,
    h('div', { class: 'amphi-statusbar' }, badge.root, you),
    errors,
    h('p', { class: 'amphi-count fr-mt-3w' }, h('span', {}, t('lobby.connectedParticipants'), ' '), count),
    handButton,
    announcements.root,
    h('div', { class: 'fr-mt-6w' }, leaveButton));

  function update(): void {
    const state = client.room(roomId);
    title.textContent = state?.info.title ?? '';
    you.textContent = client.me ? t('lobby.you', { name: client.me.name }) : '';
    count.textContent = String(state?.counts.participants_connected ?? 0);
    const raised = client.isHandRaised(roomId);
    handButton.textContent = t(raised ? 'lobby.lowerHand' : 'lobby.raiseHand');
    handButton.classList.toggle('fr-btn--secondary', raised);
    handButton.disabled = client.status === 'stopped';
    announcements.update(state?.announcements ?? []);
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw: () => update(),
    refused: (n) => (n.command ? null : errorText(n.error.code)),
  });
  update();
  return { root, dispose: off };
}
