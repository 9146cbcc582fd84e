/**
 * Real Chromium with the unpacked extension loaded (docs/testing.md says what works and
 * why).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { SCREENSHOTS_DIR, chromiumPath } from './paths';
import { testCertificate } from './server';

export interface LaunchOptions {
  /** Unpacked build folder, e.g. `inject('tendE2E').testBuild`. */
  extensionDir: string;
  /** Host names resolved to 127.0.0.1 (`--host-resolver-rules`), e.g. `['meta.discourse.org', 'forum.example.test']`. */
  hostMap?: string[];
  /** Reuse a profile (it is then never deleted); by default a fresh temporary one. */
  userDataDir?: string;
  /** Keep the temporary profile after `close()` (to relaunch with it). */
  keepProfile?: boolean;
  /** Defaults to `TEND_CHROMIUM` or /usr/bin/chromium. */
  executablePath?: string;
  headless?: boolean;
  /** Extra Chromium switches. */
  args?: string[];
  viewport?: { width: number; height: number };
  /** How long to wait for the service worker to register (default 30 s). */
  timeoutMs?: number;
}

export interface LaunchedExtension {
  context: BrowserContext;
  extensionId: string;
  /** `chrome-extension://<id>` */
  origin: string;
  /** The worker's Playwright handle; after `startServiceWorker()` this is the new one. */
  readonly serviceWorker: Worker;
  userDataDir: string;
  /** `chrome-extension://<id>/<path>` */
  url(pathname: string): string;
  close(): Promise<void>;
}

const WORKER_URL = /^chrome-extension:\/\/([a-p]{32})\//;

function extensionWorkers(context: BrowserContext, extensionId?: string): Worker[] {
  return context.serviceWorkers().filter((w) => {
    const m = WORKER_URL.exec(w.url());
    return m && (!extensionId || m[1] === extensionId);
  });
}

/**
 * Launches headless Chromium with only this extension loaded, in a persistent profile (MV3
 * extensions need one), and waits for its background service worker.
 */
