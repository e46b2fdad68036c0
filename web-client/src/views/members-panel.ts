// The members of a room as its leaders see them: how many are connected, and
// each member (leaders first, then by name) with their role, whether they are
// connected now, and "Retirer" for a participant. The lobby and the board
// consoles show it.

import type { AmphiClient } from '../client';
import { h, setChildren } from '../dom';
import { t } from '../i18n';
import type { MemberView, RoomId } from '../protocol';
import { roleLabel } from './common';
import { removeMemberButton } from './room-guard';

/** Leaders first, then by name. */
export function sortMembers(members: readonly MemberView[]): MemberView[] {
  const rank = (m: MemberView) => (m.role === 'participant' ? 2 : m.role === 'observer' ? 1 : 0);
  return [...members].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

export interface MembersPanel {
  /** "Connectés : 3 sur 5". */
  summary: HTMLElement;
  list: HTMLElement;
  /** Redraws from the room's state. */
  update(): void;
}

export function membersPanel(client: AmphiClient, roomId: RoomId): MembersPanel {
  const summary = h('p', { class: 'fr-text--sm amphi-muted' });
  const list = h('ul', { class: 'amphi-list', 'data-testid': 'members' });
  const item = (m: MemberView) =>
    h('li', { class: 'amphi-list__item' },
      h('span', { class: 'amphi-list__name' }, m.name),
      h('span', { class: 'fr-tag fr-tag--sm' }, roleLabel(m.role)),
      h('span', { class: `fr-badge fr-badge--sm fr-badge--no-icon ${m.connected ? 'fr-badge--success' : ''}` },
        t(m.connected ? 'trainer.connected' : 'trainer.disconnected')),
      removeMemberButton(client, roomId, m));
  return {
    summary,
    list,
    update() {
      const state = client.room(roomId);
      const counts = state?.counts;
      summary.textContent = t('trainer.membersCount', { connected: counts?.connected ?? 0, members: counts?.members ?? 0 });
      setChildren(list, ...sortMembers(state?.members ?? []).map(item));
      if (!state?.members.length) list.append(h('li', { class: 'amphi-muted fr-text--sm' }, t('trainer.noMembers')));
    },
  };
}
