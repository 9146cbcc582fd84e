/**
 * `TendBrowser` for Firefox: Debian's Firefox ESR driven by Puppeteer over WebDriver BiDi,
 * Tend installed as a temporary add-on (as `about:debugging` loads it).
 *
 * What makes it work (docs/testing.md has the longer story):
 * - real host names through an HTTP CONNECT proxy in this process (`host-proxy.ts`);
 * - Tend's pages at a fixed `moz-extension://<uuid>/` (pref `extensions.webextensions.uuids`),
 *   reached with BiDi's own `browsingContext.navigate`, since Puppeteer's `goto` misses the
 *   navigation events of extension pages;
 * - overlays' shadow roots, open or closed, from the host's BiDi remote value, which carries
 *   the root; clicks in them are real pointer input;
 * - what only the browser's own UI does (the add-on's permission prompt, "Run in Private
 *   Windows", the event page's state, a private window) through BiDi's chrome scope, which
 *   `--remote-allow-system-access` opens.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { runAxe, type A11yViolation } from '../helpers/a11y';
import { countStoresInPage } from '../helpers/storage';
import type { TendReply } from '../helpers/messaging';
import { SCREENSHOTS_DIR } from '../helpers/paths';
import type { BackgroundState, ColorScheme, LaunchTendOptions, Overlay, Scope, TendBrowser, TendPage } from './driver';
import { hostProxy, proxyPrefs } from './host-proxy';
import { dwelling, HandleScope, type HandleLike, type ScopeIo } from './scope';

/** Where the builds are. */
export interface FirefoxBuilds {
  executablePath: string;
  testBuild: string;
  shippedBuild: string;
}

/** Tend's add-on id (wxt.config.ts, `browser_specific_settings.gecko.id`). */
export const GECKO_ID = 'tend@tend.community';

/** The part of Puppeteer's BiDi connection used here (`browser.connection`, not in its public types). */
interface BidiConnection {
  send(method: string, params: object): Promise<{ result: Record<string, unknown> }>;
}

interface BidiContext {
  context: string;
  url: string;
  children?: BidiContext[];
}

