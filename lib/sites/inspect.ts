/**
 * What a description finds on a page, field by field, for the description editor's live
 * counts and outlines: how many elements each part matches, how many items have each value, a
 * sample value, and why a selector or pattern cannot be used. Works on unfinished
 * descriptions, and on drafts no one validated: every pattern goes through the safe check.
 */
import { patternsOf, selectorsOf } from '../domain/description-fields';
import { compilePattern, patternProblem } from '../domain/safe-pattern';
import type { IdSpec, SiteDescription, ValuesSpec } from '../domain/site-description';
import { DEFAULT_MAX_ITEMS, cleanId, describedReaders, list, queryFirst, queryFirstAll, validSelector } from './described';
import { MAX_TITLE, cleanText } from './page-text';

/** Field-by-field findings. */
export interface InspectReport {
  counts: Record<string, number>;
  samples: Record<string, string>;
  problems: Record<string, string>;
  /** The elements behind each count (at most a few hundred each), to outline on the page. */
  elements: Record<string, Element[]>;
}

/** Most elements an inspection keeps per field for outlines. */
const MAX_OUTLINED = 300;

/** Inspects a description (possibly unfinished) on a page. Never throws. */
export function inspectDescription(description: SiteDescription, doc: Document, url: URL): InspectReport {
  try {
    return inspectUnguarded(description, doc, url);
  } catch (e) {
    return { counts: {}, samples: {}, problems: { description: `Tend could not read this page with it: ${e instanceof Error ? e.message : String(e)}` }, elements: {} };
  }
}

function inspectUnguarded(description: SiteDescription, doc: Document, url: URL): InspectReport {
  // A draft: every pattern is checked before it runs.
  const { find, value, items, textOf, countOf, handleOf, hrefOf, withHref } = describedReaders(description, DEFAULT_MAX_ITEMS, compilePattern);
  const report: InspectReport = { counts: {}, samples: {}, problems: {}, elements: {} };
  for (const { path, selector } of selectorsOf(description)) {
    if (!validSelector(selector, doc)) report.problems[path] ??= `“${selector.slice(0, 60)}” is not a selector this browser reads`;
  }
  for (const { path, pattern } of patternsOf(description)) {
    const problem = patternProblem(pattern);
    if (problem) report.problems[path] ??= problem;
  }
  const keep = (field: string, found: number, els: (Element | null)[], sample?: string | null) => {
    report.counts[field] = found;
    report.elements[field] = els.filter((e): e is Element => !!e).slice(0, MAX_OUTLINED);
    if (sample) report.samples[field] = sample.slice(0, 120);
  };
  const seenAt = <T>(specs: ValuesSpec | IdSpec | undefined, root: Element | Document, accept: (raw: string) => T | null): { value: T | null; element: Element | null } => {
    let element: Element | null = null;
    const v = value(specs, root, url, (raw, el) => {
      const ok = accept(raw);
      if (ok !== null) element = el;
      return ok;
    });
    return { value: v, element };
  };
  const t = description.thread;
  let container: Element | null = null;
  if (t?.container) {
    const all = queryFirstAll(doc, t.container);
    container = all[0] ?? null;
    keep('thread.container', all.length, all.slice(0, 1));
  }
  if (t && container) {
    const id = seenAt(t.id, container, cleanId);
    keep('thread.id', id.value ? 1 : 0, [id.element], id.value);
    const title = seenAt(t.title, doc, textOf(MAX_TITLE));
    keep('thread.title', title.value ? 1 : 0, [title.element], title.value);
    if (t.answered) keep('thread.answered', queryFirst(doc, t.answered) ? 1 : 0, [queryFirst(doc, t.answered)]);
    if (t.replies) {
      const r = seenAt(t.replies, doc, countOf);
      keep('thread.replies', r.value !== null ? 1 : 0, [r.element], r.value === null ? null : String(r.value));
    }
  }
  const p = description.posts;
  if (p?.item) {
    const root = p.scope === 'document' || !container ? doc : container;
    const its = items(root, p.item, list(p.exclude));
    keep('posts.item', its.length, its);
    const ids: (Element | null)[] = [];
    const authors: (Element | null)[] = [];
    const links: (Element | null)[] = [];
    let idCount = 0;
    let authorCount = 0;
    let linkCount = 0;
    const distinct = new Set<string>();
    let firstAuthor: string | null = null;
    let firstId: string | null = null;
    for (const el of its) {
      const id = p.id ? seenAt(p.id, el, cleanId) : { value: null, element: null };
      if (id.value) {
        idCount++;
        distinct.add(id.value);
        ids.push(id.element ?? el);
        firstId ??= id.value;
      }
      const author = p.author ? seenAt(p.author, el, handleOf) : { value: null, element: null };
      if (author.value) {
        authorCount++;
        authors.push(author.element);
        firstAuthor ??= author.value;
      }
      const link = p.permalink ? seenAt(withHref(p.permalink), el, hrefOf(url)) : { value: null, element: null };
      if (link.value) {
        linkCount++;
        links.push(link.element);
      }
    }
    if (p.id) keep('posts.id', idCount, ids, firstId);
    if (p.id && distinct.size < idCount) report.problems['posts.id'] ??= `${idCount - distinct.size} posts share an id with another: choose a value that differs from post to post`;
    if (p.author) keep('posts.author', authorCount, authors, firstAuthor);
    if (p.permalink) keep('posts.permalink', linkCount, links);
  }
  const l = description.list;
  if (l?.row) {
    const rows = items(doc, l.row, list(l.exclude));
    keep('list.row', rows.length, rows);
    let idCount = 0;
    let titleCount = 0;
    const titles: (Element | null)[] = [];
    let firstTitle: string | null = null;
    let firstId: string | null = null;
    for (const row of rows) {
      const id = l.id ? seenAt(l.id, row, cleanId).value : null;
      if (id) {
        idCount++;
        firstId ??= id;
      }
      const link = l.title?.selector ? find(row, l.title.selector) : null;
      const title = link ? cleanText(link.textContent, MAX_TITLE) : '';
      if (title) {
        titleCount++;
        titles.push(link);
        firstTitle ??= title;
      }
    }
    if (l.id) keep('list.id', idCount, [], firstId);
    if (l.title) keep('list.title', titleCount, titles, firstTitle);
  }
  if (description.viewer) {
    const v = seenAt(description.viewer, doc, handleOf);
    keep('viewer', v.value ? 1 : 0, [v.element], v.value);
  }
  return report;
}
