// The badges' REST calls (src/badges/api.rs and routes.rs): a trainer
// attaches a badge to an activity, gives it an image, lists who got it and
// revokes an award; a member lists their own awards (a guest with their
// resume token); anyone reads an award's public page or has a credential
// verified. Errors come back as ApiError, like the other calls.

import { auth, readJson, send } from './api';
import type { RoomId } from './protocol';

/** What a badge's award asks of its recipient's completion. */
export type BadgeRule = 'complete' | 'passed' | 'attendance';

export interface NewBadge {
  activity: RoomId;
  name: string;
  description: string;
  criteria: string;
  rule: BadgeRule;
  /** With `attendance`: the share of the ateliers' open time, 1–100. */
  min_percent?: number;
  /** Days an award stays valid; none: no expiry. */
  valid_days?: number;
  /** The other activities of a series (rules `complete` and `passed`). */
  series?: RoomId[];
}

export interface Badge {
  id: string;
  activity: RoomId;
  /** Every activity of a series, `activity` first; empty for one activity. */
  series: RoomId[];
  name: string;
  description: string;
  criteria: string;
  rule: BadgeRule;
  min_percent: number | null;
  valid_days: number | null;
  /** The image's public URL, once one is given. */
  image: string | null;
  achievement: string;
  /** Awarded at once to the completions already stored (on creation). */
  awarded_now?: number;
}

/** An award as the API lists it (its badge's name, image and activity with it). */
export interface Award {
  id: string;
  badge: string;
  badge_name: string;
  badge_description: string;
  badge_image: string | null;
  activity: RoomId;
  recipient: string;
  recipient_name: string;
  issued_at: number;
  expires_at: number | null;
  score: number;
  max_score: number;
  attended_minutes: number;
  revoked_at: number | null;
  revocation_reason: string | null;
  /** The award's public page (its verdict); a browser gets the web client's. */
  credential: string;
  credential_jwt: string;
  certificate_pdf: string;
  /** The Open Badges 2.0 form (a hosted assertion and the baked PNG a 2.0
   * backpack such as Moodle's imports), when the platform gave the
   * recipient's e-mail and the badge's image is a PNG. */
  open_badges_2?: { assertion: string; baked_png: string } | null;
}

export type VerdictCode = 'valid' | 'tampered' | 'other_key' | 'expired' | 'revoked' | 'unknown_issuer' | 'malformed';

