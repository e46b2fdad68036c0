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
