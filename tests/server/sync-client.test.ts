/**
 * The real sync client (lib/sync) and store (lib/store, on fake-indexeddb) against the real
 * server, in process on a loopback port.
 */
import 'fake-indexeddb/auto';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postKey, threadKey } from '../../lib/domain';
import { TendStore } from '../../lib/store';
import { SyncClient, type SocketFactory } from '../../lib/sync';
import type { TendServer } from '../../server/http';
import { call, freshSqlite, joinTeam, op, post, push, serve, SITE, thread, type Backend } from './helpers';

let n = 0;
const clients: SyncClient[] = [];

async function device(server: TendServer, teamName: string, name: string, role: 'member' | 'manager' = 'member', extra: Partial<ConstructorParameters<typeof SyncClient>[0]> = {}) {
  const store = await TendStore.open({ name: `tend-sync-client-${++n}` });
  await store.me();
  const changes: unknown[] = [];
  const client = new SyncClient({ store, WebSocket: WebSocket as unknown as SocketFactory, notify: (c) => changes.push(c), backoff: { baseMs: 20, maxMs: 200 }, ...extra });
  clients.push(client);
  const team = await server.store.resolveTeam(teamName, true);
  const { code } = await server.store.createInvite(team.id, role);
  const joined = await client.join(server.url, code, name);
  return { store, client, joined, changes };
}

