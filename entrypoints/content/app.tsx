/**
 * Wires a page to Tend: the site adapter reads it, the overlay engine mounts controls on
 * its posts and threads, the background is told what was seen, and live pushes keep every
 * overlay current.
 */
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { useEffect, useState } from 'preact/hooks';
import { ClaimControl } from '../../components/overlays/ClaimControl';
import { EndorseControl } from '../../components/overlays/EndorseControl';
import { StateChip } from '../../components/overlays/StateChip';
import { OVERLAY_CSS } from '../../components/overlays/styles';
import { I18n } from '../../components/i18n';
import { canonicalSite, postKey, sameHandle, threadKey, type PostRef, type ThreadRef } from '../../lib/domain/refs';
import { browserT } from '../../lib/i18n';
import { errorText } from '../../components/errors';
import type { Failure } from '../../lib/domain/result';
import { request, subscribe, type Subscription } from '../../lib/messaging/client';
import { isBuiltInOrigin } from '../../lib/permissions/origins';
import type { SeenThreadSchema, StateSnapshot } from '../../lib/messaging/protocol';
import { beforePaint, createGuard, HOST_TAG, OverlayState, pageTheme, startEngine, type ActionGuard } from '../../lib/overlay';
import { confirmInTend } from '../../lib/overlay/confirm';
import type { SiteDescription } from '../../lib/domain/site-description';
import type { OverlayTarget, PageRead, PostTarget, SiteAdapter, ThreadTarget } from '../../lib/sites/types';
import { adapterAmong } from '../../lib/sites/registry';
import { describedAdapter } from '../../lib/sites/described';
import type * as v from 'valibot';

declare const __TEND_TEST_BUILD__: boolean;

interface PageContext {
  site: string;
  state: OverlayState;
  guard: ActionGuard;
}

/**
 * Starts Tend on this page until `signal` aborts, with the built-in adapters this content script
 * carries (each platform's script carries its own; the general one carries Discourse) and its
 * platform's look (`components/overlays/looks.ts`). Injected again into a tab that already runs
 * it (install, update, enabling a site), the newer copy takes over (see `claimPage`), and the
 * engine removes any overlays an older copy left.
 *
 * A built-in adapter reads the page when one recognises it; otherwise the description of this
 * forum (this browser's own, else the team's) does, and when that description changes the
 * page is read again with the new one, without a reload.
 */
export function runTend(signal: AbortSignal, builtIn: readonly SiteAdapter[], look = ''): void {
  let site: string;
  try {
    site = canonicalSite(new URL(location.href));
  } catch {
    return;
  }

  // One subscription for the page, opened once it is needed: state for the overlays, and word
  // when how to read this site changes (on a forum the person enabled, even before anything
  // reads it, since that is where a description arrives).
  let onState: ((push: StateSnapshot) => void) | null = null;
  let port: Subscription | null = null;
  const sub = (): Subscription => {
    if (!port) {
      port = subscribe((push) => {
        if (push.type === 'state') onState?.(push.state);
        else if (push.type === 'site') void start();
      });
      signal.addEventListener('abort', () => port?.close());
    }
    return port;
  };
  if (!isBuiltInOrigin(location.origin)) sub();

  let running: AbortController | null = null;
  let attempt = 0;
  const start = async () => {
    const mine = ++attempt;
    // Built-in platforms are told by their host or by a mark in the page's head; anything else
    // needs this forum's description first.
    let adapters = builtIn;
    if (!builtIn.some((a) => a.detect(document, new URL(location.href))) && !isBuiltInOrigin(location.origin)) {
      const r = await request({ type: 'site.description' });
      if (mine !== attempt || signal.aborted) return;
      // The background validated it when it was saved or shared; reading it cannot throw either way.
      const description = r.ok && r.value && r.value.description && typeof r.value.description === 'object' ? (r.value.description as SiteDescription) : null;
      if (description) adapters = [...builtIn, describedAdapter(description)];
    }
    const adapter = await recognised(adapters, signal);
    if (mine !== attempt || signal.aborted) return;
    running?.abort();
    running = null;
    if (!adapter) return;
    const run = new AbortController();
    running = run;
    const state = new OverlayState();
    onState = (snapshot) => state.apply(snapshot);
    run.signal.addEventListener('abort', () => {
      onState = null;
      port?.watch({ posts: [], threads: [] });
    });
    runWith(adapter, site, state, sub(), run.signal, look);
  };
  signal.addEventListener('abort', () => running?.abort());
  void start();
}

