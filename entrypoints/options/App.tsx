/**
 * Tend's settings page: joining or leaving a team server. Joining asks for access to the
 * server's origin first, inside the click, as browsers require.
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { useT } from '../../components/i18n';
import { Logo } from '../../components/popup/Logo';
import { TeamSettings, type TeamStatus } from '../../components/options/TeamSettings';
import { request, subscribe } from '../../lib/messaging/client';
import { originPattern } from '../../lib/permissions/origins';

export function App() {
  const t = useT();
  const [status, setStatus] = useState<TeamStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [now, setNow] = useState(Date.now());

  const refresh = async () => {
    const r = await request({ type: 'sync.status' });
    if (r.ok) {
      setStatus(r.value);
      setLoadError(null);
    } else setLoadError(r.error);
    setNow(Date.now());
  };

  useEffect(() => {
    void refresh();
    void request({ type: 'me.get' }).then((r) => r.ok && setName(r.value.name));
    const sub = subscribe((push) => push.type === 'changed' && void refresh());
    sub.watch({ posts: [], threads: [], mine: true });
    const tick = setInterval(() => void refresh(), 5_000);
    return () => {
      sub.close();
      clearInterval(tick);
    };
  }, []);

  const onJoin = (form: { server: string; code: string; name: string }) => {
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
    if (!form.name) return setError(t('nameRequired'));
    // Asked first, synchronously inside the click: the extension talks to the server only
    // with access to its origin, and browsers grant it only during the user's gesture.
    const asked = browser.permissions.request({ origins: [originPattern(origin)] });
    setBusy(true);
    void asked
      .then(async (granted) => {
        if (!granted) throw new Error(t('teamServerDenied'));
        const r = await request({ type: 'sync.join', server: form.server, code: form.code, name: form.name });
        if (!r.ok) throw new Error(r.error);
        await refresh();
      })
      .catch((e: unknown) => setError(t('teamJoinError', e instanceof Error ? e.message : String(e))))
      .finally(() => setBusy(false));
  };

  const onLeave = () => {
    setBusy(true);
    setError(null);
    void request({ type: 'sync.leave' })
      .then((r) => (r.ok ? refresh() : setError(r.error)))
      .finally(() => setBusy(false));
  };

  return (
    <main class="page welcome">
      <header class="hero">
        <Logo size={40} />
        <h1>{t('optionsTitle')}</h1>
      </header>
      <section class="card team-card" aria-labelledby="team-heading">
        <h2 id="team-heading">{t('teamHeading')}</h2>
        <TeamSettings status={status} loadError={loadError} busy={busy} error={error} defaultName={name} now={now} onJoin={onJoin} onLeave={onLeave} />
      </section>
    </main>
  );
}
