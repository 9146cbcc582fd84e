/**
 * The server's database: one Kysely query layer over SQLite (better-sqlite3, the embedded
 * default) and PostgreSQL, the schema as migrations, and the one transaction helper every
 * write goes through.
 */
import { closeSync, fdatasync, fstatSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { SqliteSync } from './settings';

// int8 (bigint) columns hold sequence numbers and millisecond times: safe as JS numbers.
pg.types.setTypeParser(20, (v: string) => Number(v));

export type Role = 'member' | 'manager';

export interface TeamsTable {
  id: string;
  name: string;
  lease_ms: number;
  /** Last sequence number given in this team (the per-team counter row). */
  seq: number;
  /** Authority time of the last accepted op: never goes back. */
  last_at: number;
  created_at: number;
}

export interface MembersTable {
  id: string;
  team_id: string;
  name: string;
  role: Role;
  created_at: number;
  revoked_at: number | null;
  erased_at: number | null;
}

export interface HandlesTable {
  team_id: string;
  /** `handleKey(site, handle)`: one member per key and team. */
  handle_key: string;
  site: string;
  handle: string;
  member_id: string;
}

export interface TokensTable {
  /** sha256 of the token; tokens themselves are never stored. */
  hash: string;
  member_id: string;
  team_id: string;
  created_at: number;
}

export interface InvitesTable {
  hash: string;
  team_id: string;
  role: Role;
  /** Set for a device invite: joining adds a device to this member. */
  member_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface TicketsTable {
  hash: string;
  member_id: string;
  team_id: string;
  expires_at: number;
}

export interface OpsTable {
  team_id: string;
  seq: number;
  id: string;
  actor: string;
  type: string;
  at: number;
  /** The accepted op as JSON (with seq and at), sent as is. */
  body: string;
}

export interface RejectionsTable {
  team_id: string;
  id: string;
  actor: string;
  code: string;
  /** The reason with `{holder}` where the holder's name goes: names are filled in when read, so a rename or an erasure reaches old refusals too. */
  reason: string;
  /** The member the refusal is about (a claim's holder, a handle's other claimant). */
  holder: string | null;
  at: number;
}

export interface HandleDisputesTable {
  team_id: string;
  /** `handleKey(site, handle)`. */
  handle_key: string;
  site: string;
  handle: string;
  /** JSON list of the member ids that linked this handle; it counts for none of them until a manager decides. */
  members: string;
  created_at: number;
}

export interface ClaimsTable {
  team_id: string;
  key: string;
  holder: string;
  status: string;
  expires_at: number;
  body: string;
}

export interface EndorsementsTable {
  team_id: string;
  key: string;
  actor: string;
  body: string;
}

export interface ObservationsTable {
  team_id: string;
  key: string;
  body: string;
}

export interface DB {
  teams: TeamsTable;
  members: MembersTable;
  handles: HandlesTable;
  tokens: TokensTable;
  invites: InvitesTable;
  tickets: TicketsTable;
  ops: OpsTable;
  rejections: RejectionsTable;
  handle_disputes: HandleDisputesTable;
  claims: ClaimsTable;
  endorsements: EndorsementsTable;
  observations: ObservationsTable;
}

export type Kind = 'sqlite' | 'postgres';

/** Where the data lives, from `DATABASE_URL`. */
export type Target = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** Default SQLite file, relative to the working directory. */
export const DEFAULT_SQLITE_FILE = path.join('data', 'tend.sqlite');

/**
 * Reads `DATABASE_URL`: unset → `./data/tend.sqlite`; `postgres://` or `postgresql://` →
 * PostgreSQL; `sqlite:PATH`, `sqlite://PATH`, `file:PATH` or a plain path → that SQLite file.
 */
export function parseDatabaseUrl(value: string | undefined): Target {
  const v = value?.trim();
  if (!v) return { kind: 'sqlite', file: DEFAULT_SQLITE_FILE };
  if (/^postgres(ql)?:\/\//i.test(v)) return { kind: 'postgres', url: v };
  const m = /^(sqlite|file):(.*)$/i.exec(v);
  if (m) {
    let rest = m[2]!;
    if (rest.startsWith('//')) rest = rest.slice(2);
    if (!rest) throw new Error(`DATABASE_URL ${v} names no file`);
    return { kind: 'sqlite', file: decodeURIComponent(rest) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new Error(`DATABASE_URL: unsupported database ${v.split(':')[0]} (use a SQLite file or postgres://)`);
  return { kind: 'sqlite', file: v };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, so keep the
 * recently used ones by SQL text (pushes repeat the same few shapes).
 */
function withStatementCache(database: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, prop) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (stmt) {
          cache.delete(source);
          cache.set(source, stmt);
          return stmt;
        }
        stmt = prepare(source);
        cache.set(source, stmt);
        if (cache.size > 500) cache.delete(cache.keys().next().value!);
        return stmt;
      };
    },
  }) as Database.Database;
}

/** An open database: the query layer, its kind, and how to close it. */
export interface Db {
  kind: Kind;
  q: Kysely<DB>;
  /** SQLite only: the connection itself, for the push's hot statements (prepared once, see team-store.ts). */
  sqlite?: Database.Database;
  /** SQLite file with synchronous=FULL: syncs transactions' commits to disk off the event loop (see `WalSync`). */
  wal?: WalSync;
  target: Target;
  close(): Promise<void>;
}

/** WAL pages at which the checkpointer copies the WAL into the database file (about 16 MB). */
const CHECKPOINT_PAGES = 4_000;
/** WAL pages at which the serving connection checkpoints itself, if the checkpointer has fallen behind (about 80 MB). */
const FALLBACK_CHECKPOINT_PAGES = 20_000;

/**
 * The checkpointer: a worker thread with a connection of its own that copies the WAL into
 * the database file (`wal_checkpoint(PASSIVE)`, which neither waits for nor blocks the
 * server's writes) whenever the WAL has grown past `CHECKPOINT_PAGES`. Left to the serving
 * connection, each checkpoint (copy and two syncs) stopped every request for tens of
 * milliseconds. The serving connection still checkpoints by itself past
 * `FALLBACK_CHECKPOINT_PAGES`, so the WAL stays bounded if this thread fails or lags.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = FULL');
const limit = workerData.pages * db.pragma('page_size', { simple: true });
const timer = setInterval(() => {
  let size = 0;
  try { size = statSync(workerData.file + '-wal').size; } catch { return; }
  if (size < limit) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage(String(e && e.message || e)); }
}, 100);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

function startCheckpointer(file: string, pages: number): Worker | undefined {
  try {
    const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, module: createRequire(import.meta.url).resolve('better-sqlite3'), pages } });
    worker.on('message', (m) => console.warn(`tend: checkpoint failed: ${String(m)}`));
    worker.on('error', (e) => console.warn(`tend: the checkpointer stopped (the server checkpoints by itself): ${e.message}`));
    worker.unref();
    return worker;
  } catch (e) {
    console.warn(`tend: no checkpointer (the server checkpoints by itself): ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

async function stopCheckpointer(worker: Worker | undefined): Promise<void> {
  if (!worker) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage('stop');
  await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
  await worker.terminate();
}

const fdatasyncAsync = (fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));

/**
 * Durable commits that do not stop the server. With synchronous=FULL, SQLite syncs the WAL
 * inside every COMMIT, and better-sqlite3 runs COMMIT on the event loop: nothing else moves
 * for the length of the disk flush. So `transaction` commits with NORMAL (the WAL frames
 * are written, not synced) and then syncs the WAL file from libuv's thread pool; FULL is
 * exactly NORMAL plus that one sync after each commit (https://www.sqlite.org/pragma.html#pragma_synchronous).
 * Until the sync that covers a commit has finished, nothing of it is acknowledged, announced
 * or read out (`durable()`), so an acknowledged op survives power loss as before. Commits
 * made while a sync runs share the next one.
 *
 * A failed sync leaves pages the kernel may already have dropped: from then on every write
 * and every read that waits for one is refused, until the server is started again.
 */
export class WalSync {
  /** Commits made without a sync of their own. */
  private written = 0;
  /** How many of them a finished sync covers. */
  private synced = 0;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private fd: number | null = null;
  /** Why writes are refused, once a sync failed. */
  failure: Error | null = null;

  constructor(
    private readonly file: string,
    private readonly syncFd: (fd: number) => Promise<void> = fdatasyncAsync,
  ) {}

  /** Notes a commit whose WAL frames are written but not yet synced. */
  committed(): void {
    this.written += 1;
  }

  /** Resolves once every commit noted so far is on disk. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.synced >= this.written) return Promise.resolve();
    if (!this.running) return this.start();
    // The sync under way may have begun before the latest commit: one more follows it, shared by all who ask meanwhile.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.durable();
      });
    return this.queued;
  }

  private start(): Promise<void> {
    const covers = this.written;
    const run = (async () => {
      await this.syncFd(this.open());
      this.synced = Math.max(this.synced, covers);
    })()
      .catch((e: unknown) => {
        this.failure ??= new Error(`the database could not be synced to disk, so nothing more is stored until the server restarts: ${e instanceof Error ? e.message : String(e)}`);
        console.warn(`tend: ${this.failure.message}`);
        throw this.failure;
      })
      .finally(() => {
        this.running = null;
      });
    this.running = run;
    return run;
  }

  /** The WAL file, opened once (again if it was removed and made anew), with its directory entry on disk. */
  private open(): number {
    if (this.fd !== null && fstatSync(this.fd).nlink > 0) return this.fd;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const fd = openSync(`${this.file}-wal`, 'r');
    // SQLite syncs the directory the first time it syncs a new WAL; this sync stands in for that one.
    const dir = openSync(path.dirname(path.resolve(this.file)), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.fd = fd;
    return fd;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Opens (creating) the database and brings its schema up to date. */
export async function openDb(
  target: Target,
  options: {
    poolSize?: number;
    sqliteSync?: SqliteSync;
    /** How the WAL file is synced (tests). */
    syncFile?: (fd: number) => Promise<void>;
    /** WAL pages at which the checkpointer copies the WAL into the database (tests). */
    checkpointPages?: number;
  } = {},
): Promise<Db> {
  let q: Kysely<DB>;
  let sqlite: Database.Database | undefined;
  let wal: WalSync | undefined;
  let checkpointer: Worker | undefined;
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(path.dirname(path.resolve(target.file)), { recursive: true });
    const database = new Database(target.file);
    sqlite = database;
    database.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before the push is acknowledged, so an acknowledged op
    // survives a power failure, not only a crash of the process (NORMAL in WAL mode).
    database.pragma(`synchronous = ${options.sqliteSync === 'normal' ? 'NORMAL' : 'FULL'}`);
    database.pragma('busy_timeout = 10000');
    database.pragma('foreign_keys = ON');
    database.pragma('cache_size = -65536');
    database.pragma(`wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
    if (options.sqliteSync !== 'normal' && target.file !== ':memory:' && database.pragma('journal_mode', { simple: true }) === 'wal') wal = new WalSync(target.file, options.syncFile);
    q = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    if (target.file !== ':memory:') checkpointer = startCheckpointer(path.resolve(target.file), options.checkpointPages ?? CHECKPOINT_PAGES);
  } else {
    const pool = new pg.Pool({ connectionString: target.url, max: options.poolSize ?? 10 });
    // An idle pooled connection that dies (server restart) must not crash the process.
    pool.on('error', (e) => console.warn(`tend: database connection error: ${e.message}`));
    q = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  }
  const db: Db = {
    kind: target.kind,
    q,
    target,
    ...(sqlite ? { sqlite } : {}),
    ...(wal ? { wal } : {}),
    close: async () => {
      await stopCheckpointer(checkpointer);
      await q.destroy();
      wal?.close();
    },
  };
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

const controls = new WeakMap<Database.Database, Record<'begin' | 'commit' | 'rollback' | 'normal' | 'full', Database.Statement>>();

/** A connection's transaction and sync-mode statements, prepared once. */
function controlStatements(database: Database.Database) {
  let c = controls.get(database);
  if (!c) {
    c = {
      begin: database.prepare('BEGIN IMMEDIATE'),
      commit: database.prepare('COMMIT'),
      rollback: database.prepare('ROLLBACK'),
      normal: database.prepare('PRAGMA synchronous = NORMAL'),
      full: database.prepare('PRAGMA synchronous = FULL'),
    };
    controls.set(database, c);
  }
  return c;
}

/**
 * Runs `fn` in one transaction and resolves once it is committed and durable. SQLite takes
 * the write lock up front (`BEGIN IMMEDIATE`), so two writers never deadlock upgrading a
 * read lock; PostgreSQL uses an ordinary transaction in which writers lock their team's
 * counter row first (see `lockTeam`).
 */
export async function transaction<T>(db: Db, fn: (t: Kysely<DB>) => Promise<T>): Promise<T> {
  const { result, durable } = await commitTransaction(db, fn);
  await durable;
  return result;
}

/**
 * Like `transaction`, but resolves as soon as it is committed, with `durable` for when the
 * commit is on disk (SQLite with synchronous=FULL: see `WalSync`). Whoever calls it tells
 * nobody of the commit before `durable` resolves, and refuses if it rejects. The group
 * commit uses it to go on reading pushes while the sync runs.
 */
export async function commitTransaction<T>(db: Db, fn: (t: Kysely<DB>) => Promise<T>): Promise<{ result: T; durable: Promise<void> }> {
  if (db.kind === 'postgres') return { result: await db.q.transaction().execute(fn), durable: Promise.resolve() };
  const wal = db.wal;
  if (wal?.failure) throw wal.failure;
  const control = controlStatements(db.sqlite!);
  return db.q.connection().execute(async (conn) => {
    // Kysely's lock on the one connection is held: nothing else of Kysely's runs between these statements.
    if (wal) control.normal.run();
    let result: T;
    try {
      control.begin.run();
      try {
        result = await fn(conn);
        control.commit.run();
      } catch (e) {
        try {
          if (db.sqlite!.inTransaction) control.rollback.run();
        } catch {
          // the transaction's own error says more
        }
        throw e;
      }
    } finally {
      if (wal) control.full.run();
    }
    if (!wal) return { result, durable: Promise.resolve() };
    wal.committed();
    return { result, durable: wal.durable() };
  });
}

// ------------------------------------------------------------------------------ schema

const migrations: Record<string, Migration> = {
  '0001_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('teams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('lease_ms', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('teams_name').on('teams').column('name').execute();

      await db.schema
        .createTable('members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('erased_at', 'bigint')
        .execute();
      await db.schema.createIndex('members_team').on('members').column('team_id').execute();

      await db.schema
        .createTable('handles')
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('handle_key', 'text', (c) => c.notNull())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('handle', 'text', (c) => c.notNull())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addPrimaryKeyConstraint('handles_pk', ['team_id', 'handle_key'])
        .execute();
      await db.schema.createIndex('handles_member').on('handles').column('member_id').execute();

      await db.schema
        .createTable('tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tokens_member').on('tokens').column('member_id').execute();

      await db.schema
        .createTable('invites')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('member_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();

      await db.schema
        .createTable('tickets')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('ops')
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ops_pk', ['team_id', 'seq'])
        .addUniqueConstraint('ops_id', ['team_id', 'id'])
        .execute();

      await db.schema
        .createTable('rejections')
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('holder', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('rejections_pk', ['team_id', 'id'])
        .execute();

      await db.schema
        .createTable('claims')
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('claims_pk', ['team_id', 'key'])
        .execute();
      await db.schema.createIndex('claims_holder').on('claims').columns(['team_id', 'holder', 'status']).execute();

      await db.schema
        .createTable('endorsements')
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('endorsements_pk', ['team_id', 'key'])
        .execute();
      await db.schema.createIndex('endorsements_actor').on('endorsements').columns(['team_id', 'actor']).execute();

      await db.schema
        .createTable('observations')
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('observations_pk', ['team_id', 'key'])
        .execute();
    },
  },
  '0002_disputes_and_bounds': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('handle_disputes')
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('handle_key', 'text', (c) => c.notNull())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('handle', 'text', (c) => c.notNull())
        .addColumn('members', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('handle_disputes_pk', ['team_id', 'handle_key'])
        .execute();
      // Refusals are kept per member up to a bound: this finds a member's oldest ones.
      await db.schema.createIndex('rejections_actor').on('rejections').columns(['team_id', 'actor', 'at']).execute();
      await db.schema.createIndex('rejections_holder').on('rejections').columns(['team_id', 'holder']).execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to the newest migration under a lock; throws with the failing step.
 * PostgreSQL: Kysely's migrator takes an advisory lock. SQLite: Kysely assumes one process
 * and takes none, so the whole run happens inside `BEGIN IMMEDIATE` on this process's only
 * connection, which makes every other process that opens the file wait for the write lock,
 * then find the schema already up to date.
 */
export async function migrate(db: Db): Promise<void> {
  if (db.kind === 'sqlite') {
    await sql`begin immediate`.execute(db.q);
    let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
    try {
      outcome = await new Migrator({ db: db.q, provider, disableTransactions: true }).migrateToLatest();
    } catch (e) {
      await sql`rollback`.execute(db.q).catch(() => undefined);
      throw e;
    }
    if (outcome.error) await sql`rollback`.execute(db.q).catch(() => undefined);
    else await sql`commit`.execute(db.q);
    return migrationOutcome(outcome);
  }
  return migrationOutcome(await new Migrator({ db: db.q, provider }).migrateToLatest());
}

function migrationOutcome({ error, results }: Awaited<ReturnType<Migrator['migrateToLatest']>>): void {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