/**
 * The first of `adapters` that recognises the page. The content script starts as the page
 * begins to load, so that overlays can go in before the first frame is drawn: while the page is
 * still being parsed, each frame asks again once the body has begun, and the end of parsing
 * has the last word.
 */
function recognised(adapters: readonly SiteAdapter[], signal: AbortSignal): Promise<SiteAdapter | null> {
  const detect = () => adapterAmong(adapters, document, new URL(location.href));
  if (document.readyState !== 'loading') return Promise.resolve(detect());
  return new Promise((resolve) => {
    let cancel = () => {};
    const finish = (adapter: SiteAdapter | null) => {
      cancel();
      document.removeEventListener('DOMContentLoaded', parsed);
      resolve(adapter);
    };
    const parsed = () => finish(signal.aborted ? null : detect());
    const look = () => {
      if (signal.aborted) return finish(null);
      const adapter = document.body ? detect() : null;
      if (adapter) finish(adapter);
      else cancel = beforePaint(window, look);
    };
    document.addEventListener('DOMContentLoaded', parsed);
    look();
  });
}

/** Runs the overlays with one adapter until `signal` aborts. */
function runWith(adapter: SiteAdapter, site: string, state: OverlayState, sub: Subscription, signal: AbortSignal, look: string): void {
  const t = browserT;
  const guard = createGuard({
    confirm: (what, host, root) => confirmInTend(root, host, { title: t('ov_confirmTitle', what), body: t('ov_confirmBody'), yes: t('ov_confirmYes', what), no: t('ov_confirmNo') }),
    // The test build can leave IntersectionObserver v2 out, to exercise the path other browsers take.
    useV2: !(__TEND_TEST_BUILD__ && document.documentElement.dataset.tendTestNoV2 === '1'),
  });
  signal.addEventListener('abort', () => guard.close());
  const page: PageContext = { site, state, guard };

  const css = OVERLAY_CSS + look;
  const sheet = makeSheet(css);
  let theme = pageTheme(document);
  let themeUrl = location.href;
  const instance = browserInstance();
  const retheme = () => {
    const next = pageTheme(document);
    if (next === theme) return;
    theme = next;
    for (const host of document.querySelectorAll<HTMLElement>(`${HOST_TAG}[data-tend-instance="${instance}"]`)) host.dataset.theme = theme;
  };
  // Overlays go in as the page loads; a page may still set its theme from a script as it
  // finishes loading, so the theme is read once more when it has.
  if (document.readyState !== 'complete') window.addEventListener('load', retheme, { once: true, signal });
  let watched = '';
  let lastSeen = '';
  let seenTimer: ReturnType<typeof setTimeout> | undefined;

  // Keyboard commands (the background asks): this page's thread, or the post in view's thanks.
  let targets: readonly OverlayTarget[] = [];
  const roots = new Map<Element, ShadowRoot>();
  const onCommand = (m: { tendCommand?: string } | null, sender: { id?: string; tab?: unknown }, reply: (r: unknown) => void) => {
    if (sender.id !== browser.runtime.id || sender.tab || !m?.tendCommand) return;
    const thread = targets.find((x): x is ThreadTarget => x.kind === 'thread');
    if (m.tendCommand === 'claim-thread') return reply(thread ? { site, threadId: thread.thread.threadId } : null);
    // The post nearest the top of the window among those in view.
    const inView = targets.filter((x) => x.kind === 'post' && x.element.getBoundingClientRect().bottom > 0 && x.element.getBoundingClientRect().top < innerHeight);
    const button = inView.length ? roots.get(inView[0]!.element)?.querySelector<HTMLElement>('button[aria-expanded="false"]') : null;
    button?.focus();
    button?.click();
    reply(null);
  };
  browser.runtime.onMessage.addListener(onCommand as never);
  signal.addEventListener('abort', () => browser.runtime.onMessage.removeListener(onCommand as never));

  let seenRead: PageRead | null = null;
  const sendSeen = () => {
    seenTimer = undefined;
    const read = seenRead;
    if (!read) return;
    state.setViewer(read.viewer);
    const threads = read.threads.slice(0, 500).map(toSeen);
    const body = JSON.stringify([read.viewer, threads]);
    if (body === lastSeen) return;
    lastSeen = body;
    void request({ type: 'page.seen', site, platform: adapter.platform, viewer: read.viewer, threads }).then((r) => r.ok && state.apply(r.value));
  };
  let firstRead = true;

  startEngine({
    doc: document,
    adapter,
    site,
    signal,
    instance,
    shadowMode: __TEND_TEST_BUILD__ ? 'open' : 'closed',
    onRead: (read) => {
      // What the page shows goes to the background in a task of its own, once the page has
      // settled for a moment: the first overlays are not held up, and a burst of changes is one message.
      seenRead = read;
      clearTimeout(seenTimer);
      seenTimer = setTimeout(sendSeen, firstRead ? 0 : 300);
      firstRead = false;
    },
    prepare: (_target, root, host) => {
      host.dataset.theme = theme;
      // The overlay takes the look of the site it sits on (sizes, radius, font; looks.ts), which
      // may differ between a platform's front-ends (old Reddit is not today's).
      host.dataset.platform = adapter.platform;
      host.dataset.host = location.hostname;
      adoptStyles(root, sheet, css);
    },
    mount: (target, root, host) => {
      const mountPoint = document.createElement('span');
      root.append(mountPoint);
      roots.set(target.element, root);
      // Watched from the moment it exists: a click judges what was true before it.
      const unwatch = guard.watch(host, root);
      render(
        <I18n.Provider value={t}>
          <Overlay target={target} page={page} host={host} />
        </I18n.Provider>,
        mountPoint,
      );
      return {
        destroy: () => {
          roots.delete(target.element);
          unwatch();
          render(null, mountPoint);
          mountPoint.remove();
        },
      };
    },
    onPass: (passTargets, passUrl) => {
      targets = passTargets;
      // A style read: only when the page changed, never after every batch of inserts
      // (it would force a style recalculation of everything just mounted).
      if (passUrl.href !== themeUrl) {
        themeUrl = passUrl.href;
        retheme();
      }
      const posts: PostRef[] = [];
      const threads: ThreadRef[] = [];
      for (const target of passTargets) {
        if (target.kind === 'post') posts.push({ site, threadId: target.post.threadId, postId: target.post.postId });
        else threads.push({ site, threadId: target.thread.threadId });
      }
      const keys = JSON.stringify([posts.map(postKey), threads.map(threadKey)]);
      if (keys !== watched) {
        watched = keys;
        sub.watch({ posts, threads });
      }
    },
  });
  signal.addEventListener('abort', () => clearTimeout(seenTimer));
}

