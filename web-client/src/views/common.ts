// Pieces shared by the lobby screens: the connection badge (with a retry
// button when stopped), the announcements list (newest first, aria-live,
// items added without re-rendering the rest), error alerts, role labels,
// and `watchRoom`, the one subscription every live screen makes.

import type { App } from '../app';
import { ApiError } from '../api';
import type { AmphiClient, ClientNotice, ConnectionStatus, StopReason } from '../client';
import { h, setChildren } from '../dom';
import { errorText, formatTime, t, type MessageKey } from '../i18n';
import type { Announcement, Role, RoomEvent, RoomId } from '../protocol';

const BADGE: Record<ConnectionStatus, string> = {
  connecting: 'fr-badge--info',
  online: 'fr-badge--success',
  reconnecting: 'fr-badge--warning',
  offline: 'fr-badge--error',
  stopped: 'fr-badge--error',
};

/** The text of a failed REST call (an `ApiError`'s code, or the network). */
export function apiFailureText(e: unknown): string {
  const code = e instanceof ApiError ? e.code : 'network';
  return code === 'network' ? t('home.unreachable') : errorText(code);
}

export function statusText(status: ConnectionStatus): string {
  return t(`status.${status}` as MessageKey);
}

/** The connection badge; `update()` after each status notice. */
export function connectionBadge(client: AmphiClient): { root: HTMLElement; update(): void } {
  const badge = h('p', { class: 'fr-badge fr-badge--sm fr-mb-0', 'data-testid': 'connection' });
  const retry = h(
    'button',
    { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-ml-2w', onclick: () => client.reconnectNow() },
    t('status.retry'),
  );
  const root = h('div', { class: 'amphi-status' }, badge, retry);
  const update = () => {
    const status = client.status;
    badge.className = `fr-badge fr-badge--sm fr-mb-0 ${BADGE[status]}`;
    badge.textContent = statusText(status);
    retry.hidden = !(status === 'offline' || status === 'stopped' || status === 'reconnecting') || !client.canReconnect;
  };
  update();
  return { root, update };
}

function key(a: Announcement): string {
  return `${a.at}|${a.from}|${a.text}`;
}

/** The announcements list, newest first. Items are prepended one by one so a
 * screen reader reads only the new ones. */
export function announcementsList(): { root: HTMLElement; update(list: readonly Announcement[]): void } {
  const headingId = 'announcements-title';
  const empty = h('p', { class: 'fr-text--sm amphi-muted' }, t('lobby.noAnnouncements'));
  const list = h('ul', {
    class: 'amphi-announcements',
    'aria-live': 'polite',
    'aria-relevant': 'additions',
    'aria-labelledby': headingId,
    'data-testid': 'announcements',
  });
  const root = h('section', { class: 'fr-mt-4w', 'aria-labelledby': headingId },
    h('h2', { id: headingId, class: 'fr-h4' }, t('lobby.announcements')), empty, list);
  let shown: string[] = [];

  const item = (a: Announcement) =>
    h('li', { class: 'amphi-announcement' },
      h('p', { class: 'amphi-announcement__text' }, a.text),
      h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' }, t('lobby.announcementFrom', { name: a.from_name, time: formatTime(a.at) })));

  const update = (announcements: readonly Announcement[]) => {
    const keys = announcements.map(key);
    const extendsShown = shown.length <= keys.length && shown.every((k, i) => k === keys[i]);
    if (extendsShown) {
      for (const a of announcements.slice(shown.length)) list.prepend(item(a));
    } else {
      setChildren(list, ...[...announcements].reverse().map(item));
    }
    shown = keys;
    empty.hidden = announcements.length > 0;
  };
  return { root, update };
}

/** A dismissable DSFR error alert (role="alert") with this text, in `slot`. */
export function showAlert(slot: HTMLElement, text: string, action?: HTMLElement): void {
  const close = h('button', { type: 'button', class: 'fr-btn--close fr-btn', title: t('error.close'),
    'aria-label': t('error.close'), onclick: () => slot.replaceChildren() }, t('error.close'));
  setChildren(slot, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm', role: 'alert' },
    h('p', {}, text), action ? h('p', { class: 'fr-mt-1w' }, action) : null, close));
}

/** A refused command (or an error of no command) reaching a screen. */
export type CommandError = Extract<ClientNotice, { type: 'command_error' }>;

/** What a live screen does with the client's notices (see `watchRoom`). */
export interface RoomWatch {
  /**
   * Shows the room as the client now has it; called once per change of
   * what a screen shows (the room's state, the connection, the identity),
   * with the room event that caused it, if one did, to be read out.
   */
  redraw(event?: RoomEvent): void;
  /** The text to alert for a refused command of this room (default: its code's message); null to alert nothing. */
  refused?(n: CommandError): string | null;
  /** The connection's status changed (the badge and the read-out are done). */
  status?(status: ConnectionStatus): void;
  /** No read-out of the connection's status (projectors). */
  quiet?: boolean;
}

/**
 * The one subscription of a live screen to the client: the badge follows
 * the connection (read out unless `quiet`), a stop shows why with a way
 * home, a refused command of this room (or one of no command) is alerted,
 * and `redraw` runs once per notice that changes what is shown, never for
 * another room's.
 */
export function watchRoom(
  app: App,
  client: AmphiClient,
  roomId: RoomId,
  slots: { badge: { update(): void }; errors: HTMLElement },
  watch: RoomWatch,
): () => void {
  return client.subscribe((n: ClientNotice) => {
    switch (n.type) {
      case 'status':
        slots.badge.update();
        if (!watch.quiet) app.announce(t('status.announce', { status: statusText(n.status) }));
        watch.status?.(n.status);
        return watch.redraw();
      case 'stopped':
        showStopped(app, slots.errors, n.reason, n.code);
        return watch.redraw();
      case 'command_error': {
        // A refused command's pending change came as its own `room` notice.
        if (n.command && !('room' in n.command && n.command.room === roomId)) return;
        const text = watch.refused ? watch.refused(n) : errorText(n.error.code);
        if (text !== null) showAlert(slots.errors, text);
        return;
      }
      case 'welcome':
        return watch.redraw();
      case 'joined':
        if (n.room === roomId) watch.redraw();
        return;
      case 'room':
        if (n.room === roomId) watch.redraw(n.event);
        return;
    }
  });
}

/** After the client stopped for good: why, and a way back home. */
export function showStopped(app: App, slot: HTMLElement, reason: StopReason, code?: string): void {
  if (reason === 'left') return;
  if (reason !== 'normal') app.forget(true); // 'normal' can still be retried
  const text = reason === 'removed' ? t('lobby.removed') : reason === 'refused' && code ? errorText(code) : t('lobby.closed');
  const home = h('a', { class: 'fr-link', href: '/', onclick: (ev: Event) => { ev.preventDefault(); app.navigate('/'); } }, t('lobby.backHome'));
  showAlert(slot, text, home);
}

export function roleLabel(role: Role): string {
  return t(`role.${role}` as MessageKey);
}

/**
 * Whether a screen change may take the focus: it is on nothing in
 * particular (the page), inside `within` (the part being replaced), or on a
 * non-interactive element such as a heading focused by an earlier change.
 * A control the user is on elsewhere (a button, a field) keeps it.
 */
export function focusIsFree(within: HTMLElement): boolean {
  const active = document.activeElement as HTMLElement | null;
  if (!active || active === document.body || within.contains(active)) return true;
  return active.tabIndex < 0;
}

/**
 * Scrolls the page as little as needed for `first` to `last` (in page order)
 * to be in view; when they do not fit together, `first` stays in view (its
 * top at the top of the screen). No scrolling when they are already there.
 */
export function bringIntoView(first: Element, last: Element, margin = 8): void {
  const top = first.getBoundingClientRect().top;
  const bottom = last.getBoundingClientRect().bottom;
  const height = window.innerHeight;
  // At once: a page-wide smooth scrolling would leave the feedback half way.
  if (bottom + margin > height) window.scrollBy({ top: Math.min(bottom + margin - height, top - margin), behavior: 'instant' });
  else if (top < margin) window.scrollBy({ top: top - margin, behavior: 'instant' });
}
