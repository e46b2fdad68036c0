// The answer form of each question type, for a phone: large touch targets,
// keyboard operable, labels on every control. Single choice, true/false and
// rating scale send on tap (buttons marked with aria-pressed once chosen);
// multiple choice, numeric, texts, word cloud and ordering (quiz-ordering:
// drag, or move up/down buttons) send with "Valider". `lock` freezes the form (sent, closed) and
// shows what was answered. The screen calls `lock`/`unlock` on every update:
// each changes only what differs (the tap choices are drawn with lit-html,
// one button per choice keyed by its id), so the nodes, the focus and what
// was typed stay.

import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import { h, uid } from '../dom';
import { t, type MessageKey, tn } from '../i18n';
import type { AnswerValue, QuestionView } from '../quiz-protocol';
import { choiceLetter, formatNumber, parseDecimal, ratingLabel, toggleSign } from '../quiz-format';
import { orderingBody } from './quiz-ordering';

/** Longest texts the server takes (protocol §4, Answering). */
export const SHORT_TEXT_MAX = 200;
export const OPEN_TEXT_MAX = 1000;
export const WORD_MAX = 40;

export interface AnswerForm {
  root: HTMLElement;
  /** Freezes the form; `answer` marks what was sent (if any). */
  lock(answer?: AnswerValue): void;
  unlock(): void;
}

export interface AnswerFormOptions {
  /** Ask for a confidence level (1 unsure … 3 sure) with the answer. */
  confidence: boolean;
  submit(answer: AnswerValue, confidence?: number): void;
  /** Reads a message out (moves in an ordering). */
  announce(text: string): void;
}

export function answerForm(question: QuestionView, opts: AnswerFormOptions): AnswerForm {
  const confidence = opts.confidence ? confidencePicker() : undefined;
  const send = (answer: AnswerValue) => opts.submit(answer, confidence?.value());
  const body = formBody(question, send, opts.announce);
  const root = h('div', { class: 'amphi-answer', 'data-testid': 'answer-form' }, confidence?.root ?? null, body.root);
  // Called on every update: each part changes only what differs, so focus and typing stay.
  return {
    root,
    lock(answer) {
      confidence?.setDisabled(true);
      body.lock(answer);
    },
    unlock() {
      confidence?.setDisabled(false);
      body.unlock();
    },
  };
}

/** An answer form's body; `lock` and `unlock` may come again with nothing new: they then change nothing. */
export interface Body {
  root: HTMLElement;
  lock(answer?: AnswerValue): void;
  unlock(): void;
}

function formBody(question: QuestionView, send: (a: AnswerValue) => void, announce: (text: string) => void): Body {
  const kind = question.kind;
  switch (kind.type) {
    case 'single_choice':
      return tapChoices(kind.choices.map((c, i) => ({ key: c.id, letter: choiceLetter(i), text: c.text })), (key) => send({ type: 'choice', choice: key }),
        (a) => (a?.type === 'choice' ? a.choice : undefined));
    case 'true_false':
      return tapChoices([{ key: 'true', text: t('quiz.true') }, { key: 'false', text: t('quiz.false') }],
        (key) => send({ type: 'bool', value: key === 'true' }),
        (a) => (a?.type === 'bool' ? String(a.value) : undefined), 'amphi-options--two');
    case 'rating_scale': {
      const values: { key: string; text: string; hint?: string }[] = [];
      for (let v = kind.min; v <= kind.max; v++) values.push({ key: String(v), text: String(v), hint: ratingLabel(kind, v) });
      return tapChoices(values, (key) => send({ type: 'rating', value: Number(key) }),
        (a) => (a?.type === 'rating' ? String(a.value) : undefined), 'amphi-options--scale');
    }
    case 'multiple_choice':
      return checkboxes(kind.choices, send);
    case 'numeric':
      return textInput('quiz.numericLabel', 'quiz.numericHint', { inputmode: 'decimal', autocomplete: 'off' }, (raw) => {
        const value = parseDecimal(raw);
        return value === null ? 'quiz.numericInvalid' : { type: 'number', value };
      }, send, (a) => (a?.type === 'number' ? formatNumber(a.value) : undefined), false, true);
    case 'short_text':
      return textInput('quiz.textLabel', null, { maxlength: String(SHORT_TEXT_MAX), autocomplete: 'off' }, (raw) => {
        const text = raw.trim();
        return text ? { type: 'text', text } : 'quiz.textMissing';
      }, send, (a) => (a?.type === 'text' ? a.text : undefined));
    case 'open_text':
      return textInput('quiz.openLabel', null, { maxlength: String(OPEN_TEXT_MAX) }, (raw) => {
        const text = raw.trim();
        return text ? { type: 'text', text } : 'quiz.textMissing';
      }, send, (a) => (a?.type === 'text' ? a.text : undefined), true);
    case 'word_cloud':
      return words(kind.max_words, send);
    case 'ordering':
      return orderingBody(kind.items, send, announce, submitButton);
  }
}

