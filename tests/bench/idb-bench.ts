/**
 * Benchmarks that run inside real Chromium IndexedDB. `idb.bench.mjs` bundles this file with
 * Vite into an IIFE (`globalThis.TendBench`), opens it in a page and calls:
 *
 * - `bulk`: the store applying a pull of remote accepted ops in one transaction, against a
 *   plain-put baseline writing exactly the same rows into the same schema;
 * - `latency`: one local action through the background boundary (route → handler → store
 *   transaction committed → subscriber notified), without the browser's message IPC.
 *
 * Everything returns plain data; the Node side formats it.
 */
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import {
  applyClaim,
  createIdGenerator,
  encodeHlc,
  endorsementKey,
  foldClaims,
  foldEndorsements,
  foldObservations,
  isActive,
  OP_VERSION,
  postKey,
  SOLO_RULES,
  threadKey,
  type AcceptedOp,
  type Claim,
  type PostRef,
  type ThreadRef,
} from '../../lib/domain';
import { createHandler, route, snapshot, SubscriptionHub, type PortLike, type PortPush, type SenderLike } from '../../lib/messaging';
import { DB_VERSION, MIGRATIONS, TendStore } from '../../lib/store';
import type { TendDB } from '../../lib/store/schema';
import { prng } from '../helpers/prng';

// ------------------------------------------------------------------------------ data

/** How a generated op log is spread. */
export interface Spread {
  ops: number;
  threads: number;
  posts: number;
  actors: number;
  seed: number;
}

export const DEFAULT_SPREAD: Spread = { ops: 10_000, threads: 2_000, posts: 5_000, actors: 50, seed: 42 };

/** Share of each op type (renew/release fall back to claim while nothing is held, retract to endorse). */
const MIX: [AcceptedOp['type'], number][] = [
  ['endorse', 0.4],
  ['retract', 0.05],
  ['observe', 0.3],
  ['claim', 0.1],
  ['renew', 0.07],
  ['release', 0.08],
];

const SITES = ['https://meta.discourse.org', 'https://github.com', 'https://stackoverflow.com', 'https://www.reddit.com'] as const;

const NOTES = [
  'Explained the cache invalidation step by step, fixed our deploy.',
  'Thanks!',
  'Clear repro and a workaround that actually works.',
  'Linked the right docs section; saved me an afternoon of guessing about the config format.',
];


function threadRef(i: number): ThreadRef {
  const site = SITES[i % SITES.length]!;
  const n = 10_000 + i;
  switch (site) {
    case 'https://github.com':
      return { site, threadId: `tend-dev/tend/issues/${n}` };
    case 'https://www.reddit.com':
      return { site, threadId: `t3_${n.toString(36)}` };
    default:
      return { site, threadId: String(n) };
  }
}

function threadUrl(t: ThreadRef): string {
  if (t.site === 'https://github.com') return `${t.site}/${t.threadId}`;
  if (t.site === 'https://www.reddit.com') return `${t.site}/r/tend/comments/${t.threadId.slice(3)}/`;
  if (t.site === 'https://stackoverflow.com') return `${t.site}/questions/${t.threadId}/a-question`;
  return `${t.site}/t/a-topic/${t.threadId}`;
}

/**
 * A realistic accepted log: every op is one the authority would accept (claims are
 * simulated with the domain fold, so renew/release carry the holder and the live epoch),
 * popular threads and posts get more traffic, `seq` runs 1..n and `at` increases by about
 * a second per op (well inside the 24 h lease).
 */
