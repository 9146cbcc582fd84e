/** The content script of GitHub's hosts: the GitHub adapter and look only, so the page loads nothing else. */
import { browser } from 'wxt/browser';
import { PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { claimPage } from '../../lib/overlay/lifetime';
import { github } from '../../lib/sites/github';
import { GITHUB_LOOK } from '../../components/overlays/looks';
import { runTend } from '../content/app';

export default defineContentScript({
  matches: [...PLATFORM_HOST_PATTERNS.github],
  runAt: 'document_start',
  main() {
    runTend(claimPage(() => browser.runtime?.id !== undefined), [github], GITHUB_LOOK);
  },
});
