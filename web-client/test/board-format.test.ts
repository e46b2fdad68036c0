// Pure helpers of the board screens: the post form's content, safe
// addresses, sizes and headings, moves (buttons and drag), queued posts
// until the server's copy arrives (acks may come after events), likes
// counting a queued like, deadlines, and coalesced read-outs; the allowed
// video hosts, and a refused post back in its form.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  arrivalsText, buildContent, coalescer, contentKey, dropTarget, embedUrl, fieldsOf, fieldsOfContent, formatSize, fromLocalInput, isQueued, likedNow,
  moveDown, moveUp, postHeading, queuedPosts, refusedPostField, safeLink, statusLabel, toLocalInput, videoHostAllowed, videoHostNames, type PostFields,
} from '../src/board-format';
import { setLang } from '../src/i18n';
import type { Command } from '../src/protocol';
import { post } from './board-fixtures';

const empty: PostFields = { title: '', text: '', link: '', video: '', image: null, file: null };

beforeEach(() => setLang('fr'));

describe('post form', () => {
  it('builds the content, trimmed, empty parts as null', () => {
    expect(buildContent({ ...empty, title: ' Idée ', text: 'Ligne 1\nLigne 2\n' })).toEqual({
      content: { title: 'Idée', text: 'Ligne 1\nLigne 2', link: null, image: null, video: null, file: null },
    });
    expect(buildContent({ ...empty, link: 'https://eduscol.education.fr/', video: 'https://youtu.be/abc' })).toMatchObject({
      content: { link: 'https://eduscol.education.fr/', video: { url: 'https://youtu.be/abc' } },
    });
  });

  it('refuses what the server would: nothing, bad links, long title or text', () => {
    expect(buildContent(empty)).toEqual({ error: { field: 'post', key: 'board.form.empty' } });
    expect(buildContent({ ...empty, title: '   ' })).toMatchObject({ error: { field: 'post' } });
    for (const link of ['javascript:alert(1)', 'eduscol.fr', 'ftp://x.fr', 'https://a b.fr']) {
      expect(buildContent({ ...empty, link }), link).toEqual({ error: { field: 'link', key: 'board.form.linkInvalid' } });
    }
    expect(buildContent({ ...empty, video: 'pas une vidéo' })).toMatchObject({ error: { field: 'video' } });
    expect(buildContent({ ...empty, title: 'x'.repeat(201) })).toMatchObject({ error: { field: 'title' } });
    expect(buildContent({ ...empty, title: 'é'.repeat(200) })).toHaveProperty('content');
    expect(buildContent({ ...empty, text: 'x'.repeat(5001) })).toMatchObject({ error: { field: 'text' } });
  });

  it('an image needs its alternative text, unless it is decorative (empty alt)', () => {
    const image = { blob: 'b1', alt: '  ', decorative: false };
    expect(buildContent({ ...empty, image })).toEqual({ error: { field: 'alt', key: 'board.form.altMissing' } });
    expect(buildContent({ ...empty, image: { ...image, alt: ' Un carré bleu ' } })).toMatchObject({ content: { image: { blob: 'b1', alt: 'Un carré bleu' } } });
    expect(buildContent({ ...empty, image: { ...image, alt: 'ignored', decorative: true } })).toMatchObject({ content: { image: { blob: 'b1', alt: '' } } });
    expect(buildContent({ ...empty, image: { ...image, alt: 'x'.repeat(501) } })).toMatchObject({ error: { field: 'alt', key: 'board.form.altTooLong' } });
    expect(buildContent({ ...empty, file: { blob: 'f1', name: 'cours.pdf' } })).toMatchObject({ content: { file: { blob: 'f1', name: 'cours.pdf' } } });
  });

  it('an edit starts from the post, its attachments kept', () => {
    const p = post('p1', { title: 'T', text: 'x', link: 'https://a.fr', image: { blob: 'b', alt: '' }, video: { url: 'https://player.vimeo.com/video/1' }, file: { blob: 'f', name: 'a.pdf', size: 3 } });
    expect(fieldsOf(p)).toEqual({
      title: 'T', text: 'x', link: 'https://a.fr', video: 'https://player.vimeo.com/video/1',
      image: { blob: 'b', alt: '', decorative: true }, file: { blob: 'f', name: 'a.pdf' }, linkPreview: null, colour: null,
    });
  });
});

