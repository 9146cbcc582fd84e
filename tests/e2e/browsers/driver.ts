/**
 * What the end-to-end flows need from a browser with Tend loaded, whichever browser it is:
 * pages under real host names, Tend's own pages, reaching into overlays, requests from an
 * extension page, the background's life cycle and the browser's own prompts. Chromium's
 * implementation drives Playwright (`chromium.ts`), Firefox's drives Puppeteer over WebDriver
 * BiDi (`firefox.ts`); a flow written against these interfaces runs in both.
 */
import type { A11yViolation } from '../helpers/a11y';
import type { TendReply } from '../helpers/messaging';
import type { Target } from './find';

export type { Target } from './find';

/** The browsers the flows run in. */
export type BrowserName = 'chromium' | 'firefox';

/**
 * Which build a browser loads: `test` grants the test host names up front (a headless browser
 * answers no prompt unless the test does) and opens overlay shadow roots; `shipped` is what
 * users install.
 */
export type Build = 'test' | 'shipped';

/** `prefers-color-scheme` as a page sees it. */
export type ColorScheme = 'light' | 'dark';

/** What the background is doing, in both browsers' terms (a service worker or an event page). */
export type BackgroundState = 'running' | 'stopped' | 'starting' | 'stopping';

/** How to launch a browser with Tend. */
export interface LaunchTendOptions {
  build: Build;
  /** Host names served by the test servers on 127.0.0.1 (`meta.discourse.org`, `forum.example.test`). */
  hostMap?: string[];
  /**
   * Let Tend run in private windows, as a person allows it in the browser's extension
   * settings (Chromium: "Allow in Incognito"; Firefox: "Run in Private Windows").
   */
  allowPrivate?: boolean;
  /**
   * Firefox: unload the event page after this long without work
   * (`extensions.background.idle.timeout`, 30 s by default). Chromium's 30 s cannot be changed:
   * its worker is stopped over DevTools instead (`unloadBackground`).
   */
  backgroundIdleMs?: number;
  /** Cookies set before any page loads. */
  cookies?: { name: string; value: string; domain: string }[];
}

/** A place to look for things: a page, or one overlay's shadow root. */
export interface Scope {
  /** Text of the first visible match of `target`, or of the whole scope without one ('' when nothing matches). */
  text(target?: Target | string): Promise<string>;
  /** How many elements match (by CSS: every match; by role: the rendered ones). */
  count(target: Target | string): Promise<number>;
  /**
   * Clicks the first visible match with real pointer input, waiting for it to appear: at its
   * centre, or `at` pixels from its top left corner.
   */
  click(target: Target | string, options?: { timeoutMs?: number; at?: { x: number; y: number } }): Promise<void>;
  /** Replaces a text field's value by typing, as a person does (real key events). */
  fill(target: Target | string, text: string): Promise<void>;
  /** Where the first visible match is drawn, in the window's coordinates (CSS pixels). */
  box(target: Target | string): Promise<{ x: number; y: number; width: number; height: number }>;
  /** Moves the keyboard focus to the first visible match, as Tab would (no pointer). */
  focus(target: Target | string): Promise<void>;
  /** Whether a checkbox or switch is checked. */
  isChecked(target: Target | string): Promise<boolean>;
  /** Whether the first match has the focus within its document or shadow root. */
  isFocused(target: Target | string): Promise<boolean>;
}

/** One of Tend's overlays on a page (a `tend-overlay` host), found again for every call. */
export interface Overlay extends Scope {
  /** An attribute of the host (`data-theme`, `data-tend-kind`). */
  attribute(name: string): Promise<string | null>;
  /** Whether the host is on the page. */
  exists(): Promise<boolean>;
  /** Saves a picture of the overlay with some of the page around it; returns its path. */
  screenshotAround(name: string, options?: { below?: number }): Promise<string>;
  /**
   * The thanks panel this overlay has open: an extension page framed inside the overlay, so
   * the page cannot read names and notes. Empty (nothing matches) while it is closed.
   */
  panel(): Scope;
}

