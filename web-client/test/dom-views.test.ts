// @vitest-environment happy-dom
// The views' DOM behaviour, in a DOM (happy-dom): the live region's
// announcements, renderKeepingFocus (lit-html; the focus given back), when a
// screen change may take the focus, and the board's list that moves cards
// rather than rebuilding them (so a card keeps its element, its draft and
// the focus), and the one subscription of a live screen.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { h } from '../src/dom';
import { setLang } from '../src/i18n';
import { renderShell } from '../src/views/layout';
import { renderKeepingFocus } from '../src/views/breakout-common';
import { html, nothing } from 'lit-html';
import { focusIsFree, watchRoom } from '../src/views/common';
import type { App } from '../src/app';
import type { AmphiClient, ClientNotice } from '../src/client';
import type { RoomEvent } from '../src/protocol';
import { boardView, type BoardRender } from '../src/views/board-view';
import { renderNewestNames, renderParticipantList, renderProgress } from '../src/views/quiz-tables';
import { boardFromSnapshot } from '../src/board-state';
import type { CardActions } from '../src/views/board-card';
import { post, snapshot } from './board-fixtures';
import { expectSameNodes } from './view-fixtures';

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the live region', () => {
  it('reads each announcement politely, then lets it go after 10 s', () => {
    vi.useFakeTimers();
    const shell = renderShell(() => {});
    document.body.append(shell.root);
    const live = shell.root.querySelector<HTMLElement>('[data-testid="live"]')!;
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.getAttribute('aria-relevant')).toBe('additions');
    shell.announce('Question 1 ouverte.');
    shell.announce('Plus que 10 secondes.');
    expect([...live.children].map((p) => p.textContent)).toEqual(['Question 1 ouverte.', 'Plus que 10 secondes.']);
    vi.advanceTimersByTime(9_999);
    expect(live.children).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(live.children).toHaveLength(0);
  });
});

describe('renderKeepingFocus', () => {
  const card = (button: string | null, disabled = false) => html`<div data-card="a1">
    <h3 tabindex="-1" data-card-heading>Atelier 1</h3>
    ${button === null ? nothing : html`<button data-focus="a1-close" ?disabled=${disabled}>${button}</button>`}</div>`;

  it('keeps the focused control itself, else gives the focus to its card’s heading, else to the fallback', () => {
    const fallback = h('h2', { tabindex: '-1' }, 'Ateliers');
    const slot = h('div');
    document.body.append(fallback, slot);
    renderKeepingFocus(card('Fermer'), slot, () => fallback);
    const button = slot.querySelector<HTMLElement>('[data-focus="a1-close"]')!;
    button.focus();
    renderKeepingFocus(card('Fermer (2)'), slot, () => fallback);
    expect(document.activeElement).toBe(button);
    expect(button.textContent).toBe('Fermer (2)');

    renderKeepingFocus(card('Fermer', true), slot, () => fallback);
    expect(document.activeElement?.textContent).toBe('Atelier 1');

    renderKeepingFocus(card(null), slot, () => fallback);
    renderKeepingFocus(html`<p>Plus d’atelier</p>`, slot, () => fallback);
    expect(document.activeElement).toBe(fallback);
  });

  it('leaves the focus alone when it was elsewhere', () => {
    const outside = h('button', {}, 'Diffuser');
    const slot = h('div');
    document.body.append(outside, slot);
    outside.focus();
    renderKeepingFocus(card('x'), slot);
    renderKeepingFocus(html`<p>y</p>`, slot);
    expect(document.activeElement).toBe(outside);
  });
});

describe('focusIsFree', () => {
  it('lets a change take the focus from the page, the replaced part or a heading, never from a control elsewhere', () => {
    const part = h('div', {}, h('button', {}, 'inside'));
    const heading = h('h2', { tabindex: '-1' }, 'Titre');
    const control = h('input', {});
    document.body.append(part, heading, control);
    expect(focusIsFree(part)).toBe(true);
    part.querySelector('button')!.focus();
    expect(focusIsFree(part)).toBe(true);
    heading.focus();
    expect(focusIsFree(part)).toBe(true);
    control.focus();
    expect(focusIsFree(part)).toBe(false);
  });
});

