/**
 * The settings page's Reminders and Observing sections: how long before a claim ends to be
 * reminded, which notifications to get, and the pause switch (the popup's, here too). Each
 * change is sent at once; the background applies it without any tab being reloaded.
 */
import { useT } from '../i18n';
import { formatDuration } from '../time';
import { LEAD_CHOICES_MS, type ReminderSettings } from '../../lib/reminders/plan';

export interface RemindersSettingsProps {
  settings: ReminderSettings | null;
  loadError: string | null;
  /** Saving failed (shown under the form). */
  error: string | null;
  onChange: (next: ReminderSettings) => void;
}

const KINDS = [
  ['expiring', 'remindKindExpiring'],
  ['expired', 'remindKindExpired'],
  ['handed', 'remindKindHanded'],
  ['refused', 'remindKindRefused'],
] as const;

export function RemindersSettings({ settings, loadError, error, onChange }: RemindersSettingsProps) {
  const t = useT();
  if (loadError) {
    return (
      <p class="error" role="alert">
        {t('loadError', loadError)}
      </p>
    );
  }
  if (!settings) {
    return (
      <p class="muted" role="status">
        {t('loading')}
      </p>
    );
  }
  const leads: number[] = LEAD_CHOICES_MS.includes(settings.leadMs as (typeof LEAD_CHOICES_MS)[number]) ? [...LEAD_CHOICES_MS] : [...LEAD_CHOICES_MS, settings.leadMs].sort((a, b) => a - b);
  return (
    <div class="prefs">
      <label for="lead">{t('remindLeadLabel')}</label>
      <select id="lead" value={String(settings.leadMs)} onChange={(e) => onChange({ ...settings, leadMs: Number((e.currentTarget as HTMLSelectElement).value) })}>
        {leads.map((ms) => (
          <option key={ms} value={String(ms)}>
            {t('remindLeadOption', formatDuration(t, ms))}
          </option>
        ))}
      </select>
      <fieldset class="prefs-kinds">
        <legend>{t('remindKindsLegend')}</legend>
        {KINDS.map(([kind, label]) => (
          <label key={kind} class="check">
            <input type="checkbox" checked={settings[kind]} onChange={(e) => onChange({ ...settings, [kind]: (e.currentTarget as HTMLInputElement).checked })} />
            <span>{t(label)}</span>
          </label>
        ))}
      </fieldset>
      <p class="muted">{t('remindQuietWhilePaused')}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export interface ObservingSettingsProps {
  paused: boolean | null;
  solo: boolean;
  error: string | null;
  onToggle: () => void;
}

/** The pause switch: while paused, Tend records nothing it sees and stays quiet. */
export function ObservingSettings({ paused, solo, error, onToggle }: ObservingSettingsProps) {
  const t = useT();
  if (paused === null) {
    return (
      <p class="muted" role="status">
        {t('loading')}
      </p>
    );
  }
  return (
    <div class="prefs">
      <label class="check">
        <input type="checkbox" role="switch" aria-describedby="observing-hint" checked={!paused} onChange={onToggle} />
        <span>{t(solo ? 'observeSwitchSolo' : 'observeSwitch')}</span>
      </label>
      <p id="observing-hint" class="muted">
        {paused ? t(solo ? 'observePausedHintSolo' : 'observePausedHint') : t(solo ? 'observeOnHintSolo' : 'observeOnHint')}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
