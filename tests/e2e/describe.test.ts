/**
 * A forum Tend has never seen, described as a person would: "Bramble" (tests/fixtures/bramble,
 * markup like no built-in platform) served as bramble.test. Ada enables Tend there from the
 * popup, opens "Describe this forum", picks the posts and their authors on the page, types the
 * rest, and saves; Tend starts in the open tab without a reload. She thanks a post, claims the
 * thread and sees chips on the board after a client-side move. Then she shares the description
 * with her team, and Ben, in another browser, gets it from the team server, enables the forum
 * himself and sees Ada's claim live.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type TendServer } from '../../server/http';
import { brambleBoardPage, brambleThreadPage, brambleThreadPath, type BrambleThread } from '../fixtures/bramble/generate';
import { checkA11y, endorseToggle, formatViolations, humanPause, launchExtension, sendThanks, shadowText, openQuietExtensionPage, screenshot, sendFromPage, serveFixtures, tabIdOf, type FixtureServer, type LaunchedExtension } from './helpers';

const e2e = inject('tendE2E');
const HOST = 'bramble.test';
const THREADS: BrambleThread[] = [
  { id: 12, title: 'Export my reading list', replies: 5 },
  { id: 13, title: 'Change the night theme', replies: 2, solved: true },
  { id: 14, title: 'Merge two accounts', replies: 0 },
];
const THREAD = THREADS[0]!;
const HUGE: BrambleThread = { id: 99, title: 'Ten thousand replies', replies: 9_999 };

/** Pages as each member sees them (cookie `member`). */
function route(render: (member: string | null) => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const member = /(?:^|;\s*)member=([a-z]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(render(member));
  };
}

const overlays = (page: Page, kind: string) => page.locator(`tend-overlay[data-tend-kind="${kind}"]`);

