/**
 * The sites Tend runs on: the built-in ones, the forums enabled in this browser, and what
 * reads each (a built-in adapter, Discourse recognised from the page, this browser's
 * description or the team's). From here a forum is described, turned off or forgotten, and
 * descriptions are exported and imported as JSON.
 */
import { useState } from 'preact/hooks';
import type { SiteEntry } from '../../lib/messaging/protocol';
import { useT, type Translate } from '../i18n';
import { hostOf } from '../popup/format';

export interface SitesSettingsProps {
  sites: readonly SiteEntry[] | null;
  loadError: string | null;
  busy: boolean;
  message: { kind: 'ok' | 'error'; text: string } | null;
  onDescribe: (origin: string) => void;
  onEnable: (origin: string) => void;
  onDisable: (origin: string) => void;
  onForget: (origin: string) => void;
  onExport: () => void;
  onImport: (file: File) => void;
}

/** What reads a site, in words. */
function readerOf(t: Translate, s: SiteEntry): string {
  if (s.local) return t('sitesReaderLocal', s.local.name);
  if (s.team) return s.team.by ? t('sitesReaderTeamBy', s.team.name, s.team.by) : t('sitesReaderTeam', s.team.name);
  if (s.seenAs === 'discourse') return t('sitesReaderDiscourse');
  if (s.builtIn) return t('sitesReaderBuiltIn');
  return t('sitesReaderNone');
}

export function SitesSettings(props: SitesSettingsProps) {
  const t = useT();
  const [address, setAddress] = useState('');
  const [addressError, setAddressError] = useState<string | null>(null);
  if (props.loadError) {
    return (
      <p class="error" role="alert">
        {t('loadError', props.loadError)}
      </p>
    );
  }
  if (!props.sites) {
    return (
      <p class="muted" role="status">
        {t('loading')}
      </p>
    );
  }
  const own = props.sites.filter((s) => !s.builtIn);
  const builtIn = props.sites.filter((s) => s.builtIn);
  return (
    <div class="sites">
      <p class="muted">{t('sitesIntro')}</p>
      {own.length === 0 ? (
        <p class="empty">{t('sitesNone')}</p>
      ) : (
        <ul class="site-list" aria-label={t('sitesListLabel')}>
          {own.map((s) => (
            <li key={s.origin} class="site-row" data-origin={s.origin}>
              <div class="site-main">
                <span class="site-host">{hostOf(s.origin)}</span>
                <span class="site-reader">{readerOf(t, s)}</span>
                <span class={`site-state ${s.enabled && s.granted ? 'on' : 'off'}`}>
                  {s.enabled && s.granted ? t('sitesOn') : s.enabled ? t('sitesNoAccess') : t('sitesOff')}
                </span>
              </div>
              <div class="site-actions">
                <button type="button" class="btn" disabled={props.busy} onClick={() => props.onDescribe(s.origin)}>
                  {s.local || s.team ? t('sitesEditDescription') : t('sitesDescribe')}
                </button>
                {s.enabled && s.granted ? (
                  <button type="button" class="btn quiet" disabled={props.busy} onClick={() => props.onDisable(s.origin)}>
                    {t('sitesDisable')}
                  </button>
                ) : (
                  <button type="button" class="btn quiet" disabled={props.busy} onClick={() => props.onEnable(s.origin)}>
                    {t('sitesEnable')}
                  </button>
                )}
                {s.local && (
                  <button type="button" class="btn quiet" disabled={props.busy} onClick={() => props.onForget(s.origin)}>
                    {t('sitesForget')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}

      <form
        class="site-add"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          let origin: string;
          try {
            const url = new URL(address.trim());
            if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
            origin = url.origin;
          } catch {
            setAddressError(t('sitesAddInvalid'));
            return;
          }
          setAddressError(null);
          props.onEnable(origin);
        }}
      >
        <label for="site-address">{t('sitesAddLabel')}</label>
        <div class="row">
          <input id="site-address" type="url" placeholder="https://forum.example.org" value={address} onInput={(e) => setAddress((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="btn" disabled={props.busy}>
            {t('sitesAdd')}
          </button>
        </div>
        {addressError && (
          <p class="error" role="alert">
            {addressError}
          </p>
        )}
      </form>

      <div class="site-io">
        <button type="button" class="btn" onClick={props.onExport}>
          {t('sitesExport')}
        </button>
        <label class="btn file">
          {t('sitesImport')}
          <input
            type="file"
            accept="application/json,.json"
            onChange={(e) => {
              const file = (e.currentTarget as HTMLInputElement).files?.[0];
              if (file) props.onImport(file);
              (e.currentTarget as HTMLInputElement).value = '';
            }}
          />
        </label>
      </div>
      {props.message && (
        <p class={props.message.kind === 'ok' ? 'success' : 'error'} role={props.message.kind === 'ok' ? 'status' : 'alert'}>
          {props.message.text}
        </p>
      )}

      <details class="builtin">
        <summary>{t('sitesBuiltInHeading', builtIn.length)}</summary>
        <ul>
          {builtIn.map((s) => (
            <li key={s.origin}>
              {s.origin.replace(/^https:\/\//, '')} — {readerOf(t, s)}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
