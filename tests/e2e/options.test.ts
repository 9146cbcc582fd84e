/**
 * Joining a team from Tend's settings page, as a person would: server address, invite code
 * and name, then the popup says where sync stands; leaving returns to solo mode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type TendServer } from '../../server/http';
import { checkA11y, formatViolations, launchExtension, openExtensionPage, screenshot, type LaunchedExtension } from './helpers';

const e2e = inject('tendE2E');

describe.skipIf(!e2e.chromium)('settings: joining and leaving a team', () => {
  let dataDir: string;
  let server: TendServer;
  let ext: LaunchedExtension;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tend-e2e-options-'));
    server = await startServer({ databaseUrl: path.join(dataDir, 'tend.sqlite'), port: 0, host: '127.0.0.1', rateLimit: false, joinRateLimit: false, log: () => undefined });
    ext = await launchExtension({ extensionDir: e2e.testBuild, executablePath: e2e.chromium! });
    ext.context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('joins with an invite code, shows sync status, and leaves', async () => {
    const team = await server.store.resolveTeam('Docs team', true);
    const { code } = await server.store.createInvite(team.id, 'member');
    const page = await openExtensionPage(ext, 'options.html');
    await expect.poll(() => page.getByText(/Solo mode: everything stays/).count()).toBe(1);
    const violations = await checkA11y(page);
    expect(violations, formatViolations(violations)).toEqual([]);

    // Mistakes are explained, and nothing is sent.
    await page.getByLabel('Team server address').fill('not a url');
    await page.getByRole('button', { name: 'Join the team' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Enter the server's address/);
    await page.getByLabel('Team server address').fill(`http://127.0.0.1:${server.port}`);
    await page.getByLabel('Invite code').fill('WRONG-CODE');
    // No name yet: joining asks for one first.
    await page.getByRole('button', { name: 'Join the team' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Set your display name above first/);
    await page.getByLabel('Display name').fill('Grace');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Teammates will see you as Grace/);
    await page.getByRole('button', { name: 'Join the team' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Could not join/);
    await screenshot(page, 'options-join-error');

    await page.getByLabel('Invite code').fill(code);
    await page.getByRole('button', { name: 'Join the team' }).click();
    await expect.poll(() => page.locator('.team-name').textContent(), { timeout: 10_000 }).toBe('Docs team');
    expect(await page.locator('.facts').textContent()).toContain(`Server127.0.0.1:${server.port}`);
    await expect.poll(() => page.locator('.sync-state').textContent(), { timeout: 10_000 }).toMatch(/Synced/);
    await screenshot(page, 'options-joined');

    const popup = await openExtensionPage(ext, 'popup.html');
    await expect.poll(() => popup.locator('.sync-line').textContent(), { timeout: 10_000 }).toMatch(/Synced/);
    await popup.close();

    await page.getByRole('button', { name: 'Leave the team' }).click();
    await expect.poll(() => page.getByText(/Solo mode: everything stays/).count()).toBe(1);
    await page.close();
  });
});
