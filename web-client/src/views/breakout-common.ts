// What the ateliers screens share: the command helper (through the pending
// queue: kept offline, resent under the same id), labels of modes, states
// and statuses in words, a ticking clock for the countdowns (role="timer",
// not live: warnings are read out from the server's `time_warning`), a
// production (text kept as text, its link only if http(s)), the broadcasts
// list (newest first, items added without redrawing the others), the
// productions shown to the plenary, and a re-render that keeps the focus on
// the same control (or its card's heading when the control is gone).

import type { AssignmentMode, AtelierState, Broadcast, BreakoutCommand, Production, SessionStatus, SharedRecording } from '../breakout-protocol';
import { isWebLink } from '../board-format';
import { formatCountdown, remainingMs } from '../quiz-format';
import type { AmphiClient, CommandResult } from '../client';
import { h, setChildren } from '../dom';
import { errorText, formatTime, fr, t, type MessageKey } from '../i18n';
import type { Command, RoomId } from '../protocol';

export const MODE_LABEL: Record<AssignmentMode, MessageKey> = {
  manual: 'breakout.mode.manual',
  random: 'breakout.mode.random',
  balanced: 'breakout.mode.balanced',
  free_choice: 'breakout.mode.free_choice',
};

export const STATE_LABEL: Record<AtelierState, MessageKey> = {
  pending: 'breakout.state.pending',
  open: 'breakout.state.open',
  closed: 'breakout.state.closed',
};

const STATE_BADGE: Record<AtelierState, string> = {
  pending: 'fr-badge--info',
  open: 'fr-badge--success',
  closed: '',
};

export const STATUS_LABEL: Record<SessionStatus, MessageKey> = {
  preparing: 'breakout.status.preparing',
  running: 'breakout.status.running',
  plenary: 'breakout.status.plenary',
};

export function sendBreakout(client: AmphiClient, room: RoomId, command: BreakoutCommand): Promise<CommandResult> {
  return client.command({ type: 'breakout', room, command });
}

/** An atelier's state as a badge, in words (never by colour alone). */
export function stateBadge(state: AtelierState): HTMLElement {
  return h('p', { class: `fr-badge fr-badge--sm fr-badge--no-icon fr-mb-0 ${STATE_BADGE[state]}`, 'data-testid': 'atelier-state' }, t(STATE_LABEL[state]));
}

/** A breakout command's refusal in words. */
export function breakoutErrorText(code: string, command?: Command): string {
  const action = command?.type === 'breakout' ? command.command.action : undefined;
  const specific = `breakout.error.${action}.${code}` as MessageKey;
  if (action && specific in fr) return t(specific);
  const key = `breakout.error.${code}` as MessageKey;
  return key in fr ? t(key) : errorText(code);
}

/**
 * Countdowns to server-time deadlines: each registered element shows the
 * time left, refreshed twice a second. A countdown is a `role="timer"`
 * (not read out as it changes).
 */
export function countdowns(serverNow: () => number): {
  element(endsAt: number | undefined, label: string): HTMLElement;
  dispose(): void;
} {
  const shown = new Set<{ el: HTMLElement; value: HTMLElement; endsAt: number }>();
  const tick = () => {
    for (const entry of [...shown]) {
      if (!entry.el.isConnected) {
        shown.delete(entry);
        continue;
      }
      const ms = remainingMs(entry.endsAt, serverNow());
      entry.value.textContent = ms > 0 ? formatCountdown(ms) : t('breakout.timeUp');
      const low = ms > 0 && ms <= 60_000;
      entry.el.classList.toggle('amphi-countdown--low', low);
    }
  };
  const timer = setInterval(tick, 500);
  return {
    element(endsAt, label) {
      const value = h('span', { class: 'amphi-countdown__value', 'data-testid': 'atelier-countdown' });
      const el = h('p', { class: 'amphi-countdown amphi-atelier-countdown', role: 'timer', 'aria-label': label },
        h('span', { class: 'fr-icon-timer-line amphi-countdown__icon', 'aria-hidden': 'true' }), value);
      if (endsAt === undefined) {
        el.hidden = true;
        return el;
      }
      const entry = { el, value, endsAt };
      shown.add(entry);
      queueMicrotask(tick);
      const ms = remainingMs(endsAt, serverNow());
      value.textContent = ms > 0 ? formatCountdown(ms) : t('breakout.timeUp');
      return el;
    },
    dispose: () => clearInterval(timer),
  };
}

