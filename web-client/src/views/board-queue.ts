// The trainer's moderation queue: the posts waiting for approval, oldest
// first, above the board, each with "Valider" and "Masquer", and "Tout
// valider", which sends one `approve` per pending post and waits for every
// acknowledgement before saying how many were approved (and how many were
// refused, if any). The queue is hidden while nothing waits. The list is
// drawn with lit-html, one row per post (keyed by its id): a post arriving or
// going leaves the other rows, and a focused button, as they are; when the
// focused row goes, the focus goes to the next row's same button (or the
// queue's heading).

import type { BoardCommand, Post } from '../board-protocol';
import { postHeading } from '../board-format';
import { pendingPosts, type BoardState } from '../board-state';
import type { CommandResult } from '../client';
import { h } from '../dom';
import { t, tn } from '../i18n';
import { html, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { renderKeepingFocus } from './breakout-common';

export interface ModerationQueue {
  root: HTMLElement;
  update(state: BoardState | undefined): void;
}

export function moderationQueue(
  send: (command: BoardCommand) => Promise<CommandResult>,
  announce: (text: string) => void,
): ModerationQueue {
  const list = h('div');
  const outcome = h('p', { class: 'fr-text--sm fr-mb-0', role: 'status', 'data-testid': 'queue-outcome' });
  const approveAll = h('button', { type: 'button', class: 'fr-btn fr-btn--icon-left fr-icon-list-check', 'data-testid': 'approve-all' });
  const heading = h('h2', { id: 'board-queue-title', class: 'fr-h5', tabindex: '-1' });
  const root = h('section', { class: 'amphi-panel amphi-board-queue fr-mt-2w', 'aria-labelledby': 'board-queue-title', 'data-testid': 'moderation-queue', hidden: true },
    h('div', { class: 'amphi-titlebar' }, heading, approveAll), list, outcome);
  let pending: Post[] = [];

  approveAll.addEventListener('click', async () => {
    const posts = pending;
    if (posts.length === 0) return;
    approveAll.disabled = true;
    outcome.textContent = '';
    const results = await Promise.all(posts.map((post) => send({ action: 'approve', post: post.id })));
    approveAll.disabled = false;
    const approved = results.filter((r) => r.ok).length;
    const refused = results.length - approved;
    const text = refused === 0
      ? tn('board.queue.approvedAll', approved)
      : tn('board.queue.approvedSome', approved, { refused });
    outcome.textContent = text;
    announce(text);
  });

  function row(post: Post): TemplateResult {
    const title = postHeading(post);
    return html`<li class="amphi-list__item amphi-board-queue__item" data-testid="queued-post">
      <div>
        <p class="fr-text--bold fr-mb-0">${title}</p>
        <p class="fr-text--sm fr-mb-0">${post.author_name ?? t('board.queue.anonymous')}</p>
      </div>
      <div class="amphi-buttons">
        <button type="button" class="fr-btn fr-btn--sm fr-btn--icon-left fr-icon-check-line" data-focus="queue-approve"
          aria-label=${t('board.queue.approveLabel', { title })} @click=${() => void send({ action: 'approve', post: post.id })}>${t('board.approve')}</button>
        <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-eye-off-line" data-focus="queue-hide"
          aria-label=${t('board.queue.hideLabel', { title })} @click=${() => void send({ action: 'hide', post: post.id })}>${t('board.hide')}</button>
      </div>
    </li>`;
  }

  /** Where the focus goes when the focused row went: the same button of the row now in its place, else the heading. */
  function focusAfter(position: number, which: string | undefined): HTMLElement | null {
    if (root.hidden) return null;
    const rows = [...list.querySelectorAll<HTMLElement>('[data-testid="queued-post"]')];
    const next = rows[Math.min(position, rows.length - 1)];
    return next?.querySelector<HTMLElement>(`[data-focus="${which}"]`) ?? heading;
  }

  return {
    root,
    update(state) {
      pending = state ? pendingPosts(state) : [];
      root.hidden = pending.length === 0 && !outcome.textContent;
      heading.textContent = t('board.queue.title', { count: pending.length });
      approveAll.textContent = t('board.queue.approveAll', { count: pending.length });
      approveAll.hidden = pending.length === 0;
      // The focused row's place, for the focus to stay there if it goes.
      const active = document.activeElement as HTMLElement | null;
      const focusedRow = active && list.contains(active) ? active.closest<HTMLElement>('[data-testid="queued-post"]') : null;
      const position = focusedRow ? [...list.querySelectorAll('[data-testid="queued-post"]')].indexOf(focusedRow) : -1;
      const which = active?.dataset.focus;
      renderKeepingFocus(pending.length === 0
        ? html`<p class="fr-mb-1w">${t('board.queue.empty')}</p>`
        : html`<ol class="amphi-list" data-testid="queue">${repeat(pending, (p) => p.id, row)}</ol>`,
      list, () => focusAfter(position, which));
    },
  };
}
