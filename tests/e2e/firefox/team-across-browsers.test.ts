/**
 * Two teammates in two browsers on one team server: Anna in Chromium, Ben in Firefox, each
 * with the test build (which holds the server's loopback address from install), each on the
 * same Discourse topic served as meta.discourse.org and signed in as themselves (cookie
 * `viewer`). Claims and thanks made in one browser show in the other live.
 *
 * It runs once, with the Firefox suite, since it needs both browsers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discourseTopicPage } from '../../fixtures/discourse/generate';
import { browserAvailable, launchTend, type TendBrowser, type TendPage } from '../browsers';
import { serveFixtures, type FixtureServer } from '../helpers';
import { joinTeam, startTeamServer, type TeamServer } from '../flows/team';
import { claimBar, openThanks, postOverlay, thank, thanksCount, closeThanks } from '../flows/tend-ui';

const HOST = 'meta.discourse.org';
const TOPIC_ID = 6200;
const TOPIC = '/t/webhooks-stop-after-upgrading/6200';
/** How soon a teammate's action must show on my page (the live socket), generous for a loaded machine. */
const LIVE_WITHIN_MS = 5_000;

/** The topic as each member sees it: the same posts, a different signed-in viewer. */
function topicFor(req: IncomingMessage, res: ServerResponse): void {
  const viewer = /(?:^|;\s*)viewer=([a-z]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(discourseTopicPage({ topicId: TOPIC_ID, title: 'Webhooks stop after upgrading', posts: 4, viewer, authors: ['alice', 'bob', 'carol', 'dave'] }));
}

describe.skipIf(!browserAvailable('chromium') || !browserAvailable('firefox'))('Firefox with Chromium: a team on one server', () => {
  let team: TeamServer;
  let fixtures: FixtureServer;
  let anna: { tend: TendBrowser; topic: TendPage };
  let ben: { tend: TendBrowser; topic: TendPage };
  const timings: Record<string, number> = {};

  async function member(browser: 'chromium' | 'firefox', name: string): Promise<{ tend: TendBrowser; topic: TendPage }> {
    const tend = await launchTend({ build: 'test', hostMap: [HOST], cookies: [{ name: 'viewer', value: name.toLowerCase(), domain: HOST }] }, browser);
    await joinTeam(tend, team, name);
    const topic = await tend.openPage(fixtures.url(TOPIC, HOST), { viewport: { width: 1000, height: 800 } });
    return { tend, topic };
  }

  beforeAll(async () => {
    team = await startTeamServer('Cross-browser team');
    fixtures = await serveFixtures({ routes: { [TOPIC]: topicFor } });
    anna = await member('chromium', 'Anna');
    ben = await member('firefox', 'Ben');
  });
  afterAll(async () => {
    await anna?.tend.close();
    await ben?.tend.close();
    await fixtures?.close();
    await team?.close();
    console.log(`[team across browsers] ${Object.entries(timings).map(([k, v]) => `${k}: ${v} ms`).join(', ')}`);
  });

  it('shows a claim made in Chromium live in Firefox, and the other way round', async () => {
    for (const m of [anna, ben]) await expect.poll(() => claimBar(m.topic).text()).toMatch(/I'll handle this/);
    // Both topic tabs hold a subscription, so both backgrounds keep a live socket to the server.
    await expect.poll(() => team.server.live.size, { timeout: 10_000 }).toBe(2);

    let started = Date.now();
    await claimBar(anna.topic).click({ role: 'button', name: "I'll handle this" });
    await expect.poll(() => claimBar(ben.topic).text(), { timeout: LIVE_WITHIN_MS, interval: 50 }).toMatch(/Anna is on it/);
    timings['Chromium claim seen in Firefox'] = Date.now() - started;
    await expect.poll(() => claimBar(anna.topic).text()).toMatch(/You're on it · 24 hr left/);
    expect(await claimBar(ben.topic).count({ role: 'button', name: "I'll handle this" })).toBe(0);
    await claimBar(ben.topic).screenshotAround('firefox-team-claim-by-chromium', { below: 40 });

    await claimBar(anna.topic).click({ role: 'button', name: 'Release' });
    await expect.poll(() => claimBar(ben.topic).text(), { timeout: LIVE_WITHIN_MS, interval: 50 }).toMatch(/I'll handle this/);

    started = Date.now();
    await claimBar(ben.topic).click({ role: 'button', name: "I'll handle this" });
    await expect.poll(() => claimBar(anna.topic).text(), { timeout: LIVE_WITHIN_MS, interval: 50 }).toMatch(/Ben is on it/);
    timings['Firefox claim seen in Chromium'] = Date.now() - started;
    await claimBar(anna.topic).screenshotAround('chromium-team-claim-by-firefox', { below: 40 });
  });

  it('shows thanks with a note made in Firefox live in Chromium, and the other way round', async () => {
    const fromBen = 'Pinning the webhook secret fixed our deploys';
    let started = Date.now();
    await thank(postOverlay(ben.topic, 3), fromBen);
    await expect.poll(() => thanksCount(postOverlay(anna.topic, 3)), { timeout: LIVE_WITHIN_MS, interval: 50 }).toBe(1);
    timings['Firefox thanks seen in Chromium'] = Date.now() - started;
    const seenByAnna = await openThanks(postOverlay(anna.topic, 3));
    expect(seenByAnna).toContain('Ben');
    expect(seenByAnna).toContain(fromBen);
    expect(seenByAnna).not.toContain('saving');
    await closeThanks(postOverlay(anna.topic, 3));

    const fromAnna = 'The rollback steps saved our evening';
    started = Date.now();
    await thank(postOverlay(anna.topic, 4), fromAnna);
    await expect.poll(() => thanksCount(postOverlay(ben.topic, 4)), { timeout: LIVE_WITHIN_MS, interval: 50 }).toBe(1);
    timings['Chromium thanks seen in Firefox'] = Date.now() - started;
    const seenByBen = await openThanks(postOverlay(ben.topic, 4));
    expect(seenByBen).toContain('Anna');
    expect(seenByBen).toContain(fromAnna);
    await postOverlay(ben.topic, 4).screenshotAround('firefox-team-thanks-from-chromium', { below: 240 });
  });
});
