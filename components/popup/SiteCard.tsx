/** The current tab's site: whether Tend runs there, the switch, its counts and my claims there. */
import type { ThreadState } from '../../lib/domain';
import type { SiteStatus } from '../../lib/messaging/protocol';
import type { MyClaim } from '../../lib/store';
import { useT, type Translate } from '../i18n';
import { ClaimList, type ClaimAction } from './ClaimList';
import { hostOf } from './format';

/** The current site's status, counts and my claims there, with the switch's actions. */
export interface SiteCardProps {
  /** Null while Tend is asking. */
  status: SiteStatus | null;
  /** Why the status could not be read, or why enabling failed. */
  error: string | null;
  /** A short note after an attempt ("access was not granted"). */
  notice: string | null;
  /** Enabling or disabling is under way. */
  busy: boolean;
  counts: Record<ThreadState, number> | null;
  claimsHere: readonly MyClaim[];
  claimBusy: ReadonlySet<string>;
  now: number;
  /** Called straight from the click: it must ask for the permission before anything else. */
  onEnable: () => void;
  onDisable: () => void;
  onClaimAction: (claim: MyClaim, action: ClaimAction) => void;
}

/** Literal keys, so the messages test finds them. */
function countLabel(t: Translate, state: ThreadState): string {
  switch (state) {
    case 'unclaimed':
      return t('countUnclaimed');
    case 'claimed':
      return t('countClaimed');
    case 'answered':
      return t('countAnswered');
    case 'resolved':
      return t('countResolved');
  }
}
const COUNT_ORDER: readonly ThreadState[] = ['unclaimed', 'claimed', 'answered', 'resolved'];

/** Whether Tend runs on the site now. */
export function isRunning(s: SiteStatus | null): boolean {
  return !!s && s.supported && s.enabled && s.granted;
}

/** The "This site" card: the switch, then counts and my claims once Tend runs here. */
export function SiteCard(props: SiteCardProps) {
  const t = useT();
  const { status, error, notice, busy, counts } = props;
  const host = status?.origin ? hostOf(status.origin) : '';
  return (
    <section class="card site" aria-labelledby="site-heading" aria-busy={status === null && !error}>
      <div class="card-head">
        <h2 id="site-heading">{t('siteHeading')}</h2>
        {host && <span class="host">{host}</span>}
      </div>
      {status === null && !error && <p class="muted">{t('siteChecking')}</p>}
      {status && <SiteSwitch status={status} busy={busy} onEnable={props.onEnable} onDisable={props.onDisable} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {isRunning(status) && counts && (
        <ul class="counts" aria-label={t('countsLabel')}>
          {COUNT_ORDER.map((state) => (
            <li key={state} class={`count ${state}`} data-state={state}>
              <span class="n">{counts[state]}</span>
              <span class="label">{countLabel(t, state)}</span>
            </li>
          ))}
        </ul>
      )}
      {(isRunning(status) || props.claimsHere.length > 0) && (
        <>
          <h3 id="here-heading">{t('claimsHereHeading')}</h3>
          <ClaimList
            claims={props.claimsHere}
            now={props.now}
            busy={props.claimBusy}
            onAction={props.onClaimAction}
            empty={t('claimsHereEmpty')}
            label={t('claimsHereHeading')}
          />
        </>
      )}
    </section>
  );
}

function SiteSwitch({ status, busy, onEnable, onDisable }: { status: SiteStatus; busy: boolean; onEnable: () => void; onDisable: () => void }) {
  const t = useT();
  if (!status.supported) return <p class="muted">{t('siteUnsupported')}</p>;
  if (status.enabled && status.granted) {
    return (
      <div class="switch on">
        <p class="state">
          <span class="dot" aria-hidden="true" />
          {t('siteOn')}
          {status.builtIn && <span class="badge">{t('siteBuiltIn')}</span>}
        </p>
        {!status.builtIn && (
          <button type="button" class="btn quiet" disabled={busy} onClick={onDisable}>
            {t('siteDisable')}
          </button>
        )}
      </div>
    );
  }
  const lost = status.enabled && !status.granted;
  return (
    <div class="switch off">
      <p class="state">
        <span class="dot" aria-hidden="true" />
        {lost ? t('siteLost') : t('siteOff')}
      </p>
      <p class="help">{lost ? t('siteLostHelp') : t('siteOffHelp')}</p>
      <button type="button" class="btn primary wide" disabled={busy} onClick={onEnable}>
        {busy ? t('siteWorking') : lost ? t('siteRegrant') : t('siteEnable')}
      </button>
    </div>
  );
}
