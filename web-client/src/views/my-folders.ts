// The folders of "Mes sessions": which rooms are shown (all, those in no
// folder, one folder's), a new folder, and the shown folder renamed or
// deleted (its rooms go back out of any folder). Each leader's own
// (`/api/v1/folders`).

import { createFolder, deleteFolder, renameFolder, type Folder, type FolderFilter } from '../api';
import { h, setChildren } from '../dom';
import { t } from '../i18n';
import { apiFailureText as failure } from './common';

/** Longest folder name (the server's limit). */
const FOLDER_NAME_MAX = 80;

export interface FolderTools {
  root: HTMLElement;
  /** The folder shown (one that still exists). */
  filter(folders: Folder[]): FolderFilter;
  /** Redraws the choices with these folders. */
  update(folders: Folder[]): void;
}

export function folderTools(opts: { token(): string; say(text: string): void; changed(): void }): FolderTools {
  let chosen: FolderFilter = '';
  let known: Folder[] = [];
  const alert = h('p', { class: 'fr-error-text', role: 'alert', hidden: true });
  const fail = (e: unknown) => {
    alert.hidden = false;
    alert.textContent = failure(e);
  };
  const ok = (text: string) => {
    alert.hidden = true;
    opts.say(text);
    opts.changed();
  };

  const select = h('select', { class: 'fr-select', id: 'mine-filter', 'data-testid': 'folder-filter' });
  select.addEventListener('change', () => {
    chosen = select.value;
    closeRename();
    opts.changed();
  });
  const rename = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-edit-line', 'data-testid': 'folder-rename' },
    t('mine.folder.rename'));
  const remove = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-delete-line', 'data-testid': 'folder-delete' },
    t('mine.folder.delete'));
  const folderButtons = h('div', { class: 'amphi-buttons', hidden: true }, rename, remove);
  const renameSlot = h('div');

  const name = h('input', { class: 'fr-input', id: 'new-folder', maxlength: String(FOLDER_NAME_MAX), autocomplete: 'off', 'data-testid': 'new-folder' });
  const create = h('form', { novalidate: true, class: 'fr-input-group fr-mb-1w' },
    h('label', { class: 'fr-label', for: 'new-folder' }, t('mine.folder.new')),
    h('div', { class: 'amphi-inline-form' }, name,
      h('button', { type: 'submit', class: 'fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-folder-2-line' }, t('mine.folder.create'))));
  create.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const wanted = name.value.trim();
    if (!wanted) return name.focus();
    try {
      const folder = await createFolder(opts.token(), wanted);
      name.value = '';
      ok(t('mine.folder.created', { name: folder.name }));
    } catch (e) {
      fail(e);
    }
  });

  const current = () => known.find((f) => f.id === chosen);
  function closeRename(): void {
    renameSlot.replaceChildren();
  }
  rename.addEventListener('click', () => {
    const folder = current();
    if (!folder) return;
    const input = h('input', { class: 'fr-input', id: 'rename-folder', maxlength: String(FOLDER_NAME_MAX), autocomplete: 'off', value: folder.name });
    const cancel = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary' }, t('mine.folder.cancel'));
    const form = h('form', { novalidate: true, class: 'fr-input-group fr-mb-1w' },
      h('label', { class: 'fr-label', for: 'rename-folder' }, t('mine.folder.renameInput', { name: folder.name })),
      h('div', { class: 'amphi-inline-form' }, input, h('button', { type: 'submit', class: 'fr-btn fr-btn--sm' }, t('mine.folder.save')), cancel));
    cancel.addEventListener('click', () => {
      closeRename();
      rename.focus();
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const wanted = input.value.trim();
      if (!wanted) return input.focus();
      try {
        await renameFolder(opts.token(), folder.id, wanted);
        closeRename();
        rename.focus();
        ok(t('mine.folder.renamed', { name: wanted }));
      } catch (e) {
        fail(e);
      }
    });
    setChildren(renameSlot, form);
    input.focus();
  });
  remove.addEventListener('click', async () => {
    const folder = current();
    if (!folder || !window.confirm(t('mine.folder.confirmDelete', { name: folder.name }))) return;
    try {
      await deleteFolder(opts.token(), folder.id);
      chosen = '';
      select.focus();
      ok(t('mine.folder.deleted', { name: folder.name }));
    } catch (e) {
      fail(e);
    }
  });

  const root = h('div', { class: 'amphi-my-folders', 'data-testid': 'my-folders' },
    h('div', { class: 'fr-select-group fr-mb-1w' },
      h('label', { class: 'fr-label', for: 'mine-filter' }, t('mine.filter')),
      h('div', { class: 'amphi-inline-form' }, select, folderButtons)),
    renameSlot, create, alert);

  return {
    root,
    filter(folders) {
      if (chosen && chosen !== 'root' && !folders.some((f) => f.id === chosen)) chosen = '';
      return chosen;
    },
    update(folders) {
      known = folders;
      setChildren(select,
        h('option', { value: '' }, t('mine.filter.all')),
        h('option', { value: 'root' }, t('mine.filter.root')),
        ...folders.map((f) => h('option', { value: f.id }, t('mine.filter.folder', { name: f.name, count: f.rooms }))));
      select.value = chosen;
      folderButtons.hidden = !current();
      if (!current()) closeRename();
    },
  };
}
