// What the board screens share: the card actions wired to the client (each
// a board command through the pending queue: kept offline, sent again with
// the same id on reconnect), uploads with the member's bearer token, the
// board's state in words (mode, deadline, loading), and the read-outs of
// board events (new posts and comments coalesced, own posts approved or
// hidden, mode and deadline changes, reveal, clear); a refused post sent
// back to its form.

import type { App } from '../app';
import { fetchLinkPreview, uploadBoardFile } from '../board-api';
import { arrivalsText, coalescer, postHeading } from '../board-format';
import type { BoardCommand, BoardEvent, BoardMode } from '../board-protocol';
import type { BoardState } from '../board-state';
import type { AmphiClient, ClientNotice, CommandResult } from '../client';
import { h } from '../dom';
import { errorText, formatPlanned, fr, t, type MessageKey } from '../i18n';
import type { Command, RoomId } from '../protocol';
import type { CardActions } from './board-card';
import type { Composer, ComposerUploads } from './board-composer';

export const MODE_LABEL: Record<BoardMode, MessageKey> = {
  open: 'board.mode.open',
  moderated: 'board.mode.moderated',
  closed: 'board.mode.closed',
  reveal_later: 'board.mode.reveal_later',
};

/** What a participant is told about the mode. */
export const MODE_HINT: Record<BoardMode, MessageKey> = {
  open: 'board.modeHint.open',
  moderated: 'board.modeHint.moderated',
  closed: 'board.modeHint.closed',
  reveal_later: 'board.modeHint.reveal_later',
};

/** What the mode means, for the trainer. */
export const MODE_HELP: Record<BoardMode, MessageKey> = {
  open: 'board.modeHelp.open',
  moderated: 'board.modeHelp.moderated',
  closed: 'board.modeHelp.closed',
  reveal_later: 'board.modeHelp.reveal_later',
};

/** How long arrivals are gathered before they are read out. */
export const ANNOUNCE_EVERY_MS = 3000;

export function sendBoard(client: AmphiClient, room: RoomId, command: BoardCommand): Promise<CommandResult> {
  return client.command({ type: 'board', room, command });
}

export function uploadsFor(client: AmphiClient, room: RoomId, fallbackToken: () => string): ComposerUploads {
  return {
    upload(file) {
      return uploadBoardFile(client.bearerToken ?? fallbackToken(), room, file, file.name);
    },
    linkPreview(url) {
      return fetchLinkPreview(client.bearerToken ?? fallbackToken(), room, url);
    },
  };
}

/**
 * The card actions of a member. `onRemoved` is told which section lost a
 * card (to move the focus there); `confirm` asks before deleting.
 */
export function cardActions(app: App, client: AmphiClient, room: RoomId, uploads: ComposerUploads, onRemoved: (section: string) => void): CardActions {
  const send = (command: BoardCommand) => sendBoard(client, room, command);
  return {
    like: (post, like) => void send({ action: like ? 'like' : 'unlike', post: post.id }),
    rate: (post, stars) => void send(stars === null ? { action: 'unrate', post: post.id } : { action: 'rate', post: post.id, stars }),
    comment: (post, text) => send({ action: 'comment', post: post.id, text }),
    editComment: (post, comment, text) => send({ action: 'edit_comment', post: post.id, comment: comment.id, text }),
    deleteComment: (post, comment) => {
      if (!window.confirm(t('board.comment.confirmDelete'))) return;
      void send({ action: 'delete_comment', post: post.id, comment: comment.id });
    },
    edit: (post, version, content) => send({ action: 'edit', post: post.id, version, ...content }),
    remove: (post) => {
      // (The card asked first.)
      onRemoved(post.section);
      void send({ action: 'delete', post: post.id });
    },
    approve: (post) => void send({ action: 'approve', post: post.id }),
    hide: (post) => void send({ action: 'hide', post: post.id }),
    unhide: (post) => void send({ action: 'unhide', post: post.id }),
    move: (post, target) => {
      void send({ action: 'move', post: post.id, section: target.section, before: target.before });
    },
    uploads,
    announce: (text) => app.announce(text),
  };
}

/** The board's state in words: mode (what it means for participants, or for
 * the `leader`), deadline, posts still loading. */
