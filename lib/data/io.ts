/**
 * Export, import and wipe as an extension page does them: the page reads the database and
 * `storage.local` itself, and asks the background (the only writer) to import and to wipe.
 */
import { browser } from 'wxt/browser';
import { request } from '../messaging/client';
import { ENABLED_ORIGINS_KEY } from '../permissions/site-access';
import { TendReader } from '../store/queries';
import type { ErrorCode, Failure, Result } from '../domain/result';
import type { AnyRequest, Replies, RequestType } from '../messaging/protocol';
import { EXPORT_VERSION, importChunks, parseExport, type ImportProblem, type TendExport } from './export-format';

/** What an import did. */
export interface ImportSummary {
  added: number;
  skipped: number;
}

/** A failure with a code for the page to put in words. */
export class DataError extends Error {
  constructor(
    /** A problem with the file read here, or the background's code for why it refused. */
    readonly code: ImportProblem['code'] | ErrorCode,
    readonly detail: string,
    message?: string,
  ) {
    super(message || detail || code);
    this.name = 'DataError';
  }

  /** The background's refusal, with its code and detail. */
  static of(failure: Failure): DataError {
    return new DataError(failure.code, failure.detail ?? '', failure.error);
  }
}

/** What the data settings do, injected so the component runs in tests without a browser. */
export interface DataIO {
  exportAll(): Promise<TendExport>;
  importText(text: string, onProgress?: (done: number, total: number) => void): Promise<ImportSummary>;
  wipe(): Promise<void>;
  /** Offers text to the person as a file. */
  download(name: string, type: string, text: string): void;
}

/** Offers text as a file download from the page. */
export function downloadText(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Sends one request to the background: the client's `request`, or a test's router. */
export type Requester = <T extends RequestType>(req: Extract<AnyRequest, { type: T }>) => Promise<Result<Replies[T]>>;

/**
 * Imports an export file's text through the background, in parts: a file that is not an export,
 * or one from a newer Tend, is refused before anything is sent, with the problem's code.
 */
export async function importExport(
  text: string,
  send: Requester,
  onProgress?: (done: number, total: number) => void,
  granted: (origin: string) => Promise<boolean> = (origin) => browser.permissions.contains({ origins: [`${origin}/*`] }).catch(() => false),
): Promise<ImportSummary> {
  const parsed = parseExport(text);
  if (!parsed.ok) throw new DataError(parsed.problem.code, parsed.problem.detail);
  const chunks = importChunks(parsed.value);
  const total = parsed.value.ops.length;
  let added = 0;
  let skipped = 0;
  let done = 0;
  for (const chunk of chunks) {
    const r = await send({ type: 'data.import', chunk });
    if (!r.ok) throw DataError.of(r);
    added += r.value.added;
    skipped += r.value.skipped;
    done += chunk.ops.length;
    onProgress?.(done, total);
  }
  // Sites enabled in the exporting browser: only those this browser already allows come back on.
  for (const origin of parsed.value.enabledOrigins) {
    if (await granted(origin)) await send({ type: 'site.enable', origin });
  }
  return { added, skipped };
}

/** The browser's DataIO. */
export const browserDataIO: DataIO = {
  async exportAll() {
    const reader = await TendReader.open();
    try {
      const [dump, stored] = await Promise.all([reader.dump(), browser.storage.local.get(ENABLED_ORIGINS_KEY)]);
      const enabled = stored[ENABLED_ORIGINS_KEY];
      return {
        tend: 'export',
        version: EXPORT_VERSION,
        exportedAt: Date.now(),
        ...dump,
        enabledOrigins: Array.isArray(enabled) ? enabled.filter((o): o is string => typeof o === 'string') : [],
      } as TendExport;
    } finally {
      reader.close();
    }
  },
  importText(text, onProgress) {
    return importExport(text, request, onProgress);
  },
  async wipe() {
    const r = await request({ type: 'data.wipe', confirm: 'wipe everything' });
    if (!r.ok) throw DataError.of(r);
  },
  download: downloadText,
};
