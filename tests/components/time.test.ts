import { describe, expect, it } from 'vitest';
import type { Translate } from '../../components/i18n';
import { durationParts, formatDuration, localeOf, timeAgo, timeLeft } from '../../components/time';
import { englishT } from './translator';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 0, 10, 12);

describe('durations', () => {
  it('round to the nearest whole unit, the largest that fits', () => {
    expect(durationParts(59_999)).toBeNull();
    expect(durationParts(60_000)).toEqual({ value: 1, unit: 'minute' });
    expect(durationParts(89 * 1000)).toEqual({ value: 1, unit: 'minute' });
    expect(durationParts(91 * 1000)).toEqual({ value: 2, unit: 'minute' });
    expect(durationParts(59 * MINUTE + 29_000)).toEqual({ value: 59, unit: 'minute' });
    expect(durationParts(59 * MINUTE + 31_000)).toEqual({ value: 1, unit: 'hour' });
    expect(durationParts(24 * HOUR - 300)).toEqual({ value: 24, unit: 'hour' });
    expect(durationParts(23 * HOUR + 29 * MINUTE)).toEqual({ value: 23, unit: 'hour' });
    expect(durationParts(47 * HOUR)).toEqual({ value: 47, unit: 'hour' });
    expect(durationParts(48 * HOUR)).toEqual({ value: 2, unit: 'day' });
    expect(durationParts(-5 * MINUTE)).toEqual({ value: 5, unit: 'minute' });
  });

  it('a fresh 24-hour claim reads "24 hr left" the moment it is made, and a claim made 0.3 s ago "just now"', () => {
    expect(timeLeft(englishT, NOW + 24 * HOUR, NOW + 300)).toBe('24 hr left');
    expect(timeAgo(englishT, NOW, NOW + 300)).toBe('just now');
    expect(timeLeft(englishT, NOW + 40_000, NOW)).toBe('under a minute left');
    expect(timeLeft(englishT, NOW, NOW)).toBe('expired');
  });

  it('say how long ago in words, and treat a moment slightly in the future as just now', () => {
    expect(timeAgo(englishT, NOW - 5 * MINUTE, NOW)).toBe('5 minutes ago');
    expect(timeAgo(englishT, NOW - 2 * HOUR, NOW)).toBe('2 hours ago');
    expect(timeAgo(englishT, NOW - 24 * HOUR, NOW)).toBe('24 hours ago');
    expect(timeAgo(englishT, NOW - 72 * HOUR, NOW)).toBe('3 days ago');
    expect(timeAgo(englishT, NOW + 20_000, NOW)).toBe('just now');
  });

  it('speak the language of Tend’s strings, through Intl', () => {
    const spanish: Translate = (key, ...subs) => (key === 'intlLocale' ? 'es-ES' : key === 'timeLeft' ? `quedan ${subs[0]}` : englishT(key, ...subs));
    expect(localeOf(spanish)).toBe('es-ES');
    // The strings' own language wins over a browser UI language that disagrees with it.
    expect(localeOf((key) => (key === 'intlLocale' ? 'es' : key === '@@ui_locale' ? 'en_US' : key))).toBe('es');
    expect(localeOf((key) => (key === '@@ui_locale' ? 'pt_BR' : key))).toBe('pt-BR');
    expect(formatDuration(spanish, 3 * HOUR)).toBe(new Intl.NumberFormat('es-ES', { style: 'unit', unit: 'hour', unitDisplay: 'short' }).format(3));
    expect(timeAgo(spanish, NOW - 5 * MINUTE, NOW)).toBe('hace 5 minutos');
    expect(timeLeft(spanish, NOW + 2 * HOUR, NOW)).toMatch(/^quedan 2\sh$/);
    // A translator that does not know its language (tests' key echo) falls back to English.
    expect(localeOf((key) => key)).toBe('en');
  });
});
