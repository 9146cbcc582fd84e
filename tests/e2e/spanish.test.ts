/**
 * Tend in Spanish, in real Chromium started in Spanish (`--lang=es` and `LANGUAGE=es`): the
 * overlays on a forum, the popup and the settings page speak Spanish, with durations from Intl,
 * and the longer words fit (nothing overflows its box). Screenshots, light and dark, go to
 * test-results/screenshots/es-*.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT, humanPause, launchExtension, panelText, panelsOpen, screenshot, sendFromPage, serveFixtures, tabIdOf, type FixtureServer, type LaunchedExtension } from './helpers';

const e2e = inject('tendE2E');
const HOST = 'meta.discourse.org';
const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const TOPIC = '/t/rotating-api-keys-without-downtime/4821';

/** Elements inside `root` (a page or an open shadow root) whose content is wider than their box. */
const overflowing = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const out: string[] = [];
    const check = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll<HTMLElement>(sel)) {
        if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.textContent?.trim().slice(0, 40)}`);
      }
    };
    check(document);
    for (const host of document.querySelectorAll('tend-overlay')) if (host.shadowRoot) check(host.shadowRoot);
    return out;
  }, selector);

describe.skipIf(!e2e.chromium)('Tend in Spanish', () => {
  let ext: LaunchedExtension;
  let server: FixtureServer;
  const before = process.env.LANGUAGE;

  beforeAll(async () => {
    server = await serveFixtures({ root: FIXTURES, routes: { [TOPIC]: readFileSync(path.join(FIXTURES, 'topic.html'), 'utf8') } });
    // Chromium on Linux takes its language from the environment; --lang says the same.
    process.env.LANGUAGE = 'es';
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST], args: ['--lang=es'] });
    ext.context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.LANGUAGE;
    else process.env.LANGUAGE = before;
    await ext?.close();
    await server?.close();
  });

  it('overlays, popup and settings speak Spanish and fit, light and dark', async () => {
    const forum = await ext.context.newPage();
    await forum.setViewportSize({ width: 1000, height: 800 });
    await forum.goto(server.url(TOPIC, HOST));
    const bar = forum.locator('tend-overlay[data-tend-kind="thread"]');
    await bar.waitFor({ state: 'attached' });
    await humanPause();
    await expect.poll(() => bar.locator('button').first().textContent()).toContain('Yo me encargo');
    await expect.poll(() => forum.locator('tend-overlay[data-tend-kind="post"]').first().locator('button').first().textContent()).toContain('Me ayudó');

    const ext_ = await ext.context.newPage();
    await ext_.goto(ext.url('manifest.json'));
    const tabId = await tabIdOf(ext, forum);
    // Claim it, so the bar and the popup show the longer "te encargas tú · quedan 24 h".
    const r = await sendFromPage(ext_, { type: 'thread.claim', thread: { site: server.origin(HOST), threadId: '4821' } });
    expect(r.ok).toBe(true);
    await expect.poll(() => bar.locator('span').first().textContent()).toMatch(/Te encargas tú · quedan 24 h/);
    expect(await overflowing(forum, 'button, .tend-claim, .tend-btn')).toEqual([]);
    await screenshot(forum, 'es-overlays-light');
    await forum.emulateMedia({ colorScheme: 'dark' });
    await screenshot(forum, 'es-overlays-dark');

    // The thanks panel, framed in the page, in Spanish too.
    const post = forum.locator('tend-overlay[data-tend-kind="post"]').first();
    await post.scrollIntoViewIfNeeded();
    await humanPause();
    await post.locator('button[aria-expanded]').click();
    await expect.poll(() => panelsOpen(post)).toBe(1);
    await expect.poll(() => panelText(post)).toContain('¿Por qué ayudó? (opcional)');
    expect(await panelText(post)).toContain('Enviar agradecimiento');
    await screenshot(forum, 'es-panel-dark');
    await forum.emulateMedia({ colorScheme: 'light' });
    await screenshot(forum, 'es-panel-light');

    // A refusal the team server sent, kept as the background keeps it (with Tend's code for it):
    // the popup says it in Spanish, with the holder's name in place.
    await ext_.evaluate(
      ({ site, at }) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('tend');
          // Never created here: an empty database would have to be upgraded from nothing.
          open.onupgradeneeded = () => open.transaction!.abort();
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('meta', 'readwrite');
            const refused = { op: { v: 1, id: 'refused-op', hlc: '', actor: 'me', type: 'claim', thread: { site, threadId: '4821' } }, reason: 'Sam claimed this first', at, code: 'claim-held', detail: 'Sam' };
            tx.objectStore('meta').put([refused], 'rejections');
            tx.oncomplete = () => (open.result.close(), resolve());
            tx.onerror = () => reject(tx.error);
          };
        }),
      { site: server.origin(HOST), at: Date.now() },
    );

    for (const scheme of ['light', 'dark'] as const) {
      const popup = await ext.context.newPage();
      await popup.setViewportSize({ width: 380, height: 600 });
      await popup.emulateMedia({ colorScheme: scheme });
      await popup.goto(ext.url(`popup.html?tabId=${tabId}`));
      await popup.locator('main[aria-busy="false"]').waitFor();
      expect(await popup.evaluate(() => document.documentElement.lang)).toBe('es');
      await expect.poll(() => popup.locator('main').innerText()).toContain('Tus reclamaciones');
      expect(await popup.locator('.rejected-card h2').textContent()).toBe('No aceptado por el equipo');
      expect(await popup.locator('.rejected-card li').textContent()).toBe('Sam lo reclamó primero.');
      expect(await overflowing(popup, 'button, h1, h2, .btn, .tab, .claim-title')).toEqual([]);
      expect(await popup.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      await screenshot(popup, `es-popup-${scheme}`);
      await popup.close();

      const options = await ext.context.newPage();
      await options.emulateMedia({ colorScheme: scheme });
      await options.goto(ext.url('options.html'));
      await options.getByRole('heading', { name: 'Recordatorios' }).waitFor();
      expect(await options.title()).toBe('Configuración de Tend');
      await expect.poll(() => options.locator('#lead option:checked').textContent()).toBe('2 h antes');
      expect(await overflowing(options, 'button, h1, h2, select, label')).toEqual([]);
      await screenshot(options, `es-settings-${scheme}`, { fullPage: true });
      await options.close();
    }
  });
});
