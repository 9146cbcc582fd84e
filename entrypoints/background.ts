/**
 * The background worker: the only writer of Tend's database. Everything that matters is in
 * IndexedDB; module state here (the open connection, live ports) is rebuilt on every start,
 * because the browser may stop this worker at any moment.
 */
import { browser } from 'wxt/browser';
import { BUILTIN_HOST_PATTERNS } from '../lib/domain/hosts';
import { canonicalSite } from '../lib/domain/refs';
import type { Failure } from '../lib/domain/result';
import { createHandler, route, snapshot, SubscriptionHub, SUBSCRIBE_PORT, type EditorCommand, type EditorEnvelope } from '../lib/messaging';
import { StoreError, TendStore, type Changes } from '../lib/store';
import { listenForSiteAccess, originKeyOrNull, originPattern, SiteAccess } from '../lib/permissions';
import { SyncClient } from '../lib/sync';
import { browserT } from '../lib/i18n';
import { Reminders, REMINDER_ALARM } from '../lib/reminders/service';
import { commandTarget, TEND_COMMANDS, type TendCommand } from '../lib/commands';

/** Where WXT writes `entrypoints/editor.ts`. */
const EDITOR_SCRIPT = '/editor.js';

/** Defined by wxt.config.ts: true in the end-to-end test build. */
declare const __TEND_TEST_BUILD__: boolean;

/** A page address's site id, or null. */
function siteOfUrl(url: string): string | null {
  try {
    return canonicalSite(new URL(url));
  } catch {
    return null;
  }
}

/** Test build only: how far Tend's clock is moved (storage.local), and the notifications shown. */
const TEST_CLOCK_KEY = 'tendTestClockShift';
const TEST_SHOWN_KEY = 'tendTestShown';

async function recordShown(id: string, text: { title: string; message: string }, buttons: string[]): Promise<void> {
  const list = ((await browser.storage.local.get(TEST_SHOWN_KEY))[TEST_SHOWN_KEY] as unknown[] | undefined) ?? [];
  await browser.storage.local.set({ [TEST_SHOWN_KEY]: [...list, { id, ...text, buttons, at: Date.now() }] });
}

