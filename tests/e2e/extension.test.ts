/**
 * The test build loads in real Chromium: the background service worker starts, the popup
 * renders and is accessible, and the worker survives being stopped the way Chrome stops an
 * idle one. One browser for the whole file.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { itReal } from '../helpers/real-fixtures';
import {
  REAL_FIXTURES_DIR,
  REAL_FIXTURES_PRESENT,
  checkA11y,
  formatViolations,
  launchExtension,
  openExtensionPage,
  screenshot,
  serveFixtures,
  serviceWorkerStatus,
  startServiceWorker,
  stopServiceWorker,
  type FixtureServer,
  type LaunchedExtension,
} from './helpers';

const e2e = inject('tendE2E');

type ChromeRuntime = { runtime: { id: string; getManifest(): { host_permissions?: string[]; manifest_version: number } } };

describe.skipIf(!e2e.chromium)('test build in Chromium', () => {
  let ext: LaunchedExtension;
  let server: FixtureServer;

  beforeAll(async () => {
    server = await serveFixtures({
      ...(REAL_FIXTURES_PRESENT ? { root: REAL_FIXTURES_DIR } : {}),
      routes: { '/plain': '<!doctype html><title>plain</title><h1>plain page</h1>' },
    });
    ext = await launchExtension({
      extensionDir: e2e.testBuild,
      executablePath: e2e.chromium!,
      hostMap: ['meta.discourse.org', 'forum.example.test'],
    });
  });

  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  it('registers the background service worker', async () => {
    expect(ext.extensionId).toMatch(/^[a-p]{32}$/);
    expect(ext.serviceWorker.url()).toBe(`chrome-extension://${ext.extensionId}/background.js`);
    const id = await ext.serviceWorker.evaluate(
      () => (globalThis as unknown as { chrome: ChromeRuntime }).chrome.runtime.id,
    );
    expect(id).toBe(ext.extensionId);
    expect(await serviceWorkerStatus(ext)).toBe('running');
  });

  it('is the test build: test hosts are granted up front', async () => {
    const manifest = await ext.serviceWorker.evaluate(
      () => (globalThis as unknown as { chrome: ChromeRuntime }).chrome.runtime.getManifest(),
    );
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.host_permissions).toContain('*://*.test/*');
  });

  it('renders the popup', async () => {
    const page = await openExtensionPage(ext, 'popup.html', { viewport: { width: 400, height: 600 } });
    try {
      const landmark = page.locator('main, h1').first();
      await landmark.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.locator('main').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('h1').first().isVisible()).toBe(true);
      await screenshot(page, 'popup');

      const violations = await checkA11y(page);
      expect(violations, formatViolations(violations)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('restarts after its service worker is stopped', async () => {
    await stopServiceWorker(ext);
    expect(await serviceWorkerStatus(ext)).toBe('stopped');
    const worker = await startServiceWorker(ext);
    const id = await worker.evaluate(() => (globalThis as unknown as { chrome: ChromeRuntime }).chrome.runtime.id);
    expect(id).toBe(ext.extensionId);
    expect(await serviceWorkerStatus(ext)).toBe('running');
  });

  itReal('serves test pages over HTTPS under mapped host names, real pages without scripts', async () => {
    const page = await ext.context.newPage();
    try {
      const plain = await page.goto(server.url('/plain', 'forum.example.test'));
      expect(plain?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('plain page');

      const real = await page.goto(server.url('/discourse/meta-topic-12483-server-response-2020.html', 'meta.discourse.org'));
      expect(real?.status()).toBe(200);
      expect(real?.headers()['content-security-policy']).toBe("script-src 'none'");
      expect(await page.title()).toContain('Discourse Meta');

      // The worker trusts the test certificate too (team server over HTTPS in later tests).
      const status = await ext.serviceWorker.evaluate(async (url) => (await fetch(url)).status, server.url('/plain', 'forum.example.test'));
      expect(status).toBe(200);
    } finally {
      await page.close();
    }
  });
});
