/** A value or a reason, as every request in Tend answers. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string; code?: string };

/** A successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
/** A failed result with a reason a person can read. */
export const err = <T = never>(error: string, code?: string): Result<T> => (code ? { ok: false, error, code } : { ok: false, error });
