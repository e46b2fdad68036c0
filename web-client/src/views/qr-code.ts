// The QR code of a join link, drawn as SVG from `uqr` with lit-html (no
// markup parsed; the same <svg> stays while the code does, its modules
// encoded once per text); only the trainers' screens show one.

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { encode } from 'uqr';
import { h } from '../dom';

let last: { text: string; size: number; path: string } | undefined;

/** The modules of `text`'s QR code as one SVG path (the last one kept: a redraw does not encode again). */
function modules(text: string): { size: number; path: string } {
  if (last?.text === text) return last;
  const { size, data } = encode(text, { ecc: 'M', border: 2 });
  let path = '';
  data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) path += `M${x} ${y}h1v1h-1z`;
  }));
  last = { text, size, path };
  return last;
}

/** The QR code of `text`, as an SVG image labelled `label`. */
export function qrTemplate(text: string, label: string): TemplateResult {
  const { size, path } = modules(text);
  return html`<svg viewBox="0 0 ${size} ${size}" role="img" aria-label=${label} class="amphi-qr" shape-rendering="crispEdges"><rect width=${size} height=${size} fill="#fff"></rect><path d=${path} fill="#000"></path></svg>`;
}

/** A slot showing the QR code of a link (nothing without one): the same <svg> while the link stays. */
export function qrSlot(): { root: HTMLElement; update(link: string | null, label: string): void } {
  const root = h('div');
  return {
    root,
    update: (link, label) => render(link ? qrTemplate(link, label) : nothing, root),
  };
}
