// Pure helpers of the ateliers screens: the plan typed in the form (limits,
// ids, the first fault named), resources one per line, the production
// form, a production queued offline, the video link (plain, or amphi's
// endpoint asked with the member's token), warning points in words.

import { describe, expect, it } from 'vitest';
import { buildPlan, buildProduction, emptyDraft, isVideoEndpoint, parseResources, queuedProduction, videoJoinUrl, warningText } from '../src/breakout-format';
import { setLang } from '../src/i18n';
import type { Command } from '../src/protocol';

const draft = (over: Partial<ReturnType<typeof emptyDraft>> = {}) => ({ ...emptyDraft(), name: 'Différenciation', ...over });

describe('the plan form', () => {
  it('builds ateliers a1, a2… with seconds, links and capacity', () => {
    const built = buildPlan([
      draft({ instructions: '  Trois idées.\nPuis une synthèse. ', duration: '20', resources: 'Éduscol | https://eduscol.education.fr/\n\nhttps://www.reseau-canope.fr/', capacity: '6' }),
      draft({ name: ' Évaluation ', duration: '1,5' }),
    ], 'balanced');
    expect(built).toEqual({ plan: { mode: 'balanced', ateliers: [
      { id: 'a1', name: 'Différenciation', instructions: 'Trois idées.\nPuis une synthèse.', duration_s: 1200, capacity: 6,
        resources: [{ title: 'Éduscol', url: 'https://eduscol.education.fr/' }, { title: 'www.reseau-canope.fr', url: 'https://www.reseau-canope.fr/' }] },
      { id: 'a2', name: 'Évaluation', instructions: '', duration_s: 90 },
    ] } });
  });

  it('names the first fault and its atelier', () => {
    expect(buildPlan([], 'manual')).toEqual({ error: { field: 'count', index: -1 } });
    expect(buildPlan([draft(), draft({ name: '  ' })], 'manual')).toEqual({ error: { field: 'name', index: 1 } });
    expect(buildPlan([draft({ name: 'x'.repeat(201) })], 'manual')).toEqual({ error: { field: 'nameTooLong', index: 0 } });
    expect(buildPlan([draft({ duration: '0' })], 'manual')).toEqual({ error: { field: 'duration', index: 0 } });
    expect(buildPlan([draft({ duration: '721' })], 'manual')).toEqual({ error: { field: 'duration', index: 0 } });
    expect(buildPlan([draft({ duration: '' })], 'manual')).toEqual({ error: { field: 'duration', index: 0 } });
    expect(buildPlan([draft({ capacity: '2.5' })], 'manual')).toEqual({ error: { field: 'capacity', index: 0 } });
    expect(buildPlan([draft({ capacity: '0' })], 'manual')).toEqual({ error: { field: 'capacity', index: 0 } });
    expect(buildPlan([draft({ resources: 'https://ok.example/\nDoc | javascript:alert(1)' })], 'manual')).toEqual({ error: { field: 'resources', index: 0, line: 2 } });
    expect(buildPlan([draft({ instructions: 'x'.repeat(5001) })], 'manual')).toEqual({ error: { field: 'instructions', index: 0 } });
    const many = Array.from({ length: 21 }, (_, i) => `https://example.org/${i}`).join('\n');
    expect(buildPlan([draft({ resources: many })], 'manual')).toEqual({ error: { field: 'resourcesTooMany', index: 0 } });
    expect('error' in buildPlan(Array.from({ length: 51 }, () => draft()), 'manual')).toBe(true);
  });

  it('reads resources: a bar splits the title from the address', () => {
    expect(parseResources('Le guide | https://a.example/x?y=1|2')).toEqual({ badLine: 1 });
    expect(parseResources('Guide | partie 2 | https://a.example/')).toEqual({ resources: [{ title: 'Guide | partie 2', url: 'https://a.example/' }] });
    expect(parseResources('ftp://a.example/')).toEqual({ badLine: 1 });
  });
});

describe('the production form', () => {
  it('needs a text or a link; the link must be http(s)', () => {
    expect(buildProduction('  ', '')).toEqual({ error: 'empty' });
    expect(buildProduction('Idée', 'pas un lien')).toEqual({ error: 'linkInvalid' });
    expect(buildProduction('x'.repeat(5001), '')).toEqual({ error: 'textTooLong' });
    expect(buildProduction(' Trois idées. ', '')).toEqual({ content: { text: 'Trois idées.' } });
    expect(buildProduction('', 'https://pad.example/p')).toEqual({ content: { link: 'https://pad.example/p' } });
  });

  it('finds the latest production waiting in the queue', () => {
    const queue: Command[] = [
      { type: 'breakout', room: 'r', id: 'c1', command: { action: 'submit_production', text: 'v1' } },
      { type: 'raise_hand', room: 'r', id: 'c2' },
      { type: 'breakout', room: 'r', id: 'c3', command: { action: 'submit_production', text: 'v2', link: 'https://a.example/' } },
    ];
    expect(queuedProduction(queue)).toEqual({ text: 'v2', link: 'https://a.example/' });
    expect(queuedProduction(queue.slice(1, 2))).toBeUndefined();
  });
});

describe('the video room link', () => {
  const endpoint = '/api/v1/sessions/6f1c1f9e-2b7a-4c1e-9d43-2f6f3c2b8a10/ateliers/a1/video';

  it('gives a plain link as it is, and nothing for other schemes', async () => {
    const never = (() => { throw new Error('no fetch for a plain link'); }) as unknown as typeof fetch;
    await expect(videoJoinUrl('https://visio.example.org/a1', 'tok', never)).resolves.toBe('https://visio.example.org/a1');
    await expect(videoJoinUrl('javascript:alert(1)', 'tok', never)).resolves.toBeNull();
    await expect(videoJoinUrl(undefined, 'tok', never)).resolves.toBeNull();
    expect(isVideoEndpoint(endpoint)).toBe(true);
    expect(isVideoEndpoint('https://visio.example.org/api/v1/sessions/x/ateliers/a1/video')).toBe(false);
  });

  it('asks amphi’s endpoint with the bearer token for the member’s own join URL', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const fake = (async (url: string, init?: RequestInit) => {
      calls.push([url, init]);
      return new Response(JSON.stringify({ url: 'https://bbb.example.org/bigbluebutton/api/join?meetingID=m&checksum=c' }), { status: 200 });
    }) as unknown as typeof fetch;
    await expect(videoJoinUrl(endpoint, 'resume-token', fake)).resolves.toBe('https://bbb.example.org/bigbluebutton/api/join?meetingID=m&checksum=c');
    expect(calls[0][0]).toBe(endpoint);
    expect((calls[0][1]?.headers as Record<string, string>).Authorization).toBe('Bearer resume-token');
    const refused = (async () => new Response(JSON.stringify({ code: 'not_found' }), { status: 404 })) as unknown as typeof fetch;
    await expect(videoJoinUrl(endpoint, 'resume-token', refused)).resolves.toBeNull();
    await expect(videoJoinUrl(endpoint, undefined, fake)).resolves.toBeNull();
  });
});

describe('warning points in words', () => {
  it('says minutes and seconds, in both languages', () => {
    setLang('fr');
    expect(warningText(60)).toBe('1 minute');
    expect(warningText(120)).toBe('2 minutes');
    expect(warningText(10)).toBe('10 secondes');
    setLang('en');
    expect(warningText(90)).toBe('90 seconds');
    setLang('fr');
  });
});
