// Pieces shared by the quiz screens: the distribution (bars with counts and
// percentages, the right answers marked in words; a word cloud sized by
// count, counts written), the countdown to a server deadline (with its
// spoken warnings), the leaderboard, the question heading and prompt (lit-html
// templates).

import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { styleMap } from 'lit-html/directives/style-map.js';
import { h } from '../dom';
import { t, tn } from '../i18n';
import type { CorrectAnswer, LeaderboardEntry, QuestionStats, QuestionView, ScoreView } from '../quiz-protocol';
import { TIME_WARNINGS, distributionView, formatCountdown, formatNumber, questionTypeLabel, rankText, remainingMs, timeWarning, type DistributionView } from '../quiz-format';
import type { QuizState } from '../quiz-state';

/** The distribution of a question's answers; `correct` marks the right ones. */
export function distributionBlock(
  question: QuestionView | undefined,
  stats: QuestionStats | undefined,
  correct?: CorrectAnswer,
  testId = 'distribution',
): TemplateResult {
  if (!stats) return html`<p class="fr-text--sm amphi-muted" data-testid=${testId}>${t('quiz.noAnswersYet')}</p>`;
  return distributionTemplate(distributionView(question, stats, correct), testId);
}

/** A distribution drawn with lit-html: a redraw changes only the figures
 * that moved (bars keep their elements, a screen reader its place). */
export function distributionTemplate(view: DistributionView, testId = 'distribution'): TemplateResult {
  const total = html`<p class="fr-text--sm fr-mb-1w amphi-answered" data-testid=${`${testId}-answered`}>${tn('quiz.answersCount', view.answered)}</p>`;
  if (view.type === 'numeric') {
    const item = (label: string, value?: number) =>
      html`<div class="amphi-figure"><dt>${label}</dt><dd>${value === undefined ? '—' : formatNumber(value)}</dd></div>`;
    return html`<div data-testid=${testId}>${total}<dl class="amphi-figures">${item(t('quiz.min'), view.min)}${item(t('quiz.median'), view.median)}${item(t('quiz.max'), view.max)}</dl></div>`;
  }
  if (view.type === 'ordering') {
    return html`<div data-testid=${testId}>${total}<p>${tn('quiz.orderingStats', view.exact, { answered: view.answered, accuracy: Math.round(view.accuracy * 100) })}</p></div>`;
  }
  if (view.type === 'cloud') {
    // Size shows frequency at a glance; the count is written next to each word.
    return html`<div data-testid=${testId}>${total}<ul class="amphi-cloud" data-testid=${`${testId}-cloud`}>${repeat(view.words, (w) => w.text, (w) =>
      html`<li class=${`amphi-cloud__word amphi-cloud__word--${w.weight}`} data-testid=${`${testId}-word`}><span class="amphi-cloud__text">${w.text}</span> <span class="amphi-cloud__count">${t('quiz.wordTimes', { count: w.count })}</span></li>`)}${view.words.length === 0 ? html`<li class="fr-text--sm amphi-muted">${t('quiz.noAnswersYet')}</li>` : nothing}</ul></div>`;
  }
  return html`<div data-testid=${testId}>${total}<ul class="amphi-bars">${view.rows.map((row) =>
    html`<li class="amphi-bar" data-testid=${`${testId}-row`}><span class="amphi-bar__head"><span class="amphi-bar__label">${row.label}${row.correct ? html` <span class="fr-badge fr-badge--sm fr-badge--success fr-ml-1w">${t('quiz.rightAnswer')}</span>` : nothing}</span><span class="fr-sr-only">${t('quiz.labelSep')}</span><span class="amphi-bar__value">${t('quiz.countPercent', { count: row.count, percent: row.percent })}</span></span><span class="amphi-bar__track" aria-hidden="true"><span class=${`amphi-bar__fill${row.correct ? ' amphi-bar__fill--correct' : ''}`} style=${styleMap({ width: `${row.percent}%` })}></span></span></li>`)}${view.rows.length === 0 ? html`<li class="fr-text--sm amphi-muted">${t('quiz.noAnswersYet')}</li>` : nothing}</ul></div>`;
}

