// Verifying a badge, for anyone (an employer, a jury, the holder):
// `/badges/verifier` takes a credential pasted or chosen as a file (the
// `.jwt` amphi gives, or an Open Badges 3.0 credential as JSON) and says
// the server's verdict in words; `/badges/credentials/{award}` (the address
// a certificate's QR code names) shows that award: its verdict now, whose
// it is, its issuer and dates, its files, and its evidence (what the
// recipient made; `…/evidence#ANCHOR`, what the credential links, opens
// the same page at that item).

import type { App } from '../app';
import { ApiError } from '../api';
import { awardEvidence, awardPage, verifyCredential, type Verdict, type VerdictCode } from '../badges-api';
import { h, setChildren, uid } from '../dom';
import { errorText, lang, t, type MessageKey } from '../i18n';
import { dateAndTime } from '../local-time';
import { evidenceSection } from './badge-evidence';

/** The largest credential read from a file (the server's limit, `MAX_VERIFY_BYTES`). */
export const MAX_CREDENTIAL_BYTES = 64 * 1024;

const VERDICT_TEXT: Record<VerdictCode, MessageKey> = {
  valid: 'badges.verdict.valid',
  tampered: 'badges.verdict.tampered',
  other_key: 'badges.verdict.other_key',
  expired: 'badges.verdict.expired',
  revoked: 'badges.verdict.revoked',
  unknown_issuer: 'badges.verdict.unknown_issuer',
  malformed: 'badges.verdict.malformed',
};

/** The verdict as a DSFR alert: what it means, what the credential says, the server's reason in full. */
export function verdictView(verdict: Verdict): HTMLElement {
  const known = VERDICT_TEXT[verdict.verdict] ? verdict.verdict : 'malformed';
  const credential = verdict.credential;
  const achievement = credential?.credentialSubject?.achievement;
  const language = lang();
  const facts: [MessageKey, string | undefined][] = [
    ['badges.fact.badge', achievement?.name ?? verdict.badge_name],
    ['badges.fact.recipient', verdict.award?.recipient_name || undefined],
    ['badges.fact.issuer', credential?.issuer?.name],
    ['badges.fact.issued', credential?.validFrom ? dateAndTime(Date.parse(credential.validFrom), language) : undefined],
    ['badges.fact.until', credential?.validUntil ? dateAndTime(Date.parse(credential.validUntil), language) : undefined],
    ['badges.fact.revokedReason', verdict.award?.revocation_reason ?? undefined],
  ];
  const shown = facts.filter((f): f is [MessageKey, string] => Boolean(f[1]));
  const files = verdict.certificate_pdf && verdict.credential_jwt
    ? h('ul', { class: 'fr-btns-group fr-btns-group--inline-md fr-btns-group--sm fr-btns-group--icon-left fr-mt-2w' },
      h('li', {}, h('a', { class: 'fr-btn fr-icon-download-line', href: verdict.certificate_pdf, download: '', 'data-testid': 'verify-certificate' }, t('badges.certificate'))),
      h('li', {}, h('a', { class: 'fr-btn fr-btn--secondary fr-icon-download-line', href: verdict.credential_jwt, download: '' }, t('badges.credential'))))
    : null;
  return h('div', { class: `fr-alert fr-alert--${verdict.valid ? 'success' : 'error'}`, 'data-testid': 'verdict', 'data-verdict': known },
    h('h2', { class: 'fr-alert__title' }, t(VERDICT_TEXT[known])),
    shown.length > 0 ? h('dl', { class: 'amphi-facts fr-mt-1w' }, ...shown.flatMap(([key, value]) => [h('dt', {}, t(key)), h('dd', {}, value)])) : null,
    verdict.reason ? h('details', { class: 'fr-mt-1w' }, h('summary', {}, t('badges.technical')), h('p', { class: 'fr-text--sm', lang: 'en' }, verdict.reason)) : null,
    files);
}