export function generateOps(spread: Spread = DEFAULT_SPREAD, start = Date.UTC(2025, 0, 6, 9)): AcceptedOp[] {
  const rand = prng(spread.seed);
  /** Skewed pick: low indices are the popular ones. */
  const pick = (n: number, skew = 1.8) => Math.min(n - 1, Math.floor(n * Math.pow(rand(), skew)));
  const threads = Array.from({ length: spread.threads }, (_, i) => threadRef(i));
  const posts = Array.from({ length: spread.posts }, (_, j) => {
    const t = threads[j % spread.threads]!;
    return { post: { ...t, postId: String(1 + Math.floor(j / spread.threads)) } as PostRef, author: `user${pick(800, 1.3)}` };
  });
  const actors = Array.from({ length: spread.actors }, (_, i) => ({ id: `m${String(i).padStart(4, '0')}x${(i * 7919).toString(36)}`, node: `n${i}` }));

  let at = start;
  const nextId = createIdGenerator(() => at);
  const claims = new Map<string, Claim>();
  const held: string[] = [];
  const threadByKey = new Map(threads.map((t) => [threadKey(t), t]));
  const actorById = new Map(actors.map((a) => [a.id, a]));
  const live = new Map<string, { actor: string; post: PostRef }>();
  const liveKeys: string[] = [];
  const observed = new Map<string, { replies: number; answered: boolean }>();
  const removeAt = (list: string[], i: number) => {
    list[i] = list[list.length - 1]!;
    list.pop();
  };

  const ops: AcceptedOp[] = [];
  for (let seq = 1; seq <= spread.ops; seq++) {
    at += 200 + Math.floor(rand() * 1_600);
    let actor = actors[pick(actors.length, 1.4)]!;
    let r = rand();
    let type: AcceptedOp['type'] = 'endorse';
    for (const [t, share] of MIX) {
      if (r < share) {
        type = t;
        break;
      }
      r -= share;
    }
    if ((type === 'renew' || type === 'release') && !held.length) type = 'claim';
    if (type === 'retract' && !liveKeys.length) type = 'endorse';

    const header = () => ({ v: OP_VERSION, id: nextId(), hlc: encodeHlc({ ms: at - Math.floor(rand() * 50), counter: 0, node: actor.node }), actor: actor.id, seq, at });
    let op: AcceptedOp;
    if (type === 'endorse') {
      const { post, author } = posts[pick(posts.length)]!;
      const note = rand() < 0.5 ? NOTES[Math.floor(rand() * NOTES.length)] : undefined;
      op = { ...header(), type, post, author, viewer: rand() < 0.7 ? `member${actor.id}` : null, ...(note ? { note } : {}) } as AcceptedOp;
      const key = endorsementKey(actor.id, post);
      if (!live.has(key)) liveKeys.push(key);
      live.set(key, { actor: actor.id, post });
    } else if (type === 'retract') {
      const i = Math.floor(rand() * liveKeys.length);
      const key = liveKeys[i]!;
      const e = live.get(key)!;
      removeAt(liveKeys, i);
      live.delete(key);
      actor = actorById.get(e.actor)!;
      op = { ...header(), type, post: e.post } as AcceptedOp;
    } else if (type === 'observe') {
      const thread = threads[pick(threads.length)]!;
      const key = threadKey(thread);
      const before = observed.get(key);
      const n = Number(key.replace(/\D/g, '').slice(-5));
      const fields = before
        ? { replies: before.replies + 1 + Math.floor(rand() * 3), ...(!before.answered && rand() < 0.08 ? { answered: true } : {}) }
        : { title: `How do I configure thing ${n} without restarting the server?`, url: threadUrl(thread), replies: Math.floor(rand() * 5), answered: false, author: `user${pick(800, 1.3)}`, createdAt: start - Math.floor(rand() * 86_400_000 * 30) };
      observed.set(key, { replies: fields.replies, answered: before?.answered || ('answered' in fields && fields.answered === true) });
      op = { ...header(), type, thread, fields } as AcceptedOp;
    } else {
      let key: string;
      let thread: ThreadRef;
      if (type === 'claim') {
        thread = threads[pick(threads.length)]!;
        key = threadKey(thread);
        const current = claims.get(key);
        // Only the holder may claim a held thread again (it extends the lease).
        if (current && isActive(current, at) && current.holder !== actor.id) actor = actorById.get(current.holder)!;
      } else {
        const i = Math.floor(rand() * held.length);
        key = held[i]!;
        thread = threadByKey.get(key)!;
        actor = actorById.get(claims.get(key)!.holder)!;
        if (type === 'release') removeAt(held, i);
      }
      const current = claims.get(key);
      op = (type === 'claim' ? { ...header(), type, thread } : { ...header(), type, thread, epoch: current!.epoch }) as AcceptedOp;
      const outcome = applyClaim(current, op as AcceptedOp<'claim' | 'renew' | 'release'>, at, SOLO_RULES);
      if (!outcome.ok) throw new Error(`generator made a refused ${type}: ${JSON.stringify(outcome.rejection)}`);
      if (type === 'claim' && !isActive(current, at)) held.push(key);
      claims.set(key, outcome.claim);
    }
    ops.push(op);
  }
  return ops;
}