describe('addresses, sizes, words', () => {
  it('shows an iframe only for the embed URLs the server writes', () => {
    for (const url of [
      'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ',
      'https://player.vimeo.com/video/76979871',
      'https://www.dailymotion.com/embed/video/x8abcd1',
      'https://tube-numerique-educatif.apps.education.fr/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d',
      'https://podeduc.apps.education.fr/video/0012-les-fractions/?is_iframe=true',
    ]) expect(embedUrl(url), url).toBe(url);
    for (const url of ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'http://player.vimeo.com/video/1', 'javascript:alert(1)',
      'https://evil.example/embed/x"><script>', null, undefined, '']) expect(embedUrl(url), String(url)).toBeNull();
  });

  it('links only http(s)', () => {
    expect(safeLink('https://eduscol.education.fr/')).toBe('https://eduscol.education.fr/');
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(safeLink('data:text/html,x')).toBeNull();
    expect(safeLink(null)).toBeNull();
  });

  it('writes sizes in the language', () => {
    expect(formatSize(0)).toBe('0 o');
    expect(formatSize(999)).toBe('999 o');
    expect(formatSize(12_345)).toBe('12 ko');
    expect(formatSize(1_500_000)).toBe('1,5 Mo');
    setLang('en');
    expect(formatSize(1_500_000)).toBe('1.5 MB');
  });

  it('heads a post with its title, else its first line, else a word', () => {
    expect(postHeading({ title: ' Idée ', text: 'x' })).toBe('Idée');
    expect(postHeading({ title: '', text: '\nPremière ligne\nDeuxième' })).toBe('Première ligne');
    expect(postHeading({ title: '', text: 'y'.repeat(80) })).toHaveLength(60);
    expect(postHeading({ title: '', text: '' })).toBe('Message sans titre');
  });

  it('says the moderation state in words', () => {
    expect(statusLabel('visible')).toBeNull();
    expect(statusLabel('pending')).toBe('En attente de validation');
    expect(statusLabel('unrevealed')).toBe('Pas encore dévoilé');
    expect(statusLabel('hidden')).toBe('Masqué par le formateur');
  });
});

describe('moves', () => {
  const ids = ['p1', 'p2', 'p3'];

  it('up and down by one place, as `before` the right post', () => {
    expect(moveUp(ids, 's1', 'p1')).toBeNull();
    expect(moveUp(ids, 's1', 'p2')).toEqual({ section: 's1', before: 'p1' });
    expect(moveUp(ids, 's1', 'p3')).toEqual({ section: 's1', before: 'p2' });
    expect(moveDown(ids, 's1', 'p1')).toEqual({ section: 's1', before: 'p3' });
    expect(moveDown(ids, 's1', 'p2')).toEqual({ section: 's1', before: null });
    expect(moveDown(ids, 's1', 'p3')).toBeNull();
  });

  it('a drop before or after a card, or on a section (at its end); no move when nothing changes', () => {
    expect(dropTarget(ids, 's1', 'p1', 'p3', false, 's1')).toEqual({ section: 's1', before: 'p3' });
    expect(dropTarget(ids, 's1', 'p1', 'p3', true, 's1')).toEqual({ section: 's1', before: null });
    expect(dropTarget(ids, 's1', 'p3', 'p1', false, 's1')).toEqual({ section: 's1', before: 'p1' });
    expect(dropTarget(ids, 's1', 'p1', 'p2', false, 's1')).toBeNull(); // already just before p2
    expect(dropTarget(ids, 's1', 'p2', 'p1', true, 's1')).toBeNull(); // already just after p1
    expect(dropTarget(ids, 's1', 'p2', 'p2', true, 's1')).toBeNull();
    expect(dropTarget(ids, 's1', 'p3', null, false, 's1')).toBeNull(); // already last
    expect(dropTarget([], 's2', 'p3', null, false, 's1')).toEqual({ section: 's2', before: null });
    expect(dropTarget(['q1'], 's2', 'p3', 'q1', true, 's1')).toEqual({ section: 's2', before: null });
  });
});

describe('queued commands', () => {
  const postCommand = (id: string, title: string): Command => ({ type: 'board', id, room: 'r', command: { action: 'post', section: 's1', title, text: '' } });

  it('a queued post shows until my copy of it is on the board (its event may come before the ack)', () => {
    const queue = [postCommand('c1', 'Idée'), postCommand('c2', 'Idée'), postCommand('c3', 'Autre')];
    expect(queuedPosts(queue, [], 'me').map((q) => q.id)).toEqual(['c1', 'c2', 'c3']);
    const mine = post('p1', { author: 'me', title: 'Idée' });
    expect(queuedPosts(queue, [mine], 'me').map((q) => q.id)).toEqual(['c2', 'c3']);
    // Someone else's identical post does not count.
    expect(queuedPosts(queue, [post('p2', { author: 'other', title: 'Idée' })], 'me')).toHaveLength(3);
    expect(queuedPosts([{ type: 'raise_hand', id: 'x', room: 'r' }], [], 'me')).toEqual([]);
  });

  it('matches content as the server keeps it (a video link becomes an embed URL)', () => {
    const sent = { title: 'V', text: '', video: { url: 'https://youtu.be/abc' } };
    const kept = post('p1', { title: 'V', video: { url: 'https://www.youtube-nocookie.com/embed/abc' } });
    expect(contentKey(sent)).toBe(contentKey(kept));
  });

  it('likes count the last queued like or unlike', () => {
    const like = (id: string, action: 'like' | 'unlike', p = 'p1'): Command => ({ type: 'board', id, room: 'r', command: { action, post: p } });
    expect(likedNow(new Set(), [], 'p1')).toBe(false);
    expect(likedNow(new Set(), [like('a', 'like')], 'p1')).toBe(true);
    expect(likedNow(new Set(['p1']), [like('a', 'unlike')], 'p1')).toBe(false);
    expect(likedNow(new Set(['p1']), [like('a', 'unlike'), like('b', 'like')], 'p1')).toBe(true);
    expect(likedNow(new Set(), [like('a', 'like', 'p2')], 'p1')).toBe(false);
    expect(isQueued([like('a', 'like')], 'p1')).toBe(true);
    expect(isQueued([like('a', 'like')], 'p1', 'delete')).toBe(false);
  });
});

