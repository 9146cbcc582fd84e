/**
 * The background worker: the only writer of Tend's database. Everything that matters is in
 * IndexedDB; module state here (the open connection, live ports) is rebuilt on every start,
 * because the browser may stop this worker at any moment.
 */
import { browser } from 'wxt/browser';
import { createHandler, route, snapshot, SubscriptionHub, SUBSCRIBE_PORT } from '../lib/messaging';
import { StoreError, TendStore } from '../lib/store';
import { listenForSiteAccess, SiteAccess } from '../lib/permissions';

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
  const sites = new SiteAccess(browser);
  const handler = async () => createHandler({ store: await store(), notify: (changes) => void hub.notify(changes), version, sites });

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
    if (port.name === SUBSCRIBE_PORT) hub.connect(port);
  });

  listenForSiteAccess(browser, sites);
  browser.runtime.onStartup.addListener(() => void sites.sync().catch(console.warn));
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
