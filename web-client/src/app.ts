// The page controller: routes (`/`, `/j/CODE`, `/salle`, `/quiz/nouveau`,
// `/tableau/nouveau`, `/ateliers/nouveau`, `/projecteur`), owns the one live client of this tab,
// and carries out the flows the screens ask for (join as a guest, resume a
// guest session this browser remembers, create a lobby, quiz or board room as
// a trainer, import a board, leave), and a token given in the address (a
// registrant's invitation link signs them in; a leader's opens the console).
// A quiz room gets the quiz screens, a board room the board screens, a
// breakout room the ateliers screens. Screens
// get it as `App`.

import { ApiError, createRoom, exchangeFirstRunCode, nextSession, type CreatedRoom } from './api';
import { createBoardRoom, importBoard } from './board-api';
import type { BoardDefinitionRequest } from './board-protocol';
import { createBreakoutRoom } from './breakout-api';
import type { BreakoutDefinitionRequest } from './breakout-protocol';
import { AmphiClient, defaultSocketUrl, type ClientNotice } from './client';
import { h } from './dom';
import { errorText, lang, t, useLang, type Lang } from './i18n';
import { leads, type Auth, type Command, type RoomId } from './protocol';
import type { NativeQuiz, QuizSettings } from './quiz-protocol';
import { PENDING_KEY } from './pending';
import { rememberLeaderToken } from './leader-token';
import { forgetRecent, recentFromSession, rememberRecent, type RecentSession } from './recent';
import { SESSION_KEY, clearSession, loadSession, saveSession, saveTrainerToken, type SavedSession } from './session';
import { localStore, observedStore, readJson, sessionStore, writeJson, type KeyValueStore } from './storage';
import { isLeaderToken, isParticipantToken, linkSignIn } from './token';
import { renderShell, type Shell } from './views/layout';
import { renderHome } from './views/home';
// The home page and the lobby come with the page; every other screen (an
// activity's, for a participant or a trainer) in a file of its own, fetched
// when first shown: a phone in a quiz never downloads the consoles.
import { renderParticipantLobby } from './views/participant';

export const LOBBY_PATH = '/salle';
export const QUIZ_NEW_PATH = '/quiz/nouveau';
export const BOARD_NEW_PATH = '/tableau/nouveau';
export const BREAKOUT_NEW_PATH = '/ateliers/nouveau';
/** A projector window: `/projecteur#room=ID&token=OBSERVER_TOKEN` (opened by the console). */
export const PROJECTOR_PATH = '/projecteur';
/** Where an LTI launch (amphi opened from Moodle) lands:
 * `/entrer#room=ID&token=TOKEN&lang=fr&return=COURSE_URL` (see src/lti/launch.rs). */
export const ENTRY_PATH = '/entrer';
/** Every badge and certificate of the person at this browser. */
export const MY_BADGES_PATH = '/mes-badges';
/** Usage statistics, for admins and the national role (views/statistics.ts). */
export const STATISTICS_PATH = '/statistiques';
/** The shared library and its pages under it (views/library.ts). */
export const LIBRARY_PATH = '/bibliotheque';
/** Verifying a badge (pasted or as a file). */
export const VERIFY_PATH = '/badges/verifier';
/** An award's own page: the address its credential and its certificate's QR code name
 * (`/evidence`, where the credential's evidence links, is the same page). */
const AWARD_PATH = /^\/badges\/credentials\/([0-9a-fA-F-]{36})(?:\/evidence)?\/?$/;
/** The course to go back to, after an LTI launch (sessionStorage). */
export const RETURN_URL_KEY = 'amphi.returnUrl';
/** How long the home screen waits for the first `joined`. */
const JOIN_TIMEOUT_MS = 15_000;

/** A mounted screen. */
export interface View {
  root: HTMLElement;
  dispose(): void;
}

/** An error code (protocol `ErrorCode`, `network`, …) or null on success. */
export type FlowResult = string | null;

export class App {
  /** The tab's session (sessionStorage); each write of the session or the
   * queue is mirrored to `local` for guests (see recent.ts). */
  readonly store: KeyValueStore = observedStore(sessionStore(), (key) => this.stored(key));
  /** What outlives the tab: guest sessions to come back to. */
  readonly local: KeyValueStore = localStore();
  client: AmphiClient | null = null;
  private shell: Shell | null = null;
  private view: View | null = null;
  private titleWatch: MutationObserver | null = null;

