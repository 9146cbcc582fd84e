/**
 * The sync client without a server: solo mode sends nothing, addresses are checked, failed
 * pushes back off exponentially, and live messages apply in order (a gap is pulled first).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { TendStore } from '../../../lib/store';
import { normalizeServerUrl, SyncClient, type SocketFactory, type SocketLike, type Timers } from '../../../lib/sync';

let n = 0;
const open = async () => {
  const store = await TendStore.open({ name: `tend-sync-unit-${++n}` });
  await store.me();
  return store;
};
const SITE = 'https://forum.example.test';

/** Timers run by hand. */
function manualTimers() {
  let id = 0;
  const pending = new Map<number, { fn: () => void; ms: number; every: boolean }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending.set(++id, { fn, ms, every: false }), id),
    clearTimeout: (h) => void pending.delete(h as number),
    setInterval: (fn, ms) => (pending.set(++id, { fn, ms, every: true }), id),
    clearInterval: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    delays: () => [...pending.values()].filter((t) => !t.every).map((t) => t.ms),
    intervals: () => [...pending.values()].filter((t) => t.every).map((t) => t.ms),
    /** Runs every one-shot timer due now. */
    fire() {
      for (const [k, t] of [...pending]) {
        if (t.every) continue;
        pending.delete(k);
        t.fn();
      }
    },
  };
}

const team = { server: 'https://tend.example.org', teamId: 'team1', teamName: 'T', memberId: 'me1', role: 'member', token: 'tend_x' };

