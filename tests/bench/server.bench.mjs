/**
 * The team sync server on loopback: batched push throughput (batches of 100 mixed endorse,
 * claim and observe ops from several members at once) on SQLite both durable (the default,
 * synchronous=FULL: an acknowledged push survives power loss) and not (TEND_SQLITE_SYNC=normal:
 * it survives a crash of the process only), and live fan-out latency (one op
 * pushed, until each of 100 WebSocket clients has it), on SQLite with one instance and on
 * PostgreSQL with one instance and across two (sockets on B, pushes through A, news by
 * LISTEN/NOTIFY). Each server runs in its own process, as `npm run server` starts it.
 *
 *     npm run bench -- server [--batches=300] [--rounds=40] [--sockets=100] [--concurrency=8] [--only=push]
 *
 * PostgreSQL is used at 127.0.0.1:5432 (user postgres or root, trust auth) when reachable,
 * in a fresh database dropped afterwards; otherwise its rows say why they were skipped.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';

export const title = 'Team sync server: push throughput and live fan-out (loopback)';
export const order = 30;

const GOAL_SQLITE_OPS = 20_000;
const GOAL_PG_OPS = 5_000;
const GOAL_FANOUT_ONE_MS = 50;
const GOAL_FANOUT_TWO_MS = 100;
const SITE = 'https://forum.example.test';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// ------------------------------------------------------------------------------ servers

/** Starts `server/main.ts` in its own process on a random loopback port. */
function startServer(ctx, env) {
  return new Promise((resolve, reject) => {
    // Node with tsx's loader: one process, the server itself (the tsx command adds a wrapper).
    // TEND_BENCH_SERVER_ARGS: more Node flags for the servers (e.g. `--cpu-prof --cpu-prof-dir=DIR`).
    const extra = (process.env.TEND_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...extra, '--import', 'tsx', 'server/main.ts'], {
      cwd: ctx.root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TEND_RATE_LIMIT: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          /** CPU time the server process has used so far, in ms (Linux /proc; NaN elsewhere). */
          cpuMs: () => {
            try {
              const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
              return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
            } catch {
              return NaN;
            }
          },
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
            }),
        });
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${out}`));
    });
  });
}

/** Runs a one-off server command (`invite`, ...) and returns its stdout. */
function command(ctx, env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ctx.root, 'node_modules', '.bin', 'tsx'), ['server/main.ts', ...args], { cwd: ctx.root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`server ${args.join(' ')} failed: ${err}`))));
  });
}

async function api(url, method, pathname, { token, body } = {}) {
  const headers = { 'Tend-Protocol': '1' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url + pathname, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A team with `n` members on a server; the first is a manager. */
async function team(ctx, env, url, n, name) {
  const code = await command(ctx, env, ['invite', '--role', 'manager', '--team', name]);
  const members = [await api(url, 'POST', '/v1/join', { body: { code, name: 'Manager' } })];
  for (let i = 1; i < n; i++) {
    const invite = await api(url, 'POST', '/v1/invites', { token: members[0].token, body: { role: 'member' } });
    members.push(await api(url, 'POST', '/v1/join', { body: { code: invite.code, name: `Member ${i}` } }));
  }
  return members;
}

// ------------------------------------------------------------------------------ ops

let idCounter = 0;
function opId() {
  let ms = Date.now();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  let n = ++idCounter;
  let tail = '';
  for (let i = 0; i < 6; i++) {
    tail = ALPHABET[n % 32] + tail;
    n = Math.floor(n / 32);
  }
  return time + Array.from(randomBytes(10), (b) => ALPHABET[b & 31]).join('') + tail;
}
let tick = 0;
const hlc = () => `${String(Date.now()).padStart(13, '0')}:${String(tick++ % 99_999).padStart(5, '0')}:bench`;

/** A batch of 100 ops: 40% endorsements (with notes), 30% observations, 30% claims. */
function batch(member, b, size = 100) {
  const ops = [];
  for (let i = 0; i < size; i++) {
    const k = b * size + i;
    const head = { v: 1, id: opId(), hlc: hlc(), actor: member };
    const r = i % 10;
    if (r < 4) ops.push({ ...head, type: 'endorse', post: { site: SITE, threadId: String(k % 5000), postId: String(k % 7) }, author: `author${k % 300}`, viewer: null, note: 'Clear, reproducible steps and a fix that worked first time.' });
    else if (r < 7) ops.push({ ...head, type: 'observe', thread: { site: SITE, threadId: String(k % 5000) }, fields: { title: `Question ${k % 5000}`, replies: k % 40, answered: k % 3 === 0 } });
    else ops.push({ ...head, type: 'claim', thread: { site: SITE, threadId: `${member}-${k}` } });
  }
  return JSON.stringify({ ops });
}

// ------------------------------------------------------------------------------ measurements

/** A lean keep-alive HTTP client for the load itself (fetch costs the client more CPU than the server). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(url, pathname, token, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url + pathname);
    const req = request(
      { agent, host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'Tend-Protocol': '1', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: `Bearer ${token}` } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`POST ${pathname}: ${res.statusCode} ${text.slice(0, 200)}`));
          resolve(JSON.parse(text));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Pushes `batches` batches of 100 from every member, `concurrency` requests in flight, from a
 * load client in a process of its own (this file run as a script), so the client's JSON and
 * HTTP work does not share a core's time slices with the bench's own bookkeeping.
 */
async function throughput(ctx, url, members, { batches, concurrency }) {
  const job = JSON.stringify({ url, members: members.map((m) => ({ token: m.token, id: m.member.id })), batches, concurrency });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--load'], { cwd: ctx.root, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load client failed (${code}): ${err}`))));
    child.stdin.end(job);
  });
}

