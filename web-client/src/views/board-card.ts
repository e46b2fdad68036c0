// One post of the board, as a card that stays mounted while its post changes:
// heading, author and moderation state (in words, with an icon), the text
// (plain text, line breaks kept: textContent only), link (as its card when
// the server read one: image, site, title, description), image with its
// alternative text, video (an iframe for the server's embed URL only) and
// file (name, size, download link); likes (a toggle button) or stars (the
// average and count, and five buttons for one's own rating), comments (and a
// comment form that keeps its draft), and the actions this viewer has: edit
// or delete an own post, moderate (approve, hide, unhide, delete), move
// (up, down, to a section; a drag handle for pointers). Each part is drawn
// with lit-html: what did not change stays as it is (a focused control
// keeps the focus, a playing video keeps playing), and when the focused
// control goes away or is disabled, the focus goes to its alternative
// (down for up…) or to the card's heading.

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { blobUrl } from '../board-api';
import { averageStars, embedUrl, fieldsOf, formatDateTime, formatSize, postHeading, safeLink, statusLabel, type MoveTarget } from '../board-format';
import { MAX_STARS, POST_COLOURS, type Comment, type Contribution, type Post, type PostContent, type Reactions, type Section } from '../board-protocol';
import { h, uid } from '../dom';
import { formatNumber, t, tn } from '../i18n';
import type { CommandResult } from '../client';
import { linkCardTemplate, postComposer, type ComposerUploads } from './board-composer';

/** DSFR badge of each moderation state (its icon and words say it, not only its colour). */
const STATUS_BADGE: Record<string, string> = {
  pending: 'fr-badge--warning',
  unrevealed: 'fr-badge--info',
  hidden: 'fr-badge--error',
};

/** What the viewer may do with this post now. */
/** A board a post can be copied to. */
export interface CopyTarget {
  id: string;
  title: string;
}

export interface CardContext {
  me: string | undefined;
  /** Leader tools: moderation, moves, delete any post and comment. */
  leader: boolean;
  /** Projector: large, read only, no controls. */
  projector: boolean;
  liked: boolean;
  /** Likes are allowed (a visible post, a board not closed; never for observers). */
  canLike: boolean;
  /** The board's reactions (absent: likes); with stars, `canLike` allows rating. */
  reactions?: Reactions;
  /** My stars for this post (0 or absent: none). */
  stars?: number;
  /** What a leader switched off for this viewer (comments, and what an edit may add). */
  switchedOff?: readonly Contribution[];
  /** Comments and own edits are allowed in this post's section now. */
  canWrite: boolean;
  /** A command about this post waits for its answer. */
  busy: boolean;
  /** The section's title, shown on a wall with several sections. */
  sectionTitle?: string;
  /** Leader moves. */
  moves?: { up: MoveTarget | null; down: MoveTarget | null; sections: readonly Section[] };
}

export interface CardActions {
  like(post: Post, like: boolean): void;
  /** Rates the post 1–5 stars, or (null) takes the rating back. */
  rate?(post: Post, stars: number | null): void;
  comment(post: Post, text: string): Promise<CommandResult>;
  deleteComment(post: Post, comment: Comment): void;
  /** Its author rewrites a comment (absent where comments are read only). */
  editComment?(post: Post, comment: Comment, text: string): Promise<CommandResult>;
  edit(post: Post, version: number, content: PostContent): Promise<CommandResult>;
  remove(post: Post): void;
  approve?(post: Post): void;
  hide?(post: Post): void;
  unhide?(post: Post): void;
  move?(post: Post, target: MoveTarget): void;
  /** Leaders: the other boards a post may be copied to, and the copy (true once it is there). */
  copyTargets?(): Promise<readonly CopyTarget[]>;
  copy?(post: Post, to: CopyTarget): Promise<boolean>;
  /** Pointer down on the drag handle (leaders). */
  startDrag?(post: Post, ev: PointerEvent): void;
  uploads: ComposerUploads;
  announce(text: string): void;
}

