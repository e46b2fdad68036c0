// @vitest-environment happy-dom
// The ateliers screens drawn with lit-html: a redraw caused by something
// unrelated (someone connects, a call arrives) updates them in place, so a
// focused button keeps the focus, the same item keeps its element, and what
// the trainer typed or chose stays.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLang } from '../src/i18n';
import { breakoutFromSnapshot } from '../src/breakout-state';
import type { BreakoutState } from '../src/breakout-state';
import { renderBreakoutFacilitator } from '../src/views/breakout-facilitator';
import { renderBreakoutParticipant } from '../src/views/breakout-participant';
import { renderBreakoutProjector } from '../src/views/breakout-projector';
import type { View } from '../src/app';
import { atelierView, leaderSnapshot, participantSnapshot, production } from './breakout-fixtures';
import { expectSameNodes, fakeApp, fakeClient, member, room } from './view-fixtures';

const alice = member('m-alice', 'Alice');
const bob = member('m-bob', 'Bob', 'participant', false);
const trainer = member('m-trainer', 'Camille', 'trainer');
let views: View[] = [];

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('offline')));
  vi.stubGlobal('confirm', () => true);
});
afterEach(() => {
  for (const v of views) v.dispose();
  views = [];
  vi.unstubAllGlobals();
});

function show(view: View): View {
  views.push(view);
  document.body.append(view.root);
  return view;
}

const q = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

function facilitator(breakout: BreakoutState, members = [trainer, alice, bob]) {
  const { app } = fakeApp();
  const fake = fakeClient(room('breakout', members, { breakout }));
  show(renderBreakoutFacilitator(app, fake.client, 'r1'));
  return fake;
}

describe('the ateliers console', () => {
  it('keeps the atelier cards, a focused button and a typed address while someone connects', () => {
    const s = breakoutFromSnapshot(leaderSnapshot({ productions: [production('a1', 1)] }));
    const fake = facilitator(s);
    const card = q('li[data-atelier="a1"]');
    const open = card.querySelector<HTMLButtonElement>('[data-testid="open-one"]')!;
    const video = q<HTMLInputElement>('#video-a1');
    video.value = 'https://visio.example/ab';
    open.focus();
    fake.set(room('breakout', [trainer, alice, { ...bob, connected: true }], { breakout: s }));
    expect(q('li[data-atelier="a1"]')).toBe(card);
    expect(card.querySelector('[data-testid="open-one"]')).toBe(open);
    expect(document.activeElement).toBe(open);
    expect(q<HTMLInputElement>('#video-a1').value).toBe('https://visio.example/ab');
  });

  it('updates a card in place when its atelier opens; the focus goes to its heading when its button goes', () => {
    const s = breakoutFromSnapshot(leaderSnapshot());
    const fake = facilitator(s);
    const card = q('li[data-atelier="a1"]');
    card.querySelector<HTMLButtonElement>('[data-testid="open-one"]')!.focus();
    const opened: BreakoutState = { ...s, ateliers: [{ id: 'a1', state: 'open', members: [], present: 0, ends_at: Date.now() + 60_000 }, s.ateliers[1]] };
    fake.set(room('breakout', [trainer, alice, bob], { breakout: opened }));
    expect(q('li[data-atelier="a1"]')).toBe(card);
    expect(card.querySelector('[data-testid="atelier-state"]')!.textContent).toBe('Ouvert');
    expect(card.querySelector('[data-testid="close-one"]')).not.toBeNull();
    expect(document.activeElement).toBe(card.querySelector('[data-card-heading]'));
  });

  it('reorders the help calls in place and keeps the focus on "Prendre"', () => {
    const call = (id: string, name: string, at: number) => ({ id, member: `m-${id}`, name, atelier: 'a1', at, state: 'waiting' as const });
    const s = breakoutFromSnapshot(leaderSnapshot());
    const fake = facilitator({ ...s, calls: [call('c1', 'Alice', 1), call('c2', 'Bob', 2)] });
    const rows = [...document.querySelectorAll('[data-testid="help-call"]')];
    const take = rows[1].querySelector<HTMLButtonElement>('[data-focus="take-c2"]')!;
    take.focus();
    fake.set(room('breakout', [trainer, alice, bob], { breakout: { ...s, calls: [call('c2', 'Bob', 2), call('c1', 'Alice', 1), call('c3', 'Chloé', 3)] } }));
    const after = [...document.querySelectorAll('[data-testid="help-call"]')];
    expect(after[0]).toBe(rows[1]);
    expect(after[1]).toBe(rows[0]);
    expect(after).toHaveLength(3);
    expect(document.activeElement).toBe(take);
  });

  it('keeps the chosen broadcast target while the plan is redrawn', () => {
    const s = breakoutFromSnapshot(leaderSnapshot());
    const fake = facilitator(s);
    const target = q<HTMLSelectElement>('[data-testid="broadcast-target"]');
    expect([...target.options].map((o) => o.value)).toEqual(['', 'a1', 'a2']);
    target.value = 'a2';
    target.focus();
    fake.set(room('breakout', [trainer, alice, { ...bob, connected: true }], { breakout: s }));
    expect(target.value).toBe('a2');
    expect(document.activeElement).toBe(target);
  });

  it('keeps the published list\'s items while another production is published', () => {
    const s = breakoutFromSnapshot(leaderSnapshot({ published: [production('a1', 1)] }));
    const fake = facilitator(s);
    const item = q('[data-testid="published"] li');
    fake.set(room('breakout', [trainer, alice, bob], { breakout: { ...s, published: [production('a2', 1), production('a1', 1)] } }));
    const items = [...document.querySelectorAll('[data-testid="published"] li')];
    expect(items).toHaveLength(2);
    expect(items[1]).toBe(item);
  });
});

