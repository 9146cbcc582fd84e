// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_TAG, startEngine, type EngineOptions, type OverlayHandle } from '../../../lib/overlay/engine';
import type { OverlayTarget, SiteAdapter } from '../../../lib/sites';

/** A stub adapter: every `.post[data-n]` is a target, the overlay goes at its end. */
const adapter: SiteAdapter = {
  platform: 'custom',
  detect: () => true,
  read: (doc) => {
    const targets = [...doc.querySelectorAll<HTMLElement>('.post[data-n]')].map(
      (el): OverlayTarget => ({ kind: 'post', element: el, anchor: el, placement: 'beforeend', post: { threadId: '1', postId: el.dataset.n!, author: 'a', url: 'https://x.test/1' } }),
    );
    return { viewer: null, threads: [], posts: targets.map((t) => (t.kind === 'post' ? t.post : null!)), targets };
  },
  observeRoot: () => null,
};

const SITE = 'https://x.test';
let controller: AbortController;
afterEach(() => {
  controller?.abort();
  document.body.innerHTML = '';
});

function setup(n: number, sliceMs?: number, near: Partial<EngineOptions> = { nearMargin: null }, html?: string) {
  document.body.innerHTML = html ?? Array.from({ length: n }, (_, i) => `<div class="post" data-n="${i + 1}"></div>`).join('');
  controller = new AbortController();
  const mounts: string[] = [];
  const destroyed: string[] = [];
  const engine = startEngine({
    doc: document,
    adapter,
    site: SITE,
    shadowMode: 'open',
    instance: 'me',
    signal: controller.signal,
    batchMs: 1,
    ...(sliceMs !== undefined ? { sliceMs } : {}),
    ...near,
    mount: (target, root): OverlayHandle => {
      const id = target.kind === 'post' ? target.post.postId : '';
      mounts.push(id);
      root.append(document.createTextNode(`overlay ${id}`));
      return { destroy: () => destroyed.push(id) };
    },
  });
  return { engine, mounts, destroyed };
}

