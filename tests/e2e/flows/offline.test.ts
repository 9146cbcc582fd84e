/**
 * Losing the team server and getting it back, in each browser: thanks given while the server
 * cannot be reached are kept, shown as "saving…", and reach the team by themselves once the
 * server answers again. The browser reaches the server through a TCP proxy the test cuts and
 * restores (the background's own requests and socket go through it; nothing else is touched).
 *
 * Both browsers run the test build, which holds the loopback addresses from install.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { discourseTopicPage } from '../../fixtures/discourse/generate';
import { BROWSER, describeFlow, launchTend, type TendBrowser } from '../browsers';
import { serveFixtures, type FixtureServer } from '../helpers';
import { cuttableProxy, type CuttableProxy } from '../helpers/proxy';
import { joinTeam, startTeamServer, syncState, teammate, type TeamServer, type Teammate } from './team';
import { openThanks, postOverlay, thank, thanksCount } from './tend-ui';

const HOST = 'meta.discourse.org';
const TOPIC = '/t/webhooks-stop-after-upgrading/8200';
const NOTE = 'The rollback steps saved our evening';
/** Tend retries by itself, from a second and doubling: generous for a loaded machine. */
const BACK_WITHIN_MS = 30_000;

describeFlow('thanks given while the team server is away', () => {
  let tend: TendBrowser;
  let fixtures: FixtureServer;
  let team: TeamServer;
  let proxy: CuttableProxy;
  let sam: Teammate;

  beforeAll(async () => {
    team = await startTeamServer('Offline team');
    proxy = await cuttableProxy({ port: team.server.port });
    fixtures = await serveFixtures({
      routes: { [TOPIC]: discourseTopicPage({ topicId: 8200, title: 'Webhooks stop after upgrading', posts: 4, viewer: 'ada', authors: ['ada', 'sam', 'carol', 'dave'] }) },
    });
    tend = await launchTend({ build: 'test', hostMap: [HOST] });
    await joinTeam(tend, team, 'Ada', { via: proxy.url });
    sam = await teammate(team, 'Sam');
  });
  afterAll(async () => {
    await tend?.close();
    await proxy?.close();
    await fixtures?.close();
    await team?.close();
  });

  const endorsedOnServer = async () => (await sam.pull()).filter((op) => op.type === 'endorse' && (op as { note?: string }).note === NOTE).length;

  it('are kept and shown as saving, and reach the team once the server is back', async () => {
    const page = await tend.openPage(fixtures.url(TOPIC, HOST), { viewport: { width: 1000, height: 800 } });
    const post = postOverlay(page, 4);
    await expect.poll(() => post.text()).toMatch(/This helped/);

    await proxy.cut();
    await thank(post, NOTE);
    await expect.poll(() => thanksCount(post)).toBe(1);
    // Kept here and said to be on its way.
    const panel = await openThanks(post);
    expect(panel).toMatch(/Ada · saving…/);
    expect(panel).toContain(NOTE);
    await post.screenshotAround(`${BROWSER}-offline-saving`, { below: 200 });
    // The push failed: the browser says it is offline (and retrying), not that anything is wrong.
    await expect.poll(() => syncState(tend)).toBe('offline');
    expect(await endorsedOnServer()).toBe(0);
    expect((await tend.storeCounts()).outbox).toBeGreaterThan(0);

    await proxy.restore();
    // No request makes it sync now: it retries on its own.
    await expect.poll(endorsedOnServer, { timeout: BACK_WITHIN_MS }).toBe(1);
    await expect.poll(() => syncState(tend), { timeout: BACK_WITHIN_MS }).toBe('synced');
    await expect.poll(async () => (await tend.storeCounts()).outbox).toBe(0);
    await expect.poll(() => post.text(), { timeout: BACK_WITHIN_MS }).not.toContain('saving');
    await page.close();
  });
});
