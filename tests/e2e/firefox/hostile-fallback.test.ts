/**
 * Hostile pages in real Firefox, which has no IntersectionObserver v2: Tend's click guard
 * falls back to its own checks there. A click on a claim button the person could not see —
 * made see-through by the page, or hidden under a decoy that lets clicks through — must not
 * claim anything unless the person confirms; a plain click on a visible button claims at once.
 * The page tricks and the ways Tend asks are in `browsers/hostile.ts`, for any browser.
 *
 * Firefox runs the shipped build (closed shadow roots), as users have it; what is observed is
 * only what a person would see: whether Tend asked, and whether the topic got claimed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeFlow, launchTend, type TendBrowser, type TendPage } from '../browsers';
import { confirmInOverlay, coverWithDecoy, makeTransparent, watchConfirmations } from '../browsers/hostile';
import { REPO_ROOT, serveFixtures, type FixtureServer } from '../helpers';
import { CLAIM_BAR, claimBar } from '../flows/tend-ui';

const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const HOST = 'meta.discourse.org';
const TOPIC = '/t/rotating-api-keys-without-downtime/4821';
const CLAIM = { role: 'button', name: "I'll handle this" } as const;

describeFlow('a hostile page and the click guard without IntersectionObserver v2', () => {
  let tend: TendBrowser;
  let server: FixtureServer;

  beforeAll(async () => {
    server = await serveFixtures({ root: FIXTURES, routes: { [TOPIC]: readFileSync(path.join(FIXTURES, 'topic.html'), 'utf8') } });
    tend = await launchTend({ build: 'shipped', hostMap: [HOST] });
  });
  afterAll(async () => {
    await tend?.close();
    await server?.close();
  });

  /** The topic, freshly opened with its claim bar ready and no claim on it. */
  async function topic(): Promise<TendPage> {
    const page = await tend.openPage(server.url(TOPIC, HOST));
    await expect.poll(() => claimBar(page).text()).toMatch(/I'll handle this/);
    return page;
  }
  const claims = async () => (await tend.storeCounts()).claims ?? 0;

  /** Whether the topic is claimed, as the background knows it (not as the page draws it). */
  async function claimed(): Promise<boolean> {
    const reply = await tend.send<{ threads: Record<string, { claim: object | null }> }>({ type: 'state.get', posts: [], threads: [{ site: server.origin(HOST), threadId: '4821' }] });
    if (!reply.ok) throw new Error(reply.error);
    // The topic is answered: its state says so whoever holds it, the claim says who does.
    return Boolean(Object.values(reply.value.threads)[0]?.claim);
  }

  /** Releases the topic again from an extension page, for the next case. */
  async function release(): Promise<void> {
    const thread = { site: server.origin(HOST), threadId: '4821' };
    const state = await tend.send<{ threads: Record<string, { epoch: number }> }>({ type: 'state.get', posts: [], threads: [thread] });
    if (!state.ok) throw new Error(state.error);
    expect(await tend.send({ type: 'thread.release', thread, epoch: Object.values(state.value.threads)[0]!.epoch })).toMatchObject({ ok: true });
  }

  it('claims at once on a plain click on a visible button, asking nothing', async () => {
    const page = await topic();
    const asking = watchConfirmations(page, 'dismiss');
    await claimBar(page).click(CLAIM);
    await expect.poll(() => claimBar(page).text()).toMatch(/You're on it/);
    expect(await claimed()).toBe(true);
    expect(await asking.asked(claimBar(page))).toBe(0);
    await release();
    await page.close();
  });

  it('does not claim on a click on a see-through button unless the person confirms', async () => {
    const before = await claims();
    const page = await topic();
    await makeTransparent(page, CLAIM_BAR);
    const asking = watchConfirmations(page, 'dismiss');
    await claimBar(page).click(CLAIM);
    await expect.poll(() => asking.asked(claimBar(page))).toBeGreaterThan(0);
    expect(await claimed()).toBe(false);
    expect(await claims()).toBe(before);
    await page.screenshot('firefox-hostile-transparent', { fullPage: false });
    await page.close();

    // Said yes: then it is the person's own wish, and the claim is made.
    const again = await topic();
    await makeTransparent(again, CLAIM_BAR);
    const yes = watchConfirmations(again, 'accept');
    await claimBar(again).click(CLAIM);
    await expect.poll(() => yes.asked(claimBar(again))).toBeGreaterThan(0);
    if (yes.messages.length === 0) await confirmInOverlay(claimBar(again));
    await expect.poll(claimed).toBe(true);
    await release();
    await again.close();
  });

  // The click passes through the decoy to Tend's button; Tend's own hit test, which also finds
  // covers that let clicks through, sees that the person was looking at the decoy.
  it('does not claim on a click through a decoy laid over the button unless the person confirms', async () => {
    const before = await claims();
    const page = await topic();
    await coverWithDecoy(page, CLAIM_BAR, { passClicks: true });
    await page.screenshot('firefox-hostile-decoy', { fullPage: false });
    const asking = watchConfirmations(page, 'dismiss');
    await claimBar(page).click(CLAIM);
    await expect.poll(() => asking.asked(claimBar(page))).toBeGreaterThan(0);
    expect(await claimed()).toBe(false);
    expect(await claims()).toBe(before);
    await page.close();
  });
});
