/** The browser's i18n as a `Translate` for components. */
import { browser } from 'wxt/browser';
import type { Translate } from '../../components/i18n';

/**
 * Translates with `_locales`; a missing message shows its key (so a gap is visible in
 * screenshots and caught by the messages test) rather than an empty string.
 */
// WXT types getMessage by the keys it knows at build time; keys are checked by a test instead.
export const browserT: Translate = (key, ...subs) => browser.i18n.getMessage(key as "extName", subs.map(String)) || key;

/** Marks an extension page with the language its strings are in (screen readers pronounce by it). */
export function markPageLanguage(doc: Document = document): void {
  const locale = (browser.i18n.getMessage('intlLocale' as 'extName') || browser.i18n.getMessage('@@ui_locale' as 'extName')).replace(/_/g, '-');
  if (locale) doc.documentElement.lang = locale;
}
