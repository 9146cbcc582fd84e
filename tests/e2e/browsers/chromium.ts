/**
 * `TendBrowser` for Chromium, on the Playwright helpers the Chromium-only tests use
 * (`helpers/browser.ts`): real host names through `--host-resolver-rules`, the worker stopped
 * over DevTools. Overlays are reached through their open shadow roots, so Chromium runs the
 * test build.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, ElementHandle, Page } from 'playwright-core';
import { checkA11y, type A11yViolation } from '../helpers/a11y';
import { launchExtension, screenshot as saveScreenshot, serviceWorkerStatus, stopServiceWorker, tabIdOf as chromiumTabIdOf, waitForServiceWorker, type LaunchedExtension } from '../helpers/browser';
import { openQuietExtensionPage, sendFromPage, type TendReply } from '../helpers/messaging';
import { SCREENSHOTS_DIR } from '../helpers/paths';
import { storeCounts } from '../helpers/storage';
import type { BackgroundState, ColorScheme, LaunchTendOptions, Overlay, Scope, TendBrowser, TendPage } from './driver';
import { dwelling, HandleScope, type HandleLike, type ScopeIo } from './scope';

/** Where the builds are. */
export interface ChromiumBuilds {
  executablePath: string;
  testBuild: string;
  shippedBuild: string;
}

type Chrome = {
  windows: { create(o: object): Promise<{ id: number; tabs?: { id: number }[] }> };
  tabs: { get(id: number): Promise<{ status?: string; incognito: boolean }>; remove(id: number): Promise<void> };
  scripting: { executeScript(o: object): Promise<{ result?: unknown }[]> };
  permissions: { contains(p: { origins: string[] }): Promise<boolean> };
  alarms: { create(name: string, info: object): Promise<void> };
};

function pageIo(page: Page): ScopeIo {
  return {
    // A person clicks in the tab in front (and a tab behind gets no animation frames, which
    // Playwright waits for).
    // Real pointer input at the element's place, as Puppeteer does in Firefox: what is on top
    // there gets the click, whatever covers the element.
    click: async (element, at) => {
      await page.bringToFront();
      const handle = element as ElementHandle;
      await handle.evaluate((el: Element) => {
        const r = el.getBoundingClientRect();
        if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) el.scrollIntoView({ block: 'center', inline: 'center' });
      });
      const box = await handle.boundingBox();
      if (!box) throw new Error('click: the element has no box on the page');
      const x = box.x + (at ? at.x : box.width / 2);
      const y = box.y + (at ? at.y : box.height / 2);
      await page.mouse.move(x, y);
      await page.mouse.click(x, y);
    },
    box: async (element) => {
      const box = await (element as ElementHandle).boundingBox();
      if (!box) throw new Error('box: the element has no box on the page');
      return box;
    },
    type: (text) => page.keyboard.type(text),
    press: (key) => page.keyboard.press(key),
  };
}

class ChromiumOverlay extends HandleScope implements Overlay {
  constructor(
    private readonly page: Page,
    private readonly selector: string,
    private readonly index: number,
  ) {
    super(async () => {
      const host = page.locator(selector).nth(index);
      if ((await host.count()) === 0) return null;
      return (await host.elementHandle({ timeout: 2_000 }).catch(() => null)) as HandleLike | null;
    }, dwelling(pageIo(page)), `overlay ${selector} #${index}`);
  }

  panel(): Scope {
    return new HandleScope(
      async () => {
        const host = this.host();
        if ((await host.count()) === 0) return null;
        const frame = await host.locator('.tend-panel:popover-open iframe').elementHandle({ timeout: 500 }).catch(() => null);
        const content = await frame?.contentFrame();
        await frame?.dispose();
        if (!content) return null;
        return (await content.evaluateHandle(() => document).catch(() => null)) as unknown as HandleLike | null;
      },
      dwelling(pageIo(this.page)),
      `thanks panel of ${this.selector} #${this.index}`,
    );
  }

  private host() {
    return this.page.locator(this.selector).nth(this.index);
  }

  async attribute(name: string): Promise<string | null> {
    return this.host().getAttribute(name);
  }

  async exists(): Promise<boolean> {
    return (await this.host().count()) > 0;
  }

  async screenshotAround(name: string, options: { below?: number } = {}): Promise<string> {
    await this.host().scrollIntoViewIfNeeded();
    const box = (await this.host().boundingBox())!;
    const viewport = this.page.viewportSize()!;
    const x = Math.max(0, box.x - 24);
    const y = Math.max(0, box.y - 60);
    const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
    await this.page.screenshot({
      path: file,
      clip: { x, y, width: Math.min(viewport.width - x, Math.max(560, box.width + 48)), height: Math.min(viewport.height - y, box.height + 60 + (options.below ?? 160)) },
    });
    return file;
  }
}

class ChromiumPage extends HandleScope implements TendPage {
  constructor(
    readonly page: Page,
    readonly url: string,
  ) {
    super(async () => (await page.evaluateHandle(() => document)) as unknown as HandleLike, pageIo(page), url);
  }

