import { describe, expect, it } from 'vitest';
import { ENABLED_ORIGINS_KEY, listenForSiteAccess, SiteAccess, type SiteAccessBrowser } from '../../../lib/permissions';
import { fakeSiteBrowser } from './fake-browser';

const FORUM = 'https://forum.example.org';
const FORUM_PATTERN = 'https://forum.example.org/*';
const forumTab = { id: 7, url: `${FORUM}/t/rotating-keys/4821` };
const otherForumTab = { id: 8, url: `${FORUM}/latest` };
const builtInTab = { id: 9, url: 'https://meta.discourse.org/t/x/12483' };
const BUILT_IN = ['https://meta.discourse.org/*', 'https://github.com/*'];

describe('status', () => {
  it('reports a built-in host as on, a new forum as off, a browser page as unsupported', async () => {
    const fake = fakeSiteBrowser({ required: BUILT_IN, tabs: [forumTab, builtInTab, { id: 3, url: 'chrome://extensions/' }, { id: 4 }] });
    const access = new SiteAccess(fake.browser);
    expect(await access.statusOfTab(9)).toEqual({
      origin: 'https://meta.discourse.org',
      site: 'https://meta.discourse.org',
      builtIn: true,
      enabled: true,
      granted: true,
      supported: true,
    });
    expect(await access.statusOfTab(7)).toEqual({ origin: FORUM, site: FORUM, builtIn: false, enabled: false, granted: false, supported: true });
    expect(await access.statusOfTab(3)).toMatchObject({ origin: null, supported: false });
    // A tab whose URL Tend may not read, and a tab that is gone.
    expect(await access.statusOfTab(4)).toMatchObject({ origin: null, supported: false });
    expect(await access.statusOfTab(99)).toMatchObject({ origin: null, supported: false });
  });

  it('keeps the port in the origin and folds aliases into the site id', async () => {
    const fake = fakeSiteBrowser({ tabs: [{ id: 1, url: 'https://old.reddit.com/r/x' }, { id: 2, url: 'https://forum.example.test:4443/t/1' }] });
    const access = new SiteAccess(fake.browser);
    expect(await access.statusOfTab(1)).toMatchObject({ origin: 'https://old.reddit.com', site: 'https://www.reddit.com', builtIn: true });
    expect(await access.statusOfTab(2)).toMatchObject({ origin: 'https://forum.example.test:4443', site: 'https://forum.example.test:4443', builtIn: false });
  });
});

