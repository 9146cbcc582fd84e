/**
 * A value or a reason, as every request in Tend answers. A failure carries a stable `code`
 * that Tend's pages put in the person's language (`components/errors.ts`), an English `error`
 * for logs and tests, and sometimes a `detail` (a name, a host, a number, or a technical
 * reason) that the translated message places where it says.
 */

/**
 * Every reason the background gives for refusing or failing a request. Each has a message in
 * `_locales` (`err_` and the code with `_` for `-`), checked by the locales test.
 */
export const ERROR_CODES = [
  // The boundary: who asked, and what.
  'bad-envelope',
  'forbidden',
  'invalid',
  'failed',
  // Reaching the background from a page.
  'no-reply',
  'unreachable',
  // What this build or this browser cannot do here.
  'unavailable',
  'no-tab',
  // Teams and roles.
  'no-team',
  'not-manager',
  'already-in-team',
  // The database.
  'quota',
  'blocked',
  'closed',
  'aborted',
  'store',
  'no-identity',
  // Domain rules checked before anything is written.
  'own-post',
  'claim-held',
  'claim-changed',
  'claim-not-yours',
  'claim-none',
  'claim-expired',
  // Site descriptions.
  'invalid-description',
  'wrong-origin',
  // Enabling Tend on a site.
  'site-not-granted',
  'site-built-in',
  'site-unsupported',
  // The team server.
  'server-url',
  'server-https',
  'server-credentials',
  'sync-network',
  'sync-timeout',
  'sync-server',
  'sync-auth',
  'sync-removed',
  'sync-version',
  'sync-rate',
  'sync-refused',
  // Importing an export.
  'import-invalid',
] as const;

/** A stable reason for a failure, which pages translate. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether a value is one of Tend's error codes. (No set built at load: content scripts that never ask carry none.) */
export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);

/** A failed result: the code to translate, an English reason, and what the message names. */
export type Failure = { ok: false; error: string; code: ErrorCode; detail?: string };

/** A value or a failure. */
export type Result<T> = { ok: true; value: T } | Failure;

/** A successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** A failed result: its code, an English reason, and the detail its message names, if any. */
export const err = <T = never>(code: ErrorCode, error: string, detail?: string): Result<T> =>
  detail === undefined ? { ok: false, error, code } : { ok: false, error, code, detail };

/**
 * An error a background module throws with a code (store, sync, site access): the router
 * answers with its code and detail instead of a bare message.
 */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}

/** The failure for anything thrown: its code and detail when it has them, else `failed` with its message. */
export function failureOf(e: unknown): Failure {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  const detail = (e as { detail?: unknown } | null)?.detail;
  if (isErrorCode(code)) return typeof detail === 'string' ? { ok: false, error: message, code, detail } : { ok: false, error: message, code };
  return { ok: false, error: message, code: 'failed', detail: message };
}
