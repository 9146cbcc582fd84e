/**
 * A new user's first minutes, in real Chromium with the test build: naming myself in the
 * settings, my own post, thanking someone, claiming, joining a team (including a browser
 * that refuses or never answers the permission prompt), renaming myself in the team, a
 * teammate's claim arriving live, and the popup with a realistic amount of data. Each step
 * leaves a screenshot in test-results/screenshots (first-minutes-*).
 *
 * The teammate, Sam, acts through the team server's HTTP API with his own token, as his
 * browser would: what Ada's browser receives is exactly what it receives from a real
 * teammate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIdGenerator, encodeHlc, OP_VERSION, type Op, type Payload } from '../../lib/domain';
import { startServer, type TendServer } from '../../server/http';
import { discourseTopicPage } from '../fixtures/discourse/generate';
import {
  SCREENSHOTS_DIR,
  endorsePanel,
  humanPause,
  panelText,
  panelsOpen,
  sendThanks,
  shadowText,
  checkA11y,
  formatViolations,
  launchExtension,
  openQuietExtensionPage,
  screenshot,
  sendFromPage,
  serveFixtures,
  tabIdOf,
  type FixtureServer,
  type LaunchedExtension,
} from './helpers';

const e2e = inject('tendE2E');
const HOST = 'meta.discourse.org';
const TOPICS = [
  { id: 7100, title: 'Webhooks stop after upgrading' },
  { id: 7101, title: 'Rotating API keys without downtime' },
  { id: 7102, title: 'Email digests arrive twice' },
  { id: 7103, title: 'SSO logs everyone out at midnight' },
];
const pathOf = (t: { id: number; title: string }) => `/t/${t.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}/${t.id}`;
const MINUTES_SHOTS = 'first-minutes';

/** Every topic as Ada sees it: posts by ada, sam, carol and dave in turn; she is signed in as ada. */
function topicRoute(t: { id: number; title: string }) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(discourseTopicPage({ topicId: t.id, title: t.title, posts: 8, viewer: 'ada', authors: ['ada', 'sam', 'carol', 'dave'] }));
  };
}

const claimBar = (page: Page) => page.locator('tend-overlay[data-tend-kind="thread"]');
const postOverlay = (page: Page, n: number) => page.locator(`#post_${n} tend-overlay`);
const toggle = (overlay: Locator) => overlay.locator('button[aria-expanded]');

/** A picture of an overlay with some of the page around it. */
async function shotAround(page: Page, overlay: Locator, name: string, below = 160): Promise<void> {
  const box = (await overlay.boundingBox())!;
  const viewport = page.viewportSize()!;
  const x = Math.max(0, box.x - 24);
  const y = Math.max(0, box.y - 60);
  await page.screenshot({
    path: path.join(SCREENSHOTS_DIR, `${MINUTES_SHOTS}-${name}.png`),
    clip: { x, y, width: Math.min(viewport.width - x, Math.max(560, box.width + 48)), height: Math.min(viewport.height - y, box.height + 60 + below) },
  });
}

