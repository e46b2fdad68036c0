// Breakout ("ateliers") wire types, mirroring protocol/src/breakout.rs: the
// plan a facilitator prepares, the commands leaders and participants send
// (`action` tag), the events a breakout session emits (`kind` tag) and the
// per-viewer snapshot. Optional fields are left out when they have no value.
// Text is plain text, never HTML; links are http or https.

import type { MemberId } from './protocol';

/** How participants end up in ateliers. */
export type AssignmentMode = 'manual' | 'random' | 'balanced' | 'free_choice';
export const ASSIGNMENT_MODES: readonly AssignmentMode[] = ['manual', 'random', 'balanced', 'free_choice'];

export interface Resource {
  title: string;
  url: string;
}

/** An uploaded file (a blob id from an upload). */
export interface AtelierFile {
  blob: string;
  name: string;
  content_type?: string;
  size?: number;
}

/** What became of a file added to an open atelier in its video room (absent: nothing was sent, no meeting running). */
export type DocumentDelivery = 'inserted' | 'unsupported' | 'failed';

/** One atelier of a plan. */
export interface Atelier {
  /** 1–64 ASCII letters, digits, `-`, `_`; unique in the plan. */
  id: string;
  name: string;
  instructions?: string;
  /** 60–43,200 seconds. */
  duration_s: number;
  resources?: Resource[];
  files?: AtelierFile[];
  capacity?: number;
  /** An http(s) link, or amphi's `/api/v1/sessions/{room}/ateliers/{atelier}/video` path. */
  video_url?: string;
  /** Why the atelier has no video room yet (set by the server). */
  video_problem?: VideoProblem;
  board?: boolean;
  quiz?: string;
}

/** Why BigBlueButton could not create an atelier's video room. */
export interface VideoProblem {
  /** `unreachable`, `timeout`, `refused`, `http` or `invalid_answer`. */
  code: string;
  /** What BigBlueButton said (English, technical). */
  detail: string;
  /** The server tries again by itself; else a leader retries. */
  retrying: boolean;
}

export interface BreakoutPlan {
  ateliers: Atelier[];
  mode?: AssignmentMode;
}

export interface BreakoutSettings {
  warnings_s?: number[];
  coalesce_ms?: number;
}

/** `POST /api/v1/rooms` with `kind: "breakout"`: the `breakout` part of the body. */
export interface BreakoutDefinitionRequest {
  plan: BreakoutPlan;
  settings?: BreakoutSettings;
}

export type AtelierState = 'pending' | 'open' | 'closed';
export type SessionStatus = 'preparing' | 'running' | 'plenary';
export type CloseReason = 'facilitator' | 'deadline';
export type CallState = 'waiting' | 'taken' | 'resolved';

export interface Broadcast {
  /** Stable id (`b1`, `b2`, …): show each broadcast once. */
  id: string;
  /** Absent: to every atelier (and the plenary). */
  atelier?: string;
  from: MemberId;
  from_name: string;
  text: string;
  at: number;
}

export interface HelpCall {
  id: string;
  atelier: string;
  member: MemberId;
  name: string;
  text?: string;
  at: number;
  state: CallState;
  by?: MemberId;
  by_name?: string;
}

export interface ProductionContent {
  text?: string;
  link?: string;
  file?: AtelierFile;
}

export interface Production extends ProductionContent {
  atelier: string;
  atelier_name: string;
  version: number;
  by: MemberId;
  by_name: string;
  at: number;
}

/** A recording of an atelier's video room shown to the plenary: a link played in BigBlueButton's player. */
export interface SharedRecording {
  record_id: string;
  atelier: string;
  atelier_name: string;
  /** BigBlueButton's player. */
  url: string;
  /** When the recorded meeting started (ms since the epoch; 0: unknown). */
  started_at: number;
  /** Its length in minutes (0: unknown). */
  length_minutes: number;
  /** When it was shown. */
  at: number;
}

/** An atelier as its members see it. */
export interface AtelierView extends Atelier {
  state: AtelierState;
  opened_at?: number;
  ends_at?: number;
  /** Broadcasts sent to this atelier, oldest first. */
  broadcasts?: Broadcast[];
  production?: Production;
}

