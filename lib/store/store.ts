/**
 * Tend's local database, its writing side: the background worker is the only writer. Reads are
 * in `StoreReads` (reads.ts), which this store and the pages' `TendReader` (queries.ts) share.
 * Every write (an op and the views it changes) is one transaction, so a failure leaves no op
 * without its views and no view without its op.
 */
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import {
  applyClaim,
  applyEndorsement,
  applySite,
  DEFAULT_LEASE_MS,
  describeRejection,
  endorsementKey,
  endorseProblem,
  handleKey,
  isClaimOp,
  newOpId,
  OP_VERSION,
  postKey,
  receiveHlc,
  threadKey,
  tickHlc,
  withPending,
  type AcceptedOp,
  type Claim,
  type ClaimRules,
  type Endorsement,
  type Op,
  type Payload,
  type SiteDescription,
  type TeamSites,
  type ErrorCode,
} from '../domain';
import { AggregateBook, mergeAggregate } from './aggregates';
import { CLAIM_REFUSALS, StoreError, toStoreError } from './errors';
import { foldThreadOp } from './thread-fold';
import { DB_NAME, DB_VERSION, migrate, type OutboxRecord, type PersonRecord, type TendDB, type ThreadRecord } from './schema';
import { LOCAL_SITES_KEY, pendingClaimOpsOf, StoreReads, TEAM_SITES_KEY, type LocalSite, type Me, type Rejection, type TeamSettings } from './reads';

/** What a write changed, so the background can tell exactly the subscribers that care. */
export interface Changes {
  posts: Set<string>;
  threads: Set<string>;
  people: Set<string>;
  /** Origins whose shared site description changed. */
  sites?: Set<string>;
  /** Whether my own claims may have changed (popup summaries). */
  mine: boolean;
}

/** The outcome of a local action. */
export interface ActResult {
  op: Op;
  /** Accepted at once (solo mode), or waiting in the outbox for the team server. */
  pending: boolean;
  changes: Changes;
}

const ALL_STORES = ['ops', 'outbox', 'endorsements', 'claims', 'threads', 'people', 'meta', 'aggregates'] as const;
type Tx = IDBPTransaction<TendDB, (typeof ALL_STORES)[number][], 'readwrite'>;

const emptyChanges = (): Changes => ({ posts: new Set(), threads: new Set(), people: new Set(), mine: false });

function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
}

/** Options for opening the database. */
export interface OpenOptions {
  name?: string;
  /** This device's wall clock (tests give devices skewed clocks). */
  now?: () => number;
  /** Another context wants a newer version: this connection has been closed. */
  onVersionChange?: () => void;
}

/** The writing side: the background's store. Reads come from `StoreReads`. */
export class TendStore extends StoreReads {
  /** Closed by `close()` or for a newer version: the next use opens a new connection. */
  private closed = false;

  private constructor(
    private db: IDBPDatabase<TendDB>,
    private readonly options: OpenOptions,
  ) {
    super(options.now);
  }

  /** Opens (creating or upgrading) the database. */
  static async open(options: OpenOptions = {}): Promise<TendStore> {
    const store = new TendStore(null as unknown as IDBPDatabase<TendDB>, options);
    store.db = await store.connect();
    return store;
  }

  private async connect(): Promise<IDBPDatabase<TendDB>> {
    // No `blocked` handler is needed: every Tend connection closes itself on versionchange
    // (below), so an upgrade waits only for connections that are about to close.
    const db = await openDB<TendDB>(this.options.name ?? DB_NAME, DB_VERSION, {
      upgrade: (db, oldVersion, newVersion, tx) => migrate(db, tx, oldVersion, newVersion ?? DB_VERSION),
    });
    db.addEventListener('versionchange', () => {
      // Let a newer Tend upgrade: close now, reopen on next use.
      db.close();
      if (this.db === db) this.closed = true;
      this.options.onVersionChange?.();
    });
    this.closed = false;
    return db;
  }

  protected async handle(): Promise<IDBPDatabase<TendDB>> {
    if (this.closed) this.db = await this.connect();
    return this.db;
  }

  /** Closes the connection. */
  close(): void {
    this.db.close();
    this.closed = true;
  }

