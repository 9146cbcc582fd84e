/**
 * Vitest globalSetup of the `e2e` projects (one per browser): builds the extension once per
 * run (the test builds and the shipped builds, Chrome and Firefox) and hands their paths to the
 * tests through `inject('tendE2E')`.
 *
 * `TEND_E2E_SKIP_BUILD=1` reuses the builds already in `.output/` (handy while iterating on a
 * test; refused in CI, where the builds must come from the commit under test).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { BUILD_DIRS, REPO_ROOT, SCREENSHOTS_DIR, chromiumPath, firefoxPath, type TendE2EContext } from './helpers/paths';

const isCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** The environment of a normal shell: Vitest's own variables must not leak into the builds. */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key === 'TEST' || key.startsWith('VITEST') || key === 'TEND_BUILD') continue;
    env[key] = value;
  }
  return env;
}

function run(script: string): void {
  const started = Date.now();
  const result = spawnSync('npm', ['run', '--silent', script], {
    cwd: REPO_ROOT,
    env: buildEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `e2e setup: \`npm run ${script}\` failed (exit ${result.status ?? result.signal})\n` +
        `${result.stdout ?? ''}\n${result.stderr ?? ''}\n${result.error ?? ''}`,
    );
  }
  console.log(`e2e setup: npm run ${script} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Set once this process has built: every browser's project runs this setup, the builds are made once. */
const BUILT_MARK = 'TEND_E2E_BUILT_BY';

export default function setup(project: TestProject): void {
  const browser = project.config.provide?.tendBrowser ?? 'chromium';
  const chromium = chromiumPath();
  const firefox = firefoxPath();
  const missing =
    browser === 'chromium' && !chromium
      ? `Chromium not found at ${process.env.TEND_CHROMIUM ?? '/usr/bin/chromium'} (set TEND_CHROMIUM)`
      : browser === 'firefox' && !firefox
        ? `Firefox not found at ${process.env.TEND_FIREFOX ?? '/usr/bin/firefox-esr'} (apt-get install firefox-esr, or set TEND_FIREFOX)`
        : null;
  if (missing) {
    if (isCI) throw new Error(`e2e setup: ${missing}; browser tests never skip in CI.`);
    console.warn(`e2e setup: ${missing}; its browser tests will be SKIPPED.`);
  }

  if (process.env[BUILT_MARK] === String(process.pid)) {
    // Another browser's project built them earlier in this run.
  } else if (process.env.TEND_E2E_SKIP_BUILD === '1' && !isCI) {
    console.warn('e2e setup: TEND_E2E_SKIP_BUILD=1, reusing the builds in .output/');
  } else {
    for (const dir of Object.values(BUILD_DIRS)) rmSync(dir, { recursive: true, force: true });
    run('build:test');
    run('build');
    process.env[BUILT_MARK] = String(process.pid);
  }
  for (const dir of Object.values(BUILD_DIRS)) {
    if (!existsSync(path.join(dir, 'manifest.json'))) {
      throw new Error(`e2e setup: no build at ${dir} (expected ${path.join(dir, 'manifest.json')})`);
    }
  }
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });

  const context: TendE2EContext = {
    testBuild: BUILD_DIRS.test,
    chromeBuild: BUILD_DIRS.chrome,
    firefoxBuild: BUILD_DIRS.firefox,
    firefoxTestBuild: BUILD_DIRS.firefoxTest,
    chromium,
    firefox,
    screenshotsDir: SCREENSHOTS_DIR,
  };
  project.provide('tendE2E', context);
}
