/**
 * Discourse adapter. Discourse runs on any domain, so it is recognised from the page (its
 * generator tag), never from the host. It reads three page variants and gives them the same
 * keys:
 *
 * - the rendered Ember app (topic pages with cloaked off-screen posts, topic lists);
 * - the crawler view served without JavaScript (to bots, and inside <noscript> to browsers);
 * - the preloaded store JSON, for the viewer and a topic's reply count only.
 *
 * Keys: threadId = topic id, postId = post NUMBER. Crawler pages carry no post ids, so the
 * post number is the one post key every variant has. URLs are rebuilt canonically as
 * `<origin><base>/t/<slug>/<id>[/<n>]` rather than copied from the page.
 */
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
  parseCount,
  parseTime,
  tagList,
  textOf,
  type Root,
} from './page-text';
import type { AdapterScan, OverlayTarget, PostInfo, SiteAdapter, TargetPlacement, ThreadInfo } from './types';

/** Most posts or threads reported from one page; a hostile page cannot make a scan huge. */
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

/** Something found on the page, with where its overlay would go (null anchor: not in the live DOM). */
interface Found<T> {
  info: T;
  element: Element;
  anchor: Element | null;
  placement: TargetPlacement;
}

interface PageRead {
  topic: Found<ThreadInfo> | null;
  posts: Found<PostInfo>[];
  rows: Found<ThreadInfo>[];
}

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

const AUTHOR_IN_LABEL = /@([\p{L}\p{M}\p{N}_.-]{1,60})\s*$/u;

