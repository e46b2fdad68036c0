// "Mes sessions" on the home page: the rooms a trainer or facilitator leads
// (`GET /api/v1/rooms?mine=1`, favourites first, then live ones), each with
// "Reprendre", which opens its console with the leader's token, a star, a
// folder to file it in, "Dupliquer" and "Corbeille". Above the list, the
// folder shown (all, none, one of the leader's folders: created, renamed,
// deleted here, my-folders.ts); below, the trash (my-trash.ts). Shown once a
// leader's token is known (remembered by this browser, or typed in the
// trainer space); a closed or lost console tab is one click away.

import type { App } from '../app';
import { duplicateRoom, listFolders, listMyRooms, markRoom, trashRoom, type Folder, type FolderFilter, type MyRoom } from '../api';
import { h, setChildren, uid } from '../dom';
import { errorText, t, type MessageKey } from '../i18n';
import { isLeaderToken, tokenClaims } from '../token';
import { folderTools } from './my-folders';
import { trashPanel } from './my-trash';
import { apiFailureText as failure } from './common';

const KIND_LABEL: Record<string, MessageKey> = {
  lobby: 'mine.kind.lobby',
  quiz: 'mine.kind.quiz',
  board: 'mine.kind.board',
  breakout: 'mine.kind.breakout',
};

export interface MySessionsPanel {
  root: HTMLElement;
  /** Lists the rooms of this token (hidden for anything but a leader's token). */
  show(token: string): void;
}

/** `onForget`: "Oublier mon jeton" was chosen (the panel hides itself). */
export function mySessionsPanel(app: App, onForget: () => void): MySessionsPanel {
  const body = h('div', { 'data-testid': 'my-sessions-body' });
  const status = h('p', { class: 'fr-text--sm fr-mb-1w', role: 'status', 'data-testid': 'my-sessions-status' });
  const forget = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-mt-1w' }, t('mine.forgetToken'));
  // Admins and the national role: their usage statistics.
  const statistics = h('a', { class: 'fr-link fr-icon-bar-chart-box-line fr-link--icon-left', href: '/statistiques', 'data-testid': 'statistics-link', hidden: true },
    t('stats.link'));
  statistics.addEventListener('click', (ev) => {
    ev.preventDefault();
    app.navigate('/statistiques');
  });
  // Every leader: the shared library.
  const library = h('a', { class: 'fr-link fr-icon-book-2-line fr-link--icon-left', href: '/bibliotheque', 'data-testid': 'library-link' },
    t('lib.link'));
  library.addEventListener('click', (ev) => {
    ev.preventDefault();
    app.navigate('/bibliotheque');
  });
  let shownFor = '';
  let request = 0;
  let folders: Folder[] = [];
  const say = (text: string) => {
    status.textContent = text;
    app.announce(text);
  };
  const tools = folderTools({ token: () => shownFor, say, changed: () => void load(shownFor) });
  /** Where the focus goes once the list is drawn again: a control of a room's row. */
  let focusAfter: { room: string; control: string } | null = null;
  const trash = trashPanel({ token: () => shownFor, say, restored: () => void load(shownFor) });
  const root = h('section', { class: 'amphi-my-sessions fr-mb-3w', 'aria-labelledby': 'mine-title', 'data-testid': 'my-sessions', hidden: true },
    h('h3', { id: 'mine-title', class: 'fr-h6 fr-mb-1w' }, t('mine.title')), tools.root, status, body, trash.root,
    h('p', { class: 'fr-mt-1w fr-mb-0' }, library), h('p', { class: 'fr-mt-1w fr-mb-0' }, statistics), forget);

  forget.addEventListener('click', () => {
    shownFor = '';
    root.hidden = true;
    onForget();
  });

  async function load(token: string): Promise<void> {
    const mine = ++request;
    if (!body.firstChild) setChildren(body, h('p', { class: 'fr-text--sm', role: 'status' }, t('mine.loading')));
    let rooms: MyRoom[];
    try {
      folders = await listFolders(token);
      const filter: FolderFilter = tools.filter(folders);
      rooms = await listMyRooms(token, fetch, filter);
    } catch (e) {
      if (mine !== request) return;
      setChildren(body, h('p', { class: 'fr-error-text', role: 'alert' }, failure(e)));
      return;
    }
    if (mine !== request) return; // another token was typed meanwhile
    tools.update(folders);
    void trash.load();
    if (rooms.length === 0) {
      setChildren(body, h('p', { class: 'fr-text--sm amphi-muted' }, t(tools.filter(folders) ? 'mine.noneHere' : 'mine.none')));
      return;
    }
    setChildren(body, h('ul', { class: 'amphi-list' }, ...rooms.map((room) => roomItem(app, token, room, folders, {
      say,
      reload: (focus) => {
        focusAfter = focus;
        void load(token);
      },
      trashed: () => void trash.load().then(() => trash.focus()),
    }))));
    // The control acted on gets the focus back in the new list.
    const again = focusAfter;
    focusAfter = null;
    if (again) body.querySelector<HTMLElement>(`[data-room="${CSS.escape(again.room)}"] [data-testid="${CSS.escape(again.control)}"]`)?.focus();
  }

  return {
    root,
    show(token) {
      const wanted = isLeaderToken(token) ? token : '';
      if (wanted === shownFor) return;
      shownFor = wanted;
      root.hidden = !wanted;
      const role = tokenClaims(wanted)?.role;
      statistics.hidden = !(role === 'admin' || role === 'national');
      request++;
      status.textContent = '';
      if (wanted) void load(wanted);
      else body.replaceChildren();
    },
  };
}

