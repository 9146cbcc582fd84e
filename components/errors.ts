/**
 * The background's failures in the person's language: every error code has a message in
 * `_locales` (`err_` and the code with `_` for `-`, checked by tests/components/errors.test.ts),
 * and the failure's detail (a name, a host, a cause) goes where the message says. Kept free of
 * the list of codes, so overlays carry only these few lines.
 */
import type { Translate } from './i18n';

/** The message key of an error code. */
export const errorKey = (code: string): string => `err_${code.replace(/-/g, '_')}`;

/** A failure as a request answers it, or as sync status keeps it. */
export interface FailureLike {
  error?: string;
  code?: string;
  detail?: string;
}

/**
 * A failure in words: its code's message with its detail, or (for a code this build has no
 * message for, such as one from a newer team server) its English text as it came. Every code
 * whose message has a `$1` comes with a detail, except a refusal naming a teammate whose name
 * Tend does not know: that says "a teammate". No failure, no words.
 */
export function errorText(t: Translate, failure: FailureLike | null | undefined): string {
  const { code, detail, error = '' } = failure ?? {};
  const text = code ? t(errorKey(code), detail || t('err_someone')) : '';
  // A translator without the key answers with the key (the browser's, and the default one).
  return text && !text.startsWith('err_') ? text : error;
}
