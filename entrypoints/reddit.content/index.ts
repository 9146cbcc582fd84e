/** The content script of Reddit's hosts: the Reddit adapter and look only, so the page loads nothing else. */
import { PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { reddit } from '../../lib/sites/reddit';
import { OLD_REDDIT_LOOK, REDDIT_LOOK } from '../../components/overlays/looks';
import { runTend } from '../content/app';

export default defineContentScript({
  matches: [...PLATFORM_HOST_PATTERNS.reddit],
  runAt: 'document_idle',
  main(ctx) {
    runTend(ctx, [reddit], REDDIT_LOOK + OLD_REDDIT_LOOK);
  },
});
