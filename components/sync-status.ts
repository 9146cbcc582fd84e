/**
 * Where team sync stands, and how it is put in words: the settings page's team part and the
 * popup's footer both say it (a module of its own, so the popup loads no settings form).
 */
import { errorText } from './errors';
import type { useT } from './i18n';
import { timeAgo } from './time';

/** Where team sync stands, as the background reports it. */
export interface TeamStatus {
  state: 'solo' | 'synced' | 'offline' | 'error';
  lastSyncAt: number | null;
  /** What went wrong, in English, with its code and detail to put in words. */
  error?: string;
  code?: string;
  detail?: string;
  team?: string;
  server?: string;
  role?: 'member' | 'manager';
  /** How long a claim lasts, for the whole team. */
  leaseMs?: number;
}

/** "Synced just now", "Offline: …", "Sync error: …" in a person's words. */
export function describeSync(t: ReturnType<typeof useT>, status: TeamStatus, now: number): string {
  switch (status.state) {
    case 'solo':
      return t('syncSolo');
    case 'synced':
      return status.lastSyncAt ? t('syncSyncedAgo', timeAgo(t, status.lastSyncAt, now)) : t('syncSynced');
    case 'offline':
      return t('syncOffline');
    case 'error':
      return t('syncError', errorText(t, status));
  }
}
