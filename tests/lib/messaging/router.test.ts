import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createHandler, route, snapshot, SEEN_AS_KEY, SubscriptionHub, type PortLike, type SenderLike } from '../../../lib/messaging';
import { TendStore, type Changes } from '../../../lib/store';

const env = { runtimeId: 'tend-id', extensionBase: 'chrome-extension://tend-id/' };
const SITE = 'https://meta.discourse.org';
const post = { site: SITE, threadId: '12483', postId: '2' };
const thread = { site: SITE, threadId: '12483' };
const contentSender: SenderLike = { id: 'tend-id', url: `${SITE}/t/x/12483`, origin: SITE, tab: { id: 7 }, frameId: 0 };
const pageSender: SenderLike = { id: 'tend-id', url: 'chrome-extension://tend-id/popup.html' };

let n = 0;
async function setup() {
  const store = await TendStore.open({ name: `tend-msg-${++n}` });
  await store.me();
  const changes: Changes[] = [];
  const handle = createHandler({ store, notify: (c) => changes.push(c), version: '1.0.0' });
  const send = (request: unknown, sender: SenderLike | null = contentSender) => route({ tend: 1, request }, sender ?? undefined, env, handle);
  return { store, send, changes };
}

describe('background boundary', () => {
  it('accepts a valid endorsement from a page on the same site and answers with the new state', async () => {
    const { store, send, changes } = await setup();
    const r = await send({ type: 'post.endorse', post, author: 'sam', viewer: 'me', note: '  Saved my day  ' });
    expect(r).toMatchObject({ ok: true, value: { posts: { [`${SITE} 12483 2`]: { count: 1, mine: true, endorsements: [{ note: 'Saved my day' }] } } } });
    expect(changes).toHaveLength(1);
    expect(await store.opCount()).toBe(1);
  });

  it('accepts aliases of the sender’s site (old.reddit.com acts on www.reddit.com refs)', async () => {
    const { send } = await setup();
    const sender = { ...contentSender, url: 'https://old.reddit.com/r/x/comments/abc', origin: 'https://old.reddit.com' };
    const r = await send({ type: 'thread.claim', thread: { site: 'https://www.reddit.com', threadId: 't3_abc' } }, sender);
    expect(r.ok).toBe(true);
  });

  const refusals: [string, unknown, SenderLike | null, RegExp][] = [
    ['another site’s refs', { type: 'post.endorse', post: { ...post, site: 'https://github.com' }, author: 'sam', viewer: null }, contentSender, /cannot act on https:\/\/github.com/],
    ['a nested foreign ref in a list', { type: 'state.get', posts: [post, { ...post, site: 'https://evil.test' }], threads: [] }, contentSender, /cannot act on/],
    ['a wrong shape', { type: 'thread.renew', thread, epoch: 'one' }, contentSender, /invalid thread.renew: epoch/],
    ['an unknown field', { type: 'thread.claim', thread, actor: 'someone-else' }, contentSender, /invalid thread.claim/],
    ['an unknown type', { type: 'db.drop' }, contentSender, /unknown request type/],
    ['an oversized note', { type: 'post.endorse', post, author: 'sam', viewer: null, note: 'x'.repeat(281) }, contentSender, /longer than 280/],
    ['a page-only request from a content script', { type: 'me.setName', name: 'Mallory' }, contentSender, /only for Tend’s own pages/],
    ['another extension', { type: 'thread.claim', thread }, { ...contentSender, id: 'other-extension' }, /another extension/],
    ['no sender at all', { type: 'thread.claim', thread }, null, /another extension/],
    ['a content request without a tab', { type: 'thread.claim', thread }, { id: 'tend-id', url: `${SITE}/t/x/1` }, /from a tab/],
    ['a sender on a non-web origin', { type: 'thread.claim', thread }, { id: 'tend-id', url: 'file:///tmp/x.html', origin: 'file://', tab: { id: 1 } }, /does not run on/],
    ['a self-endorsement', { type: 'post.endorse', post, author: 'Sam', viewer: 'sam' }, contentSender, /own post/],
    ['a huge request', { type: 'state.get', posts: Array.from({ length: 20_000 }, () => post), threads: [] }, contentSender, /too large|too many/],
  ];
  for (const [what, request, sender, reason] of refusals) {
    it(`refuses ${what} with a reason and writes nothing`, async () => {
      const { store, send, changes } = await setup();
      const r = await send(request, sender);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(reason);
      expect(await store.opCount()).toBe(0);
      expect(changes).toHaveLength(0);
    });
  }

  it('ignores messages that are not Tend’s', async () => {
    const { store } = await setup();
    const handle = createHandler({ store, notify: () => undefined, version: '1' });
    expect(await route({ hello: 1 }, contentSender, env, handle)).toMatchObject({ ok: false, code: 'bad-envelope' });
    expect(await route('x', contentSender, env, handle)).toMatchObject({ ok: false, code: 'bad-envelope' });
  });

  it('lets extension pages, recognised by URL, use page requests', async () => {
    const { send } = await setup();
    expect(await send({ type: 'me.setName', name: 'Ada' }, pageSender)).toMatchObject({ ok: true, value: { name: 'Ada' } });
    expect(await send({ type: 'me.get' }, pageSender)).toMatchObject({ ok: true, value: { name: 'Ada', paused: false, team: false } });
    // A web page that merely claims an extension-like URL is not one.
    expect(await send({ type: 'me.get' }, { ...contentSender, url: 'https://chrome-extension.evil/' })).toMatchObject({ ok: false });
  });

  it('observes only changed fields, links the viewer’s handle, and records nothing in private windows or while paused', async () => {
    const { store, send } = await setup();
    const seen = { type: 'page.seen', site: SITE, viewer: 'me_on_meta', threads: [{ threadId: '12483', title: 'Onebox', replies: 1 }] };
    expect(await send(seen, { ...contentSender, tab: { id: 1, incognito: true } })).toMatchObject({ ok: true, value: { observed: 0 } });
    expect(await store.opCount()).toBe(0);
    expect(await send(seen)).toMatchObject({ ok: true, value: { observed: 1 } });
    expect(await store.opCount()).toBe(2); // the observation and the handle link
    expect(await send(seen)).toMatchObject({ ok: true, value: { observed: 0 } });
    expect(await store.opCount()).toBe(2);
    // The linked handle now refuses self-endorsement even when a page does not report the viewer.
    expect(await send({ type: 'post.endorse', post, author: 'ME_ON_META', viewer: null })).toMatchObject({ ok: false, error: /own post/ });
    await send({ type: 'settings.setPaused', paused: true }, pageSender);
    expect(await send({ ...seen, threads: [{ threadId: '12483', title: 'Onebox', replies: 2 }] })).toMatchObject({ ok: true, value: { observed: 0 } });
    expect(await store.opCount()).toBe(2);
  });

  it('remembers which software a site runs only from pages in normal windows', async () => {
    const { store, send } = await setup();
    const seen = { type: 'page.seen', site: SITE, viewer: null, platform: 'discourse', threads: [] };
    expect(await send(seen, { ...contentSender, tab: { id: 1, incognito: true } })).toMatchObject({ ok: true });
    expect(await store.getMeta(SEEN_AS_KEY)).toBeUndefined();
    expect(await send(seen)).toMatchObject({ ok: true });
    expect(await store.getMeta(SEEN_AS_KEY)).toEqual({ [SITE]: 'discourse' });
  });

  it('shows in place why the team server refused my action, for a while', async () => {
    const { store, send } = await setup();
    await store.setMeta('team', { server: 'https://tend.example.org', teamId: 't', memberId: 'me', token: 'x' });
    await send({ type: 'thread.claim', thread });
    const [queued] = await store.outbox();
    await store.reject(queued!.op.id, 'Sam claimed this first', Date.now(), { code: 'claim-held', detail: 'Sam' });
    const r = await send({ type: 'state.get', posts: [], threads: [thread] });
    expect(r).toMatchObject({ ok: true, value: { threads: { [`${SITE} 12483`]: { state: 'unclaimed', refused: { error: 'Sam claimed this first', code: 'claim-held', detail: 'Sam' } } } } });
    // Other threads are not concerned.
    const other = await send({ type: 'state.get', posts: [], threads: [{ site: SITE, threadId: '1' }] });
    expect(other).toMatchObject({ ok: true, value: { threads: { [`${SITE} 1`]: { refused: null } } } });
  });

  it('runs a claim through claim, renew and release with epochs', async () => {
    const { send } = await setup();
    const claimed = await send({ type: 'thread.claim', thread });
    expect(claimed).toMatchObject({ ok: true, value: { threads: { [`${SITE} 12483`]: { state: 'claimed', epoch: 1, claim: { mine: true } } } } });
    expect(await send({ type: 'thread.renew', thread, epoch: 0 })).toMatchObject({ ok: false, error: /changed since/ });
    expect(await send({ type: 'thread.release', thread, epoch: 1 })).toMatchObject({ ok: true, value: { threads: { [`${SITE} 12483`]: { state: 'unclaimed', claim: null } } } });
  });
});

