/** First-run page (opened on install, and from the popup while my name is empty). */
import { useEffect, useState } from 'preact/hooks';
import { Welcome } from '../../components/popup/Welcome';
import { request } from '../../lib/messaging/client';
import { errorText } from '../../components/errors';
import { useT } from '../../components/i18n';

/** Wires the first-run page to the background (`me.get`, `me.setName`). */
export function App() {
  const t = useT();
  const [name, setName] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    void request({ type: 'me.get' }).then((r) => {
      setName(r.ok ? r.value.name : '');
      if (!r.ok) setLoadError(errorText(t, r));
    });
  }, [t]);

  return <Welcome name={name} loadError={loadError} onSave={(next) => request({ type: 'me.setName', name: next })} />;
}
