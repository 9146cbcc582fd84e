/**
 * The selectors and patterns a site description uses, each with where it sits. Kept apart
 * from the schema so the content script (which reads descriptions it is given, already
 * validated) needs no validation library.
 */

const SELECTOR_KEYS = new Set(['selector', 'container', 'item', 'row', 'marker', 'observe', 'answered', 'unanswered', 'exclude', 'body', 'element']);

/** Every selector a description uses, with where (for checks and the editor's counts). */
export function selectorsOf(description: unknown): { path: string; selector: string }[] {
  const out: { path: string; selector: string }[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((x, i) => walk(x, `${path}.${i}`));
    else if (value && typeof value === 'object') {
      for (const [k, x] of Object.entries(value)) {
        const p = path ? `${path}.${k}` : k;
        if (SELECTOR_KEYS.has(k) && (typeof x === 'string' || Array.isArray(x))) {
          for (const s of typeof x === 'string' ? [x] : x) if (typeof s === 'string') out.push({ path: p, selector: s });
        } else walk(x, p);
      }
    }
  };
  walk(description, '');
  return out;
}

/** Every pattern a description uses, with where (the part it belongs to). */
export function patternsOf(description: unknown): { path: string; pattern: string }[] {
  const out: { path: string; pattern: string }[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((x, i) => walk(x, `${path}.${i}`));
    else if (value && typeof value === 'object') {
      for (const [k, x] of Object.entries(value)) {
        const p = path ? `${path}.${k}` : k;
        if (k === 'pattern' && typeof x === 'string') out.push({ path: path || k, pattern: x });
        else walk(x, p);
      }
    }
  };
  walk(description, '');
  return out;
}
