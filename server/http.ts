/**
 * The Tend sync server: HTTP API + live WebSocket over one database, on Fastify. Body
 * limits, CORS, rate limits, forwarded addresses and the WebSocket upgrade come from
 * Fastify and its plugins' configuration; this file holds the routes and what they check.
 * `startServer` is used by the command line (server/main.ts), the tests and the benchmarks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import * as v from 'valibot';
import { describeIssues, MemberIdSchema, NameSchema } from '../lib/domain';
import { openDb, parseDatabaseUrl, type Db, type Target } from './db';
import { ApiError } from './errors';
import { LiveHub, PgListener } from './live';
import { Metrics } from './metrics';
import { addressMatcher, type RateLimit, type SqliteSync } from './settings';
import { DEFAULT_MAX_DEVICES, DEVICE_INVITE_TTL_MS, MAX_OPS_PER_PUSH, MAX_PULL_LIMIT, TeamStore, type Auth, type Member } from './team-store';

export type { RateLimit } from './settings';

/** The sync protocol version this server speaks (header `Tend-Protocol`). */
export const PROTOCOL_VERSION = 1;
/** Protocol versions this server answers. */
export const SUPPORTED_PROTOCOLS: readonly number[] = [1];
/** Largest request body. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How long a request may take to arrive, headers and body: a slow sender is cut off after this. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Default per-member allowance. */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 20, burst: 60 };
/** Default per-address allowance for joins (invite guessing). */
export const DEFAULT_JOIN_RATE_LIMIT: RateLimit = { perSecond: 1, burst: 30 };
/** Who may read `/metrics` unless configured: this machine only. */
export const DEFAULT_METRICS_ALLOW = ['127.0.0.0/8', '::1/128'];

/** How `startServer` runs. */
export interface ServerOptions {
  /** `DATABASE_URL` form; ignored when `db` is given. */
  databaseUrl?: string;
  /** An open database (the caller closes it). */
  db?: Db;
  port?: number;
  host?: string;
  /** Per-member limit on authenticated requests (all of a member's devices together); `false` for none. */
  rateLimit?: RateLimit | false;
  /** Per-client-address limit on joins (invite guessing); `false` for none. */
  joinRateLimit?: RateLimit | false;
  /**
   * Addresses and CIDR ranges of reverse proxies whose `X-Forwarded-For` names the client.
   * Unset or empty: the socket's address is the client's, whatever headers say.
   */
  trustProxy?: readonly string[];
  /** Addresses and CIDR ranges that may read `/metrics` (after forwarded addresses are resolved). */
  metricsAllow?: readonly string[];
  /** Most devices (tokens) one member may have at once. */
  maxDevices?: number;
  maxBodyBytes?: number;
  /** How long a request may take to arrive; slower ones get 408 and are closed. */
  requestTimeoutMs?: number;
  /** How often to look for commits and revocations this instance was not told about. */
  pollMs?: number;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** SQLite's sync mode (see `TEND_SQLITE_SYNC`). */
  sqliteSync?: SqliteSync;
  now?: () => number;
  log?: (line: string) => void;
}

/** A running server and its parts. */
export interface TendServer {
  url: string;
  port: number;
  host: string;
  store: TeamStore;
  metrics: Metrics;
  live: LiveHub;
  db: Db;
  app: FastifyInstance;
  close(): Promise<void>;
}

const JoinBody = v.object({
  code: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  name: NameSchema(60),
});
const PushBody = v.object({ ops: v.pipe(v.array(v.unknown()), v.maxLength(MAX_OPS_PER_PUSH, `at most ${MAX_OPS_PER_PUSH} ops per push`)) });
const TeamPatch = v.object({
  leaseMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60_000, 'a lease is at least a minute'), v.maxValue(30 * 24 * 3_600_000, 'a lease is at most 30 days'))),
  name: v.optional(NameSchema(80)),
});
const InviteBody = v.object({ role: v.optional(v.picklist(['member', 'manager'])) });
const HandleBody = v.object({
  site: v.string(),
  handle: v.string(),
  /** The member the handle belongs to; null when it belongs to nobody in the team. */
  member: v.nullable(MemberIdSchema),
});

function parse<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, body);
  if (!r.success) throw new ApiError(400, describeIssues(r.issues), 'invalid');
  return r.output;
}

/** A reply body that is JSON text already (pulls concatenate stored ops). */
class RawJson {
  constructor(readonly text: string) {}
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent an authenticated request (set by the auth hook). */
    auth?: Auth;
    /** The member a live ticket belonged to. */
    liveMember?: Member;
  }
  interface FastifyContextConfig {
    /** The route's name in metrics. */
    name?: string;
  }
}

