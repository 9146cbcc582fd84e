/**
 * The site registry: which adapter reads a page, and the calls the overlay engine and the
 * conformance tests use (`readPage`, `scanPage`). Nothing here throws on page content: a page
 * that breaks an adapter is reported as unreadable (null) or read partially.
 */
import { canonicalSite, postKey, threadKey } from '../domain/refs';
import { discourse } from './discourse';
import type { OverlayTarget, PageRead, PageScan, SiteAdapter } from './types';

export type { OverlayTarget, PageRead, PageScan, PostInfo, PostTarget, SiteAdapter, TargetPlacement, ThreadInfo, ThreadTarget } from './types';

/**
 * Built-in adapters, most specific first: host-bound platforms before page-detected software
 * (Discourse). Adapters made from descriptions (a person's, or the team's) are passed in as
 * `extra` and tried after these.
 */
export const BUILT_IN_ADAPTERS: readonly SiteAdapter[] = [discourse];

/** The adapter that reads this page, or null. `extra` adapters are tried after the built-in ones. */
export function adapterFor(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): SiteAdapter | null {
  for (const adapter of [...BUILT_IN_ADAPTERS, ...extra]) {
    try {
      if (adapter.detect(doc, url)) return adapter;
    } catch {
      // A detector that throws on odd markup simply does not match.
    }
  }
  return null;
}

/** One read of the page by the adapter that reads it, with the site and platform. Null when none does. */
export function readPage(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): (PageRead & { site: string; platform: PageScan['platform'] }) | null {
  try {
    const site = canonicalSite(url);
    const adapter = adapterFor(doc, url, extra);
    if (!adapter) return null;
    const read = adapter.read(doc, url);
    return read ? { ...read, site, platform: adapter.platform } : null;
  } catch {
    return null;
  }
}

/** What is on the page: threads, rendered posts and the viewer. Null when no adapter reads it. */
export function scanPage(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): PageScan | null {
  const read = readPage(doc, url, extra);
  return read ? { site: read.site, platform: read.platform, viewer: read.viewer, threads: read.threads, posts: read.posts } : null;
}

/** The elements overlays attach to right now (empty when no adapter reads the page). */
export function pageTargets(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): OverlayTarget[] {
  return readPage(doc, url, extra)?.targets ?? [];
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
