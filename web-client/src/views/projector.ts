// Projector mode, shared by every projector view (the quiz console's
// "Affichage projecteur", the ateliers console's, and the projector windows
// of quizzes, boards and ateliers): the view's `amphi-projector` class
// (large type, no controls), the whole width, a compact page header with no
// footer (styles.css, `amphi-page--projector`), so that the current step
// fits the screen without scrolling; and "Plein écran" (Fullscreen API).

import { h } from '../dom';
import { t } from '../i18n';

/** Turns projector mode on or off for a view's root (the page around it too:
 * a view drawn before it is mounted, as a screen fetched late is, gets its
 * page once mounted, right after). */
export function setProjectorMode(root: HTMLElement, on: boolean): void {
  root.classList.toggle('amphi-projector', on);
  const page = () => {
    root.closest('main')?.classList.toggle('amphi-fluid', on);
    root.closest('.amphi-page')?.classList.toggle('amphi-page--projector', on);
  };
  if (root.isConnected) page();
  else queueMicrotask(page);
}

/** Whether this page is shown full screen now. */
function isFullscreen(): boolean {
  return document.fullscreenElement !== null && document.fullscreenElement !== undefined;
}

/**
 * "Plein écran" / "Quitter le plein écran": the whole page full screen (the
 * browser's Escape leaves it too). Hidden where the browser offers no full
 * screen (a frame without `allowfullscreen`). `show(false)` hides it (and
 * leaves full screen): a console out of projector mode. `dispose` stops
 * following the page's full-screen changes.
 */
export function fullscreenButton(extraClass = ''): { button: HTMLButtonElement; show(visible: boolean): void; dispose(): void } {
  const button = h('button', {
    type: 'button',
    class: `fr-btn fr-btn--sm fr-btn--tertiary amphi-fullscreen ${extraClass}`,
    'data-testid': 'fullscreen',
  });
  const status = h('span', { class: 'fr-sr-only', role: 'status' });
  const label = () => {
    const on = isFullscreen();
    button.textContent = t(on ? 'projector.fullscreenExit' : 'projector.fullscreen');
  };
  let visible = true;
  const showIfOffered = () => {
    button.hidden = !visible || !document.fullscreenEnabled;
  };
  showIfOffered();
  label();
  button.addEventListener('click', async () => {
    try {
      if (isFullscreen()) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen();
    } catch {
      status.textContent = t('projector.fullscreenRefused');
      button.after(status);
    }
  });
  document.addEventListener('fullscreenchange', label);
  return {
    button,
    show(on) {
      visible = on;
      showIfOffered();
      if (!on && isFullscreen()) void document.exitFullscreen().catch(() => {});
    },
    dispose: () => document.removeEventListener('fullscreenchange', label),
  };
}