/** A rate limit as the plugin counts: `burst` requests per `burst / perSecond` seconds. */
const windowOf = (limit: RateLimit) => ({ max: limit.burst, timeWindow: Math.max(1, Math.round((limit.burst / limit.perSecond) * 1000)) });

/** Starts a server; resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<TendServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const target: Target = parseDatabaseUrl(options.databaseUrl);
  const ownDb = !options.db;
  const db = options.db ?? (await openDb(target, { poolSize: options.poolSize, sqliteSync: options.sqliteSync }));
  const metrics = new Metrics();
  const store = new TeamStore(db, { now: options.now, maxDevices: options.maxDevices ?? DEFAULT_MAX_DEVICES });
  const live = new LiveHub(store, metrics);
  store.onEvent((e) => live.onEvent(e));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const memberLimit = options.rateLimit === false ? null : (options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const joinLimit = options.joinRateLimit === false ? null : (options.joinRateLimit ?? DEFAULT_JOIN_RATE_LIMIT);
  const mayReadMetrics = addressMatcher(options.metricsAllow ?? DEFAULT_METRICS_ALLOW);

  let listener: PgListener | undefined;
  if (db.kind === 'postgres' && db.target.kind === 'postgres') {
    listener = new PgListener(db.target.url, (e) => live.onEvent(e), () => void live.poll().catch(() => undefined));
    await listener.start();
  }
  // Safety net and cross-process fan-out for SQLite (a `revoke` from the command line, say).
  let revokedCheck = Date.now();
  const poll = async () => {
    await live.poll();
    const since = revokedCheck - 5_000;
    revokedCheck = Date.now();
    for (const r of await store.revokedSince(since)) live.revoke(r.teamId, r.id);
  };
  const pollTimer = setInterval(() => void poll().catch(() => undefined), options.pollMs ?? (db.kind === 'sqlite' ? 1_000 : 5_000));
  pollTimer.unref?.();

  const app = Fastify({
    bodyLimit: maxBody,
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    // Node checks request deadlines on an interval (30 s by default): check every second, so
    // a slow body is cut off close to its deadline.
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      createServer({ requestTimeout, headersTimeout: Math.min(requestTimeout, 10_000), connectionsCheckingInterval: 1_000, keepAliveTimeout: 65_000 }, handler),
    routerOptions: { ignoreTrailingSlash: false },
    return503OnClosing: true,
    forceCloseConnections: true,
    logger: false,
  });

  // JSON bodies go through Fastify's own parser (which refuses `__proto__` keys); a body
  // with another content type, or none, is read as JSON too, the same way.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => {
    const s = String(text);
    if (!s) return done(null, undefined);
    try {
      done(null, JSON.parse(s, (key, value: unknown) => (key === '__proto__' ? undefined : value)));
    } catch {
      done(new ApiError(400, 'request body is not JSON', 'invalid'), undefined);
    }
  });

  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Tend-Protocol'],
    exposedHeaders: ['Tend-Protocol', 'Retry-After'],
    maxAge: 600,
  });
  // Counted after authentication (preParsing runs after the routes' onRequest hooks) and
  // before the body is read, so the allowance is per member and a limited request costs little.
  // Every authenticated route shares the one store (per-route settings would each get their own).
  await app.register(rateLimit, {
    global: !!memberLimit,
    ...(memberLimit ? windowOf(memberLimit) : {}),
    keyGenerator: (req: FastifyRequest) => `member ${req.auth?.member.id ?? req.ip}`,
    hook: 'preParsing',
    errorResponseBuilder: (_req, context) => ({ statusCode: 429, code: 'rate-limited', error: 'too many requests: slow down', retryAfterMs: context.ttl }),
  });
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });

  app.addHook('onRequest', async (_req, reply) => {
    reply.header('Tend-Protocol', String(PROTOCOL_VERSION));
    reply.header('Cache-Control', 'no-store');
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.config?.name ?? (req.method === 'OPTIONS' ? 'preflight' : 'unknown');
    metrics.httpRequests.inc({ route, status: String(reply.statusCode) });
    metrics.httpSeconds.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: unknown, req, reply) => {
    const e = error as { statusCode?: number; code?: string; message?: string; retryAfterMs?: number; error?: string };
    if (error instanceof ApiError) {
      if (typeof error.extra.retryAfterMs === 'number') reply.header('Retry-After', String(Math.ceil(error.extra.retryAfterMs / 1000)));
      if (error.status === 413) reply.header('Connection', 'close');
      return reply.code(error.status).send({ error: error.message, code: error.code, ...error.extra });
    }
    const status = e.statusCode ?? 500;
    if (status === 429) return reply.code(429).send({ error: e.error ?? 'too many requests: slow down', code: 'rate-limited', retryAfterMs: e.retryAfterMs });
    if (status === 413) {
      // Nothing more of this body is read: the connection goes, so it cannot be held open.
      reply.header('Connection', 'close');
      return reply.code(413).send({ error: `request body is larger than ${maxBody} bytes`, code: 'too-large' });
    }
    if (status >= 400 && status < 500) {
      const code = status === 415 ? 'unsupported' : status === 408 ? 'timeout' : 'invalid';
      return reply.code(status).send({ error: e.message || 'bad request', code });
    }
    log(`tend: ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return reply.code(500).send({ error: 'the server failed; try again later', code: 'internal' });
  });

  /** Method and path pattern of every route, for 405 answers. */
  const known: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const pattern = new RegExp(`^${route.url.replace(/:[^/]+/g, '[^/]+')}$`);
    for (const method of methods) if (method !== 'HEAD' && method !== 'OPTIONS') known.push({ method, pattern });
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const allowed = [...new Set(known.filter((k) => k.pattern.test(path)).map((k) => k.method))];
    if (allowed.length) return reply.code(405).header('Allow', allowed.join(', ')).send({ error: `${req.method} is not allowed here`, code: 'method' });
    return reply.code(404).send({ error: 'no such endpoint', code: 'not-found' });
  });

  const checkProtocol = async (req: FastifyRequest) => {
    const header = req.headers['tend-protocol'];
    const version = Number(Array.isArray(header) ? header[0] : header);
    if (SUPPORTED_PROTOCOLS.includes(version)) return;
    const said = header === undefined ? 'no protocol version' : `protocol ${String(header).slice(0, 10)}`;
    throw new ApiError(426, `update Tend: this server speaks Tend protocol ${SUPPORTED_PROTOCOLS.join(', ')} and the request carried ${said}`, 'protocol', {
      supported: SUPPORTED_PROTOCOLS,
    });
  };
  const authenticate = async (req: FastifyRequest) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const auth = m ? await metrics.time('auth', () => store.authenticate(m[1]!)) : undefined;
    if (!auth) throw new ApiError(401, 'not signed in to this team (the token is unknown or this member was removed)', 'unauthorized');
    req.auth = auth;
  };
  const joinRate = { rateLimit: joinLimit ? { ...windowOf(joinLimit), keyGenerator: (req: FastifyRequest) => `join ${req.ip}` } : (false as const) };

  type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** An API route: protocol checked, then (unless `open`) the member authenticated and rate-limited. */
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, name: string, handler: Handler, open = false) =>
    app.route({
      method,
      url,
      config: { name, ...(open ? joinRate : {}) },
      onRequest: open ? [checkProtocol] : [checkProtocol, authenticate],
      handler: async (req, reply) => {
        const result = await handler(req, reply);
        if (result instanceof RawJson) return reply.type('application/json; charset=utf-8').send(result.text);
        return result;
      },
    });

  const auth = (req: FastifyRequest) => req.auth!;
  const teamOf = (req: FastifyRequest) => auth(req).member.teamId;
  const requireManager = (req: FastifyRequest) => {
    if (auth(req).member.role !== 'manager') throw new ApiError(403, 'only a manager can do this', 'forbidden');
  };
  const memberInTeam = async (req: FastifyRequest, id: string) => {
    const m = await store.member(id);
    if (!m || m.teamId !== teamOf(req)) throw new ApiError(404, 'no such member in this team', 'not-found');
    return m;
  };
  const memberParam = (req: FastifyRequest) => {
    const id = (req.params as { id?: string }).id ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new ApiError(404, 'no such member in this team', 'not-found');
    return id;
  };

  api(
    'POST',
    '/v1/join',
    'join',
    async (req) => {
      const { code, name } = parse(JoinBody, req.body);
      const r = await metrics.time('join', () => store.join(code, name));
      return { token: r.token, member: { id: r.member.id, name: r.member.name, role: r.member.role }, team: r.team };
    },
    true,
  );
  api('POST', '/v1/ops', 'push', async (req) => {
    const { ops } = parse(PushBody, req.body);
    if (!ops.length) return { results: [] };
    const results = await metrics.time('push', () => store.push(auth(req), ops));
    let accepted = 0;
    const refused = new Map<string, number>();
    for (const r of results) {
      if (r.ok) accepted += 1;
      else refused.set(r.code, (refused.get(r.code) ?? 0) + 1);
    }
    if (accepted) metrics.opsAccepted.inc(accepted);
    for (const [code, n] of refused) metrics.opsRejected.inc({ code }, n);
    return { results };
  });
  api('GET', '/v1/ops', 'pull', async (req) => {
    const query = req.query as Record<string, unknown>;
    const after = intParam(query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(query, 'limit', 500, 1, MAX_PULL_LIMIT);
    const page = await metrics.time('pull', () => store.pull(teamOf(req), after, limit));
    return new RawJson(`{"ops":[${page.rows.map((r) => r.body).join(',')}],"next":${page.next},"more":${page.more}}`);
  });
  api('GET', '/v1/team', 'team', async (req) => {
    const [team, members, disputes] = await Promise.all([store.team(teamOf(req)), store.roster(teamOf(req)), store.disputes(teamOf(req))]);
    const me = auth(req).member;
    return { team, members, disputes, me: { id: me.id, name: me.name, role: me.role } };
  });
  api('PATCH', '/v1/team', 'team-update', async (req) => {
    requireManager(req);
    return { team: await store.updateTeam(teamOf(req), parse(TeamPatch, req.body)) };
  });
  api('POST', '/v1/invites', 'invite', async (req) => {
    requireManager(req);
    const { role } = parse(InviteBody, req.body ?? {});
    return store.createInvite(teamOf(req), role ?? 'member');
  });
  api('POST', '/v1/devices', 'device', async (req) => {
    const me = auth(req).member;
    await store.checkDeviceRoom(me.id);
    return store.createInvite(me.teamId, me.role, { memberId: me.id, ttlMs: DEVICE_INVITE_TTL_MS });
  });
  api('DELETE', '/v1/devices/current', 'device-leave', async (req) => {
    await store.revokeToken(auth(req).tokenHash);
    return { ok: true };
  });
  /** Removal and erasure: a manager's to do to anyone in the team, a member's to do to themselves. */
  const toMember = (action: 'revoke' | 'erase'): Handler => async (req) => {
    const id = memberParam(req);
    if (id !== auth(req).member.id) requireManager(req);
    await memberInTeam(req, id);
    const r = await metrics.time<object>(action, () => (action === 'revoke' ? store.revoke(id) : store.erase(id)));
    return { ok: true, ...r };
  };
  api('DELETE', '/v1/members/:id', 'revoke', toMember('revoke'));
  api('DELETE', '/v1/members/:id/data', 'erase', toMember('erase'));
  api('POST', '/v1/handles', 'handle-decide', async (req) => {
    requireManager(req);
    const { site, handle, member } = parse(HandleBody, req.body);
    if (member !== null) await memberInTeam(req, member);
    return metrics.time('handle-decide', () => store.decideHandle(teamOf(req), site, handle, member));
  });
  api('POST', '/v1/compact', 'compact', async (req) => {
    requireManager(req);
    return metrics.time('compact', () => store.compact(teamOf(req)));
  });
  api('POST', '/v1/live-ticket', 'live-ticket', async (req) => store.createTicket(auth(req)));

  app.get('/healthz', { config: { name: 'healthz', rateLimit: false } }, async (_req, reply) => {
    try {
      await metrics.time('health', () => store.teamSeq('-'));
      // A database that could not be synced stores nothing more until restarted.
      if (db.wal?.failure) throw db.wal.failure;
      return { ok: true, db: db.kind, protocol: PROTOCOL_VERSION, live: live.size };
    } catch (e) {
      return reply.code(503).send({ ok: false, error: `database unavailable: ${e instanceof Error ? e.message : String(e)}` });
    }
  });
  app.get('/metrics', { config: { name: 'metrics', rateLimit: false } }, async (req, reply) => {
    // `req.ip` is the client's address, through trusted proxies only.
    if (!mayReadMetrics(req.ip)) throw new ApiError(403, 'metrics are not served to this address', 'forbidden');
    return reply.type(metrics.contentType).send(await metrics.render());
  });

  app.get(
    '/v1/live',
    {
      websocket: true,
      config: { name: 'live', rateLimit: false },
      preValidation: async (req) => {
        const query = req.query as Record<string, unknown>;
        const protocol = query.protocol;
        if (protocol !== undefined && !SUPPORTED_PROTOCOLS.includes(Number(protocol))) throw new ApiError(426, 'update Tend', 'protocol', { supported: SUPPORTED_PROTOCOLS });
        intParam(query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
        const member = await store.useTicket(typeof query.ticket === 'string' ? query.ticket : '');
        if (!member) throw new ApiError(401, 'this live ticket is unknown, used or expired', 'unauthorized');
        req.liveMember = member;
      },
    },
    (socket, req) => {
      live.attach(socket, req.liveMember!, intParam(req.query as Record<string, unknown>, 'after', 0, 0, Number.MAX_SAFE_INTEGER));
    },
  );

  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 8787, host });
  const address = app.server.address();
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
    app,
    close: () =>
      (closing ??= (async () => {
        clearInterval(pollTimer);
        live.close();
        await app.close();
        await listener?.close();
        if (ownDb) await db.close();
      })()),
  };
}

function intParam(query: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const value = query[name];
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) throw new ApiError(400, `${name} must be a whole number`, 'invalid');
  const n = Number(raw);
  if (n < min || n > max) throw new ApiError(400, `${name} must be between ${min} and ${max}`, 'invalid');
  return n;
}
