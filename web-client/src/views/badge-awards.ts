// A recipient's awards as cards (lit-html, keyed by award): the badge's
// image, name and description, when it was issued and until when it is
// valid, a revocation said as such, and its three files: the certificate of
// participation (PDF), the Open Badges 3.0 credential and its verification
// page. Used at the end of an activity (badge-earned.ts) and on "Mes
// badges" (my-badges.ts). The awards shown are remembered by this browser,
// so that a guest finds them again once the session is over (the links
// stay valid: they name the award, not the guest's session).

import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { Award } from '../badges-api';
import { lang, t } from '../i18n';
import { dateAndTime } from '../local-time';
import { readJson, writeJson, type KeyValueStore } from '../storage';

/** Where this browser keeps the awards it was shown (localStorage). */
export const KEPT_AWARDS_KEY = 'amphi.awards';
/** The most kept: the newest first. */
const MAX_KEPT = 200;

/** The awards this browser keeps, newest first. */
export function keptAwards(store: KeyValueStore): Award[] {
  const kept = readJson<Award[]>(store, KEPT_AWARDS_KEY);
  return Array.isArray(kept) ? kept.filter((a) => a && typeof a.id === 'string' && typeof a.credential === 'string') : [];
}

/** Adds (or refreshes) `awards` to those this browser keeps. */
export function keepAwards(store: KeyValueStore, awards: readonly Award[]): void {
  if (awards.length === 0) return;
  const fresh = new Set(awards.map((a) => a.id));
  const merged = [...awards, ...keptAwards(store).filter((a) => !fresh.has(a.id))];
  merged.sort((a, b) => b.issued_at - a.issued_at);
  writeJson(store, KEPT_AWARDS_KEY, merged.slice(0, MAX_KEPT));
}

export function forgetKeptAwards(store: KeyValueStore): void {
  writeJson(store, KEPT_AWARDS_KEY, []);
}

/** Merges lists of awards (the same award once, the first list's copy), newest first. */
export function mergeAwards(...lists: readonly (readonly Award[])[]): Award[] {
  const seen = new Map<string, Award>();
  for (const list of lists) for (const award of list) if (!seen.has(award.id)) seen.set(award.id, award);
  return [...seen.values()].sort((a, b) => b.issued_at - a.issued_at);
}

/** An award's state now: in force, expired or revoked. */
export function awardState(award: Award, now: number): 'valid' | 'expired' | 'revoked' {
  if (award.revoked_at !== null) return 'revoked';
  if (award.expires_at !== null && award.expires_at <= now) return 'expired';
  return 'valid';
}

/** Draws `awards` into `root` as cards; `headingLevel` of each card's title. */
export function renderAwards(root: HTMLElement, awards: readonly Award[], now: number, headingLevel: 'h3' | 'h2' = 'h3'): void {
  const language = lang();
  const card = (award: Award) => {
    const state = awardState(award, now);
    const title = headingLevel === 'h2'
      ? html`<h2 class="fr-h5 fr-mb-1v">${award.badge_name}</h2>`
      : html`<h3 class="fr-h5 fr-mb-1v">${award.badge_name}</h3>`;
    return html`<li class="amphi-award" data-testid="award" data-award=${award.id}>
      ${award.badge_image ? html`<img class="amphi-award__img" src=${award.badge_image} alt="" width="96" height="96">` : nothing}
      <div class="amphi-award__body">
        ${title}
        ${award.badge_description ? html`<p class="fr-text--sm fr-mb-1v">${award.badge_description}</p>` : nothing}
        <p class="fr-text--sm fr-mb-1v">${t('badges.issuedOn', { date: dateAndTime(award.issued_at, language) })}${award.expires_at !== null && state !== 'revoked'
          ? html` · ${t(state === 'expired' ? 'badges.expiredOn' : 'badges.validUntil', { date: dateAndTime(award.expires_at, language) })}` : nothing}</p>
        ${state === 'revoked'
          ? html`<p class="fr-badge fr-badge--error fr-badge--sm" data-testid="award-revoked">${t('badges.revoked')}</p>
            ${award.revocation_reason ? html`<p class="fr-text--sm">${t('badges.revokedReason', { reason: award.revocation_reason })}</p>` : nothing}`
          : state === 'expired'
            ? html`<p class="fr-badge fr-badge--warning fr-badge--sm">${t('badges.expired')}</p>`
            : html`<p class="fr-badge fr-badge--success fr-badge--sm">${t('badges.valid')}</p>`}
        <ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--sm fr-btns-group--icon-left fr-mt-2w">
          <li><a class="fr-btn fr-icon-download-line" href=${award.certificate_pdf} download
            data-testid="award-certificate" aria-label=${t('badges.certificateLabel', { badge: award.badge_name })}>${t('badges.certificate')}</a></li>
          <li><a class="fr-btn fr-btn--secondary fr-icon-download-line" href=${award.credential_jwt} download
            data-testid="award-credential" aria-label=${t('badges.credentialLabel', { badge: award.badge_name })}>${t('badges.credential')}</a></li>
          ${award.open_badges_2 ? html`<li><a class="fr-btn fr-btn--secondary fr-icon-download-line" href=${award.open_badges_2.baked_png} download
            data-testid="award-baked" aria-label=${t('badges.bakedLabel', { badge: award.badge_name })}>${t('badges.baked')}</a></li>` : nothing}
          <li><a class="fr-btn fr-btn--tertiary" href=${award.credential}
            data-testid="award-page" aria-label=${t('badges.pageLabel', { badge: award.badge_name })}>${t('badges.page')}</a></li>
        </ul>
      </div>
    </li>`;
  };
  render(html`<ul class="amphi-awards" role="list">${repeat(awards, (a) => a.id, card)}</ul>`, root);
}
