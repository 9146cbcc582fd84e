/**
 * The interpreter of site descriptions: `describedAdapter(description)` is a site adapter
 * that reads any forum the description fits. Built-in platforms are descriptions plus a few
 * typed hooks for what selectors cannot say; a user's description of their forum goes
 * through exactly the same code.
 *
 * Reading is bounded: at most `maxItems` posts and rows per pass, values cut to their field
 * limits, patterns that cannot backtrack badly (`lib/domain/safe-pattern.ts`), and a time
 * budget per pass after which the read stops and says it is partial. A selector the browser
 * cannot parse simply matches nothing. Nothing here throws on page content.
 */
import { MAX_PATTERN_INPUT, matchPattern } from '../domain/safe-pattern';
import type { AnchorSpec, IdSpec, SiteDescription, ValueSpec, ValuesSpec } from '../domain/site-description';
import type { PlatformId } from '../domain/refs';
import { LOCAL_ID_PATTERN } from '../domain/limits';
import { MAX_CATEGORY, MAX_TITLE, MAX_URL, cleanText, decimalId, handle, parseCount, parseTime, tagList } from './page-text';
import type { OverlayTarget, PageRead, PostInfo, SiteAdapter, TargetPlacement, ThreadInfo } from './types';

/** Most posts, and most rows, read in one pass of a user's description. */
export const DEFAULT_MAX_ITEMS = 2_000;
/** Longest a pass may take before it stops reading, in ms. */
export const DEFAULT_BUDGET_MS = 100;
/** Items read whatever the time, so a slow page still shows something. */
const MIN_ITEMS = 100;

/** Something read from the page with the element it came from and where its overlay goes. */
export interface Found<T> {
  info: T;
  element: Element;
  /** Null when the item is not in the live page (parsed `<noscript>` text, say). */
  anchor: Element | null;
  placement: TargetPlacement;
}

/** What a pass read, before it becomes a `PageRead`. */
export interface DescribedRead {
  viewer: string | null;
  thread: Found<ThreadInfo> | null;
  posts: Found<PostInfo>[];
  rows: Found<ThreadInfo>[];
  partial: boolean;
}

/** Where a pass is: the page, and when it must stop. */
export interface PassContext {
  doc: Document;
  url: URL;
  deadline: number;
}

/**
 * What only a built-in adapter may add: small typed functions for what selectors cannot say
 * (Discourse's server-rendered view, the data a page embeds as JSON, canonical addresses).
 * A description from a person or a team never carries hooks: it is data only.
 */
export interface AdapterHooks<C = unknown> {
  /** Per-pass state the other hooks share (a parsed blob, the forum's base path). */
  prepare?(doc: Document, url: URL): C;
  /** The viewer, before the description's own `viewer`. */
  viewer?(ctx: C, pass: PassContext): string | null;
  /** Completes or corrects the thread of a thread page; null drops it. */
  thread?(info: ThreadInfo, found: { container: Element; posts: readonly Found<PostInfo>[] }, ctx: C, pass: PassContext): ThreadInfo | null;
  /** Completes or corrects one post; null drops it. */
  post?(info: PostInfo, element: Element, ctx: C, pass: PassContext): PostInfo | null;
  /**
   * The author of a post whose markup names none, from data the page itself embeds; null when
   * that data does not say either (the post is then left out: an author is never guessed).
   */
  postAuthor?(element: Element, postId: string, ctx: C, pass: PassContext): string | null;
  /** Completes or corrects one row; null drops it. */
  row?(info: ThreadInfo, element: Element, ctx: C, pass: PassContext): ThreadInfo | null;
  /** Chooses among the rows read (e.g. rendered rows over server-rendered copies of them). */
  rows?(rows: Found<ThreadInfo>[], ctx: C, pass: PassContext): Found<ThreadInfo>[];
  /** An id for a row whose described id gave none (an address only code can parse). */
  rowId?(row: Element, ctx: C, pass: PassContext): string | null;
  /**
   * Reads the page another way when the description finds no thread (a server-rendered
   * variant). It gets the rows read so far, and can read the description's rows in another
   * root (parsed markup that is not in the page: those rows get no overlay).
   */
  fallback?(ctx: C, pass: PassContext, described: { rows: Found<ThreadInfo>[]; rowsIn(root: ParentNode): Found<ThreadInfo>[] }): Omit<DescribedRead, 'viewer'> | null;
}

/** Turns a description's pattern into a regular expression; null for one that must not run. */
export type PatternCompiler = (source: string) => RegExp | null;