describe('enabling a site', () => {
  it('refuses without the permission and registers nothing', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab] });
    const access = new SiteAccess(fake.browser);
    await expect(access.enable(FORUM, 7)).rejects.toMatchObject({ code: 'site-not-granted', message: /not allowed on forum.example.org/ });
    expect(fake.scripts.size).toBe(0);
    expect(fake.executed).toEqual([]);
  });

  it('after the grant, registers a persistent content script for the origin and starts it in the open tabs', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab, otherForumTab, builtInTab], required: BUILT_IN });
    const access = new SiteAccess(fake.browser);
    fake.grant(FORUM_PATTERN);
    const status = await access.enable(`${FORUM}`, 7);
    expect(status).toMatchObject({ enabled: true, granted: true, builtIn: false });
    expect([...fake.scripts.values()]).toEqual([
      { id: 'tend-site-https-forum.example.org', matches: [FORUM_PATTERN], js: ['content-scripts/content.js'], runAt: 'document_start', persistAcrossSessions: true },
    ]);
    expect(fake.executed.map((e) => e.tabId).sort()).toEqual([7, 8]);
    expect(fake.storage.get(ENABLED_ORIGINS_KEY)).toEqual([FORUM]);
  });

  it('uses the content script files the manifest lists', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab], granted: [FORUM_PATTERN], contentScripts: [{ js: ['content-scripts/content.js', 'x.js'], css: ['content-scripts/content.css'] }] });
    await new SiteAccess(fake.browser).enable(FORUM, 7);
    expect(fake.scripts.get('tend-site-https-forum.example.org')).toMatchObject({ js: ['content-scripts/content.js', 'x.js'], css: ['content-scripts/content.css'] });
  });

  it('registers and injects the files relative to the extension when the manifest lists full URLs, as Firefox does', async () => {
    const base = 'moz-extension://0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/';
    const fake = fakeSiteBrowser({ tabs: [forumTab], granted: [FORUM_PATTERN], contentScripts: [{ js: [`${base}content-scripts/content.js`], css: [`${base}content-scripts/content.css`] }] });
    await new SiteAccess(fake.browser).enable(FORUM, 7);
    expect(fake.scripts.get('tend-site-https-forum.example.org')).toMatchObject({ js: ['content-scripts/content.js'], css: ['content-scripts/content.css'] });
    expect(fake.executed).toEqual([expect.objectContaining({ tabId: 7, files: ['content-scripts/content.js'] })]);
  });

  it('starts Tend from the grant event alone (Chrome closes the popup when its prompt opens)', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab, otherForumTab] });
    const access = new SiteAccess(fake.browser);
    fake.grant(FORUM_PATTERN);
    await access.granted([FORUM_PATTERN]);
    expect(fake.scripts.has('tend-site-https-forum.example.org')).toBe(true);
    expect(fake.executed.map((e) => e.tabId).sort()).toEqual([7, 8]);
    expect(await access.statusOfTab(7)).toMatchObject({ enabled: true, granted: true });
  });

  it('registers and injects once when the grant event and the popup’s request race', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab] });
    const access = new SiteAccess(fake.browser);
    fake.grant(FORUM_PATTERN);
    await Promise.all([access.granted([FORUM_PATTERN]), access.enable(FORUM, 7), access.granted([FORUM_PATTERN])]);
    expect(fake.scripts.size).toBe(1);
    expect(fake.executed).toHaveLength(1);
  });

  it('wires the browser’s permission events', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab] });
    const access = new SiteAccess(fake.browser);
    const listeners: Record<string, (p: { origins?: string[] }) => void> = {};
    listenForSiteAccess(
      { permissions: { onAdded: { addListener: (fn) => (listeners.added = fn) }, onRemoved: { addListener: (fn) => (listeners.removed = fn) } } },
      access,
    );
    fake.grant(FORUM_PATTERN);
    listeners.added!({ origins: [FORUM_PATTERN] });
    await access.statusOfTab(7);
    await expect.poll(() => fake.scripts.size).toBe(1);
    fake.withdraw(FORUM_PATTERN);
    listeners.removed!({ origins: [FORUM_PATTERN] });
    await expect.poll(() => fake.scripts.size).toBe(0);
  });

  it('ignores grants that name no single site, and service origins such as the team server', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab] });
    const access = new SiteAccess(fake.browser, { isServiceOrigin: (o) => o === 'https://team.example.org' });
    fake.grant('https://*/*');
    fake.grant('https://team.example.org/*');
    await access.granted(['https://*/*', '*://*.test/*', 'https://team.example.org/*']);
    expect(fake.scripts.size).toBe(0);
    expect(await access.enabledOrigins()).toEqual([]);
  });

  it('forgets a team server taken for a forum before the join was known, and keeps its grant', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab] });
    let joined = false;
    const access = new SiteAccess(fake.browser, { isServiceOrigin: (o) => joined && o === 'https://team.example.org' });
    fake.grant('https://team.example.org/*');
    await access.granted(['https://team.example.org/*']);
    expect(await access.enabledOrigins()).toEqual(['https://team.example.org']);
    expect(fake.scripts.size).toBe(1);
    joined = true;
    await access.serviceOrigin('https://team.example.org/api');
    expect(await access.enabledOrigins()).toEqual([]);
    expect(fake.scripts.size).toBe(0);
    expect(await access.statusOf('https://team.example.org')).toMatchObject({ granted: true, enabled: false });
    // Built-in hosts are never touched.
    await access.serviceOrigin('https://meta.discourse.org');
    expect(await access.statusOf('https://meta.discourse.org')).toMatchObject({ builtIn: true, enabled: true });
  });

  it('on a built-in host needs no registration; after a re-grant it starts Tend in the open tab', async () => {
    const fake = fakeSiteBrowser({ tabs: [builtInTab] });
    const access = new SiteAccess(fake.browser);
    // Firefox: the user had withdrawn the built-in permission.
    expect(await access.statusOfTab(9)).toMatchObject({ builtIn: true, enabled: true, granted: false });
    fake.grant('https://meta.discourse.org/*');
    expect(await access.enable('https://meta.discourse.org', 9)).toMatchObject({ granted: true });
    expect(fake.scripts.size).toBe(0);
    expect(fake.executed.map((e) => e.tabId)).toEqual([9]);
  });

  it('refuses sites where no extension may run', async () => {
    const fake = fakeSiteBrowser({ granted: ['https://*/*'] });
    const access = new SiteAccess(fake.browser);
    await expect(access.enable('https://addons.mozilla.org')).rejects.toMatchObject({ code: 'site-unsupported' });
    await expect(access.enable('file:///etc/passwd')).rejects.toMatchObject({ code: 'site-unsupported' });
  });

  it('does not inject into a tab on another origin, even when asked to', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab, { id: 12, url: 'https://other.example.org/' }], granted: [FORUM_PATTERN, 'https://other.example.org/*'] });
    await new SiteAccess(fake.browser).enable(FORUM, 12);
    expect(fake.executed.map((e) => e.tabId)).toEqual([7]);
  });
});

