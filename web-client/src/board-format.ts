// Pure helpers of the board screens: the post form's content (checked as the
// server would), safe addresses (links, video embeds), file sizes, headings
// and labels, moves (by one place, to another section, by drag), posts still
// queued (sent again on reconnect) shown until the server's copy arrives,
// likes counting a queued like or unlike, deadlines in a `datetime-local`
// field, and the coalescing of what is read out.

import { dateAndTime } from './local-time';
import type { BoardCommand, BoardImage, BoardFile, BoardSettings, Contribution, LinkPreview, Post, PostColour, PostContent, PostStatus, Rating } from './board-protocol';
import { leads, type Role } from './protocol';
import type { Command } from './protocol';
import { lang, t, type MessageKey, tn } from './i18n';

export const TITLE_MAX = 200;
export const TEXT_MAX = 5000;
export const LINK_MAX = 2000;
export const ALT_MAX = 500;
export const COMMENT_MAX = 1000;
export const SECTION_TITLE_MAX = 200;

// ---- the post form ------------------------------------------------------------

/** What the post form holds. */
export interface PostFields {
  title: string;
  text: string;
  link: string;
  video: string;
  image: { blob: string; alt: string; decorative: boolean } | null;
  file: { blob: string; name: string } | null;
  /** The link's card (kept only while the link is the one it was made for). */
  linkPreview?: LinkPreview | null;
  colour?: PostColour | null;
}

export interface FieldError {
  field: 'title' | 'text' | 'link' | 'video' | 'alt' | 'post';
  key: MessageKey;
  params?: Record<string, string>;
}

// ---- video hosts (`board.video_hosts`, sent with the board's snapshot) ------------

/** The providers the server knows by name, and their hosts (src/media/video.rs). */
const VIDEO_PROVIDERS: Record<string, { name: string; hosts: readonly string[] }> = {
  youtube: { name: 'YouTube', hosts: ['youtube.com', 'www.youtube.com', 'm.youtube.com', 'youtu.be', 'www.youtube-nocookie.com'] },
  vimeo: { name: 'Vimeo', hosts: ['vimeo.com', 'www.vimeo.com', 'player.vimeo.com'] },
  dailymotion: { name: 'Dailymotion', hosts: ['dailymotion.com', 'www.dailymotion.com', 'dai.ly'] },
};

/** Whether a video link's host is one the server embeds (it also checks the
 * link's shape: a video, not a channel). True when the hosts are unknown. */
export function videoHostAllowed(url: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  let host: string;
  try {
    host = new URL(url.trim()).hostname.toLowerCase();
  } catch {
    return false;
  }
  const provider = Object.entries(VIDEO_PROVIDERS).find(([, p]) => p.hosts.includes(host));
  if (provider) return allowed.includes(provider[0]);
  return allowed.some((pattern) => pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern);
}

/** The allowed hosts as people read them: "YouTube", "podeduc.apps.education.fr",
 * "*.apps.education.fr" for any site under that domain. */
export function videoHostNames(allowed: readonly string[]): string[] {
  return allowed.map((entry) => VIDEO_PROVIDERS[entry]?.name ?? entry);
}

/** A web address: absolute http(s) with a host, no spaces. */
export function isWebLink(url: string): boolean {
  if (/\s/.test(url)) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host !== '';
  } catch {
    return false;
  }
}

/** The content to send, or the first thing to fix (the server checks the same;
 * `videoHosts`: the board's allowed video hosts, when known). */
