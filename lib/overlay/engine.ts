/**
 * The overlay engine: one generic loop, driven by a site adapter, that keeps exactly one
 * overlay on each target the page shows. It watches the page with a MutationObserver (the
 * callback only schedules; it reads nothing), diffs the adapter's targets by key and element,
 * mounts new overlays in short time slices so no task runs long, and unmounts overlays whose
 * target left (client-side routing, re-renders, cloaked posts, infinite scroll).
 */
import { targetKey, type OverlayTarget, type SiteAdapter } from '../sites';

/** The tag of every overlay host Tend inserts into a page. */
export const HOST_TAG = 'tend-overlay';

/** What a mounted overlay gives back. */
export interface OverlayHandle {
  destroy(): void;
}

/** Mounts one overlay into the shadow root of its host (already in the page). */
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
  /** Called after each pass with the targets now mounted (the content script watches their keys). */
  onPass?: (targets: readonly OverlayTarget[], url: URL) => void;
  /** Stops everything. */
  signal: AbortSignal;
  /** Longest stretch of mounting before yielding to the page, in ms. */
  sliceMs?: number;
  /** Delay that batches bursts of mutations into one pass, in ms. */
  batchMs?: number;
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
  const sliceMs = options.sliceMs ?? 8;
  const batchMs = options.batchMs ?? 30;
  const win = doc.defaultView!;
  const mounted = new Map<string, Mounted>();
  let queue: { key: string; target: OverlayTarget }[] = [];
  let passTimer: ReturnType<typeof setTimeout> | undefined;
  let sliceTimer: ReturnType<typeof setTimeout> | undefined;
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
    if (passTimer === undefined && sliceTimer === undefined && !queue.length) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const mountSlice = () => {
    sliceTimer = undefined;
    if (signal.aborted) return;
    const start = performance.now();
    while (queue.length) {
      const { key, target } = queue.shift()!;
      // The page may have moved on since this target was queued.
      if (mounted.has(key) || !target.element.isConnected || !target.anchor.isConnected) continue;
      const host = doc.createElement(HOST_TAG);
      host.dataset.tendInstance = options.instance;
      host.dataset.tendKind = target.kind;
      try {
        target.anchor.insertAdjacentElement(target.placement, host);
        const root = host.attachShadow({ mode: options.shadowMode });
        mounted.set(key, { target, host, handle: options.mount(target, root, host) });
      } catch {
        host.remove();
      }
      if (performance.now() - start >= sliceMs) break;
    }
    if (queue.length) sliceTimer = setTimeout(mountSlice, 0);
    else options.onPass?.([...mounted.values()].map((m) => m.target), new URL(win.location.href));
    settle();
  };

  const pass = () => {
    passTimer = undefined;
    if (signal.aborted) return;
    if (!root?.isConnected) observeRoot();
    const url = new URL(win.location.href);
    let targets: OverlayTarget[] = [];
    try {
      targets = adapter.targets(doc, url);
    } catch {
      targets = [];
    }
    const next = new Map<string, OverlayTarget>();
    for (const t of targets) {
      const key = targetKey(site, t);
      if (!next.has(key)) next.set(key, t);
    }
    for (const [key, m] of mounted) {
      const t = next.get(key);
      // Gone, re-rendered into a new element, or our host was thrown away with its parent.
      if (!t || t.element !== m.target.element || !m.host.isConnected) unmount(key);
    }
    queue = [...next].filter(([key]) => !mounted.has(key)).map(([key, target]) => ({ key, target }));
    if (queue.length && sliceTimer === undefined) mountSlice();
    else {
      if (!queue.length) options.onPass?.([...mounted.values()].map((m) => m.target), url);
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
    clearTimeout(sliceTimer);
    passTimer = sliceTimer = undefined;
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
  for (const n of nodes) if (n.nodeType !== 1 || (n as Element).localName !== HOST_TAG) return false;
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
