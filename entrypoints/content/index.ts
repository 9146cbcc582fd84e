/**
 * The content script: on the built-in sites statically, on any other site once the user
 * enables Tend there (the background registers this same script for that origin).
 */
import { BUILTIN_HOST_PATTERNS } from '../../lib/domain/hosts';
import { runTend } from './app';

export default defineContentScript({
  matches: [...BUILTIN_HOST_PATTERNS],
  runAt: 'document_idle',
  main(ctx) {
    runTend(ctx);
  },
});