// ------------------------------------------------------------------------------ bulk apply

/** Stores the bulk apply writes, in the order the baseline writes them. */
const VIEW_STORES = ['ops', 'endorsements', 'threads', 'claims', 'people'] as const;
type ViewStore = (typeof VIEW_STORES)[number];
const PART_STORES = ['ops', 'outbox', 'endorsements', 'threads', 'claims'] as const;
type PartStore = (typeof PART_STORES)[number];
type Rows = { [K in ViewStore]: TendDB[K]['value'][] } & { cursor: unknown };

export interface BulkRound {
  /** Tend: `applyAccepted(ops, { cursor })`, one transaction. */
  tendMs: number;
  /** The same rows put into the same schema, one transaction. */
  baselineMs: number;
  /** Tend again with the same pull (every op already stored, so nothing but probes). */
  repeatMs: number;
  /** Which ran first this round. */
  first: 'tend' | 'baseline';
}

export interface BulkResult {
  ops: number;
  spread: Spread;
  mix: Record<string, number>;
  rows: Record<ViewStore, number>;
  generateMs: number;
  warmup: BulkRound;
  rounds: BulkRound[];
  /** Diagnostics: the parts of Tend's transaction, timed alone on the filled database. */
  parts: {
    /** One `ops.getKey(id)` per op (what the store does). */
    probeOpsMs: number;
    /** One `outbox.getKey(id)` per op (what the store does). */
    probeOutboxMs: number;
    /** One `get` per endorsement key, and a claims and a threads `get` per thread key (what the store does). */
    viewReadsMs: number;
    /** The in-memory folds alone. */
    foldMs: number;
    /** Alternative: one `ops.index('seq').getAllKeys(seq range of the batch)` request. */
    seqRangeKeysMs: number;
    /** Alternative: one `outbox.getAllKeys()` request. */
    outboxAllKeysMs: number;
  };
}

let dbCounter = 0;
const uniqueName = (what: string) => `tend-bench-${what}-${Date.now().toString(36)}-${++dbCounter}`;

function deleteDb(name: string): Promise<void> {
  return new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}

async function openSchema(name: string): Promise<IDBPDatabase<TendDB>> {
  return openDB<TendDB>(name, DB_VERSION, {
    upgrade: (db, oldVersion, _newVersion, tx) => {
      for (let v = oldVersion + 1; v <= DB_VERSION; v++) MIGRATIONS[v]!(db, tx);
    },
  });
}

/** One Tend apply on a fresh database; returns its time and leaves the database for reading. */
async function runTend(ops: readonly AcceptedOp[], name: string): Promise<{ ms: number; repeatMs: number; store: TendStore }> {
  const store = await TendStore.open({ name });
  await store.me();
  const t0 = performance.now();
  await store.applyAccepted(ops, { cursor: ops.length });
  const ms = performance.now() - t0;
  const t1 = performance.now();
  await store.applyAccepted(ops, { cursor: ops.length });
  const repeatMs = performance.now() - t1;
  return { ms, repeatMs, store };
}

