/**
 * Private windows in Firefox as Firefox installs Tend: not allowed there (a person turns "Run
 * in Private Windows" on in about:addons; flows/private.test.ts covers that case). Tend does not
 * run in a private window at all then, and records nothing of it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeFlow, launchTend, type TendBrowser } from '../browsers';
import { REPO_ROOT, serveFixtures, type FixtureServer } from '../helpers';
import { CLAIM_BAR } from '../flows/tend-ui';

const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse');
const HOST = 'meta.discourse.org';
const TOPIC = '/t/rotating-api-keys-without-downtime/4821';

describeFlow('private windows, as Firefox installs Tend', () => {
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

  it('does not run in a private window, and records nothing of it', async () => {
    expect(await tend.evaluateInExtension(() => (globalThis as unknown as { browser: { extension: { isAllowedIncognitoAccess(): Promise<boolean> } } }).browser.extension.isAllowedIncognitoAccess())).toBe(false);
    expect(await tend.send({ type: 'me.get' })).toMatchObject({ ok: true });
    const before = await tend.storeCounts();
    const secret = await tend.openPrivatePage(server.url(TOPIC, HOST));
    expect(await tend.isPrivate(secret)).toBe(true);
    expect(await secret.evaluate(() => document.title)).toContain('Rotating API keys');

    // The same topic in a normal window, opened after: once Tend has run there, it would have
    // run in the private one, which loaded first.
    const normal = await tend.openPage(server.url(TOPIC, HOST));
    await expect.poll(() => normal.count(CLAIM_BAR), { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await tend.storeCounts()).ops ?? 0).toBeGreaterThan(before.ops ?? 0);
    // Nothing of Tend in the private tab: no script, so nothing could be told to the background.
    expect(await secret.count('tend-overlay')).toBe(0);
    await secret.close();
    await normal.close();
  });
});
