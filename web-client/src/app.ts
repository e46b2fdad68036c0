// The page controller: routes (`/`, `/j/CODE`, `/salle`, `/quiz/nouveau`),
// owns the one live client of this tab, and carries out the flows the screens
// ask for (join as a guest, create a lobby or quiz room as a trainer, leave).
// A quiz room gets the quiz screens. Screens get it as `App`.

import { ApiError, createRoom } from './api';
import { AmphiClient, defaultSocketUrl, type ClientNotice } from './client';
import { lang, setLang, type Lang } from './i18n';
import { leads, type Auth, type RoomId } from './protocol';
import type { NativeQuiz, QuizSettings } from './quiz-protocol';
import { clearSession, loadSession, saveTrainerToken, type SavedSession } from './session';
import { sessionStore, type KeyValueStore } from './storage';
import { renderShell, type Shell } from './views/layout';
import { renderHome } from './views/home';
import { renderParticipantLobby } from './views/participant';
import { renderTrainerLobby } from './views/trainer';
import { renderQuizCreate } from './views/quiz-create';
import { renderQuizParticipant } from './views/quiz-participant';
import { renderQuizTrainer } from './views/quiz-trainer';

export const LOBBY_PATH = '/salle';
export const QUIZ_NEW_PATH = '/quiz/nouveau';
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
  readonly store: KeyValueStore = sessionStore();
  client: AmphiClient | null = null;
  private shell: Shell | null = null;
  private view: View | null = null;

  constructor(private readonly container: HTMLElement) {
    window.addEventListener('popstate', () => this.render());
    window.addEventListener('online', () => this.client?.reconnectNow());
    window.addEventListener('offline', () => this.client?.networkLost());
  }

  start(): void {
    this.takeTokenFromUrl();
    this.render();
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
    setLang(next);
    this.render();
    this.shell?.langButton.focus();
  }

  /** Joins a room as a guest; resolves once in the room (or with an error code). */
  async joinAsGuest(code: string, name: string): Promise<FlowResult> {
    return this.connect({ auth: { method: 'join_code', code, name }, rooms: {} });
  }

  /** Creates a lobby room with the trainer's token and enters it. */
  async createRoomAsTrainer(token: string, title: string): Promise<FlowResult> {
    saveTrainerToken(this.store, token);
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
    saveTrainerToken(this.store, token);
    let roomId: RoomId;
    try {
      roomId = (await createRoom(token, title, fetch, { quiz, settings })).id;
    } catch (e) {
      return e instanceof ApiError ? { code: e.code, message: e.message } : { code: 'network' };
    }
    const code = await this.connect({ auth: { method: 'token', token }, rooms: {} }, roomId);
    return code === null ? null : { code };
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
    this.navigate('/');
  }

  /** Drops the client and what the tab remembered of the session. */
  forget(): void {
    this.client?.stop('left');
    this.client = null;
    clearSession(this.store);
  }

  // ---- internals ---------------------------------------------------------------

  private connect(session: SavedSession, joinRoom?: RoomId): Promise<FlowResult> {
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
      if (joinRoom) {
        void client.command({ type: 'join', room: joinRoom }).then((r) => {
          if (!r.ok) finish(r.code);
        });
      }
    });
  }

  private makeClient(session: SavedSession): AmphiClient {
    const client = new AmphiClient({ url: defaultSocketUrl(), session, store: this.store });
    this.client = client;
    return client;
  }

  /** `?token=` → sessionStorage, then out of the address bar (and history). */
  private takeTokenFromUrl(): void {
    const url = new URL(location.href);
    const token = url.searchParams.get('token');
    if (token === null) return;
    saveTrainerToken(this.store, token.trim());
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }

  private render(moveFocus = false): void {
    this.view?.dispose();
    this.view = null;
    this.shell = renderShell(() => this.toggleLang());
    this.container.replaceChildren(this.shell.root);

    const path = location.pathname;
    const joinLink = /^\/j\/([A-Za-z0-9]{1,12})\/?$/.exec(path);
    if (path === LOBBY_PATH) {
      this.view = this.lobbyView();
    }
    if (path === QUIZ_NEW_PATH) {
      this.view = renderQuizCreate(this);
    }
    if (!this.view) {
      if (path !== '/' && !joinLink) history.replaceState(null, '', '/');
      this.view = renderHome(this, joinLink ? joinLink[1].toUpperCase() : '');
    }
    this.shell.main.replaceChildren(this.view.root);
    if (moveFocus) this.view.root.querySelector<HTMLElement>('h1')?.focus();
  }

  /** The lobby of the current (or restored) session, if there is one. */
  private lobbyView(): View | null {
    if (!this.client) {
      const saved = loadSession(this.store);
      if (!saved || Object.keys(saved.rooms).length === 0) return null;
      this.makeClient(saved).start();
    }
    const client = this.client!;
    const roomId = client.rooms.keys().next().value;
    if (!roomId) return null;
    const isLeader = client.me ? leads(client.me.role) : isTokenAuth(loadSession(this.store)?.auth);
    if (client.room(roomId)?.info.kind === 'quiz') {
      // Observers (projectors) watch the console without its controls.
      if (client.me?.role === 'observer') return renderQuizTrainer(this, client, roomId, { observer: true });
      return isLeader ? renderQuizTrainer(this, client, roomId) : renderQuizParticipant(this, client, roomId);
    }
    return isLeader ? renderTrainerLobby(this, client, roomId) : renderParticipantLobby(this, client, roomId);
  }
}

function isTokenAuth(auth: Auth | undefined): boolean {
  return auth?.method === 'token';
}
