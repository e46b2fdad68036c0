// The breakout state per viewer: a leader's (plan, members per atelier,
// timers, calls, productions, published), a participant's (their atelier,
// its broadcasts, their call, choices) and the observer's plenary, from a
// snapshot then events; duplicates (the same broadcast id) shown once.

import { describe, expect, it } from 'vitest';
import { applyBreakoutEvent, atelierName, atelierOf, breakoutFromSnapshot, canChoose, participantBroadcasts, stateCounts, type BreakoutState } from '../src/breakout-state';
import type { BreakoutEvent } from '../src/breakout-protocol';
import { atelierView, leaderSnapshot, participantSnapshot, PLAN, production } from './breakout-fixtures';

const apply = (state: BreakoutState, ...events: BreakoutEvent[]) => events.reduce(applyBreakoutEvent, state);
const broadcast = (id: string, at: number, atelier?: string) => ({ id, at, from: 't1', from_name: 'Mme Durand', text: `Message ${id}`, ...(atelier ? { atelier } : {}) });

describe('a leader’s breakout state', () => {
  it('starts from the snapshot', () => {
    const s = breakoutFromSnapshot(leaderSnapshot());
    expect(s.plan).toEqual(PLAN);
    expect(s.ateliers.map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(s.unassignedPresent).toBe(2);
    expect(s.calls).toEqual([]);
    expect(atelierName(s, 'a2')).toBe('Évaluation');
    expect(atelierName(s, 'zz')).toBe('zz');
  });

  it('moves members between ateliers with assignments, and back to the plenary', () => {
    let s = breakoutFromSnapshot(leaderSnapshot());
    s = apply(s, { kind: 'assignments', changes: [{ member: 'm-bob', atelier: 'a1' }, { member: 'm-alice', atelier: 'a1' }] });
    expect(s.ateliers[0].members).toEqual(['m-alice', 'm-bob']);
    s = apply(s, { kind: 'assignments', changes: [{ member: 'm-bob', atelier: 'a2' }] });
    expect(atelierOf(s, 'm-bob')).toBe('a2');
    expect(s.ateliers[0].members).toEqual(['m-alice']);
    s = apply(s, { kind: 'assignments', changes: [{ member: 'm-alice' }] });
    expect(atelierOf(s, 'm-alice')).toBeUndefined();
    expect(s.ateliers.flatMap((a) => a.members)).toEqual(['m-bob']);
  });

  it('follows openings, extensions, warnings and closings', () => {
    let s = breakoutFromSnapshot(leaderSnapshot());
    s = apply(s, { kind: 'opened', atelier: 'a1', opened_at: 1000, ends_at: 1_201_000 }, { kind: 'status', status: 'running' });
    expect(s.ateliers[0]).toMatchObject({ state: 'open', opened_at: 1000, ends_at: 1_201_000 });
    expect(stateCounts(s)).toEqual({ pending: 1, open: 1, closed: 0 });
    s = apply(s, { kind: 'extended', atelier: 'a1', ends_at: 1_501_000 });
    expect(s.ateliers[0].ends_at).toBe(1_501_000);
    s = apply(s, { kind: 'time_warning', atelier: 'a1', seconds: 60, ends_at: 1_502_000 });
    expect(s.ateliers[0].ends_at).toBe(1_502_000);
    s = apply(s, { kind: 'closed', atelier: 'a1', reason: 'deadline' }, { kind: 'status', status: 'plenary' });
    expect(s.ateliers[0].state).toBe('closed');
    expect(s.ateliers[0].ends_at).toBeUndefined();
    expect(s.status).toBe('plenary');
  });

  it('keeps the help-call queue: upsert by id, a resolved call leaves', () => {
    let s = breakoutFromSnapshot(leaderSnapshot());
    const call = { id: 'h1', atelier: 'a1', member: 'm-alice', name: 'Alice', text: 'On bloque', at: 5, state: 'waiting' as const };
    s = apply(s, { kind: 'help_call', call }, { kind: 'help_call', call: { ...call, id: 'h2', member: 'm-bob', name: 'Bob' } });
    expect(s.calls.map((c) => c.id)).toEqual(['h1', 'h2']);
    s = apply(s, { kind: 'help_call', call: { ...call, state: 'taken', by: 't1', by_name: 'Mme Durand' } });
    expect(s.calls[0]).toMatchObject({ id: 'h1', state: 'taken', by_name: 'Mme Durand' });
    s = apply(s, { kind: 'help_call', call: { ...call, state: 'resolved' } });
    expect(s.calls.map((c) => c.id)).toEqual(['h2']);
    expect(s.yourCall).toBeUndefined();
  });

  it('keeps the latest production of each atelier in plan order, and what is published', () => {
    let s = breakoutFromSnapshot(leaderSnapshot());
    s = apply(s, { kind: 'production', production: production('a2', 1) }, { kind: 'production', production: production('a1', 1) });
    expect(s.productions.map((p) => p.atelier)).toEqual(['a1', 'a2']);
    s = apply(s, { kind: 'production', production: production('a1', 2) });
    expect(s.productions.map((p) => [p.atelier, p.version])).toEqual([['a1', 2], ['a2', 1]]);
    s = apply(s, { kind: 'published', productions: [production('a2', 1)] }, { kind: 'published', productions: [production('a1', 2)] });
    expect(s.published.map((p) => p.atelier)).toEqual(['a1', 'a2']);
    s = apply(s, { kind: 'published', productions: [production('a1', 3)] });
    expect(s.published.map((p) => p.version)).toEqual([3, 1]);
    s = apply(s, { kind: 'unpublished', ateliers: ['a1'] });
    expect(s.published.map((p) => p.atelier)).toEqual(['a2']);
  });

  it('keeps the recordings shown to the plenary: upsert by record id (shown again: last), withdrawn by id', () => {
    const recording = (record_id: string, atelier: string) => ({
      record_id, atelier, atelier_name: atelier, url: `https://bbb.example.org/playback/presentation/2.3/${record_id}`,
      started_at: 1, length_minutes: 12, at: 2,
    });
    let s = breakoutFromSnapshot(leaderSnapshot({ recordings: [recording('r1', 'a1')] }));
    expect(s.recordings.map((r) => r.record_id)).toEqual(['r1']);
    s = apply(s, { kind: 'recording_published', recording: recording('r2', 'a2') }, { kind: 'recording_published', recording: recording('r1', 'a1') });
    expect(s.recordings.map((r) => r.record_id)).toEqual(['r2', 'r1']);
    s = apply(s, { kind: 'recording_unpublished', record_id: 'r2' }, { kind: 'recording_unpublished', record_id: 'nope' });
    expect(s.recordings.map((r) => r.record_id)).toEqual(['r1']);
    expect(breakoutFromSnapshot(leaderSnapshot()).recordings).toEqual([]);
  });

  it('adds a file to its atelier in the plan, once', () => {
    const file = { blob: 'b'.repeat(64), name: 'suite.pdf', content_type: 'application/pdf', size: 300 };
    let s = breakoutFromSnapshot(leaderSnapshot());
    const id = s.plan!.ateliers[0].id;
    s = apply(s, { kind: 'file_added', atelier: id, file, video: 'unsupported' }, { kind: 'file_added', atelier: id, file });
    expect(s.plan!.ateliers[0].files).toEqual([file]);
    expect(s.plan!.ateliers[1].files ?? []).toEqual([]);
  });

  it('a new plan keeps the ateliers that stay, adds the new ones pending, drops the others', () => {
    let s = breakoutFromSnapshot(leaderSnapshot());
    s = apply(s, { kind: 'assignments', changes: [{ member: 'm-alice', atelier: 'a1' }, { member: 'm-bob', atelier: 'a2' }] });
    s = apply(s, { kind: 'plan', plan: { mode: 'free_choice', ateliers: [PLAN.ateliers[0], { id: 'a3', name: 'Nouveau', duration_s: 600 }] } });
    expect(s.mode).toBe('free_choice');
    expect(s.ateliers.map((a) => [a.id, a.state, a.members])).toEqual([['a1', 'pending', ['m-alice']], ['a3', 'pending', []]]);
    expect(atelierOf(s, 'm-bob')).toBeUndefined();
  });

  it('takes presence from counts, and video links into the plan', () => {
    let s = breakoutFromSnapshot(leaderSnapshot());
    s = apply(s, { kind: 'counts', ateliers: [{ atelier: 'a1', assigned: 2, present: 1 }], unassigned_present: 3 });
    expect(s.ateliers[0].present).toBe(1);
    expect(s.unassignedPresent).toBe(3);
    s = apply(s, { kind: 'video', atelier: 'a2', video_url: 'https://visio.example.org/a2' });
    expect(s.plan?.ateliers[1].video_url).toBe('https://visio.example.org/a2');
    s = apply(s, { kind: 'video', atelier: 'a2' });
    expect(s.plan?.ateliers[1]).not.toHaveProperty('video_url');
  });

  it('lists every broadcast once', () => {
    let s = breakoutFromSnapshot(leaderSnapshot({ broadcasts: [broadcast('b1', 10)] }));
    s = apply(s, { kind: 'broadcast', broadcast: broadcast('b2', 20, 'a1') }, { kind: 'broadcast', broadcast: broadcast('b1', 10) });
    expect(s.broadcasts.map((b) => b.id)).toEqual(['b1', 'b2']);
  });
});

describe('a participant’s breakout state', () => {
  it('lands in their atelier from the snapshot, then follows its timer', () => {
    let s = breakoutFromSnapshot(participantSnapshot({ atelier: atelierView(), your_call: undefined }));
    expect(s.atelier?.name).toBe('Différenciation');
    s = apply(s, { kind: 'opened', atelier: 'a1', opened_at: 1000, ends_at: 2000 });
    expect(s.atelier).toMatchObject({ state: 'open', ends_at: 2000 });
    s = apply(s, { kind: 'opened', atelier: 'a2', opened_at: 1000, ends_at: 9000 });
    expect(s.atelier?.ends_at).toBe(2000); // another atelier's: not mine
    s = apply(s, { kind: 'extended', atelier: 'a1', ends_at: 3000 });
    expect(s.atelier?.ends_at).toBe(3000);
    s = apply(s, { kind: 'closed', atelier: 'a1', reason: 'facilitator' });
    expect(s.atelier?.state).toBe('closed');
    expect(s.atelier?.ends_at).toBeUndefined();
  });

  it('replaces their atelier with each assignment; none: the plenary', () => {
    let s = breakoutFromSnapshot(participantSnapshot());
    expect(s.atelier).toBeUndefined();
    s = apply(s, { kind: 'assignment', atelier: atelierView({ id: 'a2', name: 'Évaluation' }) });
    expect(s.atelier?.id).toBe('a2');
    s = apply(s, { kind: 'assignment' });
    expect(s.atelier).toBeUndefined();
  });

  it('keeps broadcasts to everyone and to their atelier apart, each once, read in order', () => {
    let s = breakoutFromSnapshot(participantSnapshot({ atelier: atelierView({ state: 'open', broadcasts: [broadcast('b2', 20, 'a1')] }), broadcasts: [broadcast('b1', 10)] }));
    s = apply(s,
      { kind: 'broadcast', broadcast: broadcast('b3', 30) },
      { kind: 'broadcast', broadcast: broadcast('b4', 40, 'a1') },
      { kind: 'broadcast', broadcast: broadcast('b4', 40, 'a1') },
      { kind: 'broadcast', broadcast: broadcast('b3', 30) });
    expect(s.broadcasts.map((b) => b.id)).toEqual(['b1', 'b3']);
    expect(s.atelier?.broadcasts?.map((b) => b.id)).toEqual(['b2', 'b4']);
    expect(participantBroadcasts(s).map((b) => b.id)).toEqual(['b1', 'b2', 'b3', 'b4']);
  });

  it('follows their own help call until it is resolved', () => {
    let s = breakoutFromSnapshot(participantSnapshot({ atelier: atelierView({ state: 'open' }) }));
    const call = { id: 'h1', atelier: 'a1', member: 'm-alice', name: 'Alice', at: 5, state: 'waiting' as const };
    s = apply(s, { kind: 'help_call', call });
    expect(s.yourCall?.state).toBe('waiting');
    expect(s.calls).toEqual([]); // the queue is the leaders'
    s = apply(s, { kind: 'help_call', call: { ...call, state: 'taken', by_name: 'Mme Durand' } });
    expect(s.yourCall?.by_name).toBe('Mme Durand');
    s = apply(s, { kind: 'help_call', call: { ...call, state: 'resolved' } });
    expect(s.yourCall).toBeUndefined();
  });

  it('keeps their atelier’s latest production, and the video link', () => {
    let s = breakoutFromSnapshot(participantSnapshot({ atelier: atelierView({ state: 'open' }) }));
    s = apply(s, { kind: 'production', production: production('a1', 1) }, { kind: 'production', production: production('a1', 2) });
    expect(s.atelier?.production?.version).toBe(2);
    expect(s.productions).toEqual([]);
    s = apply(s, { kind: 'video', atelier: 'a1', video_url: '/api/v1/sessions/r1/ateliers/a1/video' });
    expect(s.atelier?.video_url).toBe('/api/v1/sessions/r1/ateliers/a1/video');
  });

  it('may choose in free choice until their atelier runs', () => {
    const choices = [{ id: 'a1', name: 'Différenciation', state: 'pending' as const, capacity: 6, remaining: 2 }];
    let s = breakoutFromSnapshot(participantSnapshot({ mode: 'free_choice', choices }));
    expect(canChoose(s)).toBe(true);
    s = apply(s, { kind: 'assignment', atelier: atelierView() });
    expect(canChoose(s)).toBe(true); // changing one's mind
    s = apply(s, { kind: 'opened', atelier: 'a1', opened_at: 1, ends_at: 2 });
    expect(canChoose(s)).toBe(false);
    expect(canChoose(breakoutFromSnapshot(participantSnapshot({ choices })))).toBe(false); // another mode
    s = apply(s, { kind: 'choices', choices: [{ ...choices[0], remaining: 0 }] });
    expect(s.choices[0].remaining).toBe(0);
  });

  it('sees the plenary: productions published, labelled by atelier', () => {
    let s = breakoutFromSnapshot(participantSnapshot({ published: [production('a2', 1)] }));
    s = apply(s, { kind: 'published', productions: [production('a1', 1)] });
    expect(s.published.map((p) => p.atelier_name)).toEqual(['Évaluation', 'Différenciation']);
  });
});
