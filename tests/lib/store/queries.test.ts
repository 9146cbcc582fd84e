import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, MIGRATIONS, TendStore } from '../../../lib/store';
import { weekOf } from '../../../lib/store/aggregates';
import { TendReader, filterQueue, runningStats, spread, thankedPeople, thanksWeeks, weekRange } from '../../../lib/store/queries';

const SITE = 'https://forum.example.org';
const OTHER = 'https://meta.discourse.org';
const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 30, 9); // a Monday
let n = 0;

async function seeded() {
  const name = `tend-queries-${++n}`;
  const store = await TendStore.open({ name });
  await store.me();
  const t = (id: string, site = SITE) => ({ site, threadId: id });
  // Three questions asked at different times, one answered on the site, one on another site.
  await store.act({ type: 'observe', thread: t('1'), fields: { title: 'Oldest', url: `${SITE}/t/1`, createdAt: T0 - 48 * H, category: 'Support', tags: ['api'] } }, T0);
  await store.act({ type: 'observe', thread: t('2'), fields: { title: 'Middle', url: `${SITE}/t/2`, createdAt: T0 - 24 * H } }, T0);
  await store.act({ type: 'observe', thread: t('3', OTHER), fields: { title: 'Newest', createdAt: T0 - H } }, T0);
  await store.act({ type: 'observe', thread: t('4'), fields: { title: 'Answered', createdAt: T0 - 72 * H, answered: true } }, T0);
  // Claim the middle one an hour later, mark it done two hours after that.
  await store.act({ type: 'claim', thread: t('2') }, T0 + H);
  await store.act({ type: 'resolve', thread: t('2'), epoch: 1 }, T0 + 3 * H);
  // Claim the oldest: it is held (not in the queue) until the lease runs out.
  await store.act({ type: 'claim', thread: t('1') }, T0 + 4 * H);
  // Thanks: two with notes, one without, one taken back.
  const post = (id: string) => ({ site: SITE, threadId: '1', postId: id });
  await store.act({ type: 'endorse', post: post('2'), author: 'sam', viewer: null, note: 'Fixed my build' }, T0 + 5 * H);
  await store.act({ type: 'endorse', post: post('3'), author: 'Sam', viewer: null }, T0 + 6 * H);
  await store.act({ type: 'endorse', post: post('4'), author: 'carol', viewer: null, note: 'Clear steps' }, T0 + 7 * H);
  await store.act({ type: 'endorse', post: post('5'), author: 'dave', viewer: null, note: 'Oops' }, T0 + 8 * H);
  await store.act({ type: 'retract', post: post('5') }, T0 + 9 * H);
  return { name, store, reader: await TendReader.open(name) };
}