describe('sync client', () => {
  it('sends nothing in solo mode', async () => {
    const store = await open();
    const fetch = vi.fn();
    const WebSocket = vi.fn();
    const client = new SyncClient({ store, fetch: fetch as unknown as typeof globalThis.fetch, WebSocket: WebSocket as unknown as SocketFactory });
    await store.act({ type: 'endorse', post: { site: SITE, threadId: '1', postId: '1' }, author: 'dora', viewer: null });
    client.pushSoon();
    await client.pushOnce();
    await client.pullOnce();
    await client.syncNow();
    await client.refreshTeam();
    client.connectLive();
    await new Promise((r) => setTimeout(r, 20));
    expect(fetch).not.toHaveBeenCalled();
    expect(WebSocket).not.toHaveBeenCalled();
    expect(await client.status()).toEqual({ state: 'solo', lastSyncAt: null });
    client.close();
  });

  it('accepts https servers, and plain http only on this computer', () => {
    expect(normalizeServerUrl(' https://Tend.Example.org/sync/ ')).toBe('https://tend.example.org/sync');
    expect(normalizeServerUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizeServerUrl('http://localhost:8787/')).toBe('http://localhost:8787');
    expect(() => normalizeServerUrl('http://tend.example.org')).toThrow(/https/);
    expect(() => normalizeServerUrl('ftp://tend.example.org')).toThrow(/https/);
    expect(() => normalizeServerUrl('https://u:p@tend.example.org')).toThrow(/password/);
    expect(() => normalizeServerUrl('tend')).toThrow(/not a URL/);
  });

  it('gives address problems their codes', () => {
    expect(() => normalizeServerUrl('http://tend.example.org')).toThrow(expect.objectContaining({ code: 'server-https' }));
    expect(() => normalizeServerUrl('https://u:p@tend.example.org')).toThrow(expect.objectContaining({ code: 'server-credentials' }));
    expect(() => normalizeServerUrl('tend')).toThrow(expect.objectContaining({ code: 'server-url' }));
  });

  it('words the server’s answers to joining that Tend knows, and passes on the others', async () => {
    const answer = (status: number, body: object) => vi.fn(async () => Response.json(body, { status }));
    const join = async (fetch: ReturnType<typeof answer>) => {
      const client = new SyncClient({ store: await open(), fetch: fetch as unknown as typeof globalThis.fetch, timers: manualTimers().timers });
      return client.join('https://tend.example.org', 'CODE', 'Ada').then(() => null, (e: unknown) => e);
    };
    expect(await join(answer(403, { error: 'this invite code is not valid (mistyped, already used or expired)', code: 'invalid-code' }))).toMatchObject({ kind: 'refused', code: 'invite-invalid', status: 403 });
    expect(await join(answer(409, { error: 'this member already has 5 devices: leave the team on one of them first', code: 'too-many-devices' }))).toMatchObject({ code: 'too-many-devices' });
    expect(await join(answer(403, { error: 'this member was removed from the team', code: 'revoked' }))).toMatchObject({ code: 'sync-removed' });
    expect(await join(answer(400, { error: 'name: too long', code: 'invalid' }))).toMatchObject({ code: 'sync-refused', detail: 'name: too long' });
    expect(await join(answer(400, { error: 'name: too long', code: 'toString' }))).toMatchObject({ code: 'sync-refused' });
  });

  it('keeps the server’s refusals with Tend’s code where it words them itself, and the server’s words otherwise', async () => {
    const store = await open();
    await store.setMeta('team', team);
    await store.act({ type: 'claim', thread: { site: SITE, threadId: '1' } });
    await store.act({ type: 'claim', thread: { site: SITE, threadId: '2' } });
    const [held, clock] = await store.outbox();
    const fetch = vi.fn(async () =>
      Response.json({
        results: [
          { id: held!.op.id, ok: false, code: 'held', reason: 'Sam claimed this first', holder: 'Sam', holderId: 'sam1' },
          { id: clock!.op.id, ok: false, code: 'clock', reason: 'this device’s clock is more than 60 minutes ahead' },
        ],
      }),
    );
    const client = new SyncClient({ store, fetch: fetch as unknown as typeof globalThis.fetch, timers: manualTimers().timers });
    await client.pushOnce();
    const rejections = await store.rejections();
    expect(rejections.find((r) => r.op.id === held!.op.id)).toMatchObject({ reason: 'Sam claimed this first', code: 'claim-held', detail: 'Sam' });
    const other = rejections.find((r) => r.op.id === clock!.op.id)!;
    expect(other.reason).toBe('this device’s clock is more than 60 minutes ahead');
    expect(other.code).toBeUndefined();
    expect(await store.outbox()).toEqual([]);
    client.close();
  });

  it('backs off exponentially while the server cannot be reached, keeping the outbox', async () => {
    const store = await open();
    await store.setMeta('team', team);
    const clock = manualTimers();
    const fetch = vi.fn(async () => {
      throw new TypeError('network down');
    });
    const client = new SyncClient({ store, fetch: fetch as unknown as typeof globalThis.fetch, timers: clock.timers, random: () => 1, backoff: { baseMs: 1_000, maxMs: 8_000 } });
    await store.act({ type: 'claim', thread: { site: SITE, threadId: '1' } });
    const seen: number[] = [];
    await expect(client.pushOnce()).rejects.toThrow(/cannot reach/);
    for (let i = 0; i < 5; i++) {
      seen.push(...clock.delays());
      clock.fire();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(await client.status()).toMatchObject({ state: 'offline', code: 'sync-network', error: expect.stringMatching(/network down/), detail: expect.stringMatching(/network down/) });
    expect((await store.outbox()).length).toBe(1);
    // While backing off, a local write does not hammer the server.
    const calls = fetch.mock.calls.length;
    client.pushSoon();
    await new Promise((r) => setTimeout(r, 5));
    expect(fetch.mock.calls.length).toBe(calls);
    client.close();
  });

  it('once the server answers again, stops waiting out long backoffs: pushes and reconnects at once', async () => {
    const store = await open();
    await store.setMeta('team', team);
    const clock = manualTimers();
    let up = false;
    const fetch = vi.fn(async (url: string) => {
      if (!up) throw new TypeError('network down');
      if (url.endsWith('/v1/live-ticket')) return Response.json({ ticket: 't', expiresIn: 30_000 });
      if (url.includes('/v1/ops?after=')) return Response.json({ ops: [], next: 0, more: false });
      if (url.endsWith('/v1/ops')) return Response.json({ results: [] });
      throw new Error(`unexpected ${url}`);
    });
    const sockets: string[] = [];
    class DeadSocket implements SocketLike {
      readyState = 0;
      onopen: SocketLike['onopen'] = null;
      onmessage: SocketLike['onmessage'] = null;
      onclose: SocketLike['onclose'] = null;
      onerror: SocketLike['onerror'] = null;
      constructor(url: string) {
        sockets.push(url);
      }
      send() {}
      close() {}
    }
    const client = new SyncClient({ store, fetch: fetch as unknown as typeof globalThis.fetch, WebSocket: DeadSocket, timers: clock.timers, random: () => 1, backoff: { baseMs: 1_000, maxMs: 300_000 } });
    await store.act({ type: 'claim', thread: { site: SITE, threadId: '1' } });
    await expect(client.pushOnce()).rejects.toThrow();
    client.connectLive();
    // A long outage: both the push retry and the live reconnect back off for a long while.
    for (let i = 0; i < 8; i++) {
      clock.fire();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(Math.max(...clock.delays())).toBeGreaterThanOrEqual(64_000);
    const before = fetch.mock.calls.length;
    up = true;
    // The alarm's pull gets through: the waiting push and the live reconnect go now.
    await client.pullOnce();
    await new Promise((r) => setTimeout(r, 20));
    const after = fetch.mock.calls.slice(before).map(([u]) => String(u));
    expect(after.some((u) => u.endsWith('/v1/ops'))).toBe(true);
    expect(after.some((u) => u.endsWith('/v1/live-ticket'))).toBe(true);
    expect(sockets.length).toBeGreaterThan(0);
    client.close();
  });

  it('says "update Tend" when the server speaks another protocol, and does not retry by itself', async () => {
    const store = await open();
    await store.setMeta('team', team);
    const clock = manualTimers();
    const fetch = vi.fn(async () => new Response(JSON.stringify({ error: 'update Tend: this server speaks Tend protocol 2' }), { status: 426 }));
    const client = new SyncClient({ store, fetch: fetch as unknown as typeof globalThis.fetch, timers: clock.timers });
    await store.act({ type: 'claim', thread: { site: SITE, threadId: '1' } });
    await expect(client.pushOnce()).rejects.toThrow(/^update Tend/);
    expect(await client.status()).toMatchObject({ state: 'error', code: 'sync-version', error: expect.stringMatching(/^update Tend/) });
    expect(clock.delays()).toEqual([]);
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect((init.headers as Record<string, string>)['Tend-Protocol']).toBe('1');
    client.close();
  });

  it('applies live ops in order, pulls to fill a gap first, and heartbeats every 20 s', async () => {
    const store = await open();
    await store.setMeta('team', team);
    const clock = manualTimers();
    const accepted = (seq: number, threadId: string) => ({ v: 1, id: `01JB${String(seq).padStart(22, '0')}`, hlc: `17000000000${String(seq).padStart(2, '0')}:00000:n`, actor: 'other', type: 'observe', thread: { site: SITE, threadId }, fields: { replies: seq }, seq, at: 1_700_000_000_000 + seq });
    const requests: string[] = [];
    const fetch = vi.fn(async (url: string) => {
      requests.push(url.replace(team.server, ''));
      if (url.endsWith('/v1/live-ticket')) return Response.json({ ticket: 't', expiresIn: 30_000 });
      if (url.includes('/v1/ops?after=1')) return Response.json({ ops: [accepted(2, 'b'), accepted(3, 'c')], next: 3, more: false });
      throw new Error(`unexpected ${url}`);
    });
    const sockets: FakeSocket[] = [];
    class FakeSocket implements SocketLike {
      readyState = 0;
      sent: string[] = [];
      onopen: SocketLike['onopen'] = null;
      onmessage: SocketLike['onmessage'] = null;
      onclose: SocketLike['onclose'] = null;
      onerror: SocketLike['onerror'] = null;
      constructor(readonly url: string) {
        sockets.push(this);
      }
      send(data: string) {
        this.sent.push(data);
      }
      close() {
        this.readyState = 3;
      }
    }
    const client = new SyncClient({ store, fetch: fetch as unknown as typeof globalThis.fetch, WebSocket: FakeSocket, timers: clock.timers });
    client.connectLive();
    await new Promise((r) => setTimeout(r, 10));
    const socket = sockets[0]!;
    expect(socket.url).toBe('wss://tend.example.org/v1/live?ticket=t&after=0&protocol=1');
    socket.readyState = 1;
    socket.onopen!({});
    expect(clock.intervals()).toEqual([20_000]);
    socket.onmessage!({ data: JSON.stringify({ type: 'ops', after: 0, next: 1, ops: [accepted(1, 'a')] }) });
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.getMeta('cursor')).toBe(1);
    // A message that starts after what I have: pull the gap (which brings everything).
    socket.onmessage!({ data: JSON.stringify({ type: 'ops', after: 2, next: 3, ops: [accepted(3, 'c')] }) });
    await new Promise((r) => setTimeout(r, 20));
    expect(requests).toContain('/v1/ops?after=1&limit=500');
    expect(await store.getMeta('cursor')).toBe(3);
    expect(await store.opCount()).toBe(3);
    // A repeat changes nothing.
    socket.onmessage!({ data: JSON.stringify({ type: 'ops', after: 0, next: 1, ops: [accepted(1, 'a')] }) });
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.opCount()).toBe(3);
    expect(await store.getMeta('cursor')).toBe(3);
    client.disconnectLive();
    expect(clock.intervals()).toEqual([]);
    expect(client.live).toBe(false);
    client.close();
  });
});
