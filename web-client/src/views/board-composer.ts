// The post form, for a new post and for an edit: section (when there is a
// choice), title, text (plain text, line breaks kept), colour (one of the
// DSFR's illustrative colours, or none), link (its card —
// title, description, site, image — asked of the server once the link stays
// still, shown in the form, removable; dropped when the link changes), image (uploaded
// at once, then its alternative text: required, or "decorative image" for an
// empty one), video link (the server turns it into its host's player) and a
// file (uploaded at once; its name and size shown). Upload refusals are shown
// with their code (file too large, type refused). The video field names the
// sites the server accepts and checks the link's site before sending. Errors
// are tied to their field (aria-invalid, aria-describedby) and the first one
// gets the focus; a post the server refuses for a field comes back into the
// form, nothing typed lost. The section choice is drawn with lit-html (one
// option per section, keyed by its id): a renamed, added or removed section
// leaves the chosen one chosen.

import { ApiError } from '../api';
import { buildContent, fieldsOfContent, fileAccept, formatSize, isWebLink, refusedPostField, videoHostNames, type FieldError, type PostFields } from '../board-format';
import { POST_COLOURS, type Contribution, type LinkPreview, type PostColour, type PostContent, type Section, type UploadedBlob } from '../board-protocol';
import { blobUrl } from '../board-api';
import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { audioRecorder } from './audio-recorder';
import { h, setChildren, uid } from '../dom';
import { errorText, t, type MessageKey } from '../i18n';

/** How the form sends files (to the room's uploads, with the member's bearer token) and asks for a link's card. */
export interface ComposerUploads {
  upload(file: File): Promise<UploadedBlob>;
  /** The card the server reads from the linked page; absent where cards are not asked for. */
  linkPreview?(url: string): Promise<LinkPreview>;
}

/** How long the link field stays still before its card is asked for. */
export const LINK_PREVIEW_DELAY_MS = 800;

export interface ComposerOptions {
  initial?: PostFields;
  /** New posts: the sections one may post into (a choice when more than one). */
  sections?: readonly Section[];
  submitLabel: MessageKey;
  legend: string;
  uploads: ComposerUploads;
  /** Resolves true when the post was taken (the form then empties). */
  submit(content: PostContent, section: string | undefined): Promise<boolean>;
  cancel?(): void;
}

export interface Composer {
  root: HTMLElement;
  focus(): void;
  /** New posts: the sections one may post into now. */
  setSections(sections: readonly Section[]): void;
  /** The board's allowed video hosts: named under the video field, checked before sending. */
  setVideoHosts(hosts: readonly string[]): void;
  /**
   * A sent post refused by the server for one of its fields: the form gets
   * it back (unless something new is being typed), with the error next to
   * that field. Returns false when the refusal is not about a field.
   */
  showRefusal(content: PostContent, section: string | undefined, code: string): boolean;
  /** The kinds a leader switched off for this member: their controls hide (what a post being edited holds stays). */
  setSwitchedOff(off: ReadonlySet<Contribution>): void;
}

export const IMAGE_ACCEPT = 'image/png,image/jpeg,image/gif,image/webp';

interface Field<E extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement> {
  group: HTMLElement;
  input: E;
  setError(key: MessageKey | null): void;
  setErrorText(text: string | null): void;
}

/** A DSFR input group with its label, hint and error text. */
function field<E extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
  input: E, label: string, hint?: string, groupClass = 'fr-input-group',
): Field<E> {
  const id = input.id || uid('board-field');
  input.id = id;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const error = h('p', { id: errorId, class: 'fr-error-text', hidden: true });
  if (hint) input.setAttribute('aria-describedby', hintId);
  const group = h('div', { class: groupClass },
    h('label', { class: 'fr-label', for: id }, label, hint ? h('span', { class: 'fr-hint-text', id: hintId }, hint) : null),
    input, error);
  const setErrorText = (text: string | null) => {
    group.classList.toggle(`${groupClass}--error`, text !== null);
    error.hidden = text === null;
    error.textContent = text ?? '';
    input.setAttribute('aria-invalid', text ? 'true' : 'false');
    const described = [hint ? hintId : '', text ? errorId : ''].filter(Boolean).join(' ');
    if (described) input.setAttribute('aria-describedby', described);
    else input.removeAttribute('aria-describedby');
  };
  return { group, input, setErrorText, setError: (key) => setErrorText(key ? t(key) : null) };
}