  constructor(private readonly container: HTMLElement) {
    window.addEventListener('popstate', () => this.render(true));
    window.addEventListener('online', () => this.client?.reconnectNow());
    window.addEventListener('offline', () => this.client?.networkLost());
  }

  start(): void {
    const firstRun = this.takeFirstRunCode();
    if (firstRun) return this.signInFirstRun(firstRun);
    const token = this.takeTokenFromUrl();
    const target = token ? linkSignIn(token, location.pathname) : null;
    if (token && target) this.signInFromLink(token, target);
    else this.render();
  }

  /**
   * A token in the address (a personal invitation link, a leader's link to a
   * room): "Connexion…" instead of the home page's forms, then the room as
   * the token's role sees it; if refused, why, and the way to the home page.
   */
  private signInFromLink(token: string, target: { code?: string; room?: RoomId }): void {
    const status = h('p', { role: 'status', 'data-testid': 'link-status' }, t('entry.connecting'));
    const home = h('a', { class: 'fr-link', href: location.pathname, hidden: true }, t('link.home'));
    home.addEventListener('click', (ev) => {
      ev.preventDefault();
      this.navigate(location.pathname);
    });
    this.mount({ root: h('div', {}, h('h1', { tabindex: '-1' }, t('link.title')), status, home), dispose() {} });
    void this.joinWithToken(token, target).then((code) => {
      if (code === null) return;
      status.textContent = code === 'network' ? t('home.unreachable') : errorText(code);
      home.hidden = false;
    });
  }

  /** `?signin=` (the first run's link printed by `amphi serve`) out of the address bar. */
  private takeFirstRunCode(): string | null {
    const url = new URL(location.href);
    const code = url.searchParams.get('signin')?.trim();
    if (code === undefined) return null;
    url.searchParams.delete('signin');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return code || null;
  }

  /** Exchanges the first run's one-time code for a trainer token, then the
   * trainer space; if refused (used already), why, and the way home. */
  private signInFirstRun(code: string): void {
    const status = h('p', { role: 'status', 'data-testid': 'link-status' }, t('entry.connecting'));
    const home = h('a', { class: 'fr-link', href: '/', hidden: true }, t('link.home'));
    home.addEventListener('click', (ev) => {
      ev.preventDefault();
      this.navigate('/');
    });
    this.mount({ root: h('div', {}, h('h1', { tabindex: '-1' }, t('link.title')), status, home), dispose() {} });
    exchangeFirstRunCode(code).then(({ token }) => {
      this.rememberLeader(token);
      this.navigate('/');
    }, (e: unknown) => {
      status.textContent = e instanceof ApiError && e.code === 'unauthorized' ? t('firstRun.used') : t('home.unreachable');
      home.hidden = false;
    });
  }

  /** Signs in with a token and joins a room by code or id (a leader arrives in the console). */
  joinWithToken(token: string, target: { code?: string; room?: RoomId }): Promise<FlowResult> {
    if (isLeaderToken(token)) this.rememberLeader(token);
    return this.connect({ auth: { method: 'token', token }, rooms: {} }, target.room, target.code);
  }

  /** Keeps a leader's token for this tab (sessionStorage) and, until it
   * expires or is forgotten, for this browser ("Mes sessions" in a new tab). */
  rememberLeader(token: string): void {
    saveTrainerToken(this.store, token);
    rememberLeaderToken(this.local, token, Date.now());
  }

  /** Goes to a path of this app without reloading. */
  navigate(path: string): void {
    if (location.pathname !== path) history.pushState(null, '', path);
    this.render(true);
  }

  /** Says something to screen readers (polite). */
  announce(text: string): void {
    this.shell?.announce(text);
  }

  toggleLang(): void {
    const next: Lang = lang() === 'fr' ? 'en' : 'fr';
    useLang(next).then(() => {
      this.render();
      this.shell?.langButton.focus();
    }, () => this.announce(t('home.unreachable')));
  }

  /** Joins a room as a guest; resolves once in the room (or with an error code). */
  async joinAsGuest(code: string, name: string): Promise<FlowResult> {
    return this.connect({ auth: { method: 'join_code', code, name }, rooms: {} });
  }