/** `/badges/verifier`: paste or choose a credential, "Vérifier", the verdict. */
export function renderBadgeVerify(fetchImpl: typeof fetch = fetch): { root: HTMLElement; dispose(): void } {
  const pasteId = uid('credential');
  const fileId = uid('credential-file');
  const paste = h('textarea', { id: pasteId, class: 'fr-input', rows: 6, spellcheck: 'false', 'data-testid': 'verify-paste' });
  const file = h('input', { id: fileId, type: 'file', class: 'fr-upload', accept: '.jwt,.json,application/json,text/plain', 'data-testid': 'verify-file' });
  const button = h('button', { type: 'submit', class: 'fr-btn' }, t('badges.verify'));
  const result = h('div', { class: 'fr-mt-3w', role: 'status', 'data-testid': 'verify-result' });
  const form = h('form', { class: 'amphi-verify', novalidate: true },
    h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: pasteId }, t('badges.pasteLabel'), h('span', { class: 'fr-hint-text' }, t('badges.pasteHint'))),
      paste),
    h('div', { class: 'fr-upload-group fr-mb-3w' },
      h('label', { class: 'fr-label', for: fileId }, t('badges.fileLabel'), h('span', { class: 'fr-hint-text' }, t('badges.fileHint'))),
      file),
    button);
  const root = h('div', {}, h('h1', { tabindex: '-1' }, t('badges.verifyTitle')), h('p', {}, t('badges.verifyIntro')), form, result);
  let request = 0;

  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    if (chosen.size > MAX_CREDENTIAL_BYTES) {
      setChildren(result, h('p', { class: 'fr-error-text' }, t('badges.fileTooLarge')));
      return;
    }
    void chosen.text().then((text) => {
      paste.value = text.trim();
    });
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = paste.value.trim();
    if (!text) {
      setChildren(result, h('p', { class: 'fr-error-text' }, t('badges.nothingToVerify')));
      paste.focus();
      return;
    }
    const mine = ++request;
    button.disabled = true;
    setChildren(result, h('p', {}, t('badges.verifying')));
    verifyCredential(text, fetchImpl).then(
      (verdict) => mine === request && setChildren(result, verdictView(verdict)),
      (e: unknown) => mine === request && setChildren(result, h('p', { class: 'fr-error-text' },
        e instanceof ApiError && e.code !== 'network' ? errorText(e.code) : t('home.unreachable'))),
    ).finally(() => { button.disabled = false; });
  });
  return { root, dispose() { request++; } };
}

/** `/badges/credentials/{award}` (and `…/evidence`): that award's page. */
export function renderAwardPage(app: App, award: string, fetchImpl: typeof fetch = fetch): { root: HTMLElement; dispose(): void } {
  const result = h('div', { role: 'status', 'data-testid': 'verify-result' }, h('p', {}, t('badges.verifying')));
  const other = h('a', { class: 'fr-link fr-mt-3w', href: '/badges/verifier' }, t('badges.verifyAnother'));
  other.addEventListener('click', (ev) => {
    ev.preventDefault();
    app.navigate('/badges/verifier');
  });
  const root = h('div', {}, h('h1', { tabindex: '-1' }, t('badges.awardTitle')), result, h('p', { class: 'fr-mt-3w' }, other));
  let disposed = false;
  awardPage(award, fetchImpl).then(
    (verdict) => {
      if (disposed) return;
      setChildren(result, verdictView(verdict));
      // A revoked award's evidence is withdrawn (410): the verdict says why.
      awardEvidence(award, fetchImpl).then((items) => {
        const section = disposed ? null : evidenceSection(items);
        if (!section) return;
        result.after(section);
        const anchor = decodeURIComponent(location.hash.slice(1));
        const target = anchor ? section.querySelector<HTMLElement>(`[id="${CSS.escape(anchor)}"]`) : null;
        if (target) {
          target.scrollIntoView();
          target.focus();
        }
      }, () => undefined);
    },
    (e: unknown) => !disposed && setChildren(result, h('p', { class: 'fr-error-text' },
      e instanceof ApiError && e.code === 'not_found' ? t('badges.awardUnknown') : e instanceof ApiError && e.code !== 'network' ? errorText(e.code) : t('home.unreachable'))),
  );
  return { root, dispose() { disposed = true; } };
}