export function boardInfo(leader = false): { root: HTMLElement; update(state: BoardState | undefined, now: number): void } {
  const mode = h('p', { class: 'fr-badge fr-badge--info fr-badge--no-icon fr-mb-1w', 'data-testid': 'board-mode' });
  const hint = h('p', { class: 'fr-text--sm fr-mb-1w', 'data-testid': 'board-mode-hint' });
  const deadline = h('p', { class: 'fr-text--sm fr-mb-1w', 'data-testid': 'board-deadline' });
  const loading = h('p', { class: 'fr-text--sm amphi-muted', role: 'status' });
  const root = h('div', { class: 'amphi-board-info' }, mode, hint, deadline, loading);
  return {
    root,
    update(state, now) {
      if (!state) {
        mode.textContent = t('board.loading');
        return;
      }
      mode.textContent = t(MODE_LABEL[state.settings.mode]);
      hint.textContent = t((leader ? MODE_HELP : MODE_HINT)[state.settings.mode]);
      const at = state.settings.deadline;
      deadline.hidden = at === undefined || at === null;
      if (at !== undefined && at !== null) {
        deadline.textContent = now >= at ? t('board.deadlinePassed', { time: formatPlanned(at, now) }) : t('board.deadline', { time: formatPlanned(at, now) });
      }
      loading.textContent = state.next ? t('board.loadingMore', { count: Object.keys(state.posts).length, total: state.total }) : '';
    },
  };
}

/**
 * Reads board events out: arrivals gathered over a few seconds, and the
 * changes that matter to this member at once. `before` is the state before
 * the event (the view's last render).
 */
export function boardAnnouncer(app: App, me: () => string | undefined, leader: boolean) {
  const gather = coalescer(ANNOUNCE_EVERY_MS, (arrived) => app.announce(arrivalsText(arrived)));
  return {
    event(event: BoardEvent, before: BoardState | undefined): void {
      const mine = (author: string | null | undefined) => Boolean(author && author === me());
      switch (event.kind) {
        case 'post_added': {
          const known = before?.posts[event.post.id];
          if (!mine(event.post.author)) {
            if (!known) gather.add('posts');
          } else if (known && known.status !== 'visible' && event.post.status === 'visible') {
            app.announce(t('board.announce.approved', { title: postHeading(event.post) }));
          }
          break;
        }
        case 'post_updated':
          if (mine(event.post.author) && event.post.status === 'hidden' && before?.posts[event.post.id]?.status !== 'hidden' && !leader) {
            app.announce(t('board.announce.hidden', { title: postHeading(event.post) }));
          }
          break;
        case 'comment_added':
          if (!mine(event.comment.author)) gather.add('comments');
          break;
        case 'settings':
          if (before && before.settings.mode !== event.settings.mode) {
            app.announce(t('board.announce.mode', { mode: t(MODE_LABEL[event.settings.mode]) }));
          }
          if (before && (before.settings.reactions ?? 'likes') !== (event.settings.reactions ?? 'likes')) {
            app.announce(t('board.announce.reactions', { reactions: lowerFirst(t(`board.reactions.${event.settings.reactions ?? 'likes'}`)) }));
          }
          if (before && !leader && (before.settings.switched_off ?? []).join() !== (event.settings.switched_off ?? []).join()) {
            const off = event.settings.switched_off ?? [];
            app.announce(off.length
              ? t('board.switchedOff', { list: off.map((c) => lowerFirst(t(`board.switch.${c}`))).join(', ') })
              : t('board.announce.allSwitchedOn'));
          }
          if (before && (before.settings.deadline ?? null) !== (event.settings.deadline ?? null)) {
            const at = event.settings.deadline;
            app.announce(at ? t('board.deadline', { time: formatPlanned(at) }) : t('board.announce.noDeadline'));
          }
          break;
        case 'cleared':
          app.announce(t('board.announce.cleared'));
          break;
        default:
          break;
      }
    },
    dispose: () => gather.dispose(),
  };
}

/** A label as the middle of a sentence ("Liens et vidéos" → "liens et vidéos"). */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A board command's refusal in words (upload type errors keep their code). */
export function boardErrorText(code: string, command?: Command): string {
  const action = command?.type === 'board' ? command.command.action : undefined;
  if (code === 'invalid_state' && action === 'remove_section') return t('board.error.sectionNotEmpty');
  if (code === 'file_type_refused' || code === 'file_too_large') return t('board.upload.refused', { reason: errorText(code), code });
  const key = `board.error.${code}` as MessageKey;
  return key in fr ? t(key) : errorText(code);
}

/** Calls `onPassed` when the deadline passes (the screens then turn read-only). */
export function deadlineWatch(onPassed: () => void): { set(deadline: number | null | undefined): void; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let armed: number | null = null;
  return {
    set(deadline) {
      const at = deadline ?? null;
      if (at === armed) return;
      armed = at;
      clearTimeout(timer);
      timer = undefined;
      const wait = at === null ? -1 : at - Date.now() + 250;
      if (wait > 0) timer = setTimeout(onPassed, Math.min(wait, 2 ** 31 - 1));
    },
    dispose: () => clearTimeout(timer),
  };
}

/** A refused post of this room goes back to its form, the error next to its
 * field; true when it did (nothing else to show). */
export function postRefusedInForm(composer: Composer, n: Extract<ClientNotice, { type: 'command_error' }>, room: RoomId): boolean {
  const command = n.command;
  if (!command || command.type !== 'board' || command.room !== room || command.command.action !== 'post') return false;
  return composer.showRefusal(command.command, command.command.section ?? undefined, n.error.code);
}
