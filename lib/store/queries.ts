/**
 * The pages' read side: queries served straight from IndexedDB by extension pages
 * (read-only; the background stays the only writer), from indexes and the weekly aggregates
 * rather than scans of every op. Failures are `QueryError`s with a code the page translates.
 */
import { openDB, wrap, type IDBPDatabase } from 'idb';
// Narrow domain modules, not its index: the pages' read side loads no op validation.
import { isActive } from '../domain/claims';
import type { Endorsement } from '../domain/endorsements';
import { decodeHlc } from '../domain/hlc';
import { handleKey, threadKey, type ThreadRef } from '../domain/refs';
import type { ThreadState } from '../domain/threads';
import { weekStart, type AggregateRecord, type PersonWeekAggregate, type SiteWeekAggregate } from './aggregates';
import { DB_NAME, DB_VERSION, migrate, type PersonRecord, type TendDB, type ThreadRecord } from './schema';
import { StoreReads, type Me } from './reads';

/** Why a query failed, for the page to put in words. */
export type QueryErrorCode = 'unavailable' | 'closed' | 'failed';

/** A failed read. */
export class QueryError extends Error {
  constructor(
    readonly code: QueryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QueryError';
  }
}

function toQueryError(e: unknown): QueryError {
  if (e instanceof QueryError) return e;
  const name = e && typeof e === 'object' ? (e as { name?: unknown }).name : undefined;
  if (name === 'InvalidStateError') return new QueryError('closed', 'database closed', { cause: e });
  return new QueryError('failed', e instanceof Error ? e.message : String(e), { cause: e });
}

/** A question in the queue. */
export interface QueueRow {
  key: string;
  thread: ThreadRef;
  title: string | null;
  url: string | null;
  /** When the question started (ms): the queue's order. */
  since: number;
  state: ThreadState;
  /** The site reports it answered. */
  answered: boolean;
  /** Someone's claim on it ran out (it counts as unclaimed). */
  expired: boolean;
  category: string | null;
  tags: string[];
  replies: number | null;
}

/** A live or lapsed claim, as the Claims view lists it. */
export interface ClaimRow {
  key: string;
  thread: ThreadRef;
  title: string | null;
  url: string | null;
  holder: string;
  epoch: number;
  since: number;
  expiresAt: number;
  expired: boolean;
}

/** One "this helped", with whom it thanked and in whose words. */
export interface FeedItem {
  key: string;
  actor: string;
  /** `handleKey(site, handle)` of who was thanked. */
  person: string;
  handle: string;
  site: string;
  note: string | null;
  at: number;
  threadTitle: string | null;
  threadUrl: string | null;
}

const hlcBound = (ms: number) => String(Math.max(0, ms)).padStart(13, '0');

function msOf(hlc: string): number {
  try {
    return decodeHlc(hlc).ms;
  } catch {
    return 0;
  }
}

/** The queue row of a stored thread. */
export function queueRow(r: ThreadRecord, now: number): QueueRow {
  const f = r.observation?.fields;
  return {
    key: r.key,
    thread: { site: r.site, threadId: r.threadId },
    title: f?.title?.value ?? null,
    url: f?.url?.value ?? null,
    since: r.since ?? 0,
    state: r.state === 'claimed' && r.until <= now ? 'unclaimed' : r.state,
    answered: Boolean(f?.answered?.value),
    expired: r.state === 'claimed' && r.until <= now,
    category: f?.category?.value ?? null,
    tags: f?.tags?.value ?? [],
    replies: f?.replies?.value ?? null,
  };
}

/** Read-only access to Tend's database for extension pages: the popup and the dashboard. */
export class TendReader extends StoreReads {
  private constructor(private readonly db: IDBPDatabase<TendDB>) {
    super();
  }

  protected handle(): Promise<IDBPDatabase<TendDB>> {
    return Promise.resolve(this.db);
  }