/** Reads back every row the apply wrote, view rows in the order Tend first touched them. */
async function readRows(name: string, ops: readonly AcceptedOp[]): Promise<Rows> {
  const db = await openSchema(name);
  const tx = db.transaction([...VIEW_STORES, 'meta'], 'readonly');
  const [opRows, endorsements, threads, claims, people, cursor] = await Promise.all([
    tx.objectStore('ops').getAll(),
    tx.objectStore('endorsements').getAll(),
    tx.objectStore('threads').getAll(),
    tx.objectStore('claims').getAll(),
    tx.objectStore('people').getAll(),
    tx.objectStore('meta').get('cursor'),
  ]);
  await tx.done;
  db.close();
  const firstTouch = new Map<string, number>();
  ops.forEach((op, i) => {
    const key = op.type === 'endorse' || op.type === 'retract' ? endorsementKey(op.actor, op.post) : op.type === 'member' ? op.actor : op.type === 'site' ? op.origin : threadKey(op.thread);
    if (!firstTouch.has(key)) firstTouch.set(key, i);
  });
  const byId = new Map(opRows.map((o) => [o.id, o]));
  const inOrder = <T extends { key: string }>(rows: T[]) => rows.sort((a, b) => (firstTouch.get(a.key) ?? 0) - (firstTouch.get(b.key) ?? 0));
  return {
    ops: ops.map((o) => byId.get(o.id)!).filter(Boolean),
    endorsements: inOrder(endorsements),
    threads: inOrder(threads),
    claims: inOrder(claims),
    people,
    cursor,
  };
}

