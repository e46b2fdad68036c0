// An item of the library (`/bibliotheque/element/ID`): its metadata for
// everyone who can see it, its content (a quiz's questions with their right
// answers, a board's sections and first posts, a plan's ateliers) for
// leaders only, as the server decides (`…/content` answers 403 to the
// others); "Utiliser une copie", which makes the copy in the bearer's
// tenant and opens it (a quiz or board room's console), and, when allowed,
// the withdrawal. The author finds the new version's form in "Mes
// publications".

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { ApiError } from '../api';
import { formatNumber, t } from '../i18n';
import { copyItem, libraryContent, libraryItem, withdrawItem, type LibraryContent, type LibraryItem } from '../library-api';
import { LIBRARY_MINE_PATH, appLink, itemFacts, problemText, type LibraryContext, type LibraryPage } from './library';

type Json = Record<string, unknown>;

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === 'object') as Json[]) : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? formatNumber(value) : '';
}

/** What a question accepts as right, as text (empty for ungraded kinds). */
export function rightAnswer(question: Json): string {
  switch (question.type) {
    case 'true_false':
      return question.answer === true ? t('lib.answer.true') : t('lib.answer.false');
    case 'short_text':
      return (Array.isArray(question.accepted) ? question.accepted : []).map(str).join(' / ');
    case 'ordering':
      return (Array.isArray(question.items) ? question.items : []).map(str).join(' > ');
    case 'numeric':
      return list(question.answers).map((a) => {
        const accepts = (a.accepts ?? {}) as Json;
        if (accepts.min !== undefined || accepts.max !== undefined) return `${str(accepts.min)}–${str(accepts.max)}`;
        const tolerance = Number(accepts.tolerance ?? 0);
        return tolerance ? `${str(accepts.value)} ± ${str(tolerance)}` : str(accepts.value);
      }).join(' / ');
    default:
      return '';
  }
}

function choiceIsRight(choice: Json): boolean {
  return choice.correct === true || (typeof choice.weight === 'number' && choice.weight > 0);
}

/** A quiz's questions, each with its choices (the right ones marked) or its right answer. */
export function quizContent(content: Json): TemplateResult {
  const quiz = (content.quiz ?? {}) as Json;
  const questions = list(quiz.questions);
  return html`<h2 class="fr-h5">${t('lib.questions', { n: questions.length })}</h2>
    <ol class="amphi-lib-questions" data-testid="lib-questions">
      ${questions.map((q) => {
        const choices = list(q.choices);
        const answer = rightAnswer(q);
        return html`<li class="fr-mb-2w" data-testid="lib-question"><p class="fr-mb-1v"><strong>${str(q.prompt)}</strong></p>
          ${choices.length ? html`<ul class="fr-text--sm">${choices.map((c) => html`<li>${str(c.text)}${choiceIsRight(c)
            ? html` <span class="fr-badge fr-badge--sm fr-badge--success" data-testid="lib-right">${t('lib.right')}</span>` : nothing}</li>`)}</ul>` : nothing}
          ${answer ? html`<p class="fr-text--sm" data-testid="lib-answer">${t('lib.rightAnswer')}\u00a0: ${answer}</p>` : nothing}
        </li>`;
      })}
    </ol>`;
}

function boardContent(content: Json): TemplateResult {
  const sections = Array.isArray(content.sections) ? content.sections.map(str) : [];
  const posts = list(content.posts);
  return html`<h2 class="fr-h5">${t('lib.sections', { n: sections.length })}</h2>
    <ol data-testid="lib-sections">${sections.map((s, index) => html`<li>${s}
      ${posts.filter((p) => p.section === index).length ? html`<ul class="fr-text--sm">${posts.filter((p) => p.section === index)
        .map((p) => html`<li>${str(p.text) || str(p.title) || t('lib.postWithoutText')}</li>`)}</ul>` : nothing}</li>`)}</ol>`;
}

function planContent(content: Json): TemplateResult {
  const plan = (content.plan ?? {}) as Json;
  const ateliers = list(plan.ateliers);
  return html`<h2 class="fr-h5">${t('lib.ateliers', { n: ateliers.length })}</h2>
    <ol data-testid="lib-ateliers">${ateliers.map((a) => html`<li>${str(a.name)}</li>`)}</ol>`;
}

