/**
 * Two teammates in real Chromium: two browser profiles with the test build, each joined to
 * one Tend team server (in this process, on a temporary SQLite file) through the `sync.join`
 * page request, on the same Discourse topic served as meta.discourse.org.
 *
 * Each profile reaches the server through its own cuttable TCP proxy, so "Anna loses the
 * server" is real for Anna's service worker and its WebSocket (Playwright's offline mode
 * reaches neither) while Ben stays connected. The server itself is also restarted on the same
 * file and port while Anna is cut off, so Ben's live socket has to come back too.
 *
 * The test build grants `*://127.0.0.1/*` up front, which covers the team server's origin
 * (plain HTTP is allowed on loopback), so joining needs no permission prompt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type TendServer } from '../../server/http';
import { discourseTopicPage } from '../fixtures/discourse/generate';
import { SCREENSHOTS_DIR, endorsePanel, humanPause, launchExtension, panelText, panelsOpen, shadowText, openQuietExtensionPage, sendFromPage, serveFixtures, type FixtureServer, type LaunchedExtension } from './helpers';
import { cuttableProxy, type CuttableProxy } from './helpers/proxy';

const e2e = inject('tendE2E');
const HOST = 'meta.discourse.org';
const TOPIC_ID = 6100;
const TOPIC_PATH = '/t/webhooks-stop-after-upgrading/6100';
const TEAM = 'Support rotation';

/** Bounds this test holds the product to. */
const CLAIM_SEEN_WITHIN_MS = 2_000;
const ENDORSEMENT_SEEN_WITHIN_MS = 3_000;
const AFTER_RECONNECT_WITHIN_MS = 10_000;

