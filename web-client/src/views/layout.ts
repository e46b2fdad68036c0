// The page shell: skip link, DSFR header (bloc-marque, service name, language
// toggle, and "Retour au cours" when amphi was opened from a course), the <main> the screens mount into, a footer, and the polite live
// region used for announcements to screen readers.

import { h } from '../dom';
import { lang, t } from '../i18n';

export interface Shell {
  root: HTMLElement;
  main: HTMLElement;
  langButton: HTMLButtonElement;
  /** Reads a message out (aria-live polite); each message stays 10 s. */
  announce(text: string): void;
}

/** `returnUrl`: the course amphi was launched from (LTI `launch_presentation.return_url`). */
export function renderShell(onToggleLang: () => void, returnUrl?: string): Shell {
  const other = lang() === 'fr' ? 'en' : 'fr';
  const langButton = h(
    'button',
    {
      type: 'button',
      class: 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-btn--icon-left fr-icon-translate-2',
      lang: other,
      'aria-label': t('lang.switchLabel'),
      onclick: onToggleLang,
    },
    t('lang.switch'),
  );

  const header = h(
    'header',
    { role: 'banner', class: 'fr-header' },
    h(
      'div',
      { class: 'fr-header__body' },
      h(
        'div',
        { class: 'fr-container' },
        h(
          'div',
          { class: 'fr-header__body-row amphi-header-row' },
          h(
            'div',
            { class: 'fr-header__brand fr-enlarge-link' },
            h(
              'div',
              { class: 'fr-header__brand-top' },
              h('div', { class: 'fr-header__logo' }, h('p', { class: 'fr-logo' }, t('brand.line1'), h('br'), t('brand.line2'))),
            ),
            h(
              'div',
              { class: 'fr-header__service' },
              h('a', { href: '/', title: `${t('home.title')} — ${t('app.name')}` }, h('p', { class: 'fr-header__service-title' }, t('app.name'))),
              h('p', { class: 'fr-header__service-tagline' }, t('app.tagline')),
            ),
          ),
          h('div', { class: 'amphi-header-tools' }, ...courseLink(returnUrl), langButton),
        ),
      ),
    ),
  );

  const main = h('main', { id: 'content', class: 'fr-container fr-py-4w', tabindex: '-1' });
  const live = h('div', { class: 'fr-sr-only', 'aria-live': 'polite', 'aria-relevant': 'additions', 'data-testid': 'live' });
  const footer = h(
    'footer',
    { class: 'fr-footer', role: 'contentinfo' },
    h('div', { class: 'fr-container' },
      h('p', { class: 'fr-text--sm fr-mb-1w' }, t('footer.text')),
      h('ul', { class: 'fr-footer__bottom-list' },
        h('li', { class: 'fr-footer__bottom-item' }, h('a', { class: 'fr-footer__bottom-link', href: '/mes-badges' }, t('footer.myBadges'))),
        h('li', { class: 'fr-footer__bottom-item' }, h('a', { class: 'fr-footer__bottom-link', href: '/badges/verifier' }, t('footer.verify'))))),
  );
  const skip = h(
    'div',
    { class: 'fr-skiplinks' },
    h('nav', { class: 'fr-container', 'aria-label': t('skip.content') },
      h('ul', { class: 'fr-skiplinks__list' }, h('li', {}, h('a', { class: 'fr-link', href: '#content' }, t('skip.content'))))),
  );

  const root = h('div', { class: 'amphi-page' }, skip, header, main, footer, live);
  return {
    root,
    main,
    langButton,
    announce(text: string) {
      const line = h('p', {}, text);
      live.append(line);
      setTimeout(() => line.remove(), 10_000);
    },
  };
}

/** The way back to the course, in the top window (amphi may be in the platform's frame). */
function courseLink(returnUrl: string | undefined): HTMLElement[] {
  if (!returnUrl || !/^https?:\/\//.test(returnUrl)) return [];
  return [h('a', {
    href: returnUrl,
    target: '_top',
    class: 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-btn--icon-left fr-icon-arrow-left-line',
    'data-testid': 'back-to-course',
  }, t('entry.backToCourse'))];
}
