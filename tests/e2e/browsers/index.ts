/**
 * One set of flow tests, run in each browser: a flow file asks `inject('tendBrowser')` which
 * browser its Vitest project drives (vitest.config.ts has one `e2e` project per browser) and
 * launches it with `launchTend`.
 */
import { describe, inject } from 'vitest';
import { launchChromiumTend } from './chromium';
import type { BrowserName, LaunchTendOptions, TendBrowser } from './driver';
import { launchFirefoxTend } from './firefox';

export * from './driver';
export { hostProxy, proxyPrefs, type HostProxy } from './host-proxy';

/** The browser this project drives. */
export const BROWSER: BrowserName = inject('tendBrowser') ?? 'chromium';

const LABELS: Record<BrowserName, string> = { chromium: 'Chromium', firefox: 'Firefox' };

/** "Chromium" or "Firefox". */
export const BROWSER_LABEL = LABELS[BROWSER];

/** Whether this project's browser is installed (the global setup fails in CI when it is not). */
export function browserAvailable(name: BrowserName = BROWSER): boolean {
  const e2e = inject('tendE2E');
  return name === 'chromium' ? !!e2e.chromium : !!e2e.firefox;
}

/**
 * `describe` for a flow, named after this project's browser ("Firefox: claims") and skipped
 * when that browser is not installed.
 */
export function describeFlow(name: string, body: () => void): void {
  describe.skipIf(!browserAvailable())(`${BROWSER_LABEL}: ${name}`, body);
}

/**
 * The build the flows run in `name` unless they need a host granted up front (the team server):
 * Firefox's driver reaches into closed shadow roots and answers Firefox's own prompt for a
 * site, so Firefox runs what users install; Chromium's needs the test build's open shadow roots
 * and granted test hosts.
 */
export function flowBuild(name: BrowserName = BROWSER): LaunchTendOptions['build'] {
  return name === 'firefox' ? 'shipped' : 'test';
}

/** Launches `name` (this project's browser by default) with Tend, in a fresh profile. */
export async function launchTend(options: LaunchTendOptions, name: BrowserName = BROWSER): Promise<TendBrowser> {
  const e2e = inject('tendE2E');
  if (name === 'chromium') {
    if (!e2e.chromium) throw new Error('launchTend: Chromium not found (set TEND_CHROMIUM)');
    return launchChromiumTend({ executablePath: e2e.chromium, testBuild: e2e.testBuild, shippedBuild: e2e.chromeBuild }, options);
  }
  if (!e2e.firefox) throw new Error('launchTend: Firefox not found (set TEND_FIREFOX)');
  return launchFirefoxTend({ executablePath: e2e.firefox, testBuild: e2e.firefoxTestBuild, shippedBuild: e2e.firefoxBuild }, options);
}
