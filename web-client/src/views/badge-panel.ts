// "Badges et attestations" in a trainer's console (quiz, board, ateliers):
// the activity's badges with how many received each, who they are (with a
// revocation and its reason), a badge retired; and the form that attaches
// one: name, description, criteria, the rule the activity can meet,
// validity, an image (chosen, or drawn from the DSFR template with the
// badge's name and the activity's title: badge-image.ts). Everything goes
// through the badges' REST API with the trainer's token; lists are drawn
// with lit-html, keyed by badge and award, so a reason being typed stays
// when the list is refreshed.

import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { App } from '../app';
import { ApiError, listMyRooms, type MyRoom } from '../api';
import { createBadge, listAwards, listBadges, retireBadge, revokeAward, uploadBadgeImage, type Award, type Badge, type BadgeRule } from '../badges-api';
import { h, uid } from '../dom';
import { errorText, lang, t, tn, type MessageKey } from '../i18n';
import { dateAndTime } from '../local-time';
import type { RoomId } from '../protocol';
import { loadTrainerToken } from '../session';
import { awardState } from './badge-awards';
import { templateImage } from './badge-image';

export type BadgeActivity = 'quiz' | 'board' | 'breakout';

/** The rules each activity offers, the first the default. */
export const RULES: Record<BadgeActivity, BadgeRule[]> = {
  quiz: ['complete', 'passed'],
  board: ['complete'],
  breakout: ['complete', 'attendance'],
};

const RULE_LABEL: Record<BadgeActivity, Partial<Record<BadgeRule, MessageKey>>> = {
  quiz: { complete: 'badges.rule.quizComplete', passed: 'badges.rule.passed' },
  board: { complete: 'badges.rule.boardComplete' },
  breakout: { complete: 'badges.rule.breakoutComplete', attendance: 'badges.rule.attendance' },
};

/** Why the server refused a rule (409 `invalid_state`), in the trainer's words. */
const RULE_REFUSED: Record<BadgeRule, MessageKey> = {
  complete: 'badges.refused.complete',
  passed: 'badges.refused.passed',
  attendance: 'badges.refused.attendance',
};

export interface BadgesPanel {
  root: HTMLElement;
  /** Lists the badges and their awards again (the activity ended, say). */
  refresh(): void;
  dispose(): void;
}

interface Listed {
  badge: Badge;
  awards: Award[];
}

