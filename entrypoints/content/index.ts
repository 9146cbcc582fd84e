/**
 * The content script: on the built-in sites statically, on any other site once the user
 * enables Tend there (the background registers this same script for that origin).
 */
import { browser } from 'wxt/browser';
import { BUILTIN_HOST_PATTERNS } from '../../lib/domain/hosts';
import { claimPage } from '../../lib/overlay/lifetime';
import { runTend } from './app';

export default defineContentScript({
  matches: [...BUILTIN_HOST_PATTERNS],
  runAt: 'document_idle',
  main() {
    runTend(claimPage(() => browser.runtime?.id !== undefined));
  },
});
