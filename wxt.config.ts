import { defineConfig } from 'wxt';
import { BUILTIN_HOST_PATTERNS, TEST_HOST_PATTERNS } from './lib/domain/hosts';

/**
 * `TEND_BUILD=test` makes the end-to-end build: test hosts are granted up front (a
 * headless browser cannot answer a permission prompt) and overlay shadow roots are open
 * so tests can look inside. The shipped build never asks for all sites.
 */
const testBuild = process.env.TEND_BUILD === 'test';

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({
    define: { __TEND_TEST_BUILD__: JSON.stringify(testBuild) },
  }),
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'alarms', 'scripting', 'activeTab'],
    host_permissions: [...BUILTIN_HOST_PATTERNS, ...(testBuild ? TEST_HOST_PATTERNS : [])],
    // Any other forum is enabled per origin from the popup, at run time.
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    action: { default_title: '__MSG_extName__' },
    // The endorse panel is framed into forum pages (names and notes stay out of the page's
    // reach); it must be loadable there. Chrome gives it an address that changes every
    // session, so no page can frame it by itself.
    web_accessible_resources: [{ resources: ['panel.html'], matches: ['<all_urls>'], ...(browser === 'firefox' ? {} : { use_dynamic_url: true }) }],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'tend@tend.community',
              strict_min_version: '140.0',
              // Solo mode sends nothing anywhere; joining a team server sends what the
              // queue needs (thread titles, urls, counts, handles) to the team's own server.
              data_collection_permissions: {
                required: ['none'],
                optional: ['websiteActivity', 'personallyIdentifyingInfo'],
              },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
          // Firefox's default policy for MV3 pages adds `upgrade-insecure-requests`, which turns
          // the live socket to a team server on this computer (ws://127.0.0.1) into wss://, so it
          // never connects. Tend itself allows plain http only on loopback (lib/sync/client.ts).
          content_security_policy: { extension_pages: "script-src 'self'" },
        }
      : {}),
  }),
});
