/** The content script of GitHub's hosts: the GitHub adapter and look only, so the page loads nothing else. */
import { PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { github } from '../../lib/sites/github';
import { GITHUB_LOOK } from '../../components/overlays/looks';
import { runTend } from '../content/app';

export default defineContentScript({
  matches: [...PLATFORM_HOST_PATTERNS.github],
  runAt: 'document_idle',
  main(ctx) {
    runTend(ctx, [github], GITHUB_LOOK);
  },
});
