// @vitest-environment happy-dom
// The board screens drawn with lit-html: a redraw caused by something
// unrelated (someone connects, a like elsewhere) updates them in place, so a
// focused button keeps the focus, the same row keeps its element, and what
// the trainer typed or chose stays; a reorder or a removal is drawn right.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLang } from '../src/i18n';
import { boardFromSnapshot, type BoardState } from '../src/board-state';
import type { Post } from '../src/board-protocol';
import { renderBoardTrainer } from '../src/views/board-trainer';
import { renderBoardParticipant } from '../src/views/board-participant';
import type { View } from '../src/app';
import { post, snapshot } from './board-fixtures';
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
});

const q = <T extends HTMLElement = HTMLElement>(sel: string, from: ParentNode = document) => from.querySelector<T>(sel)!;
const all = <T extends HTMLElement = HTMLElement>(sel: string, from: ParentNode = document) => [...from.querySelectorAll<T>(sel)];

function board(posts: Post[], over: Parameters<typeof snapshot>[0] = {}): BoardState {
  return boardFromSnapshot(snapshot({ posts, total: posts.length, ...over }));
}

function console_(state: BoardState) {
  const { app } = fakeApp();
  const fake = fakeClient(room('board', [trainer, alice, bob], { board: state }));
  const view = renderBoardTrainer(app, fake.client, 'r1');
  views.push(view);
  document.body.append(view.root);
  return {
    ...fake,
    /** The same board, someone else connecting: a redraw about nothing shown here. */
    unrelated(next: BoardState = fake.state.board!) {
      fake.set(room('board', [trainer, alice, { ...bob, connected: !fake.state.members[2].connected }], { board: next }));
    },
    board(next: BoardState) {
      fake.set(room('board', fake.state.members, { board: next }));
    },
  };
}

const pending = (id: string, at: number, title = `Post ${id}`) => post(id, { status: 'pending', created_at: at, title });

describe('the moderation queue', () => {
  it('keeps its rows and the focused button while someone connects or a post is liked', () => {
    const s = board([pending('p1', 1), pending('p2', 2), post('v1')]);
    const c = console_(s);
    const queue = q('[data-testid="moderation-queue"]');
    const rows = all('[data-testid="queued-post"]', queue);
    expect(rows.map((r) => q('.fr-text--bold', r).textContent)).toEqual(['Post p1', 'Post p2']);
    const hide = q<HTMLButtonElement>('[data-focus="queue-hide"]', rows[1]);
    hide.focus();
    c.unrelated();
    c.board({ ...s, posts: { ...s.posts, v1: { ...s.posts.v1, likes: 3 } } });
    expectSameNodes(all('[data-testid="queued-post"]', queue), rows);
    expect(document.activeElement).toBe(hide);
  });

  it('adds a new post without redrawing the others, and gives the focus to the next row when the focused one is approved', () => {
    const s = board([pending('p1', 1), pending('p2', 2)]);
    const c = console_(s);
    const queue = q('[data-testid="moderation-queue"]');
    const [r1, r2] = all('[data-testid="queued-post"]', queue);
    const approve = q<HTMLButtonElement>('[data-focus="queue-approve"]', r1);
    approve.focus();
    approve.click();
    expect(c.sent.at(-1)).toMatchObject({ type: 'board', command: { action: 'approve', post: 'p1' } });
    const withNew = board([pending('p1', 1), pending('p2', 2), pending('p3', 3)]);
    c.board(withNew);
    const three = all('[data-testid="queued-post"]', queue);
    expectSameNodes(three.slice(0, 2), [r1, r2]);
    expect(q('.fr-text--bold', three[2]).textContent).toBe('Post p3');
    expect(document.activeElement).toBe(approve);
    // p1 approved: its row goes, the focus goes to p2's "Valider".
    c.board({ ...withNew, posts: { ...withNew.posts, p1: { ...withNew.posts.p1, status: 'visible' } } });
    const two = all('[data-testid="queued-post"]', queue);
    expectSameNodes(two, [r2, three[2]]);
    expect(r1.isConnected).toBe(false);
    expect(document.activeElement).toBe(q('[data-focus="queue-approve"]', r2));
    expect(q('#board-queue-title').textContent).toContain('2');
  });

  it('updates a row in place when its post is edited, and hides the queue once empty', () => {
    const s = board([pending('p1', 1)]);
    const c = console_(s);
    const row = q('[data-testid="queued-post"]');
    c.board({ ...s, posts: { p1: { ...s.posts.p1, version: 2, title: 'Titre corrigé' } } });
    expect(q('[data-testid="queued-post"]')).toBe(row);
    expect(q('.fr-text--bold', row).textContent).toBe('Titre corrigé');
    expect(q('[data-focus="queue-approve"]', row).getAttribute('aria-label')).toContain('Titre corrigé');
    c.board({ ...s, posts: { p1: { ...s.posts.p1, status: 'visible' } } });
    expect(q('[data-testid="moderation-queue"]').hidden).toBe(true);
    expect(document.querySelector('[data-testid="queued-post"]')).toBeNull();
  });
});