export default defineBackground(() => {
  const env = { runtimeId: browser.runtime.id, extensionBase: browser.runtime.getURL('/') };
  // Tend's clock. The test build can move it forward (a lease "about to end" without waiting a
  // day); the shift is kept in storage, so a restarted worker keeps it. Shipped: Date.now.
  let shift = 0;
  const clockReady: Promise<void> = __TEND_TEST_BUILD__
    ? browser.storage.local.get(TEST_CLOCK_KEY).then((r) => void (shift = Number(r[TEST_CLOCK_KEY]) || 0), () => undefined)
    : Promise.resolve();
  const now = () => Date.now() + shift;
  // Opened on first use and kept; the store reconnects by itself after a version change.
  // A failed start (creating my identity on a full disk, say) is forgotten, so the next
  // message tries again instead of failing until the browser stops this worker.
  let storePromise: Promise<TendStore> | null = null;
  const store = () =>
    (storePromise ??= clockReady
      .then(() => TendStore.open({ now }))
      .then(async (s) => {
        try {
          await s.me();
          return s;
        } catch (e) {
          s.close();
          throw e;
        }
      })
      .catch((e: unknown) => {
        storePromise = null;
        throw e;
      }));

  const hub = new SubscriptionHub(async (posts, threads) => snapshot(await store(), posts, threads, now()), env);
  const version = browser.runtime.getManifest().version;
  // Sites the user enabled beyond the built-in ones (host permission + registered content script).
  const sites = new SiteAccess(browser, {
    // The team server's origin is granted for sync (CORS), not to run Tend on it.
    isServiceOrigin: (origin) =>
      store()
        .then((s) => s.getMeta<{ server?: string } | null>('team'))
        .then((team) => originKeyOrNull(team?.server) === origin, () => false),
  });
  // Team sync, created on first use. In solo mode (no team) it makes no request at all.
  let syncPromise: Promise<SyncClient> | null = null;
  const sync = () =>
    (syncPromise ??= store()
      .then((s) => new SyncClient({ store: s, now, notify: (changes) => changed(changes, false) }))
      .catch((e: unknown) => {
        syncPromise = null;
        throw e;
      }));
  // One handler for the worker's life: what it remembers (which threads a tab has made Tend
  // observe lately, which settings tab asked for a pick) must outlive a single message.
  let handlerPromise: Promise<Awaited<ReturnType<typeof makeHandler>>> | null = null;
  const handler = () =>
    (handlerPromise ??= makeHandler().catch((e: unknown) => {
      handlerPromise = null;
      throw e;
    }));
  // After each write: tell subscribers and reminders; a local one also goes to the team (if any).
  const changed = (changes: Changes, local = true) => {
    void hub.notify(changes);
    reminders.soon();
    if (local) void sync().then((s) => s.pushSoon(), console.warn);
  };
  // Notifications, the reminder alarm and the toolbar badge, re-derived from the store.
  const reminders = new Reminders({
    store,
    browser: browser as unknown as ConstructorParameters<typeof Reminders>[0]['browser'],
    t: browserT,
    now,
    toBrowserTime: (at) => at - shift,
    // Firefox's notifications have no buttons: a click on one opens its thread.
    buttons: !import.meta.env.FIREFOX,
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    changed,
    ...(__TEND_TEST_BUILD__
      ? { shown: (id: string, text: { title: string; message: string }, buttons: string[]) => void recordShown(id, text, buttons) }
      : {}),
  });
  const makeHandler = async () =>
    createHandler({
      store: await store(),
      notify: changed,
      now,
      reminders,
      version,
      sites,
      sync: await sync(),
      siteList: async () => {
        const builtIn = BUILTIN_HOST_PATTERNS.map((p) => ({ origin: p.replace(/\/\*$/, ''), builtIn: true, enabled: true, granted: true }));
        const enabled = await Promise.all(
          (await sites.enabledOrigins()).map(async (origin) => {
            const status = await sites.statusOf(origin);
            return { origin, builtIn: false, enabled: status.enabled, granted: status.granted };
          }),
        );
        return [...builtIn, ...enabled];
      },
      editor: {
        // The editor's script goes into the tab the first time the editor asks something there.
        send: async (tabId: number, command: EditorCommand) => {
          const message = { tendEditor: 1, command } satisfies EditorEnvelope;
          const ask = () => browser.tabs.sendMessage(tabId, message, { frameId: 0 }) as Promise<unknown>;
          const first = await ask().catch(() => null);
          if (first) return first;
          if (command.command === 'stop') return null;
          await browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, files: [EDITOR_SCRIPT] }).catch(() => null);
          return ask().catch(() => null);
        },
        activate: async (tabId: number) => {
          const tab = await browser.tabs.update(tabId, { active: true });
          if (tab?.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true }).catch(() => undefined);
        },
        tabsOn: async (origin: string) =>
          (await browser.tabs.query({ url: originPattern(origin) }))
            .filter((t) => t.id !== undefined && t.url)
            .map((t) => ({ id: t.id!, title: t.title ?? '', url: t.url! })),
      },
      pushToPages: (message) => hub.pushToPages(message),
      wipeBrowser: async () => {
        for (const origin of await sites.enabledOrigins()) await sites.disable(origin).catch(() => undefined);
        await browser.storage.local.clear();
      },
    });

  // Listeners are registered synchronously, so a message or port that woke the worker is heard.
  browser.runtime.onMessage.addListener((message: unknown, sender) => {
    if (!message || typeof message !== 'object' || (message as { tend?: unknown }).tend !== 1) return undefined;
    return handler().then(
      (handle) => route(message, sender, env, handle),
      // A full disk at first use is still a full disk: keep the store's code ('quota').
      (e: unknown): Failure => {
        const why = e instanceof Error ? e.message : String(e);
        return { ok: false, error: `Tend’s database could not be opened: ${why}`, code: e instanceof StoreError ? e.code : 'store', detail: why };
      },
    );
  });
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== SUBSCRIBE_PORT) return;
    hub.connect(port);
    // A live socket while any Tend tab or page is open (its heartbeat keeps this worker awake).
    void sync().then((s) => s.connectLive(), console.warn);
    port.onDisconnect.addListener(() => {
      if (hub.size === 0) void sync().then((s) => s.disconnectLive(), console.warn);
    });
  });
  // Otherwise, push and pull every minute.
  const SYNC_ALARM = 'tend.sync';
  void browser.alarms
    .get(SYNC_ALARM)
    .then(async (alarm) => {
      if (!alarm) await browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1 });
    })
    .catch(console.warn);
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === REMINDER_ALARM) void reminders.refresh().catch(console.warn);
    if (alarm.name !== SYNC_ALARM) return;
    void sync()
      .then(async (s) => {
        await s.syncNow();
        await s.refreshTeam();
      })
      .catch(() => undefined); // the sync status tells what went wrong
  });

  // Reminders are looked at on every start: what the alarm was for is in the store, not here.
  void reminders.refresh().catch(console.warn);
  browser.notifications?.onClicked.addListener((id) => void reminders.clicked(id).catch(console.warn));
  browser.notifications?.onButtonClicked?.addListener((id, index) => void reminders.buttonClicked(id, index).catch(console.warn));

  // Keyboard commands (the person may change their keys in the browser's settings).
  const runCommand = async (command: string, tab?: { id?: number }) => {
    if (command === 'open-dashboard') {
      // Typed loosely: WXT knows only the pages of this checkout by name.
      await browser.tabs.create({ url: (browser.runtime.getURL as (path: string) => string)('/dashboard.html') });
      return;
    }
    if (!TEND_COMMANDS.includes(command as TendCommand)) return;
    const tabId = tab?.id ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id;
    if (tabId === undefined) return;
    // The page's own Tend says which thread it shows, or focuses the post in view.
    const answer = await browser.tabs.sendMessage(tabId, { tendCommand: command }, { frameId: 0 }).catch(() => null);
    const thread = commandTarget(answer);
    if (command === 'claim-thread' && thread) {
      const url = (await browser.tabs.get(tabId)).url;
      // Only a thread on the tab's own site, as for any request from a page.
      if (!url || siteOfUrl(url) !== thread.site) return;
      const r = await (await store()).act({ type: 'claim', thread }, now());
      changed(r.changes);
    }
  };
  browser.commands?.onCommand.addListener((command, tab) => void runCommand(command, tab).catch(console.warn));

  if (__TEND_TEST_BUILD__) {
    // Test hooks, answered only to Tend's own pages in the test build: move the clock,
    // list the notifications shown, click one, run a keyboard command.
    browser.runtime.onMessage.addListener((message: unknown, sender) => {
      const m = message as { tendTest?: string; at?: number; id?: string; button?: number; command?: string; tabId?: number } | null;
      if (!m || typeof m.tendTest !== 'string' || !sender.url?.startsWith(env.extensionBase)) return undefined;
      return (async () => {
        await clockReady;
        switch (m.tendTest) {
          case 'clock':
            shift = Math.round((m.at ?? Date.now()) - Date.now());
            await browser.storage.local.set({ [TEST_CLOCK_KEY]: shift });
            await reminders.refresh();
            return { now: now() };
          case 'shown':
            return (await browser.storage.local.get(TEST_SHOWN_KEY))[TEST_SHOWN_KEY] ?? [];
          case 'click':
            if (m.button === undefined) await reminders.clicked(m.id ?? '');
            else await reminders.buttonClicked(m.id ?? '', m.button);
            return { ok: true };
          case 'command':
            await runCommand(m.command ?? '', m.tabId === undefined ? undefined : { id: m.tabId });
            return { ok: true };
          case 'badge':
            return { text: await browser.action.getBadgeText({}), title: await browser.action.getTitle({}) };
        }
        return null;
      })();
    });
  }

  listenForSiteAccess(browser, sites);
  browser.runtime.onStartup.addListener(() => {
    void sites.sync().catch(console.warn);
    void sync()
      .then((s) => s.syncNow())
      .catch(() => undefined);
  });
  browser.runtime.onInstalled.addListener(({ reason }) => {
    const fresh = reason === 'install' || reason === 'update';
    void sites
      .sync()
      .then(() => (fresh ? sites.injectIntoOpenTabs() : 0))
      .catch(console.warn);
    // First run: say what Tend is and ask for a name. The test build opens it in the
    // background, so it never takes the foreground from the page a test is driving.
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/welcome.html'), active: !__TEND_TEST_BUILD__ }).catch(console.warn);
  });
});
