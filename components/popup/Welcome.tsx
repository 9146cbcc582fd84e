/**
 * The first-run page: what Tend is, in a few sentences, and the name teammates will see.
 * Also where the popup sends someone whose name is still empty.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Result } from '../../lib/domain/result';
import { useT, type Translate } from '../i18n';
import { Logo } from './Logo';

/** Longest display name (the `me.setName` request refuses longer). */
export const MAX_NAME_LENGTH = 60;

/** Why a name cannot be saved, or null. */
export function nameProblem(t: Translate, raw: string): string | null {
  const name = raw.trim();
  if (!name) return t('nameRequired');
  if (name.length > MAX_NAME_LENGTH) return t('nameTooLong', MAX_NAME_LENGTH);
  return null;
}

/** The saved name, and how to save a new one. */
export interface WelcomeProps {
  /** The name saved so far (empty on first run); null while it loads. */
  name: string | null;
  /** Why the current name could not be read. */
  loadError: string | null;
  onSave: (name: string) => Promise<Result<{ name: string }>>;
}

/** The first-run page's view, with the name form and its validation. */
export function Welcome({ name, loadError, onSave }: WelcomeProps) {
  const t = useT();
  const [value, setValue] = useState(name ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  // The saved name arrives after the first render.
  useEffect(() => {
    if (name !== null) setValue((v) => v || name);
  }, [name]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = nameProblem(t, value);
    setSaved(null);
    if (problem) {
      setError(problem);
      input.current?.focus();
      return;
    }
    setSaving(true);
    setError(null);
    const r = await onSave(value.trim());
    setSaving(false);
    if (r.ok) {
      setValue(r.value.name);
      setSaved(r.value.name);
    } else {
      setError(t('nameSaveError', r.error));
      input.current?.focus();
    }
  };

  return (
    <main class="page welcome">
      <header class="hero">
        <Logo size={40} />
        <h1>{t('welcomeTitle')}</h1>
      </header>
      <p class="lead">{t('welcomeWhat')}</p>
      <p>{t('welcomeWhere')}</p>
      <p>{t('welcomePrivacy')}</p>

      <form class="card name-form" onSubmit={submit} noValidate>
        <label for="name">{t('nameLabel')}</label>
        <p id="name-help" class="help">
          {t('nameHelp')}
        </p>
        <div class="row">
          <input
            id="name"
            ref={input}
            type="text"
            name="name"
            autoComplete="nickname"
            value={value}
            maxLength={MAX_NAME_LENGTH + 20}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'name-help name-error' : 'name-help'}
            onInput={(e) => {
              setValue((e.currentTarget as HTMLInputElement).value);
              setSaved(null);
            }}
          />
          <button type="submit" class="btn primary" disabled={saving || name === null}>
            {saving ? t('nameSaving') : t('nameSave')}
          </button>
        </div>
        {error && (
          <p id="name-error" class="error" role="alert">
            {error}
          </p>
        )}
        {loadError && (
          <p class="error" role="alert">
            {t('loadError', loadError)}
          </p>
        )}
        {saved && (
          <p class="success" role="status">
            {t('nameSaved', saved)}
          </p>
        )}
      </form>
    </main>
  );
}
