/**
 * Recognition: thanks by week (notes first: a sentence matters more than a number) or by
 * person, and a person's page with what they were thanked for, in their thankers' words.
 */
import { useEffect, useState } from 'preact/hooks';
import type { FeedItem } from '../../lib/store/queries';
import { notesFirst } from '../../lib/store/queries';
import { useT } from '../i18n';
import { hostOf, safeHref } from '../popup/format';
import { timeAgo } from '../time';

export interface Thanked {
  person: string;
  site: string;
  handle: string;
  count: number;
  notes: number;
}

export interface RecognitionViewProps {
  weeks: readonly string[];
  /** People thanked: in one week, or ever (`week` undefined), most thanked first. */
  loadThanked: (week?: string) => Promise<Thanked[]>;
  loadWeek: (week: string) => Promise<FeedItem[]>;
  loadPerson: (person: string) => Promise<FeedItem[]>;
  nameOf: (member: string) => string;
  now: number;
  onExport: (items: readonly FeedItem[], name: string) => void;
}

type Mode = { kind: 'week'; week: string } | { kind: 'people' } | { kind: 'person'; person: Thanked };

export function RecognitionView(props: RecognitionViewProps) {
  const t = useT();
  const [mode, setMode] = useState<Mode>(props.weeks[0] ? { kind: 'week', week: props.weeks[0] } : { kind: 'people' });
  const [items, setItems] = useState<FeedItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [people, setPeople] = useState<Thanked[]>([]);
  const modeKey = mode.kind === 'week' ? `w ${mode.week}` : mode.kind === 'person' ? `p ${mode.person.person}` : 'people';

  useEffect(() => {
    setItems(null);
    setError(null);
    setPeople([]);
    let live = true;
    const failed = (e: unknown) => live && setError(e instanceof Error ? e.message : String(e));
    if (mode.kind !== 'person') props.loadThanked(mode.kind === 'week' ? mode.week : undefined).then((list) => live && setPeople(list), failed);
    if (mode.kind === 'people') {
      return () => {
        live = false;
      };
    }
    (mode.kind === 'week' ? props.loadWeek(mode.week) : props.loadPerson(mode.person.person)).then(
      (list) => live && setItems(notesFirst(list)),
      failed,
    );
    return () => {
      live = false;
    };
  }, [modeKey]);

  const openPerson = (p: Thanked) => setMode({ kind: 'person', person: p });

  return (
    <div class="view recognition-view">
      <div class="filters">
        <label>
          {t('db_show')}
          <select
            value={mode.kind === 'week' ? mode.week : mode.kind === 'people' ? '' : mode.kind}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              setMode(v ? { kind: 'week', week: v } : { kind: 'people' });
            }}
          >
            <option value="">{t('db_byPerson')}</option>
            {mode.kind === 'person' && <option value="person">{mode.person.handle}</option>}
            {props.weeks.map((w) => (
              <option key={w} value={w}>
                {t('db_weekOf', w)}
              </option>
            ))}
          </select>
        </label>
        {items && (
          <button type="button" class="btn quiet" onClick={() => props.onExport(items, mode.kind === 'week' ? mode.week : mode.kind === 'person' ? mode.person.handle : 'all')}>
            {t('db_exportCsv')}
          </button>
        )}
      </div>
      {mode.kind === 'person' && (
        <div class="person-head">
          <button type="button" class="btn link" onClick={() => setMode({ kind: 'people' })}>
            {t('db_back')}
          </button>
          <h3>{t('db_personHeading', mode.person.handle, hostOf(mode.person.site))}</h3>
        </div>
      )}
      {people.length > 0 && (
        <section aria-labelledby="thanked-heading">
          <h3 id="thanked-heading">{t('db_thankedHeading')}</h3>
          <ul class="people">
            {people.map((p) => (
              <li key={p.person}>
                <button type="button" class="btn link" onClick={() => openPerson(p)}>
                  {p.handle}
                </button>{' '}
                <span class="muted">
                  {hostOf(p.site)} · {t('db_thanksCount', p.count, p.notes)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {mode.kind === 'people' && people.length === 0 && <p class="empty">{t('db_recognitionEmpty')}</p>}
      {error && (
        <p class="error" role="alert">
          {t('db_loadError', error)}
        </p>
      )}
      {mode.kind !== 'people' && items === null && !error && <p class="muted">{t('loading')}</p>}
      {items && items.length === 0 && <p class="empty">{t('db_recognitionEmpty')}</p>}
      {items && items.length > 0 && (
        <ul class="feed" aria-label={t('db_feedLabel')}>
          {items.map((i) => (
            <li key={i.key} class={i.note ? 'with-note' : ''}>
              {i.note ? <blockquote class="note">{i.note}</blockquote> : <p class="muted">{t('db_noNote')}</p>}
              <p class="feed-who">
                {t('db_feedWho', props.nameOf(i.actor), i.handle)}{' '}
                {safeHref(i.threadUrl) ? (
                  <a href={safeHref(i.threadUrl)} target="_blank" rel="noopener noreferrer">
                    {i.threadTitle || hostOf(i.site)}
                  </a>
                ) : (
                  <span>{i.threadTitle || hostOf(i.site)}</span>
                )}{' '}
                <span class="muted">· {timeAgo(t, i.at, props.now)}</span>
              </p>
              {mode.kind === 'week' && (
                <button type="button" class="btn link small" onClick={() => openPerson({ person: i.person, site: i.site, handle: i.handle, count: 0, notes: 0 })}>
                  {t('db_seePerson', i.handle)}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