describe('the post form\'s section choice', () => {
  it('keeps the chosen section and its options while sections are renamed, reordered or removed', () => {
    const s = board([]);
    const c = console_(s);
    const select = q<HTMLSelectElement>('[data-testid="compose"] [data-testid="post-section"]');
    const options = [...select.options];
    expect(options.map((o) => [o.value, o.textContent])).toEqual([['s1', 'Idées'], ['s2', 'Questions']]);
    select.value = 's2';
    select.focus();
    c.unrelated();
    expectSameNodes([...select.options], options);
    expect(select.value).toBe('s2');
    expect(document.activeElement).toBe(select);
    // Renamed: the same option, its new name.
    const renamed = { ...s, sections: [{ ...s.sections[0], title: 'Pistes' }, s.sections[1]] };
    c.board(renamed);
    expectSameNodes([...select.options], options);
    expect(options[0].textContent).toBe('Pistes');
    expect(select.value).toBe('s2');
    // Reordered: the options move, the choice stays.
    c.board({ ...renamed, sections: [renamed.sections[1], renamed.sections[0], { id: 's3', title: '', locked: false }] });
    expectSameNodes([...select.options].slice(0, 2), [options[1], options[0]]);
    expect(select.options[2].textContent).toBe('Section sans titre');
    expect(select.value).toBe('s2');
    // The first removed: still s2; down to one section, the choice is hidden.
    c.board({ ...renamed, sections: [renamed.sections[1]] });
    expectSameNodes([...select.options], [options[1]]);
    expect(select.value).toBe('s2');
    expect(select.closest<HTMLElement>('.fr-select-group')!.hidden).toBe(true);
  });
});