/**
 * For descriptions that were validated (`parseSiteDescription` checks every pattern with
 * `safe-pattern.ts`: the background before handing one to a page, the team server before
 * sharing one) and for built-in ones. A draft no one validated goes through `compilePattern`.
 */
export const compileValidated: PatternCompiler = (source) => {
  try {
    return new RegExp(source, 'u');
  } catch {
    return null;
  }
};

/** How a described adapter behaves beyond its description. */
export interface DescribedOptions<C = unknown> {
  /** The platform it reports (`custom` for descriptions people write). */
  platform?: PlatformId;
  /** Recognised on any domain by its marker alone (software like Discourse that runs anywhere). */
  anyOrigin?: boolean;
  maxItems?: number;
  budgetMs?: number;
  hooks?: AdapterHooks<C>;
  /** How patterns are compiled (validated descriptions by default). */
  compile?: PatternCompiler;
  /** The clock the time budget is kept by. */
  now?: () => number;
}

const PLACEMENTS: Record<AnchorSpec['placement'], TargetPlacement> = {
  before: 'beforebegin',
  after: 'afterend',
  prepend: 'afterbegin',
  append: 'beforeend',
};

/** Whether a node is an element, whichever window made it (tests parse pages in other realms). */
const isElement = (node: Element | Document | ParentNode): node is Element => (node as Node).nodeType === 1;

export const list = (s: string | readonly string[] | undefined): readonly string[] => (s === undefined ? [] : typeof s === 'string' ? [s] : s);

/** `querySelectorAll` that answers nothing, rather than throwing, for a selector the browser cannot parse. */
export function queryAll(root: ParentNode, selector: string): Element[] {
  try {
    return Array.from(root.querySelectorAll(selector));
  } catch {
    return [];
  }
}

export function queryFirst(root: ParentNode, selectors: string | readonly string[] | undefined): Element | null {
  for (const sel of list(selectors)) {
    try {
      const el = root.querySelector(sel);
      if (el) return el;
    } catch {
      // not a selector this browser reads
    }
  }
  return null;
}

/** All matches of the first selector that matches at all. */
export function queryFirstAll(root: ParentNode, selectors: string | readonly string[] | undefined): Element[] {
  for (const sel of list(selectors)) {
    const found = queryAll(root, sel);
    if (found.length) return found;
  }
  return [];
}

function matchesAny(el: Element, selectors: readonly string[]): boolean {
  for (const sel of selectors) {
    try {
      if (el.matches(sel)) return true;
    } catch {
      // unreadable selector
    }
  }
  return false;
}

/** The nearest ancestor (or the element itself) matching any selector. A selector the browser cannot read matches nothing. */
function closestAny(el: Element | null, selectors: readonly string[]): Element | null {
  if (!el) return null;
  for (const sel of selectors) {
    if (!validSelector(sel, el.ownerDocument)) continue;
    const hit = el.closest(sel);
    if (hit) return hit;
  }
  return null;
}

const selectorValidity = new Map<string, boolean>();
/** Whether the browser reads a selector (asked once per selector, on an empty fragment of `doc`). */
export function validSelector(sel: string, doc: Document | null): boolean {
  let ok = selectorValidity.get(sel);
  if (ok === undefined) {
    if (!doc) return true;
    try {
      doc.createDocumentFragment().querySelector(sel);
      ok = true;
    } catch {
      ok = false;
    }
    if (selectorValidity.size > 500) selectorValidity.clear();
    selectorValidity.set(sel, ok);
  }
  return ok;
}

/** An id as Tend keys it: trimmed, no spaces, at most 200 safe characters. */
export function cleanId(value: string | null): string | null {
  if (value === null) return null;
  const s = value.trim();
  return LOCAL_ID_PATTERN.test(s) ? s : null;
}

/** An absolute http(s) address (without its fragment unless `keepHash`), or null. */
function absoluteUrl(href: string | null, base: URL, keepHash = false): string | null {
  if (!href || href.length > MAX_URL) return null;
  try {
    const u = new URL(href.trim(), base);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    if (!keepHash) u.hash = '';
    const s = u.href;
    return s.length <= MAX_URL ? s : null;
  } catch {
    return null;
  }
}

/** A described adapter, with what the editor needs besides reading. */
export type DescribedAdapter = SiteAdapter & {
  readonly description: SiteDescription;
  readDescribed(doc: Document, url: URL): DescribedRead | null;
};

