/**
 * Enabling Tend on a site that is not built in: the host permission for that origin (asked
 * for by the popup, at run time), a content script registered for it, and the script
 * injected into tabs already open there, so Tend starts without a reload.
 *
 * The background owns this. The record of which origins the user enabled is kept apart from
 * the permissions themselves, because a permission can go away without the user meaning to
 * turn Tend off (Firefox users withdraw host permissions from the add-ons manager at any
 * time): Tend then offers to grant it again rather than failing silently.
 */
import { CodedError } from '../domain/result';
import { canonicalSite } from '../domain/refs';
import { BUILTIN_HOST_PATTERNS } from '../domain/hosts';
import {
  isBuiltInOrigin,
  isSupportedUrl,
  originKey,
  originKeyOrNull,
  originOfPattern,
  originPattern,
  patternMatches,
  SITE_SCRIPT_PREFIX,
  siteScriptId,
} from './origins';

/** Where WXT writes `entrypoints/content.ts`; used when the manifest lists no content script. */
export const DEFAULT_CONTENT_SCRIPT = 'content-scripts/content.js';

/** Where the enabled origins are kept (`browser.storage.local`). */
export const ENABLED_ORIGINS_KEY = 'tend.enabledOrigins';

/** What the popup shows about a site. */
export interface SiteStatus {
  /** The page's origin (with its port), or null when the tab's URL cannot be read. */
  origin: string | null;
  /** Canonical community id of the origin (aliases folded), or null. */
  site: string | null;
  /** One of the built-in platforms' hosts: granted at install, never turned off here. */
  builtIn: boolean;
  /** The user wants Tend here (always true for built-in hosts). */
  enabled: boolean;
  /** Tend holds the host permission now. Tend runs when `supported && enabled && granted`. */
  granted: boolean;
  /** An http(s) page outside the browsers' add-on stores, where Tend could run at all. */
  supported: boolean;
  /**
   * What reads the site: a built-in adapter, Discourse recognised from a page, a description
   * (this browser's or the team's), or nothing known yet. Added by the background.
   */
  reader?: 'built-in' | 'discourse' | 'description' | 'unknown';
}

/** A tab as far as this module needs it. */
export interface TabLike {
  id?: number;
  url?: string;
  discarded?: boolean;
}

/** What `scripting.executeScript` is given here. */
export interface ScriptInjection {
  target: { tabId: number };
  files: string[];
}

/** When a site's content script runs. */
const SITE_SCRIPT_RUN_AT = 'document_start';

/** A content script as `scripting.registerContentScripts` takes it. */
export interface SiteScript {
  id: string;
  matches: string[];
  js: string[];
  css?: string[];
  runAt: 'document_start' | 'document_end' | 'document_idle';
  persistAcrossSessions: boolean;
}

/** The parts of the WebExtension API this module uses; `browser` from `wxt/browser` fits. */
export interface SiteAccessBrowser {
  permissions: {
    contains(permissions: { origins?: string[] }): Promise<boolean>;
    getAll(): Promise<{ origins?: string[] }>;
    remove(permissions: { origins?: string[] }): Promise<boolean>;
  };
  scripting: {
    registerContentScripts(scripts: SiteScript[]): Promise<void>;
    unregisterContentScripts(filter?: { ids?: string[] }): Promise<void>;
    getRegisteredContentScripts(filter?: { ids?: string[] }): Promise<{ id: string; matches?: string[]; js?: string[]; runAt?: string }[]>;
    /**
     * Takes a `ScriptInjection` (`{ target: { tabId }, files }`). Typed loosely: WXT types
     * `files` as the project's public paths, which are known only at build time.
     */
    executeScript(injection: never): Promise<unknown>;
    insertCSS?(injection: { target: { tabId: number }; files: string[] }): Promise<void>;
  };
  tabs: {
    get(tabId: number): Promise<TabLike>;
    query(query: { url?: string | string[] }): Promise<TabLike[]>;
  };
  runtime: {
    getManifest(): { content_scripts?: { matches?: string[]; js?: string[]; css?: string[] }[] };
  };
  storage: {
    local: {
      get(key: string): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
    };
  };
}

/** Why enabling or disabling was refused; `code` travels in the request's `Result`. */
export class SiteAccessError extends CodedError {
  constructor(code: 'site-not-granted' | 'site-unsupported' | 'site-built-in', message: string, detail: string) {
    super(code, message, detail);
    this.name = 'SiteAccessError';
  }
}

