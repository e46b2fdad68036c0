// The trainer's live choices of what the board takes: its reactions (likes,
// star ratings or none), applied with `set_reactions`.

import { REACTIONS, type BoardCommand, type Reactions } from '../board-protocol';
import type { BoardState } from '../board-state';
import { h } from '../dom';
import { t, type MessageKey } from '../i18n';

export const REACTIONS_LABEL: Record<Reactions, MessageKey> = {
  likes: 'board.reactions.likes',
  stars: 'board.reactions.stars',
  none: 'board.reactions.none',
};

export interface BoardSettingsPanel {
  root: HTMLElement;
  update(state: BoardState): void;
}

export function boardSettingsPanel(send: (command: BoardCommand) => unknown): BoardSettingsPanel {
  const select = h('select', { class: 'fr-select', id: 'board-reactions-select', 'data-testid': 'reactions-select' },
    ...REACTIONS.map((r) => h('option', { value: r }, t(REACTIONS_LABEL[r]))));
  const apply = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', 'data-testid': 'reactions-apply' }, t('board.console.applyReactions'));
  apply.addEventListener('click', () => void send({ action: 'set_reactions', reactions: select.value as Reactions }));
  const root = h('div', { class: 'amphi-board-settings' },
    h('div', { class: 'fr-select-group' },
      h('label', { class: 'fr-label', for: 'board-reactions-select' }, t('board.console.reactions')),
      h('div', { class: 'amphi-inline-form' }, select, apply)));
  return {
    root,
    update(state) {
      if (document.activeElement !== select) select.value = state.settings.reactions ?? 'likes';
    },
  };
}
