// French typography of every French string of the client (the `fr`
// dictionary, and the page skeleton's own text): a narrow no-break space
// (U+202F) before `;`, `?` and `!`, a no-break space (U+00A0) before `:` and
// inside `« »`, and typographic apostrophes (’), never `'`.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fr as mainFr } from '../src/i18n';
import { frPages } from '../src/i18n-pages';

const fr = { ...mainFr, ...frPages };

/** What is wrong with a French string's typography, or [] when nothing. */
function typographyFaults(text: string): string[] {
  const faults: string[] = [];
  if (/ [:;?!»]/.test(text)) faults.push('an ordinary space before : ; ? ! or »');
  if (/« /.test(text)) faults.push('an ordinary space after «');
  if (/\u00a0[;?!]/.test(text)) faults.push('a wide no-break space before ; ? or ! (U+202F wanted)');
  if (/[\u00a0\u202f\s]{2}/.test(text.replace(/\n/g, ''))) faults.push('two spaces in a row');
  if (text.includes("'")) faults.push("a straight apostrophe '");
  // (`?` glued to what follows is an address's query: `/j/CODE?token=`.)
  if (/[^\s\u202f][;?!](\s|$)/.test(text)) faults.push('no space at all before ; ? or !');
  if (/[^\s\u00a0]»|«[^\s\u00a0]/.test(text)) faults.push('no space at all inside « »');
  return faults;
}

describe('French typography', () => {
  it('the checker itself tells right from wrong', () => {
    expect(typographyFaults('Prêt\u202f? Code\u00a0: «\u00a0amphi\u00a0» l’accueil')).toEqual([]);
    expect(typographyFaults('Prêt ?')).toHaveLength(1);
    expect(typographyFaults('Code : 4')).toHaveLength(1);
    expect(typographyFaults('« amphi »')).toHaveLength(2);
    expect(typographyFaults("l'accueil")).toHaveLength(1);
    expect(typographyFaults('Prêt?')).toHaveLength(1);
    expect(typographyFaults('Prêt\u00a0?')).toHaveLength(1);
    expect(typographyFaults('«\u00a0\u00a0amphi\u00a0»')).toHaveLength(1);
    expect(typographyFaults('Ouvrez https://amphi.example/j/KM7R4P?token=…')).toEqual([]);
  });

  it('every string of the French dictionary', () => {
    const faulty = Object.entries(fr)
      .map(([key, text]) => ({ key, text, faults: typographyFaults(text) }))
      .filter((entry) => entry.faults.length > 0);
    expect(faulty).toEqual([]);
  });

  it('the text of index.html', () => {
    const html = readFileSync(new URL('../index.html', import.meta.url), 'utf8');
    const text = html.replace(/<[^>]*>/g, '\n').split('\n').map((s) => s.trim()).filter(Boolean);
    expect(text.flatMap(typographyFaults)).toEqual([]);
  });
});
