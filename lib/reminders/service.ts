/**
 * Reminders in the background: reads what the store knows, asks `plan` what to do, and does
 * it — notifications, the one alarm, the toolbar badge. Everything it remembers is in the
 * store, so it is re-derived on every start, on every alarm and after every change; a worker
 * stopped between scheduling and firing loses nothing. The browser's APIs are passed in.
 */
import { isClaimOp, parseThreadKey, threadKey, type Claim } from '../domain';
import type { Changes, TendStore } from '../store';
import type { Translate } from '../../components/i18n';
import { badgeOf, noticeText } from '../../components/reminders';
import { markSeen, noticeId, REMINDER_SETTINGS_KEY, parseNoticeId, plan, readReminderSettings, readReminderState, type ClaimFact, type Notice, type ReminderSettings } from './plan';

export const REMINDER_ALARM = 'tend.remind';
export const REMINDER_STATE_KEY = 'reminderState';

/** The parts of the browser reminders use (Chrome's and Firefox's, through the polyfill). */
export interface ReminderBrowser {
  notifications?: {
    create(id: string, options: { type: 'basic'; iconUrl: string; title: string; message: string; buttons?: { title: string }[] }): Promise<string>;
    clear(id: string): Promise<boolean>;
  };
  alarms: {
    create(name: string, info: { when: number }): void | Promise<void>;
    clear(name: string): Promise<boolean>;
  };
  action?: {
    setBadgeText(details: { text: string }): Promise<void>;
    setTitle(details: { title: string }): Promise<void>;
    setBadgeBackgroundColor?(details: { color: string }): Promise<void>;
  };
  tabs: { create(details: { url: string; active?: boolean }): Promise<unknown> };
}

export interface ReminderDeps {
  store: () => Promise<TendStore>;
  browser: ReminderBrowser;
  t: Translate;
  /** Tend's clock (authority time in solo mode). */
  now: () => number;
  /** The browser's time for a moment of Tend's clock (alarms are set in it). */
  toBrowserTime?: (at: number) => number;
  /** Whether notifications may carry buttons (Chrome: yes; Firefox: no). */
  buttons: boolean;
  iconUrl: string;
  /** After a write made here (a renewal from a notification): tell pages and the team. */
  changed: (changes: Changes) => void;
  /** Each notification as shown (the test build records them). */
  shown?: (id: string, text: { title: string; message: string }, buttons: string[]) => void;
}

/** Where the settings page's choices live; absent means the defaults. */
export async function reminderSettings(store: TendStore): Promise<ReminderSettings> {
  return readReminderSettings(await store.getMeta(REMINDER_SETTINGS_KEY));
}

const safeUrl = (url: string | null | undefined): string | null => {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
};

