// The trainer's two tables of a quiz, drawn with lit-html: the self-paced
// progress grid (participants × questions) and the end-of-quiz summary.
// Each render updates the cells that changed and keeps the rows (keyed by
// member), so a screen reader reading the grid keeps its place while
// answers come in, and nothing else of the page is rebuilt.

import { html, render, nothing } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { t, type MessageKey } from '../i18n';
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
