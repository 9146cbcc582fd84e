import { configDefaults, defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          // The slowest unit test takes about a second on an idle machine: a loaded two-core
          // machine must not turn that into a timeout.
          testTimeout: 20_000,
          include: ['tests/lib/**/*.test.{ts,tsx}', 'tests/components/**/*.test.{ts,tsx}', 'tests/entrypoints/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        // The team sync server against SQLite and PostgreSQL (tests/server/helpers.ts).
        test: {
          name: 'server',
          include: ['tests/server/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Real Chromium runs after the unit and server suites, alone: sharing two cores with the
        // CPU-heavy server suite only makes timing-sensitive browser tests slower and less
        // predictable. Everything in tests/e2e except what only Firefox runs.
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['tests/e2e/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'tests/e2e/firefox/**'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          provide: { tendBrowser: 'chromium' },
          // A loaded machine slows browsers down: waits for a condition end later, not sooner.
          expect: { poll: { timeout: 10_000 } },
          // Two more tries for a real browser sharing two loaded cores; a test that needed one is
          // named in the summary (scripts/count-results.mjs), so flakiness stays in sight.
          retry: 2,
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // Real Firefox ESR, last and alone: the shared flows (tests/e2e/flows, the same files
        // as in Chromium) and what only Firefox has (tests/e2e/firefox).
        test: {
          name: 'e2e-firefox',
          sequence: { groupOrder: 3 },
          include: ['tests/e2e/flows/**/*.test.ts', 'tests/e2e/firefox/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          provide: { tendBrowser: 'firefox' },
          expect: { poll: { timeout: 10_000 } },
          // Two more tries for a real browser sharing two loaded cores; a test that needed one is
          // named in the summary (scripts/count-results.mjs), so flakiness stays in sight.
          retry: 2,
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
