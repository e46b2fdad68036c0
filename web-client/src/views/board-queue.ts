// The trainer's moderation queue: the posts waiting for approval, oldest
// first, above the board, each with "Valider" and "Masquer", and "Tout
// valider", which sends one `approve` per pending post and waits for every
// acknowledgement before saying how many were approved (and how many were
// refused, if any). The queue is hidden while nothing waits.

import type { BoardCommand, Post } from '../board-protocol';
import { postHeading } from '../board-format';
import { pendingPosts, type BoardState } from '../board-state';
import type { CommandResult } from '../client';
import { h } from '../dom';
import { t, tn } from '../i18n';
import { keyedSlot } from './quiz-common';

export interface ModerationQueue {
  root: HTMLElement;
  update(state: BoardState | undefined): void;
}

export function moderationQueue(
  send: (command: BoardCommand) => Promise<CommandResult>,
  announce: (text: string) => void,
): ModerationQueue {
  const list = keyedSlot();
  const outcome = h('p', { class: 'fr-text--sm fr-mb-0', role: 'status', 'data-testid': 'queue-outcome' });
  const approveAll = h('button', { type: 'button', class: 'fr-btn fr-btn--icon-left fr-icon-list-check', 'data-testid': 'approve-all' });
  const heading = h('h2', { id: 'board-queue-title', class: 'fr-h5' });
  const root = h('section', { class: 'amphi-panel amphi-board-queue fr-mt-2w', 'aria-labelledby': 'board-queue-title', 'data-testid': 'moderation-queue', hidden: true },
    h('div', { class: 'amphi-titlebar' }, heading, approveAll), list.root, outcome);
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

  function row(post: Post): HTMLElement {
    const title = postHeading(post);
    const approve = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--icon-left fr-icon-check-line',
      'aria-label': t('board.queue.approveLabel', { title }) }, t('board.approve'));
    approve.addEventListener('click', () => void send({ action: 'approve', post: post.id }));
    const hide = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-eye-off-line',
      'aria-label': t('board.queue.hideLabel', { title }) }, t('board.hide'));
    hide.addEventListener('click', () => void send({ action: 'hide', post: post.id }));
    return h('li', { class: 'amphi-list__item amphi-board-queue__item', 'data-testid': 'queued-post' },
      h('div', {},
        h('p', { class: 'fr-text--bold fr-mb-0' }, title),
        h('p', { class: 'fr-text--sm fr-mb-0' }, post.author_name ?? t('board.queue.anonymous'))),
      h('div', { class: 'amphi-buttons' }, approve, hide));
  }

  return {
    root,
    update(state) {
      pending = state ? pendingPosts(state) : [];
      root.hidden = pending.length === 0 && !outcome.textContent;
      heading.textContent = t('board.queue.title', { count: pending.length });
      approveAll.textContent = t('board.queue.approveAll', { count: pending.length });
      approveAll.hidden = pending.length === 0;
      list.render(JSON.stringify(pending.map((p) => [p.id, p.version, p.title, p.text, p.author_name])), () =>
        pending.length === 0
          ? h('p', { class: 'fr-mb-1w' }, t('board.queue.empty'))
          : h('ol', { class: 'amphi-list', 'data-testid': 'queue' }, ...pending.map(row)));
    },
  };
}
