// REST calls of the page (same origin): creating a lobby room with a
// trainer's JWT. Errors come back as `{code, message}` JSON with a 4xx/5xx.

import type { RoomKind } from './protocol';

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

/** POST /api/v1/rooms → the new room; throws ApiError (code `network` when unreachable). */
export async function createRoom(token: string, title: string, fetchImpl: typeof fetch = fetch): Promise<CreatedRoom> {
  let response: Response;
  try {
    response = await fetchImpl('/api/v1/rooms', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ title }),
    });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const err = (body ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof err.code === 'string' ? err.code : response.status === 401 ? 'unauthorized' : 'internal';
    throw new ApiError(response.status, code, typeof err.message === 'string' ? err.message : response.statusText);
  }
  return body as CreatedRoom;
}
