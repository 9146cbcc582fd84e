/** My claims, each with its time left and Renew / Release / Done. */
import type { MyClaim } from '../../lib/store';
import { useT } from '../i18n';
import { hostOf, safeHref, timeLeft } from './format';

/** What a claim button does (the `claim.act` actions). */
export type ClaimAction = 'renew' | 'release' | 'resolve';

export interface ClaimListProps {
  claims: readonly MyClaim[];
  now: number;
  /** Show each claim's site (the list spans sites). */
  showSite?: boolean;
  /** Keys of claims with an action under way: their buttons wait. */
  busy?: ReadonlySet<string>;
  onAction: (claim: MyClaim, action: ClaimAction) => void;
  /** Shown instead of an empty list. */
  empty: string;
  /** Accessible name of the list. */
  label: string;
}

/** A list of claims; empty lists say so in words. */
export function ClaimList({ claims, now, showSite = false, busy, onAction, empty, label }: ClaimListProps) {
  const t = useT();
  if (!claims.length) return <p class="empty">{empty}</p>;
  return (
    <ul class="claims" aria-label={label}>
      {claims.map((c) => {
        const title = c.title || t('claimUntitled', c.thread.threadId);
        const href = safeHref(c.url);
        const waiting = busy?.has(c.key) ?? false;
        const left = timeLeft(t, c.expiresAt, now);
        const soon = c.expiresAt - now < 2 * 60 * 60_000;
        return (
          <li class="claim" key={c.key} data-key={c.key}>
            {href ? (
              <a class="claim-title" href={href} target="_blank" rel="noreferrer">
                {title}
              </a>
            ) : (
              <span class="claim-title">{title}</span>
            )}
            <p class="claim-meta">
              {showSite && <span class="site">{hostOf(c.thread.site)}</span>}
              <span class={soon ? 'left soon' : 'left'}>{left}</span>
              {c.pending && <span class="pending">{t('claimPending')}</span>}
            </p>
            <div class="actions">
              <button type="button" class="btn" disabled={waiting} aria-label={t('claimRenewLabel', title)} onClick={() => onAction(c, 'renew')}>
                {t('claimRenew')}
              </button>
              <button type="button" class="btn" disabled={waiting} aria-label={t('claimReleaseLabel', title)} onClick={() => onAction(c, 'release')}>
                {t('claimRelease')}
              </button>
              <button type="button" class="btn primary" disabled={waiting} aria-label={t('claimDoneLabel', title)} onClick={() => onAction(c, 'resolve')}>
                {t('claimDone')}
              </button>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
