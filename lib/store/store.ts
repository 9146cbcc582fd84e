/**
 * Tend's local database. The background worker is the only writer; extension pages read
 * through the same class. Every write (an op and the views it changes) is one transaction,
 * so a failure leaves no op without its views and no view without its op.
 */
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import {
  applyClaim,
  applyEndorsement,
  applyObservation,
  applySite,
  DEFAULT_LEASE_MS,
  describeRejection,
  endorsementKey,
  endorseProblem,
  handleKey,
  isActive,
  isClaimOp,
  newOpId,
  OP_VERSION,
  postKey,
  receiveHlc,
  threadKey,
  threadState,
  tickHlc,
  withPending,
  type AcceptedOp,
  type Claim,
  type ClaimOp,
  type ClaimRules,
  type Endorsement,
  type Op,
  type Payload,
  type PostRef,
  type ThreadRef,
  type ThreadState,
  type SiteDescription,
  type TeamSites,
} from '../domain';
import { AggregateBook, mergeAggregate } from './aggregates';
import { StoreError, toStoreError } from './errors';
import { foldThreadOp } from './thread-fold';
import { DB_NAME, DB_VERSION, migrate, type OutboxRecord, type PersonRecord, type TendDB, type ThreadRecord } from './schema';

/** Where the team's site descriptions are kept (meta). */
export const TEAM_SITES_KEY = 'teamSites';
/** Where this browser's own site descriptions are kept (meta). */
export const LOCAL_SITES_KEY = 'localSites';

/** A description written in this browser, for one origin. */
export interface LocalSite {
  origin: string;
  description: SiteDescription;
  savedAt: number;
}

/** Who I am on this device. */
export interface Me {
  id: string;
  name: string;
  /** Per-install clock node, so one member's devices never tie. */
  node: string;
}

/** Team settings the folds need. */
export interface TeamSettings {
  leaseMs: number;
}

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

/** One endorsement as shown on a post. */
export interface EndorsementView {
  actor: string;
  name: string;
  note: string | null;
  hlc: string;
  pending: boolean;
  mine: boolean;
}

/** A claim of mine as the popup lists it. */
export interface MyClaim {
  thread: ThreadRef;
  key: string;
  title: string | null;
  url: string | null;
  epoch: number;
  expiresAt: number;
  pending: boolean;
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

export class TendStore {
  /** Closed by `close()` or for a newer version: the next use opens a new connection. */
  private closed = false;

  /** This device's wall clock, the default for every `now` below. */
  private readonly now: () => number;

