/**
 * Tend on GitHub, Stack Overflow (and a Stack Exchange site) and Reddit in real Chromium: the
 * project's pages of each (tests/fixtures/github, stackexchange, reddit) served over HTTPS under
 * the sites' real host names, with the test build loaded (its shadow roots are open, so
 * locators reach inside overlays). On each: thank a post with a note, claim the thread, chips
 * on a list, one client-side move, the site's dark theme; then the popup shows every claim
 * together. Screenshots go to test-results/screenshots.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  GITHUB_FIXTURES,
  ghComments,
  githubDiscussion,
  githubIssueReact,
  githubIssuesReact,
  type GhIssue,
  type GhRow,
} from '../fixtures/github/generate';
import { RD_POST, RD_POSTS, REDDIT_FIXTURES, oldThread, rdComments, shredditListing, shredditThread } from '../fixtures/reddit/generate';
import { ADA, GRACE, LINUS, STACKEXCHANGE_FIXTURES, questionPage, questionsPage, seAnswers } from '../fixtures/stackexchange/generate';
import { checkA11y, endorsePanel, formatViolations, humanPause, launchExtension, openPanel, panelText, panelsOpen, shadowText, screenshot, serveFixtures, tabIdOf, type FixtureServer, type LaunchedExtension } from './helpers';

const e2e = inject('tendE2E');
const HOSTS = ['github.com', 'stackoverflow.com', 'puzzling.stackexchange.com', 'www.reddit.com', 'old.reddit.com'];

const ISSUE: GhIssue = { owner: 'tend-demo', repo: 'widgets', number: 56, title: 'Widgets flicker on resize', author: 'octo-ada', state: 'open', id: 3089558116, comments: ghComments(4, 2908119605) };
const ROWS: GhRow[] = [
  { number: 56, title: 'Widgets flicker on resize', author: 'octo-ada', comments: 4, state: 'open' },
  { number: 55, title: 'Docs: the config example is out of date', author: 'cyrus', comments: 0, state: 'open' },
  { number: 54, title: 'Crash when the list is empty', author: 'dana-k', comments: 2, state: 'closed' },
];
const SE_QUESTION = { id: 79000001, title: 'How do I rotate API keys without downtime?', author: ADA, tags: ['api', 'security'], answers: [...seAnswers(3, 79000010, true), { id: 79000020, author: null }] };
const SE_PATH = '/questions/79000001/how-do-i-rotate-api-keys-without-downtime';

/** Pages chosen by host and path (old and new Reddit share paths). */
function pages(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://x');
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const dark = url.searchParams.has('dark');
  const html = pageFor(host, url, dark);
  res.statusCode = html ? 200 : 404;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(html ?? 'not found');
}

