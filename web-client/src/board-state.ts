// What one viewer knows of a room's board, and the pure functions that
// update it: from a snapshot (replace), from `load_more` pages (add the posts
// not held yet), and from board events (upsert posts by id, likes, comments,
// sections, settings, clear). The server already filters what each viewer
// sees (pending, unrevealed and hidden posts go to their author and the
// leaders only), so the state is simply what arrived. Posts are shown by
// (key, id) in byte order. States are immutable: each update returns a new
// one.

import type { BoardEvent, BoardPage, BoardSettings, BoardSnapshot, Post, Section } from './board-protocol';
import { leads, type Role } from './protocol';

export interface BoardState {
  title: string;
  settings: BoardSettings;
  /** In board order. */
  sections: readonly Section[];
  /** By id. */
  posts: Readonly<Record<string, Post>>;
  /** The posts this viewer likes. */
  liked: ReadonlySet<string>;
  /** The stars this viewer gave, by post. */
  rated: Readonly<Record<string, number>>;
  /** Posts this viewer could see when the snapshot was taken. */
  total: number;
  /** Where `load_more` goes on; null once every post is here. */
  next: string | null;
  /** Posts removed since the snapshot: a page answered earlier does not bring them back. */
  removed: ReadonlySet<string>;
  /** After `cleared`, pages (answered before it) are ignored: new posts come as events. */
  pagesClosed: boolean;
  /** The video hosts the server embeds (for the post form); [] when not said. */
  videoHosts: readonly string[];
}

export function boardFromSnapshot(snapshot: BoardSnapshot): BoardState {
  const posts: Record<string, Post> = {};
  for (const post of snapshot.posts) posts[post.id] = post;
  return {
    title: snapshot.title,
    settings: snapshot.settings,
    sections: snapshot.sections,
    posts,
    liked: new Set(snapshot.liked),
    rated: { ...(snapshot.rated ?? {}) },
    total: snapshot.total,
    next: snapshot.next ?? null,
    removed: new Set(),
    pagesClosed: false,
    videoHosts: snapshot.video_hosts ?? [],
  };
}

/**
 * Adds a page of posts. Events are the fresher source: a post already held
 * (it came with an event meanwhile) is kept as it is, and a post removed
 * since is not brought back.
 */
export function applyBoardPage(state: BoardState, page: BoardPage): BoardState {
  if (state.pagesClosed) return state;
  const posts = { ...state.posts };
  const liked = new Set(state.liked);
  const likedHere = new Set(page.liked);
  const rated = { ...state.rated };
  for (const post of page.posts) {
    if (posts[post.id] || state.removed.has(post.id)) continue;
    posts[post.id] = post;
    if (likedHere.has(post.id)) liked.add(post.id);
    const stars = page.rated?.[post.id];
    if (stars !== undefined) rated[post.id] = stars;
  }
  return { ...state, posts, liked, rated, next: page.next ?? null };
}

/** Applies one board event. */
export function applyBoardEvent(state: BoardState, event: BoardEvent): BoardState {
  switch (event.kind) {
    case 'post_added':
    case 'post_updated': {
      const removed = new Set(state.removed);
      removed.delete(event.post.id);
      return { ...state, posts: { ...state.posts, [event.post.id]: event.post }, removed };
    }
    case 'post_removed': {
      const posts = { ...state.posts };
      delete posts[event.post];
      const liked = new Set(state.liked);
      liked.delete(event.post);
      return { ...state, posts, liked, removed: new Set(state.removed).add(event.post) };
    }
    case 'likes':
      return updatePost(state, event.post, (post) => ({ ...post, likes: event.likes }));
    case 'liked': {
      const liked = new Set(state.liked);
      if (event.liked) liked.add(event.post);
      else liked.delete(event.post);
      return { ...state, liked };
    }
    case 'rating':
      return updatePost(state, event.post, (post) => ({ ...post, rating: event.rating }));
    case 'rated': {
      const rated = { ...state.rated };
      if (event.stars === null) delete rated[event.post];
      else rated[event.post] = event.stars;
      return { ...state, rated };
    }
    case 'comment_added':
      return updatePost(state, event.post, (post) =>
        post.comments.some((c) => c.id === event.comment.id) ? post : { ...post, comments: [...post.comments, event.comment] });
    case 'comment_updated':
      return updatePost(state, event.post, (post) => ({ ...post, comments: post.comments.map((c) => (c.id === event.comment.id ? event.comment : c)) }));
    case 'comment_removed':
      return updatePost(state, event.post, (post) => ({ ...post, comments: post.comments.filter((c) => c.id !== event.comment) }));
    case 'sections':
      return { ...state, sections: event.sections };
    case 'settings':
      return { ...state, settings: event.settings };
    case 'cleared':
      return { ...state, posts: {}, liked: new Set(), rated: {}, next: null, pagesClosed: true };
    default:
      return state; // a kind this client does not know yet
  }
}

function updatePost(state: BoardState, id: string, change: (post: Post) => Post): BoardState {
  const post = state.posts[id];
  if (!post) return state;
  const next = change(post);
  return next === post ? state : { ...state, posts: { ...state.posts, [id]: next } };
}

/** Compares two strings in UTF-8 byte order (that is, by code points), as the server does. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done ? (q.done ? 0 : -1) : 1;
    const d = p.value.codePointAt(0)! - q.value.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

/** Board order within a section: by key, then by id. */
export function comparePosts(a: Post, b: Post): number {
  return compareBytes(a.key, b.key) || compareBytes(a.id, b.id);
}

/** The posts of one section, in order. */
export function sectionPosts(state: BoardState, section: string): Post[] {
  return Object.values(state.posts).filter((p) => p.section === section).sort(comparePosts);
}

/** Every post in board order: sections in order, then by key (posts of an unknown section last). */
export function orderedPosts(state: BoardState): Post[] {
  const known = new Set(state.sections.map((s) => s.id));
  const strays = Object.values(state.posts).filter((p) => !known.has(p.section)).sort(comparePosts);
  return [...state.sections.flatMap((s) => sectionPosts(state, s.id)), ...strays];
}

/** Why this viewer cannot write in `section` now (null: they can). */
export type WriteBlock = 'observer' | 'closed' | 'deadline' | 'locked' | null;

export function writeBlock(state: BoardState, role: Role, now: number, section?: string): WriteBlock {
  if (leads(role)) return null;
  if (role !== 'participant') return 'observer';
  if (state.settings.mode === 'closed') return 'closed';
  const deadline = state.settings.deadline;
  if (deadline !== undefined && deadline !== null && now >= deadline) return 'deadline';
  if (section !== undefined && state.sections.find((s) => s.id === section)?.locked) return 'locked';
  return null;
}

/** The sections a viewer may post into now. */
export function writableSections(state: BoardState, role: Role, now: number): Section[] {
  return state.sections.filter((s) => writeBlock(state, role, now, s.id) === null);
}

/** How many posts wait for a leader: pending approval, not yet revealed. */
export function waitingCounts(state: BoardState): { pending: number; unrevealed: number; hidden: number } {
  const counts = { pending: 0, unrevealed: 0, hidden: 0 };
  for (const post of Object.values(state.posts)) {
    if (post.status !== 'visible') counts[post.status]++;
  }
  return counts;
}

/** The posts waiting for approval, oldest first (the moderation queue). */
export function pendingPosts(state: BoardState): Post[] {
  return Object.values(state.posts)
    .filter((post) => post.status === 'pending')
    .sort((a, b) => a.created_at - b.created_at || compareBytes(a.id, b.id));
}
