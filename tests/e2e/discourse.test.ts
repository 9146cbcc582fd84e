/**
 * Tend on Discourse in real Chromium: the project's Discourse fixture pages (hand-written and
 * generated) served over HTTPS as meta.discourse.org, a built-in host, with the test build
 * loaded (its shadow roots are open, so locators can reach inside overlays).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { discoursePost, discourseListPage, discourseTopicPage } from '../fixtures/discourse/generate';
import { REPO_ROOT, checkA11y, endorsePanel, formatViolations, humanPause, launchExtension, panelText, panelsOpen, screenshot, serveFixtures, type FixtureServer, type LaunchedExtension } from './helpers';

const e2e = inject('tendE2E');
const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const HOST = 'meta.discourse.org';

const bigTopic = discourseTopicPage({ topicId: 5000, title: 'A very long topic', posts: 1_000, viewer: 'bob' });
const cloakedTopic = discourseTopicPage({ topicId: 5001, title: 'Cloaked posts', posts: 12, viewer: 'bob', cloakedFrom: 7 });
const list = discourseListPage([
  { id: 4821, title: 'Rotating API keys without downtime', replies: 5, solved: true },
  { id: 5000, title: 'A very long topic', replies: 999 },
  { id: 5001, title: 'Cloaked posts', replies: 11 },
  { id: 5002, title: 'Nobody has looked at this', replies: 0 },
]);
const darkTopic = discourseTopicPage({ topicId: 5003, title: 'Dark theme topic', posts: 3, viewer: 'bob' }).replace(
  '<head>',
  '<head><style>html,body{background:#111418;color:#e8e8e8} a{color:#8ab4f8}</style>',
);

describe.skipIf(!e2e.chromium)('Tend on Discourse', () => {
  let ext: LaunchedExtension;
  let server: FixtureServer;

  beforeAll(async () => {
    server = await serveFixtures({
      root: FIXTURES,
      routes: {
        '/t/a-very-long-topic/5000': bigTopic,
        '/t/cloaked-posts/5001': cloakedTopic,
        '/t/dark-theme-topic/5003': darkTopic,
        '/latest': list,
        '/t/rotating-api-keys-without-downtime/4821': readFileSync(path.join(FIXTURES, 'topic.html'), 'utf8'),
      },
    });
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST, 'forum.example.test'] });
    // A step that cannot happen fails with its own message instead of the test's timeout.
    ext.context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  const open = async (urlPath: string): Promise<Page> => {
    const page = await ext.context.newPage();
    await page.goto(server.url(urlPath, HOST));
    // Overlays appear, and a person looks before clicking.
    await page.locator('tend-overlay').first().waitFor({ state: 'attached' });
    await humanPause();
    return page;
  };
  const posts = (page: Page) => page.locator('tend-overlay[data-tend-kind="post"]');
  const claimBar = (page: Page) => page.locator('tend-overlay[data-tend-kind="thread"]');
/** Text inside an overlay's (open, test-build) shadow root: the host's own textContent is empty. */
const shadowText = (overlay: Locator) => overlay.locator('span').first().textContent();
  const endorseButton = (overlay: Locator) => overlay.getByRole('button', { name: /This helped/ });

  it('mounts an overlay on every rendered post and on the topic, accessibly', async () => {
    const page = await open('/t/rotating-api-keys-without-downtime/4821');
    await claimBar(page).waitFor();
    // Posts 1-4 and 6 are rendered; post 5 is cloaked.
    await expect.poll(() => posts(page).count()).toBe(5);
    await expect.poll(() => shadowText(claimBar(page))).toMatch(/I'll handle this/);
    const violations = await checkA11y(page, { include: 'tend-overlay' } as never);
    expect(violations, formatViolations(violations)).toEqual([]);
    await screenshot(page, 'discourse-topic-light', { fullPage: true });
    await page.close();
  });

  it('endorses a post with a note, and the note is still there after a reload', async () => {
    const page = await open('/t/rotating-api-keys-without-downtime/4821');
    const third = page.locator('#post_3 tend-overlay');
    await endorseButton(third).click();
    const panel = endorsePanel(third);
    await panel.getByLabel(/Why did it help/).fill('Rotating with two live keys fixed our outage');
    await screenshot(page, 'discourse-endorse-popover', { fullPage: false });
    await humanPause();
    await panel.getByRole('button', { name: 'Send thanks' }).click();
    await expect.poll(() => endorseButton(third).textContent()).toMatch(/1/);
    // Sent: the panel closes and focus is back on the button that opened it.
    await expect.poll(() => panelsOpen(third)).toBe(0);
    expect(await endorseButton(third).evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b)).toBe(true);
    await endorseButton(third).click();
    await expect.poll(() => panelText(third)).toContain('Rotating with two live keys fixed our outage');
    await page.reload();
    const again = page.locator('#post_3 tend-overlay');
    await expect.poll(() => endorseButton(again).textContent()).toMatch(/1/);
    await endorseButton(again).click();
    await expect.poll(() => panelText(again)).toContain('Rotating with two live keys fixed our outage');
    // My own post (bob is the viewer, post 2 is bob's) says who thanked me, and offers nothing to do.
    const own = page.locator('#post_2 tend-overlay');
    const ownButton = own.locator('button[aria-expanded]');
    await expect.poll(() => ownButton.textContent()).toBe('♡No thanks yet');
    await ownButton.click();
    await expect.poll(() => panelText(own)).toContain('Nobody has said this post helped them yet.');
    expect(await panelText(own)).not.toContain('Be the first');
    expect(await endorsePanel(own).getByRole('button', { name: 'Send thanks' }).count()).toBe(0);
    expect(await endorsePanel(own).locator('textarea').count()).toBe(0);
    await screenshot(page, 'discourse-own-post-panel');
    await page.close();
  });

  it('is operable from the keyboard alone', async () => {
    const page = await open('/t/rotating-api-keys-without-downtime/4821');
    const fourth = page.locator('#post_4 tend-overlay');
    await endorseButton(fourth).focus();
    await page.keyboard.press('Enter');
    // The panel opens with the note field focused.
    const note = endorsePanel(fourth).locator('textarea');
    await expect.poll(() => note.evaluate((el) => el === el.ownerDocument.activeElement && el.ownerDocument.hasFocus())).toBe(true);
    await page.keyboard.type('Clear steps, thank you');
    await humanPause();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const toggle = fourth.locator('button[aria-expanded]');
    await expect.poll(() => toggle.textContent()).toMatch(/1/);
    // Sent: the panel closes by itself and focus is back on the button that opened it.
    await expect.poll(() => panelsOpen(fourth)).toBe(0);
    await expect.poll(() => toggle.evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b)).toBe(true);
    // Escape closes it too.
    await page.keyboard.press('Enter');
    await expect.poll(() => panelsOpen(fourth)).toBe(1);
    await expect.poll(() => endorsePanel(fourth).getByRole('button', { name: /Take back/ }).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => panelsOpen(fourth)).toBe(0);
    await expect.poll(() => toggle.evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b)).toBe(true);
    await page.close();
  });

  it('claims the topic with time left, then releases it', async () => {
    const page = await open('/t/rotating-api-keys-without-downtime/4821');
    const bar = claimBar(page);
    await bar.getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(bar)).toMatch(/You're on it · 24 hr left/);
    // Another tab on the same topic sees it live, without reloading.
    const other = await open('/t/rotating-api-keys-without-downtime/4821');
    await expect.poll(() => shadowText(claimBar(other))).toMatch(/You're on it/);
    await bar.getByRole('button', { name: 'Release' }).click();
    await expect.poll(() => shadowText(bar)).toMatch(/I'll handle this/);
    await expect.poll(() => shadowText(claimBar(other))).toMatch(/I'll handle this/);
    await page.close();
    await other.close();
  });

  it('shows a state chip on every topic-list row', async () => {
    const claim = await open('/t/cloaked-posts/5001');
    await claimBar(claim).waitFor();
    await humanPause();
    await claimBar(claim).getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(claimBar(claim))).toMatch(/You're on it/);
    await claim.close();
    const page = await open('/latest');
    const chips = page.locator('tend-overlay[data-tend-kind="thread-row"]');
    await expect.poll(() => chips.count()).toBe(4);
    await expect.poll(() => shadowText(chips.nth(2))).toBe('Claimed by you');
    await expect.poll(() => shadowText(chips.nth(3))).toBe('Unclaimed');
    await screenshot(page, 'discourse-latest-chips');
    await page.close();
  });

  it('follows client-side navigation from the list to a topic (history push + DOM swap)', async () => {
    const page = await open('/latest');
    await expect.poll(() => page.locator('tend-overlay[data-tend-kind="thread-row"]').count()).toBe(4);
    // What Ember's router does: push a URL and swap the outlet's content, no reload.
    await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      history.pushState({}, '', '/t/dark-theme-topic/5003');
      document.title = doc.title;
      document.querySelector('#main-outlet')!.replaceChildren(...doc.querySelector('#main-outlet')!.childNodes);
    }, darkTopic);
    await expect.poll(() => posts(page).count()).toBe(3);
    await expect.poll(() => claimBar(page).count()).toBe(1);
    expect(await page.locator('tend-overlay[data-tend-kind="thread-row"]').count()).toBe(0);
    // A router that replaces the outlet element itself is followed too.
    await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      history.pushState({}, '', '/latest');
      document.querySelector('#main-outlet')!.replaceWith(doc.querySelector('#main-outlet')!);
    }, list);
    await expect.poll(() => page.locator('tend-overlay[data-tend-kind="thread-row"]').count()).toBe(4);
    expect(await posts(page).count()).toBe(0);
    await page.close();
  });

  it('mounts overlays on cloaked posts as they render', async () => {
    const page = await open('/t/cloaked-posts/5001');
    await expect.poll(() => posts(page).count()).toBe(6);
    await page.evaluate((html) => {
      for (const n of [7, 8]) {
        const wrapper = document.getElementById(`post_${n}`)!;
        const t = document.createElement('template');
        t.innerHTML = html.replaceAll('__N__', String(n));
        wrapper.replaceWith(t.content.firstElementChild!);
      }
    }, discoursePost(5001, 'cloaked-posts', 0, 'carol').replaceAll('post_0', 'post___N__').replaceAll('"0"', '"__N__"').replace('post #0', 'post #__N__'));
    await expect.poll(() => posts(page).count()).toBe(8);
    await page.close();
  });

  it('mounts all overlays on a topic with 1,000 posts', async () => {
    const page = await open('/t/a-very-long-topic/5000');
    await expect.poll(() => posts(page).count(), { timeout: 20_000 }).toBe(1_000);
    expect(await claimBar(page).count()).toBe(1);
    // Never twice: one host per post.
    expect(await page.locator('article tend-overlay').count()).toBe(1_000);
    await page.close();
  });

  it('follows a dark page theme', async () => {
    const page = await open('/t/dark-theme-topic/5003');
    await expect.poll(() => posts(page).count()).toBe(3);
    expect(await posts(page).first().getAttribute('data-theme')).toBe('dark');
    await endorseButton(posts(page).nth(0)).click();
    await screenshot(page, 'discourse-topic-dark');
    const violations = await checkA11y(page, { include: 'tend-overlay' } as never);
    expect(violations, formatViolations(violations)).toEqual([]);
    await page.close();
  });
});