type RemoteValue = { type: string; value?: unknown };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The browsing context (BiDi's id for a tab) of a Puppeteer page. */
function contextOf(page: Page): string {
  return (page.mainFrame() as unknown as { browsingContext: { id: string } }).browsingContext.id;
}

/**
 * The shadow root of an element, open or closed, as a Puppeteer handle. BiDi serialises a
 * node's shadow root whatever its mode; Puppeteer keeps that remote value on the handle and
 * makes handles from remote values (`BidiElementHandle.from`), so the root becomes an
 * ordinary handle in the same realm. Null when the element has no shadow root.
 */
function shadowRootOf(host: ElementHandle): ElementHandle | null {
  const remote = (host as unknown as { remoteValue(): { value?: { shadowRoot?: RemoteValue | null } } }).remoteValue();
  const root = remote.value?.shadowRoot;
  if (!root) return null;
  const make = host.constructor as unknown as { from(value: RemoteValue, realm: unknown): ElementHandle };
  return make.from(root, (host as unknown as { realm: unknown }).realm);
}

function pageIo(page: Page): ScopeIo {
  return {
    // A person clicks in the tab in front: Firefox shows a tab's prompts only while it is.
    click: async (element, at) => {
      await page.bringToFront();
      await (element as ElementHandle).click(at ? { offset: at } : {});
    },
    box: async (element) => {
      const box = await (element as ElementHandle).boundingBox();
      if (!box) throw new Error('box: the element has no box on the page');
      return box;
    },
    type: (text) => page.keyboard.type(text),
    press: (key) => page.keyboard.press(key as never),
  };
}

class FirefoxOverlay extends HandleScope implements Overlay {
  constructor(
    private readonly page: Page,
    private readonly selector: string,
    private readonly index: number,
  ) {
    super(async () => {
      const host = await this.host();
      if (!host) return null;
      const root = shadowRootOf(host);
      await host.dispose();
      return root as unknown as HandleLike | null;
    }, dwelling(pageIo(page)), `overlay ${selector} #${index}`);
  }

  panel(): Scope {
    return new HandleScope(
      async () => {
        const host = await this.host();
        if (!host) return null;
        const root = shadowRootOf(host);
        await host.dispose();
        if (!root) return null;
        const frame = (await root.evaluateHandle((r) => (r as unknown as ShadowRoot).querySelector('.tend-panel:popover-open iframe'))) as ElementHandle;
        await root.dispose();
        const content = frame.asElement() ? await (frame as ElementHandle<HTMLIFrameElement>).contentFrame().catch(() => null) : null;
        await frame.dispose();
        if (!content) return null;
        return (await content.evaluateHandle(() => document).catch(() => null)) as unknown as HandleLike | null;
      },
      dwelling(pageIo(this.page)),
      `thanks panel of ${this.selector} #${this.index}`,
    );
  }

  private async host(): Promise<ElementHandle | null> {
    const all = await this.page.$$(this.selector);
    const host = all[this.index] ?? null;
    await Promise.all(all.filter((h) => h !== host).map((h) => h.dispose()));
    return host;
  }

  async attribute(name: string): Promise<string | null> {
    const host = await this.host();
    if (!host) return null;
    try {
      return await host.evaluate((el, n) => el.getAttribute(n), name);
    } finally {
      await host.dispose();
    }
  }

  async exists(): Promise<boolean> {
    const host = await this.host();
    await host?.dispose();
    return host !== null;
  }

  async screenshotAround(name: string, options: { below?: number } = {}): Promise<string> {
    const host = await this.host();
    if (!host) throw new Error(`overlay ${this.selector} #${this.index}: not on the page`);
    try {
      // Puppeteer takes a clip in the document's coordinates (and shoots what of it is in view).
      const box = await host.evaluate((el) => {
        el.scrollIntoView({ block: 'center' });
        const r = el.getBoundingClientRect();
        return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height, top: scrollY, viewWidth: innerWidth, viewHeight: innerHeight };
      });
      const x = Math.max(0, box.x - 24);
      const y = Math.max(box.top, box.y - 60);
      const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
      await this.page.screenshot({
        path: file as `${string}.png`,
        clip: { x, y, width: Math.min(box.viewWidth - x, Math.max(560, box.width + 48)), height: Math.min(box.top + box.viewHeight - y, box.height + 60 + (options.below ?? 160)) },
      });
      return file;
    } finally {
      await host.dispose();
    }
  }
}

class FirefoxPage extends HandleScope implements TendPage {
  constructor(
    readonly page: Page,
    readonly url: string,
    private readonly tend: FirefoxTend,
  ) {
    super(async () => (await page.evaluateHandle(() => document)) as unknown as HandleLike, pageIo(page), url);
  }

  get context(): string {
    return contextOf(this.page);
  }

