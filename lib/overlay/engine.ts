/**
 * The overlay engine: one generic loop, driven by a site adapter, that keeps exactly one
 * overlay on each target the page shows. It watches the page with a MutationObserver (the
 * callback only schedules; it reads nothing), reads the page once per pass and diffs the
 * read's targets by key and element.
 *
 * Each new target gets its host at once: an empty element whose sheet already gives it the
 * overlay's height, so the page lays out once and does not move again when the controls
 * appear. Passes run just before a frame is drawn (an animation-frame callback) and put hosts
 * in during that callback, in page order for as long as a frame's budget allows, so the frame
 * that first shows a post already shows its place: nothing the reader sees moves. While the
 * page is still being parsed, passes come frame by frame over the elements the parser has
 * closed; the full pass (and what the page shows, for the background) waits for the end of
 * parsing. Hosts that do not fit in a frame follow in slices. Once the page is loaded, a pass
 * whose read is slow (a thousand posts) runs in a task of its own instead, so that it never
 * holds up the frame after one of the page's own clicks. The controls themselves are rendered only where the reader is — hosts within about
 * two screens of the window, as they come near (an IntersectionObserver) — in short slices, so
 * no task runs long however long the topic. Hosts the observer cannot place (no box: a reply
 * inside a collapsed comment) render at once. On long pages, controls that go far are taken
 * down again (the host stays, keeping its place and key; the state lives in `OverlayState`, so
 * they come back as they were). Overlays whose target left (client-side routing, re-renders,
 * cloaked posts, infinite scroll) are removed.
 */
import { targetKey } from '../sites/registry';
import type { OverlayTarget, PageRead, SiteAdapter } from '../sites/types';
import { HOST_TAG, LAYER_TAG } from './tags';

export { HOST_TAG } from './tags';

/** What a mounted overlay gives back. */
export interface OverlayHandle {
  destroy(): void;
}

/** Renders one overlay into the shadow root of its host (the host is in the page). */
export type MountOverlay = (target: OverlayTarget, root: ShadowRoot, host: HTMLElement) => OverlayHandle;

export interface EngineOptions {
  doc: Document;
  adapter: SiteAdapter;
  /** Canonical site id of the page (for target keys). */
  site: string;
  mount: MountOverlay;
  /** Shadow root mode: `closed` in shipped builds (team notes are not the page's to read). */
  shadowMode: ShadowRootMode;
  /** Identifies this engine's hosts; hosts with another id are left over from an older Tend and removed. */
  instance: string;
  /**
   * Called after each pass with the targets that have a host (the content script watches
   * their keys) and the read they came from (what the page shows, for the background).
   */
  onPass?: (targets: readonly OverlayTarget[], url: URL, read: PageRead | null) => void;
  /** Called right after each read, before any mounting: what the page shows now. */
  onRead?: (read: PageRead | null, url: URL) => void;
  /** Stops everything. */
  signal: AbortSignal;
  /** Longest stretch of inserting hosts or rendering controls before yielding to the page, in ms. */
  sliceMs?: number;
  /** Readies a host before it goes into the page (styles, theme): what it needs to hold its place. */
  prepare?: (target: OverlayTarget, root: ShadowRoot, host: HTMLElement) => void;
  /** Least time between two passes, in ms: a burst of mutations is one pass. */
  batchMs?: number;
  /** Longest time a pass may spend putting hosts in during its frame, in ms (the rest follow in slices). */
  frameMs?: number;
  /**
   * How near the window a host must come for its controls to render, as an IntersectionObserver
   * `rootMargin`; null renders every overlay wherever it is.
   */
  nearMargin?: string | null;
  /** On pages with more overlays than this, controls far from the window are taken down again. */
  longPage?: number;
}

interface Entry {
  key: string;
  target: OverlayTarget;
  host: HTMLElement;
  root: ShadowRoot;
  handle: OverlayHandle | null;
}

/** A running engine. */
export interface Engine {
  /** Schedules a pass now (e.g. after a soft navigation). */
  rescan(): void;
  /** Number of overlays whose controls are rendered. */
  readonly size: number;
  /** Resolves when no pass, insert or render of a near overlay is pending. */
  idle(): Promise<void>;
}