/** The actions of a screen that only shows posts (a projector): every one refused or inert. */
export function readOnlyActions(announce: (text: string) => void): CardActions {
  const noop = () => {};
  const refused = async (): Promise<CommandResult> => ({ ok: false, code: 'forbidden', message: '' });
  return {
    like: noop,
    comment: refused,
    deleteComment: noop,
    edit: refused,
    remove: noop,
    uploads: { upload: () => Promise.reject(new Error('a read-only screen does not upload')) },
    announce,
  };
}

export interface PostCard {
  root: HTMLElement;
  post: Post;
  update(post: Post, ctx: CardContext): void;
  /** Puts the focus on the card's heading. */
  focus(): void;
}

/** A button of the card: `focus` names it for the focus to come back to, `focusAlt` where it goes when this one cannot take it. */
interface CardButton {
  label: string;
  focus: string;
  focusAlt?: string;
  icon?: string;
  cls?: string;
  ariaLabel?: string;
  disabled?: boolean;
  pressed?: boolean;
  onClick: () => void;
}

function button(b: CardButton): TemplateResult {
  return html`<button type="button" class="fr-btn fr-btn--sm ${b.cls ?? 'fr-btn--tertiary'}${b.icon ? ` fr-btn--icon-left ${b.icon}` : ''}"
    data-focus=${b.focus} data-focus-alt=${b.focusAlt ?? nothing} aria-label=${b.ariaLabel ?? nothing}
    aria-pressed=${b.pressed === undefined ? nothing : String(b.pressed)} ?disabled=${Boolean(b.disabled)} @click=${b.onClick}>${b.label}</button>`;
}

/** Buttons keyed by their focus name: a button stays the same element while it is shown. */
function buttons(list: readonly CardButton[]): TemplateResult {
  return html`${repeat(list, (b) => b.focus, button)}`;
}

/**
 * Draws `view` into one part of the card. If the focus was in the part and
 * its control went away or was disabled, it goes to the control of the same
 * name, else its alternative, else the card's heading.
 */
function draw(part: HTMLElement, view: TemplateResult | typeof nothing): void {
  const active = document.activeElement as HTMLElement | null;
  const inside = active && part.contains(active) ? active : null;
  render(view, part);
  if (!inside || (inside === document.activeElement && !(inside as HTMLButtonElement).disabled)) return;
  const usable = (name: string | undefined) => {
    const el = name ? part.querySelector<HTMLButtonElement>(`[data-focus="${CSS.escape(name)}"]`) : null;
    return el && !el.disabled ? el : null;
  };
  const again = usable(inside.dataset.focus) ?? usable(inside.dataset.focusAlt);
  (again ?? part.closest<HTMLElement>('article')?.querySelector<HTMLElement>('.amphi-post__title'))?.focus();
}

