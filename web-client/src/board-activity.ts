// The trainer's activity log of a board (`GET /api/v1/boards/{room}/activity`):
// its entries, newest first, a page at a time, and each entry in words.

import './i18n-pages';
import { auth, fetchDownload, readJson, send } from './api';
import type { Contribution, Reactions } from './board-protocol';
import { t, type MessageKey } from './i18n';

/** One accepted board command, as the log gives it. */
export interface ActivityEntry {
  position: number;
  /** ms since the epoch. */
  at: number;
  member: string;
  member_name: string;
  role: string | null;
  action: string | null;
  post?: string;
  post_title?: string;
  comment?: string;
  text?: string;
  section?: string;
  stars?: number;
  mode?: string;
  reactions?: Reactions;
  contribution?: Contribution;
  on?: boolean;
  locked?: boolean;
}

export interface ActivityPage {
  entries: ActivityEntry[];
  /** The `before` of the next (older) page; null at the start of the board. */
  next: number | null;
}

/** GET one page of the log, older than `before` when given. */
export async function fetchBoardActivity(token: string, room: string, before?: number | null, fetchImpl: typeof fetch = fetch): Promise<ActivityPage> {
  const query = before !== undefined && before !== null ? `?before=${before}` : '';
  const response = await send(fetchImpl, `/api/v1/boards/${encodeURIComponent(room)}/activity${query}`, {
    headers: { ...auth(token), Accept: 'application/json' },
  });
  return (await readJson(response)) as ActivityPage;
}

/** GET the whole log as CSV (French spreadsheets: `dialect` fr) → the file and its name. */
export function fetchBoardActivityCsv(token: string, room: string, dialect: 'fr' | 'en', fetchImpl: typeof fetch = fetch): Promise<{ blob: Blob; filename: string }> {
  return fetchDownload(token, `/api/v1/boards/${encodeURIComponent(room)}/activity.csv?dialect=${dialect}`, `board-activity-${room}.csv`, fetchImpl);
}

const ACTION: Record<string, MessageKey> = {
  post: 'board.activity.post',
  edit: 'board.activity.edit',
  move: 'board.activity.move',
  delete: 'board.activity.delete',
  comment: 'board.activity.comment',
  edit_comment: 'board.activity.edit_comment',
  delete_comment: 'board.activity.delete_comment',
  like: 'board.activity.like',
  unlike: 'board.activity.unlike',
  rate: 'board.activity.rate',
  unrate: 'board.activity.unrate',
  approve: 'board.activity.approve',
  hide: 'board.activity.hide',
  unhide: 'board.activity.unhide',
  reveal: 'board.activity.reveal',
  set_mode: 'board.activity.set_mode',
  set_deadline: 'board.activity.set_deadline',
  set_reactions: 'board.activity.set_reactions',
  add_section: 'board.activity.add_section',
  rename_section: 'board.activity.rename_section',
  lock_section: 'board.activity.lock_section',
  remove_section: 'board.activity.remove_section',
  clear: 'board.activity.clear',
};

/** What the entry's member did, in words ("a noté 4 sur 5"). */
export function activityText(entry: ActivityEntry): string {
  if (entry.action === 'switch' && entry.contribution) {
    return t(entry.on ? 'board.activity.switchOn' : 'board.activity.switchOff', { what: t(`board.switch.${entry.contribution}`).toLowerCase() });
  }
  const key = entry.action ? ACTION[entry.action] : undefined;
  if (!key) return entry.action ?? '';
  return t(key, { stars: entry.stars ?? '', reactions: entry.reactions ? t(`board.reactions.${entry.reactions}`).toLowerCase() : '' });
}
