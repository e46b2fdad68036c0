// The ordering answer: a numbered list that can be put in order two ways,
// both ending in the same state: drag an item by its handle (pointer events,
// so a finger, a pen or a mouse; the item jumps from place to place as the
// pointer passes the others' midpoints), or the up/down buttons of each item
// (keyboard and screen readers; focus stays on the moved item). Each move is
// read out ("moved to place 2 of 3"). "Valider" sends the order.

import { h, setChildren } from '../dom';
import { t } from '../i18n';
import { dropIndex, moveItem, moveTo } from '../ordering';
import type { AnswerValue } from '../quiz-protocol';
import type { Body } from './quiz-answer';
import { followPointer } from './pointer-drag';

export function orderingBody(
  items: string[],
  send: (a: AnswerValue) => void,
  announce: (text: string) => void,
  submitButton: () => HTMLButtonElement,
): Body {
  let order = items.map((_, i) => i); // indices into the shown items
  let locked = false;
  /** The item being dragged, if any. */
  let dragging: number | null = null;
  const list = h('ol', { class: 'amphi-ordering', 'data-testid': 'ordering' });

  const moveButton = (text: string, dir: 'up' | 'down', disabled: boolean, onClick: () => void) => {
    const label = t(dir === 'up' ? 'quiz.moveUp' : 'quiz.moveDown', { item: text });
    const button = h('button', {
      type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--sm amphi-move',
      title: label, 'aria-label': label, disabled, 'data-dir': dir,
    }, h('span', { class: dir === 'up' ? 'fr-icon-arrow-up-s-line' : 'fr-icon-arrow-down-s-line', 'aria-hidden': 'true' }));
    button.addEventListener('click', onClick);
    return button;
  };

  const render = (focus?: { item: number; dir: 'up' | 'down' }) => {
    setChildren(list, ...order.map((item, position) => {
      const text = items[item];
      // The handle is for pointers only: the buttons do the same from the keyboard.
      const handle = h('span', { class: 'amphi-ordering__handle', 'aria-hidden': 'true', title: t('quiz.dragHint') });
      handle.addEventListener('pointerdown', (ev) => startDrag(ev, item));
      return h('li', { class: 'amphi-ordering__item', 'data-item': item },
        locked ? null : handle,
        h('span', { class: 'amphi-ordering__position', 'aria-hidden': 'true' }, String(position + 1)),
        h('span', { class: 'amphi-ordering__text' }, text),
        h('span', { class: 'amphi-ordering__moves' },
          moveButton(text, 'up', locked || position === 0, () => move(position, -1)),
          moveButton(text, 'down', locked || position === order.length - 1, () => move(position, 1))));
    }));
    if (focus) {
      const li = list.querySelector<HTMLElement>(`[data-item="${focus.item}"]`);
      const wanted = li?.querySelector<HTMLButtonElement>(`[data-dir="${focus.dir}"]`);
      const other = li?.querySelector<HTMLButtonElement>(`[data-dir="${focus.dir === 'up' ? 'down' : 'up'}"]`);
      (wanted && !wanted.disabled ? wanted : other)?.focus();
    }
  };

  const announceMove = (item: number) =>
    announce(t('quiz.moved', { item: items[item], position: order.indexOf(item) + 1, count: order.length }));

  const move = (position: number, delta: number) => {
    if (locked) return;
    const item = order[position];
    order = moveItem(order, position, delta);
    render({ item, dir: delta < 0 ? 'up' : 'down' });
    announceMove(item);
  };

  // ---- drag and drop ----
  function startDrag(ev: PointerEvent, item: number): void {
    if (locked || dragging !== null || (ev.pointerType === 'mouse' && ev.button !== 0)) return;
    ev.preventDefault(); // no text selection, no scrolling (touch-action: none on the handle)
    const li = (ev.currentTarget as HTMLElement).closest('li');
    if (!li) return;
    dragging = item;
    const from = order.indexOf(item);
    li.classList.add('amphi-ordering__item--dragging');
    // The list's nodes are moved, not rebuilt, while the pointer is down.
    followPointer(ev, ev.currentTarget as Element, {
      onMove(point) {
        const others = [...list.children].filter((el) => el !== li);
        const midpoints = others.map((el) => {
          const box = el.getBoundingClientRect();
          return box.top + box.height / 2;
        });
        const to = dropIndex(midpoints, point.clientY);
        const now = order.indexOf(item);
        if (to === now) return;
        order = moveTo(order, now, to);
        list.insertBefore(li, others[to] ?? null);
        [...list.children].forEach((el, i) => {
          const position = el.querySelector('.amphi-ordering__position');
          if (position) position.textContent = String(i + 1);
        });
      },
      onEnd() {
        dragging = null;
        render();
        if (order.indexOf(item) !== from) announceMove(item);
      },
    });
  }

  render();
  const submit = submitButton();
  const form = h('form', { novalidate: true }, h('p', { class: 'fr-text--sm' }, t('quiz.orderingHint')), list, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send({ type: 'order', items: [...order] });
  });
  return {
    root: form,
    // Again with nothing new (every update locks): the list stays as it is.
    lock(answer) {
      const sent = answer?.type === 'order' && answer.items.length === items.length ? answer.items : order;
      if (locked && sent.every((item, i) => item === order[i])) return;
      locked = true;
      dragging = null;
      order = [...sent];
      render();
      submit.disabled = true;
    },
    unlock() {
      if (!locked) return;
      locked = false;
      render();
      submit.disabled = false;
    },
  };
}
