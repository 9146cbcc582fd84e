/**
 * The endorse panel, framed into a forum page by the content script (see
 * components/overlays/EndorseControl.tsx): names and notes live here, out of the page's reach.
 */
import { render } from 'preact';
import { I18n } from '../../components/i18n';
import { GITHUB_LOOK, OLD_REDDIT_LOOK, REDDIT_LOOK, STACKEXCHANGE_LOOK } from '../../components/overlays/looks';
import { OVERLAY_CSS, panelPageCss } from '../../components/overlays/styles';
import { browserT } from '../../lib/i18n';
import { App, readParams } from './App';

const params = readParams(location.hash);

// The private channel from the content script that framed this page. Listened for before
// anything renders: it arrives as soon as this page has loaded.
const port = new Promise<MessagePort>((resolve) => {
  const onMessage = (e: MessageEvent) => {
    const data = e.data as { type?: unknown; nonce?: unknown } | null;
    if (!params || data?.type !== 'tend-panel' || data.nonce !== params.nonce || !e.ports[0]) return;
    window.removeEventListener('message', onMessage);
    resolve(e.ports[0]);
  };
  window.addEventListener('message', onMessage);
});
// The look of the overlay that framed this page: same platform, same front-end, same theme.
const root = document.documentElement;
root.dataset.theme = params?.theme ?? 'light';
if (params?.platform) root.dataset.platform = params.platform;
if (params?.host) root.dataset.host = params.host;
const style = document.createElement('style');
style.textContent = panelPageCss(OVERLAY_CSS + GITHUB_LOOK + STACKEXCHANGE_LOOK + REDDIT_LOOK + OLD_REDDIT_LOOK);
document.head.append(style);

render(
  <I18n.Provider value={browserT}>
    <App params={params} port={port} />
  </I18n.Provider>,
  document.getElementById('app')!,
);