  /** Creates a lobby room with the trainer's token and enters it. */
  async createRoomAsTrainer(token: string, title: string): Promise<FlowResult> {
    this.rememberLeader(token);
    let roomId: RoomId;
    try {
      roomId = (await createRoom(token, title)).id;
    } catch (e) {
      return e instanceof ApiError ? e.code : 'network';
    }
    return this.connect({ auth: { method: 'token', token }, rooms: {} }, roomId);
  }

  /** Creates a quiz room with the trainer's token and enters it; the error (code and detail) if not. */
  async createQuizRoomAsTrainer(
    token: string,
    title: string,
    quiz: NativeQuiz,
    settings: Partial<QuizSettings>,
  ): Promise<{ code: string; message?: string } | null> {
    this.rememberLeader(token);
    let roomId: RoomId;
    try {
      roomId = (await createRoom(token, title, fetch, { quiz, settings })).id;
    } catch (e) {
      return e instanceof ApiError ? { code: e.code, message: e.message } : { code: 'network' };
    }
    const code = await this.connect({ auth: { method: 'token', token }, rooms: {} }, roomId);
    return code === null ? null : { code };
  }

  /** Creates a board room with the trainer's token and enters it; the error (code and detail) if not. */
  createBoardRoomAsTrainer(token: string, title: string, board: BoardDefinitionRequest): Promise<{ code: string; message?: string } | null> {
    return this.createAndEnter(token, () => createBoardRoom(token, title, board));
  }

  /** Creates a breakout room (its plan of ateliers) and enters it; the error (code and detail) if not. */
  createBreakoutRoomAsTrainer(token: string, title: string, breakout: BreakoutDefinitionRequest): Promise<{ code: string; message?: string } | null> {
    return this.createAndEnter(token, () => createBreakoutRoom(token, title, breakout));
  }

  /** Makes a new board room from an export (ZIP) and enters it; the error (code and detail) if not. */
  importBoardAsTrainer(token: string, zip: Blob, title?: string): Promise<{ code: string; message?: string } | null> {
    return this.createAndEnter(token, () => importBoard(token, zip, title));
  }

  private async createAndEnter(token: string, create: () => Promise<CreatedRoom>): Promise<{ code: string; message?: string } | null> {
    this.rememberLeader(token);
    let roomId: RoomId;
    try {
      roomId = (await create()).id;
    } catch (e) {
      return e instanceof ApiError ? { code: e.code, message: e.message } : { code: 'network' };
    }
    const code = await this.connect({ auth: { method: 'token', token }, rooms: {} }, roomId);
    return code === null ? null : { code };
  }

  /** Starts a new session of a room's activity (fresh code, nothing answered) and enters its console. */
  startNextSession(token: string, room: RoomId): Promise<{ code: string; message?: string } | null> {
    return this.createAndEnter(token, () => nextSession(token, room));
  }

  /** Resumes a guest session remembered by this browser (closed tab, come back later). */
  resumeRecent(entry: RecentSession): void {
    this.forget();
    saveSession(this.store, entry.session);
    writeJson(this.store, PENDING_KEY, entry.pending);
    this.navigate(LOBBY_PATH);
  }

  /** Forgets a remembered guest session (a shared device). */
  forgetRecent(roomId: RoomId): void {
    forgetRecent(this.local, roomId, Date.now());
  }

  /** Leaves the room for good and goes home. */
  async leave(room: RoomId): Promise<void> {
    const client = this.client;
    if (client) {
      if (client.status === 'online') {
        const timeout = new Promise((resolve) => setTimeout(resolve, 3000));
        await Promise.race([client.command({ type: 'leave', room }), timeout]);
      }
      client.stop('left');
    }
    this.forget();
    this.forgetRecent(room); // after the last write of the session
    this.navigate('/');
  }

  /** Drops the client and what the tab remembered of the session
   * (`andRecent`: and what the browser remembered of it: removed, refused). */
  forget(andRecent = false): void {
    const rooms = Object.keys(loadSession(this.store)?.rooms ?? {});
    this.client?.stop('left');
    this.client = null;
    clearSession(this.store);
    if (andRecent) for (const id of rooms) this.forgetRecent(id);
  }

  // ---- internals ---------------------------------------------------------------