  overlay(selector: string, index = 0): Overlay {
    return new FirefoxOverlay(this.page, selector, index);
  }

  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.page.evaluate(fn as never, arg as never) as Promise<R>;
  }

  type(text: string): Promise<void> {
    return this.page.keyboard.type(text);
  }

  press(key: string): Promise<void> {
    return this.page.keyboard.press(key as never);
  }

  async reload(): Promise<void> {
    // BiDi's reload waits for the load of extension pages too (Puppeteer's misses their events).
    await this.tend.bidi.send('browsingContext.reload', { context: this.context, wait: 'complete' });
  }

  setViewport(size: { width: number; height: number }): Promise<void> {
    return this.page.setViewport(size);
  }

  setColorScheme(scheme: ColorScheme): Promise<void> {
    return this.tend.setColorScheme(scheme);
  }

  async screenshot(name: string, options: { fullPage?: boolean } = {}): Promise<string> {
    const file = path.join(SCREENSHOTS_DIR, name.endsWith('.png') ? name : `${name}.png`);
    await this.page.screenshot({ path: file as `${string}.png`, fullPage: options.fullPage ?? true });
    return file;
  }

  accessibilityViolations(options: { include?: string } = {}): Promise<A11yViolation[]> {
    return runAxe((code, arg) => this.page.evaluate(code as never, arg as never), options);
  }

  answerDialogs(answer: 'accept' | 'dismiss'): { messages: string[] } {
    const seen = { messages: [] as string[] };
    this.page.on('dialog', (dialog) => {
      seen.messages.push(dialog.message());
      void (answer === 'accept' ? dialog.accept() : dialog.dismiss()).catch(() => undefined);
    });
    return seen;
  }

  async close(): Promise<void> {
    await this.page.close().catch(() => undefined);
  }
}

/** Firefox with Tend installed; `launchFirefoxTend` makes one. */
class FirefoxTend implements TendBrowser {
  readonly name = 'firefox' as const;
  readonly label = 'Firefox';
  readonly asksForSites: boolean;
  private quiet: Page | null = null;
  private chromeContext: string | null = null;

  constructor(
    readonly browser: Browser,
    readonly build: LaunchTendOptions['build'],
    readonly uuid: string,
    private readonly closeProxy: () => Promise<void>,
  ) {
    // The test build holds its test hosts from install; the shipped one asks, like a user's Firefox.
    this.asksForSites = build === 'shipped';
  }

  get extensionOrigin(): string {
    return `moz-extension://${this.uuid}`;
  }

  get bidi(): BidiConnection {
    return (this.browser as unknown as { connection: BidiConnection }).connection;
  }

  /**
   * Runs `expression` in the browser's own (chrome) window, with the privileges of Firefox's
   * UI, and returns its value. Used only for what a person does in Firefox's UI.
   */
  async chrome<T = unknown>(expression: string): Promise<T> {
    if (!this.chromeContext) {
      const { result } = await this.bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
      this.chromeContext = (result.contexts as BidiContext[])[0]!.context;
    }
    const { result } = await this.bidi.send('script.evaluate', {
      expression,
      target: { context: this.chromeContext },
      awaitPromise: true,
      resultOwnership: 'none',
    });
    if (result.type !== 'success') throw new Error(`Firefox chrome script failed: ${JSON.stringify(result.exceptionDetails ?? result)}`);
    // Primitives only: null and undefined come without a value.
    return ((result.result as RemoteValue).value ?? null) as T;
  }

  /** Tend's `Extension` object in the parent process, as a chrome-scope expression. */
  private static readonly EXTENSION = `ChromeUtils.importESModule("resource://gre/modules/ExtensionParent.sys.mjs").ExtensionParent.GlobalManager.getExtension(${JSON.stringify(GECKO_ID)})`;
  private static readonly TABS = `ChromeUtils.importESModule("resource://gre/modules/ExtensionParent.sys.mjs").ExtensionParent.apiManager.global.tabTracker`;

  /** A normal (not private) window's tab, which new tabs open beside. */
  private home: string | null = null;

  /**
   * A new tab in the first, normal window. Puppeteer's `newPage` opens it in the window last
   * focused, which is a private one after `openPrivatePage`.
   */
  private async newPage(): Promise<Page> {
    if (!this.home) this.home = contextOf((await this.browser.pages())[0] ?? (await this.browser.newPage()));
    const { result } = await this.bidi.send('browsingContext.create', { type: 'tab', referenceContext: this.home, background: false });
    const context = result.context as string;
    for (let i = 0; i < 100; i++) {
      const page = (await this.browser.pages()).find((p) => contextOf(p) === context);
      if (page) return page;
      await sleep(50);
    }
    throw new Error('Firefox: Puppeteer never saw the new tab');
  }

