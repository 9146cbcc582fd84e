/**
 * Stack Exchange adapter: Stack Overflow and every site of the network (`*.stackexchange.com`,
 * superuser.com, serverfault.com, askubuntu.com, mathoverflow.net, stackapps.com, the
 * localised `*.stackoverflow.com` sites and their metas). Each site is its own community (its
 * own origin), so one question's keys never meet another site's. Read by a site description
 * (`STACKEXCHANGE_DESCRIPTION`, every selector from `stackexchange-selectors.ts`); hooks add
 * what selectors cannot say: the network's hosts, canonical addresses, and people's handles.
 *
 * Keys: threadId = the question id; postId = the question's or the answer's id (questions and
 * answers share one id space on the network). Addresses: the question's
 * `/questions/<id>/<slug>`, and each post's short permalink (`/q/<id>`, `/a/<id>`).
 *
 * Handles: display names on the network are not unique and may hold spaces, so a person is
 * their profile address, `<name>.<user id>` ("matthew-rankin.95592"): unique on the site,
 * readable, and the same in a post's signature and in the top bar of that person's own pages.
 * A post without a profile link (a deleted user, a community wiki) has no author and no
 * "this helped".
 */
import type { SiteDescription } from '../domain/site-description';
import { describedAdapter, type AdapterHooks } from './described';
import { MAX_URL, decimalId, handle } from './page-text';
import { SE } from './stackexchange-selectors';
import type { DescribedAdapter } from './described';
import type { PostInfo, ThreadInfo } from './types';

/** Most answers read from one page (Stack Overflow shows at most a few hundred). */
const MAX_ITEMS = 2_000;

/** Hosts of the network: its sites and their metas. Checked before anything is read. */
const NETWORK_HOSTS = /^(?:[a-z0-9-]+\.)?(?:stackoverflow\.com|stackexchange\.com|superuser\.com|serverfault\.com|askubuntu\.com|mathoverflow\.net|stackapps\.com)$/;

/** Whether a host is a Stack Exchange site (a network host, not the bare `stackexchange.com` hub). */
export function isStackExchangeHost(host: string): boolean {
  const h = host.toLowerCase();
  return h !== 'stackexchange.com' && h !== 'www.stackexchange.com' && NETWORK_HOSTS.test(h);
}

/** A profile address (`/users/<id>/<name>`) as a handle: `<name>.<id>`, or the id when the name is unusable. */
export function profileHandle(href: string | null | undefined, base: URL): string | null {
  if (!href || href.length > MAX_URL) return null;
  let path: string;
  try {
    const u = new URL(href, base);
    if (u.origin !== base.origin) return null;
    path = u.pathname;
  } catch {
    return null;
  }
  const m = /^\/users\/(\d{1,12})(?:\/([^/]{1,80}))?\/?$/.exec(path);
  const id = decimalId(m?.[1]);
  if (!id) return null;
  let name: string | null = null;
  try {
    name = m?.[2] ? handle(decodeURIComponent(m[2]).toLowerCase()) : null;
  } catch {
    name = null;
  }
  return handle(name ? `${name}.${id}` : id);
}

/** A question address read back: its id and slug. */
function questionOfHref(href: string | null | undefined, base: URL): { id: string; slug: string | null } | null {
  if (!href || href.length > MAX_URL) return null;
  try {
    const u = new URL(href, base);
    if (u.origin !== base.origin) return null;
    const m = /^\/questions\/(\d{1,12})(?:\/([A-Za-z0-9%_.~-]{1,200}))?\/?$/.exec(u.pathname);
    const id = decimalId(m?.[1]);
    return id ? { id, slug: m?.[2] ?? null } : null;
  } catch {
    return null;
  }
}

function firstMatch(root: ParentNode, selectors: readonly string[]): Element | null {
  for (const sel of selectors) {
    const el = root.querySelector(sel);
    if (el) return el;
  }
  return null;
}

// ── The description ──────────────────────────────────────────────────────────────────────

const PROFILE = '^/users/(\\d{1,12})(?:/|$)';

