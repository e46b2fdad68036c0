// A participant's ateliers, made for a 360 px phone: where they are (the
// plenary, or their atelier: its name, state, countdown, instructions,
// resources and video room), the atelier to choose when the mode lets them,
// "Appeler l'animateur" (and where the call stands), the production form
// (text and link; handed in offline, it waits in the queue, shown as such,
// and is sent once under its id when the network is back), the broadcasts
// received and the productions shown to the plenary. Arrivals in an
// atelier, its opening, the server's time warnings, extensions, closings
// and broadcasts are read out through the live region; the focus moves to
// the atelier's heading when the participant lands in it (unless they are
// on a control elsewhere).

import type { App, View } from '../app';
import { buildProduction, CALL_MAX, isQueuedAction, LINK_MAX, PRODUCTION_TEXT_MAX, queuedProduction, videoJoinUrl, warningText } from '../breakout-format';
import type { AtelierView, BreakoutEvent } from '../breakout-protocol';
import { canChoose, participantBroadcasts, type BreakoutState } from '../breakout-state';
import { isWebLink } from '../board-format';
import { blobUrl } from '../board-api';
import type { AmphiClient } from '../client';
import { h, setChildren } from '../dom';
import { t, type MessageKey, tn } from '../i18n';
import type { RoomId } from '../protocol';
import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { badgeEarned } from './badge-earned';
import { breakoutErrorText, broadcastsList, countdowns, MODE_LABEL, plenaryTemplate, productionBlock, renderKeepingFocus, sendBreakout, stateBadge } from './breakout-common';
import { connectionBadge, focusIsFree, watchRoom } from './common';

