/**
 * The server under abuse, on both databases: one member with many devices, invite guessing
 * behind a proxy, bodies that lie about their length or never finish, refusals piling up,
 * malformed request lines, metrics asked for from outside, and what erasure leaves behind.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TendServer } from '../../server/http';
import { MAX_REJECTIONS_PER_MEMBER } from '../../server/team-store';
import { backendCases, describeBackends, call, joinTeam, op, post, pullAll, push, rawHttp, serve, thread, type Backend } from './helpers';

const cases = await backendCases();

describeBackends('abuse', cases, (c) => {
  let backend: Backend;
  let server: TendServer;
  const others: TendServer[] = [];
  /** Another server on the same database, with other settings. */
  const another = async (options: Parameters<typeof serve>[1]) => {
    const s = await serve(backend.url, options);
    others.push(s);
    return s;
  };
  beforeAll(async () => {
    backend = await c.make();
    server = await serve(backend.url);
  });
  afterAll(async () => {
    for (const s of others) await s.close();
    await server?.close();
    await backend?.drop();
  });

  it('caps a member’s devices and holds all of them to one allowance', async () => {
    const limited = await another({ rateLimit: { perSecond: 5, burst: 10 }, maxDevices: 4 });
    const bob = await joinTeam(limited, 'devices', 'Bob');
    const tokens = [bob.token];
    for (let i = 0; i < 3; i++) {
      const d = await call(limited, 'POST', '/v1/devices', { token: bob.token });
      expect(d.status).toBe(200);
      tokens.push((await call(limited, 'POST', '/v1/join', { body: { code: d.body.code, name: 'Bob' } })).body.token);
    }
    expect(tokens.every(Boolean)).toBe(true);
    // A fifth device is refused, whether asked for or joined with a code made earlier.
    await new Promise((r) => setTimeout(r, 2_100));
    const fifth = await call(limited, 'POST', '/v1/devices', { token: bob.token });
    expect(fifth).toMatchObject({ status: 409, body: { code: 'too-many-devices' } });
    const early = await limited.store.createInvite(bob.team.id, 'member', { memberId: bob.member.id });
    expect((await call(limited, 'POST', '/v1/join', { body: { code: early.code, name: 'Bob' } })).status).toBe(409);
    // 100 requests at once from four devices: one member's allowance, not four.
    await new Promise((r) => setTimeout(r, 2_100));
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => call(limited, 'GET', '/v1/team', { token: tokens[i % tokens.length] }).then((r) => r.status)));
    const windows = Math.ceil((performance.now() - started) / 2_000) + 1;
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThanOrEqual(10 * windows);
    expect(statuses.filter((s) => s === 429).length).toBe(100 - ok);
    // Leaving on one device makes room for another.
    expect((await call(limited, 'DELETE', '/v1/devices/current', { token: tokens[3] })).status).not.toBe(500);
  });

  it('limits joins per client: by socket address, or by the forwarded one only from a trusted proxy', async () => {
    const direct = await another({ joinRateLimit: { perSecond: 0.5, burst: 2 } });
    const proxied = await another({ joinRateLimit: { perSecond: 0.5, burst: 2 }, trustProxy: ['127.0.0.1'] });
    const team = await server.store.resolveTeam('joins', true);
    const wrong = (s: TendServer, from: string) => call(s, 'POST', '/v1/join', { body: { code: 'WRONG-CODE', name: 'Eve' }, headers: { 'X-Forwarded-For': from } });
    const real = async (s: TendServer, from: string) => {
      const { code } = await s.store.createInvite(team.id, 'member');
      return call(s, 'POST', '/v1/join', { body: { code, name: 'Dan' }, headers: { 'X-Forwarded-For': from } });
    };
    // Behind a trusted proxy, a guesser's bucket is their own.
    expect([(await wrong(proxied, '203.0.113.7')).status, (await wrong(proxied, '203.0.113.7')).status, (await wrong(proxied, '203.0.113.7')).status]).toEqual([403, 403, 429]);
    expect((await real(proxied, '198.51.100.4')).status).toBe(200);
    // Without trust, the header counts for nothing: a guesser cannot escape the bucket by inventing addresses.
    expect((await wrong(direct, '203.0.113.7')).status).toBe(403);
    expect((await wrong(direct, '203.0.113.8')).status).toBe(403);
    const limited = await wrong(direct, '203.0.113.9');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate-limited' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('answers a declared oversized body with 413 at once, and cuts off a slow body within seconds', async () => {
    const quick = await another({ requestTimeoutMs: 1_500 });
    const bob = await joinTeam(quick, 'bodies', 'Bob');
    const head = (length: number) =>
      `POST /v1/ops HTTP/1.1\r\nHost: x\r\nTend-Protocol: 1\r\nAuthorization: Bearer ${bob.token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const big = await rawHttp(quick, head(100 * 1024 * 1024) + '{"ops":[]}', 5_000);
    expect(big.status).toBe(413);
    expect(big.ms).toBeLessThan(1_000);
    expect(big.text).toMatch(/"code":"too-large"/);
    const slow = await rawHttp(quick, head(100) + '{"ops":', 8_000);
    expect(slow.status).toBe(408);
    expect(slow.ms).toBeLessThan(4_000);
    // The server still serves.
    expect((await call(quick, 'GET', '/healthz')).status).toBe(200);
  });

  it('answers malformed request lines with 4xx, never 5xx', async () => {
    for (const target of ['http://[', 'http://[::1', '*', '//v1/ops', '/v1/ops?after=%', '/v1/ops?after=%zz', '/%', '/v1/members/%ff', '/v1/live?ticket=%']) {
      const r = await rawHttp(server, `GET ${target} HTTP/1.1\r\nHost: x\r\nTend-Protocol: 1\r\nConnection: close\r\n\r\n`, 5_000);
      expect(r.status, target).toBeGreaterThanOrEqual(400);
      expect(r.status, target).toBeLessThan(500);
    }
  });

  it('reads bodies as JSON whatever their content type, and refuses __proto__ keys', async () => {
    const bob = await joinTeam(server, 'bodies-json', 'Bob');
    const good = op({ type: 'claim', thread: thread('json') });
    const plain = await call(server, 'POST', '/v1/ops', { token: bob.token, raw: JSON.stringify({ ops: [good] }), headers: { 'Content-Type': 'text/plain' } });
    expect(plain.body.results[0]).toMatchObject({ ok: true });
    for (const type of ['application/json', 'text/plain']) {
      const polluted = `{"ops":[{"__proto__":{"admin":true},"v":1,"id":"${op({ type: 'claim', thread: thread('p') }).id}"}]}`;
      const r = await call(server, 'POST', '/v1/ops', { token: bob.token, raw: polluted, headers: { 'Content-Type': type } });
      expect(r.status, type).toBeLessThan(500);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
      if (r.status === 200) expect(r.body.results[0]).toMatchObject({ ok: false, code: 'invalid' });
    }
  });

  it('keeps at most a bounded number of refusals per member, and still repeats the recent ones', async () => {
    const bob = await joinTeam(server, 'refusals', 'Bob');
    let last: unknown[] = [];
    for (let round = 0; round < 3; round++) {
      last = Array.from({ length: 500 }, (_, i) => op({ type: 'endorse', post: post(`r${round}`, String(i)), author: 'me', viewer: 'me' }));
      const results = await push(server, bob.token, last);
      expect(results.every((r) => r.code === 'self-endorsement')).toBe(true);
    }
    const stored = await server.store.db.q
      .selectFrom('rejections')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('actor', '=', bob.member.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(MAX_REJECTIONS_PER_MEMBER);
    const again = await push(server, bob.token, last.slice(0, 5));
    expect(again.map((r) => r.code)).toEqual(Array(5).fill('self-endorsement'));
  });

  it('serves /metrics only to allowed addresses, as resolved through trusted proxies', async () => {
    expect((await call(server, 'GET', '/metrics')).status).toBe(200);
    const proxied = await another({ trustProxy: ['127.0.0.1'] });
    const outside = await call(proxied, 'GET', '/metrics', { headers: { 'X-Forwarded-For': '203.0.113.50' } });
    expect(outside.status).toBe(403);
    expect(String(outside.body.error ?? outside.body)).not.toMatch(/tend_/);
    const none = await another({ metricsAllow: [] });
    expect((await call(none, 'GET', '/metrics')).status).toBe(403);
  });

  it('erases everything that carries the member’s name or handles, refusal reasons included', async () => {
    const ann = await joinTeam(server, 'erasure', 'Ann', 'manager');
    const bob = await joinTeam(server, 'erasure', 'Bobbington');
    const cat = await joinTeam(server, 'erasure', 'Cat');
    await push(server, bob.token, [op({ type: 'member', handles: [{ site: 'https://forum.example.test', handle: 'bobbington-handle' }] }), op({ type: 'claim', thread: thread('e1') })]);
    const taken = op({ type: 'claim', thread: thread('e1') });
    const [refused] = await push(server, cat.token, [taken]);
    expect(refused.reason).toContain('Bobbington');
    const disputed = op({ type: 'member', handles: [{ site: 'https://forum.example.test', handle: 'bobbington-handle' }] });
    expect((await push(server, cat.token, [disputed]))[0].code).toBe('handle-disputed');
    expect((await call(server, 'DELETE', `/v1/members/${bob.member.id}/data`, { token: ann.token })).status).toBe(200);
    // Cat's repeated push no longer reads "Bobbington …"; the roster, disputes and log carry neither name nor handle.
    const repeated = await push(server, cat.token, [taken]);
    expect(JSON.stringify(repeated)).not.toMatch(/bobbington/i);
    const team = (await call(server, 'GET', '/v1/team', { token: ann.token })).body;
    expect(JSON.stringify(team)).not.toMatch(/bobbington/i);
    expect(JSON.stringify(await pullAll(server, ann.token))).not.toMatch(/bobbington/i);
    const rows = await server.store.db.q.selectFrom('rejections').select(['reason', 'holder']).execute();
    expect(rows.filter((r) => r.holder === bob.member.id || /bobbington/i.test(r.reason))).toEqual([]);
    expect(await server.store.db.q.selectFrom('handle_disputes').selectAll().where('team_id', '=', bob.team.id).execute()).toEqual([]);
    expect((await server.store.db.q.selectFrom('members').select('name').where('id', '=', bob.member.id).executeTakeFirstOrThrow()).name).toBe('Former member');
  });
});
