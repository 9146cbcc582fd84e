/**
 * The overlay engine: one generic loop, driven by a site adapter, that keeps exactly one
 * overlay on each target the page shows. It watches the page with a MutationObserver (the
 * callback only schedules; it reads nothing), reads the page once per pass, diffs the read's
 * targets by key and element,
 * mounts new overlays in short time slices so no task runs long, and unmounts overlays whose
 * target left (client-side routing, re-renders, cloaked posts, infinite scroll).
 */
import { targetKey } from '../sites/registry';
import type { OverlayTarget, PageRead, SiteAdapter } from '../sites/types';
import { HOST_TAG, LAYER_TAG } from './tags';

export { HOST_TAG } from './tags';

/** What a mounted overlay gives back. */
export interface OverlayHandle {
  destroy(): void;
}

/** Renders one overlay into the shadow root of its host (prepared, not yet in the page). */
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
   * Called after each pass with the targets now mounted (the content script watches their
   * keys) and the read they came from (what the page shows, for the background).
   */
  onPass?: (targets: readonly OverlayTarget[], url: URL, read: PageRead | null) => void;
  /** Called right after each read, before any mounting: what the page shows now. */
  onRead?: (read: PageRead | null, url: URL) => void;
  /** Stops everything. */
  signal: AbortSignal;
  /** Longest stretch of rendering overlay contents before yielding to the page, in ms. */
  sliceMs?: number;
  /** While many overlays are pending, how often finished ones are put into the page, in ms. */
  flushEveryMs?: number;
  /** Readies a host before its content renders (styles, theme). */
  prepare?: (target: OverlayTarget, root: ShadowRoot, host: HTMLElement) => void;
  /** Delay that batches bursts of mutations into one pass, in ms. */
  batchMs?: number;
}

interface QueueItem {
  key: string;
  target: OverlayTarget;
  host?: HTMLElement;
  root?: ShadowRoot;
  handle?: OverlayHandle;
}

interface Mounted {
  target: OverlayTarget;
  host: HTMLElement;
  handle: OverlayHandle;
}

/** A running engine. */
export interface Engine {
  /** Schedules a pass now (e.g. after a soft navigation). */
  rescan(): void;
  /** Number of overlays mounted. */
  readonly size: number;
  /** Resolves when no pass or mount is pending. */
  idle(): Promise<void>;
}

