/**
 * Finding an element the way a person names it (a role and a name, or a CSS selector), inside
 * a page or inside an overlay's shadow root. The same function runs in both browsers: it is
 * handed to Playwright's and Puppeteer's `evaluate`, which send its source text, so it is
 * self-contained (no imports, no helpers outside it).
 */

/** What to look for: `{ role: 'button', name: 'Send thanks' }`, `{ css: 'textarea' }`, or both. */
export interface Target {
  /** A role: button, tab, switch, textbox, dialog, link, listitem, heading, alert, status. */
  role?: string;
  /** Accessible name: a string matches exactly (whitespace folded), a RegExp anywhere. */
  name?: string | RegExp;
  /** A CSS selector, within the scope. */
  css?: string;
}

/** A `Target` as it crosses into the page (RegExps do not travel the same way in both protocols). */
export interface WireTarget {
  role?: string;
  name?: string;
  pattern?: { source: string; flags: string };
  css?: string;
}

/** Turns a `Target` (or a bare CSS selector) into what the in-page finder takes. */
export function toWire(target: Target | string): WireTarget {
  const t = typeof target === 'string' ? { css: target } : target;
  const { name, ...rest } = t;
  if (name instanceof RegExp) return { ...rest, pattern: { source: name.source, flags: name.flags } };
  return name === undefined ? rest : { ...rest, name };
}

/** How a target reads in an error message. */
export function describeTarget(target: Target | string): string {
  if (typeof target === 'string') return target;
  return [target.role, target.name !== undefined ? JSON.stringify(String(target.name)) : '', target.css].filter(Boolean).join(' ');
}

/** What the in-page query answers: the first match (a handle), how many match, or the text of the first (or of the whole scope). */
export type Want = 'first' | 'count' | 'text';

/**
 * In the page: looks for `target` in `scope` (a document, a shadow root, or a host whose shadow
 * root is open) and answers what `want` asks: the first visible match or null, the number of
 * matches, or the text of the first match (of the whole scope without a target; null
 * when nothing matches). Elements that are not rendered are passed over, as a person would not
 * see them.
 */
export const queryInPage = (scope: Node, query: WireTarget & { want: Want }): Element | number | string | null => {
  const host = scope as Element & { shadowRoot?: ShadowRoot | null };
  const root: ParentNode = host.shadowRoot ?? (scope as ParentNode);
  // Text as a person reads it: a picture with words (Tend draws teammates' names on a canvas,
  // `role="img"` with an `aria-label`) reads as its words; styles and scripts are not text.
  const readable = (node: Node): string => {
    if (node.nodeType === 3) return (node as Text).data;
    if (node.nodeType !== 1 && node.nodeType !== 9 && node.nodeType !== 11) return '';
    const el = node as Element;
    if (el.nodeType === 1) {
      if (el.localName === 'style' || el.localName === 'script') return '';
      if (el.getAttribute('role') === 'img' && el.hasAttribute('aria-label')) return el.getAttribute('aria-label') ?? '';
    }
    let out = '';
    for (let c = node.firstChild; c; c = c.nextSibling) out += readable(c);
    return out;
  };
  if (query.want === 'text' && !query.role && !query.css) {
    // A document's own text is its body's.
    const whole = (root as Document).body ?? (root as Node);
    return readable(whole);
  }
  const roles: Record<string, string> = {
    button: 'button, [role="button"]',
    tab: '[role="tab"]',
    switch: '[role="switch"]',
    textbox: 'textarea, input:not([type]), input[type="text"], input[type="url"], input[type="search"], [role="textbox"]',
    dialog: 'dialog, [role="dialog"], [role="alertdialog"]',
    link: 'a[href], [role="link"]',
    listitem: 'li, [role="listitem"]',
    heading: 'h1, h2, h3, h4, h5, h6, [role="heading"]',
    alert: '[role="alert"]',
    status: '[role="status"]',
  };
  const roleSelector = query.role ? roles[query.role] ?? `[role="${query.role}"]` : null;
  const candidates = [...root.querySelectorAll(roleSelector ?? query.css ?? '*')].filter((el) => !roleSelector || !query.css || el.matches(query.css));
  const fold = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  const byId = (id: string) => root.querySelector(`[id="${id.replace(/"/g, '\\"')}"]`);
  const nameOf = (el: Element) => {
    const label = el.getAttribute('aria-label');
    if (label) return fold(label);
    const by = el.getAttribute('aria-labelledby');
    if (by) return fold(by.split(/\s+/).map((id) => { const l = byId(id); return l ? readable(l) : ''; }).join(' '));
    const labels = (el as HTMLInputElement).labels;
    if (labels && labels.length) return fold([...labels].map((l) => l.textContent).join(' '));
    return fold(readable(el));
  };
  const named = (el: Element) => {
    if (query.name !== undefined) return nameOf(el) === fold(query.name);
    if (query.pattern) return new RegExp(query.pattern.source, query.pattern.flags).test(nameOf(el));
    return true;
  };
  const visible = (el: Element) => {
    const check = (el as Element & { checkVisibility?: () => boolean }).checkVisibility;
    return check ? check.call(el) : true;
  };
  // Counting by CSS alone counts every match (overlay hosts, rows), as Playwright's locators do;
  // anything named by role, or acted on, must be rendered.
  const found = candidates.filter((el) => named(el) && ((query.want === 'count' && !roleSelector) || visible(el)));
  if (query.want === 'count') return found.length;
  if (query.want === 'text') return found[0] ? readable(found[0]) : null;
  return found[0] ?? null;
};
