/**
 * The background's failures in the person's language: every error code has a message in
 * `_locales` (`err_` and the code with `_` for `-`, checked by tests/components/errors.test.ts),
 * and the failure's detail (a name, a host, a cause) goes where the message says. Kept free of
 * the list of codes, so overlays carry only these few lines.
 */
import type { Translate } from './i18n';

/** The message key of an error code. */
export const errorKey = (code: string): string => `err_${code.replace(/-/g, '_')}`;

/** Codes whose message names a teammate: without a name, the message says "a teammate". */
const NAMES_SOMEONE: ReadonlySet<string> = new Set(['claim-held', 'claim-not-yours']);

/** A failure as a request answers it, or as sync status keeps it. */
export interface FailureLike {
  error?: string;
  code?: string;
  detail?: string;
}

/**
 * A failure in words: its code's message with its detail, or (for a code this build has no
 * message for, such as one from a newer team server) its English text as it came.
 */
export function errorText(t: Translate, failure: FailureLike): string {
  const fallback = failure.error || failure.code || '';
  if (!failure.code) return fallback;
  const key = errorKey(failure.code);
  const detail = failure.detail || (NAMES_SOMEONE.has(failure.code) ? t('err_someone') : (failure.error ?? ''));
  let text: string;
  try {
    text = t(key, detail);
  } catch {
    // A translator that refuses unknown keys (tests) means the same as one that echoes them.
    return fallback;
  }
  return !text || text === key || text.startsWith(`${key}(`) ? fallback : text;
}
