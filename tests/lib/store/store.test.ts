import 'fake-indexeddb/auto';
import { IDBObjectStore as FDBObjectStore } from 'fake-indexeddb';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { DB_VERSION, MIGRATIONS, StoreError, TendStore } from '../../../lib/store';
import type { AcceptedOp, Payload } from '../../../lib/domain';

const SITE = 'https://meta.discourse.org';
const thread = { site: SITE, threadId: '100' };
const post = { ...thread, postId: '2' };
let n = 0;
const fresh = async () => {
  const store = await TendStore.open({ name: `tend-test-${++n}` });
  await store.me();
  return store;
};
const endorse = (note?: string, author = 'sam'): Payload => ({ type: 'endorse', post, author, viewer: 'me-on-site', ...(note ? { note } : {}) });

afterEach(() => vi.restoreAllMocks());

describe('store in solo mode', () => {
  it('records an endorsement and serves it by post, by author handle and by endorser', async () => {
    const store = await fresh();
    const me = await store.me();
    const r = await store.act(endorse('Fixed my build'));
    expect(r.pending).toBe(false);
    expect([...r.changes.posts]).toEqual([`${SITE} 100 2`]);
    expect(await store.endorsementsOf(post)).toMatchObject([{ actor: me.id, note: 'Fixed my build', mine: true, pending: false }]);
    expect(await store.recognitionReceived(SITE, 'SAM')).toHaveLength(1);
    expect(await store.recognitionGiven(me.id)).toHaveLength(1);
    await store.act({ type: 'retract', post });
    expect(await store.endorsementsOf(post)).toEqual([]);
    expect(await store.recognitionReceived(SITE, 'sam')).toEqual([]);
  });

  it('refuses self-endorsement and writes nothing', async () => {
    const store = await fresh();
    await expect(store.act(endorse(undefined, 'Me-On-Site'))).rejects.toMatchObject({ code: 'own-post', message: /own post/ });
    expect(await store.opCount()).toBe(0);
  });

  it('claims a thread, lists it as mine with time left, counts it, and expires it', async () => {
    const store = await fresh();
    const t0 = 1_800_000_000_000;
    await store.act({ type: 'observe', thread, fields: { title: 'Build fails', url: `${SITE}/t/build/100`, replies: 0 } }, t0);
    await store.act({ type: 'observe', thread: { site: SITE, threadId: '101' }, fields: { title: 'Other', answered: true } }, t0);
    expect(await store.siteCounts(SITE, t0)).toEqual({ unclaimed: 1, claimed: 0, resolved: 0, answered: 1 });
    await store.act({ type: 'claim', thread }, t0 + 1);
    const mine = await store.myActiveClaims(t0 + 2);
    expect(mine).toMatchObject([{ key: `${SITE} 100`, title: 'Build fails', epoch: 1, pending: false }]);
    expect(mine[0]!.expiresAt - (t0 + 1)).toBe(24 * 3_600_000);
    expect(await store.siteCounts(SITE, t0 + 2)).toEqual({ unclaimed: 0, claimed: 1, resolved: 0, answered: 1 });
    // A day later the lease has run out: it counts as unclaimed and is not mine any more.
    const later = t0 + 25 * 3_600_000;
    expect(await store.siteCounts(SITE, later)).toEqual({ unclaimed: 1, claimed: 0, resolved: 0, answered: 1 });
    expect(await store.myActiveClaims(later)).toEqual([]);
    await expect(store.act({ type: 'renew', thread, epoch: 1 }, later)).rejects.toMatchObject({ code: 'claim-expired', message: /expired/ });
    await store.act({ type: 'claim', thread }, later);
    await store.act({ type: 'resolve', thread, epoch: 2 }, later + 1);
    expect(await store.siteCounts(SITE, later + 2)).toEqual({ unclaimed: 0, claimed: 0, resolved: 1, answered: 1 });
  });

  it('writes an op and its views in one transaction: a failing view write leaves no op behind', async () => {
    const store = await fresh();
    await store.act({ type: 'observe', thread, fields: { title: 'Before' } });
    const real = FDBObjectStore.prototype.put;
    vi.spyOn(FDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<typeof real>) {
      if (this.name === 'threads') throw new DOMException('simulated failure', 'DataError');
      return real.apply(this, args);
    });
    await expect(store.act({ type: 'observe', thread, fields: { title: 'After' } })).rejects.toBeInstanceOf(StoreError);
    vi.restoreAllMocks();
    expect(await store.opCount()).toBe(1);
    const [record] = await store.threads([`${SITE} 100`]);
    expect(record?.observation?.fields.title?.value).toBe('Before');
    // Nothing half-written blocks the next write.
    const { op } = await store.act({ type: 'observe', thread, fields: { title: 'After' } });
    expect(await store.opCount()).toBe(2);
    expect(op.type).toBe('observe');
  });

  it('turns a full disk into a clear error and keeps what was stored', async () => {
    const store = await fresh();
    await store.act(endorse('kept'));
    const real = FDBObjectStore.prototype.put;
    vi.spyOn(FDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<typeof real>) {
      if (this.name === 'ops') throw new DOMException('', 'QuotaExceededError');
      return real.apply(this, args);
    });
    const failure = await store.act({ type: 'claim', thread }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect(failure).toMatchObject({ code: 'quota', message: /disk is full/ });
    vi.restoreAllMocks();
    expect(await store.endorsementsOf(post)).toMatchObject([{ note: 'kept' }]);
    expect(await store.myActiveClaims()).toEqual([]);
    expect(await store.opCount()).toBe(1);
  });
});

