/**
 * Tend's IndexedDB as the browser keeps it: record counts read from an extension page, and
 * storage quota overrides through the DevTools protocol (see docs/testing.md).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import type { LaunchedExtension } from './browser';
import { chromiumPath } from './paths';

/**
 * Record counts of every object store of an IndexedDB database, read directly from an
 * extension page (as Tend's pages read the store). Refuses to run when the database does not
 * exist yet: opening it without a version would create an empty version 1 under Tend's feet.
 */
export async function storeCounts(page: Page, dbName = 'tend'): Promise<Record<string, number>> {
  return page.evaluate(countStoresInPage, dbName);
}

/** The in-page half of storeCounts, for any driver's evaluate (Playwright's or Puppeteer's). */
export async function countStoresInPage(name: string): Promise<Record<string, number>> {
  if (!(await indexedDB.databases()).some((d) => d.name === name)) throw new Error(`no IndexedDB database named ${name}`);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const names = [...db.objectStoreNames];
    const tx = db.transaction(names, 'readonly');
    const counts = await Promise.all(
      names.map(
        (store) =>
          new Promise<number>((resolve, reject) => {
            const req = tx.objectStore(store).count();
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
          }),
      ),
    );
    return Object.fromEntries(names.map((n, i) => [n, counts[i]!]));
  } finally {
    db.close();
  }
}

/**
 * Storage usage and quota of an origin, as Chromium's quota manager sees them (the override
 * included, unlike `navigator.storage.estimate()`). `cdp` must be a page-level session.
 */
export async function usageAndQuota(cdp: CDPSession, origin: string): Promise<{ usage: number; quota: number; overrideActive: boolean }> {
  const { usage, quota, overrideActive } = await cdp.send('Storage.getUsageAndQuota', { origin });
  return { usage, quota, overrideActive };
}

/**
 * Sets (or, without `quotaSize`, lifts) a quota override for an origin, from a page-level
 * CDP session kept attached while it should last. A size of 0 was seen to allow everything:
 * use at least 1 for "no room at all".
 */
export async function overrideQuota(cdp: CDPSession, origin: string, quotaSize?: number): Promise<void> {
  await cdp.send('Storage.overrideQuotaForOrigin', quotaSize === undefined ? { origin } : { origin, quotaSize });
}

/** The id Chromium gives an unpacked extension: SHA-256 of its real path, 32 hex digits spelt a–p. */
export function unpackedExtensionId(extensionDir: string): string {
  const hex = createHash('sha256').update(realpathSync(extensionDir)).digest('hex').slice(0, 32);
  return [...hex].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('');
}

/** An extension launched under a storage quota override. */
export interface QuotaLaunchedExtension extends LaunchedExtension {
  /** The page-level CDP session holding the override (kept attached until `close`). */
  cdp: CDPSession;
  /** Sets the extension origin's quota override again; without a size, lifts it. */
  setQuota(quotaSize?: number): Promise<void>;
  /** The extension origin's usage and quota. */
  usage(): Promise<{ usage: number; quota: number; overrideActive: boolean }>;
}

/**
 * Launches headless Chromium on a fresh profile with no extension, overrides the storage
 * quota of the extension's origin-to-be, and only then loads the extension (CDP
 * `Extensions.loadUnpacked`, allowed by `--enable-unsafe-extension-debugging`). The override
 * is thus in place before the extension writes anything, even from pages it opens on install,
 * which matters because Chromium's IndexedDB caches the space left for about 30 s: a quota
 * lowered after writes that fitted is enforced only once that cache expires.
 */
export async function launchExtensionWithQuota(options: {
  extensionDir: string;
  quotaSize: number;
  executablePath?: string;
  timeoutMs?: number;
}): Promise<QuotaLaunchedExtension> {
  const executablePath = options.executablePath ?? chromiumPath();
  if (!executablePath) throw new Error('launchExtensionWithQuota: Chromium not found (set TEND_CHROMIUM)');
  const extensionDir = realpathSync(options.extensionDir);
  const extensionId = unpackedExtensionId(extensionDir);
  const origin = `chrome-extension://${extensionId}`;
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'tend-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      '--enable-unsafe-extension-debugging',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-dev-shm-usage',
    ],
  });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    await overrideQuota(cdp, origin, options.quotaSize);

    const browser = context.browser();
    if (!browser) throw new Error('launchExtensionWithQuota: no browser-level CDP access');
    const browserCdp = await browser.newBrowserCDPSession();
    const workerStarted = context.waitForEvent('serviceworker', {
      predicate: (w) => w.url().startsWith(`${origin}/`),
      timeout: options.timeoutMs ?? 30_000,
    });
    const { id } = await browserCdp.send('Extensions.loadUnpacked', { path: extensionDir });
    await browserCdp.detach().catch(() => {});
    if (id !== extensionId) throw new Error(`launchExtensionWithQuota: loaded as ${id}, expected ${extensionId}: the quota override is on the wrong origin`);
    await workerStarted;

    return {
      context,
      extensionId,
      origin,
      get serviceWorker() {
        const workers = context.serviceWorkers().filter((w) => w.url().startsWith(`${origin}/`));
        return workers.at(-1)!;
      },
      userDataDir,
      url: (pathname) => `${origin}/${pathname.replace(/^\//, '')}`,
      cdp,
      setQuota: (quotaSize) => overrideQuota(cdp, origin, quotaSize),
      usage: () => usageAndQuota(cdp, origin),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
