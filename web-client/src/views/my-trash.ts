// The trash of "Mes sessions" (`/api/v1/trash`): the rooms a leader moved
// there, when each is deleted for good, "Restaurer" (back with its code),
// "Supprimer définitivement", and "Vider la corbeille".

import { deleteForever, listTrash, restoreRoom, type TrashedRoom } from '../api';
import { formatDateTime } from '../board-format';
import { h, setChildren } from '../dom';
import { t } from '../i18n';
import { apiFailureText as failure } from './common';

export interface TrashPanel {
  root: HTMLElement;
  load(): Promise<void>;
  /** The focus on the trash's summary (where a trashed room went). */
  focus(): void;
}

export function trashPanel(opts: { token(): string; say(text: string): void; restored(): void }): TrashPanel {
  const summary = h('summary', { 'data-testid': 'trash-summary' }, t('trash.title', { count: 0 }));
  const hint = h('p', { class: 'fr-text--sm amphi-muted' });
  const list = h('div', { 'data-testid': 'trash-list' });
  const alert = h('p', { class: 'fr-error-text', role: 'alert', hidden: true });
  const empty = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-delete-bin-line', 'data-testid': 'trash-empty' },
    t('trash.emptyAll'));
  const root = h('details', { class: 'amphi-details fr-mt-2w', 'data-testid': 'trash' }, summary, hint, list, h('p', { class: 'fr-mb-0' }, empty), alert);
  let request = 0;
  const fail = (e: unknown) => {
    alert.hidden = false;
    alert.textContent = failure(e);
  };

  async function load(): Promise<void> {
    const mine = ++request;
    const token = opts.token();
    if (!token) return;
    try {
      const trash = await listTrash(token);
      if (mine !== request) return;
      alert.hidden = true;
      draw(trash.rooms, trash.retention_days);
    } catch (e) {
      if (mine === request) fail(e);
    }
  }

  function draw(rooms: TrashedRoom[], days: number): void {
    summary.textContent = t('trash.title', { count: rooms.length });
    hint.textContent = days > 0 ? t('trash.hint', { days }) : t('trash.hintForever');
    empty.hidden = rooms.length === 0;
    if (rooms.length === 0) {
      setChildren(list, h('p', { class: 'fr-text--sm' }, t('trash.none')));
      return;
    }
    setChildren(list, h('ul', { class: 'amphi-list' }, ...rooms.map(item)));
  }

  function item(room: TrashedRoom): HTMLElement {
    const when = [t('trash.since', { date: formatDateTime(room.deleted_at) })];
    if (room.purge_at) when.push(t('trash.until', { date: formatDateTime(room.purge_at) }));
    const restore = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-arrow-go-back-line',
      'aria-label': t('trash.restoreLabel', { title: room.title }), 'data-testid': 'trash-restore' }, t('trash.restore'));
    restore.addEventListener('click', async () => {
      restore.disabled = true;
      try {
        await restoreRoom(opts.token(), room.id);
        opts.say(t('trash.restored', { title: room.title }));
        summary.focus();
        await load();
        opts.restored();
      } catch (e) {
        restore.disabled = false;
        fail(e);
      }
    });
    const forever = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-delete-line',
      'aria-label': t('trash.deleteLabel', { title: room.title }), 'data-testid': 'trash-delete' }, t('trash.delete'));
    forever.addEventListener('click', async () => {
      if (!window.confirm(t('trash.confirmDelete', { title: room.title }))) return;
      forever.disabled = true;
      try {
        await deleteForever(opts.token(), room.id);
        opts.say(t('trash.deleted', { title: room.title }));
        summary.focus();
        await load();
      } catch (e) {
        forever.disabled = false;
        fail(e);
      }
    });
    return h('li', { class: 'amphi-list__item', 'data-trashed': room.id },
      h('span', { class: 'amphi-list__name' }, room.title,
        h('span', { class: 'fr-text--xs amphi-muted amphi-my-room__details' }, when.join(' · '))),
      h('div', { class: 'amphi-buttons' }, restore, forever));
  }

  empty.addEventListener('click', async () => {
    if (!window.confirm(t('trash.confirmEmpty'))) return;
    try {
      await deleteForever(opts.token(), null);
      opts.say(t('trash.emptied'));
      summary.focus();
      await load();
    } catch (e) {
      fail(e);
    }
  });

  return { root, load, focus: () => summary.focus() };
}