export async function launchExtension(options: LaunchOptions): Promise<LaunchedExtension> {
  const executablePath = options.executablePath ?? chromiumPath();
  if (!executablePath) throw new Error('launchExtension: Chromium not found (set TEND_CHROMIUM)');
  const extensionDir = path.resolve(options.extensionDir);
  const ownProfile = !options.userDataDir;
  const userDataDir = options.userDataDir ?? mkdtempSync(path.join(tmpdir(), 'tend-profile-'));
  const args = [
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-quic',
    '--disable-dev-shm-usage',
    // Trust the fixture servers' certificate everywhere, including in the service worker.
    `--ignore-certificate-errors-spki-list=${testCertificate().spki}`,
  ];
  if (options.hostMap?.length) {
    args.push(`--host-resolver-rules=${options.hostMap.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`);
  }
  args.push(...(options.args ?? []));

  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: options.headless ?? true,
    ignoreHTTPSErrors: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args,
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });

  try {
    let worker = extensionWorkers(context)[0];
    if (!worker) {
      worker = await context.waitForEvent('serviceworker', {
        predicate: (w) => WORKER_URL.test(w.url()),
        timeout: options.timeoutMs ?? 30_000,
      });
    }
    const extensionId = WORKER_URL.exec(worker.url())![1]!;
    let current = worker;
    // A restarted worker is a new target: keep the newest handle.
    context.on('serviceworker', (w) => {
      if (WORKER_URL.exec(w.url())?.[1] === extensionId) current = w;
    });
    const origin = `chrome-extension://${extensionId}`;
    return {
      context,
      extensionId,
      origin,
      get serviceWorker() {
        return extensionWorkers(context, extensionId).at(-1) ?? current;
      },
      userDataDir,
      url: (pathname) => `${origin}/${pathname.replace(/^\//, '')}`,
      async close() {
        await context.close().catch(() => {});
        if (ownProfile && !options.keepProfile) rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context.close().catch(() => {});
    if (ownProfile) rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Opens an extension page in a new tab: `openExtensionPage(ext, 'popup.html?tabId=3')`. */
export async function openExtensionPage(
  ext: LaunchedExtension,
  pathname: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await ext.context.newPage();
  if (options.viewport) await page.setViewportSize(options.viewport);
  await page.goto(ext.url(pathname));
  return page;
}

/** Saves `test-results/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}

/**
 * The tab id of a page (to open `popup.html?tabId=N` for it): brings it to the front and asks
 * the worker for the active tab. The worker must be running.
 */
export async function tabIdOf(ext: LaunchedExtension, page: Page): Promise<number> {
  await page.bringToFront();
  const url = page.url();
  const id = await ext.serviceWorker.evaluate(async (expected) => {
    type Tab = { id?: number; url?: string };
    const { chrome } = globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<Tab[]> } } };
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    if (!tab?.id) throw new Error('no active tab');
    if (expected && tab.url && tab.url !== expected) throw new Error(`active tab is ${tab.url}, not ${expected}`);
    return tab.id;
  }, url === 'about:blank' ? '' : url);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Service worker life cycle, through a page-level CDP session (ServiceWorker domain).

export type WorkerRunningStatus = 'stopped' | 'starting' | 'running' | 'stopping';

interface WorkerVersion {
  versionId: string;
  registrationId: string;
  scriptURL: string;
  runningStatus: WorkerRunningStatus;
  status: string;
}

/** A CDP session on a page, watching the extension's service worker versions. */
class WorkerWatch {
  readonly versions = new Map<string, WorkerVersion>();
  private waiters = new Set<() => void>();

  private constructor(
    readonly cdp: CDPSession,
    private readonly ownPage: Page | null,
    private readonly origin: string,
  ) {
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions as WorkerVersion[]) {
        if (v.scriptURL.startsWith(`${this.origin}/`)) this.versions.set(v.versionId, v);
      }
      for (const wake of this.waiters) wake();
    });
  }

  static async open(ext: LaunchedExtension, page?: Page): Promise<WorkerWatch> {
    const ownPage = page ? null : await ext.context.newPage();
    const cdp = await ext.context.newCDPSession(page ?? ownPage!);
    const watch = new WorkerWatch(cdp, ownPage, ext.origin);
    await cdp.send('ServiceWorker.enable');
    return watch;
  }

  /** The newest activated (or activating) version, else the newest one. */
  current(): WorkerVersion | undefined {
    const all = [...this.versions.values()].filter((v) => v.status !== 'redundant');
    return all.filter((v) => v.status === 'activated').at(-1) ?? all.at(-1);
  }

  async until(test: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (test()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`service worker: timed out after ${timeoutMs} ms waiting for ${what} (now ${this.current()?.runningStatus ?? 'unknown'})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    await this.cdp.detach().catch(() => {});
    await this.ownPage?.close().catch(() => {});
  }
}

async function withWatch<T>(ext: LaunchedExtension, page: Page | undefined, fn: (w: WorkerWatch) => Promise<T>): Promise<T> {
  const watch = await WorkerWatch.open(ext, page);
  try {
    await watch.until(() => !!watch.current(), 'the extension worker version', 10_000);
    return await fn(watch);
  } finally {
    await watch.close();
  }
}

/** The worker's CDP running status: 'stopped' | 'starting' | 'running' | 'stopping'. */
export async function serviceWorkerStatus(ext: LaunchedExtension, options: { page?: Page } = {}): Promise<WorkerRunningStatus> {
  return withWatch(ext, options.page, async (w) => w.current()!.runningStatus);
}

/**
 * Stops the extension's service worker as Chrome does when it is idle: module state is lost,
 * IndexedDB is kept. Resolves once CDP reports it stopped. Do not `evaluate` on the old
 * handle afterwards (it hangs): wake the worker (a runtime message, or `startServiceWorker`).
 */
export async function stopServiceWorker(ext: LaunchedExtension, options: { page?: Page; timeoutMs?: number } = {}): Promise<void> {
  await withWatch(ext, options.page, async (w) => {
    await w.cdp.send('ServiceWorker.stopWorker', { versionId: w.current()!.versionId });
    await w.until(() => w.current()?.runningStatus === 'stopped', 'stopped', options.timeoutMs ?? 10_000);
  });
}

/**
 * Waits until the worker reaches `status` (e.g. 'running' after a message woke it).
 * Returns the worker's current Playwright handle.
 */
export async function waitForServiceWorker(
  ext: LaunchedExtension,
  status: WorkerRunningStatus = 'running',
  options: { page?: Page; timeoutMs?: number } = {},
): Promise<Worker> {
  await withWatch(ext, options.page, (w) =>
    w.until(() => w.current()?.runningStatus === status, status, options.timeoutMs ?? 10_000),
  );
  return status === 'running' ? currentWorkerHandle(ext, options.timeoutMs) : ext.serviceWorker;
}

/** Starts the stopped worker directly (CDP `ServiceWorker.startWorker`) and returns its new handle. */
export async function startServiceWorker(ext: LaunchedExtension, options: { page?: Page; timeoutMs?: number } = {}): Promise<Worker> {
  await withWatch(ext, options.page, async (w) => {
    await w.cdp.send('ServiceWorker.startWorker', { scopeURL: `${ext.origin}/` });
    await w.until(() => w.current()?.runningStatus === 'running', 'running', options.timeoutMs ?? 10_000);
  });
  return currentWorkerHandle(ext, options.timeoutMs);
}

async function currentWorkerHandle(ext: LaunchedExtension, timeoutMs = 10_000): Promise<Worker> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const worker = ext.serviceWorker;
    const alive = await Promise.race([
      worker.evaluate(() => true).catch(() => false),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 500)),
    ]);
    if (alive) return worker;
    if (Date.now() > deadline) throw new Error('service worker: no live Playwright handle after restart');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
