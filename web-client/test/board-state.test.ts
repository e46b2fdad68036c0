// The board state of one viewer: from a snapshot, pages added without
// overwriting fresher events or bringing removed posts back, every board
// event, the (key, id) byte order, and who may write where.

import { describe, expect, it } from 'vitest';
import {
  applyBoardEvent, applyBoardPage, boardFromSnapshot, compareBytes, orderedPosts, pendingPosts, sectionPosts, waitingCounts, writableSections, writeBlock,
} from '../src/board-state';
import { post, SETTINGS, snapshot } from './board-fixtures';

describe('board state', () => {
  it('keeps my ratings from the snapshot, pages and `rated`, and ratings from `rating`', () => {
    let state = boardFromSnapshot(snapshot({ posts: [post('p1'), post('p2')], rated: { p1: 4 }, next: 'c' }));
    expect(state.rated).toEqual({ p1: 4 });
    state = applyBoardPage(state, { posts: [post('p3')], next: null, liked: [], rated: { p3: 2 } });
    expect(state.rated).toEqual({ p1: 4, p3: 2 });
    state = applyBoardEvent(state, { kind: 'rated', post: 'p1', stars: null });
    state = applyBoardEvent(state, { kind: 'rated', post: 'p2', stars: 5 });
    expect(state.rated).toEqual({ p2: 5, p3: 2 });
    state = applyBoardEvent(state, { kind: 'rating', post: 'p2', rating: { count: 3, sum: 12 } });
    expect(state.posts.p2!.rating).toEqual({ count: 3, sum: 12 });
    expect(applyBoardEvent(state, { kind: 'cleared' }).rated).toEqual({});
  });

  it('starts from a snapshot', () => {
    const state = boardFromSnapshot(snapshot({ posts: [post('p1'), post('p2')], total: 150, next: 'cur-1', liked: ['p2'] }));
    expect(Object.keys(state.posts)).toEqual(['p1', 'p2']);
    expect(state.liked.has('p2')).toBe(true);
    expect(state.next).toBe('cur-1');
    expect(state.total).toBe(150);
  });

  it('adds a page: new posts and their likes; a post held (from an event) or removed since is kept as is', () => {
    let state = boardFromSnapshot(snapshot({ posts: [post('p1')], next: 'c1' }));
    state = applyBoardEvent(state, { kind: 'post_updated', post: post('p2', { title: 'fresh', likes: 3 }) });
    state = applyBoardEvent(state, { kind: 'post_removed', post: 'p3' });
    state = applyBoardPage(state, { posts: [post('p2', { title: 'stale' }), post('p3'), post('p4')], next: null, liked: ['p4', 'p3'] });
    expect(state.posts.p2.title).toBe('fresh');
    expect(state.posts.p3).toBeUndefined();
    expect(state.posts.p4).toBeDefined();
    expect([...state.liked]).toEqual(['p4']);
    expect(state.next).toBeNull();
  });

  it('upserts posts by id on post_added and post_updated (a hidden post comes back to its author)', () => {
    let state = boardFromSnapshot(snapshot({ posts: [post('p1')] }));
    state = applyBoardEvent(state, { kind: 'post_added', post: post('p1', { status: 'visible', title: 'approved' }) });
    expect(Object.keys(state.posts)).toEqual(['p1']);
    expect(state.posts.p1.title).toBe('approved');
    state = applyBoardEvent(state, { kind: 'post_removed', post: 'p1' });
    expect(state.posts.p1).toBeUndefined();
    state = applyBoardEvent(state, { kind: 'post_updated', post: post('p1', { status: 'hidden' }) });
    expect(state.posts.p1.status).toBe('hidden');
    expect(state.removed.has('p1')).toBe(false);
  });

  it('counts likes, keeps my own likes, adds and removes comments (once)', () => {
    let state = boardFromSnapshot(snapshot({ posts: [post('p1')] }));
    state = applyBoardEvent(state, { kind: 'likes', post: 'p1', likes: 2 });
    state = applyBoardEvent(state, { kind: 'liked', post: 'p1', liked: true });
    expect(state.posts.p1.likes).toBe(2);
    expect(state.liked.has('p1')).toBe(true);
    state = applyBoardEvent(state, { kind: 'liked', post: 'p1', liked: false });
    expect(state.liked.has('p1')).toBe(false);
    const comment = { id: 'c1', author: 'm-bob', author_name: 'Bob', text: 'Oui', created_at: 2 };
    state = applyBoardEvent(state, { kind: 'comment_added', post: 'p1', comment });
    state = applyBoardEvent(state, { kind: 'comment_added', post: 'p1', comment });
    expect(state.posts.p1.comments).toEqual([comment]);
    state = applyBoardEvent(state, { kind: 'comment_removed', post: 'p1', comment: 'c1' });
    expect(state.posts.p1.comments).toEqual([]);
    // About a post this viewer does not have: nothing changes.
    expect(applyBoardEvent(state, { kind: 'likes', post: 'p9', likes: 1 })).toBe(state);
  });

  it('replaces sections and settings; cleared drops every post and the pages still on their way', () => {
    let state = boardFromSnapshot(snapshot({ posts: [post('p1')], liked: ['p1'], next: 'c1' }));
    state = applyBoardEvent(state, { kind: 'sections', sections: [{ id: 's1', title: 'Renamed', locked: true }] });
    expect(state.sections).toEqual([{ id: 's1', title: 'Renamed', locked: true }]);
    state = applyBoardEvent(state, { kind: 'settings', settings: { ...SETTINGS, mode: 'closed' } });
    expect(state.settings.mode).toBe('closed');
    state = applyBoardEvent(state, { kind: 'cleared' });
    expect(state.posts).toEqual({});
    expect(state.liked.size).toBe(0);
    expect(state.next).toBeNull();
    expect(applyBoardPage(state, { posts: [post('p2')], next: null, liked: [] })).toBe(state);
    // New posts still come as events.
    expect(applyBoardEvent(state, { kind: 'post_added', post: post('p3') }).posts.p3).toBeDefined();
  });

  it('ignores an event kind it does not know', () => {
    const state = boardFromSnapshot(snapshot());
    expect(applyBoardEvent(state, { kind: 'brand_new' } as never)).toBe(state);
  });
});