// ---- tap to answer ------------------------------------------------------------------

function tapChoices(
  options: { key: string; text: string; letter?: string; hint?: string }[],
  choose: (key: string) => void,
  chosen: (a: AnswerValue | undefined) => string | undefined,
  extraClass = '',
): Body {
  let locked = false;
  /** The choice shown as sent, from the last lock. */
  let mine: string | undefined;
  const root = h('div', { class: `amphi-options ${extraClass}`, role: 'group', 'aria-label': t('quiz.yourAnswer') });
  const draw = () => render(repeat(options, (o) => o.key, (o) => {
    const chosenOne = o.key === mine;
    return html`<button type="button" class="amphi-option${chosenOne ? ' amphi-option--chosen' : ''}" aria-pressed=${String(chosenOne)}
      aria-disabled=${locked ? 'true' : nothing} data-testid=${`option-${o.key}`} @click=${() => {
        if (!locked) choose(o.key);
      }}>${o.letter ? html`<span class="amphi-option__letter" aria-hidden="true">${o.letter}</span>` : nothing}<span class="amphi-option__text">${o.text}</span>${o.hint
        ? html`<span class="amphi-option__hint">${o.hint}</span>` : nothing}<span class="amphi-option__mark">${chosenOne ? t('quiz.yourChoice') : ''}</span></button>`;
  }), root);
  draw();
  return {
    root,
    lock(answer) {
      locked = true;
      mine = chosen(answer);
      draw();
    },
    unlock() {
      locked = false;
      draw();
    },
  };
}

// ---- forms with "Valider" ------------------------------------------------------------

function submitButton(): HTMLButtonElement {
  return h('button', { type: 'submit', class: 'fr-btn fr-btn--lg amphi-submit', 'data-testid': 'submit-answer' }, t('quiz.submit'));
}

function lockForm(form: HTMLFormElement, locked: boolean): void {
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLTextAreaElement>('input, button, textarea')) {
    el.disabled = locked;
  }
}

function checkboxes(choices: { id: string; text: string }[], send: (a: AnswerValue) => void): Body {
  const legendId = uid('legend');
  const inputs = choices.map((c) => h('input', { type: 'checkbox', id: uid('choice'), value: c.id, 'data-testid': `option-${c.id}` }));
  const form = h('form', { novalidate: true },
    h('fieldset', { class: 'fr-fieldset amphi-checkboxes', 'aria-labelledby': legendId },
      h('legend', { class: 'fr-fieldset__legend fr-text--regular', id: legendId }, t('quiz.multipleHint')),
      ...choices.map((c, i) => h('div', { class: 'fr-fieldset__element' },
        h('div', { class: 'fr-checkbox-group amphi-check' }, inputs[i],
          h('label', { class: 'fr-label', for: inputs[i].id }, `${choiceLetter(i)}. ${c.text}`))))),
    submitButton());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send({ type: 'choices', choices: inputs.filter((i) => i.checked).map((i) => i.value) });
  });
  return {
    root: form,
    lock(answer) {
      if (answer?.type === 'choices') for (const i of inputs) if (i.checked !== answer.choices.includes(i.value)) i.checked = !i.checked;
      lockForm(form, true);
    },
    unlock: () => lockForm(form, false),
  };
}

