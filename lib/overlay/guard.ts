/**
 * Whether a click on one of Tend's controls may act. A page can try to trick a person into
 * clicking Tend's button without seeing it: keep it transparent and show it only as the
 * pointer goes down, cover it with something that lets clicks through, fade it with a filter,
 * or slide it under the pointer. So an action counts only when its control was visible,
 * unobscured and in place for a while *before* the pointer went down, judged continuously
 * from the moment the control was mounted:
 *
 * - where the browser has IntersectionObserver v2 (Chrome), by its `isVisible`, which takes
 *   opacity, filters, transforms and anything painted over the control into account;
 * - everywhere (and where v2 says no, because an honest forum fades its posts or themes them
 *   with a filter), by Tend's own checks: the control's effective opacity along its ancestors,
 *   no hiding filter or transform, its place unchanged, and — when the pointer goes down — that
 *   Tend's element is what is on top at that point, with covers that let clicks through found
 *   too.
 *
 * Anything else is confirmed in Tend's own UI (see `confirm.ts`), never `window.confirm`, which
 * a page can imitate. Synthetic events never act. Keyboard activation (which a page cannot
 * fake, and cannot aim at Tend's closed shadow root) is judged by the same checks, now.
 */

/** How long a control must have been visible and in place before the pointer went down. */
export const MIN_VISIBLE_MS = 300;
/** Lowest effective opacity taken as plainly visible (forums fade read posts to 0.6 or so; hiding needs far less). */
export const MIN_OPACITY = 0.5;
/**
 * How long a control must have stayed in place (relative to the window) before the pointer
 * went down: a page cannot slide it under a pointer already on its way to something else. A
 * person who scrolls and clicks at once is rarer than this is short.
 */
export const MIN_STILL_MS = 150;
/** How often controls near the window are checked, in ms. */
const SAMPLE_EVERY_MS = 100;
/** A pointer-down this long before the click still counts for it. */
const POINTER_TO_CLICK_MS = 5_000;

/** What a guard needs from its page. */
export interface GuardOptions {
  /** Asks the person, in Tend's own UI, whether to go ahead; resolves with their answer. */
  confirm: (what: string, host: HTMLElement, root: ShadowRoot) => Promise<boolean>;
  /** Use IntersectionObserver v2 where the browser has it (tests turn it off to exercise the other path). */
  useV2?: boolean;
  /** The document the controls are in. */
  doc?: Document;
}

/** Decides which clicks on Tend's controls act. */
export interface ActionGuard {
  /** Watches an overlay host from the moment it is mounted; returns how to stop. */
  watch(host: HTMLElement, root: ShadowRoot): () => void;
  /** Whether an action from `event` on the overlay `host` may go ahead (asking the person when in doubt). */
  allow(event: Event, host: HTMLElement, what: string): Promise<boolean>;
  /** Stops everything. */
  close(): void;
}

interface Watched {
  root: ShadowRoot;
  /** Since when v2 has said the host is visible (null: it does not). */
  v2Since: number | null;
  /** Since when Tend's own checks have passed without a break (null: they do not). */
  okSince: number | null;
  /** Since when it has been about where it is (null: not yet seen), and where that was. */
  stillSince: number | null;
  anchor: DOMRect | null;
  /** Whether it is near the window (only those are checked). */
  near: boolean;
  /** The last pointer-down on it, judged then. */
  down: { at: number; ok: boolean } | null;
}

const supportsV2 = () => typeof IntersectionObserverEntry !== 'undefined' && 'isVisible' in IntersectionObserverEntry.prototype;

