/**
 * Proposing CSS selectors for an element a person picked on a page, the way an element
 * picker should: short, stable across page loads (no generated ids or hashed class names, no
 * positions), and — for things that repeat, like posts or rows — matching the picked element
 * and its like. Candidates come ordered from the narrowest sensible to the widest, so the
 * editor can offer "narrower" and "wider".
 */

/** What the picked element stands for. */
export interface ProposalOptions {
  /** The element selectors are relative to (a post, a row); the document when null. */
  within?: Element | null;
  /** The field repeats (posts, rows): prefer selectors that match several like elements. */
  repeated?: boolean;
  /** Most candidates returned. */
  limit?: number;
}

/** One candidate and how many elements it matches where it will be used. */
export interface SelectorCandidate {
  selector: string;
  matches: number;
}

const GENERATED = /(^|[-_])(?:ember|react|vue|ng|svelte|css|sc|jsx|emotion|styled|tw)[-_]?[a-z0-9]*\d|\d{3,}|^[a-z]{1,3}\d+$|[A-Z0-9]{6,}|__[a-zA-Z0-9]{5,}$|^(?:ember-view|ng-[a-z-]+|v-[a-z-]+|svelte-[a-z0-9]+)$/;
const STATE = /^(?:is-|has-|js-)?(?:active|hover|focus|focused|selected|open|opened|closed|hidden|visible|expanded|collapsed|loading|loaded|disabled|current|new|unread|read|even|odd|first|last|clearfix|row|col|container|wrapper|inner|outer)$/;
const USEFUL_ATTRS = ['data-testid', 'data-test', 'itemprop', 'role', 'data-role', 'data-type', 'name', 'rel', 'aria-label'];

/** Escapes an identifier for CSS, without relying on `CSS.escape` (absent in some test DOMs). */
export function cssIdent(value: string): string {
  return value.replace(/^(-?\d)|[^A-Za-z0-9_-]/g, (ch, digit: string | undefined) => (digit ? `\\3${digit.slice(-1)} ` : `\\${ch}`));
}

function attrValue(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Whether a class or id looks like something a build tool or framework made up. */
export function looksGenerated(name: string): boolean {
  return GENERATED.test(name) || name.length > 40;
}

/** The stable simple selectors of one element, most specific first. */
function simpleParts(el: Element): string[] {
  const tag = el.localName;
  const parts: string[] = [];
  const id = el.getAttribute('id');
  if (id && !looksGenerated(id) && /^[A-Za-z][\w-]*$/.test(id)) parts.push(`#${cssIdent(id)}`);
  // An id like post_123 repeats by prefix.
  const prefix = id ? /^([A-Za-z][A-Za-z_-]*?[-_])\d+$/.exec(id)?.[1] : undefined;
  if (prefix) parts.push(`${tag}[id^=${attrValue(prefix)}]`);
  const classes = Array.from(el.classList).filter((c) => !looksGenerated(c) && !STATE.test(c));
  for (const c of classes.slice(0, 3)) parts.push(`${tag}.${cssIdent(c)}`);
  if (classes.length >= 2) parts.push(`${tag}.${cssIdent(classes[0]!)}.${cssIdent(classes[1]!)}`);
  for (const name of USEFUL_ATTRS) {
    const v = el.getAttribute(name);
    if (v !== null && v.length <= 40 && !looksGenerated(v)) parts.push(`${tag}[${name}=${attrValue(v)}]`);
  }
  for (const a of Array.from(el.attributes)) {
    if (a.name.startsWith('data-') && !USEFUL_ATTRS.includes(a.name) && a.name.length <= 30) parts.push(`${tag}[${a.name}]`);
  }
  parts.push(tag);
  return [...new Set(parts)];
}

function count(root: ParentNode, selector: string): number {
  try {
    return root.querySelectorAll(selector).length;
  } catch {
    return -1;
  }
}

function matchesEl(root: ParentNode, selector: string, el: Element): boolean {
  try {
    return Array.from(root.querySelectorAll(selector)).includes(el);
  } catch {
    return false;
  }
}

/**
 * Candidate selectors for `el`, each with its match count where it would be used (inside
 * `within` for per-item fields, in the document otherwise). Every candidate matches `el`.
 */
export function proposeSelectors(el: Element, options: ProposalOptions = {}): SelectorCandidate[] {
  const doc = el.ownerDocument;
  const root: ParentNode = options.within ?? doc;
  const limit = options.limit ?? 8;
  const seen = new Set<string>();
  const out: SelectorCandidate[] = [];
  const consider = (selector: string) => {
    if (seen.has(selector) || selector.length > 300) return;
    seen.add(selector);
    if (!matchesEl(root, selector, el)) return;
    out.push({ selector, matches: count(root, selector) });
  };

  const own = simpleParts(el);
  for (const p of own) consider(p);
  // With an ancestor for context, nearest first: "article .names a", ".post-header .author".
  let ancestor = el.parentElement;
  for (let depth = 0; ancestor && depth < 4 && ancestor !== options.within && ancestor !== doc.documentElement; depth++, ancestor = ancestor.parentElement) {
    const up = simpleParts(ancestor).filter((p) => !/^[a-z0-9]+$/.test(p) || depth === 0);
    for (const a of up.slice(0, 3)) for (const p of own.slice(0, 4)) consider(`${a} ${p}`);
  }

  const score = (c: SelectorCandidate): number => {
    // Repeated fields want many matches; single ones exactly one (inside their item).
    const fit = options.repeated ? (c.matches >= 2 ? 0 : 40) : c.matches === 1 ? 0 : 20 + Math.min(c.matches, 50);
    const idBonus = c.selector.startsWith('#') && !options.repeated ? -5 : 0;
    return fit + c.selector.length / 8 + (c.selector.split(' ').length - 1) * 2 + idBonus;
  };
  out.sort((a, b) => score(a) - score(b));
  const best = out.slice(0, limit);
  // Narrowest first, widest last, so "wider" and "narrower" mean what they say.
  return best.sort((a, b) => a.matches - b.matches || a.selector.length - b.selector.length);
}

/** Whether a selector says more than bare tag names. */
const specific = (selector: string): boolean => selector.split(' ').some((part) => !/^[a-z0-9]+$/.test(part));

/**
 * The candidate Tend proposes first. For repeated fields: the one that says more than a tag
 * name and matches the most like elements (every post, not only this one), shortest on a
 * tie. For single fields: the shortest that matches exactly one element where it is used.
 */
export function bestSelector(el: Element, options: ProposalOptions = {}): string | null {
  const all = proposeSelectors(el, { ...options, limit: 30 });
  if (!all.length) return null;
  const depth = (s: string) => s.split(' ').length;
  if (options.repeated) {
    const pool = all.filter((c) => c.matches >= 2 && specific(c.selector));
    const ranked = (pool.length ? pool : all).slice().sort((a, b) => b.matches - a.matches || depth(a.selector) - depth(b.selector) || a.selector.length - b.selector.length);
    return ranked[0]!.selector;
  }
  const single = all.filter((c) => c.matches === 1);
  const ranked = (single.length ? single : all).slice().sort((a, b) => Number(specific(b.selector)) - Number(specific(a.selector)) || depth(a.selector) - depth(b.selector) || a.selector.length - b.selector.length);
  return ranked[0]!.selector;
}