  private connect(session: SavedSession, joinRoom?: RoomId, joinCode?: string): Promise<FlowResult> {
    this.forget();
    const client = this.makeClient(session);
    return new Promise<FlowResult>((resolve) => {
      let done = false;
      const finish = (result: FlowResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        off();
        if (result !== null) {
          client.stop('left');
          if (this.client === client) this.forget();
        }
        resolve(result);
        if (result === null) this.navigate(LOBBY_PATH);
      };
      const timer = setTimeout(() => finish('network'), JOIN_TIMEOUT_MS);
      const off = client.subscribe((n: ClientNotice) => {
        if (n.type === 'joined') finish(null);
        if (n.type === 'stopped') finish(n.code ?? 'stopped');
      });
      client.start();
      if (joinRoom || joinCode) {
        const join = joinRoom ? { type: 'join' as const, room: joinRoom } : { type: 'join' as const, code: joinCode };
        void client.command(join).then((r) => {
          if (!r.ok) finish(r.code);
        });
      }
    });
  }

  /** A write to the tab's store: keep the guest session's copy up to date. */
  private stored(key: string): void {
    if (key !== SESSION_KEY && key !== PENDING_KEY) return;
    const entry = recentFromSession(loadSession(this.store), readJson<Command[]>(this.store, PENDING_KEY) ?? [], Date.now());
    if (entry) rememberRecent(this.local, entry);
  }

  private makeClient(session: SavedSession): AmphiClient {
    const client = new AmphiClient({ url: defaultSocketUrl(), session, store: this.store });
    this.client = client;
    return client;
  }

  /** `?token=` out of the address bar (and history); a trainer's token to
   * sessionStorage, never a participant's (it is not for trainer forms). */
  private takeTokenFromUrl(): string | null {
    const url = new URL(location.href);
    const token = url.searchParams.get('token')?.trim();
    if (token === undefined) return null;
    if (!isParticipantToken(token)) this.rememberLeader(token);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return token || null;
  }

  /** Puts a screen in a new shell (header, main, live region). */
  private mount(view: View): void {
    this.view?.dispose();
    this.view = view;
    this.shell = renderShell(() => this.toggleLang());
    this.container.replaceChildren(this.shell.root);
    this.shell.main.replaceChildren(view.root);
    this.followTitle(view.root.querySelector('h1'));
  }

  private render(moveFocus = false): void {
    this.view?.dispose();
    this.view = null;
    this.shell = renderShell(() => this.toggleLang(), readJson<string>(this.store, RETURN_URL_KEY));
    this.container.replaceChildren(this.shell.root);

    const path = location.pathname;
    const joinLink = /^\/j\/([A-Za-z0-9]{1,12})\/?$/.exec(path);
    if (path === LOBBY_PATH) {
      this.view = this.lobbyView(moveFocus);
    }
    if (path === QUIZ_NEW_PATH) {
      this.view = this.deferred(async () => (await import('./views/quiz-create')).renderQuizCreate(this), moveFocus);
    }
    if (path === BOARD_NEW_PATH) {
      this.view = this.deferred(async () => (await import('./views/board-create')).renderBoardCreate(this), moveFocus);
    }
    if (path === BREAKOUT_NEW_PATH) {
      this.view = this.deferred(async () => (await import('./views/breakout-create')).renderBreakoutCreate(this), moveFocus);
    }
    if (path === PROJECTOR_PATH) {
      this.view = this.projectorView();
    }
    if (path === ENTRY_PATH) {
      this.view = this.entryView();
    }
    if (path === MY_BADGES_PATH) {
      this.view = this.deferred(async () => (await import('./views/my-badges')).renderMyBadges(this), moveFocus);
    }
    if (path === STATISTICS_PATH) {
      this.view = this.deferred(async () => (await import('./views/statistics')).renderStatistics(this), moveFocus);
    }
    if (path === LIBRARY_PATH || path.startsWith(`${LIBRARY_PATH}/`)) {
      this.view = this.deferred(async () => (await import('./views/library')).renderLibrary(this, path), moveFocus);
    }
    if (path === VERIFY_PATH) {
      this.view = this.deferred(async () => (await import('./views/badge-verify')).renderBadgeVerify(), moveFocus);
    }
    const award = AWARD_PATH.exec(path);
    if (award) {
      this.view = this.deferred(async () => (await import('./views/badge-verify')).renderAwardPage(this, award[1]), moveFocus);
    }
    if (!this.view) {
      if (path !== '/' && !joinLink) history.replaceState(null, '', '/');
      this.view = renderHome(this, joinLink ? joinLink[1].toUpperCase() : '');
      prefetchParticipantScreens();
    }
    this.shell.main.replaceChildren(this.view.root);
    this.followTitle(this.view.root.querySelector('h1'));
    if (moveFocus) this.view.root.querySelector<HTMLElement>('h1')?.focus();
  }