export function buildContent(fields: PostFields, videoHosts: readonly string[] = []): { content: PostContent } | { error: FieldError } {
  const title = fields.title.trim();
  const text = fields.text.trim();
  const link = fields.link.trim();
  const video = fields.video.trim();
  if ([...title].length > TITLE_MAX) return { error: { field: 'title', key: 'board.form.titleTooLong' } };
  if ([...text].length > TEXT_MAX) return { error: { field: 'text', key: 'board.form.textTooLong' } };
  if (link && (!isWebLink(link) || link.length > LINK_MAX)) return { error: { field: 'link', key: 'board.form.linkInvalid' } };
  if (video && !isWebLink(video)) return { error: { field: 'video', key: 'board.form.videoInvalid' } };
  if (video && !videoHostAllowed(video, videoHosts)) {
    return { error: { field: 'video', key: 'board.form.videoHostRefused', params: { hosts: videoHostNames(videoHosts).join(', ') } } };
  }
  let image: BoardImage | null = null;
  if (fields.image) {
    const alt = fields.image.decorative ? '' : fields.image.alt.trim();
    if (!fields.image.decorative && !alt) return { error: { field: 'alt', key: 'board.form.altMissing' } };
    if ([...alt].length > ALT_MAX) return { error: { field: 'alt', key: 'board.form.altTooLong' } };
    image = { blob: fields.image.blob, alt };
  }
  const file: BoardFile | null = fields.file ? { blob: fields.file.blob, name: fields.file.name } : null;
  if (!title && !text && !link && !video && !image && !file) return { error: { field: 'post', key: 'board.form.empty' } };
  const content: PostContent = { title, text, link: link || null, image, video: video ? { url: video } : null, file };
  if (link && fields.linkPreview) content.link_preview = fields.linkPreview;
  if (fields.colour) content.colour = fields.colour;
  return { content };
}

/** The form's fields again from content that was sent (a refused post goes back to its form). */
export function fieldsOfContent(content: PostContent): PostFields {
  return {
    title: content.title ?? '',
    text: content.text ?? '',
    link: content.link ?? '',
    video: content.video?.url ?? '',
    image: content.image ? { blob: content.image.blob, alt: content.image.alt, decorative: content.image.alt === '' } : null,
    file: content.file ? { blob: content.file.blob, name: content.file.name } : null,
    linkPreview: content.link_preview ?? null,
    colour: content.colour ?? null,
  };
}

/** The field a refusal of a sent post is about, when it can be told: the
 * server refuses a video it does not embed with `invalid_field` (its link
 * was checked here already). */
export function refusedPostField(content: PostContent, code: string): FieldError['field'] | null {
  return code === 'invalid_field' && content.video ? 'video' : null;
}

/** The form's fields for editing a post (its image and file kept as they are). */
export function fieldsOf(post: Post): PostFields {
  return {
    title: post.title,
    text: post.text,
    link: post.link ?? '',
    // The server keeps the embed URL, which it reads again as a link.
    video: post.video?.url ?? '',
    image: post.image ? { blob: post.image.blob, alt: post.image.alt, decorative: post.image.alt === '' } : null,
    file: post.file ? { blob: post.file.blob, name: post.file.name } : null,
    linkPreview: post.link_preview ?? null,
    colour: post.colour ?? null,
  };
}

// ---- safe addresses --------------------------------------------------------------

/** Embed URLs the server writes (allowed hosts only); anything else gets no iframe. */
const EMBED_PATTERNS: readonly RegExp[] = [
  /^https:\/\/www\.youtube-nocookie\.com\/embed\/[\w-]+$/,
  /^https:\/\/player\.vimeo\.com\/video\/\d+$/,
  /^https:\/\/www\.dailymotion\.com\/embed\/video\/[\w-]+$/,
  /^https:\/\/[a-z0-9.-]+\/videos\/embed\/[\w-]+$/, // PeerTube
  /^https:\/\/[a-z0-9.-]+\/video\/[\w-]+\/\?is_iframe=true$/, // Esup-Pod (PodEduc)
];

/** The server's embed URL of a video, if it has that shape (else null: show a link only). */
export function embedUrl(url: string | undefined | null): string | null {
  return url && EMBED_PATTERNS.some((p) => p.test(url)) ? url : null;
}

/** A link to show as `<a href>`: http(s) only. */
export function safeLink(url: string | undefined | null): string | null {
  return url && isWebLink(url) ? url : null;
}

// ---- words -------------------------------------------------------------------------

