/**
 * The general content script: Discourse (recognised from the page, on any domain) and forums
 * read by a site description. It runs on the built-in Discourse host statically, and on any
 * other site once the user enables Tend there (the background registers this same script for
 * that origin). GitHub, Stack Exchange and Reddit have scripts of their own, so each page loads
 * only the adapter it needs.
 */
import { browser } from 'wxt/browser';
import { PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { claimPage } from '../../lib/overlay/lifetime';
import { discourse } from '../../lib/sites/discourse';
import { runTend } from './app';

export default defineContentScript({
  matches: [...PLATFORM_HOST_PATTERNS.discourse],
  runAt: 'document_start',
  main() {
    runTend(claimPage(() => browser.runtime?.id !== undefined), [discourse]);
  },
});