  overlay(selector: string, index = 0): Overlay {
    return new ChromiumOverlay(this.page, selector, index);
  }

  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.page.evaluate(fn as never, arg as never) as Promise<R>;
  }

  type(text: string): Promise<void> {
    return this.page.keyboard.type(text);
  }

  press(key: string): Promise<void> {
    return this.page.keyboard.press(key);
  }

  async reload(): Promise<void> {
    await this.page.reload();
  }

  setViewport(size: { width: number; height: number }): Promise<void> {
    return this.page.setViewportSize(size);
  }

  async setColorScheme(scheme: ColorScheme): Promise<void> {
    await this.page.emulateMedia({ colorScheme: scheme });
  }

  screenshot(name: string, options: { fullPage?: boolean } = {}): Promise<string> {
    return saveScreenshot(this.page, name, options);
  }

  accessibilityViolations(options: { include?: string } = {}): Promise<A11yViolation[]> {
    return checkA11y(this.page, options);
  }

  answerDialogs(answer: 'accept' | 'dismiss'): { messages: string[] } {
    const seen = { messages: [] as string[] };
    this.page.on('dialog', (dialog) => {
      seen.messages.push(dialog.message());
      void (answer === 'accept' ? dialog.accept() : dialog.dismiss()).catch(() => undefined);
    });
    return seen;
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/**
 * A tab in an incognito window. Playwright's persistent context does not see incognito
 * windows, so this page is reached through the extension (`scripting.executeScript`): it
 * counts elements, and nothing else.
 */
class ChromiumPrivatePage implements TendPage {
  constructor(
    private readonly ext: LaunchedExtension,
    readonly tabId: number,
    readonly url: string,
  ) {}

  /** Counts `selector` matches in the tab (the page must have loaded). */
  private async countIn(selector: string): Promise<number> {
    return this.ext.serviceWorker.evaluate(
      async ({ tabId, selector }) => {
        const chrome = (globalThis as unknown as { chrome: Chrome }).chrome;
        const tab = await chrome.tabs.get(tabId);
        if (tab.status !== 'complete') return 0;
        const [frame] = await chrome.scripting.executeScript({
          target: { tabId },
          args: [selector],
          func: (css: string) => document.querySelectorAll(css).length,
        });
        return (frame?.result as number | undefined) ?? 0;
      },
      { tabId: this.tabId, selector },
    );
  }

  async count(target: string | { css?: string }): Promise<number> {
    return this.countIn(typeof target === 'string' ? target : target.css ?? '*');
  }

  async close(): Promise<void> {
    await this.ext.serviceWorker.evaluate((id) => (globalThis as unknown as { chrome: Chrome }).chrome.tabs.remove(id), this.tabId).catch(() => undefined);
  }

  private unavailable(): never {
    throw new Error('an incognito tab can only be counted here (MV3 isolated worlds run no code sent as text)');
  }
  text(): Promise<string> { return this.unavailable(); }
  evaluate<R>(): Promise<R> { return this.unavailable(); }
  click(): Promise<void> { return this.unavailable(); }
  fill(): Promise<void> { return this.unavailable(); }
  isFocused(): Promise<boolean> { return this.unavailable(); }
  focus(): Promise<void> { return this.unavailable(); }
  box(): Promise<{ x: number; y: number; width: number; height: number }> { return this.unavailable(); }
  isChecked(): Promise<boolean> { return this.unavailable(); }
  overlay(): Overlay { return this.unavailable(); }
  press(): Promise<void> { return this.unavailable(); }
  type(): Promise<void> { return this.unavailable(); }
  reload(): Promise<void> { return this.unavailable(); }
  setColorScheme(): Promise<void> { return this.unavailable(); }
  setViewport(): Promise<void> { return this.unavailable(); }
  screenshot(): Promise<string> { return this.unavailable(); }
  answerDialogs(): { messages: string[] } { return this.unavailable(); }
  accessibilityViolations(): Promise<A11yViolation[]> { return this.unavailable(); }
}

/** Launches Chromium with Tend (`options.build`) in a fresh profile. */
export async function launchChromiumTend(builds: ChromiumBuilds, options: LaunchTendOptions): Promise<TendBrowser> {
  const extensionDir = options.build === 'test' ? builds.testBuild : builds.shippedBuild;
  const base = { extensionDir, executablePath: builds.executablePath, hostMap: options.hostMap ?? [] };
  let ext: LaunchedExtension;
  let keptProfile: string | null = null;
  if (options.allowPrivate) {
    // "Allow in Incognito" is a profile setting: launch once to learn the extension id, set
    // it as chrome://extensions would, and launch again on the same profile.
    const first = await launchExtension({ ...base, keepProfile: true });
    const { extensionId, userDataDir } = first;
    await first.close();
    const prefsFile = path.join(userDataDir, 'Default', 'Preferences');
    const prefs = JSON.parse(readFileSync(prefsFile, 'utf8'));
    prefs.extensions ??= {};
    prefs.extensions.settings ??= {};
    prefs.extensions.settings[extensionId] = { ...(prefs.extensions.settings[extensionId] ?? {}), incognito: true };
    writeFileSync(prefsFile, JSON.stringify(prefs));
    // A profile passed in is never deleted by `close()`: this launch removes it itself.
    keptProfile = userDataDir;
    ext = await launchExtension({ ...base, userDataDir });
  } else {
    ext = await launchExtension(base);
  }
  const context: BrowserContext = ext.context;
  context.setDefaultTimeout(15_000);
  if (options.cookies?.length) {
    await context.addCookies(options.cookies.map((c) => ({ ...c, path: '/', secure: true })));
  }

  let quiet: Page | null = null;
  const quietPage = async () => {
    if (!quiet || quiet.isClosed()) quiet = await openQuietExtensionPage(ext);
    return quiet;
  };
  /** The worker must be running before it is evaluated in (a stopped one never answers). */
  const wake = async () => {
    await sendFromPage(await quietPage(), { type: 'app.ping' });
    await waitForServiceWorker(ext, 'running');
  };

  const browser: TendBrowser = {
    name: 'chromium',
    label: 'Chromium',
    build: options.build,
    extensionOrigin: ext.origin,
    asksForSites: false,
    async openPage(url, opts = {}) {
      const page = await context.newPage();
      if (opts.viewport) await page.setViewportSize(opts.viewport);
      await page.goto(url);
      return new ChromiumPage(page, url);
    },
    async openExtensionPage(pathname, opts = {}) {
      const page = await context.newPage();
      if (opts.viewport) await page.setViewportSize(opts.viewport);
      if (opts.colorScheme) await page.emulateMedia({ colorScheme: opts.colorScheme });
      const url = ext.url(pathname);
      await page.goto(url);
      return new ChromiumPage(page, url);
    },
    async openPopup(forPage, opts = {}) {
      const tabId = forPage ? await browser.tabIdOf(forPage) : undefined;
      return browser.openExtensionPage(tabId === undefined ? 'popup.html' : `popup.html?tabId=${tabId}`, {
        viewport: { width: 380, height: 600 },
        colorScheme: opts.colorScheme ?? 'light',
      });
    },
    async findPage(url, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
      for (;;) {
        const page = context.pages().find((p) => p.url() === url);
        if (page) {
          await page.waitForLoadState('load');
          return new ChromiumPage(page, url);
        }
        if (Date.now() > deadline) throw new Error(`Chromium: no tab shows ${url}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async openPrivatePage(url) {
      await wake();
      const tabId = await ext.serviceWorker.evaluate(async (u) => {
        const chrome = (globalThis as unknown as { chrome: Chrome }).chrome;
        const win = await chrome.windows.create({ incognito: true, url: u });
        return win.tabs![0]!.id;
      }, url);
      return new ChromiumPrivatePage(ext, tabId, url);
    },
    async isPrivate(page) {
      const tabId = await browser.tabIdOf(page);
      await wake();
      return ext.serviceWorker.evaluate(async (id) => (await (globalThis as unknown as { chrome: Chrome }).chrome.tabs.get(id)).incognito, tabId);
    },
    async tabIdOf(page) {
      if (page instanceof ChromiumPrivatePage) return page.tabId;
      await wake();
      return chromiumTabIdOf(ext, (page as ChromiumPage).page);
    },
    async send<T>(request: unknown) {
      return sendFromPage<T>(await quietPage(), request) as Promise<TendReply<T>>;
    },
    async evaluateInExtension(fn, arg) {
      return (await quietPage()).evaluate(fn as never, arg as never);
    },
    async storeCounts() {
      return storeCounts(await quietPage());
    },
    async fireSyncAlarmIn(inMs) {
      await (await quietPage()).evaluate(
        (when) => (globalThis as unknown as { chrome: Chrome }).chrome.alarms.create('tend.sync', { when, periodInMinutes: 1 }),
        Date.now() + inMs,
      );
    },
    async backgroundState() {
      return (await serviceWorkerStatus(ext)) as BackgroundState;
    },
    async unloadBackground(opts = {}) {
      await stopServiceWorker(ext, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    },
    async waitForBackground(state, opts = {}) {
      await waitForServiceWorker(ext, state, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    },
    async answerSitePrompt() {
      throw new Error(`Chromium's ${options.build} build is never asked for a site here: its test hosts are granted at install`);
    },
    async hasSitePermission(origin) {
      return (await quietPage()).evaluate(
        (o) => (globalThis as unknown as { chrome: Chrome }).chrome.permissions.contains({ origins: [`${new URL(o).protocol}//${new URL(o).hostname}/*`] }),
        origin,
      );
    },
    async close() {
      await ext.close();
      if (keptProfile) rmSync(keptProfile, { recursive: true, force: true });
    },
  };
  return browser;
}