export function postCard(initial: Post, initialCtx: CardContext, actions: CardActions): PostCard {
  const headingId = uid('post');
  const heading = h('h3', { id: headingId, class: 'amphi-post__title', tabindex: '-1' });
  const meta = h('p', { class: 'amphi-post__meta' });
  const status = h('div', { class: 'amphi-post__status' });
  const body = h('div', { class: 'amphi-post__body' });
  const social = h('div', { class: 'amphi-post__social' });
  const tools = h('div', { class: 'amphi-post__tools' });
  const comments = h('div', { class: 'amphi-post__comments' });
  const moveId = uid('move-to');
  const editSlot = h('div');
  const handle = h('span', { class: 'amphi-post__handle', 'aria-hidden': 'true', title: t('board.dragHint'), hidden: true });
  const root = h('article', { class: 'amphi-post', 'aria-labelledby': headingId, 'data-testid': 'post' },
    h('header', { class: 'amphi-post__head' }, handle, h('div', { class: 'amphi-post__headtext' }, heading, meta)),
    status, body, editSlot, social, tools, comments);

  let post = initial;
  let ctx = initialCtx;
  let editing: { version: number; conflict?: Post; draft?: PostContent } | null = null;
  /** "Delete this post?" is asked in the card (no browser dialog). */
  let confirming = false;
  /** "Copy to which board?" is asked in the card too (`null` targets: loading). */
  let copying: { targets: readonly CopyTarget[] | null } | null = null;
  const copyId = uid('copy-to');
  handle.addEventListener('pointerdown', (ev) => actions.startDrag?.(post, ev));

  // The comment form lives as long as the card: its draft survives updates.
  const commentId = uid('comment');
  const commentInput = h('input', { class: 'fr-input', id: commentId, maxlength: '1000', autocomplete: 'off', 'data-testid': 'comment-input' });
  const commentButton = h('button', { type: 'submit', class: 'fr-btn fr-btn--sm fr-btn--secondary', 'data-testid': 'comment-send' }, t('board.comment.send'));
  const commentLabel = h('label', { class: 'fr-label', for: commentId });
  const commentForm = h('form', { class: 'amphi-comment-form', novalidate: true },
    commentLabel, h('div', { class: 'amphi-comment-form__row' }, commentInput, commentButton));
  commentForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = commentInput.value.trim();
    if (!text) return commentInput.focus();
    commentInput.value = '';
    const result = await actions.comment(post, text);
    if (!result.ok && !commentInput.value) commentInput.value = text; // give it back
  });

  function authorText(author: string | null, name: string | null): string {
    if (ctx.me && author === ctx.me) return t('board.you');
    return name ?? t('board.anonymous');
  }

  function renderHead(): void {
    for (const c of [...root.classList]) if (c.startsWith('amphi-post--colour-')) root.classList.remove(c);
    if (post.colour && POST_COLOURS.includes(post.colour)) root.classList.add(`amphi-post--colour-${post.colour}`);
    heading.textContent = postHeading(post);
    const parts = [authorText(post.author, post.author_name), formatDateTime(post.created_at)];
    if (post.edited_at) parts.push(t('board.edited'));
    if (post.copied_from) parts.push(t('board.copiedFrom', { title: post.copied_from.title }));
    if (ctx.sectionTitle) parts.push(ctx.sectionTitle);
    meta.textContent = parts.join(' · ');
    handle.hidden = !ctx.moves || ctx.projector;
    const label = statusLabel(post.status);
    draw(status, label
      ? html`<p class="fr-badge fr-badge--sm ${STATUS_BADGE[post.status]} amphi-post__badge" data-testid="post-status">${label}</p>`
      : nothing);
  }

  function renderBody(): void {
    if (editing) return draw(body, nothing);
    const link = safeLink(post.link);
    const file = post.file;
    const size = file?.size ? formatSize(file.size) : '';
    // The heading already shows a title-less post's first line: the text is shown whole.
    draw(body, html`
      ${post.text ? html`<p class="amphi-post__text" data-testid="post-text">${post.text}</p>` : nothing}
      ${link && post.link_preview ? linkCardTemplate(post.link_preview, link) : nothing}
      ${link && !post.link_preview ? html`<p class="amphi-post__link"><a class="fr-link" href=${link} rel="noopener noreferrer nofollow ugc" data-testid="post-link">${link}</a></p>` : nothing}
      ${post.image ? html`<img class="amphi-post__image" src=${blobUrl(post.image.blob)} alt=${post.image.alt} loading="lazy" data-testid="post-image">` : nothing}
      ${post.video ? videoBlock(post.video.url, postHeading(post)) : nothing}
      ${file?.content_type?.startsWith('audio/')
        ? html`<audio class="amphi-post__audio" controls preload="metadata" src=${blobUrl(file.blob)} data-testid="post-audio"
            aria-label=${t('board.audio.player', { name: file.name })}></audio>`
        : nothing}
      ${file
        ? html`<p class="amphi-post__file" data-testid="post-file"><a class="fr-link fr-icon-download-line fr-link--icon-left" href=${blobUrl(file.blob, file.name)} download=${file.name}>${t('board.file.download', { name: file.name })}${size ? html`<span class="fr-link__detail">${size}</span>` : nothing}</a></p>`
        : nothing}`);
  }

  function starsTemplate(): TemplateResult | typeof nothing {
    const count = post.rating?.count ?? 0;
    const average = averageStars(post.rating);
    if (ctx.projector && count === 0) return nothing;
    const summary = count === 0 ? t('board.stars.none') : tn('board.stars.summary', count, { average: formatNumber(average) });
    const shown = Math.round(average);
    const display = html`<p class="amphi-post__likes amphi-stars__summary" data-testid="stars">
      <span class="amphi-stars__display" aria-hidden="true">${[...Array(MAX_STARS).keys()].map((i) => html`<span class="fr-icon--sm ${i < shown ? 'fr-icon-star-fill' : 'fr-icon-star-line'}"></span>`)}</span>
      <span>${summary}</span></p>`;
    if (!ctx.canLike || ctx.projector || !actions.rate) return display;
    const mine = ctx.stars ?? 0;
    const title = postHeading(post);
    // Icon-only DSFR buttons: their words stay for screen readers (and as a tooltip).
    const star = (n: number) => {
      const label = tn('board.stars.star', n);
      return html`<button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary-no-outline amphi-stars__star ${n <= mine ? 'fr-icon-star-fill' : 'fr-icon-star-line'}"
        data-focus=${`star-${n}`} aria-pressed=${String(mine === n)} title=${label} @click=${() => actions.rate!(post, n)}>${label}</button>`;
    };
    const remove = mine > 0
      ? button({ label: t('board.stars.remove'), focus: 'unrate', focusAlt: `star-${mine}`, cls: 'fr-btn--tertiary-no-outline',
        ariaLabel: t('board.stars.removeLabel', { title }), onClick: () => actions.rate!(post, null) })
      : nothing;
    return html`${display}<div class="amphi-stars" role="group" aria-label=${t('board.stars.group', { title })} data-testid="rate">${[...Array(MAX_STARS).keys()].map((i) => star(i + 1))}${remove}</div>`;
  }

  function renderSocial(): void {
    const reactions = ctx.reactions ?? 'likes';
    if (reactions === 'none') return draw(social, nothing);
    if (reactions === 'stars') return draw(social, starsTemplate());
    const count = tn('board.likes', post.likes);
    // The wall of a projector leaves out "0 j'aime": room for the posts.
    if (ctx.projector && post.likes === 0) return draw(social, nothing);
    if (!ctx.canLike || ctx.projector) {
      return draw(social, html`<p class="amphi-post__likes" data-testid="likes"><span aria-hidden="true" class="fr-icon-heart-line fr-icon--sm"></span> ${count}</p>`);
    }
    const visible = `${t(ctx.liked ? 'board.like.on' : 'board.like.off')} · ${count}`;
    draw(social, button({
      label: visible,
      focus: 'like',
      icon: ctx.liked ? 'fr-icon-heart-fill' : 'fr-icon-heart-line',
      cls: ctx.liked ? 'fr-btn--secondary' : 'fr-btn--tertiary',
      pressed: ctx.liked,
      ariaLabel: t('board.like.label', { visible, title: postHeading(post) }),
      onClick: () => actions.like(post, !ctx.liked),
    }));
  }

  function renderTools(): void {
    if (ctx.projector || editing) return draw(tools, nothing);
    const mine = Boolean(ctx.me && post.author === ctx.me);
    const title = postHeading(post);
    if (confirming) {
      return draw(tools, html`<div class="amphi-post__confirm" role="group" aria-labelledby=${`${headingId}-confirm`}>
        <p id=${`${headingId}-confirm`} class="fr-text--bold fr-mb-1w">${t('board.confirmDelete', { title })}</p>
        <div class="amphi-post__actions">${buttons([
          { label: t('board.confirmYes'), focus: 'confirm-delete', cls: 'fr-btn--primary', icon: 'fr-icon-delete-line', onClick: () => {
            confirming = false;
            actions.remove(post);
          } },
          { label: t('board.form.cancel'), focus: 'cancel-delete', cls: 'fr-btn--secondary', onClick: () => {
            confirming = false;
            renderTools();
            root.querySelector<HTMLElement>('[data-focus="delete"]')?.focus();
          } },
        ])}</div>
      </div>`);
    }
    if (copying) return drawCopy(title);
    const list: CardButton[] = [];
    if (ctx.leader && post.status === 'pending' && actions.approve) {
      list.push({ label: t('board.approve'), focus: 'approve', icon: 'fr-icon-check-line', cls: 'fr-btn--primary', ariaLabel: t('board.approveLabel', { title }), onClick: () => actions.approve!(post) });
    }
    if (ctx.leader && post.status === 'hidden' && actions.unhide) {
      list.push({ label: t('board.unhide'), focus: 'unhide', icon: 'fr-icon-eye-line', cls: 'fr-btn--secondary', ariaLabel: t('board.unhideLabel', { title }), onClick: () => actions.unhide!(post) });
    } else if (ctx.leader && actions.hide) {
      list.push({ label: t('board.hide'), focus: 'hide', icon: 'fr-icon-eye-off-line', ariaLabel: t('board.hideLabel', { title }), onClick: () => actions.hide!(post) });
    }
    if (mine && ctx.canWrite) {
      list.push({ label: t('board.edit'), focus: 'edit', icon: 'fr-icon-edit-line', ariaLabel: t('board.editLabel', { title }), onClick: () => openEdit() });
    }
    if ((mine && ctx.canWrite) || ctx.leader) {
      list.push({ label: t('board.delete'), focus: 'delete', icon: 'fr-icon-delete-line', ariaLabel: t('board.deleteLabel', { title }), onClick: () => {
        confirming = true;
        renderTools();
        root.querySelector<HTMLElement>('[data-focus="confirm-delete"]')?.focus();
      } });
    }
    if (ctx.leader && actions.copy && actions.copyTargets) {
      list.push({ label: t('board.copy'), focus: 'copy', icon: 'fr-icon-file-add-line', ariaLabel: t('board.copyLabel', { title }), onClick: () => void openCopy() });
    }
    const moves = actions.move ? ctx.moves : undefined;
    if (moves) {
      list.push(
        { label: t('board.moveUp'), focus: 'up', focusAlt: 'down', icon: 'fr-icon-arrow-up-line', ariaLabel: t('board.moveUpLabel', { title }), disabled: !moves.up, onClick: () => moves.up && actions.move!(post, moves.up) },
        { label: t('board.moveDown'), focus: 'down', focusAlt: 'up', icon: 'fr-icon-arrow-down-line', ariaLabel: t('board.moveDownLabel', { title }), disabled: !moves.down, onClick: () => moves.down && actions.move!(post, moves.down) },
      );
    }
    if (ctx.busy) for (const b of list) b.disabled = true;
    const others = moves?.sections.filter((s) => s.id !== post.section) ?? [];
    const moveTo = () => {
      const select = tools.querySelector<HTMLSelectElement>(`#${moveId}`);
      if (select) actions.move!(post, { section: select.value, before: null });
    };
    draw(tools, list.length
      ? html`<div class="amphi-post__actions" role="group" aria-label=${t('board.actionsLabel', { title })}>${buttons(list)}${others.length
        ? html`<div class="amphi-post__move-to">
            <label class="fr-label fr-text--sm" for=${moveId}>${t('board.moveTo', { title })}</label>
            <div class="amphi-post__move-row">
              <select class="fr-select" id=${moveId} data-focus="move-select">${repeat(others, (s) => s.id, (s) => html`<option value=${s.id}>${s.title || t('board.untitledSection')}</option>`)}</select>
              ${button({ label: t('board.moveGo'), focus: 'move-go', cls: 'fr-btn--secondary', ariaLabel: t('board.moveGoLabel', { title }), disabled: ctx.busy, onClick: moveTo })}
            </div>
          </div>`
        : nothing}</div>`
      : nothing);
  }

  async function openCopy(): Promise<void> {
    copying = { targets: null };
    renderTools();
    const targets = await actions.copyTargets!().catch(() => []);
    if (!copying) return;
    copying = { targets };
    renderTools();
    tools.querySelector<HTMLElement>(targets.length ? `#${copyId}` : '[data-focus="cancel-copy"]')?.focus();
  }

  function closeCopy(): void {
    copying = null;
    renderTools();
    tools.querySelector<HTMLElement>('[data-focus="copy"]')?.focus();
  }

  function drawCopy(title: string): void {
    const targets = copying?.targets;
    const go = async () => {
      const select = tools.querySelector<HTMLSelectElement>(`#${copyId}`);
      const to = targets?.find((b) => b.id === select?.value);
      if (!to || !actions.copy) return;
      if (await actions.copy(post, to)) closeCopy();
    };
    const cancel: CardButton = { label: t('board.form.cancel'), focus: 'cancel-copy', cls: 'fr-btn--secondary', onClick: closeCopy };
    draw(tools, html`<div class="amphi-post__move-to" role="group" aria-label=${t('board.copyLabel', { title })} data-testid="copy-form">
      ${targets === null || targets === undefined
        ? html`<p class="fr-text--sm" role="status">${t('board.copyLoading')}</p>`
        : targets.length === 0
          ? html`<p class="fr-text--sm">${t('board.copyNone')}</p>`
          : html`<label class="fr-label fr-text--sm" for=${copyId}>${t('board.copyTo', { title })}</label>
            <div class="amphi-post__move-row">
              <select class="fr-select" id=${copyId} data-focus="copy-select">${repeat(targets, (b) => b.id, (b) => html`<option value=${b.id}>${b.title}</option>`)}</select>
              ${button({ label: t('board.copyGo'), focus: 'copy-go', cls: 'fr-btn--primary', ariaLabel: t('board.copyGoLabel', { title }), onClick: () => void go() })}
            </div>`}
      <div class="amphi-post__actions">${button(cancel)}</div>
    </div>`);
  }

  /** The comment being rewritten here, and its form (kept while the card redraws: the draft stays). */
  let editingComment: { id: string; form: HTMLFormElement } | null = null;

  function openCommentEdit(c: Comment): void {
    const inputId = uid('comment-edit');
    const input = h('input', { class: 'fr-input', id: inputId, maxlength: '1000', autocomplete: 'off', value: c.text, 'data-testid': 'comment-edit-input' });
    const save = h('button', { type: 'submit', class: 'fr-btn fr-btn--sm', 'data-testid': 'comment-edit-save' }, t('board.comment.save'));
    const cancel = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary' }, t('board.form.cancel'));
    const form = h('form', { class: 'amphi-comment-form', novalidate: true },
      h('label', { class: 'fr-label', for: inputId }, t('board.comment.editInput')),
      h('div', { class: 'amphi-comment-form__row' }, input, save, cancel));
    const close = () => {
      editingComment = null;
      renderComments();
      comments.querySelector<HTMLElement>(`[data-focus="edit-${CSS.escape(c.id)}"]`)?.focus();
    };
    cancel.addEventListener('click', close);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return input.focus();
      if (text === c.text) return close();
      save.disabled = true;
      const result = await actions.editComment?.(post, c, text);
      save.disabled = false;
      if (result?.ok) {
        close();
        actions.announce(t('board.comment.saved'));
      }
    });
    editingComment = { id: c.id, form };
    renderComments();
    queueMicrotask(() => input.focus());
  }

  function renderComments(): void {
    const count = post.comments.length;
    const headingText = count ? t('board.comments.count', { count }) : t('board.comments.none');
    if (ctx.projector) {
      return draw(comments, count
        ? html`<p class="amphi-post__likes"><span aria-hidden="true" class="fr-icon-chat-3-line fr-icon--sm"></span> ${headingText}</p>`
        : nothing);
    }
    const commentsOff = !ctx.leader && Boolean(ctx.switchedOff?.includes('comments'));
    const commentable = ((ctx.canWrite && post.status === 'visible') || ctx.leader) && !commentsOff;
    commentLabel.textContent = t('board.comment.label', { title: postHeading(post) });
    draw(comments, html`<h4 class="fr-text--sm fr-mb-1w amphi-post__comments-title">${headingText}</h4>
      ${count
        ? html`<ul class="amphi-comments" data-testid="comments">${repeat(post.comments, (c) => c.id, (c) => html`<li class="amphi-comment" data-testid="comment">
            ${editingComment?.id === c.id ? editingComment.form : html`<p class="amphi-comment__text">${c.text}</p>`}
            <p class="amphi-comment__meta">${authorText(c.author, c.author_name)} · ${formatDateTime(c.created_at)}${c.edited_at ? ` · ${t('board.edited')}` : ''}${ctx.me && c.author === ctx.me && actions.editComment && ctx.canWrite && !commentsOff && editingComment?.id !== c.id
              ? button({ label: t('board.comment.edit'), focus: `edit-${c.id}`, cls: 'fr-btn--tertiary-no-outline', ariaLabel: t('board.comment.editLabel', { text: c.text.slice(0, 40) }), onClick: () => openCommentEdit(c) })
              : nothing}${(ctx.me && c.author === ctx.me) || ctx.leader
              ? button({ label: t('board.comment.delete'), focus: `del-${c.id}`, cls: 'fr-btn--tertiary-no-outline', ariaLabel: t('board.comment.deleteLabel', { text: c.text.slice(0, 40) }), onClick: () => actions.deleteComment(post, c) })
              : nothing}</p>
          </li>`)}</ul>`
        : nothing}
      ${commentable ? commentForm : nothing}`);
  }

  function openEdit(conflict?: { current: Post; draft: PostContent }): void {
    editing = { version: (conflict?.current ?? post).version, conflict: conflict?.current, draft: conflict?.draft };
    const source = conflict?.current ?? post;
    const composer = postComposer({
      initial: fieldsOf(source),
      submitLabel: 'board.edit.save',
      legend: t('board.edit.legend', { title: postHeading(source) }),
      uploads: actions.uploads,
      cancel: () => closeEdit(true),
      submit: async (content) => {
        const version = editing?.version ?? post.version;
        const result = await actions.edit(post, version, content);
        if (result.ok) {
          closeEdit(false);
          heading.focus();
          actions.announce(t('board.edit.saved'));
        } else if (result.code === 'conflict') {
          // The server sent the current post just before: edit again from it.
          openEdit({ current: post, draft: content });
        }
        return result.ok;
      },
    });
    composer.setSwitchedOff(new Set(ctx.switchedOff ?? []));
    const notes: (Node | null)[] = [];
    if (conflict) {
      notes.push(h('div', { class: 'fr-alert fr-alert--warning fr-alert--sm fr-mb-2w', role: 'alert', 'data-testid': 'conflict' },
        h('p', { class: 'fr-alert__title' }, t('board.conflict.title', { version: conflict.current.version })),
        h('p', {}, t('board.conflict.text')),
        conflict.draft.title || conflict.draft.text
          ? h('p', { class: 'amphi-post__text fr-text--sm' }, t('board.conflict.yours'), ' ', [conflict.draft.title, conflict.draft.text].filter(Boolean).join(' — '))
          : null));
    }
    editSlot.replaceChildren(...notes.filter((n): n is Node => n !== null), composer.root);
    renderAll();
    composer.focus();
  }

  function closeEdit(returnFocus: boolean): void {
    editing = null;
    editSlot.replaceChildren();
    renderAll();
    if (returnFocus) root.querySelector<HTMLElement>('[data-focus="edit"]')?.focus();
  }

  function renderAll(): void {
    renderHead();
    renderBody();
    renderSocial();
    renderTools();
    renderComments();
  }

  renderAll();
  const card: PostCard = {
    root,
    post,
    update(next, nextCtx) {
      post = next;
      card.post = next;
      ctx = nextCtx;
      renderAll();
    },
    focus: () => heading.focus(),
  };
  return card;
}

/** A video: the player (an iframe for the server's embed URL only) and a plain link to it. */
function videoBlock(url: string, title: string): TemplateResult {
  const embed = embedUrl(url);
  const link = safeLink(url);
  return html`<div class="amphi-post__video" data-testid="post-video">
    ${embed
      ? html`<div class="amphi-post__player"><iframe src=${embed} title=${t('board.video.title', { title })}
          sandbox="allow-scripts allow-same-origin allow-presentation allow-popups" allow="fullscreen; picture-in-picture; encrypted-media"
          allowfullscreen referrerpolicy="strict-origin-when-cross-origin" loading="lazy"></iframe></div>`
      : nothing}
    ${link ? html`<p class="fr-text--sm fr-mb-0"><a class="fr-link" href=${link} rel="noopener noreferrer nofollow">${t('board.video.link')}</a></p>` : nothing}
  </div>`;
}
