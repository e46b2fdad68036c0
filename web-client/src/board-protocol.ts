// Board wire types, mirroring protocol/src/board.rs: a board's settings, the
// commands members send (`action` tag), the events the board emits (`kind`
// tag), the per-viewer snapshot and the `load_more` page. The server writes
// absent optional values as `null`; the client may leave them out.
// Text is plain text, never HTML.

import type { MemberId } from './protocol';

/** Who may post, and when others see it. */
export type BoardMode = 'open' | 'moderated' | 'closed' | 'reveal_later';
export const BOARD_MODES: readonly BoardMode[] = ['open', 'moderated', 'closed', 'reveal_later'];

/** Whose names go with posts and comments. */
export type AuthorVisibility = 'visible' | 'hidden_from_peers';

/** How members react to posts: likes (the default), star ratings, or none. */
export type Reactions = 'likes' | 'stars' | 'none';
export const REACTIONS: readonly Reactions[] = ['likes', 'stars', 'none'];

/** The stars a post was given: the average is sum / count. */
export interface Rating {
  count: number;
  sum: number;
}

/** A kind of contribution a leader may switch off for participants. */
export type Contribution = 'files' | 'audio' | 'links' | 'documents' | 'comments';
export const CONTRIBUTIONS: readonly Contribution[] = ['files', 'audio', 'links', 'documents', 'comments'];

/** Fewest and most stars in a rating. */
export const MIN_STARS = 1;
export const MAX_STARS = 5;

/** Sections side by side, or one free wall. */
export type BoardLayout = 'columns' | 'wall';

export interface BoardSettings {
  mode: BoardMode;
  authors: AuthorVisibility;
  layout: BoardLayout;
  /** After it (ms since the epoch) participants no longer post, edit or comment. */
  deadline?: number | null;
  completion_posts: number;
  completion_comments: number;
  /** Absent from older servers: likes. */
  reactions?: Reactions;
  /** What participants may no longer add (leaders still may); absent when none. */
  switched_off?: Contribution[];
  /** Participants may copy the board's posts to another board of the tenant (leaders always may). */
  copying?: boolean;
}

export interface Section {
  id: string;
  title: string;
  locked: boolean;
}

/** An uploaded image; served at `/api/v1/blobs/{blob}`. */
export interface BoardImage {
  blob: string;
  /** Empty for a decorative image. */
  alt: string;
}

/** In a command: the link as given; in events: the host's embed URL. */
export interface BoardVideo {
  url: string;
}

export interface BoardFile {
  blob: string;
  name: string;
  /** Filled in by the server from the stored blob. */
  content_type?: string;
  size?: number;
}

/** A link's card, read by the server from the linked page (`POST /api/v1/boards/{room}/link-preview`). */
export interface LinkPreview {
  title: string;
  description: string;
  site: string;
  /** A blob id (an image stored by the server), absent when the page has none. */
  image?: string | null;
}

/** A post's colour: one of the DSFR's illustrative colours. */
export const POST_COLOURS = [
  'tilleul_verveine', 'bourgeon', 'emeraude', 'menthe', 'archipel', 'ecume', 'cumulus', 'glycine', 'macaron',
  'tuile', 'tournesol', 'moutarde', 'terre_battue', 'cafe_creme', 'caramel', 'opera', 'gris_galet',
] as const;
export type PostColour = (typeof POST_COLOURS)[number];

/** What a member writes in a post; a post needs at least one part. */
export interface PostContent {
  title?: string;
  text?: string;
  link?: string | null;
  image?: BoardImage | null;
  video?: BoardVideo | null;
  file?: BoardFile | null;
  /** Only with a link; absent when none. */
  link_preview?: LinkPreview | null;
  /** Absent: the board's default. */
  colour?: PostColour | null;
}

export type PostStatus = 'visible' | 'pending' | 'unrevealed' | 'hidden';

export interface Comment {
  id: string;
  /** null when authors are hidden from this viewer. */
  author: MemberId | null;
  author_name: string | null;
  text: string;
  created_at: number;
  /** When its author last rewrote it. */
  edited_at?: number | null;
}

