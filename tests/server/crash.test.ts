/**
 * kill -9 while members push, on both databases: the server runs as its own process (as
 * `npm run server` starts it) and is killed mid-push, then started again on the same data.
 * Every acknowledged op must be in the log exactly once at its acknowledged sequence, the
 * sequence has no gaps, nothing appears that was never sent, and pushing the unanswered
 * batches again stores each op once. Bounded: three kills per database, about two seconds
 * of pushing each.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, parseDatabaseUrl, type Db } from '../../server/db';
import { TeamStore } from '../../server/team-store';
import { backendCases, describeBackends, call, op, post, pullAll, thread, type Backend } from './helpers';

const root = path.resolve(import.meta.dirname, '../..');
const ROUNDS = 3;
const PUSH_MS = 2_000;
const MEMBERS = 4;
const BATCH = 50;

const cases = await backendCases();

/** Starts the server process on a database; resolves with its address once it listens. */
function start(url: string): Promise<{ url: string; child: ChildProcess }> {
  // Node itself with tsx's loader, not the tsx command: that one runs the server in a child
  // process of its own, which a SIGKILL to the command would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', TEND_RATE_LIMIT: 'off', TEND_JOIN_RATE_LIMIT: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describeBackends('kill -9 during pushes', cases, (c) => {
  let backend: Backend;
  let admin: Db;
  beforeAll(async () => {
    backend = await c.make();
    admin = await openDb(parseDatabaseUrl(backend.url));
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.drop();
  });

  it('loses no acknowledged op, doubles none, leaves no sequence gap', async () => {
    const store = new TeamStore(admin);
    const team = await store.createTeam('crash');
    let server = await start(backend.url);
    const tokens: string[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const { code } = await store.createInvite(team.id, 'member');
      tokens.push((await call(server, 'POST', '/v1/join', { body: { code, name: `M${i}` } })).body.token);
    }
    /** op id → the seq it was acknowledged with. */
    const acked = new Map<string, number>();
    /** Every op sent, by id. */
    const sent = new Set<string>();
    let unanswered: { token: string; ops: unknown[] }[] = [];
    let n = 0;
    const batch = () =>
      Array.from({ length: BATCH }, () => {
        n += 1;
        return n % 3 === 0
          ? op({ type: 'endorse', post: post(`t${n}`, '1'), author: 'someone', viewer: null, note: `n${n}` })
          : n % 3 === 1
            ? op({ type: 'claim', thread: thread(`c${n}`) })
            : op({ type: 'observe', thread: thread(`o${n}`), fields: { replies: n } });
      });
    const record = (ops: { id: string }[], results: { id: string; ok: boolean; seq?: number }[]) => {
      for (const r of results) {
        expect(r.ok, JSON.stringify(r)).toBe(true);
        const before = acked.get(r.id);
        if (before !== undefined) expect(r.seq, `op ${r.id} acknowledged twice with different seqs`).toBe(before);
        acked.set(r.id, r.seq!);
      }
      expect(results.map((r) => r.id)).toEqual(ops.map((o) => o.id));
    };

    for (let round = 0; round < ROUNDS; round++) {
      const url = server.url;
      const deadline = performance.now() + PUSH_MS;
      let killed = false;
      const pushers = tokens.map(async (token) => {
        while (!killed) {
          const ops = batch();
          for (const o of ops) sent.add(o.id);
          try {
            const r = await call({ url }, 'POST', '/v1/ops', { token, body: { ops } });
            expect(r.status).toBe(200);
            record(ops, r.body.results);
          } catch (e) {
            if (!killed) throw e;
            unanswered.push({ token, ops });
          }
        }
      });
      while (performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      killed = true;
      await kill9(server.child);
      await Promise.all(pushers);
      // It is gone: nothing answers where it listened.
      await expect(call({ url }, 'GET', '/healthz')).rejects.toThrow();

      server = await start(backend.url);
      const log = await pullAll(server, tokens[0]!);
      const seqs = log.map((o) => o.seq);
      // No gaps: 1..N (the joins' member ops come first).
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      const byId = new Map<string, number>(log.map((o) => [o.id, o.seq]));
      expect(byId.size, 'an op stored twice').toBe(log.length);
      expect([...acked].filter(([id, seq]) => byId.get(id) !== seq), 'acknowledged ops lost or moved').toEqual([]);
      expect(log.filter((o) => o.type !== 'member' && !sent.has(o.id)), 'ops never sent').toEqual([]);
      // The client's retry: unanswered batches again, each op stored once.
      for (const u of unanswered) record(u.ops as { id: string }[], (await call(server, 'POST', '/v1/ops', { token: u.token, body: { ops: u.ops } })).body.results);
      unanswered = [];
      const after = await pullAll(server, tokens[0]!);
      const ids = new Set(after.map((o) => o.id));
      expect(ids.size).toBe(after.length);
      // Every op sent is now stored: acknowledged before the kill, or on the retry.
      expect([...sent].filter((id) => !ids.has(id))).toEqual([]);
      expect(acked.size).toBeGreaterThan(round * BATCH);
    }
    console.log(`[tend] kill -9 on ${c.name}: ${ROUNDS} kills, ${acked.size} acknowledged ops, 0 lost, 0 doubled, no gaps`);
    await kill9(server.child);
  }, 120_000);
});