/** The topic as each member sees it: the same posts, a different signed-in viewer (cookie `viewer`). */
function topicFor(req: IncomingMessage, res: ServerResponse): void {
  const viewer = /(?:^|;\s*)viewer=([a-z]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // Posts by alice, bob, carol, dave: neither viewer wrote any of them.
  res.end(discourseTopicPage({ topicId: TOPIC_ID, title: 'Webhooks stop after upgrading', posts: 4, viewer, authors: ['alice', 'bob', 'carol', 'dave'] }));
}

interface Member {
  name: string;
  viewer: string;
  ext: LaunchedExtension;
  proxy: CuttableProxy;
  /** An extension page that runs none of Tend's code, for page requests. */
  control: Page;
  topic: Page;
}

const claimBar = (page: Page) => page.locator('tend-overlay[data-tend-kind="thread"]');
const postOverlay = (page: Page, n: number) => page.locator(`#post_${n} tend-overlay`);
/** Text inside an overlay's (open, test-build) shadow root. */
const endorseButton = (overlay: Locator) => overlay.locator('button[aria-expanded]');

/** A member's sync state as `sync.status` answers it. */
async function syncState(m: Member): Promise<string> {
  const r = await sendFromPage<{ state: string; error?: string }>(m.control, { type: 'sync.status' });
  return r.ok ? r.value.state : `request failed: ${r.error}`;
}

/** Saves a picture of an overlay with some of the page around it. */
async function screenshotAround(page: Page, overlay: Locator, name: string): Promise<void> {
  const box = (await overlay.boundingBox())!;
  const viewport = page.viewportSize()!;
  const x = Math.max(0, box.x - 24);
  const y = Math.max(0, box.y - 80);
  await page.screenshot({
    path: path.join(SCREENSHOTS_DIR, `${name}.png`),
    clip: { x, y, width: Math.min(viewport.width - x, Math.max(640, box.width + 48)), height: Math.min(viewport.height - y, box.height + 120) },
  });
}

describe.skipIf(!e2e.chromium)('two teammates on one team server', () => {
  let dataDir: string;
  let dbFile: string;
  let server: TendServer;
  let serverPort: number;
  let fixtures: FixtureServer;
  let anna: Member;
  let ben: Member;
  const timings: Record<string, number> = {};

  const start = (port: number) =>
    startServer({ databaseUrl: dbFile, port, host: '127.0.0.1', rateLimit: false, joinRateLimit: false, pollMs: 200, log: () => undefined });

  async function member(name: string, viewer: string, role: 'manager' | 'member'): Promise<Member> {
    const proxy = await cuttableProxy({ port: serverPort });
    const ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium!, hostMap: [HOST] });
    ext.context.setDefaultTimeout(15_000);
    await ext.context.addCookies([{ name: 'viewer', value: viewer, domain: HOST, path: '/', secure: true }]);
    const control = await openQuietExtensionPage(ext);
    const team = await server.store.resolveTeam(TEAM, true);
    const { code } = await server.store.createInvite(team.id, role);
    const joined = await sendFromPage<{ member: { id: string; name: string; role: string }; team: { name: string } }>(control, {
      type: 'sync.join',
      server: proxy.url,
      code,
      name,
    });
    expect(joined, JSON.stringify(joined)).toMatchObject({ ok: true, value: { member: { name, role }, team: { name: TEAM } } });
    const status = await sendFromPage<{ state: string; team?: string; server?: string }>(control, { type: 'sync.status' });
    expect(status).toMatchObject({ ok: true, value: { state: 'synced', team: TEAM, server: proxy.url } });
    const topic = await ext.context.newPage();
    await topic.goto(fixtures.url(TOPIC_PATH, HOST));
    return { name, viewer, ext, proxy, control, topic };
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tend-e2e-sync-'));
    dbFile = path.join(dataDir, 'tend.sqlite');
    server = await start(0);
    serverPort = server.port;
    fixtures = await serveFixtures({ routes: { [TOPIC_PATH]: topicFor } });
    // Anna first, so Ben's roster has her name when he joins (and hers learns his from the log).
    anna = await member('Anna', 'anna', 'manager');
    ben = await member('Ben', 'ben', 'member');
  });

  afterAll(async () => {
    await Promise.all([anna?.ext.close(), ben?.ext.close()]);
    await Promise.all([anna?.proxy.close(), ben?.proxy.close()]);
    await server?.close();
    await fixtures?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    console.log(`[sync e2e] ${Object.entries(timings).map(([k, v]) => `${k}: ${v} ms`).join(', ')}`);
  });

  it('a claim shows on the teammate’s page live, and the teammate cannot take it', async () => {
    for (const m of [anna, ben]) await expect.poll(() => shadowText(claimBar(m.topic))).toMatch(/I'll handle this/);
    // Both topic tabs hold a subscription, so both workers keep a live socket to the server.
    await expect.poll(() => server.live.size, { timeout: 10_000 }).toBe(2);

    await humanPause();
    const clicked = Date.now();
    await claimBar(anna.topic).getByRole('button', { name: "I'll handle this" }).click();
    await expect.poll(() => shadowText(claimBar(ben.topic)), { timeout: CLAIM_SEEN_WITHIN_MS, interval: 25 }).toMatch(/Anna is on it/);
    timings['claim seen by teammate'] = Date.now() - clicked;
    await expect.poll(() => shadowText(claimBar(anna.topic))).toMatch(/You're on it · 24 hr left/);
    // Acknowledged by the server: no "saving…" left on Anna's side.
    await expect.poll(() => shadowText(claimBar(anna.topic))).not.toContain('saving');

    // Ben has no claim button, and asking anyway is refused with Anna's name.
    expect(await claimBar(ben.topic).getByRole('button', { name: "I'll handle this" }).count()).toBe(0);
    const refused = await sendFromPage(ben.control, { type: 'thread.claim', thread: { site: fixtures.origin(HOST), threadId: String(TOPIC_ID) } });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/Anna/);
    expect(await shadowText(claimBar(ben.topic))).toMatch(/Anna is on it/);

    await screenshotAround(anna.topic, claimBar(anna.topic), 'sync-claim-bar-anna');
    await screenshotAround(ben.topic, claimBar(ben.topic), 'sync-claim-bar-ben');
  });

  it('an endorsement with a note reaches the teammate', async () => {
    const note = 'Pinning the webhook secret fixed our deploys';
    const post = postOverlay(ben.topic, 3);
    await endorseButton(post).click();
    await endorsePanel(post).getByLabel(/Why did it help/).fill(note);
    await humanPause();
    const sent = Date.now();
    await endorsePanel(post).getByRole('button', { name: 'Send thanks' }).click();

    const seen = postOverlay(anna.topic, 3);
    await expect.poll(() => endorseButton(seen).textContent(), { timeout: ENDORSEMENT_SEEN_WITHIN_MS, interval: 25 }).toMatch(/1/);
    timings['endorsement seen by teammate'] = Date.now() - sent;
    // Ben's panel closed itself once his thanks was stored.
    await expect.poll(() => panelsOpen(post)).toBe(0);
    await endorseButton(seen).click();
    await expect.poll(() => panelText(seen)).toContain('Ben');
    const text = await panelText(seen);
    expect(text).toContain('Ben');
    expect(text).toContain(note);
    expect(text).not.toContain('saving');
    await endorseButton(seen).click();
  });

  it('an endorsement made without the server is kept, shown pending, and reaches the teammate once it is back', async () => {
    const note = 'The rollback steps saved our evening';
    // Anna loses the server; then the server itself restarts on the same file and port.
    await anna.proxy.cut();
    const cutAt = Date.now();
    const post = postOverlay(anna.topic, 4);
    await endorseButton(post).click();
    await endorsePanel(post).getByLabel(/Why did it help/).fill(note);
    await humanPause();
    await endorsePanel(post).getByRole('button', { name: 'Send thanks' }).click();
    // Kept locally and shown as not yet confirmed.
    await expect.poll(() => endorseButton(post).textContent()).toMatch(/1/);
    await expect.poll(() => panelsOpen(post)).toBe(0);
    await endorseButton(post).click();
    await expect.poll(() => panelText(post)).toMatch(/Anna · saving…/);
    expect(await panelText(post)).toContain(note);
    // Her push failed: the status says she is offline (and retrying), not that anything is wrong.
    await expect.poll(() => syncState(anna)).toBe('offline');

    await server.close();
    server = await start(serverPort);
    // Ben's live socket comes back to the restarted server by itself.
    await expect.poll(() => server.live.size, { timeout: 10_000 }).toBe(1);
    // Ben has not seen Anna's endorsement: it never left her browser.
    expect(await endorseButton(postOverlay(ben.topic, 4)).textContent()).not.toMatch(/1/);

    const back = Date.now();
    // The client retries on its own backoff (from 1 s, doubling): no request makes it sync now.
    timings['Anna without the server'] = back - cutAt;
    await anna.proxy.restore();
    const seen = postOverlay(ben.topic, 4);
    await expect.poll(() => endorseButton(seen).textContent(), { timeout: AFTER_RECONNECT_WITHIN_MS, interval: 50 }).toMatch(/1/);
    timings['offline endorsement seen after reconnect'] = Date.now() - back;
    await endorseButton(seen).click();
    await expect.poll(() => panelText(seen)).toContain(note);
    expect(await panelText(seen)).toContain('Anna');
    // Anna's own copy is confirmed, and her sync status is back to synced.
    await expect.poll(() => panelText(post), { timeout: AFTER_RECONNECT_WITHIN_MS }).not.toContain('saving');
    await expect.poll(() => syncState(anna), { timeout: AFTER_RECONNECT_WITHIN_MS }).toBe('synced');
    // The claim survived the restart: Ben still sees it as Anna's.
    expect(await shadowText(claimBar(ben.topic))).toMatch(/Anna is on it/);
  });
});
