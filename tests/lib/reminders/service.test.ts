/**
 * Reminders in the background, on the real store (fake IndexedDB) with a recorded browser:
 * the alarm comes from the store, the notification and badge follow, and a renewal from the
 * notification works in a worker that has just started (a new `Reminders`, nothing in memory).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { TendStore } from '../../../lib/store';
import { Reminders, REMINDER_ALARM, type ReminderBrowser } from '../../../lib/reminders/service';
import { HOUR_MS, noticeId } from '../../../lib/reminders/plan';
import { englishT } from '../../components/translator';

let n = 0;
const thread = { site: 'https://forum.example.org', threadId: '7' };
const key = 'https://forum.example.org 7';

function fakeBrowser() {
  const log = {
    alarms: new Map<string, number>(),
    shown: new Map<string, { title: string; message: string; buttons?: { title: string }[] }>(),
    badge: '',
    title: '',
    opened: [] as string[],
  };
  const browser: ReminderBrowser = {
    notifications: {
      create: async (id, o) => {
        log.shown.set(id, o);
        return id;
      },
      clear: async (id) => log.shown.delete(id),
    },
    alarms: {
      create: (name, info) => void log.alarms.set(name, info.when),
      clear: async (name) => log.alarms.delete(name),
    },
    action: {
      setBadgeText: async ({ text }) => void (log.badge = text),
      setTitle: async ({ title }) => void (log.title = title),
    },
    tabs: { create: async ({ url }) => void log.opened.push(url) },
  };
  return { browser, log };
}

describe('reminders on the store', () => {
  it('schedules from the store, notifies at the lead time, and renews from a cold start', async () => {
    let now = 1_800_000_000_000;
    const store = await TendStore.open({ name: `tend-reminders-${++n}`, now: () => now });
    await store.me();
    await store.act({ type: 'observe', thread, fields: { title: 'Login loops', url: 'https://forum.example.org/t/7' } }, now);
    const claimed = await store.act({ type: 'claim', thread }, now);
    expect(claimed.pending).toBe(false);
    const { browser, log } = fakeBrowser();
    const changes: unknown[] = [];
    const make = (b = browser) => new Reminders({ store: async () => store, browser: b, t: englishT, now: () => now, buttons: true, iconUrl: 'icon.png', changed: (c) => changes.push(c) });

    await make().refresh();
    const expiresAt = now + 24 * HOUR_MS;
    expect(log.alarms.get(REMINDER_ALARM)).toBe(expiresAt - 2 * HOUR_MS);
    expect(log.shown.size).toBe(0);
    expect(log.badge).toBe('');

    // The alarm fires in a worker that has just started.
    now = expiresAt - 2 * HOUR_MS;
    await make().refresh();
    const id = noticeId({ kind: 'expiring', epoch: 1, key });
    expect(log.shown.get(id)).toMatchObject({ title: 'Your claim is about to expire', message: '“Login loops”: 2 hr left. Renew it to keep it.', buttons: [{ title: 'Renew' }, { title: 'Open' }] });
    expect(log.badge).toBe('1');
    expect(log.title).toBe('Tend: 1 expiring soon\n“Login loops”: expiring soon');
    expect(log.alarms.get(REMINDER_ALARM)).toBe(expiresAt);
    // Once per lease, however many times it looks.
    log.shown.clear();
    await make().refresh();
    expect(log.shown.size).toBe(0);

    // Renew, pressed in another cold start.
    now += 60_000;
    await make().buttonClicked(id, 0);
    expect(changes.length).toBe(1);
    const view = await store.claimView(key, now);
    expect(view.claim).toMatchObject({ epoch: 1, expiresAt: now + 24 * HOUR_MS });
    expect(log.badge).toBe('');
    expect(log.alarms.get(REMINDER_ALARM)).toBe(now + 22 * HOUR_MS);

    // Open, on the next one.
    now += 22 * HOUR_MS;
    await make().refresh();
    await make().buttonClicked(id, 1);
    expect(log.opened).toEqual(['https://forum.example.org/t/7']);
    store.close();
  });

  it('stays quiet while paused and for kinds turned off, and marks an expired claim seen when its notification is clicked', async () => {
    let now = 1_800_000_000_000;
    const store = await TendStore.open({ name: `tend-reminders-${++n}`, now: () => now });
    await store.me();
    await store.act({ type: 'claim', thread }, now);
    const { browser, log } = fakeBrowser();
    const reminders = new Reminders({ store: async () => store, browser, t: englishT, now: () => now, buttons: false, iconUrl: 'icon.png', changed: () => undefined });
    await reminders.refresh();
    await store.setMeta('paused', true);
    now += 23 * HOUR_MS;
    await reminders.refresh();
    expect(log.shown.size).toBe(0);
    expect(log.badge).toBe('1');
    await store.setMeta('paused', false);
    now += 2 * HOUR_MS;
    await reminders.refresh();
    const id = noticeId({ kind: 'expired', epoch: 1, key });
    // Firefox: no buttons; a click opens the thread (none known here) and counts as seen.
    expect(log.shown.get(id)).toMatchObject({ title: 'Your claim expired' });
    expect(log.shown.get(id)?.buttons).toBeUndefined();
    expect(log.title).toBe('Tend: 1 expired\n“a thread on forum.example.org”: expired');
    await reminders.clicked(id);
    expect(log.badge).toBe('');
    store.close();
  });
});