/** Starts the engine; it stops when `signal` aborts, removing every overlay it mounted. */
export function startEngine(options: EngineOptions): Engine {
  const { doc, adapter, site, signal } = options;
  const sliceMs = options.sliceMs ?? 30;
  const flushEveryMs = options.flushEveryMs ?? 1_000;
  const batchMs = options.batchMs ?? 30;
  const win = doc.defaultView!;
  const mounted = new Map<string, Mounted>();
  let queue: { key: string; target: OverlayTarget }[] = [];
  /** The newest read of the page. */
  let lastRead: PageRead | null = null;
  let passTimer: ReturnType<typeof setTimeout> | undefined;
  let slicePending = false;
  // Yield between slices with a message, not setTimeout(0): nested timers are clamped to 4 ms,
  // which would leave the main thread idle a third of the time while overlays are pending.
  const channel = new MessageChannel();
  channel.port1.onmessage = () => mountSlice();
  const yieldThenMount = () => {
    slicePending = true;
    channel.port2.postMessage(null);
  };
  let idleWaiters: (() => void)[] = [];

  removeForeignHosts(doc, options.instance);

  const unmount = (key: string) => {
    const m = mounted.get(key);
    if (!m) return;
    mounted.delete(key);
    try {
      m.handle.destroy();
    } finally {
      m.host.remove();
    }
  };

  const settle = () => {
    if (passTimer === undefined && !slicePending && !queue.length && !ready.length) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  /**
   * Mounting renders overlays off the page, in slices of at most `sliceMs`, then puts the
   * finished hosts into the page together. Rendering into detached shadow roots lays out
   * nothing; the page lays itself out once per batch of inserts, as it would for any batch of
   * plain elements, instead of once per frame while a thousand overlays trickle in.
   */
  let ready: Required<QueueItem>[] = [];
  let lastFlush = 0;
  const flush = () => {
    for (const item of ready) {
      const { key, target, host, handle } = item;
      if (mounted.has(key) || !target.element.isConnected || !target.anchor.isConnected) {
        handle.destroy();
        continue;
      }
      try {
        target.anchor.insertAdjacentElement(target.placement, host);
        mounted.set(key, { target, host, handle });
      } catch {
        handle.destroy();
      }
    }
    ready = [];
    lastFlush = performance.now();
  };

  const mountSlice = () => {
    slicePending = false;
    if (signal.aborted) return;
    const start = performance.now();
    while (queue.length) {
      const { key, target } = queue.shift()!;
      if (mounted.has(key) || !target.element.isConnected) continue;
      const host = doc.createElement(HOST_TAG);
      host.dataset.tendInstance = options.instance;
      host.dataset.tendKind = target.kind;
      try {
        const root = host.attachShadow({ mode: options.shadowMode });
        options.prepare?.(target, root, host);
        ready.push({ key, target, host, root, handle: options.mount(target, root, host) });
      } catch {
        // An overlay that cannot render is left out; the page is untouched.
      }
      if (performance.now() - start >= sliceMs) break;
    }
    // Very long queues show progress every second rather than all at the very end.
    if (!queue.length || performance.now() - lastFlush >= flushEveryMs) flush();
    if (queue.length) yieldThenMount();
    else options.onPass?.([...mounted.values()].map((m) => m.target), new URL(win.location.href), lastRead);
    settle();
  };

  const pass = () => {
    passTimer = undefined;
    if (signal.aborted) return;
    if (!root?.isConnected) observeRoot();
    const url = new URL(win.location.href);
    try {
      lastRead = adapter.read(doc, url);
    } catch {
      lastRead = null;
    }
    options.onRead?.(lastRead, url);
    const next = new Map<string, OverlayTarget>();
    for (const t of lastRead?.targets ?? []) {
      const key = targetKey(site, t);
      if (!next.has(key)) next.set(key, t);
    }
    for (const [key, m] of mounted) {
      const t = next.get(key);
      // Gone, re-rendered into a new element, or our host was thrown away with its parent.
      if (!t || t.element !== m.target.element || !m.host.isConnected) unmount(key);
    }
    const rendering = new Set(ready.map((r) => r.key));
    queue = [...next].filter(([key]) => !mounted.has(key) && !rendering.has(key)).map(([key, target]) => ({ key, target }));
    if (queue.length && !slicePending) mountSlice();
    else {
      if (!queue.length) options.onPass?.([...mounted.values()].map((m) => m.target), url, lastRead);
      settle();
    }
  };

  const schedule = () => {
    if (passTimer === undefined && !signal.aborted) passTimer = setTimeout(pass, batchMs);
  };

  const observer = new MutationObserver((records) => {
    // Only schedule: no reads here. Mutations that only add or remove our own hosts are ignored.
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
    clearInterval(urlTimer);
    clearTimeout(passTimer);
    channel.port1.close();
    passTimer = undefined;
    slicePending = false;
    for (const r of ready) r.handle.destroy();
    ready = [];
    queue = [];
    for (const key of [...mounted.keys()]) unmount(key);
    settle();
  });

  pass();
  return {
    rescan: schedule,
    get size() {
      return mounted.size;
    },
    idle: () => new Promise<void>((resolve) => {
      idleWaiters.push(resolve);
      settle();
    }),
  };
}

function onlyOurHosts(nodes: NodeList): boolean {
  for (const n of nodes) {
    const name = n.nodeType === 1 ? (n as Element).localName : '';
    if (name !== HOST_TAG && name !== LAYER_TAG) return false;
  }
  return true;
}

/** Removes overlays another (older or orphaned) Tend left in the page. */
export function removeForeignHosts(doc: Document, instance: string): number {
  let removed = 0;
  for (const host of doc.querySelectorAll<HTMLElement>(HOST_TAG)) {
    if (host.dataset.tendInstance !== instance) {
      host.remove();
      removed++;
    }
  }
  return removed;
}
