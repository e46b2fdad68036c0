// A tiny element builder. Strings become text nodes (never parsed as HTML),
// so user-provided text is always rendered as text.

type AttrValue = string | number | boolean | null | undefined;
type Handler = (event: Event) => void;
export type Attrs = Record<string, AttrValue | Handler>;
export type Child = Node | string | number | null | undefined | false;

/** `h('p', { class: 'fr-text' }, 'Bonjour ', name)`; `on*` attrs are listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function setChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A unique element id (labels, aria-describedby). */
let idCounter = 0;
export function uid(prefix: string): string {
  return `${prefix}-${++idCounter}`;
}
