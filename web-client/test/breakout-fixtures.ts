// Breakout wire values for the tests: a plan, snapshots per role, events.

import type { AtelierView, BreakoutPlan, BreakoutSnapshot, Production } from '../src/breakout-protocol';

export const PLAN: BreakoutPlan = {
  mode: 'manual',
  ateliers: [
    { id: 'a1', name: 'Différenciation', instructions: 'Trois idées.', duration_s: 1200, resources: [{ title: 'Éduscol', url: 'https://eduscol.education.fr/' }] },
    { id: 'a2', name: 'Évaluation', instructions: '', duration_s: 900, capacity: 4 },
  ],
};

export function leaderSnapshot(over: Partial<BreakoutSnapshot> = {}): BreakoutSnapshot {
  return {
    title: 'Ateliers du mercredi', status: 'preparing', mode: 'manual', plan: PLAN,
    ateliers: [
      { id: 'a1', state: 'pending', members: [], present: 0 },
      { id: 'a2', state: 'pending', members: [], present: 0 },
    ],
    unassigned: ['m-alice', 'm-bob'],
    ...over,
  };
}

export function atelierView(over: Partial<AtelierView> = {}): AtelierView {
  return { ...PLAN.ateliers[0], state: 'pending', ...over };
}

export function participantSnapshot(over: Partial<BreakoutSnapshot> = {}): BreakoutSnapshot {
  return { title: 'Ateliers du mercredi', status: 'preparing', mode: 'manual', ...over };
}

export function production(atelier: string, version: number, over: Partial<Production> = {}): Production {
  return { atelier, atelier_name: atelier === 'a1' ? 'Différenciation' : 'Évaluation', version, text: `Synthèse v${version}`, by: 'm-alice', by_name: 'Alice', at: 1_000 + version, ...over };
}
