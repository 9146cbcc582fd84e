/**
 * The background goes away while idle and comes back when needed, in each browser, with
 * nothing lost: Chromium's service worker (stopped as Chrome stops an idle one) and Firefox's
 * event page (unloaded by Firefox itself after an idle time shortened to two seconds). A page
 * of the forum wakes it; so does the one-minute sync alarm, which brings a teammate's claim made
 * while it slept.
 *
 * Both browsers run the test build here: it holds the team server's address (127.0.0.1) from
 * install, so joining needs no prompt.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { discourseTopicPage } from '../../fixtures/discourse/generate';
import { BROWSER, describeFlow, launchTend, type TendBrowser } from '../browsers';
import { serveFixtures, type FixtureServer } from '../helpers';
import { joinTeam, startTeamServer, teammate, type TeamServer, type Teammate } from './team';
import { claimBar, openThanks, postOverlay, thank, thanksCount } from './tend-ui';

const HOST = 'meta.discourse.org';
const TOPICS = {
  mine: { id: 8100, path: '/t/webhooks-stop-after-upgrading/8100', title: 'Webhooks stop after upgrading' },
  sams: { id: 8101, path: '/t/email-digests-arrive-twice/8101', title: 'Email digests arrive twice' },
};
const NOTE = 'The retry setting was the fix';

describeFlow('the background unloaded while idle', () => {
  let tend: TendBrowser;
  let fixtures: FixtureServer;
  let team: TeamServer;
  let sam: Teammate;
  let site: string;

  beforeAll(async () => {
    team = await startTeamServer('Background team');
    fixtures = await serveFixtures({
      routes: Object.fromEntries(
        Object.values(TOPICS).map((t) => [t.path, discourseTopicPage({ topicId: t.id, title: t.title, posts: 4, viewer: 'ada', authors: ['ada', 'sam', 'carol', 'dave'] })]),
      ),
    });
    site = fixtures.origin(HOST);
    tend = await launchTend({ build: 'test', hostMap: [HOST], backgroundIdleMs: 2_000 });
    await joinTeam(tend, team, 'Ada');
    sam = await teammate(team, 'Sam');
  });
  afterAll(async () => {
    await tend?.close();
    await fixtures?.close();
    await team?.close();
  });

  it('keeps my claim and thanks when it goes away, reads them while it sleeps, and a page wakes it', async () => {
    const page = await tend.openPage(fixtures.url(TOPICS.mine.path, HOST));
    const bar = claimBar(page);
    await bar.click({ role: 'button', name: "I'll handle this" });
    await expect.poll(() => bar.text()).toMatch(/You're on it · 24 hr left/);
    await thank(postOverlay(page, 3), NOTE);
    // Acknowledged by the team server: nothing waits in the outbox.
    await expect.poll(async () => (await tend.storeCounts()).outbox).toBe(0);
    const stored = await tend.storeCounts();
    // Only Tend's pages keep the background busy (their live port): the forum tab goes.
    await page.close();

    await tend.unloadBackground();
    expect(await tend.backgroundState()).toBe('stopped');
    // Extension pages read the database directly: the background stays asleep.
    expect(await tend.storeCounts()).toEqual(stored);
    expect(await tend.backgroundState()).toBe('stopped');

    const again = await tend.openPage(fixtures.url(TOPICS.mine.path, HOST));
    await tend.waitForBackground('running');
    await expect.poll(() => claimBar(again).text()).toMatch(/You're on it · 2[34] hr left/);
    await expect.poll(() => thanksCount(postOverlay(again, 3))).toBe(1);
    expect(await openThanks(postOverlay(again, 3))).toContain(NOTE);
    // And it writes again: the claim's fencing epoch, read back from IndexedDB, still releases it.
    await claimBar(again).click({ role: 'button', name: 'Release' });
    await expect.poll(() => claimBar(again).text()).toMatch(/I'll handle this/);
    await again.close();
  });

  it('is woken by its sync alarm, which brings a teammate’s claim made while it slept', async () => {
    await tend.unloadBackground();
    const before = await tend.storeCounts();
    await sam.does({ type: 'claim', thread: { site, threadId: String(TOPICS.sams.id) } });
    // Tend's own one-minute alarm, brought forward: the same alarm and listener, sooner.
    await tend.fireSyncAlarmIn(1_000);
    expect(await tend.backgroundState()).toBe('stopped');
    await tend.waitForBackground('running', { timeoutMs: 30_000 });
    await expect.poll(async () => (await tend.storeCounts()).claims, { timeout: 15_000 }).toBe((before.claims ?? 0) + 1);

    // The claim is there, with Sam's name, for the next page.
    const page = await tend.openPage(fixtures.url(TOPICS.sams.path, HOST));
    await expect.poll(() => claimBar(page).text()).toMatch(/Sam is on it/);
    await claimBar(page).screenshotAround(`${BROWSER}-background-teammate-claim`, { below: 40 });
    await page.close();
  });
});
