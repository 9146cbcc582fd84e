/**
 * What the popup shows, read straight from Tend's database (extension pages may read it;
 * only the background writes), so the popup opens fast even while the worker is asleep.
 */
// Narrow domain modules, not its index: the pages' read side loads no op validation.
import type { Endorsement } from '../domain/endorsements';
import { decodeHlc } from '../domain/hlc';
import { threadKey } from '../domain/refs';
import type { ThreadState } from '../domain/threads';
import type { Me, MyClaim } from './reads';
import type { PersonRecord, ThreadRecord } from './schema';

/** The reads the popup needs: `TendReader` (the popup's) and `TendStore` both fit. */
export interface SummaryReader {
  getMeta<T>(key: string): Promise<T | undefined>;
  myActiveClaims(now?: number): Promise<MyClaim[]>;
  siteCounts(site: string, now?: number): Promise<Record<ThreadState, number>>;
  claimedOnSite(site: string, now?: number, limit?: number): Promise<ThreadRecord[]>;
  recognitionGiven(actor: string, limit?: number): Promise<Endorsement[]>;
  recognitionReceived(site: string, handle: string, limit?: number): Promise<Endorsement[]>;
  people(): Promise<PersonRecord[]>;
  threads(keys: readonly string[]): Promise<ThreadRecord[]>;
}

/** One "this helped", given or received. */
export interface RecognitionItem {
  key: string;
  /** Received: the teammate who gave it. Given: the handle of the post's author. */
  who: string;
  site: string;
  note: string | null;
  /** When it was given (ms). */
  at: number;
  threadTitle: string | null;
  threadUrl: string | null;
}

/** A teammate's live claim on the current site. */
export interface ClaimedHere {
  key: string;
  holderName: string;
  title: string | null;
  url: string | null;
  expiresAt: number;
}

/** Everything the popup lists. */
export interface PopupSummary {
  me: { id: string; name: string } | null;
  /** Thread counts by state for the current site, when there is one. */
  counts: Record<ThreadState, number> | null;
  /** My live claims on every site, soonest to expire first. */
  claims: MyClaim[];
  /** Teammates' live claims on the current site: who holds what. */
  claimedHere: ClaimedHere[];
  received: RecognitionItem[];
  given: RecognitionItem[];
  /** My actions the team server refused lately (last day), newest first. */
  rejected: { id: string; reason: string; at: number; code?: string; detail?: string }[];
}

/** How many recognition items of each kind the popup shows. */
export const RECOGNITION_LIMIT = 5;
/** How many teammates' claims on the current site the popup lists. */
export const CLAIMED_HERE_LIMIT = 10;

/**
 * Reads the popup's data for the current site (`null` when the tab is not a web page).
 * Reads that do not depend on each other are asked together: each answer waits its turn on
 * the page's main thread, busy while the popup loads, so the chain of waits is kept short
 * (what does not need me, then what needs me, then the threads' titles).
 */
export async function loadSummary(reader: SummaryReader, site: string | null, now: number = Date.now()): Promise<PopupSummary> {
  const [me, stored, counts, claimedOnSite, claims, people] = await Promise.all([
    reader.getMeta<Me>('me'),
    reader.getMeta<{ op: { id: string }; reason: string; at: number; code?: string; detail?: string }[]>('rejections'),
    site ? reader.siteCounts(site, now) : Promise.resolve(null),
    // One more than shown, so my own claim among them does not shorten the list.
    site ? reader.claimedOnSite(site, now, CLAIMED_HERE_LIMIT + 1) : Promise.resolve([]),
    reader.myActiveClaims(now),
    reader.people(),
  ]);
  if (!me) return { me: null, counts, claims: [], claimedHere: [], received: [], given: [], rejected: [] };
  const rejected = (stored ?? [])
    .filter((r) => now - r.at < 24 * 3_600_000)
    .slice(0, 3)
    .map((r) => ({ id: r.op.id, reason: r.reason, at: r.at, ...(r.code ? { code: r.code } : {}), ...(r.detail ? { detail: r.detail } : {}) }));
  const person = people.find((p) => p.id === me.id);
  // Recognition is received by site handle: gather it from every handle linked to me.
  const [given, ...receivedLists] = await Promise.all([
    reader.recognitionGiven(me.id, RECOGNITION_LIMIT),
    ...(person?.handles ?? []).map((h) => reader.recognitionReceived(h.site, h.handle, RECOGNITION_LIMIT)),
  ]);
  const received = receivedLists
    .flat()
    .filter((e) => e.actor !== me.id)
    .sort((a, b) => (a.hlc < b.hlc ? 1 : a.hlc > b.hlc ? -1 : 0))
    .slice(0, RECOGNITION_LIMIT);

  const names = new Map(people.map((p) => [p.id, p.name]));
  const records = new Map((await reader.threads([...new Set([...received, ...given].map((e) => threadKey(e.post)))])).map((r) => [r.key, r]));
  const item = (e: Endorsement, who: string): RecognitionItem => {
    const record = records.get(threadKey(e.post));
    return {
      key: e.key,
      who,
      site: e.post.site,
      note: e.note,
      at: msOf(e.hlc),
      threadTitle: record?.observation?.fields.title?.value ?? null,
      threadUrl: record?.observation?.fields.url?.value ?? null,
    };
  };
  const claimedHere: ClaimedHere[] = claimedOnSite
    .filter((r) => r.claim && r.claim.holder !== me.id)
    .slice(0, CLAIMED_HERE_LIMIT)
    .map((r) => ({
      key: r.key,
      holderName: names.get(r.claim!.holder) || '',
      title: r.observation?.fields.title?.value ?? null,
      url: r.observation?.fields.url?.value ?? null,
      expiresAt: r.claim!.expiresAt,
    }));
  return {
    // The name is kept on me and, for teammates, on my roster entry.
    me: { id: me.id, name: me.name || person?.name || '' },
    counts,
    claims,
    claimedHere,
    received: received.map((e) => item(e, names.get(e.actor) || '')),
    given: given.map((e) => item(e, e.author)),
    rejected,
  };
}

function msOf(hlc: string): number {
  try {
    return decodeHlc(hlc).ms;
  } catch {
    return 0;
  }
}
