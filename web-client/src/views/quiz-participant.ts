// Participant quiz screen, made for a 360 px phone: waiting in the lobby, the
// open question with its answer form and countdown, "Réponse envoyée" once
// the server took it (answers go through the client's pending queue: resent
// with the same id after a reconnect, never doubled), the feedback after the
// reveal (or at once, self-paced) scrolled into view with the navigation,
// own score and rank, the leaderboard, the end results, and self-paced
// navigation with "Vous avez terminé" once every question is answered.
// Events are read out politely. The stage is drawn with lit-html: a new
// screen (or a new question, or round) is drawn afresh and takes the focus;
// an update within a screen (the score, the results, the leaderboard) is
// drawn in place, so the nodes, the focus and what was typed stay.

import type { App, View } from '../app';
import type { AmphiClient } from '../client';
import { html, nothing, render, type TemplateResult } from 'lit-html';
import { keyed } from 'lit-html/directives/keyed.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { h } from '../dom';
import { errorText, formatPlanned, t, type MessageKey, tn } from '../i18n';
import type { RoomId } from '../protocol';
import type { AnswerValue, QuizEvent } from '../quiz-protocol';
import { answerText, correctAnswerText, formatCountdown, formatNumber, remainingMs } from '../quiz-format';
import { badgeEarned } from './badge-earned';
import { acceptsAnswers, currentAnswer, currentResult, isSelfPaced, phaseIndex, selfPacedFinished, type QuizState } from '../quiz-state';
import { bringIntoView, connectionBadge, focusIsFree, watchRoom } from './common';
import { answerForm, type AnswerForm } from './quiz-answer';
import { countdown, distributionBlock, leaderboardList, questionHeading, questionPrompt, scoreText } from './quiz-common';