/** Creates the guard for one page. */
export function createGuard(options: GuardOptions): ActionGuard {
  const doc = options.doc ?? document;
  const win = doc.defaultView!;
  const useV2 = (options.useV2 ?? true) && supportsV2();
  const watched = new Map<HTMLElement, Watched>();
  const now = () => win.performance.now();

  const v2 = useV2
    ? new win.IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            const w = watched.get(e.target as HTMLElement);
            if (!w) continue;
            const visible = Boolean((e as IntersectionObserverEntry & { isVisible?: boolean }).isVisible);
            w.v2Since = visible ? (w.v2Since ?? e.time) : null;
          }
        },
        { threshold: [1], trackVisibility: true, delay: 100 } as IntersectionObserverInit,
      )
    : null;
  // Which hosts are near the window: only they are checked over time.
  const nearby = new win.IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const w = watched.get(e.target as HTMLElement);
        if (!w) continue;
        w.near = e.isIntersecting;
        if (!w.near) {
          w.okSince = null;
          w.stillSince = null;
          w.anchor = null;
        }
      }
    },
    { rootMargin: '100px' },
  );

  const sample = () => {
    const t = now();
    for (const [host, w] of watched) {
      if (!w.near || !host.isConnected) continue;
      const rect = host.getBoundingClientRect();
      if (!w.anchor || moved(rect, w.anchor)) {
        w.stillSince = t;
        w.anchor = rect;
      }
      if (!looksVisible(host, rect, win)) w.okSince = null;
      else w.okSince ??= t;
    }
  };
  const timer = win.setInterval(sample, SAMPLE_EVERY_MS);

  const onPointerDown = (host: HTMLElement, w: Watched) => (event: Event) => {
    if (!event.isTrusted || !('clientX' in event)) return;
    const e = event as PointerEvent;
    const at = now();
    // Judged now, from what was true before this moment: a page that shows the control only
    // as the pointer goes down has not shown it for long.
    const v2ok = w.v2Since !== null && at - w.v2Since >= MIN_VISIBLE_MS;
    const ownOk = w.okSince !== null && at - w.okSince >= MIN_VISIBLE_MS;
    const rect = host.getBoundingClientRect();
    // In place: where the last check saw it, and there for a while already.
    const still = w.anchor !== null && !moved(rect, w.anchor) && w.stillSince !== null && at - w.stillSince >= MIN_STILL_MS;
    // Visible by v2, which sees whatever is painted over the control, covers that let clicks
    // through included; else Tend's own checks now, with the hit test that finds such covers
    // (it restyles the whole page for a moment: on a long topic, longer than a frame).
    w.down = { at, ok: still && (v2ok || (ownOk && looksVisible(host, rect, win) && hitsOnly(host, w.root, e.clientX, e.clientY, doc))) };
  };

  return {
    watch(host, root) {
      const w: Watched = { root, v2Since: null, okSince: null, stillSince: null, anchor: null, near: false, down: null };
      watched.set(host, w);
      v2?.observe(host);
      nearby.observe(host);
      const listener = onPointerDown(host, w);
      root.addEventListener('pointerdown', listener, { capture: true });
      return () => {
        root.removeEventListener('pointerdown', listener, { capture: true });
        v2?.unobserve(host);
        nearby.unobserve(host);
        watched.delete(host);
      };
    },

    async allow(event, host, what) {
      if (!event.isTrusted) return false;
      const w = watched.get(host);
      if (!w) return false;
      const down = w.down;
      w.down = null;
      const pointer = down !== null && now() - down.at <= POINTER_TO_CLICK_MS;
      let ok: boolean;
      if (pointer) ok = down.ok;
      else {
        // Keyboard: a page cannot aim keys at Tend's closed root, but can still hide what has focus.
        const rect = host.getBoundingClientRect();
        ok = looksVisible(host, rect, win) && (w.v2Since !== null || hitsOnly(host, w.root, rect.x + rect.width / 2, rect.y + rect.height / 2, doc));
      }
      return ok || options.confirm(what, host, w.root);
    },

    close() {
      win.clearInterval(timer);
      v2?.disconnect();
      nearby.disconnect();
      watched.clear();
    },
  };
}

/**
 * How far a control may drift from where it settled and still count as in place: the few
 * pixels a fade-in slides or a hover lifts, not the distance that puts it under a pointer
 * aimed at something else.
 */
const DRIFT_PX = 8;

/** Whether a box has moved, or changed width, by more than a drift from where it settled. */
function moved(a: DOMRect, b: DOMRect): boolean {
  return Math.abs(a.x - b.x) > DRIFT_PX || Math.abs(a.y - b.y) > DRIFT_PX || Math.abs(a.width - b.width) > DRIFT_PX;
}