/** A post as one viewer sees it (the content fields are flattened in). */
export interface Post {
  id: string;
  section: string;
  /** Ordering key within the section: posts go by (key, id), in byte order. */
  key: string;
  /** Bumped by each edit of the content. */
  version: number;
  author: MemberId | null;
  author_name: string | null;
  title: string;
  text: string;
  link: string | null;
  image: BoardImage | null;
  video: BoardVideo | null;
  file: BoardFile | null;
  link_preview?: LinkPreview | null;
  colour?: PostColour | null;
  status: PostStatus;
  likes: number;
  /** Absent while nobody rated it. */
  rating?: Rating | null;
  /** Oldest first. */
  comments: Comment[];
  created_at: number;
  edited_at: number | null;
  /** A copy of another board's post: where it came from. */
  copied_from?: PostOrigin | null;
}

/** The board (room id), post and board title a copied post came from. */
export interface PostOrigin {
  board: string;
  post: string;
  title: string;
}

export type BoardCommand =
  | ({ action: 'post'; section?: string | null; before?: string | null } & PostContent)
  | ({ action: 'edit'; post: string; version: number } & PostContent)
  | { action: 'delete'; post: string }
  | { action: 'move'; post: string; section: string; before?: string | null }
  | { action: 'like'; post: string }
  | { action: 'unlike'; post: string }
  | { action: 'rate'; post: string; stars: number }
  | { action: 'unrate'; post: string }
  | { action: 'set_reactions'; reactions: Reactions }
  | { action: 'switch'; contribution: Contribution; on: boolean }
  | { action: 'comment'; post: string; text: string }
  | { action: 'edit_comment'; post: string; comment: string; text: string }
  | { action: 'delete_comment'; post: string; comment: string }
  | { action: 'approve'; post: string }
  | { action: 'hide'; post: string }
  | { action: 'unhide'; post: string }
  | { action: 'reveal' }
  | { action: 'set_mode'; mode: BoardMode }
  | { action: 'set_deadline'; deadline?: number | null }
  | { action: 'set_copying'; copying: boolean }
  | { action: 'add_section'; title: string }
  | { action: 'rename_section'; section: string; title: string }
  | { action: 'lock_section'; section: string; locked: boolean }
  | { action: 'remove_section'; section: string }
  | { action: 'clear' }
  | { action: 'load_more'; cursor: string };

export type BoardAction = BoardCommand['action'];

export type BoardEvent =
  | { kind: 'post_added'; post: Post }
  | { kind: 'post_updated'; post: Post }
  | { kind: 'post_removed'; post: string }
  | { kind: 'likes'; post: string; likes: number }
  | { kind: 'liked'; post: string; liked: boolean }
  | { kind: 'rating'; post: string; rating: Rating }
  | { kind: 'rated'; post: string; stars: number | null }
  | { kind: 'comment_added'; post: string; comment: Comment }
  | { kind: 'comment_updated'; post: string; comment: Comment }
  | { kind: 'comment_removed'; post: string; comment: string }
  | { kind: 'sections'; sections: Section[] }
  | { kind: 'settings'; settings: BoardSettings }
  | { kind: 'cleared' };

/** The board as one viewer sees it when joining. */
export interface BoardSnapshot {
  title: string;
  settings: BoardSettings;
  sections: Section[];
  /** The first posts in board order; more with `load_more` when `next` is set. */
  posts: Post[];
  /** Posts this viewer can see in all. */
  total: number;
  next?: string | null;
  /** The posts (of those here) this viewer likes. */
  liked: string[];
  /** The stars this viewer gave the posts here they rated; absent when none. */
  rated?: Record<string, number>;
  /** The video hosts the server embeds (`board.video_hosts`: `youtube`, `vimeo`,
   * `dailymotion`, host names, `*.` for any subdomain). */
  video_hosts?: string[];
}

/** The answer to `load_more`. */
export interface BoardPage {
  posts: Post[];
  next?: string | null;
  liked: string[];
  rated?: Record<string, number>;
}

/** `POST /api/v1/rooms` with `kind: "board"`: the board part of the body. */
export interface BoardDefinitionRequest {
  sections: string[];
  settings: Partial<BoardSettings>;
}

/** `POST /api/v1/boards/{room}/uploads` answers this (201). */
export interface UploadedBlob {
  blob: string;
  content_type: string;
  size: number;
  name: string;
}
