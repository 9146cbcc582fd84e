/**
 * Discourse adapter. Discourse runs on any domain, so it is recognised from the page (its
 * generator tag), never from the host. Its rendered topics and topic lists are read by a site
 * description (`DISCOURSE_DESCRIPTION`, every selector from `discourse-selectors.ts`), through
 * the same interpreter as any forum a person describes. Hooks add what selectors cannot say:
 *
 * - canonical addresses `<origin><base>/t/<slug>/<id>[/<n>]`, rebuilt rather than copied, so
 *   every page variant gives the same keys and URLs;
 * - the preloaded store JSON, for the viewer and a topic's reply count;
 * - the crawler view served without JavaScript (to bots, and inside <noscript> to browsers).
 *
 * Keys: threadId = topic id, postId = post NUMBER. Crawler pages carry no post ids, so the
 * post number is the one post key every variant has.
 */
import type { SiteDescription } from '../domain/site-description';
import { describedAdapter, type AdapterHooks, type DescribedRead, type Found, type PassContext } from './described';
import { SEL } from './discourse-selectors';
import {
  MAX_CATEGORY,
  MAX_TITLE,
  MAX_URL,
  allOf,
  cleanText,
  decimalId,
  firstOf,
  handle,
  lastOf,
  parseTime,
  tagList,
  textOf,
  type Root,
} from './page-text';
import type { PostInfo, ThreadInfo } from './types';

/** Most posts or rows read from one page; a hostile page cannot make a read huge. */
// A long topic keeps a few thousand posts rendered once scrolled through; beyond that is hostile.
const MAX_ITEMS = 5_000;
/** Largest preloaded JSON attribute read, in characters. */
const MAX_PRELOADED = 8_000_000;
/** Largest <noscript> text parsed for crawler content, in characters. */
const MAX_NOSCRIPT = 2_000_000;

// ── URLs and keys ────────────────────────────────────────────────────────────────────────

/** Where the forum lives: origin plus the base path of a subfolder install (usually ''). */
interface Place {
  origin: string;
  basePath: string;
}

function placeOf(doc: Document, url: URL): Place {
  const raw = doc.querySelector(SEL.setup)?.getAttribute('data-base-uri') ?? '';
  const basePath = raw.length <= 100 && /^(\/[A-Za-z0-9._~%-]+)*$/.test(raw) ? raw : '';
  return { origin: url.origin, basePath };
}

/** A `/t/…` link read back into its parts. */
interface TopicPath {
  topicId: string;
  /** URL-encoded slug as it appears in the path, or null when the link has none. */
  slug: string | null;
  postNumber: string | null;
}

const SLUG = /^[A-Za-z0-9%_.~-]{1,200}$/;

/** Reads `/t/<slug>/<id>[/<n>]`, `/t/<id>[/<n>]` links on this forum; null for anything else. */
function parseTopicHref(href: string | null | undefined, url: URL, place: Place): TopicPath | null {
  if (!href || href.length > MAX_URL) return null;
  let target: URL;
  try {
    target = new URL(href, url);
  } catch {
    return null;
  }
  if (target.origin !== url.origin) return null;
  let path = target.pathname;
  if (place.basePath) {
    if (!path.startsWith(`${place.basePath}/`)) return null;
    path = path.slice(place.basePath.length);
  }
  const parts = path.split('/').filter((p) => p.length > 0);
  if (parts[0] !== 't' || parts.length < 2 || parts.length > 4) return null;
  const [, a, b, c] = parts;
  // Two numbers are `/t/<id>/<post number>`, as Discourse's router reads them.
  if (decimalId(a) && (b === undefined || decimalId(b)) && c === undefined) {
    return { topicId: decimalId(a)!, slug: null, postNumber: b === undefined ? null : decimalId(b) };
  }
  const topicId = decimalId(b);
  if (!a || !topicId) return null;
  if (c !== undefined && !decimalId(c)) return null;
  return { topicId, slug: SLUG.test(a) ? a : null, postNumber: c === undefined ? null : decimalId(c) };
}

