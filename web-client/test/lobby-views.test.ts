// @vitest-environment happy-dom
// The join code panels drawn with lit-html: the QR code stays the same <svg>
// while the code does (someone connecting redraws the lobby), and is redrawn
// in place for another code.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLang } from '../src/i18n';
import type { View } from '../src/app';
import { renderTrainerLobby } from '../src/views/trainer';
import { joinCodePanel } from '../src/views/room-code';
import { expectSameNodes, fakeApp, fakeClient, member, room } from './view-fixtures';

const alice = member('m-alice', 'Alice');
const trainer = member('m-trainer', 'Camille', 'trainer');
let views: View[] = [];

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('offline')));
});
afterEach(() => {
  for (const v of views) v.dispose();
  views = [];
  vi.unstubAllGlobals();
});

const svgs = () => [...document.querySelectorAll<SVGSVGElement>('svg.amphi-qr')];

describe('the trainer lobby\'s QR code', () => {
  it('stays while someone connects or raises a hand, and follows the code', () => {
    const { app } = fakeApp();
    const fake = fakeClient(room('lobby', [trainer, { ...alice, connected: false }]));
    const view = renderTrainerLobby(app, fake.client, 'r1');
    views.push(view);
    document.body.append(view.root);
    const [svg] = svgs();
    expect(svg.getAttribute('aria-label')).toMatch(/QR code.*ABCDEF/);
    fake.set(room('lobby', [trainer, alice], { hands: [{ member: 'm-alice', name: 'Alice', at: 5 }] }));
    expectSameNodes(svgs(), [svg]);
    fake.set({ ...room('lobby', [trainer, alice]), info: { ...fake.state.info, join_code: 'GHJKLM' } });
    expectSameNodes(svgs(), [svg]);
    expect(svg.getAttribute('aria-label')).toMatch(/QR code.*GHJKLM/);
  });
});

describe('a console\'s join code panel', () => {
  it('keeps its QR code across updates with the same code, draws none without a code', () => {
    const panel = joinCodePanel('amphi-quiz-code');
    document.body.append(panel.root);
    panel.update('ABCDEF');
    const [svg] = svgs();
    const path = svg.querySelector('path')!.getAttribute('d');
    panel.update('ABCDEF');
    expectSameNodes(svgs(), [svg]);
    panel.update('GHJKLM');
    expectSameNodes(svgs(), [svg]);
    expect(svg.querySelector('path')!.getAttribute('d')).not.toBe(path);
    panel.update('');
    expect(svgs()).toHaveLength(0);
    expect(panel.root.querySelector('[data-testid="join-code"]')!.textContent).toBe('');
  });
});
