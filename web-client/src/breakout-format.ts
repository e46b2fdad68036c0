// Pure helpers of the ateliers screens: the plan typed in the creation form
// (checked against the server's limits, ids a1, a2, … given in order), the
// resources typed one per line, the production form's content, a production
// queued offline, the video link of an atelier (a plain link, or amphi's
// video endpoint that answers the member's own join URL), and time left.

import type { Atelier, AssignmentMode, BreakoutPlan, ProductionContent, Resource } from './breakout-protocol';
import { isWebLink } from './board-format';
import { tn } from './i18n';
import type { Command } from './protocol';

export const ATELIERS_MAX = 50;
export const NAME_MAX = 200;
export const INSTRUCTIONS_MAX = 5000;
export const RESOURCES_MAX = 20;
export const DURATION_MIN_MINUTES = 1;
export const DURATION_MAX_MINUTES = 720;
export const CAPACITY_MAX = 20_000;
export const BROADCAST_MAX = 1000;
export const CALL_MAX = 500;
export const PRODUCTION_TEXT_MAX = 5000;
export const LINK_MAX = 2000;
/** "Prolonger" adds this much. */
export const EXTEND_CHOICES_S = [60, 300, 600] as const;

/** One atelier as typed in the form (strings, as the inputs give them). */
export interface AtelierDraft {
  name: string;
  instructions: string;
  /** Minutes. */
  duration: string;
  /** One link per line: `Title | https://…` or just the address. */
  resources: string;
  /** Empty: no limit. */
  capacity: string;
}

/** What is wrong with a draft, and where (`index`: the atelier, from 0). */
export type PlanError =
  | { field: 'count'; index: -1 }
  | { field: 'name' | 'nameTooLong' | 'instructions' | 'duration' | 'capacity' | 'resources' | 'resourcesTooMany'; index: number; line?: number };

/** Reads `Title | https://…` lines (or a bare address, titled by its host); blank lines dropped.
 * Returns the line number (from 1) of the first bad line instead. */
export function parseResources(text: string): { resources: Resource[] } | { badLine: number } {
  const resources: Resource[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const bar = line.lastIndexOf('|');
    const url = (bar >= 0 ? line.slice(bar + 1) : line).trim();
    let title = bar >= 0 ? line.slice(0, bar).trim() : '';
    if (!isWebLink(url) || url.length > LINK_MAX) return { badLine: i + 1 };
    if (!title) title = new URL(url).host;
    resources.push({ title: title.slice(0, NAME_MAX), url });
  }
  return { resources };
}

/** The plan the form describes, or the first thing wrong with it. */
export function buildPlan(drafts: readonly AtelierDraft[], mode: AssignmentMode): { plan: BreakoutPlan } | { error: PlanError } {
  if (drafts.length < 1 || drafts.length > ATELIERS_MAX) return { error: { field: 'count', index: -1 } };
  const ateliers: Atelier[] = [];
  for (let index = 0; index < drafts.length; index++) {
    const d = drafts[index];
    const name = d.name.trim();
    if (!name) return { error: { field: 'name', index } };
    if ([...name].length > NAME_MAX) return { error: { field: 'nameTooLong', index } };
    const instructions = d.instructions.trim();
    if ([...instructions].length > INSTRUCTIONS_MAX) return { error: { field: 'instructions', index } };
    const minutes = Number(d.duration.trim().replace(',', '.'));
    if (!d.duration.trim() || !Number.isFinite(minutes) || minutes < DURATION_MIN_MINUTES || minutes > DURATION_MAX_MINUTES) {
      return { error: { field: 'duration', index } };
    }
    let capacity: number | undefined;
    if (d.capacity.trim()) {
      capacity = Number(d.capacity.trim());
      if (!Number.isInteger(capacity) || capacity < 1 || capacity > CAPACITY_MAX) return { error: { field: 'capacity', index } };
    }
    const parsed = parseResources(d.resources);
    if ('badLine' in parsed) return { error: { field: 'resources', index, line: parsed.badLine } };
    if (parsed.resources.length > RESOURCES_MAX) return { error: { field: 'resourcesTooMany', index } };
    const atelier: Atelier = { id: `a${index + 1}`, name, instructions, duration_s: Math.round(minutes * 60) };
    if (parsed.resources.length) atelier.resources = parsed.resources;
    if (capacity !== undefined) atelier.capacity = capacity;
    ateliers.push(atelier);
  }
  return { plan: { ateliers, mode } };
}

/** A production form's content (trimmed), or why it cannot be sent. */
export function buildProduction(text: string, link: string): { content: ProductionContent } | { error: 'empty' | 'textTooLong' | 'linkInvalid' } {
  const body = text.trim();
  const url = link.trim();
  if (!body && !url) return { error: 'empty' };
  if ([...body].length > PRODUCTION_TEXT_MAX) return { error: 'textTooLong' };
  if (url && (!isWebLink(url) || url.length > LINK_MAX)) return { error: 'linkInvalid' };
  const content: ProductionContent = {};
  if (body) content.text = body;
  if (url) content.link = url;
  return { content };
}

/** The latest production handed in and not answered yet (offline: it waits in the queue). */
export function queuedProduction(commands: readonly Command[]): ProductionContent | undefined {
  let last: ProductionContent | undefined;
  for (const c of commands) {
    if (c.type === 'breakout' && c.command.action === 'submit_production') {
      const { action: _action, ...content } = c.command;
      last = content;
    }
  }
  return last;
}

/** Whether a breakout command with this action waits for its answer. */
export function isQueuedAction(commands: readonly Command[], action: string): boolean {
  return commands.some((c) => c.type === 'breakout' && c.command.action === action);
}

/** amphi's own video endpoint (its answer is the member's signed join URL), rather than a plain link. */
export function isVideoEndpoint(url: string): boolean {
  return /^\/api\/v1\/sessions\/[^/]+\/ateliers\/[^/]+\/video$/.test(url);
}

/** The address to join an atelier's video room: a plain http(s) link as it is, amphi's
 * endpoint asked with the member's bearer token (`{url}`); null if there is none to give. */
export async function videoJoinUrl(
  videoUrl: string | undefined,
  bearer: string | undefined,
  fetchImpl: typeof fetch = fetch,
): Promise<string | null> {
  if (!videoUrl) return null;
  if (!isVideoEndpoint(videoUrl)) return isWebLink(videoUrl) ? videoUrl : null;
  if (!bearer) return null;
  const response = await fetchImpl(videoUrl, { headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' } });
  if (!response.ok) return null;
  const body = (await response.json().catch(() => null)) as { url?: unknown } | null;
  return body && typeof body.url === 'string' && isWebLink(body.url) ? body.url : null;
}

/** Whole minutes, rounded up, for the "n min" labels. */
export function minutesOf(seconds: number): number {
  return Math.ceil(seconds / 60);
}

/** An empty atelier row of the form. */
export function emptyDraft(minutes = 20): AtelierDraft {
  return { name: '', instructions: '', duration: String(minutes), resources: '', capacity: '' };
}

/** A warning point in words: "1 minute", "2 minutes", "10 secondes". */
export function warningText(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return tn('breakout.minutes', seconds / 60);
  return tn('breakout.seconds', seconds);
}
