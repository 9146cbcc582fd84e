/**
 * Joining a team from Tend's settings, in each browser, as a person would: a display name, the
 * server's address and an invite code; the popup then says the browser is synced; leaving
 * returns to solo mode.
 *
 * Firefox runs the shipped build: joining asks Firefox for the team server's origin, Firefox
 * shows its own prompt, and the test refuses it once (the page says so) and then allows it.
 * Chromium runs the test build, which holds the server's loopback address from install.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROWSER, describeFlow, flowBuild, launchTend, type TendBrowser } from '../browsers';
import { startTeamServer, type TeamServer } from './team';
import { expectAccessible } from './tend-ui';

describeFlow('settings: joining and leaving a team', () => {
  let tend: TendBrowser;
  let team: TeamServer;

  beforeAll(async () => {
    team = await startTeamServer('Docs team');
    tend = await launchTend({ build: flowBuild() });
  });
  afterAll(async () => {
    await tend?.close();
    await team?.close();
  });

  it('joins with an invite code, says where sync stands, and leaves', async () => {
    const page = await tend.openExtensionPage('options.html', { viewport: { width: 900, height: 760 } });
    await expect.poll(() => page.text()).toMatch(/Solo mode: everything stays/);
    await page.fill({ role: 'textbox', name: 'Display name' }, 'Grace');
    await page.click({ role: 'button', name: 'Save' });
    await expect.poll(() => page.text({ role: 'status' })).toMatch(/Teammates will see you as Grace/);

    await page.fill({ role: 'textbox', name: 'Team server address' }, team.url);
    await page.fill({ role: 'textbox', name: 'Invite code' }, await team.invite('member'));
    if (tend.asksForSites) {
      // The person says no to Firefox's prompt: Tend says so, and joins nothing.
      await page.click({ role: 'button', name: 'Join the team' });
      expect(await tend.answerSitePrompt('deny')).toMatch(/Tend/);
      await expect.poll(() => page.text({ role: 'alert' })).toMatch(/Tend was not allowed to reach 127\.0\.0\.1:\d+, so it did not join/);
      expect(await tend.hasSitePermission(team.url)).toBe(false);
    }
    await page.click({ role: 'button', name: 'Join the team' });
    if (tend.asksForSites) expect(await tend.answerSitePrompt('allow')).toMatch(/Tend/);
    await expect.poll(() => page.text({ css: '.team-name' }), { timeout: 10_000 }).toBe('Docs team');
    expect(await page.text({ css: '.facts' })).toContain(`Server127.0.0.1:${team.server.port}`);
    await expect.poll(() => page.text({ css: '.sync-state' }), { timeout: 10_000 }).toMatch(/Synced/);
    expect(await tend.hasSitePermission(team.url)).toBe(true);
    // The server's origin was granted for sync: Tend does not take it for a forum.
    const listed = await tend.send<{ sites: { origin: string }[] }>({ type: 'sites.list' });
    expect(listed.ok, JSON.stringify(listed)).toBe(true);
    if (listed.ok) expect(listed.value.sites.map((s) => s.origin)).not.toContain(new URL(team.url).origin);
    await expectAccessible(page);
    await page.screenshot(`${BROWSER}-settings-team-light`);
    await page.setColorScheme('dark');
    await expectAccessible(page);
    await page.screenshot(`${BROWSER}-settings-team-dark`);
    await page.setColorScheme('light');

    const popup = await tend.openPopup();
    await expect.poll(() => popup.text({ css: '.sync-line' }), { timeout: 10_000 }).toMatch(/Synced/);
    await popup.close();

    await page.click({ role: 'button', name: 'Leave the team' });
    await expect.poll(() => page.text()).toMatch(/Solo mode: everything stays/);
    expect(await tend.send({ type: 'sync.status' })).toMatchObject({ ok: true, value: { state: 'solo' } });
    await page.close();
  });
});