/** Rendered topic: `#topic[data-topic-id]` with `article#post_<n>` posts. */
function readRenderedTopic(doc: Document, url: URL, place: Place): PageRead | null {
  const topicEl = doc.querySelector(SEL.topic);
  if (!topicEl) return null;
  const topicId = decimalId(topicEl.getAttribute('data-topic-id'));
  if (!topicId) return null;
  const slug = slugFor(doc, doc, url, place, topicId);

  const posts: Found<PostInfo>[] = [];
  let firstPost: { author: string; createdAt: number | null } | null = null;
  for (const article of Array.from(topicEl.querySelectorAll(SEL.postArticle))) {
    if (posts.length >= MAX_ITEMS) break;
    try {
      if (article.parentElement?.closest(SEL.cooked)) continue;
      const postNumber = decimalId(/^post_(\d+)$/.exec(article.id)?.[1]);
      if (!postNumber) continue;
      const articleTopic = article.getAttribute('data-topic-id');
      if (articleTopic !== null && decimalId(articleTopic) !== topicId) continue;
      if (article.matches(SEL.smallAction) || article.closest(SEL.postWrapper)?.matches(SEL.smallAction)) continue;
      const card = firstOf(article, SEL.postAuthorCard, SEL.cooked);
      const author =
        handle(card?.getAttribute('data-user-card')) ??
        handle(AUTHOR_IN_LABEL.exec(cleanText(article.getAttribute('aria-label'), 200))?.[1]);
      if (!author) continue;
      if (postNumber === '1') {
        const time = firstOf(article, SEL.postDate, SEL.cooked)?.getAttribute('data-time');
        firstPost = { author, createdAt: parseTime(time) };
      }
      const anchor = firstOf(article, SEL.postAnchor, SEL.cooked) ?? article;
      posts.push({ info: postInfo(place, slug, topicId, postNumber, author), element: article, anchor, placement: 'beforeend' });
    } catch {
      // One unreadable post must not hide the others.
    }
  }

  let topic: Found<ThreadInfo> | null = null;
  const title = topicTitle(doc, doc, topicId, false);
  if (title) {
    const marked = doc.querySelector(SEL.topicSolved) !== null || doc.querySelector(SEL.acceptedAnswer) !== null;
    const info = threadInfo({
      threadId: topicId,
      title,
      url: threadUrl(place, slug, topicId),
      author: firstPost?.author,
      replies: preloadedReplies(doc, topicId),
      answered: answeredState(marked, firstPost !== null),
      createdAt: firstPost?.createdAt,
      category: textOf(lastOf(doc, SEL.topicCategory), MAX_CATEGORY) || null,
      tags: tagsIn(allOf(doc, SEL.topicTags)),
    });
    const titleArea = doc.querySelector(SEL.topicTitleArea);
    const h1 = titleArea?.querySelector('h1') ?? null;
    topic = { info, element: titleArea ?? topicEl, anchor: h1 ?? titleArea, placement: h1 ? 'afterend' : 'beforeend' };
  }
  return { topic, posts, rows: [] };
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
function readCrawlerTopic(root: Root, doc: Document, url: URL, place: Place): PageRead | null {
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
  return { topic, posts, rows: [] };
}

/** The category a `/c/…` page lists, for rows that do not show their own badge. */
function pageCategory(doc: Document, url: URL, place: Place): string | null {
  const path = place.basePath && url.pathname.startsWith(place.basePath) ? url.pathname.slice(place.basePath.length) : url.pathname;
  if (!path.startsWith('/c/')) return null;
  const drops = Array.from(doc.querySelectorAll(SEL.pageCategory)).filter((el) => decimalId(el.getAttribute('data-value')));
  return cleanText(drops[drops.length - 1]?.getAttribute('data-name'), MAX_CATEGORY) || null;
}

function rowAnswered(row: Element): boolean | null {
  if (row.classList.contains(SEL.rowSolvedClass) || row.querySelector(SEL.rowSolved)) return true;
  if (row.classList.contains(SEL.rowUnsolvedClass) || row.querySelector(SEL.rowUnsolved)) return false;
  return null;
}

/** Topic list rows, rendered or crawler. */
function readRows(root: Root, doc: Document, url: URL, place: Place): Found<ThreadInfo>[] {
  const live = root === doc;
  const fallbackCategory = pageCategory(doc, url, place);
  const rows: Found<ThreadInfo>[] = [];
  for (const row of Array.from(root.querySelectorAll(SEL.listRow))) {
    if (rows.length >= MAX_ITEMS) break;
    try {
      if (row.parentElement?.closest(SEL.listRowContainer)) continue;
      if (row.closest(SEL.cooked)) continue;
      const attr = row.getAttribute('data-topic-id');
      const link = firstOf(row, SEL.rowTitleLink);
      const parsed = parseTopicHref(link?.getAttribute('href'), url, place);
      const topicId = attr !== null ? decimalId(attr) : (parsed?.topicId ?? null);
      if (!topicId || !link) continue;
      const title = textOf(link, MAX_TITLE);
      if (!title) continue;
      const slug = parsed && parsed.topicId === topicId && parsed.slug ? parsed.slug : 'topic';
      const repliesEl = firstOf(row, SEL.rowReplies);
      const replies = repliesEl ? (parseCount(repliesEl.getAttribute('title')) ?? parseCount(repliesEl.textContent)) : null;
      const poster = row.querySelector(SEL.rowPoster);
      const info = threadInfo({
        threadId: topicId,
        title,
        url: threadUrl(place, slug, topicId),
        author: handle(poster?.getAttribute('data-user-card')),
        replies,
        answered: rowAnswered(row),
        category: textOf(lastOf(row, SEL.rowCategory), MAX_CATEGORY) || fallbackCategory,
        tags: tagsIn(Array.from(row.querySelectorAll(SEL.rowTags))),
      });
      rows.push({ info, element: row, anchor: live ? link : null, placement: 'afterend' });
    } catch {
      // One unreadable row must not hide the others.
    }
  }
  // A parser without scripting shows <noscript> crawler rows next to the rendered ones;
  // the rendered rows carry more (posters, solved state), so they win.
  const outside = rows.filter((r) => !r.element.closest(SEL.noscript));
  return outside.length > 0 ? outside : rows;
}

function readPage(doc: Document, url: URL): PageRead {
  const place = placeOf(doc, url);
  const rendered = readRenderedTopic(doc, url, place);
  const crawler = rendered ? null : crawlerRoot(doc, url);
  const topicRead = rendered ?? (crawler ? readCrawlerTopic(crawler, doc, url, place) : null);
  let rows = readRows(doc, doc, url, place);
  if (rows.length === 0 && crawler && crawler !== doc) rows = readRows(crawler, doc, url, place);

  // One entry per key: the topic itself first, then rows of other topics.
  const topic = topicRead?.topic ?? null;
  const seenThreads = new Set<string>(topic ? [topic.info.threadId] : []);
  const uniqueRows: Found<ThreadInfo>[] = [];
  for (const row of rows) {
    if (seenThreads.has(row.info.threadId)) continue;
    seenThreads.add(row.info.threadId);
    uniqueRows.push(row);
  }
  const seenPosts = new Set<string>();
  const posts: Found<PostInfo>[] = [];
  for (const p of topicRead?.posts ?? []) {
    if (seenPosts.has(p.info.postId)) continue;
    seenPosts.add(p.info.postId);
    posts.push(p);
  }
  return { topic, posts, rows: uniqueRows };
}

// ── The adapter ──────────────────────────────────────────────────────────────────────────

function isDiscourse(doc: Document): boolean {
  try {
    return doc.querySelector(SEL.generator) !== null;
  } catch {
    return false;
  }
}

function scan(doc: Document, url: URL): AdapterScan | null {
  if (!isDiscourse(doc)) return null;
  const page = readPage(doc, url);
  let viewer: string | null = null;
  try {
    viewer = readViewer(doc, url);
  } catch {
    viewer = null;
  }
  const threads = [...(page.topic ? [page.topic.info] : []), ...page.rows.map((r) => r.info)];
  return { viewer, threads, posts: page.posts.map((p) => p.info) };
}

function targets(doc: Document, url: URL): OverlayTarget[] {
  if (!isDiscourse(doc)) return [];
  const page = readPage(doc, url);
  const out: OverlayTarget[] = [];
  const { topic } = page;
  if (topic?.anchor) {
    out.push({ kind: 'thread', thread: topic.info, element: topic.element, anchor: topic.anchor, placement: topic.placement });
  }
  for (const p of page.posts) {
    if (p.anchor) out.push({ kind: 'post', post: p.info, element: p.element, anchor: p.anchor, placement: p.placement });
  }
  for (const r of page.rows) {
    if (r.anchor) out.push({ kind: 'thread-row', thread: r.info, element: r.element, anchor: r.anchor, placement: r.placement });
  }
  return out;
}

/** The Discourse adapter: any domain, recognised from the page. Never throws. */
export const discourse: SiteAdapter = {
  platform: 'discourse',

  detect(doc) {
    return isDiscourse(doc);
  },

  scan(doc, url) {
    try {
      return scan(doc, url);
    } catch {
      return null;
    }
  },

  targets(doc, url) {
    try {
      return targets(doc, url);
    } catch {
      return [];
    }
  },

  observeRoot(doc) {
    try {
      return doc.querySelector(SEL.mainOutlet);
    } catch {
      return null;
    }
  },
};
