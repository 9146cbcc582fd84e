/**
 * The background worker through real runtime messaging in real Chromium (the test build):
 * requests from an extension page and from a content-script context, malformed and forged
 * requests refused with nothing written, a stopped worker restarting with its data, a live
 * subscription surviving the stop, and a full disk answered clearly with nothing lost.
 *
 * One browser for most of the file. The full-disk tests get their own, on a fresh profile,
 * with the quota override set before the extension is even loaded (see
 * `launchExtensionWithQuota`), since Chromium enforces a lowered quota only ~30 s late.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  installSubscriber,
  launchExtension,
  launchExtensionWithQuota,
  openExtensionPage,
  openQuietExtensionPage,
  sendFromContent,
  sendFromPage,
  sendRaw,
  serveFixtures,
  serviceWorkerStatus,
  stopServiceWorker,
  storeCounts,
  subscriberState,
  watchFromContent,
  type FixtureServer,
  type LaunchedExtension,
  type QuotaLaunchedExtension,
  type TendReply,
} from './helpers';

const e2e = inject('tendE2E');

const META = 'https://meta.discourse.org';
type ThreadRef = { site: string; threadId: string };
type PostRef = ThreadRef & { postId: string };
const thread = (threadId: string, site = META): ThreadRef => ({ site, threadId });
const post = (threadId: string, postId: string, site = META): PostRef => ({ site, threadId, postId });
/** The key replies are indexed by (`threadKey` / `postKey` in lib/domain). */
const key = (ref: ThreadRef | PostRef) => ('postId' in ref ? `${ref.site} ${ref.threadId} ${ref.postId}` : `${ref.site} ${ref.threadId}`);

/** The parts of the replies (lib/messaging/protocol.ts) these tests read. */
interface ThreadView {
  key: string;
  state: string;
  epoch: number;
  claim: null | { holder: string; mine: boolean; epoch: number; pending: boolean };
}
interface PostView {
  count: number;
  mine: boolean;
  endorsements: { actor: string; note: string | null; mine: boolean }[];
}
interface Snapshot {
  posts: Record<string, PostView>;
  threads: Record<string, ThreadView>;
}

/** Unwraps a successful reply, failing with the background's reason otherwise. */
function value<T>(reply: TendReply<T>): T {
  if (!reply.ok) throw new Error(`request failed: ${reply.error} (${reply.code ?? 'no code'})`);
  return reply.value;
}

const endorse = (p: PostRef, note?: string) => ({ type: 'post.endorse', post: p, author: 'someone-else', viewer: null, ...(note === undefined ? {} : { note }) });