/** The baseline: exactly these rows, plain puts, one transaction, default durability. */
async function runBaseline(rows: Rows, name: string): Promise<number> {
  const db = await openSchema(name);
  const t0 = performance.now();
  const tx = db.transaction([...VIEW_STORES, 'meta'], 'readwrite');
  const puts: Promise<unknown>[] = [];
  for (const r of rows.ops) puts.push(tx.objectStore('ops').put(r));
  for (const r of rows.endorsements) puts.push(tx.objectStore('endorsements').put(r));
  for (const r of rows.threads) puts.push(tx.objectStore('threads').put(r));
  for (const r of rows.claims) puts.push(tx.objectStore('claims').put(r));
  for (const r of rows.people) puts.push(tx.objectStore('people').put(r));
  puts.push(tx.objectStore('meta').put(rows.cursor, 'cursor'));
  await Promise.all([...puts, tx.done]);
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

/** Times the reads of Tend's batch fold alone, on a database that already holds the rows. */
async function timeParts(ops: readonly AcceptedOp[], name: string): Promise<BulkResult['parts']> {
  const db = await openSchema(name);
  const eKeys = new Set<string>();
  const tKeys = new Set<string>();
  for (const op of ops) {
    if (op.type === 'endorse' || op.type === 'retract') eKeys.add(endorsementKey(op.actor, op.post));
    else if (op.type !== 'member' && op.type !== 'site') tKeys.add(threadKey(op.thread));
  }
  const time = async (reads: (tx: IDBPTransaction<TendDB, PartStore[], 'readonly'>) => Promise<unknown>[]) => {
    const tx = db.transaction(PART_STORES, 'readonly');
    const t0 = performance.now();
    await Promise.all(reads(tx));
    const ms = performance.now() - t0;
    await tx.done;
    return ms;
  };
  const probeOpsMs = await time((tx) => ops.map((op) => tx.objectStore('ops').getKey(op.id)));
  const probeOutboxMs = await time((tx) => ops.map((op) => tx.objectStore('outbox').getKey(op.id)));
  const viewReadsMs = await time((tx) => [
    ...[...eKeys].map((k) => tx.objectStore('endorsements').get(k)),
    ...[...tKeys].map((k) => tx.objectStore('claims').get(k)),
    ...[...tKeys].map((k) => tx.objectStore('threads').get(k)),
  ]);
  const seqs = ops.map((o) => o.seq);
  const range = IDBKeyRange.bound(Math.min(...seqs), Math.max(...seqs));
  const seqRangeKeysMs = await time((tx) => [tx.objectStore('ops').index('seq').getAllKeys(range)]);
  const outboxAllKeysMs = await time((tx) => [tx.objectStore('outbox').getAllKeys()]);
  db.close();
  // The in-memory folds alone (the domain functions the store calls), for scale.
  const t0 = performance.now();
  foldEndorsements(ops);
  foldObservations(ops);
  foldClaims(ops, SOLO_RULES);
  const foldMs = performance.now() - t0;
  return { probeOpsMs, probeOutboxMs, viewReadsMs, foldMs, seqRangeKeysMs, outboxAllKeysMs };
}

/**
 * Runs `rounds` measured rounds (after one warm-up), each on fresh databases, alternating
 * which of Tend and the baseline goes first.
 */
export async function bulk(options: { rounds?: number; spread?: Partial<Spread> } = {}): Promise<BulkResult> {
  const spread = { ...DEFAULT_SPREAD, ...options.spread };
  const g0 = performance.now();
  const ops = generateOps(spread);
  const generateMs = performance.now() - g0;
  const mix: Record<string, number> = {};
  for (const op of ops) mix[op.type] = (mix[op.type] ?? 0) + 1;

  // Warm-up: JIT, idb, LevelDB files; its rows are the baseline's input for every round.
  const warmName = uniqueName('tend');
  const warm = await runTend(ops, warmName);
  warm.store.close();
  const rows = await readRows(warmName, ops);
  if (rows.ops.length !== ops.length) throw new Error(`Tend stored ${rows.ops.length} of ${ops.length} ops`);
  const warmBase = uniqueName('base');
  const warmup: BulkRound = { tendMs: warm.ms, repeatMs: warm.repeatMs, baselineMs: await runBaseline(rows, warmBase), first: 'tend' };
  const parts = await timeParts(ops, warmName);
  await Promise.all([deleteDb(warmName), deleteDb(warmBase)]);

  const rounds: BulkRound[] = [];
  for (let r = 0; r < (options.rounds ?? 3); r++) {
    const tendName = uniqueName('tend');
    const baseName = uniqueName('base');
    const first = r % 2 ? 'baseline' : 'tend';
    let baselineMs = 0;
    if (first === 'baseline') baselineMs = await runBaseline(rows, baseName);
    const tend = await runTend(ops, tendName);
    tend.store.close();
    if (first === 'tend') baselineMs = await runBaseline(rows, baseName);
    rounds.push({ tendMs: tend.ms, repeatMs: tend.repeatMs, baselineMs, first });
    await Promise.all([deleteDb(tendName), deleteDb(baseName)]);
  }
  return {
    ops: ops.length,
    spread,
    mix,
    rows: { ops: rows.ops.length, endorsements: rows.endorsements.length, threads: rows.threads.length, claims: rows.claims.length, people: rows.people.length },
    generateMs,
    warmup,
    rounds,
    parts,
  };
}

// ------------------------------------------------------------------------------ local action latency

/** A runtime port stand-in that records when each push arrives. */
class FakePort implements PortLike {
  name = 'tend.subscribe';
  private listeners: ((m: unknown) => void)[] = [];
  private waiter: { test: (m: PortPush) => boolean; resolve: (t: number) => void } | null = null;
  constructor(public sender: SenderLike) {}
  postMessage(message: unknown): void {
    const at = performance.now();
    const w = this.waiter;
    if (w && w.test(message as PortPush)) {
      this.waiter = null;
      w.resolve(at);
    }
  }
  onMessage = { addListener: (fn: (m: unknown) => void) => void this.listeners.push(fn) };
  onDisconnect = { addListener: () => undefined };
  send(message: unknown): void {
    for (const fn of this.listeners) fn(message);
  }
  /** Resolves with the time of the next push that passes `test`. */
  next(test: (m: PortPush) => boolean, timeoutMs = 5_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no push within 5 s')), timeoutMs);
      this.waiter = {
        test,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
    });
  }
}

export interface LatencySample {
  type: 'post.endorse' | 'thread.claim' | 'thread.release' | 'page.seen';
  /** route() called → the subscriber's port received the new state. */
  notifiedMs: number;
  /** route() called → route() resolved with the reply. */
  replyMs: number;
}