  private async quietPage(): Promise<Page> {
    if (!this.quiet || this.quiet.isClosed()) {
      const page = await this.newPage();
      await this.navigate(page, `${this.extensionOrigin}/manifest.json`);
      this.quiet = page;
    }
    return this.quiet;
  }

  private async navigate(page: Page, url: string): Promise<void> {
    await this.bidi.send('browsingContext.navigate', { context: contextOf(page), url, wait: 'complete' });
  }

  /** Sets `prefers-color-scheme` for every page of this browser (Firefox has no per-page emulation over BiDi). */
  async setColorScheme(scheme: ColorScheme): Promise<void> {
    await this.chrome(`Services.prefs.setIntPref("layout.css.prefers-color-scheme.content-override", ${scheme === 'dark' ? 0 : 1})`);
  }

  async openPage(url: string, options: { viewport?: { width: number; height: number } } = {}): Promise<TendPage> {
    const page = await this.newPage();
    if (options.viewport) await page.setViewport(options.viewport);
    await page.goto(url, { waitUntil: 'load' });
    return new FirefoxPage(page, url, this);
  }

  async openExtensionPage(pathname: string, options: { viewport?: { width: number; height: number }; colorScheme?: ColorScheme } = {}): Promise<TendPage> {
    const page = await this.newPage();
    if (options.viewport) await page.setViewport(options.viewport);
    if (options.colorScheme) await this.setColorScheme(options.colorScheme);
    const url = `${this.extensionOrigin}/${pathname.replace(/^\//, '')}`;
    await this.navigate(page, url);
    return new FirefoxPage(page, url, this);
  }

  async openPopup(forPage?: TendPage, options: { colorScheme?: ColorScheme } = {}): Promise<TendPage> {
    let query = '';
    if (forPage) {
      const tabId = await this.tabIdOf(forPage);
      // What clicking Tend's toolbar button gives its popup: access to the current tab.
      await this.chrome(`(() => { const ext = ${FirefoxTend.EXTENSION}; ext.tabManager.addActiveTabPermission(${FirefoxTend.TABS}.getTab(${tabId})); return true; })()`);
      query = `?tabId=${tabId}`;
    }
    return this.openExtensionPage(`popup.html${query}`, { viewport: { width: 380, height: 600 }, colorScheme: options.colorScheme ?? 'light' });
  }

