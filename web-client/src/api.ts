// REST calls of the page (same origin), all with a trainer's JWT: creating a
// lobby or quiz room, listing the rooms the trainer leads ("Mes sessions"), converting a GIFT / Moodle XML / JSON quiz file, and
// fetching a session's files (quiz results as CSV or JSON, attendance as CSV)
// as a Blob to save, and getting a projector's token for a room. Errors come back as `{code, message}` JSON with a 4xx/5xx.
// The board's own calls (uploads, exports, import) are in board-api.ts.

import type { RoomKind } from './protocol';
import type { ImportFormat, ImportResult, NativeQuiz, QuizSettings } from './quiz-protocol';

export interface CreatedRoom {
  id: string;
  kind: RoomKind;
  title: string;
  join_code: string;
  tenant: string;
  created_at: string | number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface QuizRoomRequest {
  quiz: NativeQuiz;
  settings?: Partial<QuizSettings>;
}

/** POST /api/v1/rooms → the new room; throws ApiError (code `network` when unreachable). */
export async function createRoom(
  token: string,
  title: string,
  fetchImpl: typeof fetch = fetch,
  quiz?: QuizRoomRequest,
): Promise<CreatedRoom> {
  const body = quiz ? { title, kind: 'quiz', quiz: quiz.quiz, settings: quiz.settings ?? {} } : { title };
  const response = await send(fetchImpl, '/api/v1/rooms', {
    method: 'POST',
    headers: { ...auth(token), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return (await readJson(response)) as CreatedRoom;
}

/** A room of "Mes sessions": `live` when it is in use on the server now; the bearer's folder and star for it. */
export interface MyRoom extends CreatedRoom {
  live: boolean;
  folder?: string | null;
  favourite?: boolean;
}

/** Which rooms "Mes sessions" lists: all, those in no folder (`root`), or a folder's (its id). */
export type FolderFilter = '' | 'root' | string;

/**
 * GET /api/v1/rooms?mine=1[&folder=] → the rooms the token's bearer leads: favourites first, then live ones
 * (as the server orders them).
 */
export async function listMyRooms(token: string, fetchImpl: typeof fetch = fetch, folder: FolderFilter = ''): Promise<MyRoom[]> {
  const query = folder ? `&folder=${encodeURIComponent(folder)}` : '';
  const response = await send(fetchImpl, `/api/v1/rooms?mine=1${query}`, { headers: { ...auth(token), Accept: 'application/json' } });
  const body = (await readJson(response)) as { rooms?: MyRoom[] } | null;
  return Array.isArray(body?.rooms) ? body.rooms : [];
}

/** A JSON call of "Mes sessions" (folders, trash, copies); `null` for a 204. */
async function call(token: string, method: string, path: string, body?: unknown, fetchImpl: typeof fetch = fetch): Promise<unknown> {
  const headers: Record<string, string> = { ...auth(token), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await send(fetchImpl, path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  return readJson(response);
}

const roomPath = (room: string) => `/api/v1/rooms/${encodeURIComponent(room)}`;

/** POST /api/v1/rooms/{room}/duplicate → the copy (« … (copie) »), the bearer's. */
export async function duplicateRoom(token: string, room: string, fetchImpl: typeof fetch = fetch): Promise<CreatedRoom> {
  return (await call(token, 'POST', `${roomPath(room)}/duplicate`, undefined, fetchImpl)) as CreatedRoom;
}

/** A room in the trash: when it went there, and when it is deleted for good (`null`: kept until emptied). */
export interface TrashedRoom extends CreatedRoom {
  deleted_at: number;
  purge_at: number | null;
}

/** DELETE /api/v1/rooms/{room}: to the trash. */
export async function trashRoom(token: string, room: string, fetchImpl: typeof fetch = fetch): Promise<TrashedRoom> {
  return (await call(token, 'DELETE', roomPath(room), undefined, fetchImpl)) as TrashedRoom;
}

/** GET /api/v1/trash. */
export async function listTrash(token: string, fetchImpl: typeof fetch = fetch): Promise<{ rooms: TrashedRoom[]; retention_days: number }> {
  const body = (await call(token, 'GET', '/api/v1/trash', undefined, fetchImpl)) as { rooms?: TrashedRoom[]; retention_days?: number } | null;
  return { rooms: Array.isArray(body?.rooms) ? body.rooms : [], retention_days: body?.retention_days ?? 0 };
}

/** POST /api/v1/trash/{room}/restore. */
export async function restoreRoom(token: string, room: string, fetchImpl: typeof fetch = fetch): Promise<CreatedRoom> {
  return (await call(token, 'POST', `/api/v1/trash/${encodeURIComponent(room)}/restore`, undefined, fetchImpl)) as CreatedRoom;
}

/** DELETE /api/v1/trash/{room}, or the whole trash without a room: deleted for good. */
export async function deleteForever(token: string, room: string | null, fetchImpl: typeof fetch = fetch): Promise<number> {
  const path = room ? `/api/v1/trash/${encodeURIComponent(room)}` : '/api/v1/trash';
  const body = (await call(token, 'DELETE', path, undefined, fetchImpl)) as { deleted?: number } | null;
  return body?.deleted ?? 0;
}

export interface Folder {
  id: string;
  name: string;
  rooms: number;
}

/** GET /api/v1/folders: the bearer's folders, by name. */
export async function listFolders(token: string, fetchImpl: typeof fetch = fetch): Promise<Folder[]> {
  const body = (await call(token, 'GET', '/api/v1/folders', undefined, fetchImpl)) as { folders?: Folder[] } | null;
  return Array.isArray(body?.folders) ? body.folders : [];
}

/** POST /api/v1/folders. */
export async function createFolder(token: string, name: string, fetchImpl: typeof fetch = fetch): Promise<Folder> {
  return (await call(token, 'POST', '/api/v1/folders', { name }, fetchImpl)) as Folder;
}

/** PUT /api/v1/folders/{id}. */
export async function renameFolder(token: string, id: string, name: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  await call(token, 'PUT', `/api/v1/folders/${encodeURIComponent(id)}`, { name }, fetchImpl);
}

/** DELETE /api/v1/folders/{id}: its rooms go back to the root. */
export async function deleteFolder(token: string, id: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  await call(token, 'DELETE', `/api/v1/folders/${encodeURIComponent(id)}`, undefined, fetchImpl);
}

/** PUT /api/v1/rooms/{room}/mark: its folder (`null`: none) and/or its star. */
export async function markRoom(
  token: string,
  room: string,
  mark: { folder?: string | null; favourite?: boolean },
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  await call(token, 'PUT', `${roomPath(room)}/mark`, mark, fetchImpl);
}

/** POST /api/v1/boards/{board}/posts/{post}/copy → answered once the copy is on the target board. */
export async function copyPost(token: string, board: string, post: string, to: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  await call(token, 'POST', `/api/v1/boards/${encodeURIComponent(board)}/posts/${encodeURIComponent(post)}/copy`, { to }, fetchImpl);
}

/** POST /api/v1/quizzes/import[?format=…] with the file's text → the native quiz. */
export async function importQuiz(
  token: string,
  text: string,
  format?: ImportFormat,
  fetchImpl: typeof fetch = fetch,
): Promise<ImportResult> {
  const query = format ? `?format=${encodeURIComponent(format)}` : '';
  const response = await send(fetchImpl, `/api/v1/quizzes/import${query}`, {
    method: 'POST',
    headers: { ...auth(token), 'Content-Type': 'text/plain; charset=utf-8', Accept: 'application/json' },
    body: text,
  });
  return (await readJson(response)) as ImportResult;
}

export type ResultsFormat = 'csv' | 'json';

/** The files of a session the trainer can download (`/api/v1/sessions/{room}/…`). */
export type SessionFile = 'results.csv' | 'results.json' | 'attendance.csv';

/** A CSV's dialects: `fr` for French spreadsheets (`;`, decimal commas, local times), `en` (`,`, UTC, the server's default). */
export type CsvDialect = 'fr' | 'en';

/** The URL of a session file (it needs the trainer's bearer token); `dialect` for a CSV. */
export function sessionFileUrl(room: string, file: SessionFile, dialect?: CsvDialect): string {
  const query = dialect ? `?dialect=${dialect}` : '';
  return `/api/v1/sessions/${encodeURIComponent(room)}/${file}${query}`;
}

/** GET a session file → the file and its name (from Content-Disposition, else `results-{room}.csv`…). */
export async function fetchSessionFile(
  token: string,
  room: string,
  file: SessionFile,
  fetchImpl: typeof fetch = fetch,
  dialect?: CsvDialect,
): Promise<{ blob: Blob; filename: string }> {
  const [base, ext] = file.split('.');
  return fetchDownload(token, sessionFileUrl(room, file, dialect), `${base}-${room}.${ext}`, fetchImpl);
}

/** GET a file with the bearer token → the file and its name (from Content-Disposition, else `fallbackName`). */
export async function fetchDownload(
  token: string,
  url: string,
  fallbackName: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ blob: Blob; filename: string }> {
  const response = await send(fetchImpl, url, { headers: auth(token) });
  if (!response.ok) await readJson(response); // throws the ApiError
  return { blob: await response.blob(), filename: dispositionName(response.headers.get('Content-Disposition') ?? '') ?? fallbackName };
}

/** The file name of a Content-Disposition: its UTF-8 `filename*` (RFC 6266), else its `filename`. */
export function dispositionName(disposition: string): string | undefined {
  const extended = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // a malformed encoding: the plain name below
    }
  }
  return /filename="?([^";]+)"?/.exec(disposition)?.[1];
}

/** GET /api/v1/sessions/{room}/results.{csv,json} → the file and its name. */
export function fetchResults(
  token: string,
  room: string,
  format: ResultsFormat,
  fetchImpl: typeof fetch = fetch,
): Promise<{ blob: Blob; filename: string }> {
  return fetchSessionFile(token, room, `results.${format}`, fetchImpl);
}

/** POST /api/v1/rooms/{room}/observer-token → a projector's token, scoped to the room. */
export async function observerToken(
  token: string,
  room: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ token: string; expires_at: number }> {
  const response = await send(fetchImpl, `/api/v1/rooms/${encodeURIComponent(room)}/observer-token`, {
    method: 'POST',
    headers: { ...auth(token), Accept: 'application/json' },
  });
  return (await readJson(response)) as { token: string; expires_at: number };
}

/** POST /api/v1/first-run: the first run's one-time code (printed by `amphi serve`) → a trainer token. */
export async function exchangeFirstRunCode(code: string, fetchImpl: typeof fetch = fetch): Promise<{ token: string; name: string }> {
  const response = await send(fetchImpl, '/api/v1/first-run', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ code }),
  });
  return (await readJson(response)) as { token: string; name: string };
}

/** POST /api/v1/rooms/{room}/next-session → a new session (room) of the same activity. */
export async function nextSession(token: string, room: string, fetchImpl: typeof fetch = fetch): Promise<CreatedRoom> {
  const response = await send(fetchImpl, `/api/v1/rooms/${encodeURIComponent(room)}/next-session`, {
    method: 'POST',
    headers: { ...auth(token), Accept: 'application/json' },
  });
  return (await readJson(response)) as CreatedRoom;
}

export function auth(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export async function send(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
}

/** The JSON body of a success; throws an ApiError for an error status. */
export async function readJson(response: Response): Promise<unknown> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const err = (body ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof err.code === 'string' ? err.code : response.status === 401 ? 'unauthorized' : 'internal';
    throw new ApiError(response.status, code, typeof err.message === 'string' ? err.message : response.statusText);
  }
  return body;
}
