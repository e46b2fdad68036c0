// Pure helpers of the screens: join-code normalisation, the join URL,
// member ordering, and the board's sections typed one per line; and the
// screens' sources draw with lit-html, not with JSON cache keys.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isValidCode, normalizeCode } from '../src/views/home';
import { joinUrl } from '../src/views/trainer';
import { sortMembers } from '../src/views/members-panel';
import { parseSections } from '../src/views/board-create';

describe('join code input', () => {
  it('upper-cases, drops other characters, keeps 6', () => {
    expect(normalizeCode('km7r4p')).toBe('KM7R4P');
    expect(normalizeCode(' km-7r 4p9')).toBe('KM7R4P');
    expect(normalizeCode('é!')).toBe('');
    expect(isValidCode('KM7R4P')).toBe(true);
    expect(isValidCode('KM7R4')).toBe(false);
    expect(isValidCode('km7r4p')).toBe(false);
  });
});

describe('trainer lobby helpers', () => {
  it('builds the join URL from the origin', () => {
    expect(joinUrl('KM7R4P', 'https://amphi.ac-lyon.fr')).toBe('https://amphi.ac-lyon.fr/j/KM7R4P');
  });

  it('lists leaders first, then observers, then participants, by name', () => {
    const m = (id: string, name: string, role: 'participant' | 'trainer' | 'observer') => ({ id, name, role, connected: true });
    const sorted = sortMembers([m('1', 'Zoé', 'participant'), m('2', 'Projecteur', 'observer'), m('3', 'Mme Durand', 'trainer'), m('4', 'Alice', 'participant')]);
    expect(sorted.map((x) => x.name)).toEqual(['Mme Durand', 'Projecteur', 'Alice', 'Zoé']);
  });
});

describe('board creation', () => {
  it('reads sections one per line, blank lines dropped', () => {
    expect(parseSections(' Idées \n\n Questions\r\n')).toEqual(['Idées', 'Questions']);
    expect(parseSections('\n  \n')).toEqual([]);
  });
});

describe('the screens\' sources', () => {
  it('keep no JSON.stringify redraw keys: lit-html (render, repeat keyed by ids) decides what changes', () => {
    const dir = new URL('../src/views/', import.meta.url);
    const offenders = readdirSync(dir).filter((f) => f.endsWith('.ts'))
      .filter((f) => /JSON\.stringify|keyedSlot|setChildrenIfChanged/.test(readFileSync(new URL(f, dir), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
