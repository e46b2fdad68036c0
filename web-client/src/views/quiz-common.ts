// Pieces shared by the quiz screens: the distribution (bars with counts and
// percentages, the right answers marked in words; a word cloud sized by
// count, counts written), the countdown to a server deadline (with its
// spoken warnings), the leaderboard, the question heading and prompt (lit-html
// templates), and the replacement of a slot's children only when their text
// changed.

import { html, nothing, type TemplateResult } from 'lit-html';
import { h, setChildren } from '../dom';
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
): HTMLElement {
  if (!stats) return h('p', { class: 'fr-text--sm amphi-muted', 'data-testid': testId }, t('quiz.noAnswersYet'));
  return renderDistribution(distributionView(question, stats, correct), testId);
}

export function renderDistribution(view: DistributionView, testId = 'distribution'): HTMLElement {
  const total = h('p', { class: 'fr-text--sm fr-mb-1w amphi-answered', 'data-testid': `${testId}-answered` },
    tn('quiz.answersCount', view.answered));
  if (view.type === 'numeric') {
    const item = (label: string, value?: number) =>
      h('div', { class: 'amphi-figure' }, h('dt', {}, label), h('dd', {}, value === undefined ? '—' : formatNumber(value)));
    return h('div', { 'data-testid': testId }, total,
      h('dl', { class: 'amphi-figures' },
        item(t('quiz.min'), view.min), item(t('quiz.median'), view.median), item(t('quiz.max'), view.max)));
  }
  if (view.type === 'ordering') {
    return h('div', { 'data-testid': testId }, total,
      h('p', {}, tn('quiz.orderingStats', view.exact, { answered: view.answered, accuracy: Math.round(view.accuracy * 100) })));
  }
  if (view.type === 'cloud') {
    // Size shows frequency at a glance; the count is written next to each word.
    const cloud = h('ul', { class: 'amphi-cloud', 'data-testid': `${testId}-cloud` },
      ...view.words.map((w) => h('li', { class: `amphi-cloud__word amphi-cloud__word--${w.weight}`, 'data-testid': `${testId}-word` },
        h('span', { class: 'amphi-cloud__text' }, w.text), ' ',
        h('span', { class: 'amphi-cloud__count' }, t('quiz.wordTimes', { count: w.count })))));
    if (view.words.length === 0) cloud.append(h('li', { class: 'fr-text--sm amphi-muted' }, t('quiz.noAnswersYet')));
    return h('div', { 'data-testid': testId }, total, cloud);
  }
  const list = h('ul', { class: 'amphi-bars' });
  for (const row of view.rows) {
    const fill = h('span', { class: `amphi-bar__fill${row.correct ? ' amphi-bar__fill--correct' : ''}` });
    fill.style.width = `${row.percent}%`;
    list.append(h('li', { class: 'amphi-bar', 'data-testid': `${testId}-row` },
      h('span', { class: 'amphi-bar__head' },
        h('span', { class: 'amphi-bar__label' }, row.label,
          row.correct ? ' ' : null,
          row.correct ? h('span', { class: 'fr-badge fr-badge--sm fr-badge--success fr-ml-1w' }, t('quiz.rightAnswer')) : null),
        h('span', { class: 'fr-sr-only' }, t('quiz.labelSep')),
        h('span', { class: 'amphi-bar__value' }, t('quiz.countPercent', { count: row.count, percent: row.percent }))),
      h('span', { class: 'amphi-bar__track', 'aria-hidden': 'true' }, fill)));
  }
  if (view.rows.length === 0) list.append(h('li', { class: 'fr-text--sm amphi-muted' }, t('quiz.noAnswersYet')));
  return h('div', { 'data-testid': testId }, total, list);
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

/** Replaces an element's children only when their text changed: live
 * regions are not read again and open <details> stay open. */
export function setChildrenIfChanged(parent: HTMLElement, ...children: (Node | null)[]): boolean {
  const nodes = children.filter((n): n is Node => n !== null);
  const key = nodes.map((n) => `${n.nodeName}:${n.textContent}`).join('|');
  if (parent.dataset.shown === key) return false;
  parent.dataset.shown = key;
  setChildren(parent, ...nodes);
  return true;
}