export function renderQuizParticipant(app: App, client: AmphiClient, roomId: RoomId): View {
  const title = h('h1', { class: 'fr-h3 fr-mb-1w' });
  const badge = connectionBadge(client);
  const you = h('p', { class: 'fr-text--sm fr-mb-0 amphi-muted' });
  const errors = h('div', { class: 'fr-mt-1w' });
  const stage = h('div');
  const earned = badgeEarned(app, client, roomId);
  const leaveButton = h('button', {
    type: 'button',
    class: 'fr-btn fr-btn--tertiary fr-btn--sm fr-btn--icon-left fr-icon-logout-box-r-line',
    onclick: () => void app.leave(roomId),
  }, t('lobby.leave'));
  const root = h('div', { class: 'amphi-quiz-participant' },
    title,
    h('div', { class: 'amphi-statusbar' }, badge.root, you),
    errors,
    stage,
    earned.root,
    h('div', { class: 'fr-mt-6w' }, leaveButton));

  // Parts of the question screen, built afresh with each new question (or round).
  let form: AnswerForm | null = null;
  let status: HTMLElement | null = null;
  let feedback: HTMLElement | null = null;
  let nav: { root: HTMLElement; previous: HTMLButtonElement; next: HTMLButtonElement; finish: HTMLButtonElement } | null = null;
  /** The screen was built with its feedback there (coming back to an answered question): no scrolling to it. */
  let feedbackAtBuild = false;
  /** Self-paced, every question answered: the participant asked for the finished screen. */
  let showFinished = false;
  const timer = countdown(() => client.serverNow(), (ms) => app.announce(tn('quiz.announce.secondsLeft', ms / 1000)));
  /** The screen shown, and which question and round on the question screen. */
  let stageScreen = '';

  function submit(question: number, answer: AnswerValue, confidence?: number): void {
    if (client.pendingAnswer(roomId, question)) return; // one answer in flight, never two
    errors.replaceChildren();
    void client.command({ type: 'quiz', room: roomId, command: { action: 'answer', question, answer, ...(confidence ? { confidence } : {}) } });
    update();
  }

  function move(action: 'next_question' | 'previous_question'): void {
    if (client.hasPendingQuiz(roomId, action)) return;
    errors.replaceChildren();
    void client.command({ type: 'quiz', room: roomId, command: { action } });
    update();
  }

  /** Which screen; `id` tells a new one (a new question or round is a new screen). */
  function screenOf(state: QuizState | undefined): { screen: string; id: string } {
    if (!state) return { screen: 'loading', id: 'loading' };
    if (client.me && state.removed.includes(client.me.id)) return { screen: 'removed', id: 'removed' };
    const phase = state.phase;
    if (phase.state === 'ended') return { screen: 'ended', id: 'ended' };
    if (phase.state === 'leaderboard') return { screen: 'board', id: 'board' };
    if (showFinished && selfPacedFinished(state)) return { screen: 'finished', id: 'finished' };
    const current = state.current;
    if (current && (phaseIndex(phase) === current.question.index || phase.state === 'window')) {
      return { screen: 'question', id: `question:${current.question.index}:${current.round}` };
    }
    return { screen: 'wait', id: 'wait' };
  }

  /** The question screen's own parts, made for a new question (or round). */
  function buildQuestion(state: QuizState): void {
    const question = state.current!.question;
    form = answerForm(question, {
      confidence: state.settings.confidence,
      submit: (answer, confidence) => submit(question.index, answer, confidence),
      announce: (text) => app.announce(text),
    });
    status = h('div', { class: 'amphi-answer-status', role: 'status', 'data-testid': 'answer-status' });
    feedback = h('div', { 'data-testid': 'feedback' });
    feedbackAtBuild = feedbackTemplate(state) !== null;
    nav = null;
    if (isSelfPaced(state)) {
      const previous = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-arrow-left-s-line', onclick: () => move('previous_question') }, t('quiz.previous'));
      const next = h('button', { type: 'button', class: 'fr-btn fr-btn--icon-right fr-icon-arrow-right-s-line', onclick: () => move('next_question') }, t('quiz.next'));
      const finish = h('button', { type: 'button', class: 'fr-btn fr-btn--icon-right fr-icon-check-line', 'data-testid': 'finish', hidden: true, onclick: () => {
        showFinished = true;
        update();
      } }, t('quiz.finish'));
      nav = { root: h('div', { class: 'amphi-quiz-nav', role: 'group', 'aria-label': t('quiz.navigation') }, previous, next, finish), previous, next, finish };
    }
  }

  function stageTemplate(state: QuizState | undefined, screen: string): TemplateResult {
    if (!state) return html`<p>${t('quiz.loading')}</p>`;
    if (screen === 'removed') return message('quiz.removedTitle', 'quiz.removedText');
    if (screen === 'ended') return endScreen(state);
    if (screen === 'board') return boardScreen(state);
    if (screen === 'finished') return finishedScreen(state);
    if (screen === 'question') return questionScreen(state);
    if (state.phase.state === 'scheduled') {
      return message('quiz.scheduledTitle', 'quiz.scheduledText', { time: formatPlanned(state.phase.opens_at, client.serverNow()) });
    }
    const waiting: MessageKey = state.phase.state === 'lobby' ? 'quiz.waitStart' : state.phase.state === 'window' ? 'quiz.waitWindow' : 'quiz.waitNext';
    return html`<div class="amphi-quiz-wait" data-testid="quiz-waiting">
      <h2 class="fr-h4" tabindex="-1">${state.title}</h2>
      <p class="fr-text--lg">${t(waiting)}</p>
      <p class="fr-text--sm amphi-muted" data-testid="question-count">${tn('quiz.questionCount', state.questionCount)}</p>
      ${scoreLineTemplate(state)}
    </div>`;
  }

  function message(titleKey: MessageKey, textKey: MessageKey, params: Record<string, string | number> = {}): TemplateResult {
    return html`<div class="amphi-quiz-wait"><h2 class="fr-h4" tabindex="-1">${t(titleKey)}</h2><p>${t(textKey, params)}</p></div>`;
  }

  /** Whether to tell one's score and rank: once there is something to tell (an answer counted, or the end). */
  function scoreToTell(state: QuizState): boolean {
    const score = state.score;
    return Boolean(score) && !(score!.answered === 0 && state.phase.state !== 'ended' && !state.revealed);
  }

  /** Own score and rank, in the feedback. */
  /** Own score and rank, on a screen. */
  function scoreLineTemplate(state: QuizState): TemplateResult | typeof nothing {
    return scoreToTell(state) ? html`<p class="amphi-score" data-testid="your-score">${scoreText(state.score!)}</p>` : nothing;
  }

  function questionScreen(state: QuizState): TemplateResult {
    const question = state.current!.question;
    return html`<div class="amphi-question-top">${questionHeading(state, question)}${timer.root}</div>${questionPrompt(question, true)}${form?.root}${status}${feedback}${nav ? nav.root : nothing}`;
  }

  /** Self-paced, every question answered: the score, and the way back to the answers
   * (the question-by-question results come with the end: after a reload this tab knows
   * only some of them). */
  function finishedScreen(state: QuizState): TemplateResult {
    const review = () => {
      showFinished = false;
      update();
    };
    return html`<div class="amphi-quiz-end" data-testid="quiz-finished">
      <h2 class="fr-h4" tabindex="-1">${t('quiz.finishedTitle')}</h2>
      ${scoreLineTemplate(state)}
      <p>${t('quiz.finishedText')}</p>
      <button type="button" class="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-arrow-left-s-line" @click=${review}>${t('quiz.review')}</button>
    </div>`;
  }

  /** Own results, question by question (those shown so far), one item per question. */
  function resultsList(state: QuizState): TemplateResult | typeof nothing {
    const results = Object.values(state.results).sort((a, b) => a.question - b.question);
    if (!results.length) return nothing;
    const item = (r: (typeof results)[number]) => {
      const verdict = r.correct === undefined ? t('quiz.ungraded') : t(r.correct ? 'quiz.right' : 'quiz.wrong');
      const prompt = state.seen[r.question]?.prompt;
      return html`<li class="amphi-list__item amphi-result"><span class="amphi-list__name">${t('quiz.questionShort', { number: r.question + 1 })}${prompt ? ` — ${prompt}` : ''}</span><span>${verdict} · ${t('quiz.points', { points: formatNumber(r.points) })}</span></li>`;
    };
    return html`<ul class="amphi-list" data-testid="results">${repeat(results, (r) => r.question, item)}</ul>`;
  }

  function boardScreen(state: QuizState): TemplateResult {
    return html`<div class="amphi-quiz-board">
      <h2 class="fr-h4" tabindex="-1">${t('quiz.leaderboard')}</h2>
      ${scoreLineTemplate(state)}
      ${leaderboardList(state.leaderboard ?? [])}
    </div>`;
  }

  function endScreen(state: QuizState): TemplateResult {
    const board = state.settings.leaderboard !== 'off' && state.leaderboard?.length
      ? html`<h3 class="fr-h5 fr-mt-3w">${t('quiz.leaderboard')}</h3>${leaderboardList(state.leaderboard)}` : nothing;
    return html`<div class="amphi-quiz-end" data-testid="quiz-ended">
      <h2 class="fr-h4" tabindex="-1">${t('quiz.endedTitle')}</h2>
      ${scoreToTell(state) ? scoreLineTemplate(state) : html`<p>${t('quiz.endedNoScore')}</p>`}
      ${resultsList(state)}
      ${board}
    </div>`;
  }

  /** Status, lock, feedback and navigation of the question screen. */
  function refreshQuestion(state: QuizState): void {
    const current = state.current;
    if (!current || !form || !status || !feedback) return;
    const index = current.question.index;
    const mine = currentAnswer(state);
    const pending = client.pendingAnswer(roomId, index);
    const open = acceptsAnswers(state);
    const selfPaced = isSelfPaced(state);
    const canChange = state.settings.allow_change && (!selfPaced || state.settings.feedback === 'at_end');
    const pendingAnswer = pending?.type === 'quiz' && pending.command.action === 'answer' ? pending.command.answer : undefined;

    if (pendingAnswer || (mine && !canChange) || !open) form.lock(pendingAnswer ?? mine?.answer);
    else form.unlock();
    timer.set(open ? current.deadline_ms : undefined, selfPaced ? undefined : (current.question.time_limit_s ?? 0) * 1000);

    let line: TemplateResult;
    if (pending) {
      line = html`<p class="fr-mb-0">${t(client.status === 'online' ? 'quiz.sending' : 'quiz.sendingOffline')}</p>`;
    } else if (mine) {
      line = html`<div class="amphi-sent">
        <p class="amphi-sent__title fr-mb-0" data-testid="answer-sent"><span class="fr-icon-check-line" aria-hidden="true"></span> ${t('quiz.sent')}</p>
        <p class="fr-text--sm fr-mb-0">${t('quiz.yourAnswerIs', { answer: answerText(current.question, mine.answer) })}</p>
        ${canChange && open ? html`<p class="fr-text--sm fr-mb-0 amphi-muted">${t('quiz.canChange')}</p>` : nothing}</div>`;
    } else if (!open) {
      line = html`<p class="fr-mb-0">${t('quiz.closedNoAnswer')}</p>`;
    } else {
      line = html`<p class="fr-sr-only"></p>`;
    }
    const waitReveal = !open && state.phase.state === 'closed' && !feedbackShown(state)
      ? html`<p class="fr-text--sm amphi-muted fr-mb-0">${t('quiz.waitReveal')}</p>` : nothing;
    // lit changes only what differs: a live region reads only what is new.
    const statusBefore = status.textContent;
    render(html`${line}${waitReveal}`, status);
    const statusChanged = status.textContent !== statusBefore;
    const shown = feedbackTemplate(state);
    const feedbackBefore = feedback.textContent;
    render(shown ?? nothing, feedback);
    const feedbackChanged = feedback.textContent !== feedbackBefore;
    if (nav) {
      const position = current.position ?? 0;
      const moving = client.hasPendingQuiz(roomId, 'next_question') || client.hasPendingQuiz(roomId, 'previous_question');
      nav.previous.disabled = moving || position <= 0;
      nav.next.disabled = moving || position >= state.questionCount - 1;
      nav.finish.hidden = !selfPacedFinished(state);
    }
    // The feedback came (or it or the status above it changed: the score, the
    // acknowledgement): it and the way on, in view (a phone's form is long).
    if ((feedbackChanged || statusChanged) && shown) {
      if (feedbackAtBuild) feedbackAtBuild = false;
      else bringIntoView(feedback, nav?.root ?? feedback);
    }
  }

  function feedbackShown(state: QuizState): boolean {
    return Boolean(currentResult(state)) || (state.revealed?.index === state.current?.question.index && state.phase.state === 'revealed');
  }

  function feedbackTemplate(state: QuizState): TemplateResult | null {
    const current = state.current!;
    const result = currentResult(state);
    const revealed = state.revealed && state.revealed.index === current.question.index ? state.revealed : undefined;
    if (!result && !revealed) return null;
    const correct = result?.correct_answer ?? revealed?.correct;
    const right = correct ? correctAnswerText(current.question, correct) : '';
    const answered = Boolean(currentAnswer(state));
    let verdict: TemplateResult;
    if (result && result.correct !== undefined) {
      verdict = html`<div class=${`fr-alert fr-alert--sm ${result.correct ? 'fr-alert--success' : 'fr-alert--error'}`} data-testid="verdict">
        <p class="amphi-verdict">${t(result.correct ? 'quiz.right' : 'quiz.wrong')}</p>
        <p>${t('quiz.pointsEarned', { points: formatNumber(result.points) })}</p></div>`;
    } else if (result) {
      verdict = html`<div class="fr-alert fr-alert--sm fr-alert--info" data-testid="verdict"><p>${t('quiz.thanks')}</p></div>`;
    } else if (!answered) {
      verdict = html`<div class="fr-alert fr-alert--sm fr-alert--info" data-testid="verdict"><p>${t('quiz.notAnswered')}</p></div>`;
    } else {
      verdict = html`<p class="fr-text--sm amphi-muted">${t('quiz.resultComing')}</p>`;
    }
    const explanation = result?.explanation ?? revealed?.explanation;
    return html`${verdict}
      ${right && !(result?.correct) ? html`<p class="amphi-right-answer fr-mt-1w" data-testid="right-answer">${t('quiz.rightAnswerIs', { answer: right })}</p>` : nothing}
      ${result?.feedback ? html`<p class="amphi-explanation">${result.feedback}</p>` : nothing}
      ${explanation ? html`<p class="amphi-explanation">${explanation}</p>` : nothing}
      ${scoreLineTemplate(state)}
      ${revealed ? html`<details class="amphi-details fr-mt-2w"><summary>${t('quiz.roomAnswers')}</summary>
        ${distributionBlock(current.question, revealed.stats, revealed.correct)}</details>` : nothing}`;
  }

  /** Renders the state; true when focus moved to a new screen's heading or question. */
  function update(): boolean {
    const room = client.room(roomId);
    title.textContent = room?.info.title ?? '';
    you.textContent = client.me ? t('lobby.you', { name: client.me.name }) : '';
    const state = room?.quiz;
    const { screen, id } = screenOf(state);
    const focusFree = focusIsFree(stage);
    const fresh = id !== stageScreen;
    if (fresh) {
      form = null;
      status = null;
      feedback = null;
      nav = null;
      if (state && screen === 'question') buildQuestion(state);
    }
    // A new screen is drawn afresh (keyed): its heading or prompt is a new element to take the focus.
    render(keyed(id, stageTemplate(state, screen)), stage);
    let moved = false;
    if (fresh) {
      stageScreen = id;
      // A new screen (not just new figures): take focus to its heading or
      // prompt, unless the user is busy with a control outside the stage.
      if (screen !== 'wait' && focusFree) {
        const target = stage.querySelector<HTMLElement>('[tabindex="-1"]');
        target?.focus();
        moved = Boolean(target);
      }
      if (screen !== 'question') timer.set(undefined);
    }
    if (state && screen === 'question') refreshQuestion(state);
    return moved;
  }

  /** Reads an event out; `focused`: focus already went to the new question (read there). */
  function announceEvent(event: QuizEvent, state: QuizState | undefined, focused: boolean): void {
    switch (event.kind) {
      case 'question_opened':
        if (!focused) app.announce(t('quiz.announce.question', { number: (event.position ?? event.question.index) + 1, prompt: event.question.prompt }));
        break;
      case 'deadline_extended':
        app.announce(t('quiz.announce.extended', { time: formatCountdown(remainingMs(event.deadline_ms, client.serverNow())) }));
        break;
      case 'answer_accepted':
        // Self-paced with immediate feedback: right or wrong at once.
        if (event.result?.correct !== undefined) app.announce(t(event.result.correct ? 'quiz.right' : 'quiz.wrong'));
        break;
      case 'question_closed':
        if (event.reason !== 'ended') app.announce(t('quiz.announce.closedParticipant'));
        break;
      case 'your_score': {
        const index = state?.current?.question.index;
        const result = event.results?.find((r) => r.question === index);
        if (result && result.correct !== undefined && state?.phase.state !== 'ended') {
          app.announce(t(result.correct ? 'quiz.right' : 'quiz.wrong'));
        }
        if (state?.phase.state === 'ended') app.announce(scoreText(event.score));
        break;
      }
      case 'leaderboard':
        app.announce(t('quiz.announce.leaderboard'));
        break;
      case 'ended':
        app.announce(t('quiz.endedTitle'));
        break;
      case 'participant_removed':
        app.announce(t('quiz.removedText'));
        break;
      default:
        break;
    }
  }

  const off = watchRoom(app, client, roomId, { badge, errors }, {
    redraw(event) {
      const focused = update();
      if (event?.event.kind === 'quiz' && event.event.event.kind === 'ended') earned.check();
      if (event?.event.kind === 'quiz') announceEvent(event.event.event, client.room(roomId)?.quiz, focused);
    },
    // The alert (role="alert") is read out at once.
    refused: (n) => quizErrorText(n.error.code, n.command?.type === 'quiz' ? n.command.command.action : undefined),
  });
  update();
  // Back in an ended quiz (a reload, a phone waking up): its badges may be there already.
  if (client.room(roomId)?.quiz?.phase.state === 'ended') earned.check();
  return {
    root,
    dispose() {
      off();
      earned.dispose();
      timer.dispose();
    },
  };
}

/** An error in the participant's terms (a refused answer reads differently). */
export function quizErrorText(code: string, action?: string): string {
  if (code === 'answer_late') return t('quiz.late');
  if (action === 'answer' && code === 'invalid_state') return t('quiz.answerRefused');
  if (action === 'answer' && code === 'forbidden') return t('quiz.removedText');
  return errorText(code);
}
