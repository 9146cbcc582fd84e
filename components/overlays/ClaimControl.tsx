/**
 * "I'll handle this" on a thread: claim it, or see that I hold it with time left (renew,
 * release, done), or see who holds it and since when.
 */
import { useT } from '../i18n';
import { timeAgo, timeLeft } from '../time';
import { SECRET_MARK, SecretSentence, SecretText } from './SecretText';

export interface ClaimInfo {
  holderName: string;
  mine: boolean;
  since: number;
  expiresAt: number;
  pending: boolean;
}

export interface ClaimControlProps {
  state: 'unclaimed' | 'claimed' | 'resolved' | 'answered';
  claim: ClaimInfo | null;
  now: number;
  busy: boolean;
  /** An action of mine on its way: shown from the next frame until Tend has stored or refused it. */
  pending?: boolean;
  error: string | null;
  onAction: (action: 'claim' | 'renew' | 'release' | 'resolve', event: Event) => void;
}

export function ClaimControl({ state, claim, now, busy, pending, error, onAction }: ClaimControlProps) {
  const t = useT();
  const act = (action: 'claim' | 'renew' | 'release' | 'resolve') => (e: Event) => onAction(action, e);
  let body;
  if (claim?.mine) {
    body = (
      <>
        <span class="tend-status is-mine">{t('ov_claimMine', timeLeft(t, claim.expiresAt, now))}</span>
        <button type="button" class="tend-btn" disabled={busy} onClick={act('renew')}>{t('ov_renew')}</button>
        <button type="button" class="tend-btn" disabled={busy} onClick={act('release')}>{t('ov_release')}</button>
        <button type="button" class="tend-btn is-primary" disabled={busy} onClick={act('resolve')}>{t('ov_done')}</button>
      </>
    );
  } else if (claim) {
    // A teammate's name is not the page's to read.
    body = <SecretSentence class="tend-status" sentence={t('ov_claimOther', SECRET_MARK, timeAgo(t, claim.since, now))} secret={claim.holderName || t('ov_someone')} />;
  } else if (state === 'resolved') {
    body = <span class="tend-status is-done">✓ {t('ov_resolved')}</span>;
  } else {
    body = (
      <>
        {state === 'answered' && <span class="tend-status is-done">{t('ov_answered')}</span>}
        <button type="button" class="tend-btn is-primary" disabled={busy} onClick={act('claim')}>
          {t('ov_claim')}
        </button>
      </>
    );
  }
  return (
    <div class="tend-claim" role="group" aria-label={t('extName')} aria-busy={pending || undefined}>
      <span class="tend-brand" aria-hidden="true">Tend</span>
      {body}
      {(claim?.pending || pending) && <span class="tend-muted">{t('ov_pending')}</span>}
      {error && (
        <span role="alert">
          <SecretText class="tend-error" text={error} />
        </span>
      )}
    </div>
  );
}