/** Starts the engine; it stops when `signal` aborts, removing every overlay it mounted. */
export function startEngine(options: EngineOptions): Engine {
  const { doc, adapter, site, signal } = options;
  const sliceMs = options.sliceMs ?? 8;
  const batchMs = options.batchMs ?? 30;
  const longPage = options.longPage ?? 150;
  const frameMs = options.frameMs ?? 16;
  const win = doc.defaultView!;
  /** Every overlay with a host in the page, by key. */
  const entries = new Map<string, Entry>();
  const byHost = new Map<Element, Entry>();
  /** Hosts still to insert, in page order. */
  let inserts: { key: string; target: OverlayTarget }[] = [];
  /** Near overlays waiting for their controls, in the order they came near. */
  const toRender = new Set<Entry>();
  /** Rendered overlays that went far, in the order they left. */
  const far = new Set<Entry>();
  let rendered = 0;
  /** The newest read of the page. */
  let lastRead: PageRead | null = null;
  /** Cancels the scheduled pass; null when none is. */
  let passPending: (() => void) | null = null;
  let lastPassAt = -Infinity;
  /** How long the last read took, and whether a pass has read the whole page yet. */
  let lastReadMs = 0;
  let parsedPass = false;
  let slicePending = false;
  // Yield between slices with a message, not setTimeout(0): nested timers are clamped to 4 ms,
  // which would leave the main thread idle a third of the time while overlays are pending.
  const channel = new MessageChannel();
  channel.port1.onmessage = () => slice();
  const later = () => {
    if (slicePending || signal.aborted) return;
    slicePending = true;
    channel.port2.postMessage(null);
  };
  let idleWaiters: (() => void)[] = [];
  /** Whether far controls are to be taken down: some went far, on a long page. */
  const shrink = () => far.size > 0 && entries.size > longPage;

  const margin = options.nearMargin === undefined ? '200% 0px' : options.nearMargin;
  const io =
    margin !== null && win.IntersectionObserver
      ? new win.IntersectionObserver(
          (records) => {
            for (const r of records) {
              const e = byHost.get(r.target);
              if (!e) continue;
              // A host with no box cannot be placed. Where the page draws nothing (a closed
              // <details>, display: none) the observer never calls it near, even scrolled to: it
              // renders as if near. Content skipped only while far (content-visibility: auto)
              // is still visible, and is reported again when it comes near.
              const b = r.boundingClientRect;
              if (r.isIntersecting || (!(b.width || b.height) && !e.host.checkVisibility?.())) {
                far.delete(e);
                if (!e.handle) toRender.add(e);
              } else {
                toRender.delete(e);
                if (e.handle) far.add(e);
              }
            }
            if (toRender.size || shrink()) later();
            settle();
          },
          { rootMargin: margin },
        )
      : null;

  removeForeignHosts(doc, options.instance);

  const takeDown = (e: Entry) => {
    far.delete(e);
    toRender.delete(e);
    if (!e.handle) return;
    const h = e.handle;
    e.handle = null;
    rendered--;
    try {
      h.destroy();
    } catch {
      // The host stays either way.
    }
  };

  const remove = (e: Entry) => {
    entries.delete(e.key);
    byHost.delete(e.host);
    io?.unobserve(e.host);
    try {
      takeDown(e);
    } finally {
      e.host.remove();
    }
  };

  const settle = () => {
    if (!passPending && !slicePending && !inserts.length && !toRender.size) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const report = () => options.onPass?.([...entries.values()].map((e) => e.target), new URL(win.location.href), lastRead);

  /** A host holding the overlay's place, with its sheet but no controls yet. */
  const insert = (key: string, target: OverlayTarget): void => {
    if (entries.has(key) || !target.element.isConnected || !target.anchor.isConnected) return;
    const host = doc.createElement(HOST_TAG);
    host.dataset.tendInstance = options.instance;
    host.dataset.tendKind = target.kind;
    try {
      const root = host.attachShadow({ mode: options.shadowMode });
      options.prepare?.(target, root, host);
      target.anchor.insertAdjacentElement(target.placement, host);
      const e: Entry = { key, target, host, root, handle: null };
      entries.set(key, e);
      byHost.set(host, e);
      if (io) io.observe(host);
      else toRender.add(e);
    } catch {
      // An overlay that cannot go in is left out; the page is untouched.
      host.remove();
    }
  };

  const render = (e: Entry) => {
    toRender.delete(e);
    if (e.handle || !e.host.isConnected) return;
    try {
      e.handle = options.mount(e.target, e.root, e.host);
      rendered++;
    } catch {
      // An overlay that cannot render keeps its (empty) place.
    }
  };

  const slice = () => {
    slicePending = false;
    if (signal.aborted) return;
    const start = performance.now();
    // One step at a time until the budget is spent: the controls of overlays near the window
    // first (what the reader sees), then more hosts (in page order), then, on long pages,
    // taking down far ones.
    let inserted = 0;
    for (;;) {
      if (toRender.size) render(toRender.values().next().value!);
      else if (inserted < inserts.length) {
        const { key, target } = inserts[inserted++]!;
        insert(key, target);
      }
      else if (shrink()) takeDown(far.values().next().value!);
      else break;
      if (performance.now() - start >= sliceMs) break;
    }
    if (inserted) {
      inserts = inserts.slice(inserted);
      if (!inserts.length) report();
    }
    if (inserts.length || toRender.size || shrink()) later();
    settle();
  };

  const loading = () => doc.readyState === 'loading';

  /**
   * One read of the page and its diff, in an animation-frame callback. The hosts of new targets
   * go in now, before this frame is drawn, as many as its budget allows (in page order); the
   * rest follow in slices. While the page is being parsed, only targets the parser has closed
   * go in, and what the page shows is not reported yet (the rest of it is still to come).
   */
  const pass = () => {
    passPending = null;
    lastPassAt = performance.now();
    if (signal.aborted) return;
    const early = loading();
    if (!root?.isConnected) observeRoot();
    const url = new URL(win.location.href);
    let read: PageRead | null;
    const readStart = performance.now();
    try {
      read = adapter.read(doc, url);
    } catch {
      read = null;
    }
    lastReadMs = performance.now() - readStart;
    if (!early) parsedPass = true;
    const next = new Map<string, OverlayTarget>();
    const open = early ? openElements(doc) : null;
    for (const t of read?.targets ?? []) {
      if (open && (open.has(t.element) || open.has(t.anchor))) continue;
      const key = targetKey(site, t);
      if (!next.has(key)) next.set(key, t);
    }
    if (!early) {
      lastRead = read;
      options.onRead?.(read, url);
      for (const e of [...entries.values()]) {
        const t = next.get(e.key);
        // Gone, re-rendered into a new element, or our host was thrown away with its parent.
        if (!t || t.element !== e.target.element || !e.host.isConnected) remove(e);
      }
    }
    inserts = [...next].filter(([key]) => !entries.has(key)).map(([key, target]) => ({ key, target }));
    // Hosts in page order, in this frame while its budget lasts (on a page read from the top,
    // that is far more than a window holds); the rest in slices of their own. A slow read
    // leaves less of the budget, so that the pass as a whole stays short.
    const start = performance.now();
    const budget = Math.max(frameMs / 4, frameMs - lastReadMs);
    let done = 0;
    while (done < inserts.length && performance.now() - start < budget) {
      const { key, target } = inserts[done++]!;
      insert(key, target);
    }
    inserts = inserts.slice(done);
    if (toRender.size) later();
    if (early) {
      // Parsing goes on: another pass a frame later (or more, see `schedule`), with whatever
      // did not fit; the full pass once parsing ends.
      inserts = [];
      if (done) report();
      schedule();
    } else if (inserts.length) later();
    else report();
    settle();
  };

  /**
   * Schedules a pass for the next frame, or, where one ran less than `batchMs` ago (once the
   * page is parsed), for the first frame after that.
   */
  const schedule = () => {
    if (passPending || signal.aborted) return;
    // While parsing, every frame: the parser yields for one only now and then, and a post it
    // added must have its place in the first frame that shows it.
    const wait = loading() ? 0 : Math.max(0, lastPassAt + batchMs - performance.now());
    let timer: ReturnType<typeof setTimeout> | undefined;
    let frame: (() => void) | null = null;
    passPending = () => {
      clearTimeout(timer);
      frame?.();
    };
    // Once the page is loaded, a pass whose read is slow (a topic of a thousand posts) runs in a
    // task of its own: in the frame after one of the page's own clicks it would hold up what the
    // click shows.
    const inFrame = loading() || !parsedPass || lastReadMs <= FRAME_READ_MS ? () => (frame = beforePaint(win, pass)) : pass;
    if (wait > 0) timer = setTimeout(inFrame, wait);
    else inFrame();
  };
  const onParsed = () => {
    // The full pass: the page is all there.
    passPending?.();
    passPending = null;
    schedule();
  };
  if (loading()) doc.addEventListener('DOMContentLoaded', onParsed, { once: true, signal });

  const observer = new MutationObserver((records) => {
    // Only schedule: no reads here. Mutations that only add or remove our own hosts are ignored,
    // and so is the parser's work: passes while parsing are paced by frames (see `pass`).
    if (loading()) return;
    for (const r of records) {
      if (!onlyOurHosts(r.addedNodes) || !onlyOurHosts(r.removedNodes)) return schedule();
    }
  });
  let root: Element | null = null;
  const observeRoot = () => {
    const next = adapter.observeRoot(doc) ?? doc.documentElement;
    if (next === root) return;
    observer.disconnect();
    root = next;
    observer.observe(root, { childList: true, subtree: true });
  };
  observeRoot();
  // A soft navigation may replace the observed root itself, or change the URL without
  // touching it: a cheap URL check catches both (a string compare, no DOM reads).
  let lastHref = win.location.href;
  const urlTimer = setInterval(() => {
    if (win.location.href !== lastHref || !root?.isConnected) {
      lastHref = win.location.href;
      schedule();
    }
  }, 500);
  win.addEventListener('popstate', schedule, { signal });

  signal.addEventListener('abort', () => {
    observer.disconnect();
    io?.disconnect();
    clearInterval(urlTimer);
    passPending?.();
    channel.port1.close();
    passPending = null;
    slicePending = false;
    inserts = [];
    for (const e of [...entries.values()]) remove(e);
    settle();
  });

  // While the page is being parsed the content script starts in a frame's callback, once the
  // page is recognised (see the content script), so the first pass runs now, in time for that
  // frame. Otherwise in the next frame's callback, not in the task that runs the content script.
  if (loading()) pass();
  else schedule();
  return {
    rescan: schedule,
    get size() {
      return rendered;
    },
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      }),
  };
}

