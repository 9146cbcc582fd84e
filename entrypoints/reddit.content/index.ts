/** The content script of Reddit's hosts: the Reddit adapter and look only, so the page loads nothing else. */
import { browser } from 'wxt/browser';
import { PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { claimPage } from '../../lib/overlay/lifetime';
import { reddit } from '../../lib/sites/reddit';
import { OLD_REDDIT_LOOK, REDDIT_LOOK } from '../../components/overlays/looks';
import { runTend } from '../content/app';

export default defineContentScript({
  matches: [...PLATFORM_HOST_PATTERNS.reddit],
  runAt: 'document_start',
  main() {
    runTend(claimPage(() => browser.runtime?.id !== undefined), [reddit], REDDIT_LOOK + OLD_REDDIT_LOOK);
  },
});
