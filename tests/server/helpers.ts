/**
 * Test helpers for the sync server: the two databases every server test runs against (a
 * temporary SQLite file, and a fresh database on the local PostgreSQL), a small HTTP
 * client, and op makers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { describe, it } from 'vitest';
import { createIdGenerator, encodeHlc, OP_VERSION, type Op, type Payload } from '../../lib/domain';
import { startServer, type ServerOptions, type TendServer } from '../../server/http';

/** One database a suite runs against. */
export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** A `DATABASE_URL` for a fresh, empty database. */
  url: string;
  /** Deletes it. */
  drop(): Promise<void>;
}

const PG_HOST = '127.0.0.1:5432';
const PG_USERS = ['postgres', 'root'];

async function tryConnect(url: string): Promise<pg.Client | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return null;
  }
}

/** Why PostgreSQL cannot be used, or an admin URL to it. */
async function findPostgres(): Promise<{ admin: string; user: string } | { problem: string }> {
  for (const user of PG_USERS) {
    const admin = `postgres://${user}@${PG_HOST}/test`;
    const client = await tryConnect(admin);
    if (client) {
      await client.end();
      return { admin, user };
    }
  }
  return { problem: `PostgreSQL is not reachable at ${PG_HOST} (database "test", users ${PG_USERS.join(' or ')}, trust auth)` };
}

let pgProbe: Promise<{ admin: string; user: string } | { problem: string }> | undefined;

/** A fresh PostgreSQL database, or why there is none. */
export async function freshPostgres(): Promise<Backend | { problem: string }> {
  pgProbe ??= findPostgres();
  const found = await pgProbe;
  if ('problem' in found) return found;
  const name = `tend_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: found.admin });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    name: 'PostgreSQL',
    url: `postgres://${found.user}@${PG_HOST}/${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: found.admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

/** A fresh SQLite file in a temporary folder. */
export function freshSqlite(): Backend {
  const dir = mkdtempSync(path.join(tmpdir(), 'tend-server-test-'));
  return { name: 'SQLite', url: path.join(dir, 'tend.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The backends a suite runs on: SQLite always; PostgreSQL when reachable. Unreachable
 * PostgreSQL fails the run under CI (`CI` set) and is skipped, with the reason, elsewhere.
 */
export interface BackendCase {
  name: string;
  make: () => Promise<Backend>;
  skip?: string;
  fail?: string;
}

export async function backendCases(): Promise<BackendCase[]> {
  pgProbe ??= findPostgres();
  const found = await pgProbe;
  const pgCase: BackendCase = { name: 'PostgreSQL', make: async () => (await freshPostgres()) as Backend };
  if ('problem' in found) {
    if (process.env.CI) pgCase.fail = `${found.problem}; CI needs it`;
    else {
      pgCase.skip = `${found.problem}: PostgreSQL tests skipped`;
      console.warn(`[tend] ${pgCase.skip}`);
    }
  }
  return [{ name: 'SQLite', make: async () => freshSqlite() }, pgCase];
}

/**
 * Declares a suite once per database, titled `TITLE on SQLite` and so on: skipped (with the
 * reason printed once) when PostgreSQL is missing outside CI, a single failing test when CI
 * lacks it, otherwise `body(c)`.
 */
export function describeBackends(title: string, cases: readonly BackendCase[], body: (c: BackendCase) => void): void {
  for (const c of cases) {
    (c.skip ? describe.skip : describe)(`${title} on ${c.name}`, () => {
      if (c.fail) {
        it('has its database', () => {
          throw new Error(c.fail);
        });
        return;
      }
      body(c);
    });
  }
}

/** Starts a server on a random loopback port with test-friendly limits. */
export function serve(url: string, options: ServerOptions = {}): Promise<TendServer> {
  return startServer({ databaseUrl: url, port: 0, host: '127.0.0.1', rateLimit: false, joinRateLimit: false, pollMs: 200, log: () => undefined, ...options });
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the API as a client would. */
export async function call<T = any>(
  server: { url: string },
  method: string,
  pathname: string,
  options: { token?: string; body?: unknown; raw?: string; protocol?: string | null; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.protocol !== null) headers['Tend-Protocol'] = options.protocol ?? '1';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.url + pathname, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A member who joined: token and ids. */
export interface Joined {
  token: string;
  member: { id: string; name: string; role: 'member' | 'manager' };
  team: { id: string; name: string; leaseMs: number };
}

/** Creates an invite in a team (by name; created when missing) and joins with it. */
export async function joinTeam(server: TendServer, teamName: string, name: string, role: 'member' | 'manager' = 'member'): Promise<Joined> {
  const team = await server.store.resolveTeam(teamName, true);
  const { code } = await server.store.createInvite(team.id, role);
  const r = await call<Joined>(server, 'POST', '/v1/join', { body: { code, name } });
  if (r.status !== 200) throw new Error(`join failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const nextId = createIdGenerator();
let tick = 0;

/** A complete op from a payload (actor is whatever the test says: the server stamps its own). */
export function op(payload: Payload, actor = 'someone', at = Date.now()): Op {
  return { ...payload, v: OP_VERSION, id: nextId(), hlc: encodeHlc({ ms: at, counter: tick++ % 99_999, node: 'test' }), actor } as Op;
}

export const SITE = 'https://forum.example.test';
export const thread = (id: string) => ({ site: SITE, threadId: id });
export const post = (t: string, p: string) => ({ site: SITE, threadId: t, postId: p });

/** Pushes ops with a member's token and returns the results. */
export async function push(server: { url: string }, token: string, ops: unknown[]): Promise<any[]> {
  const r = await call(server, 'POST', '/v1/ops', { token, body: { ops } });
  if (r.status !== 200) throw new Error(`push failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.results;
}

/** Pulls the whole log after `after`. */
export async function pullAll(server: { url: string }, token: string, after = 0): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const r = await call(server, 'GET', `/v1/ops?after=${after}&limit=1000`, { token });
    if (r.status !== 200) throw new Error(`pull failed: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.ops);
    after = r.body.next;
    if (!r.body.more) return out;
  }
}

/** A live socket: every message it got, and a way to wait for one. */
export interface LiveSocket {
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  waitFor(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
}

export async function openLive(server: { url: string }, token: string, after = 0): Promise<LiveSocket> {
  const t = await call(server, 'POST', '/v1/live-ticket', { token });
  if (t.status !== 200) throw new Error(`ticket failed: ${t.status}`);
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/live?ticket=${encodeURIComponent(t.body.ticket)}&after=${after}`);
  const messages: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    waitFor(pred, timeoutMs = 5_000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a live message')), timeoutMs);
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}

/** What a raw HTTP exchange gave: the status line's code (0 if none came), the time it took, the whole answer. */
export interface RawAnswer {
  status: number;
  ms: number;
  text: string;
}

/**
 * Writes bytes to the server as they are (malformed request lines, lying Content-Length)
 * and reads until the server answers and closes, or `timeoutMs` passes. `keepOpen` leaves the
 * socket open after writing, as a slow sender does.
 */
export function rawHttp(server: { url: string }, text: string | Buffer, timeoutMs = 10_000, options: { statusOnly?: boolean } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      resolve({ status: m ? Number(m[1]) : 0, ms: performance.now() - started, text: answer });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      // The status is all a caller asking for statusOnly needs: no waiting for keep-alive to end.
      if (options.statusOnly && answer.includes('\r\n\r\n')) done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    socket.write(text);
  });
}