/**
 * Runs `fn` just before the window's next frame is drawn. A hidden tab draws no frames, so
 * after `fallbackMs` it runs anyway. Returns a cancel function.
 */
export function beforePaint(win: Window, fn: () => void, fallbackMs = 1_000): () => void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    if (frames) win.cancelAnimationFrame(frame);
    clearTimeout(timer);
    fn();
  };
  const frames = typeof win.requestAnimationFrame === 'function';
  const frame = frames ? win.requestAnimationFrame(once) : 0;
  const timer = setTimeout(once, frames && win.document.visibilityState !== 'hidden' ? fallbackMs : 0);
  return () => {
    done = true;
    if (frames) win.cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

/**
 * The elements the parser may still be adding to: the last element child of the document,
 * its last element child, and so on down. Everything else is closed. (It errs on the safe
 * side: an element after the text being parsed counts as open.)
 */
function openElements(doc: Document): Set<Element> {
  const open = new Set<Element>();
  for (let el: Element | null = doc.documentElement; el; el = el.lastElementChild) open.add(el);
  return open;
}

/** Longest read that may still run in a frame's callback once the page is loaded, in ms. */
const FRAME_READ_MS = 8;

function onlyOurHosts(nodes: NodeList): boolean {
  for (const n of nodes) {
    const name = n.nodeType === 1 ? (n as Element).localName : '';
    // Hosts, layers, and the guard's passing hit-test sheet.
    if (name !== HOST_TAG && name !== LAYER_TAG && !(name === 'style' && (n as Element).hasAttribute('data-tend-probe'))) return false;
  }
  return true;
}

/** Removes overlays another (older or orphaned) Tend left in the page. */
export function removeForeignHosts(doc: Document, instance: string): void {
  for (const host of doc.querySelectorAll<HTMLElement>(HOST_TAG)) if (host.dataset.tendInstance !== instance) host.remove();
}