const hosts = () => document.querySelectorAll(HOST_TAG).length;
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('overlay engine', () => {
  it('mounts one overlay per target in a shadow root and never twice', async () => {
    const { engine, mounts } = setup(5);
    await engine.idle();
    expect(hosts()).toBe(5);
    expect(document.querySelector(HOST_TAG)!.shadowRoot!.textContent).toBe('overlay 1');
    // Unrelated mutations trigger passes that change nothing.
    document.body.append(document.createElement('p'));
    engine.rescan();
    await settle();
    await engine.idle();
    expect(mounts).toEqual(['1', '2', '3', '4', '5']);
    expect(hosts()).toBe(5);
  });

  it('follows targets that appear, disappear and re-render', async () => {
    const { engine, mounts, destroyed } = setup(3);
    await engine.idle();
    document.querySelector('[data-n="2"]')!.remove();
    const added = document.createElement('div');
    added.className = 'post';
    added.dataset.n = '4';
    document.body.append(added);
    // Post 3 is re-rendered: same key, new element.
    const old3 = document.querySelector('[data-n="3"]')!;
    const new3 = document.createElement('div');
    new3.className = 'post';
    new3.dataset.n = '3';
    old3.replaceWith(new3);
    await settle();
    await engine.idle();
    expect(destroyed.sort()).toEqual(['2', '3']);
    expect(mounts.sort()).toEqual(['1', '2', '3', '3', '4']);
    expect(hosts()).toBe(3);
    expect(new3.querySelector(HOST_TAG)).not.toBeNull();
  });

  it('puts hosts in during the pass, before the frame is drawn, while its budget lasts, and the rest in slices', async () => {
    // The tasks hosts go in, told apart by a microtask (it runs as each task ends); each host costs 1 ms.
    let tasks = 0;
    let inTask = false;
    const prepare = () => {
      const until = performance.now() + 1;
      while (performance.now() < until);
      if (inTask) return;
      inTask = true;
      tasks++;
      queueMicrotask(() => (inTask = false));
    };
    let inFrame: number | null = null;
    const frame = window.requestAnimationFrame;
    window.requestAnimationFrame = (cb) =>
      frame((t) => {
        cb(t);
        inFrame ??= hosts();
      });
    try {
      const { engine, mounts } = setup(200, 0, { nearMargin: null, prepare, frameMs: 50 });
      // The first read is not part of starting.
      expect(hosts()).toBe(0);
      await engine.idle();
      expect(inFrame).toBeGreaterThanOrEqual(2);
      expect(inFrame).toBeLessThan(60);
      // With a zero budget every later step is its own slice, each in a task of its own.
      expect(tasks).toBe(1 + 200 - inFrame!);
      expect(mounts).toHaveLength(200);
      expect(hosts()).toBe(200);
    } finally {
      window.requestAnimationFrame = frame;
    }
  });

  it('while the page is parsed, places closed posts frame by frame and reads the whole page once parsing ends', async () => {
    let state: DocumentReadyState = 'loading';
    Object.defineProperty(document, 'readyState', { configurable: true, get: () => state });
    try {
      const reads: number[] = [];
      const { engine } = setup(0, undefined, { nearMargin: null, onRead: (read) => reads.push(read?.targets.length ?? -1) }, '<div class="post" data-n="1"></div><div class="post" data-n="2"></div><div class="post" data-n="3"><p>still coming</p></div>');
      const placed = () => [...document.querySelectorAll(`${HOST_TAG}`)].map((h) => (h.parentElement as HTMLElement).dataset.n);
      await settle();
      // Post 3 is where the parser is: not yet.
      expect(placed()).toEqual(['1', '2']);
      expect(reads).toEqual([]);
      // The parser closes it and opens post 4; nothing below the window yet, so the next frame looks again.
      document.body.insertAdjacentHTML('beforeend', '<div class="post" data-n="4"><p>still coming</p></div>');
      await settle();
      expect(placed()).toEqual(['1', '2', '3']);
      expect(reads).toEqual([]);
      state = 'interactive';
      document.dispatchEvent(new Event('DOMContentLoaded'));
      await settle();
      await engine.idle();
      expect(placed()).toEqual(['1', '2', '3', '4']);
      expect(reads).toEqual([4]);
    } finally {
      delete (document as unknown as Record<string, unknown>).readyState;
    }
  });

  it('removes overlays left by another instance and cleans up everything on abort', async () => {
    document.body.innerHTML = `<div class="post" data-n="1"><${HOST_TAG} data-tend-instance="old"></${HOST_TAG}></div>`;
    controller = new AbortController();
    const destroyed: string[] = [];
    const engine = startEngine({ doc: document, adapter, site: SITE, shadowMode: 'open', instance: 'new', signal: controller.signal, batchMs: 1, nearMargin: null, mount: () => ({ destroy: () => destroyed.push('x') }) });
    await engine.idle();
    expect([...document.querySelectorAll<HTMLElement>(HOST_TAG)].map((h) => h.dataset.tendInstance)).toEqual(['new']);
    controller.abort();
    expect(hosts()).toBe(0);
    expect(destroyed).toEqual(['x']);
  });

  it('survives an adapter that throws', async () => {
    controller = new AbortController();
    const broken = { ...adapter, targets: () => { throw new Error('odd markup'); } };
    const engine = startEngine({ doc: document, adapter: broken, site: SITE, shadowMode: 'open', instance: 'i', signal: controller.signal, mount: () => ({ destroy() {} }) });
    await engine.idle();
    expect(engine.size).toBe(0);
  });

  describe('where the reader is', () => {
    /** An IntersectionObserver the test drives: `show(n…)` brings those posts' hosts near, `hide` takes them away. */
    let observed: Set<Element>;
    let callback: IntersectionObserverCallback;
    let margin: string | undefined;
    const original = window.IntersectionObserver;
    beforeEach(() => {
      observed = new Set();
      (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver = class {
        constructor(cb: IntersectionObserverCallback, init?: IntersectionObserverInit) {
          callback = cb;
          margin = init?.rootMargin;
        }
        observe(el: Element) {
          observed.add(el);
        }
        unobserve(el: Element) {
          observed.delete(el);
        }
        disconnect() {
          observed.clear();
        }
      };
    });
    afterEach(() => {
      window.IntersectionObserver = original;
    });
    const hostOf = (n: number) => document.querySelector(`[data-n="${n}"] ${HOST_TAG}`)!;
    /** Reports hosts near or far, as a browser does for hosts it lays out (an empty host is 0 wide). */
    const tell = (near: boolean, ns: number[]) =>
      callback(ns.map((n) => ({ target: hostOf(n), isIntersecting: near, boundingClientRect: new DOMRect(0, 0, near ? 90 : 0, 24) }) as IntersectionObserverEntry), null as never);
    /**
     * The first report on each host, as Chromium gives it: not near, and with no box at all for a
     * host the page does not draw (here, one inside a closed <details>: replies to a collapsed
     * comment) or skips while it is far (`content-visibility: auto`).
     */
    const firstReport = () =>
      callback(
        [...observed].map((h) => ({ target: h, isIntersecting: false, boundingClientRect: new DOMRect(0, 0, 0, h.closest('details:not([open]), .skipped') ? 0 : 24) }) as IntersectionObserverEntry),
        null as never,
      );
    // Chromium's answer for a host in a closed <details> (the test DOM has no layout to know it).
    const checkVisibility = Element.prototype.checkVisibility;
    beforeEach(() => {
      Element.prototype.checkVisibility = function (this: Element) {
        return !this.closest('details:not([open])') && checkVisibility.call(this);
      };
    });
    afterEach(() => {
      Element.prototype.checkVisibility = checkVisibility;
    });

    it('holds every post’s place at once and renders controls only near the window', async () => {
      const { engine, mounts } = setup(50, undefined, {});
      await engine.idle();
      expect(margin).toBe('200% 0px');
      expect(hosts()).toBe(50);
      expect(observed.size).toBe(50);
      expect(mounts).toEqual([]);
      tell(true, [1, 2, 3]);
      await engine.idle();
      expect(mounts).toEqual(['1', '2', '3']);
      expect(hostOf(2).shadowRoot!.textContent).toBe('overlay 2');
      expect(hostOf(4).shadowRoot!.textContent).toBe('');
      expect(engine.size).toBe(3);
    });

    it('takes far controls down on long pages, keeps their hosts, and brings them back', async () => {
      const { engine, mounts, destroyed } = setup(50, undefined, { longPage: 40 });
      await engine.idle();
      tell(true, [1, 2, 3]);
      await engine.idle();
      // Scrolling on: 1 and 2 go far, 4 and 5 come near.
      tell(false, [1, 2]);
      tell(true, [4, 5]);
      await engine.idle();
      expect(destroyed).toEqual(['1', '2']);
      expect(engine.size).toBe(3);
      expect(hosts()).toBe(50);
      expect(hostOf(1).isConnected).toBe(true);
      // Back up: they render again, into the same hosts.
      const host1 = hostOf(1);
      tell(true, [1]);
      await engine.idle();
      expect(hostOf(1)).toBe(host1);
      expect(mounts).toEqual(['1', '2', '3', '4', '5', '1']);
      tell(false, [5]);
      await engine.idle();
      expect(destroyed).toEqual(['1', '2', '5']);
    });

    it('on short pages, controls that go far stay', async () => {
      const { engine, destroyed } = setup(10, undefined, { longPage: 40 });
      await engine.idle();
      tell(true, [1, 2]);
      await engine.idle();
      tell(false, [1]);
      await engine.idle();
      expect(destroyed).toEqual([]);
      expect(engine.size).toBe(2);
    });

    it('renders at once the controls of posts the observer cannot place, which it never reports near', async () => {
      const { engine, mounts, destroyed } = setup(6, undefined, { longPage: 3 });
      // Posts 4 and 5 are replies inside a collapsed comment.
      const details = document.createElement('details');
      details.append(document.querySelector('[data-n="4"]')!, document.querySelector('[data-n="5"]')!);
      document.body.append(details);
      await engine.idle();
      expect(observed.size).toBe(6);
      firstReport();
      await engine.idle();
      expect(mounts).toEqual(['4', '5']);
      expect(hostOf(4).shadowRoot!.textContent).toBe('overlay 4');
      // Opened and scrolled past like any other post, they go far, and are taken down on a long page.
      details.open = true;
      tell(true, [1, 4]);
      tell(false, [4]);
      await engine.idle();
      expect(destroyed).toEqual(['4']);
      expect(engine.size).toBe(2);
    });

    it('waits for posts the browser skips only while they are far (content-visibility: auto) to come near', async () => {
      const { engine, mounts } = setup(4, undefined, {});
      const section = document.createElement('section');
      section.className = 'skipped';
      section.append(document.querySelector('[data-n="3"]')!);
      document.body.append(section);
      await engine.idle();
      firstReport();
      await engine.idle();
      expect(mounts).toEqual([]);
      tell(true, [3]);
      await engine.idle();
      expect(mounts).toEqual(['3']);
    });

    it('a post that leaves before its controls render never renders', async () => {
      const { engine, mounts } = setup(10, undefined, {});
      await engine.idle();
      tell(true, [1, 2]);
      tell(false, [2]);
      await engine.idle();
      expect(mounts).toEqual(['1']);
    });
  });
});
