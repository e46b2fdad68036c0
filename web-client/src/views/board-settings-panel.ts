// The trainer's live choices of what the board takes: its reactions (likes,
// star ratings or none), applied with `set_reactions`, and what participants
// may add (files, audio, links, documents, comments), one checkbox each,
// sent as `switch` when ticked or unticked. Also the same checkboxes for the
// creation form.

import { CONTRIBUTIONS, REACTIONS, type BoardCommand, type Contribution, type Reactions } from '../board-protocol';
import type { BoardState } from '../board-state';
import { h, uid } from '../dom';
import { t, type MessageKey } from '../i18n';

export const REACTIONS_LABEL: Record<Reactions, MessageKey> = {
  likes: 'board.reactions.likes',
  stars: 'board.reactions.stars',
  none: 'board.reactions.none',
};

export const SWITCH_LABEL: Record<Contribution, MessageKey> = {
  files: 'board.switch.files',
  audio: 'board.switch.audio',
  links: 'board.switch.links',
  documents: 'board.switch.documents',
  comments: 'board.switch.comments',
};

/** A DSFR fieldset of one checkbox per kind of contribution, all ticked at first. */
export function switchesFieldset(onChange?: (contribution: Contribution, on: boolean) => void): {
  root: HTMLElement;
  boxes: Record<Contribution, HTMLInputElement>;
} {
  const legendId = uid('switches-legend');
  const boxes = {} as Record<Contribution, HTMLInputElement>;
  const elements = CONTRIBUTIONS.map((c) => {
    const id = uid(`switch-${c}`);
    const box = h('input', { type: 'checkbox', id, checked: true, 'data-testid': `switch-${c}` });
    boxes[c] = box;
    if (onChange) box.addEventListener('change', () => onChange(c, box.checked));
    return h('div', { class: 'fr-fieldset__element' },
      h('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' }, box, h('label', { class: 'fr-label', for: id }, t(SWITCH_LABEL[c]))));
  });
  const root = h('fieldset', { class: 'fr-fieldset', 'aria-labelledby': legendId, 'data-testid': 'switches' },
    h('legend', { class: 'fr-fieldset__legend fr-text--regular', id: legendId }, t('board.switches.legend'),
      h('span', { class: 'fr-hint-text' }, t('board.switches.hint'))),
    ...elements);
  return { root, boxes };
}

export interface BoardSettingsPanel {
  root: HTMLElement;
  update(state: BoardState): void;
}

export function boardSettingsPanel(send: (command: BoardCommand) => unknown): BoardSettingsPanel {
  const select = h('select', { class: 'fr-select', id: 'board-reactions-select', 'data-testid': 'reactions-select' },
    ...REACTIONS.map((r) => h('option', { value: r }, t(REACTIONS_LABEL[r]))));
  const apply = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'reactions-apply' }, t('board.console.applyReactions'));
  apply.addEventListener('click', () => void send({ action: 'set_reactions', reactions: select.value as Reactions }));
  // A box just (un)ticked keeps its new state until the board's settings say so.
  const wanted = new Map<Contribution, boolean>();
  const switches = switchesFieldset((contribution, on) => {
    wanted.set(contribution, on);
    void send({ action: 'switch', contribution, on });
  });
  const root = h('div', { class: 'amphi-board-settings' },
    h('div', { class: 'fr-select-group' },
      h('label', { class: 'fr-label', for: 'board-reactions-select' }, t('board.console.reactions')),
      h('div', { class: 'amphi-inline-form' }, select, apply)),
    switches.root);
  return {
    root,
    update(state) {
      if (document.activeElement !== select) select.value = state.settings.reactions ?? 'likes';
      const off = new Set(state.settings.switched_off ?? []);
      for (const c of CONTRIBUTIONS) {
        if (wanted.get(c) === !off.has(c)) wanted.delete(c);
        switches.boxes[c].checked = wanted.get(c) ?? !off.has(c);
      }
    },
  };
}
