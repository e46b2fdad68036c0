// The ateliers on a projector (a window signed in with the room's observer
// token): the whole width, large type, the join code and its QR code, the
// session's status, the ateliers to choose from (free choice: with places
// left), the broadcasts to everyone and the productions published to the
// plenary, each labelled with its atelier. Read only. Observers get the
// plenary only: the ateliers' timers are on the console's own projector
// mode ("Affichage projecteur"), which has the leader's view of them.

import type { App, View } from '../app';
import type { AmphiClient } from '../client';
import { h } from '../dom';
import { t } from '../i18n';
import type { RoomId } from '../protocol';
import { html, nothing } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { broadcastsList, plenaryTemplate, renderKeepingFocus, stateBadge, STATUS_LABEL } from './breakout-common';
import { connectionBadge, watchRoom } from './common';
import { fullscreenButton, setProjectorMode } from './projector';
import { joinCodePanel } from './room-code';

export function renderBreakoutProjector(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-mb-1w' });
  const badge = connectionBadge(client);
  const errors = h('div');
  const code = joinCodePanel('amphi-board-projector__code');
  const status = h('p', { class: 'amphi-breakout-status', 'data-testid': 'session-status' });
  const choices = h('div');
  const published = h('div');
  const broadcasts = broadcastsList('broadcasts-title', t('breakout.broadcasts.everyone'));
  const fullscreen = fullscreenButton();
  const root = h('div', { class: 'amphi-breakout-projector amphi-projector' },
    h('div', { class: 'amphi-titlebar' }, title, h('div', { class: 'amphi-buttons' }, badge.root, fullscreen.button)),
    errors,
    h('div', { class: 'amphi-board-projector__layout' },
      h('div', { class: 'amphi-board-projector__side' }, code.root, status),
      h('div', { class: 'amphi-board-projector__wall' },
        choices,
        h('section', { 'aria-labelledby': 'published-title' },
          h('h2', { id: 'published-title', class: 'fr-h2' }, t('breakout.published.title')), published),
        broadcasts.root)));
  queueMicrotask(() => setProjectorMode(root, true));

  function update(): void {
    const room = client.room(roomId);
    const s = room?.breakout;
    title.textContent = s?.title || room?.info.title || '';
    code.update(room?.info.join_code ?? '');
    if (!s) {
      status.textContent = t('breakout.loading');
      return;
    }
    status.textContent = t(STATUS_LABEL[s.status]);
    renderKeepingFocus(s.choices.length
      ? html`<section class="fr-mb-3w" aria-labelledby="choices-title" data-testid="choices">
          <h2 id="choices-title" class="fr-h3">${t('breakout.choices.projector')}</h2>
          <ul class="amphi-list">${repeat(s.choices, (c) => c.id, (c) => html`<li class="amphi-list__item">
            <span class="amphi-list__name">${c.name}</span>${stateBadge(c.state)}
            <span>${c.remaining === undefined ? t('breakout.choices.unlimited') : t('breakout.choices.remaining', { count: c.remaining })}</span>
          </li>`)}</ul>
        </section>`
      : nothing, choices);
    renderKeepingFocus(plenaryTemplate(s.published, s.recordings), published);
    broadcasts.update(s.broadcasts);
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, { quiet: true, redraw: () => update(), refused: () => null });
  update();
  return {
    root,
    dispose() {
      off();
      fullscreen.dispose();
    },
  };
}
