/**
 * Toolbar popup: what Tend knows about the current site and about me. Reads the database
 * directly (extension pages may read it), asks the background for the site's status and
 * for every change, and re-reads whenever the background says something changed.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { useT } from '../../components/i18n';
import { errorText } from '../../components/errors';
import type { ClaimAction } from '../../components/popup/ClaimList';
import { Popup, type PopupProps, type SummaryState } from '../../components/popup/Popup';
import { loadSummary } from '../../lib/store/summary';
import { request, subscribe } from '../../lib/messaging/client';
import { originPattern } from '../../lib/permissions/origins';
import type { MyClaim } from '../../lib/store';
import type { PopupSummary } from '../../lib/store/summary';
import { TendReader } from '../../lib/store/queries';
import { firstReadAt, firstReader, firstSummary, firstSummaryIfRead } from './first-read';

type SiteState = PopupProps['site'];

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The tab the popup is about: `?tabId=` when opened as a page (tests), else the active tab. */
async function currentTabId(): Promise<number | null> {
  const param = new URLSearchParams(location.search).get('tabId');
  if (param && /^\d+$/.test(param)) return Number(param);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

/** Wires the popup's view to the browser, the background and the database. */
export function App() {
  const t = useT();
  const [site, setSite] = useState<SiteState>({ status: null, error: null, notice: null, busy: false });
  // The first read, when the entry module has it already, is in the first frame.
  const [summary, setSummary] = useState<SummaryState>(() => {
    const first = firstSummaryIfRead();
    return first ? { kind: 'ready', summary: first, partial: true } : { kind: 'loading' };
  });
  const [now, setNow] = useState(() => (firstSummaryIfRead() ? firstReadAt : Date.now()));
  const [claimBusy, setClaimBusy] = useState<ReadonlySet<string>>(new Set());
  const [claimError, setClaimError] = useState<string | null>(null);
  const [paused, setPaused] = useState<boolean | null>(null);
  const [sync, setSync] = useState<PopupProps['sync']>(null);

  const tabId = useRef<number | null>(null);
  const siteId = useRef<string | null>(null);
  const siteKnown = useRef(false);
  const store = useRef<Promise<TendReader> | null>(null);
  const reads = useRef(0);
  // The newest read shown so far: an older one that finishes later must not replace it.
  const shown = useRef(0);

  // Read at once, before the site is known (my claims and thanks do not depend on it, and the
  // background may still be waking up to say which site this is); again once it is known.
  const reload = useCallback(async () => {
    const n = ++reads.current;
    // The first read is the entry module's, made before the site was known.
    const partial = n === 1 || !siteKnown.current;
    try {
      let at = Date.now();
      let next: PopupSummary;
      if (n === 1) {
        store.current = firstReader;
        at = firstReadAt;
        next = await firstSummary;
      } else {
        store.current ??= TendReader.open().catch((e: unknown) => {
          store.current = null;
          throw e;
        });
        next = await loadSummary(await store.current, partial ? null : siteId.current, at);
      }
      // A slower, older read must not overwrite a newer one.
      if (n < shown.current) return;
      shown.current = n;
      setNow(at);
      // (The first read may be on screen already: then nothing changes.)
      setSummary((s) => (s.kind === 'ready' && s.summary === next ? s : { kind: 'ready', summary: next, ...(partial ? { partial } : {}) }));
    } catch (e) {
      // The next read (a retry) opens the database again.
      if (n === 1) store.current = null;
      if (n === reads.current) setSummary({ kind: 'error', error: message(e) });
    }
  }, []);

  const applyStatus = useCallback(
    (status: SiteState['status']) => {
      siteId.current = status?.supported ? status.site : null;
      siteKnown.current = true;
      void reload();
    },
    [reload],
  );

  // The tab and its site: the counts depend on it.
  useEffect(() => {
    void reload();
    void (async () => {
      try {
        tabId.current = await currentTabId();
        if (tabId.current === null) throw new Error(t('siteNoTab'));
        const r = await request({ type: 'site.status', tabId: tabId.current });
        if (r.ok) setSite((s) => ({ ...s, status: r.value, error: null }));
        else setSite((s) => ({ ...s, error: t('siteStatusError', errorText(t, r)) }));
        applyStatus(r.ok ? r.value : null);
      } catch (e) {
        setSite((s) => ({ ...s, error: t('siteStatusError', message(e)) }));
        applyStatus(null);
      }
    })();
  }, [applyStatus, reload, t]);

  // Whether observing is paused (kept by the background), and where team sync stands.
  // Asked once the first lists are on screen: a worker waking up to answer (and to write what
  // was seen) would otherwise compete with the popup's own first read.
  const readSync = useCallback(() => void request({ type: 'sync.status' }).then((r) => r.ok && setSync(r.value)), []);
  const firstShown = summary.kind !== 'loading';
  const askedWorker = useRef(false);
  useEffect(() => {
    if (!firstShown || askedWorker.current) return;
    askedWorker.current = true;
    void request({ type: 'me.get' }).then((r) => r.ok && setPaused(r.value.paused));
    readSync();
    // The popup lists my claims: those handed to me or expired have now been seen (the badge drops them).
    void request({ type: 'reminders.seen' });
  }, [firstShown, readSync]);

  const onTogglePaused = () => {
    const next = !paused;
    setPaused(next);
    void request({ type: 'settings.setPaused', paused: next }).then((r) => {
      if (!r.ok) {
        setPaused(!next);
        setClaimError(errorText(t, r));
      }
    });
  };

  // Live: re-read whenever the background stores a change; keep "time left" current.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sub = subscribe((push) => {
      if (push.type !== 'changed') return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        void reload();
        readSync();
        // A description of this forum may have just arrived (from the team or the editor).
        if (tabId.current !== null) {
          void request({ type: 'site.status', tabId: tabId.current }).then((r) => r.ok && setSite((s) => ({ ...s, status: r.value })), () => undefined);
        }
      }, 50);
    });
    sub.watch({ posts: [], threads: [], mine: true });
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      sub.close();
      clearTimeout(timer);
      clearInterval(tick);
    };
  }, [reload]);

  const onEnable = () => {
    const origin = site.status?.origin;
    if (!origin) return;
    // Asked first and synchronously, inside the click: Chrome closes the popup as soon as
    // its prompt opens (the background then starts Tend from permissions.onAdded), and
    // Firefox grants only during the user's gesture.
    const asked = browser.permissions.request({ origins: [originPattern(origin)] });
    setSite((s) => ({ ...s, busy: true, notice: null, error: null }));
    void asked
      .then(async (granted) => {
        if (!granted) {
          setSite((s) => ({ ...s, busy: false, notice: t('siteDenied') }));
          return;
        }
        const r = await request({ type: 'site.enable', origin, ...(tabId.current !== null ? { tabId: tabId.current } : {}) });
        if (!r.ok) throw new Error(errorText(t, r));
        setSite({ status: r.value, busy: false, notice: null, error: null });
        applyStatus(r.value);
      })
      .catch((e: unknown) => setSite((s) => ({ ...s, busy: false, error: t('siteEnableError', message(e)) })));
  };

  const onDisable = () => {
    const origin = site.status?.origin;
    if (!origin) return;
    setSite((s) => ({ ...s, busy: true, notice: null, error: null }));
    void request({ type: 'site.disable', origin, ...(tabId.current !== null ? { tabId: tabId.current } : {}) }).then((r) => {
      if (r.ok) {
        setSite({ status: r.value, busy: false, notice: t('siteDisabled'), error: null });
        applyStatus(r.value);
      } else setSite((s) => ({ ...s, busy: false, error: t('siteDisableError', errorText(t, r)) }));
    });
  };

  const onClaimAction = async (claim: MyClaim, action: ClaimAction) => {
    setClaimError(null);
    setClaimBusy((b) => new Set([...b, claim.key]));
    const r = await request({ type: 'claim.act', action, thread: claim.thread, epoch: claim.epoch });
    setClaimBusy((b) => new Set([...b].filter((k) => k !== claim.key)));
    if (!r.ok) setClaimError(t('claimActionError', errorText(t, r)));
    await reload();
  };

  const onSetName = () => {
    void browser.tabs.create({ url: browser.runtime.getURL('/welcome.html') }).then(() => window.close());
  };

  return (
    <Popup
      summary={summary}
      site={site}
      now={now}
      claimBusy={claimBusy}
      claimError={claimError}
      onEnable={onEnable}
      onDisable={onDisable}
      onClaimAction={(c, a) => void onClaimAction(c, a)}
      onSetName={onSetName}
      onDescribe={() => {
        const origin = site.status?.origin;
        if (!origin) return;
        const hash = `describe=${encodeURIComponent(origin)}${tabId.current !== null ? `&tab=${tabId.current}` : ''}`;
        void browser.tabs.create({ url: browser.runtime.getURL(`/options.html#${hash}`) }).then(() => window.close());
      }}
      paused={paused}
      sync={sync}
      onOpenSettings={() => void browser.runtime.openOptionsPage().then(() => window.close())}
      onOpenDashboard={() => void browser.tabs.create({ url: browser.runtime.getURL('/dashboard.html') }).then(() => window.close())}
      onTogglePaused={onTogglePaused}
      onRetry={() => {
        setSummary({ kind: 'loading' });
        void reload();
      }}
    />
  );
}
