// REST calls of the board screens: creating a board room, uploading a file
// (the raw file as the body, any member's bearer token: a guest's resume
// token works), the addresses files are served at, the trainer's exports
// (CSV, ZIP) and importing an export as a new board.

import { auth, fetchDownload, readJson, send, type CreatedRoom } from './api';
import type { BoardDefinitionRequest, LinkPreview, UploadedBlob } from './board-protocol';

/** POST /api/v1/rooms with `kind: "board"` → the new room. */
export async function createBoardRoom(
  token: string,
  title: string,
  board: BoardDefinitionRequest,
  fetchImpl: typeof fetch = fetch,
): Promise<CreatedRoom> {
  const response = await send(fetchImpl, '/api/v1/rooms', {
    method: 'POST',
    headers: { ...auth(token), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ title, kind: 'board', board }),
  });
  return (await readJson(response)) as CreatedRoom;
}

/** POST /api/v1/boards/{room}/uploads?name=… with the file → its blob id, sniffed type and size.
 * Refusals: `file_too_large` (413), `file_type_refused` (415). */
export async function uploadBoardFile(
  bearer: string,
  room: string,
  file: Blob,
  name: string,
  fetchImpl: typeof fetch = fetch,
): Promise<UploadedBlob> {
  const response = await send(fetchImpl, `/api/v1/boards/${encodeURIComponent(room)}/uploads?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { ...auth(bearer), 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
    body: file,
  });
  return (await readJson(response)) as UploadedBlob;
}

/** `POST /api/v1/boards/{room}/link-preview`: the card of a link being posted. */
export async function fetchLinkPreview(
  bearer: string,
  room: string,
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<LinkPreview> {
  const response = await send(fetchImpl, `/api/v1/boards/${encodeURIComponent(room)}/link-preview`, {
    method: 'POST',
    headers: { ...auth(bearer), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ url }),
  });
  const body = (await readJson(response)) as { link_preview: LinkPreview };
  return body.link_preview;
}

let blobToken: string | undefined;

/** The `welcome.blob_token` that opens the tenant's files to `<img src>` and download links. */
export function setBlobToken(token: string | undefined): void {
  blobToken = token;
}

/** Where a blob is served, with the blob token of the last `welcome`; `name` names the download. */
export function blobUrl(blob: string, name?: string): string {
  const query = new URLSearchParams();
  if (name) query.set('name', name);
  if (blobToken) query.set('access', blobToken);
  const base = `/api/v1/blobs/${encodeURIComponent(blob)}`;
  const search = query.toString().replace(/\+/g, '%20');
  return search ? `${base}?${search}` : base;
}

export type BoardExport = 'export.csv' | 'export.zip';

/** The URL of a board export; the CSV in `dialect` (French spreadsheets: `;`, decimal commas, local times). */
export function boardExportUrl(room: string, file: BoardExport, dialect?: 'fr' | 'en'): string {
  const query = dialect && file === 'export.csv' ? `?dialect=${dialect}` : '';
  return `/api/v1/boards/${encodeURIComponent(room)}/${file}${query}`;
}

/** GET a board export with the trainer's token → the file and its name. */
export function fetchBoardExport(
  token: string,
  room: string,
  file: BoardExport,
  fetchImpl: typeof fetch = fetch,
  dialect?: 'fr' | 'en',
): Promise<{ blob: Blob; filename: string }> {
  return fetchDownload(token, boardExportUrl(room, file, dialect), `board-${room}.${file.split('.')[1]}`, fetchImpl);
}

/** POST /api/v1/boards/import[?title=…] with an `export.zip` → the new board room. */
export async function importBoard(
  token: string,
  zip: Blob,
  title?: string,
  fetchImpl: typeof fetch = fetch,
): Promise<CreatedRoom> {
  const query = title ? `?title=${encodeURIComponent(title)}` : '';
  const response = await send(fetchImpl, `/api/v1/boards/import${query}`, {
    method: 'POST',
    headers: { ...auth(token), 'Content-Type': 'application/zip', Accept: 'application/json' },
    body: zip,
  });
  return (await readJson(response)) as CreatedRoom;
}