describe('moderation queue', () => {
  it('lists the pending posts only, oldest first, ties by id', () => {
    const state = boardFromSnapshot(snapshot({ posts: [
      post('p1', { status: 'pending', created_at: 30 }),
      post('p2', { status: 'visible', created_at: 10 }),
      post('p4', { status: 'pending', created_at: 20 }),
      post('p3', { status: 'pending', created_at: 20 }),
      post('p5', { status: 'hidden', created_at: 5 }),
    ] }));
    expect(pendingPosts(state).map((p) => p.id)).toEqual(['p3', 'p4', 'p1']);
  });
});

describe('board order', () => {
  it('compares in UTF-8 byte order (code points), not UTF-16 units nor the locale', () => {
    expect(compareBytes('a', 'b')).toBe(-1);
    expect(compareBytes('a', 'a')).toBe(0);
    expect(compareBytes('a', 'a0')).toBe(-1);
    expect(compareBytes('Z', 'a')).toBe(-1); // localeCompare says otherwise
    expect('Z'.localeCompare('a')).toBe(1);
    // U+FF5E is below U+1F600 in UTF-8, above its surrogates in UTF-16.
    expect(compareBytes('\uff5e', '\u{1f600}')).toBe(-1);
    expect('\uff5e' < '\u{1f600}').toBe(false);
  });

  it('orders a section by key, then id; the board by section, then key', () => {
    const state = boardFromSnapshot(snapshot({
      posts: [
        post('p3', { key: 'a1' }),
        post('p10', { key: 'a0' }),
        post('p2', { key: 'a0' }),
        post('p5', { key: 'Z', section: 's2' }),
        post('p6', { key: 'a', section: 's2' }),
        post('p7', { key: 'a', section: 'gone' }),
      ],
    }));
    expect(sectionPosts(state, 's1').map((p) => p.id)).toEqual(['p10', 'p2', 'p3']);
    expect(orderedPosts(state).map((p) => p.id)).toEqual(['p10', 'p2', 'p3', 'p5', 'p6', 'p7']);
  });
});

describe('who may write', () => {
  const sections = [{ id: 's1', title: 'Idées', locked: false }, { id: 's2', title: 'Questions', locked: true }];

  it('participants: not on a closed board, not after the deadline, not in a locked section', () => {
    const open = boardFromSnapshot(snapshot({ sections }));
    expect(writeBlock(open, 'participant', 10, 's1')).toBeNull();
    expect(writeBlock(open, 'participant', 10, 's2')).toBe('locked');
    expect(writableSections(open, 'participant', 10).map((s) => s.id)).toEqual(['s1']);
    const closed = boardFromSnapshot(snapshot({ settings: { ...SETTINGS, mode: 'closed' } }));
    expect(writeBlock(closed, 'participant', 10)).toBe('closed');
    const due = boardFromSnapshot(snapshot({ settings: { ...SETTINGS, deadline: 100 } }));
    expect(writeBlock(due, 'participant', 99)).toBeNull();
    expect(writeBlock(due, 'participant', 100)).toBe('deadline');
  });

  it('leaders always; observers never', () => {
    const closed = boardFromSnapshot(snapshot({ sections, settings: { ...SETTINGS, mode: 'closed', deadline: 1 } }));
    expect(writeBlock(closed, 'trainer', 10, 's2')).toBeNull();
    expect(writableSections(closed, 'admin', 10)).toHaveLength(2);
    expect(writeBlock(boardFromSnapshot(snapshot()), 'observer', 10)).toBe('observer');
  });

  it('counts what waits for a leader', () => {
    const state = boardFromSnapshot(snapshot({
      posts: [post('p1', { status: 'pending' }), post('p2', { status: 'pending' }), post('p3', { status: 'unrevealed' }), post('p4', { status: 'hidden' }), post('p5')],
    }));
    expect(waitingCounts(state)).toEqual({ pending: 2, unrevealed: 1, hidden: 1 });
  });
});
