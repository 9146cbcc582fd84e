import { defineConfig } from 'vitest/config';
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
        // Real Chromium runs last and alone: sharing two cores with the CPU-heavy server suite
        // only makes timing-sensitive browser tests slower and less predictable.
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
