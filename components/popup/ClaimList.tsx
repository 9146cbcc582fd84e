/** My claims, each with its time left and Renew / Release / Done; this site's first. */
import type { MyClaim } from '../../lib/store';
import { useT } from '../i18n';
import { timeLeft } from '../time';
import { hostOf, safeHref } from './format';

/** What a claim button does (the `claim.act` actions). */
export type ClaimAction = 'renew' | 'release' | 'resolve';

/** A lease this close to its end is shown as running out. */
export const SOON_MS = 2 * 60 * 60_000;

export interface ClaimListProps {
  claims: readonly MyClaim[];
  now: number;
  /** The current tab's site: its claims come first and do not repeat the site's name. */
  here: string | null;
  /** Keys of claims with an action under way: their buttons wait. */
  busy?: ReadonlySet<string>;
  onAction: (claim: MyClaim, action: ClaimAction) => void;
  /** Shown instead of an empty list. */
  empty: string;
  /** Accessible name of the list. */
  label: string;
}

/** A list of claims; an empty list says so in words. */
export function ClaimList({ claims, now, here, busy, onAction, empty, label }: ClaimListProps) {
  const t = useT();
  if (!claims.length) return <p class="empty">{empty}</p>;
  // Stable: this site's claims first, each group soonest to expire first (as given).
  const ordered = [...claims.filter((c) => c.thread.site === here), ...claims.filter((c) => c.thread.site !== here)];
  return (
    <ul class="claims" aria-label={label}>
      {ordered.map((c) => {
        const title = c.title || t('claimUntitled', c.thread.threadId);
        const href = safeHref(c.url);
        const waiting = busy?.has(c.key) ?? false;
        const soon = c.expiresAt - now < SOON_MS;
        return (
          <li class="claim" key={c.key} data-key={c.key}>
            {href ? (
              <a class="claim-title" href={href} target="_blank" rel="noreferrer" title={title}>
                {title}
              </a>
            ) : (
              <span class="claim-title" title={title}>
                {title}
              </span>
            )}
            <div class="claim-foot">
              <p class="claim-meta">
                <span class="site">{c.thread.site === here ? t('claimHere') : hostOf(c.thread.site)}</span>
                <span class={soon ? 'left soon' : 'left'}>{timeLeft(t, c.expiresAt, now)}</span>
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
            </div>
          </li>
        );
      })}
    </ul>
  );
}
