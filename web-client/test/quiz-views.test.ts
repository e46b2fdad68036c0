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
import { renderQuizParticipant } from '../src/views/quiz-participant';
import { answerForm } from '../src/views/quiz-answer';
import type { QuestionView } from '../src/quiz-protocol';
import { Q0, Q1, Q2, choiceStats, opened, quiz, run } from './quiz-fixtures';
import { expectSameNodes, fakeApp, fakeClient, member, room } from './view-fixtures';

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
    expectSameNodes(all('svg.amphi-qr'), [svg]);
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
    expectSameNodes(all('.amphi-choices-preview li'), choices);
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

  it('updates the live distribution in place: the same bars, their figures moving', () => {
    const s = quiz([opened(Q0)]);
    const c = trainerConsole(run(s, { kind: 'aggregate', questions: [choiceStats([1, 0, 0])], connected: 2 }));
    const bars = all('[data-testid="distribution-row"]');
    expect(bars.map((b) => q('.amphi-bar__value', b).textContent!.replace(/\s/g, ' '))).toEqual(['1 (100 %)', '0 (0 %)', '0 (0 %)']);
    c.unrelated();
    c.quiz(run(s, { kind: 'aggregate', questions: [choiceStats([1, 1, 0])], connected: 2 }));
    expectSameNodes(all('[data-testid="distribution-row"]'), bars);
    expect(q('.amphi-bar__value', bars[1]).textContent).toContain('50');
    expect(q<HTMLElement>('.amphi-bar__fill', bars[1]).style.width).toBe('50%');
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
    expectSameNodes([...select.options], options);
    expect(select.value).toBe('2');
    expect(document.activeElement).toBe(select);
    // Question 3 asked and closed: its option says so, in place, and the choice moves to the next one not asked.
    const asked = run(s, opened({ ...Q2, index: 2 }), { kind: 'question_closed', index: 2, reason: 'trainer', answered: 0 });
    c.quiz(asked);
    expectSameNodes([...select.options], options);
    expect(options[2].textContent).toBe('Q3 — Un mot pour la journée (déjà posée)');
    expect(select.value).toBe('0');
    select.value = '1';
    c.unrelated();
    expect(select.value).toBe('1');
  });
});