export class Reminders {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: ReminderDeps) {}

  /** Looks again shortly (after a burst of changes, once). */
  soon(delayMs = 250): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh().catch(console.warn);
    }, delayMs);
  }

  /** Looks now: notifications, the alarm and the badge. One look at a time. */
  refresh(): Promise<void> {
    return this.serial(() => this.look());
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async look(): Promise<void> {
    const { deps } = this;
    const store = await deps.store();
    const now = deps.now();
    const [settings, state, paused, rejections, people] = await Promise.all([
      reminderSettings(store),
      store.getMeta(REMINDER_STATE_KEY).then(readReminderState),
      store.getMeta('paused').then(Boolean),
      store.rejections(),
      store.people(),
    ]);
    const { me, claims } = await store.claimsForReminders(Object.keys(state.mine), now);
    const facts: ClaimFact[] = claims.map(toFact);
    const titles = new Map(facts.map((c) => [c.key, c]));
    const refusals = rejections.flatMap((r) => {
      if (!isClaimOp(r.op) || (r.op.type !== 'claim' && r.op.type !== 'renew')) return [];
      const key = threadKey(r.op.thread);
      return [{ opId: r.op.id, key, thread: r.op.thread, title: titles.get(key)?.title ?? null, url: titles.get(key)?.url ?? null, reason: r.reason, ...(r.code ? { code: r.code } : {}), ...(r.detail ? { detail: r.detail } : {}), at: r.at }];
    });
    if (!me) return;
    const p = plan({ now, me, settings, paused, claims: facts, refusals, state });
    await store.setMeta(REMINDER_STATE_KEY, p.state);

    const names = new Map(people.map((x) => [x.id, x.name]));
    const name = (id: string) => names.get(id) || deps.t('remindSomeone');
    for (const n of p.notify) await this.show(n, noticeText(deps.t, n, now, name)).catch(console.warn);

    await deps.browser.alarms.clear(REMINDER_ALARM);
    if (p.nextAt !== null) await deps.browser.alarms.create(REMINDER_ALARM, { when: (deps.toBrowserTime ?? ((x) => x))(p.nextAt) });

    const badge = badgeOf(deps.t, p.attention);
    const action = deps.browser.action;
    if (action) {
      await Promise.all([
        action.setBadgeText({ text: badge.text }),
        action.setTitle({ title: badge.title }),
        action.setBadgeBackgroundColor?.({ color: '#b45309' }),
      ]).catch(console.warn);
    }
  }

  private async show(n: Notice, text: { title: string; message: string }): Promise<void> {
    const { deps } = this;
    if (!deps.browser.notifications) return;
    const id = noticeId(n);
    const buttons = deps.buttons ? (n.kind === 'expiring' ? [deps.t('remindRenew'), deps.t('remindOpen')] : safeUrl(n.url) ? [deps.t('remindOpen')] : []) : [];
    await deps.browser.notifications.create(id, {
      type: 'basic',
      iconUrl: deps.iconUrl,
      title: text.title,
      message: text.message,
      // Only where buttons exist (Chrome); Firefox refuses options it does not know.
      ...(buttons.length ? { buttons: buttons.map((title) => ({ title })) } : {}),
    });
    deps.shown?.(id, text, buttons);
  }

  /** A click on a notification's body: open its thread. */
  async clicked(id: string): Promise<void> {
    await this.act(id, 'open');
  }

  /** A click on a notification's button (Chrome): Renew, then Open, on expiring claims; Open elsewhere. */
  async buttonClicked(id: string, index: number): Promise<void> {
    const parsed = parseNoticeId(id);
    if (!parsed) return;
    await this.act(id, parsed.kind === 'expiring' && index === 0 ? 'renew' : 'open');
  }

  private async act(id: string, action: 'open' | 'renew'): Promise<void> {
    const parsed = parseNoticeId(id);
    if (!parsed) return;
    const { deps } = this;
    const store = await deps.store();
    const now = deps.now();
    const thread = parseThreadKey(parsed.key);
    await deps.browser.notifications?.clear(id).catch(() => false);
    if (action === 'renew') {
      const [{ claim }, me] = await Promise.all([store.claimView(parsed.key, now), store.me()]);
      // Renew a live lease of mine; if it ended meanwhile and nobody took it, claim it again.
      const live = claim && claim.status === 'active' && claim.expiresAt > now;
      if (live && claim.holder !== me.id) return;
      const r = await store.act(live ? { type: 'renew', thread, epoch: claim.epoch } : { type: 'claim', thread }, now);
      deps.changed(r.changes);
    } else {
      const [record] = await store.threads([parsed.key]);
      const url = safeUrl(record?.observation?.fields.url?.value);
      if (url) await deps.browser.tabs.create({ url, active: true });
    }
    await this.looked([parsed.key]);
  }

  /** The person looked at these threads' claims (a notification), or at all of mine (the popup): handed and expired marks go. */
  looked(keys?: readonly string[]): Promise<void> {
    return this.serial(async () => {
      const store = await this.deps.store();
      const now = this.deps.now();
      const { claims } = await store.claimsForReminders(keys ?? [], now);
      let state = readReminderState(await store.getMeta(REMINDER_STATE_KEY));
      const wanted = keys ? new Set(keys) : null;
      for (const c of claims) if (!wanted || wanted.has(c.key)) state = markSeen(state, c, now);
      await store.setMeta(REMINDER_STATE_KEY, state);
      await this.look();
    });
  }
}

function toFact(c: Claim & { title: string | null; url: string | null }): ClaimFact {
  return { key: c.key, thread: c.thread, title: c.title, url: c.url, holder: c.holder, status: c.status, epoch: c.epoch, expiresAt: c.expiresAt, by: c.by };
}
