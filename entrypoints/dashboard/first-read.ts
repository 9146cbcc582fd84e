/**
 * The dashboard's first read, started while its script is still being evaluated: this module
 * is the entry's first import, so the database opens and the queue's first rows are read
 * before Preact and the views are even run, and not after the first render's effects.
 */
import { TendReader, type QueueRow } from '../../lib/store/queries';

/** Rows read first, from the index alone, so the queue paints before the rest is read. */
export const FIRST_ROWS = 40;

/** The read-only connection, opened at once. */
export const firstReader: Promise<TendReader> = TendReader.open();

/** When the first rows were read (ms). */
export const firstReadAt = Date.now();

/** The oldest questions nobody holds: the queue's first rows. */
export const firstRows: Promise<QueueRow[]> = firstReader.then((r) => r.queueFirst(FIRST_ROWS, firstReadAt));

let settled: QueueRow[] | undefined;
// Kept as soon as it is read; a failure is the app's to show (this only keeps it from being
// reported as unhandled before the app has awaited it).
const read = firstRows.then(
  (value) => void (settled = value),
  () => undefined,
);

/** Settles once the first read is in (or has failed), or after `ms` at most. */
export const firstRowsOrTimeout = (ms: number): Promise<void> => Promise.race([read, new Promise<void>((resolve) => setTimeout(resolve, ms))]);

/** The first rows if read already: the app's first frame can show them. */
export const firstRowsIfRead = (): QueueRow[] | undefined => settled;
