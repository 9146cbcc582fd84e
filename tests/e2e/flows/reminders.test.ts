/**
 * Reminders in Chromium and Firefox (the test build): a claim handed to me by a teammate, then a
 * lease near its end with the background unloaded before the reminder is due. Chrome's
 * notifications carry buttons; Firefox's carry none, and a click on one opens the thread.
 * See tests/e2e/reminders.test.ts for how time is moved and notifications are read.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { discourseTopicPage } from '../../fixtures/discourse/generate';
import { BROWSER, describeFlow, launchTend, type TendBrowser } from '../browsers';
import { serveFixtures, type FixtureServer } from '../helpers';
import { joinTeam, startTeamServer, teammate, type TeamServer } from './team';
import type { Shown } from '../helpers/notifications';

const HOST = 'meta.discourse.org';
const TOPIC = { id: 8200, path: '/t/exports-time-out/8200', title: 'Exports time out' };
const HOUR = 3_600_000;


describeFlow('reminders', () => {
  let tend: TendBrowser;
  let fixtures: FixtureServer;
  let team: TeamServer;

  beforeAll(async () => {
    team = await startTeamServer('Reminders team');
    fixtures = await serveFixtures({ routes: { [TOPIC.path]: discourseTopicPage({ topicId: TOPIC.id, title: TOPIC.title, posts: 3, viewer: 'ada' }) } });
    tend = await launchTend({ build: 'test', hostMap: [HOST], backgroundIdleMs: 2_000 });
    await tend.send({ type: 'me.setName', name: 'Ada' });
    await joinTeam(tend, team, 'Ada');
  });
  afterAll(async () => {
    await tend?.close();
    await fixtures?.close();
    await team?.close();
  });

  /** What the test build recorded, read from a page that never wakes the background. */
  const shown = () =>
    tend.evaluateInExtension(async () => {
      const g = globalThis as unknown as { browser?: { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } }; chrome?: { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } } };
      return (((await (g.browser ?? g.chrome)!.storage.local.get('tendTestShown')).tendTestShown ?? []) as Shown[]);
    });
  const badge = () =>
    tend.evaluateInExtension(async () => {
      type Action = { action: { getBadgeText(d: object): Promise<string>; getTitle(d: object): Promise<string> } };
      const g = globalThis as unknown as { browser?: Action; chrome?: Action };
      const api = (g.browser ?? g.chrome)!;
      return `${await api.action.getBadgeText({})} ${await api.action.getTitle({})}`;
    });
  const hook = (message: unknown) =>
    tend.evaluateInExtension(async (m) => {
      const g = globalThis as unknown as { browser?: { runtime: { sendMessage(m: unknown): Promise<unknown> } }; chrome?: { runtime: { sendMessage(m: unknown): Promise<unknown> } } };
      return (g.browser ?? g.chrome)!.runtime.sendMessage(m);
    }, message);

  it('says a claim was handed to me, and reminds me before it ends even after the background was unloaded', async () => {
    const site = fixtures.origin(HOST);
    const thread = { site, threadId: String(TOPIC.id) };
    const me = await tend.send<{ id: string }>({ type: 'me.get' });
    if (!me.ok) throw new Error(me.error);
    const sam = await teammate(team, 'Sam');
    await sam.does({ type: 'observe', thread, fields: { title: TOPIC.title, url: fixtures.url(TOPIC.path, HOST) } });
    await sam.does({ type: 'claim', thread });
    await sam.does({ type: 'handoff', thread, epoch: 1, to: me.value.id });

    // The background pulls every minute when no Tend page is open; bring the sync alarm forward.
    await tend.fireSyncAlarmIn(500);
    await expect.poll(shown, { timeout: 30_000, interval: 500 }).toHaveLength(1);
    const [handed] = await shown();
    expect(handed).toMatchObject({ title: 'A claim was handed to you', message: `Sam handed you “${TOPIC.title}”.`, buttons: BROWSER === 'firefox' ? [] : ['Open'] });
    await expect.poll(badge).toBe(`1 Tend: 1 handed to you\n“${TOPIC.title}”: handed to you`);

    // Tend's clock moves to 2 hours and 5 seconds before the lease ends; the background is unloaded before that.
    const state = await tend.send<{ threads: Record<string, { claim: { expiresAt: number } | null }> }>({ type: 'state.get', posts: [], threads: [thread] });
    if (!state.ok) throw new Error(state.error);
    const expiresAt = state.value.threads[`${site} ${TOPIC.id}`]!.claim!.expiresAt;
    await hook({ tendTest: 'clock', at: expiresAt - 2 * HOUR - 5_000 });
    await tend.unloadBackground();
    await expect.poll(shown, { timeout: 40_000, interval: 500 }).toHaveLength(2);
    const expiring = (await shown())[1]!;
    expect(expiring).toMatchObject({ title: 'Your claim is about to expire', message: `“${TOPIC.title}”: 2 hr left. Renew it to keep it.`, buttons: BROWSER === 'firefox' ? [] : ['Renew', 'Open'] });

    // A click on it opens the thread (Firefox has no buttons; Chrome's body click does the same).
    await hook({ tendTest: 'click', id: expiring.id });
    await tend.findPage(fixtures.url(TOPIC.path, HOST), { timeoutMs: 15_000 });
    // Seen: the claim stays on the badge only as ending soon.
    await expect.poll(badge).toBe(`1 Tend: 1 expiring soon\n“${TOPIC.title}”: expiring soon`);
  });
});