/** How `SiteAccess` tells forums from other granted origins, and its timing. */
export interface SiteAccessOptions {
  /**
   * Origins granted for something other than a forum (the team server, for CORS): a grant
   * of one of these does not enable Tend there.
   */
  isServiceOrigin?: (origin: string) => boolean | Promise<boolean>;
  /** A tab injected within this many ms is not injected again (the grant and the popup's request race). */
  reinjectAfterMs?: number;
  now?: () => number;
}

/** Site enabling, on top of a browser-like object. Every change runs one at a time. */
export class SiteAccess {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly injected = new Map<number, { url: string; at: number }>();

  constructor(
    private readonly browser: SiteAccessBrowser,
    private readonly options: SiteAccessOptions = {},
  ) {}

  /** Runs changes in order, so a grant event and the popup's request never both register. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  // ------------------------------------------------------------------------ reads

  /** The status of the site open in a tab (an unreadable or closed tab is unsupported). */
  async statusOfTab(tabId: number): Promise<SiteStatus> {
    const tab = await this.browser.tabs.get(tabId).catch(() => null);
    return this.statusOf(tab?.url ?? null);
  }

  /** The status of an origin or page URL. */
  async statusOf(originOrUrl: string | null): Promise<SiteStatus> {
    const key = originKeyOrNull(originOrUrl);
    if (!originOrUrl || !key) return { origin: null, site: null, builtIn: false, enabled: false, granted: false, supported: false };
    const origin = new URL(originOrUrl).origin;
    const builtIn = isBuiltInOrigin(key);
    const [granted, list] = await Promise.all([this.isGranted(key), this.enabledOrigins()]);
    return {
      origin,
      site: canonicalSite(origin),
      builtIn,
      enabled: builtIn || list.includes(key),
      granted,
      supported: isSupportedUrl(origin),
    };
  }

  /** Origins the user enabled (scheme + host, see `originKey`). */
  async enabledOrigins(): Promise<string[]> {
    const stored = (await this.browser.storage.local.get(ENABLED_ORIGINS_KEY))[ENABLED_ORIGINS_KEY];
    return Array.isArray(stored) ? stored.filter((o): o is string => typeof o === 'string') : [];
  }

  private async setEnabledOrigins(list: readonly string[]): Promise<void> {
    await this.browser.storage.local.set({ [ENABLED_ORIGINS_KEY]: [...new Set(list)].sort() });
  }

  private async isGranted(key: string): Promise<boolean> {
    return this.browser.permissions.contains({ origins: [originPattern(key)] }).catch(() => false);
  }

  // ------------------------------------------------------------------------ changes

  /**
   * Starts Tend on an origin whose permission the user just granted: records it, registers
   * the content script and injects it into the tab (and any other open tab there). Refused
   * when the permission is missing. Built-in hosts need no registration, only the injection
   * (after a Firefox user granted a withdrawn permission again).
   */
  enable(originOrUrl: string, tabId?: number): Promise<SiteStatus> {
    return this.serial(async () => {
      const key = this.supportedKey(originOrUrl);
      if (!(await this.isGranted(key))) {
        throw new SiteAccessError('site-not-granted', `Tend is not allowed on ${new URL(key).host} yet`, new URL(key).host);
      }
      const fresh = isBuiltInOrigin(key) ? true : await this.start(key);
      if (fresh) await this.injectInto(key, tabId);
      return this.statusOf(originOrUrl);
    });
  }

  /**
   * Stops Tend on an origin: forgets it, unregisters its content script and gives the
   * permission back. Pages already open keep what they show until they reload.
   */
  disable(originOrUrl: string): Promise<SiteStatus> {
    return this.serial(async () => {
      const key = this.supportedKey(originOrUrl);
      if (isBuiltInOrigin(key)) throw new SiteAccessError('site-built-in', `Tend is built in on ${new URL(key).host}`, new URL(key).host);
      await this.setEnabledOrigins((await this.enabledOrigins()).filter((o) => o !== key));
      await this.unregister(key);
      // A permission granted in the manifest (the test build's hosts) cannot be removed.
      await this.browser.permissions.remove({ origins: [originPattern(key)] }).catch(() => false);
      return this.statusOf(originOrUrl);
    });
  }

