/**
 * The manager's dashboard: the queue, claims, recognition, whether the community runs itself,
 * the week's thanks, and the data settings, as tabs. A view only: the entrypoint reads the
 * database and passes the data and the actions in.
 */
import type { ComponentChildren } from 'preact';
import type { PersonRecord } from '../../lib/store';
import type { AggregateRecord } from '../../lib/store/aggregates';
import { runningStats, thanksWeeks, type ClaimRow, type FeedItem, type QueueRow, type WeekStats } from '../../lib/store/queries';
import { useT } from '../i18n';
import { Logo } from '../popup/Logo';
import { Tabs } from '../popup/Tabs';
import { ClaimsView, type ClaimVerb } from './ClaimsView';
import { QueueView } from './QueueView';
import { RecognitionView, type Thanked } from './RecognitionView';
import { RunningView } from './RunningView';
import { ThanksView } from './ThanksView';

export type DashboardTab = 'queue' | 'claims' | 'recognition' | 'running' | 'thanks' | 'data';

/** Everything the dashboard shows. */
export interface DashboardData {
  queue: readonly QueueRow[] | null;
  queueComplete: boolean;
  claims: readonly ClaimRow[];
  people: readonly PersonRecord[];
  /** The sites' weekly aggregates (people's are read on demand). */
  aggregates: readonly AggregateRecord[];
  me: string | null;
  manager: boolean;
}

export interface DashboardProps {
  data: DashboardData;
  /** A failed read, already in words. */
  error: string | null;
  /** The last action's outcome, in words. */
  notice: { kind: 'error' | 'done'; text: string } | null;
  now: number;
  thisWeek: string;
  tab: DashboardTab;
  onTab: (tab: DashboardTab) => void;
  busy: ReadonlySet<string>;
  onClaim: (row: QueueRow) => void;
  onOpen: (row: QueueRow) => void;
  onClaimAct: (claim: ClaimRow, verb: ClaimVerb) => void;
  onHandoff: (claim: ClaimRow, to: string) => void;
  loadWeek: (week: string) => Promise<FeedItem[]>;
  loadPerson: (person: string) => Promise<FeedItem[]>;
  /** People thanked in one week, or ever, most thanked first. */
  loadThanked: (week?: string) => Promise<Thanked[]>;
  onCopy: (text: string) => Promise<void>;
  onCsv: (view: string, header: string[], rows: (string | number | null)[][]) => void;
  onRetry: () => void;
  dataPanel: ComponentChildren;
}

export function Dashboard(props: DashboardProps) {
  const t = useT();
  const { data, now } = props;
  const names = new Map(data.people.map((p) => [p.id, p.name]));
  const nameOf = (id: string) => (id === data.me ? names.get(id) || t('db_you') : names.get(id) || t('db_someone'));
  const weeks = thanksWeeks(data.aggregates);
  const sites = [...new Set(data.aggregates.filter((r) => r.kind === 'site').map((r) => r.site))].sort();
  const unclaimed = data.queue?.filter((r) => !r.answered).length;

  const csvFeed = (items: readonly FeedItem[], name: string) =>
    props.onCsv(
      `recognition-${name}`,
      ['when', 'thanked', 'site', 'by', 'note', 'thread', 'url'],
      items.map((i) => [new Date(i.at).toISOString(), i.handle, i.site, nameOf(i.actor), i.note, i.threadTitle, i.threadUrl]),
    );
  const csvRunning = (rows: readonly WeekStats[], site: string | null) =>
    props.onCsv(
      `running-${site ? new URL(site).host : 'all'}`,
      ['week', 'claims', 'claims_by_members', 'done', 'done_by_members', 'to_claim_median_ms', 'to_claim_p90_ms', 'to_done_median_ms', 'to_done_p90_ms', 'waiting', 'thanks', 'notes'],
      rows.map((r) => [r.week, r.claims, r.memberClaims, r.resolves, r.memberResolves, r.toClaim?.median ?? null, r.toClaim?.p90 ?? null, r.toDone?.median ?? null, r.toDone?.p90 ?? null, r.waiting, r.thanks, r.notes]),
    );

  return (
    <main class="page dashboard">
      <header class="bar">
        <h1>
          <Logo />
          {t('db_title')}
        </h1>
      </header>
      {props.error && (
        <div class="card" role="alert">
          <p class="error">{props.error}</p>
          <button type="button" class="btn" onClick={props.onRetry}>
            {t('retry')}
          </button>
        </div>
      )}
      {props.notice && (
        <p class={`banner ${props.notice.kind === 'error' ? 'error' : 'success'}`} role={props.notice.kind === 'error' ? 'alert' : 'status'}>
          {props.notice.text}
        </p>
      )}
      <section class="card lists">
        <Tabs
          label={t('db_tabsLabel')}
          selected={props.tab}
          onSelect={(id) => props.onTab(id as DashboardTab)}
          tabs={[
            {
              id: 'queue',
              label: (
                <>
                  {t('db_tabQueue')} {unclaimed !== undefined && <span class="tab-count">{unclaimed}</span>}
                </>
              ),
              panel: () => (
                <QueueView
                  rows={data.queue}
                  complete={data.queueComplete}
                  now={now}
                  busy={props.busy}
                  onClaim={props.onClaim}
                  onOpen={props.onOpen}
                  onExport={(rows) =>
                    props.onCsv(
                      'queue',
                      ['title', 'site', 'thread', 'url', 'since', 'answered', 'lapsed_claim', 'category', 'tags'],
                      rows.map((r) => [r.title, r.thread.site, r.thread.threadId, r.url, r.since ? new Date(r.since).toISOString() : null, r.answered ? 'yes' : 'no', r.expired ? 'yes' : 'no', r.category, r.tags.join(' ')]),
                    )
                  }
                />
              ),
            },
            {
              id: 'claims',
              label: (
                <>
                  {t('db_tabClaims')} <span class="tab-count">{data.claims.filter((c) => !c.expired).length}</span>
                </>
              ),
              panel: () => (
                <ClaimsView
                  claims={data.claims}
                  people={data.people}
                  me={data.me}
                  manager={data.manager}
                  now={now}
                  busy={props.busy}
                  nameOf={nameOf}
                  onAct={props.onClaimAct}
                  onHandoff={props.onHandoff}
                  onExport={() =>
                    props.onCsv(
                      'claims',
                      ['holder', 'title', 'site', 'thread', 'url', 'since', 'expires', 'expired'],
                      data.claims.map((c) => [nameOf(c.holder), c.title, c.thread.site, c.thread.threadId, c.url, new Date(c.since).toISOString(), new Date(c.expiresAt).toISOString(), c.expired ? 'yes' : 'no']),
                    )
                  }
                />
              ),
            },
            {
              id: 'recognition',
              label: t('db_tabRecognition'),
              panel: () => <RecognitionView weeks={weeks} loadThanked={props.loadThanked} loadWeek={props.loadWeek} loadPerson={props.loadPerson} nameOf={nameOf} now={now} onExport={csvFeed} />,
            },
            {
              id: 'running',
              label: t('db_tabRunning'),
              panel: () => <RunningView sites={sites} stats={(site) => runningStats(data.aggregates, site)} onExport={csvRunning} />,
            },
            {
              id: 'thanks',
              label: t('db_tabThanks'),
              panel: () => <ThanksView weeks={weeks} thisWeek={props.thisWeek} loadWeek={props.loadWeek} nameOf={nameOf} onCopy={props.onCopy} />,
            },
            { id: 'data', label: t('db_tabData'), panel: () => props.dataPanel },
          ]}
        />
      </section>
    </main>
  );
}
