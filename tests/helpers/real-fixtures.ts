/**
 * Real pages saved from the community sites live outside this repository, in
 * `../shared/fixtures/real` next to it (or wherever `TEND_REAL_FIXTURES` points). A clone
 * with nothing beside it has no such folder: suites that read it skip with one line saying
 * what they need. In CI the folder must be there, so a missing one fails instead of
 * silently skipping.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Whether this run is CI, where nothing may skip for want of a dependency. */
export const IS_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** The folder of real saved pages (it may not exist). */
export const REAL_FIXTURES_DIR = path.resolve(process.env.TEND_REAL_FIXTURES ?? path.join(REPO_ROOT, '..', 'shared', 'fixtures', 'real'));

/** Whether the real pages are here. */
export const REAL_FIXTURES_PRESENT = existsSync(path.join(REAL_FIXTURES_DIR, 'MANIFEST.md'));

/** The one line a suite shows when it skips for want of the real pages. */
export const REAL_FIXTURES_MISSING = `needs the real saved pages at ${REAL_FIXTURES_DIR} (../shared/fixtures/real beside the repository, or TEND_REAL_FIXTURES); not there, so skipped`;

/** A real page's text, by its path under the folder (`discourse/….html`). */
export function realPage(file: string): string {
  return readFileSync(path.join(REAL_FIXTURES_DIR, file), 'utf8');
}

/**
 * `describe` for a suite that reads real pages: runs it when they are here; otherwise one
 * skipped test whose name says why, or — in CI — one failing test.
 */
export function describeReal(name: string, body: () => void): void {
  if (REAL_FIXTURES_PRESENT) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    if (IS_CI) {
      it('has the real saved pages', () => {
        throw new Error(`CI ${REAL_FIXTURES_MISSING.replace(/; not there, so skipped$/, '')}: they must be there in CI`);
      });
    } else {
      it.skip(REAL_FIXTURES_MISSING, () => undefined);
    }
  });
}

/** `it` for one test that reads real pages, inside a suite that otherwise does not: the same rule as `describeReal`. */
export function itReal(name: string, fn: () => Promise<void> | void, timeout?: number): void {
  if (REAL_FIXTURES_PRESENT) it(name, fn, timeout);
  else if (IS_CI) it(name, () => {
    throw new Error(`CI ${REAL_FIXTURES_MISSING.replace(/; not there, so skipped$/, '')}: they must be there in CI`);
  });
  else it.skip(`${name} — ${REAL_FIXTURES_MISSING}`, () => undefined);
}
