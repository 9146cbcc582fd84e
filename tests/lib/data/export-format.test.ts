import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { EXPORT_VERSION, IMPORT_CHUNK, importChunks, parseExport, type TendExport } from '../../../lib/data/export-format';
import { TendStore } from '../../../lib/store';
import { TendReader } from '../../../lib/store/queries';

const SITE = 'https://forum.example.org';
let n = 0;

async function exported(): Promise<TendExport> {
  const name = `tend-export-${++n}`;
  const store = await TendStore.open({ name });
  await store.me();
  await store.act({ type: 'observe', thread: { site: SITE, threadId: '7' }, fields: { title: 'Webhooks stop', createdAt: 1_800_000_000_000 } });
  await store.act({ type: 'claim', thread: { site: SITE, threadId: '7' } });
  await store.act({ type: 'endorse', post: { site: SITE, threadId: '7', postId: '2' }, author: 'sam', viewer: null, note: 'Saved my evening' });
  const reader = await TendReader.open(name);
  const dump = await reader.dump();
  reader.close();
  store.close();
  return JSON.parse(JSON.stringify({ tend: 'export', version: EXPORT_VERSION, exportedAt: 1, ...dump, enabledOrigins: ['https://forum.example.org'] }));
}

describe('export file', () => {
  it('reads back what was exported', async () => {
    const file = await exported();
    const parsed = parseExport(JSON.stringify(file));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.ops.map((o) => o.type)).toEqual(['observe', 'claim', 'endorse']);
  });

  it('names what is wrong with a file that is not one', async () => {
    expect(parseExport('{nope')).toMatchObject({ ok: false, problem: { code: 'not-json' } });
    expect(parseExport('{"hello": 1}')).toMatchObject({ ok: false, problem: { code: 'not-tend' } });
    expect(parseExport(JSON.stringify({ tend: 'export', version: EXPORT_VERSION + 1 }))).toMatchObject({ ok: false, problem: { code: 'newer' } });
    const file = await exported();
    (file.ops[1] as { thread: { site: string } }).thread.site = 'javascript:alert(1)';
    const bad = parseExport(JSON.stringify(file));
    expect(bad).toMatchObject({ ok: false, problem: { code: 'invalid' } });
    if (!bad.ok) expect(bad.problem.detail).toMatch(/ops\.1.*site must be an origin/);
    const noSeq = await exported();
    delete (noSeq.ops[0] as { seq?: number }).seq;
    expect(parseExport(JSON.stringify(noSeq))).toMatchObject({ ok: false, problem: { code: 'invalid', detail: expect.stringMatching(/seq/) } });
  });

  it('imports into a fresh store the same views, and importing it twice changes nothing', async () => {
    const file = await exported();
    const parsed = parseExport(JSON.stringify(file));
    if (!parsed.ok) throw new Error('not parsed');
    const fresh = await TendStore.open({ name: `tend-import-${++n}` });
    await fresh.me();
    const chunks = importChunks(parsed.value);
    expect(chunks).toHaveLength(1);
    const first = await fresh.importOps(chunks[0]!.ops, { people: chunks[0]!.people ?? [] });
    expect(first.added).toBe(3);
    const reader = await TendReader.open(`tend-import-${n}`);
    const before = { claims: await reader.claims(), aggregates: await reader.aggregates(), queue: await reader.queue() };
    const again = await fresh.importOps(chunks[0]!.ops, { people: chunks[0]!.people ?? [] });
    expect(again.added).toBe(0);
    expect({ claims: await reader.claims(), aggregates: await reader.aggregates(), queue: await reader.queue() }).toEqual(before);
    expect(before.claims).toMatchObject([{ title: 'Webhooks stop', epoch: 1 }]);
    expect(before.aggregates.find((a) => a.kind === 'person')).toMatchObject({ handle: 'sam', count: 1, notes: 1 });
    reader.close();
  });

  it('splits a large export into requests in accepted order', () => {
    const op = (seq: number) => ({ v: 1, id: `op${seq}`, hlc: '', actor: 'a', type: 'claim', thread: { site: SITE, threadId: '1' }, seq, at: seq }) as never;
    const file = { ops: [op(3), ...Array.from({ length: IMPORT_CHUNK + 1 }, (_, i) => op(i + 10)), op(1)], people: [], settings: null, paused: false, localSites: {} } as unknown as TendExport;
    const chunks = importChunks(file);
    expect(chunks.map((c) => c.ops.length)).toEqual([IMPORT_CHUNK, 3]);
    expect(chunks[0]!.ops.slice(0, 2).map((o) => o.seq)).toEqual([1, 3]);
    expect(chunks[0]!.people).toEqual([]);
    expect(chunks[1]!.people).toBeUndefined();
  });
});
