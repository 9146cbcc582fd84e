/**
 * The team part of Tend's settings: in solo mode, a form to join a team server with an
 * invite code; in a team, which team, on which server, where sync stands, and a way to leave.
 */
import { useState } from 'preact/hooks';
import { useT } from '../i18n';
import { hostOf } from '../popup/format';
import { timeAgo } from '../time';

/** Where team sync stands, as the background reports it. */
export interface TeamStatus {
  state: 'solo' | 'synced' | 'offline' | 'error';
  lastSyncAt: number | null;
  error?: string;
  team?: string;
  server?: string;
  role?: 'member' | 'manager';
}

export interface TeamSettingsProps {
  status: TeamStatus | null;
  loadError: string | null;
  busy: boolean;
  error: string | null;
  now: number;
  onJoin: (form: { server: string; code: string }) => void;
  onLeave: () => void;
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
      return t('syncError', status.error ?? '');
  }
}

export function TeamSettings(props: TeamSettingsProps) {
  const t = useT();
  const [server, setServer] = useState('');
  const [code, setCode] = useState('');
  const { status } = props;

  if (props.loadError) {
    return (
      <p class="error" role="alert">
        {t('loadError', props.loadError)}
      </p>
    );
  }
  if (!status) {
    return (
      <p class="muted" role="status">
        {t('loading')}
      </p>
    );
  }
  if (status.state !== 'solo') {
    return (
      <div class="team-status">
        <dl class="facts">
          <dt>{t('teamNameLabel')}</dt>
          <dd class="team-name">{status.team ?? ''}</dd>
          <dt>{t('teamServerShort')}</dt>
          <dd>{status.server ? hostOf(status.server) : ''}</dd>
          {status.role && (
            <>
              <dt>{t('teamRoleLabel')}</dt>
              <dd>{status.role === 'manager' ? t('teamRoleManager') : t('teamRoleMember')}</dd>
            </>
          )}
          <dt>{t('teamSyncLabel')}</dt>
          <dd class={`sync-state ${status.state === 'error' ? 'error' : ''}`}>{describeSync(t, status, props.now)}</dd>
        </dl>
        <button type="button" class="btn" disabled={props.busy} onClick={props.onLeave}>
          {t('teamLeave')}
        </button>
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
      </div>
    );
  }
  return (
    <form
      class="team-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onJoin({ server: server.trim(), code: code.trim() });
      }}
    >
      <p class="muted">{t('teamSoloHint')}</p>
      <label for="server">{t('teamServerLabel')}</label>
      <input id="server" type="url" inputMode="url" placeholder="https://tend.example.org" value={server} onInput={(e) => setServer((e.currentTarget as HTMLInputElement).value)} />
      <label for="code">{t('teamCodeLabel')}</label>
      <input id="code" type="text" autoComplete="off" value={code} onInput={(e) => setCode((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit" class="btn primary" disabled={props.busy}>
        {props.busy ? t('teamJoining') : t('teamJoin')}
      </button>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
    </form>
  );
}
