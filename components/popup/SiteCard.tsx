/** The current tab's site: whether Tend runs there, the switch, its counts and who holds what. */
import type { ThreadState } from '../../lib/domain';
import type { SiteStatus } from '../../lib/messaging/protocol';
import { useT, type Translate } from '../i18n';
import { timeLeft } from '../time';
import { hostOf, safeHref } from './format';
import type { ClaimedHere } from '../../lib/store/summary';

/** The current site's status, counts and teammates' claims there, with the switch's actions. */
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
  /** Teammates' live claims here: who holds which question. */
  claimedHere: readonly ClaimedHere[];
  /** How many of the claims here are mine (they are listed with my claims). */
  mineHere: number;
  now: number;
  /** Called straight from the click: it must ask for the permission before anything else. */
  onEnable: () => void;
  onDisable: () => void;
  /** Opens the description editor for this site, on this tab. */
  onDescribe?: () => void;
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

/** Teammates' claims shown before "and N more". */
const CLAIMED_SHOWN = 3;

/** The "This site" card: the switch, then counts and who holds what once Tend runs here. */
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
      {isRunning(status) && !status!.builtIn && status!.reader === 'unknown' && (
        <div class="describe-hint">
          <p class="help">{t('siteUnknownForum')}</p>
          {props.onDescribe && (
            <button type="button" class="btn primary wide" onClick={props.onDescribe}>
              {t('sitesDescribe')}
            </button>
          )}
        </div>
      )}
      {isRunning(status) && !status!.builtIn && status!.reader === 'description' && props.onDescribe && (
        <button type="button" class="btn link describe-link" onClick={props.onDescribe}>
          {t('sitesEditDescription')}
        </button>
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
      {isRunning(status) && !counts && <p class="muted">{t('loading')}</p>}
      {isRunning(status) && counts && <ClaimedByOthers claimed={props.claimedHere} mineHere={props.mineHere} total={counts.claimed} now={props.now} />}
    </section>
  );
}

/** "Held by Sam: How do I rotate keys? · 20 hr left", for each teammate's claim here. */
function ClaimedByOthers({ claimed, mineHere, total, now }: { claimed: readonly ClaimedHere[]; mineHere: number; total: number; now: number }) {
  const t = useT();
  if (!claimed.length) return mineHere > 0 ? <p class="held-none">{t('heldOnlyMine')}</p> : null;
  const more = Math.max(0, total - mineHere - Math.min(claimed.length, CLAIMED_SHOWN));
  return (
    <ul class="held" aria-label={t('heldLabel')}>
      {claimed.slice(0, CLAIMED_SHOWN).map((c) => {
        const title = c.title || t('claimUntitled', c.key.split(' ')[1] ?? '');
        const href = safeHref(c.url);
        return (
          <li key={c.key}>
            <span class="holder">{c.holderName || t('someoneOnTeam')}</span>
            {href ? (
              <a class="held-title" href={href} target="_blank" rel="noreferrer" title={title}>
                {title}
              </a>
            ) : (
              <span class="held-title" title={title}>
                {title}
              </span>
            )}
            <span class="left">{timeLeft(t, c.expiresAt, now)}</span>
          </li>
        );
      })}
      {more > 0 && <li class="more">{t('heldMore', more)}</li>}
    </ul>
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