function pageFor(host: string, url: URL, dark: boolean): string | null {
  const p = url.pathname;
  if (host === 'github.com') {
    const viewer = { viewer: 'brook', dark };
    if (p === '/tend-demo/widgets/issues') return githubIssuesReact('tend-demo', 'widgets', ROWS, viewer);
    if (p === '/tend-demo/widgets/issues/56') return githubIssueReact(ISSUE, viewer);
    if (p === '/tend-demo/widgets/issues/55') return githubIssueReact({ ...ISSUE, number: 55, title: ROWS[1]!.title, author: 'cyrus', id: 3089558001, comments: [] }, viewer);
    if (p === '/tend-demo/widgets/issues/54') return githubIssueReact({ ...ISSUE, number: 54, title: ROWS[2]!.title, author: 'dana-k', state: 'closed', id: 3089558002, comments: ghComments(2, 2800000001) }, viewer);
    if (p === '/tend-demo/widgets/discussions/45') return dark ? githubDiscussion({ owner: 'tend-demo', repo: 'widgets', number: 45, title: 'How do I theme widgets?', author: 'cyrus', id: 38686, category: 'Q&A', answers: [{ id: 143357, author: 'octo-ada', text: 'Use the theme hook.', chosen: true, replies: [{ id: 143360, author: 'cyrus', text: 'Thanks!' }] }] }, viewer) : GITHUB_FIXTURES['discussion.html']!.html();
    if (p === '/tend-demo/widgets/pull/58') return GITHUB_FIXTURES['pull.html']!.html();
    return null;
  }
  if (host === 'stackoverflow.com' || host === 'puzzling.stackexchange.com') {
    const o = { viewer: GRACE, dark, siteName: host === 'stackoverflow.com' ? 'Stack Overflow' : 'Puzzling Stack Exchange' };
    if (p === SE_PATH) return questionPage(SE_QUESTION, o, url.searchParams.get('answertab') === 'oldest' ? 'oldest' : 'score');
    if (p === '/questions')
      return questionsPage(
        [
          { id: 79000001, title: SE_QUESTION.title, author: ADA, answers: 4, accepted: true, tags: ['api', 'security'] },
          { id: 79000002, title: 'Why does my build fail only in CI?', author: LINUS, answers: 1, tags: ['ci'] },
          { id: 79000003, title: 'Is there a faster way to parse dates?', author: GRACE, answers: 0, tags: ['dates'] },
        ],
        o,
      );
    return null;
  }
  if (host === 'www.reddit.com' || host === 'old.reddit.com') {
    const o = { viewer: 'brookside', dark };
    const comments = [{ id: 'ka01aaa', author: 'brookside', replies: [{ id: 'ka01aab', author: 'quill_ada', replies: [{ id: 'ka01aac', author: 'cy_rus' }] }] }, { id: 'ka01aad', author: '[deleted]' }, { id: 'ka01aae', author: 'cy_rus' }];
    if (p === '/r/tenddemo/') return host === 'old.reddit.com' ? REDDIT_FIXTURES['listing-old.html']!.html() : shredditListing('tenddemo', RD_POSTS, o);
    if (p === `/r/tenddemo/comments/${RD_POST.id}/${RD_POST.slug}/`) return host === 'old.reddit.com' ? oldThread(RD_POST, comments, o) : shredditThread(RD_POST, comments, o);
    const other = RD_POSTS.find((x) => p === `/r/tenddemo/comments/${x.id}/${x.slug}/`);
    if (other) return shredditThread(other, rdComments(Math.min(other.comments, 4)), o);
    return null;
  }
  return null;
}

const overlays = (page: Page, kind: string) => page.locator(`tend-overlay[data-tend-kind="${kind}"]`);
const endorseButton = (overlay: Locator) => overlay.getByRole('button', { name: /This helped/ });

