// @vitest-environment happy-dom
// A board post's card (lit-html): its parts updated in place (a focused
// like button, a video's player stay the same elements), and the focus
// sent on when its control goes away or is disabled.

import { beforeEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { postCard, type CardActions, type CardContext } from '../src/views/board-card';
import { post } from './board-fixtures';

const noop = () => {};
const calls: string[] = [];
const actions: CardActions = {
  like: (p, like) => calls.push(`like ${p.id} ${like}`),
  rate: (p, stars) => calls.push(`rate ${p.id} ${stars}`),
  comment: async () => ({ ok: true }) as never,
  deleteComment: noop,
  editComment: async (_post, c, text) => {
    calls.push(`edit comment ${c.id} ${text}`);
    return { ok: true } as never;
  },
  edit: async () => ({ ok: true }) as never,
  remove: noop,
  approve: (p) => calls.push(`approve ${p.id}`),
  hide: noop,
  move: (p, target) => calls.push(`move ${p.id} ${JSON.stringify(target)}`),
  uploads: {} as CardActions['uploads'],
  announce: noop,
};
const reader: CardContext = { me: 'm-bob', leader: false, projector: false, liked: false, canLike: true, canWrite: true, busy: false };
const leader: CardContext = { ...reader, me: 'm-trainer', leader: true };
const moves = (up: boolean, down: boolean): CardContext['moves'] => ({
  up: up ? { section: 's1', before: 'p0' } : null,
  down: down ? { section: 's1', before: null } : null,
  sections: [{ id: 's1', title: 'Idées', key: 'a0' }, { id: 's2', title: 'Questions', key: 'a1' }] as never,
});

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
  calls.length = 0;
});

function mount(p = post('p1'), ctx = reader) {
  const card = postCard(p, ctx, actions);
  document.body.append(card.root);
  return card;
}
const byFocus = (root: HTMLElement, name: string) => root.querySelector<HTMLButtonElement>(`[data-focus="${name}"]`)!;

