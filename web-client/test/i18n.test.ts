// The dictionaries: French and English have the same keys, no empty string,
// and the same {placeholders}; t() fills placeholders.

import { describe, expect, it } from 'vitest';
import { errorText, fr as mainFr, setLang, t, tn } from '../src/i18n';
import { en } from '../src/i18n-en';
import { frPages } from '../src/i18n-pages';

/** Every French string: the page's and the trainers' pages' own. */
const fr = { ...mainFr, ...frPages };

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('fr and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
  });

  it('a trainers\' page brings its own French strings (i18n-pages.ts)', () => {
    setLang('fr');
    const key = Object.keys(frPages)[0] as keyof typeof frPages;
    expect(key in mainFr, key).toBe(false);
    expect(t(key)).toBe(frPages[key]);
  });

  it('no string is empty and placeholders match', () => {
    for (const key of Object.keys(fr) as (keyof typeof fr)[]) {
      expect(fr[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(fr[key]));
    }
  });

  it('has a message for every protocol error code', () => {
    const codes = ['malformed_frame', 'unknown_type', 'invalid_field', 'out_of_range', 'frame_too_large',
      'unsupported_protocol', 'not_authenticated', 'already_authenticated', 'unauthorized', 'token_expired',
      'forbidden', 'room_not_found', 'not_found', 'not_in_room', 'room_full', 'invalid_state', 'answer_late', 'rate_limited',
      'unavailable', 'internal', 'conflict', 'file_too_large', 'file_type_refused', 'room_locked',
      'quota_exceeded', 'session_ended', 'link_refused', 'switched_off'];
    for (const code of codes) expect(`error.${code}` in fr, code).toBe(true);
    expect(errorText('brand_new_code')).toContain('brand_new_code');
  });

  it('has the keys the quiz and board screens build from wire values', () => {
    const built = [
      ...['lobby', 'open', 'closed', 'revealed', 'leaderboard', 'scheduled', 'window', 'ended'].map((p) => `quiz.phase.${p}`),
      ...['not_reached', 'seen', 'answered', 'correct', 'wrong'].map((c) => `quiz.cell.${c}`),
      ...['single_choice', 'multiple_choice', 'true_false', 'numeric', 'short_text', 'ordering', 'word_cloud', 'rating_scale', 'open_text']
        .map((type) => `quiz.type.${type}`),
      'quiz.confidence1', 'quiz.confidence2', 'quiz.confidence3',
      ...['open', 'moderated', 'closed', 'reveal_later'].flatMap((m) => [`board.mode.${m}`, `board.modeHint.${m}`, `board.modeHelp.${m}`]),
      ...['pending', 'unrevealed', 'hidden'].map((s) => `board.status.${s}`),
      ...['closed', 'deadline', 'locked', 'observer'].map((b) => `board.blocked.${b}`),
      ...['not_found', 'invalid_state', 'forbidden'].map((c) => `board.error.${c}`),
    ];
    for (const key of built) expect(key in fr, key).toBe(true);
  });

  it('fills placeholders in the current language', () => {
    setLang('fr');
    expect(t('lobby.you', { name: 'Camille' })).toBe('Vous êtes Camille');
    setLang('en');
    expect(t('lobby.you', { name: 'Camille' })).toBe('You are Camille');
    expect(t('lobby.you')).toBe('You are {name}');
    setLang('fr');
  });

  it('chooses plural forms by the language’s rules: 0 is singular in French, not in English', () => {
    setLang('fr');
    expect(tn('quiz.answersCount', 0)).toBe('0 réponse');
    expect(tn('quiz.answersCount', 1)).toBe('1 réponse');
    expect(tn('quiz.answersCount', 2)).toBe('2 réponses');
    expect(tn('quiz.answersCount', 1.5)).toBe('1,5 réponse');
    // French writes thousands with a narrow no-break space, and millions use `other`.
    expect(tn('quiz.answersCount', 10_000)).toBe('10\u202f000 réponses');
    expect(tn('quiz.answersCount', 1_000_000)).toBe('1\u202f000\u202f000 réponses');
    expect(tn('board.queue.approvedSome', 1, { refused: 2 })).toBe('1 message validé\u202f; refusés par le serveur\u00a0: 2.');
    setLang('en');
    expect(tn('quiz.answersCount', 0)).toBe('0 answers');
    expect(tn('quiz.answersCount', 1)).toBe('1 answer');
    expect(tn('quiz.answersCount', 10_000)).toBe('10,000 answers');
    setLang('fr');
  });

  it('every plural message has both forms with the same placeholders', () => {
    const keys = Object.keys(fr);
    const bases = new Set(keys.filter((k) => /\.(one|other)$/.test(k)).map((k) => k.replace(/\.(one|other)$/, '')));
    expect(bases.size).toBeGreaterThan(20);
    for (const base of bases) {
      expect(keys, base).toContain(`${base}.one`);
      expect(keys, base).toContain(`${base}.other`);
      const one = fr[`${base}.one` as keyof typeof fr];
      const other = fr[`${base}.other` as keyof typeof fr];
      expect(placeholders(one), base).toEqual(placeholders(other));
      expect(one, base).not.toContain('(s)');
      expect(other, base).not.toContain('(s)');
    }
    // No hand-made plural left anywhere.
    for (const [key, text] of Object.entries(fr)) expect(text, key).not.toMatch(/\((s|e|es)\)/);
  });
});