/** Question pages and question lists, as data: every selector comes from the selector table. */
export const STACKEXCHANGE_DESCRIPTION: SiteDescription = {
  version: 1,
  name: 'Stack Exchange',
  // Recognised on every network host (see `isStackExchangeHost`); these are where it was checked.
  origins: ['https://stackoverflow.com', 'https://puzzling.stackexchange.com'],
  thread: {
    container: SE.question,
    id: { attr: 'data-questionid', decimal: true },
    title: { selector: [...SE.titleLink] },
    url: { selector: SE.titleLink[0] },
    replies: { selector: SE.answerCount, attr: 'data-answercount' },
    answered: [...SE.accepted],
    created: { selector: SE.askedAt, attr: 'title' },
    tags: { selector: SE.questionTags },
    anchor: { selector: SE.questionHeader, element: SE.content, placement: 'after' },
  },
  posts: {
    item: SE.post,
    scope: 'document',
    id: [
      { attr: 'data-answerid', decimal: true },
      { attr: 'data-questionid', decimal: true },
    ],
    author: { selector: [...SE.postOwner], attr: 'href', pattern: PROFILE },
    body: [...SE.postBody],
    question: 'first',
    anchor: { selector: [...SE.postMenu], placement: 'append' },
  },
  list: {
    row: [...SE.row],
    id: [{ attr: 'data-post-id', decimal: true }, { attr: 'id', pattern: '^question-summary-(\\d{1,12})$' }],
    title: { selector: [...SE.rowLink] },
    replies: { selector: [...SE.rowAnswers] },
    answered: SE.rowAccepted,
    unanswered: SE.rowStats,
    author: { selector: [...SE.rowAuthor], attr: 'href', pattern: PROFILE },
    tags: { selector: SE.rowTags },
    anchor: { selector: [...SE.rowTitle], placement: 'append' },
  },
  viewer: { selector: [...SE.viewerProfile], attr: 'href', pattern: PROFILE },
};

// ── The hooks ────────────────────────────────────────────────────────────────────────────

const hooks: AdapterHooks<void> = {
  viewer(_ctx, pass) {
    return profileHandle(firstMatch(pass.doc, SE.viewerProfile)?.getAttribute('href'), pass.url);
  },

  thread(info, _found, _ctx, pass) {
    const q = questionOfHref(firstMatch(pass.doc, SE.titleLink)?.getAttribute('href'), pass.url);
    // The title link names the question shown; one that names another is not this page's.
    if (q && q.id !== info.threadId) return null;
    const out: ThreadInfo = { ...info, url: `${pass.url.origin}/questions/${info.threadId}${q?.slug ? `/${q.slug}` : ''}` };
    // No accepted mark with every answer on the page (and the question itself, even when its
    // author's account is gone) means none is accepted; with answers on other pages it proves nothing.
    if (out.answered === undefined && out.replies !== undefined && pass.doc.querySelectorAll(SE.post).length - 1 >= out.replies) out.answered = false;
    return out;
  },

  post(info, element, _ctx, pass) {
    const author = profileHandle(firstMatch(element, SE.postOwner)?.getAttribute('href'), pass.url);
    if (!author) return null;
    const question = element.matches(SE.question) || element.hasAttribute('data-questionid');
    const out: PostInfo = { threadId: info.threadId, postId: info.postId, author, url: `${pass.url.origin}/${question ? 'q' : 'a'}/${info.postId}` };
    if (question) out.isQuestion = true;
    return out;
  },

  row(info, row, _ctx, pass) {
    const q = questionOfHref(firstMatch(row, SE.rowLink)?.getAttribute('href'), pass.url);
    if (q && q.id !== info.threadId) return null;
    const out: ThreadInfo = { ...info, url: `${pass.url.origin}/questions/${info.threadId}${q?.slug ? `/${q.slug}` : ''}` };
    const author = profileHandle(firstMatch(row, SE.rowAuthor)?.getAttribute('href'), pass.url);
    if (author) out.author = author;
    else delete out.author;
    return out;
  },
};

const described = describedAdapter(STACKEXCHANGE_DESCRIPTION, { platform: 'stackexchange', anyOrigin: true, maxItems: MAX_ITEMS, budgetMs: 10_000, hooks });

/** The Stack Exchange adapter: network hosts only, every one its own community. Never throws. */
export const stackexchange: DescribedAdapter = {
  ...described,
  detect: (doc, url) => isStackExchangeHost(url.hostname) && described.detect(doc, url),
  read: (doc, url) => (isStackExchangeHost(url.hostname) ? described.read(doc, url) : null),
  readDescribed: (doc, url) => (isStackExchangeHost(url.hostname) ? described.readDescribed(doc, url) : null),
};
