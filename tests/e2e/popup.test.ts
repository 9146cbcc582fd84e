/**
 * The popup and the first-run page in real Chromium, with the test build (which grants
 * `*://*.test/*` up front, so enabling a site needs no prompt a headless browser could not
 * answer). A Discourse fixture page is served over HTTPS as forum.example.test: a forum that
 * is not built in, so Tend runs there only once enabled from the popup.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  REPO_ROOT,
  checkA11y,
  formatViolations,
  launchExtension,
  openExtensionPage,
  screenshot,
  serveFixtures,
  tabIdOf,
  type FixtureServer,
  type LaunchedExtension,
} from './helpers';

const e2e = inject('tendE2E');
const HOST = 'forum.example.test';
const TOPIC_PATH = '/t/rotating-api-keys-without-downtime/4821';
const POPUP_VIEWPORT = { width: 360, height: 640 };

type Chrome = {
  runtime: { sendMessage(m: unknown): Promise<unknown> };
  scripting: { getRegisteredContentScripts(): Promise<{ id: string; matches?: string[]; js?: string[]; persistAcrossSessions?: boolean }[]> };
  tabs: { query(q: object): Promise<{ id?: number; url?: string; active?: boolean }[]> };
};

/** Threads of a site Tend stored as unclaimed, read from its database as extension pages may. */
function unclaimedThreads(page: Page, site: string): Promise<{ threadId: string; title: string | undefined }[]> {
  return page.evaluate(
    (site) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('tend');
        // Never created here: an empty database would have to be upgraded from nothing.
        open.onupgradeneeded = () => open.transaction!.abort();
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('threads').objectStore('threads').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            type Row = { site: string; threadId: string; state: string; observation?: { fields?: { title?: { value: string } } } };
            resolve((all.result as Row[]).filter((t) => t.site === site && t.state === 'unclaimed').map((t) => ({ threadId: t.threadId, title: t.observation?.fields?.title?.value })));
            open.result.close();
          };
        };
      }),
    site,
  );
}

/** Sends a Tend request from an extension page, as the popup does. */
async function send(page: Page, request: object): Promise<{ ok: boolean; value?: any; error?: string; code?: string }> {
  return page.evaluate((r) => (globalThis as unknown as { chrome: Chrome }).chrome.runtime.sendMessage({ tend: 1, request: r }), request) as never;
}