describe.skipIf(!e2e.chromium)('Tend on GitHub, Stack Exchange and Reddit', () => {
  let ext: LaunchedExtension;
  let server: FixtureServer;

  beforeAll(async () => {
    // Every path goes to one handler, which picks the page by host.
    const paths = [
      ...['issues', 'issues/56', 'issues/55', 'issues/54', 'discussions/45', 'pull/58'].map((p) => `/tend-demo/widgets/${p}`),
      SE_PATH,
      '/questions',
      '/r/tenddemo/',
      ...RD_POSTS.map((p) => `/r/tenddemo/comments/${p.id}/${p.slug}/`),
    ];
    server = await serveFixtures({ routes: Object.fromEntries(paths.map((p) => [p, pages])) });
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: HOSTS, viewport: { width: 1200, height: 900 } });
    ext.context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  const open = async (host: string, urlPath: string): Promise<Page> => {
    const page = await ext.context.newPage();
    await page.goto(server.url(urlPath, host));
    return page;
  };

  /** Thanks a post with a note, checks the count and the note, and closes the panel. */
  const thank = async (page: Page, overlay: Locator, note: string, shot: string) => {
    await overlay.waitFor();
    await humanPause();
    await endorseButton(overlay).click();
    // The panel opens towards the page's middle: never past the window's edges.
    await endorsePanel(overlay).getByLabel(/Why did it help/).fill(note);
    const box = (await overlay.locator('.tend-panel').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
    expect(box.y + box.height).toBeLessThanOrEqual(page.viewportSize()!.height);
    await screenshot(page, shot, { fullPage: false });
    await humanPause();
    await endorsePanel(overlay).getByRole('button', { name: 'Send thanks' }).click();
    await expect.poll(() => endorseButton(overlay).textContent()).toMatch(/1/);
    await expect.poll(() => panelsOpen(overlay)).toBe(0);
    await endorseButton(overlay).click();
    await expect.poll(() => panelText(overlay)).toContain(note);
    await page.keyboard.press('Escape');
    await expect.poll(() => panelsOpen(overlay)).toBe(0);
  };

  const claim = async (page: Page) => {
    const bar = overlays(page, 'thread');
    await bar.waitFor();
    await humanPause();
    await bar.getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(bar)).toMatch(/You're on it · 24 hr left/);
  };

  describe('GitHub', () => {
    it('an issue in the React view: a "this helped" on the body and every comment, a claim bar, in GitHub\'s look', async () => {
      const page = await open('github.com', '/tend-demo/widgets/issues/56');
      await expect.poll(() => overlays(page, 'post').count()).toBe(5);
      await expect.poll(() => overlays(page, 'thread').count()).toBe(1);
      const first = overlays(page, 'post').first();
      expect(await first.getAttribute('data-platform')).toBe('github');
      expect(await first.getAttribute('data-theme')).toBe('light');
      // GitHub's small buttons: 28px high, 6px corners.
      const look = await endorseButton(first).evaluate((b) => ({ h: b.getBoundingClientRect().height, r: getComputedStyle(b).borderTopLeftRadius, f: getComputedStyle(b).fontSize }));
      expect(look).toEqual({ h: 28, r: '6px', f: '12px' });
      const comment = page.locator('#issuecomment-2908119607 tend-overlay');
      await thank(page, comment, 'The resize debounce fixed it for us', 'github-issue-endorse');
      await claim(page);
      const violations = await checkA11y(page, { include: 'tend-overlay' } as never);
      expect(violations, formatViolations(violations)).toEqual([]);
      await screenshot(page, 'github-issue-light', { fullPage: true });
      await page.close();
    });

    it('the issue list shows a chip on every row, then follows a client-side move to an issue and back', async () => {
      const page = await open('github.com', '/tend-demo/widgets/issues');
      const chips = overlays(page, 'thread-row');
      await expect.poll(() => chips.count()).toBe(3);
      await expect.poll(() => shadowText(chips.nth(0))).toBe('Claimed by you');
      await expect.poll(() => shadowText(chips.nth(2))).toBe('Answered');
      await screenshot(page, 'github-issues-chips');
      // Turbo/React-style move: the address changes and the content is swapped, no reload.
      await page.locator('a[data-testid="issue-pr-title-link"]', { hasText: 'Docs: the config' }).click();
      await expect.poll(() => page.url()).toMatch(/\/issues\/55$/);
      await expect.poll(() => overlays(page, 'post').count()).toBe(1);
      await expect.poll(() => overlays(page, 'thread').count()).toBe(1);
      expect(await chips.count()).toBe(0);
      await expect.poll(() => shadowText(overlays(page, 'thread'))).toMatch(/I'll handle this/);
      await page.locator('a[data-soft-nav]', { hasText: 'tend-demo/widgets' }).click();
      await expect.poll(() => chips.count()).toBe(3);
      expect(await overlays(page, 'post').count()).toBe(0);
      await page.close();
    });

    it('pull requests and discussions: the same controls; a reply inside an answer gets its own', async () => {
      const pull = await open('github.com', '/tend-demo/widgets/pull/58');
      await expect.poll(() => overlays(pull, 'post').count()).toBe(4);
      await pull.close();
      const discussion = await open('github.com', '/tend-demo/widgets/discussions/45');
      await expect.poll(() => overlays(discussion, 'post').count()).toBe(4);
      expect(await discussion.locator('#discussioncomment-143360 tend-overlay').count()).toBe(1);
      await discussion.close();
    });

    it("follows GitHub's dark mode", async () => {
      const page = await open('github.com', '/tend-demo/widgets/discussions/45?dark');
      await expect.poll(() => overlays(page, 'post').count()).toBe(3);
      expect(await overlays(page, 'post').first().getAttribute('data-theme')).toBe('dark');
      await openPanel(page.locator('#discussioncomment-143357 > .timeline-comment-group tend-overlay'));
      await screenshot(page, 'github-discussion-dark', { fullPage: false });
      const violations = await checkA11y(page, { include: 'tend-overlay' } as never);
      expect(violations, formatViolations(violations)).toEqual([]);
      await page.close();
    });
  });

  describe('Stack Exchange', () => {
    it("a question: a \"this helped\" on the question and each answer (none for a deleted account's), a claim bar, in the network's look", async () => {
      const page = await open('stackoverflow.com', SE_PATH);
      await expect.poll(() => overlays(page, 'post').count()).toBe(4);
      expect(await page.locator('#answer-79000020 tend-overlay').count()).toBe(0);
      const look = await endorseButton(overlays(page, 'post').first()).evaluate((b) => ({ r: getComputedStyle(b).borderTopLeftRadius, f: getComputedStyle(b).fontSize }));
      expect(look).toEqual({ r: '5px', f: '13px' });
      await thank(page, page.locator('#answer-79000011 tend-overlay'), 'Two live keys during the switch: exactly what we needed', 'stackoverflow-endorse');
      await claim(page);
      await screenshot(page, 'stackoverflow-question-light', { fullPage: true });
      await page.close();
    });

    it('keeps every overlay when the answers are re-sorted in place', async () => {
      const page = await open('stackoverflow.com', SE_PATH);
      await expect.poll(() => overlays(page, 'post').count()).toBe(4);
      await page.locator('a[data-answer-sort]', { hasText: 'oldest' }).click();
      await expect.poll(() => page.url()).toMatch(/answertab=oldest/);
      await expect.poll(() => page.locator('#answers tend-overlay').count()).toBe(3);
      await expect.poll(() => endorseButton(page.locator('#answer-79000011 tend-overlay')).textContent()).toMatch(/1/);
      await page.close();
    });

    it('the question list: a chip on each row, answered meaning an accepted answer', async () => {
      const page = await open('stackoverflow.com', '/questions');
      const chips = overlays(page, 'thread-row');
      await expect.poll(() => chips.count()).toBe(3);
      // Claimed, but its accepted answer says it is answered: the site's word wins.
      await expect.poll(() => shadowText(chips.nth(0))).toBe('Answered');
      await expect.poll(() => shadowText(chips.nth(1))).toBe('Unclaimed');
      await screenshot(page, 'stackoverflow-questions-chips');
      await page.close();
    });

    it('another network site is its own community, and its dark theme is followed', async () => {
      const page = await open('puzzling.stackexchange.com', `${SE_PATH}?dark`);
      await expect.poll(() => overlays(page, 'post').count()).toBe(4);
      // Claimed on Stack Overflow, not here.
      await expect.poll(() => shadowText(overlays(page, 'thread'))).toMatch(/I'll handle this/);
      expect(await overlays(page, 'post').first().getAttribute('data-theme')).toBe('dark');
      await openPanel(page.locator('#answer-79000011 tend-overlay'));
      await screenshot(page, 'stackexchange-question-dark', { fullPage: false });
      const violations = await checkA11y(page, { include: 'tend-overlay' } as never);
      expect(violations, formatViolations(violations)).toEqual([]);
      await page.close();
    });
  });

  describe('Reddit', () => {
    const THREAD = `/r/tenddemo/comments/${RD_POST.id}/${RD_POST.slug}/`;

    it('a thread: the post and every comment a deleted one aside, shown inside their slots, and a claim bar', async () => {
      const page = await open('www.reddit.com', THREAD);
      await expect.poll(() => overlays(page, 'post').count()).toBe(5);
      // Inside shreddit's shadow roots only slotted content is drawn: the controls must be seen.
      for (const overlay of await overlays(page, 'post').all()) expect(await overlay.locator('button[aria-expanded]').isVisible()).toBe(true);
      await expect.poll(() => overlays(page, 'thread').isVisible()).toBe(true);
      const look = await endorseButton(overlays(page, 'post').first()).evaluate((b) => ({ h: b.getBoundingClientRect().height, r: getComputedStyle(b).borderTopLeftRadius }));
      expect(look).toEqual({ h: 24, r: '999px' });
      await thank(page, page.locator('shreddit-comment[thingid="t1_ka01aab"] > [slot="commentMeta"] tend-overlay'), 'The nested reply had the missing step', 'reddit-endorse');
      await claim(page);
      await screenshot(page, 'reddit-thread-light', { fullPage: true });
      await page.close();
    });

    it('old Reddit is the same community: the claim and the thanks made on www show there', async () => {
      const page = await open('old.reddit.com', THREAD);
      await expect.poll(() => overlays(page, 'post').count()).toBe(5);
      await expect.poll(() => shadowText(overlays(page, 'thread'))).toMatch(/You're on it/);
      await expect.poll(() => endorseButton(page.locator('#thing_t1_ka01aab > .entry tend-overlay')).textContent()).toMatch(/1/);
      // Old Reddit's own small look, not today's.
      const look = await endorseButton(page.locator('#thing_t1_ka01aab > .entry tend-overlay')).evaluate((b) => ({ h: b.getBoundingClientRect().height, f: getComputedStyle(b).fontSize }));
      expect(look).toEqual({ h: 18, f: '10px' });
      await screenshot(page, 'reddit-old-thread');
      await page.close();
    });

    it('a subreddit listing: a chip on each post, the ad left out; then a client-side move into a thread', async () => {
      const page = await open('www.reddit.com', '/r/tenddemo/');
      const chips = overlays(page, 'thread-row');
      await expect.poll(() => chips.count()).toBe(3);
      await expect.poll(() => shadowText(chips.nth(0))).toBe('Claimed by you');
      expect(await page.locator('shreddit-ad-post tend-overlay').count()).toBe(0);
      for (const chip of await chips.all()) expect(await chip.isVisible()).toBe(true);
      await screenshot(page, 'reddit-listing-chips');
      await page.locator('a[slot="title"]', { hasText: 'Nobody answered this yet' }).click();
      await expect.poll(() => page.url()).toMatch(/nobody_answered_this_yet/);
      await expect.poll(() => overlays(page, 'thread').count()).toBe(1);
      await expect.poll(() => chips.count()).toBe(0);
      await page.close();
    });

    it("follows Reddit's dark mode", async () => {
      const page = await open('www.reddit.com', `${THREAD}?dark`);
      await expect.poll(() => overlays(page, 'post').count()).toBe(5);
      expect(await overlays(page, 'post').first().getAttribute('data-theme')).toBe('dark');
      await openPanel(page.locator('shreddit-comment[thingid="t1_ka01aae"] > [slot="commentMeta"] tend-overlay'));
      await screenshot(page, 'reddit-thread-dark', { fullPage: false });
      const violations = await checkA11y(page, { include: 'tend-overlay' } as never);
      expect(violations, formatViolations(violations)).toEqual([]);
      await page.close();
    });
  });

  it('the popup shows the claims made on all three sites together, with their titles and hosts', async () => {
    const page = await open('github.com', '/tend-demo/widgets/issues/56');
    await expect.poll(() => overlays(page, 'thread').count()).toBe(1);
    const tabId = await tabIdOf(ext, page);
    const popup = await ext.context.newPage();
    await popup.setViewportSize({ width: 400, height: 600 });
    await popup.goto(ext.url(`popup.html?tabId=${tabId}`));
    await popup.locator('main[aria-busy="false"]').waitFor();
    const claims = popup.locator('li.claim');
    await expect.poll(() => claims.count()).toBe(3);
    const rows = await claims.evaluateAll((lis) => lis.map((li) => [li.querySelector('.claim-title')?.textContent?.trim(), li.querySelector('.site')?.textContent?.trim()]));
    // This site's first, then the others with their hosts.
    expect(rows[0]).toEqual(['Widgets flicker on resize', 'here']);
    expect(rows.slice(1).map(([title, host]) => [title, host?.replace(/:\d+$/, '')]).sort()).toEqual([
      ['How do I rotate API keys without downtime?', 'stackoverflow.com'],
      ['How do I rotate keys without downtime?', 'www.reddit.com'],
    ]);
    await screenshot(popup, 'popup-three-platforms');
    await popup.close();
    await page.close();
  });
});