describe.skipIf(!e2e.chromium)('background worker, through real runtime messaging', () => {
  let ext: LaunchedExtension;
  let server: FixtureServer;
  /** An extension page (the popup opened as a tab): may send page and content requests. */
  let page: Page;
  /** A web page on a test host, whose isolated world plays the content script. */
  let forum: Page;
  let forumUrl: string;
  let forumSite: string;

  const send = <T = unknown>(request: unknown) => sendFromPage<T>(page, request);
  const stateOf = async (posts: PostRef[], threads: ThreadRef[]) => value(await send<Snapshot>({ type: 'state.get', posts, threads }));

  beforeAll(async () => {
    server = await serveFixtures({ routes: { '/t/1': '<!doctype html><title>A forum thread</title><h1>A forum thread</h1>' } });
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: ['forum.example.test'] });
    page = await openExtensionPage(ext, 'popup.html');
    forum = await ext.context.newPage();
    forumUrl = server.url('/t/1', 'forum.example.test');
    forumSite = server.origin('forum.example.test');
    await forum.goto(forumUrl);
  });

  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  it('answers app.ping with the manifest version and me.get with my id', async () => {
    const manifest = JSON.parse(readFileSync(path.join(e2e.testBuild, 'manifest.json'), 'utf8')) as { version: string };
    expect(await send({ type: 'app.ping' })).toEqual({ ok: true, value: { version: manifest.version } });

    const me = value(await send<{ id: string; name: string; paused: boolean; team: boolean }>({ type: 'me.get' }));
    expect(me.id).toMatch(/^[a-z0-9]{16}$/);
    expect(me).toMatchObject({ paused: false, team: false });
    // The identity is made once and kept.
    expect(value(await send<{ id: string }>({ type: 'me.get' })).id).toBe(me.id);
  });

  it('claims and releases a thread from an extension page, fenced by the epoch', async () => {
    const t = thread('12483');
    const claimed = value(await send<Snapshot>({ type: 'thread.claim', thread: t }));
    expect(claimed.threads[key(t)]).toMatchObject({ key: key(t), state: 'claimed', epoch: 1, claim: { mine: true, epoch: 1, pending: false } });

    // Claiming again what I hold extends the lease under the same epoch…
    const again = value(await send<Snapshot>({ type: 'thread.claim', thread: t }));
    expect(again.threads[key(t)]).toMatchObject({ state: 'claimed', epoch: 1, claim: { mine: true, epoch: 1 } });
    // …and a release carrying another epoch is refused, with a reason.
    for (const epoch of [0, 2]) {
      const stale = await send({ type: 'thread.release', thread: t, epoch });
      expect(stale, `epoch ${epoch}`).toEqual({ ok: false, code: 'claim-changed', error: 'this claim changed since you last saw it' });
    }
    expect((await stateOf([], [t])).threads[key(t)]).toMatchObject({ state: 'claimed', epoch: 1 });

    const released = value(await send<Snapshot>({ type: 'thread.release', thread: t, epoch: 1 }));
    expect(released.threads[key(t)]).toMatchObject({ state: 'unclaimed', claim: null });
  });

  it('answers a content script about its own site, and keeps page-only requests from it', async () => {
    const t = thread('c1', forumSite);
    const claimed = value(await sendFromContent<Snapshot>(page, forumUrl, { type: 'thread.claim', thread: t }));
    expect(claimed.threads[key(t)]).toMatchObject({ state: 'claimed', epoch: 1, claim: { mine: true } });

    const seen = value(
      await sendFromContent<Snapshot & { observed: number }>(page, forumUrl, {
        type: 'page.seen',
        site: forumSite,
        viewer: null,
        threads: [{ threadId: 'c2', title: 'How do I run the tests?', replies: 3 }],
      }),
    );
    expect(seen.observed).toBe(1);

    // The page sees what the content script did.
    expect((await stateOf([], [t])).threads[key(t)]).toMatchObject({ state: 'claimed', claim: { mine: true } });

    for (const type of ['app.ping', 'me.get']) {
      const reply = await sendFromContent(page, forumUrl, { type });
      expect(reply, type).toMatchObject({ ok: false, code: 'forbidden', error: `${type} is only for Tend’s own pages` });
    }

    const push = await watchFromContent(page, forumUrl, { posts: [], threads: [t] });
    expect(push).toMatchObject({ type: 'state', state: { threads: { [key(t)]: { state: 'claimed' } } } });
  });

  it('refuses malformed requests with a reason, and writes nothing', async () => {
    const t = thread('malformed-1');
    const before = await storeCounts(page);
    const cases: [string, unknown, RegExp][] = [
      ['unknown type', { type: 'db.drop' }, /^unknown request type: db\.drop$/],
      ['no type', { thread: t }, /^unknown request type: undefined$/],
      ['not an object', 'thread.claim', /^unknown request type/],
      ['missing field', { type: 'thread.claim' }, /^invalid thread\.claim: /],
      ['site not an origin', { type: 'thread.claim', thread: { site: 'meta.discourse.org', threadId: '1' } }, /^invalid thread\.claim: .*site must be an origin/],
      ['id with spaces', { type: 'thread.claim', thread: { site: META, threadId: '1 2' } }, /^invalid thread\.claim: /],
      // Strict schemas: a forged actor (or any unknown field) is refused, not ignored.
      ['unknown field', { type: 'thread.claim', thread: t, actor: 'someone-else' }, /^invalid thread\.claim: /],
      ['epoch as text', { type: 'thread.release', thread: t, epoch: '1' }, /^invalid thread\.release: /],
      ['negative epoch', { type: 'thread.release', thread: t, epoch: -1 }, /^invalid thread\.release: /],
      ['281-character note', endorse(post('malformed-1', '1'), 'n'.repeat(281)), /note is longer than 280 characters/],
      ['oversized request', endorse(post('malformed-1', '1'), 'n'.repeat(1_000_001)), /^request is too large$/],
    ];
    for (const [name, request, reason] of cases) {
      const reply = await send(request);
      expect(reply, name).toMatchObject({ ok: false, code: 'invalid' });
      expect((reply as { error: string }).error, name).toMatch(reason);
    }

    // Messages outside Tend's envelope are not Tend's to answer: nothing replies, nothing is written.
    for (const message of [{ request: { type: 'thread.claim', thread: t } }, { tend: 2, request: { type: 'thread.claim', thread: t } }, 'thread.claim']) {
      expect(await sendRaw(page, message), JSON.stringify(message)).toBeUndefined();
    }

    expect(await storeCounts(page)).toEqual(before);
    expect((await stateOf([post('malformed-1', '1')], [t])).threads[key(t)]).toMatchObject({ state: 'unclaimed', claim: null });

    // The limit itself is fine: a 280-character note is stored, whitespace trimmed.
    const ok = value(await send<Snapshot>(endorse(post('malformed-1', '1'), ` ${'n'.repeat(280)} `)));
    expect(ok.posts[key(post('malformed-1', '1'))]?.endorsements[0]?.note).toBe('n'.repeat(280));
    expect((await storeCounts(page)).ops).toBe(before.ops! + 1);
  });

  it('refuses forged content requests naming another site, and writes nothing', async () => {
    const before = await storeCounts(page);
    const forged: [string, unknown][] = [
      ['claim elsewhere', { type: 'thread.claim', thread: thread('12483') }],
      ['endorse elsewhere', endorse(post('12483', '1'))],
      ['retract elsewhere', { type: 'post.retract', post: post('12483', '1') }],
      ['observe elsewhere', { type: 'page.seen', site: META, viewer: 'me', threads: [{ threadId: '12483', title: 'x' }] }],
      ['read elsewhere', { type: 'state.get', posts: [], threads: [thread('1', forumSite), thread('12483')] }],
      ['hand off elsewhere', { type: 'thread.handoff', thread: thread('12483'), epoch: 1, to: 'someone' }],
    ];
    for (const [name, request] of forged) {
      const reply = await sendFromContent(page, forumUrl, request);
      expect(reply, name).toEqual({ ok: false, code: 'forbidden', error: `a page on ${forumSite} cannot act on ${META}`, detail: `a page on ${forumSite} cannot act on ${META}` });
    }
    for (const [name, request] of [
      ['rename me', { type: 'me.setName', name: 'Mallory' }],
      ['pause', { type: 'settings.setPaused', paused: true }],
      ['act on my claims', { type: 'claim.act', action: 'release', thread: thread('c1', forumSite), epoch: 1 }],
    ] as const) {
      expect(await sendFromContent(page, forumUrl, request), name).toMatchObject({ ok: false, code: 'forbidden' });
    }
    const push = await watchFromContent(page, forumUrl, { posts: [], threads: [thread('12483')] });
    expect(push).toEqual({ type: 'error', error: `a page on ${forumSite} cannot watch ${META}` });

    expect(await storeCounts(page)).toEqual(before);
    expect(value(await send<{ name: string; paused: boolean }>({ type: 'me.get' }))).toMatchObject({ name: '', paused: false });
    expect((await stateOf([], [thread('c1', forumSite)])).threads[key(thread('c1', forumSite))]).toMatchObject({ state: 'claimed', epoch: 1 });
  });

  /**
   * The worker tests talk from pages that run none of Tend's code: Tend's own pages keep a
   * live subscription that reconnects as soon as the worker stops, which would wake it before
   * the request under test could.
   */
  async function closeTendPages(): Promise<void> {
    for (const p of ext.context.pages()) if (p.url().startsWith(`${ext.origin}/`)) await p.close();
  }

  it('starts again on the next message after being stopped, with its data kept', async () => {
    await closeTendPages();
    const quiet = await openQuietExtensionPage(ext);
    const ask = <T = unknown>(request: unknown) => sendFromPage<T>(quiet, request);
    const t = thread('stop-1');
    const p = post('stop-1', '7');
    const me = value(await ask<{ id: string }>({ type: 'me.get' }));
    value(await ask({ type: 'thread.claim', thread: t }));
    value(await ask(endorse(p, 'Fixed my build')));
    const counts = await storeCounts(quiet);

    await stopServiceWorker(ext);
    expect(await serviceWorkerStatus(ext)).toBe('stopped');

    expect(await ask({ type: 'app.ping' })).toMatchObject({ ok: true, value: { version: expect.any(String) } });
    expect(await serviceWorkerStatus(ext)).toBe('running');
    expect(value(await ask<{ id: string }>({ type: 'me.get' })).id).toBe(me.id);
    const state = value(await ask<Snapshot>({ type: 'state.get', posts: [p], threads: [t] }));
    expect(state.threads[key(t)]).toMatchObject({ state: 'claimed', epoch: 1, claim: { mine: true, holder: me.id } });
    expect(state.posts[key(p)]).toMatchObject({ count: 1, mine: true, endorsements: [{ note: 'Fixed my build', actor: me.id }] });
    expect(await storeCounts(quiet)).toEqual(counts);

    // And it writes again: the fencing epoch read back from IndexedDB still releases the claim.
    const released = value(await ask<Snapshot>({ type: 'thread.release', thread: t, epoch: 1 }));
    expect(released.threads[key(t)]).toMatchObject({ state: 'unclaimed' });
    await quiet.close();
  });

  it('keeps a live subscription across a worker stop: the client reconnects and pushes resume', async () => {
    await closeTendPages();
    const t = thread('live-1');
    const watcher = await openQuietExtensionPage(ext);
    const other = await openQuietExtensionPage(ext);
    try {
      await installSubscriber(watcher, { posts: [], threads: [t] });
      // The watch is answered with the current state.
      await expect.poll(async () => (await subscriberState(watcher)).pushes.some((m) => m.conn === 1 && m.type === 'state')).toBe(true);

      await stopServiceWorker(ext);
      // The port dropped with the worker; the reconnect woke it and the watch was answered again.
      await expect
        .poll(async () => (await subscriberState(watcher)).pushes.some((m) => m.conn > 1 && m.type === 'state'), { timeout: 10_000 })
        .toBe(true);
      const { disconnects, connects } = await subscriberState(watcher);
      expect(disconnects).toBeGreaterThanOrEqual(1);
      expect(connects).toBeGreaterThanOrEqual(2);
      expect(await serviceWorkerStatus(ext)).toBe('running');

      // A change made from another page reaches the subscriber on its new port.
      value(await sendFromPage(other, { type: 'thread.claim', thread: t }));
      const claimedPush = (m: { type: string; [k: string]: unknown }) =>
        m.type === 'state' && (m.state as Snapshot).threads[key(t)]?.state === 'claimed' && (m.state as Snapshot).threads[key(t)]?.claim?.mine === true;
      await expect.poll(async () => (await subscriberState(watcher)).pushes.filter((m) => m.conn > 1).some(claimedPush)).toBe(true);
      const pushes = (await subscriberState(watcher)).pushes;
      expect(pushes.filter((m) => m.conn === 1).some(claimedPush)).toBe(false);
      expect(pushes.some((m) => m.conn > 1 && m.type === 'changed' && m.mine === true)).toBe(true);
      expect(pushes.filter((m) => m.type === 'error')).toEqual([]);
    } finally {
      await watcher.close();
      await other.close();
    }
  });
});

