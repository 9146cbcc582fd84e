/** Importing an export and wiping everything, as the settings and the dashboard ask the background. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { EXPORT_VERSION, importChunks, parseExport } from '../../../lib/data/export-format';
import { DataError, importExport, type Requester } from '../../../lib/data/io';
import { createHandler, route, type SenderLike } from '../../../lib/messaging';
import { TendStore, type Changes } from '../../../lib/store';
import { TendReader } from '../../../lib/store/queries';

const env = { runtimeId: 'tend-id', extensionBase: 'chrome-extension://tend-id/' };
const pageSender: SenderLike = { id: 'tend-id', url: 'chrome-extension://tend-id/options.html' };
const contentSender: SenderLike = { id: 'tend-id', url: 'https://forum.example.org/t/x/7', origin: 'https://forum.example.org', tab: { id: 7 }, frameId: 0 };
const SITE = 'https://forum.example.org';
const THREAD = { site: SITE, threadId: '7' };

let n = 0;

/** What another browser exported: a question, my claim on it, and thanks with a note. */
async function exportText(): Promise<string> {
  const name = `tend-data-src-${++n}`;
  const store = await TendStore.open({ name });
  await store.me();
  await store.act({ type: 'observe', thread: THREAD, fields: { title: 'Webhooks stop', createdAt: 1_800_000_000_000 } });
  await store.act({ type: 'claim', thread: THREAD });
  await store.act({ type: 'endorse', post: { ...THREAD, postId: '2' }, author: 'sam', viewer: null, note: 'Saved my evening' });
  const reader = await TendReader.open(name);
  const dump = await reader.dump();
  reader.close();
  store.close();
  return JSON.stringify({ tend: 'export', version: EXPORT_VERSION, exportedAt: 1, ...dump, enabledOrigins: [] });
}

/** A fresh store behind the real router and handlers. */
async function setup(wipeBrowser?: () => Promise<void>) {
  const name = `tend-data-${++n}`;
  const store = await TendStore.open({ name });
  await store.me();
  const changes: Changes[] = [];
  const handle = createHandler({ store, notify: (c) => changes.push(c), version: '1.0.0', ...(wipeBrowser ? { wipeBrowser } : {}) });
  const send = (request: unknown, sender: SenderLike = pageSender) => route({ tend: 1, request }, sender, env, handle);
  const requester = ((request: unknown) => send(request)) as Requester;
  /** What the store holds, as the dashboard reads it. */
  const contents = async () => {
    const reader = await TendReader.open(name);
    try {
      const dump = await reader.dump();
      return { ops: dump.ops.length, claims: await reader.claims(), aggregates: await reader.aggregates() };
    } finally {
      reader.close();
    }
  };
  return { store, send, requester, changes, contents };
}

