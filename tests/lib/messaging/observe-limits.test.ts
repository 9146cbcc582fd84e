import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createHandler, route, type SenderLike } from '../../../lib/messaging';
import { OBSERVE_AGAIN_AFTER_MS, ObservationLimiter, TAB_OBSERVATIONS } from '../../../lib/messaging/observe-limits';
import { TendStore } from '../../../lib/store';

const SITE = 'https://forum.example.test';
const env = { runtimeId: 'tend-id', extensionBase: 'chrome-extension://tend-id/' };
const sender = (tab: number): SenderLike => ({ id: 'tend-id', url: `${SITE}/latest`, origin: SITE, tab: { id: tab }, frameId: 0 });
let n = 0;

describe('what a page can make Tend record', () => {
  it('observes a thread again at most once a minute, and a tab at most so many times in ten minutes', () => {
    const limiter = new ObservationLimiter();
    const keys = Array.from({ length: 500 }, (_, i) => `t${i}`);
    expect(limiter.allow('a', keys, 0).size).toBe(500);
    expect(limiter.allow('a', keys, 350).size).toBe(0);
    expect(limiter.allow('a', keys, OBSERVE_AGAIN_AFTER_MS + 1).size).toBe(500);
    // Fresh threads, still bounded per tab.
    const many = Array.from({ length: 5_000 }, (_, i) => `u${i}`);
    expect(limiter.allow('a', many, OBSERVE_AGAIN_AFTER_MS + 2).size).toBe(TAB_OBSERVATIONS - 1_000);
    expect(limiter.allow('b', many.slice(0, 10), OBSERVE_AGAIN_AFTER_MS + 2).size).toBe(0);
    expect(limiter.allow('b', ['v1'], OBSERVE_AGAIN_AFTER_MS + 3).size).toBe(1);
  });

  it('a page rewriting 500 rows every 350 ms for ten seconds records each thread once', async () => {
    const store = await TendStore.open({ name: `tend-flood-${++n}` });
    await store.me();
    let clock = 1_700_000_000_000;
    const handle = createHandler({ store, notify: () => undefined, version: '1', now: () => clock });
    for (let step = 0; step * 350 < 10_000; step++, clock += 350) {
      const threads = Array.from({ length: 500 }, (_, i) => ({ threadId: String(i + 1), title: `Thread ${i + 1}`, replies: step }));
      const r = await route({ tend: 1, request: { type: 'page.seen', site: SITE, viewer: null, threads } }, sender(3), env, handle);
      expect(r.ok).toBe(true);
    }
    expect(await store.opCount()).toBe(500);
    // A minute on, what changed is recorded: the queue stays current.
    clock += OBSERVE_AGAIN_AFTER_MS;
    await route({ tend: 1, request: { type: 'page.seen', site: SITE, viewer: null, threads: [{ threadId: '1', title: 'Thread 1', replies: 99 }] } }, sender(3), env, handle);
    expect(await store.opCount()).toBe(501);
    const [record] = await store.threads([`${SITE} 1`]);
    expect(record?.observation?.fields.replies?.value).toBe(99);
  });
});
