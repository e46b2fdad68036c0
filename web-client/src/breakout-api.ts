// REST calls of the ateliers screens: creating a breakout room (its plan of
// ateliers and the assignment mode), and the facilitator's participation
// report (`participation.json`, per atelier and per participant). The video
// endpoint of an atelier is asked in breakout-format.ts (`videoJoinUrl`).

import { auth, fetchDownload, readJson, send, type CreatedRoom } from './api';
import type { BreakoutDefinitionRequest } from './breakout-protocol';

/** POST /api/v1/rooms with `kind: "breakout"` → the new room. */
export async function createBreakoutRoom(
  token: string,
  title: string,
  breakout: BreakoutDefinitionRequest,
  fetchImpl: typeof fetch = fetch,
): Promise<CreatedRoom> {
  const response = await send(fetchImpl, '/api/v1/rooms', {
    method: 'POST',
    headers: { ...auth(token), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ title, kind: 'breakout', breakout }),
  });
  return (await readJson(response)) as CreatedRoom;
}

/** GET /api/v1/sessions/{room}/participation.json (leaders) → the file to save. */
export function fetchParticipation(
  token: string,
  room: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ blob: Blob; filename: string }> {
  return fetchDownload(token, `/api/v1/sessions/${encodeURIComponent(room)}/participation.json`, `participation-${room}.json`, fetchImpl);
}
