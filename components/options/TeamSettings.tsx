/**
 * The team part of Tend's settings: in solo mode, a form to join a team server with an
 * invite code; in a team, which team, on which server, where sync stands, and a way to leave.
 */
import { useState } from 'preact/hooks';
import { useT } from '../i18n';
import { hostOf } from '../popup/format';
import { describeSync, type TeamStatus } from '../sync-status';
import { formatDuration } from '../time';

export { describeSync, type TeamStatus } from '../sync-status';

export interface TeamSettingsProps {
  status: TeamStatus | null;
  loadError: string | null;
  busy: boolean;
  error: string | null;
  now: number;
  onJoin: (form: { server: string; code: string }) => void;
  onLeave: () => void;
  /** A manager changes the lease length on the team server; resolves to an error, or null. */
  onSetLease?: (leaseMs: number) => Promise<string | null>;
}

/** Lease lengths a manager may choose (hours). */
export const LEASE_HOURS = [4, 8, 12, 24, 48, 72, 168] as const;

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
          {status.leaseMs !== undefined && (
            <>
              <dt>{t('teamLeaseLabel')}</dt>
              <dd class="lease">{formatDuration(t, status.leaseMs)}</dd>
            </>
          )}
          <dt>{t('teamSyncLabel')}</dt>
          <dd class={`sync-state ${status.state === 'error' ? 'error' : ''}`}>{describeSync(t, status, props.now)}</dd>
        </dl>
        {status.role === 'manager' && props.onSetLease && status.leaseMs !== undefined && <LeaseForm leaseMs={status.leaseMs} onSetLease={props.onSetLease} />}
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

/** A manager's lease length, sent to the team server (which checks the role again). */
function LeaseForm({ leaseMs, onSetLease }: { leaseMs: number; onSetLease: (leaseMs: number) => Promise<string | null> }) {
  const t = useT();
  const hours = Math.round(leaseMs / 3_600_000);
  const [choice, setChoice] = useState(hours);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const options = (LEASE_HOURS as readonly number[]).includes(hours) ? [...LEASE_HOURS] : [...LEASE_HOURS, hours].sort((a, b) => a - b);
  return (
    <form
      class="lease-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setMessage(null);
        void onSetLease(choice * 3_600_000)
          .then((error) => setMessage(error ? { kind: 'error', text: t('teamLeaseError', error) } : { kind: 'ok', text: t('teamLeaseSaved') }))
          .finally(() => setBusy(false));
      }}
    >
      <label for="lease">{t('teamLeaseChange')}</label>
      <div class="inline">
        <select id="lease" value={String(choice)} onChange={(e) => setChoice(Number((e.currentTarget as HTMLSelectElement).value))}>
          {options.map((h) => (
            <option key={h} value={String(h)}>
              {formatDuration(t, h * 3_600_000)}
            </option>
          ))}
        </select>
        <button type="submit" class="btn" disabled={busy || choice === hours}>
          {t('teamLeaseSave')}
        </button>
      </div>
      {message && (
        <p class={message.kind === 'error' ? 'error' : 'success'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
