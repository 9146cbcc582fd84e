/** Short durations for overlays ("23 h", "45 min", "3 d"), through the translator. */
import type { Translate } from '../i18n';

/** A duration in ms as the largest whole unit, at least one minute. */
export function shortDuration(t: Translate, ms: number): string {
  const minutes = Math.max(1, Math.floor(ms / 60_000));
  if (minutes < 60) return t('ov_minutes', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('ov_hours', hours);
  return t('ov_days', Math.floor(hours / 24));
}
