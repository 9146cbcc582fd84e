/**
 * The server fuzzer, on both databases: 10,000 seeded random requests (valid, mutated and
 * malformed ops; hostile names; wrong methods, paths, headers and bodies; raw malformed
 * request lines), a few at a time. Afterwards: no answer was a 5xx, everything stored is
 * valid, the log has no gaps, and the server still serves. Bounded by count and by time.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isSafeName, parseOp } from '../../lib/domain';
import type { TendServer } from '../../server/http';
import { prng } from '../helpers/prng';
import { backendCases, describeBackends, call, joinTeam, op, post, pullAll, rawHttp, serve, SITE, thread, type Backend, type Joined } from './helpers';

const REQUESTS = 10_000;
const CONCURRENCY = 12;
const TIME_LIMIT_MS = 150_000;
const SEED = 0x7e4d;

const cases = await backendCases();

/** Percent-encodes anything, lone surrogates included (as the bytes a careless client would send). */
const encode = (s: string) => s.replace(/[\ud800-\udfff]/g, '\ufffd').split('').map((ch) => encodeURIComponent(ch)).join('').replace(/%EF%BF%BD/g, '%ED%A0%80');

const NASTY = ['\u0000', '\ud800', '\udc00', '\u202e', '\u2067', '\u0007', '\r\n', '"', '\\', '{holder}', '😀', '%00', '../', '<script>', ' ', ''];