/**
 * The readers a description is interpreted with: finding elements (never inside a post's own
 * text), reading values through their fallbacks and patterns, and choosing items. Shared by
 * the adapter and the editor's inspection.
 */
export function describedReaders(description: SiteDescription, maxItems: number, compile: PatternCompiler) {
  // Patterns are compiled once; one that is refused never matches.
  const patterns = new Map<string, RegExp | null>();
  const compiled = (source: string): RegExp | null => {
    if (!patterns.has(source)) patterns.set(source, compile(source));
    return patterns.get(source)!;
  };

  const body = list(description.posts?.body);
  // Threaded replies sit inside the post they answer: a post's values are its own, never a reply's.
  const nestedItems = description.posts?.nested ? list(description.posts.item) : [];

  /** The first match of `selectors` in `root` not inside the root's own user-written text (nor a reply nested in it). */
  const find = (root: Element | Document, selectors: string | readonly string[], last = false): Element | null => {
    const screened = (body.length || nestedItems.length) && isElement(root);
    for (const sel of list(selectors)) {
      if (!last) {
        // The first match is usually the one (a post's header comes before its body): a search
        // that stops there, and the whole list only when that match is inside a body.
        let first: Element | null;
        try {
          first = root.querySelector(sel);
        } catch {
          continue;
        }
        if (!first) continue;
        if (!screened || !insideBody(root, first)) return first;
      }
      let found = queryAll(root, sel);
      if (screened) found = found.filter((el) => !insideBody(root, el));
      if (found.length) return last ? found[found.length - 1]! : found[0]!;
    }
    return null;
  };
  const insideBody = (root: Element, el: Element): boolean => {
    const hit = closestAny(el, body);
    if (hit !== null && hit !== root && root.contains(hit)) return true;
    if (!nestedItems.length || !matchesAny(root, nestedItems)) return false;
    const owner = closestAny(el, nestedItems);
    return owner !== null && owner !== root && root.contains(owner);
  };

  /** One raw value: the text or attribute of an element, picked out by the pattern. */
  const rawOne = (spec: ValueSpec, root: Element | Document): { value: string | null; element: Element | null } => {
    const el = spec.selector ? find(root, spec.selector, spec.last) : isElement(root) ? root : null;
    if (!el) return { value: null, element: null };
    let raw = spec.attr ? el.getAttribute(spec.attr) : el.textContent;
    if (raw === null) return { value: null, element: el };
    if (spec.pattern) {
      const re = compiled(spec.pattern);
      raw = re ? matchPattern(re, spec.attr ? patternInput(spec.attr, raw, el) : cleanText(raw, MAX_PATTERN_INPUT)) : null;
    }
    if (raw !== null && spec.decimal) raw = decimalId(raw);
    return { value: raw, element: el };
  };

  /** The first of the fallbacks whose value `accept` takes. */
  const value = <T>(specs: ValuesSpec | IdSpec | undefined, root: Element | Document, url: URL, accept: (raw: string, element: Element | null) => T | null): T | null => {
    if (!specs) return null;
    if (!Array.isArray(specs) && 'from' in specs) {
      const re = compiled(specs.pattern);
      let raw = re ? matchPattern(re, `${url.pathname}${url.search}`) : null;
      if (raw !== null && specs.decimal) raw = decimalId(raw);
      return raw === null ? null : accept(raw, null);
    }
    for (const spec of Array.isArray(specs) ? specs : [specs as ValueSpec]) {
      const { value: raw, element } = rawOne(spec, root);
      if (raw === null) continue;
      const accepted = accept(raw, element);
      if (accepted !== null) return accepted;
    }
    return null;
  };
  const textOf = (max: number) => (raw: string) => cleanText(raw, max) || null;
  // "12", "1,234 replies", "Replies: 3": the first number shown.
  const countOf = (raw: string) => parseCount(/\d[\d,.\u00a0\u202f]*\s?[kKmM]?\b/.exec(cleanText(raw, 80))?.[0] ?? null);
  const handleOf = (raw: string) => handle(cleanText(raw, 200));
  const hrefOf = (url: URL) => (raw: string) => absoluteUrl(raw, url);
  /** A post's own address keeps its fragment: that is what points at the post. */
  const permalinkOf = (url: URL) => (raw: string) => absoluteUrl(raw, url, true);
  /** Addresses are read from `href` unless the description names another attribute. */
  const withHref = (specs: ValuesSpec | undefined): ValuesSpec | undefined =>
    specs === undefined ? undefined : Array.isArray(specs) ? specs.map((x) => (x.attr ? x : { ...x, attr: 'href' })) : specs.attr ? specs : { ...specs, attr: 'href' };
  const tagsOf = (spec: ValueSpec | undefined, root: Element | Document): string[] => {
    if (!spec?.selector) return [];
    for (const sel of list(spec.selector)) {
      let found = queryAll(root, sel);
      if (body.length && isElement(root)) found = found.filter((el) => !insideBody(root, el));
      if (found.length) return tagList(found.map((el) => (spec.attr ? (el.getAttribute(spec.attr) ?? el.textContent) : el.textContent)));
    }
    return [];
  };

  const anchorOf = (spec: AnchorSpec, root: Element | Document, item: Element): { anchor: Element | null; element: Element; placement: TargetPlacement } => {
    const anchor = spec.selector ? find(root, spec.selector) : isElement(root) ? root : null;
    const element = (spec.element ? find(root, spec.element) : null) ?? item;
    // The overlay must go when what it stands for goes: an anchor outside it is no anchor.
    const usable = anchor && (element === anchor || element.contains(anchor)) ? anchor : null;
    return { anchor: usable, element, placement: PLACEMENTS[spec.placement] };
  };

  /** The items of a part: outermost matches only, not excluded, at most `maxItems`. */
  const items = (root: ParentNode, selectors: string | readonly string[], exclude: readonly string[], nested = false): Element[] => {
    const all = queryFirstAll(root, selectors);
    const chosen = list(selectors);
    const out: Element[] = [];
    for (const el of all) {
      if (out.length >= maxItems) break;
      try {
        // A post quoted inside a post, a row inside a row: the outer one is the item (unless replies nest).
        if (!nested && closestAny(el.parentElement, chosen)) continue;
        if (exclude.length && closestAny(el, exclude)) continue;
        out.push(el);
      } catch {
        // An element that cannot be asked is no item.
      }
    }
    return out;
  };

  return { find, value, items, tagsOf, anchorOf, withHref, textOf, countOf, handleOf, hrefOf, permalinkOf };
}

