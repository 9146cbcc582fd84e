/**
 * Host match patterns Tend is granted at install: the built-in platforms' well-known hosts,
 * by platform (each platform's content script runs on its own hosts only). Every other site is
 * enabled per origin at run time, from the popup.
 */
export const PLATFORM_HOST_PATTERNS = {
  discourse: ['https://meta.discourse.org/*'],
  github: ['https://github.com/*'],
  stackexchange: [
    'https://stackoverflow.com/*',
    // Localised Stack Overflows (ru., pt., es., ja.) and its meta.
    'https://*.stackoverflow.com/*',
    'https://*.stackexchange.com/*',
    'https://superuser.com/*',
    'https://meta.superuser.com/*',
    'https://serverfault.com/*',
    'https://meta.serverfault.com/*',
    'https://askubuntu.com/*',
    'https://meta.askubuntu.com/*',
    'https://mathoverflow.net/*',
    'https://meta.mathoverflow.net/*',
    'https://stackapps.com/*',
  ],
  reddit: ['https://reddit.com/*', 'https://*.reddit.com/*'],
} as const satisfies Record<string, readonly string[]>;

/** Every built-in host pattern. */
export const BUILTIN_HOST_PATTERNS: readonly string[] = Object.values(PLATFORM_HOST_PATTERNS).flat();

/** Hosts the end-to-end build grants up front, because headless Chromium shows no prompt. */
export const TEST_HOST_PATTERNS: readonly string[] = ['*://*.test/*', '*://127.0.0.1/*', '*://localhost/*'];