/** A thread as the page saw it, in the shape the protocol validates. */
function toSeen(t: { threadId: string; title: string; url: string; author?: string; replies?: number; answered?: boolean; createdAt?: number; category?: string; tags?: string[] }): v.InferOutput<typeof SeenThreadSchema> {
  const out: v.InferOutput<typeof SeenThreadSchema> = { threadId: t.threadId };
  if (t.title) out.title = t.title.slice(0, 300);
  if (t.url) out.url = t.url;
  if (t.author) out.author = t.author;
  if (typeof t.replies === 'number' && Number.isInteger(t.replies) && t.replies >= 0) out.replies = t.replies;
  if (typeof t.answered === 'boolean') out.answered = t.answered;
  if (typeof t.createdAt === 'number' && Number.isInteger(t.createdAt) && t.createdAt >= 0) out.createdAt = t.createdAt;
  if (t.category) out.category = t.category.slice(0, 100);
  if (t.tags?.length) out.tags = t.tags.slice(0, 20);
  return out;
}

let instanceId: string | undefined;
function browserInstance(): string {
  return (instanceId ??= Math.random().toString(36).slice(2));
}

function makeSheet(css: string): CSSStyleSheet | null {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    return sheet;
  } catch {
    return null;
  }
}

/** One shared constructed sheet where the browser allows it from a content script; a style element otherwise. */
function adoptStyles(root: ShadowRoot, sheet: CSSStyleSheet | null, css: string): void {
  if (sheet) {
    try {
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // Firefox's content-script wrappers refuse sheets made in the isolated world.
    }
  }
  const style = document.createElement('style');
  style.textContent = css;
  root.append(style);
}