  async findPage(url: string, options: { timeoutMs?: number } = {}): Promise<TendPage> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      // BiDi knows every tab's address; Puppeteer's page.url() misses extension pages' navigations.
      const contexts = (await this.bidi.send('browsingContext.getTree', { maxDepth: 0 })).result.contexts as BidiContext[];
      const context = contexts.find((c) => c.url === url)?.context;
      const page = context ? (await this.browser.pages()).find((p) => contextOf(p) === context) : undefined;
      if (page) {
        await page.waitForFunction(() => document.readyState === 'complete');
        return new FirefoxPage(page, url, this);
      }
      if (Date.now() > deadline) throw new Error(`Firefox: no tab shows ${url}`);
      await sleep(100);
    }
  }

  async openPrivatePage(url: string): Promise<TendPage> {
    const tree = async () => (await this.bidi.send('browsingContext.getTree', {})).result.contexts as BidiContext[];
    const before = new Set((await tree()).map((c) => c.context));
    await this.chrome(`(async () => {
      const win = OpenBrowserWindow({ private: true });
      await new Promise((resolve) => win.addEventListener('load', resolve, { once: true }));
      await win.delayedStartupPromise;
      return PrivateBrowsingUtils.isWindowPrivate(win);
    })()`);
    // The window's first tab, once its own start page is in (navigating earlier is aborted by it).
    let context: string | undefined;
    for (let i = 0; i < 100 && !context; i++) {
      context = (await tree()).find((c) => !before.has(c.context) && c.url === 'about:privatebrowsing')?.context;
      if (!context) await sleep(100);
    }
    if (!context) throw new Error('Firefox: the private window has no tab');
    for (let attempt = 1; ; attempt++) {
      try {
        await this.bidi.send('browsingContext.navigate', { context, url, wait: 'complete' });
        break;
      } catch (error) {
        // The start page can still be finishing its own load: try again, a few times.
        if (attempt >= 5 || !String(error).includes('NS_BINDING_ABORTED')) throw error;
        await sleep(200);
      }
    }
    for (let i = 0; i < 100; i++) {
      const page = (await this.browser.pages()).find((p) => contextOf(p) === context);
      if (page) return new FirefoxPage(page, url, this);
      await sleep(100);
    }
    throw new Error('Firefox: Puppeteer never saw the private tab');
  }

  async isPrivate(page: TendPage): Promise<boolean> {
    return this.chrome<boolean>(`(() => {
      const { NavigableManager } = ChromeUtils.importESModule("chrome://remote/content/shared/NavigableManager.sys.mjs");
      return NavigableManager.getBrowsingContextById(${JSON.stringify((page as FirefoxPage).context)}).usePrivateBrowsing;
    })()`);
  }

  async tabIdOf(page: TendPage): Promise<number> {
    const context = (page as FirefoxPage).context;
    return this.chrome<number>(`(() => {
      const { NavigableManager } = ChromeUtils.importESModule("chrome://remote/content/shared/NavigableManager.sys.mjs");
      const browsingContext = NavigableManager.getBrowsingContextById(${JSON.stringify(context)});
      return ${FirefoxTend.TABS}.getBrowserData(browsingContext.embedderElement).tabId;
    })()`);
  }

  async send<T = unknown>(request: unknown): Promise<TendReply<T>> {
    const page = await this.quietPage();
    const reply = await page.evaluate(async (r) => {
      const api = (globalThis as unknown as { browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).browser;
      try {
        return { reply: await api.runtime.sendMessage({ tend: 1, request: r }) };
      } catch (e) {
        return { thrown: e instanceof Error ? e.message : String(e) };
      }
    }, request as never);
    if ('thrown' in reply) throw new Error(`sendMessage failed: ${String(reply.thrown)}`);
    return reply.reply as TendReply<T>;
  }

  async evaluateInExtension<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return (await this.quietPage()).evaluate(fn as never, arg as never) as Promise<R>;
  }

  async storeCounts(): Promise<Record<string, number>> {
    return (await this.quietPage()).evaluate(countStoresInPage, 'tend');
  }


  async fireSyncAlarmIn(inMs: number): Promise<void> {
    const page = await this.quietPage();
    await page.evaluate(
      (when) => (globalThis as unknown as { browser: { alarms: { create(n: string, i: object): Promise<void> } } }).browser.alarms.create('tend.sync', { when, periodInMinutes: 1 }),
      Date.now() + inMs,
    );
  }

  async backgroundState(): Promise<BackgroundState> {
    const state = await this.chrome<string>(`String(${FirefoxTend.EXTENSION}?.backgroundState)`);
    return state === 'suspending' ? 'stopping' : (state as BackgroundState);
  }

  async waitForBackground(state: BackgroundState, options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let now = await this.backgroundState();
    while (now !== state) {
      if (Date.now() > deadline) throw new Error(`Firefox event page: still ${now} after ${options.timeoutMs ?? 10_000} ms, waiting for ${state}`);
      await sleep(100);
      now = await this.backgroundState();
    }
  }

  async unloadBackground(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.waitForBackground('stopped', { timeoutMs: options.timeoutMs ?? 60_000 });
  }

  async answerSitePrompt(answer: 'allow' | 'deny', options: { timeoutMs?: number } = {}): Promise<string> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const words = await this.chrome<string | null>(`(() => {
        for (const win of Services.wm.getEnumerator("navigator:browser")) {
          const asking = win.PopupNotifications._currentNotifications.find((n) => n.id === "addon-webext-permissions");
          if (!asking) continue;
          // Firefox shows a tab's prompt while the tab is in front, as it is for the person who clicked.
          const tab = win.gBrowser.getTabForBrowser(asking.browser);
          if (tab && win.gBrowser.selectedTab !== tab) win.gBrowser.selectedTab = tab;
          const prompt = win.PopupNotifications.panel.querySelector("popupnotification#addon-webext-permissions-notification");
          if (!prompt) continue;
          const words = prompt.textContent.replace(/\\s+/g, " ").trim();
          (${answer === 'allow' ? 'prompt.button' : 'prompt.secondaryButton'}).click();
          return words;
        }
        return null;
      })()`);
      if (words) return words;
      if (Date.now() > deadline) throw new Error('Firefox never asked for the site');
      await sleep(100);
    }
  }

  async hasSitePermission(origin: string): Promise<boolean> {
    const page = await this.quietPage();
    const url = new URL(origin);
    return page.evaluate(
      (pattern) => (globalThis as unknown as { browser: { permissions: { contains(p: object): Promise<boolean> } } }).browser.permissions.contains({ origins: [pattern] }),
      `${url.protocol}//${url.hostname}/*`,
    );
  }

  /** "Run in Private Windows: Allow", as about:addons sets it: the permission, then the add-on reloaded. */
  async allowInPrivateWindows(): Promise<void> {
    await this.chrome(`(async () => {
      const { ExtensionPermissions } = ChromeUtils.importESModule("resource://gre/modules/ExtensionPermissions.sys.mjs");
      const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
      const addon = await AddonManager.getAddonByID(${JSON.stringify(GECKO_ID)});
      await ExtensionPermissions.add(addon.id, { permissions: ["internal:privateBrowsingAllowed"], origins: [] });
      await addon.reload();
      return true;
    })()`);
    const deadline = Date.now() + 15_000;
    while (!(await this.chrome<boolean>(`Boolean(${FirefoxTend.EXTENSION}?.privateBrowsingAllowed)`))) {
      if (Date.now() > deadline) throw new Error('Firefox: Tend is still not allowed in private windows');
      await sleep(100);
    }
    // The reload closed the extension's own tabs: the quiet page must be opened again.
    this.quiet = null;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.closeProxy();
  }
}

