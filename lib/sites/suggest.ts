/**
 * First guesses the description editor offers, so a person rarely writes a pattern by hand:
 * where a thread's id sits in its address, and which attribute of the posts (or rows) they
 * picked carries an id.
 */
import { patternProblem } from '../domain/safe-pattern';

/** An id source to offer: an attribute, maybe with a pattern that takes its number. */
export interface IdSuggestion {
  attr: string;
  pattern?: string;
  decimal?: boolean;
  /** The first item's value, to show. */
  sample: string;
}

/** Escapes text for a pattern (in the `u` mode patterns run in, `-` needs no escape outside a class). */
const escape = (s: string) => s.replace(/[\\^$.|?*+()[\]{}/]/g, (c) => `\\${c}`);

/**
 * A pattern for the thread id in an address like `/t/some-title/123`, `/topic/123-title`,
 * `/forum/threads/title.123/` or `/viewtopic.php?t=123`: the last number in the path, or a
 * `t`, `id`, `topic` or `thread` query parameter. Null when the address has no number.
 */
export function suggestUrlPattern(url: URL): string | null {
  // A post's own anchor: `#post-4`, `#p123`.
  const hash = /^#([A-Za-z_-]*)(\d{1,15})$/.exec(url.hash);
  if (hash) {
    const pattern = `^[^#]*#${escape(hash[1]!)}(\\d+)$`;
    if (patternProblem(pattern) === null) return pattern;
  }
  for (const key of ['t', 'topic', 'thread', 'id', 'tid']) {
    const value = url.searchParams.get(key);
    if (value && /^\d{1,15}$/.test(value)) {
      const first = url.search.slice(1).split('&')[0]?.split('=')[0] === key;
      const pattern = first ? `^${escape(url.pathname)}\\?${escape(key)}=(\\d+)` : `^${escape(url.pathname)}\\?(?:[^#]*&)?${escape(key)}=(\\d+)`;
      if (patternProblem(pattern) === null) return pattern;
    }
  }
  const segments = url.pathname.split('/');
  for (let i = segments.length - 1; i >= 0; i--) {
    const m = /^(\D*?)(\d{1,15})(\D*)$/.exec(segments[i]!);
    if (!m) continue;
    const before = segments
      .slice(0, i)
      // The first segment is usually the route (`t`, `topic`, `forum`); later words vary by thread.
      .map((seg, j) => (seg === '' || (j === 1 && /^[a-z]{1,20}$/.test(seg)) ? escape(seg) : '[^/]+'))
      .join('/');
    const prefix = m[1] ? (/^[a-z]{1,20}$/i.test(m[1]) ? escape(m[1]) : '[^/]*?') : '';
    const pattern = `^${before}/${prefix}(\\d+)`;
    if (patternProblem(pattern) === null) return pattern;
    // Greedy: the last number in the address.
    return '^.*\\D(\\d+)';
  }
  return null;
}

/**
 * Attributes that could key the items: present on every one of them with a value that differs
 * from item to item. Names that say "id" come first; a value like `post_123` gets a pattern
 * that takes the number.
 */
export function suggestIdAttributes(items: readonly Element[]): IdSuggestion[] {
  if (items.length === 0) return [];
  const sample = items.slice(0, 200);
  const names = Array.from(sample[0]!.attributes, (a) => a.name).filter((n) => n !== 'class' && n !== 'style' && !n.startsWith('aria-') && n !== 'href');
  const out: IdSuggestion[] = [];
  for (const name of names) {
    const values = sample.map((el) => el.getAttribute(name));
    if (values.some((v) => v === null || v.length === 0 || v.length > 120)) continue;
    if (new Set(values).size !== values.length && sample.length > 1) continue;
    const first = values[0]!;
    if (/^\d{1,15}$/.test(first) && values.every((v) => /^\d{1,15}$/.test(v!))) {
      out.push({ attr: name, decimal: true, sample: first });
      continue;
    }
    const m = /^([A-Za-z_-]*?)[-_]?(\d{1,15})$/.exec(first);
    if (m && values.every((v) => new RegExp(`^${escape(m[1]!)}[-_]?\\d{1,15}$`).test(v!))) {
      const sep = first.slice(m[1]!.length, first.length - m[2]!.length);
      out.push({ attr: name, pattern: `^${escape(m[1]! + sep)}(\\d+)$`, decimal: true, sample: first });
      continue;
    }
    if (/^[A-Za-z0-9_\-.:#@/]{1,120}$/.test(first)) out.push({ attr: name, sample: first });
  }
  const rank = (s: IdSuggestion) => (/(^|-)id$|^id$|-id-/.test(s.attr) ? 0 : s.decimal ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b)).slice(0, 5);
}
