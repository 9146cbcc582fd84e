/**
 * Private windows and the pause switch, in each browser: with Tend allowed in private windows
 * (as a person allows it in the browser's extension settings), a Discourse topic in a private
 * window gets its overlays, but Tend records nothing about it; the same topic in a normal
 * window is recorded. Nor is anything recorded while the popup's switch pauses observing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeFlow, flowBuild, launchTend, type TendBrowser } from '../browsers';
import { REPO_ROOT, serveFixtures, type FixtureServer } from '../helpers';
import { CLAIM_BAR, ROW_CHIPS } from './tend-ui';

const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const HOST = 'meta.discourse.org';
const TOPIC = '/t/rotating-api-keys-without-downtime/4821';
/** How long a page is given to report what it saw, before "nothing was recorded" is believed. */
const REPORT_MS = 1_500;

describeFlow('private windows and the pause switch', () => {
  let tend: TendBrowser;
  let server: FixtureServer;

  beforeAll(async () => {
    server = await serveFixtures({
      root: FIXTURES,
      routes: { [TOPIC]: readFileSync(path.join(FIXTURES, 'topic.html'), 'utf8'), '/latest': readFileSync(path.join(FIXTURES, 'latest.html'), 'utf8') },
    });
    tend = await launchTend({ build: flowBuild(), hostMap: [HOST], allowPrivate: true });
  });
  afterAll(async () => {
    await tend?.close();
    await server?.close();
  });

  it('mounts overlays in a private window but records nothing there', async () => {
    // Tend's identity is made on first use: make it now, so the counts below compare like with like.
    expect(await tend.send({ type: 'me.get' })).toMatchObject({ ok: true });
    const before = await tend.storeCounts();
    const page = await tend.openPrivatePage(server.url(TOPIC, HOST));
    expect(await tend.isPrivate(page)).toBe(true);
    // The content script runs there: overlays appear.
    await expect.poll(() => page.count('tend-overlay'), { timeout: 30_000 }).toBeGreaterThan(3);
    expect(await page.count(CLAIM_BAR)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, REPORT_MS));
    expect(await tend.storeCounts()).toEqual(before);
    await page.close();

    // The same topic in a normal window is recorded (what it saw, and the viewer's handle).
    const normal = await tend.openPage(server.url(TOPIC, HOST));
    expect(await tend.isPrivate(normal)).toBe(false);
    await expect.poll(async () => (await tend.storeCounts()).ops ?? 0, { timeout: 10_000 }).toBeGreaterThan(before.ops ?? 0);
    await expect.poll(async () => (await tend.storeCounts()).threads ?? 0).toBeGreaterThan(before.threads ?? 0);
    await normal.close();
  });

  it('records nothing while paused from the popup, and records again once resumed', async () => {
    const popup = await tend.openPopup();
    const observing = { role: 'switch', name: /Add topics I visit/ } as const;
    await expect.poll(() => popup.isChecked(observing)).toBe(true);
    await popup.click(observing);
    await expect.poll(() => popup.text()).toMatch(/Paused: topics you visit/);
    const before = await tend.storeCounts();
    const list = await tend.openPage(server.url('/latest', HOST));
    await expect.poll(() => list.count(ROW_CHIPS)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, REPORT_MS));
    expect((await tend.storeCounts()).ops).toBe(before.ops);
    await popup.click(observing);
    await expect.poll(() => popup.isChecked(observing)).toBe(true);
    await list.reload();
    await expect.poll(async () => (await tend.storeCounts()).ops ?? 0, { timeout: 10_000 }).toBeGreaterThan(before.ops ?? 0);
    await list.close();
    await popup.close();
  });
});
