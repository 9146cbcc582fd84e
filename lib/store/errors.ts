/**
 * Errors the store throws: IndexedDB failures and refused actions, each with a code Tend's
 * pages translate and an English message for logs.
 */
import { CodedError, type ClaimRejection, type ErrorCode } from '../domain';

/** Why the store failed or refused: a database failure, or a rule the action broke. */
export type StoreErrorCode = Extract<
  ErrorCode,
  'quota' | 'blocked' | 'closed' | 'aborted' | 'no-identity' | 'own-post' | 'claim-held' | 'claim-changed' | 'claim-not-yours' | 'claim-none' | 'claim-expired'
>;

/** A store failure or refusal; nothing was written. */
export class StoreError extends CodedError {
  constructor(
    override readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(code, message, options?.detail, options);
    this.name = 'StoreError';
  }
}

/** The code of a claim the rules refuse. */
export const CLAIM_REFUSALS: Record<ClaimRejection['code'], StoreErrorCode> = {
  held: 'claim-held',
  'stale-epoch': 'claim-changed',
  'not-holder': 'claim-not-yours',
  'not-claimed': 'claim-none',
  expired: 'claim-expired',
};

function isQuota(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const name = (e as { name?: unknown }).name;
  // Chromium names it QuotaExceededError (code 22, empty message); Firefox may wrap it.
  return name === 'QuotaExceededError' || (e as { code?: unknown }).code === 22 || /quota/i.test(String((e as Error).message));
}

/** Translates whatever a transaction threw into a StoreError; nothing was written. */
export function toStoreError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  if (isQuota(e)) {
    return new StoreError('quota', 'Your disk is full, so Tend could not save this. Nothing was lost: free some space and try again.', { cause: e });
  }
  if (e && typeof e === 'object' && (e as { name?: unknown }).name === 'InvalidStateError') {
    return new StoreError('closed', 'Tend’s database was closed (Tend is being updated); try again in a moment.', { cause: e });
  }
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new StoreError('aborted', `Tend could not save this (${detail}). Nothing was changed.`, { cause: e, detail });
}