export interface LatencyResult {
  preloadedOps: number;
  watched: { posts: number; threads: number };
  samples: LatencySample[];
  /** Where the time goes: each part timed alone, in ms per call. */
  parts: {
    /** `store.act` of an endorsement alone (one readwrite transaction). */
    act: number[];
    /** `snapshot` of one post alone (what the hub pushes). */
    snapshot: number[];
    /** A readwrite transaction on Tend's seven stores that puts one meta value, to commit. */
    bareCommit: number[];
    /**
     * An endorsement sent right after a tab's `page.seen` of 500 threads (not awaited), to its
     * reply with the post's new state: an action must not wait behind what a page reports.
     */
    behindSeen: number[];
    /** One `get` awaited inside an open transaction (a request round trip). */
    roundTrip: number[];
  };
}

/**
 * Local actions through the background boundary on a store that already holds a synced log
 * (`preload` ops), with a content-script subscriber watching a topic page's posts and a
 * list page's threads. Each action is timed from calling `route` until the subscriber's port
 * received the pushed state for the key it changed; the reply time is kept too.
 */
export async function latency(options: { actions?: number; warmup?: number; preload?: number } = {}): Promise<LatencyResult> {
  const actions = options.actions ?? 300;
  const name = uniqueName('latency');
  const store = await TendStore.open({ name });
  await store.me();
  const preload = options.preload ?? DEFAULT_SPREAD.ops;
  if (preload) await store.applyAccepted(generateOps({ ...DEFAULT_SPREAD, ops: preload, seed: 7 }, Date.now() - preload * 1_000), { cursor: preload });

  const env = { runtimeId: 'tend-bench', extensionBase: 'chrome-extension://tend-bench/' };
  const site = 'https://meta.discourse.org';
  const sender: SenderLike = { id: env.runtimeId, url: `${site}/t/a-topic/12483`, origin: site, tab: { id: 1 }, frameId: 0 };
  const hub = new SubscriptionHub((posts, threads) => snapshot(store, posts, threads, Date.now()), env);
  const handle = createHandler({ store, notify: (c) => void hub.notify(c), version: 'bench' });
  const send = (request: unknown) => route({ tend: 1, request }, sender, env, handle);

  // A topic page (30 posts) and a list page (30 threads) open at once, on one port.
  const threads: ThreadRef[] = Array.from({ length: 30 }, (_, i) => ({ site, threadId: String(20_000 + i) }));
  const posts: PostRef[] = Array.from({ length: 30 }, (_, i) => ({ site, threadId: '12483', postId: String(i + 1) }));
  const port = new FakePort(sender);
  hub.connect(port);
  const initial = port.next((m) => m.type === 'state');
  port.send({ type: 'watch', posts, threads });
  await initial;

  const replies = new Map(threads.map((t) => [threadKey(t), 1]));
  const seen = (changed: ThreadRef | null) => ({
    type: 'page.seen',
    site,
    viewer: 'bench_viewer',
    threads: threads.map((t) => ({
      threadId: t.threadId,
      title: `Topic ${t.threadId}`,
      url: `${site}/t/topic/${t.threadId}`,
      replies: t === changed ? replies.set(threadKey(t), replies.get(threadKey(t))! + 1).get(threadKey(t))! : replies.get(threadKey(t))!,
      answered: false,
    })),
  });
  // First sight of the list page: observes all 30 threads and links the viewer's handle.
  const first = await send(seen(null));
  if (!first.ok) throw new Error(`page.seen: ${first.error}`);

  const samples: LatencySample[] = [];
  let epoch = 0;
  const total = (options.warmup ?? 20) + actions;
  for (let i = 0; i < total; i++) {
    const kind = i % 4;
    const thread = threads[Math.floor(i / 4) % threads.length]!;
    const post = posts[Math.floor(i / 4) % posts.length]!;
    let request: unknown;
    let type: LatencySample['type'];
    let test: (m: PortPush) => boolean;
    const hasThread = (key: string) => (m: PortPush) => m.type === 'state' && key in m.state.threads;
    if (kind === 0) {
      type = 'post.endorse';
      request = { type, post, author: `user${i % 97}`, viewer: 'bench_viewer', ...(i % 8 === 0 ? { note: 'Exactly the fix we needed, thanks for the clear steps.' } : {}) };
      const key = postKey(post);
      test = (m) => m.type === 'state' && key in m.state.posts;
    } else if (kind === 1) {
      type = 'thread.claim';
      request = { type, thread };
      test = hasThread(threadKey(thread));
    } else if (kind === 2) {
      type = 'thread.release';
      request = { type, thread, epoch };
      test = hasThread(threadKey(thread));
    } else {
      type = 'page.seen';
      request = seen(thread);
      test = hasThread(threadKey(thread));
    }
    // A thread is observed again only after a minute (observe-limits.ts): a page's report in
    // this loop records nothing new and pushes nothing, so it is timed to its reply.
    const pushed = type === 'page.seen' ? null : port.next(test);
    const t0 = performance.now();
    const reply = await send(request);
    const tReply = performance.now();
    if (!reply.ok) throw new Error(`${type}: ${reply.error}`);
    const tPush = pushed ? await pushed : tReply;
    if (type === 'thread.claim') epoch = (reply.value as { threads: Record<string, { epoch: number }> }).threads[threadKey(thread)]!.epoch;
    if (i >= total - actions) samples.push({ type, notifiedMs: tPush - t0, replyMs: tReply - t0 });
  }

  // The parts alone, for scale.
  const parts: LatencyResult['parts'] = { act: [], snapshot: [], bareCommit: [], roundTrip: [], behindSeen: [] };
  const timeEach = async (out: number[], n: number, fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await fn(i);
      out.push(performance.now() - t0);
    }
  };
  const n = Math.max(20, Math.round(actions / 3));
  // A long list page reports 500 threads (all new), and the person clicks at once.
  // Each from a tab of its own, so the per-tab bound on observations does not make them cheap.
  for (let i = 0; i < 20; i++) {
    const big = Array.from({ length: 500 }, (_, j) => ({ threadId: String(100_000 + i * 500 + j), title: `Listed ${i}-${j}`, url: `${site}/t/listed/${100_000 + i * 500 + j}`, replies: j % 9, answered: false }));
    const report = route({ tend: 1, request: { type: 'page.seen', site, viewer: 'bench_viewer', threads: big } }, { ...sender, tab: { id: 100 + i } }, env, handle);
    const post = posts[i % posts.length]!;
    const t0 = performance.now();
    const reply = await send({ type: 'post.endorse', post, author: `user${(i + 50) % 97}`, viewer: 'bench_viewer' });
    if (!reply.ok) throw new Error(`endorse behind page.seen: ${reply.error}`);
    // The reply carries the post's new state: what the tab that clicked shows.
    parts.behindSeen.push(performance.now() - t0);
    await report;
  }
  await timeEach(parts.act, n, (i) => store.act({ type: 'endorse', post: posts[i % posts.length]!, author: `user${i % 89}`, viewer: 'bench_viewer' }));
  await timeEach(parts.snapshot, n, (i) => snapshot(store, [posts[i % posts.length]!], [], Date.now()));
  store.close();
  await deleteDb(name);

  const bareName = uniqueName('bare');
  const db = await openSchema(bareName);
  await timeEach(parts.bareCommit, n, async (i) => {
    const tx = db.transaction(['ops', 'outbox', 'endorsements', 'claims', 'threads', 'people', 'meta'], 'readwrite');
    await tx.objectStore('meta').put(i, 'hlc');
    await tx.done;
  });
  const tx = db.transaction('meta', 'readonly');
  await timeEach(parts.roundTrip, n, () => tx.store.get('hlc'));
  await tx.done;
  db.close();
  await deleteDb(bareName);
  return { preloadedOps: preload, watched: { posts: posts.length, threads: threads.length }, samples, parts };
}