/** "12 ko", "1,5 Mo" (fr); "12 KB", "1.5 MB" (en). */
export function formatSize(bytes: number): string {
  const units = lang() === 'fr' ? ['o', 'ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  const number = new Intl.NumberFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: digits }).format(value);
  return `${number} ${units[unit]}`;
}

/** A post's heading: its title, else the start of its text, else a word for it. */
export function postHeading(post: Pick<Post, 'title' | 'text'>): string {
  if (post.title.trim()) return post.title.trim();
  const first = post.text.trim().split('\n')[0]?.trim() ?? '';
  if (first) return first.length > 60 ? `${first.slice(0, 59)}…` : first;
  return t('board.untitled');
}

const STATUS_LABEL: Record<Exclude<PostStatus, 'visible'>, MessageKey> = {
  pending: 'board.status.pending',
  unrevealed: 'board.status.unrevealed',
  hidden: 'board.status.hidden',
};

/** The moderation state of a post in words (null when everyone sees it). */
export function statusLabel(status: PostStatus): string | null {
  return status === 'visible' ? null : t(STATUS_LABEL[status]);
}

// ---- moves ---------------------------------------------------------------------------

/** Where a post goes: into `section`, before `before` (at the end when null). */
export interface MoveTarget {
  section: string;
  before: string | null;
}

/** One place up in its section (`ids`: the section's posts in order); null at the top. */
export function moveUp(ids: readonly string[], section: string, id: string): MoveTarget | null {
  const at = ids.indexOf(id);
  return at > 0 ? { section, before: ids[at - 1] } : null;
}

/** One place down; null at the bottom. */
export function moveDown(ids: readonly string[], section: string, id: string): MoveTarget | null {
  const at = ids.indexOf(id);
  if (at < 0 || at >= ids.length - 1) return null;
  return { section, before: ids[at + 2] ?? null };
}

/**
 * A drop of `moving` on the post `target` of `section` (`ids`: that
 * section's posts in order), before it or (`after`) after it; or on the
 * section itself (target null: at the end). Null when nothing would change.
 */
export function dropTarget(
  ids: readonly string[],
  section: string,
  moving: string,
  target: string | null,
  after: boolean,
  from: string,
): MoveTarget | null {
  if (target === moving) return null;
  const others = ids.filter((id) => id !== moving);
  let before: string | null;
  if (target === null) before = null;
  else {
    const at = others.indexOf(target);
    if (at < 0) return null;
    before = after ? (others[at + 1] ?? null) : target;
  }
  if (from === section) {
    const at = ids.indexOf(moving);
    const current = at >= 0 ? (ids[at + 1] ?? null) : null;
    if (current === before) return null;
  }
  return { section, before };
}

// ---- queued commands --------------------------------------------------------------------

type BoardCommandOf<A extends BoardCommand['action']> = Extract<BoardCommand, { action: A }>;

/** A post still in the queue: shown (as "sending" or "waiting for the network") until the server's copy arrives. */
export interface QueuedPost {
  id: string;
  section: string | null;
  content: BoardCommandOf<'post'>;
}

/** What makes two posts the same for the queue: their content (a video's link becomes an embed URL: only its presence counts). */
export function contentKey(c: PostContent): string {
  return JSON.stringify([
    (c.title ?? '').trim(), (c.text ?? '').trim(), c.link ?? null,
    c.image?.blob ?? null, c.image?.alt ?? null, c.file?.blob ?? null, Boolean(c.video),
  ]);
}

/**
 * The queued posts of a room that no post of mine matches yet. A post's
 * events may come before its `ack` (durable commands): once my copy is on
 * the board, its queued command is no longer shown.
 */
export function queuedPosts(commands: readonly Command[], posts: readonly Post[], me: string | undefined): QueuedPost[] {
  const mine = new Map<string, number>();
  for (const post of posts) {
    if (me && post.author === me) mine.set(contentKey(post), (mine.get(contentKey(post)) ?? 0) + 1);
  }
  const out: QueuedPost[] = [];
  for (const command of commands) {
    if (command.type !== 'board' || command.command.action !== 'post') continue;
    const key = contentKey(command.command);
    const matched = mine.get(key) ?? 0;
    if (matched > 0) {
      mine.set(key, matched - 1);
      continue;
    }
    out.push({ id: command.id, section: command.command.section ?? null, content: command.command });
  }
  return out;
}

/** Whether I like a post, counting the last like or unlike still queued. */
export function likedNow(liked: ReadonlySet<string>, commands: readonly Command[], post: string): boolean {
  let result = liked.has(post);
  for (const c of commands) {
    if (c.type !== 'board' || !('post' in c.command) || c.command.post !== post) continue;
    if (c.command.action === 'like') result = true;
    if (c.command.action === 'unlike') result = false;
  }
  return result;
}

/** What this viewer may not add (leaders: nothing). */
export function switchedOff(settings: BoardSettings, role: Role): ReadonlySet<Contribution> {
  return new Set(leads(role) ? [] : settings.switched_off ?? []);
}

/** The file types the file field offers, by what is switched on ('' when everything is). */
export function fileAccept(off: ReadonlySet<Contribution>): string {
  if (!off.has('files') && !off.has('audio') && !off.has('documents')) return '';
  const parts: string[] = [];
  if (!off.has('documents')) parts.push('.pdf,.odt,.ods,.odp,.docx,.xlsx,.pptx');
  if (!off.has('audio')) parts.push('audio/*');
  if (!off.has('files')) parts.push('image/*,video/*');
  return parts.join(',');
}

/** My stars for a post (0: none), counting the last rate or unrate still queued. */
export function ratedNow(rated: Readonly<Record<string, number>>, commands: readonly Command[], post: string): number {
  let result = rated[post] ?? 0;
  for (const c of commands) {
    if (c.type !== 'board' || !('post' in c.command) || c.command.post !== post) continue;
    if (c.command.action === 'rate') result = c.command.stars;
    if (c.command.action === 'unrate') result = 0;
  }
  return result;
}

/** A rating's average, to one decimal (0 when nobody rated). */
export function averageStars(rating: Rating | null | undefined): number {
  if (!rating || rating.count === 0) return 0;
  return Math.round((rating.sum / rating.count) * 10) / 10;
}

/** Whether a board command about this post (with this action, if given) waits for its answer. */
export function isQueued(commands: readonly Command[], post: string, action?: BoardCommand['action']): boolean {
  return commands.some((c) => c.type === 'board' && 'post' in c.command && c.command.post === post && (!action || c.command.action === action));
}

// ---- deadlines ------------------------------------------------------------------------------

/** A time as a `datetime-local` value (local time, minutes). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as ms since the epoch; null when empty or unreadable. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** Date and time in the current language. */
export function formatDateTime(ms: number): string {
  return dateAndTime(ms, lang());
}

// ---- read out ------------------------------------------------------------------------------

/** What arrived, counted between two read-outs. */
export interface Arrivals {
  posts: number;
  comments: number;
}

/**
 * Gathers arrivals and reads them out at most once per `delayMs` (new posts
 * announced politely without flooding the live region): the first arrival
 * starts the timer, later ones join it.
 */
export function coalescer(delayMs: number, flush: (arrivals: Arrivals) => void): {
  add(kind: keyof Arrivals): void;
  dispose(): void;
} {
  let pending: Arrivals = { posts: 0, comments: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    add(kind) {
      pending[kind]++;
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        const arrived = pending;
        pending = { posts: 0, comments: 0 };
        flush(arrived);
      }, delayMs);
    },
    dispose() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** "2 nouveaux messages et 1 nouveau commentaire". */
export function arrivalsText(arrivals: Arrivals): string {
  const parts: string[] = [];
  if (arrivals.posts) parts.push(tn('board.announce.posts', arrivals.posts));
  if (arrivals.comments) {
    parts.push(tn('board.announce.comments', arrivals.comments));
  }
  return parts.join(t('board.announce.and'));
}
