/**
 * Contracts between site adapters, the registry and the overlay engine. Adapters answer
 * questions about a page and nothing else: no mounting, no messages, no storage.
 */
import type { PlatformId, SiteId } from '../domain/refs';

/** A thread (topic, issue, question) as the page shows it. Optional fields are left out when the page does not say. */
export interface ThreadInfo {
  /** Platform-canonical thread id (Discourse: the topic id as a decimal string). */
  threadId: string;
  /** Title as plain text, whitespace collapsed, at most 300 characters. */
  title: string;
  /** Absolute canonical URL of the thread, the same whichever variant of the page was read. */
  url: string;
  /** Handle of the thread's author, when the page shows it. */
  author?: string;
  /** Number of replies (posts after the first), when the page shows it. */
  replies?: number;
  /** Whether the site marks the thread answered/solved; left out when the page cannot tell. */
  answered?: boolean;
  /** Creation time in epoch milliseconds. */
  createdAt?: number;
  /** The most specific category name shown. */
  category?: string;
  /** Tag names (at most 20, each at most 50 characters). */
  tags?: string[];
}

/** One post of a thread as the page shows it. */
export interface PostInfo {
  /** The thread the post belongs to. */
  threadId: string;
  /** Platform-canonical post id (Discourse: the post number, since crawler pages carry no post ids). */
  postId: string;
  /** The author's site handle. Posts without a readable author are not reported. */
  author: string;
  /** Absolute canonical URL of the post. */
  url: string;
  /** True on the post that asks the question (Discourse: post 1). */
  isQuestion?: boolean;
}

/** What is on a page: the one call the conformance tests use. */
export interface PageScan {
  /** Canonical community id (see `canonicalSite`). */
  site: SiteId;
  /** Which adapter read the page. */
  platform: PlatformId;
  /** The logged-in user's handle on this site, or null when logged out or unknown. */
  viewer: string | null;
  /** Threads on the page: on a thread page the thread itself first, then any listed threads. */
  threads: ThreadInfo[];
  /** Posts currently rendered on the page. */
  posts: PostInfo[];
}

/** Where an overlay goes relative to its anchor, as in `Element.insertAdjacentElement`. */
export type TargetPlacement = 'beforebegin' | 'afterbegin' | 'beforeend' | 'afterend';

/** The parts every overlay target has. */
interface TargetBase {
  /** The page element the target stands for; when it leaves the document the overlay goes too. */
  element: Element;
  /** The element the overlay is inserted next to (or into), per `placement`. */
  anchor: Element;
  /** Where the overlay goes relative to `anchor`. */
  placement: TargetPlacement;
}

/** A post an overlay ("this helped") attaches to. */
export interface PostTarget extends TargetBase {
  /** Discriminant. */
  kind: 'post';
  /** The post, with the same keys the read reports. */
  post: PostInfo;
}

/** A thread an overlay ("I'll handle this") attaches to: the thread page header or a list row. */
export interface ThreadTarget extends TargetBase {
  /** `thread` for a thread page's header, `thread-row` for a row in a list of threads. */
  kind: 'thread' | 'thread-row';
  /** The thread, with the same keys the read reports. */
  thread: ThreadInfo;
}

/** Anything an overlay attaches to. */
export type OverlayTarget = PostTarget | ThreadTarget;

/**
 * One read of a page: what is on it and the elements overlays attach to, together. Every
 * target's post or thread is also in `posts` or `threads`.
 */
export interface PageRead {
  /** The logged-in user's handle on this site, or null when logged out or unknown. */
  viewer: string | null;
  /** Threads on the page: on a thread page the thread itself first, then any listed threads. */
  threads: ThreadInfo[];
  /** Posts currently on the page. */
  posts: PostInfo[];
  /** Where overlays go now (items read from markup that is not live, like `<noscript>` text, have none). */
  targets: OverlayTarget[];
  /** True when reading stopped early because the page was too large or too slow to read whole. */
  partial?: boolean;
}

/**
 * One platform's page reader. Every method must tolerate any markup (hostile, half-rendered,
 * from another version of the site) and report less rather than throw; the registry also
 * guards each call.
 */
export interface SiteAdapter {
  /** The platform this adapter reads. */
  readonly platform: PlatformId;
  /** Whether this page belongs to the platform (for self-hosted software, from the page itself, on any domain). */
  detect(doc: Document, url: URL): boolean;
  /**
   * What is on the page now, with the elements overlays attach to. Cheap enough to call after
   * every batch of DOM mutations: the engine diffs successive reads by key and element identity.
   * Null when the adapter cannot read the page at all; an empty read when it can but nothing
   * is shown.
   */
  read(doc: Document, url: URL): PageRead | null;
  /**
   * The subtree whose mutations can change the read (the engine observes it with a
   * MutationObserver, childList + subtree). Null means the whole document.
   */
  observeRoot(doc: Document): Element | null;
}
