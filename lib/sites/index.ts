/**
 * The site registry: every built-in adapter, and the calls the conformance tests and the
 * settings use (`readPage`, `scanPage`). Content scripts use `registry.ts` with their own
 * platform's adapters only, so a page loads only the adapter it needs.
 */
import { discourse } from './discourse';
import { github } from './github';
import { reddit } from './reddit';
import { readWith, adapterAmong } from './registry';
import { stackexchange } from './stackexchange';
import type { OverlayTarget, PageRead, PageScan, SiteAdapter } from './types';

export type { OverlayTarget, PageRead, PageScan, PostInfo, PostTarget, SiteAdapter, TargetPlacement, ThreadInfo, ThreadTarget } from './types';
export { targetKey } from './registry';

/**
 * Built-in adapters, most specific first: host-bound platforms before page-detected software
 * (Discourse). Adapters made from descriptions (a person's, or the team's) are passed in as
 * `extra` and tried after these.
 */
export const BUILT_IN_ADAPTERS: readonly SiteAdapter[] = [github, stackexchange, reddit, discourse];

/** The adapter that reads this page, or null. `extra` adapters are tried after the built-in ones. */
export function adapterFor(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): SiteAdapter | null {
  return adapterAmong([...BUILT_IN_ADAPTERS, ...extra], doc, url);
}

/** One read of the page by the adapter that reads it, with the site and platform. Null when none does. */
export function readPage(doc: Document, url: URL, extra: readonly SiteAdapter[] = []): (PageRead & { site: string; platform: PageScan['platform'] }) | null {
  return readWith([...BUILT_IN_ADAPTERS, ...extra], doc, url);
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
