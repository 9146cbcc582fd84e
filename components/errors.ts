/**
 * The background's failures in the person's language: every error code has a message in
 * `_locales`, and the failure's detail (a name, a host, a cause) goes where the message says.
 */
import { isErrorCode, type ErrorCode } from '../lib/domain/result';
import type { Translate } from './i18n';

/** The message of each code; the compiler checks none is missing, the locales test that each exists. */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  'bad-envelope': 'err_bad_envelope',
  forbidden: 'err_forbidden',
  invalid: 'err_invalid',
  failed: 'err_failed',
  'no-reply': 'err_no_reply',
  unreachable: 'err_unreachable',
  unavailable: 'err_unavailable',
  'no-tab': 'err_no_tab',
  'no-team': 'err_no_team',
  'not-manager': 'err_not_manager',
  'already-in-team': 'err_already_in_team',
  quota: 'err_quota',
  blocked: 'err_blocked',
  closed: 'err_closed',
  aborted: 'err_aborted',
  store: 'err_store',
  'no-identity': 'err_no_identity',
  'own-post': 'err_own_post',
  'claim-held': 'err_claim_held',
  'claim-changed': 'err_claim_changed',
  'claim-not-yours': 'err_claim_not_yours',
  'claim-none': 'err_claim_none',
  'claim-expired': 'err_claim_expired',
  'invalid-description': 'err_invalid_description',
  'wrong-origin': 'err_wrong_origin',
  'site-not-granted': 'err_site_not_granted',
  'site-built-in': 'err_site_built_in',
  'site-unsupported': 'err_site_unsupported',
  'server-url': 'err_server_url',
  'server-https': 'err_server_https',
  'server-credentials': 'err_server_credentials',
  'sync-network': 'err_sync_network',
  'sync-timeout': 'err_sync_timeout',
  'sync-server': 'err_sync_server',
  'sync-auth': 'err_sync_auth',
  'sync-removed': 'err_sync_removed',
  'sync-version': 'err_sync_version',
  'sync-rate': 'err_sync_rate',
  'sync-refused': 'err_sync_refused',
  'import-invalid': 'err_import_invalid',
};

/** Codes whose message names a teammate: without a name, the message says "a teammate". */
const NAMES_SOMEONE: ReadonlySet<ErrorCode> = new Set(['claim-held', 'claim-not-yours']);

/** A failure as a request answers it, or as sync status keeps it. */
export interface FailureLike {
  error?: string;
  code?: string;
  detail?: string;
}

/**
 * A failure in words: its code's message with its detail, or (for a reason that has no code,
 * which nothing in Tend sends today) its English text as it came.
 */
export function errorText(t: Translate, failure: FailureLike): string {
  if (!isErrorCode(failure.code)) return failure.error ?? t('err_failed', '');
  const detail = failure.detail || (NAMES_SOMEONE.has(failure.code) ? t('err_someone') : (failure.error ?? ''));
  return t(ERROR_MESSAGES[failure.code], detail);
}
