/**
 * Every key used as `t('key'…)` in components/ and entrypoints/ exists in
 * `_locales/en/messages.json`, with as many substitutions as the message uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { editorMessageKeys } from '../../components/options/DescribeEditor';
import { MESSAGES } from './translator';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** `t('key', a, b)` calls: the key and how many arguments follow it (when the call closes on the same line). */
function uses(file: string): { key: string; args: number | null; line: number }[] {
  const out: { key: string; args: number | null; line: number }[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/\bt\(\s*'([A-Za-z0-9_@]+)'([^)]*)\)/g)) {
        const rest = m[2]!.trim();
        // Count top-level commas in the rest, ignoring nested calls' commas.
        let depth = 0;
        let args = 0;
        for (const ch of rest) {
          if (ch === '(' || ch === '[' || ch === '{') depth++;
          else if (ch === ')' || ch === ']' || ch === '}') depth--;
          else if (ch === ',' && depth === 0) args++;
        }
        out.push({ key: m[1]!, args: rest.includes('(') ? null : args, line: i + 1 });
      }
    });
  return out;
}

const files = [...sources('components'), ...sources('entrypoints')];
const all = files.flatMap((f) => uses(f).map((u) => ({ ...u, file: path.relative(ROOT, f) })));

describe('messages', () => {
  it('finds the translated strings in the source', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it('has every key the components and pages use', () => {
    // `@@…` messages are the browser's own (`@@ui_locale`).
    const missing = all.filter((u) => !u.key.startsWith('@@') && !MESSAGES[u.key]).map((u) => `${u.file}:${u.line} ${u.key}`);
    expect(missing).toEqual([]);
  });

  it('has the keys the description editor builds from field names', () => {
    expect(editorMessageKeys().filter((k) => !MESSAGES[k])).toEqual([]);
  });

  it('gets the substitutions each message uses', () => {
    const wrong = all
      .filter((u) => MESSAGES[u.key] && u.args !== null)
      .filter((u) => {
        const used = [...MESSAGES[u.key]!.message.matchAll(/\$(\d)/g)].map((m) => Number(m[1]));
        const needed = used.length ? Math.max(...used) : 0;
        return u.args! < needed;
      })
      .map((u) => `${u.file}:${u.line} ${u.key} given ${u.args}`);
    expect(wrong).toEqual([]);
  });

  it('keeps message names browsers accept, each once ignoring case', () => {
    const names = Object.keys(MESSAGES);
    expect(names.filter((n) => !/^[A-Za-z0-9_@]+$/.test(n))).toEqual([]);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    expect(Object.entries(MESSAGES).filter(([, v]) => typeof v.message !== 'string' || !v.message.trim())).toEqual([]);
  });
});