  private async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const db = await this.handle();
    let tx: Tx;
    try {
      tx = db.transaction([...ALL_STORES], 'readwrite');
    } catch (e) {
      throw toStoreError(e);
    }
    try {
      const result = await fn(tx);
      await tx.done;
      return result;
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      await tx.done.catch(() => undefined);
      throw toStoreError(e);
    }
  }

  // ---------------------------------------------------------------- identity and settings

  /** Me on this device, created on first use. */
  async me(): Promise<Me> {
    const db = await this.handle();
    const existing = (await db.get('meta', 'me')) as Me | undefined;
    if (existing) return existing;
    return this.write(async (tx) => {
      const again = (await tx.objectStore('meta').get('me')) as Me | undefined;
      if (again) return again;
      const me: Me = { id: randomId(16), name: '', node: randomId(8) };
      await tx.objectStore('meta').put(me, 'me');
      return me;
    });
  }

  /** Replaces my identity (joining a team gives me the team's member id). */
  async setMe(me: Me): Promise<void> {
    await this.write(async (tx) => {
      await tx.objectStore('meta').put(me, 'me');
    });
  }

  /** Writes a metadata value. */
  async setMeta(key: string, value: unknown): Promise<void> {
    await this.write(async (tx) => {
      await tx.objectStore('meta').put(value, key);
    });
  }

  // ---------------------------------------------------------------- writes

  /**
   * Records a local action: makes the op, checks the domain rules against what this device
   * knows (with my pending ops on top), and writes the op with its views in one transaction.
   * A refused action throws a StoreError with the rule's code (`own-post`, `claim-held`, …) and writes nothing.
   */
  async act(payload: Payload, now: number = this.now()): Promise<ActResult> {
    const r = await this.actMany([payload], now);
    return { op: r.ops[0]!, pending: r.pending, changes: r.changes };
  }

  /**
   * Records several local actions in one transaction (a page visit's observations): all are
   * written, or none if any is refused.
   */
  async actMany(payloads: readonly Payload[], now: number = this.now()): Promise<{ ops: Op[]; pending: boolean; changes: Changes }> {
    return this.write(async (tx) => {
      const meta = tx.objectStore('meta');
      // Every read the checks need, issued at once.
      const [me, lastHlc, lastSeq, team, settings, people, queued] = (await Promise.all([
        meta.get('me'),
        meta.get('hlc'),
        // In solo mode the local order is the accepted order: continue after the last op.
        tx.objectStore('ops').index('seq').openKeyCursor(null, 'prev').then((c) => c?.key),
        meta.get('team'),
        meta.get('settings'),
        tx.objectStore('people').getAll(),
        tx.objectStore('outbox').index('queuedAt').getAll(),
      ])) as [Me | undefined, string | undefined, number | undefined, unknown, TeamSettings | undefined, PersonRecord[], OutboxRecord[]];
      if (!me) throw new StoreError('no-identity', 'Tend has no identity yet: open the Tend popup once.');
      const rules = rulesOf(people, Boolean(team), settings);
      const myHandles = people.find((p) => p.id === me.id)?.handles ?? [];
      const claimsSoFar = new Map<string, Claim | undefined>();
      let hlc = lastHlc ?? null;
      const ops: Op[] = [];

      for (const payload of payloads) {
        hlc = tickHlc(hlc, me.node, now);
        const op = { ...payload, v: OP_VERSION, id: newOpId(), hlc, actor: me.id } as Op;
        if (op.type === 'endorse') {
          const problem = endorseProblem(op, myHandles.filter((h) => h.site === op.post.site).map((h) => h.handle));
          if (problem) throw new StoreError('own-post', problem);
        }
        if (isClaimOp(op)) {
          const key = threadKey(op.thread);
          if (!claimsSoFar.has(key)) {
            const accepted = await tx.objectStore('claims').get(key);
            claimsSoFar.set(key, withPending(accepted, pendingClaimOpsOf(queued, key), now, rules).claim);
          }
          const r = applyClaim(claimsSoFar.get(key), op, now, rules);
          if (!r.ok) {
            const names = new Map(people.map((p) => [p.id, p.name]));
            const holder = 'holder' in r.rejection ? names.get(r.rejection.holder) : undefined;
            // The holder's name goes with the code; a page words a teammate without one.
            throw new StoreError(CLAIM_REFUSALS[r.rejection.code], describeRejection(r.rejection, (m) => (m === me.id ? 'You' : (names.get(m) ?? 'A teammate'))), holder ? { detail: holder } : undefined);
          }
          claimsSoFar.set(key, r.claim);
        }
        ops.push(op);
      }

      const hlcWrite = meta.put(hlc!, 'hlc');
      if (team) {
        const outbox = tx.objectStore('outbox');
        const changes = emptyChanges();
        await Promise.all([hlcWrite, ...ops.map((op) => outbox.put({ op, id: op.id, queuedAt: now, attempts: 0 }))]);
        for (const op of ops) markChanged(changes, op, me.id);
        return { ops, pending: true, changes };
      }
      let seq = lastSeq ?? 0;
      const changes = await this.applyIn(tx, ops.map((op) => ({ ...op, seq: ++seq, at: now }) as AcceptedOp), rules, me.id, managersOf(people));
      await hlcWrite;
      return { ops, pending: false, changes };
    });
  }

  /**
   * Applies ops the authority accepted (pulled from the team server, or acks of my own),
   * in accepted order, all in one transaction: op rows, their views, the outbox entries
   * they answer and the pull cursor. Ops already stored are skipped, so a repeated pull
   * changes nothing.
   */
  async applyAccepted(ops: readonly AcceptedOp[], options: { cursor?: number; now?: number } = {}): Promise<Changes> {
    const now = options.now ?? this.now();
    return this.write(async (tx) => {
      const meta = tx.objectStore('meta');
      const [me, settings, team, people, lastHlc] = (await Promise.all([
        meta.get('me'),
        meta.get('settings'),
        meta.get('team'),
        tx.objectStore('people').getAll(),
        meta.get('hlc'),
      ])) as [Me | undefined, TeamSettings | undefined, unknown, PersonRecord[], string | undefined];
      // The authority already judged these ops (a manager's handoff, say): fold them as
      // accepted even if this device's roster does not know that member's role yet.
      const rules = { ...rulesOf(people, Boolean(team), settings), isManager: () => true };
      const changes = await this.applyIn(tx, ops, rules, me?.id ?? '', managersOf(people));
      const writes: Promise<unknown>[] = [];
      if (options.cursor !== undefined) writes.push(meta.put(options.cursor, 'cursor'));
      // Whatever arrives moves this device's clock past it, so anything done here after
      // seeing an op orders after that op, however wrong either device's wall clock is.
      const merged = me ? mergeClocks(lastHlc ?? null, ops, me.node, now) : null;
      if (merged && merged !== lastHlc) writes.push(meta.put(merged, 'hlc'));
      await Promise.all(writes);
      return changes;
    });
  }

  /** The authority refused one of my pending ops: drop it and keep the reason to show. */
  async reject(opId: string, reason: string, now: number = this.now(), coded: { code?: ErrorCode; detail?: string } = {}): Promise<Changes> {
    return this.write(async (tx) => {
      const outbox = tx.objectStore('outbox');
      const record = await outbox.get(opId);
      const changes = emptyChanges();
      if (!record) return changes;
      await outbox.delete(opId);
      const meta = tx.objectStore('meta');
      const notices = ((await meta.get('rejections')) as Rejection[] | undefined) ?? [];
      const notice: Rejection = { op: record.op, reason, at: now, ...(coded.code ? { code: coded.code } : {}), ...(coded.detail ? { detail: coded.detail } : {}) };
      await meta.put([notice, ...notices].slice(0, 50), 'rejections');
      markChanged(changes, record.op, record.op.actor);
      return changes;
    });
  }

  /**
   * The batch fold: issue every read at once, fold in memory in accepted order, then
   * issue every write. IndexedDB pipelines the requests within the transaction.
   */
  private async applyIn(tx: Tx, ops: readonly AcceptedOp[], rules: ClaimRules, me: string, managers: ReadonlySet<string>): Promise<Changes> {
    const changes = emptyChanges();
    const opStore = tx.objectStore('ops');
    const endorsements = tx.objectStore('endorsements');
    const claims = tx.objectStore('claims');
    const threads = tx.objectStore('threads');
    const people = tx.objectStore('people');
    const outbox = tx.objectStore('outbox');

    const eKeys = new Set<string>();
    const tKeys = new Set<string>();
    const pKeys = new Set<string>();
    let siteOps = false;
    for (const op of ops) {
      if (op.type === 'endorse' || op.type === 'retract') eKeys.add(endorsementKey(op.actor, op.post));
      else if (op.type === 'member') pKeys.add(op.actor);
      else if (op.type === 'site') siteOps = true;
      else tKeys.add(threadKey(op.thread));
    }
    const meta = tx.objectStore('meta');
    const teamSites = siteOps ? (((await meta.get(TEAM_SITES_KEY)) as TeamSites | undefined) ?? {}) : {};
    // Which of these ops are stored already: op ids sort by creation time, so one key-only
    // range read covers the batch (plus whatever else was made in that time span).
    let minId = ops[0]?.id ?? '';
    let maxId = minId;
    for (const op of ops) {
      if (op.id < minId) minId = op.id;
      if (op.id > maxId) maxId = op.id;
    }
    const [known, eRows, tRows, pRows, queued] = await Promise.all([
      ops.length ? opStore.getAllKeys(IDBKeyRange.bound(minId, maxId)).then((keys) => new Set<string>(keys)) : new Set<string>(),
      Promise.all([...eKeys].map((k) => endorsements.get(k))),
      Promise.all([...tKeys].map((k) => threads.get(k))),
      Promise.all([...pKeys].map((k) => people.get(k))),
      // The outbox holds only this device's pending ops: small.
      outbox.getAllKeys().then((keys) => new Set<string>(keys)),
    ]);
    // A thread record carries its claim; a claim without one (written by an older Tend) is read on its own.
    const cRows = await Promise.all([...tKeys].map((k, i) => (tRows[i] ? tRows[i]!.claim ?? undefined : claims.get(k))));
    const eMap = new Map<string, Endorsement | undefined>([...eKeys].map((k, i) => [k, eRows[i]]));
    const cMap = new Map<string, Claim | undefined>([...tKeys].map((k, i) => [k, cRows[i]]));
    const tMap = new Map<string, ThreadRecord | undefined>([...tKeys].map((k, i) => [k, tRows[i]]));
    const pMap = new Map<string, PersonRecord | undefined>([...pKeys].map((k, i) => [k, pRows[i]]));
    const dirtyE = new Set<string>();
    const dirtyT = new Set<string>();
    const dirtyP = new Set<string>();
    const seen = new Set<string>();
    const book = new AggregateBook();
    const writes: Promise<unknown>[] = [];
    // If a later write throws, the transaction aborts and earlier requests reject: the
    // caller hears about it once, through the thrown error, not as unhandled rejections.
    const issue = (p: Promise<unknown>) => {
      p.catch(() => undefined);
      writes.push(p);
    };

    ops.forEach((op) => {
      if (queued.has(op.id)) issue(outbox.delete(op.id));
      if (known.has(op.id) || seen.has(op.id)) return;
      seen.add(op.id);
      issue(opStore.put(op));
      markChanged(changes, op, me);
      if (op.type === 'endorse' || op.type === 'retract') {
        const key = endorsementKey(op.actor, op.post);
        const before = eMap.get(key);
        const after = applyEndorsement(before, op);
        book.endorsement(before, after);
        eMap.set(key, after);
        dirtyE.add(key);
      } else if (op.type === 'member') {
        const old = pMap.get(op.actor);
        const handles = op.handles ?? old?.handles ?? [];
        pMap.set(op.actor, {
          id: op.actor,
          name: op.name ?? old?.name ?? '',
          role: old?.role ?? 'member',
          handles,
          handleKeys: handles.map((h) => handleKey(h.site, h.handle)),
        });
        dirtyP.add(op.actor);
      } else if (op.type === 'site') {
        const next = applySite(teamSites[op.origin], op);
        if (next !== teamSites[op.origin]) {
          teamSites[op.origin] = next;
          (changes.sites ??= new Set()).add(op.origin);
        }
      } else {
        const key = threadKey(op.thread);
        const r = foldThreadOp(tMap.get(key), cMap.get(key), op, rules, managers, book);
        if (!r) return; // the authority accepted it under state this device has not seen
        if (r.claim) cMap.set(key, r.claim);
        tMap.set(key, r.record);
        dirtyT.add(key);
      }
    });
    for (const k of dirtyE) issue(endorsements.put(eMap.get(k)!));
    for (const k of dirtyT) {
      issue(threads.put(tMap.get(k)!));
      const c = cMap.get(k);
      if (c) issue(claims.put(c));
    }
    for (const k of dirtyP) issue(people.put(pMap.get(k)!));
    if (changes.sites?.size) issue(meta.put(teamSites, TEAM_SITES_KEY));
    // The weekly aggregates, in the same transaction: read the rows the batch touches, add to them.
    if (book.size) {
      const aggregates = tx.objectStore('aggregates');
      const keys = book.keys();
      const stored = await Promise.all(keys.map((k) => aggregates.get(k)));
      keys.forEach((k, i) => issue(aggregates.put(mergeAggregate(stored[i], book.delta(k)!))));
    }
    await Promise.all(writes);
    return changes;
  }

  /** Replaces the team roster (from the team server). */
  async setPeople(roster: readonly PersonRecord[]): Promise<void> {
    await this.write(async (tx) => {
      const people = tx.objectStore('people');
      await Promise.all(roster.map((p) => people.put(p)));
    });
  }

  /**
   * Starts over for a team (joining or leaving one): drops every accepted op, view, pending
   * op, rejection notice and the pull cursor in one transaction, then queues `carry` (my
   * own ops to send to the new team). Identity, settings and the clock are kept.
   */
  async resetSynced(carry: readonly Op[] = [], now: number = this.now()): Promise<void> {
    await this.write(async (tx) => {
      await Promise.all((['ops', 'outbox', 'endorsements', 'claims', 'threads', 'people', 'aggregates'] as const).map((name) => tx.objectStore(name).clear()));
      const meta = tx.objectStore('meta');
      await Promise.all([meta.delete('cursor'), meta.delete('rejections'), meta.delete(TEAM_SITES_KEY)]);
      const outbox = tx.objectStore('outbox');
      await Promise.all(carry.map((op) => outbox.put({ op, id: op.id, queuedAt: now, attempts: 0 })));
    });
  }

  /**
   * Brings back ops from an export, in their accepted order, with the roster and settings:
   * ops already stored are skipped, so the same file twice changes nothing.
   */
  async importOps(ops: readonly AcceptedOp[], extra: { people?: readonly PersonRecord[]; settings?: TeamSettings | null; paused?: boolean } = {}): Promise<{ added: number; changes: Changes }> {
    const before = await this.opCount();
    if (extra.people?.length) await this.setPeople(extra.people);
    if (extra.settings && !(await this.teamMode())) await this.setMeta('settings', extra.settings);
    if (extra.paused !== undefined) await this.setMeta('paused', extra.paused);
    const changes = ops.length ? await this.applyAccepted(ops) : emptyChanges();
    return { added: (await this.opCount()) - before, changes };
  }

  /** Forgets everything Tend stores in this database, in one transaction. */
  async wipe(): Promise<void> {
    await this.write(async (tx) => {
      await Promise.all(ALL_STORES.map((name) => tx.objectStore(name).clear()));
    });
  }

  // ---------------------------------------------------------------- site descriptions

  /** Saves (or replaces) this browser's description of an origin; false when that exact one is there already. */
  async saveLocalSite(origin: string, description: SiteDescription, now: number = this.now()): Promise<boolean> {
    return this.write(async (tx) => {
      const meta = tx.objectStore('meta');
      const all = ((await meta.get(LOCAL_SITES_KEY)) as Record<string, LocalSite> | undefined) ?? {};
      if (all[origin] && JSON.stringify(all[origin].description) === JSON.stringify(description)) return false;
      await meta.put({ ...all, [origin]: { origin, description, savedAt: now } }, LOCAL_SITES_KEY);
      return true;
    });
  }

  /** Forgets this browser's description of an origin (the team's, if any, applies again). */
  async removeLocalSite(origin: string): Promise<boolean> {
    return this.write(async (tx) => {
      const meta = tx.objectStore('meta');
      const all = { ...(((await meta.get(LOCAL_SITES_KEY)) as Record<string, LocalSite> | undefined) ?? {}) };
      if (!(origin in all)) return false;
      delete all[origin];
      await meta.put(all, LOCAL_SITES_KEY);
      return true;
    });
  }


}


