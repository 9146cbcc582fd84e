/**
 * The popup's first read, started while its script is still being evaluated: this module is
 * the entry's first import, so the database opens (and my claims and thanks are read) before
 * Preact and the views are even run, and not after the first render's effects.
 */
import { loadSummary, type PopupSummary } from '../../lib/store/summary';
import { TendReader } from '../../lib/store/queries';

/** The read-only connection, opened at once. */
export const firstReader: Promise<TendReader> = TendReader.open();

/** When the first read started (ms): the "now" its lists were read at. */
export const firstReadAt = Date.now();

/** The summary before the tab's site is known (no counts, no claims on this site). */
export const firstSummary: Promise<PopupSummary> = firstReader.then((r) => loadSummary(r, null, firstReadAt));

// The app handles failures (it shows them and opens again on retry); these only keep the
// browser from reporting them as unhandled before the app has awaited them.
firstSummary.catch(() => undefined);
