/**
 * Talking to the background the way Tend's own pages and content scripts do: real runtime
 * messages and ports, sent from inside the browser. Extension pages are opened as tabs
 * (`openExtensionPage(ext, 'popup.html')`); a content-script context is made by running a
 * function in the extension's isolated world of a web page's tab.
 */
import type { Page } from 'playwright-core';
import { openExtensionPage, type LaunchedExtension } from './browser';

/** What every Tend request answers (the shape of `Result` in lib/domain). */
export type TendReply<T = unknown> = { ok: true; value: T } | { ok: false; error: string; code?: string };

/** The few `chrome.*` calls the in-browser functions below use (no @types/chrome here). */
interface ChromePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(fn: (message: unknown) => void): void };
  onDisconnect: { addListener(fn: () => void): void };
}
interface ChromeApi {
  runtime: {
    sendMessage(message: unknown): Promise<unknown>;
    connect(info: { name: string }): ChromePort;
  };
  tabs: { query(query: object): Promise<{ id?: number; url?: string }[]> };
  scripting: {
    executeScript(injection: { target: { tabId: number }; func: (...args: never[]) => unknown; args?: unknown[] }): Promise<{ result?: unknown }[]>;
  };
}

/**
 * Opens an extension page that runs none of Tend's code: the extension's own manifest.json
 * shown as a tab. Like any extension page it can send runtime messages and read IndexedDB,
 * but it holds no port, so it never wakes a stopped worker by itself (the popup does: its
 * live subscription reconnects as soon as the worker stops).
 */
export async function openQuietExtensionPage(ext: LaunchedExtension): Promise<Page> {
  return openExtensionPage(ext, 'manifest.json');
}

/**
 * Sends `message` as it is with `chrome.runtime.sendMessage` from an extension page. A
 * rejected send comes back as `{ thrown: <message> }` rather than failing the evaluate.
 */
export async function sendRaw(page: Page, message: unknown): Promise<unknown> {
  return page.evaluate(async (m) => {
    const chrome = (globalThis as unknown as { chrome: ChromeApi }).chrome;
    try {
      return { reply: await chrome.runtime.sendMessage(m) };
    } catch (e) {
      return { thrown: e instanceof Error ? e.message : String(e) };
    }
  }, message).then((r) => ('thrown' in r ? r : r.reply));
}

/** Sends one request in Tend's envelope (`{ tend: 1, request }`) from an extension page. */
export async function sendFromPage<T = unknown>(page: Page, request: unknown): Promise<TendReply<T>> {
  const reply = await sendRaw(page, { tend: 1, request });
  if (reply && typeof reply === 'object' && 'thrown' in reply) throw new Error(`sendMessage failed: ${String(reply.thrown)}`);
  return reply as TendReply<T>;
}

/**
 * Sends one request from a content-script context: the extension page `extPage` injects a
 * function into the isolated world of the tab showing `tabUrl` (exact URL), which calls
 * `chrome.runtime.sendMessage` there. The background sees a tab sender with that page's
 * origin, exactly as for Tend's content script. The tab's host must be granted to the build.
 */
export async function sendFromContent<T = unknown>(extPage: Page, tabUrl: string, request: unknown): Promise<TendReply<T>> {
  const reply = await extPage.evaluate(
    async ({ url, request }) => {
      const chrome = (globalThis as unknown as { chrome: ChromeApi }).chrome;
      const tab = (await chrome.tabs.query({})).find((t) => t.url === url);
      if (tab?.id === undefined) throw new Error(`no tab showing ${url}`);
      const [frame] = await chrome.scripting.executeScript({
        target: { tabId: tab.id },
        // As JSON: executeScript drops null-valued properties from object arguments.
        args: [JSON.stringify(request)],
        func: async (json: string) => {
          const c = (globalThis as unknown as { chrome: ChromeApi }).chrome;
          return c.runtime.sendMessage({ tend: 1, request: JSON.parse(json) as unknown });
        },
      });
      return frame?.result;
    },
    { url: tabUrl, request },
  );
  return reply as TendReply<T>;
}

/**
 * Opens the subscription port from a content-script context (the tab showing `tabUrl`),
 * sends `watch`, and returns the first push the background answers with, or null if none
 * came within `timeoutMs`.
 */
export async function watchFromContent(extPage: Page, tabUrl: string, watch: { posts: unknown[]; threads: unknown[] }, timeoutMs = 2_000): Promise<unknown> {
  return extPage.evaluate(
    async ({ url, watch, timeoutMs }) => {
      const chrome = (globalThis as unknown as { chrome: ChromeApi }).chrome;
      const tab = (await chrome.tabs.query({})).find((t) => t.url === url);
      if (tab?.id === undefined) throw new Error(`no tab showing ${url}`);
      const [frame] = await chrome.scripting.executeScript({
        target: { tabId: tab.id },
        args: [JSON.stringify(watch), timeoutMs],
        func: (json: string, ms: number) =>
          new Promise<unknown>((resolve) => {
            const c = (globalThis as unknown as { chrome: ChromeApi }).chrome;
            const port = c.runtime.connect({ name: 'tend.subscribe' });
            const done = (m: unknown) => {
              clearTimeout(timer);
              port.disconnect();
              resolve(m);
            };
            const timer = setTimeout(() => done(null), ms);
            port.onMessage.addListener(done);
            port.postMessage({ type: 'watch', ...(JSON.parse(json) as object) });
          }),
      });
      return frame?.result ?? null;
    },
    { url: tabUrl, watch, timeoutMs },
  );
}

/** A push the background sent to a subscriber, tagged with the connection it came on (1, 2, …). */
export type RecordedPush = { conn: number; type: string; [key: string]: unknown };

interface SubscriberRecord {
  pushes: RecordedPush[];
  connects: number;
  disconnects: number;
}

/**
 * Opens a live subscription in an extension page or a tab's isolated world, with the same
 * behaviour as `subscribe()` in lib/messaging/client.ts (which pages bundle, so tests cannot
 * import it there): connect the `tend.subscribe` port, send the watch, and on disconnect
 * reconnect after 50 ms and send the watch again. Pushes are recorded for `subscriberState`.
 */
export async function installSubscriber(page: Page, watch: { posts: unknown[]; threads: unknown[]; mine?: boolean }): Promise<void> {
  await page.evaluate((w) => {
    const chrome = (globalThis as unknown as { chrome: ChromeApi }).chrome;
    const record: SubscriberRecord = { pushes: [], connects: 0, disconnects: 0 };
    (globalThis as unknown as { __tendSubscriber: SubscriberRecord }).__tendSubscriber = record;
    const open = () => {
      const port = chrome.runtime.connect({ name: 'tend.subscribe' });
      const conn = ++record.connects;
      port.onMessage.addListener((m) => record.pushes.push({ conn, ...(m as { type: string }) }));
      port.onDisconnect.addListener(() => {
        record.disconnects++;
        setTimeout(open, 50);
      });
      port.postMessage({ type: 'watch', ...w });
    };
    open();
  }, watch);
}

/** What the subscriber installed by `installSubscriber` has seen so far. */
export async function subscriberState(page: Page): Promise<SubscriberRecord> {
  return page.evaluate(() => (globalThis as unknown as { __tendSubscriber: SubscriberRecord }).__tendSubscriber);
}
