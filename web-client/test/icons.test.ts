// src/icons.css holds the rules of exactly the DSFR icons the sources use
// (scripts/icons.mjs writes it: `npm run icons`), each pointing at an SVG
// file the DSFR has.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iconsCss, iconsUsed } from '../scripts/icons.mjs';

const root = join(__dirname, '..');

describe('icons.css', () => {
  const css = readFileSync(join(root, 'src/icons.css'), 'utf8');

  it('has a rule for every icon the sources use, and none for another (npm run icons)', () => {
    const used = new Set(iconsUsed());
    const defined = new Set([...css.matchAll(/^\.fr-icon-([a-z0-9-]+)::before,$/gm)].map((m) => m[1]));
    expect([...defined].sort()).toEqual([...used].sort());
  });

  it('is what `npm run icons` writes', () => {
    expect(css).toBe(iconsCss(iconsUsed()));
  });

  it('points at SVG files the DSFR has', () => {
    const files = [...css.matchAll(/url\('(@gouvfr\/dsfr\/[^']+)'\)/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(join(root, 'node_modules', file)), file).toBe(true);
  });
});
