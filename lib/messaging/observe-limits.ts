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