/**
 * A countdown to a server-time deadline, ticking 4 times a second. The
 * figures are not read out as they change (role="timer" is not live);
 * `onWarning` gets each spoken warning due (30 s, 10 s: `timeWarning`), once
 * per deadline, again after an extension.
 */
export function countdown(serverNow: () => number, onWarning?: (msThreshold: number) => void): {
  root: HTMLElement;
  set(deadline: number | undefined, limitMs?: number): void;
  dispose(): void;
} {
  const value = h('span', { class: 'amphi-countdown__value', 'data-testid': 'countdown' });
  const low = h('span', { class: 'amphi-countdown__low' });
  const root = h('p', { class: 'amphi-countdown', role: 'timer', 'aria-label': t('quiz.timeLeft') },
    h('span', { class: 'fr-icon-timer-line amphi-countdown__icon', 'aria-hidden': 'true' }), value, low);
  let deadline: number | undefined;
  let limit: number | undefined;
  let given: number[] = [];
  const tick = () => {
    if (deadline === undefined) return;
    const ms = remainingMs(deadline, serverNow());
    value.textContent = ms > 0 ? formatCountdown(ms) : t('quiz.timeUp');
    // Not by colour alone: the last seconds also say so in words.
    const isLow = ms > 0 && ms <= 10_000;
    root.classList.toggle('amphi-countdown--low', isLow);
    low.textContent = isLow ? t('quiz.hurry') : '';
    const warning = timeWarning(ms, limit, given);
    if (warning !== null) {
      given = TIME_WARNINGS.filter((w) => w >= warning);
      onWarning?.(warning);
    }
  };
  const timer = setInterval(tick, 250);
  return {
    root,
    set(next, limitMs) {
      // A new deadline later than the last (next question, extension): warn again.
      if (next !== undefined && (deadline === undefined || next > deadline)) given = [];
      deadline = next;
      limit = limitMs;
      root.hidden = next === undefined;
      tick();
    },
    dispose: () => clearInterval(timer),
  };
}

/** "Question 2 sur 5" and the question type. */
export function questionHeading(state: QuizState, question: QuestionView): TemplateResult {
  const position = state.current?.position ?? question.index;
  const round = state.current && state.current.round > 1 ? t('quiz.round', { round: state.current.round }) : '';
  return html`<p class="amphi-question__meta fr-mb-1w" data-testid="question-number">${t('quiz.questionOf', { number: position + 1, count: state.questionCount })}${round ? ` · ${round}` : ''} · ${questionTypeLabel(question.kind)}</p>`;
}

/** The prompt (a level 2 heading) and its image, if any; `focusable`: the whole takes the focus (tabindex -1). */
export function questionPrompt(question: QuestionView, focusable = false): TemplateResult {
  const tabindex = focusable ? '-1' : nothing;
  if (!question.image_url) return html`<h2 class="amphi-question__prompt" data-testid="question-prompt" tabindex=${tabindex}>${question.prompt}</h2>`;
  return html`<div tabindex=${tabindex}><h2 class="amphi-question__prompt" data-testid="question-prompt">${question.prompt}</h2><img class="amphi-question__image"
    src=${question.image_url} alt=${t('quiz.imageAlt')} referrerpolicy="no-referrer" loading="lazy"></div>`;
}

/** The top of the leaderboard, best first (updated in place, rank by rank). */
export function leaderboardList(entries: readonly LeaderboardEntry[]): TemplateResult {
  if (entries.length === 0) return html`<p class="fr-text--sm amphi-muted" data-testid="leaderboard">${t('quiz.leaderboardEmpty')}</p>`;
  return html`<ol class="amphi-leaderboard" data-testid="leaderboard">${entries.map((e) => html`<li class="amphi-leaderboard__item"><span
    class="amphi-leaderboard__rank">${rankText(e.rank)}</span><span class="amphi-leaderboard__name">${e.name ?? t('quiz.hiddenName')}</span><span
    class="amphi-leaderboard__score">${t('quiz.points', { points: formatNumber(e.score) })}</span></li>`)}</ol>`;
}

/** "1 000 points · 1er sur 12". */
export function scoreText(score: ScoreView): string {
  return t('quiz.scoreLine', { points: formatNumber(score.score), rank: rankText(score.rank), participants: score.participants });
}

