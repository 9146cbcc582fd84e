/**
 * Reading values out of untrusted page markup: text, ids, handles, counts and dates, each
 * bounded so a hostile page cannot make an observation large or malformed. Shared by all
 * site adapters.
 */

/** Longest thread title kept, in characters (matches the observe op's limit). */
export const MAX_TITLE = 300;
/** Longest site handle accepted. Longer "handles" are rejected, not cut: a cut handle is someone else. */
export const MAX_HANDLE = 60;
/** Most tags kept per thread. */
export const MAX_TAGS = 20;
/** Longest tag accepted. */
export const MAX_TAG = 50;
/** Longest category name kept. */
export const MAX_CATEGORY = 100;
/** Longest URL reported. */
export const MAX_URL = 2000;

// C0/C1 control characters and the Unicode bidi overrides, which can disguise text.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Collapses whitespace, drops control characters and cuts to `max` characters (by code point). */
export function cleanText(value: string | null | undefined, max: number): string {
  if (!value) return '';
  // Bound the work before the regexes run on a pathological string.
  const bounded = value.length > max * 8 + 1024 ? value.slice(0, max * 8 + 1024) : value;
  const collapsed = bounded.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  const chars = Array.from(collapsed);
  return chars.length > max ? chars.slice(0, max).join('').trim() : collapsed;
}

/** An element's text, cleaned and bounded. Never HTML. */
export function textOf(el: Element | null | undefined, max: number): string {
  return cleanText(el?.textContent, max);
}

/**
 * A positive decimal id in canonical form ("007" → "7"), or null. Ids are keys, so anything
 * that is not plainly a number (empty, signed, fractional, huge) is refused.
 */
export function decimalId(value: string | null | undefined): string | null {
  if (value == null) return null;
  const s = value.trim();
  if (!/^\d{1,15}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) && n > 0 ? String(n) : null;
}

const HANDLE = /^[\p{L}\p{M}\p{N}_.-]+$/u;

/** A site handle as the page gives it, or null when it is not a plausible handle. */
export function handle(value: string | null | undefined): string | null {
  if (value == null) return null;
  const s = value.trim().replace(/^@/, '');
  if (s.length === 0 || s.length > MAX_HANDLE || !HANDLE.test(s)) return null;
  return s;
}

/**
 * A count as sites display it: "12", "1,234", "1.2k", "3M". Abbreviated values are
 * approximate. Null when the text is not a count.
 */
export function parseCount(value: string | null | undefined): number | null {
  if (value == null) return null;
  const s = value.trim().toLowerCase().replace(/[,\s\u00a0\u202f]/g, '');
  const m = /^(\d{1,12})(?:\.(\d{1,3}))?([km])?$/.exec(s);
  if (!m) return null;
  const [, whole = '', frac, unit] = m;
  if (frac !== undefined && unit === undefined) return null;
  const scale = unit === 'k' ? 1_000 : unit === 'm' ? 1_000_000 : 1;
  const n = Math.round(Number(`${whole}.${frac ?? '0'}`) * scale);
  return Number.isSafeInteger(n) && n >= 0 && n <= 1e12 ? n : null;
}

/** Epoch milliseconds from an ISO date or a millisecond timestamp, or null. */
export function parseTime(value: string | null | undefined): number | null {
  if (value == null) return null;
  const s = value.trim();
  if (s.length === 0 || s.length > 64) return null;
  const n = /^\d{1,15}$/.test(s) ? Number(s) : Date.parse(s);
  // Before 1995 or after 2200 is not a forum post's date.
  if (!Number.isFinite(n) || n < 788_918_400_000 || n > 7_258_118_400_000) return null;
  return Math.floor(n);
}

/** Tag names, cleaned, deduplicated; overlong ones dropped; at most MAX_TAGS. */
export function tagList(values: Iterable<string | null | undefined>): string[] {
  const out: string[] = [];
  for (const raw of values) {
    if (out.length >= MAX_TAGS) break;
    const t = cleanText(raw, MAX_TAG + 1);
    if (t.length === 0 || Array.from(t).length > MAX_TAG || out.includes(t)) continue;
    out.push(t);
  }
  return out;
}

/** Something to search in: a document, an element or a parsed fragment. */
export type Root = Document | Element | DocumentFragment;

/**
 * The first element matching any of `selectors` (tried in order) under `root` that is not
 * inside an element matching `exclude` within `root` — user-written content (post bodies)
 * must never be mistaken for page chrome.
 */
export function firstOf(root: Root, selectors: readonly string[], exclude?: string): Element | null {
  for (const sel of selectors) {
    for (const el of Array.from(root.querySelectorAll(sel))) {
      if (!exclude || !insideExcluded(root, el, exclude)) return el;
    }
  }
  return null;
}

/** Like `firstOf`, but the last match of the first selector that matches at all. */
export function lastOf(root: Root, selectors: readonly string[], exclude?: string): Element | null {
  for (const sel of selectors) {
    const found = Array.from(root.querySelectorAll(sel)).filter((el) => !exclude || !insideExcluded(root, el, exclude));
    const last = found[found.length - 1];
    if (last) return last;
  }
  return null;
}

/** All matches of the first selector that matches at all, outside `exclude`. */
export function allOf(root: Root, selectors: readonly string[], exclude?: string): Element[] {
  for (const sel of selectors) {
    const found = Array.from(root.querySelectorAll(sel)).filter((el) => !exclude || !insideExcluded(root, el, exclude));
    if (found.length > 0) return found;
  }
  return [];
}

function insideExcluded(root: Root, el: Element, exclude: string): boolean {
  const hit = el.closest(exclude);
  if (!hit) return false;
  // Only exclusions inside the root count: the root itself may sit inside anything.
  return hit !== root && root.contains(hit);
}
