/**
 * The background worker: the only writer of Tend's database. Everything that matters is in
 * IndexedDB; module state here (the open connection, live ports) is rebuilt on every start,
 * because the browser may stop this worker at any moment.
 */
import { browser } from 'wxt/browser';
import { BUILTIN_HOST_PATTERNS } from '../lib/domain/hosts';
import { createHandler, route, snapshot, SubscriptionHub, SUBSCRIBE_PORT, type EditorCommand, type EditorEnvelope } from '../lib/messaging';
import { StoreError, TendStore } from '../lib/store';
import { listenForSiteAccess, originKeyOrNull, originPattern, SiteAccess } from '../lib/permissions';
import { SyncClient } from '../lib/sync';

/** Where WXT writes `entrypoints/editor.ts`. */
const EDITOR_SCRIPT = '/editor.js';

/** Defined by wxt.config.ts: true in the end-to-end test build. */
declare const __TEND_TEST_BUILD__: boolean;

export default defineBackground(() => {
  const env = { runtimeId: browser.runtime.id, extensionBase: browser.runtime.getURL('/') };
  // Opened on first use and kept; the store reconnects by itself after a version change.
  // A failed start (creating my identity on a full disk, say) is forgotten, so the next
  // message tries again instead of failing until the browser stops this worker.
  let storePromise: Promise<TendStore> | null = null;
  const store = () =>
    (storePromise ??= TendStore.open()
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

  const hub = new SubscriptionHub(async (posts, threads) => snapshot(await store(), posts, threads, Date.now()), env);
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
      .then((s) => new SyncClient({ store: s, notify: (changes) => void hub.notify(changes) }))
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
  const makeHandler = async () =>
    createHandler({
      store: await store(),
      // After each local write: tell subscribers, then send it to the team (if any).
      notify: (changes) => {
        void hub.notify(changes);
        void sync().then((s) => s.pushSoon(), console.warn);
      },
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
      (e: unknown) => ({ ok: false, error: `Tend’s database could not be opened: ${e instanceof Error ? e.message : String(e)}`, code: e instanceof StoreError ? e.code : 'store' }),
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
    if (alarm.name !== SYNC_ALARM) return;
    void sync()
      .then(async (s) => {
        await s.syncNow();
        await s.refreshTeam();
      })
      .catch(() => undefined); // the sync status tells what went wrong
  });

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
