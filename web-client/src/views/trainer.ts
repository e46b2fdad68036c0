// Trainer lobby: the big join code, join link and QR code, raised hands
// (oldest first, each with "Baisser"), the member list with role and
// connected state and "Retirer", the lock to new guests, the announce form (1000 characters at most), the
// announcements and the attendance download.

import type { App, View } from '../app';
import type { AmphiClient } from '../client';
import { h, setChildren } from '../dom';
import { errorText, formatTime, t, tn } from '../i18n';
import type { RaisedHand, RoomId } from '../protocol';
import { announcementsList, connectionBadge, showAlert, watchRoom } from './common';
import { downloadsPanel } from './downloads';
import { membersPanel } from './members-panel';
import { qrSlot } from './qr-code';
import { lockSwitch } from './room-guard';

export const ANNOUNCE_MAX = 1000;

export function joinUrl(code: string, origin: string = location.origin): string {
  return `${origin}/j/${code}`;
}

/** Fills a join link: the address of `/j/CODE`, which may break after the
 * origin (or, as a last resort, inside a long host name) but never inside
 * `/j/CODE` (`white-space: nowrap`). Empty without a code. */
export function showJoinLink(link: HTMLAnchorElement, code: string): void {
  if (!code) {
    link.replaceChildren();
    link.removeAttribute('href');
    return;
  }
  link.href = joinUrl(code);
  link.replaceChildren(
    h('span', { class: 'amphi-join-link__origin' }, location.origin), h('wbr'),
    h('span', { class: 'amphi-join-link__path', 'data-testid': 'join-url-path' }, `/j/${code}`));
}

