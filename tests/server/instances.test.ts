/**
 * Scale-out: two server instances on one PostgreSQL database. Ops committed through one
 * reach live sockets on the other through LISTEN/NOTIFY; removals close sockets everywhere.
 */
import 'fake-indexeddb/auto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TendStore } from '../../lib/store';
import { SyncClient, type SocketFactory } from '../../lib/sync';
import type { TendServer } from '../../server/http';
import { CLOSE_REVOKED } from '../../server/live';
import { backendCases, call, joinTeam, op, openLive, post, push, serve, thread, type Backend } from './helpers';

const pgCase = (await backendCases()).find((c) => c.name === 'PostgreSQL')!;

(pgCase.skip ? describe.skip : describe)('two server instances on one PostgreSQL', () => {
  if (pgCase.fail) {
    it('has its database', () => {
      throw new Error(pgCase.fail);
    });
    return;
  }
  let backend: Backend;
  let a: TendServer;
  let b: TendServer;
  // No polling fallback: only NOTIFY can carry the news from A to B within the test.
  beforeAll(async () => {
    backend = await pgCase.make();
    a = await serve(backend.url, { pollMs: 60_000 });
    b = await serve(backend.url, { pollMs: 60_000 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await backend?.drop();
  });

  it('a client live on instance B sees an op pushed through instance A', async () => {
    const ann = await joinTeam(a, 'scale', 'Ann', 'manager');
    const store = await TendStore.open({ name: `tend-instances-${process.pid}` });
    await store.me();
    const bob = new SyncClient({ store, WebSocket: WebSocket as unknown as SocketFactory });
    const team = await b.store.resolveTeam('scale', false);
    await bob.join(b.url, (await b.store.createInvite(team.id, 'member')).code, 'Bob');
    bob.connectLive();
    for (let i = 0; i < 200 && !bob.live; i++) await new Promise((r) => setTimeout(r, 10));
    expect(bob.live).toBe(true);

    const started = Date.now();
    const [ack] = await push(a, ann.token, [op({ type: 'endorse', post: post('scale', '1'), author: 'dora', viewer: null, note: 'via A' })]);
    expect(ack.ok).toBe(true);
    for (let i = 0; i < 300; i++) {
      if ((await store.endorsementsOf(post('scale', '1'))).length) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await store.endorsementsOf(post('scale', '1'))).toMatchObject([{ note: 'via A', actor: ann.member.id }]);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await store.getMeta('cursor')).toBe(ack.seq);
    bob.close();
  });

  it('keeps sequence order across instances pushing at once, and closes a removed member’s socket everywhere', async () => {
    const ann = await joinTeam(a, 'scale-2', 'Ann', 'manager');
    const bob = await joinTeam(b, 'scale-2', 'Bob');
    const watcher = await openLive(b, bob.token);
    const batches = await Promise.all(
      Array.from({ length: 10 }, (_, i) => push(i % 2 ? a : b, i % 2 ? ann.token : bob.token, Array.from({ length: 10 }, (_, j) => op({ type: 'observe', thread: thread(`s${j}`), fields: { replies: i * 10 + j } })))),
    );
    const seqs = batches.flat().map((r) => r.seq).sort((x, y) => x - y);
    const last = seqs.at(-1)!;
    await watcher.waitFor((m) => m.type === 'ops' && m.next === last);
    const received = watcher.messages.filter((m) => m.type === 'ops').flatMap((m) => m.ops.map((o: any) => o.seq));
    // Each op once, in order, nothing missing between the first and the last.
    expect(received).toEqual([...received].sort((x, y) => x - y));
    expect(new Set(received).size).toBe(received.length);
    expect(received.filter((s: number) => s >= seqs[0]!)).toEqual(seqs);

    const r = await call(a, 'DELETE', `/v1/members/${bob.member.id}`, { token: ann.token });
    expect(r.status).toBe(200);
    expect((await watcher.closed).code).toBe(CLOSE_REVOKED);
  });
});
