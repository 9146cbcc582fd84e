/**
 * The IndexedDB schema and its migrations. Each migration moves the database from one
 * version to the next; opening runs every step from the stored version up, so a profile
 * created by any earlier Tend upgrades in place without losing data.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { AcceptedOp, Claim, Endorsement, Observation, Op, ThreadState } from '../domain';

export const DB_NAME = 'tend';
export const DB_VERSION = 2;

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
    indexes: { post: string; authorHlc: [string, string]; actorHlc: [string, string] };
  };
  claims: { key: string; value: Claim; indexes: { holderStatus: [string, string] } };
  threads: { key: string; value: ThreadRecord; indexes: { siteState: [string, string, number] } };
  people: { key: string; value: PersonRecord; indexes: { handleKeys: string } };
  meta: { key: string; value: unknown };
}

type UpgradeTx = IDBPTransaction<TendDB, StoreNames<TendDB>[], 'versionchange'>;
type Migration = (db: IDBPDatabase<TendDB>, tx: UpgradeTx) => void;

/**
 * Migrations by target version. Version 1 was the first release's schema (ops, endorsements
 * by post, claims, meta); version 2 added the outbox, threads, people and the query indexes.
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
};

/** Runs the migrations from `oldVersion` up to `newVersion`. */
export function migrate(db: IDBPDatabase<TendDB>, tx: UpgradeTx, oldVersion: number, newVersion: number): void {
  for (let v = oldVersion + 1; v <= newVersion; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration to database version ${v}`);
    step(db, tx);
  }
}
