import { describe, expect, it } from 'vitest';
import { cleanText, decimalId, handle, parseCount, parseTime, tagList } from '../../../lib/sites/page-text';

describe('reading values from untrusted pages', () => {
  it('accepts only plain positive decimal ids, in canonical form', () => {
    expect(decimalId('4821')).toBe('4821');
    expect(decimalId(' 007 ')).toBe('7');
    for (const bad of [null, undefined, '', '0', '-1', '+1', '1.5', '1e3', '0x10', '12abc', '١٢', '9'.repeat(16)]) {
      expect(decimalId(bad)).toBeNull();
    }
  });

  it('accepts handles as sites allow them and refuses anything else', () => {
    expect(handle('techAPJ')).toBe('techAPJ');
    expect(handle('@kris.kotlarek')).toBe('kris.kotlarek');
    expect(handle('Simon_Cossar')).toBe('Simon_Cossar');
    expect(handle('José-2')).toBe('José-2');
    for (const bad of [null, '', ' ', 'a b', '<b>x</b>', 'x'.repeat(61), 'a/b', 'a"b', 'javascript:x']) {
      expect(handle(bad)).toBeNull();
    }
  });

  it('reads counts as sites display them', () => {
    expect(parseCount('12')).toBe(12);
    expect(parseCount(' 1,234 ')).toBe(1234);
    expect(parseCount('1.2k')).toBe(1200);
    expect(parseCount('3M')).toBe(3_000_000);
    for (const bad of [null, '', 'abc', '-3', '1.5', '1.2kk', '∞']) expect(parseCount(bad)).toBeNull();
  });

  it('reads ISO dates and millisecond timestamps, refusing implausible ones', () => {
    expect(parseTime('2025-03-03T13:15:00Z')).toBe(1741007700000);
    expect(parseTime('1741007700000')).toBe(1741007700000);
    for (const bad of [null, '', 'yesterday', '0', '99999999999999', '1970-01-01T00:00:00Z']) expect(parseTime(bad)).toBeNull();
  });

  it('collapses whitespace, strips control and bidi characters, and cuts by code point', () => {
    expect(cleanText('  a\n\t b  ', 10)).toBe('a b');
    expect(cleanText('ab\u0000c\u202ed', 10)).toBe('abcd');
    expect(cleanText('😀'.repeat(5), 3)).toBe('😀😀😀');
    expect(cleanText('x'.repeat(1_000_000), 300)).toHaveLength(300);
  });

  it('keeps at most 20 distinct tags of at most 50 characters', () => {
    const tags = tagList(['a', 'a', ' b ', '', 'c'.repeat(51), ...Array.from({ length: 30 }, (_, i) => `t${i}`)]);
    expect(tags.slice(0, 3)).toEqual(['a', 'b', 't0']);
    expect(tags).toHaveLength(20);
  });
});