interface ItemHooks {
  say(text: string): void;
  /** Draws the list again, the focus on `focus` (a room's control) if given. */
  reload(focus: { room: string; control: string } | null): void;
  trashed(): void;
}

function roomItem(app: App, token: string, room: MyRoom, folders: Folder[], hooks: ItemHooks): HTMLElement {
  const alert = h('p', { class: 'fr-error-text amphi-my-room__error', role: 'alert', hidden: true });
  const fail = (e: unknown) => {
    alert.hidden = false;
    alert.textContent = failure(e);
  };
  const resume = h('button', {
    type: 'button', class: 'fr-btn fr-btn--sm', 'data-testid': 'resume-room',
    'aria-label': t('mine.resumeLabel', { title: room.title }),
  }, t('mine.resume'));
  resume.addEventListener('click', async () => {
    resume.disabled = true;
    resume.textContent = t('home.joining');
    alert.hidden = true;
    const error = await app.joinWithToken(token, { room: room.id });
    if (!resume.isConnected) return; // in the console
    resume.disabled = false;
    resume.textContent = t('mine.resume');
    if (error) {
      alert.hidden = false;
      alert.textContent = error === 'network' ? t('home.unreachable') : errorText(error);
    }
  });
  const starred = Boolean(room.favourite);
  const star = h('button', {
    type: 'button',
    class: `fr-btn fr-btn--sm fr-btn--icon-left ${starred ? 'fr-icon-star-fill fr-btn--secondary' : 'fr-icon-star-line fr-btn--tertiary'}`,
    'aria-pressed': String(starred), 'aria-label': t('mine.favouriteLabel', { title: room.title }), 'data-testid': 'favourite-room',
  }, t('mine.favourite'));
  star.addEventListener('click', async () => {
    star.disabled = true;
    try {
      await markRoom(token, room.id, { favourite: !starred });
      hooks.say(t(starred ? 'mine.favouriteOff' : 'mine.favouriteOn', { title: room.title }));
      hooks.reload({ room: room.id, control: 'favourite-room' });
    } catch (e) {
      star.disabled = false;
      fail(e);
    }
  });
  const duplicate = h('button', {
    type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-file-add-line',
    'aria-label': t('mine.duplicateLabel', { title: room.title }), 'data-testid': 'duplicate-room',
  }, t('mine.duplicate'));
  duplicate.addEventListener('click', async () => {
    duplicate.disabled = true;
    try {
      const copy = await duplicateRoom(token, room.id);
      hooks.say(t('mine.duplicated', { title: copy.title }));
      hooks.reload({ room: room.id, control: 'duplicate-room' });
    } catch (e) {
      duplicate.disabled = false;
      fail(e);
    }
  });
  const toTrash = h('button', {
    type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-delete-line',
    'aria-label': t('mine.toTrashLabel', { title: room.title }), 'data-testid': 'trash-room',
  }, t('mine.toTrash'));
  toTrash.addEventListener('click', async () => {
    toTrash.disabled = true;
    try {
      await trashRoom(token, room.id);
      hooks.say(t('mine.trashed', { title: room.title }));
      hooks.reload(null);
      hooks.trashed();
    } catch (e) {
      toTrash.disabled = false;
      fail(e);
    }
  });
  const buttons = h('div', { class: 'amphi-buttons amphi-my-room__buttons' }, resume, star, duplicate, toTrash);

  // Its folder: a select and "Ranger" (no change of context on select).
  const selectId = uid('room-folder');
  const select = h('select', { class: 'fr-select', id: selectId, 'data-testid': 'room-folder' },
    h('option', { value: '' }, t('mine.noFolder')),
    ...folders.map((f) => h('option', { value: f.id }, f.name)));
  select.value = room.folder ?? '';
  const move = h('button', {
    type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary', 'aria-label': t('mine.moveLabel', { title: room.title }), 'data-testid': 'move-room',
  }, t('mine.move'));
  move.addEventListener('click', async () => {
    const folder = select.value || null;
    move.disabled = true;
    try {
      await markRoom(token, room.id, { folder });
      const name = folders.find((f) => f.id === folder)?.name;
      hooks.say(name ? t('mine.moved', { title: room.title, folder: name }) : t('mine.movedRoot', { title: room.title }));
      hooks.reload({ room: room.id, control: 'move-room' });
    } catch (e) {
      move.disabled = false;
      fail(e);
    }
  });
  const filing = folders.length
    ? h('div', { class: 'fr-select-group fr-mb-0 amphi-my-room__folder' },
      h('label', { class: 'fr-label', for: selectId }, t('mine.moveTo', { title: room.title })),
      h('div', { class: 'amphi-inline-form' }, select, move))
    : null;

  const folderName = folders.find((f) => f.id === room.folder)?.name;
  const details = [
    t(KIND_LABEL[room.kind] ?? 'mine.kind.lobby'),
    room.join_code ? t('mine.code', { code: room.join_code }) : '',
    folderName ? t('mine.folder.in', { name: folderName }) : '',
  ].filter(Boolean).join(' · ');
  return h('li', { class: 'amphi-list__item amphi-my-room', 'data-room': room.id },
    h('span', { class: 'amphi-list__name' }, room.title,
      h('span', { class: 'fr-text--xs amphi-muted amphi-my-room__details' }, details)),
    h('span', { class: `fr-badge fr-badge--sm fr-badge--no-icon ${room.live ? 'fr-badge--success' : ''}` }, t(room.live ? 'mine.live' : 'mine.idle')),
    buttons,
    filing,
    alert);
}
