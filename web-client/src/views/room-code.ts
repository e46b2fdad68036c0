// Pieces of a leader's console outside any one activity: the join code
// (large, spelled out for screen readers), the join link and its QR code,
// and in a console the switch that locks the room to new guests (room-guard.ts);
// and the button that opens a projector window signed in with the room's
// observer token (`/projecteur#room=…&token=…`); "Nouvelle session", which
// starts a fresh session of the room's activity (another group, another day).

import { PROJECTOR_PATH, type App } from '../app';
import { ApiError, observerToken } from '../api';
import { h } from '../dom';
import { errorText, t } from '../i18n';
import type { RoomId } from '../protocol';
import { loadTrainerToken } from '../session';
import { qrSlot } from './qr-code';
import { joinUrl, showJoinLink } from './trainer';

/** The code, link and QR code; with `lock` (a console's), the lock switch under them. */
export function joinCodePanel(
  extraClass = '',
  lock?: { root: HTMLElement; update(): void },
): { root: HTMLElement; update(joinCode: string): void } {
  const code = h('p', { class: 'amphi-join-code', 'aria-hidden': 'true', 'data-testid': 'join-code' });
  const spelled = h('p', { class: 'fr-sr-only' });
  const link = h('a', { class: 'fr-link amphi-join-link', 'data-testid': 'join-url' });
  const qr = qrSlot();
  const root = h('section', { class: `amphi-panel amphi-code-panel ${extraClass}`, 'aria-labelledby': 'code-title' },
    h('h2', { id: 'code-title', class: 'fr-text--md fr-mb-1w' }, t('trainer.joinCode')),
    code, spelled,
    h('p', { class: 'fr-mb-1w fr-text--sm' }, t('trainer.joinUrl'), ' ', link),
    qr.root,
    lock?.root);
  return {
    root,
    update(joinCode) {
      lock?.update();
      code.textContent = joinCode;
      spelled.textContent = joinCode ? t('trainer.joinCodeSpelled', { spelled: joinCode.split('').join(' ') }) : '';
      showJoinLink(link, joinCode);
      qr.update(joinCode ? joinUrl(joinCode) : null, t('quiz.qrLabel', { code: joinCode }));
    },
  };
}

/** "Écran de projection (nouvelle fenêtre)" and its status line. */
export function projectorWindowButton(app: App, roomId: RoomId): { button: HTMLButtonElement; status: HTMLElement } {
  const status = h('p', { class: 'fr-text--sm', role: 'status' });
  const button = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-external-link-line',
    'data-testid': 'projector-window',
  }, t('quiz.projectorWindow'));
  button.addEventListener('click', async () => {
    const token = loadTrainerToken(app.store);
    if (!token) {
      status.textContent = t('quiz.noToken');
      return;
    }
    // Opened now, while the click still counts (popup blockers), pointed at the room once the token is there.
    const win = window.open('', '_blank');
    status.textContent = t('quiz.projectorOpening');
    try {
      const granted = await observerToken(token, roomId);
      if (!win) {
        status.textContent = t('quiz.projectorBlocked');
        return;
      }
      win.opener = null;
      win.location.href = `${PROJECTOR_PATH}#${new URLSearchParams({ room: roomId, token: granted.token })}`;
      status.textContent = t('quiz.projectorOpened');
    } catch (e) {
      win?.close();
      const code = e instanceof ApiError ? e.code : 'network';
      status.textContent = code === 'network' ? t('home.unreachable') : errorText(code);
    }
  });
  return { button, status };
}

/** "Nouvelle session": a new session of this room's activity, entered at once (after a confirmation). */
export function nextSessionButton(app: App, roomId: RoomId): { button: HTMLButtonElement; status: HTMLElement } {
  const status = h('p', { class: 'fr-text--sm', role: 'status' });
  const button = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-refresh-line',
    'data-testid': 'next-session',
  }, t('session.next'));
  button.addEventListener('click', async () => {
    const token = loadTrainerToken(app.store);
    if (!token) {
      status.textContent = t('quiz.noToken');
      return;
    }
    if (!window.confirm(t('session.nextConfirm'))) return;
    button.disabled = true;
    const failed = await app.startNextSession(token, roomId);
    button.disabled = false;
    if (failed) {
      const reason = failed.code === 'network' ? t('home.unreachable') : errorText(failed.code);
      status.textContent = t('session.nextFailed', { reason });
    }
  });
  return { button, status };
}
