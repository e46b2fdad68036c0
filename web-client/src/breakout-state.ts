// What one viewer knows of a room's breakout session, and the pure
// functions that update it: from a snapshot (replace), then from breakout
// events. The server already filters what each viewer gets (a participant
// hears of their own atelier, leaders of every atelier, observers of the
// plenary), so one state serves every role: the fields a role does not get
// stay empty. Broadcasts and help calls are upserted by id (a broadcast
// shows once, a resolved call leaves the queue), published productions by
// atelier, recordings shown to the plenary by record id. States are immutable: each update returns a new one.

import type {
  AssignmentMode,
  AtelierStatus,
  AtelierView,
  Broadcast,
  BreakoutEvent,
  BreakoutPlan,
  BreakoutSnapshot,
  Choice,
  HelpCall,
  Production,
  SessionStatus,
  SharedRecording,
  VideoProblem,
} from './breakout-protocol';
import type { MemberId } from './protocol';

/** Broadcasts kept per list (the server's snapshot holds the latest 50). */
export const MAX_BROADCASTS = 100;

export interface BreakoutState {
  title: string;
  status: SessionStatus;
  mode: AssignmentMode;
  /** Participants: their atelier (undefined: unassigned, in the plenary). */
  atelier?: AtelierView;
  /** Participants and observers, free choice. */
  choices: readonly Choice[];
  /** Participants and observers: broadcasts to everyone; leaders: every broadcast they got. Oldest first. */
  broadcasts: readonly Broadcast[];
  /** Shown to the plenary, in plan order. */
  published: readonly Production[];
  /** Recordings shown to the plenary, in the order they were shown. */
  recordings: readonly SharedRecording[];
  /** Participants: their call not yet resolved. */
  yourCall?: HelpCall;
  /** Leaders: the plan. */
  plan?: BreakoutPlan;
  /** Leaders: each atelier's state and members, in plan order. */
  ateliers: readonly AtelierStatus[];
  /** Leaders: present participants in no atelier (from the snapshot, then `counts`). */
  unassignedPresent: number;
  /** Leaders: calls not resolved, oldest first. */
  calls: readonly HelpCall[];
  /** Leaders: every atelier's latest production, in plan order. */
  productions: readonly Production[];
}

export function breakoutFromSnapshot(snapshot: BreakoutSnapshot): BreakoutState {
  return {
    title: snapshot.title,
    status: snapshot.status,
    mode: snapshot.mode,
    atelier: snapshot.atelier,
    choices: snapshot.choices ?? [],
    broadcasts: (snapshot.broadcasts ?? []).slice(-MAX_BROADCASTS),
    published: snapshot.published ?? [],
    recordings: snapshot.recordings ?? [],
    yourCall: snapshot.your_call,
    plan: snapshot.plan,
    ateliers: snapshot.ateliers ?? [],
    unassignedPresent: snapshot.unassigned?.length ?? 0,
    calls: snapshot.calls ?? [],
    productions: snapshot.productions ?? [],
  };
}

/** Applies one breakout event. */
export function applyBreakoutEvent(state: BreakoutState, event: BreakoutEvent): BreakoutState {
  switch (event.kind) {
    case 'plan': {
      // Ateliers kept (same id) keep their state; new ones are pending; members of those gone are unassigned.
      const old = new Map(state.ateliers.map((a) => [a.id, a]));
      const ateliers = event.plan.ateliers.map((a) => old.get(a.id) ?? { id: a.id, state: 'pending' as const, members: [], present: 0 });
      return { ...state, plan: event.plan, mode: event.plan.mode ?? 'manual', ateliers };
    }
    case 'choices':
      return { ...state, choices: event.choices };
    case 'assignment':
      return { ...state, atelier: event.atelier };
    case 'assignments': {
      let ateliers = state.ateliers;
      for (const change of event.changes) {
        ateliers = ateliers.map((a) => {
          const without = a.members.filter((m) => m !== change.member);
          const members = a.id === change.atelier ? [...without, change.member].sort() : without;
          return members.length === a.members.length && members.every((m, i) => m === a.members[i]) ? a : { ...a, members };
        });
      }
      return { ...state, ateliers };
    }
    case 'opened':
      return updateAtelier(state, event.atelier, { state: 'open', opened_at: event.opened_at, ends_at: event.ends_at });
    case 'extended':
    case 'time_warning':
      return updateAtelier(state, event.atelier, { ends_at: event.ends_at });
    case 'closed':
      return updateAtelier(state, event.atelier, { state: 'closed', ends_at: undefined });
    case 'status':
      return { ...state, status: event.status };
    case 'broadcast': {
      const b = event.broadcast;
      const mine = state.atelier;
      // A participant keeps what was sent to their atelier with it.
      if (b.atelier && mine && mine.id === b.atelier && !state.plan) {
        const list = mine.broadcasts ?? [];
        if (list.some((x) => x.id === b.id)) return state;
        return { ...state, atelier: { ...mine, broadcasts: [...list, b].slice(-MAX_BROADCASTS) } };
      }
      if (state.broadcasts.some((x) => x.id === b.id)) return state;
      return { ...state, broadcasts: [...state.broadcasts, b].slice(-MAX_BROADCASTS) };
    }
    case 'help_call': {
      const call = event.call;
      const calls = call.state === 'resolved'
        ? state.calls.filter((c) => c.id !== call.id)
        : upsert(state.calls, call, (c) => c.id === call.id);
      // The caller hears of their own call only.
      const yourCall = state.plan ? state.yourCall : call.state === 'resolved' ? undefined : call;
      return { ...state, calls: state.plan ? calls : state.calls, yourCall };
    }
    case 'production': {
      const p = event.production;
      const mine = state.atelier && state.atelier.id === p.atelier ? { ...state.atelier, production: p } : state.atelier;
      const productions = state.plan
        ? inPlanOrder(upsert(state.productions, p, (x) => x.atelier === p.atelier), state.plan)
        : state.productions;
      return { ...state, atelier: mine, productions };
    }
    case 'published': {
      let published = state.published;
      for (const p of event.productions) published = upsert(published, p, (x) => x.atelier === p.atelier);
      return { ...state, published: state.plan ? inPlanOrder(published, state.plan) : published };
    }
    case 'file_added': {
      const add = <A extends { id: string; files?: readonly { blob: string }[] }>(a: A): A =>
        a.id !== event.atelier || (a.files ?? []).some((f) => f.blob === event.file.blob) ? a : { ...a, files: [...(a.files ?? []), event.file] };
      const plan = state.plan ? { ...state.plan, ateliers: state.plan.ateliers.map(add) } : undefined;
      return { ...state, plan, atelier: state.atelier ? add(state.atelier) : undefined };
    }
    case 'recording_published': {
      const r = event.recording;
      return { ...state, recordings: [...state.recordings.filter((x) => x.record_id !== r.record_id), r] };
    }
    case 'recording_unpublished':
      return { ...state, recordings: state.recordings.filter((x) => x.record_id !== event.record_id) };
    case 'unpublished': {
      const gone = new Set(event.ateliers);
      return { ...state, published: state.published.filter((p) => !gone.has(p.atelier)) };
    }
    case 'video': {
      const plan = state.plan
        ? { ...state.plan, ateliers: state.plan.ateliers.map((a) => (a.id === event.atelier ? withVideo(a, event.video_url, event.video_problem) : a)) }
        : undefined;
      const mine = state.atelier && state.atelier.id === event.atelier ? withVideo(state.atelier, event.video_url, event.video_problem) : state.atelier;
      return { ...state, plan, atelier: mine };
    }
    case 'counts': {
      const byId = new Map(event.ateliers.map((c) => [c.atelier, c]));
      const ateliers = state.ateliers.map((a) => {
        const c = byId.get(a.id);
        return c && c.present !== a.present ? { ...a, present: c.present } : a;
      });
      return { ...state, ateliers, unassignedPresent: event.unassigned_present };
    }
    default:
      return state; // a kind this client does not know yet
  }
}

