// The trainer's lists and tables of a quiz, drawn with lit-html: the
// self-paced progress grid (participants × questions), the end-of-quiz
// summary, the participants (with "Retirer") and the newest names shown in
// the lobby. Each render updates what changed and keeps the rows (keyed by
// member), so a screen reader reading the grid keeps its place while
// answers come in, a thousand arrivals do not rebuild a thousand rows each,
// and nothing else of the page is rebuilt.

import { html, render, nothing } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { t, tn, type MessageKey } from '../i18n';
import type { MemberView } from '../protocol';
import { percent } from '../quiz-format';
import type { QuizState } from '../quiz-state';

const CELL: Record<string, string> = { not_reached: '·', seen: '…', answered: '●', correct: '✓', wrong: '✗' };

/** The self-paced progress grid into `root` (hidden outside self-paced quizzes). */
export function renderProgress(root: HTMLElement, state: QuizState): void {
  const p = state.progress;
  root.hidden = !p || state.settings.mode !== 'self_paced';
  if (!p || root.hidden) return;
  render(html`
    <h2 id="progress-title" class="fr-h4">${t('quiz.progress')}</h2>
    <p>${t('quiz.progressFinished', { finished: p.finished, participants: p.participants })}</p>
    <div class="fr-table fr-table--no-caption amphi-table">
      <table>
        <caption>${t('quiz.progress')}</caption>
        <thead><tr>
          <th scope="col">${t('quiz.participant')}</th>
          ${p.questions.map((_q, i) => html`<th scope="col">${t('quiz.questionShort', { number: i + 1 })}</th>`)}
        </tr></thead>
        <tbody>
          ${repeat(p.rows, (r) => r.member, (r) => html`<tr data-member=${r.member}>
            <th scope="row">${r.name}${r.connected ? '' : ` (${t('trainer.disconnected')})`}</th>
            ${r.cells.map((c) => html`<td><span aria-hidden="true">${CELL[c] ?? c}</span><span class="fr-sr-only">${t(`quiz.cell.${c}` as MessageKey)}</span></td>`)}
          </tr>`)}
          <tr>
            <th scope="row">${t('quiz.answeredCorrect')}</th>
            ${p.questions.map((q) => html`<td>${q.answered} / ${q.correct}</td>`)}
          </tr>
        </tbody>
      </table>
    </div>
    <p class="fr-text--xs amphi-muted">${t('quiz.progressLegend')}</p>`, root);
}

/** The end-of-quiz summary into `root` (hidden until the quiz has one). */
export function renderSummary(root: HTMLElement, state: QuizState): void {
  const s = state.summary;
  root.hidden = !s;
  if (!s) return;
  const confidence = state.settings.confidence;
  render(html`
    <h2 id="summary-title" class="fr-h4">${t('quiz.summary')}</h2>
    <p>${t('quiz.summaryParticipants', { count: s.participants })}</p>
    <div class="fr-table fr-table--no-caption amphi-table">
      <table>
        <caption>${t('quiz.summary')}</caption>
        <thead><tr>
          <th scope="col">${t('quiz.question')}</th>
          <th scope="col">${t('quiz.answered')}</th>
          <th scope="col">${t('quiz.correct')}</th>
          ${confidence ? html`<th scope="col">${t('quiz.confidentlyWrongShort')}</th>` : nothing}
        </tr></thead>
        <tbody>
          ${repeat(s.questions, (q) => q.index, (q) => html`<tr>
            <th scope="row">${t('quiz.questionShort', { number: q.index + 1 })}${state.seen[q.index] ? ` — ${state.seen[q.index].prompt}` : ''}</th>
            <td>${q.skipped ? t('quiz.skipped') : String(q.answered)}</td>
            <td>${q.skipped ? '—' : q.graded === false ? t('quiz.notGraded') : `${q.correct} (${percent(q.correct, q.answered)}\u00a0%)`}</td>
            ${confidence ? html`<td>${String(q.confidently_wrong)}</td>` : nothing}
          </tr>`)}
        </tbody>
      </table>
    </div>`, root);
}

/** The console's participants into `root`: a row each (name, connection, "Retirer" while `canRemove`). */
export function renderParticipantList(
  root: HTMLElement,
  members: readonly MemberView[],
  opts: { canRemove: boolean; online: boolean; removing: ReadonlySet<string>; remove(member: MemberView): void },
): void {
  render(members.length
    ? html`<ul class="amphi-list">${repeat(members, (m) => m.id, (m) => html`<li class="amphi-list__item" data-member=${m.id}>
        <span class="amphi-list__name">${m.name}</span>
        <span class="fr-badge fr-badge--sm fr-badge--no-icon ${m.connected ? 'fr-badge--success' : ''}">${t(m.connected ? 'trainer.connected' : 'trainer.disconnected')}</span>
        ${opts.canRemove
          ? html`<button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" aria-label=${t('quiz.removeLabel', { name: m.name })}
              ?disabled=${opts.removing.has(m.id) || !opts.online} @click=${() => opts.remove(m)}>${t('quiz.remove')}</button>`
          : nothing}
      </li>`)}</ul>`
    : html`<p class="fr-text--sm amphi-muted">${t('trainer.noMembers')}</p>`, root);
}

/** The lobby's newest names (`shown`, and how many `more`), when the quiz waits and names are shown; else nothing. */
export function renderNewestNames(root: HTMLElement, view: { visible: boolean; shown: readonly MemberView[]; more: number }): void {
  if (!view.visible) {
    render(nothing, root);
    return;
  }
  if (view.shown.length === 0) {
    render(html`<p class="amphi-lobby-names__waiting" data-testid="lobby-names">${t('quiz.lobbyWaiting')}</p>`, root);
    return;
  }
  render(html`<section class="amphi-lobby-names" aria-labelledby="lobby-names-title" data-testid="lobby-names">
      <h3 id="lobby-names-title" class="fr-h6 fr-mb-1w">${t('quiz.lobbyNames')}</h3>
      <ul class="amphi-lobby-names__list">${repeat(view.shown, (m) => m.id, (m) => html`<li class="amphi-lobby-names__name" title=${m.name}>${m.name}</li>`)}</ul>
      ${view.more > 0 ? html`<p class="amphi-lobby-names__more" data-testid="lobby-more">${tn('quiz.lobbyMore', view.more)}</p>` : nothing}
    </section>`, root);
}
