/**
 * GitHub adapter: issues (the React issue view and the classic timeline), pull-request
 * conversations, Discussions (question, answers and their replies), and the lists of issues,
 * pull requests and discussions. Read by a site description (`GITHUB_DESCRIPTION`, every
 * selector from `github-selectors.ts`) through the same interpreter as any forum a person
 * describes; hooks add what selectors cannot say: canonical keys and addresses, and whether
 * the page already shows the conversation its address names (soft navigation swaps the two
 * at different moments).
 *
 * Keys (threadId, per repository):
 * - issues and pull requests share one number space on GitHub (a number is an issue or a pull
 *   request, never both, and `/issues/N` redirects to `/pull/N`), so both are
 *   `owner/repo/issues/N`: a pull request keeps its key whichever address reached it;
 * - discussions are `owner/repo/discussions/N` (organisation discussions: `orgs/org/discussions/N`);
 * - owner and repository are lower-cased (GitHub's names are case-insensitive).
 *
 * Post ids are GitHub's permanent anchors, the same in every view: `issue-<id>` (the opening
 * post of an issue or pull request), `issuecomment-<id>`, `pullrequestreview-<id>`,
 * `discussion-<id>` (a discussion's question) and `discussioncomment-<id>` (answers and replies).
 */
import type { SiteDescription } from '../domain/site-description';
import { describedAdapter, type AdapterHooks, type DescribedAdapter } from './described';
import { GH } from './github-selectors';
import { MAX_URL, cleanText, decimalId } from './page-text';
import type { PostInfo, ThreadInfo } from './types';

const ORIGIN = 'https://github.com';
/** A long issue keeps every loaded comment in the page; past this many, a page is hostile. */
const MAX_ITEMS = 5_000;

/** An owner or repository name as GitHub allows them. */
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** A conversation named by an address or a key. */
interface Conversation {
  owner: string;
  repo: string;
  kind: 'issues' | 'pull' | 'discussions';
  number: string;
}

