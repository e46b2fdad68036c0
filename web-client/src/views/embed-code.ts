// "Intégrer ce tableau": the HTML a trainer pastes into a Moodle page, label
// or book to show the board there (an <iframe> of its join link; amphi lets
// only itself and the LTI platforms it knows frame it: src/lti/frames.rs;
// titled for screen readers, with the microphone allowed for voice
// messages), in a read-only field with a "Copier le code" button that
// says whether the copy worked.

import { h, uid } from '../dom';
import { t } from '../i18n';
import { joinUrl } from './trainer';

/** The <iframe> that shows the board joined with `code`, titled `title`. */
export function embedCode(code: string, title: string, origin: string = location.origin): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe src="${escape(joinUrl(code, origin))}" title="${escape(t('board.embed.frameTitle', { title }))}" width="100%" height="640" style="border: 0" allow="microphone; clipboard-write"></iframe>`;
}

export function embedPanel(): { root: HTMLElement; update(code: string, title: string): void } {
  const id = uid('embed');
  const field = h('textarea', { class: 'fr-input', id, rows: 3, readonly: true, spellcheck: 'false', 'data-testid': 'embed-code' });
  const status = h('p', { class: 'fr-text--sm fr-mt-1w', role: 'status', 'data-testid': 'embed-status' });
  const copy = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-clipboard-line', 'data-testid': 'embed-copy' }, t('board.embed.copy'));
  copy.addEventListener('click', async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = t('board.embed.copied');
    } catch {
      status.textContent = t('board.embed.copyByHand');
    }
  });
  const root = h('details', { class: 'amphi-details fr-mt-3w', 'data-testid': 'embed-panel' },
    h('summary', {}, t('board.embed.title')),
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: id }, t('board.embed.label'), h('span', { class: 'fr-hint-text' }, t('board.embed.hint'))),
      field),
    copy, status);
  return {
    root,
    update(code, title) {
      root.hidden = !code;
      const value = code ? embedCode(code, title) : '';
      if (field.value !== value) field.value = value;
    },
  };
}