/** An atelier a participant may choose (free choice). */
export interface Choice {
  id: string;
  name: string;
  state: AtelierState;
  capacity?: number;
  /** Places left (absent: no limit). */
  remaining?: number;
}

/** An atelier as leaders follow it. */
export interface AtelierStatus {
  id: string;
  state: AtelierState;
  opened_at?: number;
  ends_at?: number;
  members: MemberId[];
  present: number;
}

export interface AtelierCount {
  atelier: string;
  assigned: number;
  present: number;
}

export interface AssignmentChange {
  member: MemberId;
  atelier?: string;
}

export type BreakoutCommand =
  | { action: 'set_plan'; plan: BreakoutPlan }
  | { action: 'assign'; member: MemberId; atelier: string }
  | { action: 'unassign'; member: MemberId }
  | { action: 'distribute' }
  | { action: 'choose'; atelier: string }
  | { action: 'open'; ateliers?: string[] }
  | { action: 'extend'; seconds: number; atelier?: string }
  | { action: 'close'; atelier?: string }
  | { action: 'broadcast'; text: string; atelier?: string }
  | { action: 'call_help'; text?: string }
  | { action: 'take_call'; call: string }
  | { action: 'resolve_call'; call: string }
  | ({ action: 'submit_production' } & ProductionContent)
  | { action: 'publish'; atelier?: string }
  | { action: 'unpublish'; atelier?: string }
  | { action: 'add_file'; atelier: string; file: AtelierFile }
  | { action: 'publish_recording'; record_id: string }
  | { action: 'unpublish_recording'; record_id: string }
  | { action: 'set_video'; atelier: string; url?: string };

export type BreakoutAction = BreakoutCommand['action'];

export type BreakoutEvent =
  | { kind: 'plan'; plan: BreakoutPlan }
  | { kind: 'choices'; choices: Choice[] }
  | { kind: 'assignment'; atelier?: AtelierView }
  | { kind: 'assignments'; changes: AssignmentChange[] }
  | { kind: 'opened'; atelier: string; opened_at: number; ends_at: number }
  | { kind: 'extended'; atelier: string; ends_at: number }
  | { kind: 'time_warning'; atelier: string; seconds: number; ends_at: number }
  | { kind: 'closed'; atelier: string; reason: CloseReason }
  | { kind: 'status'; status: SessionStatus }
  | { kind: 'broadcast'; broadcast: Broadcast }
  | { kind: 'help_call'; call: HelpCall }
  | { kind: 'production'; production: Production }
  | { kind: 'published'; productions: Production[] }
  | { kind: 'unpublished'; ateliers: string[] }
  | { kind: 'file_added'; atelier: string; file: AtelierFile; video?: DocumentDelivery }
  | { kind: 'recording_published'; recording: SharedRecording }
  | { kind: 'recording_unpublished'; record_id: string }
  | { kind: 'video'; atelier: string; video_url?: string; video_problem?: VideoProblem }
  | { kind: 'counts'; ateliers: AtelierCount[]; unassigned_present: number };

/** A breakout session as one viewer sees it when joining. */
export interface BreakoutSnapshot {
  title: string;
  status: SessionStatus;
  mode: AssignmentMode;
  /** Participants: their atelier (absent: in the plenary, unassigned). */
  atelier?: AtelierView;
  /** Participants and observers, free choice. */
  choices?: Choice[];
  /** To every atelier, oldest first (the most recent 50). */
  broadcasts?: Broadcast[];
  /** Shown to the plenary, in plan order. */
  published?: Production[];
  /** Recordings shown to the plenary, in the order they were shown. */
  recordings?: SharedRecording[];
  /** Participants: their help call not yet resolved. */
  your_call?: HelpCall;
  /** Leaders: the plan. */
  plan?: BreakoutPlan;
  /** Leaders: every atelier's state, members and presence, in plan order. */
  ateliers?: AtelierStatus[];
  /** Leaders: present participants in no atelier. */
  unassigned?: MemberId[];
  /** Leaders: help calls not resolved, oldest first. */
  calls?: HelpCall[];
  /** Leaders: every atelier's latest production, in plan order. */
  productions?: Production[];
}