/** Creates an adapter from a description. Invalid parts read as nothing; nothing throws. */
export function describedAdapter<C = unknown>(description: SiteDescription, options: DescribedOptions<C> = {}): DescribedAdapter {
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const hooks = options.hooks ?? {};
  const now = options.now ?? (() => performance.now());
  const origins = new Set((description.origins ?? []).map((o) => o.toLowerCase()));

  const { find, value, items, tagsOf, anchorOf, withHref, textOf, countOf, handleOf, hrefOf, permalinkOf } = describedReaders(description, maxItems, options.compile ?? compileValidated);

  const detect = (doc: Document, url: URL): boolean => {
    try {
      if (!options.anyOrigin && !origins.has(url.origin.toLowerCase())) return false;
      if (description.marker && !queryFirst(doc, description.marker)) return false;
      return true;
    } catch {
      return false;
    }
  };

  const readPosts = (root: ParentNode, threadId: string, pass: PassContext, ctx: C): { posts: Found<PostInfo>[]; partial: boolean } => {
    const spec = description.posts!;
    const posts: Found<PostInfo>[] = [];
    const seen = new Set<string>();
    let first = true;
    const threadUrl = threadUrlOf(pass.url);
    const permalink = permalinkOf(pass.url);
    const permalinkSpec = withHref(spec.permalink);
    for (const el of items(root, spec.item, list(spec.exclude), spec.nested === true)) {
      if (posts.length >= MIN_ITEMS && now() > pass.deadline) return { posts, partial: true };
      try {
        if (spec.threadAttr) {
          const owner = el.getAttribute(spec.threadAttr);
          if (owner !== null && owner.trim() !== threadId) continue;
        }
        const postId = value(spec.id, el, pass.url, cleanId);
        let author = value(spec.author, el, pass.url, handleOf);
        if (postId && !author && hooks.postAuthor) author = hooks.postAuthor(el, postId, ctx, pass);
        if (!postId || !author || seen.has(postId)) continue;
        const url = value(permalinkSpec, el, pass.url, permalink) ?? `${threadUrl}#${encodeURIComponent(postId)}`;
        let info: PostInfo | null = { threadId, postId, author, url };
        const q = spec.question;
        if ((q === 'first' && first) || (q && typeof q === 'object' && q.id === postId)) info.isQuestion = true;
        first = false;
        if (hooks.post) info = hooks.post(info, el, ctx, pass);
        if (!info) continue;
        seen.add(info.postId);
        const { anchor, element, placement } = anchorOf(spec.anchor, el, el);
        posts.push({ info, element, anchor: el.isConnected ? (anchor ?? el) : null, placement });
      } catch {
        // One unreadable post must not hide the others.
      }
    }
    return { posts, partial: false };
  };

  const answeredOf = (root: ParentNode, answered: string | readonly string[] | undefined, unanswered: string | readonly string[] | undefined, questionShown: boolean): boolean | undefined => {
    if (answered === undefined && unanswered === undefined) return undefined;
    if (answered !== undefined && queryFirst(root, answered)) return true;
    if (unanswered !== undefined && queryFirst(root, unanswered)) return false;
    // Markers sit near the question: without it on the page, their absence proves nothing.
    return questionShown ? false : undefined;
  };

  const readThread = (pass: PassContext, ctx: C): { thread: Found<ThreadInfo> | null; posts: Found<PostInfo>[]; partial: boolean } => {
    const spec = description.thread;
    const none = { thread: null, posts: [], partial: false };
    const doc = pass.doc;
    const container = spec ? queryFirst(doc, spec.container) : null;
    if (!spec || !container) {
      // A page of posts with no thread header described: posts alone cannot be keyed.
      return none;
    }
    const threadId = value(spec.id, container, pass.url, cleanId);
    if (!threadId) return none;
    const postsRead = description.posts ? readPosts(description.posts.scope === 'document' ? doc : container, threadId, pass, ctx) : { posts: [], partial: false };
    const question = postsRead.posts.find((p) => p.info.isQuestion);

    // The header's values may sit anywhere on the page (a title above the post stream).
    const fields: Partial<ThreadInfo> = {};
    const title = value(spec.title, doc, pass.url, textOf(MAX_TITLE)) ?? cleanText(doc.title, MAX_TITLE);
    const url = value(withHref(spec.url), doc, pass.url, hrefOf(pass.url)) ?? threadUrlOf(pass.url);
    const author = value(spec.author, doc, pass.url, handleOf) ?? question?.info.author ?? null;
    if (author) fields.author = author;
    let replies = value(spec.replies, doc, pass.url, countOf);
    if (replies !== null && spec.repliesCountFirst) replies = Math.max(0, replies - 1);
    if (replies !== null) fields.replies = replies;
    const answered = answeredOf(doc, spec.answered, spec.unanswered, question !== undefined);
    if (answered !== undefined) fields.answered = answered;
    const created = value(spec.created, doc, pass.url, (raw) => parseTime(raw));
    if (created !== null) fields.createdAt = created;
    const category = value(spec.category, doc, pass.url, textOf(MAX_CATEGORY));
    if (category) fields.category = category;
    const tags = tagsOf(spec.tags, doc);
    if (tags.length) fields.tags = tags;
    let info: ThreadInfo | null = title ? { threadId, title, url, ...fields } : null;
    if (info && hooks.thread) info = hooks.thread(info, { container, posts: postsRead.posts }, ctx, pass);
    if (!info) return { thread: null, posts: postsRead.posts, partial: postsRead.partial };
    const { anchor, element, placement } = anchorOf(spec.anchor, spec.anchor.selector || spec.anchor.element ? doc : container, container);
    return { thread: { info, element, anchor: container.isConnected ? anchor : null, placement }, posts: postsRead.posts, partial: postsRead.partial };
  };

  const readRows = (root: ParentNode, pass: PassContext, ctx: C): { rows: Found<ThreadInfo>[]; partial: boolean } => {
    const spec = description.list;
    if (!spec) return { rows: [], partial: false };
    const rows: Found<ThreadInfo>[] = [];
    for (const row of items(root, spec.row, list(spec.exclude))) {
      if (rows.length >= MIN_ITEMS && now() > pass.deadline) return { rows, partial: true };
      try {
        const link = spec.title.selector ? find(row, spec.title.selector) : row;
        const threadId = value(spec.id, row, pass.url, cleanId) ?? (hooks.rowId ? cleanId(hooks.rowId(row, ctx, pass)) : null);
        if (!threadId || !link) continue;
        const title = cleanText(spec.title.attr ? link.getAttribute(spec.title.attr) : link.textContent, MAX_TITLE);
        if (!title) continue;
        const url = absoluteUrl(link.getAttribute('href'), pass.url) ?? threadUrlOf(pass.url);
        let info: ThreadInfo | null = { threadId, title, url };
        const author = value(spec.author, row, pass.url, handleOf);
        if (author) info.author = author;
        const replies = value(spec.replies, row, pass.url, countOf);
        if (replies !== null) info.replies = replies;
        const marked = (sel: string | readonly string[] | undefined) => sel !== undefined && (matchesAny(row, list(sel)) || find(row, sel) !== null);
        const answered = marked(spec.answered) ? true : marked(spec.unanswered) ? false : undefined;
        if (answered !== undefined) info.answered = answered;
        const category = value(spec.category, row, pass.url, textOf(MAX_CATEGORY));
        if (category) info.category = category;
        const tags = tagsOf(spec.tags, row);
        if (tags.length) info.tags = tags;
        if (hooks.row) info = hooks.row(info, row, ctx, pass);
        if (!info) continue;
        const { anchor, element, placement } = anchorOf(spec.anchor, row, row);
        rows.push({ info, element, anchor: row.isConnected ? (anchor ?? row) : null, placement });
      } catch {
        // One unreadable row must not hide the others.
      }
    }
    return { rows, partial: false };
  };

  const readDescribed = (doc: Document, url: URL): DescribedRead | null => {
    if (!detect(doc, url)) return null;
    const pass: PassContext = { doc, url, deadline: now() + budgetMs };
    const ctx = (hooks.prepare ? hooks.prepare(doc, url) : undefined) as C;
    let viewer: string | null = null;
    try {
      viewer = hooks.viewer?.(ctx, pass) ?? value(description.viewer, doc, url, handleOf);
    } catch {
      viewer = null;
    }
    const t = readThread(pass, ctx);
    const r = readRows(doc, pass, ctx);
    let rows = r.rows;
    if (hooks.rows) rows = hooks.rows(rows, ctx, pass);
    if (!t.thread && hooks.fallback) {
      const other = hooks.fallback(ctx, pass, { rows, rowsIn: (root) => readRows(root, pass, ctx).rows });
      if (other) return { ...other, viewer };
    }
    return { viewer, thread: t.thread, posts: t.posts, rows, partial: t.partial || r.partial };
  };

  return {
    platform: options.platform ?? 'custom',
    description,
    detect,
    readDescribed: (doc, url) => {
      try {
        return readDescribed(doc, url);
      } catch {
        return null;
      }
    },
    read(doc, url) {
      try {
        const r = readDescribed(doc, url);
        return r ? toPageRead(r) : null;
      } catch {
        return null;
      }
    },
    observeRoot(doc) {
      try {
        return description.observe ? queryFirst(doc, description.observe) : null;
      } catch {
        return null;
      }
    },
  };
}

