// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_TAG, startEngine, type OverlayHandle } from '../../../lib/overlay/engine';
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

function setup(n: number, sliceMs?: number) {
  document.body.innerHTML = Array.from({ length: n }, (_, i) => `<div class="post" data-n="${i + 1}"></div>`).join('');
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

  it('mounts many targets in slices, yielding between them', async () => {
    const { engine, mounts } = setup(200, 0);
    // With a zero budget every mount is its own slice: the first pass mounts one.
    expect(mounts).toHaveLength(1);
    await engine.idle();
    expect(mounts).toHaveLength(200);
    expect(hosts()).toBe(200);
  });

  it('removes overlays left by another instance and cleans up everything on abort', async () => {
    document.body.innerHTML = `<div class="post" data-n="1"><${HOST_TAG} data-tend-instance="old"></${HOST_TAG}></div>`;
    controller = new AbortController();
    const destroyed: string[] = [];
    const engine = startEngine({ doc: document, adapter, site: SITE, shadowMode: 'open', instance: 'new', signal: controller.signal, batchMs: 1, mount: () => ({ destroy: () => destroyed.push('x') }) });
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
});
