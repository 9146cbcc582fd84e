/** The page's views, loaded after the entry module started reading the database. */
import { render } from 'preact';
import { I18n } from '../../components/i18n';
import { browserT } from '../../lib/i18n';
import { App } from './App';
import { firstRowsOrTimeout } from './first-read';

// Rendered once the first read is in, so the first frame already shows it; a slow database
// gets the page's loading state instead, after a tenth of a second.
void firstRowsOrTimeout(100).then(() =>
  render(
    <I18n.Provider value={browserT}>
      <App />
    </I18n.Provider>,
    document.getElementById('app')!,
  ),
);
