/**
 * The toolbar popup: the current site (whether Tend runs there, its counts, my claims
 * there), my claims elsewhere, and recognition lately. A view only: the entrypoint reads
 * the data and passes the actions in.
 */
import type { SiteStatus } from '../../lib/messaging/protocol';
import type { MyClaim } from '../../lib/store';
import { useT } from '../i18n';
import { describeSync, type TeamStatus } from '../options/TeamSettings';
import { Logo } from './Logo';
import type { ClaimAction } from './ClaimList';
import { ClaimList } from './ClaimList';
import { RecognitionList } from './RecognitionList';
import { SiteCard } from './SiteCard';
import type { PopupSummary } from './summary';

/** The data side of the popup. */
export type SummaryState = { kind: 'loading' } | { kind: 'error'; error: string } | { kind: 'ready'; summary: PopupSummary };

/** What the popup shows and the actions it offers. */
export interface PopupProps {
  summary: SummaryState;
  site: { status: SiteStatus | null; error: string | null; notice: string | null; busy: boolean };
  now: number;
  /** Keys of claims with an action under way. */
  claimBusy: ReadonlySet<string>;
  /** Why the last claim action failed. */
  claimError: string | null;
  onEnable: () => void;
  onDisable: () => void;
  onClaimAction: (claim: MyClaim, action: ClaimAction) => void;
  onSetName: () => void;
  onRetry: () => void;
  /** Team sync, when known. */
  sync?: TeamStatus | null;
  onOpenSettings?: () => void;
  /** Whether recording what I see is paused; null while unknown. */
  paused?: boolean | null;
  onTogglePaused?: () => void;
}

/** The popup's view: header, this site, my claims elsewhere, recognition. */
export function Popup(props: PopupProps) {
  const t = useT();
  const { summary, site, now } = props;
  const ready = summary.kind === 'ready' ? summary.summary : null;
  const siteId = site.status?.supported ? site.status.site : null;
  const here = ready && siteId ? ready.claims.filter((c) => c.thread.site === siteId) : [];
  const elsewhere = ready ? ready.claims.filter((c) => !siteId || c.thread.site !== siteId) : [];

  return (
    <main class="page popup" aria-busy={summary.kind === 'loading'}>
      <header class="bar">
        <h1>
          <Logo />
          {t('extName')}
        </h1>
        {ready?.me?.name ? (
          <span class="me" title={t('youAre', ready.me.name)}>
            {ready.me.name}
          </span>
        ) : ready ? (
          <button type="button" class="btn link" onClick={props.onSetName}>
            {t('setName')}
          </button>
        ) : null}
      </header>

      {props.sync && (
        // Not a live region: "synced 5 s ago" changes too often to be announced.
        <p class={`sync-line ${props.sync.state === 'error' ? 'error' : 'muted'}`}>
          {describeSync(t, props.sync, now)}{' '}
          <button type="button" class="btn link" onClick={props.onOpenSettings}>
            {t('openSettings')}
          </button>
        </p>
      )}

      <SiteCard
        status={site.status}
        error={site.error}
        notice={site.notice}
        busy={site.busy}
        counts={ready?.counts ?? null}
        claimsHere={here}
        claimBusy={props.claimBusy}
        now={now}
        onEnable={props.onEnable}
        onDisable={props.onDisable}
        onClaimAction={props.onClaimAction}
      />

      {props.claimError && (
        <p class="error banner" role="alert">
          {props.claimError}
        </p>
      )}

      {summary.kind === 'loading' && (
        <p class="muted loading" role="status">
          {t('loading')}
        </p>
      )}
      {summary.kind === 'error' && (
        <div class="card" role="alert">
          <p class="error">{t('loadError', summary.error)}</p>
          <button type="button" class="btn" onClick={props.onRetry}>
            {t('retry')}
          </button>
        </div>
      )}

      {ready && ready.rejected.length > 0 && (
        <section class="card" aria-labelledby="rejected-heading">
          <h2 id="rejected-heading">{t('rejectedHeading')}</h2>
          <ul class="rejected">
            {ready.rejected.map((r) => (
              <li key={r.id} class="error">
                {r.reason}
              </li>
            ))}
          </ul>
        </section>
      )}

      {ready && (
        <>
          <section class="card" aria-labelledby="claims-heading">
            <h2 id="claims-heading">{siteId ? t('claimsElsewhereHeading') : t('claimsHeading')}</h2>
            <ClaimList
              claims={elsewhere}
              now={now}
              showSite
              busy={props.claimBusy}
              onAction={props.onClaimAction}
              empty={siteId && here.length ? t('claimsElsewhereEmpty') : t('claimsEmpty')}
              label={siteId ? t('claimsElsewhereHeading') : t('claimsHeading')}
            />
          </section>
          <section class="card" aria-labelledby="recognition-heading">
            <h2 id="recognition-heading">{t('recognitionHeading')}</h2>
            <h3>{t('receivedHeading')}</h3>
            <RecognitionList items={ready.received} kind="received" now={now} label={t('receivedHeading')} empty={t('receivedEmpty')} />
            <h3>{t('givenHeading')}</h3>
            <RecognitionList items={ready.given} kind="given" now={now} label={t('givenHeading')} empty={t('givenEmpty')} />
          </section>
        </>
      )}

      {props.paused !== null && props.paused !== undefined && (
        <footer class="card footer">
          <label class="switch">
            <input type="checkbox" role="switch" checked={!props.paused} onChange={props.onTogglePaused} />
            <span>{t('observeSwitch')}</span>
          </label>
          <p class="muted">{props.paused ? t('observePausedHint') : t('observeOnHint')}</p>
        </footer>
      )}
    </main>
  );
}