export function renderTrainerLobby(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { tabindex: '-1', class: 'fr-mb-2w' });
  const badge = connectionBadge(client);
  const errors = h('div', { class: 'fr-mt-2w' });

  // ---- join code and link ----
  const code = h('p', { class: 'amphi-join-code', 'aria-hidden': 'true', 'data-testid': 'join-code' });
  const codeSpelled = h('p', { class: 'fr-sr-only' });
  const link = h('a', { class: 'fr-link amphi-join-link', 'data-testid': 'join-url' });
  const copied = h('span', { class: 'fr-text--sm fr-ml-1w', role: 'status' });
  const qr = qrSlot();
  const lock = lockSwitch(client, roomId);
  const copyButton = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-links-line',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(link.href);
        copied.textContent = t('trainer.copied');
        setTimeout(() => (copied.textContent = ''), 4000);
      } catch {
        getSelection()?.selectAllChildren(link);
      }
    },
  }, t('trainer.copy'));
  const codePanel = h('section', { class: 'amphi-panel amphi-code-panel', 'aria-labelledby': 'code-title' },
    h('h2', { id: 'code-title', class: 'fr-text--md fr-mb-1w' }, t('trainer.joinCode')),
    code, codeSpelled,
    h('p', { class: 'fr-mb-1w fr-text--sm' }, t('trainer.joinUrl'), ' ', link),
    h('div', {}, copyButton, copied),
    qr.root,
    lock.root);

  // ---- raised hands ----
  const handsCount = h('span', { class: 'fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon fr-ml-1w' });
  const handsHeading = h('h2', { id: 'hands-title', class: 'fr-h4', tabindex: '-1' }, t('trainer.hands'), handsCount);
  const handsList = h('ol', { class: 'amphi-list', 'data-testid': 'hands' });
  const noHands = h('p', { class: 'fr-text--sm amphi-muted' }, t('trainer.noHands'));
  const lowering = new Set<string>();
  const handItem = (hand: RaisedHand) => {
    const button = h('button', {
      type: 'button',
      class: 'fr-btn fr-btn--sm fr-btn--secondary',
      'aria-label': t('trainer.lowerLabel', { name: hand.name }),
      disabled: lowering.has(hand.member),
    }, t('trainer.lower'));
    button.addEventListener('click', async () => {
      lowering.add(hand.member);
      button.disabled = true;
      handsHeading.focus(); // the row is about to go
      const result = await client.command({ type: 'lower_hand', room: roomId, member: hand.member });
      lowering.delete(hand.member);
      if (!result.ok) showAlert(errors, errorText(result.code));
      update();
    });
    return h('li', { class: 'amphi-list__item' },
      h('span', { class: 'amphi-list__name' }, hand.name),
      h('span', { class: 'fr-text--sm amphi-muted' }, formatTime(hand.at)),
      button);
  };

  const members = membersPanel(client, roomId);

  // ---- announce form ----
  const textarea = h('textarea', {
    class: 'fr-input', id: 'announce-text', rows: 3, maxlength: ANNOUNCE_MAX, 'aria-describedby': 'announce-hint',
  });
  const hint = h('span', { class: 'fr-hint-text', id: 'announce-hint' });
  const updateHint = () => (hint.textContent = tn('trainer.announceHint', textarea.value.length, { max: ANNOUNCE_MAX }));
  textarea.addEventListener('input', updateHint);
  updateHint();
  const form = h('form', { class: 'fr-mt-4w', novalidate: true },
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: 'announce-text', id: 'announce-label' }, t('trainer.announce'), hint),
      textarea),
    h('button', { type: 'submit', class: 'fr-btn fr-btn--icon-left fr-icon-megaphone-line' }, t('trainer.send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      showAlert(errors, t('trainer.announceEmpty'));
      textarea.focus();
      return;
    }
    textarea.value = '';
    updateHint();
    const result = await client.command({ type: 'announce', room: roomId, text });
    if (!result.ok) {
      showAlert(errors, errorText(result.code));
      if (!textarea.value) textarea.value = text; // give it back to edit
      updateHint();
    }
  });

  const announcements = announcementsList();
  const leaveButton = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--tertiary fr-btn--icon-left fr-icon-logout-box-r-line',
    onclick: () => void app.leave(roomId),
  }, t('lobby.leave'));

  const root = h('div', { class: 'amphi-lobby' },
    title,
    h('div', { class: 'amphi-statusbar' }, badge.root),
    errors,
    codePanel,
    h('div', { class: 'fr-grid-row fr-grid-row--gutters fr-mt-2w' },
      h('section', { class: 'fr-col-12 fr-col-md-6', 'aria-labelledby': 'hands-title' }, handsHeading, noHands, handsList),
      h('section', { class: 'fr-col-12 fr-col-md-6', 'aria-labelledby': 'members-title' },
        h('h2', { id: 'members-title', class: 'fr-h4' }, t('trainer.members')), members.summary, members.list)),
    form,
    announcements.root,
    downloadsPanel(app, roomId, ['attendance.csv'], 'downloads.lobbyHint'),
    h('div', { class: 'fr-mt-6w' }, leaveButton));

  // Members seen so far, to announce arrivals (not the first list).
  const known = new Set<string>();
  let primed = false;

  function update(): void {
    const state = client.room(roomId);
    for (const m of state?.members ?? []) {
      if (primed && !known.has(m.id) && m.id !== client.me?.id) app.announce(t('trainer.joinedRoom', { name: m.name }));
      known.add(m.id);
    }
    primed = primed || (state?.members.length ?? 0) > 0;
    title.textContent = state?.info.title ?? '';
    const joinCode = state?.info.join_code ?? '';
    code.textContent = joinCode;
    codeSpelled.textContent = joinCode ? t('trainer.joinCodeSpelled', { spelled: joinCode.split('').join(' ') }) : '';
    showJoinLink(link, joinCode);
    qr.update(joinCode ? joinUrl(joinCode) : null, t('quiz.qrLabel', { code: joinCode }));
    lock.update();
    const hands = state?.hands ?? [];
    handsCount.textContent = String(hands.length);
    noHands.hidden = hands.length > 0;
    setChildren(handsList, ...hands.map(handItem));
    members.update();
    announcements.update(state?.announcements ?? []);
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw(event) {
      if (event?.event.kind === 'hand_raised') app.announce(t('trainer.handRaised', { name: event.event.hand.name }));
      update();
    },
    refused: (n) => (n.command ? null : errorText(n.error.code)),
  });
  update();
  return { root, dispose: off };
}