/** A production: its text (line breaks kept), its link, who handed it in and which version. */
export function productionBlock(p: Production, withAtelier = false): HTMLElement {
  const link = p.link && isWebLink(p.link)
    ? h('p', { class: 'fr-mb-1w' }, h('a', { class: 'fr-link', href: p.link, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'production-link',
      title: t('breakout.newWindow', { text: p.link }) }, p.link))
    : null;
  return h('div', { class: 'amphi-production', 'data-testid': 'production', 'data-atelier': p.atelier },
    withAtelier ? h('p', { class: 'amphi-production__atelier', 'data-testid': 'production-atelier' }, p.atelier_name) : null,
    p.text ? h('p', { class: 'amphi-production__text', 'data-testid': 'production-text' }, p.text) : null,
    link,
    h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' }, t('breakout.production.meta', { name: p.by_name, version: p.version, time: formatTime(p.at) })));
}

/** The productions shown to the plenary, each labelled with its atelier. */
export function publishedList(list: readonly Production[]): HTMLElement {
  if (!list.length) return h('p', { class: 'fr-text--sm amphi-muted', 'data-testid': 'published-empty' }, t('breakout.published.none'));
  return h('ul', { class: 'amphi-published', 'data-testid': 'published' },
    ...list.map((p) => h('li', { class: 'amphi-published__item' }, productionBlock(p, true))));
}

/** When a recording was made and how long it lasts, as far as BigBlueButton said. */
export function recordingMeta(startedAt: number, lengthMinutes: number): string {
  const parts: string[] = [];
  if (startedAt > 0) parts.push(t('breakout.recordings.startedAt', { time: formatTime(startedAt) }));
  if (lengthMinutes > 0) parts.push(t('breakout.recordings.length', { minutes: lengthMinutes }));
  return parts.join(' · ');
}

/** A link to a recording in BigBlueButton's player (a new window). */
export function recordingLink(url: string, name: string, testId = 'recording-link'): HTMLElement {
  const text = t('breakout.recordings.watch', { name });
  return h('a', { class: 'fr-link', href: url, target: '_blank', rel: 'noopener noreferrer',
    'data-testid': testId, title: t('breakout.newWindow', { text }) }, text);
}

/** The recordings shown to the plenary, each labelled with its atelier; nothing when there are none. */
export function sharedRecordingsList(list: readonly SharedRecording[]): HTMLElement[] {
  if (!list.length) return [];
  return [h('div', { class: 'fr-mt-2w' },
    h('h3', { class: 'fr-h5', id: 'shared-recordings-title' }, t('breakout.recordings.shared')),
    h('ul', { class: 'amphi-published', 'data-testid': 'shared-recordings', 'aria-labelledby': 'shared-recordings-title' },
      ...list.map((r) => h('li', { class: 'amphi-published__item', 'data-testid': 'shared-recording', 'data-record': r.record_id },
        h('p', { class: 'amphi-production__atelier' }, r.atelier_name || r.atelier),
        h('p', { class: 'fr-mb-1w' }, recordingLink(r.url, r.atelier_name || r.atelier, 'shared-recording-link')),
        h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' }, recordingMeta(r.started_at, r.length_minutes))))))];
}

/** The broadcasts, newest first; new ones are prepended so a screen reader reads only them. */
export function broadcastsList(headingId: string, heading: string): { root: HTMLElement; update(list: readonly Broadcast[], atelierName?: (id: string) => string): void } {
  const empty = h('p', { class: 'fr-text--sm amphi-muted' }, t('breakout.broadcasts.none'));
  const list = h('ul', { class: 'amphi-announcements', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-labelledby': headingId, 'data-testid': 'broadcasts' });
  const root = h('section', { class: 'fr-mt-4w', 'aria-labelledby': headingId },
    h('h2', { id: headingId, class: 'fr-h4' }, heading), empty, list);
  let shown: string[] = [];
  const item = (b: Broadcast, atelierName?: (id: string) => string) =>
    h('li', { class: 'amphi-announcement', 'data-testid': 'broadcast' },
      h('p', { class: 'amphi-announcement__text' }, b.text),
      h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' },
        t('lobby.announcementFrom', { name: b.from_name, time: formatTime(b.at) }),
        b.atelier && atelierName ? ` · ${t('breakout.broadcast.to', { name: atelierName(b.atelier) })}` : ''));
  return {
    root,
    update(broadcasts, atelierName) {
      const ids = broadcasts.map((b) => b.id);
      const extends_ = shown.length <= ids.length && shown.every((id, i) => id === ids[i]);
      if (extends_) for (const b of broadcasts.slice(shown.length)) list.prepend(item(b, atelierName));
      else setChildren(list, ...[...broadcasts].reverse().map((b) => item(b, atelierName)));
      shown = ids;
      empty.hidden = broadcasts.length > 0;
    },
  };
}

/**
 * Redraws `slot` only when `key` changed; the focus, if it was inside,
 * goes back to the control with the same `data-focus` (or, when it is
 * gone, to the heading of its `data-card`, or to `fallback`).
 */
export function keyedFocusSlot(fallback: () => HTMLElement | null): { root: HTMLElement; render(key: string, build: () => Node[]): void } {
  const root = h('div');
  let last: string | undefined;
  return {
    root,
    render(key, build) {
      if (key === last) return;
      last = key;
      const active = document.activeElement as HTMLElement | null;
      const inside = active && root.contains(active) ? active : null;
      const focusKey = inside?.closest<HTMLElement>('[data-focus]')?.dataset.focus;
      const cardKey = inside?.closest<HTMLElement>('[data-card]')?.dataset.card;
      setChildren(root, ...build());
      if (!inside) return;
      const again = focusKey ? root.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusKey)}"]`) : null;
      const usable = again && !(again as HTMLButtonElement).disabled ? again : null;
      const heading = cardKey ? root.querySelector<HTMLElement>(`[data-card="${CSS.escape(cardKey)}"] [data-card-heading]`) : null;
      (usable ?? heading ?? fallback())?.focus();
    },
  };
}