describe('the answer form, locked and unlocked on every update', () => {
  const form = (question: QuestionView, confidence = false) => {
    const sent: unknown[] = [];
    const f = answerForm(question, { confidence, submit: (a, c) => sent.push([a, c]), announce: () => {} });
    document.body.append(f.root);
    return { f, sent };
  };

  it('tap choices: the same buttons, marked in place, the focus kept', () => {
    const { f, sent } = form(Q0);
    const buttons = all<HTMLButtonElement>('.amphi-option');
    expect(buttons.map((b) => b.dataset.testid)).toEqual(['option-c1', 'option-c2', 'option-c3']);
    buttons[1].focus();
    buttons[1].click();
    expect(sent).toEqual([[{ type: 'choice', choice: 'c2' }, undefined]]);
    for (let i = 0; i < 3; i++) f.lock({ type: 'choice', choice: 'c2' });
    expectSameNodes(all('.amphi-option'), buttons);
    expect(document.activeElement).toBe(buttons[1]);
    expect(buttons.map((b) => b.getAttribute('aria-pressed'))).toEqual(['false', 'true', 'false']);
    expect(buttons[1].className).toBe('amphi-option amphi-option--chosen');
    expect(q('.amphi-option__mark', buttons[1]).textContent).toBe('Votre choix');
    expect(buttons.every((b) => b.getAttribute('aria-disabled') === 'true')).toBe(true);
    buttons[0].click();
    expect(sent).toHaveLength(1);
    // Changed (allowed): unlocked, the mark stays; another choice locks in place.
    f.unlock();
    expect(buttons[0].hasAttribute('aria-disabled')).toBe(false);
    expect(buttons[1].getAttribute('aria-pressed')).toBe('true');
    f.lock({ type: 'choice', choice: 'c1' });
    expectSameNodes(all('.amphi-option'), buttons);
    expect(buttons.map((b) => b.getAttribute('aria-pressed'))).toEqual(['true', 'false', 'false']);
    expect(q('.amphi-option__mark', buttons[1]).textContent).toBe('');
  });

  it('a text answer: what is typed stays while unlocked; locked with what was sent, again and again', () => {
    const { f } = form(Q2);
    const input = q<HTMLInputElement>('[data-testid="answer-input"]');
    input.focus();
    input.value = 'Instructive';
    input.setSelectionRange(3, 3);
    for (let i = 0; i < 3; i++) f.unlock();
    expect(q('[data-testid="answer-input"]')).toBe(input);
    expect(input.value).toBe('Instructive');
    expect(input.selectionStart).toBe(3);
    expect(document.activeElement).toBe(input);
    f.lock({ type: 'text', text: 'Instructive' });
    input.setSelectionRange(2, 2);
    f.lock({ type: 'text', text: 'Instructive' });
    expect(input.disabled).toBe(true);
    expect(input.selectionStart).toBe(2);
    f.unlock();
    expect(input.disabled).toBe(false);
    expect(input.value).toBe('Instructive');
  });

  it('multiple choice and confidence: the ticks stay as they are across updates', () => {
    const multiple: QuestionView = { ...Q0, kind: { type: 'multiple_choice', choices: Q0.kind.type === 'single_choice' ? Q0.kind.choices : [] } };
    const { f, sent } = form(multiple, true);
    const boxes = all<HTMLInputElement>('input[type="checkbox"]');
    const radios = all<HTMLInputElement>('input[type="radio"]');
    boxes[0].checked = true;
    boxes[2].checked = true;
    radios[2].checked = true;
    f.unlock();
    f.unlock();
    expect(boxes.map((b) => b.checked)).toEqual([true, false, true]);
    q<HTMLFormElement>('form').requestSubmit();
    expect(sent).toEqual([[{ type: 'choices', choices: ['c1', 'c3'] }, 3]]);
    f.lock({ type: 'choices', choices: ['c1', 'c3'] });
    f.lock({ type: 'choices', choices: ['c1', 'c3'] });
    expect(boxes.map((b) => [b.checked, b.disabled])).toEqual([[true, true], [false, true], [true, true]]);
    expect(radios.map((r) => [r.checked, r.disabled])).toEqual([[false, true], [false, true], [true, true]]);
  });

  it('an ordering: locking again with the same order leaves the list\'s items', () => {
    const ordering: QuestionView = { index: 3, id: 'q4', prompt: 'Du nord au sud', points: 1000, kind: { type: 'ordering', items: ['Lille', 'Paris', 'Lyon'] } };
    const { f } = form(ordering);
    f.lock({ type: 'order', items: [1, 0, 2] });
    const items = all('[data-testid="ordering"] li');
    expect(items.map((li) => q('.amphi-ordering__text', li).textContent)).toEqual(['Paris', 'Lille', 'Lyon']);
    f.lock({ type: 'order', items: [1, 0, 2] });
    f.lock(undefined);
    expectSameNodes(all('[data-testid="ordering"] li'), items);
    f.lock({ type: 'order', items: [2, 1, 0] });
    expect(all('[data-testid="ordering"] li').map((li) => q('.amphi-ordering__text', li).textContent)).toEqual(['Lyon', 'Paris', 'Lille']);
  });
});

