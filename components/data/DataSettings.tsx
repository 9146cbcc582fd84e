/**
 * Export, import and wipe: everything Tend stores, one action away. Shown in the dashboard and
 * the settings page. The browser side (`lib/data/io.ts`) is passed in, or loaded on first use.
 */
import './data.css';
import { useRef, useState } from 'preact/hooks';
import type { DataIO } from '../../lib/data/io';
import { isErrorCode } from '../../lib/domain/result';
import { errorText } from '../errors';
import { useT } from '../i18n';

export interface DataSettingsProps {
  /** How to reach the browser; the real one by default. */
  io?: DataIO;
  /** Called after an import or a wipe changed what is stored. */
  onChanged?: () => void;
}

type Status = { kind: 'idle' } | { kind: 'busy'; text: string } | { kind: 'done'; text: string } | { kind: 'error'; text: string };

const loadIO = async (given?: DataIO): Promise<DataIO> => given ?? (await import('../../lib/data/io')).browserDataIO;

/** What went wrong, in words: a file's problems and the background's refusals have codes, anything else its detail. */
function problemText(t: ReturnType<typeof useT>, e: unknown): string {
  const code = (e as { code?: string } | null)?.code;
  const detail = (e as { detail?: string } | null)?.detail ?? (e instanceof Error ? e.message : String(e));
  if (isErrorCode(code) && code !== 'invalid') return errorText(t, { code, detail, error: e instanceof Error ? e.message : String(e) });
  switch (code) {
    case 'not-json':
      return t('data_errNotJson');
    case 'not-tend':
      return t('data_errNotTend');
    case 'newer':
      return t('data_errNewer');
    case 'invalid':
      return t('data_errInvalid', detail);
    default:
      return t('data_errFailed', detail);
  }
}

export function DataSettings({ io, onChanged }: DataSettingsProps) {
  const t = useT();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [confirming, setConfirming] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const busy = status.kind === 'busy';

  const onExport = async () => {
    setStatus({ kind: 'busy', text: t('data_exporting') });
    try {
      const d = await loadIO(io);
      const data = await d.exportAll();
      d.download(`tend-${new Date().toISOString().slice(0, 10)}.json`, 'application/json', JSON.stringify(data, null, 1));
      setStatus({ kind: 'done', text: t('data_exported', data.ops.length) });
    } catch (e) {
      setStatus({ kind: 'error', text: problemText(t, e) });
    }
  };

  const onImport = async (f: File) => {
    setStatus({ kind: 'busy', text: t('data_importing', 0, 0) });
    try {
      const d = await loadIO(io);
      const r = await d.importText(await f.text(), (done, total) => setStatus({ kind: 'busy', text: t('data_importing', done, total) }));
      setStatus({ kind: 'done', text: t('data_imported', r.added, r.skipped) });
      onChanged?.();
    } catch (e) {
      setStatus({ kind: 'error', text: problemText(t, e) });
    } finally {
      if (file.current) file.current.value = '';
    }
  };

  const onWipe = async () => {
    setConfirming(false);
    setStatus({ kind: 'busy', text: t('data_wiping') });
    try {
      await (await loadIO(io)).wipe();
      setStatus({ kind: 'done', text: t('data_wiped') });
      onChanged?.();
    } catch (e) {
      setStatus({ kind: 'error', text: problemText(t, e) });
    }
  };

  return (
    <section class="card data-card" aria-labelledby="data-heading">
      <h2 id="data-heading">{t('data_heading')}</h2>
      <p class="help">{t('data_help')}</p>
      <div class="data-actions">
        <button type="button" class="btn" disabled={busy} onClick={() => void onExport()}>
          {t('data_export')}
        </button>
        <label class={`btn file${busy ? ' disabled' : ''}`}>
          {t('data_import')}
          <input
            ref={file}
            type="file"
            accept="application/json,.json"
            class="visually-hidden"
            disabled={busy}
            onChange={(e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) void onImport(f);
            }}
          />
        </label>
        {!confirming ? (
          <button type="button" class="btn danger" disabled={busy} onClick={() => setConfirming(true)}>
            {t('data_wipe')}
          </button>
        ) : (
          <span class="confirm" role="group" aria-label={t('data_wipeConfirmLabel')}>
            <span class="error">{t('data_wipeConfirm')}</span>
            <button type="button" class="btn danger" onClick={() => void onWipe()}>
              {t('data_wipeYes')}
            </button>
            <button type="button" class="btn" onClick={() => setConfirming(false)}>
              {t('data_wipeNo')}
            </button>
          </span>
        )}
      </div>
      <p class={status.kind === 'error' ? 'error' : 'muted'} role={status.kind === 'error' ? 'alert' : 'status'}>
        {status.kind === 'idle' ? '' : status.text}
      </p>
    </section>
  );
}