describe('deadlines and read-outs', () => {
  afterEach(() => vi.useRealTimers());

  it('reads and writes datetime-local values', () => {
    const ms = new Date(2026, 0, 15, 9, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-01-15T09:05');
    expect(fromLocalInput('2026-01-15T09:05')).toBe(ms);
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('demain')).toBeNull();
  });

  it('gathers arrivals and reads them out at most once per period', () => {
    vi.useFakeTimers();
    const said: string[] = [];
    const gather = coalescer(3000, (a) => said.push(arrivalsText(a)));
    gather.add('posts');
    gather.add('posts');
    gather.add('comments');
    expect(said).toEqual([]);
    vi.advanceTimersByTime(3000);
    expect(said).toEqual(['2 nouveaux messages et 1 nouveau commentaire']);
    gather.add('posts');
    vi.advanceTimersByTime(3000);
    expect(said[1]).toBe('1 nouveau message');
    gather.add('comments');
    gather.dispose();
    vi.advanceTimersByTime(3000);
    expect(said).toHaveLength(2);
  });
});

describe('video hosts', () => {
  const hosts = ['podeduc.apps.education.fr', '*.apps.education.fr', 'youtube', 'vimeo'];

  it('tells an allowed host from a refused one, as the server does', () => {
    expect(videoHostAllowed('https://youtu.be/dQw4w9WgXcQ', hosts)).toBe(true);
    expect(videoHostAllowed('https://www.youtube.com/watch?v=x', hosts)).toBe(true);
    expect(videoHostAllowed('https://www.dailymotion.com/video/x8', hosts), 'dailymotion is not in this list').toBe(false);
    expect(videoHostAllowed('https://tube-numerique.apps.education.fr/w/abc', hosts)).toBe(true);
    expect(videoHostAllowed('https://apps.education.fr.evil.example/w/abc', hosts)).toBe(false);
    expect(videoHostAllowed('https://evil.example/v/1', hosts)).toBe(false);
    expect(videoHostAllowed('https://evil.example/v/1', []), 'hosts not said: the server decides').toBe(true);
  });

  it('names the hosts as people read them', () => {
    expect(videoHostNames(hosts)).toEqual(['podeduc.apps.education.fr', '*.apps.education.fr', 'YouTube', 'Vimeo']);
  });

  it('refuses a video on another host on its field, naming the accepted ones', () => {
    setLang('fr');
    const built = buildContent({ ...empty, title: 'Vidéo', video: 'https://evil.example/v/1' }, hosts);
    expect(built).toEqual({ error: { field: 'video', key: 'board.form.videoHostRefused', params: { hosts: 'podeduc.apps.education.fr, *.apps.education.fr, YouTube, Vimeo' } } });
    expect('content' in buildContent({ ...empty, video: 'https://youtu.be/dQw4w9WgXcQ' }, hosts)).toBe(true);
  });

  it('gives a refused post back to its form, the video field at fault', () => {
    const content = { title: 'Ma vidéo', text: 'Regardez.\nÀ 2 min.', link: null, image: { blob: 'b1', alt: '' }, video: { url: 'https://youtube.com/@chaine' }, file: null };
    expect(fieldsOfContent(content)).toEqual({ title: 'Ma vidéo', text: 'Regardez.\nÀ 2 min.', link: '', video: 'https://youtube.com/@chaine', image: { blob: 'b1', alt: '', decorative: true }, file: null, linkPreview: null, colour: null });
    expect(refusedPostField(content, 'invalid_field')).toBe('video');
    expect(refusedPostField(content, 'forbidden')).toBeNull();
    expect(refusedPostField({ ...content, video: null }, 'invalid_field')).toBeNull();
  });
});
