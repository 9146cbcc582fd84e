/**
 * The page's entry: it starts reading the database at once (`first-read`), then loads the views;
 * their modules are fetched and run while the database opens.
 */
import '../../components/popup/pages.css';
import '../../components/dashboard/dashboard.css';
import './first-read';

void import('./view');