  private constructor(
    private db: IDBPDatabase<TendDB>,
    private readonly options: OpenOptions,
  ) {
    this.now = options.now ?? Date.now;
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

  private async handle(): Promise<IDBPDatabase<TendDB>> {
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

  /** Team settings (solo defaults until a team server says otherwise). */
  async settings(): Promise<TeamSettings> {
    const db = await this.handle();
    return ((await db.get('meta', 'settings')) as TeamSettings | undefined) ?? { leaseMs: DEFAULT_LEASE_MS };
  }

  /** Whether ops wait for a team server (true) or are accepted locally (solo). */
  async teamMode(): Promise<boolean> {
    const db = await this.handle();
    return Boolean(await db.get('meta', 'team'));
  }

  /** Reads any metadata value. */
  async getMeta<T>(key: string): Promise<T | undefined> {
    const db = await this.handle();
    return (await db.get('meta', key)) as T | undefined;
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
   * A refused action throws a StoreError with code `rejected` and writes nothing.
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
      if (!me) throw new StoreError('rejected', 'Tend has no identity yet: open the Tend popup once.');
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
          if (problem) throw new StoreError('rejected', problem);
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
            throw new StoreError('rejected', describeRejection(r.rejection, (m) => (m === me.id ? 'You' : (names.get(m) ?? 'A teammate'))));
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
  async reject(opId: string, reason: string, now: number = this.now()): Promise<Changes> {
    return this.write(async (tx) => {
      const outbox = tx.objectStore('outbox');
      const record = await outbox.get(opId);
      const changes = emptyChanges();
      if (!record) return changes;
      await outbox.delete(opId);
      const meta = tx.objectStore('meta');
      const notices = ((await meta.get('rejections')) as Rejection[] | undefined) ?? [];
      await meta.put([{ op: record.op, reason, at: now }, ...notices].slice(0, 50), 'rejections');
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

  /** Descriptions written in this browser, by origin. */
  async localSites(): Promise<Record<string, LocalSite>> {
    return { ...((await this.getMeta<Record<string, LocalSite>>(LOCAL_SITES_KEY)) ?? {}) };
  }

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

  /** The team's descriptions, by origin (taken-back ones included, as null). */
  async teamSites(): Promise<TeamSites> {
    return { ...((await this.getMeta<TeamSites>(TEAM_SITES_KEY)) ?? {}) };
  }

  /** The description Tend reads an origin with: this browser's own, else the team's. */
  async descriptionFor(origin: string): Promise<{ description: SiteDescription; source: 'local' | 'team' } | null> {
    const [local, team] = await Promise.all([this.localSites(), this.teamSites()]);
    if (local[origin]) return { description: local[origin].description, source: 'local' };
    const shared = team[origin]?.description;
    return shared ? { description: shared, source: 'team' } : null;
  }

  // ---------------------------------------------------------------- reads (served from indexes)

  /** My live claims across sites, my pending ones on top, soonest to expire first. */
  async myActiveClaims(now: number = this.now()): Promise<MyClaim[]> {
    const db = await this.handle();
    const me = (await db.get('meta', 'me')) as Me | undefined;
    if (!me) return [];
    const tx = db.transaction(['claims', 'threads', 'outbox', 'meta', 'people'], 'readonly');
    const accepted = await tx.objectStore('claims').index('holderStatus').getAll([me.id, 'active']);
    const pendingOps = (await tx.objectStore('outbox').index('queuedAt').getAll()).map((r) => r.op).filter(isClaimOp);
    const keys = new Set([...accepted.map((c) => c.key), ...pendingOps.map((o) => threadKey(o.thread))]);
    const settings = ((await tx.objectStore('meta').get('settings')) as TeamSettings | undefined) ?? { leaseMs: DEFAULT_LEASE_MS };
    const rules: ClaimRules = { leaseMs: settings.leaseMs, isManager: () => false };
    const out: MyClaim[] = [];
    for (const key of keys) {
      const [claim, thread] = await Promise.all([tx.objectStore('claims').get(key), tx.objectStore('threads').get(key)]);
      const mine = pendingOps.filter((o) => threadKey(o.thread) === key);
      const view = withPending(claim, mine, now, rules);
      if (!view.claim || view.claim.holder !== me.id || !isActive(view.claim, now)) continue;
      out.push({
        thread: view.claim.thread,
        key,
        title: thread?.observation?.fields.title?.value ?? null,
        url: thread?.observation?.fields.url?.value ?? null,
        epoch: view.claim.epoch,
        expiresAt: view.claim.expiresAt,
        pending: mine.length > 0,
      });
    }
    await tx.done;
    return out.sort((a, b) => a.expiresAt - b.expiresAt);
  }

  /**
   * For reminders: every claim I hold or held (live or expired), plus the claims of `alsoKeys`
   * (mine at the last look), each with my pending ops on top and its thread's title and address.
   */
  async claimsForReminders(alsoKeys: readonly string[], now: number = this.now()): Promise<{ me: string; claims: (Claim & { title: string | null; url: string | null })[] }> {
    const db = await this.handle();
    const me = (await db.get('meta', 'me')) as Me | undefined;
    if (!me) return { me: '', claims: [] };
    const tx = db.transaction(['claims', 'threads', 'outbox', 'meta'], 'readonly');
    const [held, queued, settings] = await Promise.all([
      tx.objectStore('claims').index('holderStatus').getAllKeys([me.id, 'active']),
      tx.objectStore('outbox').index('queuedAt').getAll(),
      tx.objectStore('meta').get('settings') as Promise<TeamSettings | undefined>,
    ]);
    const pendingOps = queued.map((r) => r.op).filter(isClaimOp);
    const keys = [...new Set([...held, ...alsoKeys, ...pendingOps.map((o) => threadKey(o.thread))])];
    const rules: ClaimRules = { leaseMs: settings?.leaseMs ?? DEFAULT_LEASE_MS, isManager: () => false };
    const rows = await Promise.all(keys.map((k) => Promise.all([tx.objectStore('claims').get(k), tx.objectStore('threads').get(k)])));
    await tx.done;
    const claims: (Claim & { title: string | null; url: string | null })[] = [];
    keys.forEach((key, i) => {
      const [accepted, thread] = rows[i]!;
      const claim = withPending(accepted, pendingClaimOpsOf(queued, key), now, rules).claim;
      if (claim) claims.push({ ...claim, title: thread?.observation?.fields.title?.value ?? null, url: thread?.observation?.fields.url?.value ?? null });
    });
    return { me: me.id, claims };
  }

  /** How many known threads of a site are in each state now, from the index. */
  async siteCounts(site: string, now: number = this.now()): Promise<Record<ThreadState, number>> {
    const db = await this.handle();
    const index = db.transaction('threads').store.index('siteState');
    const count = (state: ThreadState, lo = 0, hi = Number.MAX_SAFE_INTEGER, openLo = false) =>
      index.count(IDBKeyRange.bound([site, state, lo], [site, state, hi], openLo, false));
    const [unclaimed, claimedLive, claimedExpired, resolved, answered] = await Promise.all([
      count('unclaimed'),
      count('claimed', now, Number.MAX_SAFE_INTEGER, true),
      count('claimed', 0, now),
      count('resolved'),
      count('answered'),
    ]);
    return { unclaimed: unclaimed + claimedExpired, claimed: claimedLive, resolved, answered };
  }

  /** Threads of a site under a live claim now (anyone's), soonest to expire first, from the index. */
  async claimedOnSite(site: string, now: number = this.now(), limit = 20): Promise<ThreadRecord[]> {
    const db = await this.handle();
    const range = IDBKeyRange.bound([site, 'claimed', now], [site, 'claimed', Number.MAX_SAFE_INTEGER], true, false);
    return db.transaction('threads').store.index('siteState').getAll(range, limit);
  }

  /** Endorsements of a post (retractions left out), with my pending ones on top. */
  async endorsementsOf(post: PostRef): Promise<EndorsementView[]> {
    return (await this.endorsementsOfMany([post])).get(postKey(post)) ?? [];
  }

  /** Endorsements of many posts in one transaction, by post key. */
  async endorsementsOfMany(posts: readonly PostRef[]): Promise<Map<string, EndorsementView[]>> {
    const db = await this.handle();
    const keys = [...new Set(posts.map(postKey))];
    const tx = db.transaction(['endorsements', 'outbox', 'people', 'meta'], 'readonly');
    const index = tx.objectStore('endorsements').index('post');
    const [rowsByPost, queued, people, me] = await Promise.all([
      Promise.all(keys.map((k) => index.getAll(k))),
      tx.objectStore('outbox').index('queuedAt').getAll(),
      tx.objectStore('people').getAll(),
      tx.objectStore('meta').get('me') as Promise<Me | undefined>,
    ]);
    const names = new Map(people.map((p) => [p.id, p.name]));
    const out = new Map<string, EndorsementView[]>();
    keys.forEach((key, i) => {
      const byKey = new Map(rowsByPost[i]!.map((r) => [r.key, { e: r, pending: false }]));
      for (const { op } of queued) {
        if ((op.type === 'endorse' || op.type === 'retract') && postKey(op.post) === key) {
          const k = endorsementKey(op.actor, op.post);
          byKey.set(k, { e: applyEndorsement(byKey.get(k)?.e, op), pending: true });
        }
      }
      out.set(
        key,
        [...byKey.values()]
          .filter(({ e }) => !e.retracted)
          .map(({ e, pending }) => ({
            actor: e.actor,
            name: e.actor === me?.id ? me.name || 'You' : (names.get(e.actor) ?? 'A teammate'),
            note: e.note,
            hlc: e.hlc,
            pending,
            mine: e.actor === me?.id,
          }))
          .sort((a, b) => (a.hlc < b.hlc ? -1 : 1)),
      );
    });
    return out;
  }

  /** Claims (with my pending ops on top) and thread records of many threads, in one transaction. */
  async threadViews(keys: readonly string[], now: number = this.now()): Promise<Map<string, { claim: Claim | undefined; pending: boolean; record: ThreadRecord | undefined }>> {
    const db = await this.handle();
    const unique = [...new Set(keys)];
    const tx = db.transaction(['claims', 'threads', 'outbox', 'meta'], 'readonly');
    const [claims, records, queued, settings] = await Promise.all([
      Promise.all(unique.map((k) => tx.objectStore('claims').get(k))),
      Promise.all(unique.map((k) => tx.objectStore('threads').get(k))),
      tx.objectStore('outbox').index('queuedAt').getAll(),
      tx.objectStore('meta').get('settings') as Promise<TeamSettings | undefined>,
    ]);
    const rules: ClaimRules = { leaseMs: settings?.leaseMs ?? DEFAULT_LEASE_MS, isManager: () => false };
    const out = new Map<string, { claim: Claim | undefined; pending: boolean; record: ThreadRecord | undefined }>();
    unique.forEach((key, i) => {
      const pending = pendingClaimOpsOf(queued, key);
      out.set(key, { claim: withPending(claims[i], pending, now, rules).claim, pending: pending.length > 0, record: records[i] });
    });
    return out;
  }

  /** Recognition received by a site handle, newest first. */
  async recognitionReceived(site: string, handle: string, limit = 20): Promise<Endorsement[]> {
    const db = await this.handle();
    const k = handleKey(site, handle);
    return this.newest(db.transaction('endorsements').store.index('authorHlc'), k, limit);
  }

  /** Recognition a member gave, newest first. */
  async recognitionGiven(actor: string, limit = 20): Promise<Endorsement[]> {
    const db = await this.handle();
    return this.newest(db.transaction('endorsements').store.index('actorHlc'), actor, limit);
  }

  private async newest(
    index: { openCursor: (range: IDBKeyRange, dir: IDBCursorDirection) => Promise<{ value: Endorsement; continue: () => Promise<unknown> } | null> },
    prefix: string,
    limit: number,
  ): Promise<Endorsement[]> {
    const out: Endorsement[] = [];
    let cursor = await index.openCursor(IDBKeyRange.bound([prefix, ''], [prefix, '\uffff']), 'prev');
    while (cursor && out.length < limit) {
      if (!cursor.value.retracted) out.push(cursor.value);
      cursor = (await cursor.continue()) as typeof cursor;
    }
    return out;
  }

  /** Thread records by key (missing ones left out). */
  async threads(keys: readonly string[]): Promise<ThreadRecord[]> {
    const db = await this.handle();
    const tx = db.transaction('threads');
    const rows = await Promise.all(keys.map((k) => tx.store.get(k)));
    return rows.filter((r): r is ThreadRecord => !!r);
  }

  /** A thread's claim with my pending ops on top. */
  async claimView(key: string, now: number = this.now()): Promise<{ claim: Claim | undefined; pending: boolean }> {
    const view = (await this.threadViews([key], now)).get(key)!;
    return { claim: view.claim, pending: view.pending };
  }

  /** All people on the roster (and me). */
  async people(): Promise<PersonRecord[]> {
    return (await this.handle()).getAll('people');
  }

  /** A person by member id. */
  async person(id: string): Promise<PersonRecord | undefined> {
    return (await this.handle()).get('people', id);
  }

  /** The member a site handle is linked to, if any. */
  async personByHandle(site: string, handle: string): Promise<PersonRecord | undefined> {
    return (await this.handle()).getFromIndex('people', 'handleKeys', handleKey(site, handle));
  }

  /** Pending ops, oldest first (what the sync client pushes). */
  async outbox(limit = 500): Promise<OutboxRecord[]> {
    return (await this.handle()).getAllFromIndex('outbox', 'queuedAt', undefined, limit);
  }

  /** Accepted ops count (diagnostics and tests). */
  async opCount(): Promise<number> {
    return (await this.handle()).count('ops');
  }

  /** Recent rejections of my ops, newest first. */
  async rejections(): Promise<Rejection[]> {
    return ((await this.getMeta<Rejection[]>('rejections')) ?? []).slice();
  }
}

/** One of my ops the authority refused, kept to show why. */
export interface Rejection {
  op: Op;
  reason: string;
  at: number;
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

/** My pending claim ops on one thread, in the order they were made. */
function pendingClaimOpsOf(records: readonly OutboxRecord[], key: string): ClaimOp[] {
  return records.map((r) => r.op).filter((op): op is ClaimOp => isClaimOp(op) && threadKey(op.thread) === key);
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
