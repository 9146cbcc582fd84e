/**
 * Real saved pages of GitHub, Stack Overflow and Reddit in real Chromium, served under their
 * real addresses with `Content-Security-Policy: script-src 'none'` (their scripts never run):
 * Tend mounts a control on every post a reader sees, and each is drawn — on Reddit inside the
 * page's own shadow roots, where only slotted content shows. Without the real pages beside the
 * repository this skips with one line (and fails in CI).
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

    const visibleControls = (page: Page, kind: string) =>
      page.locator(`tend-overlay[data-tend-kind="${kind}"]`).evaluateAll((hosts) =>
        hosts.filter((h) => {
          const button = h.shadowRoot?.querySelector('button, .tend-chip');
          const r = button?.getBoundingClientRect();
          return !!r && r.width > 0 && r.height > 0 && getComputedStyle(button!).visibility !== 'hidden';
        }).length,
      );

    for (const p of PAGES) {
      itReal(`${p.name}: a control on every post and thread a reader sees, each drawn`, async () => {
        const page = await ext.context.newPage();
        await page.goto(server.url(p.path, p.host));
        const kind = p.posts ? 'post' : 'thread-row';
        const expected = p.posts || ('rows' in p ? p.rows : 0);
        await expect.poll(() => page.locator(`tend-overlay[data-tend-kind="${kind}"]`).count(), { timeout: 20_000 }).toBe(expected);
        await expect.poll(() => visibleControls(page, kind)).toBe(expected);
        expect(await page.locator('tend-overlay[data-tend-kind="thread"]').count()).toBe(p.thread);
        if (p.thread) await expect.poll(() => visibleControls(page, 'thread')).toBe(1);
        await screenshot(page, p.name, { fullPage: false });
        if (p.posts > 1) {
          // The comments (or answers), where most of the controls are.
          await page.locator('tend-overlay[data-tend-kind="post"]').nth(2).scrollIntoViewIfNeeded();
          await screenshot(page, `${p.name}-posts`, { fullPage: false });
        }
        await page.close();
      }, 60_000);
    }
  });
});
