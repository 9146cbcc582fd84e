/**
 * Tend's settings page, one page in sections: Profile (my display name, the site handles Tend
 * linked to me), Team (joining or leaving a team server; the lease length, which a manager can
 * change), Reminders, Observing (pause), Sites (with the editor that describes a forum) and
 * Data. Every change goes to the background at once and open tabs follow without a reload. Asking for a
 * site's or a server's access happens first, inside the click, as browsers require; every
 * wait has an end, so the page never stays at "Joining…".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { useT } from '../../components/i18n';
import { errorText } from '../../components/errors';
import { NameForm } from '../../components/NameForm';
import { Logo } from '../../components/popup/Logo';
import { hostOf } from '../../components/popup/format';
import { TeamSettings, type TeamStatus } from '../../components/options/TeamSettings';
import { DescribeEditor, type EditorTab } from '../../components/options/DescribeEditor';
import { SitesSettings } from '../../components/options/SitesSettings';
import { ObservingSettings, RemindersSettings } from '../../components/options/RemindersSettings';
import type { ReminderSettings } from '../../lib/reminders/plan';
import { DataSettings } from '../../components/data/DataSettings';
import { exportSites, parseSitesFile } from '../../components/options/site-io';
import { parseSiteDescription, type SiteDescription } from '../../lib/domain/site-description';
import { request, subscribe } from '../../lib/messaging/client';
import type { EditorReport, PickResult, SiteEntry } from '../../lib/messaging/protocol';
import { originPattern } from '../../lib/permissions/origins';

/** How long the browser's permission prompt may stay unanswered before Tend says so. */
export const PERMISSION_WAIT_MS = 60_000;
/** How long joining may take once allowed (the background gives the server 20 s per request). */
export const JOIN_WAIT_MS = 45_000;

/** Thrown when a wait ran out. */
class TimedOut extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimedOut()), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export function App() {
  const t = useT();
  const [describing, route] = useRoute();
  const [status, setStatus] = useState<TeamStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const [handles, setHandles] = useState<{ site: string; handle: string }[]>([]);
  const [paused, setPaused] = useState<boolean | null>(null);
  const [pauseError, setPauseError] = useState<string | null>(null);
  const [reminders, setReminders] = useState<ReminderSettings | null>(null);
  const [remindersLoadError, setRemindersLoadError] = useState<string | null>(null);
  const [remindersError, setRemindersError] = useState<string | null>(null);

  const refresh = async () => {
    const r = await request({ type: 'sync.status' });
    if (r.ok) {
      setStatus(r.value);
      setLoadError(null);
    } else setLoadError(errorText(t, r));
    setNow(Date.now());
  };
  const readName = async () => {
    const r = await request({ type: 'me.get' });
    if (r.ok) {
      setName(r.value.name);
      setHandles(r.value.handles ?? []);
      setPaused(r.value.paused);
    } else {
      setName('');
      setNameError(errorText(t, r));
    }
  };

  const readReminders = async () => {
    const r = await request({ type: 'reminders.get' });
    if (r.ok) {
      setReminders(r.value);
      setRemindersLoadError(null);
    } else setRemindersLoadError(errorText(t, r));
  };

  useEffect(() => {
    void refresh();
    void readName();
    void readReminders();
    // Changes made elsewhere (the popup's pause switch, another settings tab) show here too.
    const sub = subscribe((push) => {
      if (push.type !== 'changed') return;
      void refresh();
      void readName();
      void readReminders();
    });
    sub.watch({ posts: [], threads: [], mine: true });
    const tick = setInterval(() => void refresh(), 5_000);
    return () => {
      sub.close();
      clearInterval(tick);
    };
  }, []);