export function badgesPanel(app: App, roomId: RoomId, kind: BadgeActivity, activityTitle: () => string, fetchImpl: typeof fetch = fetch): BadgesPanel {
  const status = h('p', { class: 'fr-text--sm', role: 'status', 'data-testid': 'badges-status' });
  const list = h('div', { 'data-testid': 'badges-list' });
  const form = attachForm();
  const refreshButton = h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left fr-icon-refresh-line', onclick: () => void load() },
    t('badges.refresh'));
  const root = h('section', { class: 'fr-mt-4w amphi-trainer-only amphi-badges-panel', 'aria-labelledby': `badges-${roomId}`, 'data-testid': 'badges-panel' },
    h('h2', { id: `badges-${roomId}`, class: 'fr-h4' }, t('badges.panelTitle')),
    h('p', { class: 'fr-text--sm' }, t('badges.panelHint')),
    list, h('div', { class: 'amphi-buttons' }, refreshButton), status, form.root);
  let listed: Listed[] = [];
  /** The award whose revocation is being confirmed, and the reason typed. */
  let revoking: { award: string; reason: string } | null = null;
  const open = new Set<string>();
  let disposed = false;
  let request = 0;

  // A leader's token: the trainer's, or the facilitator's session.
  const token = () => loadTrainerToken(app.store) || app.client?.bearerToken || '';

  function failure(e: unknown, rule?: BadgeRule): string {
    if (!(e instanceof ApiError) || e.code === 'network') return t('home.unreachable');
    if (e.code === 'invalid_state' && rule) return t(RULE_REFUSED[rule]);
    return errorText(e.code);
  }

  async function load(): Promise<void> {
    const mine = ++request;
    try {
      const badges = await listBadges(token(), roomId, fetchImpl);
      const withAwards = await Promise.all(badges.map(async (badge) => ({ badge, awards: await listAwards(token(), badge.id, fetchImpl) })));
      if (mine !== request || disposed) return;
      listed = withAwards;
      draw();
    } catch (e) {
      if (mine === request && !disposed) status.textContent = failure(e);
    }
  }

  function draw(): void {
    const language = lang();
    const now = Date.now();
    const awardRow = (award: Award) => {
      const state = awardState(award, now);
      const confirming = revoking?.award === award.id;
      const reasonId = `reason-${award.id}`;
      return html`<tr data-testid="badge-award">
        <td>${award.recipient_name || t('badges.nameErased')}</td>
        <td>${dateAndTime(award.issued_at, language)}</td>
        <td>${state === 'revoked' ? html`<span class="fr-badge fr-badge--error fr-badge--sm">${t('badges.revoked')}</span>${award.revocation_reason ? html` <span class="fr-text--xs">${award.revocation_reason}</span>` : nothing}`
          : state === 'expired' ? html`<span class="fr-badge fr-badge--warning fr-badge--sm">${t('badges.expired')}</span>`
          : html`<span class="fr-badge fr-badge--success fr-badge--sm">${t('badges.valid')}</span>`}</td>
        <td>${state === 'revoked' ? nothing : confirming
          ? html`<div class="fr-input-group fr-mb-1w"><label class="fr-label" for=${reasonId}>${t('badges.revokeReason')}</label>
              <input class="fr-input" id=${reasonId} maxlength="500" .value=${revoking?.reason ?? ''} @input=${(ev: Event) => { if (revoking) revoking.reason = (ev.target as HTMLInputElement).value; }}></div>
              <div class="amphi-buttons"><button type="button" class="fr-btn fr-btn--sm" data-testid="confirm-revoke" @click=${() => void revoke(award)}>${t('badges.confirmRevoke')}</button>
              <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" @click=${() => { revoking = null; draw(); }}>${t('badges.cancel')}</button></div>`
          : html`<button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" data-testid="revoke-award"
              aria-label=${t('badges.revokeLabel', { name: award.recipient_name || t('badges.nameErased') })}
              @click=${() => { revoking = { award: award.id, reason: '' }; draw(); document.getElementById(reasonId)?.focus(); }}>${t('badges.revoke')}</button>`}</td>
      </tr>`;
    };
    const badgeItem = ({ badge, awards }: Listed) => {
      const shown = open.has(badge.id);
      const ruleKey = RULE_LABEL[kind][badge.rule];
      return html`<li class="amphi-badge-item fr-mb-2w" data-testid="badge" data-badge=${badge.id}>
        <div class="amphi-badge-item__head">
          ${badge.image ? html`<img class="amphi-badge-item__img" src=${badge.image} alt="" width="64" height="64">` : nothing}
          <div>
            <h3 class="fr-h6 fr-mb-0">${badge.name}</h3>
            <p class="fr-text--sm fr-mb-0">${ruleKey ? t(ruleKey) : badge.rule}${badge.rule === 'attendance' && badge.min_percent ? ` (${badge.min_percent} %)` : ''}${badge.valid_days ? ` · ${tn('badges.validDays', badge.valid_days)}` : ''}</p>
            ${badge.series.length > 1 ? html`<p class="fr-text--sm fr-mb-0" data-testid="badge-series">${tn('badges.seriesOf', badge.series.length)}</p>` : nothing}
            <p class="fr-text--sm fr-mb-0" data-testid="badge-count">${tn('badges.awardedCount', awards.length)}</p>
          </div>
        </div>
        <div class="amphi-buttons fr-mt-1w">
          <button type="button" class="fr-btn fr-btn--sm fr-btn--secondary" aria-expanded=${shown ? 'true' : 'false'} ?disabled=${awards.length === 0}
            data-testid="show-awards" @click=${() => { if (shown) open.delete(badge.id); else open.add(badge.id); draw(); }}>${t(shown ? 'badges.hideAwards' : 'badges.showAwards')}</button>
          <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" data-testid="retire-badge"
            aria-label=${t('badges.retireLabel', { badge: badge.name })} @click=${() => void retire(badge)}>${t('badges.retire')}</button>
        </div>
        ${shown && awards.length > 0 ? html`<div class="fr-table fr-table--sm fr-mt-1w"><table>
          <caption class="fr-sr-only">${t('badges.awardsCaption', { badge: badge.name })}</caption>
          <thead><tr><th scope="col">${t('badges.col.name')}</th><th scope="col">${t('badges.col.issued')}</th><th scope="col">${t('badges.col.state')}</th><th scope="col">${t('badges.col.action')}</th></tr></thead>
          <tbody>${repeat(awards, (a) => a.id, awardRow)}</tbody></table></div>` : nothing}
      </li>`;
    };
    render(listed.length === 0
      ? html`<p class="fr-text--sm amphi-muted" data-testid="badges-none">${t('badges.none')}</p>`
      : html`<ul class="amphi-list" role="list">${repeat(listed, (l) => l.badge.id, badgeItem)}</ul>`, list);
  }

  async function revoke(award: Award): Promise<void> {
    const reason = revoking?.reason.trim() ?? '';
    if (!reason) {
      status.textContent = t('badges.reasonMissing');
      document.getElementById(`reason-${award.id}`)?.focus();
      return;
    }
    try {
      await revokeAward(token(), award.id, reason, fetchImpl);
      revoking = null;
      status.textContent = t('badges.revokedDone', { name: award.recipient_name || t('badges.nameErased') });
      await load();
    } catch (e) {
      status.textContent = failure(e);
    }
  }

  async function retire(badge: Badge): Promise<void> {
    try {
      await retireBadge(token(), badge.id, fetchImpl);
      status.textContent = t('badges.retiredDone', { badge: badge.name });
      await load();
    } catch (e) {
      status.textContent = failure(e);
    }
  }

  /** The "Attacher un badge" form (in a DSFR accordion-like <details>). */
  function attachForm(): { root: HTMLElement } {
    const field = (label: MessageKey, control: HTMLElement, hint?: MessageKey) => {
      const id = control.id || uid('badge-field');
      control.id = id;
      return h('div', { class: 'fr-input-group' },
        h('label', { class: 'fr-label', for: id }, t(label), hint ? h('span', { class: 'fr-hint-text' }, t(hint)) : null), control);
    };
    const name = h('input', { class: 'fr-input', maxlength: 120, required: true, 'data-testid': 'badge-name' });
    const description = h('textarea', { class: 'fr-input', rows: 2, maxlength: 2000, required: true, 'data-testid': 'badge-description' });
    const criteria = h('textarea', { class: 'fr-input', rows: 2, maxlength: 2000, required: true, 'data-testid': 'badge-criteria' });
    const rule = h('select', { class: 'fr-select', 'data-testid': 'badge-rule' },
      ...RULES[kind].map((r) => h('option', { value: r }, t(RULE_LABEL[kind][r]!))));
    const percent = h('input', { class: 'fr-input', type: 'number', min: 1, max: 100, value: 75, 'data-testid': 'badge-percent' });
    const percentGroup = field('badges.minPercent', percent);
    percentGroup.hidden = true;
    rule.addEventListener('change', () => { percentGroup.hidden = rule.value !== 'attendance'; });
    const days = h('input', { class: 'fr-input', type: 'number', min: 1, max: 3650, 'data-testid': 'badge-days' });
    const image = h('input', { class: 'fr-upload', type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', 'data-testid': 'badge-image' });
    // The other activities a series may take: the trainer's own, listed when the form opens.
    const seriesBoxes = h('div', { 'data-testid': 'badge-series-choices' });
    const series = h('fieldset', { class: 'fr-fieldset fr-mb-2w' },
      h('legend', { class: 'fr-fieldset__legend fr-text--regular' }, t('badges.series'),
        h('span', { class: 'fr-hint-text' }, t('badges.seriesHint'))),
      seriesBoxes);
    let seriesLoaded = false;
    const loadSeries = async () => {
      if (seriesLoaded) return;
      seriesLoaded = true;
      let rooms: MyRoom[] = [];
      try {
        rooms = (await listMyRooms(token(), fetchImpl)).filter((r) => r.id !== roomId && r.kind !== 'lobby');
      } catch {
        seriesLoaded = false;
      }
      seriesBoxes.replaceChildren(...(rooms.length === 0
        ? [h('p', { class: 'fr-text--sm amphi-muted fr-mb-0' }, t('badges.seriesNone'))]
        : rooms.map((room) => {
          const id = uid('series');
          return h('div', { class: 'fr-fieldset__element' }, h('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
            h('input', { type: 'checkbox', id, value: room.id, 'data-testid': 'badge-series-room' }),
            h('label', { class: 'fr-label', for: id }, room.title)));
        })));
    };
    const chosenSeries = () => [...seriesBoxes.querySelectorAll<HTMLInputElement>('input:checked')].map((box) => box.value);
    const submit = h('button', { type: 'submit', class: 'fr-btn', 'data-testid': 'attach-badge' }, t('badges.attach'));
    const formStatus = h('p', { class: 'fr-text--sm', role: 'status', 'data-testid': 'attach-status' });
    const form = h('form', { novalidate: true },
      field('badges.name', name),
      field('badges.description', description),
      field('badges.criteria', criteria, 'badges.criteriaHint'),
      field('badges.rule', rule),
      percentGroup,
      field('badges.validDaysLabel', days, 'badges.validDaysHint'),
      series,
      h('div', { class: 'fr-upload-group fr-mb-3w' },
        h('label', { class: 'fr-label', for: (image.id = uid('badge-image')) }, t('badges.image'), h('span', { class: 'fr-hint-text' }, t('badges.imageHint'))), image),
      submit, formStatus);
    const root = h('details', { class: 'amphi-attach fr-mt-2w', 'data-testid': 'attach-form' }, h('summary', { class: 'fr-btn fr-btn--secondary fr-btn--sm' }, t('badges.attachTitle')), form);

    root.addEventListener('toggle', () => { if ((root as HTMLDetailsElement).open) void loadSeries(); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void attach();
    });

    async function attach(): Promise<void> {
      const chosenRule = rule.value as BadgeRule;
      // The three texts an Open Badge states, none empty (the server says so too).
      for (const [control, missing] of [[name, 'badges.nameMissing'], [description, 'badges.descriptionMissing'], [criteria, 'badges.criteriaMissing']] as const) {
        if (!control.value.trim()) {
          formStatus.textContent = t(missing);
          control.focus();
          return;
        }
      }
      const validDays = days.value ? Number(days.value) : undefined;
      const minPercent = chosenRule === 'attendance' ? Number(percent.value) : undefined;
      const others = chosenSeries();
      if (others.length > 0 && chosenRule === 'attendance') {
        formStatus.textContent = t('badges.seriesAttendance');
        return;
      }
      if (minPercent !== undefined && !(minPercent >= 1 && minPercent <= 100)) {
        formStatus.textContent = t('badges.percentRange');
        percent.focus();
        return;
      }
      submit.disabled = true;
      formStatus.textContent = t('badges.attaching');
      try {
        const badge = await createBadge(token(), {
          activity: roomId,
          name: name.value.trim(),
          description: description.value.trim(),
          criteria: criteria.value.trim(),
          rule: chosenRule,
          ...(minPercent !== undefined ? { min_percent: minPercent } : {}),
          ...(validDays !== undefined ? { valid_days: validDays } : {}),
          ...(others.length > 0 ? { series: others } : {}),
        }, fetchImpl);
        const picture = image.files?.[0] ?? await templateImage(badge.name, activityTitle());
        let imageProblem = '';
        if (picture) {
          await uploadBadgeImage(token(), badge.id, picture, fetchImpl).catch((e: unknown) => { imageProblem = failure(e); });
        }
        const awarded = badge.awarded_now ?? 0;
        formStatus.textContent = [
          awarded > 0 ? tn('badges.attachedAwarded', awarded, { badge: badge.name }) : t('badges.attached', { badge: badge.name }),
          imageProblem ? t('badges.imageRefused', { problem: imageProblem }) : '',
        ].filter(Boolean).join(' ');
        for (const control of [name, description, criteria, days]) control.value = '';
        for (const box of seriesBoxes.querySelectorAll<HTMLInputElement>('input:checked')) box.checked = false;
        image.value = '';
        await load();
      } catch (e) {
        formStatus.textContent = failure(e, chosenRule);
      } finally {
        submit.disabled = false;
      }
    }
    return { root };
  }

  void load();
  return {
    root,
    refresh: () => void load(),
    dispose() {
      disposed = true;
      request++;
    },
  };
}