function threadUrl(place: Place, slug: string, topicId: string): string {
  return `${place.origin}${place.basePath}/t/${slug}/${topicId}`;
}

function postUrl(place: Place, slug: string, topicId: string, postNumber: string): string {
  return `${threadUrl(place, slug, topicId)}/${postNumber}`;
}

/**
 * The slug for a topic, from the first link that names this topic id: the title link,
 * then the page URL, then the canonical link. Every page variant has at least one of these,
 * so the rendered and crawler views rebuild the same URL. 'topic' when none has one (Discourse
 * accepts any slug and redirects).
 */
function slugFor(root: Root, doc: Document, url: URL, place: Place, topicId: string): string {
  const hrefs: Array<string | null> = [];
  for (const sel of SEL.topicTitleLink) {
    for (const a of Array.from(root.querySelectorAll(sel))) hrefs.push(a.getAttribute('href'));
  }
  hrefs.push(url.href, doc.querySelector(SEL.canonical)?.getAttribute('href') ?? null);
  for (const href of hrefs) {
    const parsed = parseTopicHref(href, url, place);
    if (parsed && parsed.topicId === topicId && parsed.slug) return parsed.slug;
  }
  return 'topic';
}

/** The username in a `/u/<username>` profile link on this forum. */
function profileHandle(href: string | null, url: URL): string | null {
  if (!href || href.length > MAX_URL) return null;
  try {
    const target = new URL(href, url);
    if (target.origin !== url.origin) return null;
    const m = /\/u\/([^/?#]+)\/?$/.exec(target.pathname);
    return m?.[1] ? handle(decodeURIComponent(m[1])) : null;
  } catch {
    return null;
  }
}

// ── Preloaded store JSON ─────────────────────────────────────────────────────────────────

let preloadCache: { raw: string; outer: Record<string, unknown> | null; members: Map<string, unknown> } | null = null;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One member of `#data-preloaded`: an object whose values are JSON strings. Pages are
 * hostile and sometimes just broken (the saved meta.discourse.org page has mangled
 * entities), so when the whole does not parse, the one member is cut out and parsed alone.
 */
function preloadedMember(doc: Document, key: string): unknown {
  const raw = doc.querySelector(SEL.preloaded)?.getAttribute('data-preloaded');
  if (!raw || raw.length > MAX_PRELOADED) return undefined;
  if (!preloadCache || preloadCache.raw !== raw) {
    let outer: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(raw);
      outer = isRecord(parsed) ? parsed : null;
    } catch {
      outer = null;
    }
    preloadCache = { raw, outer, members: new Map() };
  }
  const cache = preloadCache;
  if (cache.members.has(key)) return cache.members.get(key);
  let encoded: unknown;
  if (cache.outer) {
    encoded = Object.prototype.hasOwnProperty.call(cache.outer, key) ? cache.outer[key] : undefined;
  } else {
    encoded = cutStringMember(raw, key);
  }
  let value: unknown;
  if (typeof encoded === 'string') {
    try {
      value = JSON.parse(encoded);
    } catch {
      value = undefined;
    }
  }
  cache.members.set(key, value);
  return value;
}

/** The string value of `"key":"…"` in JSON text that does not parse as a whole. */
function cutStringMember(json: string, key: string): string | undefined {
  const start = json.indexOf(`${JSON.stringify(key)}:"`);
  if (start < 0) return undefined;
  const open = start + JSON.stringify(key).length + 1;
  for (let i = open + 1; i < json.length; i++) {
    const ch = json[i];
    if (ch === '\\') i++;
    else if (ch === '"') {
      try {
        const value: unknown = JSON.parse(json.slice(open, i + 1));
        return typeof value === 'string' ? value : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function preloadedReplies(doc: Document, topicId: string): number | undefined {
  const topic = preloadedMember(doc, `topic_${topicId}`);
  if (!isRecord(topic) || String(topic.id) !== topicId) return undefined;
  const posts = topic.posts_count;
  return typeof posts === 'number' && Number.isSafeInteger(posts) && posts >= 1 ? posts - 1 : undefined;
}

// ── Viewer ───────────────────────────────────────────────────────────────────────────────

function readViewer(doc: Document, url: URL): string | null {
  const current = preloadedMember(doc, 'currentUser');
  if (isRecord(current) && typeof current.username === 'string') {
    const h = handle(current.username);
    if (h) return h;
  }
  const meta = handle(doc.querySelector(SEL.currentUsernameMeta)?.getAttribute('content'));
  if (meta) return meta;
  for (const sel of SEL.currentUserLink) {
    for (const el of Array.from(doc.querySelectorAll(sel))) {
      const h = profileHandle(el.getAttribute('href'), url) ?? handle(el.getAttribute('data-user-card'));
      if (h) return h;
    }
  }
  const src = doc.querySelector(SEL.currentUserAvatar)?.getAttribute('src') ?? '';
  const m = /\/user_avatar\/[^/]+\/([^/]+)\/\d+\//.exec(src);
  if (m?.[1]) {
    try {
      return handle(decodeURIComponent(m[1]));
    } catch {
      return null;
    }
  }
  return null;
}


// ── Reading the page ─────────────────────────────────────────────────────────────────────

function tagsIn(els: Element[]): string[] {
  return tagList(els.map((el) => el.getAttribute('data-tag-name') ?? el.textContent));
}

/** Builds a ThreadInfo, leaving unknown fields out so they never overwrite known values. */
function threadInfo(fields: {
  threadId: string;
  title: string;
  url: string;
  author?: string | null;
  replies?: number | null;
  answered?: boolean | null;
  createdAt?: number | null;
  category?: string | null;
  tags?: string[];
}): ThreadInfo {
  const info: ThreadInfo = { threadId: fields.threadId, title: fields.title, url: fields.url };
  if (fields.author) info.author = fields.author;
  if (fields.replies != null) info.replies = fields.replies;
  if (fields.answered != null) info.answered = fields.answered;
  if (fields.createdAt != null) info.createdAt = fields.createdAt;
  if (fields.category) info.category = fields.category;
  if (fields.tags && fields.tags.length > 0) info.tags = fields.tags;
  return info;
}

function postInfo(place: Place, slug: string, topicId: string, postNumber: string, author: string): PostInfo {
  const info: PostInfo = { threadId: topicId, postId: postNumber, author, url: postUrl(place, slug, topicId, postNumber) };
  if (postNumber === '1') info.isQuestion = true;
  return info;
}

function topicTitle(root: Root, doc: Document, topicId: string, useMeta: boolean): string {
  for (const sel of SEL.topicTitleText) {
    for (const el of Array.from(root.querySelectorAll(sel))) {
      // During a soft navigation the old title can linger; trust it only for this topic.
      const owner = el.closest('[data-topic-id]');
      if (owner && decimalId(owner.getAttribute('data-topic-id')) !== topicId) continue;
      const t = textOf(el, MAX_TITLE);
      if (t) return t;
    }
  }
  if (useMeta) {
    const og = cleanText(doc.querySelector('meta[property="og:title"]')?.getAttribute('content'), MAX_TITLE);
    if (og) return og;
  }
  return cleanText(doc.title, MAX_TITLE);
}

/**
 * Solved when a marker is shown. Unsolved only when the first post is on the page too: the
 * markers sit next to the title and on the first and accepted posts, so with the first post
 * cloaked or on another page their absence proves nothing, and a wrong `false` would
 * overwrite a right `true` observed elsewhere.
 */
function answeredState(marked: boolean, firstPostShown: boolean): boolean | null {
  if (marked) return true;
  return firstPostShown ? false : null;
}

const noscriptCache = new WeakMap<Element, DocumentFragment | null>();

function samePath(a: string, b: string): boolean {
  const norm = (p: string): string => {
    let s = p.replace(/\/+$/, '');
    try {
      s = decodeURI(s);
    } catch {
      // keep as is
    }
    return s;
  };
  return norm(a) === norm(b);
}

/**
 * Where crawler markup is: the document itself (bots, JavaScript off, or a parser without
 * scripting), or — when a browser with scripting on keeps it as <noscript> text — that text
 * parsed inertly in a <template> (no scripts run, nothing loads). Noscript text is only
 * trusted when its `data-path` is the current path: after a soft navigation it describes
 * another page.
 */
function crawlerRoot(doc: Document, url: URL): Root | null {
  if (doc.querySelector(SEL.crawlerPost) || doc.querySelector(SEL.listRow)) return doc;
  for (const ns of Array.from(doc.querySelectorAll(SEL.noscript))) {
    if (ns.children.length > 0) continue;
    // Without its path the text may be from the first page of a soft-navigated session.
    const path = ns.getAttribute('data-path');
    if (path === null || !samePath(path, url.pathname)) continue;
    if (noscriptCache.has(ns)) {
      const cached = noscriptCache.get(ns);
      if (cached) return cached;
      continue;
    }
    const raw = ns.textContent ?? '';
    let fragment: DocumentFragment | null = null;
    if (raw.length <= MAX_NOSCRIPT && (raw.includes('crawler-post') || raw.includes('topic-list'))) {
      const template = doc.createElement('template');
      template.innerHTML = raw;
      fragment = template.content;
    }
    noscriptCache.set(ns, fragment);
    if (fragment) return fragment;
  }
  return null;
}

/** The topic id of a crawler page: canonical link, then the page URL, then the title link. */
function crawlerTopicId(root: Root, doc: Document, url: URL, place: Place): string | null {
  const hrefs: Array<string | null> = [doc.querySelector(SEL.canonical)?.getAttribute('href') ?? null, url.href];
  for (const sel of SEL.topicTitleLink) {
    for (const a of Array.from(root.querySelectorAll(sel))) hrefs.push(a.getAttribute('href'));
  }
  for (const href of hrefs) {
    const parsed = parseTopicHref(href, url, place);
    if (parsed) return parsed.topicId;
  }
  return null;
}

/** Crawler topic: `div#post_<n>.crawler-post` (2023+) or position-numbered posts (older). */
function readCrawlerTopic(root: Root, doc: Document, url: URL, place: Place): { topic: Found<ThreadInfo> | null; posts: Found<PostInfo>[] } | null {
  const postEls = Array.from(root.querySelectorAll(SEL.crawlerPost));
  if (postEls.length === 0) return null;
  const topicId = crawlerTopicId(root, doc, url, place);
  if (!topicId) return null;
  const slug = slugFor(root, doc, url, place, topicId);
  const live = root === doc;

  const posts: Found<PostInfo>[] = [];
  let firstPost: { author: string; createdAt: number | null } | null = null;
  for (const el of postEls) {
    if (posts.length >= MAX_ITEMS) break;
    try {
      if (el.parentElement?.closest(SEL.crawlerPost)) continue;
      const idMatch = /^post_(\d+)$/.exec(el.id);
      let postNumber: string | null;
      if (el.id) {
        // An id that is there but not a post number is a page we do not understand.
        postNumber = idMatch ? decimalId(idMatch[1]) : null;
      } else {
        const pos = firstOf(el, SEL.crawlerPosition, SEL.crawlerBody);
        postNumber = decimalId((pos?.getAttribute('content') ?? pos?.textContent ?? '').trim().replace(/^#/, ''));
      }
      if (!postNumber) continue;
      let author: string | null = null;
      for (const link of allOf(el, SEL.crawlerAuthorLink, SEL.crawlerBody)) {
        author = profileHandle(link.getAttribute('href'), url);
        if (author) break;
      }
      author ??= handle(textOf(firstOf(el, SEL.crawlerAuthorName, SEL.crawlerBody), 100));
      if (!author) continue;
      if (postNumber === '1') {
        const date = firstOf(el, SEL.crawlerDate, SEL.crawlerBody);
        firstPost = { author, createdAt: parseTime(date?.getAttribute('content') ?? date?.getAttribute('datetime')) };
      }
      posts.push({
        info: postInfo(place, slug, topicId, postNumber, author),
        element: el,
        anchor: live ? el : null,
        placement: 'beforeend',
      });
    } catch {
      // One unreadable post must not hide the others.
    }
  }

  let topic: Found<ThreadInfo> | null = null;
  const title = topicTitle(root, doc, topicId, true);
  if (title) {
    const info = threadInfo({
      threadId: topicId,
      title,
      url: threadUrl(place, slug, topicId),
      author: firstPost?.author,
      replies: preloadedReplies(doc, topicId),
      answered: answeredState(root.querySelector(SEL.crawlerAccepted) !== null, firstPost !== null),
      createdAt: firstPost?.createdAt,
      category: textOf(lastOf(root, SEL.topicCategory), MAX_CATEGORY) || null,
      tags: tagsIn(allOf(root, SEL.topicTags)),
    });
    const h1 = firstOf(root, ['#topic-title h1', 'h1.crawler-topic-title']);
    const element = root.querySelector(SEL.topicTitleArea) ?? h1 ?? postEls[0]!;
    topic = { info, element, anchor: live ? h1 : null, placement: 'afterend' };
  }
  return { topic, posts };
}

/** The category a `/c/…` page lists, for rows that do not show their own badge. */
function pageCategory(doc: Document, url: URL, place: Place): string | null {
  const path = place.basePath && url.pathname.startsWith(place.basePath) ? url.pathname.slice(place.basePath.length) : url.pathname;
  if (!path.startsWith('/c/')) return null;
  const drops = Array.from(doc.querySelectorAll(SEL.pageCategory)).filter((el) => decimalId(el.getAttribute('data-value')));
  return cleanText(drops[drops.length - 1]?.getAttribute('data-name'), MAX_CATEGORY) || null;
}

// ── The description ──────────────────────────────────────────────────────────────────────

/** Rendered topics and topic lists, as data: every selector comes from the selector table. */
export const DISCOURSE_DESCRIPTION: SiteDescription = {
  version: 1,
  name: 'Discourse',
  // Recognised on any domain by its marker; this is only where the description was checked.
  origins: ['https://meta.discourse.org'],
  marker: SEL.generator,
  thread: {
    container: SEL.topic,
    id: { attr: 'data-topic-id', decimal: true },
    title: { selector: [...SEL.topicTitleText] },
    answered: [SEL.topicSolved, SEL.acceptedAnswer],
    category: { selector: [...SEL.topicCategory], last: true },
    tags: { selector: [...SEL.topicTags], attr: 'data-tag-name' },
    anchor: { selector: SEL.topicTitleHeading, element: SEL.topicTitleArea, placement: 'after' },
  },
  posts: {
    item: SEL.postArticle,
    // Some saved pages nest the stream oddly; posts of another topic are left out by their topic id.
    scope: 'document',
    threadAttr: 'data-topic-id',
    id: { attr: 'id', pattern: '^post_(\\d+)$', decimal: true },
    author: [
      { selector: [...SEL.postAuthorCard], attr: 'data-user-card' },
      // "post #3 by @carol", or localised: "@carol 发布的帖子 #3".
      { attr: 'aria-label', pattern: '^[^@]*@([^\\s@]+)' },
    ],
    body: SEL.cooked,
    exclude: [SEL.cooked, SEL.smallAction],
    question: { id: '1' },
    anchor: { selector: [...SEL.postAnchor], placement: 'append' },
  },
  list: {
    row: SEL.listRow,
    exclude: SEL.cooked,
    id: { attr: 'data-topic-id', decimal: true },
    title: { selector: [...SEL.rowTitleLink] },
    replies: [
      { selector: [...SEL.rowReplies], attr: 'title' },
      { selector: [...SEL.rowReplies] },
    ],
    answered: [SEL.rowSolvedMark, SEL.rowSolved],
    unanswered: [SEL.rowUnsolvedMark, SEL.rowUnsolved],
    author: { selector: SEL.rowPoster, attr: 'data-user-card' },
    category: { selector: [...SEL.rowCategory], last: true },
    tags: { selector: SEL.rowTags, attr: 'data-tag-name' },
    anchor: { selector: [...SEL.rowTitleLink], placement: 'after' },
  },
  observe: SEL.mainOutlet,
};

// ── The hooks ────────────────────────────────────────────────────────────────────────────

/** What one pass works out once: where the forum lives, and each topic's slug. */
interface DiscourseContext {
  place: Place;
  slugs: Map<string, string>;
  slug(topicId: string): string;
}

const hooks: AdapterHooks<DiscourseContext> = {
  prepare(doc, url) {
    const place = placeOf(doc, url);
    const slugs = new Map<string, string>();
    return {
      place,
      slugs,
      slug(topicId) {
        let slug = slugs.get(topicId);
        if (slug === undefined) slugs.set(topicId, (slug = slugFor(doc, doc, url, place, topicId)));
        return slug;
      },
    };
  },

  viewer(_ctx, pass) {
    return readViewer(pass.doc, pass.url);
  },

  thread(info, found, ctx, pass) {
    const { doc } = pass;
    const out: ThreadInfo = { ...info, url: threadUrl(ctx.place, ctx.slug(info.threadId), info.threadId) };
    // During a soft navigation the old title can linger; trust it only for this topic.
    const title = topicTitle(doc, doc, info.threadId, false);
    if (!title) return null;
    out.title = title;
    const replies = preloadedReplies(doc, info.threadId);
    if (replies !== undefined) out.replies = replies;
    else delete out.replies;
    const question = found.posts.find((p) => p.info.isQuestion);
    const created = question ? parseTime(firstOf(question.element, SEL.postDate, SEL.cooked)?.getAttribute('data-time')) : null;
    if (created !== null) out.createdAt = created;
    return reorder(out);
  },

  post(info, _element, ctx) {
    return postInfo(ctx.place, ctx.slug(info.threadId), info.threadId, info.postId, info.author);
  },

  rowId(row, ctx, pass) {
    // A row that names its topic is taken at its word, even when the word is not a number.
    if (row.hasAttribute('data-topic-id')) return null;
    return parseTopicHref(firstOf(row, SEL.rowTitleLink)?.getAttribute('href'), pass.url, ctx.place)?.topicId ?? null;
  },

  row(info, row, ctx, pass) {
    const parsed = parseTopicHref(firstOf(row, SEL.rowTitleLink)?.getAttribute('href'), pass.url, ctx.place);
    const slug = parsed && parsed.topicId === info.threadId && parsed.slug ? parsed.slug : 'topic';
    const out: ThreadInfo = { ...info, url: threadUrl(ctx.place, slug, info.threadId) };
    if (!out.category) {
      const fallback = pageCategory(pass.doc, pass.url, ctx.place);
      if (fallback) out.category = fallback;
    }
    return reorder(out);
  },

  rows(rows) {
    // A parser without scripting shows <noscript> crawler rows next to the rendered ones;
    // the rendered rows carry more (posters, solved state), so they win.
    const outside = rows.filter((r) => !r.element.closest(SEL.noscript));
    return outside.length > 0 ? outside : rows;
  },

  fallback(ctx, pass, described) {
    const crawler = crawlerRoot(pass.doc, pass.url);
    const topic = crawler ? readCrawlerTopic(crawler, pass.doc, pass.url, ctx.place) : null;
    if (!topic && !crawler) return null;
    let rows = described.rows;
    if (rows.length === 0 && crawler && crawler !== pass.doc) rows = described.rowsIn(crawler);
    if (!topic && rows === described.rows) return null;
    return { thread: topic?.topic ?? null, posts: topic?.posts ?? [], rows, partial: false };
  },
};

/** Fields in one order, so reads compare equal whichever way they were made. */
function reorder(info: ThreadInfo): ThreadInfo {
  return threadInfo({ ...info });
}

/** The Discourse adapter: any domain, recognised from the page. Never throws. */
// Bounded by the number of items read; its own selectors need no time limit.
export const discourse = describedAdapter(DISCOURSE_DESCRIPTION, { platform: 'discourse', anyOrigin: true, maxItems: MAX_ITEMS, budgetMs: 10_000, hooks });
