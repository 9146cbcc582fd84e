/**
 * Every duration Tend shows — time left on a claim, how long ago something happened, when
 * sync last succeeded — goes through here, so the overlay, the popup and the settings page
 * never disagree about the same moment. Numbers and units come from `Intl` in the language
 * of Tend's own strings; only the sentence around them comes from the translator.
 */
import type { Translate } from './i18n';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A whole number of one unit. */
export interface DurationParts {
  value: number;
  unit: 'minute' | 'hour' | 'day';
}

/**
 * The one rounding rule: the largest unit that fits, rounded to the nearest whole one
 * (a fresh 24-hour claim has "24 h" left, not 23); hours up to 47 before days. Null for
 * anything under a minute, which Tend words as "just now" or "under a minute".
 */
export function durationParts(ms: number): DurationParts | null {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return null;
  const minutes = Math.round(abs / MINUTE);
  if (minutes < 60) return { value: minutes, unit: 'minute' };
  const hours = Math.round(abs / HOUR);
  if (hours < 48) return { value: hours, unit: 'hour' };
  return { value: Math.round(abs / DAY), unit: 'day' };
}

/**
 * The language Tend speaks: the language of the messages in use (`intlLocale`, which each
 * translation sets), so numbers and units never come out in another language than the sentence
 * around them (a browser can report one UI language and pick another's messages); else the
 * browser's `@@ui_locale` (`en_US`). A translator that knows neither (tests) gets English.
 */
export function localeOf(t: Translate): string {
  for (const key of ['intlLocale', '@@ui_locale']) {
    try {
      const tag = Intl.getCanonicalLocales(t(key).replace(/_/g, '-'))[0];
      if (tag) return tag;
    } catch {
      // not a language tag: try the next
    }
  }
  return 'en';
}

const unitFormats = new Map<string, Intl.NumberFormat>();
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

function unitFormat(locale: string, unit: DurationParts['unit']): Intl.NumberFormat {
  const key = `${locale} ${unit}`;
  let f = unitFormats.get(key);
  if (!f) unitFormats.set(key, (f = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' })));
  return f;
}

function relativeFormat(locale: string): Intl.RelativeTimeFormat {
  let f = relativeFormats.get(locale);
  if (!f) relativeFormats.set(locale, (f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' })));
  return f;
}

/** A length of time: "24 hr", "5 min", "3 days"; "under a minute" below one. */
export function formatDuration(t: Translate, ms: number): string {
  const parts = durationParts(ms);
  if (!parts) return t('timeUnderMinute');
  return unitFormat(localeOf(t), parts.unit).format(parts.value);
}

/** Time left until `until`: "24 hr left", "under a minute left", "expired". */
export function timeLeft(t: Translate, until: number, now: number): string {
  const ms = until - now;
  if (ms <= 0) return t('timeLeftExpired');
  return t('timeLeft', formatDuration(t, ms));
}

/**
 * How long ago `at` was: "just now", "5 minutes ago", "yesterday". A moment a little in the
 * future (another device's clock) is "just now" too.
 */
export function timeAgo(t: Translate, at: number, now: number): string {
  const parts = durationParts(Math.max(0, now - at));
  if (!parts) return t('timeAgoNow');
  return relativeFormat(localeOf(t)).format(-parts.value, parts.unit);
}