describeBackends('server fuzzer', cases, (c) => {
  let backend: Backend;
  let server: TendServer;
  const serverLog: string[] = [];
  beforeAll(async () => {
    backend = await c.make();
    server = await serve(backend.url, { log: (line) => serverLog.push(line) });
  });
  afterAll(async () => {
    await server?.close();
    await backend?.drop();
  });

  it(`answers ${REQUESTS} random requests without a 5xx and stores only valid data`, async () => {
    const random = prng(SEED);
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const chance = (p: number) => random() < p;
    const ann = await joinTeam(server, 'fuzz', 'Ann', 'manager');
    const members: Joined[] = [ann, await joinTeam(server, 'fuzz', 'Bob'), await joinTeam(server, 'fuzz', 'Cat')];
    const sentIds: string[] = [];

    const text = (): string => {
      const parts = Array.from({ length: 1 + int(6) }, () => (chance(0.5) ? pick(NASTY) : pick(['a', 'Bo', 'x y', 'Z9', 'é'])));
      return chance(0.02) ? 'x'.repeat(400) : parts.join('');
    };
    const anything = (depth = 0): unknown => {
      switch (int(depth > 2 ? 5 : 8)) {
        case 0:
          return text();
        case 1:
          return pick([0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, 7]);
        case 2:
          return pick([true, false, null]);
        case 3:
          return pick(['claim', 'endorse', 'observe', 'member', 'handoff', 'nonsense']);
        case 4:
          return sentIds.length ? pick(sentIds) : 'x';
        case 5:
          return Array.from({ length: int(4) }, () => anything(depth + 1));
        default:
          return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['type', 'thread', 'post', 'fields', 'name', 'handles', 'epoch', 'to', 'v', 'id', 'hlc', text()]), anything(depth + 1)]));
      }
    };
    const validOp = () => {
      const t = thread(`f${int(40)}`);
      switch (int(7)) {
        case 0:
          return op({ type: 'claim', thread: t });
        case 1:
          return op({ type: pick(['renew', 'release', 'resolve'] as const), thread: t, epoch: int(5) });
        case 2:
          return op({ type: 'handoff', thread: t, epoch: int(5), to: pick(members).member.id });
        case 3:
          return op({ type: 'endorse', post: post(t.threadId, String(int(5))), author: pick(['dora', 'ed', text()]), viewer: pick([null, 'dora', 'me']), note: chance(0.5) ? text() : undefined });
        case 4:
          return op({ type: 'retract', post: post(t.threadId, String(int(5))) });
        case 5:
          return op({ type: 'observe', thread: t, fields: { title: text(), replies: int(9), answered: chance(0.5), tags: [text()] } });
        default:
          return op({ type: 'member', ...(chance(0.5) ? { name: text() } : {}), ...(chance(0.5) ? { handles: [{ site: SITE, handle: pick(['dora', 'ed', text()]) }] } : {}) });
      }
    };
    const mutated = () => {
      const o: Record<string, unknown> = { ...validOp() };
      for (let i = 0, n = 1 + int(3); i < n; i++) {
        const key = pick([...Object.keys(o), 'extra', 'fields', 'thread']);
        if (chance(0.3)) delete o[key];
        else o[key] = anything();
      }
      return o;
    };
    const ops = () =>
      Array.from({ length: 1 + int(20) }, () => {
        const r = random();
        const o = r < 0.5 ? validOp() : r < 0.85 ? mutated() : r < 0.95 && sentIds.length ? { ...validOp(), id: pick(sentIds) } : anything();
        if (o && typeof o === 'object' && typeof (o as { id?: unknown }).id === 'string') sentIds.push((o as { id: string }).id);
        if (sentIds.length > 2_000) sentIds.splice(0, 1_000);
        return o;
      });
    const RAW = [
      'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/ops?after=%zz HTTP/1.1\r\nHost: x\r\nTend-Protocol: 1\r\n\r\n',
      'POST /v1/ops HTTP/1.1\r\nHost: x\r\nTend-Protocol: 1\r\nContent-Length: 5\r\n\r\n{"op',
      'POST /v1/join HTTP/1.1\r\nHost: x\r\nTend-Protocol: 1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n{}x',
      'POST /v1/join HTTP/1.1\r\nHost: x\r\nTend-Protocol: 1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n',
      'DELETE /v1/members/%2e%2e HTTP/1.1\r\nHost: x\r\nTend-Protocol: 1\r\n\r\n',
      '\u0000\u0001\u0002 garbage\r\n\r\n',
      'GET /v1/live?ticket=x&after=-1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ];

    const request = async (): Promise<number> => {
      const who = pick(members);
      const token = chance(0.05) ? pick(['tend_nope', '', 'x'.repeat(300)]) : who.token;
      const protocol = chance(0.03) ? pick([null, '0', '2', 'x']) : '1';
      const r = random();
      if (r < 0.03) return (await rawHttp(server, pick(RAW), 2_000, { statusOnly: true })).status;
      if (r < 0.55) return (await call(server, 'POST', '/v1/ops', { token, protocol, body: chance(0.9) ? { ops: ops() } : anything() })).status;
      if (r < 0.65) return (await call(server, 'GET', `/v1/ops?after=${pick(['0', String(int(500)), '-1', 'x', '1e3', ''])}&limit=${pick(['1', '1000', '1001', '0', 'q'])}`, { token, protocol })).status;
      if (r < 0.72) return (await call(server, 'POST', '/v1/join', { protocol, body: chance(0.8) ? { code: pick(['AAAA-BBBB', text(), '']), name: text() } : anything() })).status;
      if (r < 0.78) return (await call(server, 'GET', '/v1/team', { token, protocol })).status;
      if (r < 0.82) return (await call(server, 'PATCH', '/v1/team', { token: chance(0.5) ? ann.token : token, protocol, body: chance(0.5) ? { name: text(), leaseMs: pick([60_000, 3_600_000, -5, 'x']) } : anything() })).status;
      if (r < 0.85) return (await call(server, 'POST', '/v1/handles', { token: chance(0.5) ? ann.token : token, protocol, body: { site: pick([SITE, text()]), handle: text(), member: pick([null, who.member.id, text()]) } })).status;
      if (r < 0.88) return (await call(server, 'POST', pick(['/v1/invites', '/v1/devices', '/v1/live-ticket']), { token, protocol, body: chance(0.5) ? anything() : undefined })).status;
      if (r < 0.9) return (await call(server, 'DELETE', `/v1/members/${encode(pick(['nobody', text(), 'a'.repeat(70)]))}${pick(['', '/data'])}`, { token, protocol })).status;
      const method = pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
      const pathname = pick(['/', '/v1', '/v1/', '/v1/ops/', '/v1/join', '/v1/team/x', '/metrics', '/healthz', '/v1/live', `/${encode(text())}`]);
      const raw = chance(0.5) ? pick(['[', '{"a":', '"x"', '1', 'null', '[' .repeat(5_000), JSON.stringify(anything())]) : undefined;
      return (await call(server, method, pathname, { token, protocol, raw: method === 'GET' || method === 'HEAD' ? undefined : raw })).status;
    };

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let done = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (done < REQUESTS && performance.now() - started < TIME_LIMIT_MS) {
          done += 1;
          const status = await request().catch((e: unknown) => {
            failures.push(String(e));
            return -1;
          });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const fiveHundreds = [...statuses].filter(([s]) => s >= 500).reduce((n, [, k]) => n + k, 0);
    console.log(`[tend] fuzzer on ${c.name}: ${done} requests in ${Math.round(performance.now() - started)} ms, ${fiveHundreds} answers of 5xx; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(serverLog.slice(0, 3)).toEqual([]);
    expect(done).toBeGreaterThanOrEqual(REQUESTS);
    expect(fiveHundreds).toBe(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(REQUESTS / 10);

    // Still serving, and everything stored is valid.
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
    const log = await pullAll(server, ann.token);
    expect(log.length).toBeGreaterThan(100);
    expect(log.filter((o) => !parseOp(o).ok)).toEqual([]);
    expect(log.map((o) => o.seq)).toEqual(log.map((_, i) => i + 1));
    const team = (await call(server, 'GET', '/v1/team', { token: ann.token })).body;
    for (const m of team.members) {
      expect(isSafeName(m.name), JSON.stringify(m.name)).toBe(true);
      for (const h of m.handles) expect(isSafeName(h.handle), JSON.stringify(h)).toBe(true);
    }
    expect(isSafeName(team.team.name)).toBe(true);
    const state = await server.store.state(ann.team.id);
    for (const cl of state.claims.values()) expect(['active', 'released', 'resolved']).toContain(cl.status);
  }, TIME_LIMIT_MS + 60_000);
});
