/** The content script of Stack Exchange's hosts: the Stack Exchange adapter and look only, so the page loads nothing else. */
import { PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { stackexchange } from '../../lib/sites/stackexchange';
import { STACKEXCHANGE_LOOK } from '../../components/overlays/looks';
import { runTend } from '../content/app';

export default defineContentScript({
  matches: [...PLATFORM_HOST_PATTERNS.stackexchange],
  runAt: 'document_idle',
  main(ctx) {
    runTend(ctx, [stackexchange], STACKEXCHANGE_LOOK);
  },
});
