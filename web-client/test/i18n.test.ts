// The dictionaries: French and English have the same keys, no empty string,
// and the same {placeholders}; t() fills placeholders.

import { describe, expect, it } from 'vitest';
import { en, errorText, fr, setLang, t } from '../src/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('fr and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
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
      'forbidden', 'room_not_found', 'not_in_room', 'room_full', 'invalid_state', 'rate_limited', 'unavailable', 'internal'];
    for (const code of codes) expect(`error.${code}` in fr, code).toBe(true);
    expect(errorText('brand_new_code')).toContain('brand_new_code');
  });

  it('fills placeholders in the current language', () => {
    setLang('fr');
    expect(t('lobby.you', { name: 'Camille' })).toBe('Vous êtes Camille');
    setLang('en');
    expect(t('lobby.you', { name: 'Camille' })).toBe('You are Camille');
    expect(t('lobby.you')).toBe('You are {name}');
    setLang('fr');
  });
});
