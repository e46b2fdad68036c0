// The shared library's REST calls (src/api/library/): search with its
// filters, an item's metadata and content, copies and their updates,
// publication, new versions, withdrawal, and the caller's own items and
// copies. Errors are ApiErrors (api.ts).

import { auth, readJson, send } from './api';

export type LibraryKind = 'quiz' | 'board' | 'plan';
export type LibraryScope = 'academie' | 'national';
export type Licence = 'etalab-2.0' | 'cc-by-sa-4.0';

export interface LibraryItem {
  id: string;
  kind: LibraryKind;
  scope: LibraryScope;
  academie: string;
  author_name: string;
  mine: boolean;
  can_withdraw: boolean;
  title: string;
  description: string;
  disciplines: string[];
  level: string;
  duration_min: number | null;
  tags: string[];
  licence: Licence;
  version: number;
  published_at: number;
  updated_at: number;
  withdrawn: boolean;
  withdrawn_at: number | null;
  changes?: LibraryChanges;
}

/** Entries of a list that changed between two versions. */
export interface ChangedEntries {
  added: { id: string | null; label: string | null }[];
  removed: { id: string | null; label: string | null }[];
  edited: { id: string | null; label: string | null }[];
}

export interface LibraryChanges {
  from_version: number;
  to_version: number;
  note: string;
  metadata: string[];
  content_changed: boolean;
  settings_changed?: boolean;
  questions?: ChangedEntries;
  ateliers?: ChangedEntries;
  sections?: ChangedEntries;
  posts?: ChangedEntries;
}

export interface LibraryContent {
  item: string;
  kind: LibraryKind;
  version: number;
  note: string;
  published_at: number;
  content: Record<string, unknown>;
}

export interface LibraryCopy {
  id: string;
  item: string;
  kind: LibraryKind;
  version: number;
  /** The room (quiz, board) or plan made. */
  target: string;
  created_at: number;
  updated_at: number;
  latest_version: number;
  update_available: boolean;
  item_title: string | null;
  item_withdrawn: boolean;
  changes?: LibraryChanges;
  /** Made or updated just now: the room or plan (as its API returns it). */
  made?: { id: string; kind?: string; title?: string };
  previous_target?: string;
}

export interface LibrarySearch {
  q?: string;
  discipline?: string;
  level?: string;
  kind?: LibraryKind | '';
  academie?: string;
  scope?: LibraryScope | '';
  since_days?: number;
  cursor?: string;
  limit?: number;
}

/** What a publication or a new version sends. */
export interface LibraryPublication {
  kind?: LibraryKind;
  source?: string;
  scope?: LibraryScope;
  note?: string;
  title?: string;
  description?: string;
  disciplines?: string[];
  level?: string;
  duration_min?: number;
  tags?: string[];
  licence?: Licence;
}

/** A saved ateliers plan of the caller (`GET /api/v1/plans`). */
export interface SavedPlan {
  id: string;
  title: string;
  owner?: string;
}

/** The query string of a search (empty filters left out). */
export function searchQuery(search: LibrarySearch): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    if (value === undefined || value === '' || value === 0) continue;
    params.set(key, String(value));
  }
  return params.toString();
}

function json(token: string): Record<string, string> {
  return { ...auth(token), Accept: 'application/json' };
}

async function call<T>(token: string, path: string, fetchImpl: typeof fetch, method = 'GET', body?: unknown): Promise<T> {
  const headers = body === undefined ? json(token) : { ...json(token), 'Content-Type': 'application/json' };
  const response = await send(fetchImpl, `/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await readJson(response)) as T;
}

export function searchLibrary(token: string, search: LibrarySearch, fetchImpl: typeof fetch = fetch): Promise<{ items: LibraryItem[]; next_cursor: string | null }> {
  return call(token, `/library/items?${searchQuery(search)}`, fetchImpl);
}

export function libraryItem(token: string, id: string, fetchImpl: typeof fetch = fetch): Promise<LibraryItem> {
  return call(token, `/library/items/${encodeURIComponent(id)}`, fetchImpl);
}

export function libraryContent(token: string, id: string, fetchImpl: typeof fetch = fetch): Promise<LibraryContent> {
  return call(token, `/library/items/${encodeURIComponent(id)}/content`, fetchImpl);
}

export function copyItem(token: string, id: string, fetchImpl: typeof fetch = fetch): Promise<LibraryCopy> {
  return call(token, `/library/items/${encodeURIComponent(id)}/copies`, fetchImpl, 'POST');
}

export function publishItem(token: string, publication: LibraryPublication, fetchImpl: typeof fetch = fetch): Promise<LibraryItem> {
  return call(token, '/library/items', fetchImpl, 'POST', publication);
}

export function publishVersion(token: string, id: string, publication: LibraryPublication, fetchImpl: typeof fetch = fetch): Promise<LibraryItem> {
  return call(token, `/library/items/${encodeURIComponent(id)}/versions`, fetchImpl, 'POST', publication);
}

export function withdrawItem(token: string, id: string, fetchImpl: typeof fetch = fetch): Promise<LibraryItem> {
  return call(token, `/library/items/${encodeURIComponent(id)}/withdraw`, fetchImpl, 'POST');
}

export async function myItems(token: string, fetchImpl: typeof fetch = fetch): Promise<LibraryItem[]> {
  return (await call<{ items: LibraryItem[] }>(token, '/library/mine', fetchImpl)).items;
}

export async function myCopies(token: string, fetchImpl: typeof fetch = fetch): Promise<LibraryCopy[]> {
  return (await call<{ copies: LibraryCopy[] }>(token, '/library/copies', fetchImpl)).copies;
}

export function updateCopy(token: string, id: string, fetchImpl: typeof fetch = fetch): Promise<LibraryCopy> {
  return call(token, `/library/copies/${encodeURIComponent(id)}/update`, fetchImpl, 'POST');
}

export async function myPlans(token: string, fetchImpl: typeof fetch = fetch): Promise<SavedPlan[]> {
  const body = await call<{ plans?: SavedPlan[] }>(token, '/plans', fetchImpl);
  return Array.isArray(body.plans) ? body.plans : [];
}

/** A comma-separated field as a list (trimmed, empty entries dropped). */
export function splitList(text: string): string[] {
  return text.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
}