describe('disabling a site', () => {
  it('unregisters the script, forgets the site and gives the permission back', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab] });
    const access = new SiteAccess(fake.browser);
    fake.grant(FORUM_PATTERN);
    await access.enable(FORUM, 7);
    expect(await access.disable(FORUM)).toMatchObject({ enabled: false, granted: false });
    expect(fake.scripts.size).toBe(0);
    expect(fake.granted.has(FORUM_PATTERN)).toBe(false);
    expect(await access.enabledOrigins()).toEqual([]);
  });

  it('still turns off where the permission was granted in the manifest (the test build) and cannot be removed', async () => {
    const fake = fakeSiteBrowser({ tabs: [{ id: 5, url: 'https://forum.example.test:4443/t/1' }], required: ['*://*.test/*'] });
    const access = new SiteAccess(fake.browser);
    await access.enable('https://forum.example.test:4443', 5);
    expect(fake.scripts.size).toBe(1);
    expect(await access.disable('https://forum.example.test:4443')).toMatchObject({ enabled: false, granted: true });
    expect(fake.scripts.size).toBe(0);
    // And on again, without a prompt.
    expect(await access.enable('https://forum.example.test:4443', 5)).toMatchObject({ enabled: true, granted: true });
  });

  it('refuses to turn off a built-in host', async () => {
    const fake = fakeSiteBrowser({ required: BUILT_IN });
    await expect(new SiteAccess(fake.browser).disable('https://github.com')).rejects.toMatchObject({ code: 'site-built-in' });
  });
});

describe('a withdrawn permission (Firefox users may withdraw any time)', () => {
  it('unregisters the script but remembers the wish, so the popup offers to grant again', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab] });
    const access = new SiteAccess(fake.browser);
    fake.grant(FORUM_PATTERN);
    await access.enable(FORUM, 7);
    fake.withdraw(FORUM_PATTERN);
    await access.revoked([FORUM_PATTERN]);
    expect(fake.scripts.size).toBe(0);
    expect(await access.statusOfTab(7)).toMatchObject({ enabled: true, granted: false });
    fake.grant(FORUM_PATTERN);
    await access.granted([FORUM_PATTERN]);
    expect(fake.scripts.size).toBe(1);
  });
});

