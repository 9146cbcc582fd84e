/**
 * Host match patterns Tend is granted at install: the built-in platforms' well-known hosts.
 * Every other site is enabled per origin at run time, from the popup.
 */
export const BUILTIN_HOST_PATTERNS: readonly string[] = [
  'https://meta.discourse.org/*',
  'https://github.com/*',
  'https://stackoverflow.com/*',
  'https://*.stackexchange.com/*',
  'https://superuser.com/*',
  'https://serverfault.com/*',
  'https://askubuntu.com/*',
  'https://mathoverflow.net/*',
  'https://*.reddit.com/*',
];

/** Hosts the end-to-end build grants up front, because headless Chromium shows no prompt. */
export const TEST_HOST_PATTERNS: readonly string[] = ['*://*.test/*', '*://127.0.0.1/*', '*://localhost/*'];
