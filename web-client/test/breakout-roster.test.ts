// @vitest-environment happy-dom
// The ateliers console's participant list (lit-html): rows kept and
// updated in place, a choice not yet applied kept while others change, the
// server's assignment shown once it changes, "Affecter" and "Retirer".

import { beforeEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import type { MemberView } from '../src/protocol';
import { renderRoster, type RosterActions, type RosterEntry } from '../src/views/breakout-roster';

const ATELIERS = [{ id: 'a1', name: 'Atelier 1' }, { id: 'a2', name: 'Atelier 2' }];
const member = (id: string, name: string, connected = true): MemberView => ({ id, name, role: 'participant', connected });
const entry = (m: MemberView, atelier = ''): RosterEntry => ({ member: m, atelier, removable: true });

let root: HTMLElement;
let calls: string[];
const actions: RosterActions = {
  assign: (m, atelier) => calls.push(`assign ${m.id} ${atelier}`),
  remove: (m) => calls.push(`remove ${m.id}`),
};
const rowOf = (id: string) => root.querySelector<HTMLElement>(`li[data-member="${id}"]`)!;
const selectOf = (id: string) => rowOf(id).querySelector('select')!;

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
  root = document.createElement('div');
  document.body.append(root);
  calls = [];
});

describe('renderRoster', () => {
  it('draws a row per participant with their atelier selected', () => {
    renderRoster(root, [entry(member('m1', 'Alice'), 'a2'), entry(member('m2', 'Bob'))], ATELIERS, true, actions);
    expect([...root.querySelectorAll('li')].map((li) => li.dataset.member)).toEqual(['m1', 'm2']);
    expect(selectOf('m1').value).toBe('a2');
    expect(selectOf('m2').value).toBe('');
    expect(rowOf('m1').querySelector('label')!.htmlFor).toBe(selectOf('m1').id);
    expect(root.querySelectorAll('option')).toHaveLength(6);
  });

  it('keeps the rows, a pending choice and the focus while others arrive and connect', () => {
    const alice = member('m1', 'Alice');
    renderRoster(root, [entry(alice), entry(member('m2', 'Bob', false))], ATELIERS, true, actions);
    const aliceRow = rowOf('m1');
    selectOf('m1').value = 'a1'; // chosen, not yet applied
    selectOf('m1').focus();
    renderRoster(root, [entry(alice), entry(member('m2', 'Bob', true)), entry(member('m3', 'Chloé'))], ATELIERS, true, actions);
    expect(rowOf('m1')).toBe(aliceRow);
    expect(selectOf('m1').value).toBe('a1');
    expect(document.activeElement).toBe(selectOf('m1'));
    expect(rowOf('m2').querySelector('.fr-badge')!.textContent).toBe('connecté');
    expect(root.querySelectorAll('li')).toHaveLength(3);
  });

  it('shows the server\'s assignment once it changes', () => {
    const alice = member('m1', 'Alice');
    renderRoster(root, [entry(alice)], ATELIERS, true, actions);
    selectOf('m1').value = 'a1';
    renderRoster(root, [entry(alice, 'a2')], ATELIERS, true, actions); // another trainer moved her
    expect(selectOf('m1').value).toBe('a2');
  });

  it('"Affecter" assigns what the row\'s list says; "Retirer" follows the connection', () => {
    const alice = member('m1', 'Alice');
    renderRoster(root, [entry(alice)], ATELIERS, true, actions);
    selectOf('m1').value = 'a2';
    rowOf('m1').querySelector<HTMLButtonElement>('[data-testid="assign"]')!.click();
    const remove = rowOf('m1').querySelector<HTMLButtonElement>('[data-testid="remove-member"]')!;
    remove.click();
    expect(calls).toEqual(['assign m1 a2', 'remove m1']);
    renderRoster(root, [entry(alice)], ATELIERS, false, actions);
    expect(remove.disabled).toBe(true);
    renderRoster(root, [{ ...entry(alice), removable: false }], ATELIERS, true, actions);
    expect(rowOf('m1').querySelector('[data-testid="remove-member"]')).toBeNull();
  });

  it('says when nobody is there', () => {
    renderRoster(root, [], ATELIERS, true, actions);
    expect(root.querySelector('ul')).toBeNull();
    expect(root.textContent).toContain('Personne pour le moment.');
  });
});
