// "Mes sessions" on the home page: the rooms a trainer or facilitator leads
// (`GET /api/v1/rooms?mine=1`, live ones first), each with "Reprendre",
// which opens its console with the leader's token. Shown once a leader's
// token is known (remembered by this browser, or typed in the trainer
// space); a closed or lost console tab is one click away.

import type { App } from '../app';
import { ApiError, listMyRooms, type MyRoom } from '../api';
import { h, setChildren } from '../dom';
import { errorText, t, type MessageKey } from '../i18n';
import { isLeaderToken, tokenClaims } from '../token';

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
  const root = h('section', { class: 'amphi-my-sessions fr-mb-3w', 'aria-labelledby': 'mine-title', 'data-testid': 'my-sessions', hidden: true },
    h('h3', { id: 'mine-title', class: 'fr-h6 fr-mb-1w' }, t('mine.title')), body, h('p', { class: 'fr-mt-1w fr-mb-0' }, library),
    h('p', { class: 'fr-mt-1w fr-mb-0' }, statistics), forget);
  let shownFor = '';
  let request = 0;

  forget.addEventListener('click', () => {
    shownFor = '';
    root.hidden = true;
    onForget();
  });

  async function load(token: string): Promise<void> {
    const mine = ++request;
    setChildren(body, h('p', { class: 'fr-text--sm', role: 'status' }, t('mine.loading')));
    let rooms: MyRoom[];
    try {
      rooms = await listMyRooms(token);
    } catch (e) {
      if (mine !== request) return;
      const code = e instanceof ApiError ? e.code : 'network';
      setChildren(body, h('p', { class: 'fr-error-text', role: 'alert' }, code === 'network' ? t('home.unreachable') : errorText(code)));
      return;
    }
    if (mine !== request) return; // another token was typed meanwhile
    if (rooms.length === 0) {
      setChildren(body, h('p', { class: 'fr-text--sm amphi-muted' }, t('mine.none')));
      return;
    }
    setChildren(body, h('ul', { class: 'amphi-list' }, ...rooms.map((room) => roomItem(app, token, room))));
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
      if (wanted) void load(wanted);
      else body.replaceChildren();
    },
  };
}

function roomItem(app: App, token: string, room: MyRoom): HTMLElement {
  const alert = h('p', { class: 'fr-error-text amphi-my-room__error', role: 'alert', hidden: true });
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
  const details = [t(KIND_LABEL[room.kind] ?? 'mine.kind.lobby'), room.join_code ? t('mine.code', { code: room.join_code }) : ''].filter(Boolean).join(' · ');
  return h('li', { class: 'amphi-list__item amphi-my-room', 'data-room': room.id },
    h('span', { class: 'amphi-list__name' }, room.title,
      h('span', { class: 'fr-text--xs amphi-muted amphi-my-room__details' }, details)),
    h('span', { class: `fr-badge fr-badge--sm fr-badge--no-icon ${room.live ? 'fr-badge--success' : ''}` }, t(room.live ? 'mine.live' : 'mine.idle')),
    resume,
    alert);
}
