import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { loadSummary } from '../../../lib/store/summary';
import { TendStore } from '../../../lib/store';
import { TendReader } from '../../../lib/store/queries';

const FORUM = 'https://forum.example.test';
const OTHER = 'https://github.com';
let n = 0;

async function fresh() {
  const store = await TendStore.open({ name: `tend-popup-${++n}` });
  const me = await store.me();
  return { store, me };
}

describe('popup summary', () => {
  it('reads counts for the site, my claims everywhere, and recognition given and received by my handles', async () => {
    const { store, me } = await fresh();
    const t0 = Date.now() - 10_000;
    // Threads seen on the forum; I claim one here and one elsewhere.
    for (const id of ['1', '2', '3']) {
      await store.act({ type: 'observe', thread: { site: FORUM, threadId: id }, fields: { title: `Question ${id}`, url: `${FORUM}/t/q/${id}` } }, t0);
    }
    await store.act({ type: 'observe', thread: { site: FORUM, threadId: '4' }, fields: { title: 'Solved one', answered: true } }, t0);
    await store.act({ type: 'claim', thread: { site: FORUM, threadId: '1' } }, t0);
    await store.act({ type: 'claim', thread: { site: OTHER, threadId: 'a/b#9' } }, t0);
    // My handles here and there.
    await store.act({ type: 'member', name: 'Ada', handles: [{ site: FORUM, handle: 'ada' }, { site: OTHER, handle: 'ada-gh' }] }, t0);
    // I thank sam; teammates (other actors) thank me, through accepted ops from the server.
    await store.act({ type: 'endorse', post: { site: FORUM, threadId: '2', postId: '3' }, author: 'sam', viewer: 'ada', note: 'clear steps' }, t0);
    const hlc = (ms: number, node: string) => `${String(ms).padStart(13, '0')}:00000:${node}`;
    let seq = 1000;
    const thank = (actor: string, site: string, author: string, ms: number, note?: string) => ({
      v: 1 as const,
      id: `op-${actor}-${ms}`.padEnd(20, 'x'),
      hlc: hlc(ms, actor),
      actor,
      type: 'endorse' as const,
      post: { site, threadId: '1', postId: '2' },
      author,
      viewer: null,
      ...(note ? { note } : {}),
      seq: ++seq,
      at: ms,
    });
    await store.setPeople([{ id: 'grace', name: 'Grace', role: 'member', handles: [], handleKeys: [] }]);
    await store.applyAccepted([thank('grace', FORUM, 'Ada', t0 + 1, 'saved my day'), thank('bob1', OTHER, 'ada-gh', t0 + 2), thank('bob2', FORUM, 'someone-else', t0 + 3)] as never);

    const s = await loadSummary(store, FORUM);
    expect(s.me).toEqual({ id: me.id, name: 'Ada' });
    expect(s.counts).toEqual({ unclaimed: 2, claimed: 1, answered: 1, resolved: 0 });
    expect(s.claims.map((c) => [c.thread.site, c.thread.threadId, c.title])).toEqual(
      expect.arrayContaining([
        [FORUM, '1', 'Question 1'],
        [OTHER, 'a/b#9', null],
      ]),
    );
    expect(s.received.map((r) => [r.who, r.site, r.note])).toEqual([
      ['', OTHER, null],
      ['Grace', FORUM, 'saved my day'],
    ]);
    expect(s.received[1]!.threadTitle).toBe('Question 1');
    expect(s.given).toMatchObject([{ who: 'sam', site: FORUM, note: 'clear steps', threadTitle: 'Question 2', threadUrl: `${FORUM}/t/q/2` }]);
    expect(s.given[0]!.at).toBe(t0);

    // Without a current site there are no counts.
    expect((await loadSummary(store, null)).counts).toBeNull();

    // The popup's read-only reader (the query side) reads the very same summary.
    const reader = await TendReader.open(`tend-popup-${n}`);
    try {
      expect(await loadSummary(reader, FORUM)).toMatchObject({ me: s.me, counts: s.counts, received: s.received, given: s.given });
      expect((await loadSummary(reader, FORUM)).claims.map((c) => c.key).sort()).toEqual(s.claims.map((c) => c.key).sort());
    } finally {
      reader.close();
    }
  });

  it('says who holds each live claim on the site, leaving out mine and expired ones', async () => {
    const { store } = await fresh();
    const now = Date.now();
    await store.setPeople([{ id: 'sam', name: 'Sam', role: 'member', handles: [], handleKeys: [] }]);
    await store.act({ type: 'observe', thread: { site: FORUM, threadId: '7' }, fields: { title: 'Webhooks stop', url: `${FORUM}/t/w/7` } }, now - 5_000);
    await store.act({ type: 'claim', thread: { site: FORUM, threadId: '8' } }, now - 5_000);
    let seq = 100;
    const claimBy = (actor: string, threadId: string, at: number) =>
      ({ v: 1, id: `claim-${actor}-${threadId}`.padEnd(20, 'x'), hlc: `${String(at).padStart(13, '0')}:00000:${actor}`, actor, type: 'claim', thread: { site: FORUM, threadId }, seq: ++seq, at }) as never;
    // Sam's claim now, and one of Sam's from two days ago (its 24-hour lease is over).
    await store.applyAccepted([claimBy('sam', '7', now - 1_000), claimBy('sam', '9', now - 48 * 3_600_000)]);
    const s = await loadSummary(store, FORUM, now);
    expect(s.counts?.claimed).toBe(2);
    expect(s.claimedHere).toEqual([{ key: `${FORUM} 7`, holderName: 'Sam', title: 'Webhooks stop', url: `${FORUM}/t/w/7`, expiresAt: now - 1_000 + 86_400_000 }]);
    expect((await loadSummary(store, OTHER, now)).claimedHere).toEqual([]);
  });

  it('is empty, not broken, on a fresh profile', async () => {
    const { store } = await fresh();
    expect(await loadSummary(store, FORUM)).toMatchObject({ counts: { unclaimed: 0, claimed: 0, answered: 0, resolved: 0 }, claims: [], claimedHere: [], received: [], given: [] });
  });
});
