/**
 * The display name teammates see, with its validation: on the first-run page and in the
 * settings, solo or in a team (where a new name goes to the team server).
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Result } from '../lib/domain/result';
import { errorText } from './errors';
import { useT, type Translate } from './i18n';

/** Longest display name (the `me.setName` request refuses longer). */
export const MAX_NAME_LENGTH = 60;

/** Why a name cannot be saved, or null. */
export function nameProblem(t: Translate, raw: string): string | null {
  const name = raw.trim();
  if (!name) return t('nameRequired');
  if (name.length > MAX_NAME_LENGTH) return t('nameTooLong', MAX_NAME_LENGTH);
  return null;
}

export interface NameFormProps {
  /** The name saved so far (empty until set); null while it loads. */
  name: string | null;
  /** Why the current name could not be read. */
  loadError: string | null;
  onSave: (name: string) => Promise<Result<{ name: string }>>;
  /** What the name is for, under the label. */
  help: string;
  /** The form's classes (a card of its own on the first-run page; inside one in the settings). */
  class?: string;
}

/** A labelled name field with Save, errors and a saved notice. */
export function NameForm({ name, loadError, onSave, help, class: className = 'card name-form' }: NameFormProps) {
  const t = useT();
  const id = useId();
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
      setError(t('nameSaveError', errorText(t, r)));
      input.current?.focus();
    }
  };

  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  return (
    <form class={className} onSubmit={submit} noValidate>
      <label for={`${id}-name`}>{t('nameLabel')}</label>
      <p id={helpId} class="help">
        {help}
      </p>
      <div class="row">
        <input
          id={`${id}-name`}
          ref={input}
          type="text"
          name="name"
          autoComplete="nickname"
          value={value}
          maxLength={MAX_NAME_LENGTH + 20}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${helpId} ${errorId}` : helpId}
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
        <p id={errorId} class="error" role="alert">
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
  );
}
