/**
 * Real saved pages of GitHub, Stack Overflow and Reddit in real Chromium, served under their
 * real addresses with `Content-Security-Policy: script-src 'none'` (their scripts never run):
 * Tend holds a place on every post at once, draws the controls of the first screen, and — the
 * window swept down the page, then each post still without controls scrolled to — ends with a
 * drawn control on every post, including those the browser does not lay out (replies inside a
 * collapsed Reddit comment); on Reddit inside the page's own shadow roots, where only slotted
 * content shows. Without the real pages beside the repository this skips with one line (and
 * fails in CI).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import { describeReal, itReal, realPage } from '../helpers/real-fixtures';
import { launchExtension, screenshot, serveFixtures, type FixtureServer, type LaunchedExtension } from './helpers';

const e2e = inject('tendE2E');
const CSP = "script-src 'none'";

const PAGES = [
  { name: 'github-real-issue', host: 'github.com', path: '/kepano/defuddle/issues/56', file: 'github/gh-issue-kepano-defuddle-56.html', posts: 7, thread: 1 },
  { name: 'stackoverflow-real-question', host: 'stackoverflow.com', path: '/questions/2003505/how-do-i-delete-a-git-branch-locally-and-remotely', file: 'stackexchange/so-question-2003505-accepted.html', posts: 30, thread: 1 },
  { name: 'reddit-real-thread', host: 'www.reddit.com', path: '/r/programming/comments/1nq6g8p/postgresql_18_released/', file: 'reddit/shreddit-thread-r-programming-1nq6g8p-2025-10.html', posts: 59, thread: 1 },
  { name: 'reddit-real-listing', host: 'www.reddit.com', path: '/r/programming/', file: 'reddit/shreddit-subreddit-listing-r-programming-2025-10.html', posts: 0, thread: 0, rows: 28 },
] as const;

describeReal('real saved pages in Chromium', () => {
  describe.skipIf(!e2e.chromium)('Tend on the real pages', () => {
    let ext: LaunchedExtension;
    let server: FixtureServer;

    beforeAll(async () => {
      server = await serveFixtures({
        routes: Object.fromEntries(PAGES.map((p) => [p.path, { headers: { 'Content-Security-Policy': CSP }, body: realPage(p.file) }])),
      });
      ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: ['github.com', 'stackoverflow.com', 'www.reddit.com'], viewport: { width: 1280, height: 900 } });
      ext.context.setDefaultTimeout(20_000);
    });
    afterAll(async () => {
      await ext?.close();
      await server?.close();
    });

    /** Each overlay of a kind, in page order: whether its control is drawn, and whether it is in the window. */
    const overlays = (page: Page, kind: string) =>
      page.locator(`tend-overlay[data-tend-kind="${kind}"]`).evaluateAll((hosts) =>
        hosts.map((h) => {
          const button = h.shadowRoot?.querySelector('button, .tend-chip');
          const r = button?.getBoundingClientRect();
          const box = h.getBoundingClientRect();
          return {
            drawn: !!r && r.width > 0 && r.height > 0 && getComputedStyle(button!).visibility !== 'hidden',
            // Shown to the reader: laid out, not in content the page does not draw (a closed <details>).
            inWindow: h.checkVisibility() && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
          };
        }),
      );
    const drawnCount = async (page: Page, kind: string) => (await overlays(page, kind)).filter((o) => o.drawn).length;
    /** How many overlays in the window have no drawn control yet. */
    const bareInWindow = async (page: Page, kind: string) => (await overlays(page, kind)).filter((o) => o.inWindow && !o.drawn).length;

    for (const p of PAGES) {
      itReal(`${p.name}: a control on every post and thread, drawn where the reader goes`, async () => {
        const page = await ext.context.newPage();
        await page.goto(server.url(p.path, p.host));
        const kind = p.posts ? 'post' : 'thread-row';
        const expected = p.posts || ('rows' in p ? p.rows : 0);
        const hosts = page.locator(`tend-overlay[data-tend-kind="${kind}"]`);
        // Every post has its place at once; the first screen's controls are drawn.
        await expect.poll(() => hosts.count(), { timeout: 20_000 }).toBe(expected);
        await expect.poll(() => bareInWindow(page, kind)).toBe(0);
        expect(await drawnCount(page, kind)).toBeGreaterThan(0);
        expect(await page.locator('tend-overlay[data-tend-kind="thread"]').count()).toBe(p.thread);
        if (p.thread) await expect.poll(() => drawnCount(page, 'thread')).toBe(1);
        await screenshot(page, p.name, { fullPage: false });

        // The window swept down the page: wherever it stops, what it shows is drawn.
        const { height, step } = await page.evaluate(() => ({ height: document.documentElement.scrollHeight, step: Math.round(innerHeight * 0.8) }));
        for (let y = step; y < height; y += step) {
          await page.evaluate((top) => scrollTo(0, top), y);
          await expect.poll(() => bareInWindow(page, kind), { message: `overlays without controls in the window at ${y}px` }).toBe(0);
        }
        // Each post still without a drawn control is scrolled to; it must be drawn then.
        const bare: number[] = [];
        for (const [i, o] of (await overlays(page, kind)).entries()) {
          if (o.drawn) continue;
          await hosts.nth(i).evaluate((h) => h.scrollIntoView({ block: 'center' }));
          const drawn = await expect
            .poll(async () => (await overlays(page, kind))[i]?.drawn, { timeout: 3_000 })
            .toBe(true)
            .then(() => true, () => false);
          if (!drawn) bare.push(i);
        }
        expect(bare, 'overlays never drawn, by their place in the page').toEqual([]);
        expect(await drawnCount(page, kind)).toBe(expected);
        if (p.posts > 1) {
          // The comments (or answers), where most of the controls are.
          await hosts.nth(2).scrollIntoViewIfNeeded();
          await screenshot(page, `${p.name}-posts`, { fullPage: false });
        }
        await page.close();
      }, 90_000);
    }
  });
});