function withVideo<T extends { video_url?: string; video_problem?: VideoProblem }>(atelier: T, url: string | undefined, problem?: VideoProblem): T {
  const next = { ...atelier };
  if (url) next.video_url = url;
  else delete next.video_url;
  if (problem && !url) next.video_problem = problem;
  else delete next.video_problem;
  return next;
}

/** Changes one atelier: a leader's status line, and a participant's own atelier. */
function updateAtelier(
  state: BreakoutState,
  id: string,
  change: { state?: AtelierView['state']; opened_at?: number; ends_at?: number | undefined },
): BreakoutState {
  const apply = <T extends { state: AtelierView['state']; opened_at?: number; ends_at?: number }>(a: T): T => {
    const next = { ...a, ...change };
    if ('ends_at' in change && change.ends_at === undefined) delete next.ends_at;
    return next;
  };
  const ateliers = state.ateliers.map((a) => (a.id === id ? apply(a) : a));
  const mine = state.atelier && state.atelier.id === id ? apply(state.atelier) : state.atelier;
  return { ...state, ateliers, atelier: mine };
}

function upsert<T>(list: readonly T[], item: T, same: (x: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const next = [...list];
  next[i] = item;
  return next;
}

function inPlanOrder(list: readonly Production[], plan: BreakoutPlan): Production[] {
  const rank = new Map(plan.ateliers.map((a, i) => [a.id, i]));
  return [...list].sort((a, b) => (rank.get(a.atelier) ?? 1e9) - (rank.get(b.atelier) ?? 1e9));
}

// ---- questions the screens ask -------------------------------------------------

/** Leaders: the atelier a member is in (undefined: unassigned). */
export function atelierOf(state: BreakoutState, member: MemberId): string | undefined {
  return state.ateliers.find((a) => a.members.includes(member))?.id;
}

/** Leaders: an atelier's name from the plan (its id if unknown). */
export function atelierName(state: BreakoutState, id: string): string {
  return state.plan?.ateliers.find((a) => a.id === id)?.name ?? state.choices.find((c) => c.id === id)?.name ?? id;
}

/** Participants: whether they work in their atelier now (assigned and it is open). */
export function inOpenAtelier(state: BreakoutState): boolean {
  return state.atelier?.state === 'open';
}

/** Participants: whether they may choose an atelier now (free choice, and their atelier is not running). */
export function canChoose(state: BreakoutState): boolean {
  return state.mode === 'free_choice' && state.atelier?.state !== 'open' && state.choices.some((c) => c.state !== 'closed');
}

/** Participants: every broadcast they got (to everyone and to their atelier), oldest first. */
export function participantBroadcasts(state: BreakoutState): Broadcast[] {
  return [...state.broadcasts, ...(state.atelier?.broadcasts ?? [])].sort((a, b) => a.at - b.at || compareIds(a.id, b.id));
}

/** `b2` before `b10`. */
function compareIds(a: string, b: string): number {
  return Number(a.slice(1)) - Number(b.slice(1)) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Leaders: how many ateliers are in each state. */
export function stateCounts(state: BreakoutState): Record<AtelierView['state'], number> {
  const counts = { pending: 0, open: 0, closed: 0 };
  for (const a of state.ateliers) counts[a.state]++;
  return counts;
}
