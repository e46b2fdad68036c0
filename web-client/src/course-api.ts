// The course behind a session opened from Moodle (LTI): its roster, read by
// the server through the platform's Names and Role Provisioning Services, and
// ateliers pre-assigned from it.

import { auth, readJson, send } from './api';

export interface CourseMember {
  member: string;
  user_id: string;
  name: string | null;
  email: string | null;
  role: 'participant' | 'trainer' | 'facilitator' | 'observer' | 'admin' | 'national';
  /** Joined the session at least once. */
  came: boolean;
  /** Connected now. */
  present: boolean;
}

/** GET /api/v1/sessions/{room}/roster → the course's members (404 `not_found`: not opened from a course). */
export async function fetchRoster(token: string, room: string, fetchImpl: typeof fetch = fetch): Promise<CourseMember[]> {
  const response = await send(fetchImpl, `/api/v1/sessions/${encodeURIComponent(room)}/roster`, {
    headers: { ...auth(token), Accept: 'application/json' },
  });
  return ((await readJson(response)) as { members: CourseMember[] }).members;
}

/** POST /api/v1/sessions/{room}/roster/assignments with `distribute`: the course's participants spread over the ateliers. */
export async function distributeRoster(
  token: string,
  room: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ assigned: { user_id: string; atelier: string }[]; not_assigned: { user_id: string; message: string }[] }> {
  const response = await send(fetchImpl, `/api/v1/sessions/${encodeURIComponent(room)}/roster/assignments`, {
    method: 'POST',
    headers: { ...auth(token), Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ distribute: true }),
  });
  return (await readJson(response)) as Awaited<ReturnType<typeof distributeRoster>>;
}