class FakePort implements PortLike {
  name = 'tend.subscribe';
  received: unknown[] = [];
  private onMsg: ((m: unknown) => void)[] = [];
  private onDisc: (() => void)[] = [];
  constructor(public sender: SenderLike) {}
  postMessage(m: unknown) {
    this.received.push(m);
  }
  onMessage = { addListener: (fn: (m: unknown) => void) => void this.onMsg.push(fn) };
  onDisconnect = { addListener: (fn: () => void) => void this.onDisc.push(fn) };
  send(m: unknown) {
    for (const fn of this.onMsg) fn(m);
  }
  closedByHub = false;
  disconnect() {
    this.closedByHub = true;
    for (const fn of this.onDisc) fn();
  }
}

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('subscriptions', () => {
  it('pushes each change to the tabs watching it and tells extension pages', async () => {
    const { store, send } = await setup();
    const hub = new SubscriptionHub((posts, threads) => snapshot(store, posts, threads, Date.now()), env);
    const watcher = new FakePort(contentSender);
    const other = new FakePort(contentSender);
    const popup = new FakePort(pageSender);
    for (const p of [watcher, other, popup]) hub.connect(p);
    watcher.send({ type: 'watch', posts: [post], threads: [thread] });
    other.send({ type: 'watch', posts: [{ ...post, postId: '9' }], threads: [] });
    popup.send({ type: 'watch', posts: [], threads: [], mine: true });
    // Waits for what must arrive (a loaded machine is slow), not for a fixed time.
    await vi.waitFor(() => expect(watcher.received).toHaveLength(1), { timeout: 5_000 }); // the initial state
    await vi.waitFor(() => expect(other.received).toHaveLength(1), { timeout: 5_000 });
    const handle = createHandler({ store, notify: (c) => void hub.notify(c), version: '1' });
    await route({ tend: 1, request: { type: 'thread.claim', thread } }, contentSender, env, handle);
    await vi.waitFor(() => expect(watcher.received.at(-1)).toMatchObject({ type: 'state', state: { threads: { [`${SITE} 12483`]: { state: 'claimed' } } } }), { timeout: 5_000 });
    await vi.waitFor(() => expect(popup.received).toEqual([{ type: 'changed', mine: true }]), { timeout: 5_000 });
    await flush();
    expect(other.received).toHaveLength(1);
    watcher.disconnect();
    expect(hub.size).toBe(2);
    void send;
  });

  it('refuses a watch on another site’s keys and a port from a stranger', async () => {
    const { store } = await setup();
    const hub = new SubscriptionHub((posts, threads) => snapshot(store, posts, threads, Date.now()), env);
    const port = new FakePort(contentSender);
    hub.connect(port);
    port.send({ type: 'watch', posts: [{ ...post, site: 'https://github.com' }], threads: [] });
    port.send({ type: 'watch', posts: 'all' });
    await flush();
    expect(port.received).toMatchObject([{ type: 'error', error: /cannot watch/ }, { type: 'error', error: /invalid watch/ }]);
    const stranger = new FakePort({ id: 'other' });
    hub.connect(stranger);
    expect(stranger.received).toMatchObject([{ type: 'error' }]);
    expect(stranger.closedByHub).toBe(true);
    expect(hub.size).toBe(1);
  });
});