describe.skipIf(!e2e.chromium)('describing a forum Tend has never seen', () => {
  let dataDir: string;
  let server: TendServer;
  let fixtures: FixtureServer;
  let ada: LaunchedExtension;
  let ben: LaunchedExtension;
  let origin: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tend-e2e-describe-'));
    server = await startServer({ databaseUrl: path.join(dataDir, 'tend.sqlite'), port: 0, host: '127.0.0.1', rateLimit: false, joinRateLimit: false, pollMs: 200, log: () => undefined });
    fixtures = await serveFixtures({
      routes: {
        '/board': route((member) => brambleBoardPage(THREADS, { member })),
        ...Object.fromEntries(THREADS.map((t) => [brambleThreadPath(t), route((member) => brambleThreadPage(t, t.replies + 1, { member }))])),
        // A page of ten thousand posts, for a description that matches far too much.
        [brambleThreadPath(HUGE)]: route((member) => brambleThreadPage(HUGE, 10_000, { member })),
      },
    });
    origin = fixtures.origin(HOST);
    const team = await server.store.resolveTeam('Bramble helpers', true);
    const launch = async (member: string, name: string, role: 'manager' | 'member') => {
      const ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST] });
      ext.context.setDefaultTimeout(15_000);
      await ext.context.addCookies([{ name: 'member', value: member, domain: HOST, path: '/', secure: true }]);
      const control = await openQuietExtensionPage(ext);
      const joined = await sendFromPage(control, { type: 'sync.join', server: server.url, code: (await server.store.createInvite(team.id, role)).code, name });
      expect(joined, JSON.stringify(joined)).toMatchObject({ ok: true });
      await control.close();
      return ext;
    };
    ada = await launch('ada', 'Ada', 'manager');
    ben = await launch('ben', 'Ben', 'member');
  });

  afterAll(async () => {
    await Promise.all([ada?.close(), ben?.close()]);
    await server?.close();
    await fixtures?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  let forum: Page;
  let editor: Page;

  it('enables Tend on the forum from the popup, which then offers to describe it', async () => {
    forum = await ada.context.newPage();
    await forum.setViewportSize({ width: 1100, height: 900 });
    await forum.goto(fixtures.url(brambleThreadPath(THREAD), HOST));
    const tabId = await tabIdOf(ada, forum);
    const popup = await ada.context.newPage();
    await popup.setViewportSize({ width: 380, height: 600 });
    await popup.goto(ada.url(`popup.html?tabId=${tabId}`));
    await popup.getByRole('button', { name: 'Enable Tend on this site' }).click();
    await expect.poll(() => popup.locator('section.site').textContent(), { timeout: 10_000 }).toContain('does not know this forum yet');
    // Nothing reads it yet: no overlays.
    expect(await forum.locator('tend-overlay').count()).toBe(0);
    await screenshot(popup, 'describe-popup-unknown-forum', { fullPage: false });
    const opened = ada.context.waitForEvent('page', { predicate: (p) => p.url().includes('options.html#describe=') });
    await popup.getByRole('button', { name: 'Describe this forum' }).click();
    editor = await opened;
    await editor.setViewportSize({ width: 1000, height: 1000 });
    await editor.getByRole('heading', { name: `Describe ${HOST}` }).waitFor();
    await expect.poll(() => editor.getByLabel('Working on').inputValue()).toBe(String(tabId));
  });

  /** Presses Pick for a field, then clicks the element on the forum as a person would. */
  async function pick(field: string, target: Locator, offset: { x: number; y: number } | 'centre' = 'centre'): Promise<void> {
    await editor.locator(`[data-field="${field}"]`).getByRole('button', { name: 'Pick' }).click();
    // The forum's tab comes to the front with the picker on.
    await forum.bringToFront();
    await expect.poll(() => forum.locator('tend-editor-layer[data-picking]').count()).toBe(1);
    const box = (await target.boundingBox())!;
    const x = offset === 'centre' ? box.x + box.width / 2 : box.x + offset.x;
    const y = offset === 'centre' ? box.y + box.height / 2 : box.y + offset.y;
    await forum.mouse.move(x, y);
    await forum.mouse.move(x + 1, y + 1);
    await forum.mouse.click(x + 1, y + 1);
    await expect.poll(() => forum.locator('tend-editor-layer[data-picking]').count()).toBe(0);
    await editor.bringToFront();
  }

  it('is described through the editor: two fields picked on the page, the others typed, with live counts', async () => {
    // Each post: clicked on its frame, not its text.
    await pick('posts.item', forum.locator('section.entry').nth(1), { x: 6, y: 6 });
    const postItem = editor.locator('[data-field="posts.item"] input');
    await expect.poll(() => postItem.inputValue()).toBe('section.entry');
    await expect.poll(() => editor.locator('[data-field="posts.item"] .count').textContent()).toBe('6 found');
    // Tend proposed where each post's id is.
    await expect.poll(() => editor.locator('[data-field="posts.id"] input[aria-label="Attribute"]').inputValue()).toBe('data-entry');
    await expect.poll(() => editor.locator('[data-field="posts.id"] .count').textContent()).toBe('6 of 6');

    // Its author: clicked on the name in one post.
    await pick('posts.author', forum.locator('section.entry').nth(2).locator('.who b'));
    await expect.poll(() => editor.locator('[data-field="posts.author"] input').inputValue()).toMatch(/\bb$/);
    await expect.poll(() => editor.locator('[data-field="posts.author"] .count').textContent()).toBe('6 of 6');
    await expect.poll(() => editor.locator('[data-field="posts.author"] .sample').textContent()).toBe('“wren”');

    // Escape on the page cancels a pick and leaves the field as it was.
    await editor.locator('[data-field="posts.body"]').getByRole('button', { name: 'Pick' }).click();
    await forum.bringToFront();
    await expect.poll(() => forum.locator('tend-editor-layer[data-picking]').count()).toBe(1);
    await forum.keyboard.press('Escape');
    await expect.poll(() => forum.locator('tend-editor-layer[data-picking]').count()).toBe(0);
    await editor.bringToFront();
    await expect.poll(() => editor.locator('[data-field="posts.body"]').getByRole('button', { name: 'Pick' }).isEnabled()).toBe(true);
    expect(await editor.locator('[data-field="posts.body"] input').inputValue()).toBe('');

    // A selector the browser cannot read, and an unsafe pattern, are said so in place.
    await editor.locator('[data-field="thread.title"] input').fill('h2[[');
    await expect.poll(() => editor.locator('[data-field="thread.title"] [role=alert]').textContent()).toMatch(/not a selector this browser reads/);
    await editor.locator('[data-field="thread.id"] input.pattern').fill('^(\\d+)+$');
    await expect.poll(() => editor.locator('[data-field="thread.id"] [role=alert]').textContent()).toMatch(/repeated/);
    await editor.locator('[data-field="thread.id"] input.pattern').fill('');

    // The rest typed.
    await editor.locator('[data-field="thread.title"] input').fill('h2.discussion__title');
    await expect.poll(() => editor.locator('[data-field="thread.title"] .count').textContent()).toBe('1 found');
    // The thread's id from the address: Tend proposed the pattern.
    await expect.poll(() => editor.locator('[data-field="thread.id"] input.pattern').inputValue()).toBe('^/thread/(\\d+)');
    await expect.poll(() => editor.locator('[data-field="thread.id"] .sample').textContent()).toBe('“12”');
    await editor.locator('[data-field="posts.permalink"] input').fill('a.plink');
    await editor.locator('[data-field="list.row"] input').fill('li.topic-line');
    await editor.locator('[data-field="list.title"] input').fill('a.topic-line__go');
    await editor.locator('[data-field="list.id"] input.pattern').fill('^/thread/(\\d+)');
    await editor.locator('[data-field="viewer"] input').fill('.signed-in .me-name');
    await expect.poll(() => editor.locator('.ed-summary').textContent()).toBe('6 posts, 6 authors, 6 ids, 6 permalinks, 1 title, 0 rows');

    // The forum's tab outlines what the fields find.
    await forum.bringToFront();
    await screenshot(forum, 'describe-outlines', { fullPage: false });
    await editor.bringToFront();
    const violations = await checkA11y(editor);
    expect(violations, formatViolations(violations)).toEqual([]);
    await screenshot(editor, 'describe-editor', { fullPage: true });

    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => editor.getByRole('status').last().textContent()).toContain(`Saved. Tend now reads ${HOST}`);
  });

  it('runs in the open tab without a reload: thanks, a claim, and chips after a client-side move', async () => {
    await forum.bringToFront();
    await expect.poll(() => overlays(forum, 'post').count(), { timeout: 10_000 }).toBe(6);
    await expect.poll(() => overlays(forum, 'thread').count()).toBe(1);
    // The outlines went with the editor's fields saved; close the editor to clear them.
    await editor.getByRole('button', { name: 'Back to settings' }).click();
    await expect.poll(() => forum.locator('tend-editor-layer').count()).toBe(0);
    await forum.bringToFront();

    const post = forum.locator('section.entry').nth(2).locator('tend-overlay');
    await sendThanks(post, 'The export steps worked on the first try');
    await expect.poll(() => endorseToggle(post).textContent()).toMatch(/1/);

    const bar = overlays(forum, 'thread');
    await bar.getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(bar)).toMatch(/You're on it · 24 hr left/);
    await expect.poll(() => shadowText(bar)).not.toContain('saving');
    await screenshot(forum, 'describe-forum-overlays', { fullPage: false });

    // A client-side move to the board: chips on every row, none on posts any more.
    await forum.locator('a[data-nav]', { hasText: 'Bramble' }).click();
    await expect.poll(() => forum.url()).toBe(fixtures.url('/board', HOST));
    await expect.poll(() => overlays(forum, 'thread-row').count(), { timeout: 10_000 }).toBe(3);
    expect(await overlays(forum, 'post').count()).toBe(0);
    await expect.poll(() => shadowText(overlays(forum, 'thread-row').nth(0))).toBe('Claimed by you');
    await expect.poll(() => shadowText(overlays(forum, 'thread-row').nth(2))).toBe('Unclaimed');
    await screenshot(forum, 'describe-board-chips', { fullPage: false });
  });

  it('shares the description with the team; a teammate enables the forum and sees the claim live', async () => {
    await editor.goto(ada.url(`options.html#describe=${encodeURIComponent(origin)}`));
    await editor.getByRole('button', { name: 'Share with the team' }).click();
    await expect.poll(() => editor.getByRole('status').last().textContent()).toContain('Shared with your team');

    const settings = await ben.context.newPage();
    await settings.setViewportSize({ width: 900, height: 900 });
    await settings.goto(ben.url('options.html'));
    const row = settings.locator(`.site-row[data-origin]`, { hasText: HOST });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('shared by Ada');
    await screenshot(settings, 'describe-teammate-sites');
    expect(await row.locator('.site-state').textContent()).toBe('off');
    await row.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => row.locator('.site-state').textContent(), { timeout: 10_000 }).toBe('on');
    expect(await settings.locator('.site-row').count()).toBe(1);

    const page = await ben.context.newPage();
    await page.goto(fixtures.url(brambleThreadPath(THREAD), HOST));
    await expect.poll(() => overlays(page, 'post').count(), { timeout: 10_000 }).toBe(6);
    await expect.poll(() => shadowText(overlays(page, 'thread')), { timeout: 10_000 }).toMatch(/Ada is on it/);
    // Live: Ada releases, Ben's bar follows without a reload.
    await forum.goto(fixtures.url(brambleThreadPath(THREAD), HOST));
    await forum.bringToFront();
    await overlays(forum, 'thread').getByRole('button', { name: 'Release' }).waitFor();
    await humanPause();
    await overlays(forum, 'thread').getByRole('button', { name: 'Release' }).click();
    await expect.poll(() => shadowText(overlays(page, 'thread')), { timeout: 5_000 }).toMatch(/I'll handle this/);
  });

  it('exports descriptions, and importing the same file twice changes nothing', async () => {
    const settings = await ben.context.newPage();
    await settings.goto(ada.url('options.html'));
    await settings.close();
    const page = await ada.context.newPage();
    await page.goto(ada.url('options.html'));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export descriptions' }).click();
    const file = await (await download).path();
    await expect.poll(() => page.locator('.sites-card').getByRole('status').last().textContent()).toBe('Exported 1 descriptions.');

    const other = await ben.context.newPage();
    await other.goto(ben.url('options.html'));
    await other.locator('.site-io input[type=file]').setInputFiles(file);
    await expect.poll(() => other.locator('.sites-card').getByRole('status').last().textContent()).toBe('Imported: 1 new or changed, 0 already here.');
    await other.locator('.site-io input[type=file]').setInputFiles(file);
    await expect.poll(() => other.locator('.sites-card').getByRole('status').last().textContent()).toBe('Imported: 0 new or changed, 1 already here.');
    await expect.poll(() => other.locator('.site-row', { hasText: HOST }).textContent()).toContain('Read with your description “bramble.test”');
    await page.close();
    await other.close();
  });

  it('refuses an unsafe description, and bounds one that matches far too much: the page stays responsive', async () => {
    const control = await openQuietExtensionPage(ada);
    const unsafe = await sendFromPage(control, {
      type: 'site.description.save',
      origin,
      description: { version: 1, name: 'x', origins: [origin], thread: { container: 'body', id: { from: 'url', pattern: '^(a+)+$' }, title: { selector: 'h2' }, anchor: { placement: 'after' } } },
    });
    expect(unsafe).toMatchObject({ ok: false, error: expect.stringMatching(/repeated/) });
    // A selector that matches ten thousand posts, each read with a costly selector.
    const greedy = {
      version: 1,
      name: 'Too much',
      origins: [origin],
      thread: { container: 'article.discussion', id: { from: 'url', pattern: '^/thread/(\\d+)' }, title: { selector: 'h2' }, anchor: { selector: 'h2', element: 'h2', placement: 'after' } },
      posts: { item: 'section.entry', id: { attr: 'data-entry' }, author: { selector: 'header *:not(a) ~ * ~ *, b' }, anchor: { placement: 'append' } },
    };
    expect(await sendFromPage(control, { type: 'site.description.save', origin, description: greedy })).toMatchObject({ ok: true });
    const page = await ada.context.newPage();
    await page.addInitScript(() => {
      // The page keeps a clock: how long did its main thread stay busy?
      const w = window as unknown as { longest: number };
      w.longest = 0;
      let last = performance.now();
      const tick = () => {
        const now = performance.now();
        w.longest = Math.max(w.longest, now - last);
        last = now;
        setTimeout(tick, 10);
      };
      setTimeout(tick, 10);
    });
    await page.goto(fixtures.url(brambleThreadPath(HUGE), HOST));
    await expect.poll(() => page.locator('tend-overlay').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(1_500);
    const count = await page.locator('tend-overlay').count();
    // At most 2,000 posts are read from one page, and the thread.
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThanOrEqual(2_001);
    // It answers at once, and its longest busy stretch while Tend read it stayed bounded.
    const started = Date.now();
    const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
    expect(Date.now() - started).toBeLessThan(2_000);
    console.log(`[describe e2e] greedy description on 10,000 posts: ${count} overlays, page's longest busy stretch ${Math.round(longest)} ms`);
    expect(longest).toBeLessThan(5_000);
    // Back to the real description.
    await sendFromPage(control, { type: 'site.description.remove', origin });
    await page.close();
    await control.close();
  });
});
