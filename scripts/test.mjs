#!/usr/bin/env node
/**
 * `npm test`: type-check, run every Vitest project (unit and e2e) with a JSON report, and end
 * with one line `N passed, N failed[, N skipped]`. CI runs exactly this (.ci/run).
 *
 * Extra arguments go to Vitest: `npm test -- --project unit`, `npm test -- tests/e2e`.
 * Exits non-zero when the type-check fails, a test fails, Vitest fails, or no test ran.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REPORT, reportResults } from './count-results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.error) console.error(result.error.message);
  return result.status === 0;
}

console.log('> tsc --noEmit');
const typecheckOk = run(bin('tsc'), ['--noEmit']);

rmSync(DEFAULT_REPORT, { force: true });
mkdirSync(path.dirname(DEFAULT_REPORT), { recursive: true });
const vitestArgs = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${DEFAULT_REPORT}`, ...process.argv.slice(2)];
console.log(`> vitest ${vitestArgs.join(' ')}`);
const vitestOk = run(bin('vitest'), vitestArgs);

const extraProblems = [];
if (!typecheckOk) extraProblems.push('typecheck FAILED (tsc --noEmit, see above)');
if (!vitestOk) extraProblems.push('vitest exited with an error (see above)');
process.exitCode = reportResults(DEFAULT_REPORT, { extraProblems }) ? 0 : 1;