describe('the console\'s sections', () => {
  const rowOf = (id: string) => q(`[data-section-row="${id}"]`);
  const input = (id: string) => q<HTMLInputElement>('input', rowOf(id));

  it('keeps a title being typed, the rows and the focus while posts arrive and someone connects', () => {
    const s = board([]);
    const c = console_(s);
    const rows = all('[data-testid="sections"] > li');
    expect(rows).toHaveLength(2);
    input('s2').value = 'Questions ouvertes';
    input('s2').focus();
    c.unrelated();
    c.board({ ...s, posts: { p1: post('p1', { section: 's1' }) } });
    expectSameNodes(all('[data-testid="sections"] > li'), rows);
    expect(input('s2').value).toBe('Questions ouvertes');
    expect(document.activeElement).toBe(input('s2'));
    // A post in s1: its "Supprimer" is disabled, in place.
    expect(q<HTMLButtonElement>('[data-focus="section-remove"]', rowOf('s1')).disabled).toBe(true);
    expect(q<HTMLButtonElement>('[data-focus="section-remove"]', rowOf('s2')).disabled).toBe(false);
  });

  it('renames with what was typed, then shows the new title; locks in place, keeping the focus', () => {
    const s = board([]);
    const c = console_(s);
    input('s1').value = '  Pistes ';
    q<HTMLButtonElement>('[data-focus="section-rename"]', rowOf('s1')).click();
    expect(c.sent.at(-1)).toMatchObject({ command: { action: 'rename_section', section: 's1', title: 'Pistes' } });
    const row = rowOf('s1');
    c.board({ ...s, sections: [{ ...s.sections[0], title: 'Pistes' }, s.sections[1]] });
    expect(rowOf('s1')).toBe(row);
    expect(input('s1').value).toBe('Pistes');
    expect(q('[data-focus="section-rename"]', row).getAttribute('aria-label')).toBe('Renommer la section «\u00a0Pistes\u00a0»');
    const lock = q<HTMLButtonElement>('[data-focus="section-lock"]', rowOf('s2'));
    lock.focus();
    lock.click();
    expect(c.sent.at(-1)).toMatchObject({ command: { action: 'lock_section', section: 's2', locked: true } });
    c.board({ ...s, sections: [{ ...s.sections[0], title: 'Pistes' }, { ...s.sections[1], locked: true }] });
    expect(q('[data-focus="section-lock"]', rowOf('s2'))).toBe(lock);
    expect(lock.textContent).toBe('Déverrouiller');
    expect(q('label', rowOf('s2')).textContent).toBe('Titre de la section 2Section verrouillée');
    expect(document.activeElement).toBe(lock);
  });

  it('draws a reorder and a removal right: rows move with their typed titles, numbers follow', () => {
    const s = board([], { sections: [{ id: 's1', title: 'Idées', locked: false }, { id: 's2', title: 'Questions', locked: false }, { id: 's3', title: 'Ressources', locked: false }] });
    const c = console_(s);
    const [r1, r2, r3] = all('[data-testid="sections"] > li');
    input('s3').value = 'Liens';
    c.board({ ...s, sections: [s.sections[2], s.sections[0], s.sections[1]] });
    expectSameNodes(all('[data-testid="sections"] > li'), [r3, r1, r2]);
    expect(input('s3').value).toBe('Liens');
    expect(all('[data-testid="sections"] label').map((l) => l.textContent)).toEqual(['Titre de la section 1', 'Titre de la section 2', 'Titre de la section 3']);
    const remove = q<HTMLButtonElement>('[data-focus="section-remove"]', r1);
    remove.focus();
    c.board({ ...s, sections: [s.sections[2], s.sections[1]] });
    expectSameNodes(all('[data-testid="sections"] > li'), [r3, r2]);
    expect(r1.isConnected).toBe(false);
    expect(document.activeElement).toBe(q('[data-testid="sections-panel"] summary'));
    // The label follows its input.
    expect(q<HTMLLabelElement>('label', r2).htmlFor).toBe(input('s2').id);
  });
});