describe('data.import', () => {
  it('imports a valid export with the same views, and a second time changes nothing', async () => {
    const { send, changes, contents } = await setup();
    const parsed = parseExport(await exportText());
    if (!parsed.ok) throw new Error('the export does not parse');
    const [chunk] = importChunks(parsed.value);

    expect(await send({ type: 'data.import', chunk })).toEqual({ ok: true, value: { added: 3, skipped: 0 } });
    const after = await contents();
    expect(after.ops).toBe(3);
    expect(after.claims).toMatchObject([{ title: 'Webhooks stop', epoch: 1 }]);
    expect(after.aggregates.find((a) => a.kind === 'person')).toMatchObject({ handle: 'sam', count: 1, notes: 1 });
    // Pages showing my claims and the queue are told.
    expect(changes.at(-1)).toMatchObject({ mine: true });

    expect(await send({ type: 'data.import', chunk })).toEqual({ ok: true, value: { added: 0, skipped: 3 } });
    expect(await contents()).toEqual(after);
  });

  it('imports through the page side in parts, summing what was added', async () => {
    const { requester, contents } = await setup();
    const progress: [number, number][] = [];
    expect(await importExport(await exportText(), requester, (done, total) => progress.push([done, total]), async () => false)).toEqual({ added: 3, skipped: 0 });
    expect(progress).toEqual([[3, 3]]);
    expect((await contents()).ops).toBe(3);
  });

  it('refuses malformed JSON and a newer export with their codes, and changes nothing', async () => {
    const { requester, contents } = await setup();
    const before = await contents();
    const refusal = (text: string) => importExport(text, requester, undefined, async () => false).then(() => null, (e: unknown) => e);

    const notJson = await refusal('{"tend": "export", "version": 1, "ops": [');
    expect(notJson).toBeInstanceOf(DataError);
    expect(notJson).toMatchObject({ code: 'not-json' });

    const newer = JSON.parse(await exportText()) as { version: number };
    newer.version = EXPORT_VERSION + 1;
    expect(await refusal(JSON.stringify(newer))).toMatchObject({ code: 'newer', detail: String(EXPORT_VERSION + 1) });

    expect(await refusal(JSON.stringify({ hello: 'world' }))).toMatchObject({ code: 'not-tend' });
    expect(await contents()).toEqual(before);
  });

  it('refuses a part that does not fit the format (an op from a newer Tend, a bad site) with import-invalid, and writes none of it', async () => {
    const { send, contents } = await setup();
    const parsed = parseExport(await exportText());
    if (!parsed.ok) throw new Error('the export does not parse');
    const [chunk] = importChunks(parsed.value);
    const before = await contents();

    const newerOp = { ...chunk!, ops: chunk!.ops.map((op, i) => (i === 2 ? { ...op, v: 99 } : op)) };
    const r = await send({ type: 'data.import', chunk: newerOp });
    expect(r).toMatchObject({ ok: false, code: 'import-invalid', detail: expect.stringMatching(/ops\.2/) });

    const badSite = { ...chunk!, ops: chunk!.ops.map((op, i) => (i === 1 ? { ...op, thread: { site: 'javascript:alert(1)', threadId: '7' } } : op)) };
    expect(await send({ type: 'data.import', chunk: badSite })).toMatchObject({ ok: false, code: 'import-invalid' });

    expect(await send({ type: 'data.import', chunk: { ops: 'all of them' } })).toMatchObject({ ok: false, code: 'import-invalid' });
    expect(await contents()).toEqual(before);
  });

  it('is only for Tend’s own pages', async () => {
    const { send, contents } = await setup();
    const before = await contents();
    expect(await send({ type: 'data.import', chunk: { ops: [] } }, contentSender)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await contents()).toEqual(before);
  });
});

describe('data.wipe', () => {
  it('clears every store and what the browser keeps, and tells every page', async () => {
    let browserWiped = 0;
    const { store, send, requester, changes, contents } = await setup(async () => void browserWiped++);
    await importExport(await exportText(), requester, undefined, async () => false);
    await store.setMeta('paused', true);
    expect((await contents()).ops).toBe(3);

    expect(await send({ type: 'data.wipe', confirm: 'wipe everything' })).toEqual({ ok: true, value: { ok: true } });
    expect(await contents()).toEqual({ ops: 0, claims: [], aggregates: [] });
    expect(await store.getMeta('paused')).toBeUndefined();
    expect(await store.rejections()).toEqual([]);
    expect(browserWiped).toBe(1);
    expect(changes.at(-1)).toMatchObject({ mine: true, threads: new Set(['*']), people: new Set(['*']) });
  });

  it('wipes nothing without the confirmation, or for a page of a forum', async () => {
    const { store, send, requester, contents } = await setup(async () => undefined);
    await importExport(await exportText(), requester, undefined, async () => false);
    const before = await contents();
    expect(await send({ type: 'data.wipe', confirm: 'yes' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await send({ type: 'data.wipe', confirm: 'wipe everything' }, contentSender)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await contents()).toEqual(before);
    expect((await store.me()).id).toBeTruthy();
  });
});