describe('the board’s list', () => {
  const noop = () => {};
  const actions: CardActions = {
    like: noop,
    comment: async () => ({ ok: true }) as never,
    deleteComment: noop,
    edit: async () => ({ ok: true }) as never,
    remove: noop,
    uploads: {} as CardActions['uploads'],
    announce: noop,
  };
  const render = (posts: ReturnType<typeof post>[]): BoardRender => ({
    state: boardFromSnapshot(snapshot({ posts, total: posts.length })),
    me: 'm-alice',
    role: 'participant',
    now: 10,
    pending: [],
    status: 'online',
  });

  it('moves cards when the order changes, keeping each element and the focus', () => {
    const view = boardView({ actions });
    document.body.append(view.root);
    view.update(render([post('p1', { key: 'a0' }), post('p2', { key: 'a1' }), post('p3', { key: 'a2' })]));
    const items = () => [...view.root.querySelectorAll<HTMLElement>('li[data-post]')];
    expect(items().map((li) => li.dataset.post)).toEqual(['p1', 'p2', 'p3']);
    const [li1, li2, li3] = items();
    const like = li3.querySelector<HTMLElement>('[data-focus="like"]')!;
    like.focus();
    expect(document.activeElement).toBe(like);

    // p3 goes first: its element is taken out and put back, and keeps the focus.
    view.update(render([post('p1', { key: 'a0' }), post('p2', { key: 'a1' }), post('p3', { key: 'Z' })]));
    expect(items().map((li) => li.dataset.post)).toEqual(['p3', 'p1', 'p2']);
    expectSameNodes(items(), [li3, li1, li2]);
    expect(document.activeElement).toBe(like);

    // p2 is deleted: its element goes, the others stay.
    view.update(render([post('p1', { key: 'a0' }), post('p3', { key: 'Z' })]));
    expectSameNodes(items(), [li3, li1]);
    expect(li2.isConnected).toBe(false);
  });

  it('counts each section’s posts in the language’s plural', () => {
    const view = boardView({ actions });
    document.body.append(view.root);
    view.update(render([post('p1'), post('p2', { section: 's2', key: 'a0' }), post('p3', { section: 's2', key: 'a1' })]));
    const counts = [...view.root.querySelectorAll('[data-testid="section-count"]')].map((c) => c.textContent);
    expect(counts).toEqual(['1 message', '2 messages']);
    view.update(render([post('p2', { section: 's2', key: 'a0' })]));
    expect([...view.root.querySelectorAll('[data-testid="section-count"]')].map((c) => c.textContent)).toEqual(['0 message', '1 message']);
  });
});

describe('watchRoom', () => {
  function setup(quiet = false) {
    let listener: (n: ClientNotice) => void = () => {};
    const client = { subscribe: (l: (n: ClientNotice) => void) => ((listener = l), () => {}) } as unknown as AmphiClient;
    const said: string[] = [];
    const app = { announce: (text: string) => said.push(text), forget: () => {}, navigate: () => {} } as unknown as App;
    const badge = { updates: 0, update() { this.updates += 1; } };
    const errors = h('div');
    const redraws: (RoomEvent | undefined)[] = [];
    watchRoom(app, client, 'r1', { badge, errors }, {
      quiet,
      redraw: (event) => redraws.push(event),
      refused: (n) => (n.error.code === 'conflict' ? null : `refusé : ${n.error.code}`),
    });
    return { send: (n: ClientNotice) => listener(n), said, badge, errors, redraws };
  }
  const frame = (room: string): RoomEvent => ({ type: 'event', room, seq: 1, at: 1, event: { kind: 'hand_lowered', member: 'm1' } } as RoomEvent);

  it('redraws once per change of its room, with the event that caused it, never for another room', () => {
    const { send, redraws } = setup();
    send({ type: 'room', room: 'r1', event: frame('r1') });
    send({ type: 'room', room: 'r1' });
    send({ type: 'room', room: 'r2', event: frame('r2') });
    send({ type: 'joined', room: 'r2' });
    expect(redraws).toEqual([frame('r1'), undefined]);
  });

  it('alerts its room’s refusals (and those of no command), as the screen words them', () => {
    const { send, errors, redraws } = setup();
    const error = (code: string) => ({ type: 'error', code, message: code }) as never;
    send({ type: 'command_error', command: { type: 'raise_hand', room: 'r2', id: 'c1' }, error: error('forbidden') });
    expect(errors.textContent).toBe('');
    send({ type: 'command_error', command: { type: 'raise_hand', room: 'r1', id: 'c2' }, error: error('conflict') });
    expect(errors.textContent).toBe('');
    send({ type: 'command_error', command: { type: 'raise_hand', room: 'r1', id: 'c3' }, error: error('forbidden') });
    expect(errors.querySelector('[role="alert"]')?.textContent).toContain('refusé : forbidden');
    send({ type: 'command_error', error: error('rate_limited') });
    expect(errors.textContent).toContain('refusé : rate_limited');
    // The pending change of a refused command comes as its own `room` notice.
    expect(redraws).toHaveLength(0);
  });

  it('follows the connection on the badge, and reads it out unless quiet', () => {
    const loud = setup();
    loud.send({ type: 'status', status: 'reconnecting' });
    expect(loud.badge.updates).toBe(1);
    expect(loud.said).toEqual(['État de la connexion\u00a0: Reconnexion…']);
    expect(loud.redraws).toHaveLength(1);
    const quiet = setup(true);
    quiet.send({ type: 'status', status: 'offline' });
    expect(quiet.badge.updates).toBe(1);
    expect(quiet.said).toEqual([]);
  });
});