export function renderBreakoutParticipant(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-h3 fr-mb-1w' });
  const badge = connectionBadge(client);
  const you = h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' });
  const errors = h('div', { class: 'fr-mt-1w' });
  const clock = countdowns(() => client.serverNow());
  const state = () => client.room(roomId)?.breakout;
  const send = (command: Parameters<typeof sendBreakout>[2]) => {
    errors.replaceChildren();
    return sendBreakout(client, roomId, command);
  };

  // ---- where I am ----
  const place = h('div');
  const warning = h('div', { 'data-testid': 'time-warning' });

  // ---- video room ----
  const videoSlot = h('div', { 'data-testid': 'video' });
  let videoFor = '';
  async function showVideo(atelier: AtelierView | undefined): Promise<void> {
    const wanted = atelier?.state === 'open' && atelier.video_url ? `${atelier.id}|${atelier.video_url}` : '';
    if (wanted === videoFor) return;
    videoFor = wanted;
    if (!wanted || !atelier?.video_url) return setChildren(videoSlot);
    setChildren(videoSlot, h('p', { class: 'fr-text--sm', role: 'status' }, t('breakout.video.loading')));
    const url = await videoJoinUrl(atelier.video_url, client.bearerToken).catch(() => null);
    if (videoFor !== wanted) return; // changed meanwhile
    setChildren(videoSlot, url
      ? h('p', {}, h('a', { class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-video-chat-line', href: url, target: '_blank', rel: 'noopener noreferrer',
        'data-testid': 'video-link', title: t('breakout.newWindow', { text: t('breakout.video.join') }) }, t('breakout.video.join')))
      : h('p', { class: 'fr-text--sm amphi-muted' }, t('breakout.video.unavailable')));
  }

  // ---- help call ----
  const callText = h('input', { class: 'fr-input', id: 'call-text', maxlength: String(CALL_MAX), autocomplete: 'off', 'data-testid': 'call-text' });
  const callButton = h('button', { type: 'submit', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-question-line', 'data-testid': 'call-help' }, t('breakout.call.button'));
  const callStatus = h('p', { class: 'fr-text--sm fr-mb-0', role: 'status', 'data-testid': 'call-status' });
  const callForm = h('form', { novalidate: true, class: 'amphi-panel fr-mt-3w', 'aria-labelledby': 'call-title', 'data-testid': 'call-form' },
    h('h2', { id: 'call-title', class: 'fr-h5' }, t('breakout.call.title')),
    h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'call-text' }, t('breakout.call.text'), h('span', { class: 'fr-hint-text' }, t('breakout.call.hint'))), callText),
    callButton, callStatus);
  callForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = callText.value.trim();
    callText.value = '';
    void send({ action: 'call_help', ...(text ? { text } : {}) });
    update();
  });

  // ---- production ----
  const prodText = h('textarea', { class: 'fr-input', id: 'production-text', rows: 4, maxlength: PRODUCTION_TEXT_MAX, 'aria-describedby': 'production-text-hint', 'data-testid': 'production-text-input' });
  const prodLink = h('input', { class: 'fr-input', id: 'production-link', type: 'url', inputmode: 'url', maxlength: String(LINK_MAX), autocomplete: 'off', 'aria-describedby': 'production-link-hint', 'data-testid': 'production-link-input' });
  const prodError = h('div');
  const prodCurrent = h('div', { 'data-testid': 'production-current' });
  const prodQueued = h('p', { class: 'fr-text--sm amphi-queued', role: 'status', 'data-testid': 'production-queued' });
  const prodForm = h('form', { novalidate: true, class: 'amphi-panel fr-mt-3w', 'aria-labelledby': 'production-title', 'data-testid': 'production-form' },
    h('h2', { id: 'production-title', class: 'fr-h5' }, t('breakout.production.title')),
    h('p', { class: 'fr-text--sm' }, t('breakout.production.intro')),
    prodCurrent, prodQueued,
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: 'production-text' }, t('breakout.production.text'), h('span', { class: 'fr-hint-text', id: 'production-text-hint' }, t('breakout.production.textHint'))),
      prodText),
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: 'production-link' }, t('breakout.production.link'), h('span', { class: 'fr-hint-text', id: 'production-link-hint' }, t('board.form.linkHint'))),
      prodLink),
    prodError,
    h('button', { type: 'submit', class: 'fr-btn fr-btn--icon-left fr-icon-upload-2-line', 'data-testid': 'production-submit' }, t('breakout.production.submit')));
  const fieldError = (input: HTMLInputElement | HTMLTextAreaElement | null, key: MessageKey | null) => {
    for (const field of [prodText, prodLink]) field.setAttribute('aria-invalid', String(field === input));
    if (!key) return prodError.replaceChildren();
    setChildren(prodError, h('p', { class: 'fr-error-text fr-mb-2w', role: 'alert', 'data-testid': 'production-error' }, t(key)));
    input?.focus();
  };
  prodForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const built = buildProduction(prodText.value, prodLink.value);
    if ('error' in built) {
      const key: Record<typeof built.error, MessageKey> = { empty: 'breakout.production.empty', textTooLong: 'breakout.production.textTooLong', linkInvalid: 'board.form.linkInvalid' };
      return fieldError(built.error === 'linkInvalid' ? prodLink : prodText, key[built.error]);
    }
    fieldError(null, null);
    prodText.value = '';
    prodLink.value = '';
    void send({ action: 'submit_production', ...built.content });
    app.announce(t(client.status === 'online' ? 'breakout.production.sending' : 'breakout.production.queuedAnnounce'));
    update();
  });

  const broadcasts = broadcastsList('broadcasts-title', t('breakout.broadcasts.received'));
  const published = h('div');
  const leaveButton = h('button', {
    type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm fr-btn--icon-left fr-icon-logout-box-r-line', onclick: () => void app.leave(roomId),
  }, t('lobby.leave'));
  // Ateliers' completion and attendance are known once an atelier closes.
  const earned = badgeEarned(app, client, roomId);
  const root = h('div', { class: 'amphi-breakout-participant' },
    title,
    h('div', { class: 'amphi-statusbar' }, badge.root, you),
    errors,
    warning,
    place,
    videoSlot,
    callForm,
    prodForm,
    broadcasts.root,
    h('section', { class: 'fr-mt-4w', 'aria-labelledby': 'published-title' },
      h('h2', { id: 'published-title', class: 'fr-h4' }, t('breakout.published.title')), published),
    earned.root,
    h('div', { class: 'fr-mt-6w' }, leaveButton));

  function placeView(s: BreakoutState): TemplateResult {
    const mine = s.atelier;
    const queue = client.pendingBreakout(roomId);
    const plenary = !mine || mine.state !== 'open'
      ? html`<section class="amphi-panel fr-mt-2w" aria-labelledby="place-title" data-testid="plenary">
          <h2 id="place-title" class="fr-h4" tabindex="-1" data-card-heading>${t('breakout.plenary.title')}</h2>
          <p class="fr-mb-1w" data-testid="place-text">${!mine ? t(s.mode === 'free_choice' ? 'breakout.plenary.choose' : 'breakout.plenary.waiting')
            : mine.state === 'pending' ? t('breakout.plenary.assigned', { name: mine.name })
              : t('breakout.plenary.closed', { name: mine.name })}</p>
          <p class="fr-text--sm fr-mb-0 amphi-muted">${t('breakout.console.mode', { mode: t(MODE_LABEL[s.mode]) })}</p>
        </section>`
      : nothing;
    const choices = canChoose(s)
      ? html`<section class="fr-mt-2w" aria-labelledby="choices-title" data-testid="choices" data-card="choices">
          <h2 id="choices-title" class="fr-h5" tabindex="-1" data-card-heading>${t('breakout.choices.title')}</h2>
          <ul class="amphi-list">${repeat(s.choices, (c) => c.id, (c) => {
            const chosen = mine?.id === c.id;
            const full = c.remaining === 0 && !chosen;
            return html`<li class="amphi-list__item">
              <span class="amphi-list__name">${c.name}</span>
              <span class="fr-text--sm amphi-muted">${c.remaining === undefined ? t('breakout.choices.unlimited') : t('breakout.choices.remaining', { count: c.remaining })}</span>
              <button type="button" class="fr-btn fr-btn--sm ${chosen ? '' : 'fr-btn--secondary'}" data-focus=${`choose-${c.id}`} data-testid="choose"
                aria-pressed=${String(chosen)} ?disabled=${full || c.state === 'closed' || isQueuedAction(queue, 'choose')}
                aria-label=${t(chosen ? 'breakout.choices.chosenLabel' : 'breakout.choices.chooseLabel', { name: c.name })}
                @click=${() => { if (!chosen) void send({ action: 'choose', atelier: c.id }); }}>${t(chosen ? 'breakout.choices.chosen' : 'breakout.choices.choose')}</button>
            </li>`;
          })}</ul>
        </section>`
      : nothing;
    if (!mine) return html`${plenary}${choices}`;
    const resources = (mine.resources ?? []).filter((r) => isWebLink(r.url));
    return html`${plenary}${choices}<section class="amphi-panel amphi-my-atelier fr-mt-2w" aria-labelledby="my-atelier-title" data-testid="my-atelier" data-card="mine">
      <p class="fr-text--sm fr-mb-0 amphi-muted">${t('breakout.mine.label')}</p>
      <div class="amphi-atelier-card__head">
        <h2 id="my-atelier-title" class="fr-h3 fr-mb-0" tabindex="-1" data-card-heading data-testid="my-atelier-name">${mine.name}</h2>
        ${stateBadge(mine.state)}
      </div>
      ${clock.element(mine.state === 'open' ? mine.ends_at : undefined, t('breakout.timeLeft'), 'mine')}
      ${mine.instructions ? html`<div><h3 class="fr-text--md fr-mb-1w">${t('breakout.mine.instructions')}</h3>
        <p class="amphi-production__text" data-testid="instructions">${mine.instructions}</p></div>` : nothing}
      ${resources.length ? html`<div><h3 class="fr-text--md fr-mb-1w">${t('breakout.mine.resources')}</h3>
        <ul data-testid="resources">${resources.map((r) => html`<li>
          <a class="fr-link" href=${r.url} target="_blank" rel="noopener noreferrer" title=${t('breakout.newWindow', { text: r.title })}>${r.title}</a></li>`)}</ul></div>` : nothing}
      ${mine.files?.length ? html`<div><h3 class="fr-text--md fr-mb-1w">${t('breakout.mine.files')}</h3>
        <ul data-testid="atelier-files">${repeat(mine.files, (f) => f.blob, (f) => html`<li><a class="fr-link" href=${blobUrl(f.blob, f.name)} download=${f.name}>${f.name}</a></li>`)}</ul></div>` : nothing}
    </section>`;
  }

  function update(): void {
    const room = client.room(roomId);
    const s = room?.breakout;
    title.textContent = s?.title || room?.info.title || '';
    you.textContent = client.me ? t('lobby.you', { name: client.me.name }) : '';
    if (!s) {
      renderKeepingFocus(html`<p role="status">${t('breakout.loading')}</p>`, place, () => title);
      return;
    }
    const mine = s.atelier;
    const queue = client.pendingBreakout(roomId);
    renderKeepingFocus(placeView(s), place, () => title);
    if (mine?.state !== 'open') warning.replaceChildren();
    void showVideo(mine);

    // The call: only from an open atelier, one at a time.
    const callQueued = isQueuedAction(queue, 'call_help');
    callForm.hidden = mine?.state !== 'open' && !s.yourCall;
    callButton.disabled = Boolean(s.yourCall) || callQueued;
    callText.disabled = callButton.disabled;
    callStatus.textContent = s.yourCall
      ? s.yourCall.state === 'taken' ? t('breakout.call.taken', { name: s.yourCall.by_name ?? '' }) : t('breakout.call.waiting')
      : callQueued ? t(client.status === 'online' ? 'breakout.call.sending' : 'breakout.call.queued') : '';

    // The production: once the atelier has been opened (also after it closed).
    const queued = queuedProduction(queue);
    prodForm.hidden = !mine || (mine.state === 'pending' && !mine.production && !queued);
    renderKeepingFocus(mine?.production
      ? html`<div class="fr-mb-2w"><p class="fr-text--sm fr-mb-1w">${t('breakout.production.current', { version: mine.production.version })}</p>${productionBlock(mine.production)}</div>`
      : nothing, prodCurrent);
    prodQueued.hidden = !queued;
    prodQueued.textContent = queued ? t(client.status === 'online' ? 'breakout.production.sendingShort' : 'breakout.production.queued') : '';

    broadcasts.update(participantBroadcasts(s));
    renderKeepingFocus(plenaryTemplate(s.published, s.recordings), published);
  }

  function readOut(event: BreakoutEvent, before: BreakoutState | undefined): void {
    const s = state();
    const mine = s?.atelier;
    switch (event.kind) {
      case 'assignment':
        if (event.atelier && event.atelier.id !== before?.atelier?.id) {
          app.announce(t(event.atelier.state === 'open' ? 'breakout.announce.inAtelierOpen' : 'breakout.announce.assigned', { name: event.atelier.name }));
          focusMine();
        } else if (!event.atelier && before?.atelier) {
          app.announce(t('breakout.announce.unassigned'));
        }
        break;
      case 'opened':
        if (mine && mine.id === event.atelier) {
          app.announce(tn('breakout.announce.opened', Math.round((event.ends_at - event.opened_at) / 60_000), { name: mine.name }));
          focusMine();
        }
        break;
      case 'extended':
        if (mine && mine.id === event.atelier) app.announce(t('breakout.announce.extended'));
        break;
      case 'time_warning':
        if (mine && mine.id === event.atelier) {
          const text = t('breakout.announce.warning', { time: warningText(event.seconds) });
          app.announce(text);
          setChildren(warning, h('div', { class: 'fr-alert fr-alert--warning fr-alert--sm fr-mt-2w' }, h('p', {}, text)));
        }
        break;
      case 'closed':
        if (before?.atelier?.id === event.atelier) {
          app.announce(t(event.reason === 'deadline' ? 'breakout.announce.backDeadline' : 'breakout.announce.back'));
          warning.replaceChildren();
        }
        break;
      case 'broadcast':
        app.announce(t('breakout.announce.broadcast', { name: event.broadcast.from_name, text: event.broadcast.text }));
        break;
      case 'help_call':
        if (event.call.state === 'taken') app.announce(t('breakout.call.taken', { name: event.call.by_name ?? '' }));
        if (event.call.state === 'resolved') app.announce(t('breakout.call.resolved'));
        break;
      case 'production':
        app.announce(t('breakout.announce.productionSaved', { version: event.production.version }));
        break;
      case 'recording_published':
        app.announce(t('breakout.announce.recordingShared', { name: event.recording.atelier_name || event.recording.atelier }));
        break;
      case 'published':
        app.announce(t('breakout.announce.published', { names: event.productions.map((p) => p.atelier_name).join(', ') }));
        break;
      default:
        break;
    }
  }

  function focusMine(): void {
    queueMicrotask(() => {
      const heading = root.querySelector<HTMLElement>('#my-atelier-title');
      if (heading && focusIsFree(place)) heading.focus();
    });
  }

  let shown: BreakoutState | undefined;
  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw(event) {
      update(); // the new state first (the heading to focus), then the read-out
      if (event?.event.kind === 'breakout') readOut(event.event.event, shown);
      if (event?.event.kind === 'breakout' && (event.event.event.kind === 'closed' || event.event.event.kind === 'status')) earned.check();
      shown = state();
    },
    refused: (n) => breakoutErrorText(n.error.code, n.command),
  });
  update();
  shown = state();
  earned.lookOnce();
  return {
    root,
    dispose() {
      off();
      earned.dispose();
      clock.dispose();
    },
  };
}
