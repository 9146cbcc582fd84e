/**
 * Bounds on what pages can make Tend record. A page decides what it shows, so a hostile one
 * could rewrite its rows many times a second to make Tend write (and, in a team, send) an
 * observation each time. Observations are for the queue, which needs a thread's state, not
 * every flicker of it: a thread is observed again at most once a minute, and one tab may
 * cause at most a bounded number of observations in ten minutes (enough for long lists).
 */

/** How soon a thread may be observed again. */
export const OBSERVE_AGAIN_AFTER_MS = 60_000;
/** Most observations one tab may cause in `TAB_WINDOW_MS`. */
export const TAB_OBSERVATIONS = 1_500;
/** The window of the per-tab bound. */
export const TAB_WINDOW_MS = 10 * 60_000;
/** Threads remembered; the oldest are forgotten first. */
const MAX_REMEMBERED = 20_000;

/** Decides which observations may be written now. In memory: a restarted worker starts afresh. */
export class ObservationLimiter {
  private readonly lastByThread = new Map<string, number>();
  private readonly byTab = new Map<string, number[]>();

  /** Forgets everything (the store started over: joining or leaving a team). */
  reset(): void {
    this.lastByThread.clear();
    this.byTab.clear();
  }

  /** Of the threads a tab wants to observe now, those it may (and counts them as done). */
  allow(tab: string, threadKeys: readonly string[], now: number): Set<string> {
    const recent = (this.byTab.get(tab) ?? []).filter((t) => now - t < TAB_WINDOW_MS);
    const allowed = new Set<string>();
    for (const key of threadKeys) {
      if (recent.length >= TAB_OBSERVATIONS) break;
      const last = this.lastByThread.get(key);
      if (last !== undefined && now - last < OBSERVE_AGAIN_AFTER_MS) continue;
      allowed.add(key);
      recent.push(now);
    }
    for (const key of allowed) {
      this.lastByThread.delete(key);
      this.lastByThread.set(key, now);
    }
    while (this.lastByThread.size > MAX_REMEMBERED) this.lastByThread.delete(this.lastByThread.keys().next().value!);
    this.byTab.set(tab, recent);
    if (this.byTab.size > 500) this.byTab.delete(this.byTab.keys().next().value!);
    return allowed;
  }
}

/** What a page reported it shows, as far as the coalescing is concerned. */
export interface SeenReport {
  site: string;
  viewer: string | null;
  platform?: string;
  threads: { threadId: string }[];
}

/**
 * Keeps what pages report they show (`page.seen`) off the path of actions: each tab's reports
 * run one at a time, reports that arrive meanwhile are merged into the next run (threads by id,
 * the newest fields and viewer winning), and a run starts only once no action is in progress,
 * so a click never waits behind a page's report. Every caller gets the answer of the run that
 * covered its report.
 */
export class SeenCoalescer<T extends SeenReport, R> {
  private readonly tabs = new Map<string, { running: boolean; next: { report: T; waiters: { ok: (r: R) => void; fail: (e: unknown) => void }[] } | null }>();
  private actions = 0;
  private quiet: (() => void)[] = [];

  /** `run` records one (merged) report; at most 500 threads reach it, as the protocol allows. */
  constructor(private readonly run: (report: T) => Promise<R>, private readonly maxThreads = 500) {}

  /** Runs an action ahead of any report that has not started yet. */
  async action<T>(work: () => Promise<T>): Promise<T> {
    this.actions++;
    try {
      return await work();
    } finally {
      if (--this.actions === 0) for (const go of this.quiet.splice(0)) go();
    }
  }

  /** Resolves once no action is in progress (a long report yields to actions between its parts). */
  async noActions(): Promise<void> {
    while (this.actions > 0) await new Promise<void>((go) => this.quiet.push(go));
  }

  /** Queues a tab's report; resolves with the answer of the run that covered it. */
  submit(tab: string, report: T): Promise<R> {
    let t = this.tabs.get(tab);
    if (!t) this.tabs.set(tab, (t = { running: false, next: null }));
    const promise = new Promise<R>((ok, fail) => {
      const next = t.next;
      if (next && next.report.site === report.site) {
        next.report = merge(next.report, report, this.maxThreads);
        next.waiters.push({ ok, fail });
      } else if (next) {
        // Another site in the same tab: the one before is done with; it gets this answer too.
        t.next = { report, waiters: [...next.waiters, { ok, fail }] };
      } else t.next = { report, waiters: [{ ok, fail }] };
    });
    if (!t.running) void this.drain(tab, t);
    return promise;
  }

  private async drain(tab: string, t: { running: boolean; next: { report: T; waiters: { ok: (r: R) => void; fail: (e: unknown) => void }[] } | null }): Promise<void> {
    t.running = true;
    while (t.next) {
      // Reports wait for actions; and they let the action that brought them (if any) go first.
      await new Promise<void>((go) => setTimeout(go, 0));
      await this.noActions();
      const { report, waiters } = t.next;
      t.next = null;
      try {
        const r = await this.run(report);
        for (const w of waiters) w.ok(r);
      } catch (e) {
        for (const w of waiters) w.fail(e);
      }
    }
    t.running = false;
    this.tabs.delete(tab);
  }
}

/** Two reports of one site as one: threads by id in first-seen order with the newest fields, the newest viewer. */
function merge<T extends SeenReport>(a: T, b: T, max: number): T {
  const threads = new Map(a.threads.map((x) => [x.threadId, x]));
  for (const x of b.threads) {
    threads.delete(x.threadId);
    threads.set(x.threadId, x);
  }
  // The newest are kept when there are too many.
  return { ...b, threads: [...threads.values()].slice(-max) };
}
