/**
 * The queue: questions nobody holds, across every site, oldest first. A grid with one tab
 * stop: arrow keys (and Page Up/Down, Home, End) move through the rows, Enter opens the
 * question, `c` claims it. Only the rows in view are rendered, so 20,000 cost what 20 do.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { filterQueue, type QueueFilters, type QueueRow } from '../../lib/store/queries';
import { useT } from '../i18n';
import { hostOf } from '../popup/format';
import { timeAgo } from '../time';
import { SiteSelect } from './SiteSelect';

/** Height of one row, in CSS pixels (the stylesheet's `.qrow` matches). */
export const ROW_HEIGHT = 44;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 6;
/** Height of the scrolling area before the browser has measured it. */
const DEFAULT_VIEW = 520;

const AGES: { id: string; ms: number }[] = [
  { id: 'any', ms: 0 },
  { id: 'day', ms: 24 * 3_600_000 },
  { id: 'week', ms: 7 * 24 * 3_600_000 },
  { id: 'month', ms: 30 * 24 * 3_600_000 },
];

export interface QueueViewProps {
  rows: readonly QueueRow[] | null;
  /** Whether `rows` is the whole queue, or only its first rows while the rest loads. */
  complete: boolean;
  now: number;
  busy: ReadonlySet<string>;
  onClaim: (row: QueueRow) => void;
  onOpen: (row: QueueRow) => void;
  onExport: (rows: readonly QueueRow[]) => void;
}

export function QueueView({ rows, complete, now, busy, onClaim, onOpen, onExport }: QueueViewProps) {
  const t = useT();
  const [filters, setFilters] = useState<QueueFilters & { age: string }>({ age: 'any', answered: 'hide' });
  const [active, setActive] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const all = rows ?? [];
  const sites = useMemo(() => [...new Set(all.map((r) => r.thread.site))].sort(), [all]);
  const topics = useMemo(() => [...new Set(all.flatMap((r) => [...(r.category ? [r.category] : []), ...r.tags]))].sort(), [all]);
  const olderThan = AGES.find((a) => a.id === filters.age)?.ms ?? 0;
  const shown = useMemo(() => filterQueue(all, { ...filters, olderThan }, now), [all, filters, olderThan, now]);
  const current = Math.min(active, Math.max(0, shown.length - 1));
  const viewHeight = scroller.current?.clientHeight || DEFAULT_VIEW;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + viewHeight) / ROW_HEIGHT) + OVERSCAN);

  const moveTo = (i: number) => {
    const next = Math.max(0, Math.min(shown.length - 1, i));
    setActive(next);
    const el = scroller.current;
    if (!el) return;
    const top = next * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    setScrollTop(el.scrollTop);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!shown.length || e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor(viewHeight / ROW_HEIGHT) - 1);
    const keys: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, PageDown: current + page, PageUp: current - page, Home: 0, End: shown.length - 1 };
    if (e.key in keys) {
      e.preventDefault();
      moveTo(keys[e.key]!);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      onOpen(shown[current]!);
    } else if (e.key === 'c' || e.key === 'C') {
      e.preventDefault();
      if (!busy.has(shown[current]!.key)) onClaim(shown[current]!);
    }
  };

  const set = (patch: Partial<typeof filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setActive(0);
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  };
  const rowId = (i: number) => `queue-row-${i}`;

  return (
    <div class="view queue-view">
      <div class="filters" role="group" aria-label={t('db_filters')}>
        <SiteSelect label={t('db_filterSite')} anyLabel={t('db_any')} sites={sites} value={filters.site} onChange={(site) => set({ site: site ?? undefined })} />
        {topics.length > 0 && (
          <label>
            {t('db_filterTopic')}
            <select value={filters.topic ?? ''} onChange={(e) => set({ topic: (e.target as HTMLSelectElement).value || undefined })}>
              <option value="">{t('db_any')}</option>
              {topics.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('db_filterAge')}
          <select value={filters.age} onChange={(e) => set({ age: (e.target as HTMLSelectElement).value })}>
            {AGES.map((a) => (
              <option key={a.id} value={a.id}>
                {t(`db_age_${a.id}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('db_filterAnswered')}
          <select value={filters.answered} onChange={(e) => set({ answered: (e.target as HTMLSelectElement).value as QueueFilters['answered'] })}>
            <option value="hide">{t('db_answeredHide')}</option>
            <option value="show">{t('db_answeredShow')}</option>
            <option value="only">{t('db_answeredOnly')}</option>
          </select>
        </label>
        <button type="button" class="btn quiet" onClick={() => onExport(shown)} disabled={!complete}>
          {t('db_exportCsv')}
        </button>
      </div>
      <p class="muted" role="status">
        {rows === null ? t('loading') : complete ? t('db_queueCount', shown.length) : t('db_queueLoadingMore', shown.length)}
        {' · '}
        {t('db_queueKeys')}
      </p>
      {rows !== null && shown.length === 0 && complete ? (
        <p class="empty">{t('db_queueEmpty')}</p>
      ) : (
        <div
          class="grid"
          role="grid"
          aria-label={t('db_tabQueue')}
          aria-rowcount={shown.length + 1}
          aria-colcount={4}
          tabIndex={0}
          aria-activedescendant={shown.length ? rowId(current) : undefined}
          onKeyDown={onKeyDown}
        >
          <div role="rowgroup">
            <div role="row" class="qrow qhead" aria-rowindex={1}>
              <span role="columnheader">{t('db_colQuestion')}</span>
              <span role="columnheader">{t('db_colSite')}</span>
              <span role="columnheader">{t('db_colAge')}</span>
              <span role="columnheader">{t('db_colAction')}</span>
            </div>
          </div>
          <div class="qscroll" ref={scroller} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
            <div role="rowgroup" class="qbody" style={{ height: `${shown.length * ROW_HEIGHT}px` }}>
              {shown.slice(first, last).map((row, j) => {
                const i = first + j;
                return (
                  <div
                    key={row.key}
                    id={rowId(i)}
                    role="row"
                    class={`qrow${i === current ? ' active' : ''}`}
                    aria-rowindex={i + 2}
                    aria-selected={i === current}
                    style={{ top: `${i * ROW_HEIGHT}px` }}
                    onClick={() => setActive(i)}
                  >
                    <span role="gridcell" class="qtitle">
                      {row.url ? (
                        <a href={row.url} target="_blank" rel="noopener noreferrer" tabIndex={-1}>
                          {row.title || row.thread.threadId}
                        </a>
                      ) : (
                        row.title || row.thread.threadId
                      )}
                      {row.expired && <span class="tag warn">{t('db_lapsed')}</span>}
                      {row.answered && <span class="tag">{t('db_answered')}</span>}
                    </span>
                    <span role="gridcell" class="muted">
                      {hostOf(row.thread.site)}
                    </span>
                    <span role="gridcell" class="muted">
                      {row.since ? timeAgo(t, row.since, now) : '—'}
                    </span>
                    <span role="gridcell">
                      <button type="button" class="btn" tabIndex={-1} disabled={busy.has(row.key)} onClick={() => onClaim(row)} aria-label={t('db_claimLabel', row.title || row.thread.threadId)}>
                        {t('db_claim')}
                      </button>
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
