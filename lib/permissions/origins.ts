/**
 * Origins Tend can be enabled on, and the match patterns and content-script ids made from
 * them. Pure: no `browser.*` here, so every rule is unit-tested.
 */
import { BUILTIN_HOST_PATTERNS } from '../domain/hosts';

/** Prefix of the ids of content scripts registered for sites the user enabled. */
export const SITE_SCRIPT_PREFIX = 'tend-site-';

/**
 * Hosts where browsers never let an extension run (their own add-on stores), so Tend does
 * not offer to enable itself there.
 */
const RESTRICTED_HOSTS: ReadonlySet<string> = new Set([
  'chromewebstore.google.com',
  'chrome.google.com',
  'addons.mozilla.org',
  'microsoftedge.microsoft.com',
]);

/**
 * The key Tend enables a site under: scheme and host, without the port. Match patterns
 * cannot name a port in Firefox (and ignore it in Chrome when left out), so a permission is
 * per scheme + host. Throws on anything that is not an http(s) URL or origin.
 */
export function originKey(originOrUrl: string | URL): string {
  const url = typeof originOrUrl === 'string' ? new URL(originOrUrl) : originOrUrl;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`not a web origin: ${url.protocol}`);
  return `${url.protocol}//${url.hostname.toLowerCase().replace(/\.$/, '')}`;
}

/** The same as `originKey`, or null instead of throwing. */
export function originKeyOrNull(originOrUrl: string | URL | null | undefined): string | null {
  if (!originOrUrl) return null;
  try {
    return originKey(originOrUrl);
  } catch {
    return null;
  }
}

/** The host permission (and content-script match pattern) for one origin: `https://host/*`. */
export function originPattern(originOrUrl: string | URL): string {
  return `${originKey(originOrUrl)}/*`;
}

/**
 * The origin a granted match pattern stands for, when it names one host: `https://host/*`
 * gives `https://host`. Patterns with a wildcard scheme or host (`*://*.test/*`,
 * `https://*\/*`) stand for no single site and give null.
 */
export function originOfPattern(pattern: string): string | null {
  const m = /^(https?):\/\/([^/*:]+)(?::\d+)?\/.*$/.exec(pattern);
  if (!m) return null;
  return originKeyOrNull(`${m[1]}://${m[2]}`);
}

/** The id of the content script registered for an origin: `tend-site-https-forum.example.org`. */
export function siteScriptId(originOrUrl: string | URL): string {
  const key = originKey(originOrUrl);
  return SITE_SCRIPT_PREFIX + key.replace('://', '-').replace(/[^a-z0-9.-]/g, '-');
}

/** Whether a match pattern matches a URL (the subset of the syntax Tend's manifests use). */
export function patternMatches(pattern: string, url: URL): boolean {
  const m = /^(\*|https?):\/\/(\*|\*\.[^/:]+|[^/*:]+)(?::(\d+|\*))?\/(.*)$/.exec(pattern);
  if (!m) return false;
  const [, scheme, host, port] = m as unknown as [string, string, string, string | undefined];
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https') return false;
  if (scheme !== '*' && scheme !== protocol) return false;
  if (port && port !== '*' && port !== (url.port || (protocol === 'https' ? '443' : '80'))) return false;
  const hostname = url.hostname.toLowerCase();
  if (host === '*') return true;
  if (host.startsWith('*.')) {
    const base = host.slice(2).toLowerCase();
    return hostname === base || hostname.endsWith(`.${base}`);
  }
  return hostname === host.toLowerCase();
}

/** Whether Tend runs on this origin out of the box (a built-in platform's well-known host). */
export function isBuiltInOrigin(originOrUrl: string | URL): boolean {
  const key = originKeyOrNull(originOrUrl);
  if (!key) return false;
  const url = new URL(key);
  return BUILTIN_HOST_PATTERNS.some((p) => patternMatches(p, url));
}

/** Whether Tend could run on a page at this URL at all: an http(s) page outside the browsers' add-on stores. */
export function isSupportedUrl(url: string | URL | null | undefined): boolean {
  const key = originKeyOrNull(url);
  if (!key) return false;
  return !RESTRICTED_HOSTS.has(new URL(key).hostname);
}