describe.skipIf(!e2e.chromium)('popup and first-run page', () => {
  let ext: LaunchedExtension;
  let server: FixtureServer;
  let forum: Page;
  let forumTabId: number;
  let site: string;
  /** Thread counts on the forum once Tend has read the topic page (the topic and its suggested topics). */
  let seen: Record<string, number>;

  beforeAll(async () => {
    server = await serveFixtures({
      routes: {
        [TOPIC_PATH]: readFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse', 'topic.html'), 'utf8'),
      },
    });
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST] });
    site = server.origin(HOST);
  });

  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  const popup = async (tabId?: number, colorScheme: 'light' | 'dark' = 'light') => {
    const page = await ext.context.newPage();
    // Fail at the step that went wrong, not at the test's timeout.
    page.setDefaultTimeout(5_000);
    await page.setViewportSize(POPUP_VIEWPORT);
    await page.emulateMedia({ colorScheme });
    await page.goto(ext.url(tabId === undefined ? 'popup.html' : `popup.html?tabId=${tabId}`));
    await page.locator('main[aria-busy="false"]').waitFor();
    return page;
  };
  const expectAccessible = async (page: Page) => {
    const violations = await checkA11y(page);
    expect(violations, formatViolations(violations)).toEqual([]);
  };
  const counts = (page: Page) =>
    page.locator('ul[aria-label="Questions Tend has seen on this site"] li').evaluateAll((lis) => Object.fromEntries(lis.map((li) => [li.getAttribute('data-state'), Number(li.querySelector('.n')?.textContent)])));

  it('opens the first-run page on install, in the background in the test build', async () => {
    await expect.poll(() => ext.context.pages().some((p) => p.url() === ext.url('welcome.html')), { timeout: 10_000 }).toBe(true);
    const tabs = await ext.serviceWorker.evaluate(() => (globalThis as unknown as { chrome: Chrome }).chrome.tabs.query({}));
    expect(tabs.find((t) => t.url === ext.url('welcome.html'))?.active).toBe(false);
  });

  it('shows empty states where Tend cannot run, and offers to set a name', async () => {
    // Opened as a tab without ?tabId, the popup's "current tab" is itself: not a web page.
    const page = await popup();
    await expect.poll(() => page.locator('section.site').textContent()).toContain('Tend can’t run on this page.');
    expect(await page.locator('main').textContent()).toContain('Nothing claimed.');
    await page.getByRole('tab', { name: /Thanks/ }).click();
    expect(await page.locator('main').textContent()).toContain('No thanks yet.');
    await expectAccessible(page);
    await screenshot(page, 'popup-empty-light');

    const opened = ext.context.waitForEvent('page', { predicate: (p) => p.url().endsWith('/welcome.html') });
    await page.getByRole('button', { name: 'Set your name' }).click();
    const welcome = await opened;
    await welcome.close();
  });

  it('asks for a display name on the first-run page, with validation errors', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await ext.context.newPage();
      await page.setViewportSize({ width: 900, height: 700 });
      await page.emulateMedia({ colorScheme });
      await page.goto(ext.url('welcome.html'));
      await expect.poll(() => page.title()).toBe('Welcome to Tend');
      await page.getByRole('heading', { level: 1, name: 'Welcome to Tend' }).waitFor();
      const name = page.getByRole('textbox', { name: 'Display name' });
      await expect.poll(() => page.getByRole('button', { name: 'Save' }).isEnabled()).toBe(true);
      await name.fill('');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('Enter a name.');
      expect(await name.getAttribute('aria-invalid')).toBe('true');
      expect(await name.evaluate((el) => el === document.activeElement)).toBe(true);
      await expectAccessible(page);
      await screenshot(page, `welcome-error-${colorScheme}`);
      await name.fill('x'.repeat(61));
      await name.press('Enter');
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('Use at most 60 characters.');

      await name.fill('  Ada Lovelace  ');
      await name.press('Enter');
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Teammates will see you as Ada Lovelace');
      expect(await page.getByRole('alert').count()).toBe(0);
      await expectAccessible(page);
      await screenshot(page, `welcome-${colorScheme}`);
      await page.close();
    }
    const page = await popup();
    expect(await send(page, { type: 'me.get' })).toMatchObject({ ok: true, value: { name: 'Ada Lovelace' } });
    await expect.poll(() => page.locator('.me').textContent()).toBe('Ada Lovelace');
    await page.close();
  });

  it('offers to enable Tend on a forum that is not built in', async () => {
    forum = await ext.context.newPage();
    await forum.goto(server.url(TOPIC_PATH, HOST));
    forumTabId = await tabIdOf(ext, forum);
    const page = await popup(forumTabId);
    expect(await send(page, { type: 'site.status', tabId: forumTabId })).toEqual({
      ok: true,
      value: { origin: site, site, builtIn: false, enabled: false, granted: true, supported: true, reader: 'unknown' },
    });
    await expect.poll(() => page.locator('section.site').textContent()).toContain('Tend is off here');
    // Tend does not run there yet: no overlays on the page.
    expect(await forum.locator('tend-overlay').count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'popup-site-off-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(page);
    await screenshot(page, 'popup-site-off-dark');
    await page.close();
  });

  it('asks for the origin’s permission first thing in the click, then starts Tend in the open tab without a reload', async () => {
    const page = await popup(forumTabId);
    // Record the order of browser calls the click makes.
    await page.evaluate(() => {
      const w = window as unknown as { calls: string[]; chrome: { permissions: Record<string, Function>; runtime: Record<string, Function> } };
      w.calls = [];
      const { permissions, runtime } = w.chrome;
      const request = permissions.request!.bind(permissions);
      const sendMessage = runtime.sendMessage!.bind(runtime);
      permissions.request = (p: { origins: string[] }, ...rest: unknown[]) => {
        w.calls.push(`permissions.request ${p.origins.join(',')}`);
        return request(p, ...rest);
      };
      runtime.sendMessage = (m: { request?: { type?: string } }, ...rest: unknown[]) => {
        w.calls.push(`sendMessage ${m.request?.type}`);
        return sendMessage(m, ...rest);
      };
      // From the click on: what the popup asks for after its first paint is not the click's.
      document.addEventListener('pointerdown', () => (w.calls = []), { capture: true });
    });
    await page.getByRole('button', { name: 'Enable Tend on this site' }).click();
    await expect.poll(() => page.locator('section.site').textContent(), { timeout: 10_000 }).toContain('Tend is on here');
    const calls = await page.evaluate(() => (window as unknown as { calls: string[] }).calls);
    // The pattern names no port (Firefox refuses ports in match patterns).
    expect(calls[0]).toBe(`permissions.request https://${HOST}/*`);
    expect(calls).toContain('sendMessage site.enable');

    const scripts = await ext.serviceWorker.evaluate(() => (globalThis as unknown as { chrome: Chrome }).chrome.scripting.getRegisteredContentScripts());
    expect(scripts).toEqual([
      expect.objectContaining({ id: `tend-site-https-${HOST}`, matches: [`https://${HOST}/*`], js: ['content-scripts/content.js'], persistAcrossSessions: true }),
    ]);
    // Injected into the open tab: overlays appear, and the topic it observed shows in the counts, live.
    await forum.locator('tend-overlay').first().waitFor({ state: 'attached', timeout: 10_000 });
    await expect.poll(async () => (await counts(page)).unclaimed ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await counts(page)).claimed).toBe(0);
    await page.close();
  });

  it('lists my claims here and elsewhere with time left, live, and releases one from the popup', async () => {
    const page = await popup(forumTabId);
    await expect.poll(() => page.locator('ul[aria-label="Questions Tend has seen on this site"]').count()).toBe(1);
    expect(await page.locator('main').textContent()).toContain('Nothing claimed.');

    // The page is read once it settles: the counts stop changing.
    let last = '';
    await expect
      .poll(async () => {
        const now = JSON.stringify(await counts(page));
        const settled = now === last;
        last = now;
        return settled;
      }, { interval: 500 })
      .toBe(true);
    seen = await counts(page);
    // A thread Tend saw unclaimed on the page (the topic itself is answered: its suggested topics are not).
    const open = await unclaimedThreads(page, site);
    expect(open.length).toBeGreaterThan(0);
    const { threadId, title } = open[0]!;
    expect(title).toBeTruthy();
    expect(await send(page, { type: 'thread.claim', thread: { site, threadId } })).toMatchObject({ ok: true });
    expect(await send(page, { type: 'thread.claim', thread: { site: 'https://meta.discourse.org', threadId: '12483' } })).toMatchObject({ ok: true });
    expect(await send(page, { type: 'post.endorse', post: { site, threadId: '4821', postId: '3' }, author: 'sam', viewer: 'bob', note: 'Two live keys fixed our outage' })).toMatchObject({ ok: true });

    // This site's claim first, then the other site's, each with the same time left.
    const items = page.locator('ul[aria-label="Your claims"] li');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(2);
    expect(await items.nth(0).textContent()).toContain(title!);
    expect(await items.nth(0).textContent()).toContain('here');
    expect(await items.nth(0).textContent()).toContain('24 hr left');
    expect(await items.nth(1).textContent()).toContain('meta.discourse.org');
    expect(await items.nth(1).textContent()).toContain('Thread 12483');
    expect(await items.nth(1).textContent()).toContain('24 hr left');
    await expect.poll(() => counts(page)).toEqual({ ...seen, unclaimed: seen.unclaimed! - 1, claimed: 1 });
    // Only my claim here: nobody else holds one.
    expect(await page.locator('section.site').textContent()).toContain('Only you hold claims here.');

    await expectAccessible(page);
    await screenshot(page, 'popup-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(page);
    await screenshot(page, 'popup-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('tab', { name: /Thanks/ }).click();
    const given = page.locator('ul[aria-label="Thanks you gave lately"]');
    await expect.poll(() => given.textContent()).toContain('To sam');
    expect(await given.textContent()).toContain('Two live keys fixed our outage');
    await screenshot(page, 'popup-thanks-light');
    await page.getByRole('tab', { name: /Your claims/ }).click();

    // Keyboard: Tab reaches Release on my claim here, Enter releases it.
    const release = page.getByRole('button', { name: `Release claim on ${title!}` });
    for (let i = 0; i < 20 && !(await release.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await release.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => items.count()).toBe(1);
    expect(await page.locator('ul[aria-label="Your claims"]').textContent()).not.toContain(title!);
    await expect.poll(() => counts(page)).toEqual(seen);

    // Renew and Done on the other one.
    await page.getByRole('button', { name: 'Renew claim on Thread 12483' }).click();
    await expect.poll(() => items.nth(0).textContent()).toContain('24 hr left');
    await page.getByRole('button', { name: 'Done: mark Thread 12483 handled' }).click();
    await expect.poll(() => page.locator('[role=tabpanel]').textContent()).toContain('Nothing claimed.');
    await page.close();
  });

  it('turns Tend off on the site, and on again through the page request', async () => {
    const page = await popup(forumTabId);
    await page.getByRole('button', { name: 'Turn off here' }).click();
    await expect.poll(() => page.locator('section.site').textContent()).toContain('Tend is off here');
    expect(await page.getByRole('status').first().textContent()).toContain('Pages already open keep Tend until they reload');
    const registered = () => ext.serviceWorker.evaluate(() => (globalThis as unknown as { chrome: Chrome }).chrome.scripting.getRegisteredContentScripts());
    expect(await registered()).toEqual([]);
    // The test build's hosts are granted in the manifest and cannot be given back.
    expect(await send(page, { type: 'site.status', tabId: forumTabId })).toMatchObject({ ok: true, value: { enabled: false, granted: true } });
    await expectAccessible(page);

    expect(await send(page, { type: 'site.enable', origin: site, tabId: forumTabId })).toMatchObject({ ok: true, value: { enabled: true, granted: true } });
    expect((await registered()).map((s) => s.id)).toEqual([`tend-site-https-${HOST}`]);
    // Refused where no prompt was answered: an origin outside the granted hosts.
    expect(await send(page, { type: 'site.enable', origin: 'https://forum.example.org' })).toMatchObject({ ok: false, code: 'site-not-granted' });
    // Page-only: a content script cannot flip it (checked in unit tests); built-in hosts stay on.
    expect(await send(page, { type: 'site.disable', origin: 'https://meta.discourse.org' })).toMatchObject({ ok: false, code: 'site-built-in' });

    // A fresh load of the page runs the registered script by itself.
    await forum.reload();
    await forum.locator('tend-overlay').first().waitFor({ state: 'attached', timeout: 10_000 });
    await page.close();
  });
});
