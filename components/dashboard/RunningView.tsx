/**
 * "Is it running itself?": per week, the share of claims and of questions done by members who
 * are not managers, time to claim and time to done (median and 90th percentile), and how many
 * questions wait never picked up. Each chart is a small inline SVG; the same numbers are in a
 * table beside it, which is what screen readers read.
 */
import { useState } from 'preact/hooks';
import type { WeekStats } from '../../lib/store/queries';
import { useT, type Translate } from '../i18n';
import { formatDuration } from '../time';
import { SiteSelect } from './SiteSelect';

export interface RunningViewProps {
  sites: readonly string[];
  stats: (site: string | null) => WeekStats[];
  onExport: (rows: readonly WeekStats[], site: string | null) => void;
}

const W = 280;
const H = 110;
const PAD = 18;

/** A line chart of one or two series over the weeks (null points are gaps). */
function Chart({ title, series, max, format }: { title: string; series: { name: string; values: (number | null)[]; cls: string }[]; max: number; format: (n: number) => string }) {
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const x = (i: number) => PAD + (n === 1 ? (W - 2 * PAD) / 2 : (i * (W - 2 * PAD)) / (n - 1));
  const y = (v: number) => H - PAD - (max ? (v / max) * (H - 2 * PAD) : 0);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} width={W} height={H} aria-hidden="true" focusable="false">
      <title>{title}</title>
      <line class="axis" x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} />
      <text class="tick" x={PAD} y={PAD - 6}>
        {format(max)}
      </text>
      {series.map((s) => {
        const pts = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`));
        const segments: string[][] = [[]];
        for (const p of pts) if (p) segments.at(-1)!.push(p);
        else segments.push([]);
        return (
          <g key={s.name} class={s.cls}>
            {segments.filter((seg) => seg.length > 1).map((seg, i) => (
              <polyline key={i} points={seg.join(' ')} />
            ))}
            {pts.map((p, i) => p && <circle key={i} cx={p.split(',')[0]} cy={p.split(',')[1]} r="2.5" />)}
          </g>
        );
      })}
    </svg>
  );
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
const dur = (t: Translate, v: number | undefined) => (v === undefined ? '—' : formatDuration(t, v));

export function RunningView({ sites, stats, onExport }: RunningViewProps) {
  const t = useT();
  const [site, setSite] = useState<string | null>(null);
  const rows = stats(site).slice(-12);
  const hours = (ms: number) => formatDuration(t, ms);
  const maxOf = (xs: (number | null | undefined)[]) => Math.max(0, ...xs.filter((x): x is number => typeof x === 'number'));
  const legend = (items: [string, string][]) => (
    <p class="legend" aria-hidden="true">
      {items.map(([cls, label]) => (
        <span key={cls} class={cls}>
          {label}
        </span>
      ))}
    </p>
  );
  return (
    <div class="view running-view">
      <div class="filters">
        <SiteSelect label={t('db_filterSite')} anyLabel={t('db_allSites')} sites={sites} value={site} onChange={setSite} />
        <button type="button" class="btn quiet" onClick={() => onExport(rows, site)}>
          {t('db_exportCsv')}
        </button>
      </div>
      {rows.length === 0 ? (
        <p class="empty">{t('db_runningEmpty')}</p>
      ) : (
        <>
          <div class="charts">
            <figure>
              <figcaption>{t('db_chartShare')}</figcaption>
              <Chart
                title={t('db_chartShare')}
                max={1}
                format={(v) => pct(v)}
                series={[
                  { name: 'claims', cls: 's1', values: rows.map((r) => r.memberClaimShare) },
                  { name: 'done', cls: 's2', values: rows.map((r) => r.memberDoneShare) },
                ]}
              />
              {legend([
                ['s1', t('db_colClaimShare')],
                ['s2', t('db_colDoneShare')],
              ])}
            </figure>
            <figure>
              <figcaption>{t('db_chartToClaim')}</figcaption>
              <Chart
                title={t('db_chartToClaim')}
                max={maxOf(rows.map((r) => r.toClaim?.p90))}
                format={hours}
                series={[
                  { name: 'median', cls: 's1', values: rows.map((r) => r.toClaim?.median ?? null) },
                  { name: 'p90', cls: 's2', values: rows.map((r) => r.toClaim?.p90 ?? null) },
                ]}
              />
              {legend([
                ['s1', t('db_median')],
                ['s2', t('db_p90')],
              ])}
            </figure>
            <figure>
              <figcaption>{t('db_chartToDone')}</figcaption>
              <Chart
                title={t('db_chartToDone')}
                max={maxOf(rows.map((r) => r.toDone?.p90))}
                format={hours}
                series={[
                  { name: 'median', cls: 's1', values: rows.map((r) => r.toDone?.median ?? null) },
                  { name: 'p90', cls: 's2', values: rows.map((r) => r.toDone?.p90 ?? null) },
                ]}
              />
              {legend([
                ['s1', t('db_median')],
                ['s2', t('db_p90')],
              ])}
            </figure>
            <figure>
              <figcaption>{t('db_chartWaiting')}</figcaption>
              <Chart title={t('db_chartWaiting')} max={maxOf(rows.map((r) => r.waiting))} format={(v) => String(Math.round(v))} series={[{ name: 'waiting', cls: 's1', values: rows.map((r) => r.waiting) }]} />
            </figure>
          </div>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t('db_tableLabel')}>
            <table>
              <caption>{t('db_tableLabel')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('db_week')}</th>
                  <th scope="col">{t('db_colClaimShare')}</th>
                  <th scope="col">{t('db_colDoneShare')}</th>
                  <th scope="col">{t('db_colToClaim')}</th>
                  <th scope="col">{t('db_colToDone')}</th>
                  <th scope="col">{t('db_colWaiting')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.week}>
                    <th scope="row">{r.week}</th>
                    <td>
                      {pct(r.memberClaimShare)} <span class="muted">({r.memberClaims}/{r.claims})</span>
                    </td>
                    <td>
                      {pct(r.memberDoneShare)} <span class="muted">({r.memberResolves}/{r.resolves})</span>
                    </td>
                    <td>
                      {dur(t, r.toClaim?.median)} / {dur(t, r.toClaim?.p90)}
                    </td>
                    <td>
                      {dur(t, r.toDone?.median)} / {dur(t, r.toDone?.p90)}
                    </td>
                    <td>{r.waiting}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
