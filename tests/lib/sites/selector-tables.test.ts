/**
 * Keeps every built-in adapter's selectors honest: each entry of each selector table names the
 * fixtures it was checked against and a public page to re-check on, and really matches in each
 * fixture it names (the project's own pages always; the real saved pages when they are here).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SEL } from '../../../lib/sites/discourse-selectors';
import { GH } from '../../../lib/sites/github-selectors';
import { RD } from '../../../lib/sites/reddit-selectors';
import { SE } from '../../../lib/sites/stackexchange-selectors';
import { GITHUB_FIXTURES } from '../../fixtures/github/generate';
import { REDDIT_FIXTURES } from '../../fixtures/reddit/generate';
import { STACKEXCHANGE_FIXTURES } from '../../fixtures/stackexchange/generate';
import { REAL_FIXTURES_DIR, REAL_FIXTURES_PRESENT, realPage } from '../../helpers/real-fixtures';
import { closePages, discourseFixture, parsePage } from './load-page';

afterAll(closePages);

const DISCOURSE_DIR = fileURLToPath(new URL('../../fixtures/discourse/', import.meta.url));
const source = (file: string) => readFileSync(fileURLToPath(new URL(`../../../lib/sites/${file}`, import.meta.url)), 'utf8');

interface Table {
  name: string;
  file: string;
  table: Record<string, string | readonly string[]>;
  /** The project's own fixture pages by the names the comments use. */
  fixture(name: string): string | null;
  /** Folder of the platform's real saved pages. */
  realDir: string;
}

const generated = (pages: Record<string, { html: () => string }>) => (name: string) => pages[name]?.html() ?? null;

const TABLES: Table[] = [
  { name: 'Discourse', file: 'discourse-selectors.ts', table: SEL, realDir: 'discourse', fixture: (name) => (existsSync(path.join(DISCOURSE_DIR, name)) ? discourseFixture(name) : null) },
  { name: 'GitHub', file: 'github-selectors.ts', table: GH, realDir: 'github', fixture: generated(GITHUB_FIXTURES) },
  { name: 'Stack Exchange', file: 'stackexchange-selectors.ts', table: SE, realDir: 'stackexchange', fixture: generated(STACKEXCHANGE_FIXTURES) },
  { name: 'Reddit', file: 'reddit-selectors.ts', table: RD, realDir: 'reddit', fixture: generated(REDDIT_FIXTURES) },
];

const docs = new Map<string, Document>();
function docOf(key: string, html: () => string): Document {
  let doc = docs.get(key);
  if (!doc) docs.set(key, (doc = parsePage(html(), 'https://example.org/')));
  return doc;
}

/** The real saved page a comment names: `real/<start of its file name>` (Discourse's older comments: `real/…12483…`). */
function realFile(dir: string, token: string): string | null {
  const folder = path.join(REAL_FIXTURES_DIR, dir);
  if (!existsSync(folder)) return null;
  const needle = token.replace(/…/g, '');
  const hit = readdirSync(folder).find((f) => (token.includes('…') ? f.includes(needle) : f.startsWith(needle)));
  return hit ? `${dir}/${hit}` : null;
}

for (const t of TABLES) {
  const text = source(t.file);
  const exampleNames = [...text.matchAll(/^const ([A-Z][A-Z0-9_]*) = 'https:\/\/[^']+';$/gm)].map((m) => m[1]!);
  const commentFor = (key: string): string | null => new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${key}:`).exec(text)?.[1]?.trim() ?? null;

  describe(`${t.name} selectors`, () => {
    it('has public example pages to re-check on', () => {
      expect(exampleNames.length).toBeGreaterThan(0);
    });

    for (const [key, value] of Object.entries(t.table)) {
      it(`${key}: documented, and matches in every fixture it names`, () => {
        const comment = commentFor(key);
        expect(comment, `${key} needs a doc comment naming its fixtures`).not.toBeNull();
        const named = [...new Set(comment!.match(/\b[a-z0-9-]+\.html\b/g) ?? [])];
        const reals = [...new Set([...comment!.matchAll(/\breal\/([…a-z0-9-]+)/g)].map((m) => m[1]!))];
        if (named.length === 0 && reals.length === 0) {
          expect(comment).toMatch(/^No fixture/);
          return;
        }
        expect(exampleNames.some((n) => comment!.includes(n)), `${key} needs a public example page (${exampleNames.join(', ')})`).toBe(true);
        const alternatives = (typeof value === 'string' ? [value] : [...value]).map((s) => (key.endsWith('Class') ? `.${s}` : s));
        const pages: [string, Document][] = [];
        for (const name of named) {
          const html = t.fixture(name);
          expect(html, `${key} names a fixture that does not exist: ${name}`).not.toBeNull();
          pages.push([name, docOf(`${t.name}/${name}`, () => html!)]);
        }
        if (REAL_FIXTURES_PRESENT) {
          for (const token of reals) {
            const file = realFile(t.realDir, token);
            expect(file, `${key} names a real page that is not there: real/${token}`).not.toBeNull();
            pages.push([file!, docOf(file!, () => realPage(file!))]);
          }
        }
        for (const [name, doc] of pages) {
          const hits = alternatives.map((sel) => doc.querySelectorAll(sel).length);
          expect(hits.some((n) => n > 0), `${key} (${alternatives.join(' | ')}) matches nothing in ${name}`).toBe(true);
        }
      }, 60_000);
    }
  });
}
