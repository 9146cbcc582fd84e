/** Recognition lately: thanks I received (by my linked handles) and thanks I gave. */
import { useT } from '../i18n';
import { timeAgo } from '../time';
import { hostOf, safeHref } from './format';
import type { RecognitionItem } from '../../lib/store/summary';

/** One list of recognition and how to name it. */
export interface RecognitionListProps {
  items: readonly RecognitionItem[];
  kind: 'received' | 'given';
  now: number;
  label: string;
  empty: string;
}

/** One list of recognition; notes are shown as text, never as HTML. */
export function RecognitionList({ items, kind, now, label, empty }: RecognitionListProps) {
  const t = useT();
  if (!items.length) return <p class="empty">{empty}</p>;
  return (
    <ul class="recognition" aria-label={label}>
      {items.map((r) => {
        const href = safeHref(r.threadUrl);
        const where = r.threadTitle || hostOf(r.site);
        return (
          <li key={r.key}>
            <p class="who">
              {kind === 'received' ? t('receivedFrom', r.who || t('someoneOnTeam')) : t('givenTo', r.who)}
              <span class="when">{timeAgo(t, r.at, now)}</span>
            </p>
            {r.note && <p class="note">{r.note}</p>}
            <p class="where">
              {href ? (
                <a href={href} target="_blank" rel="noreferrer">
                  {where}
                </a>
              ) : (
                where
              )}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
