/**
 * Claims by member, with the time left on each: those expiring soon or expired stand out
 * (in words as well as colour). The holder renews, releases or marks done; the holder or a
 * manager hands a claim to another member.
 */
import { useState } from 'preact/hooks';
import type { PersonRecord } from '../../lib/store';
import type { ClaimRow } from '../../lib/store/queries';
import { useT } from '../i18n';
import { hostOf } from '../popup/format';
import { timeLeft } from '../time';

/** A claim with less than this left is "expiring soon". */
export const SOON_MS = 2 * 3_600_000;

export type ClaimVerb = 'renew' | 'release' | 'resolve';

export interface ClaimsViewProps {
  claims: readonly ClaimRow[];
  people: readonly PersonRecord[];
  me: string | null;
  manager: boolean;
  now: number;
  busy: ReadonlySet<string>;
  nameOf: (member: string) => string;
  onAct: (claim: ClaimRow, verb: ClaimVerb) => void;
  onHandoff: (claim: ClaimRow, to: string) => void;
  onExport: () => void;
}

export function ClaimsView(props: ClaimsViewProps) {
  const t = useT();
  const { claims, now } = props;
  const byHolder = new Map<string, ClaimRow[]>();
  for (const c of claims) byHolder.set(c.holder, [...(byHolder.get(c.holder) ?? []), c]);
  const holders = [...byHolder.keys()].sort((a, b) => props.nameOf(a).localeCompare(props.nameOf(b)));
  const soon = claims.filter((c) => !c.expired && c.expiresAt - now < SOON_MS).length;
  const expired = claims.filter((c) => c.expired).length;
  return (
    <div class="view claims-view">
      <div class="filters">
        <p class="muted" role="status">
          {t('db_claimsSummary', claims.length - expired, soon, expired)}
        </p>
        <button type="button" class="btn quiet" onClick={props.onExport}>
          {t('db_exportCsv')}
        </button>
      </div>
      {claims.length === 0 && <p class="empty">{t('db_claimsEmpty')}</p>}
      {holders.map((holder) => (
        <section key={holder} class="card holder" aria-labelledby={`holder-${holder}`}>
          <h3 id={`holder-${holder}`}>
            {props.nameOf(holder)} <span class="tab-count">{byHolder.get(holder)!.length}</span>
          </h3>
          <ul class="claim-rows">
            {byHolder.get(holder)!.map((c) => (
              <ClaimItem key={c.key} claim={c} {...props} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function ClaimItem({ claim, people, me, manager, now, busy, nameOf, onAct, onHandoff }: ClaimsViewProps & { claim: ClaimRow }) {
  const t = useT();
  const [to, setTo] = useState('');
  const mine = claim.holder === me;
  const left = claim.expiresAt - now;
  const urgency = claim.expired ? 'expired' : left < SOON_MS ? 'soon' : '';
  const disabled = busy.has(claim.key);
  const title = claim.title || claim.thread.threadId;
  const others = people.filter((p) => p.id !== claim.holder);
  return (
    <li class={`claim-row ${urgency}`}>
      <div class="claim-line">
        {claim.url ? (
          <a class="claim-title" href={claim.url} target="_blank" rel="noopener noreferrer">
            {title}
          </a>
        ) : (
          <span class="claim-title">{title}</span>
        )}
        <span class="muted">{hostOf(claim.thread.site)}</span>
        <span class={`left ${urgency}`}>
          {urgency === 'soon' && <strong>{t('db_soon')} · </strong>}
          {timeLeft(t, claim.expiresAt, now)}
        </span>
      </div>
      {!claim.expired && (
        <div class="actions">
          {mine && (
            <>
              <button type="button" class="btn" disabled={disabled} onClick={() => onAct(claim, 'renew')} aria-label={t('db_renewLabel', title)}>
                {t('claimRenew')}
              </button>
              <button type="button" class="btn" disabled={disabled} onClick={() => onAct(claim, 'release')} aria-label={t('db_releaseLabel', title)}>
                {t('claimRelease')}
              </button>
              <button type="button" class="btn" disabled={disabled} onClick={() => onAct(claim, 'resolve')} aria-label={t('db_doneLabel', title)}>
                {t('claimDone')}
              </button>
            </>
          )}
          {(mine || manager) && others.length > 0 && (
            <form
              class="handoff"
              onSubmit={(e) => {
                e.preventDefault();
                if (to) onHandoff(claim, to);
              }}
            >
              <label>
                <span class="visually-hidden">{t('db_handoffTo', title)}</span>
                <select value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
                  <option value="">{t('db_handoffPick')}</option>
                  {others.map((p) => (
                    <option key={p.id} value={p.id}>
                      {nameOf(p.id)}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" class="btn" disabled={disabled || !to}>
                {t('db_handoff')}
              </button>
            </form>
          )}
        </div>
      )}
    </li>
  );
}