describe.skipIf(!e2e.chromium)('background worker on a full disk', () => {
  let ext: QuotaLaunchedExtension;
  let page: Page;

  const send = <T = unknown>(request: unknown) => sendFromPage<T>(page, request);

  // A quota raised or lifted applies at once (a write that does not fit makes Chromium look
  // again), so these tests only ever raise it: no room at all, then 100 kB more, then none.
  beforeAll(async () => {
    ext = await launchExtensionWithQuota({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, quotaSize: 1 });
    page = await openQuietExtensionPage(ext);
  });

  afterAll(async () => {
    await ext?.close();
  });

  it('answers the first request on a full disk clearly, and works as soon as there is room', async () => {
    expect(await send({ type: 'me.get' })).toMatchObject({ ok: false, code: 'quota', error: expect.stringMatching(/disk is full/) });
    // Still full: still the same clear answer.
    expect(await send({ type: 'me.get' })).toMatchObject({ ok: false, code: 'quota', error: expect.stringMatching(/disk is full/) });

    // Room for about 70 endorsements with long notes.
    await ext.setQuota((await ext.usage()).usage + 100_000);
    const me = value(await send<{ id: string }>({ type: 'me.get' }));
    expect(me.id).toMatch(/^[a-z0-9]{16}$/);
  });

  it('refuses the write that does not fit with a quota error, and keeps everything stored before', async () => {
    expect((await ext.usage()).overrideActive).toBe(true);
    const t = thread('quota-1');
    value(await send({ type: 'thread.claim', thread: t }));
    const note = 'q'.repeat(280);
    let stored = 0;
    let failure: TendReply | undefined;
    for (let i = 0; i < 500 && !failure; i++) {
      const reply = await send(endorse(post('quota-1', String(i)), note));
      if (reply.ok) stored++;
      else failure = reply;
    }
    expect(failure, `no write failed after ${stored} endorsements`).toBeDefined();
    expect(failure).toEqual({ ok: false, code: 'quota', error: expect.stringMatching(/disk is full/) });
    expect(stored).toBeGreaterThan(0);

    // The failed write left nothing behind (one transaction), and everything before reads back.
    const counts = await storeCounts(page);
    expect(counts).toMatchObject({ ops: 1 + stored, endorsements: stored, outbox: 0 });
    const first = post('quota-1', '0');
    const last = post('quota-1', String(stored - 1));
    const failed = post('quota-1', String(stored));
    const state = value(await send<Snapshot>({ type: 'state.get', posts: [first, last, failed], threads: [t] }));
    expect(state.threads[key(t)]).toMatchObject({ state: 'claimed', epoch: 1, claim: { mine: true } });
    expect(state.posts[key(first)]).toMatchObject({ count: 1, endorsements: [{ note }] });
    expect(state.posts[key(last)]).toMatchObject({ count: 1, endorsements: [{ note }] });
    expect(state.posts[key(failed)]).toMatchObject({ count: 0, endorsements: [] });

    // "Free some space and try again": the same write then succeeds.
    await ext.setQuota();
    const retried = value(await send<Snapshot>(endorse(failed, note)));
    expect(retried.posts[key(failed)]).toMatchObject({ count: 1 });
    expect((await storeCounts(page)).ops).toBe(2 + stored);
  });
});
