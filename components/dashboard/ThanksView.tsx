/** "Thanks this week": ready-to-paste Markdown quoting the week's notes by person, with a Copy button. */
import { useEffect, useState } from 'preact/hooks';
import type { FeedItem } from '../../lib/store/queries';
import { useT } from '../i18n';
import { thanksMarkdown } from './markdown';

export interface ThanksViewProps {
  weeks: readonly string[];
  /** This week's Monday, offered even before anyone was thanked. */
  thisWeek: string;
  loadWeek: (week: string) => Promise<FeedItem[]>;
  nameOf: (member: string) => string;
  onCopy: (text: string) => Promise<void>;
}

export function ThanksView({ weeks, thisWeek, loadWeek, nameOf, onCopy }: ThanksViewProps) {
  const t = useT();
  const all = [...new Set([thisWeek, ...weeks])].sort().reverse();
  const [week, setWeek] = useState(thisWeek);
  const [text, setText] = useState<string | null>(null);
  const [status, setStatus] = useState<string>('');
  useEffect(() => {
    let live = true;
    setText(null);
    setStatus('');
    loadWeek(week).then(
      (items) => live && setText(thanksMarkdown(t, week, items, nameOf)),
      (e: unknown) => live && setStatus(t('db_loadError', e instanceof Error ? e.message : String(e))),
    );
    return () => {
      live = false;
    };
  }, [week]);
  return (
    <div class="view thanks-view">
      <div class="filters">
        <label>
          {t('db_week')}
          <select value={week} onChange={(e) => setWeek((e.target as HTMLSelectElement).value)}>
            {all.map((w) => (
              <option key={w} value={w}>
                {t('db_weekOf', w)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="btn primary"
          disabled={text === null}
          onClick={() =>
            text !== null &&
            onCopy(text).then(
              () => setStatus(t('db_copied')),
              () => setStatus(t('db_copyFailed')),
            )
          }
        >
          {t('db_copy')}
        </button>
        <span role="status" class="muted">
          {status}
        </span>
      </div>
      <label class="md-label" for="thanks-md">
        {t('db_markdownLabel')}
      </label>
      <textarea id="thanks-md" class="markdown" readOnly rows={18} value={text ?? t('loading')} />
    </div>
  );
}
