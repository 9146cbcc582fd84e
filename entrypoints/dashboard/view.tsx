/** The page's views, loaded after the entry module started reading the database. */
import { render } from 'preact';
import { I18n } from '../../components/i18n';
import { browserT } from '../../lib/i18n';
import { App } from './App';

render(
  <I18n.Provider value={browserT}>
    <App />
  </I18n.Provider>,
  document.getElementById('app')!,
);
