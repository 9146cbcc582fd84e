/**
 * The first minutes, in each browser: Tend opens its first-run page when it is installed, the
 * popup shows empty states where Tend cannot run and offers to set a name, and the first-run
 * page takes a display name with its validation errors, in light and dark.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROWSER, describeFlow, flowBuild, launchTend, type TendBrowser } from '../browsers';
import { expectAccessible } from './tend-ui';

type Tabs = { tabs: { query(q: object): Promise<{ id?: number; url?: string; active?: boolean }[]> } };

describeFlow('the first minutes', () => {
  let tend: TendBrowser;
  const welcomeUrl = () => `${tend.extensionOrigin}/welcome.html`;
  const welcomeTabs = () =>
    tend.evaluateInExtension(async (url) => {
      const api = (globalThis as unknown as { browser?: Tabs }).browser ?? (globalThis as unknown as { chrome: Tabs }).chrome;
      return (await api.tabs.query({})).filter((t) => t.url === url).map((t) => ({ active: Boolean(t.active) }));
    }, welcomeUrl());

  beforeAll(async () => {
    tend = await launchTend({ build: flowBuild() });
  });
  afterAll(async () => {
    await tend?.close();
  });

  it('opens the first-run page when installed', async () => {
    await expect.poll(async () => (await welcomeTabs()).length, { timeout: 10_000 }).toBe(1);
  });

  it('shows empty states where Tend cannot run, and offers to set a name', async () => {
    // Opened without a tab to look at, the popup's "current tab" is itself: not a web page.
    const popup = await tend.openPopup();
    await expect.poll(() => popup.text({ css: 'section.site' })).toContain('Tend can’t run on this page.');
    await expect.poll(() => popup.text({ css: 'main' })).toContain('Nothing claimed.');
    await popup.click({ role: 'tab', name: /Thanks/ });
    await expect.poll(() => popup.text({ css: 'main' })).toContain('No thanks yet.');
    await expectAccessible(popup);
    await popup.screenshot(`${BROWSER}-popup-empty-light`);
    await popup.click({ role: 'button', name: 'Set your name' });
    await expect.poll(async () => (await welcomeTabs()).length).toBe(2);
  });

  it('asks for a display name on the first-run page, with validation errors, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const page = await tend.openExtensionPage('welcome.html', { viewport: { width: 900, height: 700 }, colorScheme: scheme });
      const name = { role: 'textbox', name: 'Display name' } as const;
      await expect.poll(() => page.text({ role: 'heading', name: 'Welcome to Tend' })).toBe('Welcome to Tend');
      await page.fill(name, '');
      await page.click({ role: 'button', name: 'Save' });
      await expect.poll(() => page.text({ role: 'alert' })).toBe('Enter a name.');
      expect(await page.isFocused(name)).toBe(true);
      await expectAccessible(page);
      await page.screenshot(`${BROWSER}-welcome-error-${scheme}`);
      await page.fill(name, 'x'.repeat(61));
      await page.press('Enter');
      await expect.poll(() => page.text({ role: 'alert' })).toBe('Use at most 60 characters.');
      await page.fill(name, '  Ada Lovelace  ');
      await page.press('Enter');
      await expect.poll(() => page.text({ role: 'status' })).toContain('Teammates will see you as Ada Lovelace');
      expect(await page.count({ role: 'alert' })).toBe(0);
      await expectAccessible(page);
      await page.screenshot(`${BROWSER}-welcome-${scheme}`);
      await page.setColorScheme('light');
      await page.close();
    }
    expect(await tend.send({ type: 'me.get' })).toMatchObject({ ok: true, value: { name: 'Ada Lovelace' } });
    const popup = await tend.openPopup();
    await expect.poll(() => popup.text({ css: '.me' })).toBe('Ada Lovelace');
    await popup.close();
  });
});