/** The element's parent, crossing out of shadow roots to their hosts. */
function parentOf(el: Element): Element | null {
  if (el.parentElement) return el.parentElement;
  const root = el.getRootNode();
  return root && (root as ShadowRoot).host ? (root as ShadowRoot).host : null;
}

/**
 * Tend's own visibility checks, without hit-testing: not hidden, in the window, not made
 * nearly transparent along its ancestors (opacity, `opacity()` filters), no filter that hides
 * (heavy blur, near-zero brightness or contrast), no blending that can wash it out, and not
 * squeezed or skewed out of shape.
 */
export function looksVisible(host: HTMLElement, rect: DOMRect, win: Window): boolean {
  if (rect.width < 4 || rect.height < 4) return false;
  if (rect.bottom <= 0 || rect.right <= 0 || rect.top >= win.innerHeight || rect.left >= win.innerWidth) return false;
  const check = (host as HTMLElement & { checkVisibility?: (o: object) => boolean }).checkVisibility;
  if (check && !check.call(host, { opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true })) return false;
  // Shape: transforms change the drawn box, not the layout box.
  if (host.offsetWidth > 0 && host.offsetHeight > 0) {
    const w = rect.width / host.offsetWidth;
    const h = rect.height / host.offsetHeight;
    if (w < 0.7 || h < 0.7 || w > 1.6 || h > 1.6) return false;
  }
  let opacity = 1;
  for (let el: Element | null = host; el; el = parentOf(el)) {
    const style = win.getComputedStyle(el);
    if (style.visibility === 'hidden' || style.visibility === 'collapse' || style.display === 'none') return false;
    opacity *= Number(style.opacity) || 0;
    if (style.mixBlendMode && style.mixBlendMode !== 'normal') return false;
    const filter = style.filter;
    if (filter && filter !== 'none') {
      const f = filterEffect(filter);
      if (f.hides) return false;
      opacity *= f.opacity;
    }
    if (opacity < MIN_OPACITY) return false;
  }
  return true;
}

/** What a CSS filter does to visibility: the opacity it multiplies in, and whether it hides outright. */
function filterEffect(filter: string): { opacity: number; hides: boolean } {
  let opacity = 1;
  let hides = false;
  for (const m of filter.matchAll(/([a-z-]+)\(([^)]*)\)/g)) {
    const name = m[1]!;
    const raw = m[2]!.trim();
    const amount = raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : Number.parseFloat(raw);
    if (name === 'opacity') opacity *= Number.isFinite(amount) ? amount : 1;
    else if (name === 'blur') hides ||= Number.parseFloat(raw) > 3;
    else if (name === 'brightness') hides ||= amount < 0.4;
    else if (name === 'contrast') hides ||= amount < 0.35;
  }
  if (/url\(/.test(filter)) hides = true;
  return { opacity, hides };
}

/**
 * Whether, at this point, Tend's host is what is on top, including covers that let clicks
 * through (`pointer-events: none`): for one synchronous hit test every element takes the
 * pointer, then the page is as it was. And inside the host, what is there is one of its
 * controls.
 */
export function hitsOnly(host: HTMLElement, root: ShadowRoot, x: number, y: number, doc: Document): boolean {
  const probe = doc.createElement('style');
  probe.dataset.tendProbe = '';
  probe.textContent = '*, *::before, *::after { pointer-events: auto !important; }';
  // Inline `pointer-events: none !important` beats any sheet: those elements are set by hand.
  const inline = [...doc.querySelectorAll<HTMLElement>('[style*="pointer-events"]')].map((el) => [el, el.getAttribute('style')] as const);
  let top: Element | null = null;
  try {
    (doc.head ?? doc.documentElement).append(probe);
    for (const [el] of inline) el.style.setProperty('pointer-events', 'auto', 'important');
    top = doc.elementFromPoint(x, y);
  } finally {
    probe.remove();
    for (const [el, style] of inline) {
      if (style === null) el.removeAttribute('style');
      else el.setAttribute('style', style);
    }
  }
  if (top !== host) return false;
  const inner = root.elementFromPoint?.(x, y) ?? null;
  return inner === null || host.contains(inner) || root.contains(inner);
}
