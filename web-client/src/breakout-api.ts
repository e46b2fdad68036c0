// REST calls of the ateliers screens: creating a breakout room (its plan of
// ateliers and the assignment mode), and the facilitator's participation
// report (`participation.json`, per atelier and per participant), and asking
// BigBlueButton again for an atelier's video room; the recordings of the
// ateliers' meetings (listed, deleted). The video
// endpoint of an atelier is asked in breakout-format.ts (`videoJoinUrl`).

import { auth, fetchDownload, readJson, send, type CreatedRoom } from './api';
import type { BreakoutDefinitionRequest } from './breakout-protocol';

/** A recording of a session's meeting, as `GET /api/v1/sessions/{room}/recordings` lists it. */
export interface SessionRecording {
  record_id: string;
  /** The atelier whose meeting was recorded (empty: the session's own). */
  atelier: string;
  name: string;
  state: string;
  published: boolean;
  started_at: number;
  ended_at: number;
  participants: number;
  playback_format: string;
  /** BigBlueButton's player (empty: not known yet). */
  playback_url: string;
  length_minutes: number;
}

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

/** GET /api/v1/sessions/{room}/recordings (leaders): asked of BigBlueButton first; `refreshed` false when it could not answer. */
export async function fetchRecordings(
  token: string,
  room: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ recordings: SessionRecording[]; refreshed: boolean }> {
  const response = await send(fetchImpl, `/api/v1/sessions/${encodeURIComponent(room)}/recordings`, {
    headers: { ...auth(token), Accept: 'application/json' },
  });
  return (await readJson(response)) as { recordings: SessionRecording[]; refreshed: boolean };
}

/** DELETE /api/v1/sessions/{room}/recordings (leaders): every recording of the session, on BigBlueButton too → how many. */
export async function deleteRecordings(token: string, room: string, fetchImpl: typeof fetch = fetch): Promise<number> {
  const response = await send(fetchImpl, `/api/v1/sessions/${encodeURIComponent(room)}/recordings`, {
    method: 'DELETE',
    headers: { ...auth(token), Accept: 'application/json' },
  });
  return ((await readJson(response)) as { deleted: number }).deleted;
}
