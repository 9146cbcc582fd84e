import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tests/e2e/helpers/paths.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where WXT writes each build (`wxt build --mode test` appends `-test` to the folder name). */
export const BUILD_DIRS = {
  /** `npm run build:test`: test hosts granted up front, open shadow roots. */
  test: path.join(REPO_ROOT, '.output', 'chrome-mv3-test'),
  /** The same test build for Firefox. */
  firefoxTest: path.join(REPO_ROOT, '.output', 'firefox-mv3-test'),
  /** `npm run build`: what is shipped. */
  chrome: path.join(REPO_ROOT, '.output', 'chrome-mv3'),
  firefox: path.join(REPO_ROOT, '.output', 'firefox-mv3'),
} as const;

export const TEST_RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const SCREENSHOTS_DIR = path.join(TEST_RESULTS_DIR, 'screenshots');

/**
 * Real pages captured from the sites live outside the project's tree (and may be absent:
 * see tests/helpers/real-fixtures.ts). They must never run their scripts: the fixture
 * server serves them with `Content-Security-Policy: script-src 'none'`.
 */
export { REAL_FIXTURES_DIR, REAL_FIXTURES_PRESENT } from '../../helpers/real-fixtures';

/** Chromium to drive; `TEND_CHROMIUM` overrides the Debian package's launcher. */
export function chromiumPath(): string | null {
  const candidate = process.env.TEND_CHROMIUM ?? '/usr/bin/chromium';
  return existsSync(candidate) ? candidate : null;
}

/** Firefox to drive; `TEND_FIREFOX` overrides the Debian package's launcher (Firefox ESR). */
export function firefoxPath(): string | null {
  const candidate = process.env.TEND_FIREFOX ?? '/usr/bin/firefox-esr';
  return existsSync(candidate) ? candidate : null;
}

/** What the e2e global setup hands to every test file through `inject('tendE2E')`. */
export interface TendE2EContext {
  /** Unpacked test build for Chromium (`.output/chrome-mv3-test`). */
  testBuild: string;
  /** Shipped Chromium build (`.output/chrome-mv3`). */
  chromeBuild: string;
  /** Shipped Firefox build (`.output/firefox-mv3`). */
  firefoxBuild: string;
  /** Unpacked test build for Firefox (`.output/firefox-mv3-test`). */
  firefoxTestBuild: string;
  /** Chromium executable, or null when it is missing outside CI (browser tests then skip). */
  chromium: string | null;
  /** Firefox executable, or null when it is missing outside CI (Firefox tests then skip). */
  firefox: string | null;
  screenshotsDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    tendE2E: TendE2EContext;
    /** The browser an `e2e` project drives its shared flows in (vitest.config.ts). */
    tendBrowser: 'chromium' | 'firefox';
  }
}
