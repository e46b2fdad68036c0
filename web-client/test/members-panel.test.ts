// @vitest-environment happy-dom
// The members panel of the lobby and board consoles: the count, each member
// with role and connected state (leaders first), "Retirer" for a
// participant only, and a line when nobody is there.

import { beforeEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { membersPanel } from '../src/views/members-panel';
import { fakeClient, member, room } from './view-fixtures';

beforeEach(() => setLang('fr'));

describe('members panel', () => {
  it('counts, lists leaders first with their state, and offers to remove participants only', () => {
    const members = [member('p1', 'Zoé', 'participant', false), member('t1', 'Mme Durand', 'trainer'), member('p2', 'Inès')];
    const counts = { members: 3, connected: 2, participants: 2, participants_connected: 1 };
    const fake = fakeClient(room('board', members, { counts }));
    const panel = membersPanel(fake.client, 'r1');
    panel.update();
    expect(panel.summary.textContent).toBe('Connectés\u00a0: 2 sur 3');
    const rows = [...panel.list.querySelectorAll('li')];
    expect(rows.map((row) => row.querySelector('.amphi-list__name')?.textContent)).toEqual(['Mme Durand', 'Inès', 'Zoé']);
    expect(rows.map((row) => row.querySelector('.fr-badge')?.textContent)).toEqual(['connecté', 'connecté', 'déconnecté']);
    expect(rows.map((row) => Boolean(row.querySelector('button')))).toEqual([false, true, true]);
  });

  it('says when nobody is there, and follows the room', () => {
    const fake = fakeClient(room('board', []));
    const panel = membersPanel(fake.client, 'r1');
    panel.update();
    expect(panel.list.textContent).toBe('Personne pour le moment.');
    fake.set(room('board', [member('p1', 'Inès')]));
    panel.update();
    expect(panel.list.querySelectorAll('li')).toHaveLength(1);
    expect(panel.list.textContent).toContain('Inès');
  });
});