export function contentView(content: LibraryContent): TemplateResult {
  if (content.kind === 'quiz') return quizContent(content.content);
  if (content.kind === 'board') return boardContent(content.content);
  return planContent(content.content);
}

export function showItem(ctx: LibraryContext, root: HTMLElement, id: string): LibraryPage {
  let item: LibraryItem | null = null;
  let content: LibraryContent | null = null;
  let contentNote = '';
  let problem = '';
  let status = '';
  let busy = false;
  let disposed = false;

  function draw(): void {
    if (disposed) return;
    if (!item) {
      render(html`<h1 tabindex="-1">${t('lib.itemTitle')}</h1>${ctx.nav}
        <p role="status" class="fr-text--sm" data-testid="lib-status">${status}</p>
        ${problem ? html`<p class="fr-error-text" role="alert" data-testid="lib-problem">${problem}</p>` : nothing}`, root);
      return;
    }
    const it = item;
    render(html`<h1 tabindex="-1" data-testid="lib-item-title">${it.title}</h1>${ctx.nav}
      ${itemFacts(it)}
      ${it.description ? html`<p class="amphi-lib-description" data-testid="lib-description">${it.description}</p>` : nothing}
      <div class="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mb-2w">
        ${it.withdrawn ? nothing : html`<button class="fr-btn fr-icon-file-add-line fr-btn--icon-left" type="button" data-testid="lib-copy"
          ?disabled=${busy} @click=${() => void copy()}>${t('lib.copy')}</button>`}
        ${it.can_withdraw ? html`<button class="fr-btn fr-btn--tertiary" type="button" data-testid="lib-withdraw" ?disabled=${busy}
          @click=${() => void withdraw()}>${t('lib.withdraw')}</button>` : nothing}
      </div>
      ${it.mine ? html`<p class="fr-text--sm">${appLink(ctx, LIBRARY_MINE_PATH, t('lib.mineHint'))}</p>` : nothing}
      <p role="status" class="fr-text--sm" data-testid="lib-status">${status}</p>
      ${problem ? html`<p class="fr-error-text" role="alert" data-testid="lib-problem">${problem}</p>` : nothing}
      <section class="fr-mt-3w" aria-label="${t('lib.contentLabel')}" data-testid="lib-content">
        ${content ? contentView(content) : html`<p class="fr-text--sm amphi-muted" data-testid="lib-content-note">${contentNote}</p>`}
      </section>`, root);
  }

  async function load(): Promise<void> {
    status = t('lib.loading');
    draw();
    try {
      item = await libraryItem(ctx.token, id, ctx.fetchImpl);
      status = '';
    } catch (e) {
      status = '';
      problem = problemText(e);
      draw();
      return;
    }
    draw();
    try {
      content = await libraryContent(ctx.token, id, ctx.fetchImpl);
    } catch (e) {
      contentNote = e instanceof ApiError && e.code === 'forbidden' ? t('lib.contentForLeaders') : problemText(e);
    }
    draw();
  }

  async function copy(): Promise<void> {
    if (!item) return;
    busy = true;
    problem = '';
    status = t('lib.copying');
    draw();
    try {
      const made = await copyItem(ctx.token, item.id, ctx.fetchImpl);
      ctx.app.announce(t('lib.copied'));
      if (made.kind === 'plan') {
        busy = false;
        status = t('lib.copiedPlan');
        draw();
        return;
      }
      const error = await ctx.app.joinWithToken(ctx.token, { room: made.target });
      if (error && !disposed) {
        busy = false;
        status = t('lib.copiedNotOpened');
        problem = problemText(new ApiError(0, error, error));
        draw();
      }
    } catch (e) {
      busy = false;
      status = '';
      problem = problemText(e);
      draw();
    }
  }

  async function withdraw(): Promise<void> {
    if (!item || !window.confirm(t('lib.withdrawConfirm', { title: item.title }))) return;
    busy = true;
    draw();
    try {
      item = await withdrawItem(ctx.token, item.id, ctx.fetchImpl);
      status = t('lib.withdrawnDone', { title: item.title });
      ctx.app.announce(status);
    } catch (e) {
      problem = problemText(e);
    }
    busy = false;
    draw();
  }

  draw();
  void load();
  return { dispose() { disposed = true; } };
}