describe('store in team mode', () => {
  const teamStore = async () => {
    const store = await fresh();
    await store.setMeta('team', { server: 'http://127.0.0.1:8787', team: 't1' });
    return store;
  };
  const accept = (op: AcceptedOp['id'] extends string ? Awaited<ReturnType<TendStore['act']>>['op'] : never, seq: number, at = Date.now()) => ({ ...op, seq, at }) as AcceptedOp;

  it('keeps local ops pending until acknowledged, then applies them once', async () => {
    const store = await teamStore();
    const { op, pending } = await store.act({ type: 'claim', thread });
    expect(pending).toBe(true);
    expect(await store.outbox()).toHaveLength(1);
    expect(await store.myActiveClaims()).toMatchObject([{ pending: true, epoch: 1 }]);
    await store.applyAccepted([accept(op, 7)], { cursor: 7 });
    expect(await store.outbox()).toEqual([]);
    expect(await store.myActiveClaims()).toMatchObject([{ pending: false, epoch: 1 }]);
    expect(await store.getMeta('cursor')).toBe(7);
    const again = await store.applyAccepted([accept(op, 7)]);
    expect(again.threads.size).toBe(0);
    expect(await store.opCount()).toBe(1);
  });

  it('keeps working after joining a team with solo history (server numbers may repeat local ones)', async () => {
    const store = await fresh();
    await store.act(endorse('solo 1'));
    await store.act({ type: 'observe', thread, fields: { title: 'solo' } });
    await store.setMeta('team', { server: 'http://127.0.0.1:8787', team: 't1' });
    const remote = { v: 1, id: '01J00000000000000000000001', hlc: '1700000000000:00000:sam', actor: 'sam', type: 'claim', thread, seq: 1, at: Date.now() } as AcceptedOp;
    await store.applyAccepted([remote], { cursor: 1 });
    expect(await store.opCount()).toBe(3);
    expect((await store.claimView(`${SITE} 100`)).claim?.holder).toBe('sam');
  });

  it('writes several actions all or nothing', async () => {
    const store = await teamStore();
    await store.setPeople([{ id: 'sam', name: 'Sam', role: 'member', handles: [], handleKeys: [] }]);
    await store.applyAccepted([{ v: 1, id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', hlc: '1700000000000:00000:sam', actor: 'sam', type: 'claim', thread, seq: 1, at: Date.now() }]);
    await expect(store.actMany([{ type: 'observe', thread, fields: { title: 'x' } }, { type: 'claim', thread }])).rejects.toThrow('Sam claimed this first');
    expect(await store.outbox()).toEqual([]);
    const ok = await store.actMany([{ type: 'observe', thread, fields: { title: 'x' } }, { type: 'observe', thread: { site: SITE, threadId: '7' }, fields: { replies: 1 } }]);
    expect(ok.ops).toHaveLength(2);
    expect(ok.ops[0]!.hlc < ok.ops[1]!.hlc).toBe(true);
    expect(await store.outbox()).toHaveLength(2);
  });

  it('drops a rejected op and keeps the reason to show', async () => {
    const store = await teamStore();
    const { op } = await store.act(endorse('thanks'));
    expect(await store.endorsementsOf(post)).toMatchObject([{ pending: true }]);
    await store.reject(op.id, 'Sam claimed this first');
    expect(await store.outbox()).toEqual([]);
    expect(await store.endorsementsOf(post)).toEqual([]);
    expect(await store.rejections()).toMatchObject([{ reason: 'Sam claimed this first', op: { id: op.id } }]);
  });

  it('refuses locally a claim someone else holds, naming them', async () => {
    const store = await teamStore();
    await store.setPeople([{ id: 'sam', name: 'Sam', role: 'member', handles: [], handleKeys: [] }]);
    await store.applyAccepted([{ v: 1, id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', hlc: '1700000000000:00000:sam', actor: 'sam', type: 'claim', thread, seq: 1, at: Date.now() }]);
    await expect(store.act({ type: 'claim', thread })).rejects.toThrow('Sam claimed this first');
    expect(await store.outbox()).toEqual([]);
  });

  it('pending ops disappear when their acceptance or rejection arrives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('endorse', 'observe', 'claim'), fc.boolean()), { minLength: 1, maxLength: 8 }), async (plan) => {
        const store = await teamStore();
        const made = [];
        for (const [kind, _] of plan) {
          const payload: Payload = kind === 'endorse' ? endorse('n') : kind === 'observe' ? { type: 'observe', thread, fields: { replies: made.length } } : { type: 'claim', thread };
          made.push((await store.act(payload)).op);
        }
        let seq = 0;
        for (const [i, op] of made.entries()) {
          if (plan[i]![1]) await store.applyAccepted([accept(op, ++seq)]);
          else await store.reject(op.id, 'no');
        }
        expect(await store.outbox()).toEqual([]);
        expect(await store.opCount()).toBe(seq);
        store.close();
      }),
      { numRuns: 25 },
    );
  });
});

describe('store lifecycle', () => {
  it('upgrades a database created by the first schema version without losing data', async () => {
    const name = `tend-upgrade-${++n}`;
    const old = await openDB(name, 1, { upgrade: (db, _o, _n, tx) => MIGRATIONS[1]!(db as never, tx as never) });
    const op = { v: 1, id: '01HAAAAAAAAAAAAAAAAAAAAAAA', hlc: '1700000000000:00000:n1', actor: 'me1', type: 'endorse', post, author: 'sam', viewer: null, seq: 1, at: 1 };
    await old.put('ops', op);
    await old.put('endorsements', { key: `me1 ${SITE} 100 2`, actor: 'me1', post, postKey: `${SITE} 100 2`, author: 'sam', authorKey: `${SITE} sam`, note: 'old note', retracted: false, hlc: op.hlc, opId: op.id });
    await old.put('meta', { id: 'me1', name: 'Old me', node: 'n1' }, 'me');
    old.close();

    const store = await TendStore.open({ name });
    expect(await store.me()).toEqual({ id: 'me1', name: 'Old me', node: 'n1' });
    expect(await store.opCount()).toBe(1);
    expect(await store.endorsementsOf(post)).toMatchObject([{ note: 'old note', mine: true }]);
    // The index added in version 2 covers rows written before it existed.
    expect(await store.recognitionReceived(SITE, 'sam')).toHaveLength(1);
    await store.act({ type: 'claim', thread });
    expect(await store.myActiveClaims()).toHaveLength(1);
  });

  it('closes for a newer version instead of blocking it, and reopens on next use', async () => {
    const name = `tend-versionchange-${++n}`;
    const onVersionChange = vi.fn();
    const store = await TendStore.open({ name, onVersionChange });
    await store.me();
    const newer = await openDB(name, DB_VERSION + 1);
    expect(onVersionChange).toHaveBeenCalledOnce();
    newer.close();
    // The store reconnects (at its own version it would now be refused: the database is newer).
    await expect(store.me()).rejects.toBeTruthy();
  });
});
