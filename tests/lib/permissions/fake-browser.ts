/**
 * A small stand-in for the parts of the WebExtension API that site enabling uses
 * (`fakeBrowser` from wxt/testing implements no permissions or scripting).
 */
import { originOfPattern, patternMatches, type SiteAccessBrowser, type SiteScript, type TabLike } from '../../../lib/permissions';

export interface FakeOptions {
  /** Host permissions granted at install (cannot be removed, like the manifest's). */
  required?: string[];
  /** Optional host permissions already granted. */
  granted?: string[];
  tabs?: TabLike[];
  contentScripts?: { matches?: string[]; js?: string[]; css?: string[] }[];
}

export function fakeSiteBrowser(options: FakeOptions = {}) {
  const required = new Set(options.required ?? []);
  const granted = new Set(options.granted ?? []);
  const scripts = new Map<string, SiteScript>();
  const storage = new Map<string, unknown>();
  const tabs: TabLike[] = [...(options.tabs ?? [])];
  const executed: { tabId: number; files: string[] }[] = [];
  const covers = (pattern: string) => {
    const origin = originOfPattern(pattern);
    if (!origin) return [...required, ...granted].includes(pattern);
    return [...required, ...granted].some((p) => patternMatches(p, new URL(origin)));
  };
  const browser: SiteAccessBrowser = {
    permissions: {
      contains: async (p) => (p.origins ?? []).every(covers),
      getAll: async () => ({ origins: [...required, ...granted] }),
      remove: async (p) => {
        for (const o of p.origins ?? []) {
          if (required.has(o)) throw new Error('You cannot remove required permissions.');
          granted.delete(o);
        }
        return true;
      },
    },
    scripting: {
      registerContentScripts: async (list) => {
        for (const s of list) {
          if (scripts.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
          scripts.set(s.id, s);
        }
      },
      unregisterContentScripts: async (filter) => {
        const ids = filter?.ids ?? [...scripts.keys()];
        for (const id of ids) {
          if (!scripts.has(id)) throw new Error(`Nonexistent script ID '${id}'`);
          scripts.delete(id);
        }
      },
      getRegisteredContentScripts: async (filter) => [...scripts.values()].filter((s) => !filter?.ids || filter.ids.includes(s.id)),
      executeScript: (async (injection: { target: { tabId: number }; files: string[] }) => {
        const tab = tabs.find((t) => t.id === injection.target.tabId);
        if (!tab) throw new Error(`No tab with id: ${injection.target.tabId}`);
        if (!tab.url || !covers(`${new URL(tab.url).protocol}//${new URL(tab.url).hostname}/*`)) throw new Error('Cannot access contents of the page');
        executed.push({ tabId: injection.target.tabId, files: injection.files });
        return [];
      }) as SiteAccessBrowser['scripting']['executeScript'],
    },
    tabs: {
      get: async (id) => {
        const tab = tabs.find((t) => t.id === id);
        if (!tab) throw new Error(`No tab with id: ${id}`);
        return tab;
      },
      query: async (q) => {
        const patterns = q.url === undefined ? null : Array.isArray(q.url) ? q.url : [q.url];
        // Like the browser: a URL filter sees only tabs Tend has host access to.
        return tabs.filter((t) => !patterns || (t.url && patterns.some((p) => patternMatches(p, new URL(t.url!))) && covers(`${new URL(t.url).protocol}//${new URL(t.url).hostname}/*`)));
      },
    },
    runtime: { getManifest: () => ({ content_scripts: options.contentScripts ?? [{ js: ['content-scripts/content.js'] }] }) },
    storage: {
      local: {
        get: async (key) => (storage.has(key) ? { [key]: storage.get(key) } : {}),
        set: async (items) => {
          for (const [k, v] of Object.entries(items)) storage.set(k, v);
        },
      },
    },
  };
  return {
    browser,
    scripts,
    executed,
    tabs,
    granted,
    storage,
    /** The user grants an origin (what the prompt does). */
    grant: (pattern: string) => granted.add(pattern),
    /** The user withdraws an origin (Firefox's add-ons manager). */
    withdraw: (pattern: string) => granted.delete(pattern),
  };
}
