/**
 * Reminders, decided from what the store knows, with no browser and no clock of its own.
 * The background asks `plan` after every change, on every alarm and on every start: it
 * answers which notifications to show now, when to look again (the one alarm) and which of
 * my claims need attention (the toolbar badge). What was already said is kept in
 * `ReminderState`, stored beside the data, so a stopped worker never repeats or forgets one.
 */

/** Where the person's choices are kept (the store's meta). */
export const REMINDER_SETTINGS_KEY = 'reminderSettings';

/** Kinds of notification. */
export type ReminderKind = 'expiring' | 'expired' | 'handed' | 'taken' | 'refused';

/** What the person chose (settings page, Reminders). */
export interface ReminderSettings {
  /** How long before a lease ends to remind me. */
  leadMs: number;
  expiring: boolean;
  expired: boolean;
  handed: boolean;
  /** My claim refused or taken over by the team server. */
  refused: boolean;
}

export const HOUR_MS = 3_600_000;
export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = { leadMs: 2 * HOUR_MS, expiring: true, expired: true, handed: true, refused: true };
/** Lead times offered on the settings page. */
export const LEAD_CHOICES_MS = [15 * 60_000, 30 * 60_000, HOUR_MS, 2 * HOUR_MS, 4 * HOUR_MS, 8 * HOUR_MS] as const;
/** An expired claim of mine counts as needing attention this long at most (unless seen sooner). */
export const EXPIRED_ATTENTION_MS = 7 * 24 * HOUR_MS;
/** An expiry older than this is not announced (Tend was not running when it happened). */
export const EXPIRED_NOTIFY_MS = 24 * HOUR_MS;
/** A lease whose end moved later by more than this was renewed: a new lease, a new reminder. */
const SAME_LEASE_SLACK_MS = 60_000;

/** A claim as the planner sees it: the accepted state with my pending ops on top. */
export interface ClaimFact {
  key: string;
  thread: { site: string; threadId: string };
  title: string | null;
  url: string | null;
  holder: string;
  status: 'active' | 'released' | 'resolved';
  epoch: number;
  expiresAt: number;
  /** Who last changed it. */
  by: string;
}

/** One of my claim ops the team server refused. */
export interface RefusalFact {
  opId: string;
  key: string;
  thread: { site: string; threadId: string };
  title: string | null;
  url: string | null;
  /** The server's words, and Tend's code for them where it words them itself (`serverRefusal`). */
  reason: string;
  code?: string;
  detail?: string;
  at: number;
}

/** What was said and seen already (kept in the store's meta). */
export interface ReminderState {
  /** False until the first plan: what happened before Tend looked is not announced. */
  initialized: boolean;
  /** My live claims at the last look: key → epoch (to tell a claim taken from me). */
  mine: Record<string, number>;
  /** `kind|key|epoch` → the lease end it was said for. */
  notified: Record<string, number>;
  /** `kind|key|epoch` the person has looked at (handed and expired claims). */
  seen: Record<string, number>;
  /** The newest refusal already handled. */
  refusedUpTo: number;
}

export const EMPTY_REMINDER_STATE: ReminderState = { initialized: false, mine: {}, notified: {}, seen: {}, refusedUpTo: 0 };

/** A notification to show. */
export interface Notice {
  kind: ReminderKind;
  key: string;
  thread: { site: string; threadId: string };
  title: string | null;
  url: string | null;
  epoch: number;
  expiresAt: number;
  /** The member who handed it to me or holds it now (`taken`, `handed`). */
  who?: string;
  /** Why the server refused it (`refused`), with Tend's code for it if any; `taken` without `who` means released by the server. */
  reason?: string;
  code?: string;
  detail?: string;
}

/** A claim of mine that needs attention (the badge). */
export interface Attention {
  kind: 'expiring' | 'expired' | 'handed';
  key: string;
  thread: { site: string; threadId: string };
  title: string | null;
  expiresAt: number;
}

