/**
 * A randomised run of the REAL sync client and store (fake-indexeddb) against the REAL
 * server on a loopback port: four devices endorse, retract, claim, renew, release, resolve,
 * hand off and observe at random, while their network drops requests before and after the
 * server commits them, duplicates and replays pushes out of order, goes offline, and the
 * worker restarts mid-push; the server restarts on the same database once and its log is
 * compacted while devices are part-way through it; a fifth device joins at the end and
 * folds the compacted log from zero. At the end every device's views equal the server's
 * state, every op was applied exactly once (each device holds every op of the log, plus
 * only superseded ones compaction dropped), every op made was either accepted or refused
 * with a reason (nothing lost), and no thread ever had two holders. Every device's wall clock
 * is off by up to ten minutes either way, and every op a device makes orders after every op
 * it had seen when it made it: an action taken after seeing another wins over it.
 *
 * Bounded: at most 260 random steps and 12 s of them (the test times out at 60 s).
 * Reproduce a run with TEND_SEED=<seed> (printed on failure).
 */
import 'fake-indexeddb/auto';
import { openDB, type IDBPDatabase } from 'idb';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { applyClaim, compareHlc, isClaimOp, postKey, threadKey, type AcceptedOp, type Claim, type ClaimRules, type Payload } from '../../lib/domain';
import { TendStore } from '../../lib/store';
import { SyncClient, type SocketFactory } from '../../lib/sync';
import type { TendServer } from '../../server/http';
import { HIDDEN_OBSERVER } from '../../server/team-store';
import { backendCases, post, serve, thread, type Backend } from './helpers';
import { prng } from '../helpers/prng';

const cases = await backendCases();
const STEPS = Number(process.env.TEND_RANDOM_STEPS ?? 260);
const THREADS = ['t1', 't2', 't3', 't4', 't5'];
const POSTS = THREADS.slice(0, 3).flatMap((t) => ['1', '2'].map((p) => post(t, p)));
const AUTHORS = ['dora', 'eve', 'fay'];
/** Largest wall-clock error of a device, either way. */
const MAX_SKEW_MS = 10 * 60_000;

interface Device {
  name: string;
  dbName: string;
  store: TendStore;
  client: SyncClient;
  memberId: string;
  online: boolean;
  made: Set<string>;
  /** This device's wall clock, off by a random amount. */
  now: () => number;
  /** A second connection to its database, to see what it holds. */
  peek: IDBPDatabase;
}

let dbCounter = 0;