describe('the ateliers on a participant\'s phone', () => {
  it('keeps the focus on "Choisir" while places are counted down', () => {
    const choice = (id: string, name: string, remaining: number) => ({ id, name, state: 'pending' as const, remaining });
    const s = breakoutFromSnapshot(participantSnapshot({ mode: 'free_choice', choices: [choice('a1', 'Différenciation', 3), choice('a2', 'Évaluation', 2)] }));
    const { app } = fakeApp();
    const fake = fakeClient(room('breakout', [], { breakout: s }), alice);
    show(renderBreakoutParticipant(app, fake.client, 'r1'));
    const button = document.querySelectorAll<HTMLButtonElement>('[data-testid="choose"]')[1];
    button.focus();
    fake.set(room('breakout', [], { breakout: { ...s, choices: [choice('a1', 'Différenciation', 2), choice('a2', 'Évaluation', 1)] } }));
    expect(document.querySelectorAll('[data-testid="choose"]')[1]).toBe(button);
    expect(document.activeElement).toBe(button);
    expect(button.closest('li')!.textContent).toContain('1');
  });

  it('keeps my atelier\'s card (and a focused resource link) while a broadcast arrives', () => {
    const s = breakoutFromSnapshot(participantSnapshot({ atelier: atelierView({ state: 'open', ends_at: Date.now() + 60_000 }) }));
    const { app } = fakeApp();
    const fake = fakeClient(room('breakout', [], { breakout: s }), alice);
    show(renderBreakoutParticipant(app, fake.client, 'r1'));
    const link = q<HTMLAnchorElement>('[data-testid="resources"] a');
    link.focus();
    const timer = q('[role="timer"]');
    fake.set(room('breakout', [], { breakout: { ...s, broadcasts: [{ id: 'b1', text: 'Plus que 5 minutes', from: 'm-trainer', from_name: 'Camille', at: 5 }] } }));
    expect(q('[data-testid="resources"] a')).toBe(link);
    expect(document.activeElement).toBe(link);
    expect(q('[role="timer"]')).toBe(timer);
  });
});

describe('the ateliers on the projector', () => {
  it('updates the choices in place', () => {
    const choice = (id: string, name: string, remaining: number) => ({ id, name, state: 'pending' as const, remaining });
    const s = breakoutFromSnapshot(participantSnapshot({ mode: 'free_choice', choices: [choice('a1', 'Différenciation', 3), choice('a2', 'Évaluation', 2)] }));
    const { app } = fakeApp();
    const fake = fakeClient(room('breakout', [], { breakout: s }), member('m-screen', 'Écran', 'observer'));
    show(renderBreakoutProjector(app, fake.client, 'r1'));
    const rows = [...document.querySelectorAll('[data-testid="choices"] li')];
    fake.set(room('breakout', [], { breakout: { ...s, choices: [choice('a2', 'Évaluation', 1), choice('a1', 'Différenciation', 3)] } }));
    const after = [...document.querySelectorAll('[data-testid="choices"] li')];
    expectSameNodes(after, [rows[1], rows[0]]);
    expect(after[0].textContent).toContain('1');
  });
});
