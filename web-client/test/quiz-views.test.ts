// @vitest-environment happy-dom
// The quiz screens drawn with lit-html: an update about something not shown
// there (someone connects, an answer comes in) leaves the question, the QR
// code and the trainer's choices as they are (same nodes, same focus); what
// changes is drawn in place, in order.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLang } from '../src/i18n';
import type { QuizState } from '../src/quiz-state';
import type { View } from '../src/app';
import { renderQuizTrainer } from '../src/views/quiz-trainer';
import { Q0, Q1, Q2, choiceStats, opened, quiz, run } from './quiz-fixtures';
import { fakeApp, fakeClient, member, room } from './view-fixtures';

const alice = member('m-alice', 'Alice');
const bob = member('m-bob', 'Bob', 'participant', false);
const trainer = member('m-trainer', 'Camille', 'trainer');
let views: View[] = [];

beforeEach(() => {
  setLang('fr');
  document.body.replaceChildren();
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('offline')));
  vi.stubGlobal('confirm', () => true);
});
afterEach(() => {
  for (const v of views) v.dispose();
  views = [];
  vi.unstubAllGlobals();
  setLang('fr');
});

const q = <T extends HTMLElement = HTMLElement>(sel: string, from: ParentNode = document) => from.querySelector<T>(sel)!;
const all = <T extends Element = HTMLElement>(sel: string, from: ParentNode = document) => [...from.querySelectorAll<T>(sel)];

function show(view: View): View {
  views.push(view);
  document.body.append(view.root);
  return view;
}

function trainerConsole(state: QuizState) {
  const { app } = fakeApp();
  const fake = fakeClient(room('quiz', [trainer, alice, bob], { quiz: state }));
  show(renderQuizTrainer(app, fake.client, 'r1'));
  return {
    ...fake,
    unrelated() {
      const members = fake.state.members;
      fake.set(room('quiz', [members[0], members[1], { ...members[2], connected: !members[2].connected }], { quiz: fake.state.quiz }));
    },
    quiz(next: QuizState, joinCode = fake.state.info.join_code) {
      fake.set({ ...room('quiz', fake.state.members, { quiz: next }), info: { ...fake.state.info, join_code: joinCode } });
    },
  };
}

describe('the quiz console', () => {
  it('keeps the QR code while someone connects, and redraws it in place for another code', () => {
    const c = trainerConsole(quiz([]));
    const svg = q('svg.amphi-qr');
    expect(svg.getAttribute('aria-label')).toContain('ABCDEF');
    const path = q('svg.amphi-qr path').getAttribute('d');
    c.unrelated();
    expect(q('svg.amphi-qr')).toBe(svg);
    c.quiz(c.state.quiz!, 'GHJKLM');
    expect(all('svg.amphi-qr')).toEqual([svg]);
    expect(svg.getAttribute('aria-label')).toContain('GHJKLM');
    expect(q('svg.amphi-qr path').getAttribute('d')).not.toBe(path);
    c.quiz(c.state.quiz!, '');
    expect(document.querySelector('svg.amphi-qr')).toBeNull();
  });

  it('keeps the question\'s nodes while answers come in and someone connects; a new question is drawn in its place', () => {
    const s = quiz([opened(Q0)]);
    const c = trainerConsole(s);
    const prompt = q('[data-testid="question-prompt"]');
    const choices = all('.amphi-choices-preview li');
    expect(prompt.textContent).toBe('Capitale de la France ?');
    expect(choices.map((li) => li.textContent)).toEqual(['A. Paris', 'B. Lyon', 'C. Marseille']);
    expect(q('[data-testid="question-number"]').textContent).toBe('Question 1 sur 3 · Choix unique');
    c.unrelated();
    c.quiz(run(s, { kind: 'aggregate', questions: [choiceStats([1, 0, 0])], connected: 2 }));
    expect(q('[data-testid="question-prompt"]')).toBe(prompt);
    expect(all('.amphi-choices-preview li')).toEqual(choices);
    // Closed, then the next question: the prompt's text changes in place; no choices for a true/false.
    const next = run(s, { kind: 'question_closed', index: 0, reason: 'trainer', answered: 1 }, opened(Q1));
    c.quiz(next);
    expect(q('[data-testid="question-prompt"]').textContent).toBe('La Loire est le plus long fleuve de France.');
    expect(document.querySelector('.amphi-choices-preview')).toBeNull();
    expect(q('[data-testid="question-number"]').textContent).toMatch(/^Question 2 sur 3 · /);
    // A new round says so.
    c.quiz(run(next, { kind: 'question_closed', index: 1, reason: 'trainer', answered: 1 }, opened(Q1, 2)));
    expect(q('[data-testid="question-number"]').textContent).toMatch(/^Question 2 sur 3 · nouveau vote \(2e tour\) · /);
  });

  it('keeps the trainer\'s choice of question while someone connects; moves it on once that question is asked', () => {
    const s = quiz([]);
    const c = trainerConsole(s);
    const select = q<HTMLSelectElement>('#jump-question');
    const options = [...select.options];
    expect(options.map((o) => o.textContent)).toEqual(['Q1', 'Q2', 'Q3']);
    expect(select.value).toBe('0');
    select.value = '2';
    select.focus();
    c.unrelated();
    expect([...select.options]).toEqual(options);
    expect(select.value).toBe('2');
    expect(document.activeElement).toBe(select);
    // Question 3 asked and closed: its option says so, in place, and the choice moves to the next one not asked.
    const asked = run(s, opened({ ...Q2, index: 2 }), { kind: 'question_closed', index: 2, reason: 'trainer', answered: 0 });
    c.quiz(asked);
    expect([...select.options]).toEqual(options);
    expect(options[2].textContent).toBe('Q3 — Un mot pour la journée (déjà posée)');
    expect(select.value).toBe('0');
    select.value = '1';
    c.unrelated();
    expect(select.value).toBe('1');
  });
});