/** Launches headless Firefox ESR in a fresh profile and installs Tend (`options.build`) as a temporary add-on. */
export async function launchFirefoxTend(builds: FirefoxBuilds, options: LaunchTendOptions): Promise<TendBrowser & { allowInPrivateWindows(): Promise<void> }> {
  const proxy = await hostProxy(options.hostMap ?? []);
  const uuid = randomUUID();
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: builds.executablePath,
      headless: true,
      protocol: 'webDriverBiDi',
      acceptInsecureCerts: true,
      // Chrome scope (the permission prompt, private windows, the event page's state).
      args: ['--remote-allow-system-access'],
      defaultViewport: { width: 1000, height: 800 },
      extraPrefsFirefox: {
        ...proxyPrefs(proxy),
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
        ...(options.backgroundIdleMs ? { 'extensions.background.idle.timeout': options.backgroundIdleMs } : {}),
        // Light unless a test asks otherwise, whatever the machine's theme.
        'layout.css.prefers-color-scheme.content-override': 1,
      },
    });
    await browser.installExtension(options.build === 'test' ? builds.testBuild : builds.shippedBuild);
    if (options.cookies?.length) {
      await browser.setCookie(...options.cookies.map((c) => ({ ...c, path: '/', secure: true })));
    }
    const tend = new FirefoxTend(browser, options.build, uuid, () => proxy.close());
    if (options.allowPrivate) await tend.allowInPrivateWindows();
    return tend;
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await proxy.close();
    throw error;
  }
}