function useKey<T>(page: PageContext, key: string, read: (s: OverlayState) => T): T {
  const [value, setValue] = useState(() => read(page.state));
  useEffect(() => {
    const off = page.state.listen(key, () => setValue(read(page.state)));
    // State that arrived between the first render and this effect.
    setValue(read(page.state));
    return off;
  }, [key]);
  return value;
}

function useNow(ms = 60_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, []);
  return now;
}

function Overlay({ target, page, host }: { target: OverlayTarget; page: PageContext; host: HTMLElement }) {
  if (target.kind === 'post') return <PostOverlay target={target} page={page} host={host} />;
  if (target.kind === 'thread') return <ThreadOverlay target={target} page={page} host={host} />;
  return <RowOverlay target={target} page={page} />;
}

function useAction(page: PageContext, host: HTMLElement) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /**
   * Runs an action if the guard lets it; resolves whether it was stored. Its pending state shows
   * from the click's next frame (set here, before anything is awaited), the stored or refused
   * state once the background answers.
   */
  const run = async (event: Event, what: string, send: () => Promise<{ ok: true; value: StateSnapshot } | Failure>): Promise<boolean> => {
    setError(null);
    setBusy(true);
    if (!(await page.guard.allow(event, host, what))) {
      setBusy(false);
      return false;
    }
    const r = await send();
    setBusy(false);
    if (r.ok) page.state.apply(r.value);
    else setError(errorText(browserT, r));
    return r.ok;
  };
  return { busy, error, run };
}

function PostOverlay({ target, page, host }: { target: PostTarget; page: PageContext; host: HTMLElement }) {
  const ref: PostRef = { site: page.site, threadId: target.post.threadId, postId: target.post.postId };
  const key = postKey(ref);
  const post = useKey(page, key, (s) => s.post(key));
  const viewer = useKey(page, OverlayState.VIEWER, (s) => s.viewer());
  const own = sameHandle(viewer, target.post.author);
  return (
    <EndorseControl
      count={post?.count ?? 0}
      mine={post?.mine ?? false}
      ownPost={own}
      error={errorText(browserT, post?.refused) || null}
      panel={() => {
        // A new secret for every opening: the framed panel proves itself with it.
        const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
        const params = new URLSearchParams({ s: ref.site, t: ref.threadId, p: ref.postId, a: target.post.author, v: viewer ?? '', own: own ? '1' : '0', theme: host.dataset.theme ?? 'light', pl: host.dataset.platform ?? '', h: host.dataset.host ?? '', n: nonce });
        return { src: `${browser.runtime.getURL('/panel.html')}#${params}`, origin: new URL(browser.runtime.getURL('/')).origin, nonce };
      }}
    />
  );
}

function ThreadOverlay({ target, page, host }: { target: ThreadTarget; page: PageContext; host: HTMLElement }) {
  const ref: ThreadRef = { site: page.site, threadId: target.thread.threadId };
  const key = threadKey(ref);
  const view = useKey(page, key, (s) => s.thread(key));
  const now = useNow();
  const { busy, error, run } = useAction(page, host);
  return (
    <ClaimControl
      state={view?.state ?? 'unclaimed'}
      claim={view?.claim ?? null}
      now={now}
      busy={busy || !view}
      pending={busy}
      error={error || errorText(browserT, view?.refused) || null}
      onAction={(action, e) => {
        const epoch = view?.epoch ?? 0;
        void run(e, browserT(action === 'claim' ? 'ov_claim' : action === 'resolve' ? 'ov_done' : `ov_${action}`), () =>
          action === 'claim' ? request({ type: 'thread.claim', thread: ref }) : request({ type: `thread.${action}` as `thread.renew`, thread: ref, epoch }),
        );
      }}
    />
  );
}

function RowOverlay({ target, page }: { target: ThreadTarget; page: PageContext }) {
  const key = threadKey({ site: page.site, threadId: target.thread.threadId });
  const view = useKey(page, key, (s) => s.thread(key));
  return <StateChip state={view?.state ?? 'unknown'} holderName={view?.claim?.holderName ?? null} mine={view?.claim?.mine ?? false} />;
}
