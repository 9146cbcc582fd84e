/** The browser's i18n as a `Translate` for components. */
import { browser } from 'wxt/browser';
import type { Translate } from '../../components/i18n';

/**
 * Translates with `_locales`; a missing message shows its key (so a gap is visible in
 * screenshots and caught by the messages test) rather than an empty string.
 */
// WXT types getMessage by the keys it knows at build time; keys are checked by a test instead.
export const browserT: Translate = (key, ...subs) => browser.i18n.getMessage(key as "extName", subs.map(String)) || key;