function textInput(
  label: MessageKey,
  hint: MessageKey | null,
  attrs: Record<string, string>,
  read: (raw: string) => AnswerValue | MessageKey,
  send: (a: AnswerValue) => void,
  shown: (a: AnswerValue | undefined) => string | undefined,
  multiline = false,
  signToggle = false,
): Body {
  const id = uid('answer');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = multiline
    ? h('textarea', { class: 'fr-input', id, rows: 4, 'aria-describedby': hint ? hintId : undefined, ...attrs, 'data-testid': 'answer-input' })
    : h('input', { class: 'fr-input amphi-answer-input', id, type: 'text', 'aria-describedby': hint ? hintId : undefined, ...attrs, 'data-testid': 'answer-input' });
  const error = h('p', { class: 'fr-error-text', id: errorId, hidden: true });
  // Numbers: phone decimal keypads often lack a minus key, so a button changes the sign.
  const sign = signToggle ? h('button', {
    type: 'button', class: 'fr-btn fr-btn--secondary amphi-sign', title: t('quiz.toggleSign'), 'data-testid': 'toggle-sign',
    onclick: () => {
      input.value = toggleSign(input.value);
      input.focus();
    },
  }, h('span', { 'aria-hidden': 'true' }, '+/−'), h('span', { class: 'fr-sr-only' }, `${t('quiz.toggleSign')} (+/−)`)) : null;
  const group = h('div', { class: 'fr-input-group' },
    h('label', { class: 'fr-label', for: id }, t(label), hint ? h('span', { class: 'fr-hint-text', id: hintId }, t(hint)) : null),
    sign ? h('div', { class: 'amphi-number-row' }, input, sign) : input, error);
  const setError = (key: MessageKey | null) => {
    group.classList.toggle('fr-input-group--error', key !== null);
    error.hidden = key === null;
    error.textContent = key ? t(key) : '';
    input.setAttribute('aria-invalid', String(key !== null));
    input.setAttribute('aria-describedby', [hint ? hintId : '', key ? errorId : ''].filter(Boolean).join(' '));
  };
  input.addEventListener('input', () => setError(null));
  const form = h('form', { novalidate: true }, group, submitButton());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const answer = read(input.value);
    if (typeof answer === 'string') {
      setError(answer);
      input.focus();
      return;
    }
    send(answer);
  });
  return {
    root: form,
    lock(answer) {
      const text = shown(answer);
      if (text !== undefined && input.value !== text) input.value = text;
      lockForm(form, true);
    },
    unlock: () => lockForm(form, false),
  };
}

function words(max: number, send: (a: AnswerValue) => void): Body {
  const count = Math.max(1, Math.min(max, 10));
  const inputs = Array.from({ length: count }, () => h('input', { class: 'fr-input', id: uid('word'), type: 'text', maxlength: String(WORD_MAX), autocomplete: 'off' }));
  const error = h('p', { class: 'fr-error-text', hidden: true, id: uid('words-error') });
  const form = h('form', { novalidate: true },
    h('p', { class: 'fr-text--sm' }, tn('quiz.wordsHint', count)),
    ...inputs.map((input, i) => h('div', { class: 'fr-input-group' },
      h('label', { class: 'fr-label', for: input.id }, t('quiz.word', { number: i + 1 })), input)),
    error, submitButton());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const list = inputs.map((i) => i.value.trim()).filter(Boolean);
    if (list.length === 0) {
      error.hidden = false;
      error.textContent = t('quiz.wordsMissing');
      inputs[0].setAttribute('aria-describedby', error.id);
      inputs[0].focus();
      return;
    }
    error.hidden = true;
    send({ type: 'words', words: list });
  });
  return {
    root: form,
    lock(answer) {
      if (answer?.type === 'words') inputs.forEach((input, i) => {
        const word = answer.words[i] ?? '';
        if (input.value !== word) input.value = word;
      });
      lockForm(form, true);
    },
    unlock: () => lockForm(form, false),
  };
}

// ---- confidence ----------------------------------------------------------------------

function confidencePicker(): { root: HTMLElement; value(): number | undefined; setDisabled(d: boolean): void } {
  const name = uid('confidence');
  const legendId = `${name}-legend`;
  const radios = [1, 2, 3].map((level) => h('input', { type: 'radio', name, id: `${name}-${level}`, value: String(level) }));
  const root = h('fieldset', { class: 'fr-fieldset amphi-confidence', 'aria-labelledby': legendId },
    h('legend', { class: 'fr-fieldset__legend fr-text--regular', id: legendId }, t('quiz.confidence'),
      h('span', { class: 'fr-hint-text' }, t('quiz.confidenceHint'))),
    ...radios.map((radio, i) => h('div', { class: 'fr-fieldset__element fr-fieldset__element--inline' },
      h('div', { class: 'fr-radio-group' }, radio, h('label', { class: 'fr-label', for: radio.id }, t(`quiz.confidence${i + 1}` as MessageKey))))));
  return {
    root,
    value: () => {
      const checked = radios.find((r) => r.checked);
      return checked ? Number(checked.value) : undefined;
    },
    setDisabled: (d) => radios.forEach((r) => (r.disabled = d)),
  };
}
