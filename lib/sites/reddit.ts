/**
 * Reddit adapter: thread pages (the post and its comments) and subreddit listings, on all
 * three front-ends Reddit serves: today's `shreddit-*` elements, old Reddit, and the 2019–2022
 * React redesign. Old and new hosts are one community (`refs.ts` folds old.reddit.com and the
 * others into www.reddit.com). Read by a site description (`REDDIT_DESCRIPTION`, every selector
 * from `reddit-selectors.ts`); hooks add what selectors cannot say: canonical addresses, the
 * signed-in user where only the page's embedded data names them, and authors the redesign's
 * markup leaves out but its embedded data (`window.___r`) gives. A post whose author neither
 * says ("[deleted]", a removed comment) has no author and no "this helped": never a guess.
 *
 * Keys are Reddit's own fullnames, the same on every front-end: threadId = `t3_<id>` (the post);
 * postId = `t3_<id>` for the post itself and `t1_<id>` for each comment. Addresses are
 * www.reddit.com's: `/r/<sub>/comments/<id>/<slug>/` and `/r/<sub>/comments/<id>/comment/<cid>/`.
 */
import type { SiteDescription } from '../domain/site-description';
import { describedAdapter, type AdapterHooks } from './described';
import { MAX_URL, cleanText, handle } from './page-text';
import { RD } from './reddit-selectors';
import type { DescribedAdapter } from './described';
import type { PostInfo, ThreadInfo } from './types';

const CANONICAL = 'https://www.reddit.com';
/** A large thread keeps a few thousand comments loaded; past that a page is hostile. */
const MAX_ITEMS = 5_000;
/** Largest embedded data parsed, in characters. */
const MAX_EMBEDDED = 6_000_000;

/** Reddit's hosts: www and the old, new, mobile and short variants, all one community. */
const HOSTS = /^(?:(?:www|old|new|np|sh|m|i)\.)?reddit\.com$/;

/** Whether a host is one of Reddit's. */
export function isRedditHost(host: string): boolean {
  return HOSTS.test(host.toLowerCase());
}

/** A thread address read back: `/r/<sub>/comments/<id>[/<slug>]` (or `/comments/<id>`). */
interface ThreadPath {
  sub: string | null;
  id: string;
  slug: string | null;
}

const BASE36 = /^[a-z0-9]{1,13}$/;

/** Reads a Reddit thread or comment address (path or absolute, any Reddit host); null otherwise. */
export function parseThreadPath(href: string | null | undefined, base: URL): ThreadPath | null {
  if (!href || href.length > MAX_URL) return null;
  let path: string;
  try {
    const u = new URL(href, base);
    if (!isRedditHost(u.hostname) && u.origin !== base.origin) return null;
    path = u.pathname;
  } catch {
    return null;
  }
  const parts = path.split('/').filter(Boolean);
  let sub: string | null = null;
  if ((parts[0] === 'r' || parts[0] === 'user' || parts[0] === 'u') && parts[1]) {
    sub = `${parts[0] === 'r' ? 'r' : 'user'}/${parts[1]}`;
    parts.splice(0, 2);
  }
  if (parts[0] !== 'comments' || !parts[1] || !BASE36.test(parts[1].toLowerCase())) return null;
  const slug = parts[2] && parts[2] !== 'comment' && /^[A-Za-z0-9_%-]{1,120}$/.test(parts[2]) ? parts[2] : null;
  if (sub && !/^(r|user)\/[A-Za-z0-9_]{2,30}$/.test(sub)) sub = null;
  return { sub, id: parts[1].toLowerCase(), slug };
}

/** The canonical address of a thread. */
function threadUrl(t: ThreadPath): string {
  return `${CANONICAL}/${t.sub ? `${t.sub}/` : ''}comments/${t.id}/${t.slug ? `${t.slug}/` : ''}`;
}

/** The canonical address of a comment. */
function commentUrl(t: ThreadPath, commentId: string): string {
  return `${CANONICAL}/${t.sub ? `${t.sub}/` : ''}comments/${t.id}/comment/${commentId}/`;
}

