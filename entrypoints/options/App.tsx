/**
 * Tend's settings page: my display name (solo or in a team) and joining or leaving a team
 * server. Joining asks for access to the server's origin first, inside the click, as
 * browsers require; every wait has an end, so the page never stays at "Joining…".
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { useT } from '../../components/i18n';
import { NameForm } from '../../components/NameForm';
import { Logo } from '../../components/popup/Logo';
import { hostOf } from '../../components/popup/format';
import { TeamSettings, type TeamStatus } from '../../components/options/TeamSettings';
import { request, subscribe } from '../../lib/messaging/client';
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
  const [status, setStatus] = useState<TeamStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const refresh = async () => {
    const r = await request({ type: 'sync.status' });
    if (r.ok) {
      setStatus(r.value);
      setLoadError(null);
    } else setLoadError(r.error);
    setNow(Date.now());
  };
  const readName = async () => {
    const r = await request({ type: 'me.get' });
    if (r.ok) setName(r.value.name);
    else {
      setName('');
      setNameError(r.error);
    }
  };

  useEffect(() => {
    void refresh();
    void readName();
    const sub = subscribe((push) => push.type === 'changed' && void refresh());
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
        if (!r.ok) throw new Error(t('teamJoinError', r.error));
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
      .then((r) => (r.ok ? refresh() : setError(r.error)))
      .finally(() => setBusy(false));
  };

  const inTeam = status !== null && status.state !== 'solo';
  return (
    <main class="page welcome settings">
      <header class="hero">
        <Logo size={40} />
        <h1>{t('optionsTitle')}</h1>
      </header>
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
      </section>
      <section class="card team-card" aria-labelledby="team-heading">
        <h2 id="team-heading">{t('teamHeading')}</h2>
        <TeamSettings status={status} loadError={loadError} busy={busy} error={error} now={now} onJoin={onJoin} onLeave={onLeave} />
      </section>
    </main>
  );
}
