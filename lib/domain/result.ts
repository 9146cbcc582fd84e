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
  'invite-invalid',
  'too-many-devices',
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
export const err = <T = never>(code: ErrorCode, error: string, detail?: string): Result<T> => ({ ok: false, error, code, detail });

/**
 * Why the team server refused one of my ops, as kept and shown: its reason in the server's words,
 * and our code (with the holder's name as detail) where the server's code is one Tend words itself.
 */
export interface Refusal {
  error: string;
  code?: ErrorCode;
  detail?: string;
}

/** The server's refusal codes Tend has words for: the same rules the store checks before sending. */
const SERVER_REFUSALS: Readonly<Record<string, ErrorCode>> = {
  held: 'claim-held',
  'stale-epoch': 'claim-changed',
  'not-holder': 'claim-not-yours',
  'not-claimed': 'claim-none',
  expired: 'claim-expired',
  'self-endorsement': 'own-post',
  'not-manager': 'not-manager',
};

/**
 * Our code for a refusal the team server sent. Its other refusals (a disputed handle, an unknown
 * member, a clock too far ahead, an op it cannot read, a reused op id) have no code here: they
 * are shown in the server's own words, which a server of another version may change.
 */
export function serverRefusal(serverCode: string | undefined, reason: string, holder?: string): Refusal {
  const code = serverCode && Object.hasOwn(SERVER_REFUSALS, serverCode) ? SERVER_REFUSALS[serverCode] : undefined;
  if (!code) return { error: reason };
  return holder && (code === 'claim-held' || code === 'claim-not-yours') ? { error: reason, code, detail: holder } : { error: reason, code };
}

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
