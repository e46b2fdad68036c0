// What the ateliers screens share: the command helper (through the pending
// queue: kept offline, resent under the same id), labels of modes, states
// and statuses in words, a ticking clock for the countdowns (role="timer",
// not live: warnings are read out from the server's `time_warning`), a
// production (text kept as text, its link only if http(s)), the broadcasts
// list (newest first, items added without redrawing the others), the
// productions shown to the plenary (lit-html templates), and a lit-html render
// that keeps the focus (or gives it to the card's heading when the focused
// control is gone).

import type { AssignmentMode, AtelierState, Broadcast, BreakoutCommand, Production, SessionStatus, SharedRecording } from '../breakout-protocol';
import { isWebLink } from '../board-format';
import { formatCountdown, remainingMs } from '../quiz-format';
import type { AmphiClient, CommandResult } from '../client';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
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
export function stateBadge(state: AtelierState): TemplateResult {
  return html`<p class="fr-badge fr-badge--sm fr-badge--no-icon fr-mb-0 ${STATE_BADGE[state]}" data-testid="atelier-state">${t(STATE_LABEL[state])}</p>`;
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
  /** A countdown; with a `key`, the same element again as long as its deadline and label stay (a redraw keeps it). */
  element(endsAt: number | undefined, label: string, key?: string): HTMLElement;
  dispose(): void;
} {
  type Entry = { el: HTMLElement; value: HTMLElement; endsAt: number };
  const shown = new Set<Entry>();
  const kept = new Map<string, { endsAt: number | undefined; label: string; el: HTMLElement; entry?: Entry }>();
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
    element(endsAt, label, key) {
      const again = key === undefined ? undefined : kept.get(key);
      if (again && again.endsAt === endsAt && again.label === label) {
        if (again.entry) {
          shown.add(again.entry);
          queueMicrotask(tick);
        }
        return again.el;
      }
      const value = h('span', { class: 'amphi-countdown__value', 'data-testid': 'atelier-countdown' });
      const el = h('p', { class: 'amphi-countdown amphi-atelier-countdown', role: 'timer', 'aria-label': label },
        h('span', { class: 'fr-icon-timer-line amphi-countdown__icon', 'aria-hidden': 'true' }), value);
      if (endsAt === undefined) {
        el.hidden = true;
        if (key !== undefined) kept.set(key, { endsAt, label, el });
        return el;
      }
      const entry = { el, value, endsAt };
      if (key !== undefined) kept.set(key, { endsAt, label, el, entry });
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
export function productionBlock(p: Production, withAtelier = false): TemplateResult {
  const link = p.link && isWebLink(p.link)
    ? html`<p class="fr-mb-1w"><a class="fr-link" href=${p.link} target="_blank" rel="noopener noreferrer" data-testid="production-link"
        title=${t('breakout.newWindow', { text: p.link })}>${p.link}</a></p>`
    : nothing;
  return html`<div class="amphi-production" data-testid="production" data-atelier=${p.atelier}>
    ${withAtelier ? html`<p class="amphi-production__atelier" data-testid="production-atelier">${p.atelier_name}</p>` : nothing}
    ${p.text ? html`<p class="amphi-production__text" data-testid="production-text">${p.text}</p>` : nothing}
    ${link}
    <p class="fr-text--sm fr-mb-0 amphi-muted">${t('breakout.production.meta', { name: p.by_name, version: p.version, time: formatTime(p.at) })}</p>
  </div>`;
}

/** The productions shown to the plenary, each labelled with its atelier (one item per atelier, kept across redraws). */
export function publishedList(list: readonly Production[]): TemplateResult {
  if (!list.length) return html`<p class="fr-text--sm amphi-muted" data-testid="published-empty">${t('breakout.published.none')}</p>`;
  return html`<ul class="amphi-published" data-testid="published">
    ${repeat(list, (p) => p.atelier, (p) => html`<li class="amphi-published__item">${productionBlock(p, true)}</li>`)}
  </ul>`;
}

/** When a recording was made and how long it lasts, as far as BigBlueButton said. */
export function recordingMeta(startedAt: number, lengthMinutes: number): string {
  const parts: string[] = [];
  if (startedAt > 0) parts.push(t('breakout.recordings.startedAt', { time: formatTime(startedAt) }));
  if (lengthMinutes > 0) parts.push(t('breakout.recordings.length', { minutes: lengthMinutes }));
  return parts.join(' · ');
}

/** A link to a recording in BigBlueButton's player (a new window). */
export function recordingLink(url: string, name: string, testId = 'recording-link'): TemplateResult {
  const text = t('breakout.recordings.watch', { name });
  return html`<a class="fr-link" href=${url} target="_blank" rel="noopener noreferrer" data-testid=${testId} title=${t('breakout.newWindow', { text })}>${text}</a>`;
}

/** The recordings shown to the plenary, each labelled with its atelier; nothing when there are none. */
export function sharedRecordingsList(list: readonly SharedRecording[]): TemplateResult | typeof nothing {
  if (!list.length) return nothing;
  return html`<div class="fr-mt-2w">
    <h3 class="fr-h5" id="shared-recordings-title">${t('breakout.recordings.shared')}</h3>
    <ul class="amphi-published" data-testid="shared-recordings" aria-labelledby="shared-recordings-title">
      ${repeat(list, (r) => r.record_id, (r) => html`<li class="amphi-published__item" data-testid="shared-recording" data-record=${r.record_id}>
        <p class="amphi-production__atelier">${r.atelier_name || r.atelier}</p>
        <p class="fr-mb-1w">${recordingLink(r.url, r.atelier_name || r.atelier, 'shared-recording-link')}</p>
        <p class="fr-text--sm fr-mb-0 amphi-muted">${recordingMeta(r.started_at, r.length_minutes)}</p>
      </li>`)}
    </ul>
  </div>`;
}

/** What the plenary sees: the published productions, then the shared recordings. */
export function plenaryTemplate(published: readonly Production[], recordings: readonly SharedRecording[]): TemplateResult {
  return html`${publishedList(published)}${sharedRecordingsList(recordings)}`;
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
 * Renders `value` into `root` with lit-html (what did not change stays, so
 * a focused control keeps the focus; one moved by a reordered list gets it
 * back). When the focused control is gone or
 * disabled by the render, the focus goes to the heading of its
 * `data-card` (when the card is still there), else to `fallback`.
 */
export function renderKeepingFocus(value: unknown, root: HTMLElement, fallback: () => HTMLElement | null = () => null): void {
  const active = document.activeElement as HTMLElement | null;
  const inside = active && active !== root && root.contains(active) ? active : null;
  const card = inside?.closest<HTMLElement>('[data-card]');
  render(value, root);
  if (!inside) return;
  const now = document.activeElement;
  if (now && now !== inside && now !== document.body) return; // the focus went somewhere on purpose
  if (inside.isConnected && root.contains(inside) && !(inside as HTMLButtonElement).disabled) {
    // Still there: a list reordered by moving it loses the focus in browsers, so it is given back.
    if (now !== inside) inside.focus();
    return;
  }
  const heading = card?.isConnected && root.contains(card) ? card.querySelector<HTMLElement>('[data-card-heading]') : null;
  (heading ?? fallback())?.focus();
}