for (const c of cases) {
  (c.skip ? describe.skip : describe)(`randomised sync on ${c.name}`, () => {
    if (c.fail) {
      it('has its database', () => {
        throw new Error(c.fail);
      });
      return;
    }
    let backend: Backend | undefined;
    let server: TendServer | undefined;
    afterAll(async () => {
      await server?.close();
      await backend?.drop();
    });

    it('converges: same views everywhere, each op once, nothing lost, never two holders', async () => {
      const seed = Number(process.env.TEND_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const rnd = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const chance = (p: number) => rnd() < p;
      const started = Date.now();
      try {
        backend = await c.make();
        server = await serve(backend.url);
        const port = server.port;
        const team = await server.store.resolveTeam('random', true);
        const pending = new Set<Promise<unknown>>();
        const track = (p: Promise<unknown>) => {
          const q = p.catch(() => undefined).finally(() => pending.delete(q));
          pending.add(q);
        };
        const replays: { url: string; init: RequestInit }[] = [];
        let settled = false;

        /** The network of one device: drops, duplicates and replays at random. */
        const networkOf = (device: () => Device): typeof fetch => async (input, init) => {
          const url = String(input);
          if (!device().online) throw new TypeError('offline');
          if (settled) return fetch(input, init);
          if (chance(0.06)) throw new TypeError('connection reset before sending');
          const isPush = init?.method === 'POST' && url.endsWith('/v1/ops');
          if (isPush && chance(0.15)) replays.push({ url, init: { method: init.method, headers: init.headers, body: init.body } });
          if (isPush && chance(0.1)) track(fetch(url, { method: 'POST', headers: init.headers, body: init.body })); // duplicated, concurrently
          const res = await fetch(input, init);
          if (chance(0.06)) {
            await res.arrayBuffer();
            throw new TypeError('connection reset after the server answered');
          }
          return res;
        };

        const makeClient = (d: () => Device, store: TendStore) =>
          new SyncClient({ store, now: d().now, fetch: networkOf(d), WebSocket: WebSocket as unknown as SocketFactory, backoff: { baseMs: 10, maxMs: 100 }, batchSize: 7, pullLimit: 13, random: rnd });
        const skewedClock = () => {
          const skew = Math.round((rnd() * 2 - 1) * MAX_SKEW_MS);
          return () => Date.now() + skew;
        };
        let causalChecks = 0;

        const devices: Device[] = [];
        for (const [i, name] of ['Ann', 'Bob', 'Cat', 'Dan'].entries()) {
          const dbName = `tend-random-${process.pid}-${++dbCounter}`;
          const now = skewedClock();
          const store = await TendStore.open({ name: dbName, now });
          await store.me();
          const peek = await openDB(dbName);
          const device: Device = { name, dbName, store, client: undefined as unknown as SyncClient, memberId: '', online: true, made: new Set(), now, peek };
          device.client = makeClient(() => device, store);
          const { code } = await server.store.createInvite(team.id, i === 0 ? 'manager' : 'member');
          // Joining goes through the flaky network too: retry until it lands (a code is one-time,
          // so a join whose answer was lost needs a new code).
          for (let attempt = 0; ; attempt++) {
            try {
              const joined = await device.client.join(server.url, attempt ? (await server.store.createInvite(team.id, i === 0 ? 'manager' : 'member')).code : code, name);
              device.memberId = joined.member.id;
              break;
            } catch (e) {
              if (attempt > 20) throw e;
            }
          }
          devices.push(device);
        }
        // Everyone knows the whole roster before acting (roles decide handoffs).
        for (const d of devices) await d.client.refreshTeam().catch(() => undefined);
        for (const d of devices) await d.client.refreshTeam().catch(() => undefined);

        const act = async (d: Device) => {
          const t = thread(pick(THREADS));
          const key = threadKey(t);
          const r = rnd();
          let payload: Payload;
          if (r < 0.25) payload = { type: 'endorse', post: pick(POSTS), author: pick(AUTHORS), viewer: null, ...(chance(0.7) ? { note: `${d.name} ${Math.floor(rnd() * 1000)}` } : {}) };
          else if (r < 0.32) payload = { type: 'retract', post: pick(POSTS) };
          else if (r < 0.5) payload = { type: 'observe', thread: t, fields: chance(0.5) ? { replies: Math.floor(rnd() * 10) } : { title: `title ${Math.floor(rnd() * 5)}`, answered: chance(0.3) } };
          else if (r < 0.72) payload = { type: 'claim', thread: t };
          else {
            const view = await d.store.claimView(key);
            const epoch = chance(0.85) ? (view.claim?.epoch ?? 0) : Math.floor(rnd() * 3);
            const kind = pick(['renew', 'release', 'release', 'resolve', 'handoff'] as const);
            payload = kind === 'handoff' ? { type: 'handoff', thread: t, epoch, to: pick(devices).memberId } : { type: kind, thread: t, epoch };
          }
          // Everything this device has seen so far: its new op must order after all of it.
          const seen = (await d.peek.getAll('ops')) as AcceptedOp[];
          let newestSeen: string | null = null;
          for (const o of seen) if (!newestSeen || o.hlc > newestSeen) newestSeen = o.hlc;
          let made;
          try {
            made = await d.store.act(payload, d.now());
          } catch {
            // refused locally (already held, stale epoch, ...): nothing was written
            return;
          }
          d.made.add(made.op.id);
          d.client.pushSoon();
          if (newestSeen) {
            expect(compareHlc(made.op.hlc, newestSeen), `${d.name}'s ${made.op.type} orders after the ops it had seen`).toBe(1);
            causalChecks++;
          }
        };

        let restarted = false;
        let compacted = false;
        for (let step = 0; step < STEPS && Date.now() - started < 12_000; step++) {
          const d = pick(devices);
          const r = rnd();
          if (r < 0.6) await act(d);
          else if (r < 0.7) track(d.client.pushOnce());
          else if (r < 0.78) track(d.client.pullOnce());
          else if (r < 0.83) d.online = !d.online;
          else if (r < 0.87) chance(0.5) ? d.client.connectLive() : d.client.disconnectLive();
          else if (r < 0.9) {
            // The worker stops (mid-push, perhaps) and a new one starts on the same database.
            d.client.close();
            d.client = makeClient(() => d, d.store);
          } else if (r < 0.95 && replays.length) {
            // A stale push arrives late, out of order.
            const { url, init } = replays.splice(Math.floor(rnd() * replays.length), 1)[0]!;
            track(fetch(url.replace(/:\d+\//, `:${port}/`), init));
          } else if (!compacted && step > STEPS / 3) {
            // The log is compacted while devices are part-way through it.
            compacted = true;
            await server.store.compact(team.id);
          } else if (!restarted && step > STEPS / 2) {
            restarted = true;
            await server.close();
            await new Promise((resolve) => setTimeout(resolve, 20));
            server = await serve(backend.url, { port });
          }
          if (chance(0.3)) await new Promise((resolve) => setTimeout(resolve, Math.floor(rnd() * 4)));
        }
        if (!restarted) {
          await server.close();
          server = await serve(backend.url, { port });
        }

        // Settle: everyone online, every stray request answered, every outbox empty, everyone pulled.
        for (const d of devices) d.online = true;
        settled = true;
        for (const { url, init } of replays.splice(0)) track(fetch(url, init));
        await Promise.all(pending);
        for (let round = 0; round < 40; round++) {
          for (const d of devices) {
            await d.client.pushOnce().catch(() => undefined);
          }
          for (const d of devices) await d.client.pullOnce().catch(() => undefined);
          const left = await Promise.all(devices.map((d) => d.store.outbox()));
          if (left.every((o) => o.length === 0)) break;
        }
        await Promise.all(pending);
        for (const d of devices) await d.client.pullOnce();
        await server.store.compact(team.id);
        // A device that joins now folds the compacted log from zero.
        {
          const dbName = `tend-random-${process.pid}-${++dbCounter}`;
          const now = skewedClock();
          const store = await TendStore.open({ name: dbName, now });
          await store.me();
          const late: Device = { name: 'Eve', dbName, store, client: new SyncClient({ store, now }), memberId: '', online: true, made: new Set(), now, peek: await openDB(dbName) };
          late.memberId = (await late.client.join(server.url, (await server.store.createInvite(team.id, 'member')).code, 'Eve')).member.id;
          devices.push(late);
        }
        for (const d of devices) await d.client.pullOnce();
        for (const d of devices) {
          d.client.close();
          d.peek.close();
        }

        // ---- the server's log
        const manager = await server.store.roster(team.id);
        expect(manager.length).toBeGreaterThanOrEqual(4);
        const log = (await server.store.readOps(team.id, 0, 1_000_000)).map((r) => JSON.parse(r.body) as AcceptedOp);
        const ids = new Set(log.map((o) => o.id));
        expect(ids.size).toBe(log.length);
        const accepted = new Set(ids);
        log.forEach((o, i) => i && expect(o.seq).toBeGreaterThan(log[i - 1]!.seq));
        // Never two holders: replaying the log, every accepted claim op was valid when accepted.
        const managers = new Set(manager.filter((m) => m.role === 'manager').map((m) => m.id));
        const rules: ClaimRules = { leaseMs: team.leaseMs, isManager: (m) => managers.has(m) };
        const claims = new Map<string, Claim>();
        for (const o of log) {
          if (!isClaimOp(o)) continue;
          const k = threadKey(o.thread);
          const res = applyClaim(claims.get(k), o, o.at, rules);
          expect(res.ok, `op ${o.id} (${o.type} by ${o.actor}) was accepted though invalid`).toBe(true);
          if (res.ok) claims.set(k, res.claim);
        }
        const state = await server.store.state(team.id);
        expect(Object.fromEntries(state.claims)).toEqual(Object.fromEntries(claims));
        const claimOps = log.filter(isClaimOp).length;
        expect(claimOps).toBeGreaterThan(5);

        // ---- every device
        const allThreadKeys = THREADS.map((id) => threadKey(thread(id)));
        const serverEndorsements = new Map<string, { actor: string; note: string | null }[]>();
        for (const e of state.endorsements.values()) {
          if (e.retracted) continue;
          serverEndorsements.set(e.postKey, [...(serverEndorsements.get(e.postKey) ?? []), { actor: e.actor, note: e.note }]);
        }
        const sortE = (xs: { actor: string; note: string | null }[]) => [...xs].sort((a, b) => a.actor.localeCompare(b.actor));
        for (const d of devices) {
          expect(await d.store.outbox(), `${d.name}'s outbox`).toEqual([]);
          // Exactly the server's log, each op once, with the server's seq and time.
          const idb = await openDB(d.dbName);
          const stored = (await idb.getAll('ops')) as AcceptedOp[];
          idb.close();
          const bySeq = new Map(stored.map((o) => [o.seq, o]));
          expect(bySeq.size, `${d.name}: one op per seq`).toBe(stored.length);
          for (const o of log) {
            // Observations reach others without their observer; the device that made one keeps
            // its own copy, or the server's if that reached it first.
            if (o.type === 'observe') expect(o.actor, `op ${o.seq}'s actor`).toBe(HIDDEN_OBSERVER);
            const mine = o.type === 'observe' && d.made.has(o.id) && bySeq.get(o.seq)?.actor === d.memberId;
            expect(bySeq.get(o.seq), `${d.name} op ${o.seq}`).toEqual(mine ? { ...o, actor: d.memberId } : o);
          }
          // Ops the device has beyond the log are ones compaction dropped: superseded, never claims.
          for (const o of stored) {
            if (ids.has(o.id)) continue;
            accepted.add(o.id);
            expect(['endorse', 'retract', 'observe', 'member'], `${d.name} op ${o.seq} missing from the log`).toContain(o.type);
          }
          expect(await d.store.getMeta('cursor')).toBe(log.at(-1)!.seq);
          // Views equal the server's state.
          const views = await d.store.threadViews(allThreadKeys);
          for (const k of allThreadKeys) {
            expect(views.get(k)!.claim ?? null, `${d.name} claim ${k}`).toEqual(state.claims.get(k) ?? null);
            expect(views.get(k)!.record?.observation ?? null, `${d.name} observation ${k}`).toEqual(state.observations.get(k) ?? null);
          }
          const endorsed = await d.store.endorsementsOfMany(POSTS);
          for (const p of POSTS) {
            const mine = (endorsed.get(postKey(p)) ?? []).map((e) => ({ actor: e.actor, note: e.note }));
            expect(sortE(mine), `${d.name} endorsements of ${postKey(p)}`).toEqual(sortE(serverEndorsements.get(postKey(p)) ?? []));
          }
          // Nothing lost: every op this device made was accepted or refused with a reason.
          const refused = new Set((await d.store.rejections()).map((r) => r.op.id));
          for (const id of d.made) expect(accepted.has(id) !== refused.has(id), `${d.name}'s op ${id}: accepted xor refused`).toBe(true);
        }
        const made = devices.reduce((n, d) => n + d.made.size, 0);
        if (process.env.TEND_RANDOM_VERBOSE) {
          const refusedTotal = (await Promise.all(devices.map((d) => d.store.rejections()))).reduce((n, r) => n + r.length, 0);
          console.log(`[tend] seed ${seed}: ${made} ops made, ${log.length} in the log (${claimOps} claim ops), ${refusedTotal} refused, ${Date.now() - started} ms`);
        }
        expect(made).toBeGreaterThan(40);
        expect(causalChecks).toBeGreaterThan(30);
      } catch (e) {
        console.error(`[tend] randomised sync failed with TEND_SEED=${seed}`);
        throw e;
      }
    });
  });
}