/** A tab: a web page, or one of Tend's own pages. */
export interface TendPage extends Scope {
  /** The URL it was opened at. */
  readonly url: string;
  /** The `index`-th overlay host matching `selector` (a CSS selector ending at a `tend-overlay`). */
  overlay(selector: string, index?: number): Overlay;
  /** Runs `fn(arg)` in the page's own JavaScript world and returns its (JSON-able) result. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Presses one key (`Enter`, `Tab`, `Escape`) in this page. */
  press(key: string): Promise<void>;
  /** Types text where the focus is, one real key event per character. */
  type(text: string): Promise<void>;
  /** Reloads and waits for the load. */
  reload(): Promise<void>;
  /** Sets the size of the page's viewport. */
  setViewport(size: { width: number; height: number }): Promise<void>;
  /** Light or dark `prefers-color-scheme` (Firefox: for every page of the browser). */
  setColorScheme(scheme: ColorScheme): Promise<void>;
  /** Saves `test-results/screenshots/<name>.png` and returns its path. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>;
  /** Serious and critical axe-core violations on the page (or within `include`, a CSS selector). */
  accessibilityViolations(options?: { include?: string }): Promise<A11yViolation[]>;
  /** Answers the page's native dialogs (`confirm`) from now on, and records their messages. */
  answerDialogs(answer: 'accept' | 'dismiss'): { messages: string[] };
  close(): Promise<void>;
}

/** A browser with Tend installed, in a fresh profile. */
export interface TendBrowser {
  readonly name: BrowserName;
  /** "Chromium" or "Firefox", for names of screenshots and messages. */
  readonly label: string;
  readonly build: Build;
  /** `chrome-extension://<id>` or `moz-extension://<uuid>`. */
  readonly extensionOrigin: string;
  /** Whether enabling Tend on a site makes the browser ask the person (a runtime host permission). */
  readonly asksForSites: boolean;
  /** Opens a web page in a new tab and waits for it to load. */
  openPage(url: string, options?: { viewport?: { width: number; height: number } }): Promise<TendPage>;
  /** Opens one of Tend's pages (`options.html`, `popup.html?tabId=3`) in a new tab. */
  openExtensionPage(pathname: string, options?: { viewport?: { width: number; height: number }; colorScheme?: ColorScheme }): Promise<TendPage>;
  /**
   * Opens the toolbar popup for `forPage` as a tab (`popup.html?tabId=N`): a headless browser
   * has no toolbar to click. What that click gives the popup in Firefox — temporary access to
   * the tab (`activeTab`), so Tend can read its address — is given first.
   */
  openPopup(forPage?: TendPage, options?: { colorScheme?: ColorScheme }): Promise<TendPage>;
  /** A tab something else opened (Tend, a link), once it shows `url`; waits up to `timeoutMs`. */
  findPage(url: string, options?: { timeoutMs?: number }): Promise<TendPage>;
  /** Opens `url` in a new private window (Tend runs there only with `allowPrivate`). */
  openPrivatePage(url: string): Promise<TendPage>;
  /** Whether the page's tab is in a private window, as the browser tells extensions. */
  isPrivate(page: TendPage): Promise<boolean>;
  /** The tab id Tend sees for a page. */
  tabIdOf(page: TendPage): Promise<number>;
  /** Sends a request in Tend's envelope from an extension page that runs none of Tend's code. */
  send<T = unknown>(request: unknown): Promise<TendReply<T>>;
  /**
   * Runs `fn(arg)` in an extension page that runs none of Tend's code (the extension's APIs are
   * `globalThis.browser` in Firefox, `globalThis.chrome` in both); returns its JSON-able result.
   */
  evaluateInExtension<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Record counts of every store of Tend's IndexedDB, read from an extension page (the background is not woken). */
  storeCounts(): Promise<Record<string, number>>;
  /** Brings Tend's sync alarm forward to fire in about `inMs`: the same alarm and listener as every minute. */
  fireSyncAlarmIn(inMs: number): Promise<void>;
  backgroundState(): Promise<BackgroundState>;
  /**
   * The background goes away as it does when idle, and this resolves once it has: Chromium's
   * worker is stopped over DevTools (Chrome's 30 s cannot be shortened); Firefox unloads its
   * event page by itself after `backgroundIdleMs` and this waits for that. Module state is
   * lost, IndexedDB is kept; Tend's pages that hold a live port must be closed first.
   */
  unloadBackground(options?: { timeoutMs?: number }): Promise<void>;
  /** Waits until the background reaches `state`. */
  waitForBackground(state: BackgroundState, options?: { timeoutMs?: number }): Promise<void>;
  /** Answers the browser's "Tend asks for access to this site" prompt; returns its words. */
  answerSitePrompt(answer: 'allow' | 'deny', options?: { timeoutMs?: number }): Promise<string>;
  /** Whether Tend holds the host permission for an origin (`permissions.contains`). */
  hasSitePermission(origin: string): Promise<boolean>;
  close(): Promise<void>;
}
