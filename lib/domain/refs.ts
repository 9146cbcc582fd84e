/**
 * Canonical references to threads and posts. Every key Tend stores or sends is built here,
 * so one thread reached through two URLs or two page variants always gets one key.
 */

/** The platforms Tend has adapters for. */
export type PlatformId = 'discourse' | 'github' | 'stackexchange' | 'reddit' | 'custom';

/** A canonical community id: normally an origin such as `https://meta.discourse.org`. */
export type SiteId = string;

/** A thread (topic, issue, question, post with comments) on a community site. */
export interface ThreadRef {
  site: SiteId;
  threadId: string;
}

/** One post within a thread (a reply, an answer, a comment, or the question itself). */
export interface PostRef extends ThreadRef {
  postId: string;
}

/**
 * Hosts that are one community under several names. The value is the canonical host.
 * old.reddit.com and www.reddit.com show the same threads; so do the www and bare
 * hosts of the big platforms.
 */
const HOST_ALIASES: Readonly<Record<string, string>> = {
  'reddit.com': 'www.reddit.com',
  'old.reddit.com': 'www.reddit.com',
  'new.reddit.com': 'www.reddit.com',
  'np.reddit.com': 'www.reddit.com',
  'sh.reddit.com': 'www.reddit.com',
  'i.reddit.com': 'www.reddit.com',
  'm.reddit.com': 'www.reddit.com',
  'www.github.com': 'github.com',
  'www.stackoverflow.com': 'stackoverflow.com',
  'meta.stackoverflow.com': 'meta.stackoverflow.com',
};

/**
 * The canonical site id for an origin or URL: `https://` + canonical host (+ port when
 * not default). Plain `http:` is kept as is so a loopback test forum stays distinct from
 * an HTTPS one. Throws on something that is not an http(s) URL.
 */
export function canonicalSite(originOrUrl: string | URL): SiteId {
  const url = typeof originOrUrl === 'string' ? new URL(originOrUrl) : originOrUrl;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`not a web origin: ${url.protocol}`);
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const canonicalHost = HOST_ALIASES[host] ?? host;
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol}//${canonicalHost}${port}`;
}

/** Whether a ref's site belongs to the given origin, aliases folded. */
export function siteMatchesOrigin(site: SiteId, origin: string): boolean {
  try {
    return canonicalSite(origin) === site;
  } catch {
    return false;
  }
}

/** The one key of a thread. The separator cannot occur in an origin. */
export function threadKey(ref: ThreadRef): string {
  return `${ref.site} ${ref.threadId}`;
}

/** The one key of a post. */
export function postKey(ref: PostRef): string {
  return `${ref.site} ${ref.threadId} ${ref.postId}`;
}

/** Reads a thread key back into a ref. */
export function parseThreadKey(key: string): ThreadRef {
  const [site, threadId] = key.split(' ');
  if (!site || !threadId) throw new Error(`bad thread key: ${key}`);
  return { site, threadId };
}

/** The key of a site handle (`{site, handle}`): handles compare case-insensitively. */
export function handleKey(site: SiteId, handle: string): string {
  return `${site} ${handle.trim().toLowerCase()}`;
}

/** Whether two site handles are the same person. */
export function sameHandle(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
