/**
 * The popup's first read, started while its script is still being evaluated: this module is
 * the entry's first import, so the database opens (and my claims and thanks are read) before
 * Preact and the views are even run, and not after the first render's effects.
 *
 * The entry module carries only the open itself (`openCurrent`: no idb, no schema), so the
 * database is asked before any other module has arrived; the reader and the summary's reads
 * come in while it answers (the page preloads them with the entry, see `wxt.config.ts`).
 */
import { openCurrent } from '../../lib/store/connect';
import type { TendReader } from '../../lib/store/queries';
import type { PopupSummary } from '../../lib/store/summary';

const connection = openCurrent();

/** When the first read started (ms): the "now" its lists were read at. */
export const firstReadAt = Date.now();

/** The read-only connection, opened at once. */
export const firstReader: Promise<TendReader> = import('../../lib/store/queries').then(({ TendReader }) => TendReader.over(connection));

/** The summary before the tab's site is known (no counts, no claims on this site). */
export const firstSummary: Promise<PopupSummary> = Promise.all([firstReader, import('../../lib/store/summary')]).then(([reader, { loadSummary }]) =>
  loadSummary(reader, null, firstReadAt),
);

let settled: PopupSummary | undefined;
// Kept as soon as it is read; a failure is the app's to show (this only keeps it from being
// reported as unhandled before the app has awaited it).
const read = firstSummary.then(
  (value) => void (settled = value),
  () => undefined,
);

/** Settles once the first read is in (or has failed), or after `ms` at most. */
export const firstSummaryOrTimeout = (ms: number): Promise<void> => Promise.race([read, new Promise<void>((resolve) => setTimeout(resolve, ms))]);

/** The first summary if read already: the app's first frame can show them. */
export const firstSummaryIfRead = (): PopupSummary | undefined => settled;