/** An upload's outcome in words: "file_type_refused" and "file_too_large" keep their code. */
export function uploadErrorText(e: unknown): string {
  const code = e instanceof ApiError ? e.code : 'network';
  if (code === 'network') return t('board.upload.network');
  return t('board.upload.refused', { reason: errorText(code), code });
}

/** A link's card: the page's image, its site, its title as the link, its description. */
export function linkCardTemplate(preview: LinkPreview, href: string) {
  return html`<div class="amphi-link-card" data-testid="link-card">
    ${preview.image ? html`<img class="amphi-link-card__image" src=${blobUrl(preview.image)} alt="" loading="lazy">` : nothing}
    <div class="amphi-link-card__body">
      ${preview.site ? html`<p class="amphi-link-card__site fr-text--xs fr-mb-0">${preview.site}</p>` : nothing}
      <p class="amphi-link-card__title fr-text--bold fr-mb-0"><a href=${href} rel="noopener noreferrer nofollow ugc">${preview.title || href}</a></p>
      ${preview.description ? html`<p class="amphi-link-card__description fr-text--sm fr-mb-0">${preview.description}</p>` : nothing}
    </div>
  </div>`;
}

export function postComposer(opts: ComposerOptions): Composer {
  const init = opts.initial;
  const section = field(h('select', { class: 'fr-select', 'data-testid': 'post-section' }), t('board.form.section'), undefined, 'fr-select-group');
  const title = field(h('input', { class: 'fr-input', maxlength: '200', autocomplete: 'off', value: init?.title ?? '', 'data-testid': 'post-title' }), t('board.form.title'), t('board.form.titleHint'));
  const text = field(h('textarea', { class: 'fr-input', rows: 4, maxlength: '5000', 'data-testid': 'post-text-input' }), t('board.form.text'), t('board.form.textHint'));
  text.input.value = init?.text ?? '';
  const link = field(h('input', { class: 'fr-input', type: 'url', inputmode: 'url', autocomplete: 'url', value: init?.link ?? '', 'data-testid': 'post-link-input' }), t('board.form.link'), t('board.form.linkHint'));
  const video = field(h('input', { class: 'fr-input', type: 'url', inputmode: 'url', autocomplete: 'off', value: init?.video ?? '', 'data-testid': 'post-video-input' }), t('board.form.video'), t('board.form.videoHint'));
  const colour = field(h('select', { class: 'fr-select', 'data-testid': 'post-colour' },
    h('option', { value: '' }, t('board.colour.none')),
    ...POST_COLOURS.map((c) => h('option', { value: c }, t(`board.colour.${c}`)))), t('board.form.colour'), t('board.form.colourHint'), 'fr-select-group');
  colour.input.value = init?.colour ?? '';
  // Once the board says which sites it accepts, the hint names them.
  const videoHint = video.group.querySelector<HTMLElement>('.fr-hint-text')!;
  videoHint.dataset.testid = 'video-hosts';
  let videoHosts: readonly string[] = [];

  // ---- image: uploaded when chosen, then its alternative text ----
  let image = init?.image ? { ...init.image } : null;
  let imageName = '';
  const imageInput = h('input', { class: 'fr-upload', type: 'file', accept: IMAGE_ACCEPT, 'data-testid': 'post-image-input' });
  const imageField = field(imageInput, t('board.form.image'), t('board.form.imageHint'), 'fr-upload-group');
  const imageStatus = h('p', { class: 'fr-text--sm fr-mb-1w', role: 'status', 'data-testid': 'image-status' });
  const alt = field(h('input', { class: 'fr-input', maxlength: '500', autocomplete: 'off', value: init?.image?.alt ?? '', 'data-testid': 'post-alt' }), t('board.form.alt'), t('board.form.altHint'));
  alt.input.required = true;
  const decorativeId = uid('decorative');
  const decorative = h('input', { type: 'checkbox', id: decorativeId, checked: Boolean(init?.image?.decorative), 'data-testid': 'post-decorative' });
  const decorativeGroup = h('div', { class: 'fr-checkbox-group fr-mb-2w' }, decorative,
    h('label', { class: 'fr-label', for: decorativeId }, t('board.form.decorative'), h('span', { class: 'fr-hint-text' }, t('board.form.decorativeHint'))));
  const removeImage = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-close-line' }, t('board.form.removeImage'));
  const imageDetails = h('div', { class: 'amphi-composer__attached' }, alt.group, decorativeGroup, removeImage);

  // ---- file: uploaded when chosen ----
  let file = init?.file ? { ...init.file } : null;
  const fileInput = h('input', { class: 'fr-upload', type: 'file', 'data-testid': 'post-file-input' });
  const fileField = field(fileInput, t('board.form.file'), t('board.form.fileHint'), 'fr-upload-group');
  const fileHint = fileField.group.querySelector<HTMLElement>('.fr-hint-text')!;
  const fileStatus = h('p', { class: 'fr-text--sm fr-mb-1w', role: 'status', 'data-testid': 'file-status' });
  const removeFile = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-close-line' }, t('board.form.removeFile'));
  const fileDetails = h('div', { class: 'amphi-composer__attached' }, removeFile);

  // ---- the link's card: asked for once the link stays still, removable ----
  let card: { link: string; preview: LinkPreview } | null = init?.linkPreview && init.link ? { link: init.link.trim(), preview: init.linkPreview } : null;
  let cardAsked = 0;
  let cardTimer: ReturnType<typeof setTimeout> | undefined;
  const cardStatus = h('p', { class: 'fr-text--sm fr-mb-1w', role: 'status', 'data-testid': 'link-card-status' });
  const cardView = h('div', { 'data-testid': 'link-card-draft' });
  const removeCard = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-close-line', 'data-testid': 'link-card-remove' }, t('board.form.removeLinkCard'));
  const cardDetails = h('div', { class: 'amphi-composer__attached' }, cardView, removeCard);

  function showCard(): void {
    cardDetails.hidden = !card;
    render(card ? linkCardTemplate(card.preview, card.link) : nothing, cardView);
  }

  /** Asks for the card of the link as typed, unless it has one; a late answer for an older link is dropped. */
  async function askCard(): Promise<void> {
    clearTimeout(cardTimer);
    const wanted = link.input.value.trim();
    if (card && card.link !== wanted) card = null;
    if (!opts.uploads.linkPreview || !wanted || !isWebLink(wanted) || card?.link === wanted) {
      if (!wanted) cardStatus.textContent = '';
      showCard();
      return;
    }
    const asked = ++cardAsked;
    cardStatus.textContent = t('board.form.linkCardLoading');
    showCard();
    try {
      const preview = await opts.uploads.linkPreview(wanted);
      if (asked !== cardAsked || link.input.value.trim() !== wanted) return;
      card = preview.title || preview.description || preview.image ? { link: wanted, preview } : null;
      cardStatus.textContent = card ? t('board.form.linkCardReady') : t('board.form.linkCardEmpty');
    } catch (e) {
      if (asked !== cardAsked) return;
      const code = e instanceof ApiError ? e.code : 'network';
      cardStatus.textContent = t('board.form.linkCardNone', { reason: code === 'network' ? t('board.upload.network') : errorText(code) });
    }
    showCard();
  }

  link.input.addEventListener('input', () => {
    clearTimeout(cardTimer);
    if (card && card.link !== link.input.value.trim()) {
      card = null;
      cardStatus.textContent = '';
      showCard();
    }
    cardTimer = setTimeout(() => void askCard(), LINK_PREVIEW_DELAY_MS);
  });
  link.input.addEventListener('change', () => void askCard());
  removeCard.addEventListener('click', () => {
    card = null;
    cardAsked++;
    cardStatus.textContent = t('board.form.linkCardRemoved');
    showCard();
    link.input.focus();
  });

  const alert = h('div', { 'data-testid': 'composer-error' });
  const submitButton = h('button', { type: 'submit', class: 'fr-btn fr-btn--icon-left fr-icon-send-plane-line', 'data-testid': 'post-submit' }, t(opts.submitLabel));
  const cancelButton = opts.cancel
    ? h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', onclick: () => opts.cancel?.() }, t('board.form.cancel'))
    : null;
  // A voice message recorded here is the post's file.
  const recorder = audioRecorder((recorded) => void upload(fileInput, fileField, fileStatus, attachFile, recorded));
  // The optional parts, folded away on a phone until wanted (open when editing a post that has some).
  const extras = h('details', { class: 'amphi-details amphi-composer__extras', open: Boolean(init && (init.link || init.video || init.image || init.file || init.colour)) },
    h('summary', { 'data-testid': 'post-extras' }, t('board.form.extras')),
    colour.group, link.group, cardStatus, cardDetails, imageField.group, imageStatus, imageDetails, video.group, fileField.group, recorder.root, fileStatus, fileDetails);
  const legendId = uid('legend');
  const root = h('form', { class: 'amphi-composer', novalidate: true, 'aria-labelledby': legendId },
    h('p', { id: legendId, class: 'fr-text--bold fr-mb-2w' }, opts.legend),
    opts.sections ? section.group : null,
    title.group, text.group, extras,
    alert,
    h('div', { class: 'amphi-buttons' }, submitButton, cancelButton));
  let uploading = 0;

  function showAttachments(): void {
    imageDetails.hidden = !image;
    alt.input.disabled = !image || decorative.checked;
    imageStatus.textContent = image ? (imageName ? t('board.form.imageReady', { name: imageName }) : t('board.form.imageKept')) : '';
    fileDetails.hidden = !file;
    fileStatus.textContent = file ? t('board.form.fileReady', { name: fileName || file.name }) : '';
  }

  /** Uploads the chosen file; `done` gets the stored blob and the file's own name (the
   * server's copy of the name keeps ASCII only, for its download header). */
  async function upload(input: HTMLInputElement, f: Field<HTMLInputElement>, status: HTMLElement, done: (u: UploadedBlob, name: string) => void, given?: File): Promise<void> {
    const chosen = given ?? input.files?.[0];
    if (!chosen) return;
    f.setErrorText(null);
    alert.replaceChildren();
    uploading++;
    submitButton.disabled = true;
    status.textContent = t('board.upload.sending', { name: chosen.name });
    let failed = false;
    try {
      done(await opts.uploads.upload(chosen), chosen.name);
    } catch (e) {
      failed = true;
      status.textContent = '';
      const message = uploadErrorText(e);
      f.setErrorText(message);
      setChildren(alert, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert', 'data-testid': 'upload-error' }, h('p', {}, message)));
    } finally {
      input.value = '';
      uploading--;
      submitButton.disabled = uploading > 0;
      showAttachments();
      if (failed) input.focus();
    }
  }

  let fileName = '';
  imageInput.addEventListener('change', () => void upload(imageInput, imageField, imageStatus, (u, name) => {
    image = { blob: u.blob, alt: alt.input.value, decorative: decorative.checked };
    imageName = `${name} (${formatSize(u.size)})`;
    queueMicrotask(() => alt.input.focus());
  }));
  const attachFile = (u: UploadedBlob, name: string) => {
    file = { blob: u.blob, name: name.slice(0, 255) };
    fileName = `${name} (${formatSize(u.size)})`;
  };
  fileInput.addEventListener('change', () => void upload(fileInput, fileField, fileStatus, attachFile));
  decorative.addEventListener('change', () => {
    alt.setError(null);
    showAttachments();
  });
  removeImage.addEventListener('click', () => {
    image = null;
    imageName = '';
    showAttachments();
    imageInput.focus();
  });
  removeFile.addEventListener('click', () => {
    file = null;
    fileName = '';
    showAttachments();
    fileInput.focus();
  });

  const fields: Record<FieldError['field'], Field<HTMLInputElement | HTMLTextAreaElement> | null> = {
    title, text, link, video, alt, post: null,
  };

  root.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (uploading > 0) return;
    alert.replaceChildren();
    for (const f of [title, text, link, video, alt, imageField, fileField]) f.setErrorText(null);
    const built = buildContent({
      title: title.input.value,
      text: text.input.value,
      link: link.input.value,
      video: video.input.value,
      image: image ? { blob: image.blob, alt: alt.input.value, decorative: decorative.checked } : null,
      file,
      linkPreview: card && card.link === link.input.value.trim() ? card.preview : null,
      colour: (colour.input.value || null) as PostColour | null,
    }, videoHosts);
    if ('error' in built) {
      showFieldError(built.error);
      return;
    }
    submitButton.disabled = true;
    const taken = await opts.submit(built.content, opts.sections ? section.input.value || undefined : undefined);
    submitButton.disabled = false;
    if (taken && !opts.cancel) reset();
  });

  /** The error next to its field (the folded extras opened), the focus on it. */
  function showFieldError(error: FieldError): void {
    const target = fields[error.field];
    const message = t(error.key, error.params);
    target?.setErrorText(message);
    if (target && extras.contains(target.input)) extras.open = true;
    setChildren(alert, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert' }, h('p', {}, message)));
    (target?.input ?? title.input).focus();
  }

  function isEmpty(): boolean {
    return !title.input.value.trim() && !text.input.value.trim() && !link.input.value.trim() && !video.input.value.trim() && !image && !file;
  }

  function fill(kept: PostFields, sectionId: string | undefined): void {
    title.input.value = kept.title;
    text.input.value = kept.text;
    link.input.value = kept.link;
    video.input.value = kept.video;
    colour.input.value = kept.colour ?? '';
    alt.input.value = kept.image?.alt ?? '';
    decorative.checked = Boolean(kept.image?.decorative);
    image = kept.image ? { ...kept.image } : null;
    imageName = '';
    file = kept.file ? { ...kept.file } : null;
    fileName = kept.file?.name ?? '';
    card = kept.linkPreview && kept.link ? { link: kept.link.trim(), preview: kept.linkPreview } : null;
    showCard();
    if (sectionId && [...section.input.options].some((o) => o.value === sectionId)) section.input.value = sectionId;
    showAttachments();
  }

  function showRefusal(content: PostContent, sectionId: string | undefined, code: string): boolean {
    const refused = refusedPostField(content, code);
    if (!refused) return false;
    if (isEmpty()) fill(fieldsOfContent(content), sectionId);
    showFieldError({ field: refused, key: 'board.form.videoRefused', params: { hosts: videoHostNames(videoHosts).join(', ') || '—' } });
    return true;
  }

  function setVideoHosts(hosts: readonly string[]): void {
    videoHosts = hosts;
    videoHint.textContent = hosts.length ? t('board.form.videoHosts', { hosts: videoHostNames(hosts).join(', ') }) : t('board.form.videoHint');
  }

  function reset(): void {
    title.input.value = '';
    text.input.value = '';
    link.input.value = '';
    video.input.value = '';
    colour.input.value = '';
    alt.input.value = '';
    decorative.checked = false;
    image = null;
    imageName = '';
    file = null;
    fileName = '';
    clearTimeout(cardTimer);
    cardAsked++;
    card = null;
    cardStatus.textContent = '';
    showCard();
    extras.open = false;
    showAttachments();
  }

  function setSwitchedOff(off: ReadonlySet<Contribution>): void {
    const linksOff = off.has('links');
    for (const part of [link.group, cardStatus, video.group]) part.hidden = linksOff;
    if (linksOff) cardDetails.hidden = true;
    else showCard();
    imageField.group.hidden = off.has('files');
    recorder.root.hidden = off.has('audio');
    fileField.group.hidden = off.has('files') && off.has('audio') && off.has('documents');
    const accept = fileAccept(off);
    if (accept) fileInput.accept = accept;
    else fileInput.removeAttribute('accept');
    const kinds = (['documents', 'audio', 'files'] as const).filter((c) => !off.has(c)).map((c) => t(`board.switch.${c}`).toLowerCase());
    fileHint.textContent = accept ? t('board.form.fileHintOnly', { kinds: kinds.join(', ') }) : t('board.form.fileHint');
  }

  function setSections(list: readonly Section[]): void {
    const current = section.input.value;
    render(repeat(list, (s) => s.id, (s) => html`<option value=${s.id}>${s.title || t('board.untitledSection')}</option>`), section.input);
    // The chosen section stays chosen (an option removed before it may have moved the choice).
    if (list.some((s) => s.id === current)) section.input.value = current;
    section.group.hidden = list.length < 2;
  }

  if (opts.sections) setSections(opts.sections);
  showAttachments();
  showCard();
  return { root, focus: () => title.input.focus(), setSections, setVideoHosts, showRefusal, setSwitchedOff };
}