/** Reads `owner/repo/(issues|pull|discussions)/N` (a key or the start of a path); null otherwise. */
export function parseConversation(path: string | null | undefined): Conversation | null {
  if (!path || path.length > MAX_URL) return null;
  const [owner, repo, kind, n] = path.replace(/^\/+/, '').split(/[/?#]/);
  const number = decimalId(n);
  if (!owner || !repo || !NAME.test(owner) || !NAME.test(repo) || !number) return null;
  if (kind !== 'issues' && kind !== 'pull' && kind !== 'discussions') return null;
  return { owner, repo, kind, number };
}

/** The one key of a conversation: issues and pull requests share a number space. */
export function conversationKey(c: Conversation): string {
  const space = c.kind === 'discussions' ? 'discussions' : 'issues';
  return `${c.owner.toLowerCase()}/${c.repo.toLowerCase()}/${space}/${c.number}`;
}

function conversationUrl(c: Conversation): string {
  return `${ORIGIN}/${c.owner}/${c.repo}/${c.kind}/${c.number}`;
}

/** A conversation named by a link on github.com. */
function conversationOfHref(href: string | null | undefined, base: URL): Conversation | null {
  if (!href || href.length > MAX_URL) return null;
  try {
    const u = new URL(href, base);
    return u.origin === ORIGIN || u.origin === base.origin ? parseConversation(u.pathname) : null;
  } catch {
    return null;
  }
}

/** Opening posts (`issue-…`, `discussion-…`) as opposed to comments, answers, replies and reviews. */
const OPENING_POST = /^(issue|discussion)-\d+$/;

// ── The description ──────────────────────────────────────────────────────────────────────

const CONVERSATION_PATH = '^/([^/?#]{1,100}/[^/?#]{1,100}/(?:issues|pull|discussions)/\\d{1,9})/?(?:[?#]|$)';
const POST_ANCHOR = '^((?:issue|issuecomment|pullrequestreview|discussion|discussioncomment)-\\d{1,15})$';

/** Conversations and lists, as data: every selector comes from the selector table. */
export const GITHUB_DESCRIPTION: SiteDescription = {
  version: 1,
  name: 'GitHub',
  origins: [ORIGIN],
  thread: {
    container: [...GH.conversation],
    // Read from the address, checked against the number the page shows (the `thread` hook).
    id: { from: 'url', pattern: CONVERSATION_PATH },
    title: { selector: [...GH.title] },
    answered: [...GH.headerDone, GH.chosenAnswer],
    unanswered: [...GH.headerOpen],
    created: { selector: [...GH.openedAt], attr: 'datetime' },
    category: { selector: GH.discussionCategory },
    anchor: { selector: [...GH.headerEnd], placement: 'after' },
  },
  posts: {
    item: GH.post,
    scope: 'document',
    // Discussion replies sit inside the answer they reply to.
    nested: true,
    id: [
      { attr: 'id', pattern: POST_ANCHOR },
      { selector: GH.reactCommentHeader, attr: 'id', pattern: POST_ANCHOR },
      { selector: GH.reactBodyLink, attr: 'href', pattern: '^[^#]{0,400}#(issue-\\d{1,15})$' },
    ],
    author: [{ selector: GH.reactBodyAuthor }, { selector: GH.reactCommentAuthor }, { selector: GH.classicAuthor }],
    body: GH.body,
    anchor: { selector: [...GH.postActions], placement: 'prepend' },
  },
  list: {
    row: [...GH.row],
    id: { selector: [...GH.rowLink], attr: 'href', pattern: CONVERSATION_PATH },
    title: { selector: [...GH.rowLink] },
    replies: [...GH.rowComments].map((selector) => ({ selector })),
    answered: GH.rowDone,
    unanswered: GH.rowOpen,
    author: { selector: [...GH.rowAuthor] },
    category: { selector: GH.rowCategory },
    anchor: { selector: [...GH.rowMeta], placement: 'append' },
  },
  viewer: { selector: GH.userLogin, attr: 'content' },
};

// ── The hooks ────────────────────────────────────────────────────────────────────────────

/** What one pass works out once: the conversation of each raw id read, and its address. */
interface GitHubContext {
  conversation(raw: string): Conversation | null;
  /** Whether the page shows this conversation (the number by its title, when there is one, is its number). */
  shown(c: Conversation): boolean;
  /** The page's own conversation's address (owner and repository spelt as GitHub spells them). */
  pageUrl(c: Conversation): string;
}

const hooks: AdapterHooks<GitHubContext> = {
  prepare(doc, url) {
    const conversations = new Map<string, Conversation | null>();
    const urls = new Map<string, string>();
    let number: string | null | undefined;
    return {
      shown(c) {
        number ??= /#(\d{1,9})/.exec(cleanText(queryText(doc, GH.number), 40))?.[1] ?? null;
        return number === null || number === c.number;
      },
      conversation(raw) {
        if (!conversations.has(raw)) conversations.set(raw, parseConversation(raw));
        return conversations.get(raw)!;
      },
      pageUrl(c) {
        const key = conversationKey(c);
        let u = urls.get(key);
        if (u === undefined) urls.set(key, (u = conversationUrl(canonicalCase(c, doc, url))));
        return u;
      },
    };
  },

  thread(info, found, ctx, pass) {
    const c = ctx.conversation(info.threadId);
    // After a soft navigation the address can name the next conversation while the page still
    // shows the last one (or the other way round): a number shown that is not the address's
    // means the page is between two conversations, and nothing is read until it settles.
    if (!c || !ctx.shown(c)) return null;
    const out: ThreadInfo = { ...info, threadId: conversationKey(c), url: ctx.pageUrl(c) };
    // The React view's label carries no icon when logged out: its text says the state.
    const state = cleanText(queryText(pass.doc, [GH.reactState]), 40);
    if (/^(closed|merged)\b/i.test(state)) out.answered = true;
    else if (/^open\b/i.test(state) && out.answered === undefined) out.answered = false;
    if (!found.posts.some((p) => p.info.isQuestion)) delete out.author;
    return out;
  },

  post(info, _element, ctx) {
    const c = ctx.conversation(info.threadId);
    // Posts of a page that is between two conversations would be keyed to the wrong one.
    if (!c || !ctx.shown(c)) return null;
    const out: PostInfo = { threadId: conversationKey(c), postId: info.postId, author: info.author, url: `${ctx.pageUrl(c)}#${info.postId}` };
    if (OPENING_POST.test(info.postId)) out.isQuestion = true;
    return out;
  },

  row(info, row, ctx, pass) {
    const c = ctx.conversation(info.threadId);
    if (!c) return null;
    const link = firstMatch(row, GH.rowLink);
    const shown = conversationOfHref(link?.getAttribute('href'), pass.url);
    return { ...info, threadId: conversationKey(c), url: conversationUrl(shown && conversationKey(shown) === conversationKey(c) ? shown : c) };
  },
};

function firstMatch(root: ParentNode, selectors: readonly string[]): Element | null {
  for (const sel of selectors) {
    const el = root.querySelector(sel);
    if (el) return el;
  }
  return null;
}

function queryText(root: ParentNode, selectors: readonly string[]): string {
  return firstMatch(root, selectors)?.textContent ?? '';
}

/**
 * The conversation with the owner and repository spelt as GitHub spells them (its canonical
 * link, else the address), so every variant of a page gives the same address.
 */
function canonicalCase(c: Conversation, doc: Document, url: URL): Conversation {
  for (const href of [doc.querySelector('link[rel="canonical"]')?.getAttribute('href'), url.pathname]) {
    const shown = conversationOfHref(href, url);
    if (shown && conversationKey(shown) === conversationKey(c)) return shown;
  }
  return c;
}

// Bounded by the number of items read; its own selectors need no time limit.
const described = describedAdapter(GITHUB_DESCRIPTION, { platform: 'github', anyOrigin: true, maxItems: MAX_ITEMS, budgetMs: 10_000, hooks });

/** Whether a page is on github.com (by host: the port of a local test server does not matter). */
const onGitHub = (url: URL) => url.protocol === 'https:' && url.hostname.toLowerCase() === 'github.com';

/** The GitHub adapter: github.com only. Never throws. */
export const github: DescribedAdapter = {
  ...described,
  detect: (doc, url) => onGitHub(url) && described.detect(doc, url),
  read: (doc, url) => (onGitHub(url) ? described.read(doc, url) : null),
  readDescribed: (doc, url) => (onGitHub(url) ? described.readDescribed(doc, url) : null),
};