  /** Opens the database (upgrading it, as any Tend page may). */
  static async open(name: string = DB_NAME): Promise<TendReader> {
    try {
      const db = await openDB<TendDB>(name, DB_VERSION, {
        upgrade: (db, oldVersion, newVersion, tx) => migrate(db, tx, oldVersion, newVersion ?? DB_VERSION),
      });
      // A newer Tend wants to upgrade (or the data is being wiped): step aside.
      db.addEventListener('versionchange', () => db.close());
      return new TendReader(db);
    } catch (e) {
      throw new QueryError('unavailable', e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  /**
   * A reader on a connection opened already (`openCurrent`, started before this module
   * loaded), or, when that open was refused (the database needs creating or upgrading) or
   * failed, on a connection opened here.
   */
  static async over(connection: Promise<IDBDatabase>, name: string = DB_NAME): Promise<TendReader> {
    let opened: IDBDatabase;
    try {
      opened = await connection;
    } catch {
      return TendReader.open(name);
    }
    const db = wrap(opened) as IDBPDatabase<TendDB>;
    db.addEventListener('versionchange', () => db.close());
    return new TendReader(db);
  }

  close(): void {
    this.db.close();
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toQueryError(e);
    }
  }

  /** The oldest `limit` unclaimed questions, from the queue index alone: the first rows to paint. */
  queueFirst(limit: number, now: number = Date.now()): Promise<QueueRow[]> {
    return this.run(async () => {
      const rows = await this.db.getAllFromIndex('threads', 'stateSince', IDBKeyRange.bound(['unclaimed', -Infinity], ['unclaimed', Infinity]), limit);
      return rows.map((r) => queueRow(r, now));
    });
  }

  /**
   * Every question nobody holds now, oldest first: unclaimed ones, those whose claim ran out,
   * and (for the filter) those the site reports answered.
   */
  queue(now: number = Date.now()): Promise<QueueRow[]> {
    return this.run(async () => {
      const tx = this.db.transaction('threads');
      const index = tx.store.index('stateSince');
      const range = (s: ThreadState) => IDBKeyRange.bound([s, -Infinity], [s, Infinity]);
      const [unclaimed, answered, claimed] = await Promise.all([index.getAll(range('unclaimed')), index.getAll(range('answered')), index.getAll(range('claimed'))]);
      const rows = [...unclaimed, ...answered, ...claimed.filter((r) => r.until <= now)].map((r) => queueRow(r, now));
      return rows.sort((a, b) => a.since - b.since || (a.key < b.key ? -1 : 1));
    });
  }

  /** Claims held now or lapsed and not yet picked up again, soonest to expire first. */
  claims(now: number = Date.now()): Promise<ClaimRow[]> {
    return this.run(async () => {
      const rows = await this.db.getAllFromIndex('threads', 'stateSince', IDBKeyRange.bound(['claimed', -Infinity], ['claimed', Infinity]));
      return rows
        .filter((r) => r.claim)
        .map((r) => ({
          key: r.key,
          thread: { site: r.site, threadId: r.threadId },
          title: r.observation?.fields.title?.value ?? null,
          url: r.observation?.fields.url?.value ?? null,
          holder: r.claim!.holder,
          epoch: r.claim!.epoch,
          since: r.claim!.since,
          expiresAt: r.claim!.expiresAt,
          expired: !isActive(r.claim!, now),
        }))
        .sort((a, b) => a.expiresAt - b.expiresAt);
    });
  }

  /** The roster, me included (a failure as a `QueryError`). */
  override people(): Promise<PersonRecord[]> {
    return this.run(() => super.people());
  }

  /** Me on this device, and my role in the team (solo: I manage my own claims). */
  me(): Promise<{ me: Me | null; role: 'member' | 'manager'; team: boolean }> {
    return this.run(async () => {
      const [me, team] = await Promise.all([this.db.get('meta', 'me') as Promise<Me | undefined>, this.db.get('meta', 'team') as Promise<{ role?: string } | undefined>]);
      return { me: me ?? null, role: !team || team.role === 'manager' ? 'manager' : 'member', team: Boolean(team) };
    });
  }

  /** What an export carries, in one read-only transaction. */
  dump(): Promise<StoreDump> {
    return this.run(async () => {
      const tx = this.db.transaction(['ops', 'outbox', 'people', 'meta']);
      const meta = tx.objectStore('meta');
      const [ops, outbox, people, settings, paused, localSites, teamSites] = await Promise.all([
        tx.objectStore('ops').index('seq').getAll(),
        tx.objectStore('outbox').index('queuedAt').getAll(),
        tx.objectStore('people').getAll(),
        meta.get('settings'),
        meta.get('paused'),
        meta.get('localSites'),
        meta.get('teamSites'),
      ]);
      return {
        ops,
        outbox: outbox.map((r) => r.op),
        people,
        settings: (settings as { leaseMs: number } | undefined) ?? null,
        paused: Boolean(paused),
        localSites: (localSites as Record<string, unknown> | undefined) ?? {},
        teamSites: (teamSites as Record<string, unknown> | undefined) ?? {},
      };
    });
  }

  /** Every weekly aggregate row (sites' and people's). */
  aggregates(): Promise<AggregateRecord[]> {
    return this.run(() => this.db.getAll('aggregates'));
  }

  /** The sites' weekly rows only: a few per site and week, whatever the number of people thanked. */
  siteAggregates(): Promise<SiteWeekAggregate[]> {
    return this.run(() => this.db.getAll('aggregates', IDBKeyRange.bound('s ', 's \uffff')) as Promise<SiteWeekAggregate[]>);
  }

  /** People's weekly rows: one week's (by key prefix), or every week's. */
  personAggregates(week?: string): Promise<PersonWeekAggregate[]> {
    const prefix = week ? `p ${week} ` : 'p ';
    return this.run(() => this.db.getAll('aggregates', IDBKeyRange.bound(prefix, `${prefix}\uffff`)) as Promise<PersonWeekAggregate[]>);
  }

  /** Thanks given in `[from, to)` (ms), newest first, with their threads' titles. */
  feed(from: number, to: number, limit = 5_000): Promise<FeedItem[]> {
    return this.run(async () => {
      const tx = this.db.transaction(['endorsements', 'threads']);
      const out: Endorsement[] = [];
      let cursor = await tx.objectStore('endorsements').index('hlc').openCursor(IDBKeyRange.bound(hlcBound(from), hlcBound(to), false, true), 'prev');
      while (cursor && out.length < limit) {
        if (!cursor.value.retracted) out.push(cursor.value);
        cursor = await cursor.continue();
      }
      return this.withThreads(tx.objectStore('threads'), out);
    });
  }

  /** What one site handle was thanked for, newest first. */
  thanksTo(person: string, limit = 500): Promise<FeedItem[]> {
    return this.run(async () => {
      const tx = this.db.transaction(['endorsements', 'threads']);
      const rows = await tx.objectStore('endorsements').index('authorHlc').getAll(IDBKeyRange.bound([person, ''], [person, '\uffff']));
      const live = rows.filter((e) => !e.retracted).reverse().slice(0, limit);
      return this.withThreads(tx.objectStore('threads'), live);
    });
  }

  private async withThreads(threads: { get(key: string): Promise<ThreadRecord | undefined> }, list: Endorsement[]): Promise<FeedItem[]> {
    const keys = [...new Set(list.map((e) => threadKey(e.post)))];
    const records = new Map((await Promise.all(keys.map((k) => threads.get(k)))).filter((r): r is ThreadRecord => !!r).map((r) => [r.key, r]));
    return list.map((e) => {
      const r = records.get(threadKey(e.post));
      return {
        key: e.key,
        actor: e.actor,
        person: e.authorKey || handleKey(e.post.site, e.author),
        handle: e.author,
        site: e.post.site,
        note: e.note,
        at: msOf(e.hlc),
        threadTitle: r?.observation?.fields.title?.value ?? null,
        threadUrl: r?.observation?.fields.url?.value ?? null,
      };
    });
  }
}

// ------------------------------------------------------------------------ pure views

/** Queue filters; empty means "any". */
export interface QueueFilters {
  site?: string;
  /** A category or tag the site reported. */
  topic?: string;
  /** Only questions older than this (ms). */
  olderThan?: number;
  /** Answered questions: left out (default), included, or only those. */
  answered?: 'hide' | 'show' | 'only';
}

/** The queue rows that pass the filters, in order. */
export function filterQueue(rows: readonly QueueRow[], f: QueueFilters, now: number): QueueRow[] {
  const answered = f.answered ?? 'hide';
  return rows.filter(
    (r) =>
      (!f.site || r.thread.site === f.site) &&
      (!f.topic || r.category === f.topic || r.tags.includes(f.topic)) &&
      (!f.olderThan || now - r.since >= f.olderThan) &&
      (answered === 'show' || (answered === 'only' ? r.answered : !r.answered)),
  );
}

/** Median and 90th percentile (nearest rank), or null without samples. */
export function spread(samples: readonly number[]): { median: number; p90: number; n: number } | null {
  if (!samples.length) return null;
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { median: rank(50), p90: rank(90), n: s.length };
}

/** One week of "is it running itself?", for one site or all. */
export interface WeekStats {
  week: string;
  claims: number;
  memberClaims: number;
  resolves: number;
  memberResolves: number;
  /** Share (0..1) of claims / done by members who are not managers, null when none. */
  memberClaimShare: number | null;
  memberDoneShare: number | null;
  toClaim: { median: number; p90: number; n: number } | null;
  toDone: { median: number; p90: number; n: number } | null;
  /** Questions Tend knew of, never picked up, at the end of the week. */
  waiting: number;
  thanks: number;
  notes: number;
}

/** Weekly stats from the aggregates, oldest week first, for one site (or all when null). */
export function runningStats(rows: readonly AggregateRecord[], site: string | null): WeekStats[] {
  const byWeek = new Map<string, SiteWeekAggregate[]>();
  for (const r of rows) {
    if (r.kind !== 'site' || (site && r.site !== site)) continue;
    const list = byWeek.get(r.week) ?? [];
    list.push(r);
    byWeek.set(r.week, list);
  }
  let waiting = 0;
  return [...byWeek.keys()].sort().map((week) => {
    const list = byWeek.get(week)!;
    const sum = (k: 'claims' | 'memberClaims' | 'resolves' | 'memberResolves' | 'seen' | 'handled' | 'thanks' | 'notes') => list.reduce((n, r) => n + r[k], 0);
    waiting += sum('seen') - sum('handled');
    const claims = sum('claims');
    const resolves = sum('resolves');
    return {
      week,
      claims,
      memberClaims: sum('memberClaims'),
      resolves,
      memberResolves: sum('memberResolves'),
      memberClaimShare: claims ? sum('memberClaims') / claims : null,
      memberDoneShare: resolves ? sum('memberResolves') / resolves : null,
      toClaim: spread(list.flatMap((r) => r.toClaim)),
      toDone: spread(list.flatMap((r) => r.toDone)),
      waiting: Math.max(0, waiting),
      thanks: sum('thanks'),
      notes: sum('notes'),
    };
  });
}

/** Weeks with thanks, newest first (from the sites' aggregates). */
export function thanksWeeks(rows: readonly AggregateRecord[]): string[] {
  return [...new Set(rows.filter((r): r is SiteWeekAggregate => r.kind === 'site' && r.thanks > 0).map((r) => r.week))].sort().reverse();
}

/** People thanked, most thanked first, from the aggregates (one week, or all). */
export function thankedPeople(rows: readonly AggregateRecord[], week?: string): { person: string; site: string; handle: string; count: number; notes: number }[] {
  const by = new Map<string, { person: string; site: string; handle: string; count: number; notes: number }>();
  for (const r of rows) {
    if (r.kind !== 'person' || (week && r.week !== week)) continue;
    const p = by.get(r.person) ?? { person: r.person, site: r.site, handle: r.handle, count: 0, notes: 0 };
    p.count += r.count;
    p.notes += r.notes;
    by.set(r.person, p);
  }
  return [...by.values()].filter((p) => p.count > 0).sort((a, b) => b.count - a.count || a.handle.localeCompare(b.handle));
}

/** The `[from, to)` range of the week named `week` (its Monday, `2026-11-30`). */
export function weekRange(week: string): [number, number] {
  const from = weekStart(Date.parse(`${week}T00:00:00Z`));
  return [from, from + 7 * 24 * 3_600_000];
}

/** Items with a note first, then newest first: thanks in words matter more than counts. */
export function notesFirst(items: readonly FeedItem[]): FeedItem[] {
  return [...items].sort((a, b) => Number(Boolean(b.note)) - Number(Boolean(a.note)) || b.at - a.at);
}

/** Everything the database holds that an export carries. */
export interface StoreDump {
  ops: import('../domain/ops').AcceptedOp[];
  outbox: import('../domain/ops').Op[];
  people: PersonRecord[];
  settings: { leaseMs: number } | null;
  paused: boolean;
  localSites: Record<string, unknown>;
  teamSites: Record<string, unknown>;
}