const waitUntil = async (what: string, pred: () => Promise<boolean> | boolean, timeoutMs = 5_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('sync client against the server', () => {
  let backend: Backend;
  let server: TendServer;
  let teamN = 0;
  const newTeam = () => `client-team-${++teamN}`;

  beforeAll(async () => {
    backend = freshSqlite();
    server = await serve(backend.url);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await server?.close();
    await backend?.drop();
  });

  it('joins: stores the team link, settings, roster and my server identity, keeping my clock node', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann', 'manager');
    const store = await TendStore.open({ name: `tend-sync-client-${++n}` });
    const before = await store.me();
    const client = new SyncClient({ store, WebSocket: WebSocket as unknown as SocketFactory });
    clients.push(client);
    const t = await server.store.resolveTeam(team, false);
    const joined = await client.join(`${server.url}/`, (await server.store.createInvite(t.id, 'member')).code, 'Bob');
    expect(joined.member).toMatchObject({ name: 'Bob', role: 'member' });
    const me = await store.me();
    expect(me).toEqual({ id: joined.member.id, name: 'Bob', node: before.node });
    expect(await store.getMeta('team')).toEqual({ server: server.url, teamId: t.id, teamName: team, memberId: joined.member.id, role: 'member', token: expect.stringMatching(/^tend_/) });
    expect(await store.settings()).toEqual({ leaseMs: 86_400_000 });
    expect(await store.teamMode()).toBe(true);
    const people = await store.people();
    expect(people.map((p) => [p.name, p.role]).sort()).toEqual([['Ann', 'manager'], ['Bob', 'member']]);
    expect(await client.status()).toMatchObject({ state: 'synced', lastSyncAt: expect.any(Number), team, server: server.url });
    // Ann's device learns Bob's name from the log.
    await ann.client.pullOnce();
    expect((await ann.store.people()).map((p) => p.name).sort()).toEqual(['Ann', 'Bob']);
    // A second join is refused until leaving.
    await expect(client.join(server.url, 'X', 'Bob')).rejects.toThrow(/already in a team/);
  });

  it('pushes the outbox: acks become accepted ops with the server’s seq, refusals are kept with their reason', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann');
    const bob = await device(server, team, 'Bob');
    const t = thread('push');
    await bob.store.act({ type: 'claim', thread: t });
    await bob.client.pushOnce();
    await ann.store.act({ type: 'endorse', post: post('push', '1'), author: 'dora', viewer: null, note: 'Thanks' });
    await ann.store.act({ type: 'claim', thread: t });
    expect((await ann.store.outbox()).length).toBe(2);
    await ann.client.pushOnce();
    expect(await ann.store.outbox()).toEqual([]);
    const rejections = await ann.store.rejections();
    expect(rejections).toMatchObject([{ op: { type: 'claim' }, reason: 'Bob claimed this first', code: 'claim-held', detail: 'Bob' }]);
    // Others' ops came in between: the claim arrives by pull, in order; everything is applied once.
    const view = await ann.store.claimView(threadKey(t));
    expect(view).toMatchObject({ claim: { holder: bob.joined.member.id }, pending: false });
    const endorsements = await ann.store.endorsementsOf(post('push', '1'));
    expect(endorsements).toMatchObject([{ note: 'Thanks', pending: false, mine: true }]);
    expect(await ann.store.opCount()).toBe((await call(server, 'GET', '/v1/ops?after=0&limit=1000', { token: (await ann.store.getMeta<any>('team')).token })).body.ops.length);
  });

  it('gives up on a server that accepts the connection and never answers, saying so', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const store = await TendStore.open({ name: `tend-sync-client-${++n}` });
      await store.me();
      const client = new SyncClient({ store, requestTimeoutMs: 300 });
      clients.push(client);
      const started = Date.now();
      await expect(client.join(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, 'CODE', 'Ann')).rejects.toThrow('the team server did not answer within 300 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await client.team()).toBeNull();
    } finally {
      silent.close();
    }
  });

  it('carries a manager’s site description to the team, refuses one from a member, and keeps it validated', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann', 'manager');
    const bob = await device(server, team, 'Bob', 'member');
    const origin = 'https://bramble.example.net';
    const { brambleDescription } = await import('../fixtures/bramble/description');
    await ann.store.act({ type: 'site', origin, description: brambleDescription(origin) });
    await ann.client.pushOnce();
    await bob.client.pullOnce();
    expect(await bob.store.descriptionFor(origin)).toMatchObject({ source: 'team', description: { name: 'Bramble' } });
    // A member cannot: the server refuses, with a reason.
    await bob.store.act({ type: 'site', origin, description: { ...brambleDescription(origin), name: 'Mine now' } });
    await bob.client.pushOnce();
    expect((await bob.store.rejections())[0]).toMatchObject({ reason: /only a manager/, code: 'not-manager' });
    await ann.client.pullOnce();
    expect(await ann.store.descriptionFor(origin)).toMatchObject({ description: { name: 'Bramble' } });
    // Whatever a client sends, the server validates like the extension: no unsafe pattern gets in.
    const token = (await ann.store.getMeta<{ token: string }>('team'))!.token;
    const bad = op({ type: 'site', origin, description: { ...brambleDescription(origin), thread: { ...brambleDescription(origin).thread!, id: { from: 'url', pattern: '^(a+)+$' } } } } as never);
    const [result] = await push(server, token, [bad]);
    expect(result).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('pulls in pages, one transaction per page, with the cursor', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann', 'member', { pullLimit: 7 });
    const bob = await joinTeam(server, team, 'Bob');
    const ops = Array.from({ length: 40 }, (_, i) => op({ type: 'observe', thread: thread(`p${i % 9}`), fields: { replies: i } }));
    await push(server, bob.token, ops);
    await ann.client.pullOnce();
    const head = await server.store.teamSeq(ann.joined.team.id);
    expect(await ann.store.getMeta('cursor')).toBe(head);
    expect(await ann.store.opCount()).toBe(head);
    const [record] = await ann.store.threads([`${SITE} p4`]);
    expect(record?.observation?.fields.replies?.value).toBe(31);
    expect(ann.changes.length).toBeGreaterThanOrEqual(6);
  });

  it('follows the live socket while connected, and catches up after a reconnect', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann');
    const bob = await device(server, team, 'Bob');
    ann.client.connectLive();
    await waitUntil('live', () => ann.client.live);
    await bob.store.act({ type: 'endorse', post: post('live', '1'), author: 'dora', viewer: null, note: 'live!' });
    await bob.client.pushOnce();
    await waitUntil('the endorsement arrives live', async () => (await ann.store.endorsementsOf(post('live', '1'))).length === 1);
    expect(ann.changes.some((c: any) => c.posts.has(postKey(post('live', '1'))))).toBe(true);
    // The server goes away and comes back on the same port and database: the client reconnects.
    const port = server.port;
    await server.close();
    await waitUntil('disconnected', () => !ann.client.live);
    await bob.store.act({ type: 'observe', thread: thread('live'), fields: { title: 'while down' } });
    await expect(bob.client.pushOnce()).rejects.toThrow(/cannot reach/);
    expect(await bob.client.status()).toMatchObject({ state: 'offline' });
    server = await serve(backend.url, { port });
    await bob.client.pushOnce();
    await waitUntil('reconnected and caught up', async () => (await ann.store.threads([`${SITE} live`]))[0]?.observation?.fields.title?.value === 'while down', 10_000);
    expect(ann.client.live).toBe(true);
  });

  it('folds a manager’s handoff the server accepted even when this device does not know the manager yet', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann', 'manager');
    const bob = await device(server, team, 'Bob');
    const cat = await device(server, team, 'Cat');
    const t = thread('handoff');
    await bob.store.act({ type: 'claim', thread: t });
    await bob.client.pushOnce();
    // Cat's roster is stale: it does not know Ann is a manager.
    await cat.store.setPeople((await cat.store.people()).map((p) => ({ ...p, role: 'member' as const })));
    await ann.client.pullOnce();
    await ann.store.act({ type: 'handoff', thread: t, epoch: 1, to: cat.joined.member.id });
    await ann.client.pushOnce();
    await cat.client.pullOnce();
    expect((await cat.store.claimView(threadKey(t))).claim).toMatchObject({ holder: cat.joined.member.id, epoch: 2 });
  });

  it('after an erasure and compaction, a new device’s views equal an old device’s', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann', 'manager');
    const bob = await device(server, team, 'Bob');
    const posts = [post('erase', '1'), post('erase', '2')];
    const threads = [thread('erase'), thread('erase-2')];
    await bob.store.act({ type: 'member', handles: [{ site: SITE, handle: 'bobby' }] });
    await bob.store.act({ type: 'endorse', post: posts[0]!, author: 'dora', viewer: null, note: 'PRIVATE NOTE' });
    await bob.store.act({ type: 'endorse', post: posts[1]!, author: 'eve', viewer: null, note: 'another' });
    await bob.store.act({ type: 'observe', thread: threads[0]!, fields: { title: 'Build fails', replies: 3 } });
    await bob.store.act({ type: 'claim', thread: threads[1]! });
    await bob.client.pushOnce();
    await ann.store.act({ type: 'endorse', post: posts[0]!, author: 'dora', viewer: null, note: 'Ann agrees' });
    await ann.client.syncNow();
    // Bob asks for his data to be erased.
    const bobToken = (await bob.store.getMeta<any>('team')).token;
    expect((await call(server, 'DELETE', `/v1/members/${bob.joined.member.id}/data`, { token: bobToken })).status).toBe(200);
    await ann.client.syncNow();
    await ann.client.refreshTeam();
    const cat = await device(server, team, 'Cat');
    await ann.client.pullOnce();
    await ann.client.refreshTeam();
    const view = async (store: TendStore) => ({
      posts: Object.fromEntries([...(await store.endorsementsOfMany(posts))].map(([k, list]) => [k, list.map(({ actor, name, note }) => ({ actor, name, note }))])),
      threads: Object.fromEntries([...(await store.threadViews(threads.map(threadKey)))].map(([k, v]) => [k, { claim: v.claim ?? null, observation: v.record?.observation ?? null }])),
      people: (await store.people()).filter((p) => p.id !== cat.joined.member.id).sort((x, y) => x.id.localeCompare(y.id)),
    });
    const oldView = await view(ann.store);
    expect(await view(cat.store)).toEqual(oldView);
    expect(JSON.stringify(oldView)).not.toMatch(/PRIVATE NOTE|bobby/);
    expect(oldView.posts[postKey(posts[0]!)]).toEqual([{ actor: ann.joined.member.id, name: 'Ann', note: 'Ann agrees' }]);
    expect(oldView.threads[threadKey(threads[1]!)]!.claim).toMatchObject({ status: 'released' });
    expect(oldView.people.find((p) => p.id === bob.joined.member.id)).toMatchObject({ name: 'Former member', handles: [] });
  });

  it('loses nothing and duplicates nothing when the worker stops mid-push', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann');
    // The server commits the push, but the answer never reaches the worker (stopped).
    let cut = true;
    const store = ann.store;
    const dying = new SyncClient({
      store,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (cut && init?.method === 'POST' && String(input).endsWith('/v1/ops')) throw new Error('worker stopped');
        return res;
      },
    });
    await store.act({ type: 'claim', thread: thread('mid') });
    await store.act({ type: 'endorse', post: post('mid', '1'), author: 'dora', viewer: null });
    await expect(dying.pushOnce()).rejects.toThrow();
    dying.close();
    expect((await store.outbox()).length).toBe(2);
    // A new worker pushes again and gets the original acks.
    cut = false;
    const again = new SyncClient({ store });
    await again.pushOnce();
    await again.pullOnce();
    again.close();
    expect(await store.outbox()).toEqual([]);
    const log = (await call(server, 'GET', '/v1/ops?after=0&limit=1000', { token: (await store.getMeta<any>('team')).token })).body.ops;
    expect(log.filter((o: any) => o.type === 'claim')).toHaveLength(1);
    expect(await store.opCount()).toBe(log.length);
    expect((await store.claimView(`${SITE} mid`)).claim).toMatchObject({ holder: ann.joined.member.id, epoch: 1 });
  });

  it('turns removal into an error status and stops the live socket', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann', 'manager');
    const bob = await device(server, team, 'Bob');
    bob.client.connectLive();
    await waitUntil('live', () => bob.client.live);
    await call(server, 'DELETE', `/v1/members/${bob.joined.member.id}`, { token: (await ann.store.getMeta<any>('team')).token });
    await waitUntil('error status', async () => (await bob.client.status()).state === 'error');
    expect(bob.client.live).toBe(false);
    await bob.store.act({ type: 'observe', thread: thread('gone'), fields: { title: 'x' } });
    await expect(bob.client.pushOnce()).rejects.toThrow(/no longer signed in/);
    expect(await bob.client.status()).toMatchObject({ state: 'error', code: 'sync-auth', error: expect.stringMatching(/join again/) });
  });

  it('leaves: forgets the token on the server and the team’s data here, back to solo', async () => {
    const team = newTeam();
    const ann = await device(server, team, 'Ann');
    await ann.store.act({ type: 'observe', thread: thread('leave'), fields: { title: 'x' } });
    await ann.client.syncNow();
    const token = (await ann.store.getMeta<any>('team')).token;
    await ann.client.leave();
    expect(await ann.client.status()).toEqual({ state: 'solo', lastSyncAt: null });
    expect(await ann.store.teamMode()).toBe(false);
    expect(await ann.store.opCount()).toBe(0);
    expect((await call(server, 'GET', '/v1/team', { token })).status).toBe(401);
    // Solo again: actions are accepted locally.
    expect((await ann.store.act({ type: 'claim', thread: thread('solo') })).pending).toBe(false);
  });

  it('carries my solo endorsements into the team when joining', async () => {
    const store = await TendStore.open({ name: `tend-sync-client-${++n}` });
    await store.me();
    await store.act({ type: 'endorse', post: post('solo', '1'), author: 'dora', viewer: null, note: 'from solo days' });
    await store.act({ type: 'observe', thread: thread('solo'), fields: { title: 'private browsing history' } });
    const client = new SyncClient({ store });
    clients.push(client);
    const t = await server.store.resolveTeam(newTeam(), true);
    const joined = await client.join(server.url, (await server.store.createInvite(t.id, 'member')).code, 'Dee');
    expect(await store.outbox()).toEqual([]);
    const state = await server.store.state(t.id);
    expect([...state.endorsements.values()]).toMatchObject([{ actor: joined.member.id, note: 'from solo days' }]);
    expect(state.observations.size).toBe(0);
    expect(await store.endorsementsOf(post('solo', '1'))).toMatchObject([{ note: 'from solo days', pending: false, mine: true }]);
  });

  it('refuses a plain-http server that is not on this computer, and a bad code with the server’s reason', async () => {
    const store = await TendStore.open({ name: `tend-sync-client-${++n}` });
    const client = new SyncClient({ store, fetch: () => Promise.reject(new Error('no network in this test')) });
    await expect(client.join('http://tend.example.org', 'X', 'Eve')).rejects.toThrow(/https/);
    const real = new SyncClient({ store });
    await expect(real.join(server.url, 'WRONG-CODE', 'Eve')).rejects.toThrow(expect.objectContaining({ code: 'invite-invalid', message: expect.stringMatching(/not valid/) }));
    expect(await store.teamMode()).toBe(false);
  });
});