export interface PlanInput {
  now: number;
  me: string;
  settings: ReminderSettings;
  paused: boolean;
  /** Every claim that is mine (live or expired) and every claim that was mine at the last look. */
  claims: readonly ClaimFact[];
  /** Refusals of my claim ops, any order. */
  refusals: readonly RefusalFact[];
  state: ReminderState;
}

export interface Plan {
  /** Show these now (empty while paused, and for kinds turned off). */
  notify: Notice[];
  /** When to plan again (authority time), or null when nothing is coming. */
  nextAt: number | null;
  /** My claims needing attention now, soonest to expire first. */
  attention: Attention[];
  /** Store this. */
  state: ReminderState;
}

const id = (kind: string, key: string, epoch: number) => `${kind}|${key}|${epoch}`;
const isLive = (c: ClaimFact, now: number) => c.status === 'active' && c.expiresAt > now;

/** Decides what to say now, what needs attention and when to look again. Pure. */
export function plan(input: PlanInput): Plan {
  const { now, me, settings, state } = input;
  const lead = Math.max(0, settings.leadMs);
  const notify: Notice[] = [];
  const attention: Attention[] = [];
  const notified: Record<string, number> = {};
  const seen: Record<string, number> = {};
  const mine: Record<string, number> = {};
  let nextAt: number | null = null;
  const later = (at: number) => {
    if (at > now && (nextAt === null || at < nextAt)) nextAt = at;
  };
  const keep = (k: string) => {
    if (state.notified[k] !== undefined) notified[k] = state.notified[k]!;
    if (state.seen[k] !== undefined) seen[k] = state.seen[k]!;
  };
  /** Records `n` as said, and says it if its kind is on. Before the first look only a lease ending soon is announced. */
  const say = (n: Notice, on: boolean, evenFirst = false) => {
    notified[id(n.kind, n.key, n.epoch)] = n.expiresAt;
    if (on && (state.initialized || evenFirst)) notify.push(n);
  };
  const noticeOf = (c: ClaimFact, kind: ReminderKind, extra: Partial<Notice> = {}): Notice => ({
    kind,
    key: c.key,
    thread: c.thread,
    title: c.title,
    url: c.url,
    epoch: c.epoch,
    expiresAt: c.expiresAt,
    ...extra,
  });

  // Refusals first: a claim of mine the server refused is said once, as refused, not also as taken.
  let refusedUpTo = state.refusedUpTo;
  const refusedKeys = new Set<string>();
  for (const r of [...input.refusals].sort((a, b) => a.at - b.at)) {
    if (r.at <= state.refusedUpTo) continue;
    refusedUpTo = Math.max(refusedUpTo, r.at);
    refusedKeys.add(r.key);
    say({ kind: 'refused', key: r.key, thread: r.thread, title: r.title, url: r.url, epoch: 0, expiresAt: r.at, reason: r.reason, ...(r.code ? { code: r.code } : {}), ...(r.detail ? { detail: r.detail } : {}) }, settings.refused);
    delete notified[id('refused', r.key, 0)];
  }

  const byKey = new Map(input.claims.map((c) => [c.key, c]));
  for (const c of byKey.values()) {
    for (const kind of ['expiring', 'expired', 'handed', 'taken'] as const) keep(id(kind, c.key, c.epoch));
    if (c.holder === me && isLive(c, now)) {
      mine[c.key] = c.epoch;
      // Handed to me: the last change was someone else's, on my lease.
      if (c.by !== me) {
        const k = id('handed', c.key, c.epoch);
        if (seen[k] === undefined) attention.push({ kind: 'handed', key: c.key, thread: c.thread, title: c.title, expiresAt: c.expiresAt });
        if (notified[k] === undefined) say(noticeOf(c, 'handed', { who: c.by }), settings.handed);
      }
      const remindAt = c.expiresAt - lead;
      if (remindAt <= now) {
        attention.push({ kind: 'expiring', key: c.key, thread: c.thread, title: c.title, expiresAt: c.expiresAt });
        const k = id('expiring', c.key, c.epoch);
        const said = notified[k];
        if (said === undefined || c.expiresAt > said + SAME_LEASE_SLACK_MS) say(noticeOf(c, 'expiring'), settings.expiring, true);
      } else later(remindAt);
      later(c.expiresAt);
    } else if (c.holder === me && c.status === 'active' && now - c.expiresAt < EXPIRED_ATTENTION_MS) {
      const k = id('expired', c.key, c.epoch);
      if (seen[k] === undefined) attention.push({ kind: 'expired', key: c.key, thread: c.thread, title: c.title, expiresAt: c.expiresAt });
      if (notified[k] === undefined) say(noticeOf(c, 'expired'), settings.expired && now - c.expiresAt < EXPIRED_NOTIFY_MS);
      later(c.expiresAt + EXPIRED_ATTENTION_MS);
    } else if (state.mine[c.key] !== undefined && (c.holder !== me ? isLive(c, now) : c.status === 'released' && c.by !== me)) {
      // Mine at the last look, now someone else's, or released by the team server or a manager.
      const k = id('taken', c.key, c.epoch);
      if (refusedKeys.has(c.key)) notified[k] = c.expiresAt;
      else if (notified[k] === undefined) say(noticeOf(c, 'taken', c.holder !== me ? { who: c.holder } : {}), settings.refused);
    }
  }

  attention.sort((a, b) => a.expiresAt - b.expiresAt);
  return {
    notify: input.paused ? [] : notify,
    nextAt,
    attention,
    state: { initialized: true, mine, notified, seen, refusedUpTo },
  };
}

