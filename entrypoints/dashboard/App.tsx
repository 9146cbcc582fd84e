/**
 * The dashboard page: reads Tend's database directly (read-only), the queue's first rows
 * before anything else, and asks the background to act. Re-reads whenever the background
 * says something changed.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { toCsv } from '../../components/dashboard/csv';
import { Dashboard, type DashboardData, type DashboardTab } from '../../components/dashboard/Dashboard';
import { DataSettings } from '../../components/data/DataSettings';
import { useT } from '../../components/i18n';
import { errorText, type FailureLike } from '../../components/errors';
import { safeHref } from '../../components/popup/format';
import { downloadText } from '../../lib/data/io';
import { request, subscribe } from '../../lib/messaging/client';
import { weekOf } from '../../lib/store/aggregates';
import { TendReader, QueryError, thankedPeople, weekRange, type ClaimRow, type QueueRow } from '../../lib/store/queries';
import { FIRST_ROWS, firstReadAt, firstReader, firstRows, firstRowsIfRead } from './first-read';

/** After the next frame is painted (at once in a hidden tab, which paints no frames). */
const afterPaint = () =>
  new Promise<void>((resolve) => (document.visibilityState === 'hidden' ? setTimeout(resolve, 0) : requestAnimationFrame(() => setTimeout(resolve, 0))));

const TABS: DashboardTab[] = ['queue', 'claims', 'recognition', 'running', 'thanks', 'data'];

const EMPTY: DashboardData = { queue: null, queueComplete: false, claims: [], people: [], aggregates: [], me: null, manager: false };

function tabFromHash(): DashboardTab {
  const h = location.hash.slice(1) as DashboardTab;
  return TABS.includes(h) ? h : 'queue';
}

export function App() {
  const t = useT();
  // The first rows, when the entry module has them already, are in the first frame.
  const [data, setData] = useState<DashboardData>(() => ({ ...EMPTY, queue: firstRowsIfRead() ?? null }));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [tab, setTab] = useState<DashboardTab>(tabFromHash);
  const [now, setNow] = useState(() => (firstRowsIfRead() ? firstReadAt : Date.now()));
  const reader = useRef<Promise<TendReader> | null>(null);
  const reads = useRef(0);
  const painted = useRef(false);

  const open = useCallback(() => {
    reader.current ??= TendReader.open().catch((e: unknown) => {
      reader.current = null;
      throw e;
    });
    return reader.current;
  }, []);

  const describe = useCallback((e: unknown) => {
    const code = e instanceof QueryError ? e.code : 'failed';
    // A closed connection (Tend updating, or the data wiped) is opened again on the next read.
    if (code === 'closed') reader.current = null;
    return t(`db_err_${code}`, e instanceof Error ? e.message : String(e));
  }, [t]);

  const reload = useCallback(
    async (first = false, beforeRest?: () => void) => {
      const n = ++reads.current;
      let at = Date.now();
      try {
        let r: TendReader;
        if (n === 1) {
          // The first rows the entry module read before this app ran.
          reader.current = firstReader;
          r = await firstReader;
          at = firstReadAt;
          const head = await firstRows;
          if (n === reads.current) setData((d) => (d.queue === head ? d : { ...d, queue: head }));
        } else {
          r = await open();
          if (first) {
            const head = await r.queueFirst(FIRST_ROWS, at);
            if (n === reads.current) setData((d) => ({ ...d, queue: head }));
          }
        }
        // The rest (the whole queue: thousands of records) once the first rows are on screen.
        if (first) await afterPaint();
        beforeRest?.();
        const [queue, claims, people, who, aggregates] = await Promise.all([r.queue(at), r.claims(at), r.people(), r.me(), r.siteAggregates()]);
        if (n !== reads.current) return;
        setNow(at);
        setError(null);
        setData({ queue, queueComplete: true, claims, people, aggregates, me: who.me?.id ?? null, manager: who.role === 'manager' });
      } catch (e) {
        // A first connection that failed to open is opened again on retry.
        if (n === 1) reader.current = null;
        if (n === reads.current) setError(describe(e));
      }
    },
    [open, describe],
  );

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sub: ReturnType<typeof subscribe> | null = null;
    let closed = false;
    // Following changes wakes the background worker: only once the first rows are on screen
    // (its start would slow them down), and before the rest is read (no change is missed).
    const follow = () => {
      if (sub || closed) return;
      sub = subscribe((push) => {
        if (push.type !== 'changed') return;
        clearTimeout(timer);
        timer = setTimeout(() => void reload(), 150);
      });
      sub.watch({ posts: [], threads: [], mine: true });
    };
    void reload(true, follow).finally(follow);
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    const onHash = () => setTab(tabFromHash());
    window.addEventListener('hashchange', onHash);
    return () => {
      closed = true;
      sub?.close();
      clearTimeout(timer);
      clearInterval(tick);
      window.removeEventListener('hashchange', onHash);
    };
  }, [reload]);

  // The moment the queue's first rows are on screen, for the benchmark.
  useEffect(() => {
    if (painted.current || !data.queue) return;
    painted.current = true;
    requestAnimationFrame(() => setTimeout(() => performance.mark('tend-queue-painted'), 0));
  }, [data.queue]);

  const withBusy = async (key: string, fn: () => Promise<{ ok: boolean } & FailureLike>, done: string) => {
    setNotice(null);
    setBusy((b) => new Set([...b, key]));
    const r = await fn();
    setBusy((b) => new Set([...b].filter((k) => k !== key)));
    setNotice(r.ok ? { kind: 'done', text: done } : { kind: 'error', text: t('db_actionError', errorText(t, r)) });
    await reload();
  };

  const onClaim = (row: QueueRow) => void withBusy(row.key, () => request({ type: 'thread.claim', thread: row.thread }), t('db_claimed', row.title || row.thread.threadId));
  const onClaimAct = (c: ClaimRow, verb: 'renew' | 'release' | 'resolve') =>
    void withBusy(c.key, () => request({ type: 'claim.act', action: verb, thread: c.thread, epoch: c.epoch }), t(`db_did_${verb}`, c.title || c.thread.threadId));
  const onHandoff = (c: ClaimRow, to: string) => {
    const name = data.people.find((p) => p.id === to)?.name || to;
    void withBusy(c.key, () => request({ type: 'thread.handoff', thread: c.thread, epoch: c.epoch, to }), t('db_handedOff', c.title || c.thread.threadId, name));
  };
  const onOpen = (row: QueueRow) => {
    const url = safeHref(row.url);
    if (url) void browser.tabs.create({ url });
  };

  return (
    <Dashboard
      data={data}
      error={error}
      notice={notice}
      now={now}
      thisWeek={weekOf(now)}
      tab={tab}
      onTab={(id) => {
        setTab(id);
        history.replaceState(null, '', `#${id}`);
      }}
      busy={busy}
      onClaim={onClaim}
      onOpen={onOpen}
      onClaimAct={onClaimAct}
      onHandoff={onHandoff}
      loadWeek={async (week) => (await open()).feed(...weekRange(week))}
      loadPerson={async (person) => (await open()).thanksTo(person)}
      loadThanked={async (week) => thankedPeople(await (await open()).personAggregates(week))}
      onCopy={(text) => navigator.clipboard.writeText(text)}
      onCsv={(view, header, rows) => downloadText(`tend-${view}.csv`, 'text/csv', toCsv(header, rows))}
      onRetry={() => void reload(true)}
      dataPanel={<DataSettings onChanged={() => void reload()} />}
    />
  );
}
