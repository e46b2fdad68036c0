// @vitest-environment happy-dom
// The board's embed code: an <iframe> of the join link, titled, escaped,
// the microphone allowed; the panel fills it from the room and copies it.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setLang } from '../src/i18n';
import { embedCode, embedPanel } from '../src/views/embed-code';

beforeEach(() => setLang('fr'));

describe('the embed code', () => {
  it('is an iframe of the join link, titled and escaped', () => {
    const code = embedCode('ABC123', 'Idées "&" <projets>', 'https://amphi.ac-lyon.fr');
    const inert = document.createElement('template');
    inert.innerHTML = code;
    const frame = inert.content.querySelector('iframe')!;
    expect(frame.getAttribute('src')).toBe('https://amphi.ac-lyon.fr/j/ABC123');
    expect(frame.getAttribute('title')).toBe('Tableau «\u00a0Idées "&" <projets>\u00a0» (amphi)');
    expect(frame.getAttribute('allow')).toContain('microphone');
    expect(code).not.toContain('<projets>');
  });

  it('is filled from the room, hidden without a code, and copied on demand', async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { clipboard: { writeText } });
    const panel = embedPanel();
    document.body.append(panel.root);
    panel.update('', 'Idées');
    expect(panel.root.hidden).toBe(true);
    panel.update('ABC123', 'Idées');
    const field = panel.root.querySelector<HTMLTextAreaElement>('[data-testid="embed-code"]')!;
    expect(field.value).toContain('/j/ABC123');
    panel.root.querySelector<HTMLButtonElement>('[data-testid="embed-copy"]')!.click();
    await Promise.resolve();
    await Promise.resolve();
    expect(writeText).toHaveBeenCalledWith(field.value);
    expect(panel.root.querySelector('[data-testid="embed-status"]')!.textContent).toBe('Code copié.');
    vi.unstubAllGlobals();
  });
});
