/**
 * Reminders, the toolbar badge and keyboard commands in real Chromium (the test build).
 *
 * Time: the test build lets a Tend page move Tend's clock forward (`{ tendTest: 'clock' }`,
 * kept in storage so a restarted worker keeps it), so a lease is "about to end" without waiting
 * a day; the reminder alarm is set in the browser's time and fires for real a few seconds later.
 * Notifications shown are recorded by the test build in `storage.local`, read from an extension
 * page that holds no port (it never wakes a stopped worker). A headless browser shows no
 * notification to click: `{ tendTest: 'click' }` calls the very handlers the browser's
 * `notifications.onClicked` / `onButtonClicked` call.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  REPO_ROOT,
  checkA11y,
  formatViolations,
  humanPause,
  launchExtension,
  openExtensionPage,
  openQuietExtensionPage,
  panelsOpen,
  screenshot,
  sendFromPage,
  sendRaw,
  serveFixtures,
  serviceWorkerStatus,
  stopServiceWorker,
  tabIdOf,
  type FixtureServer,
  type LaunchedExtension,
  type TendReply,
} from './helpers';
import { startTeamServer, teammate, type TeamServer } from './flows/team';
import type { Shown } from './helpers/notifications';
import { cuttableProxy } from './helpers/proxy';

const e2e = inject('tendE2E');
const HOST = 'meta.discourse.org';
const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const TOPIC = '/t/rotating-api-keys-without-downtime/4821';
const HOUR = 3_600_000;

interface Snapshot {
  threads: Record<string, { state: string; epoch: number; claim: null | { mine: boolean; expiresAt: number; holderName: string } }>;
}

function value<T>(reply: TendReply<T>): T {
  if (!reply.ok) throw new Error(`request failed: ${reply.error}`);
  return reply.value;
}

describe.skipIf(!e2e.chromium)('reminders, badge and keyboard commands', () => {
  let server: FixtureServer;
  let ext: LaunchedExtension | null = null;
  let team: TeamServer | null = null;
  /** The topic's site as Tend keys it: the fixture server's origin, with its port. */
  let thread: { site: string; threadId: string };
  let KEY: string;

  beforeAll(async () => {
    server = await serveFixtures({ root: FIXTURES, routes: { [TOPIC]: readFileSync(path.join(FIXTURES, 'topic.html'), 'utf8') } });
    thread = { site: server.origin(HOST), threadId: '4821' };
    KEY = `${thread.site} 4821`;
  });
  afterEach(async () => {
    await ext?.close();
    ext = null;
    await team?.close();
    team = null;
  });
  afterAll(async () => {
    await server?.close();
  });

  const launch = async () => {
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST] });
    ext.context.setDefaultTimeout(15_000);
    return ext;
  };
  const openTopic = async (x: LaunchedExtension): Promise<Page> => {
    const page = await x.context.newPage();
    await page.goto(server.url(TOPIC, HOST));
    await page.locator('tend-overlay[data-tend-kind="thread"]').waitFor({ state: 'attached' });
    await humanPause();
    return page;
  };
  /** What the test build recorded, read without waking the worker. */
  const shown = (page: Page) =>
    page.evaluate(async () => ((await (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } } }).chrome.storage.local.get('tendTestShown')).tendTestShown ?? []) as Shown[]);
  const badge = (page: Page) =>
    page.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: { action: { getBadgeText(d: object): Promise<string>; getTitle(d: object): Promise<string> } } }).chrome;
      return { text: await chrome.action.getBadgeText({}), title: await chrome.action.getTitle({}) };
    });
  const claimOf = async (page: Page) => value(await sendFromPage<Snapshot>(page, { type: 'state.get', posts: [], threads: [thread] })).threads[KEY]!;

  it('a claim near its end raises one notification even with the worker stopped in between; Renew extends the lease and the badge drops', async () => {
    const x = await launch();
    const forum = await openTopic(x);
    const quiet = await openQuietExtensionPage(x);
    value(await sendFromPage(quiet, { type: 'thread.claim', thread }));
    const claim = (await claimOf(quiet)).claim!;
    expect(claim.mine).toBe(true);
    expect(await badge(quiet)).toEqual({ text: '', title: 'Tend' });

    // Tend's clock moves to 2 hours (the default lead time) and 6 seconds before the lease ends.
    await sendRaw(quiet, { tendTest: 'clock', at: claim.expiresAt - 2 * HOUR - 6_000 });
    expect(await shown(quiet)).toEqual([]);
    const alarm = await quiet.evaluate(() => (globalThis as unknown as { chrome: { alarms: { get(n: string): Promise<{ scheduledTime: number } | undefined> } } }).chrome.alarms.get('tend.remind'));
    expect(alarm?.scheduledTime).toBeGreaterThan(Date.now());

    // The worker stops (as Chrome stops an idle one) before the alarm is due; no Tend page holds a port.
    await forum.close();
    await stopServiceWorker(x, { page: quiet });
    expect(await serviceWorkerStatus(x, { page: quiet })).toBe('stopped');

    // The alarm starts it again, and the reminder is shown.
    await expect.poll(() => shown(quiet), { timeout: 30_000, interval: 500 }).toHaveLength(1);
    const [notice] = await shown(quiet);
    expect(notice).toMatchObject({ title: 'Your claim is about to expire', buttons: ['Renew', 'Open'] });
    expect(notice!.message).toBe('“Rotating API keys without downtime”: 2 hr left. Renew it to keep it.');
    expect(await quiet.evaluate(() => (globalThis as unknown as { chrome: { notifications: { getAll(): Promise<object> } } }).chrome.notifications.getAll())).toHaveProperty([notice!.id]);
    await expect.poll(() => badge(quiet)).toEqual({ text: '1', title: `Tend: 1 expiring soon\n“Rotating API keys without downtime”: expiring soon` });

    // Once per lease: another look says nothing new.
    await sendRaw(quiet, { tendTest: 'clock', at: claim.expiresAt - HOUR });
    expect(await shown(quiet)).toHaveLength(1);

    // Renew, from the notification's first button.
    await stopServiceWorker(x, { page: quiet });
    await sendRaw(quiet, { tendTest: 'click', id: notice!.id, button: 0 });
    const renewed = (await claimOf(quiet)).claim!;
    expect(renewed.expiresAt).toBeGreaterThan(claim.expiresAt + 20 * HOUR);
    await expect.poll(() => badge(quiet)).toEqual({ text: '', title: 'Tend' });
    expect(await quiet.evaluate(() => (globalThis as unknown as { chrome: { notifications: { getAll(): Promise<object> } } }).chrome.notifications.getAll())).toEqual({});
  });

  it('a claim handed to me by a teammate raises "handed to you" and the badge, until I look', async () => {
    team = await startTeamServer('Support');
    const x = await launch();
    // The settings page keeps a live subscription: the team's ops arrive at once.
    const options = await openExtensionPage(x, 'options.html');
    const joined = value(await sendFromPage<{ member: { id: string } }>(options, { type: 'sync.join', server: team.url, code: await team.invite(), name: 'Ana' }));
    const sam = await teammate(team, 'Sam');
    await sam.does({ type: 'observe', thread, fields: { title: 'Rotating API keys without downtime', url: server.url(TOPIC, HOST) } });
    await sam.does({ type: 'claim', thread });
    await sam.does({ type: 'handoff', thread, epoch: 1, to: joined.member.id });

    await expect.poll(() => shown(options), { timeout: 20_000, interval: 300 }).toHaveLength(1);
    expect((await shown(options))[0]).toMatchObject({ title: 'A claim was handed to you', message: 'Sam handed you “Rotating API keys without downtime”.', buttons: ['Open'] });
    await expect.poll(() => badge(options)).toEqual({ text: '1', title: `Tend: 1 handed to you\n“Rotating API keys without downtime”: handed to you` });

    // Opening it from the notification counts as seen.
    const opened = x.context.waitForEvent('page');
    await sendRaw(options, { tendTest: 'click', id: (await shown(options))[0]!.id });
    const tab = await opened;
    await tab.waitForURL(`**${TOPIC}`);
    await expect.poll(() => badge(options)).toEqual({ text: '', title: 'Tend' });
  });

  it('a claim made without the server, refused once it is back because a teammate claimed first, raises "refused" once', async () => {
    team = await startTeamServer('Support');
    const proxy = await cuttableProxy({ port: team.server.port });
    try {
      const x = await launch();
      const options = await openExtensionPage(x, 'options.html');
      value(await sendFromPage(options, { type: 'sync.join', server: proxy.url, code: await team.invite(), name: 'Ana' }));
      await expect.poll(async () => value(await sendFromPage<{ state: string }>(options, { type: 'sync.status' })).state).toBe('synced');
      const forum = await openTopic(x);
      const sam = await teammate(team, 'Sam');
      await sam.does({ type: 'observe', thread, fields: { title: 'Rotating API keys without downtime', url: server.url(TOPIC, HOST) } });

      // Ana loses the server and claims; meanwhile Sam claims the same question on the server.
      await proxy.cut();
      value(await sendFromPage(options, { type: 'thread.claim', thread }));
      expect((await claimOf(options)).claim).toMatchObject({ mine: true });
      // Her push fails: she is offline, the claim kept as hers until the server says otherwise.
      await expect.poll(async () => value(await sendFromPage<{ state: string }>(options, { type: 'sync.status' })).state).toBe('offline');
      await sam.does({ type: 'claim', thread });
      expect(await shown(options)).toEqual([]);

      // Back online: her claim is refused, said once, and the question shows Sam's claim.
      await proxy.restore();
      await expect.poll(() => shown(options), { timeout: 30_000, interval: 300 }).toHaveLength(1);
      const [notice] = await shown(options);
      expect(notice).toMatchObject({ title: 'Your claim was refused' });
      expect(notice!.message).toMatch(/^“Rotating API keys without downtime”: .*Sam/);
      await expect.poll(async () => (await claimOf(options)).claim).toMatchObject({ mine: false, holderName: 'Sam' });
      await forum.reload();
      await expect.poll(() => forum.locator('tend-overlay[data-tend-kind="thread"]').count()).toBe(1);
      await humanPause();
      expect(await shown(options)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('keyboard commands claim the thread, open the thanks of the post in view, and open the dashboard', async () => {
    const x = await launch();
    const forum = await openTopic(x);
    const quiet = await openQuietExtensionPage(x);
    const tabId = await tabIdOf(x, forum);
    await forum.bringToFront();

    await sendRaw(quiet, { tendTest: 'command', command: 'claim-thread', tabId });
    await expect.poll(async () => (await claimOf(quiet)).claim?.mine).toBe(true);

    await forum.bringToFront();
    await sendRaw(quiet, { tendTest: 'command', command: 'endorse-post', tabId });
    const first = forum.locator('tend-overlay[data-tend-kind="post"]').first();
    await expect.poll(() => panelsOpen(first)).toBe(1);
    await expect.poll(() => first.locator('button[aria-expanded="true"]').count()).toBe(1);

    // The dashboard is its own page (built apart from this one): the command opens its address in a tab.
    await sendRaw(quiet, { tendTest: 'command', command: 'open-dashboard' });
    const tabUrls = () =>
      quiet.evaluate(async () =>
        (await (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ url?: string; pendingUrl?: string }[]> } } }).chrome.tabs.query({})).flatMap((t) => [t.url, t.pendingUrl]),
      );
    await expect.poll(tabUrls).toContain(x.url('dashboard.html'));

    // The browser bound the suggested keys (a headless browser does not deliver them to extensions:
    // a key press in a page never reaches `commands.onCommand`, hence the hook above).
    const bound = await quiet.evaluate(() => (globalThis as unknown as { chrome: { commands: { getAll(): Promise<{ name: string; shortcut: string; description: string }[]> } } }).chrome.commands.getAll());
    expect(Object.fromEntries(bound.filter((c) => c.name !== '_execute_action').map((c) => [c.name, c.shortcut]))).toEqual({ 'open-dashboard': 'Alt+Shift+D', 'claim-thread': 'Alt+Shift+K', 'endorse-post': 'Alt+Shift+H' });
    expect(bound.find((c) => c.name === 'claim-thread')?.description).toBe('Claim the thread on this page');
  });

  it('the settings page: accessible, and a new lead time moves the reminder at once', async () => {
    const x = await launch();
    const options = await openExtensionPage(x, 'options.html');
    await options.getByRole('heading', { name: 'Reminders' }).waitFor();
    const violations = await checkA11y(options);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), formatViolations(violations)).toEqual([]);
    await screenshot(options, 'settings-page', { fullPage: true });
    await options.emulateMedia({ colorScheme: 'dark' });
    await screenshot(options, 'settings-page-dark', { fullPage: true });

    value(await sendFromPage(options, { type: 'thread.claim', thread }));
    const { expiresAt } = (await claimOf(options)).claim!;
    const alarmAt = () => options.evaluate(async () => (await (globalThis as unknown as { chrome: { alarms: { get(n: string): Promise<{ scheduledTime: number } | undefined> } } }).chrome.alarms.get('tend.remind'))?.scheduledTime);
    await expect.poll(alarmAt).toBe(expiresAt - 2 * HOUR);
    await options.getByLabel('Remind me before a claim of mine ends').selectOption({ label: '30 min before' });
    await expect.poll(alarmAt).toBe(expiresAt - 30 * 60_000);
    await options.getByLabel('a teammate hands me a claim').uncheck();
    await expect.poll(async () => value(await sendFromPage(options, { type: 'reminders.get' }))).toEqual({ leadMs: 30 * 60_000, expiring: true, expired: true, handed: false, refused: true });
  });

  it('a manager changes the lease length from the settings page, on the team server', async () => {
    team = await startTeamServer('Support');
    const x = await launch();
    const options = await openExtensionPage(x, 'options.html');
    value(await sendFromPage(options, { type: 'me.setName', name: 'Ana' }));
    value(await sendFromPage(options, { type: 'sync.join', server: team.url, code: await team.invite('manager'), name: 'Ana' }));
    await options.reload();
    await expect.poll(() => options.locator('dd.lease').textContent()).toBe('24 hr');
    await options.getByLabel('Change how long a claim lasts, for the whole team').selectOption({ label: '8 hr' });
    await options.getByRole('button', { name: 'Save', exact: true }).last().click();
    await options.getByText('Saved. New claims and renewals last this long.').waitFor();
    const t = await team.server.store.resolveTeam('Support', false);
    expect((await team.server.store.team(t.id))?.leaseMs).toBe(8 * HOUR);
    await expect.poll(() => options.locator('dd.lease').textContent()).toBe('8 hr');
    // Accessible with the manager’s form showing too.
    const violations = await checkA11y(options);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), formatViolations(violations)).toEqual([]);
  });
});
