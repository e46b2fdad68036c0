// An award's evidence on its page (`/badges/credentials/{award}`, and its
// `/evidence#post-ID` links the credential names): what the recipient made,
// each item a card with its anchor: a board post (title, text, link, video
// link, image, file) or an atelier's production (text, link, file). Text
// only (textContent); links only when http(s).

import type { EvidenceItem } from '../badges-api';
import { safeLink } from '../board-format';
import { h } from '../dom';
import { lang, t } from '../i18n';
import { dateAndTime } from '../local-time';

/** The section listing the items, or null when there are none. */
export function evidenceSection(items: EvidenceItem[]): HTMLElement | null {
  if (items.length === 0) return null;
  return h('section', { class: 'fr-mt-4w', 'data-testid': 'evidence' },
    h('h2', { class: 'fr-h4' }, t('badges.evidence.title')),
    h('p', { class: 'fr-text--sm' }, t('badges.evidence.intro')),
    h('ul', { class: 'amphi-evidence fr-raw-list' }, ...items.map(evidenceCard)));
}

function evidenceCard(item: EvidenceItem): HTMLElement {
  const link = safeLink(item.link);
  const video = safeLink(item.video);
  const kind = item.kind === 'board_post'
    ? t('badges.evidence.post', { activity: item.activity })
    : t('badges.evidence.production', { activity: item.activity });
  return h('li', { id: item.anchor, class: 'amphi-evidence__item fr-mb-2w', tabindex: '-1', 'data-testid': 'evidence-item' },
    h('h3', { class: 'fr-h5 fr-mb-1w' }, item.title),
    h('p', { class: 'fr-text--sm amphi-muted fr-mb-1w' }, `${kind} — ${dateAndTime(item.at, lang())}`),
    item.text ? h('p', { class: 'amphi-evidence__text fr-mb-1w' }, item.text) : null,
    link ? h('p', { class: 'fr-mb-1w' }, h('a', { class: 'fr-link', href: link, rel: 'noopener noreferrer nofollow ugc' }, link)) : null,
    video ? h('p', { class: 'fr-mb-1w' }, h('a', { class: 'fr-link', href: video, rel: 'noopener noreferrer nofollow' }, t('board.video.link'))) : null,
    ...item.files.map((file) => file.role === 'image'
      ? h('img', { class: 'amphi-evidence__image', src: file.url, alt: file.alt, loading: 'lazy' })
      : h('p', { class: 'fr-mb-0' }, h('a', { class: 'fr-link fr-icon-download-line fr-link--icon-left', href: file.url, download: file.name }, t('board.file.download', { name: file.name })))));
}