describe('sync on startup and install', () => {
  it('makes registrations match what is enabled and granted now', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab], contentScripts: [{ js: ['content-scripts/content.js'] }] });
    const access = new SiteAccess(fake.browser);
    const withdrawn = 'https://gone.example.org';
    const stale = 'https://stale.example.org';
    const moved = 'https://moved.example.org';
    fake.storage.set(ENABLED_ORIGINS_KEY, [FORUM, withdrawn, moved]);
    fake.grant(FORUM_PATTERN);
    fake.grant(`${moved}/*`);
    fake.grant('https://adopted.example.org/*'); // granted from the browser's own menu while Tend slept
    fake.grant('*://*.test/*'); // names no single site
    const reg = (origin: string, js = ['content-scripts/content.js']) =>
      fake.browser.scripting.registerContentScripts([
        { id: `tend-site-https-${new URL(origin).hostname}`, matches: [`${origin}/*`], js, runAt: 'document_start', persistAcrossSessions: true },
      ]);
    await reg(withdrawn);
    await reg(stale);
    await reg(moved, ['content-scripts/old-name.js']);

    await access.sync();
    expect([...fake.scripts.keys()].sort()).toEqual(['tend-site-https-adopted.example.org', 'tend-site-https-forum.example.org', 'tend-site-https-moved.example.org']);
    expect(fake.scripts.get('tend-site-https-moved.example.org')!.js).toEqual(['content-scripts/content.js']);
    // The withdrawn site is still wanted: the popup will offer to grant it again.
    expect((await access.enabledOrigins()).sort()).toEqual(['https://adopted.example.org', FORUM, withdrawn, moved].sort());
    // Nothing is injected by a sync.
    expect(fake.executed).toEqual([]);
  });

  it('moves a registration an older version made to run at the start of the page', async () => {
    const fake = fakeSiteBrowser({ tabs: [forumTab], contentScripts: [{ js: ['content-scripts/content.js'] }] });
    const access = new SiteAccess(fake.browser);
    fake.storage.set(ENABLED_ORIGINS_KEY, [FORUM]);
    fake.grant(FORUM_PATTERN);
    await fake.browser.scripting.registerContentScripts([
      { id: 'tend-site-https-forum.example.org', matches: [FORUM_PATTERN], js: ['content-scripts/content.js'], runAt: 'document_idle', persistAcrossSessions: true },
    ]);
    await access.sync();
    expect(fake.scripts.get('tend-site-https-forum.example.org')!.runAt).toBe('document_start');
  });

  it('after install or update, starts Tend in tabs already open on built-in hosts and enabled sites', async () => {
    const fake = fakeSiteBrowser({
      required: BUILT_IN,
      tabs: [forumTab, builtInTab, { id: 10, url: 'https://github.com/a/b/issues/1', discarded: true }, { id: 11, url: 'https://elsewhere.example.org/' }],
    });
    const access = new SiteAccess(fake.browser);
    fake.grant(FORUM_PATTERN);
    fake.storage.set(ENABLED_ORIGINS_KEY, [FORUM]);
    expect(await access.injectIntoOpenTabs()).toBe(2);
    expect(fake.executed.map((e) => e.tabId).sort()).toEqual([7, 9]);
  });

  it("gives a built-in platform's page that platform's own script, and any other site the general one", async () => {
    const contentScripts = [
      { matches: ['https://meta.discourse.org/*'], js: ['content-scripts/content.js'] },
      { matches: ['https://github.com/*'], js: ['content-scripts/github.js'] },
      { matches: ['https://*.reddit.com/*', 'https://reddit.com/*'], js: ['content-scripts/reddit.js'] },
    ];
    const fake = fakeSiteBrowser({
      required: ['https://meta.discourse.org/*', 'https://github.com/*', 'https://*.reddit.com/*', 'https://reddit.com/*'],
      contentScripts,
      tabs: [forumTab, { id: 20, url: 'https://github.com/a/b/issues/1' }, { id: 21, url: 'https://old.reddit.com/r/x/' }, { id: 22, url: 'https://meta.discourse.org/latest' }],
    });
    const access = new SiteAccess(fake.browser);
    fake.grant(FORUM_PATTERN);
    fake.storage.set(ENABLED_ORIGINS_KEY, [FORUM]);
    await access.injectIntoOpenTabs();
    expect(Object.fromEntries(fake.executed.map((e) => [e.tabId, e.files]))).toEqual({
      7: ['content-scripts/content.js'],
      20: ['content-scripts/github.js'],
      21: ['content-scripts/reddit.js'],
      22: ['content-scripts/content.js'],
    });
    // An enabled forum is registered with the general script.
    await access.sync();
    expect(fake.scripts.get('tend-site-https-forum.example.org')!.js).toEqual(['content-scripts/content.js']);
  });
});

// `browser` from wxt/browser must fit the interface (checked by tsc; nothing to run).
export type BrowserFits = typeof import('wxt/browser').browser extends SiteAccessBrowser ? true : never;