describe('postCard', () => {
  it('keeps the like button and its focus as the count changes, and says the new count', () => {
    const card = mount();
    const like = byFocus(card.root, 'like');
    like.focus();
    like.click();
    expect(calls).toEqual(['like p1 true']);
    card.update(post('p1', { likes: 1 }), { ...reader, liked: true });
    expect(byFocus(card.root, 'like')).toBe(like);
    expect(document.activeElement).toBe(like);
    expect(like.getAttribute('aria-pressed')).toBe('true');
    expect(like.textContent).toContain('1 j’aime');
  });

  it('on a board of stars, shows the average and count, rates with five pressed-state buttons and takes the rating back', () => {
    const stars: CardContext = { ...reader, reactions: 'stars' };
    const card = mount(post('p1'), stars);
    expect(card.root.querySelector('[data-focus="like"]')).toBeNull();
    expect(card.root.querySelector('[data-testid="stars"]')!.textContent).toContain('Pas encore de note');
    const group = card.root.querySelector('[data-testid="rate"]')!;
    expect(group.getAttribute('role')).toBe('group');
    expect(group.getAttribute('aria-label')).toBe('Votre note du message «\u00a0Post p1\u00a0»');
    const four = byFocus(card.root, 'star-4');
    expect(four.textContent).toBe('4 étoiles sur 5');
    expect(byFocus(card.root, 'star-1').textContent).toBe('1 étoile sur 5');
    four.focus();
    four.click();
    expect(calls).toEqual(['rate p1 4']);
    card.update(post('p1', { rating: { count: 2, sum: 7 } }), { ...stars, stars: 4 });
    expect(byFocus(card.root, 'star-4')).toBe(four);
    expect(document.activeElement).toBe(four);
    expect(four.getAttribute('aria-pressed')).toBe('true');
    expect(byFocus(card.root, 'star-5').getAttribute('aria-pressed')).toBe('false');
    expect(card.root.querySelector('[data-testid="stars"]')!.textContent).toContain('3,5 sur 5 (2 notes)');
    const remove = byFocus(card.root, 'unrate');
    remove.focus();
    remove.click();
    expect(calls).toEqual(['rate p1 4', 'rate p1 null']);
    card.update(post('p1', { rating: { count: 1, sum: 3 } }), { ...stars, stars: 0 });
    expect(card.root.querySelector('[data-focus="unrate"]')).toBeNull();
    expect(document.activeElement).toBe(four); // the focus went to the star that was mine
    // No reactions: nothing; a projector shows the average only.
    card.update(post('p1', { rating: { count: 1, sum: 3 } }), { ...reader, reactions: 'none' });
    expect(card.root.querySelector('[data-testid="stars"], [data-focus="like"], [data-testid="likes"]')).toBeNull();
    card.update(post('p1', { rating: { count: 1, sum: 3 } }), { ...stars, projector: true });
    expect(card.root.querySelector('[data-testid="rate"]')).toBeNull();
    expect(card.root.querySelector('[data-testid="stars"]')!.textContent).toContain('3 sur 5 (1 note)');
  });

  it('keeps a video’s player while the post’s likes and comments change', () => {
    const video = { url: 'https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ' } as never;
    const card = mount(post('p1', { video }));
    const player = card.root.querySelector('iframe');
    expect(player).not.toBeNull();
    card.update(post('p1', { video, likes: 3, comments: [{ id: 'c1', author: 'm-bob', author_name: 'Bob', text: 'Oui', created_at: 2 }] as never }), reader);
    expect(card.root.querySelector('iframe')).toBe(player);
    expect(card.root.querySelectorAll('.amphi-comment')).toHaveLength(1);
  });

  it('sends the focus to the heading when the focused control goes away (approved)', () => {
    const card = mount(post('p1', { status: 'pending' }), leader);
    byFocus(card.root, 'approve').focus();
    card.update(post('p1', { status: 'visible' }), leader);
    expect(card.root.querySelector('[data-focus="approve"]')).toBeNull();
    expect(document.activeElement).toBe(card.root.querySelector('.amphi-post__title'));
  });

  it('sends the focus from "up" to "down" when the post reaches the top', () => {
    const card = mount(post('p1'), { ...leader, moves: moves(true, true) });
    const up = byFocus(card.root, 'up');
    up.focus();
    up.click();
    card.update(post('p1', { key: 'a' }), { ...leader, moves: moves(false, true) });
    expect(byFocus(card.root, 'up').disabled).toBe(true);
    expect(document.activeElement).toBe(byFocus(card.root, 'down'));
    expect(calls[0]).toMatch(/^move p1 /);
  });

  it('moves to the section chosen in its list', () => {
    const card = mount(post('p1'), { ...leader, moves: moves(false, false) });
    const select = card.root.querySelector('select')!;
    expect([...select.options].map((o) => o.value)).toEqual(['s2']);
    byFocus(card.root, 'move-go').click();
    expect(calls).toEqual(['move p1 {"section":"s2","before":null}']);
  });

  it('lets a comment’s author rewrite it in place: the draft survives a redraw, saving sends it, "modifié" follows', async () => {
    const mine = { id: 'c1', author: 'm-bob', author_name: 'Bob', text: 'Oui', created_at: 1 };
    const theirs = { id: 'c2', author: 'm-alice', author_name: 'Alice', text: 'Non', created_at: 2 };
    const card = mount(post('p1', { comments: [mine, theirs] }));
    expect(byFocus(card.root, 'edit-c2')).toBeNull();
    byFocus(card.root, 'edit-c1').click();
    const input = card.root.querySelector<HTMLInputElement>('[data-testid="comment-edit-input"]')!;
    expect(input.value).toBe('Oui');
    input.value = 'Oui, d’accord';
    card.update(post('p1', { comments: [mine, theirs], likes: 2 }), reader);
    expect(card.root.querySelector<HTMLInputElement>('[data-testid="comment-edit-input"]')).toBe(input);
    card.root.querySelector<HTMLButtonElement>('[data-testid="comment-edit-save"]')!.click();
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual(['edit comment c1 Oui, d’accord']);
    expect(card.root.querySelector('[data-testid="comment-edit-input"]')).toBeNull();
    card.update(post('p1', { comments: [{ ...mine, text: 'Oui, d’accord', edited_at: 5 }, theirs] }), reader);
    const first = card.root.querySelector('[data-testid="comment"]')!;
    expect(first.textContent).toMatch(/Oui, d’accord.*modifié/s);
  });
});