/** A verification's answer (`POST /badges/verify`, or an award's page). */
export interface Verdict {
  verdict: VerdictCode;
  valid: boolean;
  reason?: string;
  credential?: {
    name?: string;
    validFrom?: string;
    validUntil?: string;
    issuer?: { name?: string; url?: string };
    credentialSubject?: { achievement?: { name?: string; description?: string; criteria?: { narrative?: string } } };
  };
  /** On an award's page. */
  badge_name?: string;
  credential_jwt?: string;
  certificate_pdf?: string;
  award?: {
    recipient_name: string;
    issued_at: number;
    expires_at: number | null;
    badge_description: string;
    badge_image: string | null;
    revoked_at: number | null;
    revocation_reason: string | null;
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

/** POST /api/v1/badges → the badge (a leader's token). */
export async function createBadge(token: string, badge: NewBadge, fetchImpl: typeof fetch = fetch): Promise<Badge> {
  const response = await send(fetchImpl, '/api/v1/badges', {
    method: 'POST',
    headers: { ...auth(token), ...JSON_HEADERS },
    body: JSON.stringify(badge),
  });
  return (await readJson(response)) as Badge;
}

/** PUT /api/v1/badges/{id}/image: the image's bytes (PNG, JPEG, GIF or WebP). */
export async function uploadBadgeImage(token: string, badge: string, image: Blob, fetchImpl: typeof fetch = fetch): Promise<Badge> {
  const response = await send(fetchImpl, `/api/v1/badges/${encodeURIComponent(badge)}/image`, {
    method: 'PUT',
    headers: { ...auth(token), Accept: 'application/json', 'Content-Type': image.type || 'application/octet-stream' },
    body: image,
  });
  return (await readJson(response)) as Badge;
}

/** GET /api/v1/badges?activity=ROOM → the activity's badges in force. */
export async function listBadges(token: string, activity: RoomId, fetchImpl: typeof fetch = fetch): Promise<Badge[]> {
  const response = await send(fetchImpl, `/api/v1/badges?activity=${encodeURIComponent(activity)}`, { headers: { ...auth(token), Accept: 'application/json' } });
  const body = (await readJson(response)) as { badges?: Badge[] } | null;
  return Array.isArray(body?.badges) ? body.badges : [];
}

/** DELETE /api/v1/badges/{id}: retired (awarded no more; its awards stay valid). */
export async function retireBadge(token: string, badge: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await send(fetchImpl, `/api/v1/badges/${encodeURIComponent(badge)}`, { method: 'DELETE', headers: { ...auth(token), Accept: 'application/json' } });
  if (!response.ok) await readJson(response);
}

/** GET /api/v1/badges/{id}/awards → who got it. */
export async function listAwards(token: string, badge: string, fetchImpl: typeof fetch = fetch): Promise<Award[]> {
  const response = await send(fetchImpl, `/api/v1/badges/${encodeURIComponent(badge)}/awards`, { headers: { ...auth(token), Accept: 'application/json' } });
  const body = (await readJson(response)) as { awards?: Award[] } | null;
  return Array.isArray(body?.awards) ? body.awards : [];
}

/** POST /api/v1/badges/awards/{award}/revoke with the reason. */
export async function revokeAward(token: string, award: string, reason: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await send(fetchImpl, `/api/v1/badges/awards/${encodeURIComponent(award)}/revoke`, {
    method: 'POST',
    headers: { ...auth(token), ...JSON_HEADERS },
    body: JSON.stringify({ reason }),
  });
  await readJson(response);
}

/** GET /api/v1/me/badges[?activity=ROOM] → the bearer's own awards, newest first. */
export async function myAwards(token: string, activity?: RoomId, fetchImpl: typeof fetch = fetch): Promise<Award[]> {
  const query = activity ? `?activity=${encodeURIComponent(activity)}` : '';
  const response = await send(fetchImpl, `/api/v1/me/badges${query}`, { headers: { ...auth(token), Accept: 'application/json' } });
  const body = (await readJson(response)) as { awards?: Award[] } | null;
  return Array.isArray(body?.awards) ? body.awards : [];
}

/** GET /badges/credentials/{award} as data → its verdict now and what its page shows. */
export async function awardPage(award: string, fetchImpl: typeof fetch = fetch): Promise<Verdict> {
  const response = await send(fetchImpl, `/badges/credentials/${encodeURIComponent(award)}`, { headers: { Accept: 'application/json' } });
  return (await readJson(response)) as Verdict;
}

/** A file of a piece of evidence, served from the award's address. */
export interface EvidenceFile {
  blob: string;
  name: string;
  /** `image` is shown, `file` downloaded. */
  role: 'image' | 'file';
  alt: string;
  url: string;
}

/** One thing the recipient made (src/badges/evidence.rs). */
export interface EvidenceItem {
  /** The fragment the credential's evidence links: `post-ID`, `atelier-ID`. */
  anchor: string;
  kind: 'board_post' | 'atelier_production';
  activity: string;
  title: string;
  text: string;
  link: string | null;
  video: string | null;
  files: EvidenceFile[];
  at: number;
}

/** GET /badges/credentials/{award}/evidence → what the recipient made, as it is now. */
export async function awardEvidence(award: string, fetchImpl: typeof fetch = fetch): Promise<EvidenceItem[]> {
  const response = await send(fetchImpl, `/badges/credentials/${encodeURIComponent(award)}/evidence`, { headers: { Accept: 'application/json' } });
  const body = (await readJson(response)) as { items?: EvidenceItem[] } | null;
  return Array.isArray(body?.items) ? body.items : [];
}

/** POST /badges/verify: a VC-JWT or a credential as JSON (pasted, or a file's text) → the verdict. */
export async function verifyCredential(text: string, fetchImpl: typeof fetch = fetch): Promise<Verdict> {
  const response = await send(fetchImpl, '/badges/verify', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', Accept: 'application/json' },
    body: text,
  });
  return (await readJson(response)) as Verdict;
}
