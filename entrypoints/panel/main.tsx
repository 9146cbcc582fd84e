/**
 * The endorse panel, framed into a forum page by the content script (see
 * components/overlays/EndorseControl.tsx): names and notes live here, out of the page's reach.
 */
import { render } from 'preact';
import { I18n } from '../../components/i18n';
import { OVERLAY_CSS, PANEL_PAGE_CSS } from '../../components/overlays/styles';
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
document.documentElement.dataset.theme = params?.theme ?? 'light';
const style = document.createElement('style');
style.textContent = OVERLAY_CSS + PANEL_PAGE_CSS;
document.head.append(style);

render(
  <I18n.Provider value={browserT}>
    <App params={params} port={port} />
  </I18n.Provider>,
  document.getElementById('app')!,
);