describe('the quiz’s progress grid', () => {
  const state = (cells: string[][], finished: number) => ({
    settings: { mode: 'self_paced', confidence: false },
    summary: undefined,
    seen: [],
    progress: {
      rows: cells.map((c, i) => ({ member: `m${i}`, name: `Participant ${i + 1}`, connected: true, cells: c })),
      questions: cells[0].map(() => ({ answered: 0, correct: 0 })),
      finished,
      participants: cells.length,
    },
  }) as unknown as Parameters<typeof renderProgress>[1];

  it('updates the cells that changed and keeps every row', () => {
    const root = h('section', { hidden: true });
    document.body.append(root);
    renderProgress(root, state([['seen', 'not_reached'], ['not_reached', 'not_reached']], 0));
    expect(root.hidden).toBe(false);
    const rows = [...root.querySelectorAll('tbody tr[data-member]')];
    expect(rows.map((r) => r.querySelector('th')?.textContent)).toEqual(['Participant 1', 'Participant 2']);
    const firstCell = rows[0].querySelector('td')!;
    expect(firstCell.textContent).toBe('…vue');

    renderProgress(root, state([['correct', 'seen'], ['not_reached', 'not_reached']], 0));
    const again = [...root.querySelectorAll('tbody tr[data-member]')];
    expectSameNodes(again, rows);
    expect(again[0].querySelector('td')).toBe(firstCell);
    expect(firstCell.textContent).toBe('✓juste');
    expect(root.querySelector('p')?.textContent).toBe('Ont terminé\u00a0: 0 sur 2');
  });

  it('moves a row with its member when the order changes', () => {
    const root = h('section');
    document.body.append(root);
    renderProgress(root, state([['seen'], ['answered']], 0));
    const [first, second] = [...root.querySelectorAll('tbody tr[data-member]')];
    const swapped = state([['answered'], ['seen']], 0);
    swapped.progress!.rows.reverse();
    renderProgress(root, swapped);
    expectSameNodes([...root.querySelectorAll('tbody tr[data-member]')], [second, first]);
  });
});

describe('the quiz console’s participants and newest names', () => {
  const member = (id: string, name: string, connected = true) => ({ id, name, role: 'participant' as const, connected });

  it('keeps each participant’s row as others connect, and "Retirer" follows removals and the connection', () => {
    const root = h('div');
    document.body.append(root);
    const removed: string[] = [];
    const opts = (over = {}) => ({ canRemove: true, online: true, removing: new Set<string>(), remove: (m: { id: string }) => removed.push(m.id), ...over });
    renderParticipantList(root, [member('m1', 'Alice'), member('m2', 'Bob', false)], opts());
    const [alice, bob] = [...root.querySelectorAll('li')];
    const button = alice.querySelector('button')!;
    button.focus();
    renderParticipantList(root, [member('m1', 'Alice'), member('m2', 'Bob'), member('m3', 'Chloé')], opts());
    expect([...root.querySelectorAll('li')].slice(0, 2)).toEqual([alice, bob]);
    expect(document.activeElement).toBe(button);
    expect(bob.querySelector('.fr-badge')!.textContent).toBe('connecté');
    button.click();
    expect(removed).toEqual(['m1']);
    renderParticipantList(root, [member('m1', 'Alice')], opts({ removing: new Set(['m1']) }));
    expect(button.disabled).toBe(true);
    renderParticipantList(root, [member('m1', 'Alice')], opts({ canRemove: false }));
    expect(root.querySelector('button')).toBeNull();
  });

  it('shows the newest names first, keeping each name’s element, and how many more', () => {
    const root = h('div');
    document.body.append(root);
    renderNewestNames(root, { visible: true, shown: [member('m1', 'Alice')], more: 0 });
    const alice = root.querySelector('li')!;
    renderNewestNames(root, { visible: true, shown: [member('m2', 'Bob'), member('m1', 'Alice')], more: 3 });
    expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Bob', 'Alice']);
    expect(root.querySelectorAll('li')[1]).toBe(alice);
    expect(root.querySelector('[data-testid="lobby-more"]')!.textContent).toMatch(/3/);
    renderNewestNames(root, { visible: false, shown: [], more: 0 });
    expect(root.textContent!.trim()).toBe('');
  });
});
