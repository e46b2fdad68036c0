// @vitest-environment happy-dom
// The board's slideshow on the projector: visible posts one at a time in
// board order (sections in order), previous/next with the buttons and the
// arrow keys, "n sur total", the post shown kept while others come and go,
// Escape back to the wall.

import { beforeEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { boardFromSnapshot } from '../src/board-state';
import type { Post } from '../src/board-protocol';
import { readOnlyActions } from '../src/views/board-card';
import { boardSlideshow } from '../src/views/board-slideshow';
import { post, snapshot } from './board-fixtures';

const noop = () => {};
const actions = readOnlyActions(noop);

const board = (posts: Post[]) => boardFromSnapshot(snapshot({ posts, total: posts.length }));
const key = (k: string) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k }));

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
});

describe('board slideshow', () => {
  it('shows the visible posts one at a time, in board order, with the buttons and the arrow keys', () => {
    let closed = 0;
    const show = boardSlideshow(actions, () => closed++);
    document.body.append(show.root);
    const posts = [
      post('p2', { section: 's2', key: 'a0', title: 'Une question' }),
      post('p1', { section: 's1', key: 'a1', title: 'Deuxième idée' }),
      post('p0', { section: 's1', key: 'a0', title: 'Première idée' }),
      post('p3', { section: 's1', key: 'a2', title: 'Cachée', status: 'hidden' }),
    ];
    show.update(board(posts));
    show.show();
    expect(show.root.hidden).toBe(false);
    const title = () => show.root.querySelector('.amphi-post__title')?.textContent;
    const position = () => show.root.querySelector('[data-testid="slideshow-position"]')?.textContent;
    const previous = show.root.querySelector<HTMLButtonElement>('[data-testid="slideshow-previous"]')!;
    const next = show.root.querySelector<HTMLButtonElement>('[data-testid="slideshow-next"]')!;
    expect([title(), position(), previous.disabled]).toEqual(['Première idée', '1 sur 3', true]);
    next.click();
    expect([title(), position()]).toEqual(['Deuxième idée', '2 sur 3']);
    key('ArrowRight');
    expect([title(), position(), next.disabled]).toEqual(['Une question', '3 sur 3', true]);
    key('ArrowRight');
    expect(title()).toBe('Une question');
    key('ArrowLeft');
    expect(title()).toBe('Deuxième idée');
    expect(show.root.querySelectorAll('button[data-focus]')).toHaveLength(0);
    key('Escape');
    expect([show.open, show.root.hidden, closed]).toEqual([false, true, 1]);
    expect(show.root.querySelectorAll('[data-testid="post"]'), 'closed, it holds no card').toHaveLength(0);
    key('ArrowRight');
    show.show();
    expect(title(), 'keys do nothing once closed; it opens again where it was').toBe('Deuxième idée');
    show.dispose();
  });

  it('keeps the post shown while others come, and moves on when it goes', () => {
    const show = boardSlideshow(actions, noop);
    document.body.append(show.root);
    const a = post('a', { key: 'a0', title: 'A' });
    const b = post('b', { key: 'a1', title: 'B' });
    const c = post('c', { key: 'a2', title: 'C' });
    show.update(board([a, b, c]));
    show.show();
    key('ArrowRight');
    const title = () => show.root.querySelector('.amphi-post__title')?.textContent;
    expect(title()).toBe('B');
    show.update(board([post('z', { key: 'a', title: 'Z' }), a, b, c]));
    expect(title(), 'a post before it does not move the show').toBe('B');
    expect(show.root.querySelector('[data-testid="slideshow-position"]')?.textContent).toBe('3 sur 4');
    show.update(board([a, c]));
    expect(title(), 'the next one takes a deleted post’s place').toBe('C');
    show.update(board([]));
    expect(show.root.textContent).toContain('Aucun message à montrer pour l’instant.');
    show.dispose();
  });
});

describe('board slideshow of a board of stars', () => {
  it('shows a post’s average and count, and no button to rate', () => {
    const show = boardSlideshow(actions, noop);
    document.body.append(show.root);
    const rated = post('p1', { title: 'Notée', rating: { count: 2, sum: 9 } });
    show.update(boardFromSnapshot(snapshot({ posts: [rated], total: 1, settings: { ...snapshot().settings, reactions: 'stars' } })));
    show.show();
    expect(show.root.querySelector('[data-testid="stars"]')!.textContent).toContain('4,5 sur 5 (2 notes)');
    expect(show.root.querySelector('[data-testid="rate"], [data-testid="likes"]')).toBeNull();
    show.dispose();
  });
});
