// The board itself, shared by the participant's phone, the trainer's console
// and the projector: sections as columns (stacked on narrow screens), or one
// wall, drawn with lit-html: the sections keyed by their id, the cards in
// each by their post's (a card stays mounted and is only moved when the
// order changes, the focus staying where it was); posts still queued (made
// offline, or not yet acknowledged) show at the end of their section until
// the server's copy arrives. Leaders can drag a card by its handle (pointer events) onto
// another card or section; the buttons of each card do the same from the
// keyboard.

import { dropTarget, isQueued, likedNow, ratedNow, switchedOff, moveDown, moveUp, postHeading, queuedPosts, type MoveTarget, type QueuedPost } from '../board-format';
import type { Post, Section } from '../board-protocol';
import { orderedPosts, sectionPosts, writeBlock, type BoardState } from '../board-state';
import type { ConnectionStatus } from '../client';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { h } from '../dom';
import { t, tn } from '../i18n';
import { leads, type Command, type Role } from '../protocol';
import { postCard, type CardActions, type CardContext, type PostCard } from './board-card';
import { followPointer } from './pointer-drag';

export interface BoardRender {
  state: BoardState;
  me: string | undefined;
  role: Role;
  now: number;
  /** The room's commands waiting for their answer. */
  pending: readonly Command[];
  status: ConnectionStatus;
}

export interface BoardView {
  root: HTMLElement;
  update(r: BoardRender): void;
  /** The heading of a section (or of the wall), to take the focus when a card goes. */
  sectionHeading(section: string): HTMLElement | null;
}

/** Commands that change a post: its card is busy until they are answered. */
const BUSY = new Set(['edit', 'delete', 'move', 'approve', 'hide', 'unhide']);

/** A section's list: the cards (kept elements) and the queued posts' placeholders. */
type Item = { key: string; li: HTMLLIElement } | { key: string; queued: QueuedPost };

/** A column (or the wall): its id ("wall" for the wall), title, Section and posts. */
interface Group { id: string; title: string; section?: Section; posts: Post[] }