/**
 * What a pattern sees of an attribute: a link's address as path, query and fragment (so the
 * same pattern fits `/t/1`, `https://forum/t/1` and `../t/1`), anything else as it is.
 */
function patternInput(attr: string, raw: string, el: Element): string {
  if (attr !== 'href' && attr !== 'src' && attr !== 'action') return raw.trim();
  try {
    const u = new URL(raw.trim(), el.ownerDocument?.baseURI);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return raw.trim();
  }
}

/** The page's own address without query or fragment: a thread's address when nothing better is given. */
function threadUrlOf(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** One entry per key: the thread itself first, then rows of other threads; targets for what is in the live page. */
export function toPageRead(r: DescribedRead): PageRead {
  const threads: ThreadInfo[] = [];
  const targets: OverlayTarget[] = [];
  const seenThreads = new Set<string>();
  if (r.thread) {
    threads.push(r.thread.info);
    seenThreads.add(r.thread.info.threadId);
    if (r.thread.anchor) targets.push({ kind: 'thread', thread: r.thread.info, element: r.thread.element, anchor: r.thread.anchor, placement: r.thread.placement });
  }
  const posts: PostInfo[] = [];
  const seenPosts = new Set<string>();
  for (const p of r.posts) {
    if (seenPosts.has(p.info.postId)) continue;
    seenPosts.add(p.info.postId);
    posts.push(p.info);
    if (p.anchor) targets.push({ kind: 'post', post: p.info, element: p.element, anchor: p.anchor, placement: p.placement });
  }
  for (const row of r.rows) {
    if (seenThreads.has(row.info.threadId)) continue;
    seenThreads.add(row.info.threadId);
    threads.push(row.info);
    if (row.anchor) targets.push({ kind: 'thread-row', thread: row.info, element: row.element, anchor: row.anchor, placement: row.placement });
  }
  const read: PageRead = { viewer: r.viewer, threads, posts, targets };
  if (r.partial) read.partial = true;
  return read;
}