describe.skipIf(!e2e.chromium)('the first minutes with Tend', () => {
  let dataDir: string;
  let server: TendServer;
  let fixtures: FixtureServer;
  let ext: LaunchedExtension;
  let control: Page;
  let site: string;
  let sam: { token: string; member: { id: string } };
  const nextId = createIdGenerator();
  let tick = 0;

  /** Sam does something from his own browser: a push to the team server with his token. */
  async function samDoes(payload: Payload): Promise<void> {
    const op = { ...payload, v: OP_VERSION, id: nextId(), hlc: encodeHlc({ ms: Date.now(), counter: tick++, node: 'sam' }), actor: sam.member.id } as Op;
    const res = await fetch(`${server.url}/v1/ops`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sam.token}`, 'Tend-Protocol': '1' },
      body: JSON.stringify({ ops: [op] }),
    });
    const body = (await res.json()) as { results: { ok: boolean; reason?: string }[] };
    expect(body.results[0], JSON.stringify(body)).toMatchObject({ ok: true });
  }

  async function openTopic(t: { id: number; title: string }): Promise<Page> {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1000, height: 800 });
    await page.goto(fixtures.url(pathOf(t), HOST));
    await claimBar(page).waitFor({ state: 'attached' });
    await expect.poll(() => shadowText(claimBar(page))).toMatch(/I'll handle this|is on it|You're on it/);
    // As a person would: the page is seen a moment before anything on it is clicked.
    await humanPause();
    return page;
  }

  async function popupFor(tabId: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await ext.context.newPage();
    page.setDefaultTimeout(5_000);
    await page.setViewportSize({ width: 380, height: 600 });
    await page.emulateMedia({ colorScheme });
    await page.goto(ext.url(`popup.html?tabId=${tabId}`));
    await page.locator('main[aria-busy="false"]').waitFor();
    return page;
  }

  const expectAccessible = async (page: Page) => {
    const violations = await checkA11y(page);
    expect(violations, formatViolations(violations)).toEqual([]);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tend-e2e-first-'));
    server = await startServer({ databaseUrl: path.join(dataDir, 'tend.sqlite'), port: 0, host: '127.0.0.1', rateLimit: false, joinRateLimit: false, pollMs: 200, log: () => undefined });
    fixtures = await serveFixtures({ routes: Object.fromEntries(TOPICS.map((t) => [pathOf(t), topicRoute(t)])) });
    site = fixtures.origin(HOST);
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST] });
    ext.context.setDefaultTimeout(15_000);
    control = await openQuietExtensionPage(ext);
  });

  afterAll(async () => {
    await ext?.close();
    await server?.close();
    await fixtures?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows my display name in the settings, solo, and changes it there', async () => {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 900, height: 760 });
    await page.goto(ext.url('options.html'));
    const name = page.getByRole('textbox', { name: 'Display name' });
    await expect.poll(() => page.getByRole('button', { name: 'Save' }).isEnabled()).toBe(true);
    expect(await name.inputValue()).toBe('');
    expect(await page.locator('.profile-card').textContent()).toContain('Shown next to your claims and thanks');
    await name.fill('Ada');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Teammates will see you as Ada');
    expect(await sendFromPage(control, { type: 'me.get' })).toMatchObject({ ok: true, value: { name: 'Ada' } });
    // One name field on the page: joining uses it.
    expect(await page.getByRole('textbox', { name: 'Display name' }).count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, `${MINUTES_SHOTS}-settings-solo-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, `${MINUTES_SHOTS}-settings-solo-dark`);
    await page.close();
  });

  it('on my own post, the button says who thanked me and the panel offers nothing I cannot do', async () => {
    const page = await openTopic(TOPICS[0]!);
    const own = postOverlay(page, 1);
    await expect.poll(() => toggle(own).textContent()).toBe('♡No thanks yet');
    expect(await toggle(own).getAttribute('title')).toBe('Who thanked you for this post');
    await toggle(own).click();
    await expect.poll(() => panelText(own)).toContain('Nobody has said this post helped them yet.');
    const text = await panelText(own);
    expect(text).toContain('Who thanked you');
    expect(text).not.toContain('Be the first');
    expect(text).not.toContain('This is your post');
    expect(await endorsePanel(own).locator('textarea, button[type=submit]').count()).toBe(0);
    await shotAround(page, own, 'own-post-empty');
    await page.close();
  });

  it('sending thanks closes the panel and gives focus back to the button', async () => {
    const page = await openTopic(TOPICS[0]!);
    const post = postOverlay(page, 2);
    await toggle(post).click();
    await endorsePanel(post).getByLabel(/Why did it help/).fill('The upgrade notes were exactly what I needed');
    await shotAround(page, post, 'endorse-open', 260);
    await humanPause();
    await endorsePanel(post).getByRole('button', { name: 'Send thanks' }).click();
    await expect.poll(() => panelsOpen(post)).toBe(0);
    expect(await toggle(post).evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b)).toBe(true);
    expect(await toggle(post).textContent()).toBe('♥This helped1');
    await shotAround(page, post, 'endorse-sent');
    await page.close();
  });

  it('words a fresh claim the same in the bar and the popup, by one rule', async () => {
    const page = await openTopic(TOPICS[0]!);
    await claimBar(page).getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(claimBar(page))).toMatch(/You're on it · 24 hr left/);
    const tabId = await tabIdOf(ext, page);
    const popup = await popupFor(tabId);
    await expect.poll(() => popup.locator('ul[aria-label="Your claims"]').textContent()).toContain('24 hr left');
    await shotAround(page, claimBar(page), 'claim-mine');
    await popup.close();
    await page.close();
  });

  it('the popup’s observing switch says what it does with no team', async () => {
    const page = await openTopic(TOPICS[0]!);
    const popup = await popupFor(await tabIdOf(ext, page));
    const footer = popup.locator('footer');
    await expect.poll(() => footer.textContent()).toContain('Add topics I visit to my queue');
    expect(await footer.textContent()).toContain('in this browser only');
    expect(await footer.textContent()).not.toContain('team');
    await screenshot(popup, `${MINUTES_SHOTS}-popup-solo`);
    await popup.close();
    await page.close();
  });

  it('joining says so when the browser refuses or never answers the permission prompt, and joins on the next try', async () => {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 900, height: 760 });
    await page.goto(ext.url('options.html'));
    await expect.poll(() => page.getByText(/Solo mode: everything stays/).count()).toBe(1);
    await page.getByLabel('Team server address').fill(server.url);
    const team = await server.store.resolveTeam(undefined, true);
    await page.getByLabel('Invite code').fill((await server.store.createInvite(team.id, 'manager')).code);

    // Refused.
    await page.evaluate(() => {
      (globalThis as unknown as { chrome: { permissions: { request: () => Promise<boolean> } } }).chrome.permissions.request = () => Promise.resolve(false);
    });
    await page.getByRole('button', { name: 'Join the team' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Tend was not allowed to reach 127\.0\.0\.1:\d+, so it did not join/);
    expect(await page.getByRole('button', { name: 'Join the team' }).isEnabled()).toBe(true);
    await screenshot(page, `${MINUTES_SHOTS}-join-denied`);

    // Never answered (a prompt closed some other way): Tend stops waiting and says so. This
    // page's minute-long waits are shortened to a moment (a page clock would be the whole
    // browser's, and the worker's times would no longer match it).
    await page.evaluate(() => {
      const w = globalThis as unknown as { chrome: { permissions: { request: () => Promise<boolean> } }; setTimeout: typeof setTimeout };
      w.chrome.permissions.request = () => new Promise<boolean>(() => undefined);
      const real = w.setTimeout.bind(w);
      w.setTimeout = ((fn: () => void, ms?: number) => real(fn, ms !== undefined && ms >= 60_000 ? 2_000 : ms)) as typeof setTimeout;
    });
    await page.getByRole('button', { name: 'Join the team' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Joining…' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Your browser did not answer Tend’s request for access to 127\.0\.0\.1:\d+/);
    expect(await page.getByRole('button', { name: 'Join the team' }).isEnabled()).toBe(true);
    await screenshot(page, `${MINUTES_SHOTS}-join-unanswered`);
    await page.close();

    // A fresh page has the browser's own answer again (the test build grants loopback up front).
    const again = await ext.context.newPage();
    await again.setViewportSize({ width: 900, height: 760 });
    await again.goto(ext.url('options.html'));
    await again.getByLabel('Team server address').fill(server.url);
    await again.getByLabel('Invite code').fill((await server.store.createInvite(team.id, 'manager')).code);
    await again.getByRole('button', { name: 'Join the team' }).click();
    await expect.poll(() => again.locator('.team-name').textContent(), { timeout: 10_000 }).toBe('Community team');
    const facts = again.locator('.facts');
    expect(await facts.textContent()).toContain(`Server127.0.0.1:${server.port}`);
    expect(await facts.textContent()).toContain('Your roleManager');
    await expect.poll(() => again.locator('.sync-state').textContent(), { timeout: 10_000 }).toBe('Synced just now');
    await expectAccessible(again);
    await screenshot(again, `${MINUTES_SHOTS}-settings-team-light`);
    await again.emulateMedia({ colorScheme: 'dark' });
    await screenshot(again, `${MINUTES_SHOTS}-settings-team-dark`);

    // In a team, my name is still here to change, and a new one reaches the server.
    const name = again.getByRole('textbox', { name: 'Display name' });
    await expect.poll(() => name.inputValue()).toBe('Ada');
    expect(await again.locator('.profile-card').textContent()).toContain('A new name reaches them at the next sync');
    await name.fill('Ada Lovelace');
    await again.locator('.profile-card').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => again.getByRole('status').first().textContent()).toContain('Teammates will see you as Ada Lovelace');
    await expect.poll(async () => (await server.store.roster(team.id)).map((m) => m.name), { timeout: 10_000 }).toContain('Ada Lovelace');
    await again.close();

    const { code } = await server.store.createInvite(team.id, 'member');
    const res = await fetch(`${server.url}/v1/join`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Tend-Protocol': '1' }, body: JSON.stringify({ code, name: 'Sam' }) });
    sam = (await res.json()) as typeof sam;
  });

  it('a teammate’s claim arrives live, and the claim bar keeps its height', async () => {
    const topic = TOPICS[1]!;
    const page = await openTopic(topic);
    // Tend's live connection is open once the page subscribes.
    await expect.poll(() => server.live.size, { timeout: 10_000 }).toBeGreaterThan(0);
    const bar = claimBar(page);
    await expect.poll(() => shadowText(bar)).toMatch(/I'll handle this/);
    const before = (await bar.boundingBox())!;
    const postTop = (await page.locator('#post_1').boundingBox())!.y;
    await shotAround(page, bar, 'claim-bar-before');

    await samDoes({ type: 'claim', thread: { site, threadId: String(topic.id) } });
    await expect.poll(() => shadowText(bar), { timeout: 5_000 }).toMatch(/Sam is on it · claimed just now/);
    const after = (await bar.boundingBox())!;
    expect(after.height).toBe(before.height);
    expect((await page.locator('#post_1').boundingBox())!.y).toBe(postTop);
    await shotAround(page, bar, 'claim-bar-after');

    // The popup says who holds it.
    const popup = await popupFor(await tabIdOf(ext, page));
    const held = popup.locator('ul[aria-label="Who holds the claimed questions here"]');
    await expect.poll(() => held.textContent()).toContain('Sam');
    await expect.poll(() => held.textContent()).toContain(topic.title);
    expect(await held.textContent()).toContain('24 hr left');
    await screenshot(popup, `${MINUTES_SHOTS}-popup-held`);
    await popup.close();
    await page.close();
  });

  it('my own post shows who thanked me once someone did', async () => {
    await samDoes({ type: 'endorse', post: { site, threadId: String(TOPICS[0]!.id), postId: '1' }, author: 'ada', viewer: 'sam', note: 'Your webhook checklist saved my Friday' });
    const page = await openTopic(TOPICS[0]!);
    const own = postOverlay(page, 1);
    await expect.poll(() => toggle(own).textContent(), { timeout: 10_000 }).toBe('♥Thanked by1');
    await toggle(own).click();
    await expect.poll(() => panelText(own)).toContain('Sam');
    const text = await panelText(own);
    expect(text).toContain('Your webhook checklist saved my Friday');
    expect(await endorsePanel(own).locator('textarea').count()).toBe(0);
    await shotAround(page, own, 'own-post-thanked', 200);
    await page.close();
  });

  it('the popup fits Chrome’s 600 pixels with three claims and five thanks each way', async () => {
    // Three claims of mine (joining the team started the claims over), five thanks from me,
    // and five from Sam to my posts.
    const first = await openTopic(TOPICS[0]!);
    await claimBar(first).getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(claimBar(first))).toMatch(/You're on it/);
    await first.close();
    const page = await openTopic(TOPICS[2]!);
    await claimBar(page).getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(claimBar(page))).toMatch(/You're on it/);
    const other = await openTopic(TOPICS[3]!);
    await claimBar(other).getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(claimBar(other))).toMatch(/You're on it/);
    await page.bringToFront();
    for (const n of [2, 3, 4, 6]) {
      const post = postOverlay(page, n);
      await sendThanks(post, `Post ${n} explained the cause clearly`);
      await expect.poll(() => panelsOpen(post)).toBe(0);
    }
    for (const [topic, postId] of [[TOPICS[2]!, '1'], [TOPICS[2]!, '5'], [TOPICS[3]!, '1'], [TOPICS[3]!, '5']] as const) {
      await samDoes({ type: 'endorse', post: { site, threadId: String(topic.id), postId }, author: 'ada', viewer: 'sam', note: `Thanks for post ${postId} on “${topic.title}”` });
    }
    await other.close();
    const tabId = await tabIdOf(ext, page);
    for (const colorScheme of ['light', 'dark'] as const) {
      const popup = await popupFor(tabId, colorScheme);
      await expect.poll(() => popup.locator('ul[aria-label="Your claims"] li').count()).toBe(3);
      await popup.getByRole('tab', { name: /Thanks/ }).click();
      await expect.poll(() => popup.locator('ul[aria-label="Thanks you received lately"] li').count(), { timeout: 10_000 }).toBe(5);
      expect(await popup.locator('ul[aria-label="Thanks you gave lately"] li').count()).toBe(5);
      for (const tab of ['Your claims', 'Thanks'] as const) {
        await popup.getByRole('tab', { name: new RegExp(tab) }).click();
        const height = await popup.evaluate(() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight, document.querySelector('main')!.getBoundingClientRect().height));
        expect(height, `${tab} tab`).toBeLessThanOrEqual(600);
        await expectAccessible(popup);
        await screenshot(popup, `${MINUTES_SHOTS}-popup-${tab === 'Thanks' ? 'thanks' : 'claims'}-${colorScheme}`, { fullPage: false });
      }
      await popup.close();
    }
    await page.close();
  });
});
