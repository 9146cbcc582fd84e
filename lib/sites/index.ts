/**
 * The site registry: which adapter reads a page, and the one call the overlay engine and
 * the conformance tests use (`scanPage`). Nothing here throws on page content: a page that
 * breaks an adapter is reported as unreadable (null) or read partially.
 */
import { canonicalSite, postKey, threadKey } from '../domain/refs';
import { discourse } from './discourse';
import type { OverlayTarget, PageScan, SiteAdapter } from './types';

export type { AdapterScan, OverlayTarget, PageScan, PostInfo, PostTarget, SiteAdapter, TargetPlacement, ThreadInfo, ThreadTarget } from './types';

/**
 * Built-in adapters, most specific first. Host-bound platforms (github, stackexchange,
 * reddit) go before page-detected software (discourse) when they are added; the custom
 * adapter, built from a user's description of a site, is passed in as `extra` and tried last.
 */
export const BUILT_IN_ADAPTERS: readonly SiteAdapter[] = [
  // github, stackexchange, reddit: not yet written.
  discourse,
];

/**
 * The adapter that reads this page, or null. `extra` adapters (user-described custom sites)
 * are tried after the built-in ones.
 */
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

/** What is on the page: threads, rendered posts and the viewer. Null when no adapter reads it. */
export function scanPage(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): PageScan | null {
  try {
    const site = canonicalSite(url);
    const adapter = adapterFor(doc, url, extra);
    if (!adapter) return null;
    const scan = adapter.scan(doc, url);
    if (!scan) return null;
    return { site, platform: adapter.platform, viewer: scan.viewer, threads: scan.threads, posts: scan.posts };
  } catch {
    return null;
  }
}

/** The elements overlays attach to right now (empty when no adapter reads the page). */
export function pageTargets(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): OverlayTarget[] {
  try {
    const adapter = adapterFor(doc, url, extra);
    return adapter ? adapter.targets(doc, url) : [];
  } catch {
    return [];
  }
}

/**
 * The stable key of a target, for diffing successive `targets` results: the post or thread
 * key, with the kind in front so a topic's header and its row in a suggested list differ.
 */
export function targetKey(site: string, target: OverlayTarget): string {
  return target.kind === 'post'
    ? `post ${postKey({ site, threadId: target.post.threadId, postId: target.post.postId })}`
    : `${target.kind} ${threadKey({ site, threadId: target.thread.threadId })}`;
}
