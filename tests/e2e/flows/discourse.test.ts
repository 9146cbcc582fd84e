/**
 * A person on a Discourse forum, in each browser: overlays on every post under the forum's
 * real host name (meta.discourse.org, built in), posts rendered late, a client-side move from
 * a topic to the list; thanks with a note that outlives a reload and can be taken back, from
 * the mouse or the keyboard alone; my own post; a claim the popup shows with time left,
 * released and then marked done from the popup; a dark page and a dark popup.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { discourseListPage, discoursePost, discourseTopicPage } from '../../fixtures/discourse/generate';
import { BROWSER, describeFlow, launchTend, flowBuild, type TendBrowser, type TendPage } from '../browsers';
import { REPO_ROOT, serveFixtures, type FixtureServer } from '../helpers';
import { CLAIM_BAR, POST_OVERLAYS, ROW_CHIPS, THANKS_PANEL, THANKS_TOGGLE, claimBar, closeThanks, thanksOpen, openThanks, postOverlay, rowChip, takeBackThanks, thank, thanksCount, expectAccessible } from './tend-ui';

const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const HOST = 'meta.discourse.org';
const TOPIC = '/t/rotating-api-keys-without-downtime/4821';

const bigTopic = discourseTopicPage({ topicId: 5000, title: 'A very long topic', posts: 1_000, viewer: 'bob' });
const cloakedTopic = discourseTopicPage({ topicId: 5001, title: 'Cloaked posts', posts: 12, viewer: 'bob', cloakedFrom: 7 });
const list = discourseListPage([
  { id: 4821, title: 'Rotating API keys without downtime', replies: 5, solved: true },
  { id: 5001, title: 'Cloaked posts', replies: 11 },
  { id: 5002, title: 'Nobody has looked at this', replies: 0 },
  { id: 5003, title: 'Dark theme topic', replies: 2 },
]);
const darkTopic = discourseTopicPage({ topicId: 5003, title: 'Dark theme topic', posts: 3, viewer: 'bob' }).replace(
  '<head>',
  '<head><style>html,body{background:#111418;color:#e8e8e8} a{color:#8ab4f8}</style>',
);
// A forum that turns dark from a script once it has loaded, after Tend's first overlays are in.
const darkByScript = discourseTopicPage({ topicId: 5004, title: 'Dark by script', posts: 3, viewer: 'bob' }).replace(
  '<head>',
  `<head><style>html.dark,html.dark body{background:#111418;color:#e8e8e8}</style><script>addEventListener('DOMContentLoaded', () => document.documentElement.classList.add('dark'))</script>`,
);
const shot = (name: string) => `${BROWSER}-${name}`;

describeFlow('Tend on Discourse', () => {
  let tend: TendBrowser;
  let server: FixtureServer;
  const url = (p: string) => server.url(p, HOST);

  beforeAll(async () => {
    server = await serveFixtures({
      root: FIXTURES,
      routes: {
        [TOPIC]: readFileSync(path.join(FIXTURES, 'topic.html'), 'utf8'),
        '/t/a-very-long-topic/5000': bigTopic,
        '/t/cloaked-posts/5001': cloakedTopic,
        '/t/dark-theme-topic/5003': darkTopic,
        '/t/dark-by-script/5004': darkByScript,
        '/latest': list,
      },
    });
    tend = await launchTend({ build: flowBuild(), hostMap: [HOST] });
  });
  afterAll(async () => {
    await tend?.close();
    await server?.close();
  });

  const open = (p: string): Promise<TendPage> => tend.openPage(url(p), { viewport: { width: 1000, height: 800 } });

  it('mounts an overlay on every rendered post and on the topic, under the forum’s own host name', async () => {
    const page = await open(TOPIC);
    // Posts 1-4 and 6 are rendered; post 5 is cloaked.
    await expect.poll(() => page.count(POST_OVERLAYS)).toBe(5);
    await expect.poll(() => claimBar(page).text()).toMatch(/I'll handle this/);
    expect(await page.evaluate(() => location.origin)).toBe(server.origin(HOST));
    expect(await postOverlay(page, 3).attribute('data-theme')).toBe('light');
    await expectAccessible(page, 'tend-overlay');
    await page.screenshot(shot('discourse-topic-light'));
    await page.close();
  });

  it('mounts overlays on posts rendered late', async () => {
    const page = await open('/t/cloaked-posts/5001');
    await expect.poll(() => page.count(POST_OVERLAYS)).toBe(6);
    // What Discourse does as the reader scrolls: a cloaked placeholder becomes the post.
    const html = discoursePost(5001, 'cloaked-posts', 0, 'carol').replaceAll('post_0', 'post___N__').replaceAll('"0"', '"__N__"').replace('post #0', 'post #__N__');
    await page.evaluate((template) => {
      for (const n of [7, 8]) {
        const wrapper = document.getElementById(`post_${n}`)!;
        const t = document.createElement('template');
        t.innerHTML = template.replaceAll('__N__', String(n));
        wrapper.replaceWith(t.content.firstElementChild!);
      }
    }, html);
    await expect.poll(() => page.count(POST_OVERLAYS)).toBe(8);
    expect(await thanksCount(postOverlay(page, 8))).toBe(0);
    expect(await postOverlay(page, 8).text()).toMatch(/This helped/);
    await page.close();
  });

  it('holds a place for every post of a 1,000-post topic and draws controls where the reader is', async () => {
    const page = await open('/t/a-very-long-topic/5000');
    await expect.poll(() => page.count(POST_OVERLAYS), { timeout: 30_000 }).toBe(1_000);
    expect(await page.count(CLAIM_BAR)).toBe(1);
    expect(await page.count('article tend-overlay')).toBe(1_000);
    // The first screen has its controls; the end of the topic, far away, not yet.
    await expect.poll(() => postOverlay(page, 1).text()).toMatch(/This helped/);
    await expect.poll(() => claimBar(page).text()).toMatch(/I'll handle this/);
    expect(await postOverlay(page, 1_000).count('button')).toBe(0);
    /** Where the last post starts, from the top of the page. */
    const lastPostTop = () => page.evaluate(() => Math.round(document.getElementById('post_1000')!.getBoundingClientRect().top + scrollY));
    const before = await lastPostTop();

    // At the end: the last posts' controls come, the first ones' go, and nothing moved.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect.poll(() => postOverlay(page, 1_000).text(), { timeout: 15_000 }).toMatch(/This helped/);
    await expect.poll(() => postOverlay(page, 1).count('button'), { timeout: 15_000 }).toBe(0);
    expect(await lastPostTop()).toBe(before);
    expect(await page.count(POST_OVERLAYS)).toBe(1_000);

    // Back at the top, the first posts have their controls again.
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect.poll(() => postOverlay(page, 1).text(), { timeout: 15_000 }).toMatch(/This helped/);
    expect(await lastPostTop()).toBe(before);
    await page.close();
  });

  it('follows a client-side move from a topic to the list and back', async () => {
    const page = await open('/t/dark-theme-topic/5003');
    await expect.poll(() => page.count(POST_OVERLAYS)).toBe(3);
    // What Ember's router does: push a URL and swap the outlet's content, no reload.
    await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      history.pushState({}, '', '/latest');
      document.title = doc.title;
      document.querySelector('#main-outlet')!.replaceChildren(...doc.querySelector('#main-outlet')!.childNodes);
    }, list);
    await expect.poll(() => page.count(ROW_CHIPS)).toBe(4);
    expect(await page.count(POST_OVERLAYS)).toBe(0);
    expect(await page.count(CLAIM_BAR)).toBe(0);
    await expect.poll(() => rowChip(page, 2).text()).toBe('Unclaimed');
    // A router that replaces the outlet element itself is followed too.
    await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      history.pushState({}, '', '/t/dark-theme-topic/5003');
      document.querySelector('#main-outlet')!.replaceWith(doc.querySelector('#main-outlet')!);
    }, darkTopic);
    await expect.poll(() => page.count(POST_OVERLAYS)).toBe(3);
    await expect.poll(() => page.count(CLAIM_BAR)).toBe(1);
    expect(await page.count(ROW_CHIPS)).toBe(0);
    await page.close();
  });

  it('keeps a thanks with its note across a reload, and takes it back', async () => {
    const note = 'Rotating with two live keys fixed our outage';
    const page = await open(TOPIC);
    const third = postOverlay(page, 3);
    await expect.poll(() => third.text()).toMatch(/This helped/);
    await thank(third, note);
    await expect.poll(() => thanksCount(third)).toBe(1);
    expect(await openThanks(third)).toContain(note);
    await third.screenshotAround(shot('discourse-thanks-panel-light'), { below: 260 });
    await closeThanks(third);

    await page.reload();
    const again = postOverlay(page, 3);
    await expect.poll(() => thanksCount(again)).toBe(1);
    expect(await openThanks(again)).toContain(note);
    await takeBackThanks(again);
    await expect.poll(() => thanksCount(again)).toBe(0);
    await page.reload();
    await expect.poll(() => postOverlay(page, 3).text()).toMatch(/This helped/);
    expect(await thanksCount(postOverlay(page, 3))).toBe(0);
    expect(await openThanks(postOverlay(page, 3))).not.toContain(note);
    await page.close();
  });

  it('is operable from the keyboard alone: open, write, send, and Escape closes', async () => {
    const page = await open(TOPIC);
    const fourth = postOverlay(page, 4);
    await expect.poll(() => fourth.text()).toMatch(/This helped/);
    await fourth.focus(THANKS_TOGGLE);
    await page.press('Enter');
    // The panel opens with the note field focused.
    await expect.poll(() => fourth.panel().count(THANKS_PANEL)).toBe(1);
    await expect.poll(() => fourth.panel().isFocused({ css: 'textarea' })).toBe(true);
    await page.type('Clear steps, thank you');
    await page.press('Tab');
    await page.press('Enter');
    await expect.poll(() => thanksCount(fourth)).toBe(1);
    // Sent: the panel closes by itself and the focus is back on the button that opened it.
    await expect.poll(() => thanksOpen(fourth)).toBe(false);
    expect(await fourth.isFocused(THANKS_TOGGLE)).toBe(true);
    await page.press('Enter');
    await expect.poll(() => fourth.panel().text(THANKS_PANEL)).toContain('Clear steps, thank you');
    await page.press('Escape');
    await expect.poll(() => thanksOpen(fourth)).toBe(false);
    expect(await fourth.isFocused(THANKS_TOGGLE)).toBe(true);
    await page.close();
  });

  it('on my own post says who thanked me, and offers nothing to do', async () => {
    const page = await open(TOPIC);
    // bob is signed in, and post 2 is his.
    const own = postOverlay(page, 2);
    await expect.poll(() => own.text(THANKS_TOGGLE)).toBe('♡No thanks yet');
    const panel = await openThanks(own);
    expect(panel).toContain('Nobody has said this post helped them yet.');
    expect(await own.panel().count({ role: 'button', name: 'Send thanks' })).toBe(0);
    expect(await own.panel().count({ css: 'textarea' })).toBe(0);
    await page.close();
  });

  it('claims the topic; the popup shows it with time left; released and then marked done there', async () => {
    const page = await open('/t/cloaked-posts/5001');
    const bar = claimBar(page);
    await bar.click({ role: 'button', name: "I'll handle this" });
    await expect.poll(() => bar.text()).toMatch(/You're on it · 24 hr left/);

    const popup = await tend.openPopup(page);
    const mine = { css: 'ul[aria-label="Your claims"] li' };
    await expect.poll(() => popup.count(mine)).toBe(1);
    expect(await popup.text(mine)).toContain('Cloaked posts');
    expect(await popup.text(mine)).toContain('here');
    expect(await popup.text(mine)).toContain('24 hr left');
    await expectAccessible(popup);
    await popup.screenshot(shot('popup-claim-light'));

    await popup.click({ role: 'button', name: 'Release claim on Cloaked posts' });
    await expect.poll(() => popup.text({ role: 'tabpanel' })).toContain('Nothing claimed.');
    // The page follows live.
    await expect.poll(() => bar.text()).toMatch(/I'll handle this/);

    await bar.click({ role: 'button', name: "I'll handle this" });
    await expect.poll(() => popup.count(mine)).toBe(1);
    await popup.click({ role: 'button', name: 'Done: mark Cloaked posts handled' });
    await expect.poll(() => popup.text({ role: 'tabpanel' })).toContain('Nothing claimed.');
    await expect.poll(() => bar.text()).toMatch(/Done/);
    await popup.close();
    await page.close();
  });

  it('follows a dark page, and the popup a dark browser', async () => {
    const page = await open('/t/dark-theme-topic/5003');
    await expect.poll(() => page.count(POST_OVERLAYS)).toBe(3);
    await expect.poll(() => postOverlay(page, 1).attribute('data-theme')).toBe('dark');
    await openThanks(postOverlay(page, 1));
    await page.screenshot(shot('discourse-topic-dark'));
    const popup = await tend.openPopup(page, { colorScheme: 'dark' });
    await expect.poll(() => popup.text({ css: 'section.site' })).toContain('meta.discourse.org');
    expect(await popup.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
    await expectAccessible(popup);
    await popup.screenshot(shot('popup-dark'));
    await popup.setColorScheme('light');
    await popup.close();
    await page.close();
    // The theme a page sets from a script as it loads is followed too.
    const late = await open('/t/dark-by-script/5004');
    await expect.poll(() => late.count(POST_OVERLAYS)).toBe(3);
    await expect.poll(() => postOverlay(late, 1).attribute('data-theme')).toBe('dark');
    await expect.poll(() => claimBar(late).attribute('data-theme')).toBe('dark');
    await late.close();
  });
});