  const onJoin = (form: { server: string; code: string }) => {
    setError(null);
    let origin: string;
    try {
      const url = new URL(form.server);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      origin = url.origin;
    } catch {
      setError(t('teamServerInvalid'));
      return;
    }
    if (!form.code) return setError(t('teamCodeMissing'));
    if (!name?.trim()) return setError(t('teamNameFirst'));
    const host = hostOf(origin);
    // Asked first, synchronously inside the click: the extension talks to the server only
    // with access to its origin, and browsers grant it only during the user's gesture.
    let asked: Promise<boolean>;
    try {
      asked = browser.permissions.request({ origins: [originPattern(origin)] });
    } catch (e) {
      asked = Promise.reject(e);
    }
    setBusy(true);
    void (async () => {
      try {
        let granted: boolean;
        try {
          granted = await within(asked, PERMISSION_WAIT_MS);
        } catch (e) {
          throw new Error(e instanceof TimedOut ? t('teamPermissionUnanswered', host) : t('teamPermissionFailed', host, e instanceof Error ? e.message : String(e)));
        }
        if (!granted) throw new Error(t('teamServerDenied', host));
        let r;
        try {
          r = await within(request({ type: 'sync.join', server: form.server, code: form.code, name: name.trim() }), JOIN_WAIT_MS);
        } catch (e) {
          throw new Error(e instanceof TimedOut ? t('teamJoinTimeout', host) : String(e));
        }
        if (!r.ok) throw new Error(t('teamJoinError', errorText(t, r)));
        await refresh();
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        setBusy(false);
      }
    })();
  };

  const onLeave = () => {
    setBusy(true);
    setError(null);
    void request({ type: 'sync.leave' })
      .then((r) => (r.ok ? refresh() : setError(errorText(t, r))))
      .finally(() => setBusy(false));
  };

