// "Mes badges" (`/mes-badges`): every badge and certificate of the person
// at this browser: those the server lists for the tokens this tab holds (a
// platform user's, from an LTI launch or a trainer's token; a guest's
// session while it lasts) and those this browser was shown and kept (a
// guest's, after their session), newest first, each with its files. The
// kept ones can be forgotten on a shared computer.

import type { App } from '../app';
import { ApiError } from '../api';
import { myAwards, type Award } from '../badges-api';
import { h } from '../dom';
import { errorText, t, tn } from '../i18n';
import { loadSession, loadTrainerToken } from '../session';
import { forgetKeptAwards, keptAwards, mergeAwards, renderAwards } from './badge-awards';

export function renderMyBadges(app: App, fetchImpl: typeof fetch = fetch): { root: HTMLElement; dispose(): void } {
  const status = h('p', { role: 'status', class: 'fr-text--sm', 'data-testid': 'my-badges-status' });
  const list = h('div', { 'data-testid': 'my-badges' });
  const forget = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-mt-2w', hidden: true, 'data-testid': 'forget-badges' },
    t('badges.forgetKept'));
  const verify = h('a', { class: 'fr-link fr-icon-arrow-right-line fr-link--icon-right', href: '/badges/verifier' }, t('badges.verifyLink'));
  verify.addEventListener('click', (ev) => {
    ev.preventDefault();
    app.navigate('/badges/verifier');
  });
  const root = h('div', { class: 'amphi-my-badges' },
    h('h1', { tabindex: '-1' }, t('badges.mineTitle')),
    h('p', {}, t('badges.mineIntro')),
    status, list, forget, h('p', { class: 'fr-mt-4w' }, verify));
  let disposed = false;

  function draw(awards: Award[], problem?: string): void {
    if (disposed) return;
    renderAwards(list, awards, Date.now(), 'h2');
    forget.hidden = keptAwards(app.local).length === 0;
    if (problem) status.textContent = problem;
    else status.textContent = awards.length === 0 ? t('badges.mineNone') : tn('badges.mineCount', awards.length);
  }

  forget.addEventListener('click', () => {
    forgetKeptAwards(app.local);
    void load();
  });

  /** The tokens this tab holds that may have awards: a platform user's or trainer's, a guest's resume token. */
  function tokens(): string[] {
    const found = [loadTrainerToken(app.store), app.client?.bearerToken ?? loadSession(app.store)?.resumeToken ?? ''];
    return [...new Set(found.filter(Boolean))];
  }

  async function load(): Promise<void> {
    status.textContent = t('badges.mineLoading');
    const kept = keptAwards(app.local);
    let problem: string | undefined;
    const listed: Award[][] = [];
    for (const token of tokens()) {
      try {
        listed.push(await myAwards(token, undefined, fetchImpl));
      } catch (e) {
        // An ended guest session's token is refused: its awards are the kept ones.
        if (e instanceof ApiError && e.code === 'unauthorized') continue;
        problem = e instanceof ApiError && e.code !== 'network' ? errorText(e.code) : t('badges.mineUnreachable');
      }
    }
    // The server's copy first (a revocation since), then the kept ones.
    draw(mergeAwards(...listed, kept), problem);
  }

  void load();
  return { root, dispose() { disposed = true; } };
}
