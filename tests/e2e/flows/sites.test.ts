/**
 * Turning Tend on for a forum that is not built in, from the popup, and off again, in each
 * browser. The forum is a Discourse fixture page served as forum.example.test.
 *
 * Firefox runs the shipped build: the popup's click asks Firefox for that one origin at run
 * time, Firefox shows its own prompt, and the test answers it as a person would (refusing
 * first, then allowing); turning Tend off gives the access back. Chromium runs the test build,
 * which holds the test hosts from install (a headless Chromium cannot show the prompt), so
 * there the click goes straight to enabling.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROWSER, describeFlow, flowBuild, launchTend, type TendBrowser, type TendPage } from '../browsers';
import { REPO_ROOT, serveFixtures, type FixtureServer } from '../helpers';
import { CLAIM_BAR, POST_OVERLAYS, claimBar, expectAccessible } from './tend-ui';

const HOST = 'forum.example.test';
const TOPIC = '/t/rotating-api-keys-without-downtime/4821';
const SITE_CARD = { css: 'section.site' };

type ScriptingApi = { scripting: { getRegisteredContentScripts(): Promise<{ id: string; matches?: string[] }[]> } };

describeFlow('enabling Tend on a forum that is not built in', () => {
  let tend: TendBrowser;
  let server: FixtureServer;
  let forum: TendPage;
  let origin: string;

  const registered = () =>
    tend.evaluateInExtension(async () => {
      const api = ((globalThis as unknown as { browser?: ScriptingApi }).browser ?? (globalThis as unknown as { chrome: ScriptingApi }).chrome).scripting;
      return (await api.getRegisteredContentScripts()).map((s) => ({ id: s.id, matches: s.matches }));
    });

  beforeAll(async () => {
    server = await serveFixtures({ routes: { [TOPIC]: readFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'discourse', 'topic.html'), 'utf8') } });
    tend = await launchTend({ build: flowBuild(), hostMap: [HOST] });
    origin = server.origin(HOST);
    forum = await tend.openPage(server.url(TOPIC, HOST));
  });
  afterAll(async () => {
    await tend?.close();
    await server?.close();
  });

  it('is off on a forum it does not know, and the popup offers to turn it on', async () => {
    const popup = await tend.openPopup(forum);
    await expect.poll(() => popup.text(SITE_CARD)).toContain('Tend is off here');
    expect(await popup.text(SITE_CARD)).toContain(HOST);
    expect(await tend.hasSitePermission(origin)).toBe(!tend.asksForSites);
    // Tend does not run there: the page has no overlay (its built-in script only matches built-in hosts).
    expect(await forum.count('tend-overlay')).toBe(0);
    await expectAccessible(popup);
    await popup.screenshot(`${BROWSER}-popup-site-off-light`);
    await popup.close();
  });

  it('stays off when the browser’s prompt is refused', async () => {
    if (!tend.asksForSites) {
      // Chromium's test build is never asked: the refusal is Firefox's to show.
      expect(tend.build).toBe('test');
      return;
    }
    const popup = await tend.openPopup(forum);
    await popup.click({ role: 'button', name: 'Enable Tend on this site' });
    expect(await tend.answerSitePrompt('deny')).toMatch(/Tend/);
    await expect.poll(() => popup.text(SITE_CARD)).toContain('Tend was not given access, so it stays off here.');
    expect(await tend.hasSitePermission(origin)).toBe(false);
    expect(await registered()).toEqual([]);
    await popup.close();
  });

  it('turns on from the popup and starts in the open tab without a reload', async () => {
    const popup = await tend.openPopup(forum);
    await popup.click({ role: 'button', name: 'Enable Tend on this site' });
    if (tend.asksForSites) expect(await tend.answerSitePrompt('allow')).toMatch(/Tend/);
    await expect.poll(() => popup.text(SITE_CARD), { timeout: 10_000 }).toContain('Tend is on here');
    expect(await tend.hasSitePermission(origin)).toBe(true);
    // The pattern names no port: Firefox refuses ports in match patterns.
    expect(await registered()).toEqual([{ id: `tend-site-https-${HOST}`, matches: [`https://${HOST}/*`] }]);
    await expect.poll(() => forum.count(CLAIM_BAR), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => forum.count(POST_OVERLAYS)).toBeGreaterThan(3);
    await expect.poll(() => claimBar(forum).text()).toMatch(/I'll handle this/);
    // What Tend saw on the page is counted in the popup, live.
    await expect.poll(async () => Number(await popup.text({ css: 'li[data-state="unclaimed"] .n' })), { timeout: 10_000 }).toBeGreaterThan(0);
    await expectAccessible(popup);
    await popup.screenshot(`${BROWSER}-popup-site-on-light`);
    await popup.close();
  });

  it('runs by itself in a new page of the forum, which the popup then knows as Discourse', async () => {
    const page = await tend.openPage(server.url(TOPIC, HOST));
    await expect.poll(() => page.count(CLAIM_BAR), { timeout: 10_000 }).toBe(1);
    const popup = await tend.openPopup(page);
    await expect.poll(() => popup.text(SITE_CARD)).toContain('Tend is on here');
    expect(await popup.text(SITE_CARD)).not.toContain('does not know this forum yet');
    await popup.close();
    await page.close();
  });

  it('turns off from the popup, giving the access back where the browser granted it at run time', async () => {
    const popup = await tend.openPopup(forum);
    await popup.click({ role: 'button', name: 'Turn off here' });
    await expect.poll(() => popup.text(SITE_CARD)).toContain('Tend is off here');
    expect(await popup.text({ role: 'status' })).toContain('Pages already open keep Tend until they reload');
    expect(await registered()).toEqual([]);
    // Firefox's grant was made at run time and goes back; the test build's cannot be removed.
    expect(await tend.hasSitePermission(origin)).toBe(!tend.asksForSites);
    expect(await tend.send({ type: 'site.status', tabId: await tend.tabIdOf(forum) })).toMatchObject({ ok: true, value: { enabled: false } });
    await popup.close();
  });
});
