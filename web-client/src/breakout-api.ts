// REST calls of the ateliers screens: creating a breakout room (its plan of
// ateliers and the assignment mode), and the facilitator's participation
// report (`participation.json`, per atelier and per participant), and asking
// BigBlueButton again for an atelier's video room. The video
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

/** POST /api/v1/sessions/{room}/ateliers/{atelier}/video/retry (leaders): ask BigBlueButton for the video room again, now. */
export async function retryVideo(token: string, room: string, atelier: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await send(fetchImpl, `/api/v1/sessions/${encodeURIComponent(room)}/ateliers/${encodeURIComponent(atelier)}/video/retry`, {
    method: 'POST',
    headers: { ...auth(token), Accept: 'application/json' },
  });
  await readJson(response);
}

/** GET /api/v1/sessions/{room}/participation.json (leaders) → the file to save. */
export function fetchParticipation(
  token: string,
  room: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ blob: Blob; filename: string }> {
  return fetchDownload(token, `/api/v1/sessions/${encodeURIComponent(room)}/participation.json`, `participation-${room}.json`, fetchImpl);
}
