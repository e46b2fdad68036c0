// Board wire values for the tests: posts, snapshots, settings.

import type { BoardSettings, BoardSnapshot, Post } from '../src/board-protocol';

export const SETTINGS: BoardSettings = { mode: 'open', authors: 'visible', layout: 'columns', deadline: null, completion_posts: 0, completion_comments: 0 };

export function post(id: string, over: Partial<Post> = {}): Post {
  return {
    id, section: 's1', key: 'a0', version: 1, author: 'm-alice', author_name: 'Alice',
    title: `Post ${id}`, text: '', link: null, image: null, video: null, file: null,
    status: 'visible', likes: 0, comments: [], created_at: 1, edited_at: null,
    ...over,
  };
}

export function snapshot(over: Partial<BoardSnapshot> = {}): BoardSnapshot {
  return {
    title: 'Idées',
    settings: SETTINGS,
    sections: [{ id: 's1', title: 'Idées', locked: false }, { id: 's2', title: 'Questions', locked: false }],
    posts: [],
    total: 0,
    next: null,
    liked: [],
    ...over,
  };
}
