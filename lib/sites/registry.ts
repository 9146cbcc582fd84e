/**
 * Choosing and running an adapter, for any set of adapters. Content scripts pass only the
 * adapters of their own platform, so each bundle carries only what it reads; the full registry
 * of built-in adapters is `index.ts`. Nothing here throws on page content: a page that breaks
 * an adapter is reported as unreadable (null) or read partially.
 */
import { canonicalSite, postKey, threadKey } from '../domain/refs';
import type { OverlayTarget, PageRead, PageScan, SiteAdapter } from './types';

/** The first of `adapters` that recognises the page, or null. */
export function adapterAmong(adapters: readonly SiteAdapter[], doc: Document, url: URL): SiteAdapter | null {
  for (const adapter of adapters) {
    try {
      if (adapter.detect(doc, url)) return adapter;
    } catch {
      // A detector that throws on odd markup simply does not match.
    }
  }
  return null;
}

/** One read of the page by the first of `adapters` that reads it, with the site and platform. Null when none does. */
export function readWith(adapters: readonly SiteAdapter[], doc: Document, url: URL): (PageRead & { site: string; platform: PageScan['platform'] }) | null {
  try {
    const site = canonicalSite(url);
    const adapter = adapterAmong(adapters, doc, url);
    if (!adapter) return null;
    const read = adapter.read(doc, url);
    return read ? { ...read, site, platform: adapter.platform } : null;
  } catch {
    return null;
  }
}

/**
 * The stable key of a target, for diffing successive reads: the post or thread key, with the
 * kind in front so a topic's header and its row in a suggested list differ.
 */
export function targetKey(site: string, target: OverlayTarget): string {
  return target.kind === 'post'
    ? `post ${postKey({ site, threadId: target.post.threadId, postId: target.post.postId })}`
    : `${target.kind} ${threadKey({ site, threadId: target.thread.threadId })}`;
}