describe('dashboard queries', () => {
  it('lists the queue oldest first, from the index, with claims that ran out back in it', async () => {
    const { reader } = await seeded();
    const now = T0 + 10 * H;
    expect((await reader.queueFirst(10, now)).map((r) => r.title)).toEqual(['Newest']);
    const all = await reader.queue(now);
    expect(all.map((r) => r.title)).toEqual(['Answered', 'Newest']);
    expect(filterQueue(all, {}, now).map((r) => r.title)).toEqual(['Newest']);
    expect(filterQueue(all, { answered: 'only' }, now).map((r) => r.title)).toEqual(['Answered']);
    // A day later the oldest one's lease has run out: it is waiting again, first in line.
    const later = T0 + 30 * H;
    const again = filterQueue(await reader.queue(later), {}, later);
    expect(again.map((r) => [r.title, r.expired])).toEqual([
      ['Oldest', true],
      ['Newest', false],
    ]);
    expect(filterQueue(again, { site: OTHER }, later).map((r) => r.title)).toEqual(['Newest']);
    expect(filterQueue(again, { topic: 'api' }, later).map((r) => r.title)).toEqual(['Oldest']);
    expect(filterQueue(again, { olderThan: 48 * H }, later).map((r) => r.title)).toEqual(['Oldest']);
  });

  it('lists claims with their holder and time left, lapsed ones marked', async () => {
    const { reader, store } = await seeded();
    const me = await store.me();
    expect(await reader.claims(T0 + 5 * H)).toMatchObject([{ title: 'Oldest', holder: me.id, epoch: 1, expired: false, expiresAt: T0 + 28 * H }]);
    expect(await reader.claims(T0 + 29 * H)).toMatchObject([{ title: 'Oldest', expired: true }]);
  });

  it('keeps weekly aggregates as ops are applied: claims, done, time to claim and to done, waiting', async () => {
    const { reader } = await seeded();
    const rows = await reader.aggregates();
    const [week] = runningStats(rows, null);
    expect(week).toMatchObject({ week: weekOf(T0), claims: 2, memberClaims: 2, resolves: 1, memberResolves: 1, memberClaimShare: 1, thanks: 3, notes: 2 });
    // Middle: asked 24 h before T0, claimed at T0+1h, done at T0+3h. Oldest: asked 48 h before, claimed at T0+4h.
    expect(week!.toClaim).toEqual({ median: 25 * H, p90: 52 * H, n: 2 });
    expect(week!.toDone).toEqual({ median: 27 * H, p90: 27 * H, n: 1 });
    // Four questions seen, three picked up (claimed, done, answered): one waits.
    expect(week!.waiting).toBe(1);
    expect(runningStats(rows, OTHER)).toMatchObject([{ claims: 0, waiting: 1 }]);
    expect(thanksWeeks(rows)).toEqual([weekOf(T0)]);
    // The dashboard reads the sites' rows alone, and people's by week.
    expect((await reader.siteAggregates()).map((r) => r.site).sort()).toEqual([SITE, OTHER]);
    expect((await reader.personAggregates(weekOf(T0))).length).toBe(3);
    expect(await reader.personAggregates('2026-11-23')).toEqual([]);
    expect(thankedPeople(rows).map((p) => [p.handle, p.count, p.notes])).toEqual([
      ['Sam', 2, 1],
      ['carol', 1, 1],
    ]);
  });

  it('reads the week’s thanks by clock and what one person was thanked for', async () => {
    const { reader } = await seeded();
    const feed = await reader.feed(...weekRange(weekOf(T0)));
    expect(feed.map((i) => [i.handle, i.note])).toEqual([
      ['carol', 'Clear steps'],
      ['Sam', null],
      ['sam', 'Fixed my build'],
    ]);
    expect(feed[0]).toMatchObject({ threadTitle: 'Oldest', threadUrl: `${SITE}/t/1`, at: T0 + 7 * H });
    expect(await reader.feed(...weekRange('2026-11-23'))).toEqual([]);
    const sam = await reader.thanksTo(`${SITE} sam`);
    expect(sam.map((i) => i.note)).toEqual([null, 'Fixed my build']);
  });

  it('rebuilds the aggregates and the queue order from stored ops when upgrading from version 2', async () => {
    const { store, reader, name } = await seeded();
    const expected = (await reader.aggregates()).sort((a, b) => (a.key < b.key ? -1 : 1));
    const dump = await reader.dump();
    const threads = await store.threads([`${SITE} 1`, `${SITE} 2`, `${OTHER} 3`, `${SITE} 4`]);
    reader.close();
    store.close();
    // The same data as Tend before version 3 kept it: no aggregates, no queue fields.
    const oldName = `${name}-v2`;
    const old = await openDB(oldName, 2, {
      upgrade: (db, _o, _n, tx) => {
        MIGRATIONS[1]!(db as never, tx as never);
        MIGRATIONS[2]!(db as never, tx as never);
      },
    });
    const tx = old.transaction(['ops', 'threads', 'meta'], 'readwrite');
    for (const op of dump.ops) await tx.objectStore('ops').put(op);
    for (const { since: _s, handledAt: _h, firstClaimAt: _f, ...t } of threads) await tx.objectStore('threads').put(t);
    await tx.done;
    old.close();
    const upgraded = await TendReader.open(oldName);
    expect((await upgraded.aggregates()).sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual(expected);
    expect((await upgraded.queue(T0 + 30 * H)).map((r) => r.title)).toEqual(['Answered', 'Oldest', 'Newest']);
    upgraded.close();
    expect(DB_VERSION).toBe(3);
  });

  it('gives the median and 90th percentile by nearest rank', () => {
    expect(spread([])).toBeNull();
    expect(spread([5])).toEqual({ median: 5, p90: 5, n: 1 });
    expect(spread([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ median: 5, p90: 9, n: 10 });
  });
});