describe('the board itself', () => {
  function phone(state: BoardState) {
    const { app } = fakeApp();
    const fake = fakeClient(room('board', [], { board: state }), alice);
    let pending: unknown[] = [];
    (fake.client as unknown as { pendingBoard: () => unknown[] }).pendingBoard = () => pending;
    const view = renderBoardParticipant(app, fake.client, 'r1');
    views.push(view);
    document.body.append(view.root);
    return {
      ...fake,
      board(next: BoardState, queued: unknown[] = pending) {
        pending = queued;
        fake.set(room('board', [], { board: next }));
      },
    };
  }
  const sectionsShown = () => all('[data-testid="board"] [data-testid="board-section"]');
  const cardOf = (id: string) => q(`li[data-post="${id}"]`);

  it('keeps the sections, the cards, a typed comment and the focus while another post is liked', () => {
    const s = board([post('p1'), post('p2', { section: 's2' })]);
    const c = phone(s);
    const sections = sectionsShown();
    const [li1, li2] = [cardOf('p1'), cardOf('p2')];
    const comment = q<HTMLInputElement>('[data-testid="comment-input"]', li2);
    comment.value = 'Bonne idée';
    comment.focus();
    c.board({ ...s, posts: { ...s.posts, p1: { ...s.posts.p1, likes: 4 } } });
    expectSameNodes(sectionsShown(), sections);
    expectSameNodes([cardOf('p1'), cardOf('p2')], [li1, li2]);
    expect(q<HTMLInputElement>('[data-testid="comment-input"]', li2).value).toBe('Bonne idée');
    expect(document.activeElement).toBe(comment);
    expect(q('[data-focus="like"]', li1).textContent).toContain('4');
  });

  it('moves the sections when they are reordered, and a card to its new section, keeping their elements', () => {
    const s = board([post('p1'), post('p2', { section: 's2' })]);
    const c = phone(s);
    const [first, second] = sectionsShown();
    const li1 = cardOf('p1');
    const like = q<HTMLButtonElement>('[data-focus="like"]', li1);
    like.focus();
    c.board({ ...s, sections: [s.sections[1], s.sections[0]] });
    expectSameNodes(sectionsShown(), [second, first]);
    expect(q('h2', second).textContent).toBe('Questions');
    expect(document.activeElement).toBe(like);
    // p1 moved into "Questions", after p2.
    c.board({ ...s, sections: [s.sections[1], s.sections[0]], posts: { ...s.posts, p1: { ...s.posts.p1, section: 's2', key: 'b0' } } });
    expect(cardOf('p1')).toBe(li1);
    expectSameNodes(all('li[data-post]', second), [cardOf('p2'), li1]);
    expectSameNodes(all('li[data-post]', first), []);
    expect(q('[data-testid="section-count"]', second).textContent).toBe('2 messages');
    expect(q('[data-testid="section-count"]', first).textContent).toBe('0 message');
    expect(document.activeElement).toBe(like);
  });

  it('drops a removed section, shows a locked one, and keeps the cards when the board becomes a wall', () => {
    const s = board([post('p1'), post('p2', { section: 's2', key: 'a1' })]);
    const c = phone(s);
    const [first] = sectionsShown();
    const li1 = cardOf('p1');
    const locked = { ...s, sections: [{ ...s.sections[0], locked: true }], posts: { p1: s.posts.p1 } };
    c.board(locked);
    expectSameNodes(sectionsShown(), [first]);
    expect(q<HTMLElement>('.amphi-board__locked', first).hidden).toBe(false);
    c.board({ ...s, settings: { ...s.settings, layout: 'wall' } });
    const wall = sectionsShown();
    expect(wall).toHaveLength(1);
    expect(q('h2', wall[0]).className).toContain('fr-sr-only');
    expect(q('[data-testid="board"]').className).toContain('amphi-board--wall');
    expectSameNodes(all('li[data-post]'), [li1, cardOf('p2')]);
  });

  it('shows a queued post at the end of its section until the server\'s copy replaces it', () => {
    const s = board([post('p1')]);
    const c = phone(s);
    const li1 = cardOf('p1');
    const queued = { type: 'board', id: 'c1', room: 'r1', command: { action: 'post', section: 's1', title: 'Hors ligne', text: '' } };
    c.board(s, [queued]);
    const [items] = sectionsShown().map((sec) => all('ol > li', sec));
    expect(items[0]).toBe(li1);
    expect(items[1].dataset.queued).toBe('c1');
    expect(items[1].textContent).toContain('Hors ligne');
    c.board({ ...s, posts: { ...s.posts, p9: post('p9', { key: 'b0', title: 'Hors ligne' }) } }, []);
    expect(document.querySelector('[data-queued]')).toBeNull();
    expectSameNodes(all('ol > li', sectionsShown()[0]), [li1, cardOf('p9')]);
  });
});

describe('a post\'s colour', () => {
  it('colours its card, changes with an edit, and is gone when removed', () => {
    const s = board([post('c1', { colour: 'glycine' }), post('c2')]);
    const c = console_(s);
    const card = (id: string) => all('[data-testid="post"]').find((p) => p.textContent?.includes(`Post ${id}`))!;
    expect(card('c1').classList.contains('amphi-post--colour-glycine')).toBe(true);
    expect([...card('c2').classList].some((k) => k.startsWith('amphi-post--colour-'))).toBe(false);
    const first = card('c1');
    c.board({ ...s, posts: { ...s.posts, c1: { ...s.posts.c1, colour: 'tournesol', version: 2 } } });
    expect(card('c1')).toBe(first);
    expect([...first.classList].filter((k) => k.startsWith('amphi-post--colour-'))).toEqual(['amphi-post--colour-tournesol']);
    c.board({ ...s, posts: { ...s.posts, c1: { ...s.posts.c1, colour: null, version: 3 } } });
    expect([...first.classList].some((k) => k.startsWith('amphi-post--colour-'))).toBe(false);
  });

  it('is chosen in the post form, sent, and kept by the edit form', async () => {
    const s = board([post('c1', { colour: 'menthe', author: 'm-trainer' })]);
    const c = console_(s);
    const form = q('[data-testid="compose"]');
    q<HTMLInputElement>('[data-testid="post-title"]', form).value = 'Coloré';
    const select = q<HTMLSelectElement>('[data-testid="post-colour"]', form);
    expect([...select.options].map((o) => o.textContent).slice(0, 3)).toEqual(['Aucune', 'Tilleul verveine', 'Bourgeon']);
    select.value = 'opera';
    q('form', form).dispatchEvent(new Event('submit', { cancelable: true }));
    await Promise.resolve();
    const sent = c.sent.find((m) => m.type === 'board' && m.command.action === 'post');
    expect(sent && sent.type === 'board' && sent.command.action === 'post' && sent.command.colour).toBe('opera');
  });
});

