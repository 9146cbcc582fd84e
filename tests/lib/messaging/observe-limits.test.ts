import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createHandler, route, type SenderLike } from '../../../lib/messaging';
import { OBSERVE_AGAIN_AFTER_MS, ObservationLimiter, SeenCoalescer, TAB_OBSERVATIONS } from '../../../lib/messaging/observe-limits';
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

describe('what pages report, off the path of actions', () => {
  const report = (ids: string[], replies = 0, viewer: string | null = null) => ({ site: SITE, viewer, threads: ids.map((threadId) => ({ threadId, replies })) });
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('merges the reports a tab sends while one is recorded, and answers every caller', async () => {
    const runs: { threads: { threadId: string; replies: number }[]; viewer: string | null }[] = [];
    let release!: () => void;
    const q = new SeenCoalescer<ReturnType<typeof report>, number>(async (r) => {
      runs.push(r);
      const n = runs.length;
      if (n === 1) await new Promise<void>((go) => (release = go));
      return n;
    });
    const first = q.submit('tab 1', report(['1', '2']));
    await tick();
    await tick();
    expect(runs).toHaveLength(1);
    // Three more while the first is being recorded: one run, newest fields and viewer.
    const later = [q.submit('tab 1', report(['2', '3'], 1)), q.submit('tab 1', report(['3', '4'], 2, 'bob')), q.submit('tab 1', report(['1'], 3, 'bob'))];
    // Another tab is not held up by this one.
    expect(await q.submit('tab 2', report(['9']))).toBe(2);
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([3, 3, 3]);
    expect(runs).toHaveLength(3);
    expect(runs[2]!.viewer).toBe('bob');
    expect(runs[2]!.threads).toEqual([
      { threadId: '2', replies: 1 },
      { threadId: '3', replies: 2 },
      { threadId: '4', replies: 2 },
      { threadId: '1', replies: 3 },
    ]);
  });

  it('waits for actions in progress, and an action never waits for a report', async () => {
    const order: string[] = [];
    let finish!: () => void;
    const q = new SeenCoalescer<ReturnType<typeof report>, void>(async () => {
      order.push('seen');
    });
    const action = q.action(async () => {
      order.push('action start');
      await new Promise<void>((go) => (finish = go));
      order.push('action end');
    });
    const seen = q.submit('tab 1', report(['1']));
    await tick();
    await tick();
    expect(order).toEqual(['action start']);
    // A second action starts at once, report or not.
    await q.action(async () => void order.push('second action'));
    finish();
    await Promise.all([action, seen]);
    expect(order).toEqual(['action start', 'second action', 'action end', 'seen']);
  });

  it('keeps at most the protocol’s number of threads, the newest', async () => {
    let last: ReturnType<typeof report> | null = null;
    let release!: () => void;
    let n = 0;
    const q = new SeenCoalescer<ReturnType<typeof report>, void>(async (r) => {
      last = r;
      if (++n === 1) await new Promise<void>((go) => (release = go));
    }, 500);
    const first = q.submit('t', report(['x']));
    await tick();
    await tick();
    const a = q.submit('t', report(Array.from({ length: 400 }, (_, i) => `a${i}`)));
    const b = q.submit('t', report(Array.from({ length: 400 }, (_, i) => `b${i}`)));
    release();
    await Promise.all([first, a, b]);
    expect(last!.threads).toHaveLength(500);
    expect(last!.threads[0]!.threadId).toBe('a300');
    expect(last!.threads.at(-1)!.threadId).toBe('b399');
  });
});
