/**
 * The IndexedDB schema and its migrations. Each migration moves the database from one
 * version to the next; opening runs every step from the stored version up, so a profile
 * created by any earlier Tend upgrades in place without losing data.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
// Narrow domain modules, not its index: the pages' read side loads no op validation.
import { DEFAULT_LEASE_MS, type Claim } from '../domain/claims';
import { applyEndorsement, endorsementKey, type Endorsement } from '../domain/endorsements';
import { isThreadOp } from '../domain/op-kinds';
import type { AcceptedOp, Op } from '../domain/ops';
import type { Observation } from '../domain/observations';
import { threadKey } from '../domain/refs';
import type { ThreadState } from '../domain/threads';
import { AggregateBook, mergeAggregate, type AggregateRecord } from './aggregates';
import { foldThreadOp } from './thread-fold';

export { DB_NAME, DB_VERSION } from './connect';

/** The materialised state of one thread, for queues and chips. */
export interface ThreadRecord {
  key: string;
  site: string;
  threadId: string;
  observation: Observation | null;
  claim: Claim | null;
  /** State stored at write time; a `claimed` state is live only until `until`. */
  state: ThreadState;
  /** Lease end for `claimed`, 0 otherwise: lets counts tell live leases from expired ones by index. */
  until: number;
  /** When the question started: its observed creation time, else when Tend first learnt of it (ms). The queue's order. */
  since?: number;
  /** When it was first claimed, answered or marked done (ms), 0 while never. */
  handledAt?: number;
  /** When it was first claimed (ms), 0 while never. */
  firstClaimAt?: number;
}

/** A Tend member: a teammate from the roster, or me. */
export interface PersonRecord {
  id: string;
  name: string;
  role: 'member' | 'manager';
  /** `handleKey(site, handle)` of each linked site handle. */
  handleKeys: string[];
  handles: { site: string; handle: string }[];
}

/** A local op the authority has not answered yet. */
export interface OutboxRecord {
  op: Op;
  id: string;
  queuedAt: number;
  attempts: number;
}

export interface TendDB extends DBSchema {
  ops: { key: string; value: AcceptedOp; indexes: { seq: number } };
  outbox: { key: string; value: OutboxRecord; indexes: { queuedAt: number } };
  endorsements: {
    key: string;
    value: Endorsement;
    indexes: { post: string; authorHlc: [string, string]; actorHlc: [string, string]; hlc: string };
  };
  claims: { key: string; value: Claim; indexes: { holderStatus: [string, string] } };
  threads: { key: string; value: ThreadRecord; indexes: { siteState: [string, string, number]; stateSince: [string, number] } };
  aggregates: { key: string; value: AggregateRecord; indexes: { week: string } };
  people: { key: string; value: PersonRecord; indexes: { handleKeys: string } };
  meta: { key: string; value: unknown };
}

type UpgradeTx = IDBPTransaction<TendDB, StoreNames<TendDB>[], 'versionchange'>;
type Migration = (db: IDBPDatabase<TendDB>, tx: UpgradeTx) => void;

/**
 * Replays every stored op, in accepted order, to fill the weekly aggregates and the threads'
 * queue fields (`since`, `handledAt`, `firstClaimAt`) of a database made before version 3.
 * Ops were accepted already, so claim ops fold as the authority judged them.
 */
async function rebuildAggregates(tx: UpgradeTx): Promise<void> {
  const [ops, people, settings] = await Promise.all([
    tx.objectStore('ops').index('seq').getAll(),
    tx.objectStore('people').getAll(),
    tx.objectStore('meta').get('settings') as Promise<{ leaseMs?: number } | undefined>,
  ]);
  const managers = new Set(people.filter((p) => p.role === 'manager').map((p) => p.id));
  const rules = { leaseMs: settings?.leaseMs ?? DEFAULT_LEASE_MS, isManager: () => true };
  const book = new AggregateBook();
  const threads = new Map<string, { record: ThreadRecord; claim: Claim | undefined }>();
  const endorsements = new Map<string, Endorsement>();
  for (const op of ops) {
    if (op.type === 'endorse' || op.type === 'retract') {
      const k = endorsementKey(op.actor, op.post);
      const before = endorsements.get(k);
      const after = applyEndorsement(before, op);
      book.endorsement(before, after);
      endorsements.set(k, after);
    } else if (isThreadOp(op as Op)) {
      const k = threadKey((op as AcceptedOp<'observe'>).thread);
      const cur = threads.get(k);
      const r = foldThreadOp(cur?.record, cur?.claim, op as AcceptedOp<'observe'>, rules, managers, book);
      if (r) threads.set(k, r);
    }
  }
  const store = tx.objectStore('threads');
  const writes: Promise<unknown>[] = [];
  let cursor = await store.openCursor();
  while (cursor) {
    const replayed = threads.get(cursor.key)?.record;
    const v = cursor.value;
    writes.push(cursor.update({ ...v, since: replayed?.since ?? v.observation?.fields.createdAt?.value ?? 0, handledAt: replayed?.handledAt ?? 0, firstClaimAt: replayed?.firstClaimAt ?? 0 }));
    cursor = await cursor.continue();
  }
  const aggregates = tx.objectStore('aggregates');
  for (const key of book.keys()) writes.push(aggregates.put(mergeAggregate(undefined, book.delta(key)!)));
  await Promise.all(writes);
}

/**
 * Migrations by target version. Version 1 was the first release's schema (ops, endorsements
 * by post, claims, meta); version 2 added the outbox, threads, people and the query indexes;
 * version 3 added the dashboard's weekly aggregates, the queue's order and the feed's index.
 */
export const MIGRATIONS: Record<number, Migration> = {
  1: (db) => {
    // Not unique: ops accepted locally in solo mode keep their local numbers after joining a team.
    db.createObjectStore('ops', { keyPath: 'id' }).createIndex('seq', 'seq');
    db.createObjectStore('endorsements', { keyPath: 'key' }).createIndex('post', 'postKey');
    db.createObjectStore('claims', { keyPath: 'key' });
    db.createObjectStore('meta');
  },
  2: (db, tx) => {
    db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('queuedAt', 'queuedAt');
    const endorsements = tx.objectStore('endorsements');
    endorsements.createIndex('authorHlc', ['authorKey', 'hlc']);
    endorsements.createIndex('actorHlc', ['actor', 'hlc']);
    tx.objectStore('claims').createIndex('holderStatus', ['holder', 'status']);
    db.createObjectStore('threads', { keyPath: 'key' }).createIndex('siteState', ['site', 'state', 'until']);
    db.createObjectStore('people', { keyPath: 'id' }).createIndex('handleKeys', 'handleKeys', { multiEntry: true });
  },
  3: (db, tx) => {
    db.createObjectStore('aggregates', { keyPath: 'key' }).createIndex('week', 'week');
    tx.objectStore('threads').createIndex('stateSince', ['state', 'since']);
    tx.objectStore('endorsements').createIndex('hlc', 'hlc');
    // A failed rebuild aborts the upgrade: the database stays at version 2, nothing is lost.
    rebuildAggregates(tx).catch(() => {
      try {
        tx.abort();
      } catch {
        // already finished
      }
    });
  },
};

/** Runs the migrations from `oldVersion` up to `newVersion`. */
export function migrate(db: IDBPDatabase<TendDB>, tx: UpgradeTx, oldVersion: number, newVersion: number): void {
  for (let v = oldVersion + 1; v <= newVersion; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration to database version ${v}`);
    step(db, tx);
  }
}
