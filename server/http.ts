/**
 * The Tend sync server: HTTP API + live WebSocket over one database. `startServer` is used
 * by the command line (server/main.ts), the tests and the benchmarks alike.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import * as v from 'valibot';
import { WebSocketServer } from 'ws';
import { describeIssues } from '../lib/domain';
import { openDb, parseDatabaseUrl, type Db, type Target } from './db';
import { ApiError } from './errors';
import { LiveHub, PgListener } from './live';
import { Metrics } from './metrics';
import { DEVICE_INVITE_TTL_MS, MAX_OPS_PER_PUSH, MAX_PULL_LIMIT, TeamStore, type Auth } from './team-store';

/** The sync protocol version this server speaks (header `Tend-Protocol`). */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOLS: readonly number[] = [1];
/** Largest request body. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once. */
  burst: number;
}

export interface ServerOptions {
  /** `DATABASE_URL` form; ignored when `db` is given. */
  databaseUrl?: string;
  /** An open database (the caller closes it). */
  db?: Db;
  port?: number;
  host?: string;
  /** Per-token limit on authenticated requests; `false` for none. Default 20/s, burst 60. */
  rateLimit?: RateLimit | false;
  /** Per-address limit on joins (invite guessing). Default 1/s, burst 30. */
  joinRateLimit?: RateLimit | false;
  maxBodyBytes?: number;
  /** How often to look for commits and revocations this instance was not told about. */
  pollMs?: number;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface TendServer {
  url: string;
  port: number;
  host: string;
  store: TeamStore;
  metrics: Metrics;
  live: LiveHub;
  db: Db;
  close(): Promise<void>;
}

class Buckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly limit: RateLimit) {}
  /** Takes one token; returns 0 when allowed, else milliseconds to wait. */
  take(key: string, now: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.prune(now);
      b = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.limit.perSecond) * 1000);
  }
  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 600_000) this.buckets.delete(k);
  }
}

const JoinBody = v.object({
  code: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'a name is needed'), v.maxLength(60, 'name is longer than 60 characters')),
});
const PushBody = v.object({ ops: v.pipe(v.array(v.unknown()), v.maxLength(MAX_OPS_PER_PUSH, `at most ${MAX_OPS_PER_PUSH} ops per push`)) });
const TeamPatch = v.object({
  leaseMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60_000, 'a lease is at least a minute'), v.maxValue(30 * 24 * 3_600_000, 'a lease is at most 30 days'))),
  name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(80))),
});
const InviteBody = v.object({ role: v.optional(v.picklist(['member', 'manager'])) });

function parse<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, body);
  if (!r.success) throw new ApiError(400, describeIssues(r.issues), 'invalid');
  return r.output;
}

interface Ctx {
  req: IncomingMessage;
  url: URL;
  params: string[];
  auth: Auth | undefined;
  body: unknown;
}

interface Route {
  method: string;
  path: RegExp;
  name: string;
  auth: boolean;
  handle: (ctx: Ctx) => Promise<unknown>;
}

