/**
 * Keeps the Discourse selectors honest: every selector names the fixtures it was checked
 * against and a public page to re-check on, and really matches in each fixture it names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SEL } from '../../../lib/sites/discourse-selectors';
import { REAL_FIXTURES_PRESENT, realPage } from '../../helpers/real-fixtures';
import { closePages, discourseFixture, parsePage } from './load-page';

const SOURCE = readFileSync(fileURLToPath(new URL('../../../lib/sites/discourse-selectors.ts', import.meta.url)), 'utf8');
const FIXTURES = fileURLToPath(new URL('../../fixtures/discourse/', import.meta.url));
const REAL_TOPIC = 'discourse/meta-topic-12483-server-response-2020.html';

afterAll(closePages);

const docs = new Map<string, Document>();
function fixtureDoc(name: string): Document {
  let doc = docs.get(name);
  if (!doc) {
    const html = name === 'real' ? realPage(REAL_TOPIC) : discourseFixture(name);
    doc = parsePage(html, 'https://forum.example.org/');
    docs.set(name, doc);
  }
  return doc;
}

function commentFor(key: string): string | null {
  const m = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${key}:`).exec(SOURCE);
  return m?.[1]?.trim() ?? null;
}

function alternatives(key: string, value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? [value] : [...value];
  // Class-name entries hold a bare class name.
  return key.endsWith('Class') ? list.map((c) => `.${c}`) : list;
}

describe('Discourse selectors', () => {
  for (const [key, value] of Object.entries(SEL)) {
    it(`${key}: documented, and matches in every fixture it names`, () => {
      const comment = commentFor(key);
      expect(comment, `${key} needs a doc comment naming its fixtures`).not.toBeNull();
      const named = [...new Set(comment!.match(/\b[a-z-]+\.html\b/g) ?? [])];
      if (named.length === 0) {
        expect(comment).toMatch(/^No fixture/);
        return;
      }
      expect(comment, `${key} needs a public example page`).toMatch(/META_[A-Z0-9]+/);
      const sels = alternatives(key, value);
      const sources = [...named, ...(comment!.includes('real/') && REAL_FIXTURES_PRESENT ? ['real'] : [])];
      for (const name of sources) {
        if (name !== 'real') expect(existsSync(`${FIXTURES}${name}`), `${key} names missing fixture ${name}`).toBe(true);
        const doc = fixtureDoc(name);
        const hits = sels.map((sel) => doc.querySelectorAll(sel).length);
        expect(hits.some((n) => n > 0), `${key} (${sels.join(' | ')}) matches nothing in ${name}`).toBe(true);
      }
    });
  }
});