/**
 * This device's clock after seeing `ops`. Each is judged against the authority's time when it
 * accepted it (`at`) as well as this device's: the authority refuses clocks too far ahead of
 * its own, so anything it accepted is followed, even from a device whose clock runs fast.
 */
function mergeClocks(last: string | null, ops: readonly AcceptedOp[], node: string, now: number): string | null {
  let newest: AcceptedOp | null = null;
  for (const op of ops) if (!newest || op.hlc > newest.hlc) newest = op;
  if (!newest || (last && last >= newest.hlc)) return last;
  return receiveHlc(last, newest.hlc, node, Math.max(now, newest.at));
}

/** Members the roster names managers (their claims do not count as the community's own). */
function managersOf(people: readonly PersonRecord[]): Set<string> {
  return new Set(people.filter((p) => p.role === 'manager').map((p) => p.id));
}

/** The claim rules as this device knows them: in solo mode I am my own manager. */
function rulesOf(people: readonly PersonRecord[], team: boolean, settings: TeamSettings | undefined): ClaimRules {
  const managers = new Set(people.filter((p) => p.role === 'manager').map((p) => p.id));
  return { leaseMs: settings?.leaseMs ?? DEFAULT_LEASE_MS, isManager: (m) => !team || managers.has(m) };
}

function markChanged(changes: Changes, op: Op, me: string): void {
  if (op.type === 'endorse' || op.type === 'retract') changes.posts.add(postKey(op.post));
  else if (op.type === 'member') changes.people.add(op.actor);
  else if (op.type === 'site') (changes.sites ??= new Set()).add(op.origin);
  else {
    changes.threads.add(threadKey(op.thread));
    if (isClaimOp(op) && (op.actor === me || (op.type === 'handoff' && op.to === me))) changes.mine = true;
  }
}