/** Starts a server; resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<TendServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const target: Target = parseDatabaseUrl(options.databaseUrl);
  const ownDb = !options.db;
  const db = options.db ?? (await openDb(target, { poolSize: options.poolSize }));
  const metrics = new Metrics();
  const store = new TeamStore(db, { now: options.now });
  const live = new LiveHub(store, metrics);
  store.onEvent((e) => live.onEvent(e));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const tokenBuckets = options.rateLimit === false ? null : new Buckets(options.rateLimit ?? { perSecond: 20, burst: 60 });
  const joinBuckets = options.joinRateLimit === false ? null : new Buckets(options.joinRateLimit ?? { perSecond: 1, burst: 30 });
  const now = () => Date.now();

  let listener: PgListener | undefined;
  if (db.kind === 'postgres' && db.target.kind === 'postgres') {
    listener = new PgListener(db.target.url, (e) => live.onEvent(e), () => void live.poll().catch(() => undefined));
    await listener.start();
  }
  // Safety net and cross-process fan-out for SQLite (a `revoke` from the command line, say).
  let revokedCheck = now();
  const poll = async () => {
    await live.poll();
    const since = revokedCheck - 5_000;
    revokedCheck = now();
    for (const r of await store.revokedSince(since)) live.revoke(r.teamId, r.id);
  };
  const pollTimer = setInterval(() => void poll().catch(() => undefined), options.pollMs ?? (db.kind === 'sqlite' ? 1_000 : 5_000));
  pollTimer.unref?.();

  const requireManager = (ctx: Ctx) => {
    if (ctx.auth!.member.role !== 'manager') throw new ApiError(403, 'only a manager can do this', 'forbidden');
  };
  const teamOf = (ctx: Ctx) => ctx.auth!.member.teamId;
  const memberInTeam = async (ctx: Ctx, id: string) => {
    const m = await store.member(id);
    if (!m || m.teamId !== teamOf(ctx)) throw new ApiError(404, 'no such member in this team', 'not-found');
    return m;
  };

  const routes: Route[] = [
    {
      method: 'POST',
      path: /^\/v1\/join$/,
      name: 'join',
      auth: false,
      handle: async ({ body, req }) => {
        if (joinBuckets) {
          const wait = joinBuckets.take(`join ${req.socket.remoteAddress ?? ''}`, now());
          if (wait) throw new ApiError(429, 'too many attempts to join: wait a moment', 'rate-limited', { retryAfterMs: wait });
        }
        const { code, name } = parse(JoinBody, body);
        const r = await metrics.time('join', () => store.join(code, name));
        return { token: r.token, member: { id: r.member.id, name: r.member.name, role: r.member.role }, team: r.team };
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/ops$/,
      name: 'push',
      auth: true,
      handle: async (ctx) => {
        const { ops } = parse(PushBody, ctx.body);
        if (!ops.length) return { results: [] };
        const results = await metrics.time('push', () => store.push(ctx.auth!, ops));
        for (const r of results) {
          if (r.ok) metrics.inc('tend_ops_accepted_total');
          else metrics.inc('tend_ops_rejected_total', { code: r.code });
        }
        return { results };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/ops$/,
      name: 'pull',
      auth: true,
      handle: async (ctx) => {
        const after = intParam(ctx.url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
        const limit = intParam(ctx.url, 'limit', 500, 1, MAX_PULL_LIMIT);
        const page = await metrics.time('pull', () => store.pull(teamOf(ctx), after, limit));
        return new RawJson(`{"ops":[${page.rows.map((r) => r.body).join(',')}],"next":${page.next},"more":${page.more}}`);
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/team$/,
      name: 'team',
      auth: true,
      handle: async (ctx) => {
        const [team, members] = await Promise.all([store.team(teamOf(ctx)), store.roster(teamOf(ctx))]);
        const me = ctx.auth!.member;
        return { team, members, me: { id: me.id, name: me.name, role: me.role } };
      },
    },
    {
      method: 'PATCH',
      path: /^\/v1\/team$/,
      name: 'team-update',
      auth: true,
      handle: async (ctx) => {
        requireManager(ctx);
        return { team: await store.updateTeam(teamOf(ctx), parse(TeamPatch, ctx.body)) };
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/invites$/,
      name: 'invite',
      auth: true,
      handle: async (ctx) => {
        requireManager(ctx);
        const { role } = parse(InviteBody, ctx.body ?? {});
        return store.createInvite(teamOf(ctx), role ?? 'member');
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/devices$/,
      name: 'device',
      auth: true,
      handle: async (ctx) => store.createInvite(teamOf(ctx), ctx.auth!.member.role, { memberId: ctx.auth!.member.id, ttlMs: DEVICE_INVITE_TTL_MS }),
    },
    {
      method: 'DELETE',
      path: /^\/v1\/devices\/current$/,
      name: 'device-leave',
      auth: true,
      handle: async (ctx) => {
        await store.revokeToken(ctx.auth!.tokenHash);
        return { ok: true };
      },
    },
    {
      method: 'DELETE',
      path: /^\/v1\/members\/([A-Za-z0-9_-]{1,64})$/,
      name: 'revoke',
      auth: true,
      handle: async (ctx) => {
        const id = ctx.params[0]!;
        if (id !== ctx.auth!.member.id) requireManager(ctx);
        await memberInTeam(ctx, id);
        const r = await metrics.time('revoke', () => store.revoke(id));
        return { ok: true, ...r };
      },
    },
    {
      method: 'DELETE',
      path: /^\/v1\/members\/([A-Za-z0-9_-]{1,64})\/data$/,
      name: 'erase',
      auth: true,
      handle: async (ctx) => {
        const id = ctx.params[0]!;
        if (id !== ctx.auth!.member.id) requireManager(ctx);
        await memberInTeam(ctx, id);
        const r = await metrics.time('erase', () => store.erase(id));
        return { ok: true, ...r };
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/compact$/,
      name: 'compact',
      auth: true,
      handle: async (ctx) => {
        requireManager(ctx);
        return metrics.time('compact', () => store.compact(teamOf(ctx)));
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/live-ticket$/,
      name: 'live-ticket',
      auth: true,
      handle: async (ctx) => store.createTicket(ctx.auth!),
    },
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let routeName = 'unknown';
    let status = 500;
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Tend-Protocol');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'Tend-Protocol, Retry-After');
    res.setHeader('Access-Control-Max-Age', '600');
    res.setHeader('Tend-Protocol', String(PROTOCOL_VERSION));
    res.setHeader('Cache-Control', 'no-store');
    const reply = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      status = code;
      if (res.headersSent) return;
      const text = body instanceof RawJson ? body.text : JSON.stringify(body);
      res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      if (method === 'OPTIONS') {
        routeName = 'preflight';
        status = 204;
        res.writeHead(204).end();
        return;
      }
      if (url.pathname === '/healthz' && method === 'GET') {
        routeName = 'healthz';
        try {
          await metrics.time('health', () => store.teamSeq('-'));
          return reply(200, { ok: true, db: db.kind, protocol: PROTOCOL_VERSION, live: live.size });
        } catch (e) {
          return reply(503, { ok: false, error: `database unavailable: ${e instanceof Error ? e.message : String(e)}` });
        }
      }
      if (url.pathname === '/metrics' && method === 'GET') {
        routeName = 'metrics';
        status = 200;
        const text = metrics.render();
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
        return;
      }
      let params: string[] = [];
      const candidates = routes.filter((r) => {
        const m = r.path.exec(url.pathname);
        if (m) params = m.slice(1);
        return !!m;
      });
      const route = candidates.find((r) => r.method === method);
      if (!route) {
        if (candidates.length) return reply(405, { error: `${method} is not allowed here`, code: 'method' }, { Allow: candidates.map((r) => r.method).join(', ') });
        return reply(404, { error: 'no such endpoint', code: 'not-found' });
      }
      routeName = route.name;
      const header = req.headers['tend-protocol'];
      const version = Number(Array.isArray(header) ? header[0] : header);
      if (!SUPPORTED_PROTOCOLS.includes(version)) {
        req.resume();
        const said = header === undefined ? 'no protocol version' : `protocol ${String(header).slice(0, 10)}`;
        return reply(426, {
          error: `update Tend: this server speaks Tend protocol ${SUPPORTED_PROTOCOLS.join(', ')} and the request carried ${said}`,
          code: 'protocol',
          supported: SUPPORTED_PROTOCOLS,
        });
      }
      let auth: Auth | undefined;
      if (route.auth) {
        const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        auth = m ? await metrics.time('auth', () => store.authenticate(m[1]!)) : undefined;
        if (!auth) {
          req.resume();
          return reply(401, { error: 'not signed in to this team (the token is unknown or this member was removed)', code: 'unauthorized' });
        }
        if (tokenBuckets) {
          const wait = tokenBuckets.take(auth.tokenHash, now());
          if (wait) {
            req.resume();
            return reply(429, { error: 'too many requests: slow down', code: 'rate-limited', retryAfterMs: wait }, { 'Retry-After': String(Math.ceil(wait / 1000)) });
          }
        }
      }
      const body = method === 'POST' || method === 'PATCH' ? await readJson(req, maxBody) : undefined;
      const result = await route.handle({ req, url, params, auth, body });
      return reply(200, result);
    } catch (e) {
      if (e instanceof ApiError) {
        const headers: Record<string, string> = typeof e.extra.retryAfterMs === 'number' ? { 'Retry-After': String(Math.ceil(e.extra.retryAfterMs / 1000)) } : {};
        if (e.status === 413) headers.Connection = 'close';
        return reply(e.status, { error: e.message, code: e.code, ...e.extra }, headers);
      }
      log(`tend: ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return reply(500, { error: 'the server failed; try again later', code: 'internal' });
    } finally {
      metrics.inc('tend_http_requests_total', { route: routeName, status: String(status) });
      metrics.observe('tend_http_seconds', { route: routeName }, (performance.now() - started) / 1000);
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (code: number, text: string) => {
      socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    };
    socket.on('error', () => undefined);
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/v1/live') return refuse(404, 'Not Found');
      const protocol = url.searchParams.get('protocol');
      if (protocol !== null && !SUPPORTED_PROTOCOLS.includes(Number(protocol))) return refuse(426, 'Upgrade Required');
      const after = intParam(url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
      const member = await store.useTicket(url.searchParams.get('ticket') ?? '');
      if (!member) return refuse(401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => live.attach(ws, member, after));
    } catch (e) {
      refuse(e instanceof ApiError ? e.status : 500, e instanceof ApiError ? e.message : 'Internal Server Error');
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('upgrade', (req, socket, head) => void upgrade(req, socket, head));
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8787);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    store,
    metrics,
    live,
    db,
    close: () =>
      (closing ??= (async () => {
        clearInterval(pollTimer);
        live.close();
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await listener?.close();
        if (ownDb) await db.close();
      })()),
  };
}

/** A reply body that is JSON text already (pulls concatenate stored ops). */
class RawJson {
  constructor(readonly text: string) {}
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,16}$/.test(raw)) throw new ApiError(400, `${name} must be a whole number`, 'invalid');
  const n = Number(raw);
  if (n < min || n > max) throw new ApiError(400, `${name} must be between ${min} and ${max}`, 'invalid');
  return n;
}

/** Reads a JSON body up to `limit` bytes; too large → 413, not JSON → 400. */
function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () => new ApiError(413, `request body is larger than ${limit} bytes`, 'too-large');
  const declared = Number(req.headers['content-length'] ?? NaN);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      // Keep reading (and dropping) a moderately oversized body so the 413 reaches the
      // client; a far larger one is cut off.
      if (over) {
        chunks.length = 0;
        if (size > limit * 8) {
          reject(tooLarge());
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (over) return reject(tooLarge());
      if (!size) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new ApiError(400, 'request body is not JSON', 'invalid'));
      }
    });
  });
}