  const inTeam = status !== null && status.state !== 'solo';
  return (
    <main class="page welcome settings">
      <header class="hero">
        <Logo size={40} />
        <h1>{t('optionsTitle')}</h1>
      </header>
      {describing ? (
        <Describe origin={describing.origin} tabId={describing.tabId} manager={status?.role === 'manager' && inTeam} onClose={() => route(null)} />
      ) : (
        <>
          <section class="card profile-card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">{t('profileHeading')}</h2>
            <NameForm
              class="name-form"
              name={name}
              loadError={nameError}
              help={inTeam ? t('nameHelpTeam') : t('nameHelpSolo')}
              onSave={async (next) => {
                const r = await request({ type: 'me.setName', name: next });
                if (r.ok) setName(r.value.name);
                return r;
              }}
            />
            <h3 class="sub-heading">{t('profileHandlesHeading')}</h3>
            {handles.length ? (
              <ul class="handles">
                {handles.map((h) => (
                  <li key={`${h.site} ${h.handle}`}>
                    <span class="handle">{h.handle}</span> <span class="muted">{t('profileHandleOn', hostOf(h.site))}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">{t('profileHandlesEmpty')}</p>
            )}
          </section>
          <section class="card team-card" aria-labelledby="team-heading">
            <h2 id="team-heading">{t('teamHeading')}</h2>
            <TeamSettings
              status={status}
              loadError={loadError}
              busy={busy}
              error={error}
              now={now}
              onJoin={onJoin}
              onLeave={onLeave}
              onSetLease={async (leaseMs) => {
                const r = await request({ type: 'team.setLease', leaseMs });
                await refresh();
                return r.ok ? null : errorText(t, r);
              }}
            />
          </section>
          <section class="card prefs-card" aria-labelledby="reminders-heading">
            <h2 id="reminders-heading">{t('remindersHeading')}</h2>
            <RemindersSettings
              settings={reminders}
              loadError={remindersLoadError}
              error={remindersError}
              onChange={(next) => {
                setReminders(next);
                setRemindersError(null);
                void request({ type: 'reminders.set', ...next }).then((r) => (r.ok ? setReminders(r.value) : setRemindersError(errorText(t, r))));
              }}
            />
          </section>
          <section class="card prefs-card" aria-labelledby="observing-heading">
            <h2 id="observing-heading">{t('observingHeading')}</h2>
            <ObservingSettings
              paused={paused}
              solo={!inTeam}
              error={pauseError}
              onToggle={() => {
                const next = !paused;
                setPaused(next);
                setPauseError(null);
                void request({ type: 'settings.setPaused', paused: next }).then((r) => (r.ok ? setPaused(r.value.paused) : setPauseError(errorText(t, r))));
              }}
            />
          </section>
          <Sites onDescribe={(origin) => route({ origin, tabId: null })} />
          <DataSettings />
        </>
      )}
    </main>
  );
}

/** `#describe=<origin>&tab=<id>`: the editor, for the popup's "Describe this forum". */
function readRoute(): { origin: string; tabId: number | null } | null {
  const params = new URLSearchParams(location.hash.slice(1));
  const origin = params.get('describe');
  if (!origin) return null;
  const tab = params.get('tab');
  return { origin, tabId: tab && /^\d+$/.test(tab) ? Number(tab) : null };
}

function useRoute(): [{ origin: string; tabId: number | null } | null, (next: { origin: string; tabId: number | null } | null) => void] {
  const [value, setValue] = useState(readRoute);
  useEffect(() => {
    const on = () => setValue(readRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return [
    value,
    (next) => {
      location.hash = next ? `describe=${encodeURIComponent(next.origin)}${next.tabId !== null ? `&tab=${next.tabId}` : ''}` : '';
      setValue(next);
    },
  ];
}

/** The sites list, with its actions. */
function Sites({ onDescribe }: { onDescribe: (origin: string) => void }) {
  const t = useT();
  const [sites, setSites] = useState<SiteEntry[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const load = async () => {
    const r = await request({ type: 'sites.list' });
    if (r.ok) {
      setSites(r.value.sites);
      setLoadError(null);
    } else setLoadError(errorText(t, r));
  };
  useEffect(() => {
    void load();
    const sub = subscribe((push) => push.type === 'changed' && void load());
    sub.watch({ posts: [], threads: [], mine: true });
    return () => sub.close();
  }, []);
  const act = async (work: () => Promise<string | null>) => {
    setBusy(true);
    setMessage(null);
    try {
      const text = await work();
      if (text) setMessage({ kind: 'ok', text });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
      await load();
    }
  };
  return (
    <section class="card sites-card" aria-labelledby="sites-heading">
      <h2 id="sites-heading">{t('sitesHeading')}</h2>
      <SitesSettings
        sites={sites}
        loadError={loadError}
        busy={busy}
        message={message}
        onDescribe={onDescribe}
        onEnable={(origin) => {
          // Asked first and synchronously, inside the click.
          const asked = browser.permissions.request({ origins: [originPattern(origin)] });
          void act(async () => {
            if (!(await within(asked, PERMISSION_WAIT_MS).catch(() => false))) throw new Error(t('siteDenied'));
            const r = await request({ type: 'site.enable', origin });
            if (!r.ok) throw new Error(t('siteEnableError', errorText(t, r)));
            return t('sitesEnabled', hostOf(origin));
          });
        }}
        onDisable={(origin) =>
          void act(async () => {
            const r = await request({ type: 'site.disable', origin });
            if (!r.ok) throw new Error(t('siteDisableError', errorText(t, r)));
            return t('siteDisabled');
          })
        }
        onForget={(origin) =>
          void act(async () => {
            const r = await request({ type: 'site.description.remove', origin });
            if (!r.ok) throw new Error(errorText(t, r));
            return t('sitesForgotten', hostOf(origin));
          })
        }
        onExport={() =>
          void act(async () => {
            const all = (await Promise.all((sites ?? []).filter((s) => s.local).map((s) => request({ type: 'site.description.get', origin: s.origin }))))
              .map((r) => (r.ok ? parseSiteDescription(r.value.local) : null))
              .flatMap((r) => (r?.ok ? [r.value] : []));
            const blob = new Blob([exportSites(all)], { type: 'application/json' });
            const a = document.createElement('a');
            a.href = URL.createObjectURL(blob);
            a.download = 'tend-sites.json';
            a.click();
            setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
            return t('sitesExported', all.length);
          })
        }
        onImport={(file) =>
          void act(async () => {
            const parsed = parseSitesFile(await file.text());
            if (!parsed.ok) throw new Error(t('sitesImportBad', t(`sitesFile_${parsed.problem}`, parsed.detail ?? '')));
            let changed = 0;
            let same = 0;
            const refused = [...parsed.refused];
            for (const d of parsed.descriptions) {
              for (const origin of d.origins) {
                const r = await request({ type: 'site.description.save', origin, description: d });
                if (!r.ok) refused.push(`${hostOf(origin)}: ${errorText(t, r)}`);
                else if (r.value.changed) changed++;
                else same++;
              }
            }
            const text = t('sitesImported', changed, same);
            if (refused.length) throw new Error(`${text} ${t('sitesImportRefused', refused.slice(0, 3).join('; '))}`);
            return text;
          })
        }
      />
    </section>
  );
}

/** The editor for one origin, talking to a tab of it through the background. */
function Describe({ origin, tabId: wanted, manager, onClose }: { origin: string; tabId: number | null; manager: boolean; onClose: () => void }) {
  const t = useT();
  const [tabs, setTabs] = useState<EditorTab[]>([]);
  const [tabId, setTabId] = useState<number | null>(wanted);
  const [saved, setSaved] = useState<{ local: SiteDescription | null; team: SiteDescription | null } | null>(null);
  const [report, setReport] = useState<EditorReport | null>(null);
  const [reportError, setReportError] = useState<string | null>(null);
  const [pick, setPick] = useState<{ field: string; result: PickResult | null; at: number } | null>(null);
  const [picking, setPicking] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const draft = useRef<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadTabs = async () => {
    const r = await request({ type: 'editor.tabs', origin });
    const list = r.ok ? r.value.tabs : [];
    setTabs(list);
    setTabId((current) => (current !== null && list.some((x) => x.id === current) ? current : (list[0]?.id ?? null)));
  };
  useEffect(() => {
    void loadTabs();
    void request({ type: 'site.description.get', origin }).then((r) => {
      const parse = (x: unknown) => {
        const p = x ? parseSiteDescription(x) : null;
        return p?.ok ? p.value : null;
      };
      setSaved(r.ok ? { local: parse(r.value.local), team: parse(r.value.team) } : { local: null, team: null });
    });
    const sub = subscribe((push) => {
      if (push.type !== 'picked') return;
      setPicking(null);
      setPick({ field: push.field, result: push.result, at: Date.now() });
    });
    sub.watch({ posts: [], threads: [], mine: true });
    return () => sub.close();
  }, [origin]);

  const inspect = () => {
    if (tabId === null) return;
    void request({ type: 'editor.inspect', tabId, description: draft.current, outline: true }).then((r) => {
      if (r.ok) {
        setReport(r.value);
        setReportError(null);
      } else setReportError(errorText(t, r));
    });
  };
  // Outlines go when the editor does.
  useEffect(() => () => void (tabId !== null && request({ type: 'editor.stop', tabId })), [tabId]);

  return (
    <DescribeEditor
      origin={origin}
      saved={saved}
      tabs={tabs}
      tabId={tabId}
      onChooseTab={(id) => setTabId(id)}
      onOpenForum={() => void browser.tabs.create({ url: origin, active: false }).then(() => setTimeout(() => void loadTabs(), 1_000))}
      report={report}
      reportError={reportError}
      onDraft={(d) => {
        draft.current = d;
        clearTimeout(timer.current);
        timer.current = setTimeout(inspect, 250);
      }}
      onPick={(field, item) => {
        if (tabId === null) return;
        setPicking(field);
        void request({ type: 'editor.pick', tabId, field, ...(item ? { item } : {}) }).then((r) => {
          if (!r.ok) {
            setPicking(null);
            setReportError(errorText(t, r));
          }
        });
      }}
      pick={pick}
      picking={picking}
      busy={busy}
      message={message}
      onSave={(description) => {
        setBusy(true);
        void request({ type: 'site.description.save', origin, description })
          .then((r) => setMessage(r.ok ? { kind: 'ok', text: t('ed_saved', hostOf(origin)) } : { kind: 'error', text: errorText(t, r) }))
          .finally(() => setBusy(false));
      }}
      {...(manager
        ? {
            onPublish: (description: SiteDescription) => {
              setBusy(true);
              void request({ type: 'site.description.publish', origin, description })
                .then((r) => setMessage(r.ok ? { kind: 'ok', text: t('ed_published') } : { kind: 'error', text: errorText(t, r) }))
                .finally(() => setBusy(false));
            },
          }
        : {})}
      onClose={onClose}
    />
  );
}
