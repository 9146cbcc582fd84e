/**
 * Every translation is complete: each locale in `public/_locales` has every English key, no key
 * English lacks, the same substitutions ($1, $2…), and a translated value — a value identical to
 * English is allowed only for the few names listed here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/_locales');
type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
const read = (locale: string) => JSON.parse(readFileSync(path.join(DIR, locale, 'messages.json'), 'utf8')) as Messages;

/** The same in every language: the product's name, and a title that is only the name and a list. */
const SAME_AS_ENGLISH = new Set(['extName', 'badgeTitle']);

const isTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

const en = read('en');
const locales = readdirSync(DIR).filter((l) => l !== 'en');
const substitutions = (text: string) => [...new Set(text.match(/\$\d/g) ?? [])].sort();

describe('translations', () => {
  it('has at least one besides English', () => {
    expect(locales).toContain('es');
  });

  describe.each(locales)('%s', (locale) => {
    const messages = read(locale);

    it('has every English key and no other', () => {
      expect(Object.keys(en).filter((k) => !messages[k])).toEqual([]);
      expect(Object.keys(messages).filter((k) => !en[k])).toEqual([]);
    });

    it('translates every message (English only where allowed)', () => {
      const same = Object.keys(en).filter((k) => messages[k] && messages[k].message === en[k]!.message && !SAME_AS_ENGLISH.has(k));
      expect(same).toEqual([]);
      expect(Object.entries(messages).filter(([, v]) => typeof v.message !== 'string' || !v.message.trim())).toEqual([]);
    });

    it('names its own language for dates, durations and numbers', () => {
      expect(isTag(messages.intlLocale?.message ?? '')).toBe(true);
      expect(messages.intlLocale!.message.split('-')[0]).toBe(locale.split('_')[0]);
    });

    it('keeps the substitutions and placeholders of each message', () => {
      const wrong = Object.keys(en)
        .filter((k) => messages[k])
        .filter((k) => substitutions(en[k]!.message).join() !== substitutions(messages[k]!.message).join() || JSON.stringify(en[k]!.placeholders ?? null) !== JSON.stringify(messages[k]!.placeholders ?? null));
      expect(wrong).toEqual([]);
    });
  });
});
