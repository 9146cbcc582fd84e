/**
 * The toolbar popup: the current site (whether Tend runs there, its counts, who holds what),
 * then my claims (this site's first) and recognition lately in two tabs, so it fits Chrome's
 * 600-pixel popup whatever the data: the tab panel scrolls, the rest does not grow. A view
 * only: the entrypoint reads the data and passes the actions in.
 */
import type { SiteStatus } from '../../lib/messaging/protocol';
import type { MyClaim } from '../../lib/store';
import { useState } from 'preact/hooks';
import { useT } from '../i18n';
import { errorText } from '../errors';
import { describeSync, type TeamStatus } from '../sync-status';
import { Logo } from './Logo';
import type { ClaimAction } from './ClaimList';
import { ClaimList } from './ClaimList';
import { RecognitionList } from './RecognitionList';
import { SiteCard } from './SiteCard';
import { Tabs } from './Tabs';
import type { PopupSummary } from '../../lib/store/summary';

/** The data side of the popup. */
/** `partial`: read before the current site was known, so without its counts and claims. */
export type SummaryState = { kind: 'loading' } | { kind: 'error'; error: string } | { kind: 'ready'; summary: PopupSummary; partial?: boolean };

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
  /** Opens the description editor for the current site. */
  onDescribe?: () => void;
  onClaimAction: (claim: MyClaim, action: ClaimAction) => void;
  onSetName: () => void;
  onRetry: () => void;
  /** Team sync, when known. */
  sync?: TeamStatus | null;
  onOpenSettings?: () => void;
  /** Opens the manager's dashboard. */
  onOpenDashboard?: () => void;
  /** Whether recording what I see is paused; null while unknown. */
  paused?: boolean | null;
  onTogglePaused?: () => void;
}

/** The popup's view: header, this site, then my claims and recognition in tabs, and the observing switch. */
export function Popup(props: PopupProps) {
  const t = useT();
  const { summary, site, now } = props;
  const [tab, setTab] = useState<'claims' | 'thanks'>('claims');
  const ready = summary.kind === 'ready' ? summary.summary : null;
  const siteId = site.status?.supported ? site.status.site : null;
  const mineHere = ready && siteId ? ready.claims.filter((c) => c.thread.site === siteId).length : 0;
  const solo = !props.sync || props.sync.state === 'solo';

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
        {props.onOpenDashboard && (
          <button type="button" class="btn link" onClick={props.onOpenDashboard}>
            {t('openDashboard')}
          </button>
        )}
      </header>

      {props.sync && (
        // Not a live region: "synced 5 minutes ago" changes too often to be announced.
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
        counts={summary.kind === 'ready' && !summary.partial ? summary.summary.counts : null}
        claimedHere={summary.kind === 'ready' && !summary.partial ? summary.summary.claimedHere : []}
        mineHere={mineHere}
        now={now}
        onEnable={props.onEnable}
        onDisable={props.onDisable}
        {...(props.onDescribe ? { onDescribe: props.onDescribe } : {})}
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
        <section class="card rejected-card" aria-labelledby="rejected-heading">
          <h2 id="rejected-heading">{t('rejectedHeading')}</h2>
          <ul class="rejected">
            {ready.rejected.map((r) => (
              <li key={r.id} class="error">
                {/* In Tend's words where it has them, else the team server's own. */}
                {errorText(t, { error: r.reason, code: r.code, detail: r.detail })}
              </li>
            ))}
          </ul>
        </section>
      )}

      {ready && (
        <section class="card lists">
          <Tabs
            label={t('popupListsLabel')}
            selected={tab}
            onSelect={(id) => setTab(id as 'claims' | 'thanks')}
            tabs={[
              {
                id: 'claims',
                label: (
                  <>
                    {t('claimsHeading')} <span class="tab-count">{ready.claims.length}</span>
                  </>
                ),
                panel: () => (
                  <ClaimList
                    claims={ready.claims}
                    now={now}
                    here={siteId}
                    busy={props.claimBusy}
                    onAction={props.onClaimAction}
                    empty={t('claimsEmpty')}
                    label={t('claimsHeading')}
                  />
                ),
              },
              {
                id: 'thanks',
                label: (
                  <>
                    {t('recognitionHeading')} <span class="tab-count">{ready.received.length + ready.given.length}</span>
                  </>
                ),
                panel: () => (
                  <>
                    <h3>{t('receivedHeading')}</h3>
                    <RecognitionList items={ready.received} kind="received" now={now} label={t('receivedHeading')} empty={t('receivedEmpty')} />
                    <h3>{t('givenHeading')}</h3>
                    <RecognitionList items={ready.given} kind="given" now={now} label={t('givenHeading')} empty={t('givenEmpty')} />
                  </>
                ),
              },
            ]}
          />
        </section>
      )}

      {props.paused !== null && props.paused !== undefined && (
        <footer class="footer">
          <label class="switch">
            <input type="checkbox" role="switch" aria-describedby="observe-hint" checked={!props.paused} onChange={props.onTogglePaused} />
            <span>{t(solo ? 'observeSwitchSolo' : 'observeSwitch')}</span>
          </label>
          <p id="observe-hint" class="muted">
            {props.paused ? t(solo ? 'observePausedHintSolo' : 'observePausedHint') : t(solo ? 'observeOnHintSolo' : 'observeOnHint')}
          </p>
        </footer>
      )}
    </main>
  );
}