describe('switched-off contributions', () => {
  it('hide from a participant\'s form and comments, say so, and are switched from the console\'s checkboxes', () => {
    const off = board([post('p1')], { settings: { ...snapshot().settings, switched_off: ['links', 'audio', 'comments'] } });
    const { app } = fakeApp();
    const phone = fakeClient(room('board', [trainer, bob], { board: off }), bob);
    const view = renderBoardParticipant(app, phone.client, 'r1');
    views.push(view);
    document.body.append(view.root);
    const form = q('[data-testid="compose"]');
    const hidden = (testid: string) => q(`[data-testid="${testid}"]`, form).closest<HTMLElement>('.fr-input-group, .fr-upload-group')!.hidden;
    expect(hidden('post-link-input')).toBe(true);
    expect(hidden('post-video-input')).toBe(true);
    expect(hidden('post-image-input')).toBe(false);
    expect(hidden('post-file-input')).toBe(false);
    expect(q<HTMLInputElement>('[data-testid="post-file-input"]', form).accept).toBe('.pdf,.odt,.ods,.odp,.docx,.xlsx,.pptx,image/*,video/*');
    expect(q('[data-testid="switched-off"]').textContent).toBe('Désactivé par l’animateur\u00a0: messages et fichiers audio, liens et vidéos, commentaires.');
    expect(document.querySelector('[data-testid="comment-input"]')).toBeNull();
    view.dispose();
    views = [];
    document.body.replaceChildren();

    const c = console_(off);
    const boxes: Record<string, HTMLInputElement> = Object.fromEntries(all<HTMLInputElement>('[data-testid^="switch-"]').map((b) => [b.dataset.testid!, b]));
    expect(Object.entries(boxes).map(([k, b]) => [k, b.checked])).toEqual([
      ['switch-files', true], ['switch-audio', false], ['switch-links', false], ['switch-documents', true], ['switch-comments', false],
    ]);
    boxes['switch-comments']!.click();
    expect(c.sent.at(-1)).toMatchObject({ type: 'board', command: { action: 'switch', contribution: 'comments', on: true } });
    // The console's own form keeps every control (leaders may), and its comments too.
    expect(q('[data-testid="post-link-input"]').closest<HTMLElement>('.fr-input-group')!.hidden).toBe(false);
    expect(document.querySelector('[data-testid="comment-input"]')).not.toBeNull();
  });
});

describe('settings read out', () => {
  it('tells a participant what was switched off or on, and the reactions chosen', async () => {
    const { boardAnnouncer } = await import('../src/views/board-common');
    const { app, said } = fakeApp();
    const announcer = boardAnnouncer(app, () => 'm-bob', false);
    const before = board([]);
    announcer.event({ kind: 'settings', settings: { ...before.settings, switched_off: ['links', 'comments'] } }, before);
    announcer.event({ kind: 'settings', settings: { ...before.settings, switched_off: [] } }, { ...before, settings: { ...before.settings, switched_off: ['links'] } });
    announcer.event({ kind: 'settings', settings: { ...before.settings, reactions: 'stars' } }, before);
    expect(said).toEqual([
      'Désactivé par l’animateur\u00a0: liens et vidéos, commentaires.',
      'Toutes les contributions sont de nouveau possibles.',
      'Réactions aux messages\u00a0: notes de 1 à 5 étoiles.',
    ]);
    announcer.dispose();
  });
});
