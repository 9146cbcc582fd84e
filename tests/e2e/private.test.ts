/**
 * Nothing is observed in private windows: with Tend allowed in incognito (as a user would
 * allow it), a Discourse topic opened in an incognito window gets its overlays, but no
 * observation is recorded; the same topic in a normal window is recorded. Nor while the
 * popup's switch pauses observing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT, launchExtension, openExtensionPage, serveFixtures, type FixtureServer, type LaunchedExtension } from './helpers';

const e2e = inject('tendE2E');
const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const HOST = 'meta.discourse.org';

type Chrome = {
  windows: { create(o: object): Promise<{ id: number; tabs?: { id: number }[] }> };
  tabs: { get(id: number): Promise<{ status: string; incognito: boolean }> };
  scripting: { executeScript(o: object): Promise<{ result: unknown }[]> };
};

/** A step that may hang in a loaded browser (a worker call into a tab still loading) fails fast instead, so polling goes on. */
function within<T>(ms: number, label: string, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${label}: no answer in ${ms} ms`)), ms))]);
}

describe.skipIf(!e2e.chromium)('private windows and the pause switch', () => {
  let ext: LaunchedExtension;
  let server: FixtureServer;

  beforeAll(async () => {
    server = await serveFixtures({
      root: FIXTURES,
      routes: {
        '/t/rotating-api-keys-without-downtime/4821': readFileSync(path.join(FIXTURES, 'topic.html'), 'utf8'),
        '/latest': readFileSync(path.join(FIXTURES, 'latest.html'), 'utf8'),
      },
    });
    // First launch learns the extension id; then "Allow in Incognito" is set as the
    // extensions page would set it, and the same profile is launched again.
    const first = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST], keepProfile: true });
    const { extensionId, userDataDir } = first;
    await first.close();
    const prefsFile = path.join(userDataDir, 'Default', 'Preferences');
    const prefs = JSON.parse(readFileSync(prefsFile, 'utf8'));
    prefs.extensions ??= {};
    prefs.extensions.settings ??= {};
    prefs.extensions.settings[extensionId] = { ...(prefs.extensions.settings[extensionId] ?? {}), incognito: true };
    writeFileSync(prefsFile, JSON.stringify(prefs));
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST], userDataDir });
    ext.context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  const opsCount = async () => {
    const page = await openExtensionPage(ext, 'popup.html');
    const n = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('tend');
          // Not there yet: nothing recorded. (Opening it here would create an empty database
          // that Tend's own open would then have to upgrade from nothing.)
          let missing = false;
          open.onupgradeneeded = () => {
            missing = true;
            open.transaction!.abort();
          };
          open.onerror = () => (missing ? resolve(0) : reject(open.error));
          open.onsuccess = () => {
            const db = open.result;
            const req = db.transaction('ops').objectStore('ops').count();
            req.onsuccess = () => {
              resolve(req.result);
              db.close();
            };
          };
        }),
    );
    await page.close();
    return n;
  };

  it('mounts overlays in an incognito window but records nothing there', async () => {
    const url = server.url('/t/rotating-api-keys-without-downtime/4821', HOST);
    const before = await opsCount();
    const sw = ext.serviceWorker;
    // Wake the worker with a message first: evaluating in a stopped worker never returns.
    await (await openExtensionPage(ext, 'popup.html')).close();
    const tabId = await within(20_000, 'open an incognito window', sw.evaluate(async (u) => {
      const chrome = (globalThis as unknown as { chrome: Chrome }).chrome;
      const win = await chrome.windows.create({ incognito: true, url: u });
      return win.tabs![0]!.id;
    }, url));
    // The content script runs there: overlays appear.
    await expect
      .poll(
        () =>
          within(5_000, 'count overlays in the incognito tab', sw.evaluate(async (id) => {
            const chrome = (globalThis as unknown as { chrome: Chrome }).chrome;
            const tab = await chrome.tabs.get(id);
            if (tab.status !== 'complete') return -1;
            const [r] = await chrome.scripting.executeScript({ target: { tabId: id }, func: () => document.querySelectorAll('tend-overlay').length });
            return r?.result as number;
          }, tabId)).catch(() => -2),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(3);
    expect(await within(10_000, 'read the tab', sw.evaluate(async (id) => (await (globalThis as unknown as { chrome: Chrome }).chrome.tabs.get(id)).incognito, tabId))).toBe(true);
    // Give the page time to report what it saw; nothing may be stored.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await opsCount()).toBe(before);

    // The same page in a normal window is recorded (the observation and the viewer's handle).
    const page = await ext.context.newPage();
    await page.goto(url);
    await page.locator('tend-overlay[data-tend-kind="thread"]').waitFor();
    await expect.poll(opsCount, { timeout: 10_000 }).toBeGreaterThan(before);
    await page.close();
  });

  it('records nothing while paused from the popup, and records again once resumed', async () => {
    const popup = await openExtensionPage(ext, 'popup.html');
    const toggle = popup.getByRole('switch', { name: /Add topics I visit/ });
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await toggle.click();
    await expect.poll(() => popup.getByText(/Paused: topics you visit/).count()).toBe(1);
    const before = await opsCount();
    const list = await ext.context.newPage();
    await list.goto(server.url('/latest', HOST));
    await list.locator('tend-overlay[data-tend-kind="thread-row"]').first().waitFor();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await opsCount()).toBe(before);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await list.reload();
    await expect.poll(opsCount, { timeout: 10_000 }).toBeGreaterThan(before);
    await list.close();
    await popup.close();
  });
});