  /**
   * A screen whose code is in a file of its own (an activity's, or a
   * trainer's form): "Chargement…" until the file
   * arrives, then the screen, its title followed and, when asked, its h1
   * focused. If the file cannot be fetched (offline, or a newer version
   * deployed meanwhile), says so and offers to reload the page.
   */
  private deferred(load: () => Promise<View>, moveFocus = false): View {
    const status = h('p', { role: 'status' }, t('app.loading'));
    const root = h('div', { class: 'amphi-deferred' }, status);
    let screen: View | null = null;
    let disposed = false;
    load().then(
      (loaded) => {
        if (disposed) return loaded.dispose();
        screen = loaded;
        root.replaceChildren(loaded.root);
        this.followTitle(loaded.root.querySelector('h1'));
        if (moveFocus) loaded.root.querySelector<HTMLElement>('h1')?.focus();
      },
      () => {
        if (disposed) return;
        const reload = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--sm' }, t('app.reload'));
        reload.addEventListener('click', () => location.reload());
        root.replaceChildren(h('div', { class: 'fr-alert fr-alert--error fr-alert--sm', role: 'alert' }, h('p', {}, t('app.loadFailed')), reload));
      },
    );
    return {
      root,
      dispose() {
        disposed = true;
        screen?.dispose();
      },
    };
  }

  /** The page title names the screen (its h1), and follows it (a room's title comes with `joined`). */
  private followTitle(h1: HTMLElement | null): void {
    this.titleWatch?.disconnect();
    const apply = () => {
      const screen = h1?.textContent?.trim();
      document.title = screen ? `${screen} — ${t('app.name')}` : t('app.name');
    };
    apply();
    if (!h1) return;
    this.titleWatch = new MutationObserver(apply);
    this.titleWatch.observe(h1, { childList: true, characterData: true, subtree: true });
  }

  /** A projector window: connects with the room's observer token from the
   * address (#room=…&token=…, then removed from it) and shows the room. */
  private projectorView(): View | null {
    const params = new URLSearchParams(location.hash.slice(1));
    const room = params.get('room');
    const token = params.get('token');
    if (!room || !token) return null;
    history.replaceState(null, '', PROJECTOR_PATH);
    saveTrainerToken(this.store, ''); // a copy of the opener's storage: the projector needs no trainer token
    const status = h('p', { role: 'status' }, t('projector.connecting'));
    const root = h('div', {}, h('h1', { tabindex: '-1' }, t('projector.title')), status);
    void this.connect({ auth: { method: 'token', token }, rooms: {} }, room).then((code) => {
      if (code !== null) status.textContent = code === 'network' ? t('home.unreachable') : errorText(code);
    });
    return { root, dispose() {} };
  }

