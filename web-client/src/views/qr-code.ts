// The QR code of a join link, drawn as SVG from `uqr` (no markup parsed);
// only the trainers' screens show one.

import { encode } from 'uqr';

/** The QR code of `text`, as an SVG image labelled `label`. */
export function qrCode(text: string, label: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const { size, data } = encode(text, { ecc: 'M', border: 2 });
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'amphi-qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(ns, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  let path = '';
  data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) path += `M${x} ${y}h1v1h-1z`;
  }));
  const modules = document.createElementNS(ns, 'path');
  modules.setAttribute('d', path);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}