  /**
   * `permissions.onAdded`: the user granted origins, from the popup's prompt (Chrome closes
   * the popup when its prompt opens, so this is where Tend starts) or from the browser's own
   * site-access menu.
   */
  granted(patterns: readonly string[]): Promise<void> {
    return this.serial(async () => {
      for (const pattern of patterns) {
        const key = originOfPattern(pattern);
        if (!key || !isSupportedUrl(key)) continue;
        if (isBuiltInOrigin(key)) {
          await this.injectInto(key);
          continue;
        }
        if (await this.options.isServiceOrigin?.(key)) continue;
        if (await this.start(key)) await this.injectInto(key);
      }
    });
  }

  /**
   * An origin turned out to serve Tend itself (the team server just joined): its grant is for
   * sync, so it is not a forum. Forgets it as one — a grant seen before the join was known may
   * have started Tend there — and keeps the permission, which sync needs.
   */
  serviceOrigin(originOrUrl: string): Promise<void> {
    return this.serial(async () => {
      const key = originKeyOrNull(originOrUrl);
      if (!key || isBuiltInOrigin(key)) return;
      const list = await this.enabledOrigins();
      if (list.includes(key)) await this.setEnabledOrigins(list.filter((o) => o !== key));
      await this.unregister(key);
    });
  }

  /**
   * `permissions.onRemoved`: the content script goes, the wish stays, so the popup can offer
   * to grant the permission again.
   */
  revoked(patterns: readonly string[]): Promise<void> {
    return this.serial(async () => {
      for (const pattern of patterns) {
        const key = originOfPattern(pattern);
        if (key && !isBuiltInOrigin(key)) await this.unregister(key);
      }
    });
  }

  /**
   * On startup and install: makes registrations match what is enabled and granted now (a
   * permission may have been withdrawn while Tend was not running, an update may have moved
   * the content script), and adopts origins granted through the browser's own menu.
   */
  sync(): Promise<void> {
    return this.serial(async () => {
      const files = this.contentFiles();
      const registered = new Map(
        (await this.browser.scripting.getRegisteredContentScripts().catch(() => []))
          .filter((s) => s.id.startsWith(SITE_SCRIPT_PREFIX))
          .map((s) => [s.id, s]),
      );
      const list = new Set((await this.enabledOrigins()).filter((o) => !isBuiltInOrigin(o)));
      const all = await this.browser.permissions.getAll().catch(() => ({ origins: [] as string[] }));
      for (const pattern of all.origins ?? []) {
        const key = originOfPattern(pattern);
        if (key && isSupportedUrl(key) && !isBuiltInOrigin(key) && !list.has(key) && !(await this.options.isServiceOrigin?.(key))) list.add(key);
      }
      await this.setEnabledOrigins([...list]);

      const wanted = new Set<string>();
      for (const key of list) {
        if (!(await this.isGranted(key))) continue;
        const id = siteScriptId(key);
        wanted.add(id);
        const current = registered.get(id);
        if (current && sameList(current.js ?? [], files.js) && current.runAt === SITE_SCRIPT_RUN_AT) continue;
        if (current) await this.browser.scripting.unregisterContentScripts({ ids: [id] });
        await this.browser.scripting.registerContentScripts([this.script(key)]);
      }
      const stale = [...registered.keys()].filter((id) => !wanted.has(id));
      if (stale.length) await this.browser.scripting.unregisterContentScripts({ ids: stale });
    });
  }

  /**
   * After install or update: the browser does not put content scripts into pages that were
   * already open, so Tend does, on built-in hosts and enabled origins (a page still showing
   * an older version's overlays is cleaned up by the new content script itself).
   */
  injectIntoOpenTabs(): Promise<number> {
    return this.serial(async () => {
      const patterns = [...BUILTIN_HOST_PATTERNS];
      for (const key of await this.enabledOrigins()) if (await this.isGranted(key)) patterns.push(originPattern(key));
      const tabs = await this.browser.tabs.query({ url: patterns }).catch(() => [] as TabLike[]);
      let n = 0;
      for (const tab of tabs) if (await this.inject(tab)) n++;
      return n;
    });
  }

  // ------------------------------------------------------------------------ helpers

