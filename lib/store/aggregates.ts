/**
 * Weekly aggregates for the manager's dashboard, kept up to date as ops are applied: the
 * store's write adds each op's contribution in the same transaction as the op, and the
 * schema's migration rebuilds them from the stored ops. The dashboard reads these rows
 * instead of scanning every op or thread.
 *
 * Pure: a `AggregateBook` collects what a batch of ops adds; `mergeAggregate` lays it on a
 * stored row.
 */
// Narrow domain modules, not its index: the pages' read side loads no op validation.
import type { Endorsement } from '../domain/endorsements';
import { decodeHlc } from '../domain/hlc';

/** A week is named by its Monday (UTC), `2026-11-30`. */
export function weekOf(ms: number): string {
  return new Date(weekStart(ms)).toISOString().slice(0, 10);
}

/** Monday 00:00 UTC of the week holding `ms`. */
export function weekStart(ms: number): number {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
}

/** At most this many durations are kept per site and week for medians and percentiles. */
export const MAX_SAMPLES = 2_000;

/** One site's week: how questions were picked up and by whom, and the thanks given. */
export interface SiteWeekAggregate {
  key: string;
  kind: 'site';
  week: string;
  site: string;
  /** Threads Tend first learnt of this week. */
  seen: number;
  /** Threads first picked up this week (claimed, answered or marked done for the first time). */
  handled: number;
  /** Claims that started a lease, and how many of them by members who are not managers. */
  claims: number;
  memberClaims: number;
  /** Questions marked done, and how many by non-managers. */
  resolves: number;
  memberResolves: number;
  /** Time from a question's start to its first claim / to done (ms), one sample each. */
  toClaim: number[];
  toDone: number[];
  /** Thanks given (retractions taken off), and how many of them with a note. */
  thanks: number;
  notes: number;
}

/** Thanks one site handle received in one week. */
export interface PersonWeekAggregate {
  key: string;
  kind: 'person';
  week: string;
  /** `handleKey(site, handle)` of who received them. */
  person: string;
  site: string;
  handle: string;
  count: number;
  notes: number;
}

export type AggregateRecord = SiteWeekAggregate | PersonWeekAggregate;

type Counter = 'seen' | 'handled' | 'claims' | 'memberClaims' | 'resolves' | 'memberResolves' | 'thanks' | 'notes';

const siteKey = (week: string, site: string) => `s ${week} ${site}`;
const personKey = (week: string, person: string) => `p ${week} ${person}`;

function emptySite(week: string, site: string): SiteWeekAggregate {
  return { key: siteKey(week, site), kind: 'site', week, site, seen: 0, handled: 0, claims: 0, memberClaims: 0, resolves: 0, memberResolves: 0, toClaim: [], toDone: [], thanks: 0, notes: 0 };
}

function msOfHlc(hlc: string): number {
  try {
    return decodeHlc(hlc).ms;
  } catch {
    return 0;
  }
}

/** What a batch of ops adds to the aggregates, by row key. */
export class AggregateBook {
  private readonly rows = new Map<string, AggregateRecord>();

  /** Keys of every row the batch touches. */
  keys(): string[] {
    return [...this.rows.keys()];
  }

  /** The batch's contribution to one row. */
  delta(key: string): AggregateRecord | undefined {
    return this.rows.get(key);
  }

  get size(): number {
    return this.rows.size;
  }

  private site(site: string, at: number): SiteWeekAggregate {
    const week = weekOf(at);
    const key = siteKey(week, site);
    let row = this.rows.get(key) as SiteWeekAggregate | undefined;
    if (!row) this.rows.set(key, (row = emptySite(week, site)));
    return row;
  }

  /** Adds `n` to a site's counter in the week of `at`. */
  count(site: string, at: number, counter: Counter, n = 1): void {
    this.site(site, at)[counter] += n;
  }

  /** Records one duration sample. */
  sample(site: string, at: number, which: 'toClaim' | 'toDone', ms: number): void {
    this.site(site, at)[which].push(Math.max(0, ms));
  }

  /** An endorsement changed from `before` to `after`: moves its thanks between weeks and people. */
  endorsement(before: Endorsement | undefined, after: Endorsement): void {
    if (before === after) return;
    this.thanks(before, -1);
    this.thanks(after, 1);
  }

  private thanks(e: Endorsement | undefined, sign: 1 | -1): void {
    if (!e || e.retracted || !e.authorKey) return;
    const at = msOfHlc(e.hlc);
    const note = e.note ? 1 : 0;
    this.count(e.post.site, at, 'thanks', sign);
    this.count(e.post.site, at, 'notes', sign * note);
    const week = weekOf(at);
    const key = personKey(week, e.authorKey);
    let row = this.rows.get(key) as PersonWeekAggregate | undefined;
    if (!row) this.rows.set(key, (row = { key, kind: 'person', week, person: e.authorKey, site: e.post.site, handle: e.author, count: 0, notes: 0 }));
    row.count += sign;
    row.notes += sign * note;
    if (sign > 0) row.handle = e.author;
  }
}

/** A stored row with a batch's contribution laid on top. */
export function mergeAggregate(stored: AggregateRecord | undefined, delta: AggregateRecord): AggregateRecord {
  if (!stored) return { ...delta, ...(delta.kind === 'site' ? { toClaim: delta.toClaim.slice(-MAX_SAMPLES), toDone: delta.toDone.slice(-MAX_SAMPLES) } : {}) } as AggregateRecord;
  if (stored.kind === 'person' && delta.kind === 'person') {
    return { ...stored, handle: delta.handle || stored.handle, count: stored.count + delta.count, notes: stored.notes + delta.notes };
  }
  const s = stored as SiteWeekAggregate;
  const d = delta as SiteWeekAggregate;
  return {
    ...s,
    seen: s.seen + d.seen,
    handled: s.handled + d.handled,
    claims: s.claims + d.claims,
    memberClaims: s.memberClaims + d.memberClaims,
    resolves: s.resolves + d.resolves,
    memberResolves: s.memberResolves + d.memberResolves,
    toClaim: [...s.toClaim, ...d.toClaim].slice(-MAX_SAMPLES),
    toDone: [...s.toDone, ...d.toDone].slice(-MAX_SAMPLES),
    thanks: s.thanks + d.thanks,
    notes: s.notes + d.notes,
  };
}