  /** An LTI launch: connects with the token from the address (#room=…&token=…,
   * then removed from it) and shows the room as the member's role sees it.
   * Where the browser refuses storage (a third-party frame), says so and
   * offers to open amphi in a new window. */
  private entryView(): View | null {
    const params = new URLSearchParams(location.hash.slice(1));
    const room = params.get('room');
    const token = params.get('token');
    if (!room || !token) return null;
    const wanted = params.get('lang');
    if ((wanted === 'fr' || wanted === 'en') && wanted !== lang()) {
      // The launch's language first (its dictionary may need fetching), then this page again.
      void useLang(wanted)
        .catch(() => {
          params.delete('lang'); // not to be had: go on in this language
          history.replaceState(null, '', `${location.pathname}#${params}`);
        })
        .then(() => this.render());
      return { root: h('div', {}, h('p', { role: 'status' }, t('entry.connecting'))), dispose() {} };
    }
    const returnUrl = params.get('return');
    if (!storageWorks()) {
      const link = h('a', { href: location.href, target: '_blank', rel: 'noopener', class: 'fr-btn' }, t('entry.newWindow'));
      const root = h('div', {}, h('h1', { tabindex: '-1' }, t('entry.title')), h('p', {}, t('entry.noStorage')), link);
      return { root, dispose() {} };
    }
    history.replaceState(null, '', ENTRY_PATH);
    saveTrainerToken(this.store, token);
    if (returnUrl && /^https?:\/\//.test(returnUrl)) writeJson(this.store, RETURN_URL_KEY, returnUrl);
    const status = h('p', { role: 'status' }, t('entry.connecting'));
    const root = h('div', {}, h('h1', { tabindex: '-1' }, t('entry.title')), status);
    void this.connect({ auth: { method: 'token', token }, rooms: {} }, room).then((code) => {
      if (code !== null) status.textContent = code === 'network' ? t('home.unreachable') : errorText(code);
    });
    return { root, dispose() {} };
  }

  /** The lobby of the current (or restored) session, if there is one. */
  private lobbyView(moveFocus = false): View | null {
    if (!this.client) {
      const saved = loadSession(this.store);
      if (!saved || Object.keys(saved.rooms).length === 0) return null;
      this.makeClient(saved).start();
    }
    const client = this.client!;
    const roomId = client.rooms.keys().next().value;
    if (!roomId) return null;
    const isLeader = client.me ? leads(client.me.role) : isTokenAuth(loadSession(this.store)?.auth);
    const observer = client.me?.role === 'observer';
    const later = (load: () => Promise<View>) => this.deferred(load, moveFocus);
    switch (client.room(roomId)?.info.kind) {
      case 'board':
        if (observer) return later(async () => (await import('./views/board-projector')).renderBoardProjector(this, client, roomId));
        if (isLeader) return later(async () => (await import('./views/board-trainer')).renderBoardTrainer(this, client, roomId));
        return later(async () => (await PARTICIPANT_SCREENS.board())(this, client, roomId));
      case 'breakout':
        if (observer) return later(async () => (await import('./views/breakout-projector')).renderBreakoutProjector(this, client, roomId));
        if (isLeader) return later(async () => (await import('./views/breakout-facilitator')).renderBreakoutFacilitator(this, client, roomId));
        return later(async () => (await PARTICIPANT_SCREENS.breakout())(this, client, roomId));
      case 'quiz':
        // Observers (projectors) watch the console without its controls.
        if (observer) return later(async () => (await import('./views/quiz-trainer')).renderQuizTrainer(this, client, roomId, { observer: true }));
        if (isLeader) return later(async () => (await import('./views/quiz-trainer')).renderQuizTrainer(this, client, roomId));
        return later(async () => (await PARTICIPANT_SCREENS.quiz())(this, client, roomId));
      default:
        if (isLeader) return later(async () => (await import('./views/trainer')).renderTrainerLobby(this, client, roomId));
        return renderParticipantLobby(this, client, roomId);
    }
  }
}

/** Each activity's participant screen, in a file of its own. */
const PARTICIPANT_SCREENS = {
  quiz: () => import('./views/quiz-participant').then((m) => m.renderQuizParticipant),
  board: () => import('./views/board-participant').then((m) => m.renderBoardParticipant),
  breakout: () => import('./views/breakout-participant').then((m) => m.renderBreakoutParticipant),
};

/**
 * While a participant types their name, the screens a join leads to are
 * fetched (which one is known only once in the room), so that the room
 * shows as soon as it is joined. Once per page; a failure is left for the
 * join itself to meet.
 */
let prefetched = false;
function prefetchParticipantScreens(): void {
  if (prefetched) return;
  prefetched = true;
  const fetchAll = () => {
    for (const load of Object.values(PARTICIPANT_SCREENS)) load().catch(() => undefined);
  };
  // Once the page has drawn and settled (Safari has no requestIdleCallback).
  if ('requestIdleCallback' in window) window.requestIdleCallback(fetchAll, { timeout: 2_000 });
  else setTimeout(fetchAll, 500);
}

/** Whether this tab may keep its session (a third-party frame may refuse storage). */
function storageWorks(): boolean {
  try {
    const key = 'amphi.probe';
    window.sessionStorage.setItem(key, '1');
    window.sessionStorage.removeItem(key);
    return true;
  } catch {
    return false;
  }
}

function isTokenAuth(auth: Auth | undefined): boolean {
  return auth?.method === 'token' && !isParticipantToken(auth.token);
}