/** The load client itself (`node server.bench.mjs --load`, the job on stdin, the result on stdout). */
async function loadClient(job) {
  const { url, members, batches, concurrency } = job;
  // Warm-up (not counted): enough batches that the server's JIT and SQLite's cache are warm,
  // so the first configuration measured is not penalised against the second.
  for (let round = 0; round < 5; round++) {
    await Promise.all(members.map((m, i) => post(url, '/v1/ops', m.token, batch(m.id, 1_000_000 + round * members.length + i, 100))));
  }
  const bodies = Array.from({ length: batches }, (_, b) => {
    const m = members[b % members.length];
    return { token: m.token, body: batch(m.id, b) };
  });
  let next = 0;
  let accepted = 0;
  let rejected = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const { token, body } = bodies[next++];
        const { results } = await post(url, '/v1/ops', token, body);
        for (const r of results) r.ok ? accepted++ : rejected++;
      }
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  return { ops: batches * 100, ms, opsPerS: (batches * 100 * 1000) / ms, accepted, rejected };
}

if (process.argv.includes('--load')) {
  let input = '';
  process.stdin.on('data', (d) => (input += d));
  process.stdin.on('end', async () => {
    try {
      process.stdout.write(JSON.stringify(await loadClient(JSON.parse(input))));
    } catch (e) {
      process.stderr.write(String(e?.stack ?? e));
      process.exitCode = 1;
    }
  });
}

/** Opens `n` live sockets (tickets from `token`) on `url`, starting after the current head. */
async function sockets(url, token, n) {
  // Start after the current head: push a probe op and take its sequence.
  const probe = { v: 1, id: opId(), hlc: hlc(), actor: 'x', type: 'observe', thread: { site: SITE, threadId: 'probe' }, fields: { replies: 0 } };
  const head = (await api(url, 'POST', '/v1/ops', { token, body: { ops: [probe] } })).results[0].seq;
  const list = [];
  for (let i = 0; i < n; i++) {
    const { ticket } = await api(url, 'POST', '/v1/live-ticket', { token });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/live?ticket=${ticket}&after=${head}`);
    const s = { ws, waiting: new Map() };
    ws.on('message', (data) => {
      const at = performance.now();
      const m = JSON.parse(String(data));
      if (m.type !== 'ops') return;
      for (const op of m.ops) s.waiting.get(op.id)?.(at);
    });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    list.push(s);
  }
  return list;
}

/** Pushes one op at a time through `pushUrl` and times its arrival at every socket. */
async function fanout(pushUrl, token, member, socks, rounds) {
  const samples = [];
  for (let r = 0; r < rounds + 3; r++) {
    const op = { v: 1, id: opId(), hlc: hlc(), actor: member, type: 'observe', thread: { site: SITE, threadId: `fan-${r % 20}` }, fields: { replies: r } };
    const arrivals = socks.map(
      (s) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('an op never reached a socket')), 10_000);
          s.waiting.set(op.id, (at) => {
            clearTimeout(timer);
            s.waiting.delete(op.id);
            resolve(at);
          });
        }),
    );
    const started = performance.now();
    await api(pushUrl, 'POST', '/v1/ops', { token, body: { ops: [op] } });
    const times = await Promise.all(arrivals);
    if (r >= 3) for (const t of times) samples.push(t - started); // first rounds warm up
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return samples;
}

// ------------------------------------------------------------------------------ databases

async function postgres(ctx) {
  for (const user of ['postgres', 'root']) {
    const admin = new pg.Client({ connectionString: `postgres://${user}@127.0.0.1:5432/test`, connectionTimeoutMillis: 3_000 });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
    } catch {
      continue;
    }
    const name = `tend_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      url: `postgres://${user}@127.0.0.1:5432/${name}`,
      drop: async () => {
        const c = new pg.Client({ connectionString: `postgres://${user}@127.0.0.1:5432/test` });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
        await c.end();
      },
    };
  }
  ctx.log('PostgreSQL is not reachable at 127.0.0.1:5432: its rows are skipped');
  return null;
}

