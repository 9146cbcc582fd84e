#!/usr/bin/env node
/**
 * Counts the tests in a Vitest JSON report (every assertion result of every project) and
 * prints one plain line: `N passed, N failed` (`, N skipped` when some were skipped or todo).
 *
 *   node scripts/count-results.mjs [test-results/vitest.json]
 *
 * Exits 1 when a test failed, a test file failed outside any test (import error, hook
 * failure; counted as one failure each), the report is missing, or no test ran.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_REPORT = 'test-results/vitest.json';

/**
 * @param {any} report Vitest's JSON reporter output
 * @returns {{ passed: number, failed: number, skipped: number, problems: string[], retried: string[] }}
 * (`retried`: tests that passed only on a retry, named so that flakiness stays visible)
 */
export function countResults(report) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  const retried = [];
  for (const file of report?.testResults ?? []) {
    let failedHere = 0;
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'passed' && test.failureMessages?.length) {
        const first = String(test.failureMessages[0]).split('\n').find((line) => line.trim()) ?? '';
        retried.push(`passed on a retry: ${test.fullName ?? test.title} (${path.relative(process.cwd(), file.name ?? '')}): first try said ${first.slice(0, 200)}`);
      }
      if (test.status === 'passed') passed++;
      else if (test.status === 'failed') {
        failed++;
        failedHere++;
        problems.push(`FAILED ${test.fullName ?? test.title} (${path.relative(process.cwd(), file.name ?? '')})`);
      } else skipped++; // pending, skipped, todo, disabled
    }
    if (file.status === 'failed' && failedHere === 0) {
      failed++;
      const reason = String(file.message ?? '').split('\n').find((line) => line.trim()) ?? 'failed outside any test';
      problems.push(`FAILED file ${path.relative(process.cwd(), file.name ?? '')}: ${reason}`);
    }
  }
  return { passed, failed, skipped, problems, retried };
}

/**
 * The end-to-end tests per browser, with the time their files took (builds and launches of the
 * global setup excluded). A test is Firefox's when its name starts with "Firefox" (the shared
 * flows name their browser first; tests/e2e/firefox does too); any other test under tests/e2e
 * is Chromium's.
 * @param {any} report Vitest's JSON reporter output
 * @returns {Record<string, { passed: number, failed: number, skipped: number, ms: number }>}
 */
export function countByBrowser(report) {
  const by = {};
  for (const file of report?.testResults ?? []) {
    if (!/[\\/]tests[\\/]e2e[\\/]/.test(file.name ?? '')) continue;
    const tests = file.assertionResults ?? [];
    if (!tests.length) continue;
    const browser = String(tests[0].fullName ?? '').startsWith('Firefox') ? 'Firefox' : 'Chromium';
    const entry = (by[browser] ??= { passed: 0, failed: 0, skipped: 0, ms: 0 });
    for (const test of tests) {
      if (test.status === 'passed') entry.passed++;
      else if (test.status === 'failed') entry.failed++;
      else entry.skipped++;
    }
    if (file.startTime && file.endTime) entry.ms += file.endTime - file.startTime;
  }
  return by;
}

/** `N passed, N failed[, N skipped]` */
export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

/**
 * Reads the report, prints the problems and then the summary line (always last).
 * @returns {boolean} true when every test passed and at least one ran
 */
export function reportResults(file = DEFAULT_REPORT, { extraProblems = [] } = {}) {
  let counts = { passed: 0, failed: 0, skipped: 0, problems: [], retried: [] };
  const problems = [];
  if (!existsSync(file)) {
    problems.push(`no test report at ${file} (Vitest did not finish)`);
  } else {
    try {
      counts = countResults(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      problems.push(`unreadable test report ${file}: ${error instanceof Error ? error.message : error}`);
    }
  }
  problems.push(...counts.problems, ...extraProblems);
  if (existsSync(file)) {
    try {
      for (const [browser, c] of Object.entries(countByBrowser(JSON.parse(readFileSync(file, 'utf8'))))) {
        console.log(`end-to-end in ${browser}: ${summaryLine(c)} (${Math.round(c.ms / 1000)} s)`);
      }
    } catch {
      // Unreadable: already said above.
    }
  }
  for (const line of counts.retried) console.log(line);
  if (counts.passed + counts.failed === 0) problems.push('no tests ran');
  for (const line of problems) console.log(line);
  console.log(summaryLine(counts));
  return problems.length === 0 && counts.failed === 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = reportResults(process.argv[2] ?? DEFAULT_REPORT) ? 0 : 1;
}
