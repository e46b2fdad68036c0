// The ateliers console's list of participants, drawn with lit-html: a row
// per participant, keyed by member (their name, whether connected, the
// atelier they are in with "Affecter", and "Retirer"), updated in place.
// An atelier chosen in a row's list and not yet applied stays chosen while
// others arrive, leave or are assigned; the row shows the server's
// assignment again once it changes. The focus stays where it was.

import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { uid } from '../dom';
import { t } from '../i18n';
import type { MemberView } from '../protocol';

/** One participant's row: who, and their atelier ('' in the plenary). */
export interface RosterEntry {
  member: MemberView;
  atelier: string;
  removable: boolean;
}

export interface RosterActions {
  assign(member: MemberView, atelier: string): void;
  remove(member: MemberView, button: HTMLButtonElement): void;
}

/** What a roster root remembers between renders: the ids of its rows' lists, the assignments shown. */
interface Drawn {
  ids: Map<string, string>;
  shown: Map<string, string>;
  plan: string;
}
const drawn = new WeakMap<HTMLElement, Drawn>();

/** Draws `entries` (in their order) into `root`; `ateliers` are the plan's, `online` whether commands can be sent. */
export function renderRoster(
  root: HTMLElement,
  entries: readonly RosterEntry[],
  ateliers: readonly { id: string; name: string }[],
  online: boolean,
  actions: RosterActions,
): void {
  let memory = drawn.get(root);
  if (!memory) drawn.set(root, (memory = { ids: new Map(), shown: new Map(), plan: '' }));
  const ids = memory.ids;
  const idOf = (member: string) => {
    let id = ids.get(member);
    if (!id) ids.set(member, (id = uid('assign')));
    return id;
  };
  render(entries.length
    ? html`<p class="fr-text--sm">${t('breakout.participants.hint')}</p>
      <ul class="amphi-list" data-testid="participant-list">
        ${repeat(entries, (e) => e.member.id, (e) => row(e, idOf(e.member.id), ateliers, online, actions))}
      </ul>`
    : html`<p class="fr-text--sm amphi-muted">${t('trainer.noMembers')}</p>`, root);

  // The server's assignment into each list whose assignment (or options) changed, not into the others.
  const plan = ateliers.map((a) => `${a.id}\u0000${a.name}`).join('\u0001');
  const planChanged = plan !== memory.plan;
  memory.plan = plan;
  const present = new Set<string>();
  for (const e of entries) {
    present.add(e.member.id);
    if (!planChanged && memory.shown.get(e.member.id) === e.atelier) continue;
    const select = root.querySelector<HTMLSelectElement>(`#${idOf(e.member.id)}`);
    if (select) select.value = e.atelier;
    memory.shown.set(e.member.id, e.atelier);
  }
  for (const member of [...memory.shown.keys()]) {
    if (!present.has(member)) {
      memory.shown.delete(member);
      ids.delete(member);
    }
  }
}

function row(e: RosterEntry, id: string, ateliers: readonly { id: string; name: string }[], online: boolean, actions: RosterActions) {
  const m = e.member;
  const assign = (ev: Event) => {
    const select = (ev.currentTarget as HTMLElement).parentElement?.querySelector('select');
    if (select) actions.assign(m, select.value);
  };
  return html`<li class="amphi-list__item amphi-participant-row" data-testid="participant" data-member=${m.id}>
    <span class="amphi-list__name">${m.name}</span>
    <span class="fr-badge fr-badge--sm fr-badge--no-icon ${m.connected ? 'fr-badge--success' : ''}">${t(m.connected ? 'trainer.connected' : 'trainer.disconnected')}</span>
    <div class="fr-select-group fr-mb-0 amphi-inline-form">
      <label class="fr-label fr-sr-only" for=${id}>${t('breakout.participants.atelierOf', { name: m.name })}</label>
      <select class="fr-select" id=${id} data-focus=${`select-${m.id}`} data-testid="assign-select">
        <option value="">${t('breakout.participants.plenary')}</option>
        ${ateliers.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
      </select>
      <button type="button" class="fr-btn fr-btn--sm fr-btn--secondary" data-focus=${`assign-${m.id}`} data-testid="assign"
        aria-label=${t('breakout.participants.assignLabel', { name: m.name })} @click=${assign}>${t('breakout.participants.assign')}</button>
    </div>
    ${e.removable
      ? html`<button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary-no-outline" data-testid="remove-member"
          aria-label=${t('room.remove.label', { name: m.name })} ?disabled=${!online}
          @click=${(ev: Event) => actions.remove(m, ev.currentTarget as HTMLButtonElement)}>${t('room.remove')}</button>`
      : nothing}
  </li>`;
}