export async function run(ctx) {
  const { fmt, percentile } = ctx;
  const batches = ctx.option('batches', 300);
  const rounds = ctx.option('rounds', 40);
  const socketCount = ctx.option('sockets', 100);
  const concurrency = ctx.option('concurrency', 16);
  const rows = [];
  const notes = [];
  const closeAll = [];
  const pushRow = (label, r, goal) => rows.push([label, `${fmt.int(r.opsPerS)} ops/s`, `(${fmt.int(r.ops)} ops in ${fmt.ms(r.ms)}; ${fmt.int(r.accepted)} accepted, ${fmt.int(r.rejected)} refused)`, `goal ≥ ${fmt.int(goal)} ops/s`, fmt.check(r.opsPerS >= goal)]);
  const fanRow = (label, xs, goal) =>
    rows.push([label, `p50 ${fmt.ms(percentile(xs, 50))}`, `p95 ${fmt.ms(percentile(xs, 95))} (max ${fmt.ms(Math.max(...xs))}, ${fmt.int(xs.length)} deliveries)`, `goal p95 ≤ ${goal} ms`, fmt.check(percentile(xs, 95) <= goal)]);

  try {
    // ---- SQLite, one instance: not durable against power loss first, then durable (the default)
    const dir = mkdtempSync(path.join(tmpdir(), 'tend-bench-server-'));
    closeAll.push(async () => rmSync(dir, { recursive: true, force: true }));
    /** A SQLite server with TEND_SQLITE_SYNC=`sync`, its team, and its push row. */
    const sqliteRun = async (sync, label) => {
      const env = { DATABASE_URL: path.join(dir, `tend-${sync}.sqlite`), TEND_SQLITE_SYNC: sync };
      ctx.log(`SQLite (synchronous=${sync}): starting a server and pushing ${batches} batches of 100`);
      const server = await startServer(ctx, env);
      closeAll.unshift(server.stop);
      const members = await team(ctx, env, server.url, 4, 'bench');
      const cpu0 = server.cpuMs();
      const r = await throughput(ctx, server.url, members, { batches, concurrency });
      pushRow(`SQLite push, 1 instance, ${label}`, r, GOAL_SQLITE_OPS);
      // Server CPU per op: what a quiet machine's throughput would be bounded by, however busy this one is.
      const cpu = server.cpuMs() - cpu0;
      rows.push([`  server CPU (incl. 5 warm-up batches per member)`, `${fmt.ms((cpu * 1000) / (r.ops + 2_000))} per 1,000 ops`, `(${fmt.int(((r.ops + 2_000) * 1000) / cpu)} ops per CPU-second)`]);
      return { server, members };
    };
    await (await sqliteRun('normal', 'synchronous=NORMAL (not durable on power loss)')).server.stop();
    const { server: sqlite, members: sMembers } = await sqliteRun('full', 'synchronous=FULL (durable; the default)');
    if (ctx.options.only === 'push') return [{ title: 'Team sync server (loopback): SQLite push only', rows, notes }];
    ctx.log(`SQLite: fan-out to ${socketCount} sockets, ${rounds} rounds`);
    const sSocks = await sockets(sqlite.url, sMembers[1].token, socketCount);
    fanRow(`SQLite fan-out to ${socketCount} sockets`, await fanout(sqlite.url, sMembers[0].token, sMembers[0].member.id, sSocks, rounds), GOAL_FANOUT_ONE_MS);
    for (const s of sSocks) s.ws.close();

    // ---- PostgreSQL, one and two instances
    const db = await postgres(ctx);
    if (!db) {
      rows.push(['PostgreSQL', 'skipped: not reachable at 127.0.0.1:5432']);
    } else {
      closeAll.push(db.drop);
      const pgEnv = { DATABASE_URL: db.url };
      ctx.log('PostgreSQL: starting two servers');
      const a = await startServer(ctx, pgEnv);
      closeAll.unshift(a.stop);
      const b = await startServer(ctx, pgEnv);
      closeAll.unshift(b.stop);
      const pMembers = await team(ctx, pgEnv, a.url, 4, 'bench');
      ctx.log(`PostgreSQL: pushing ${batches} batches of 100`);
      const pcpu0 = a.cpuMs();
      const pr = await throughput(ctx, a.url, pMembers, { batches, concurrency });
      pushRow('PostgreSQL push, 1 instance', pr, GOAL_PG_OPS);
      const pcpu = a.cpuMs() - pcpu0;
      rows.push([`  server CPU (incl. warm-up; PostgreSQL's own not counted)`, `${fmt.ms((pcpu * 1000) / (pr.ops + 2_000))} per 1,000 ops`, `(${fmt.int(((pr.ops + 2_000) * 1000) / pcpu)} ops per CPU-second)`]);
      ctx.log(`PostgreSQL: pushing ${batches} batches of 100 through two instances`);
      const half = Math.ceil(concurrency / 2);
      const [ra, rb] = await Promise.all([
        throughput(ctx, a.url, pMembers.slice(0, 2), { batches: Math.ceil(batches / 2), concurrency: half }),
        throughput(ctx, b.url, pMembers.slice(2), { batches: Math.floor(batches / 2), concurrency: half }),
      ]);
      const both = { ops: ra.ops + rb.ops, ms: Math.max(ra.ms, rb.ms), accepted: ra.accepted + rb.accepted, rejected: ra.rejected + rb.rejected };
      pushRow('PostgreSQL push, 2 instances', { ...both, opsPerS: (both.ops * 1000) / both.ms }, GOAL_PG_OPS);
      ctx.log(`PostgreSQL: fan-out to ${socketCount} sockets on one instance`);
      const aSocks = await sockets(a.url, pMembers[1].token, socketCount);
      fanRow(`PostgreSQL fan-out to ${socketCount} sockets, 1 instance`, await fanout(a.url, pMembers[0].token, pMembers[0].member.id, aSocks, rounds), GOAL_FANOUT_ONE_MS);
      for (const s of aSocks) s.ws.close();
      ctx.log(`PostgreSQL: fan-out to ${socketCount} sockets on instance B, pushed through A`);
      const bSocks = await sockets(b.url, pMembers[1].token, socketCount);
      fanRow(`PostgreSQL fan-out to ${socketCount} sockets, across 2 instances`, await fanout(a.url, pMembers[0].token, pMembers[0].member.id, bSocks, rounds), GOAL_FANOUT_TWO_MS);
      for (const s of bSocks) s.ws.close();
    }
  } finally {
    agent.destroy();
    for (const close of closeAll) await close().catch((e) => ctx.log(`cleanup: ${e.message}`));
  }
  notes.push(
    `push: ${concurrency} requests in flight from 4 members, batches of 100 (40% endorse with a note, 30% observe, 30% claim); after five warm-up batches each`,
    `fan-out: from just before the push request to each socket's receipt of the op (push round trip + commit + delivery), ${rounds} ops one at a time after 3 warm-up ops`,
    `every server in its own process (tsx server/main.ts, rate limit off), the push load client in another (this file with --load), fan-out in the bench process; 127.0.0.1 only`,
    `SQLite durability: FULL syncs the WAL on every commit, so an acknowledged op survives power loss; NORMAL syncs at checkpoints only`,
  );
  return [{ title: 'Team sync server (loopback)', rows, notes }];
}