  private supportedKey(originOrUrl: string): string {
    const key = originKeyOrNull(originOrUrl);
    if (!key || !isSupportedUrl(key)) throw new SiteAccessError('site-unsupported', `Tend cannot run on ${originOrUrl.slice(0, 100)}`, originOrUrl.slice(0, 100));
    return key;
  }

  /** Records and registers an origin; true when it was not registered before. */
  private async start(key: string): Promise<boolean> {
    const list = await this.enabledOrigins();
    if (!list.includes(key)) await this.setEnabledOrigins([...list, key]);
    const id = siteScriptId(key);
    const existing = await this.browser.scripting.getRegisteredContentScripts({ ids: [id] }).catch(() => []);
    if (existing.some((s) => s.id === id)) return false;
    await this.browser.scripting.registerContentScripts([this.script(key)]);
    return true;
  }

  private async unregister(key: string): Promise<void> {
    const id = siteScriptId(key);
    const existing = await this.browser.scripting.getRegisteredContentScripts({ ids: [id] }).catch(() => []);
    if (existing.some((s) => s.id === id)) await this.browser.scripting.unregisterContentScripts({ ids: [id] });
  }

  private script(key: string): SiteScript {
    const { js, css } = this.contentFiles();
    return {
      id: siteScriptId(key),
      matches: [originPattern(key)],
      js,
      ...(css.length ? { css } : {}),
      // From the start of the page, as the manifest's own scripts: overlays go in before the first frame.
      runAt: SITE_SCRIPT_RUN_AT,
      persistAcrossSessions: true,
    };
  }

  /**
   * A content script's built files, as the manifest's static entries list them: for a page of a
   * built-in platform, that platform's own script (each reads only its platform); for any other
   * site, the general one (Discourse and site descriptions). Firefox lists them as full
   * addresses, which registering refuses: they are made paths again.
   */
  private contentFiles(pageUrl?: string): { js: string[]; css: string[] } {
    const entries = (this.browser.runtime.getManifest().content_scripts ?? [])
      .filter((cs) => cs.js?.length)
      .map((cs) => ({ matches: cs.matches, js: cs.js!.map(extensionPath), css: (cs.css ?? []).map(extensionPath) }));
    let url: URL | null = null;
    try {
      url = pageUrl ? new URL(pageUrl) : null;
    } catch {
      url = null;
    }
    const entry =
      (url && entries.find((cs) => cs.matches?.some((p) => patternMatches(p, url!)))) ??
      entries.find((cs) => cs.js.includes(DEFAULT_CONTENT_SCRIPT)) ??
      entries[0];
    return { js: entry?.js ?? [DEFAULT_CONTENT_SCRIPT], css: entry?.css ?? [] };
  }

  /** Injects the content script into the given tab (if it shows this origin) and every open tab on the origin. */
  private async injectInto(key: string, tabId?: number): Promise<void> {
    const tabs = await this.browser.tabs.query({ url: originPattern(key) }).catch(() => [] as TabLike[]);
    if (tabId !== undefined && !tabs.some((t) => t.id === tabId)) {
      const tab = await this.browser.tabs.get(tabId).catch(() => null);
      if (tab && originKeyOrNull(tab.url) === key) tabs.push(tab);
    }
    for (const tab of tabs) await this.inject(tab);
  }

  private async inject(tab: TabLike): Promise<boolean> {
    if (tab.id === undefined || tab.discarded) return false;
    const now = (this.options.now ?? Date.now)();
    const last = this.injected.get(tab.id);
    if (last && last.url === tab.url && now - last.at < (this.options.reinjectAfterMs ?? 10_000)) return false;
    try {
      const { js, css } = this.contentFiles(tab.url);
      if (css.length) await this.browser.scripting.insertCSS?.({ target: { tabId: tab.id }, files: css });
      const injection: ScriptInjection = { target: { tabId: tab.id }, files: js };
      await this.browser.scripting.executeScript(injection as never);
      this.injected.set(tab.id, { url: tab.url ?? '', at: now });
      return true;
    } catch {
      // A tab that navigated away, crashed or shows an error page: nothing to start there.
      return false;
    }
  }
}

/**
 * A file of the extension as `scripting` takes it: relative to the extension's root. Firefox's
 * `runtime.getManifest()` lists content script files as full `moz-extension://` URLs, which
 * its `registerContentScripts` refuses ("must be a relative URL").
 */
function extensionPath(file: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(file) ? new URL(file).pathname.replace(/^\/+/, '') : file;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
