/**
 * The query side of Tend's database: every read the background, the popup, the settings page
 * and the dashboard make, served from indexes and never writing. The background's store
 * (`TendStore`, the only writer) and the pages' reader (`TendReader`) both read through it.
 */
import type { IDBPDatabase } from 'idb';
// Narrow domain modules, not its index: the pages' read side loads no op validation.
import { DEFAULT_LEASE_MS, isActive, withPending, type Claim, type ClaimRules } from '../domain/claims';
import { applyEndorsement, endorsementKey, type Endorsement } from '../domain/endorsements';
import { isClaimOp } from '../domain/op-kinds';
import type { ClaimOp, Op } from '../domain/ops';
import { handleKey, postKey, threadKey, type PostRef, type ThreadRef } from '../domain/refs';
import type { ErrorCode } from '../domain/result';
import type { SiteDescription } from '../domain/site-description';
import type { TeamSites } from '../domain/sites';
import type { ThreadState } from '../domain/threads';
import type { OutboxRecord, PersonRecord, TendDB, ThreadRecord } from './schema';

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

/** One of my ops the authority refused, kept to show why. */
export interface Rejection {
  op: Op;
  /** The server's words, shown when Tend has none of its own for `code`. */
  reason: string;
  at: number;
  /** Our code for the refusal, where Tend words it itself (`serverRefusal`), and what it names. */
  code?: ErrorCode;
  detail?: string;
}

/** Reads of Tend's database; a subclass says how the connection is had. */
export abstract class StoreReads {
  /** This device's wall clock, the default for every `now` below. */
  protected readonly now: () => number;

  protected constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The open connection (opened again after a newer version closed it, where the subclass can). */
  protected abstract handle(): Promise<IDBPDatabase<TendDB>>;

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

  /** Descriptions written in this browser, by origin. */
  async localSites(): Promise<Record<string, LocalSite>> {
    return { ...((await this.getMeta<Record<string, LocalSite>>(LOCAL_SITES_KEY)) ?? {}) };
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


  /** My live claims across sites, my pending ones on top, soonest to expire first. */
  async myActiveClaims(now: number = this.now()): Promise<MyClaim[]> {
    const db = await this.handle();
    const me = (await db.get('meta', 'me')) as Me | undefined;
    if (!me) return [];
    const tx = db.transaction(['claims', 'threads', 'outbox', 'meta', 'people'], 'readonly');
    // Every read is asked at once: each answer waits for the page's main thread.
    const [accepted, queued, stored] = await Promise.all([
      tx.objectStore('claims').index('holderStatus').getAll([me.id, 'active']),
      tx.objectStore('outbox').index('queuedAt').getAll(),
      tx.objectStore('meta').get('settings') as Promise<TeamSettings | undefined>,
    ]);
    const pendingOps = queued.map((r) => r.op).filter(isClaimOp);
    const keys = [...new Set([...accepted.map((c) => c.key), ...pendingOps.map((o) => threadKey(o.thread))])];
    const rules: ClaimRules = { leaseMs: (stored ?? { leaseMs: DEFAULT_LEASE_MS }).leaseMs, isManager: () => false };
    const records = await Promise.all(keys.map((key) => Promise.all([tx.objectStore('claims').get(key), tx.objectStore('threads').get(key)])));
    const out: MyClaim[] = [];
    keys.forEach((key, i) => {
      const [claim, thread] = records[i]!;
      const mine = pendingOps.filter((o) => threadKey(o.thread) === key);
      const view = withPending(claim, mine, now, rules);
      if (!view.claim || view.claim.holder !== me.id || !isActive(view.claim, now)) return;
      out.push({
        thread: view.claim.thread,
        key,
        title: thread?.observation?.fields.title?.value ?? null,
        url: thread?.observation?.fields.url?.value ?? null,
        epoch: view.claim.epoch,
        expiresAt: view.claim.expiresAt,
        pending: mine.length > 0,
      });
    });
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
            // Empty when unknown: the page says "you" or "a teammate" in its own language.
            name: e.actor === me?.id ? me.name : (names.get(e.actor) ?? ''),
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

/** My pending claim ops on one thread, in the order they were made. */
export function pendingClaimOpsOf(records: readonly OutboxRecord[], key: string): ClaimOp[] {
  return records.map((r) => r.op).filter((op): op is ClaimOp => isClaimOp(op) && threadKey(op.thread) === key);
}
