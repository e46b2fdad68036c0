// "Badge obtenu" on a participant's screen: once the activity may have
// recognised them (the quiz ended, the ateliers closed…), asks the server
// for this member's awards of this activity (`GET /api/v1/me/badges`, with
// the member's bearer token) a few times, as the award is written with the
// completion shortly after the end, and no more once some are there (every
// badge a completion earns is written in its one transaction); shows them with their files (see
// badge-awards.ts), says so once to screen readers, and keeps them in this
// browser for "Mes badges". Hidden while there is none.

import type { App } from '../app';
import { myAwards, type Award } from '../badges-api';
import type { AmphiClient } from '../client';
import { h } from '../dom';
import { t, tn } from '../i18n';
import type { RoomId } from '../protocol';
import { keepAwards, renderAwards } from './badge-awards';

/** How long to wait before each ask, in ms (from the previous answer): the award follows the completion's commit. */
export const CHECK_DELAYS_MS = [0, 1_500, 2_500, 6_000, 20_000] as const;

export interface BadgeEarned {
  root: HTMLElement;
  /** The activity may have recognised this member: look (again), a few times until found. */
  check(): void;
  /** Look once (a screen opened on an activity that may have recognised this member before). */
  lookOnce(): void;
  dispose(): void;
}

export function badgeEarned(app: App, client: AmphiClient, roomId: RoomId, fetchImpl: typeof fetch = fetch): BadgeEarned {
  const heading = h('h2', { class: 'fr-h4', id: `earned-${roomId}` });
  const list = h('div');
  const keep = h('p', { class: 'fr-text--sm amphi-muted' }, t('badges.keepHint'));
  const mine = h('a', { class: 'fr-link fr-icon-arrow-right-line fr-link--icon-right', href: '/mes-badges' }, t('badges.allMine'));
  mine.addEventListener('click', (ev) => {
    ev.preventDefault();
    app.navigate('/mes-badges');
  });
  const root = h('section', { class: 'amphi-earned fr-mt-4w', 'aria-labelledby': heading.id, 'data-testid': 'badge-earned', hidden: true },
    heading, list, keep, mine);
  let timers: ReturnType<typeof setTimeout>[] = [];
  let shown = new Set<string>();
  let disposed = false;

  function show(awards: Award[]): void {
    if (awards.length === 0 || disposed) return;
    keepAwards(app.local, awards);
    const fresh = awards.filter((a) => !shown.has(a.id));
    shown = new Set(awards.map((a) => a.id));
    heading.textContent = tn('badges.earnedTitle', awards.length);
    renderAwards(list, awards, Date.now());
    root.hidden = false;
    if (fresh.length > 0) app.announce(t('badges.announceEarned', { names: fresh.map((a) => a.badge_name).join(', ') }));
  }

  /** Whether awards were found. */
  async function look(): Promise<boolean> {
    const token = client.bearerToken;
    if (!token || disposed) return false;
    try {
      const awards = await myAwards(token, roomId, fetchImpl);
      show(awards);
      return awards.length > 0;
    } catch {
      return false; // offline or refused: the next check (or "Mes badges") will say
    }
  }

  /** Looks after `CHECK_DELAYS_MS[step]`, then at the next step until found. */
  function lookFrom(step: number): void {
    if (step >= CHECK_DELAYS_MS.length) return;
    timers.push(setTimeout(() => void look().then((found) => {
      if (!found && !disposed) lookFrom(step + 1);
    }), CHECK_DELAYS_MS[step]));
  }

  return {
    root,
    check() {
      for (const timer of timers) clearTimeout(timer);
      timers = [];
      lookFrom(0);
    },
    lookOnce() {
      void look();
    },
    dispose() {
      disposed = true;
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
