/** The content script of Stack Exchange's hosts: the Stack Exchange adapter and look only, so the page loads nothing else. */
import { browser } from 'wxt/browser';
import { PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { claimPage } from '../../lib/overlay/lifetime';
import { stackexchange } from '../../lib/sites/stackexchange';
import { STACKEXCHANGE_LOOK } from '../../components/overlays/looks';
import { runTend } from '../content/app';

export default defineContentScript({
  matches: [...PLATFORM_HOST_PATTERNS.stackexchange],
  runAt: 'document_start',
  main() {
    runTend(claimPage(() => browser.runtime?.id !== undefined), [stackexchange], STACKEXCHANGE_LOOK);
  },
});
