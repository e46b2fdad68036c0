// The board as a slideshow on the projector: one post at a time, as large
// as the screen allows, in board order (sections in order); "Précédent" and
// "Suivant" (or the arrow keys), "3 sur 12", and back to the wall (or
// Escape). The post shown stays shown while others come, change or go (it
// is followed by its id); if it goes, the next one takes its place. Closed,
// it holds no card, and opens again on the post it showed.

import type { BoardState } from '../board-state';
import { orderedPosts } from '../board-state';
import { h, uid } from '../dom';
import { t } from '../i18n';
import type { Post, Reactions } from '../board-protocol';
import { postCard, type CardActions, type CardContext, type PostCard } from './board-card';

export interface Slideshow {
  root: HTMLElement;
  /** Whether it is shown (the wall is not). */
  readonly open: boolean;
  show(): void;
  hide(): void;
  update(state: BoardState): void;
  dispose(): void;
}

const READ_ONLY: CardContext = {
  me: undefined, leader: false, projector: true, liked: false, canLike: false, canWrite: false, busy: false,
};

export function boardSlideshow(actions: CardActions, onHide: () => void): Slideshow {
  const stage = h('div', { class: 'amphi-slideshow__stage', 'aria-live': 'polite' });
  const position = h('p', { class: 'amphi-slideshow__position', 'data-testid': 'slideshow-position' });
  const previous = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'slideshow-previous' }, t('board.slideshow.previous'));
  const next = h('button', { type: 'button', class: 'fr-btn', 'data-testid': 'slideshow-next' }, t('board.slideshow.next'));
  const close = h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary', 'data-testid': 'slideshow-close' }, t('board.slideshow.close'));
  const headingId = uid('slideshow');
  const root = h('section', { class: 'amphi-slideshow', 'aria-labelledby': headingId, 'data-testid': 'slideshow', hidden: true },
    // The cards' titles are level 3: the show has its heading above them.
    h('h2', { id: headingId, class: 'fr-sr-only' }, t('board.slideshow.title')),
    stage,
    h('div', { class: 'amphi-slideshow__controls' }, previous, position, next, close));

  let posts: Post[] = [];
  let shownId: string | undefined;
  let card: PostCard | undefined;
  let open = false;
  /** The board's reactions: the show gives a post's stars or its likes. */
  let reactions: Reactions = 'likes';

  /** Draws the post shown; a hidden show holds no card (the wall's are the page's posts). */
  function draw(): void {
    if (!open) {
      card = undefined;
      stage.replaceChildren();
      return;
    }
    const index = Math.max(0, posts.findIndex((p) => p.id === shownId));
    const post = posts[index];
    shownId = post?.id;
    previous.disabled = index === 0;
    next.disabled = index >= posts.length - 1;
    position.textContent = post ? t('board.slideshow.position', { n: index + 1, total: posts.length }) : '';
    if (!post) {
      card = undefined;
      stage.replaceChildren(h('p', { class: 'amphi-muted' }, t('board.slideshow.empty')));
    } else if (card?.post.id === post.id) {
      card.update(post, { ...READ_ONLY, reactions });
    } else {
      card = postCard(post, { ...READ_ONLY, reactions }, actions);
      stage.replaceChildren(card.root);
    }
  }

  function go(step: number): void {
    const index = posts.findIndex((p) => p.id === shownId);
    const target = posts[Math.min(posts.length - 1, Math.max(0, index + step))];
    if (!target || target.id === shownId) return;
    shownId = target.id;
    draw();
  }

  /** The post after `id` in the last order, for when `id` is gone. */
  let lastOrder: string[] = [];
  function update(state: BoardState): void {
    reactions = state.settings.reactions ?? 'likes';
    posts = orderedPosts(state).filter((p) => p.status === 'visible');
    if (shownId && !posts.some((p) => p.id === shownId)) {
      const after = lastOrder.slice(lastOrder.indexOf(shownId) + 1);
      shownId = after.find((id) => posts.some((p) => p.id === id)) ?? posts[posts.length - 1]?.id;
    }
    lastOrder = posts.map((p) => p.id);
    draw();
  }

  const onKey = (ev: KeyboardEvent) => {
    if (!open || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === 'ArrowRight' || ev.key === 'PageDown') go(1);
    else if (ev.key === 'ArrowLeft' || ev.key === 'PageUp') go(-1);
    else if (ev.key === 'Escape') hide();
    else return;
    ev.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  previous.addEventListener('click', () => go(-1));
  next.addEventListener('click', () => go(1));
  close.addEventListener('click', () => hide());

  function hide(): void {
    if (!open) return;
    open = false;
    root.hidden = true;
    draw();
    onHide();
  }

  return {
    root,
    get open() {
      return open;
    },
    show() {
      open = true;
      root.hidden = false;
      draw();
      next.focus();
    },
    hide,
    update,
    dispose() {
      document.removeEventListener('keydown', onKey);
    },
  };
}