/** The person looked at a thread (opened it, or acted on its notification): its handed and expired marks go. */
export function markSeen(state: ReminderState, claim: Pick<ClaimFact, 'key' | 'epoch'>, now: number): ReminderState {
  return { ...state, seen: { ...state.seen, [id('handed', claim.key, claim.epoch)]: now, [id('expired', claim.key, claim.epoch)]: now } };
}

// ------------------------------------------------------------------ notification ids

const PREFIX = 'tend.';

/** A notification's id: its kind, epoch and thread key, so a click knows what it is about. */
export function noticeId(n: Pick<Notice, 'kind' | 'epoch' | 'key'>): string {
  return `${PREFIX}${n.kind}.${n.epoch}.${encodeURIComponent(n.key)}`;
}

/** Reads a notification id back; null for one that is not Tend's. */
export function parseNoticeId(value: string): { kind: ReminderKind; epoch: number; key: string } | null {
  const m = /^tend\.(expiring|expired|handed|taken|refused)\.(\d+)\.(.+)$/.exec(value);
  if (!m) return null;
  try {
    return { kind: m[1] as ReminderKind, epoch: Number(m[2]), key: decodeURIComponent(m[3]!) };
  } catch {
    return null;
  }
}

/** Reads stored settings, filling gaps with the defaults (an older or damaged record). */
export function readReminderSettings(raw: unknown): ReminderSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof ReminderSettings, unknown>>;
  const flag = (k: Exclude<keyof ReminderSettings, 'leadMs'>) => (typeof r[k] === 'boolean' ? (r[k] as boolean) : DEFAULT_REMINDER_SETTINGS[k]);
  const lead = typeof r.leadMs === 'number' && Number.isFinite(r.leadMs) && r.leadMs >= 60_000 && r.leadMs <= 7 * 24 * HOUR_MS ? r.leadMs : DEFAULT_REMINDER_SETTINGS.leadMs;
  return { leadMs: lead, expiring: flag('expiring'), expired: flag('expired'), handed: flag('handed'), refused: flag('refused') };
}

/** Reads a stored state, or the empty one. */
export function readReminderState(raw: unknown): ReminderState {
  if (!raw || typeof raw !== 'object') return EMPTY_REMINDER_STATE;
  const r = raw as Partial<ReminderState>;
  const rec = (x: unknown) => (x && typeof x === 'object' ? (x as Record<string, number>) : {});
  return { initialized: r.initialized === true, mine: rec(r.mine), notified: rec(r.notified), seen: rec(r.seen), refusedUpTo: typeof r.refusedUpTo === 'number' ? r.refusedUpTo : 0 };
}
