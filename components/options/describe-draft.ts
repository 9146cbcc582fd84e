/**
 * The description editor's form, and how it becomes a site description and back. The form
 * holds what a person fills in — a selector per field, where ids come from — and the
 * description holds the rest (where overlays go, fallbacks), so the form stays small.
 */
import type { SiteDescription, ValueSpec } from '../../lib/domain/site-description';

/** What the editor's form holds. Empty strings are fields not filled in yet. */
export interface Draft {
  origin: string;
  name: string;
  threadContainer: string;
  threadTitle: string;
  threadIdFrom: 'url' | 'attr';
  threadIdPattern: string;
  threadIdAttr: string;
  threadAnswered: string;
  threadReplies: string;
  postItem: string;
  postAuthor: string;
  postIdFrom: 'attr' | 'permalink';
  postIdAttr: string;
  postIdPattern: string;
  postPermalink: string;
  postBody: string;
  rowItem: string;
  rowTitle: string;
  rowIdFrom: 'link' | 'attr';
  rowIdAttr: string;
  rowIdPattern: string;
  viewer: string;
}

/** A form with nothing filled in, for an origin. */
export function emptyDraft(origin: string, name = ''): Draft {
  return {
    origin,
    name: name || hostName(origin),
    threadContainer: '',
    threadTitle: '',
    threadIdFrom: 'url',
    threadIdPattern: '',
    threadIdAttr: '',
    threadAnswered: '',
    threadReplies: '',
    postItem: '',
    postAuthor: '',
    postIdFrom: 'attr',
    postIdAttr: '',
    postIdPattern: '',
    postPermalink: '',
    postBody: '',
    rowItem: '',
    rowTitle: '',
    rowIdFrom: 'link',
    rowIdAttr: '',
    rowIdPattern: '',
    viewer: '',
  };
}

function hostName(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return origin;
  }
}

const v = (s: string) => s.trim();
const opt = (s: string): string | undefined => (v(s) ? v(s) : undefined);

/**
 * The description the form stands for. Parts that are not filled in are left out, so an
 * unfinished form still says what it can (the editor's counts work from the first field).
 */
export function draftToDescription(d: Draft): Partial<SiteDescription> & { version: 1; name: string; origins: string[] } {
  const out: Partial<SiteDescription> & { version: 1; name: string; origins: string[] } = { version: 1, name: v(d.name) || hostName(d.origin), origins: [d.origin] };
  if (v(d.threadContainer) || v(d.threadTitle)) {
    const id = d.threadIdFrom === 'url' ? { from: 'url' as const, pattern: v(d.threadIdPattern) } : { attr: v(d.threadIdAttr), ...(opt(d.threadIdPattern) ? { pattern: v(d.threadIdPattern) } : {}) };
    out.thread = {
      container: v(d.threadContainer) || 'body',
      id,
      title: { selector: v(d.threadTitle) },
      ...(opt(d.threadAnswered) ? { answered: v(d.threadAnswered) } : {}),
      ...(opt(d.threadReplies) ? { replies: { selector: v(d.threadReplies) } } : {}),
      // The claim bar goes after the title, and goes when the title does.
      anchor: { selector: v(d.threadTitle), element: v(d.threadTitle), placement: 'after' },
    } as SiteDescription['thread'];
  }
  if (v(d.postItem)) {
    const idSpec: ValueSpec =
      d.postIdFrom === 'permalink'
        ? { selector: v(d.postPermalink), attr: 'href', ...(opt(d.postIdPattern) ? { pattern: v(d.postIdPattern) } : {}) }
        : { attr: v(d.postIdAttr), ...(opt(d.postIdPattern) ? { pattern: v(d.postIdPattern) } : {}) };
    out.posts = {
      item: v(d.postItem),
      id: idSpec,
      author: { selector: v(d.postAuthor) },
      ...(opt(d.postPermalink) ? { permalink: { selector: v(d.postPermalink) } } : {}),
      ...(opt(d.postBody) ? { body: v(d.postBody) } : {}),
      question: 'first',
      anchor: { placement: 'append' },
    } as SiteDescription['posts'];
  }
  if (v(d.rowItem)) {
    const idSpec: ValueSpec =
      d.rowIdFrom === 'link'
        ? { selector: v(d.rowTitle), attr: 'href', ...(opt(d.rowIdPattern) ? { pattern: v(d.rowIdPattern) } : {}) }
        : { attr: v(d.rowIdAttr), ...(opt(d.rowIdPattern) ? { pattern: v(d.rowIdPattern) } : {}) };
    out.list = {
      row: v(d.rowItem),
      id: idSpec,
      title: { selector: v(d.rowTitle) },
      anchor: { selector: v(d.rowTitle), placement: 'after' },
    } as SiteDescription['list'];
  }
  if (opt(d.viewer)) out.viewer = { selector: v(d.viewer) };
  return out;
}

const selectorOf = (x: unknown): string => (typeof x === 'string' ? x : Array.isArray(x) && typeof x[0] === 'string' ? x[0] : '');
const single = (x: unknown): Record<string, unknown> | null => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : null);

/**
 * The form for a saved description, when the form can show it; null for descriptions written
 * by hand in ways the form has no fields for (the editor then offers them as JSON).
 */
export function descriptionToDraft(desc: SiteDescription, origin: string): Draft | null {
  const d = emptyDraft(origin, desc.name);
  const t = desc.thread;
  if (t) {
    d.threadContainer = selectorOf(t.container);
    const title = single(t.title);
    if (!title) return null;
    d.threadTitle = selectorOf(title.selector);
    const id = single(t.id);
    if (!id) return null;
    if (id.from === 'url') {
      d.threadIdFrom = 'url';
      d.threadIdPattern = String(id.pattern ?? '');
    } else {
      d.threadIdFrom = 'attr';
      d.threadIdAttr = String(id.attr ?? '');
      d.threadIdPattern = String(id.pattern ?? '');
    }
    d.threadAnswered = selectorOf(t.answered);
    d.threadReplies = selectorOf(single(t.replies)?.selector);
  }
  const p = desc.posts;
  if (p) {
    d.postItem = selectorOf(p.item);
    const author = single(p.author);
    const id = single(p.id);
    if (!author || !id) return null;
    d.postAuthor = selectorOf(author.selector);
    d.postPermalink = selectorOf(single(p.permalink)?.selector);
    d.postBody = selectorOf(p.body);
    if (id.selector && id.attr === 'href') {
      d.postIdFrom = 'permalink';
      d.postPermalink ||= selectorOf(id.selector);
    } else {
      d.postIdFrom = 'attr';
      d.postIdAttr = String(id.attr ?? '');
    }
    d.postIdPattern = String(id.pattern ?? '');
  }
  const l = desc.list;
  if (l) {
    d.rowItem = selectorOf(l.row);
    d.rowTitle = selectorOf(l.title.selector);
    const id = single(l.id);
    if (!id) return null;
    if (id.attr === 'href') d.rowIdFrom = 'link';
    else {
      d.rowIdFrom = 'attr';
      d.rowIdAttr = String(id.attr ?? '');
    }
    d.rowIdPattern = String(id.pattern ?? '');
  }
  d.viewer = selectorOf(single(desc.viewer)?.selector);
  return d;
}