export function boardView(opts: { projector?: boolean; actions: CardActions }): BoardView {
  const root = h('div', { class: 'amphi-board', 'data-testid': 'board' });
  const cards = new Map<string, { card: PostCard; li: HTMLLIElement }>();
  let last: BoardRender | null = null;

  /** A section (or the wall): its heading, lock, count and its list. */
  function sectionTemplate(g: Group, items: readonly Item[], srOnly: boolean, status: ConnectionStatus): TemplateResult {
    const headingId = `board-section-${g.id}`;
    return html`<section class="amphi-board__section" aria-labelledby=${headingId} data-testid="board-section">
      <div class="amphi-board__head">
        <h2 id=${headingId} class="fr-h5 amphi-board__title${srOnly ? ' fr-sr-only' : ''}" tabindex="-1">${g.title}</h2>
        <p class="fr-badge fr-badge--sm fr-badge--warning amphi-board__locked" ?hidden=${!g.section?.locked}><span class="fr-icon-lock-line fr-icon--sm" aria-hidden="true"></span> ${t('board.section.locked')}</p>
      </div>
      <p class="fr-text--sm amphi-muted fr-mb-1w" data-testid="section-count">${tn('board.section.count', g.posts.length)}</p>
      <p class="fr-text--sm amphi-muted" ?hidden=${items.length > 0}>${t('board.section.empty')}</p>
      <ol class="amphi-board__posts" data-section=${g.id}>${repeat(items, (i) => i.key, (i) => ('li' in i ? i.li : placeholder(i.queued, status)))}</ol>
    </section>`;
  }

  /** The columns (or the wall) to show. */
  function groups(r: BoardRender): Group[] {
    const state = r.state;
    if (state.settings.layout === 'wall') {
      return [{ id: 'wall', title: t('board.wall'), posts: orderedPosts(state) }];
    }
    return state.sections.map((s) => ({ id: s.id, title: s.title || t('board.postsHeading'), section: s, posts: sectionPosts(state, s.id) }));
  }

  function contextOf(r: BoardRender, post: Post, sectionIds: string[]): CardContext {
    const state = r.state;
    const leader = leads(r.role);
    const projector = Boolean(opts.projector);
    const wallSection = state.settings.layout === 'wall' && state.sections.length > 1
      ? state.sections.find((s) => s.id === post.section)?.title : undefined;
    return {
      me: r.me,
      leader: leader && !projector,
      projector,
      liked: likedNow(state.liked, r.pending, post.id),
      reactions: state.settings.reactions ?? 'likes',
      stars: ratedNow(state.rated, r.pending, post.id),
      switchedOff: [...switchedOff(state.settings, r.role)],
      canLike: !projector && r.role !== 'observer' && post.status === 'visible' && (leader || state.settings.mode !== 'closed'),
      canWrite: !projector && writeBlock(state, r.role, r.now, post.section) === null,
      busy: r.pending.some((c) => c.type === 'board' && BUSY.has(c.command.action) && isQueued([c], post.id)),
      sectionTitle: wallSection || undefined,
      moves: leader && !projector ? {
        up: moveUp(sectionIds, post.section, post.id),
        down: moveDown(sectionIds, post.section, post.id),
        sections: state.sections,
      } : undefined,
    };
  }

  function placeholder(q: QueuedPost, status: ConnectionStatus): TemplateResult {
    const waiting = status === 'online' ? t('board.queued.sending') : t('board.queued.offline');
    const heading = postHeading({ title: q.content.title ?? '', text: q.content.text ?? '' });
    return html`<li class="amphi-board__item" data-queued=${q.id}>
      <article class="amphi-post amphi-post--queued" data-testid="queued-post" aria-label=${heading}>
        <p class="fr-badge fr-badge--sm fr-badge--info amphi-post__badge"><span class="fr-icon-time-line fr-icon--sm" aria-hidden="true"></span> ${waiting}</p>
        <p class="amphi-post__title">${heading}</p>
        ${q.content.text ? html`<p class="amphi-post__text">${q.content.text}</p>` : nothing}
      </article>
    </li>`;
  }

  function update(r: BoardRender): void {
    last = r;
    const state = r.state;
    const wanted = groups(r);
    root.className = `amphi-board amphi-board--${state.settings.layout}${opts.projector ? ' amphi-board--projector' : ''}`;
    const all = orderedPosts(state);
    const queued = opts.projector ? [] : queuedPosts(r.pending, all, r.me);
    const seen = new Set<string>();
    const placed = wanted.map((g) => {
      const ids = g.posts.map((p) => p.id);
      const items: Item[] = g.posts.map((post) => {
        seen.add(post.id);
        let entry = cards.get(post.id);
        const ctx = contextOf(r, post, g.section ? ids : sectionPosts(state, post.section).map((p) => p.id));
        if (!entry) {
          const card = postCard(post, ctx, opts.actions);
          entry = { card, li: h('li', { class: 'amphi-board__item', 'data-post': post.id }, card.root) };
          cards.set(post.id, entry);
        } else {
          entry.card.update(post, ctx);
        }
        return { key: `post:${post.id}`, li: entry.li };
      });
      const mine = queued.filter((q) => g.id === 'wall' || (q.section ?? state.sections[0]?.id) === g.id);
      items.push(...mine.map((q) => ({ key: `queued:${q.id}`, queued: q })));
      const srOnly = g.id === 'wall' || (state.sections.length === 1 && !g.section?.title);
      return { g, items, srOnly };
    });
    for (const id of [...cards.keys()]) if (!seen.has(id)) cards.delete(id);
    // Only what is out of place moves: cards keep their state (and drafts).
    // A card moved loses the focus: it is given back below.
    const active = document.activeElement as HTMLElement | null;
    render(repeat(placed, (p) => p.g.id, (p) => sectionTemplate(p.g, p.items, p.srOnly, r.status)), root);
    if (active && active !== document.activeElement && active.isConnected) active.focus({ preventScroll: true });
  }

  // ---- drag and drop (leaders) ----
  function startDrag(post: Post, ev: PointerEvent): void {
    if (!last || (ev.pointerType === 'mouse' && ev.button !== 0)) return;
    ev.preventDefault();
    const from = cards.get(post.id)?.li;
    from?.classList.add('amphi-board__item--dragging');
    let target: { el: HTMLElement; post: string | null; section: string; after: boolean } | null = null;
    const clear = () => root.querySelectorAll('.amphi-drop-before, .amphi-drop-after, .amphi-drop-end')
      .forEach((el) => el.classList.remove('amphi-drop-before', 'amphi-drop-after', 'amphi-drop-end'));
    followPointer(ev, ev.currentTarget as Element, {
      onMove(point) {
        clear();
        target = null;
        const under = document.elementFromPoint(point.clientX, point.clientY) as HTMLElement | null;
        const li = under?.closest<HTMLElement>('li[data-post]');
        const list = under?.closest<HTMLElement>('ol[data-section]') ?? under?.closest('section')?.querySelector<HTMLElement>('ol[data-section]');
        if (li && root.contains(li)) {
          const box = li.getBoundingClientRect();
          const after = point.clientY > box.top + box.height / 2;
          const id = li.dataset.post!;
          const section = last!.state.posts[id]?.section;
          if (!section) return;
          target = { el: li, post: id, section, after };
          li.classList.add(after ? 'amphi-drop-after' : 'amphi-drop-before');
        } else if (list && root.contains(list) && list.dataset.section !== 'wall') {
          target = { el: list, post: null, section: list.dataset.section!, after: false };
          list.classList.add('amphi-drop-end');
        }
      },
      onEnd(_point, cancelled) {
        from?.classList.remove('amphi-board__item--dragging');
        clear();
        if (!target || cancelled || !last) return;
        const ids = sectionPosts(last.state, target.section).map((p) => p.id);
        const move: MoveTarget | null = dropTarget(ids, target.section, post.id, target.post, target.after, post.section);
        if (move) opts.actions.move?.(post, move);
      },
    });
  }
  opts.actions.startDrag = startDrag;

  return {
    root,
    update,
    sectionHeading(section) {
      const headings = [...root.querySelectorAll<HTMLElement>('.amphi-board__title')];
      return headings.find((el) => el.id === `board-section-${section}`) ?? headings.find((el) => el.id === 'board-section-wall') ?? headings[0] ?? null;
    },
  };
}
