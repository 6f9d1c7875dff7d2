/** Tiny DOM helpers: elements are built with properties and children, never from HTML strings (no injection). */

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | EventListener | undefined | null>;

/** h('a', { href: '#/x', class: 'btn' }, 'text', child): attributes as strings, `on*` functions as listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const c of children) {
    if (Array.isArray(c)) append(parent, c);
    else if (c === null || c === undefined || c === false) continue;
    else parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: (Child | Child[])[]): void {
  clear(el);
  append(el, children);
}

/** A description list from label → value pairs (skips empty values). */
export function facts(rows: [string, Child | Child[]][]): HTMLDListElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of rows) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    dl.append(h('dt', null, k), h('dd', null, v));
  }
  return dl;
}

/** Tokens this long (host names, long device names, IPv6 addresses) may wrap after their separators. */
const longToken = 21;

/**
 * Offer line breaks inside long unspaced tokens, after ':' '.' '/' '_' '-' '@' (a <wbr>), so a long host name wraps
 * at its dots instead of mid-word or off the edge. Short tokens (MACs, IPv4 addresses, dates) stay whole.
 */
export function softBreaks(root: Node): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) texts.push(n as Text);
  for (const text of texts) {
    const value = text.data;
    if (!value.split(/\s+/).some((w) => w.length >= longToken)) continue;
    const frag = document.createDocumentFragment();
    for (const part of value.split(/(\s+)/)) {
      if (part.length < longToken) {
        frag.append(part);
        continue;
      }
      for (const piece of part.split(/(?<=[:./_\-@])/)) frag.append(piece, document.createElement('wbr'));
      frag.lastChild?.remove();
    }
    text.replaceWith(frag);
  }
}

/**
 * A data table with a caption; each row is a list of cells. Each cell carries its column's name (data-label),
 * which the narrow layout shows beside the value when rows become cards.
 */
export function table(caption: string, headers: string[], rows: (Child | Child[])[][], opts: { empty?: string; className?: string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, opts.empty ?? 'Nothing to show.');
  const tbody = h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) => h('td', { 'data-label': headers[i] ?? '' }, h('span', { class: 'cell' }, c))))));
  softBreaks(tbody);
  return h('div', { class: 'table-wrap' },
    h('table', { class: `${opts.className ?? 'data'} stack` },
      h('caption', null, caption),
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      tbody));
}
