/** Errors the store turns IndexedDB failures into, with reasons a person can act on. */

export type StoreErrorCode = 'quota' | 'blocked' | 'closed' | 'aborted' | 'rejected';

/** A store failure the UI can show as it is. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

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
  return new StoreError('aborted', `Tend could not save this (${detail}). Nothing was changed.`, { cause: e });
}