/** A handle as Reddit writes it in markup or data, or null for "[deleted]" and the like. */
function redditHandle(value: string | null | undefined): string | null {
  const h = handle(cleanText(value, 80).replace(/^u\//, ''));
  return h && h !== 'deleted' && h !== 'removed' ? h : null;
}

function firstMatch(root: ParentNode, selectors: readonly string[]): Element | null {
  for (const sel of selectors) {
    const el = root.querySelector(sel);
    if (el) return el;
  }
  return null;
}

// ── The description ──────────────────────────────────────────────────────────────────────

const POST_FULLNAME = '^(t3_[a-z0-9]{1,13})$';
const FULLNAME = '^(t[13]_[a-z0-9]{1,13})$';

/** Thread pages and listings, as data: every selector comes from the selector table. */
export const REDDIT_DESCRIPTION: SiteDescription = {
  version: 1,
  name: 'Reddit',
  // Recognised on every Reddit host (see `isRedditHost`); these are where it was checked.
  origins: ['https://www.reddit.com', 'https://old.reddit.com'],
  thread: {
    container: [...RD.threadPost],
    id: [
      { attr: 'id', pattern: POST_FULLNAME },
      { attr: 'data-fullname', pattern: POST_FULLNAME },
    ],
    title: [{ selector: RD.threadPost[0], attr: 'post-title' }, { selector: [...RD.threadTitle] }],
    author: [
      { selector: RD.threadPost[0], attr: 'author' },
      { selector: RD.threadPost[1], attr: 'data-author' },
    ],
    replies: [
      { selector: RD.commentTree, attr: 'totalcomments' },
      { selector: RD.threadPost[0], attr: 'comment-count' },
      { selector: RD.threadPost[1], attr: 'data-comments-count' },
      { selector: RD.commentsLink },
    ],
    created: { selector: RD.threadPost[0], attr: 'created-timestamp' },
    category: [{ selector: RD.threadPost[0], attr: 'subreddit-prefixed-name' }, { selector: RD.threadPost[1], attr: 'data-subreddit-prefixed' }],
    anchor: { selector: [...RD.commentsStart], element: [...RD.main], placement: 'before' },
  },
  posts: {
    item: [...RD.post],
    scope: 'document',
    // Replies sit inside the comment they answer.
    nested: true,
    id: [
      { attr: 'thingid', pattern: FULLNAME },
      { attr: 'id', pattern: POST_FULLNAME },
      { attr: 'data-fullname', pattern: FULLNAME },
      { attr: 'class', pattern: '^Comment (t1_[a-z0-9]{1,13})(?: |$)' },
    ],
    author: [
      { attr: 'author' },
      { attr: 'data-author' },
      { selector: RD.commentAuthorLink },
      { selector: RD.commentAuthorIcon, attr: 'href', pattern: '^/user/([A-Za-z0-9_-]{1,40})/?$' },
    ],
    body: [...RD.body],
    question: 'first',
    anchor: { selector: [...RD.postHeader], placement: 'append' },
  },
  list: {
    row: [...RD.row],
    exclude: RD.promoted,
    id: [
      { attr: 'id', pattern: POST_FULLNAME },
      { attr: 'data-fullname', pattern: POST_FULLNAME },
    ],
    title: { selector: [...RD.rowTitle] },
    replies: [{ attr: 'comment-count' }, { attr: 'data-comments-count' }, { selector: RD.commentsLink }],
    author: [{ attr: 'author' }, { attr: 'data-author' }],
    category: [{ attr: 'subreddit-prefixed-name' }, { attr: 'data-subreddit-prefixed' }],
    anchor: { selector: [...RD.rowHeader], placement: 'append' },
  },
};

// ── The hooks ────────────────────────────────────────────────────────────────────────────

/** What one pass works out once: the thread's address, and the page's embedded data. */
interface RedditContext {
  /** The thread the page's address names (null on a listing). */
  page: ThreadPath | null;
  /** That thread with its subreddit and slug as the page's post (or canonical link) spells them. */
  place(): ThreadPath | null;
  /** Authors by fullname from the page's embedded data (parsed on first use). */
  embeddedAuthor(fullname: string): string | null;
}

const hooks: AdapterHooks<RedditContext> = {
  prepare(doc, url) {
    let authors: Map<string, string> | null = null;
    const page = parseThreadPath(url.pathname, url);
    let place: ThreadPath | null | undefined;
    return {
      page,
      place() {
        if (place === undefined) {
          const shown = parseThreadPath(permalinkOf(firstMatch(doc, RD.threadPost)), url) ?? parseThreadPath(doc.querySelector(RD.canonical)?.getAttribute('href'), url);
          place = page && shown && shown.id === page.id ? { ...page, ...withDefined(shown) } : page;
        }
        return place;
      },
      embeddedAuthor(fullname) {
        authors ??= embeddedAuthors(doc);
        return authors.get(fullname) ?? null;
      },
    };
  },

  viewer(_ctx, pass) {
    const old = redditHandle(pass.doc.querySelector(RD.oldUser)?.textContent);
    if (old) return old;
    // The chat app's template is inert markup the page ships with its signed-in user.
    const template = pass.doc.querySelector(RD.chatTemplate) as HTMLTemplateElement | null;
    const user = template?.content?.querySelector?.('rs-current-user[display-name]');
    const chat = redditHandle(user?.getAttribute('display-name'));
    if (chat) return chat;
    // The redesign's menu reads "<name> <karma> karma" when logged in, "User account menu" when not.
    const menu = cleanText(pass.doc.querySelector(RD.userDropdown)?.textContent, 120);
    const m = /^([A-Za-z0-9_-]{3,20}) \d[\d,.]*k? karma\b/.exec(menu);
    return m ? redditHandle(m[1]) : null;
  },

  thread(info, _found, ctx) {
    const place = ctx.place();
    // The address must name the post the page shows: a redesign listing shows post containers
    // too, and a soft navigation changes the address and the page at different moments.
    if (!place || `t3_${place.id}` !== info.threadId) return null;
    const out: ThreadInfo = { ...info, url: threadUrl(place) };
    if (!out.author) {
      const author = ctx.embeddedAuthor(info.threadId);
      if (author) out.author = author;
    }
    if (out.author && !redditHandle(out.author)) delete out.author;
    if (out.category && !/^(r|u)\/[A-Za-z0-9_]{2,30}$/.test(out.category)) delete out.category;
    return out;
  },

  postAuthor(_element, postId, ctx) {
    return ctx.embeddedAuthor(postId);
  },

  post(info, _element, ctx) {
    const author = redditHandle(info.author);
    const place = ctx.place();
    if (!author || !place || `t3_${place.id}` !== info.threadId) return null;
    const isPost = info.postId.startsWith('t3_');
    const out: PostInfo = { threadId: info.threadId, postId: info.postId, author, url: isPost ? threadUrl(place) : commentUrl(place, info.postId.slice(3)) };
    if (isPost) out.isQuestion = true;
    return out;
  },

  row(info, row, ctx, pass) {
    const shown = parseThreadPath(permalinkOf(row) ?? firstMatch(row, RD.rowTitle)?.getAttribute('href') ?? row.querySelector(RD.commentsLink)?.getAttribute('href'), pass.url);
    if (!shown || `t3_${shown.id}` !== info.threadId) return null;
    const out: ThreadInfo = { ...info, url: threadUrl(shown) };
    if (!out.author) {
      const author = ctx.embeddedAuthor(info.threadId);
      if (author) out.author = author;
    }
    if (!out.category && shown.sub?.startsWith('r/')) out.category = shown.sub;
    if (out.author && !redditHandle(out.author)) delete out.author;
    if (out.category && !/^(r|u)\/[A-Za-z0-9_]{2,30}$/.test(out.category)) delete out.category;
    return out;
  },
};

/** The fields of a parsed address that it actually has. */
function withDefined(t: ThreadPath): Partial<ThreadPath> {
  const out: Partial<ThreadPath> = { id: t.id };
  if (t.sub) out.sub = t.sub;
  if (t.slug) out.slug = t.slug;
  return out;
}

/** A post's own permalink attribute (shreddit's `permalink`, old Reddit's `data-permalink`). */
function permalinkOf(el: Element | null): string | null {
  return el?.getAttribute('permalink') ?? el?.getAttribute('data-permalink') ?? null;
}

/**
 * Authors by fullname from the redesign's embedded data: `<script id="data">window.___r = {…};`
 * with `posts.models` and `comments.models` (or `features.comments.models`) keyed by fullname.
 * The script is read as text, never run; anything unexpected gives nothing.
 */
function embeddedAuthors(doc: Document): Map<string, string> {
  const out = new Map<string, string>();
  const text = doc.querySelector(RD.embeddedData)?.textContent ?? '';
  if (!text || text.length > MAX_EMBEDDED) return out;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return out;
  let data: unknown;
  try {
    data = JSON.parse(text.slice(start, end + 1));
  } catch {
    return out;
  }
  const collect = (models: unknown) => {
    if (!models || typeof models !== 'object') return;
    for (const [key, model] of Object.entries(models as Record<string, unknown>)) {
      if (out.size >= MAX_ITEMS * 2 || !/^t[13]_[a-z0-9]{1,13}$/.test(key)) continue;
      const author = model && typeof model === 'object' ? (model as { author?: unknown }).author : null;
      const h = typeof author === 'string' ? redditHandle(author) : null;
      if (h) out.set(key, h);
    }
  };
  const root = data as { posts?: { models?: unknown }; comments?: { models?: unknown }; features?: { comments?: { models?: unknown } } };
  collect(root.posts?.models);
  collect(root.comments?.models);
  collect(root.features?.comments?.models);
  return out;
}

const described = describedAdapter(REDDIT_DESCRIPTION, { platform: 'reddit', anyOrigin: true, maxItems: MAX_ITEMS, budgetMs: 10_000, hooks });

/** The Reddit adapter: Reddit's hosts only, old and new one community. Never throws. */
export const reddit: DescribedAdapter = {
  ...described,
  detect: (doc, url) => isRedditHost(url.hostname) && described.detect(doc, url),
  read: (doc, url) => (isRedditHost(url.hostname) ? described.read(doc, url) : null),
  readDescribed: (doc, url) => (isRedditHost(url.hostname) ? described.readDescribed(doc, url) : null),
};
