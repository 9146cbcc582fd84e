/**
 * The background worker: the only writer of Tend's database. Everything that matters is in
 * IndexedDB; module state here (the open connection, live ports) is rebuilt on every start,
 * because the browser may stop this worker at any moment.
 */
import { browser } from 'wxt/browser';
import { createHandler, route, snapshot, SubscriptionHub, SUBSCRIBE_PORT } from '../lib/messaging';
import { StoreError, TendStore } from '../lib/store';

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
  const handler = async () => createHandler({ store: await store(), notify: (changes) => void hub.notify(changes), version });

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
});