describe('the quiz on a participant\'s phone', () => {
  function phone(state: QuizState) {
    const { app } = fakeApp();
    const fake = fakeClient(room('quiz', [], { quiz: state }), alice);
    show(renderQuizParticipant(app, fake.client, 'r1'));
    return {
      ...fake,
      quiz(next: QuizState, connected = 2) {
        fake.set(room('quiz', [], { quiz: next, counts: { members: 3, connected, participants: 2, participants_connected: connected } }));
      },
    };
  }
  const score = (points: number, rank: number, answered = 1) => ({ kind: 'your_score' as const, score: { score: points, rank, participants: 2, answered } });

  it('waiting: the same heading (and the focus on it) while people connect and the score changes', () => {
    const s = quiz([]);
    const c = phone(s);
    const heading = q('[data-testid="quiz-waiting"] h2');
    heading.focus();
    c.quiz(s, 1);
    c.quiz(run(s, score(800, 1)));
    expect(q('[data-testid="quiz-waiting"] h2')).toBe(heading);
    expect(document.activeElement).toBe(heading);
    expect(q('[data-testid="question-count"]').textContent).toBe('3 questions');
  });

  it('a question: typed text, the prompt and the focus stay while the room moves; a new question is new and takes the focus', () => {
    const c = phone(quiz([]));
    const s = quiz([opened(Q2)]);
    c.quiz(s);
    const prompt = q('[data-testid="question-prompt"]');
    expect(document.activeElement).toBe(prompt);
    const input = q<HTMLInputElement>('[data-testid="answer-input"]');
    input.focus();
    input.value = 'Ense';
    c.quiz(s, 1);
    c.quiz(run(s, { kind: 'deadline_extended', index: 2, deadline_ms: Date.now() + 60_000 }));
    expect(q('[data-testid="question-prompt"]')).toBe(prompt);
    expect(q('[data-testid="answer-input"]')).toBe(input);
    expect(input.value).toBe('Ense');
    expect(document.activeElement).toBe(input);
    // Closed without an answer: the form locks in place, the text stays.
    const closed = run(s, { kind: 'question_closed', index: 2, reason: 'deadline', answered: 1 });
    c.quiz(closed);
    expect(q('[data-testid="answer-input"]')).toBe(input);
    expect(input.disabled).toBe(true);
    expect(input.value).toBe('Ense');
    // The next question: new nodes, the focus on its prompt.
    c.quiz(run(closed, opened(Q1)));
    const next = q('[data-testid="question-prompt"]');
    expect(next).not.toBe(prompt);
    expect(next.textContent).toBe('La Loire est le plus long fleuve de France.');
    expect(document.activeElement).toBe(next);
    expect(input.isConnected).toBe(false);
  });

  it('a tapped answer keeps its button and the focus while it is sent and acknowledged', () => {
    const s = quiz([opened(Q1)]);
    const c = phone(s);
    const yes = q<HTMLButtonElement>('[data-testid="option-true"]');
    yes.focus();
    yes.click();
    expect(c.sent.at(-1)).toMatchObject({ type: 'quiz', command: { action: 'answer', question: 1, answer: { type: 'bool', value: true } } });
    c.quiz(run(s, { kind: 'answer_accepted', question: 1, answer: { type: 'bool', value: true } }));
    expect(q('[data-testid="option-true"]')).toBe(yes);
    expect(document.activeElement).toBe(yes);
    expect(yes.getAttribute('aria-pressed')).toBe('true');
    expect(q('[data-testid="answer-sent"]').textContent).toContain('Réponse envoyée');
  });

  it('the end: the results and the leaderboard updated in place, in order, the focus left where it is', () => {
    const results = (n: number) => Array.from({ length: n }, (_, i) => ({ question: i, correct: i % 2 === 0, points: i % 2 === 0 ? 1000 : 0 }));
    const ended = (n: number, leaderboard: { rank: number; name: string; score: number }[]) => run(quiz([]),
      { kind: 'ended', summary: { participants: 2, questions: [], leaderboard } },
      { kind: 'your_score', score: { score: 1000, rank: 1, participants: 2, answered: n }, results: results(n) });
    const c = phone(ended(1, [{ rank: 1, name: 'Alice', score: 1000 }, { rank: 2, name: 'Bob', score: 0 }]));
    const heading = q('[data-testid="quiz-ended"] h2');
    heading.focus();
    const [first] = all('[data-testid="results"] li');
    const entries = all('.amphi-leaderboard__item');
    c.quiz(ended(2, [{ rank: 1, name: 'Bob', score: 2000 }, { rank: 2, name: 'Alice', score: 1000 }]));
    expect(q('[data-testid="quiz-ended"] h2')).toBe(heading);
    const now = all('[data-testid="results"] li');
    expect(now).toHaveLength(2);
    expect(now[0]).toBe(first);
    expect(now[1].textContent).toBe('Q2Mauvaise réponse · 0 pts');
    expectSameNodes(all('.amphi-leaderboard__item'), entries);
    expect(all('.amphi-leaderboard__name').map((e) => e.textContent)).toEqual(['Bob', 'Alice']);
    expect(document.activeElement).toBe(heading);
  });
});
